//! The admin dashboard (requests by state and channel, review deadline compliance, numbers
//! in aging by release date, refunds by state, as SVG bar charts drawn on the server) and the
//! admin views of policies, staff, the notifications outbox, network alerts and the audit log.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_domain::{Channel, Language, RequestState};
use simexit_service::Principal;

use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{datetime, page};
use crate::state::AppState;

pub(super) async fn admin(ctx: &Ctx, state: &AppState) -> Result<Principal, Fail> {
    let who = ctx.require(state).await?;
    if !matches!(who.role, Role::Admin | Role::Auditor) {
        return Err(Fail::Forbidden);
    }
    Ok(who)
}

/// A horizontal bar chart: one labelled bar per row, its count at the end.
fn bars(id: &str, title: &str, rows: &[(String, i64)], l: Language) -> Markup {
    const ROW: i64 = 26;
    const LABEL: i64 = 190;
    const WIDTH: i64 = 560;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = ROW * i64::try_from(rows.len()).unwrap_or(0) + 8;
    html! {
        figure {
            figcaption id=(id) { strong { (title) } }
            @if rows.is_empty() { p.muted { (l.t(&t::NOTHING_YET)) } }
            @else {
                svg.chart role="img" aria-labelledby=(id) viewBox=(format!("0 0 {WIDTH} {height}")) width=(WIDTH) height=(height) xmlns="http://www.w3.org/2000/svg" {
                    @for (i, (label, n)) in rows.iter().enumerate() {
                        @let y = i64::try_from(i).unwrap_or(0) * ROW + 4;
                        @let w = (WIDTH - LABEL - 60) * n / max;
                        text x="0" y=(y + 16) { (label) }
                        rect x=(LABEL) y=(y) width=(w.max(1)) height="18" fill="#0b5cad" {}
                        text x=(LABEL + w + 6) y=(y + 16) data-count=(n) { (n) }
                    }
                }
                table.sr-table {
                    @for (label, n) in rows { tr { th scope="row" { (label) } td.num { (n) } } }
                }
            }
        }
    }
}

pub async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let (counts, alerts, who) = state
        .blocking(move |s| {
            let alerts = s.network_alerts(&who)?.into_iter().take(50).collect::<Vec<_>>();
            Ok((s.dashboard_counts(&who)?, alerts, who))
        })
        .await?;
    let of = |metric: &str| counts.iter().filter(|c| c.0 == metric).map(|c| (c.1.clone(), c.2)).collect::<Vec<_>>();
    let states: Vec<(String, i64)> = of("state")
        .into_iter()
        .map(|(k, n)| (k.parse::<RequestState>().map(|s| t::request_state(l, s).to_owned()).unwrap_or(k), n))
        .collect();
    let channels: Vec<(String, i64)> = of("channel")
        .into_iter()
        .map(|(k, n)| (k.parse::<Channel>().map(|c| t::channel(l, c).to_owned()).unwrap_or(k), n))
        .collect();
    let sla_order =
        [("on_time", &t::ON_TIME), ("late", &t::LATE), ("open", &t::OPEN_IN_TIME), ("open_overdue", &t::OPEN_OVERDUE)];
    let sla_rows = of("sla");
    let sla: Vec<(String, i64)> = sla_order
        .iter()
        .map(|(k, m)| (l.t(m).to_owned(), sla_rows.iter().find(|r| r.0 == *k).map_or(0, |r| r.1)))
        .collect();
    let decided = sla[0].1 + sla[1].1;
    let compliance = if decided > 0 { Some(sla[0].1 * 100 / decided) } else { None };
    let mut aging: Vec<(i64, i64)> =
        of("aging_day").into_iter().filter_map(|(k, n)| k.parse::<i64>().ok().map(|d| (d, n))).collect();
    aging.sort_unstable();
    let aging: Vec<(String, i64)> = aging
        .into_iter()
        .take(20)
        .map(|(day, n)| {
            let at = jiff::Timestamp::from_second(day * 86_400).map(|t| t.to_string()).unwrap_or_default();
            (at.get(..10).unwrap_or_default().to_owned(), n)
        })
        .collect();
    let refunds: Vec<(String, i64)> =
        of("refund").into_iter().map(|(k, n)| (t::refund_state(l, &k).to_owned(), n)).collect();
    let total: i64 = of("state").iter().map(|r| r.1).sum();
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::DASHBOARD),
        html! {
            (admin_nav(l))
            p { (l.t(&t::TOTAL)) ": " strong #total-requests { (total) }
                @if let Some(c) = compliance { " · " (l.t(&t::SLA)) ": " strong #sla-percent { (c) "%" } } }
            div.cards {
                div.card { (bars("chart-states", l.t(&t::REQUESTS_BY_STATE), &states, l)) }
                div.card { (bars("chart-channels", l.t(&t::REQUESTS_BY_CHANNEL), &channels, l)) }
                div.card { (bars("chart-sla", l.t(&t::SLA), &sla, l)) }
                div.card { (bars("chart-aging", l.t(&t::AGING_BY_DATE), &aging, l)) }
                div.card { (bars("chart-refunds", l.t(&t::REFUNDS_BY_STATE), &refunds, l)) }
            }
            h2 { (l.t(&t::NETWORK_ALERTS)) }
            @if alerts.is_empty() { p.muted { (l.t(&t::NOTHING_YET)) } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { (l.t(&t::NUMBER)) } th { (l.t(&t::REQUEST)) } th { (l.t(&t::STEP)) } th { (l.t(&t::ATTEMPTS)) } th { (l.t(&t::ERROR)) } } }
                    tbody { @for a in &alerts { tr {
                        td { (a.msisdn.to_string()) }
                        td { a href=(format!("/staff/requests/{}", a.request_id)) { "#" (a.request_id) } }
                        td { (a.steps.get(usize::try_from(a.done_steps).unwrap_or(0)).cloned().unwrap_or_default()) }
                        td.num { (a.attempts) }
                        td { (a.last_error.clone().unwrap_or_default()) }
                    } } }
                } }
            }
        },
    ))
}

