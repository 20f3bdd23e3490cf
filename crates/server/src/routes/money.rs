//! Money: payments, services, statements, the settlement choice, the final bill, refunds.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use simexit_domain::{Money, SettlementOption};
use simexit_service::{FinalBill, RefundStep, SettlementInput};

use crate::dto::{
    AdjustmentBody, CashPayoutBody, LineView, NewServiceBody, RefundDetailsBody, RefundView, RequestView, ServiceView,
    SettlementBody, StatementEntryView, StatementView, TransitionBody,
};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::state::AppState;

/// Every ledger entry on a line's account, oldest first, with the balance they add up to.
#[utoipa::path(get, path = "/api/v1/lines/{id}/statement", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = StatementView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn statement(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StatementView>, ApiError> {
    let st = state.as_user(auth, move |s, who| s.statement(who, id)).await?;
    Ok(Json(StatementView {
        line_id: st.line.id,
        balance: st.line.balance,
        entries: st
            .entries
            .into_iter()
            .map(|e| StatementEntryView {
                movement_id: e.movement_id,
                at: e.at,
                kind: e.kind,
                memo: e.memo,
                amount: e.amount,
                reverses: e.reverses,
            })
            .collect(),
    }))
}

/// A line's paid add-on services.
#[utoipa::path(get, path = "/api/v1/lines/{id}/services", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ServiceView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn services(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    let rows = state.as_user(auth, move |s, who| s.services(who, id)).await?;
    Ok(Json(rows.into_iter().map(ServiceView::from).collect()))
}

