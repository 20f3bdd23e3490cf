//! The JSON shapes of termination requests and their events.

use super::*;

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
