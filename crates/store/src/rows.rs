//! Row types exchanged with the backends. They carry domain types, so a backend parses
//! what it reads back and a corrupt value surfaces as [`crate::StoreError::Corrupt`].

use jiff::Timestamp;
use jiff::civil::Date;
use simexit_domain::access::Role;
use simexit_domain::number::NumberState;
use simexit_domain::{Channel, CustomerCategory, Language, LineState, Money, Msisdn, OperatorId, Reason, RequestState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub operator: Option<OperatorId>,
    pub store_id: Option<String>,
    pub subscriber_id: Option<i64>,
    /// Space-separated scopes (API clients).
    pub scopes: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub operator: Option<OperatorId>,
    pub store_id: Option<String>,
    pub subscriber_id: Option<i64>,
    pub disabled: bool,
    /// Space-separated scopes (API clients).
    pub scopes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub account_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Cookie sessions only: the hash of the CSRF token their forms must carry.
    pub csrf_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRow {
    pub id: String,
    pub operator: OperatorId,
    pub name: String,
    pub address: String,
    pub region: String,
    pub time_zone: String,
    /// [`simexit_domain::store_hours::OpeningHours`] as JSON.
    pub hours: String,
    pub accepts_terminations: bool,
    pub recycles_sims: bool,
    pub wait_minutes: i64,
    /// `store` (a sales and service point) or `recycling_point` (takes SIM cards back only).
    pub kind: String,
    /// The store's phone, as the operator writes it ("" when none).
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscriber {
    pub category: CustomerCategory,
    pub full_name: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRow {
    pub id: i64,
    pub category: CustomerCategory,
    pub full_name: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: NumberState,
    pub aging_until: Option<Timestamp>,
    pub line_id: Option<i64>,
    pub subscriber_id: Option<i64>,
    /// Since when simexit knows this number's history (lookups before it have no data).
    pub history_since: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub line_id: i64,
    pub from: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub id: i64,
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub line_id: i64,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
    pub end_reason: Option<String>,
}

/// A disconnection or port-out from before simexit held the number (history import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastEventRow {
    pub msisdn: Msisdn,
    pub at: Timestamp,
    /// `disconnected` (permanent) or `ported_out`.
    pub kind: String,
    pub operator: OperatorId,
    /// The date from which the import that brought this event is complete.
    pub history_since: Timestamp,
    pub source: String,
}

/// An uploaded document; its content is in the blob store under `storage_key`, encrypted
/// with the key `key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub request_id: i64,
    pub kind: simexit_domain::DocumentKind,
    /// For display only; never a path.
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub key_id: String,
    /// `uploaded`, `verified`, `rejected` or `destroyed`.
    pub status: String,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
    /// When the content is destroyed (set once the request is closed).
    pub retention_until: Option<Timestamp>,
    pub destroyed_at: Option<Timestamp>,
}

/// An issued certificate: the canonical payload exactly as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub number: String,
    pub request_id: i64,
    pub operator: OperatorId,
    pub payload: String,
    pub key_id: String,
    pub signature: String,
    pub issued_at: Timestamp,
}

/// The network steps of one request in one direction (`deprovision` after completion,
/// `restore` after a revocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkTaskRow {
    pub id: i64,
    pub request_id: i64,
    pub msisdn: Msisdn,
    pub direction: String,
    /// In order: `bar`, `detach`, `delete` (or their inverses).
    pub steps: Vec<String>,
    /// How many of `steps` the network confirmed.
    pub done_steps: i64,
    /// `in_progress`, `done`, `alert` (a step keeps failing) or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: Timestamp,
}

/// A bulk termination run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRunRow {
    /// Derived from the reason and the list, so the same file resumes the same run.
    pub id: String,
    pub reason: String,
    pub source: String,
    pub total: i64,
    pub created_by: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A candidate for a forced termination, found by a selection report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateLine {
    pub line_id: i64,
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub category: CustomerCategory,
    pub opened_at: Timestamp,
    pub operator: OperatorId,
}

/// One line of a bulk run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkLineRow {
    pub run_id: String,
    pub line_no: i64,
    pub msisdn: String,
    /// `None` until processed; then `terminated`, `debt`, `already_terminated`…
    pub outcome: Option<String>,
    pub request_id: Option<i64>,
    pub detail: Option<String>,
}

/// The record of one destruction of personal data: what, whose, when, why and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructionActRow {
    pub id: i64,
    pub document_id: i64,
    pub request_id: i64,
    pub subscriber_id: i64,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    pub reason: String,
    pub actor: String,
    pub at: Timestamp,
}

