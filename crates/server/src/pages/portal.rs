//! The subscriber portal: my lines, "cancel this number", the request with its documents,
//! settlement and final bill, its status and timeline, revocation, the certificate and the
//! checklist for afterwards.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_domain::eligibility::Eligibility;
use simexit_domain::ledger::BankAccount;
use simexit_domain::{Channel, DocumentKind, LineState, Money, RequestState, SettlementOption};
use simexit_service::lines::EligibilityQuery;
use simexit_service::{CreateRequest, FinalBill, Principal, RequestDetails, SettlementInput};
use simexit_store::{DocumentRow, LineRow, StoreExt};

use super::ctx::{CsrfOnly, Ctx, Fail, back_to};
use super::i18n::{self as t, Tr};
use super::layout::{
    csrf, date, datetime, field_error, fixable, input, notice, operator_name, page, page_with, problem, problem_code,
    see_other, zone,
};
use crate::dto::StoreView;
use crate::state::AppState;

/// Only subscribers have a portal; staff go to their own pages.
async fn subscriber(ctx: &Ctx, state: &AppState) -> Result<Principal, Fail> {
    let who = ctx.require(state).await?;
    if who.role != Role::Subscriber {
        return Err(Fail::Forbidden);
    }
    Ok(who)
}

#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    done: String,
    #[serde(default)]
    error: String,
}

impl Flash {
    pub fn from_parts(done: &str, error: &str) -> Flash {
        Flash { done: done.to_owned(), error: error.to_owned() }
    }
}

/// The notice of a redirect after a change, in the reader's language.
pub fn flash(lang: simexit_domain::Language, f: &Flash) -> Markup {
    let done = match f.done.as_str() {
        "" => None,
        "paid" => Some(lang.t(&t::PAID)),
        "submitted" => Some(lang.t(&t::SUBMITTED)),
        "revoked" => Some(lang.t(&t::REVOKED)),
        "saved" | "uploaded" => Some(lang.t(&t::SAVED)),
        _ => Some(lang.t(&t::DONE)),
    };
    let error = (!f.error.is_empty()).then(|| problem_code(lang, &f.error));
    html! {
        (notice(done))
        @if let Some(e) = error { p.alert role="alert" { (e) } }
    }
}

