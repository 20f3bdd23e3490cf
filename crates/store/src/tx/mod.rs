//! The transaction interface, one trait per aggregate; [`Tx`] is all of them. Each
//! module also holds the SQL its statements share across the backends.

use jiff::Timestamp;
use simexit_domain::ledger::Account;
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};

use crate::*;

mod accounts;
mod audit;
mod bss;
mod bulk;
mod certificates;
mod documents;
mod jobs;
mod ledger;
mod lookups;
mod network;
mod numbers;
mod operations;
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
pub use lookups::*;
pub use network::*;
pub use numbers::*;
pub use operations::*;
pub use outbox::*;
pub use payments::*;
pub use requests::*;
pub use stores::*;
pub use subscribers_lines::*;
pub use webhooks::*;

/// The SQL the two backends share, one module per aggregate, written once with `?N`
/// placeholders: SQLite reads them as they are, and the PostgreSQL backend rewrites them to
/// `$N` when it prepares a statement. Only what differs between the dialects stays in a
/// backend.
pub mod sql {
    pub use super::accounts::sql::*;
    pub use super::audit::sql::*;
    pub use super::bss::sql::*;
    pub use super::bulk::sql::*;
    pub use super::certificates::sql::*;
    pub use super::documents::sql::*;
    pub use super::jobs::sql::*;
    pub use super::ledger::sql::*;
    pub use super::lookups::sql::*;
    pub use super::network::sql::*;
    pub use super::numbers::sql::*;
    pub use super::outbox::sql::*;
    pub use super::payments::sql::*;
    pub use super::requests::sql::*;
    pub use super::stores::sql::*;
    pub use super::subscribers_lines::sql::*;
    pub use super::webhooks::sql::*;
}

/// One transaction's view of the database: a backend implements each room's trait, then
/// `impl Tx for …Tx {}`. Reads of single rows that a change depends on
/// (`request`, `line`, `number`) lock those rows where the backend has row locks.
pub trait Tx:
    AccountsTx
    + StoresTx
    + SubscribersLinesTx
    + NumbersTx
    + LookupsTx
    + RequestsTx
    + LedgerTx
    + DocumentsTx
    + CertificatesTx
    + NetworkTx
    + BulkTx
    + OutboxTx
    + AuditTx
    + JobsTx
    + OperationsTx
    + BssTx
    + PaymentsTx
    + WebhooksTx
{
}
