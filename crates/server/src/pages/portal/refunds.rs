//! A refund's page, where bank details can be given after completion.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use simexit_service::Principal;

use crate::pages::ctx::{Ctx, Fail};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{csrf, fixable, page_with, problem, see_other};
use crate::state::AppState;

use super::*;

/// A refund waits for the subscriber's bank details (none given, or the bank returned it).
pub(super) fn needs_details(state: &str) -> bool {
    matches!(state, "awaiting_details" | "failed")
}

pub(super) fn refund_page(ctx: &Ctx, who: &Principal, r: &simexit_store::RefundRow, form: &FormState) -> Response {
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
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) bik: String,
    #[serde(default)]
    pub(super) account: String,
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
