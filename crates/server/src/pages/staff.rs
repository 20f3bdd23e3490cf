//! The staff pages: the reviewer queue ordered by deadline, a request with its documents and
//! the decisions, and the clerk console for in-store applications.

use crate::extract::PageForm;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_domain::{Action, Channel, LineState, RequestState};
use simexit_service::{CreateRequest, Principal, TransitionInput};
use simexit_store::StoreExt;

use super::ctx::{CsrfOnly, Ctx, Fail, ReasonForm, back_to};
use super::i18n::{self as t, Tr};
use super::layout::{csrf, datetime, fixable, operator_name, page, see_other, zone};
use super::portal::{Flash, FormState, bill_table, certificate_pdf, documents_block, flash, timeline};
use crate::dto::StoreView;
use crate::state::AppState;

async fn staff(ctx: &Ctx, state: &AppState, roles: &[Role]) -> Result<Principal, Fail> {
    let who = ctx.require(state).await?;
    if !roles.contains(&who.role) {
        return Err(Fail::Forbidden);
    }
    Ok(who)
}

pub async fn queue(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response, Fail> {
    let who = staff(&ctx, &state, &[Role::Reviewer, Role::Admin, Role::Auditor]).await?;
    let l = ctx.lang;
    let w = who.clone();
    let rows = state.blocking(move |s| s.review_queue(&w, 200)).await?;
    let now = state.service.now();
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::QUEUE),
        html! {
            (flash(l, &f))
            h2 { (l.t(&t::REQUESTS_BY_DEADLINE)) }
            @if rows.is_empty() { p { (l.t(&t::QUEUE_EMPTY)) } }
            @else {
                div.table-wrap { table {
                    thead { tr {
                        th { (l.t(&t::REQUEST)) } th { (l.t(&t::NUMBER)) } th { (l.t(&t::OPERATOR)) }
                        th { (l.t(&t::STATUS)) } th { (l.t(&t::REVIEW_DEADLINE)) }
                    } }
                    tbody { @for r in &rows {
                        @let late = r.overdue || r.review_deadline.is_some_and(|d| d <= now);
                        tr.overdue[late] {
                            td { a href=(format!("/staff/requests/{}", r.id)) { "#" (r.id) } }
                            td { (r.msisdn.to_string()) }
                            td { (operator_name(&state, &r.operator)) }
                            td { (t::request_state(l, r.state)) }
                            td {
                                @if let Some(d) = r.review_deadline { (datetime(d, &zone(&state, &r.operator))) }
                                @if late { " " span.badge.bad { (l.t(&t::OVERDUE)) } }
                            }
                        }
                    } }
                } }
            }
        },
    ))
}

