//! Row types exchanged with the backends. They carry domain types, so a backend parses
//! what it reads back and a corrupt value surfaces as [`crate::StoreError::Corrupt`].

use jiff::Timestamp;
use jiff::civil::Date;
use simexit_domain::access::Role;
use simexit_domain::number::NumberState;
use simexit_domain::{Channel, CustomerCategory, Language, LineState, Money, Msisdn, OperatorId, Reason, RequestState};

mod accounts;
mod audit;
mod bss;
mod bulk;
mod certificates;
mod documents;
mod jobs;
mod ledger;
mod network;
mod numbers;
mod outbox;
mod payments;
mod requests;
mod stores;
mod subscribers_lines;
mod webhooks;

pub use accounts::*;
pub use audit::*;
pub use bss::*;
pub use bulk::*;
pub use certificates::*;
pub use documents::*;
pub use jobs::*;
pub use ledger::*;
pub use network::*;
pub use numbers::*;
pub use outbox::*;
pub use payments::*;
pub use requests::*;
pub use stores::*;
pub use subscribers_lines::*;
pub use webhooks::*;