/// Add a paid service to a line (clerk or admin).
#[utoipa::path(post, path = "/api/v1/lines/{id}/services", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NewServiceBody,
    responses(
        (status = 201, body = ServiceView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the line is no longer active", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_service(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewServiceBody>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    let monthly = Money::from_kopecks(body.monthly_charge);
    let row = state.as_user(auth, move |s, who| s.add_service(who, id, &body.name, monthly)).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Choose what happens to the balance at completion: a transfer to another of your lines, or
/// a refund to a Russian bank account (BIK and account number are validated).
#[utoipa::path(post, path = "/api/v1/terminations/{id}/settlement", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SettlementBody,
    responses(
        (status = 200, body = RequestView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_bik`, `invalid_account`, `invalid_transfer_target`, `settlement_not_offered`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn settlement(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SettlementBody>,
) -> Result<Json<RequestView>, ApiError> {
    let missing = |field: &str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_field", format!("{field} is required for this option"))
    };
    let input = match body.option {
        SettlementOption::Transfer => {
            SettlementInput::Transfer { to_line_id: body.to_line_id.ok_or_else(|| missing("to_line_id"))? }
        }
        // Without bank details the route (bank, SBP, card, cash) is chosen on the refund later.
        SettlementOption::Refund => SettlementInput::Refund {
            recipient_name: body.recipient_name.unwrap_or_default(),
            bik: body.bik.unwrap_or_default(),
            account: body.account.unwrap_or_default(),
        },
    };
    let details = state
        .as_user(auth, move |s, who| {
            s.set_settlement(who, id, input)?;
            s.request(who, id)
        })
        .await?;
    Ok(Json(details.into()))
}

/// The final bill: a preview (`preview: true`, computed by a dry run of completion) until the
/// request is completed, then the frozen bill.
#[utoipa::path(get, path = "/api/v1/terminations/{id}/final-bill", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = FinalBill),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "withdrawn or rejected: no bill", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "debt blocks completion (with `amount`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn final_bill(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FinalBill>, ApiError> {
    Ok(Json(state.as_user(auth, move |s, who| s.final_bill(who, id)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RefundFilter {
    /// Only refunds in this state.
    pub state: Option<String>,
    pub limit: Option<u32>,
}

/// The refunds queue (reviewers, admins, auditors of the operator), oldest first.
#[utoipa::path(get, path = "/api/v1/refunds", tag = "money", security(("bearer" = [])), params(RefundFilter),
    responses((status = 200, body = Vec<RefundView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn refunds(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<RefundFilter>,
) -> Result<Json<Vec<RefundView>>, ApiError> {
    let now = state.service.now();
    let rows =
        state.as_user(auth, move |s, who| s.refunds_queue(who, f.state.as_deref(), f.limit.unwrap_or(100))).await?;
    Ok(Json(rows.into_iter().map(|r| RefundView::new(r, now)).collect()))
}

/// The signed-in subscriber's refunds.
#[utoipa::path(get, path = "/api/v1/me/refunds", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Vec<RefundView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn my_refunds(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<RefundView>>, ApiError> {
    let now = state.service.now();
    let rows = state.as_user(auth, |s, who| s.my_refunds(who)).await?;
    Ok(Json(rows.into_iter().map(|r| RefundView::new(r, now)).collect()))
}

/// One refund.
#[utoipa::path(get, path = "/api/v1/refunds/{id}", tag = "money", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RefundView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn refund(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RefundView>, ApiError> {
    let now = state.service.now();
    Ok(Json(RefundView::new(state.as_user(auth, move |s, who| s.refund(who, id)).await?, now)))
}

/// Choose how a refund awaiting its details (or one that failed) is paid: a bank account, SBP
/// to a phone at a bank, back to the card that paid, or cash at a store — those the operator's
/// policy offers the subscriber's category (`route_not_offered` otherwise).
#[utoipa::path(post, path = "/api/v1/refunds/{id}/details", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RefundDetailsBody,
    responses(
        (status = 200, body = RefundView),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refund_details(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RefundDetailsBody>,
) -> Result<Json<RefundView>, ApiError> {
    let now = state.service.now();
    let details = b.details();
    let row = state.as_user(auth, move |s, who| s.refund_route(who, id, &details)).await?;
    Ok(Json(RefundView::new(row, now)))
}

/// Pay out an approved cash refund at the clerk's store, the subscriber having signed the
/// cash voucher.
#[utoipa::path(post, path = "/api/v1/refunds/{id}/cash-payout", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CashPayoutBody,
    responses(
        (status = 200, body = RefundView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not a cash refund of this store, or not approved", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cash_payout(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CashPayoutBody>,
) -> Result<Json<RefundView>, ApiError> {
    let now = state.service.now();
    let row = state.as_user(auth, move |s, who| s.cash_payout(who, id, &b.voucher_number, b.signed)).await?;
    Ok(Json(RefundView::new(row, now)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SbpBankView {
    /// The NSPK member id.
    pub id: String,
    pub name: String,
}

/// The banks an SBP refund can go to (public).
#[utoipa::path(get, path = "/api/v1/sbp-banks", tag = "money",
    responses((status = 200, body = Vec<SbpBankView>)))]
pub async fn sbp_banks(State(state): State<AppState>) -> Result<Json<Vec<SbpBankView>>, ApiError> {
    let banks = state.blocking(|s| s.sbp_banks()).await?;
    Ok(Json(banks.into_iter().map(|b| SbpBankView { id: b.id, name: b.name }).collect()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportedView {
    /// How many banks the list now holds.
    pub banks: usize,
}

/// Replace the SBP banks with the NSPK's list (`id,name` CSV; admins of all operators).
#[utoipa::path(put, path = "/api/v1/sbp-banks", tag = "money", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "`id,name` lines, a header allowed"),
    responses(
        (status = 200, body = ImportedView),
        (status = 422, description = "the list's problems, by line", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_sbp_banks(
    State(state): State<AppState>,
    auth: Auth,
    body: String,
) -> Result<Json<ImportedView>, ApiError> {
    let banks = state.as_user(auth, move |s, who| s.import_sbp_banks(who, &body)).await?;
    Ok(Json(ImportedView { banks }))
}

async fn refund_step(
    state: AppState,
    auth: Auth,
    id: i64,
    step: RefundStep,
    reason: Option<String>,
) -> Result<Json<RefundView>, ApiError> {
    let now = state.service.now();
    let row = state.as_user(auth, move |s, who| s.refund_step(who, id, step, reason.as_deref())).await?;
    Ok(Json(RefundView::new(row, now)))
}

/// Approve a requested refund (reviewer or admin).
#[utoipa::path(post, path = "/api/v1/refunds/{id}/approve", tag = "money", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RefundView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn approve_refund(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RefundView>, ApiError> {
    refund_step(state, auth, id, RefundStep::Approve, None).await
}

/// Mark an approved refund paid; it is paid once, whatever the retries.
#[utoipa::path(post, path = "/api/v1/refunds/{id}/mark-paid", tag = "money", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RefundView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn mark_paid(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RefundView>, ApiError> {
    refund_step(state, auth, id, RefundStep::MarkPaid, None).await
}

/// Mark a refund failed (`reason` required): the money goes back to the line.
#[utoipa::path(post, path = "/api/v1/refunds/{id}/mark-failed", tag = "money", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TransitionBody,
    responses(
        (status = 200, body = RefundView),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_failed(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> Result<Json<RefundView>, ApiError> {
    refund_step(state, auth, id, RefundStep::MarkFailed, body.reason).await
}

/// A staff adjustment on a line: an extra `charge` or a `write_off` of debt (reviewer or
/// admin), recorded once per `idempotency_key`.
#[utoipa::path(post, path = "/api/v1/lines/{id}/adjustments", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AdjustmentBody,
    responses(
        (status = 200, body = LineView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn adjust(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AdjustmentBody>,
) -> Result<Json<LineView>, ApiError> {
    let amount = Money::from_kopecks(b.amount);
    let line =
        state.as_user(auth, move |s, who| s.adjust(who, id, b.kind, amount, &b.reason, &b.idempotency_key)).await?;
    Ok(Json(line.into()))
}

/// Undo a movement with a reversing one (reviewer or admin; `reason` required). Nothing in
/// the books is ever edited.
#[utoipa::path(post, path = "/api/v1/movements/{id}/reverse", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TransitionBody,
    responses(
        (status = 200, body = LineView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already reversed, or not reversible here", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "no reason given", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reverse(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> Result<Json<LineView>, ApiError> {
    let reason = b.reason.unwrap_or_default();
    Ok(Json(state.as_user(auth, move |s, who| s.reverse_movement(who, id, &reason)).await?.into()))
}
