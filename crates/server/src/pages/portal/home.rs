//! `/my`: the subscriber's lines, balances, paid services, requests and refunds.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use simexit_domain::LineState;

use crate::pages::ctx::{Ctx, Fail};
use crate::pages::i18n::{self as t, Tr};
use crate::pages::layout::{date, operator_name, page, zone};
use crate::state::AppState;

use super::*;

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
