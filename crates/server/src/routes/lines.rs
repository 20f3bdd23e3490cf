//! Lines: the subscriber's own, one by id, and opening a new one (staff).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use simexit_domain::{Iccid, Money};
use simexit_service::OpenLine;

use crate::dto::{LineView, MyLineView, OpenLineBody, ServiceView};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::state::AppState;

/// The signed-in subscriber's lines.
#[utoipa::path(get, path = "/api/v1/me/lines", tag = "lines", security(("bearer" = [])), responses(
    (status = 200, body = Vec<MyLineView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<MyLineView>>, ApiError> {
    let lines = state.as_user(auth, |s, who| s.my_lines_with_services(who)).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|(line, services)| MyLineView {
                monthly_charges: services
                    .iter()
                    .filter(|s| s.stopped_at.is_none())
                    .fold(simexit_domain::Money::ZERO, |a, s| a + s.monthly_charge),
                services: services.into_iter().map(ServiceView::from).collect(),
                line: line.into(),
            })
            .collect(),
    ))
}

/// One line, visible to its holder and to the operator's staff.
#[utoipa::path(get, path = "/api/v1/lines/{id}", tag = "lines", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = LineView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LineView>, ApiError> {
    Ok(Json(state.as_user(auth, move |s, who| s.line(who, id)).await?.into()))
}

/// Open a line for a subscriber (clerk or admin): takes an available number from the
/// operator's pool, never one in aging.
#[utoipa::path(post, path = "/api/v1/lines", tag = "lines", security(("bearer" = [])), request_body = OpenLineBody, responses(
    (status = 201, body = LineView),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "the pool is empty", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "an opening balance beyond one movement (10,000,000 ₽)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn open(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<OpenLineBody>,
) -> Result<(StatusCode, Json<LineView>), ApiError> {
    let subscriber = match body.subscriber {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) if n.is_i64() => n.to_string(),
        _ => {
            return Err(ApiError::bad_request("invalid_body", "`subscriber` is a login or a numeric id"));
        }
    };
    let iccid = body
        .iccid
        .as_deref()
        .map(Iccid::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_iccid", e.to_string()))?;
    let balance = Money::from_kopecks(body.balance.unwrap_or(0));
    let input = OpenLine { operator: body.operator, subscriber, iccid, balance };
    let line = state.as_user(auth, move |s, who| s.open_line(who, input)).await?;
    Ok((StatusCode::CREATED, Json(line.into())))
}
