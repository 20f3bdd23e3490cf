//! The JSON shapes of sign-in.

use super::*;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub login: String,
    pub password: String,
    /// `cookie` for pages: the session is set as an HttpOnly cookie and a CSRF token is
    /// returned instead of a bearer token.
    pub session: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginView {
    /// The bearer token (absent for cookie sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// For cookie sessions: send it as `X-CSRF-Token` with every request that changes state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    pub role: Role,
    pub operator: Option<OperatorId>,
}
