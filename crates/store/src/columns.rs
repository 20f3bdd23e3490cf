//! Column lists of every table, in the order the backends map them back into rows. Shared
//! so that both backends read and write the same columns; the schema check keeps the tables
//! themselves equal. `*_FIELDS` are the columns a row is inserted with (all but its id).

use const_format::formatcp;

pub const ACCOUNT_COLS: &str = "id, login, password_hash, role, operator_id, store_id, subscriber_id, disabled, scopes";
pub const STORE_COLS: &str = "id, operator_id, name, address, region, time_zone, hours, accepts_terminations, recycles_sims, wait_minutes, kind, phone";
pub const SUBSCRIBER_COLS: &str =
    "id, category, full_name, id_document_type, id_document_number, email, phone, language";
pub const NUMBER_COLS: &str =
    "msisdn, operator_id, state, aging_until, line_id, subscriber_id, history_since, updated_at";
pub const PAST_EVENT_COLS: &str = "msisdn, at, kind, operator_id, history_since, source";
pub const DOCUMENT_FIELDS: &str = "request_id, kind, file_name, content_type, size, sha256, storage_key, key_id, \
    status, review_reason, reviewed_by, uploaded_by, uploaded_at, retention_until, destroyed_at";
pub const DOCUMENT_COLS: &str = formatcp!("id, {DOCUMENT_FIELDS}");
pub const ACT_FIELDS: &str = "document_id, request_id, subscriber_id, kind, sha256, size, reason, actor, at";
pub const ACT_COLS: &str = formatcp!("id, {ACT_FIELDS}");
pub const CERTIFICATE_COLS: &str = "number, request_id, operator_id, payload, key_id, signature, issued_at";
pub const NETWORK_FIELDS: &str =
    "request_id, msisdn, direction, steps, done_steps, status, attempts, last_error, updated_at";
pub const NETWORK_COLS: &str = formatcp!("id, {NETWORK_FIELDS}");
pub const BULK_RUN_COLS: &str = "id, reason, source, total, created_by, created_at, finished_at";
pub const BULK_LINE_COLS: &str = "run_id, line_no, msisdn, outcome, request_id, detail";
pub const ASSIGNMENT_COLS: &str = "id, msisdn, subscriber_id, line_id, from_at, to_at, end_reason";
/// A line's balance is its ledger account's running balance (kept with every entry), never a
/// column of the line.
pub const LINE_COLS: &str = "id, msisdn, iccid, operator_id, subscriber_id, state, \
    CAST(COALESCE((SELECT b.balance FROM account_balances b WHERE b.account = 'line:' || lines.id), 0) AS BIGINT), \
    opened_at, terminated_at";
pub const REQUEST_FIELDS: &str = "line_id, subscriber_id, operator_id, msisdn, channel, reason, state, \
    line_state_before, store_id, created_by, created_at, submitted_at, review_deadline, review_deadline_date, \
    deadline_fallback, overdue, decided_at, completed_at, aging_until, closed_at, note, updated_at, \
    settlement, transfer_to_line, refund_name, refund_bik, refund_account, review_paused_days";
pub const REQUEST_COLS: &str = formatcp!("id, {REQUEST_FIELDS}");
pub const EVENT_COLS: &str = "id, request_id, at, actor, action, from_state, to_state, reason";
pub const AUDIT_COLS: &str = "id, at, actor, action, entity, entity_id, details, prev_hash, hash, operator_id";
pub const JOB_COLS: &str =
    "id, kind, payload, run_at, attempts, max_attempts, status, locked_until, last_error, dedupe_key";
pub const MOVEMENT_COLS: &str = "id, kind, idempotency_key, memo, reverses, line_id, at, actor";
pub const SERVICE_COLS: &str = "id, line_id, name, monthly_charge, started_at, charged_until, stopped_at";
pub const REFUND_FIELDS: &str = "line_id, request_id, operator_id, amount, state, recipient_name, bik, account, reason, created_at, updated_at, \
    route, sbp_phone, sbp_bank, card_payment_id, cash_store_id, payout_ref";
pub const REFUND_COLS: &str = formatcp!("id, {REFUND_FIELDS}");
pub const RESET_COLS: &str = "id, account_id, code_hash, expires_at, attempts, used_at, created_at, purpose";
pub const OUTBOX_FIELDS: &str = "channel, recipient, template, language, payload, status, attempts, last_error, \
    created_at, sent_at, next_attempt_at, locked_until, provider_id, delivery, dedupe_key, request_id";
pub const OUTBOX_COLS: &str = formatcp!("id, {OUTBOX_FIELDS}");

/// [`ACCOUNT_COLS`] of the alias `a`, for joins.
pub const ACCOUNT_COLS_OF_A: &str =
    "a.id, a.login, a.password_hash, a.role, a.operator_id, a.store_id, a.subscriber_id, a.disabled, a.scopes";

#[cfg(test)]
mod tests {
    #[test]
    fn the_aliased_account_columns_are_the_account_columns() {
        let aliased = super::ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        assert_eq!(aliased, super::ACCOUNT_COLS_OF_A);
    }
}
