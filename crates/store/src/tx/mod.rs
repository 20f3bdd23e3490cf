//! The transaction interface, one trait per aggregate; [`Tx`] is all of them. Each
//! module also holds the SQL its statements share across the backends.

use jiff::Timestamp;
use simexit_domain::ledger::Account;
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};

use crate::*;

mod accounts;
mod audit;
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
mod requests;
mod stores;
mod subscribers_lines;

pub use accounts::*;
pub use audit::*;
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
pub use requests::*;
pub use stores::*;
pub use subscribers_lines::*;

/// One transaction's view of the database. Reads of single rows that a change depends on
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
{
}

impl<
    T: AccountsTx
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
        + ?Sized,
> Tx for T
{
}
