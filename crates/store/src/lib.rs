//! Persistence for simexit, as traits that each backend implements.
//!
//! The unit of work is a transaction: [`Store::write`] runs a closure against a [`Tx`] and
//! commits only if it returns `Ok`, so a state change, its event, its audit record and the
//! jobs it schedules are stored together or not at all. The traits are synchronous: the
//! server calls them from blocking threads, which keeps backends simple and lets the same
//! service code run in the CLI, the worker and benchmarks.
//!
//! [`conformance`] holds the tests every backend runs through [`conformance_tests!`].

pub mod audit;
pub mod columns;
pub mod conformance;
mod rows;

pub use rows::*;

use jiff::Timestamp;
use simexit_domain::ledger::Account;
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is busy past its timeout: retry later (HTTP 503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be read back into its type.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One transaction's view of the database. Reads of single rows that a change depends on
/// (`request`, `line`, `number`) lock those rows where the backend has row locks.
pub trait Tx {
    // Accounts and sessions.
    fn insert_account(&mut self, account: &NewAccount) -> Result<i64>;
    fn account(&mut self, id: i64) -> Result<Option<AccountRow>>;
    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>>;
    fn insert_session(&mut self, session: &SessionRow) -> Result<()>;
    /// The account behind a live (unexpired, unrevoked) session token hash.
    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>>;
    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool>;
    /// The CSRF token hash of a cookie session (`None` for bearer sessions or none at all).
    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>>;

    // Operators and stores.
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()>;
    fn upsert_store(&mut self, store: &StoreRow) -> Result<()>;
    fn stores(&mut self) -> Result<Vec<StoreRow>>;

    // Subscribers.
    fn insert_subscriber(&mut self, subscriber: &NewSubscriber) -> Result<i64>;
    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>>;

    // Number inventory.
    fn insert_number(&mut self, number: &NumberRow) -> Result<()>;
    fn number(&mut self, msisdn: &Msisdn) -> Result<Option<NumberRow>>;
    /// Takes one `available` number of the operator for assignment, locking it so that no
    /// concurrent transaction can take the same one.
    fn claim_available_number(&mut self, operator: &OperatorId) -> Result<Option<NumberRow>>;
    fn update_number(&mut self, number: &NumberRow) -> Result<()>;
    fn open_assignment(&mut self, assignment: &NewAssignment) -> Result<()>;
    /// Closes the open holder period of a number, if any.
    fn close_assignment(&mut self, msisdn: &Msisdn, to: Timestamp, reason: &str) -> Result<bool>;
    fn assignments(&mut self, msisdn: &Msisdn) -> Result<Vec<AssignmentRow>>;
    /// Records an imported past event; `false` if the same event is already recorded.
    fn insert_past_event(&mut self, event: &PastEventRow) -> Result<bool>;
    /// A number's imported past events, oldest first.
    fn past_events(&mut self, msisdn: &Msisdn) -> Result<Vec<PastEventRow>>;
    /// Moves the start of known history of every number of `operator` back to `since`
    /// (where it is later); returns how many numbers changed.
    fn extend_history(&mut self, operator: &OperatorId, since: Timestamp) -> Result<u64>;
    /// A number's row, imported past events and holder periods, read together (a backend
    /// may do it in one statement, which then needs no transaction of its own: see
    /// [`Store::read_single_dyn`]).
    fn number_history(&mut self, msisdn: &Msisdn) -> Result<NumberHistory> {
        Ok(NumberHistory {
            number: self.number(msisdn)?,
            past: self.past_events(msisdn)?,
            periods: self.assignments(msisdn)?,
        })
    }

    // Lines.
    fn insert_line(&mut self, line: &NewLine) -> Result<i64>;
    fn line(&mut self, id: i64) -> Result<Option<LineRow>>;
    /// The line that currently holds the number (not terminated, or terminated but aging).
    fn line_by_msisdn(&mut self, msisdn: &Msisdn) -> Result<Option<LineRow>>;
    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>>;
    fn update_line(&mut self, line: &LineRow) -> Result<()>;

    // Termination requests and their events.
    fn insert_request(&mut self, request: &RequestRow) -> Result<i64>;
    fn request(&mut self, id: i64) -> Result<Option<RequestRow>>;
    fn open_request_for_line(&mut self, line_id: i64) -> Result<Option<RequestRow>>;
    fn update_request(&mut self, request: &RequestRow) -> Result<()>;
    /// Requests awaiting a decision (`submitted`, `info_provided`) by review deadline.
    fn review_queue(&mut self, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<RequestRow>>;
    fn requests_of(&mut self, subscriber_id: i64) -> Result<Vec<RequestRow>>;
    /// A store's requests, newest first (its clerks' queue).
    fn requests_at_store(&mut self, store_id: &str, limit: u32) -> Result<Vec<RequestRow>>;
    /// The counts of the [`DASHBOARD`] metrics named, as (metric, key, count).
    fn dashboard_counts(&mut self, metrics: &[&str]) -> Result<Vec<(String, String, i64)>>;
    /// What waits, as (queue, state, count), for `/metrics`: `jobs` `due` (pending or running
    /// with an expired lease), `scheduled`, `running` and `failed`; `outbox` `waiting` and
    /// `parked`; `review` `open` and `overdue`. Each reads only the waiting rows.
    fn queue_depths(&mut self, now: Timestamp) -> Result<Vec<(String, String, i64)>>;
    /// Each check of [`INVARIANTS`] with the rows that break it (all zero in a sound database),
    /// then each count of [`TALLIES`].
    fn invariant_counts(&mut self) -> Result<Vec<(String, i64)>>;
    fn insert_event(&mut self, event: &NewEvent) -> Result<()>;
    fn events(&mut self, request_id: i64) -> Result<Vec<EventRow>>;

    // Ledger (see `simexit_domain::ledger`).
    /// Records a movement once per idempotency key; `None` when the key was already used.
    fn record_movement(&mut self, movement: &NewMovement) -> Result<Option<i64>>;
    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>>;
    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>>;
    /// The id of the movement that reversed `id`, if any.
    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>>;
    fn balance(&mut self, account: &Account) -> Result<Money>;
    /// Every entry on an account, oldest first.
    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>>;
    /// The sum of every entry in the books: zero unless something is badly wrong.
    fn ledger_total(&mut self) -> Result<i64>;

    // Paid add-on services.
    fn insert_service(&mut self, service: &ServiceRow) -> Result<i64>;
    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>>;
    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>>;
    fn update_service(&mut self, service: &ServiceRow) -> Result<()>;

    // Refunds.
    fn insert_refund(&mut self, refund: &RefundRow) -> Result<i64>;
    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>>;
    fn update_refund(&mut self, refund: &RefundRow) -> Result<()>;
    /// Refunds by state (all when `None`), scoped to an operator when given, oldest first.
    fn refunds(&mut self, state: Option<&str>, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<RefundRow>>;
    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>>;

    // Final bills, frozen at completion.
    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()>;
    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>>;

    // Identity.
    /// Counts one hit on `key` in a fixed window of `window` starting at the first hit;
    /// returns the count in the current window (atomic, so limits hold across instances).
    fn hit_rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<RateCount> {
        self.hit_rate_limit_by(key, 1, now, window)
    }
    /// Like [`Tx::hit_rate_limit`], counting `amount` hits at once (a batch of numbers).
    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount>;
    /// The current count on `key` without counting a hit (`None` if no hit in the window).
    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>>;
    fn clear_rate_limit(&mut self, key: &str) -> Result<()>;
    /// The subscriber account whose contact phone is this number.
    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>>;
    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()>;
    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()>;
    /// Staff accounts (every role but `subscriber`), of one operator when given, by login.
    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>>;
    /// Ends every live session of an account; returns how many.
    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64>;
    fn insert_password_reset(&mut self, reset: &PasswordResetRow) -> Result<i64>;
    /// The newest unused reset code of an account, locked for the update.
    fn latest_password_reset(&mut self, account_id: i64) -> Result<Option<PasswordResetRow>>;
    fn update_password_reset(&mut self, reset: &PasswordResetRow) -> Result<()>;

    // Numbering plan.
    /// Empties the plan. An import clears, appends and records in one transaction, so
    /// readers see the old plan or the new one, never a mix.
    fn clear_numbering(&mut self) -> Result<()>;
    fn append_numbering(&mut self, ranges: &[NumberRange]) -> Result<()>;
    fn record_numbering_import(&mut self, source: &str, ranges: usize, at: Timestamp) -> Result<()>;
    /// The range holding subscriber number `subscriber` under `def`.
    fn numbering_range(&mut self, def: u16, subscriber: u32) -> Result<Option<NumberRange>>;

    // Documents and destruction acts.
    fn insert_document(&mut self, document: &DocumentRow) -> Result<i64>;
    fn document(&mut self, id: i64) -> Result<Option<DocumentRow>>;
    fn documents_of(&mut self, request_id: i64) -> Result<Vec<DocumentRow>>;
    fn update_document(&mut self, document: &DocumentRow) -> Result<()>;
    /// Sets the destruction deadline of a request's documents not yet destroyed.
    fn set_documents_retention(&mut self, request_id: i64, until: Timestamp) -> Result<u64>;
    /// Documents past their deadline and not yet destroyed, oldest deadline first.
    fn documents_due(&mut self, now: Timestamp, limit: u32) -> Result<Vec<DocumentRow>>;
    fn insert_destruction_act(&mut self, act: &DestructionActRow) -> Result<i64>;
    fn destruction_acts(&mut self, after_id: i64, limit: u32) -> Result<Vec<DestructionActRow>>;

    // Certificates.
    fn insert_certificate(&mut self, certificate: &CertificateRow) -> Result<()>;
    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>>;
    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>>;

    // Network tasks.
    fn insert_network_task(&mut self, task: &NetworkTaskRow) -> Result<i64>;
    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>>;
    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>>;
    fn update_network_task(&mut self, task: &NetworkTaskRow) -> Result<()>;
    /// Tasks whose step keeps failing, oldest first.
    fn network_alerts(&mut self, limit: u32) -> Result<Vec<NetworkTaskRow>>;

    // Selection reports for bulk terminations.
    /// Active or suspended lines of subscribers holding more than `more_than` of them, by
    /// subscriber, most recently opened first.
    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>>;
    /// Active or suspended lines opened before `since` with no charge or payment since.
    fn lines_unused_since(&mut self, since: Timestamp, limit: u32) -> Result<Vec<CandidateLine>>;

    // Bulk terminations.
    /// Records a run and its lines unless a run with the same id exists; `true` if new.
    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool>;
    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>>;
    /// Lines not processed yet, in file order.
    fn pending_bulk_lines(&mut self, run_id: &str, limit: u32) -> Result<Vec<BulkLineRow>>;
    /// One line, locked for its processing.
    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>>;
    fn set_bulk_outcome(&mut self, line: &BulkLineRow) -> Result<()>;
    /// Lines by outcome (`pending` for those not processed).
    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>>;
    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()>;

    // Notification outbox.
    /// Queues a message; `None` if one with the same dedupe key is already queued.
    fn insert_outbox(&mut self, message: &OutboxRow) -> Result<Option<i64>>;
    /// Messages by status (all when `None`), newest first.
    fn outbox(&mut self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxRow>>;
    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>>;
    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>>;
    /// Claims up to `limit` due messages (pending and due, or `sending` past their lease):
    /// `sending` until `lease_until`, one more attempt counted. Concurrent dispatchers get
    /// disjoint messages.
    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<OutboxRow>>;
    fn update_outbox(&mut self, message: &OutboxRow) -> Result<()>;
    /// Messages per status.
    fn outbox_counts(&mut self) -> Result<Vec<(String, i64)>>;

    // Audit log (hash-chained; see [`audit`]).
    /// The hash of the newest audit entry, locking the chain head until commit.
    fn audit_head(&mut self) -> Result<Option<String>>;
    fn insert_audit(&mut self, entry: &AuditRow) -> Result<()>;
    fn audit_entries(&mut self, after_id: i64, limit: u32) -> Result<Vec<AuditRow>>;

    // Durable jobs.
    /// Schedules a job; a job with the same `dedupe_key` already scheduled is kept as is.
    fn insert_job(&mut self, job: &NewJob) -> Result<()>;
    /// Leases up to `limit` due jobs (pending and due, or running with an expired lease).
    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<JobRow>>;
    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()>;
    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()>;
    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()>;
    fn job(&mut self, id: i64) -> Result<Option<JobRow>>;
    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>>;
}

/// A database holding simexit's data.
pub trait Store: Send + Sync {
    /// Runs `body` in a write transaction; commits if it returns `Ok(true)`, rolls back
    /// otherwise. Prefer [`StoreExt::write`].
    fn write_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>;
    /// Runs `body` in a read-only snapshot.
    fn read_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>;
    /// Runs a `body` that issues a single statement (consistent by itself) without opening
    /// a transaction around it where the backend can; a snapshot otherwise.
    fn read_single_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()> {
        self.read_dyn(body)
    }
    /// Cheap liveness check of the database connection.
    fn ping(&self) -> Result<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Typed wrappers over [`Store`]'s object-safe methods.
pub trait StoreExt: Store {
    /// Runs `body` in one transaction, committed only if it returns `Ok`.
    fn write<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.write_dyn(f))
    }

    /// Runs `body` in a write transaction that is always rolled back: a dry run of exactly
    /// the code a real change runs, returning what it computed.
    fn dry_run<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.write_dyn(&mut |tx| f(tx).map(|_| false)))
    }

    /// Runs `body` against a consistent read snapshot.
    fn read<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.read_dyn(f))
    }

    /// Runs a `body` of a single statement: see [`Store::read_single_dyn`].
    fn read_single<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.read_single_dyn(f))
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