pub async fn request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, Fail> {
    let who = staff(&ctx, &state, &[Role::Reviewer, Role::Clerk, Role::Admin, Role::Auditor]).await?;
    let l = ctx.lang;
    let w = who.clone();
    let (details, docs, subscriber, bill, certificate) = state
        .blocking(move |s| {
            let d = s.request(&w, id)?;
            let docs = s.documents(&w, id)?;
            let sub = s.store.read(|tx| tx.subscriber(d.request.subscriber_id))?;
            let bill = s.final_bill(&w, id).ok();
            let cert = s.certificate_of(&w, id)?;
            Ok((d, docs, sub, bill, cert))
        })
        .await?;
    let r = &details.request;
    let zone = zone(&state, &r.operator);
    let back = format!("/staff/requests/{}", r.id);
    let can = |a: Action| r.state.next(a).is_ok();
    let decides =
        matches!(who.role, Role::Reviewer | Role::Admin) || (who.role == Role::Clerk && r.channel == Channel::Store);
    let act = |action: &str, label: &str, reason: bool, class: &str| {
        html! {
            form method="post" action=(format!("/requests/{}/act/{action}", r.id)) {
                (csrf(&ctx))
                input type="hidden" name="back" value=(back);
                @if reason {
                    div.field {
                        label for=(format!("reason-{action}")) { (l.t(&t::REASON_FOR_SUBSCRIBER)) }
                        textarea id=(format!("reason-{action}")) name="reason" rows="2" required {}
                    }
                }
                button class=(class) type="submit" { (label) }
            }
        }
    };
    let title = format!("{} #{} · {}", l.t(&t::REQUEST), r.id, r.msisdn);
    Ok(page(
        &ctx,
        Some(&who),
        &title,
        html! {
            (flash(l, &f))
            dl.facts {
                dt { (l.t(&t::STATUS)) } dd { strong { (t::request_state(l, r.state)) } }
                dt { (l.t(&t::SUBSCRIBER)) } dd { (subscriber.as_ref().map(|s| s.full_name.clone()).unwrap_or_default()) }
                @if let Some(s) = &subscriber { dt { (l.t(&t::CATEGORY)) } dd { (t::category(l, s.category)) } }
                dt { (l.t(&t::OPERATOR)) } dd { (operator_name(&state, &r.operator)) }
                dt { (l.t(&t::CHANNEL)) } dd { (t::channel(l, r.channel)) }
                dt { (l.t(&t::CREATED)) } dd { (datetime(r.created_at, &zone)) }
                @if let Some(d) = r.review_deadline {
                    dt { (l.t(&t::REVIEW_DEADLINE)) } dd {
                        (datetime(d, &zone)) @if r.overdue { " " span.badge.bad { (l.t(&t::OVERDUE)) } }
                        @if r.state == RequestState::InfoRequested { " " span.badge { (l.t(&t::REVIEW_PAUSED_SHORT)) } }
                    }
                }
                @if r.review_paused_days > 0 { dt { (l.t(&t::PAUSED_DAYS)) } dd { (r.review_paused_days) } }
                @if let Some(u) = r.aging_until { dt { (l.t(&t::FROZEN_UNTIL)) } dd { (datetime(u, &zone)) } }
                dt { (l.t(&t::REASON)) } dd { (t::reason(l, r.reason)) }
                // A reviewer's or subscriber's words; a forced termination's note is the system's.
                @if let Some(n) = r.note.as_ref().filter(|_| r.reason == simexit_domain::Reason::Voluntary) {
                    dt { (l.t(&t::NOTE)) } dd { (n) }
                }
            }
            h2 { (l.t(&t::DOCUMENTS)) }
            @if r.channel == Channel::Store { p.muted { (l.t(&t::DOCUMENTS_CHECKED_IN_STORE)) } }
            @for d in &docs {
                div.card {
                    h3 { (t::document(l, d.kind)) " — " (t::document_status(l, &d.status)) }
                    p { (d.file_name) }
                    @if d.status != "destroyed" {
                        @let src = format!("/api/v1/documents/{}/content", d.id);
                        @if d.content_type.starts_with("image/") {
                            img.viewer src=(src) alt=(format!("{} {}", t::document(l, d.kind), d.file_name));
                        } @else {
                            iframe.viewer src=(src) title=(d.file_name) {}
                        }
                        p { a href=(src) target="_blank" rel="noopener" { (l.t(&t::VIEW)) } }
                    }
                    @if d.status == "uploaded" && decides {
                        div.actions {
                            form method="post" action=(format!("/staff/documents/{}/verify", d.id)) {
                                (csrf(&ctx)) input type="hidden" name="back" value=(back);
                                button.secondary type="submit" { (l.t(&t::VERIFY)) }
                            }
                            form method="post" action=(format!("/staff/documents/{}/reject", d.id)) {
                                (csrf(&ctx)) input type="hidden" name="back" value=(back);
                                input type="hidden" name="reason" value="not acceptable";
                                button.secondary type="submit" { (l.t(&t::DOC_REJECT)) }
                            }
                        }
                    }
                }
            }
            @if r.channel == Channel::Store && matches!(r.state, RequestState::Draft | RequestState::InfoRequested) {
                (documents_block(&ctx, r.id, &[simexit_domain::DocumentKind::Passport], &docs, true, &FormState::default(), &back))
            }
            @if decides {
                div.actions {
                    @if r.channel == Channel::Store && can(Action::Submit) { (act("submit", l.t(&t::SUBMIT), false, "")) }
                    @if can(Action::Approve) { (act("approve", l.t(&t::APPROVE), false, "")) }
                    @if can(Action::Complete) { (act("complete", l.t(&t::COMPLETE), false, "")) }
                }
                div.actions {
                    @if can(Action::Reject) { (act("reject", l.t(&t::REJECT), true, "danger")) }
                    @if can(Action::RequestInfo) && r.channel == Channel::Online { (act("request-info", l.t(&t::REQUEST_INFO), true, "secondary")) }
                }
            }
            div.actions {
                @if r.channel == Channel::Store {
                    a.button.secondary href=(format!("/api/v1/terminations/{}/application-form?lang={}", r.id, l.as_str())) target="_blank" { (l.t(&t::APPLICATION_FORM)) }
                }
                @if let Some(c) = &certificate {
                    a.button href=(certificate_pdf(&c.number, l)) download=(format!("{}.pdf", c.number)) { (l.t(&t::PRINT_CERTIFICATE)) }
                }
            }
            @if let Some(bill) = &bill { (bill_table(l, bill)) }
            (timeline(l, &details, &zone))
            p { a href=(if who.role == Role::Clerk { "/staff/store" } else { "/staff/queue" }) { (l.t(&t::BACK)) } }
        },
    ))
}

