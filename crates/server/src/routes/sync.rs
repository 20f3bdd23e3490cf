//! The sync API of an operator's billing system (BSS): API clients with the `bss:sync` scope
//! keep subscribers and lines in step, post the charges and payments they made, report use,
//! and poll what simexit changed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use simexit_domain::CustomerCategory;
use simexit_service::imports::ImportKind;
use simexit_service::sync::{Movement, Upserted, Usage};
use simexit_store::LineRow;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::state::AppState;

/// A subscriber as the BSS holds it (the columns of the subscribers file but the id, which is
/// the path's).
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncSubscriberBody {
    pub category: CustomerCategory,
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_document_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A phone to reach the subscriber by, other than their lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// `ru` (the default), `en` or `zh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A line as the BSS holds it. A new line's number enters the pool as assigned to it; a known
/// line takes the BSS's suspension or resumption, SIM and IMSI (never another number).
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncLineBody {
    pub subscriber_external_id: String,
    pub operator: String,
    pub msisdn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iccid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imsi: Option<String>,
    /// A date (`2024-05-31`, the start of that day in the operator's zone) or an instant.
    pub opened_at: String,
    /// `active` (the default) or `suspended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The opening balance of a new line, in kopecks (negative: debt); ignored afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_kopecks: Option<i64>,
}

/// What an upsert did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SyncResult {
    /// simexit's id of the subscriber or line.
    pub id: i64,
    pub external_id: String,
    /// `created`, `updated` or `unchanged`.
    pub outcome: String,
}

fn fields<T: Serialize>(body: &T) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match serde_json::to_value(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(ApiError::internal()),
    }
}

async fn upsert(
    state: AppState,
    auth: Auth,
    kind: ImportKind,
    external_id: String,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<(StatusCode, Json<SyncResult>), ApiError> {
    let id = external_id.clone();
    let (outcome, id) = state.as_user(auth, move |s, who| s.sync_upsert(who, kind, &id, body)).await?;
    let status = if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(SyncResult { id, external_id, outcome: outcome.as_str().to_owned() })))
}

/// Create or update a subscriber by the BSS's id.
#[utoipa::path(put, path = "/api/v1/sync/subscribers/{external_id}", tag = "sync", request_body = SyncSubscriberBody,
    params(("external_id" = String, Path, description = "The BSS's id of the subscriber")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated or unchanged", body = SyncResult),
        (status = 201, description = "created", body = SyncResult),
        (status = 400, description = "`invalid_id`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_sync`: each field that is wrong", body = Problem, content_type = "application/problem+json"),
))]
pub async fn subscriber(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(body): ApiJson<SyncSubscriberBody>,
) -> Result<(StatusCode, Json<SyncResult>), ApiError> {
    let map = fields(&body)?;
    upsert(state, auth, ImportKind::Subscribers, external_id, map).await
}

/// Create or update a line by the BSS's id, including the suspensions and resumptions the BSS
/// made.
#[utoipa::path(put, path = "/api/v1/sync/lines/{external_id}", tag = "sync", request_body = SyncLineBody,
    params(("external_id" = String, Path, description = "The BSS's id of the line")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated or unchanged", body = SyncResult),
        (status = 201, description = "created", body = SyncResult),
        (status = 400, description = "`invalid_id`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_sync`: a field is wrong, the subscriber is unknown, the number is held", body = Problem, content_type = "application/problem+json"),
))]
pub async fn line(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(body): ApiJson<SyncLineBody>,
) -> Result<(StatusCode, Json<SyncResult>), ApiError> {
    let map = fields(&body)?;
    upsert(state, auth, ImportKind::Lines, external_id, map).await
}

/// A charge or a payment the BSS made, with its own id.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementBody {
    /// The BSS's id of the movement: it is applied once, however often it is sent.
    pub id: String,
    pub line_external_id: String,
    /// Positive, at most 1,000,000,000 kopecks (10,000,000 ₽).
    pub amount_kopecks: i64,
    #[serde(default)]
    pub memo: String,
    /// When the BSS made it (not in the future); now when absent.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<jiff::Timestamp>,
}

/// A movement applied, or found applied before.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MovementResult {
    pub id: String,
    /// `false` when this id had been applied already (nothing changed now).
    pub applied: bool,
    pub line_id: i64,
    pub line_external_id: String,
    /// The line's balance after it, in kopecks.
    pub balance_kopecks: i64,
}