fn run<T, E: From<StoreError>>(
    body: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    exec: impl FnOnce(&mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>,
) -> Result<T, E> {
    let mut body = Some(body);
    let mut out: Option<Result<T, E>> = None;
    let ran = exec(&mut |tx| {
        let Some(body) = body.take() else {
            return Ok(false);
        };
        let res = body(tx);
        let commit = res.is_ok();
        out = Some(res);
        Ok(commit)
    });
    match (ran, out) {
        (_, Some(Err(e))) => Err(e),
        (Ok(()), Some(Ok(v))) => Ok(v),
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(StoreError::Other("the transaction body did not run".into()).into()),
    }
}

/// The queue depths of `Tx::queue_depths`, shared by the backends; `{p}` is the instant now.
pub const QUEUE_DEPTHS: &str = "SELECT 'jobs', 'due', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at <= {p}
         UNION ALL SELECT 'jobs', 'scheduled', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at > {p} AND status = 'pending'
         UNION ALL SELECT 'jobs', 'running', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at > {p} AND status = 'running'
         UNION ALL SELECT 'jobs', 'failed', COUNT(*) FROM jobs WHERE status = 'failed'
         UNION ALL SELECT 'outbox', 'waiting', COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at >= 0
         UNION ALL SELECT 'outbox', 'parked', COUNT(*) FROM outbox WHERE status = 'parked'
         UNION ALL SELECT 'review', 'open', COUNT(*) FROM termination_requests WHERE state IN ('submitted', 'info_provided')
         UNION ALL SELECT 'review', 'overdue', COUNT(*) FROM termination_requests
             WHERE state IN ('submitted', 'info_provided') AND overdue";

/// What must hold in any committed state, whatever crashed when: each query counts the rows
/// that break the rule named beside it (`simexit check`, the crash test).
pub const INVARIANTS: &[(&str, &str)] = &[
    (
        "ledger movements whose entries do not sum to zero",
        "SELECT COUNT(*) FROM (SELECT movement_id FROM ledger_entries GROUP BY movement_id HAVING SUM(amount) <> 0) x",
    ),
    (
        "ledger entries that do not sum to zero overall",
        "SELECT CAST(CASE WHEN COALESCE(SUM(amount), 0) = 0 THEN 0 ELSE 1 END AS BIGINT) FROM ledger_entries",
    ),
    (
        "requests whose state is not one of the machine's",
        "SELECT COUNT(*) FROM termination_requests WHERE state NOT IN ('draft', 'submitted', 'info_requested', \
         'info_provided', 'approved', 'rejected', 'withdrawn', 'completed', 'revoked', 'closed')",
    ),
    (
        "lines with more than one open request",
        "SELECT COUNT(*) FROM (SELECT line_id FROM termination_requests WHERE state IN ('draft', 'submitted', \
         'info_requested', 'info_provided', 'approved') GROUP BY line_id HAVING COUNT(*) > 1) x",
    ),
    (
        "lines whose state does not follow their latest request",
        "SELECT COUNT(*) FROM lines l JOIN termination_requests r ON r.line_id = l.id \
         WHERE r.id = (SELECT MAX(id) FROM termination_requests WHERE line_id = l.id) AND NOT ( \
           (r.state IN ('submitted', 'info_requested', 'info_provided', 'approved') AND l.state = 'pending_termination') \
           OR (r.state IN ('completed', 'closed') AND l.state = 'terminated') \
           OR (r.state = 'revoked' AND l.state = 'active') \
           OR (r.state IN ('draft', 'withdrawn', 'rejected') AND l.state IN ('active', 'suspended')))",
    ),
    (
        "numbers whose state is not one of the machine's",
        "SELECT COUNT(*) FROM numbers WHERE state NOT IN ('available', 'assigned', 'aging', 'ported_out', 'reserved')",
    ),
    (
        "assigned numbers without their live line",
        "SELECT COUNT(*) FROM numbers n WHERE n.state = 'assigned' AND NOT EXISTS (SELECT 1 FROM lines l \
         WHERE l.id = n.line_id AND l.msisdn = n.msisdn AND l.state <> 'terminated')",
    ),
    (
        "numbers in aging without an aging end",
        "SELECT COUNT(*) FROM numbers WHERE state = 'aging' AND aging_until IS NULL",
    ),
    (
        "available numbers still tied to a line or a holder",
        "SELECT COUNT(*) FROM numbers n WHERE n.state = 'available' AND (n.line_id IS NOT NULL OR EXISTS \
         (SELECT 1 FROM number_assignments a WHERE a.msisdn = n.msisdn AND a.to_at IS NULL))",
    ),
    (
        "assigned numbers without an open holder period",
        "SELECT COUNT(*) FROM numbers n WHERE n.state = 'assigned' AND NOT EXISTS \
         (SELECT 1 FROM number_assignments a WHERE a.msisdn = n.msisdn AND a.to_at IS NULL)",
    ),
    (
        "completed requests whose aging end is not scheduled",
        "SELECT COUNT(*) FROM termination_requests r WHERE r.state = 'completed' AND NOT EXISTS (SELECT 1 FROM jobs j \
         WHERE j.kind = 'end_aging' AND j.status IN ('pending', 'running') AND j.payload = '{\"id\":' || r.id || '}')",
    ),
    (
        "numbers of completed requests that are not in aging",
        "SELECT COUNT(*) FROM termination_requests r JOIN numbers n ON n.msisdn = r.msisdn \
         WHERE r.state = 'completed' AND n.state <> 'aging'",
    ),
    (
        "one-time messages queued more than once",
        "SELECT COUNT(*) FROM (SELECT request_id FROM outbox WHERE request_id IS NOT NULL \
         AND template IN ('request_submitted', 'request_approved', 'request_rejected', 'request_completed') \
         GROUP BY request_id, template, channel HAVING COUNT(*) > 1) x",
    ),
    ("jobs that failed for good", "SELECT COUNT(*) FROM jobs WHERE status = 'failed'"),
];

/// What `simexit check` counts besides the violations.
pub const TALLIES: &[(&str, &str)] = &[
    ("requests", "SELECT COUNT(*) FROM termination_requests"),
    ("lines", "SELECT COUNT(*) FROM lines"),
    ("numbers", "SELECT COUNT(*) FROM numbers"),
    ("ledger movements", "SELECT COUNT(*) FROM ledger_movements"),
    ("jobs", "SELECT COUNT(*) FROM jobs"),
    ("messages", "SELECT COUNT(*) FROM outbox"),
    ("documents", "SELECT COUNT(*) FROM documents"),
];

/// The dashboard's counts, one query per metric, each answering (key, count): requests by
/// `state` and `channel`, `sla` of requests with a review deadline (`on_time`, `late`, `open`,
/// `open_overdue`), numbers in aging by `aging_day` (the UTC day number of their aging end)
/// and `refund` states. Shared by the backends; callers ask only for what they show.
pub const DASHBOARD: &[(&str, &str)] = &[
    ("state", "SELECT state, COUNT(*) FROM termination_requests GROUP BY state"),
    ("channel", "SELECT channel, COUNT(*) FROM termination_requests GROUP BY channel"),
    (
        "sla",
        "SELECT k, COUNT(*) FROM (SELECT CASE \
             WHEN decided_at IS NULL AND overdue THEN 'open_overdue' \
             WHEN decided_at IS NULL THEN 'open' \
             WHEN decided_at <= review_deadline THEN 'on_time' \
             ELSE 'late' END AS k \
         FROM termination_requests WHERE review_deadline IS NOT NULL) s GROUP BY k",
    ),
    (
        "aging_day",
        "SELECT CAST(aging_until / 86400000 AS TEXT) AS d, COUNT(*) FROM numbers WHERE state = 'aging' GROUP BY d",
    ),
    ("refund", "SELECT state, COUNT(*) FROM refunds GROUP BY state"),
];
