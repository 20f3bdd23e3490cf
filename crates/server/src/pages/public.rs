//! Pages for everyone: the start page, the store directory and the certificate check that a
//! certificate's QR code opens.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::Language;
use simexit_domain::store_hours::OpeningHours;
use simexit_store::StoreExt;

use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{operator_name, page, page_with, see_other, zone};
use crate::dto::StoreView;
use crate::state::AppState;

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let who = ctx.who(&state).await;
    let l = ctx.lang;
    page(
        &ctx,
        who.as_ref(),
        l.t(&t::HERO_TITLE),
        html! {
            p.lead { (l.t(&t::HERO_TEXT)) }
            h2 { (l.t(&t::HOW_IT_WORKS)) }
            ol {
                li { (l.t(&t::STEP_1)) }
                li { (l.t(&t::STEP_2)) }
                li { (l.t(&t::STEP_3)) }
                li { (l.t(&t::STEP_4)) }
            }
            p { (l.t(&t::OR_VISIT)) }
            div.actions {
                @if who.is_none() { a.button href="/login" { (l.t(&t::SIGN_IN)) } }
                a.button.secondary href="/stores" { (l.t(&t::STORES)) }
                a.button.secondary href="/certificates" { (l.t(&t::CHECK_CERTIFICATE)) }
            }
        },
    )
}

#[derive(Deserialize, Default)]
pub struct StoreFilter {
    #[serde(default)]
    region: String,
    #[serde(default)]
    operator: String,
    /// `1`: only places that take SIM cards for recycling.
    #[serde(default)]
    recycles: String,
}

const DAYS: [(&str, t::Msg); 7] = [
    ("mon", t::Msg { ru: "Пн", en: "Mon", zh: "周一" }),
    ("tue", t::Msg { ru: "Вт", en: "Tue", zh: "周二" }),
    ("wed", t::Msg { ru: "Ср", en: "Wed", zh: "周三" }),
    ("thu", t::Msg { ru: "Чт", en: "Thu", zh: "周四" }),
    ("fri", t::Msg { ru: "Пт", en: "Fri", zh: "周五" }),
    ("sat", t::Msg { ru: "Сб", en: "Sat", zh: "周六" }),
    ("sun", t::Msg { ru: "Вс", en: "Sun", zh: "周日" }),
];

/// One store's card: open now in its own zone, today's and the week's hours, coming
/// exceptions, the wait, SIM recycling.
pub fn store_card(l: Language, state: &AppState, s: &StoreView) -> Markup {
    let hours: OpeningHours = serde_json::from_value(s.hours.clone()).unwrap_or_default();
    // The coming days off, shortened days and exceptions, in the store's own calendar days.
    let coming: Vec<_> = s.unusual_days.iter().take(6).collect();
    html! {
        article.card aria-labelledby=(format!("store-{}", s.id)) {
            h3 id=(format!("store-{}", s.id)) { (s.name) }
            @if s.kind == "recycling_point" { p { span.badge { (l.t(&t::RECYCLING_POINT)) } } }
            p {
                @if s.open_now { span.badge.ok { (l.t(&t::OPEN_NOW)) } } @else { span.badge.bad { (l.t(&t::CLOSED_NOW)) } }
                " " span.muted { (operator_name(state, &s.operator)) }
            }
            dl.facts {
                dt { (l.t(&t::REGION)) } dd { (s.region) }
                dt { (l.t(&t::ADDRESS)) } dd { (s.address) }
                @if !s.phone.is_empty() { dt { (l.t(&t::PHONE)) } dd { a href=(format!("tel:{}", s.phone.replace([' ', '-', '(', ')'], ""))) { (s.phone) } } }
                dt { (l.t(&t::LOCAL_TIME)) } dd { (s.local_time.get(11..16).unwrap_or_default()) " (" (s.time_zone) ")" }
                dt { (l.t(&t::TODAY)) } dd { (s.today.clone().unwrap_or_else(|| l.t(&t::CLOSED).to_owned())) }
                dt { (l.t(&t::WAIT)) } dd { (s.wait_minutes) }
                dt { (l.t(&t::ACCEPTS_TERMINATIONS)) } dd { (if s.accepts_terminations { l.t(&t::YES) } else { l.t(&t::NO) }) }
                dt { (l.t(&t::RECYCLES_SIMS)) } dd { (if s.recycles_sims { l.t(&t::YES) } else { l.t(&t::NO) }) }
            }
            details {
                summary { (l.t(&t::HOURS)) }
                table {
                    @for (key, name) in &DAYS {
                        tr { th scope="row" { (l.t(name)) } td { (hours.weekly.get(*key).cloned().unwrap_or_else(|| l.t(&t::CLOSED).to_owned())) } }
                    }
                }
                @if !coming.is_empty() {
                    h4 { (l.t(&t::HOLIDAYS)) }
                    ul { @for d in coming { li { (d.date.to_string()) ": " (d.hours.clone().unwrap_or_else(|| l.t(&t::CLOSED).to_owned())) } } }
                }
            }
        }
    }
}

