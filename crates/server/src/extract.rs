//! Extractors that parse at the edge: JSON bodies and paths whose failures become problem
//! documents, and the signed-in principal from a bearer token.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use crate::error::ApiError;

/// `axum::Json` whose rejection is a problem document.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

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
