//! The admin's webhook subscriptions: create one (its secret shown once), disable, enable,
//! rotate the secret, delete, and each one's delivery log with "resend" for parked ones.

use crate::extract::PageForm;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::admin::admin_nav;
use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{csrf, datetime, fixable, input, page, see_other};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    error: String,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Shown>) -> Result<Response, Fail> {
    let who = ctx.require(&state).await?;
    render(&state, &ctx, who, "", &q.error).await
}

/// The list; `secret` is one just created or rotated, shown in this answer only (never in a
/// URL, where proxies and browser history would keep it).
async fn render(
    state: &AppState,
    ctx: &Ctx,
    who: simexit_service::Principal,
    secret: &str,
    error: &str,
) -> Result<Response, Fail> {
    let l = ctx.lang;
    let w = who.clone();
    let rows = state.blocking(move |s| s.webhooks(&w)).await?;
    let zone = jiff::tz::TimeZone::get("Europe/Moscow").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(page(
        ctx,
        Some(&who),
        l.t(&t::WEBHOOKS),
        html! {
            (admin_nav(l))
            @if !secret.is_empty() {
                p.notice role="status" { (l.t(&t::SECRET_ONCE)) ": " code { (secret) } }
            }
            @if !error.is_empty() { p.alert role="alert" { (super::layout::problem_code(l, error)) } }
            div.table-wrap { table {
                thead { tr { th { "#" } th { "URL" } th { (l.t(&t::EVENTS)) } th { (l.t(&t::STATUS)) } th { (l.t(&t::WHEN)) } th {} } }
                tbody { @for w in &rows { tr {
                    td.num { a href=(format!("/admin/webhooks/{}", w.id)) { (w.id) } }
                    td { code { (w.url) } }
                    td { (w.events) }
                    td { @if w.enabled { (l.t(&t::ENABLED)) } @else { (l.t(&t::HOOK_DISABLED)) } }
                    td { (datetime(w.created_at, &zone)) }
                    td {
                        @for (action, label) in [
                            (if w.enabled { "disable" } else { "enable" }, if w.enabled { l.t(&t::DISABLE) } else { l.t(&t::ENABLE) }),
                            ("rotate-secret", l.t(&t::ROTATE_SECRET)),
                            ("delete", l.t(&t::DELETE)),
                        ] {
                            form.inline method="post" action=(format!("/admin/webhooks/{}/{action}", w.id)) {
                                (csrf(ctx))
                                button.link type="submit" { (label) }
                            }
                        }
                    }
                } } }
            } }
            h2 { (l.t(&t::NEW_WEBHOOK)) }
            form method="post" action="/admin/webhooks" {
                (csrf(ctx))
                (input("url", "URL", "url", "", None, true))
                (input("events", l.t(&t::EVENTS), "text", "termination.*,number.*", None, true))
                button type="submit" { (l.t(&t::SAVE)) }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct NewWebhook {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    events: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    PageForm(f): PageForm<NewWebhook>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let w = who.clone();
    match state.blocking(move |s| s.create_webhook(Some(&w), &f.url, &f.events)).await {
        Ok((_, secret)) => render(&state, &ctx, who, &secret, "").await,
        Err(e) if fixable(&e) => Ok(see_other(&format!("/admin/webhooks?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let w = who.clone();
    let secret = state
        .blocking(move |s| match action.as_str() {
            "disable" | "enable" => s.set_webhook_enabled(&w, id, action == "enable").map(|_| None),
            "rotate-secret" => s.rotate_webhook_secret(&w, id).map(|(_, secret)| Some(secret)),
            "delete" => s.delete_webhook(&w, id).map(|_| None),
            _ => Err(simexit_service::ServiceError::not_found("action", action)),
        })
        .await?;
    match secret {
        Some(secret) => render(&state, &ctx, who, &secret, "").await,
        None => Ok(see_other("/admin/webhooks")),
    }
}

pub async fn deliveries(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Fail> {
    let who = ctx.require(&state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let (hook, rows) = state.blocking(move |s| Ok((s.webhook(&w, id)?, s.webhook_deliveries(&w, id, 200)?))).await?;
    let zone = jiff::tz::TimeZone::get("Europe/Moscow").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(page(
        &ctx,
        Some(&who),
        &format!("{} #{id}", l.t(&t::WEBHOOKS)),
        html! {
            (admin_nav(l))
            p { code { (hook.url) } " · " (hook.events) }
            div.table-wrap { table {
                thead { tr { th { "#" } th { (l.t(&t::OBJECT)) } th { (l.t(&t::STATUS)) } th { (l.t(&t::ATTEMPTS)) } th { (l.t(&t::WHEN)) } th {} } }
                tbody { @for d in &rows { tr {
                    td.num { "evt_" (d.change_id) }
                    td { (d.subject) }
                    td { (d.status) @if let Some(e) = &d.last_error { br; span.muted { (e) } } }
                    td.num { (d.attempts) }
                    td { (datetime(d.delivered_at.unwrap_or(d.next_attempt_at), &zone)) }
                    td { @if d.status == "parked" {
                        form.inline method="post" action=(format!("/admin/webhook-deliveries/{}/resend", d.id)) {
                            (csrf(&ctx))
                            button.link type="submit" { (l.t(&t::RESEND)) }
                        }
                    } }
                } } }
            } }
        },
    ))
}

pub async fn resend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    PageForm(f): PageForm<CsrfForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    match state.blocking(move |s| s.resend_delivery(&who, id)).await {
        Ok(d) => Ok(see_other(&format!("/admin/webhooks/{}", d.webhook_id))),
        Err(e) if fixable(&e) => Ok(see_other(&format!("/admin/webhooks?error={}", e.code))),
        Err(e) => Err(e.into()),
    }
}
