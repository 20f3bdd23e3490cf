//! "Cancel this number": what the policy and the line's facts allow, the stores, starting a request, paying a debt.

use crate::extract::PageForm;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::eligibility::Eligibility;
use simexit_domain::{Channel, Money};
use simexit_service::lines::EligibilityQuery;
use simexit_service::{CreateRequest, Principal};
use simexit_store::{LineRow, StoreExt};

use crate::dto::StoreView;
use crate::pages::ctx::{CsrfOnly, Ctx, Fail};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{csrf, fixable, operator_name, page_with, problem, see_other};
use crate::state::AppState;

use super::*;

pub(super) async fn line_and_eligibility(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<(LineRow, Eligibility), Fail> {
    let w = who.clone();
    Ok(state
        .blocking(move |s| Ok((s.line(&w, id)?, s.eligibility(Some(&w), EligibilityQuery::Line { line_id: id })?)))
        .await?)
}

/// What "cancel this number" shows: the line, what its policy and facts allow, the stores.
pub(super) struct CancelView {
    line: LineRow,
    eligibility: Eligibility,
    stores: Vec<StoreView>,
}

pub(super) async fn cancel_view(state: &AppState, who: &Principal, id: i64) -> Result<CancelView, Fail> {
    let (line, eligibility) = line_and_eligibility(state, who, id).await?;
    let stores = operator_stores(state, &line.operator).await?;
    Ok(CancelView { line, eligibility, stores })
}

pub(super) fn cancel_page(
    ctx: &Ctx,
    state: &AppState,
    who: &Principal,
    v: &CancelView,
    error: Option<String>,
    flash_part: Markup,
) -> Response {
    let l = ctx.lang;
    let (line, e, stores) = (&v.line, &v.eligibility, &v.stores);
    let body = html! {
        (flash_part)
        @if let Some(e) = &error { p.alert role="alert" { (e) } }
        p { strong { (line.msisdn.to_string()) } " · " (operator_name(state, &line.operator)) " · " (t::category(l, e.customer_category)) }
        @if e.online_allowed { p.notice { (l.t(&t::CAN_ONLINE)) } } @else { p.warn { (l.t(&t::NEEDS_STORE)) } }
        @if !e.blocking.is_empty() {
            h2 { (l.t(&t::BLOCKED_BY)) }
            ul { @for b in &e.blocking {
                li {
                    @match b.code {
                        "debt" => {
                            (l.t(&t::DEBT_FIRST)) ": " strong { (t::money(l, b.amount.unwrap_or(Money::ZERO))) }
                            form method="post" action=(format!("/my/lines/{}/pay", line.id)) {
                                (csrf(ctx))
                                input type="hidden" name="amount" value=(b.amount.unwrap_or(Money::ZERO).kopecks());
                                button type="submit" { (l.t(&t::PAY)) " " (t::money(l, b.amount.unwrap_or(Money::ZERO))) }
                            }
                        }
                        "open_request" => {
                            (l.t(&t::OPEN_REQUEST_EXISTS)) ": "
                            @if let Some(id) = b.request_id { a href=(format!("/my/requests/{id}")) { "#" (id) } }
                        }
                        _ => { (l.t(&t::LINE_NOT_ACTIVE)) }
                    }
                }
            } }
        }
        h2 { (l.t(&t::PREPARE)) }
        ul.checklist {
            @for d in &e.documents_required { li { (t::document(l, *d)) } }
            @if !e.online_allowed { li { (l.t(&t::BRING_SIM)) } }
            li { (l.t(&t::CONTRACT_IF_ANY)) }
        }
        dl.facts {
            @if e.online_allowed && e.review_sla_business_days > 0 {
                dt { (l.t(&t::REVIEW_TIME)) }
                dd { @if e.review_sla_business_days > 1 { "1–" } (e.review_sla_business_days) }
            }
            dt { (l.t(&t::AGING_DAYS)) } dd { (e.aging_days) }
            dt { (l.t(&t::HOTLINE)) } dd { (e.hotline) }
            dt { (l.t(&t::WEBSITE)) } dd { (e.website) }
        }
        @if e.online_allowed && e.blocking.is_empty() {
            form method="post" action=(format!("/my/lines/{}/cancel", line.id)) {
                (csrf(ctx))
                button type="submit" { (l.t(&t::START_REQUEST)) }
            }
        }
        @if !e.online_allowed {
            h2 { (l.t(&t::NEAREST_STORES)) }
            div.cards { @for s in stores { (crate::pages::public::store_card(l, state, s)) } }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page_with(ctx, Some(who), status, l.t(&t::CANCEL_NUMBER), body)
}

pub(super) async fn operator_stores(state: &AppState, op: &simexit_domain::OperatorId) -> Result<Vec<StoreView>, Fail> {
    let now = state.service.now();
    let op = op.clone();
    let rows = state.blocking(move |s| Ok(s.store.read(|tx| tx.stores())?)).await?;
    let mut views: Vec<StoreView> = rows
        .into_iter()
        .filter(|s| s.operator == op && s.accepts_terminations)
        .map(|s| StoreView::of(s, now, &state.service.calendars))
        .collect();
    views.sort_by_key(|s| (!s.open_now, s.wait_minutes));
    Ok(views)
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, Fail> {
    let who = subscriber(&ctx, &state).await?;
    let view = cancel_view(&state, &who, id).await?;
    Ok(cancel_page(&ctx, &state, &who, &view, None, flash(ctx.lang, &f)))
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfOnly>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let w = who.clone();
    let input = CreateRequest { line_id: id, channel: Channel::Online, reason: None, store_id: None };
    match state.blocking(move |s| s.create_request(&w, input)).await {
        Ok(d) => Ok(see_other(&format!("/my/requests/{}", d.request.id))),
        Err(err) if fixable(&err) => {
            let view = cancel_view(&state, &who, id).await?;
            Ok(cancel_page(&ctx, &state, &who, &view, Some(problem(ctx.lang, &err)), html! {}))
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct PayForm {
    #[serde(default)]
    csrf: String,
    amount: i64,
}

/// Starts a card payment of the debt and sends the holder to the provider's page; the line is
/// credited when the provider's signed notification arrives.
pub async fn pay(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(f): PageForm<PayForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let amount = Money::from_kopecks(f.amount);
    match state.blocking(move |s| s.start_payment(&who, id, amount)).await {
        Ok(p) => Ok(see_other(p.confirmation_url.as_deref().unwrap_or("/my"))),
        Err(e) if fixable(&e) || e.code == "provider_unavailable" => {
            Ok(see_other(&format!("/my/lines/{id}/cancel?error={}", e.code)))
        }
        Err(e) => Err(e.into()),
    }
}