/// A transition from any page: the subscriber's submit, withdraw, provide-info and revoke, the
/// staff's decisions. Back to the page it came from, with the outcome.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    PageForm(f): PageForm<ReasonForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let action: Action = action.replace('-', "_").parse().map_err(|_| Fail::NotFound)?;
    if action == Action::EndAging {
        return Err(Fail::NotFound);
    }
    let home = if who.role == Role::Subscriber { "/my/requests" } else { "/staff/requests" };
    let back = back_to(&f.back, format!("{home}/{id}"));
    let reason = Some(f.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let outcome = state.blocking(move |s| s.transition(&who, id, action, TransitionInput { reason })).await;
    match outcome {
        Ok(_) => {
            let done = match action {
                Action::Submit => "submitted",
                Action::Revoke => "revoked",
                _ => "ok",
            };
            Ok(see_other(&format!("{back}?done={done}")))
        }
        Err(e) if fixable(&e) => Ok(see_other(&format!("{back}?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}

pub async fn review_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, verdict)): Path<(i64, String)>,
    PageForm(f): PageForm<ReasonForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let verified = match verdict.as_str() {
        "verify" => true,
        "reject" => false,
        _ => return Err(Fail::NotFound),
    };
    let reason = Some(f.reason.clone()).filter(|r| !r.trim().is_empty());
    let doc = state.blocking(move |s| s.review_document(&who, id, verified, reason.as_deref())).await?;
    let back = back_to(&f.back, format!("/staff/requests/{}", doc.request_id));
    Ok(see_other(&format!("{back}?done=ok")))
}

#[derive(Deserialize, Default)]
pub struct Find {
    #[serde(default)]
    msisdn: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    error: String,
}

/// The clerk console: my store, its requests, and finding a subscriber by number to start an
/// in-store application.
pub async fn store(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Find>) -> Result<Response, Fail> {
    let who = staff(&ctx, &state, &[Role::Clerk]).await?;
    let l = ctx.lang;
    let store_id = who.store_id.clone().unwrap_or_default();
    let now = state.service.now();
    let sid = store_id.clone();
    let w = who.clone();
    let (store_row, requests, payouts) = state
        .blocking(move |s| {
            let store = s.store.read(|tx| tx.stores())?.into_iter().find(|st| st.id == sid);
            let requests = s.store.read(|tx| tx.requests_at_store(&sid, 50))?;
            let mut payouts = Vec::new();
            for r in s.refunds_queue(&w, Some("approved"), 50)? {
                // Who collects it: the holder, whose passport the clerk checks.
                let line = s.store.read(|tx| tx.line(r.line_id))?;
                let holder = match &line {
                    Some(l) => s.store.read(|tx| tx.subscriber(l.subscriber_id))?.map(|h| h.full_name),
                    None => None,
                };
                let number = line.map(|l| l.msisdn.to_string()).unwrap_or_default();
                payouts.push((r, holder.unwrap_or_default(), number));
            }
            Ok((store, requests, payouts))
        })
        .await?;
    let found = if q.msisdn.trim().is_empty() {
        None
    } else {
        Some(match simexit_domain::Msisdn::parse(&q.msisdn) {
            Err(_) => Err(l.t(&t::NOT_FOUND_NUMBER)),
            Ok(n) => {
                let w = who.clone();
                let line = state
                    .blocking(move |s| {
                        let info = s.number_info(&w, &n)?;
                        let line = match info.number.line_id {
                            Some(id) => Some(s.line(&w, id)?),
                            None => None,
                        };
                        let sub = match &line {
                            Some(l) => s.store.read(|tx| tx.subscriber(l.subscriber_id))?,
                            None => None,
                        };
                        Ok(line.zip(sub))
                    })
                    .await;
                match line {
                    Ok(Some((line, sub))) if matches!(line.state, LineState::Active | LineState::Suspended) => {
                        Ok((line, sub))
                    }
                    Ok(_) => Err(l.t(&t::NO_ACTIVE_LINE)),
                    Err(_) => Err(l.t(&t::NOT_FOUND_NUMBER)),
                }
            }
        })
    };
    let flash_state = Flash::from_parts(&q.done, &q.error);
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::STORE_CONSOLE),
        html! {
            (flash(l, &flash_state))
            @if let Some(s) = store_row { (super::public::store_card(l, &state, &StoreView::of(s, now, &state.service.calendars))) }
            h2 { (l.t(&t::FIND_BY_NUMBER)) }
            form method="get" action="/staff/store" {
                div.field {
                    label for="msisdn" { (l.t(&t::PHONE)) }
                    input #msisdn name="msisdn" type="tel" value=(q.msisdn) required aria-invalid=[found.as_ref().and_then(|f| f.as_ref().err()).map(|_| "true")];
                    @if let Some(Err(e)) = &found { p.field-error role="alert" { (e) } }
                }
                button type="submit" { (l.t(&t::FIND)) }
            }
            @if let Some(Ok((line, sub))) = &found {
                div.card {
                    p { strong { (line.msisdn.to_string()) } " · " (sub.full_name) " · " (t::category(l, sub.category)) " · " (t::line_state(l, line.state)) }
                    p { (l.t(&t::BALANCE)) ": " (t::money(l, line.balance)) }
                    form method="post" action=(format!("/staff/lines/{}/in-store", line.id)) {
                        (csrf(&ctx))
                        button type="submit" { (l.t(&t::START_IN_STORE)) }
                    }
                    h3 { (l.t(&t::CASH_DESK)) }
                    form method="post" action=(format!("/staff/lines/{}/cash", line.id)) {
                        (csrf(&ctx))
                        input type="hidden" name="msisdn" value=(line.msisdn.to_string());
                        div.field {
                            label for="amount" { (l.t(&t::AMOUNT_ROUBLES)) }
                            input #amount name="amount" type="text" inputmode="decimal" required
                                value=(if line.balance.is_negative() {
                                    let k = line.balance.debt().kopecks();
                                    format!("{}.{:02}", k / 100, k % 100)
                                } else { String::new() });
                        }
                        div.field {
                            label for="receipt" { (l.t(&t::RECEIPT_NUMBER)) }
                            input #receipt name="receipt" type="text" required maxlength="64";
                        }
                        button type="submit" { (l.t(&t::TAKE_CASH)) }
                    }
                }
            }
            @if !payouts.is_empty() {
                h2 { (l.t(&t::CASH_PAYOUTS)) }
                @for (r, holder, number) in &payouts {
                    div.card {
                        p { (l.t(&t::REFUND)) " #" (r.id) " · " strong { (t::money(l, r.amount)) } " · " (holder) " · " (number) }
                        form method="post" action=(format!("/staff/refunds/{}/cash-payout", r.id)) {
                            (csrf(&ctx))
                            div.field {
                                label for=(format!("voucher-{}", r.id)) { (l.t(&t::VOUCHER_NUMBER)) }
                                input id=(format!("voucher-{}", r.id)) name="voucher" type="text" required maxlength="64";
                            }
                            div.field {
                                label { input type="checkbox" name="signed" value="yes" required; " " (l.t(&t::VOUCHER_SIGNED)) }
                            }
                            button type="submit" { (l.t(&t::PAY_OUT)) }
                        }
                    }
                }
            }
            h2 { (l.t(&t::TODAYS_QUEUE)) }
            @if requests.is_empty() { p { (l.t(&t::QUEUE_EMPTY)) } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { (l.t(&t::REQUEST)) } th { (l.t(&t::NUMBER)) } th { (l.t(&t::STATUS)) } th { (l.t(&t::CREATED)) } } }
                    tbody { @for r in &requests { tr {
                        td { a href=(format!("/staff/requests/{}", r.id)) { "#" (r.id) } }
                        td { (r.msisdn.to_string()) }
                        td { (t::request_state(l, r.state)) }
                        td { (datetime(r.created_at, &zone(&state, &r.operator))) }
                    } } }
                } }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct CashForm {
    #[serde(default)]
    csrf: String,
    amount: String,
    receipt: String,
    #[serde(default)]
    msisdn: String,
}