pub async fn home(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response, Fail> {
    let who = subscriber(&ctx, &state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let (lines, requests, refunds) =
        state.blocking(move |s| Ok((s.my_lines_with_services(&w)?, s.my_requests(&w)?, s.my_refunds(&w)?))).await?;
    let body = html! {
        (flash(l, &f))
        div.cards {
            @for (line, services) in &lines {
                article.card aria-labelledby=(format!("line-{}", line.id)) {
                    h2 id=(format!("line-{}", line.id)) { (line.msisdn.to_string()) }
                    dl.facts {
                        dt { (l.t(&t::OPERATOR)) } dd { (operator_name(&state, &line.operator)) }
                        dt { (l.t(&t::STATE)) } dd { (t::line_state(l, line.state)) }
                        dt { (l.t(&t::BALANCE)) } dd { (t::money(l, line.balance)) }
                        dt { (l.t(&t::PAID_SERVICES)) }
                        dd {
                            @let active: Vec<_> = services.iter().filter(|s| s.stopped_at.is_none()).collect();
                            @if active.is_empty() { (l.t(&t::NO_SERVICES)) }
                            @else { ul { @for s in active { li { (s.name) " — " (t::money(l, s.monthly_charge)) " " (l.t(&t::PER_MONTH)) } } } }
                        }
                    }
                    @if matches!(line.state, LineState::Active | LineState::Suspended) {
                        a.button href=(format!("/my/lines/{}/cancel", line.id)) { (l.t(&t::CANCEL_NUMBER)) }
                    }
                }
            }
        }
        h2 { (l.t(&t::MY_REQUESTS)) }
        @if requests.is_empty() { p { (l.t(&t::NO_REQUESTS)) } }
        @else {
            div.table-wrap { table {
                thead { tr { th { (l.t(&t::REQUEST)) } th { (l.t(&t::NUMBER)) } th { (l.t(&t::STATUS)) } th { (l.t(&t::CREATED)) } } }
                tbody { @for r in requests.iter().rev() {
                    tr {
                        td { a href=(format!("/my/requests/{}", r.id)) { "#" (r.id) } }
                        td { (r.msisdn.to_string()) }
                        td { (t::request_state(l, r.state)) }
                        td { (date(r.created_at, &zone(&state, &r.operator))) }
                    }
                } }
            } }
        }
        @if !refunds.is_empty() {
            h2 { (l.t(&t::MY_REFUNDS)) }
            div.table-wrap { table {
                @for r in &refunds { tr {
                    td { a href=(format!("/my/refunds/{}", r.id)) { "#" (r.id) } }
                    td.num { (t::money(l, r.amount)) }
                    td { (t::refund_state(l, &r.state)) }
                    td { @if needs_details(&r.state) { a href=(format!("/my/refunds/{}", r.id)) { (l.t(&t::GIVE_DETAILS)) } } }
                } }
            } }
        }
    };
    Ok(page(&ctx, Some(&who), l.t(&t::MY_LINES), body))
}

async fn line_and_eligibility(state: &AppState, who: &Principal, id: i64) -> Result<(LineRow, Eligibility), Fail> {
    let w = who.clone();
    Ok(state
        .blocking(move |s| Ok((s.line(&w, id)?, s.eligibility(Some(&w), EligibilityQuery::Line { line_id: id })?)))
        .await?)
}

/// What "cancel this number" shows: the line, what its policy and facts allow, the stores.
struct CancelView {
    line: LineRow,
    eligibility: Eligibility,
    stores: Vec<StoreView>,
}

async fn cancel_view(state: &AppState, who: &Principal, id: i64) -> Result<CancelView, Fail> {
    let (line, eligibility) = line_and_eligibility(state, who, id).await?;
    let stores = operator_stores(state, &line.operator).await?;
    Ok(CancelView { line, eligibility, stores })
}

fn cancel_page(
    ctx: &Ctx,
    state: &AppState,
    who: &Principal,
    v: &CancelView,
    error: Option<String>,
    flash_part: Markup,
) -> Response {
    let l = ctx.lang;
    let (line, e, stores) = (&v.line, &v.eligibility, &v.stores);
    let pay_key = format!("page-pay-{}-{}", line.id, hex::encode(random_bytes()));
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
                                input type="hidden" name="key" value=(pay_key);
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
            div.cards { @for s in stores { (super::public::store_card(l, state, s)) } }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page_with(ctx, Some(who), status, l.t(&t::CANCEL_NUMBER), body)
}

fn random_bytes() -> [u8; 8] {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    b
}

async fn operator_stores(state: &AppState, op: &simexit_domain::OperatorId) -> Result<Vec<StoreView>, Fail> {
    let now = state.service.now();
    let op = op.clone();
    let rows = state.blocking(move |s| Ok(s.store.read(|tx| tx.stores())?)).await?;
    let mut views: Vec<StoreView> = rows
        .into_iter()
        .filter(|s| s.operator == op && s.accepts_terminations)
        .map(|s| StoreView::of(s, now))
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
    Form(f): Form<CsrfOnly>,
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
    key: String,
}

pub async fn pay(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PayForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let amount = Money::from_kopecks(f.amount);
    match state.blocking(move |s| s.pay(&who, id, amount, &f.key)).await {
        Ok(_) => Ok(see_other(&format!("/my/lines/{id}/cancel?done=paid"))),
        Err(e) if fixable(&e) => Ok(see_other(&format!("/my/lines/{id}/cancel?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}

/// What a form on the request page sent back with errors: the values and a message per field.
#[derive(Default)]
pub struct FormState {
    pub values: BTreeMap<&'static str, String>,
    pub errors: BTreeMap<&'static str, String>,
}

impl FormState {
    fn value(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or_default()
    }
}

struct RequestView {
    details: RequestDetails,
    documents: Vec<DocumentRow>,
    eligibility: Option<Eligibility>,
    bill: Option<FinalBill>,
    other_lines: Vec<LineRow>,
    /// The certificate's number, once the termination is completed.
    certificate: Option<String>,
}

async fn load(state: &AppState, who: &Principal, id: i64) -> Result<RequestView, Fail> {
    let w = who.clone();
    Ok(state
        .blocking(move |s| {
            let details = s.request(&w, id)?;
            let documents = s.documents(&w, id)?;
            let eligibility = s.eligibility(Some(&w), EligibilityQuery::Line { line_id: details.request.line_id }).ok();
            let bill = s.final_bill(&w, id).ok();
            let other_lines = if w.subscriber_id.is_some() {
                s.my_lines(&w)?
                    .into_iter()
                    .filter(|l| {
                        l.id != details.request.line_id
                            && l.operator == details.request.operator
                            && l.state == LineState::Active
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let certificate = s.certificate_of(&w, id)?.map(|c| c.number);
            Ok(RequestView { details, documents, eligibility, bill, other_lines, certificate })
        })
        .await?)
}

/// The address messages link to: the request's page for whoever opens it.
pub async fn open_request(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Fail> {
    let who = ctx.require(&state).await?;
    let to = if who.role == Role::Subscriber { "/my/requests" } else { "/staff/requests" };
    Ok(see_other(&format!("{to}/{id}")))
}

pub async fn request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, Fail> {
    let who = subscriber(&ctx, &state).await?;
    let view = load(&state, &who, id).await?;
    Ok(request_page(&ctx, &state, &who, &view, &FormState::default(), flash(ctx.lang, &f)))
}

fn request_page(
    ctx: &Ctx,
    state: &AppState,
    who: &Principal,
    v: &RequestView,
    form: &FormState,
    flash_part: Markup,
) -> Response {
    let l = ctx.lang;
    let r = &v.details.request;
    let policy = state.service.policy(&r.operator).ok();
    let zone = zone(state, &r.operator);
    let editable = matches!(r.state, RequestState::Draft | RequestState::InfoRequested);
    let required: Vec<DocumentKind> = v.eligibility.as_ref().map(|e| e.documents_required.clone()).unwrap_or_default();
    let options: Vec<SettlementOption> = policy.map(|p| p.settlement_options.clone()).unwrap_or_default();
    let has_balance = v.details.line.balance.is_positive();
    let title = format!("{} #{} · {}", l.t(&t::REQUEST), r.id, r.msisdn);
    let body = html! {
        (flash_part)
        @if !form.errors.is_empty() && form.errors.contains_key("form") { p.alert role="alert" { (form.errors["form"]) } }
        p { (l.t(&t::STATUS)) ": " strong { (t::request_state(l, r.state)) } " · " (operator_name(state, &r.operator)) " · " (t::channel(l, r.channel)) }
        @if let Some(d) = r.review_deadline {
            @if r.state.awaits_review() {
                p { (l.t(&t::REVIEW_DEADLINE)) ": " strong { (datetime(d, &zone)) }
                    @if r.overdue { " " span.badge.bad { (l.t(&t::OVERDUE)) } } }
            }
        }
        @match r.state {
            RequestState::Submitted | RequestState::InfoProvided => { p.notice { (l.t(&t::WAITING)) } }
            RequestState::InfoRequested => {
                div.warn {
                    p { strong { (l.t(&t::INFO_REQUESTED)) } ": " (r.note.clone().unwrap_or_default()) }
                    form method="post" action=(format!("/requests/{}/act/provide-info", r.id)) {
                        (csrf(ctx))
                        input type="hidden" name="back" value=(format!("/my/requests/{}", r.id));
                        div.field {
                            label for="info" { (l.t(&t::YOUR_ANSWER)) }
                            textarea #info name="reason" rows="3" required {}
                        }
                        button type="submit" { (l.t(&t::PROVIDE_INFO)) }
                    }
                }
            }
            RequestState::Rejected => { p.alert { (l.t(&t::REJECTED_BECAUSE)) " " (r.note.clone().unwrap_or_default()) } }
            _ => {}
        }
        @if r.state == RequestState::Completed {
            @if let Some(until) = r.aging_until {
                div.warn {
                    p { (l.t(&t::FROZEN_UNTIL)) " " strong { (date(until, &zone)) } ". " (l.t(&t::REVOKE_HELP)) }
                    @if policy.is_some_and(|p| p.revocation_allowed) {
                        form method="post" action=(format!("/requests/{}/act/revoke", r.id)) {
                            (csrf(ctx))
                            input type="hidden" name="back" value=(format!("/my/requests/{}", r.id));
                            button.secondary type="submit" { (l.t(&t::REVOKE)) }
                        }
                    }
                }
            }
        }
        @if let Some(number) = &v.certificate {
            h2 { (l.t(&t::CERTIFICATE)) }
            p { (number) " · " a href=(format!("/certificates/{number}")) { (l.t(&t::CHECK_CERTIFICATE)) } }
            p { a.button href=(certificate_pdf(number, l)) download=(format!("{number}.pdf")) { (l.t(&t::DOWNLOAD)) } }
        }
        @if matches!(r.state, RequestState::Completed | RequestState::Closed) {
            h2 { (l.t(&t::AFTERWARDS)) }
            ul.checklist {
                li { (l.t(&t::AFTER_1)) }
                li { (l.t(&t::AFTER_2)) " " a href="/stores" { (l.t(&t::STORES)) } }
                li { (l.t(&t::AFTER_3)) }
                li { (l.t(&t::AFTER_4)) }
            }
            @if r.state == RequestState::Completed { p.muted { (l.t(&t::REMINDER_NOTE)) } }
        }
        @if r.channel == Channel::Online && (editable || !v.documents.is_empty()) {
            h2 { (l.t(&t::DOCUMENTS)) }
            (documents_block(ctx, r.id, &required, &v.documents, editable, form, &format!("/my/requests/{}", r.id)))
        }
        @if editable && has_balance && !options.is_empty() {
            h2 { (l.t(&t::SETTLEMENT)) }
            (settlement_form(ctx, r, &options, &v.other_lines, form))
        }
        @if let Some(bill) = &v.bill { (bill_table(l, bill)) }
        @if r.state == RequestState::Draft {
            div.actions {
                form method="post" action=(format!("/requests/{}/act/submit", r.id)) {
                    (csrf(ctx))
                    input type="hidden" name="back" value=(format!("/my/requests/{}", r.id));
                    button type="submit" { (l.t(&t::SUBMIT)) }
                }
            }
        }
        @if r.state.is_open() && r.state != RequestState::Approved {
            form method="post" action=(format!("/requests/{}/act/withdraw", r.id)) {
                (csrf(ctx))
                input type="hidden" name="back" value=(format!("/my/requests/{}", r.id));
                button.link type="submit" { (l.t(&t::WITHDRAW)) }
            }
        }
        (timeline(l, &v.details, &zone))
        p { a href="/my" { (l.t(&t::BACK)) } }
    };
    let status = if form.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with(ctx, Some(who), status, &title, body)
}

/// The certificate's PDF in the reader's language.
pub fn certificate_pdf(number: &str, l: simexit_domain::Language) -> String {
    format!("/api/v1/certificates/{number}/pdf?lang={}", l.as_str())
}

pub fn timeline(l: simexit_domain::Language, d: &RequestDetails, zone: &jiff::tz::TimeZone) -> Markup {
    html! {
        h2 { (l.t(&t::TIMELINE)) }
        ol.timeline {
            @for e in &d.events {
                li {
                    time datetime=(e.at.to_string()) { (datetime(e.at, zone)) } " — " strong { (t::action(l, &e.action)) }
                    @if matches!(e.action.as_str(), "reject" | "request_info" | "provide_info" | "withdraw") {
                        @if let Some(reason) = &e.reason { br; span.muted { (reason) } }
                    }
                }
            }
        }
    }
}

pub fn documents_block(
    ctx: &Ctx,
    request_id: i64,
    required: &[DocumentKind],
    docs: &[DocumentRow],
    editable: bool,
    form: &FormState,
    back: &str,
) -> Markup {
    let l = ctx.lang;
    let mut kinds: Vec<DocumentKind> = required.to_vec();
    for d in docs {
        if !kinds.contains(&d.kind) {
            kinds.push(d.kind);
        }
    }
    html! {
        @for kind in &kinds {
            @let mine: Vec<&DocumentRow> = docs.iter().filter(|d| d.kind == *kind).collect();
            div.card {
                h3 { (t::document(l, *kind)) }
                @if mine.is_empty() { p.muted { (l.t(&t::NOT_UPLOADED)) } }
                @for d in &mine {
                    p { (l.t(&t::UPLOADED)) ": " (d.file_name) " · " (t::document_status(l, &d.status)) }
                }
                @if editable {
                    @let id = format!("file-{}", kind.as_str());
                    form method="post" action=(format!("/requests/{request_id}/documents")) enctype="multipart/form-data" {
                        (csrf(ctx))
                        input type="hidden" name="kind" value=(kind.as_str());
                        input type="hidden" name="back" value=(back);
                        div.field {
                            label for=(id) { (l.t(&t::FILE)) }
                            input id=(id) type="file" name="file" accept="image/jpeg,image/png,application/pdf" required
                                aria-describedby=[form.errors.get(kind.as_str()).map(|_| format!("{id}-error"))];
                            (field_error(&id, form.errors.get(kind.as_str())))
                        }
                        button.secondary type="submit" { (l.t(&t::UPLOAD)) }
                    }
                }
            }
        }
    }
}

fn settlement_form(
    ctx: &Ctx,
    r: &simexit_store::RequestRow,
    options: &[SettlementOption],
    lines: &[LineRow],
    form: &FormState,
) -> Markup {
    let l = ctx.lang;
    let chosen = if form.values.is_empty() {
        r.settlement.kind.map(|k| k.as_str().to_owned()).unwrap_or_default()
    } else {
        form.value("option").to_owned()
    };
    html! {
        p { (l.t(&t::SETTLEMENT_HELP)) }
        form method="post" action=(format!("/my/requests/{}/settlement", r.id)) novalidate {
            (csrf(ctx))
            fieldset {
                legend { (l.t(&t::SETTLEMENT)) }
                @if options.contains(&SettlementOption::Refund) {
                    label.choice { input type="radio" name="option" value="refund" checked[chosen == "refund"]; (l.t(&t::REFUND)) }
                }
                @if options.contains(&SettlementOption::Transfer) && !lines.is_empty() {
                    label.choice { input type="radio" name="option" value="transfer" checked[chosen == "transfer"]; (l.t(&t::TRANSFER)) }
                }
                (field_error("option", form.errors.get("option")))
            }
            @if options.contains(&SettlementOption::Refund) {
                (bank_fields(l, form, [
                    r.settlement.refund_name.as_deref(),
                    r.settlement.refund_bik.as_deref(),
                    r.settlement.refund_account.as_deref(),
                ]))
            }
            @if options.contains(&SettlementOption::Transfer) && !lines.is_empty() {
                div.field {
                    label for="to_line" { (l.t(&t::TO_LINE)) }
                    select #to_line name="to_line" {
                        @for line in lines {
                            option value=(line.id) selected[r.settlement.transfer_to_line == Some(line.id) || form.value("to_line") == line.id.to_string()] { (line.msisdn.to_string()) }
                        }
                    }
                }
            }
            button.secondary type="submit" { (l.t(&t::SAVE)) }
        }
    }
}

pub fn bill_table(l: simexit_domain::Language, bill: &FinalBill) -> Markup {
    html! {
        h2 { (l.t(&t::FINAL_BILL)) @if bill.preview { " " span.badge { (l.t(&t::PREVIEW)) } } }
        div.table-wrap { table {
            tr { th scope="row" { (l.t(&t::OPENING_BALANCE)) } td.num { (t::money(l, bill.opening_balance)) } }
            @for item in &bill.items { tr { td { (t::bill_item(l, item.kind, &item.memo)) } td.num { (t::money(l, item.amount)) } } }
            tr { th scope="row" { (l.t(&t::CHARGES)) } td.num { (t::money(l, bill.charges)) } }
            tr { th scope="row" { (l.t(&t::PAYMENTS)) } td.num { (t::money(l, bill.payments)) } }
            tr { th scope="row" { (l.t(&t::CLOSING_BALANCE)) } td.num { strong { (t::money(l, bill.closing_balance)) } } }
        } }
    }
}

/// The bank details' errors, each on its field: a name, a 9-digit BIK, a 20-digit account
/// whose control key matches the BIK.
fn bank_errors(l: simexit_domain::Language, name: &str, bik: &str, account: &str, form: &mut FormState) {
    use simexit_domain::ledger::BankAccountError as E;
    if name.trim().is_empty() {
        form.errors.insert("name", l.t(&t::REQUIRED).to_owned());
    }
    if let Err(e) = BankAccount::parse(bik, account) {
        let msg = match e {
            E::BikFormat => {
                &t::Msg { ru: "БИК — 9 цифр.", en: "A BIK has 9 digits.", zh: "BIK 代码为 9 位数字。" }
            }
            E::AccountFormat => &t::Msg {
                ru: "Номер счёта — 20 цифр.",
                en: "An account number has 20 digits.",
                zh: "账号为 20 位数字。",
            },
            E::ControlKey => &t::Msg {
                ru: "Номер счёта не подходит к этому БИК: проверьте цифры.",
                en: "The account number does not match this BIK: check the digits.",
                zh: "账号与该 BIK 不匹配，请检查数字。",
            },
        };
        form.errors.insert(e.field(), l.t(msg).to_owned());
    }
}

/// The three fields of bank details, with what was typed (or saved) and their errors.
fn bank_fields(l: simexit_domain::Language, form: &FormState, saved: [Option<&str>; 3]) -> Markup {
    let value = |k: &'static str, i: usize| -> String {
        if form.values.is_empty() { saved[i].unwrap_or_default().to_owned() } else { form.value(k).to_owned() }
    };
    html! {
        (input("name", l.t(&t::RECIPIENT), "text", &value("name", 0), form.errors.get("name"), false))
        (input("bik", l.t(&t::BIK), "text", &value("bik", 1), form.errors.get("bik"), false))
        (input("account", l.t(&t::ACCOUNT), "text", &value("account", 2), form.errors.get("account"), false))
    }
}

/// The settlement form: the option, the line to transfer to, or bank details for a refund.
#[derive(Deserialize)]
pub struct SettlementForm {
    #[serde(default)]
    option: String,
    #[serde(default)]
    to_line: String,
    #[serde(flatten)]
    bank: BankForm,
}

pub async fn settlement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(SettlementForm { option, to_line, bank: f }): Form<SettlementForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let l = ctx.lang;
    let mut form = FormState::default();
    for (k, v) in
        [("option", &option), ("name", &f.name), ("bik", &f.bik), ("account", &f.account), ("to_line", &to_line)]
    {
        form.values.insert(k, v.clone());
    }
    let input = match option.as_str() {
        "refund" => {
            bank_errors(l, &f.name, &f.bik, &f.account, &mut form);
            SettlementInput::Refund { recipient_name: f.name.clone(), bik: f.bik.clone(), account: f.account.clone() }
        }
        "transfer" => match to_line.parse() {
            Ok(to_line_id) => SettlementInput::Transfer { to_line_id },
            Err(_) => {
                form.errors.insert("to_line", l.t(&t::REQUIRED).to_owned());
                SettlementInput::Transfer { to_line_id: 0 }
            }
        },
        _ => {
            form.errors.insert(
                "option",
                l.t(&t::Msg {
                    ru: "Выберите вариант.", en: "Choose an option.", zh: "请选择一项。"
                })
                .to_owned(),
            );
            SettlementInput::Transfer { to_line_id: 0 }
        }
    };
    if form.errors.is_empty() {
        let w = who.clone();
        match state.blocking(move |s| s.set_settlement(&w, id, input)).await {
            Ok(_) => return Ok(see_other(&format!("/my/requests/{id}?done=saved"))),
            Err(e) if fixable(&e) => {
                form.errors.insert("form", problem(l, &e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = load(&state, &who, id).await?;
    Ok(request_page(&ctx, &state, &who, &view, &form, html! {}))
}

/// An upload from the portal or the clerk console.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, Fail> {
    let (mut csrf_token, mut kind, mut back, mut file) = (String::new(), String::new(), String::new(), None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("csrf") => csrf_token = field.text().await.unwrap_or_default(),
            Some("kind") => kind = field.text().await.unwrap_or_default(),
            Some("back") => back = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = field.bytes().await.ok().map(|b| (name, b));
            }
            _ => {}
        }
    }
    let who = ctx.require_form(&state, &csrf_token).await?;
    let kind: DocumentKind = kind.parse().map_err(|_| Fail::NotFound)?;
    let back = back_to(&back, format!("/my/requests/{id}"));
    let mut form = FormState::default();
    match file.filter(|(_, bytes)| !bytes.is_empty()) {
        None => {
            form.errors.insert(kind.as_str(), ctx.lang.t(&t::REQUIRED).to_owned());
        }
        Some((name, bytes)) => {
            let w = who.clone();
            match state.blocking(move |s| s.upload_document(&w, id, kind, &name, &bytes)).await {
                Ok(_) => return Ok(see_other(&format!("{back}?done=uploaded"))),
                Err(e) if fixable(&e) => {
                    form.errors.insert(kind.as_str(), problem(ctx.lang, &e));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    if who.role != Role::Subscriber {
        let q = serde_urlencoded::to_string([("error", "unsupported_media_type")]).unwrap_or_default();
        return Ok(see_other(&format!("{back}?{q}")));
    }
    let view = load(&state, &who, id).await?;
    Ok(request_page(&ctx, &state, &who, &view, &form, html! {}))
}

/// A refund waits for the subscriber's bank details (none given, or the bank returned it).
fn needs_details(state: &str) -> bool {
    matches!(state, "awaiting_details" | "failed")
}

fn refund_page(ctx: &Ctx, who: &Principal, r: &simexit_store::RefundRow, form: &FormState) -> Response {
    let l = ctx.lang;
    let body = html! {
        @if let Some(e) = form.errors.get("form") { p.alert role="alert" { (e) } }
        dl.facts {
            dt { (l.t(&t::REFUND)) } dd { strong { (t::money(l, r.amount)) } }
            dt { (l.t(&t::STATUS)) } dd { (t::refund_state(l, &r.state)) }
            @if let Some(reason) = &r.reason { dt { (l.t(&t::REASON)) } dd { (reason) } }
        }
        @if needs_details(&r.state) {
            form method="post" action=(format!("/my/refunds/{}", r.id)) novalidate {
                (csrf(ctx))
                (bank_fields(l, form, [r.recipient_name.as_deref(), r.bik.as_deref(), r.account.as_deref()]))
                button type="submit" { (l.t(&t::SAVE)) }
            }
        }
        p { a href="/my" { (l.t(&t::BACK)) } }
    };
    let status = if form.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with(ctx, Some(who), status, &format!("{} #{}", l.t(&t::REFUND), r.id), body)
}

pub async fn refund(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Fail> {
    let who = subscriber(&ctx, &state).await?;
    let w = who.clone();
    let r = state.blocking(move |s| s.refund(&w, id)).await?;
    Ok(refund_page(&ctx, &who, &r, &FormState::default()))
}

/// Bank details for a refund, with the session's CSRF token.
#[derive(Deserialize)]
pub struct BankForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    bik: String,
    #[serde(default)]
    account: String,
}

pub async fn refund_details(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BankForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let l = ctx.lang;
    let mut form = FormState::default();
    for (k, v) in [("name", &f.name), ("bik", &f.bik), ("account", &f.account)] {
        form.values.insert(k, v.clone());
    }
    bank_errors(l, &f.name, &f.bik, &f.account, &mut form);
    if form.errors.is_empty() {
        let w = who.clone();
        let (name, bik, account) = (f.name.clone(), f.bik.clone(), f.account.clone());
        match state.blocking(move |s| s.refund_details(&w, id, &name, &bik, &account)).await {
            Ok(_) => return Ok(see_other("/my?done=saved")),
            Err(e) if fixable(&e) => {
                form.errors.insert("form", problem(l, &e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let w = who.clone();
    let r = state.blocking(move |s| s.refund(&w, id)).await?;
    Ok(refund_page(&ctx, &who, &r, &form))
}
