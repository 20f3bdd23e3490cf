//! The demo payment provider's card page (only with `--demo`): it stands where a real
//! provider's page would, and on "pay" sends its signed notification through the same
//! verified path as any provider's (`payment_notification`), so the line is credited exactly
//! as in production. No card is charged and no card number is kept.

use crate::extract::PageForm;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use simexit_domain::ledger::PaymentStatus;

use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{page, see_other};
use crate::state::AppState;

fn demo(state: &AppState) -> Result<std::sync::Arc<simexit_service::money::providers::DemoProvider>, Fail> {
    state.service.payments.demo().ok_or(Fail::NotFound)
}

pub async fn form(State(state): State<AppState>, ctx: Ctx, Path(reference): Path<String>) -> Result<Response, Fail> {
    let p = demo(&state)?.payment(&reference).ok_or(Fail::NotFound)?;
    let l = ctx.lang;
    let body = html! {
        p.warn { (l.t(&t::DEMO_PROVIDER)) }
        dl.facts {
            dt { (l.t(&t::AMOUNT)) } dd { (t::money(l, p.amount)) }
            dt { (l.t(&t::PURPOSE)) } dd { (p.description) }
        }
        @if p.status == PaymentStatus::Pending {
            form method="post" action=(format!("/demo-pay/{reference}")) {
                div.field {
                    label for="card" { (l.t(&t::CARD_NUMBER)) }
                    input #card name="card" type="text" inputmode="numeric" autocomplete="off" value="4242 4242 4242 4242";
                }
                button type="submit" name="outcome" value="pay" { (l.t(&t::PAY)) " " (t::money(l, p.amount)) }
                " "
                button.secondary type="submit" name="outcome" value="cancel" { (l.t(&t::CANCEL_PAYMENT)) }
            }
        } @else {
            p.notice { (l.t(&t::DONE)) }
        }
    };
    Ok(page(&ctx, None, l.t(&t::PAY_BY_CARD), body))
}

#[derive(Deserialize)]
pub struct Outcome {
    outcome: String,
    #[serde(default)]
    #[allow(dead_code, reason = "the demo provider charges no card: the number is read and dropped")]
    card: String,
}

pub async fn pay(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    PageForm(f): PageForm<Outcome>,
) -> Result<Response, Fail> {
    let demo = demo(&state)?;
    let p = demo.payment(&reference).ok_or(Fail::NotFound)?;
    let now = state.service.now();
    let (body, signature) = demo.settle(&reference, f.outcome == "pay", now).ok_or(Fail::NotFound)?;
    let header =
        move |name: &str| (name == simexit_service::money::providers::signed::HEADER).then(|| signature.clone());
    state.blocking(move |s| s.payment_notification("demo", &header, &body)).await?;
    // Back where the payer came from, on this site only.
    let back = p.return_url.find("/my/").map(|i| &p.return_url[i..]).unwrap_or("/my");
    Ok(see_other(back))
}
