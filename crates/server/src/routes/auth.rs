//! Sign-in and sign-out with bearer tokens.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::dto::{LoginBody, LoginView};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, SESSION_COOKIE, bearer, session_cookie};
use crate::state::AppState;

/// Exchange a login and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses(
    (status = 200, body = LoginView),
    (status = 401, description = "wrong login or password", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "too many attempts, or too many sign-ins at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<axum::response::Response, ApiError> {
    if body.login.len() > 256 || body.password.len() > 1024 {
        return Err(ApiError::bad_request("invalid_body", "login or password is too long"));
    }
    match body.session.as_deref() {
        None | Some("bearer") => {
            let session = state.hashing(move |s| s.login(&body.login, &body.password)).await?;
            Ok(session_answer(&state, session, None))
        }
        Some("cookie") => {
            let previous = session_cookie(&headers);
            let (session, csrf) =
                state.hashing(move |s| s.login_cookie(&body.login, &body.password, previous.as_deref())).await?;
            Ok(session_answer(&state, session, Some(csrf)))
        }
        Some(other) => {
            Err(ApiError::bad_request("invalid_body", format!("session is `bearer` or `cookie`, not `{other}`")))
        }
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The contact number of the account, as typed.
    pub msisdn: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmBody {
    pub msisdn: String,
    /// The six-digit code received by SMS.
    pub code: String,
    pub new_password: String,
}

/// "I forgot my password": sends a one-time code by SMS to the number if it belongs to an
/// account. The answer is the same either way. Limited per number and per client address.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetBody, responses(
    (status = 202, description = "accepted (whether or not the number has an account)"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "too many requests; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::edge::ClientAddr>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let msisdn = crate::routes::operators::parse_msisdn(&body.msisdn)?;
    let client = client.to_string();
    state.hashing(move |s| s.request_password_reset(&msisdn, &client)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "if this number has an account, a code is on its way by SMS" })),
    ))
}

/// Set a new password with the code. Five wrong codes lock the code; every session of the
/// account ends when the password changes.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirmBody, responses(
    (status = 204, description = "password changed"),
    (status = 400, description = "`invalid_code`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`weak_password`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`code_locked`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetConfirmBody>,
) -> Result<StatusCode, ApiError> {
    let msisdn = crate::routes::operators::parse_msisdn(&body.msisdn)?;
    state.hashing(move |s| s.confirm_password_reset(&msisdn, &body.code, &body.new_password)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsCodeBody {
    /// The number of the subscriber's line, as typed.
    pub msisdn: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsCodeVerifyBody {
    pub msisdn: String,
    /// The six-digit code received by SMS.
    pub code: String,
    /// `bearer` (the default: a token in the answer) or `cookie` (a page session).
    #[serde(default)]
    pub session: Option<String>,
}

/// Sign in by SMS code, step 1: sends a one-time code to the number if it is an active line
/// of a subscriber (the SMS reaching the SIM is the proof of holding it). The answer is the
/// same either way. Limited per number and per client address.
#[utoipa::path(post, path = "/api/v1/auth/sms-code", tag = "auth", request_body = SmsCodeBody, responses(
    (status = 202, description = "accepted (whether or not the number is an active line)"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "too many requests; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn sms_code(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::edge::ClientAddr>,
    ApiJson(body): ApiJson<SmsCodeBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let msisdn = crate::routes::operators::parse_msisdn(&body.msisdn)?;
    let client = client.to_string();
    state.hashing(move |s| s.request_sign_in_code(&msisdn, &client)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "if this number is an active line, a code is on its way by SMS" })),
    ))
}

/// Sign in by SMS code, step 2: the code opens a session, as a token or (with
/// `"session":"cookie"`) a page session. Five wrong codes lock the code.
#[utoipa::path(post, path = "/api/v1/auth/sms-code/verify", tag = "auth", request_body = SmsCodeVerifyBody, responses(
    (status = 200, body = LoginView),
    (status = 400, description = "`invalid_code`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`code_locked`, or too many sign-ins at once", body = Problem, content_type = "application/problem+json"),
))]
pub async fn sms_code_verify(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<SmsCodeVerifyBody>,
) -> Result<axum::response::Response, ApiError> {
    let msisdn = crate::routes::operators::parse_msisdn(&body.msisdn)?;
    let code = body.code;
    match body.session.as_deref() {
        None | Some("bearer") => {
            let session = state.hashing(move |s| s.sign_in_with_code(&msisdn, &code)).await?;
            Ok(session_answer(&state, session, None))
        }
        Some("cookie") => {
            let previous = session_cookie(&headers);
            let (session, csrf) =
                state.hashing(move |s| s.sign_in_with_code_cookie(&msisdn, &code, previous.as_deref())).await?;
            Ok(session_answer(&state, session, Some(csrf)))
        }
        Some(other) => {
            Err(ApiError::bad_request("invalid_body", format!("session is `bearer` or `cookie`, not `{other}`")))
        }
    }
}

/// A new session as the API answers it: the token in the body, or with a CSRF token, the
/// token in an HttpOnly cookie.
fn session_answer(
    state: &AppState,
    session: simexit_service::auth::Session,
    csrf: Option<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(csrf) = csrf else {
        return Json(LoginView {
            token: Some(session.token),
            csrf_token: None,
            expires_at: session.expires_at,
            role: session.principal.role,
            operator: session.principal.operator,
        })
        .into_response();
    };
    let max_age = (session.expires_at.as_second() - state.service.now().as_second()).max(0);
    let cookie = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}", session.token);
    let view = LoginView {
        token: None,
        csrf_token: Some(csrf),
        expires_at: session.expires_at,
        role: session.principal.role,
        operator: session.principal.operator,
    };
    let mut response = Json(view).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(axum::http::header::SET_COOKIE, v);
    }
    response
}

/// The raw bearer token of the request, required.
pub struct Token(String);

impl<S: Send + Sync> FromRequestParts<S> for Token {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(&parts.headers)?
            .or_else(|| session_cookie(&parts.headers))
            .map(Token)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing_token", "send the token to sign out"))
    }
}

/// End the session of the token sent; the token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "signed out"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn logout(State(state): State<AppState>, Token(token): Token) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    state.blocking(move |s| s.logout(&token)).await?;
    // Clear the page cookie too; harmless for bearer clients.
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&clear) {
        response.headers_mut().insert(axum::http::header::SET_COOKIE, v);
    }
    Ok(response)
}