/// Everything simexit knows of a number's holders, for the reassigned-number lookups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberHistory {
    pub number: Option<NumberRow>,
    /// Oldest first.
    pub past: Vec<PastEventRow>,
    /// Oldest first.
    pub periods: Vec<AssignmentRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub msisdn: Msisdn,
    pub iccid: Option<String>,
    pub operator: OperatorId,
    pub subscriber_id: i64,
    pub opened_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    // `balance` is derived: the sum of the line account's ledger entries.
    pub id: i64,
    pub msisdn: Msisdn,
    pub iccid: Option<String>,
    pub operator: OperatorId,
    pub subscriber_id: i64,
    pub state: LineState,
    pub balance: Money,
    pub opened_at: Timestamp,
    pub terminated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub line_id: i64,
    pub subscriber_id: i64,
    pub operator: OperatorId,
    pub msisdn: Msisdn,
    pub channel: Channel,
    pub reason: Reason,
    pub state: RequestState,
    /// The line's state before submission, restored on withdrawal or rejection.
    pub line_state_before: LineState,
    pub store_id: Option<String>,
    pub created_by: i64,
    pub created_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub review_deadline: Option<Timestamp>,
    pub review_deadline_date: Option<Date>,
    pub deadline_fallback: bool,
    pub overdue: bool,
    pub decided_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub aging_until: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The latest reviewer note: rejection reason or what information is requested.
    pub note: Option<String>,
    pub settlement: SettlementChoice,
    pub updated_at: Timestamp,
    /// Working days the review clock stood still while the subscriber was asked for more.
    pub review_paused_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub request_id: i64,
    pub at: Timestamp,
    /// `account:<id>` or `system`.
    pub actor: String,
    pub action: String,
    pub from_state: RequestState,
    pub to_state: RequestState,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub request_id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub from_state: RequestState,
    pub to_state: RequestState,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON object with the details (before/after, reason).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The operator the entry is about; `None` for what spans operators.
    pub operator: Option<OperatorId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    pub run_at: Timestamp,
    pub max_attempts: i64,
    /// At most one job with this key is ever scheduled.
    pub dedupe_key: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub run_at: Timestamp,
    pub attempts: i64,
    pub max_attempts: i64,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
}

/// A movement to record: entries summing to zero (checked by the domain's `Movement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    pub movement: simexit_domain::ledger::Movement,
    pub idempotency_key: String,
    pub reverses: Option<i64>,
    pub line_id: Option<i64>,
    pub at: Timestamp,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRow {
    pub id: i64,
    pub kind: simexit_domain::ledger::MovementKind,
    pub idempotency_key: String,
    pub memo: String,
    pub reverses: Option<i64>,
    pub line_id: Option<i64>,
    pub at: Timestamp,
    pub actor: String,
    pub entries: Vec<simexit_domain::ledger::Entry>,
}

/// One entry on an account, with its movement: a line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub movement_id: i64,
    pub kind: simexit_domain::ledger::MovementKind,
    pub memo: String,
    pub reverses: Option<i64>,
    pub at: Timestamp,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub line_id: i64,
    pub name: String,
    pub monthly_charge: Money,
    pub started_at: Timestamp,
    pub charged_until: Timestamp,
    pub stopped_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    pub id: i64,
    pub line_id: i64,
    pub request_id: Option<i64>,
    pub operator: OperatorId,
    pub amount: Money,
    /// `awaiting_details`, `requested`, `approved`, `paid`, `failed` or `cancelled`.
    pub state: String,
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    pub account: Option<String>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// How the money goes; the fields of that route only are set.
    pub route: simexit_domain::RefundRoute,
    /// SBP: the phone number (E.164) and the bank's NSPK member id.
    pub sbp_phone: Option<String>,
    pub sbp_bank: Option<String>,
    /// Card: the payment whose card is refunded.
    pub card_payment_id: Option<i64>,
    /// Cash: the store where it is paid out.
    pub cash_store_id: Option<String>,
    /// The payout's reference: the provider's refund id, or the cash voucher's number.
    pub payout_ref: Option<String>,
}

/// A bank of the Faster Payments System (SBP), by its NSPK member id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbpBankRow {
    /// The 12-digit NSPK member id (`100000000111`).
    pub id: String,
    pub name: String,
}

/// What a subscriber chose for the balance left on a line at termination.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettlementChoice {
    /// `transfer` or `refund`, or `None` when not chosen yet.
    pub kind: Option<simexit_domain::SettlementOption>,
    pub transfer_to_line: Option<i64>,
    pub refund_name: Option<String>,
    pub refund_bik: Option<String>,
    pub refund_account: Option<String>,
}

/// A rate-limit counter after one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    pub window_start: Timestamp,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetRow {
    pub id: i64,
    pub account_id: i64,
    pub code_hash: String,
    pub expires_at: Timestamp,
    pub attempts: i64,
    pub used_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// What the code opens: [`CODE_FOR_RESET`] a new password, [`CODE_FOR_SIGN_IN`] a session.
    pub purpose: &'static str,
}

