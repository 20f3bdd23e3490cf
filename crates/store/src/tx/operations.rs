//! What operators watch: the dashboard's counts, queue depths, invariant checks.

use super::*;

pub trait OperationsTx {
    /// The counts of the [`DASHBOARD`] metrics named, as (metric, key, count).
    fn dashboard_counts(
        &mut self,
        metrics: &[&str],
        operator: Option<&OperatorId>,
    ) -> Result<Vec<(String, String, i64)>>;
    /// What waits, as (queue, state, count), for `/metrics`: `jobs` `due` (pending or running
    /// with an expired lease), `scheduled`, `running` and `failed`; `outbox` `waiting` and
    /// `parked`; `review` `open` and `overdue`. Each reads only the waiting rows.
    fn queue_depths(&mut self, now: Timestamp) -> Result<Vec<(String, String, i64)>>;
    /// Each check of [`INVARIANTS`] with the rows that break it (all zero in a sound database),
    /// then each count of [`TALLIES`].
    fn invariant_counts(&mut self) -> Result<Vec<(String, i64)>>;
}

/// The queue depths of `OperationsTx::queue_depths`, shared by the backends; `?1` is the instant now.
pub const QUEUE_DEPTHS: &str = "SELECT 'jobs', 'due', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ?1
         UNION ALL SELECT 'jobs', 'scheduled', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at > ?1 AND status = 'pending'
         UNION ALL SELECT 'jobs', 'running', COUNT(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at > ?1 AND status = 'running'
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
        "ledger accounts whose running balance is not the sum of their entries",
        "SELECT COUNT(*) FROM (
             SELECT s.account FROM (SELECT account, SUM(amount) AS total FROM ledger_entries GROUP BY account) s
                 LEFT JOIN account_balances b ON b.account = s.account
                 WHERE b.balance IS NULL OR b.balance <> s.total
             UNION ALL
             SELECT b.account FROM account_balances b
                 WHERE b.balance <> 0 AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account = b.account)
         ) x",
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
           OR (r.state = 'revoked' AND l.state IN ('active', 'suspended')) \
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
/// and `refund` states, of one operator (`?1`) or all (`NULL`). Shared by the backends;
/// callers ask only for what they show.
pub const DASHBOARD: &[(&str, &str)] = &[
    (
        "state",
        "SELECT state, COUNT(*) FROM termination_requests WHERE (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1) GROUP BY state",
    ),
    (
        "channel",
        "SELECT channel, COUNT(*) FROM termination_requests WHERE (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1) GROUP BY channel",
    ),
    (
        "sla",
        "SELECT k, COUNT(*) FROM (SELECT CASE \
             WHEN decided_at IS NULL AND overdue THEN 'open_overdue' \
             WHEN decided_at IS NULL THEN 'open' \
             WHEN decided_at <= review_deadline THEN 'on_time' \
             ELSE 'late' END AS k \
         FROM termination_requests WHERE review_deadline IS NOT NULL \
         AND (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1)) s GROUP BY k",
    ),
    (
        "aging_day",
        "SELECT CAST(aging_until / 86400000 AS TEXT) AS d, COUNT(*) FROM numbers WHERE state = 'aging' \
         AND (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1) GROUP BY d",
    ),
    (
        "refund",
        "SELECT state, COUNT(*) FROM refunds WHERE (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1) GROUP BY state",
    ),
];
