//! The subscriber portal: my lines, "cancel this number", the request with its documents,
//! settlement and final bill, its status and timeline, revocation, the certificate and the
//! checklist for afterwards.

mod cancel;
mod home;
mod refunds;
mod request;
mod settlement;

use maud::{Markup, html};
use serde::Deserialize;
use simexit_domain::access::Role;
use simexit_service::Principal;

use super::ctx::{Ctx, Fail};
use super::i18n::{self as t, Tr};
use super::layout::{notice, problem_code};
use crate::state::AppState;
pub use cancel::*;
pub use home::*;
pub use refunds::*;
pub use request::*;
pub use settlement::*;

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
        "paying" => Some(lang.t(&t::PAYING)),
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
