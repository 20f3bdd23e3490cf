//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers. The answer also names the last day each
/// production calendar covers, and warns when one ends within 60 days.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "ready: `database`, `calendars_until` (calendar id → last covered day), `warnings`"),
    (status = 503, description = "the database is unreachable"),
))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let store = state.service.store.clone();
    let backend = store.backend();
    // Ready either way; a calendar about to end is a warning for whoever watches this.
    let today = state.service.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let calendars = &state.service.calendars;
    let until: serde_json::Map<String, Value> =
        calendars.horizons(today).into_iter().map(|(id, last, _)| (id, json!(last.to_string()))).collect();
    let warnings = calendars.running_out(today, simexit_domain::calendar::CALENDAR_WARNING_DAYS);
    match tokio::task::spawn_blocking(move || store.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": backend, "calendars_until": until, "warnings": warnings })),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": backend })))
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": backend }))),
    }
}