/// Cash taken at this clerk's desk, with the till's receipt number.
pub async fn cash(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(line_id): Path<i64>,
    PageForm(f): PageForm<CashForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let back = |what: &str, code: &str| {
        let q = serde_urlencoded::to_string([("msisdn", f.msisdn.as_str()), (what, code)]).unwrap_or_default();
        see_other(&format!("/staff/store?{q}"))
    };
    let Some(amount) = simexit_domain::Money::parse_roubles(&f.amount) else {
        return Ok(back("error", "invalid_amount"));
    };
    let receipt = f.receipt.clone();
    match state.blocking(move |s| s.cash_payment(&who, line_id, amount, &receipt)).await {
        Ok(_) => Ok(back("done", "paid")),
        Err(e) if fixable(&e) => Ok(back("error", e.code)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PayoutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    voucher: String,
    #[serde(default)]
    signed: String,
}

/// Cash handed over at this clerk's desk for an approved cash refund, the voucher signed.
pub async fn cash_payout(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(f): PageForm<PayoutForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let signed = f.signed == "yes";
    match state.blocking(move |s| s.cash_payout(&who, id, &f.voucher, signed)).await {
        Ok(_) => Ok(see_other("/staff/store?done=paid")),
        Err(e) if fixable(&e) => Ok(see_other(&format!("/staff/store?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}

pub async fn start_in_store(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(line_id): Path<i64>,
    PageForm(f): PageForm<CsrfOnly>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let input = CreateRequest { line_id, channel: Channel::Store, reason: None, store_id: None };
    match state.blocking(move |s| s.create_request(&who, input)).await {
        Ok(d) => Ok(see_other(&format!("/staff/requests/{}", d.request.id))),
        Err(e) if fixable(&e) => Ok(see_other(&format!("/staff/store?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}
