//! The number inventory (staff).

use axum::Json;
use axum::extract::State;

use crate::dto::NumberView;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, Auth};
use crate::routes::operators::parse_msisdn;
use crate::state::AppState;

/// A number's state, freeze end and holder history.
#[utoipa::path(get, path = "/api/v1/numbers/{msisdn}", tag = "numbers", security(("bearer" = [])),
    params(("msisdn" = String, Path, description = "the number, E.164 or as typed")),
    responses(
        (status = 200, body = NumberView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(msisdn): ApiPath<String>,
) -> Result<Json<NumberView>, ApiError> {
    let msisdn = parse_msisdn(&msisdn)?;
    Ok(Json(state.as_user(auth, move |s, who| s.number_info(who, &msisdn)).await?.into()))
}

/// Record that a number left by number portability (clerk or admin of its operator). The line
/// ends without aging, as a termination: billed, settled, certified; lookups do not count it
/// as a disconnection. A line in debt is refused (422 `debt_outstanding` with the amount).
#[utoipa::path(post, path = "/api/v1/numbers/{msisdn}/port-out", tag = "numbers", security(("bearer" = [])),
    params(("msisdn" = String, Path)),
    responses(
        (status = 200, body = NumberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the line is in debt", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn port_out(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(msisdn): ApiPath<String>,
) -> Result<Json<NumberView>, ApiError> {
    let msisdn = parse_msisdn(&msisdn)?;
    Ok(Json(state.as_user(auth, move |s, who| s.port_out(who, &msisdn)).await?.into()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortInBody {
    pub msisdn: String,
    pub operator: simexit_domain::OperatorId,
}

/// Record a number arriving by number portability: it joins the operator's pool.
#[utoipa::path(post, path = "/api/v1/numbers/port-in", tag = "numbers", security(("bearer" = [])), request_body = PortInBody,
    responses(
        (status = 201, body = NumberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "the subscriber named is unknown", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn port_in(
    State(state): State<AppState>,
    auth: Auth,
    crate::extract::ApiJson(b): crate::extract::ApiJson<PortInBody>,
) -> Result<(axum::http::StatusCode, Json<NumberView>), ApiError> {
    let msisdn = parse_msisdn(&b.msisdn)?;
    let info = state.as_user(auth, move |s, who| s.port_in(who, &msisdn, &b.operator)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(info.into())))
}
