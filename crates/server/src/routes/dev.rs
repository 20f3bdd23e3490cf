//! The demo clock (`serve --demo --dev-clock` only): move time forward and run what became due.

use axum::Json;
use axum::extract::State;
use jiff::SignedDuration;

use crate::dto::{DevClockBody, DevClockView};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Advance the service clock and run every job that became due.
#[utoipa::path(post, path = "/api/v1/dev/clock", tag = "dev", request_body = DevClockBody, responses(
    (status = 200, body = DevClockView),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
pub async fn advance(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DevClockBody>,
) -> Result<Json<DevClockView>, ApiError> {
    let Some(clock) = state.dev_clock.clone() else {
        return Err(ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no dev clock"));
    };
    if body.advance_days > 3_660 || body.advance_hours > 24 * 3_660 {
        return Err(ApiError::bad_request("invalid_body", "advance at most ten years at a time"));
    }
    let hours = i64::from(body.advance_days) * 24 + i64::from(body.advance_hours);
    clock.advance(SignedDuration::from_hours(hours));
    let report = state.blocking(|s| s.drain_due_jobs()).await?;
    tracing::info!(hours, jobs = report.done, "dev clock advanced");
    Ok(Json(DevClockView { now: state.service.now(), offset_seconds: clock.offset().as_secs(), jobs_run: report.done }))
}