pub async fn stores(State(state): State<AppState>, ctx: Ctx, Query(f): Query<StoreFilter>) -> Result<Response, Fail> {
    let who = ctx.who(&state).await;
    let l = ctx.lang;
    let now = state.service.now();
    let rows = state.blocking(|s| Ok(s.store.read(|tx| tx.stores())?)).await?;
    let mut regions: Vec<String> = rows.iter().map(|s| s.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let views: Vec<StoreView> = rows
        .into_iter()
        .filter(|s| f.region.is_empty() || s.region == f.region)
        .filter(|s| f.operator.is_empty() || s.operator.as_str() == f.operator)
        .filter(|s| f.recycles != "1" || s.recycles_sims)
        .map(|s| StoreView::of(s, now, &state.service.calendars))
        .collect();
    Ok(page(
        &ctx,
        who.as_ref(),
        l.t(&t::STORES),
        html! {
            form.actions method="get" action="/stores" {
                div.field {
                    label for="region" { (l.t(&t::REGION)) }
                    select #region name="region" {
                        option value="" { (l.t(&t::ALL_OPTIONS)) }
                        @for r in &regions { option value=(r) selected[*r == f.region] { (r) } }
                    }
                }
                div.field {
                    label for="operator" { (l.t(&t::OPERATOR)) }
                    select #operator name="operator" {
                        option value="" { (l.t(&t::ALL_OPTIONS)) }
                        @for p in state.service.policies.iter() {
                            option value=(p.operator.as_str()) selected[p.operator.as_str() == f.operator] { (p.name) }
                        }
                    }
                }
                div.field {
                    label {
                        input type="checkbox" name="recycles" value="1" checked[f.recycles == "1"];
                        " " (l.t(&t::TAKES_SIMS_FOR_RECYCLING))
                    }
                }
                div.field { button type="submit" { (l.t(&t::FILTER)) } }
            }
            @if views.is_empty() { p { (l.t(&t::NO_STORES)) } }
            div.cards { @for s in &views { (store_card(l, &state, s)) } }
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct NumberQuery {
    #[serde(default)]
    number: String,
}

pub async fn certificate_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NumberQuery>) -> Response {
    let number = q.number.trim();
    if !number.is_empty() {
        let path = format!("/certificates/{}", url_segment(number));
        return see_other(&path);
    }
    let who = ctx.who(&state).await;
    let l = ctx.lang;
    page(&ctx, who.as_ref(), l.t(&t::CERT_CHECK), lookup_form(l, ""))
}

fn lookup_form(l: Language, value: &str) -> Markup {
    html! {
        form method="get" action="/certificates" {
            div.field {
                label for="number" { (l.t(&t::CERT_NUMBER)) }
                input #number name="number" type="text" value=(value) required placeholder="MTS-2026-K7Q3-XP9M-Z2R4-T6V8";
            }
            button type="submit" { (l.t(&t::CHECK)) }
        }
    }
}

/// Percent-encodes a path segment.
fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn certificate(State(state): State<AppState>, ctx: Ctx, Path(number): Path<String>) -> Response {
    let who = ctx.who(&state).await;
    let l = ctx.lang;
    let lookup = number.clone();
    match state.blocking(move |s| s.check_certificate(&lookup)).await {
        Ok(c) => {
            let p = &c.payload;
            let zone = p.operator.parse().map_or(jiff::tz::TimeZone::UTC, |op| zone(&state, &op));
            let words = p.readable(l, &zone);
            let rows = [
                (l.t(&t::CERT_NUMBER), p.number.clone()),
                (l.t(&t::OPERATOR), p.operator_name.clone()),
                (l.t(&t::PHONE), p.msisdn.clone()),
                (l.t(&t::TERMINATED_AT), words.terminated_at),
                (l.t(&t::RESERVED_UNTIL), words.aging_until),
                (l.t(&t::REASON), words.reason),
            ];
            let n = url_segment(&p.number);
            let status = if c.genuine { StatusCode::OK } else { StatusCode::CONFLICT };
            page_with(
                &ctx,
                who.as_ref(),
                status,
                l.t(&t::CERT_CHECK),
                html! {
                    @if c.genuine { p.notice role="status" { strong { (l.t(&t::GENUINE)) } } }
                    @else { p.alert role="alert" { strong { (l.t(&t::NOT_GENUINE)) } } }
                    div.table-wrap { table { @for (k, v) in &rows { tr { th scope="row" { (k) } td { (v) } } } } }
                    p {
                        "PDF: "
                        a href=(format!("/api/v1/certificates/{n}/pdf?lang=ru")) lang="ru" { "русский" } " · "
                        a href=(format!("/api/v1/certificates/{n}/pdf?lang=en")) lang="en" { "English" } " · "
                        a href=(format!("/api/v1/certificates/{n}/pdf?lang=zh")) lang="zh" { "中文" }
                    }
                },
            )
        }
        Err(_) => page_with(
            &ctx,
            who.as_ref(),
            StatusCode::NOT_FOUND,
            l.t(&t::CERT_CHECK),
            html! {
                p.alert role="alert" { (l.t(&t::CERT_NOT_FOUND)) " " code { (number) } }
                (lookup_form(l, &number))
            },
        ),
    }
}
