//! Extractors that parse at the edge: JSON bodies and paths whose failures become problem
//! documents, and the signed-in principal from a bearer token.

use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Whether bytes hold `needle`.
fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Refuses a JSON body whose text holds the NUL character. JSON cannot carry a raw NUL byte
/// (the parser refuses control characters in strings), only its escape `\\u0000`; a false
/// alarm needs an escaped backslash before `u0000`, which no field of this API has a use for.
pub fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    if holds(bytes, b"\\u0000") {
        return Err(ApiError::bad_request("invalid_body", "text may not hold the NUL character (\\u0000)"));
    }
    Ok(())
}

/// Refuses a form or plain-text body that holds the NUL character, raw or as `%00`.
pub fn refuse_nul_in_text(bytes: &[u8]) -> Result<(), ApiError> {
    if holds(bytes, b"%00") || bytes.contains(&0) {
        return Err(ApiError::bad_request("invalid_body", "text may not hold the NUL character"));
    }
    Ok(())
}

/// Whether a request's address carries a NUL character (`%00`). No text simexit keeps may hold
/// one — PostgreSQL's text cannot store it — so such a request is refused at the edge, on either
/// backend alike, before anything reads or writes.
pub fn address_holds_nul(uri: &axum::http::Uri) -> bool {
    holds(uri.path().as_bytes(), b"%00") || uri.query().is_some_and(|q| holds(q.as_bytes(), b"%00"))
}

fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `axum::Json` whose rejection is a problem document, and which refuses a body whose text holds
/// the NUL character (`\u0000`) with 400 `invalid_body`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(JsonRejection::from)?;
        refuse_nul_in_json(&bytes)?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(value))
    }
}

/// `axum::Form` for pages, which also refuses a form whose text holds the NUL character
/// (`%00`) with a readable 400.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        if refuse_nul_in_text(&bytes).is_err() {
            return Err((StatusCode::BAD_REQUEST, "A field holds the NUL character, which no text here may hold.")
                .into_response());
        }
        let axum::Form(value) = axum::Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PageForm(value))
    }
}

/// `axum::extract::Path` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// How a request proves who sent it.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer <token>`: API clients and apps.
    Bearer(String),
    /// The `simexit_session` cookie of pages; a request that changes state must also send the
    /// session's CSRF token in `X-CSRF-Token`.
    Cookie { token: String, csrf: Option<String>, changes_state: bool },
}

impl Credential {
    pub fn token(&self) -> &str {
        match self {
            Credential::Bearer(t) | Credential::Cookie { token: t, .. } => t,
        }
    }
}

/// The name of the page session cookie.
pub const SESSION_COOKIE: &str = "simexit_session";

/// A credential, required. It is checked inside the same blocking call as the work it
/// authorises (see [`crate::state::AppState::as_user`]).
pub struct Auth(pub Credential, pub Option<String>);

/// A credential if one was sent.
pub struct MaybeAuth(pub Option<Credential>, pub Option<String>);

/// The client's address (see `crate::edge::ClientAddr`), when the server knows it.
fn origin(parts: &Parts) -> Option<String> {
    parts.extensions.get::<crate::edge::ClientAddr>().map(ToString::to_string)
}

/// A cookie of a request, if it is there and not empty.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The session cookie of a request, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default();
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "use `Authorization: Bearer <token>`")),
    }
}

/// The request's credential: a bearer token, else the session cookie.
pub fn credential(parts: &Parts) -> Result<Option<Credential>, ApiError> {
    if let Some(t) = bearer(&parts.headers)? {
        return Ok(Some(Credential::Bearer(t)));
    }
    Ok(session_cookie(&parts.headers).map(|token| Credential::Cookie {
        token,
        csrf: parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned),
        changes_state: !matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
        ),
    }))
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        credential(parts)?.map(|c| Auth(c, origin(parts))).ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "missing_token", "sign in first: POST /api/v1/auth/login")
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        credential(parts).map(|c| MaybeAuth(c, origin(parts)))
    }
}
