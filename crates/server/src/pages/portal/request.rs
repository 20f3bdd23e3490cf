//! The request page: documents, settlement, final bill, status and timeline, revocation, certificate; and uploads from the portal or the clerk console.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use simexit_domain::access::Role;
use simexit_domain::eligibility::Eligibility;
use simexit_domain::{Channel, DocumentKind, LineState, RequestState, SettlementOption};
use simexit_service::lines::EligibilityQuery;
use simexit_service::{FinalBill, Principal, RequestDetails};
use simexit_store::{DocumentRow, LineRow};

use crate::pages::ctx::{Ctx, Fail, back_to};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{csrf, datetime, field_error, fixable, operator_name, page_with, problem, see_other, zone};
use crate::state::AppState;

use super::*;

/// What a form on the request page sent back with errors: the values and a message per field.
#[derive(Default)]
pub struct FormState {
    pub values: BTreeMap<&'static str, String>,
    pub errors: BTreeMap<&'static str, String>,
}

impl FormState {
    pub(super) fn value(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or_default()
    }
}

pub(super) struct RequestView {
    details: RequestDetails,
    documents: Vec<DocumentRow>,
    eligibility: Option<Eligibility>,
    bill: Option<FinalBill>,
    other_lines: Vec<LineRow>,
    /// The certificate's number, once the termination is completed.
    certificate: Option<String>,
}

pub(super) async fn load(state: &AppState, who: &Principal, id: i64) -> Result<RequestView, Fail> {
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
    // Only a request the reader may see is followed; any other is not found, here as there.
    let w = who.clone();
    state.blocking(move |s| s.request(&w, id)).await?;
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

pub(super) fn request_page(
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
                    p { (l.t(&t::REVIEW_PAUSED)) }
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
                    p {
                        (l.t(&t::FROZEN_UNTIL)) " " strong { (datetime(until, &zone)) } "."
                        @if policy.is_some_and(|p| p.revocation_allowed) { " " (l.t(&t::REVOKE_HELP)) }
                    }
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
                li { (l.t(&t::AFTER_2)) " " a href="/stores?recycles=1" { (l.t(&t::TAKES_SIMS_FOR_RECYCLING)) } }
                li { (l.t(&t::AFTER_3)) }
                li { (l.t(&t::AFTER_4)) }
            }
            @if r.state == RequestState::Completed && policy.is_some_and(|p| p.revocation_allowed && p.aging_reminder_days > 0) {
                p.muted { (l.t(&t::REMINDER_NOTE)) }
            }
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

pub fn bill_table(l: simexit_domain::Language, bill: &FinalBill) -> Markup {
    html! {
        h2 { (l.t(&t::FINAL_BILL)) @if bill.preview { " " span.badge { (l.t(&t::PREVIEW)) } } }
        div.table-wrap { table {
            tr { th scope="row" { (l.t(&t::OPENING_BALANCE)) } td.num { (t::money(l, bill.opening_balance)) } }
            @for item in &bill.items { tr { td { (t::bill_item(l, item.kind, &item.memo)) } td.num { (t::money(l, item.amount)) } } }
            tr { th scope="row" { (l.t(&t::CHARGES)) } td.num { (t::money(l, bill.charges)) } }
            tr { th scope="row" { (l.t(&t::PAYMENTS)) } td.num { (t::money(l, bill.payments)) } }
            tr { th scope="row" { (l.t(&t::CLOSING_BALANCE)) } td.num { strong { (t::money(l, bill.closing_balance)) } } }
            @if bill.amount_due.is_positive() {
                tr { th scope="row" { (l.t(&t::AMOUNT_DUE)) } td.num { strong { (t::money(l, bill.amount_due)) } } }
            }
        } }
        @if bill.amount_due.is_positive() { p.alert role="status" { (l.t(&t::DEBT_FIRST)) ": " (t::money(l, bill.amount_due)) } }
    }
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
