//! A refund's page, where bank details can be given after completion.

use crate::extract::PageForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::RefundRoute;
use simexit_service::Principal;
use simexit_service::RefundDetails;
use simexit_store::StoreExt;

use crate::pages::ctx::{Ctx, Fail};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{csrf, fixable, input, page_with, problem, see_other};
use crate::state::AppState;

use super::*;

/// A refund waits for the subscriber's bank details (none given, or the bank returned it).
pub(super) fn needs_details(state: &str) -> bool {
    matches!(state, "awaiting_details" | "failed")
}

/// What the refund form offers: the routes of the policy for the subscriber's category, the SBP
/// banks, and the operator's stores for cash.
#[derive(Default)]
pub(super) struct Routes {
    offered: Vec<RefundRoute>,
    banks: Vec<simexit_store::SbpBankRow>,
    stores: Vec<(String, String)>,
}

pub(super) async fn routes_of(state: &AppState, who: &Principal, r: &simexit_store::RefundRow) -> Result<Routes, Fail> {
    let (w, operator, line_id) = (who.clone(), r.operator.clone(), r.line_id);
    let routes = state
        .blocking(move |s| {
            let line = s.line(&w, line_id)?;
            let category = s.store.read(|tx| tx.subscriber(line.subscriber_id))?.map(|sub| sub.category);
            let offered = category.map(|c| s.policy(&operator).map(|p| p.refund_routes_for(c))).transpose()?;
            let banks = s.sbp_banks()?;
            let stores = s.store.read(|tx| tx.stores())?;
            let stores = stores.into_iter().filter(|st| st.operator == operator && st.kind == "store");
            Ok(Routes {
                offered: offered.unwrap_or_default(),
                banks,
                stores: stores.map(|st| (st.id, format!("{} — {}", st.name, st.address))).collect(),
            })
        })
        .await?;
    Ok(routes)
}

fn route_fields(
    l: simexit_domain::Language,
    form: &FormState,
    r: &simexit_store::RefundRow,
    routes: &Routes,
) -> Markup {
    let chosen = if form.values.is_empty() { r.route.as_str().to_owned() } else { form.value("route").to_owned() };
    let value = |k: &'static str, saved: Option<&str>| -> String {
        if form.values.is_empty() { saved.unwrap_or_default().to_owned() } else { form.value(k).to_owned() }
    };
    html! {
        @for route in &routes.offered {
            fieldset {
                legend {
                    label {
                        input type="radio" name="route" value=(route.as_str()) checked[chosen == route.as_str()];
                        " " (route.words(l))
                    }
                }
                @match route {
                    RefundRoute::BankAccount => {
                        (bank_fields(l, form, [r.recipient_name.as_deref(), r.bik.as_deref(), r.account.as_deref()]))
                    }
                    RefundRoute::Sbp => {
                        (input("sbp_name", l.t(&t::RECIPIENT), "text", &value("sbp_name", r.recipient_name.as_deref()), form.errors.get("sbp_name"), false))
                        (input("phone", l.t(&t::PHONE_FOR_SBP), "tel", &value("phone", None), form.errors.get("phone"), false))
                        div.field {
                            label for="bank_id" { (l.t(&t::SBP_BANK)) }
                            select #bank_id name="bank_id" {
                                @for b in &routes.banks {
                                    option value=(b.id) selected[value("bank_id", r.sbp_bank.as_deref()) == b.id] { (b.name) }
                                }
                            }
                        }
                    }
                    RefundRoute::Card => { p.hint { (l.t(&t::CARD_ROUTE_HELP)) } }
                    RefundRoute::Cash => {
                        div.field {
                            label for="store_id" { (l.t(&t::COLLECT_AT)) }
                            select #store_id name="store_id" {
                                @for (id, name) in &routes.stores {
                                    option value=(id) selected[value("store_id", r.cash_store_id.as_deref()) == *id] { (name) }
                                }
                            }
                        }
                        p.hint { (l.t(&t::CASH_ROUTE_HELP)) }
                    }
                }
            }
        }
    }
}

pub(super) fn refund_page(
    ctx: &Ctx,
    who: &Principal,
    r: &simexit_store::RefundRow,
    routes: &Routes,
    form: &FormState,
) -> Response {
    let l = ctx.lang;
    let body = html! {
        @if let Some(e) = form.errors.get("form") { p.alert role="alert" { (e) } }
        dl.facts {
            dt { (l.t(&t::REFUND)) } dd { strong { (t::money(l, r.amount)) } }
            dt { (l.t(&t::STATUS)) } dd { (t::refund_state(l, &r.state)) }
            @if !needs_details(&r.state) { dt { (l.t(&t::REFUND_ROUTE)) } dd { (r.route.words(l)) } }
            @if let Some(reason) = &r.reason { dt { (l.t(&t::REASON)) } dd { (reason) } }
        }
        @if needs_details(&r.state) {
            form method="post" action=(format!("/my/refunds/{}", r.id)) novalidate {
                (csrf(ctx))
                h2 { (l.t(&t::REFUND_ROUTE)) }
                (route_fields(l, form, r, routes))
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
    let routes = routes_of(&state, &who, &r).await?;
    Ok(refund_page(&ctx, &who, &r, &routes, &FormState::default()))
}

/// Bank details for a refund, with the session's CSRF token.
#[derive(Deserialize)]
pub struct BankForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) bik: String,
    #[serde(default)]
    pub(super) account: String,
    /// The refund route chosen (the refund page; absent: a bank account).
    #[serde(default)]
    pub(super) route: String,
    #[serde(default)]
    pub(super) sbp_name: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) bank_id: String,
    #[serde(default)]
    pub(super) store_id: String,
}

pub async fn refund_details(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(f): PageForm<BankForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let l = ctx.lang;
    let mut form = FormState::default();
    let fields = [
        ("name", &f.name),
        ("bik", &f.bik),
        ("account", &f.account),
        ("route", &f.route),
        ("sbp_name", &f.sbp_name),
        ("phone", &f.phone),
        ("bank_id", &f.bank_id),
        ("store_id", &f.store_id),
    ];
    for (k, v) in fields {
        form.values.insert(k, v.clone());
    }
    let route = f.route.parse::<RefundRoute>().unwrap_or(RefundRoute::BankAccount);
    if route == RefundRoute::BankAccount {
        bank_errors(l, &f.name, &f.bik, &f.account, &mut form);
    }
    if form.errors.is_empty() {
        let w = who.clone();
        let details = match route {
            RefundRoute::BankAccount => {
                RefundDetails::BankAccount { name: f.name.clone(), bik: f.bik.clone(), account: f.account.clone() }
            }
            RefundRoute::Sbp => {
                RefundDetails::Sbp { name: f.sbp_name.clone(), phone: f.phone.clone(), bank_id: f.bank_id.clone() }
            }
            RefundRoute::Card => RefundDetails::Card,
            RefundRoute::Cash => RefundDetails::Cash { store_id: f.store_id.clone() },
        };
        match state.blocking(move |s| s.refund_route(&w, id, &details)).await {
            Ok(_) => return Ok(see_other("/my?done=saved")),
            Err(e) if fixable(&e) => {
                let field = match e.code {
                    "invalid_phone" => "phone",
                    "invalid_recipient_name" if route == RefundRoute::Sbp => "sbp_name",
                    _ => "form",
                };
                form.errors.insert(field, problem(l, &e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let w = who.clone();
    let r = state.blocking(move |s| s.refund(&w, id)).await?;
    let routes = routes_of(&state, &who, &r).await?;
    Ok(refund_page(&ctx, &who, &r, &routes, &form))
}