pub(super) fn admin_nav(l: Language) -> Markup {
    html! {
        nav.actions aria-label=(l.t(&t::DASHBOARD)) {
            a href="/admin" { (l.t(&t::DASHBOARD)) }
            a href="/admin/policies" { (l.t(&t::POLICIES)) }
            a href="/admin/stores" { (l.t(&t::STORES)) }
            a href="/admin/imports" { (l.t(&t::IMPORTS)) }
            a href="/admin/staff" { (l.t(&t::STAFF)) }
            a href="/admin/outbox" { (l.t(&t::OUTBOX)) }
            a href="/admin/webhooks" { (l.t(&t::WEBHOOKS)) }
            a href="/admin/audit" { (l.t(&t::AUDIT_LOG)) }
        }
    }
}

pub async fn policies(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::POLICIES),
        html! {
            (admin_nav(l))
            div.table-wrap { table {
                thead { tr {
                    th { (l.t(&t::OPERATOR)) } th { (l.t(&t::ONLINE_ALLOWED)) } th { (l.t(&t::REVIEW_TIME)) }
                    th { (l.t(&t::AGING_DAYS)) } th { (l.t(&t::REVOCATION)) } th { (l.t(&t::SETTLEMENT)) } th { (l.t(&t::HOTLINE)) }
                } }
                tbody { @for p in state.service.policies.iter() { tr {
                    td { (p.name) }
                    td { (if p.channels.contains(&Channel::Online) { l.t(&t::YES) } else { l.t(&t::NO) }) }
                    td.num { (p.review_sla_business_days) }
                    td.num { (p.aging_days) }
                    td { (if p.revocation_allowed { l.t(&t::YES) } else { l.t(&t::NO) }) }
                    td { @for (i, o) in p.settlement_options.iter().enumerate() {
                        @if i > 0 { ", " }
                        (if o.as_str() == "refund" { l.t(&t::REFUND) } else { l.t(&t::TRANSFER) })
                    } }
                    td { (p.hotline) }
                } } }
            } }
        },
    ))
}

pub async fn staff(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let rows = state.blocking(move |s| s.list_staff(Some(&w))).await?;
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::STAFF),
        html! {
            (admin_nav(l))
            div.table-wrap { table {
                thead { tr { th { (l.t(&t::LOGIN)) } th { (l.t(&t::ROLE)) } th { (l.t(&t::OPERATOR)) } th { (l.t(&t::STORE)) } } }
                tbody { @for a in &rows { tr {
                    td { (a.login) @if a.disabled { " " span.badge.bad { (l.t(&t::DISABLED)) } } }
                    td { (t::role(l, a.role)) }
                    td { (a.operator.as_ref().map(|o| o.to_string()).unwrap_or_default()) }
                    td { (a.store_id.clone().unwrap_or_default()) }
                } } }
            } }
        },
    ))
}

/// The stores of the admin's operators (every operator's for a deployment-wide admin): kind,
/// hours as the operator writes them, and the live wait, which admins can set here.
#[derive(Deserialize, Default)]
pub struct StoresQuery {
    #[serde(default)]
    error: String,
}