/// A code sent to set a new password.
pub const CODE_FOR_RESET: &str = "reset";
/// A code sent to sign in (the SMS reached the SIM: the proof of holding the number).
pub const CODE_FOR_SIGN_IN: &str = "sign_in";

/// The purpose word as stored, mapped back to its constant.
pub fn code_purpose(stored: &str) -> &'static str {
    if stored == CODE_FOR_SIGN_IN { CODE_FOR_SIGN_IN } else { CODE_FOR_RESET }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub language: String,
    /// JSON with the template's values.
    pub payload: String,
    /// `pending`, `sending` (claimed by a dispatcher until its lease ends), `sent` or `parked`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When the message is due (its first attempt, a retry, or the end of a claim's lease).
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    /// The provider's id of the accepted message (SMTP Message-ID, SMPP message_id).
    pub provider_id: Option<String>,
    /// What the provider reported later (an SMPP delivery receipt's state).
    pub delivery: Option<String>,
    /// One message per key: an event queued twice is queued once.
    pub dedupe_key: Option<String>,
    pub request_id: Option<i64>,
}

impl OutboxRow {
    /// A message due now.
    pub fn new(
        channel: &str,
        recipient: &str,
        template: &str,
        language: &str,
        payload: String,
        now: Timestamp,
    ) -> Self {
        OutboxRow {
            id: 0,
            channel: channel.into(),
            recipient: recipient.into(),
            template: template.into(),
            language: language.into(),
            payload,
            status: "pending".into(),
            attempts: 0,
            last_error: None,
            created_at: now,
            sent_at: None,
            next_attempt_at: now,
            locked_until: None,
            provider_id: None,
            delivery: None,
            dedupe_key: None,
            request_id: None,
        }
    }
}

/// A line as the BSS knows it: its id there, the SIM's IMSI, and the last use the subscriber
/// made of it (a call, an SMS, data), as the BSS reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLink {
    pub line_id: i64,
    pub external_id: String,
    pub imsi: String,
    pub last_activity_at: Option<Timestamp>,
    pub last_activity_kind: Option<String>,
}

/// One file import: who brought which file in, when, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    /// `stores`, `subscribers`, `lines`, `services` or `numbers`.
    pub kind: String,
    pub file: String,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// Something simexit changed that the operator's other systems learn of: a request completed,
/// a line terminated, a number released, a refund paid. Ids grow in commit order per writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub at: Timestamp,
    /// `termination.completed`, `line.terminated`, `number.released`, `refund.paid`, …
    pub kind: String,
    /// The resource: `termination_request/12`, `line/3`, `number/+79…`, `refund/5`.
    pub subject: String,
    pub operator: Option<OperatorId>,
    /// The resource's facts as JSON.
    pub data: String,
}

/// Money that reached (or is on its way to) a line from outside: a payment started with a
/// provider and credited on its verified notification, or cash taken at a store's desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    /// A configured provider's name (`demo`, `gateway`, …), or `cash` at a store's desk.
    pub provider: String,
    /// The provider's id of the payment, or `<store>/<receipt number>` for cash; `None` until
    /// the provider has answered the start.
    pub provider_ref: Option<String>,
    pub line_id: i64,
    pub operator: OperatorId,
    pub amount: Money,
    pub status: simexit_domain::ledger::PaymentStatus,
    /// Where the payer confirms the payment (the provider's page).
    pub confirmation_url: Option<String>,
    /// The store whose desk took cash.
    pub store_id: Option<String>,
    /// Who started it: `subscriber:7`, `staff:clerk1`.
    pub started_by: String,
    pub created_at: Timestamp,
    /// When it was credited or given up.
    pub settled_at: Option<Timestamp>,
    /// The ledger movement that credited the line.
    pub movement_id: Option<i64>,
}

/// A webhook subscription: where simexit's events go, which ones, signed with its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    /// http(s) only.
    pub url: String,
    /// Comma-separated patterns of event types: `termination.*,number.released`.
    pub events: String,
    /// The signing secret, sealed at rest.
    pub secret: String,
    pub enabled: bool,
    /// Events of this operator only; `None` for all.
    pub operator: Option<OperatorId>,
    /// The last change fanned out into deliveries.
    pub last_change: i64,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// One event's delivery to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    /// The event: a row of `changes`.
    pub change_id: i64,
    /// The event's resource: deliveries of one resource go in order.
    pub subject: String,
    /// `pending`, `sending`, `delivered` or `parked`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub response_status: Option<i64>,
    pub delivered_at: Option<Timestamp>,
}
