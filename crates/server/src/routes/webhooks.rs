//! Webhook subscriptions (admins): the operator's other systems hear of what simexit does as
//! signed CloudEvents (docs/EVENTS.md).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use simexit_domain::OperatorId;
use simexit_store::{DeliveryRow, WebhookRow};
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    /// Where events are POSTed: http:// or https://.
    pub url: String,
    /// Comma-separated event types or patterns: `termination.*,number.*`, `refund.paid`, `*`.
    pub events: String,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub enabled: bool,
    /// Events of this operator only; `null` for every operator.
    pub operator: Option<OperatorId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    pub created_by: String,
}

impl From<WebhookRow> for WebhookView {
    fn from(w: WebhookRow) -> Self {
        WebhookView {
            id: w.id,
            url: w.url,
            events: w.events,
            enabled: w.enabled,
            operator: w.operator,
            created_at: w.created_at,
            created_by: w.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret (`whsec_…`), shown this once.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// The event (`evt_<event_id>` is its CloudEvents and `webhook-id`).
    pub event_id: i64,
    pub subject: String,
    /// `pending`, `sending`, `delivered` or `parked`.
    pub status: String,
    pub attempts: i64,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: jiff::Timestamp,
    pub last_error: Option<String>,
    pub response_status: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<jiff::Timestamp>,
}

impl From<DeliveryRow> for DeliveryView {
    fn from(d: DeliveryRow) -> Self {
        DeliveryView {
            id: d.id,
            event_id: d.change_id,
            subject: d.subject,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            response_status: d.response_status,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// At most this many, newest first (default 100, at most 500).
    pub limit: Option<u32>,
}

/// Subscribe a URL to events; the answer holds the signing secret, this once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = NewWebhookBody,
    responses(
        (status = 201, body = WebhookWithSecret),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<NewWebhookBody>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), ApiError> {
    let (w, secret) = state.as_user(auth, move |s, who| s.create_webhook(Some(who), &b.url, &b.events)).await?;
    Ok((StatusCode::CREATED, Json(WebhookWithSecret { webhook: w.into(), secret })))
}

/// The subscriptions (an operator's admin sees that operator's).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookView>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<WebhookView>>, ApiError> {
    let rows = state.as_user(auth, |s, who| s.webhooks(who)).await?;
    Ok(Json(rows.into_iter().map(WebhookView::from).collect()))
}

/// Stop sending to a subscription.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/disable", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookView>, ApiError> {
    let w = state.as_user(auth, move |s, who| s.set_webhook_enabled(who, id, false)).await?;
    Ok(Json(w.into()))
}

/// Send to a subscription again, from the events after now.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/enable", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn enable(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookView>, ApiError> {
    let w = state.as_user(auth, move |s, who| s.set_webhook_enabled(who, id, true)).await?;
    Ok(Json(w.into()))
}

/// Remove a subscription and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.as_user(auth, move |s, who| s.delete_webhook(who, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown this once; deliveries from now on use it.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = WebhookWithSecret), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn rotate(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    let (w, secret) = state.as_user(auth, move |s, who| s.rotate_webhook_secret(who, id)).await?;
    Ok(Json(WebhookWithSecret { webhook: w.into(), secret }))
}

/// A subscription's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path), DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let rows = state.as_user(auth, move |s, who| s.webhook_deliveries(who, id, q.limit.unwrap_or(100))).await?;
    Ok(Json(rows.into_iter().map(DeliveryView::from).collect()))
}

/// Send a parked delivery again.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/resend", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = DeliveryView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not parked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DeliveryView>, ApiError> {
    let d = state.as_user(auth, move |s, who| s.resend_delivery(who, id)).await?;
    Ok(Json(d.into()))
}
