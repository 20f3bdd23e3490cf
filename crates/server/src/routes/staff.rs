//! Staff accounts (admins).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use simexit_domain::OperatorId;
use simexit_domain::access::Role;
use simexit_service::staff::NewStaff;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct StaffView {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub operator: Option<OperatorId>,
    pub store_id: Option<String>,
    pub disabled: bool,
}

impl From<simexit_store::AccountRow> for StaffView {
    fn from(a: simexit_store::AccountRow) -> Self {
        StaffView {
            id: a.id,
            login: a.login,
            role: a.role,
            operator: a.operator,
            store_id: a.store_id,
            disabled: a.disabled,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffBody {
    pub login: String,
    pub password: String,
    /// `clerk`, `reviewer`, `admin` or `auditor`.
    pub role: Role,
    /// Required for clerks and reviewers; absent = every operator (admins, auditors).
    pub operator: Option<OperatorId>,
    /// Required for clerks.
    pub store_id: Option<String>,
}

/// Staff accounts in the admin's scope.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = Vec<StaffView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<StaffView>>, ApiError> {
    let rows = state.as_user(auth, |s, who| s.list_staff(Some(who))).await?;
    Ok(Json(rows.into_iter().map(StaffView::from).collect()))
}

/// Create a staff account (admins; an operator's admin only for that operator).
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])), request_body = NewStaffBody,
    responses(
        (status = 201, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "the operator or store named does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts, or too many sign-ins at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<NewStaffBody>,
) -> Result<(StatusCode, Json<StaffView>), ApiError> {
    let input =
        NewStaff { login: b.login, password: b.password, role: b.role, operator: b.operator, store_id: b.store_id };
    let row = state.as_user_hashing(auth, move |s, who| s.create_staff(Some(who), input)).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Disable a staff account; its sessions end at once.
#[utoipa::path(post, path = "/api/v1/staff/{login}/disable", tag = "staff", security(("bearer" = [])),
    params(("login" = String, Path)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<StaffView>, ApiError> {
    Ok(Json(state.as_user(auth, move |s, who| s.disable_staff(Some(who), &login)).await?.into()))
}
