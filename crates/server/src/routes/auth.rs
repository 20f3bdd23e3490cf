//! Sign-in and sign-out with bearer tokens.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::dto::{LoginBody, LoginView};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, bearer};
use crate::state::AppState;

/// Exchange a login and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses(
    (status = 200, body = LoginView),
    (status = 401, description = "wrong login or password", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<LoginView>, ApiError> {
    if body.login.len() > 256 || body.password.len() > 1024 {
        return Err(ApiError::bad_request("invalid_body", "login or password is too long"));
    }
    let session = state.blocking(move |s| s.login(&body.login, &body.password)).await?;
    Ok(Json(LoginView {
        token: session.token,
        expires_at: session.expires_at,
        role: session.principal.role,
        operator: session.principal.operator,
    }))
}

/// The raw bearer token of the request, required.
pub struct Token(String);

impl<S: Send + Sync> FromRequestParts<S> for Token {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(parts)?
            .map(Token)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing_token", "send the token to sign out"))
    }
}

/// End the session of the token sent; the token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "signed out"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn logout(State(state): State<AppState>, Token(token): Token) -> Result<StatusCode, ApiError> {
    state.blocking(move |s| s.logout(&token)).await?;
    Ok(StatusCode::NO_CONTENT)
}
