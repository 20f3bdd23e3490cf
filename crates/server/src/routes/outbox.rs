//! The notification outbox for admins and auditors, and resending a parked message.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: i64,
    /// `email` or `sms`.
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub language: String,
    /// `pending`, `sending`, `sent` or `parked`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<jiff::Timestamp>,
    /// When the next attempt is due (pending) or the claim ends (sending).
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: jiff::Timestamp,
    /// The provider's id of the accepted message.
    pub provider_id: Option<String>,
    /// What the provider reported later (a delivery receipt).
    pub delivery: Option<String>,
    pub request_id: Option<i64>,
}

impl From<simexit_store::OutboxRow> for OutboxView {
    fn from(m: simexit_store::OutboxRow) -> Self {
        OutboxView {
            id: m.id,
            channel: m.channel,
            recipient: m.recipient,
            template: m.template,
            language: m.language,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
            next_attempt_at: m.next_attempt_at,
            provider_id: m.provider_id,
            delivery: m.delivery,
            request_id: m.request_id,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `parked` (all when absent).
    pub status: Option<String>,
    /// At most this many, newest first (1–500, default 100).
    pub limit: Option<u32>,
}

/// Notifications, newest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "notifications", security(("bearer" = [])), params(OutboxQuery),
    responses(
        (status = 200, body = Vec<OutboxView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxView>>, ApiError> {
    let rows = state.as_user(auth, move |s, who| s.outbox(who, q.status.as_deref(), q.limit.unwrap_or(100))).await?;
    Ok(Json(rows.into_iter().map(OutboxView::from).collect()))
}

/// Puts a parked message back in the queue with its attempts reset (admins).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/resend", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = OutboxView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OutboxView>, ApiError> {
    let m = state.as_user(auth, move |s, who| s.resend_outbox(who, id)).await?;
    Ok(Json(m.into()))
}