async fn movement(
    state: AppState,
    auth: Auth,
    payment: bool,
    body: MovementBody,
) -> Result<(StatusCode, Json<MovementResult>), ApiError> {
    let m = Movement {
        id: body.id,
        line_external_id: body.line_external_id,
        amount: simexit_domain::Money::from_kopecks(body.amount_kopecks),
        memo: body.memo,
        at: body.at,
    };
    let (id, external) = (m.id.clone(), m.line_external_id.clone());
    let (line, applied): (LineRow, bool) = state.as_user(auth, move |s, who| s.sync_movement(who, payment, &m)).await?;
    let status = if applied { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(MovementResult {
            id,
            applied,
            line_id: line.id,
            line_external_id: external,
            balance_kopecks: line.balance.kopecks(),
        }),
    ))
}

/// A charge the BSS billed a line; applied once per `id`.
#[utoipa::path(post, path = "/api/v1/sync/charges", tag = "sync", request_body = MovementBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "this id was applied before; nothing changed", body = MovementResult),
        (status = 201, description = "applied", body = MovementResult),
        (status = 400, description = "`invalid_id`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such line", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_key_reused`: this id was applied to another line or amount; `line_terminated`: the line's final bill is settled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_amount`, `invalid_memo`, `invalid_time`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn charge(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MovementBody>,
) -> Result<(StatusCode, Json<MovementResult>), ApiError> {
    movement(state, auth, false, body).await
}

/// A payment the BSS received for a line; applied once per `id`.
#[utoipa::path(post, path = "/api/v1/sync/payments", tag = "sync", request_body = MovementBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "this id was applied before; nothing changed", body = MovementResult),
        (status = 201, description = "applied", body = MovementResult),
        (status = 400, description = "`invalid_id`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such line", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_key_reused`: this id was applied to another line or amount; `line_terminated`: the line's final bill is settled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_amount`, `invalid_memo`, `invalid_time`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn payment(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MovementBody>,
) -> Result<(StatusCode, Json<MovementResult>), ApiError> {
    movement(state, auth, true, body).await
}

/// One line's last use that its subscriber started.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageEntry {
    pub line_external_id: String,
    /// `call`, `sms` or `data`.
    pub kind: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageBody {
    /// 1 to 10,000 lines.
    pub lines: Vec<UsageEntry>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UsageResult {
    /// How many lines' last use moved forward (older reports change nothing).
    pub updated: usize,
}

/// The last use (call, SMS, data) the subscriber made of each line: what the non-use selection
/// (`bulk select --unused-days`) goes by.
#[utoipa::path(post, path = "/api/v1/sync/usage", tag = "sync", request_body = UsageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, body = UsageResult),
        (status = 400, description = "`invalid_id`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such line", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_usage`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn usage(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<UsageBody>,
) -> Result<Json<UsageResult>, ApiError> {
    let usage: Vec<Usage> = body
        .lines
        .into_iter()
        .map(|u| Usage { line_external_id: u.line_external_id, kind: u.kind, at: u.at })
        .collect();
    let updated = state.as_user(auth, move |s, who| s.sync_usage(who, &usage)).await?;
    Ok(Json(UsageResult { updated }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// The `next` cursor of the previous page; 0 or absent for the beginning.
    pub after: Option<i64>,
    /// At most this many changes (1 to 1,000; 100 by default).
    pub limit: Option<u32>,
}

/// One change simexit made.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// This change's place in the feed.
    pub cursor: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// `termination.completed`, `termination.revoked`, `termination.closed`, `line.terminated`,
    /// `number.released`, `refund.paid`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The resource: `termination_request/12`, `line/3`, `number/+79…`, `refund/5`.
    pub subject: String,
    /// The operator the change is about.
    #[schema(value_type = Option<String>)]
    pub operator: Option<simexit_domain::OperatorId>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangesPage {
    pub changes: Vec<ChangeView>,
    /// The cursor to ask after next (the last change's, or the one given when none are new).
    pub next: i64,
}

/// What simexit changed, in order, after a cursor: for a BSS that polls.
#[utoipa::path(get, path = "/api/v1/sync/changes", tag = "sync", params(ChangesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ChangesPage),
        (status = 400, description = "`invalid_cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn changes(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangesPage>, ApiError> {
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    let rows = state.as_user(auth, move |s, who| s.changes(who, after, limit)).await?;
    let next = rows.last().map_or(after, |c| c.id);
    let changes = rows
        .into_iter()
        .map(|c| ChangeView {
            cursor: c.id,
            at: c.at,
            kind: c.kind,
            subject: c.subject,
            operator: c.operator,
            data: serde_json::from_str(&c.data).unwrap_or_default(),
        })
        .collect();
    Ok(Json(ChangesPage { changes, next }))
}