pub async fn stores(State(state): State<AppState>, ctx: Ctx, Query(q): Query<StoresQuery>) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let scope = who.operator.clone();
    let rows = state
        .blocking(move |s| {
            use simexit_store::StoreExt;
            let all = s.store.read(|tx| tx.stores())?;
            Ok(all.into_iter().filter(|r| scope.as_ref().is_none_or(|o| *o == r.operator)).collect::<Vec<_>>())
        })
        .await?;
    let can_set = who.role == Role::Admin;
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::STORES),
        html! {
            (admin_nav(l))
            @if q.error == "invalid_wait" { p.alert role="alert" { (l.t(&t::INVALID_WAIT)) } }
            p.muted { (l.t(&t::STORES_IMPORT_HINT)) }
            @if can_set { p { a.button href="/admin/stores/new" { (l.t(&t::ADD_STORE)) } } }
            div.table-wrap { table {
                thead { tr {
                    th { (l.t(&t::STORE)) } th { (l.t(&t::OPERATOR)) } th { (l.t(&t::REGION)) }
                    th { (l.t(&t::HOURS)) } th { (l.t(&t::WAIT)) }
                } }
                tbody { @for r in &rows {
                    @let hours: simexit_domain::store_hours::OpeningHours = serde_json::from_str(&r.hours).unwrap_or_default();
                    tr {
                        td {
                            @if can_set { a href=(format!("/admin/stores/{}/edit", r.id)) { (r.name) } } @else { (r.name) }
                            br; span.muted { (r.id) }
                            @if r.kind == "recycling_point" { " " span.badge { (l.t(&t::RECYCLING_POINT)) } } }
                        td { (r.operator) }
                        td { (r.region) }
                        td { (hours.to_text()) }
                        td {
                            @if can_set {
                                form.inline method="post" action=(format!("/admin/stores/{}/wait", r.id)) {
                                    input type="hidden" name="csrf" value=(ctx.csrf());
                                    label.visually-hidden for=(format!("wait-{}", r.id)) { (l.t(&t::WAIT)) }
                                    input id=(format!("wait-{}", r.id)) name="minutes" type="number" min="0" max="1440" value=(r.wait_minutes);
                                    button type="submit" { (l.t(&t::SAVE)) }
                                }
                            } @else { (r.wait_minutes) }
                        }
                    }
                } }
            } }
        },
    ))
}

#[derive(Deserialize)]
pub struct WaitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    minutes: String,
}

pub async fn set_wait(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    crate::extract::PageForm(f): crate::extract::PageForm<WaitForm>,
) -> Result<Response, Fail> {
    let who = ctx.require_form(&state, &f.csrf).await?;
    let minutes: i64 = f.minutes.trim().parse().unwrap_or(-1);
    match state.blocking(move |s| s.set_store_wait(&who, &id, minutes)).await {
        Ok(_) => Ok(super::layout::see_other("/admin/stores")),
        Err(e) if e.code == "invalid_wait" => Ok(super::layout::see_other("/admin/stores?error=invalid_wait")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct After {
    #[serde(default)]
    after: i64,
}

pub async fn outbox(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let rows = state.blocking(move |s| s.outbox(&w, None, 200)).await?;
    let zone = jiff::tz::TimeZone::get("Europe/Moscow").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::OUTBOX),
        html! {
            (admin_nav(l))
            div.table-wrap { table {
                thead { tr { th { (l.t(&t::WHEN)) } th { (l.t(&t::CHANNEL)) } th { (l.t(&t::RECIPIENT_SHORT)) } th { (l.t(&t::TEMPLATE)) } th { (l.t(&t::STATUS)) } th { (l.t(&t::ATTEMPTS)) } } }
                tbody { @for m in &rows { tr {
                    td { (datetime(m.created_at, &zone)) }
                    td { (t::message_channel(l, &m.channel)) }
                    td { (m.recipient) }
                    td { (m.template) " (" (m.language) ")" }
                    td { (t::outbox_status(l, &m.status)) @if let Some(e) = &m.last_error { br; span.muted { (e) } } }
                    td.num { (m.attempts) }
                } } }
            } }
        },
    ))
}

pub async fn audit(State(state): State<AppState>, ctx: Ctx, Query(q): Query<After>) -> Result<Response, Fail> {
    let who = admin(&ctx, &state).await?;
    let l = ctx.lang;
    let w = who.clone();
    let after = q.after.max(0);
    let rows = state.blocking(move |s| s.audit_entries(&w, after, 100)).await?;
    let zone = jiff::tz::TimeZone::get("Europe/Moscow").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(page(
        &ctx,
        Some(&who),
        l.t(&t::AUDIT_LOG),
        html! {
            (admin_nav(l))
            div.table-wrap { table {
                thead { tr { th { "#" } th { (l.t(&t::WHEN)) } th { (l.t(&t::WHO)) } th { (l.t(&t::WHAT)) } th { (l.t(&t::OBJECT)) } } }
                tbody { @for a in &rows { tr {
                    td.num { (a.id) }
                    td { (datetime(a.at, &zone)) }
                    td { (a.actor) }
                    td { code { (a.action) } }
                    td { (a.entity) " " (a.entity_id) }
                } } }
            } }
            @if let Some(last) = rows.last() {
                @if rows.len() == 100 { p { a href=(format!("/admin/audit?after={}", last.id)) { "→" } } }
            }
        },
    ))
}
