//! Payments: a subscriber pays by card through a provider, whose signed notification credits
//! the line; a clerk takes cash at the store's desk. Nobody credits a line by declaring it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use simexit_domain::ledger::PaymentStatus;
use simexit_domain::{Money, OperatorId};
use simexit_store::PaymentRow;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPaymentBody {
    pub line_id: i64,
    /// Kopecks, 1 to 1 000 000 000 (10 000 000 ₽).
    pub amount: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashPaymentBody {
    /// Kopecks, 1 to 1 000 000 000 (10 000 000 ₽).
    pub amount: i64,
    /// The number printed on the till's receipt; the same receipt is recorded once.
    pub receipt_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    pub id: i64,
    pub line_id: i64,
    pub operator: OperatorId,
    pub amount: Money,
    /// `pending` until the provider's verified notification, then `succeeded` or `canceled`.
    pub status: PaymentStatus,
    /// The provider's name, or `cash` for a store's desk.
    pub provider: String,
    /// Where the payer confirms a card payment.
    pub confirmation_url: Option<String>,
    /// The store whose desk took cash.
    pub store_id: Option<String>,
    /// The receipt's number, for cash.
    pub receipt_number: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub settled_at: Option<jiff::Timestamp>,
}

impl From<PaymentRow> for PaymentView {
    fn from(p: PaymentRow) -> Self {
        let receipt_number = match (&p.store_id, &p.provider_ref) {
            (Some(store), Some(r)) => r.strip_prefix(&format!("{store}/")).map(str::to_owned),
            _ => None,
        };
        PaymentView {
            id: p.id,
            line_id: p.line_id,
            operator: p.operator,
            amount: p.amount,
            status: p.status,
            provider: p.provider,
            confirmation_url: p.confirmation_url,
            store_id: p.store_id,
            receipt_number,
            created_at: p.created_at,
            settled_at: p.settled_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationAnswer {
    pub payment_id: i64,
    pub status: PaymentStatus,
    /// Whether this notification changed the payment (false when it had arrived before).
    pub changed: bool,
}

/// Start paying a line by card (its holder): the answer's `confirmation_url` is the provider's
/// page. The line is credited when the provider's signed notification arrives and its API
/// confirms the payment, never before.
#[utoipa::path(post, path = "/api/v1/payments", tag = "money", security(("bearer" = [])),
    request_body = StartPaymentBody,
    responses(
        (status = 201, description = "started; pay at `confirmation_url`", body = PaymentView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the line is terminated, or no provider takes card payments", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the provider did not answer", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn start(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<StartPaymentBody>,
) -> Result<(StatusCode, Json<PaymentView>), ApiError> {
    let amount = Money::from_kopecks(body.amount);
    let row = state.as_user(auth, move |s, who| s.start_payment(who, body.line_id, amount)).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// One payment (its line's holder, the operator's staff).
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = PaymentView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PaymentView>, ApiError> {
    let row = state.as_user(auth, move |s, who| s.payment(who, id)).await?;
    Ok(Json(row.into()))
}

/// A line's payments, newest first: card payments started and credited, cash taken.
#[utoipa::path(get, path = "/api/v1/lines/{id}/payments", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PaymentView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn of_line(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PaymentView>>, ApiError> {
    let rows = state.as_user(auth, move |s, who| s.payments_of_line(who, id)).await?;
    Ok(Json(rows.into_iter().map(PaymentView::from).collect()))
}

/// Cash taken at the clerk's store's desk for a line of the clerk's operator, with the
/// receipt's number: 201 the first time, 200 when the same receipt is sent again.
#[utoipa::path(post, path = "/api/v1/lines/{id}/cash-payments", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CashPaymentBody,
    responses(
        (status = 201, description = "recorded", body = PaymentView),
        (status = 200, description = "this receipt was recorded before", body = PaymentView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the receipt was recorded for another line or amount, or the line is terminated", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cash(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CashPaymentBody>,
) -> Result<(StatusCode, Json<PaymentView>), ApiError> {
    let amount = Money::from_kopecks(body.amount);
    let (row, new) = state.as_user(auth, move |s, who| s.cash_payment(who, id, amount, &body.receipt_number)).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(row.into())))
}

/// A payment provider's notification (no bearer token: the signature is the credential). It
/// credits a line only when signed with the provider's secret over the raw body, sent within
/// the tolerance, and confirmed by the provider's API; the same notification again changes
/// nothing.
#[utoipa::path(post, path = "/api/v1/payments/notifications/{provider}", tag = "money",
    params(("provider" = String, Path, description = "the configured provider's name")),
    request_body(content = String, content_type = "application/json", description = "the provider's notification, as signed"),
    responses(
        (status = 200, body = NotificationAnswer),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "a bad signature, or a notification too old to believe", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the provider's own record does not confirm it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the provider's API did not answer; send it again", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn notification(
    State(state): State<AppState>,
    ApiPath(provider): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<NotificationAnswer>, ApiError> {
    crate::extract::refuse_nul_in_json(&body)?;
    let header = move |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (row, changed) = state.blocking(move |s| s.payment_notification(&provider, &header, &body)).await?;
    Ok(Json(NotificationAnswer { payment_id: row.id, status: row.status, changed }))
}
