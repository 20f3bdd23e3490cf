//! The JSON shapes of the API (snake_case, amounts in kopecks, instants in UTC RFC 3339).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use simexit_domain::access::Role;
use simexit_domain::eligibility::Blocker;
use simexit_domain::number::NumberState;
use simexit_domain::{Channel, CustomerCategory, LineState, Money, Msisdn, OperatorId, Reason, RequestState};
use simexit_service::{NumberInfo, RequestDetails};
use simexit_store::{EventRow, LineRow, RequestRow};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct LineView {
    pub id: i64,
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: LineState,
    /// Current balance in kopecks; negative is debt.
    pub balance: Money,
    pub iccid: Option<String>,
    pub subscriber_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub terminated_at: Option<Timestamp>,
}

impl From<LineRow> for LineView {
    fn from(l: LineRow) -> Self {
        LineView {
            id: l.id,
            msisdn: l.msisdn,
            operator: l.operator,
            state: l.state,
            balance: l.balance,
            iccid: l.iccid,
            subscriber_id: l.subscriber_id,
            opened_at: l.opened_at,
            terminated_at: l.terminated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `account:<id>` or `system`.
    pub actor: String,
    pub action: String,
    pub from: RequestState,
    pub to: RequestState,
    pub reason: Option<String>,
}

impl From<EventRow> for EventView {
    fn from(e: EventRow) -> Self {
        EventView { at: e.at, actor: e.actor, action: e.action, from: e.from_state, to: e.to_state, reason: e.reason }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub line_id: i64,
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub channel: Channel,
    pub reason: Reason,
    pub state: RequestState,
    pub store_id: Option<String>,
    /// End of the review SLA: 24:00 operator-local time of the last business day, in UTC.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub review_deadline: Option<Timestamp>,
    /// The operator-local date the review deadline falls on.
    #[schema(value_type = Option<String>, format = Date)]
    pub review_deadline_date: Option<Date>,
    /// True when the deadline was computed by the weekday fallback (calendar year unknown).
    pub deadline_fallback: bool,
    /// True while the subscriber is asked for information: the review clock stands still
    /// (policy `sla_on_info = "pause"`: the working days left continue when it arrives;
    /// `"restart"`: the full review time starts again).
    pub review_paused: bool,
    /// Working days the review clock has stood still so far.
    pub review_paused_days: i64,
    pub overdue: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<Timestamp>,
    /// When the number's freeze ends (revocation possible until then).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub aging_until: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// The latest reviewer note: rejection reason or information requested.
    pub note: Option<String>,
    /// What stops completion right now (e.g. debt, with its amount).
    pub blocking: Vec<Blocker>,
    /// What happens to the balance at completion.
    pub settlement: SettlementView,
    pub line: Option<LineView>,
    pub events: Vec<EventView>,
}

impl RequestView {
    pub fn summary(r: RequestRow) -> Self {
        RequestView {
            id: r.id,
            line_id: r.line_id,
            msisdn: r.msisdn,
            operator: r.operator,
            channel: r.channel,
            reason: r.reason,
            state: r.state,
            store_id: r.store_id,
            review_deadline: r.review_deadline,
            review_deadline_date: r.review_deadline_date,
            deadline_fallback: r.deadline_fallback,
            review_paused: r.state == RequestState::InfoRequested,
            review_paused_days: r.review_paused_days,
            overdue: r.overdue,
            created_at: r.created_at,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            completed_at: r.completed_at,
            aging_until: r.aging_until,
            closed_at: r.closed_at,
            note: r.note,
            settlement: r.settlement.into(),
            blocking: Vec::new(),
            line: None,
            events: Vec::new(),
        }
    }
}

impl From<RequestDetails> for RequestView {
    fn from(d: RequestDetails) -> Self {
        RequestView {
            blocking: d.blocking,
            line: Some(d.line.into()),
            events: d.events.into_iter().map(EventView::from).collect(),
            ..RequestView::summary(d.request)
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HolderPeriod {
    pub subscriber_id: i64,
    pub line_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    /// Absent while the period is open.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// `terminated` or `ported_out`.
    pub end_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NumberView {
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: NumberState,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub aging_until: Option<Timestamp>,
    pub line_id: Option<i64>,
    /// Since when simexit knows this number's history.
    #[schema(value_type = String, format = DateTime)]
    pub history_since: Timestamp,
    pub history: Vec<HolderPeriod>,
}

impl From<NumberInfo> for NumberView {
    fn from(n: NumberInfo) -> Self {
        NumberView {
            msisdn: n.number.msisdn,
            operator: n.number.operator,
            state: n.number.state,
            aging_until: n.number.aging_until,
            line_id: n.number.line_id,
            history_since: n.number.history_since,
            history: n
                .history
                .into_iter()
                .map(|a| HolderPeriod {
                    subscriber_id: a.subscriber_id,
                    line_id: a.line_id,
                    from: a.from,
                    to: a.to,
                    end_reason: a.end_reason,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub login: String,
    pub password: String,
    /// `cookie` for pages: the session is set as an HttpOnly cookie and a CSRF token is
    /// returned instead of a bearer token.
    pub session: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginView {
    /// The bearer token (absent for cookie sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// For cookie sessions: send it as `X-CSRF-Token` with every request that changes state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    pub role: Role,
    pub operator: Option<OperatorId>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTerminationBody {
    pub line_id: i64,
    pub channel: Channel,
    /// Staff only; a subscriber's own request is `voluntary`.
    pub reason: Option<Reason>,
    /// For in-store requests: the store; defaults to the clerk's.
    pub store_id: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Rejection reason, information requested or provided, or a note.
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenLineBody {
    pub operator: OperatorId,
    /// Subscriber by account login or numeric id.
    #[schema(value_type = String)]
    pub subscriber: serde_json::Value,
    pub iccid: Option<String>,
    /// Opening balance in kopecks.
    pub balance: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityBody {
    pub operator: Option<OperatorId>,
    pub customer_category: Option<CustomerCategory>,
    pub line_id: Option<i64>,
    /// As typed: `+7 916 123-45-67`, `8 (916) 123 45 67`…
    pub msisdn: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OperatorView {
    pub id: OperatorId,
    pub name: String,
    pub inn: String,
    pub channels: Vec<Channel>,
    pub illustrative: bool,
    pub hotline: String,
    pub website: String,
}

#[derive(Serialize, ToSchema)]
pub struct StoreView {
    pub id: String,
    pub operator: OperatorId,
    pub name: String,
    pub address: String,
    pub region: String,
    pub time_zone: String,
    /// The store's local date and time now.
    pub local_time: String,
    pub open_now: bool,
    /// Today's local opening hours, `HH:MM-HH:MM`, or absent when closed today.
    pub today: Option<String>,
    #[schema(value_type = Object)]
    pub hours: serde_json::Value,
    /// The hours as the operator writes them: `mon-fri 09:00-13:00,14:00-21:00; sun closed`.
    pub hours_text: String,
    /// The coming 60 days whose hours are not the week's usual ones: federal days off
    /// (closed), shortened pre-holiday days (an hour early), the store's own exceptions.
    pub unusual_days: Vec<UnusualDay>,
    pub accepts_terminations: bool,
    pub recycles_sims: bool,
    pub wait_minutes: i64,
    /// `store` or `recycling_point` (takes SIM cards back for recycling only).
    pub kind: String,
    /// The store's phone ("" when none).
    pub phone: String,
}

/// A day whose hours differ from the week's usual ones.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnusualDay {
    #[schema(value_type = String, format = Date)]
    pub date: jiff::civil::Date,
    /// That day's hours (`10:00-17:00`); absent when closed all day.
    pub hours: Option<String>,
}

impl StoreView {
    /// A store as its visitors see it now: local time, today's hours, open or not (the
    /// federal production calendar closes it on declared days off, an hour early on
    /// shortened days).
    pub fn of(s: simexit_store::StoreRow, now: jiff::Timestamp, calendars: &simexit_domain::CalendarSet) -> StoreView {
        let calendar = calendars.get("ru-federal");
        let hours: simexit_domain::store_hours::OpeningHours = serde_json::from_str(&s.hours).unwrap_or_default();
        let zone = jiff::tz::TimeZone::get(&s.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = now.to_zoned(zone.clone());
        StoreView {
            open_now: hours.is_open(now, &zone, calendar),
            today: hours.today(local.date(), calendar),
            local_time: local.strftime("%Y-%m-%dT%H:%M%:z").to_string(),
            hours: serde_json::to_value(&hours).unwrap_or_default(),
            hours_text: hours.to_text(),
            unusual_days: hours
                .unusual_days(local.date(), 60, calendar)
                .into_iter()
                .map(|(date, hours)| UnusualDay { date, hours })
                .collect(),
            id: s.id,
            operator: s.operator,
            name: s.name,
            address: s.address,
            region: s.region,
            time_zone: s.time_zone,
            accepts_terminations: s.accepts_terminations,
            kind: s.kind,
            phone: s.phone,
            recycles_sims: s.recycles_sims,
            wait_minutes: s.wait_minutes,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevClockBody {
    #[serde(default)]
    pub advance_days: u32,
    #[serde(default)]
    pub advance_hours: u32,
}

#[derive(Serialize, ToSchema)]
pub struct DevClockView {
    #[schema(value_type = String, format = DateTime)]
    pub now: Timestamp,
    /// How far the clock is ahead of the wall clock, in seconds.
    pub offset_seconds: i64,
    pub jobs_run: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceView {
    pub id: i64,
    pub name: String,
    /// Kopecks per calendar month from the start day, billed in arrears.
    pub monthly_charge: Money,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub charged_until: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<Timestamp>,
}

impl From<simexit_store::ServiceRow> for ServiceView {
    fn from(s: simexit_store::ServiceRow) -> Self {
        ServiceView {
            id: s.id,
            name: s.name,
            monthly_charge: s.monthly_charge,
            started_at: s.started_at,
            charged_until: s.charged_until,
            stopped_at: s.stopped_at,
        }
    }
}

/// A line with its paid add-on services ("small deductions").
#[derive(Serialize, ToSchema)]
pub struct MyLineView {
    #[serde(flatten)]
    pub line: LineView,
    pub services: Vec<ServiceView>,
    /// What the active services cost per month, in kopecks.
    pub monthly_charges: Money,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    /// `charge` (an extra charge) or `write_off` (forgive debt).
    pub kind: simexit_domain::ledger::MovementKind,
    /// Kopecks, positive.
    pub amount: i64,
    /// Why; shown on the statement.
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceBody {
    pub name: String,
    /// Kopecks per month.
    pub monthly_charge: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementBody {
    /// `transfer` or `refund`.
    pub option: simexit_domain::SettlementOption,
    /// For `transfer`: another active line of the same subscriber and operator.
    pub to_line_id: Option<i64>,
    /// For `refund`: the account holder, the bank's BIK (9 digits) and the 20-digit account.
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    pub account: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SettlementView {
    pub option: Option<simexit_domain::SettlementOption>,
    pub to_line_id: Option<i64>,
    pub recipient_name: Option<String>,
    /// Masked: first five and last four digits.
    pub account: Option<String>,
}

impl From<simexit_store::SettlementChoice> for SettlementView {
    fn from(c: simexit_store::SettlementChoice) -> Self {
        SettlementView {
            option: c.kind,
            to_line_id: c.transfer_to_line,
            recipient_name: c.refund_name,
            account: c.refund_account.as_deref().map(mask_account),
        }
    }
}

pub fn mask_account(account: &str) -> String {
    if account.len() == 20 { format!("{}…{}", &account[..5], &account[16..]) } else { "…".into() }
}

#[derive(Serialize, ToSchema)]
pub struct RefundView {
    pub id: i64,
    pub line_id: i64,
    pub request_id: Option<i64>,
    pub operator: OperatorId,
    pub amount: Money,
    /// `awaiting_details`, `requested`, `approved`, `paid`, `failed` or `cancelled`.
    pub state: String,
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    /// Masked account number.
    pub account: Option<String>,
    /// Why it failed or was cancelled.
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Seconds since the refund was created (for the staff queue).
    pub age_seconds: i64,
    /// How it is paid: `bank_account`, `sbp`, `card` or `cash`.
    pub route: simexit_domain::RefundRoute,
    /// sbp: the phone number, masked, and the bank's NSPK id.
    pub sbp_phone: Option<String>,
    pub sbp_bank: Option<String>,
    /// card: the payment whose card is refunded.
    pub card_payment_id: Option<i64>,
    /// cash: the store where it is collected.
    pub cash_store_id: Option<String>,
    /// The provider's refund id, or the cash voucher's number, once paid.
    pub payout_ref: Option<String>,
}

impl RefundView {
    pub fn new(r: simexit_store::RefundRow, now: Timestamp) -> Self {
        RefundView {
            age_seconds: (now.as_second() - r.created_at.as_second()).max(0),
            id: r.id,
            line_id: r.line_id,
            request_id: r.request_id,
            operator: r.operator,
            amount: r.amount,
            state: r.state,
            recipient_name: r.recipient_name,
            bik: r.bik,
            account: r.account.as_deref().map(mask_account),
            reason: r.reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
            route: r.route,
            sbp_phone: r.sbp_phone.as_deref().map(mask_phone),
            sbp_bank: r.sbp_bank,
            card_payment_id: r.card_payment_id,
            cash_store_id: r.cash_store_id,
            payout_ref: r.payout_ref,
        }
    }
}

/// `+7 *** ***-45-67`: enough for the holder to recognise, not to reuse.
fn mask_phone(p: &str) -> String {
    let tail: String = p.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("+7 *** ***-{}-{}", &tail[..2.min(tail.len())], &tail[2.min(tail.len())..])
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundDetailsBody {
    /// `bank_account` (the default), `sbp`, `card` or `cash`: one the operator's policy offers
    /// the subscriber's category.
    #[serde(default)]
    pub route: Option<simexit_domain::RefundRoute>,
    /// The account holder (bank_account) or the SBP recipient.
    #[serde(default)]
    pub recipient_name: Option<String>,
    /// bank_account: the bank's BIK (9 digits).
    #[serde(default)]
    pub bik: Option<String>,
    /// bank_account: the 20-digit account.
    #[serde(default)]
    pub account: Option<String>,
    /// sbp: the recipient's Russian phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// sbp: the bank's NSPK member id (`GET /api/v1/sbp-banks`).
    #[serde(default)]
    pub bank_id: Option<String>,
    /// cash: the operator's store where the cash is collected.
    #[serde(default)]
    pub store_id: Option<String>,
}

impl RefundDetailsBody {
    pub fn details(self) -> simexit_service::RefundDetails {
        use simexit_service::RefundDetails as D;
        let text = |v: Option<String>| v.unwrap_or_default();
        match self.route.unwrap_or(simexit_domain::RefundRoute::BankAccount) {
            simexit_domain::RefundRoute::BankAccount => {
                D::BankAccount { name: text(self.recipient_name), bik: text(self.bik), account: text(self.account) }
            }
            simexit_domain::RefundRoute::Sbp => {
                D::Sbp { name: text(self.recipient_name), phone: text(self.phone), bank_id: text(self.bank_id) }
            }
            simexit_domain::RefundRoute::Card => D::Card,
            simexit_domain::RefundRoute::Cash => D::Cash { store_id: text(self.store_id) },
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashPayoutBody {
    /// The number of the cash voucher (расходный кассовый ордер) the subscriber signed.
    pub voucher_number: String,
    /// The subscriber signed the voucher: cash is not handed over without it.
    pub signed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct StatementEntryView {
    pub movement_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub kind: simexit_domain::ledger::MovementKind,
    pub memo: String,
    /// Signed kopecks on the line's account: positive adds to the balance.
    pub amount: Money,
    /// The movement this one reverses.
    pub reverses: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StatementView {
    pub line_id: i64,
    pub balance: Money,
    pub entries: Vec<StatementEntryView>,
}
