//! API clients and the OAuth2 client-credentials token endpoint (RFC 6749 §4.4).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    /// Who the client is (a bank's name).
    pub name: String,
    /// e.g. `["number-recycling:check"]`.
    pub scopes: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub client_id: String,
    /// Shown once; simexit keeps only its hash.
    pub client_secret: String,
    pub scopes: Vec<String>,
}

/// Register a relying party's API client (admins). The secret is returned once.
#[utoipa::path(post, path = "/api/v1/api-clients", tag = "auth", security(("bearer" = [])), request_body = NewClientBody,
    responses(
        (status = 201, body = ClientView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts, or too many sign-ins at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<NewClientBody>,
) -> Result<(StatusCode, Json<ClientView>), ApiError> {
    let c = state.as_user_hashing(auth, move |s, who| s.create_api_client(Some(who), &b.name, &b.scopes)).await?;
    Ok((
        StatusCode::CREATED,
        Json(ClientView { client_id: c.client_id, client_secret: c.client_secret, scopes: c.scopes }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    /// `client_credentials`.
    pub grant_type: String,
    /// With `client_secret`, unless sent as HTTP Basic credentials.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated; all of the client's scopes when absent.
    pub scope: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}

/// An OAuth2 error answer (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (status, Json(serde_json::json!({ "error": error, "error_description": description }))).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic realm=\"simexit\""));
    }
    r
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    // A NUL names no client: such credentials are no credentials (see `extract::refuse_nul_in_text`).
    let text = String::from_utf8(decoded).ok().filter(|t| !t.contains('\0'))?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Exchange client credentials (HTTP Basic or form fields) for a bearer token.
#[utoipa::path(post, path = "/api/v1/oauth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenView),
        (status = 400, description = "`unsupported_grant_type`, `invalid_request`, `invalid_scope`"),
        (status = 401, description = "`invalid_client`"),
        (status = 429, description = "too many failed attempts"),
    ))]
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let form = serde_urlencoded::from_bytes::<TokenForm>(&body)
        .ok()
        .filter(|_| crate::extract::refuse_nul_in_text(&body).is_ok());
    let Some(form) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send an application/x-www-form-urlencoded body with grant_type",
        );
    };
    if form.grant_type != "client_credentials" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only client_credentials is supported");
    }
    let creds = basic(&headers).or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)));
    let Some((id, secret)) = creds else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client credentials are required");
    };
    let scope = form.scope.clone();
    match state.hashing(move |s| s.client_token(&id, &secret, scope.as_deref())).await {
        Ok((session, scopes)) => {
            let expires_in = session.expires_at.as_second() - state.service.now().as_second();
            let mut r = Json(TokenView {
                access_token: session.token,
                token_type: "Bearer".into(),
                expires_in,
                scope: scopes.join(" "),
            })
            .into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            r
        }
        Err(e) if e.code == "invalid_client" => oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &e.detail),
        Err(e) if e.code == "invalid_scope" => oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &e.detail),
        Err(e) => e.into_response(),
    }
}
