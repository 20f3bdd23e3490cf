//! Termination requests: creation, reading and the reviewer's queue here; review deadlines in
//! `deadlines`, the state machine's steps in `transition`, what completion and revocation do in
//! `completion`, forced terminations in `forced`.

use jiff::Timestamp;
use simexit_domain::access::Role;
use simexit_domain::calendar::{add_business_days, aging_end, working_days_between};
use simexit_domain::document::DocumentKind;
use simexit_domain::eligibility::{Blocker, debt_blocker, documents_blocker};

use crate::money::{debt_of, settle_and_bill, undo_settlement};
use simexit_domain::number::NumberEvent;
use simexit_domain::policy::SlaOnInfo;
use simexit_domain::{Action, Channel, LineState, Reason, RequestState, TerminationPolicy};
use simexit_store::{EventRow, LineRow, NewAssignment, RequestRow, StoreExt, Tx};

use crate::record::{inventory_number, schedule, step};
use crate::{Principal, Result, Service, ServiceError, jobs};

mod completion;
mod deadlines;
mod forced;
mod transition;

pub use forced::Forced;

#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub line_id: i64,
    pub channel: Channel,
    pub reason: Option<Reason>,
    pub store_id: Option<String>,
}

/// What a caller may attach to a transition: a rejection reason, the information requested
/// or provided, a withdrawal note.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RequestDetails {
    pub request: RequestRow,
    pub line: LineRow,
    pub events: Vec<EventRow>,
    pub blocking: Vec<Blocker>,
}

const MAX_NOTE: usize = 2_000;

/// The request `id` if `who` may see it ([`Principal::sees_request`]); 404 otherwise.
pub(crate) fn load_visible(tx: &mut dyn Tx, who: &Principal, id: i64) -> Result<RequestRow> {
    tx.request(id)?.filter(|r| who.sees_request(r)).ok_or_else(|| ServiceError::not_found("termination request", id))
}

fn details(tx: &mut dyn Tx, request: RequestRow, now: Timestamp) -> Result<RequestDetails> {
    let line = tx
        .line(request.line_id)?
        .ok_or_else(|| ServiceError::Internal(format!("request {} has no line", request.id)))?;
    details_with(tx, request, line, now)
}

/// Online requests need the policy's documents before they are submitted; in a store the
/// clerk checks the originals.
fn needs_uploads(r: &RequestRow) -> bool {
    r.channel == Channel::Online && matches!(r.state, RequestState::Draft | RequestState::InfoRequested)
}

impl Service {
    /// The request's details, with the documents still to upload among what blocks it.
    fn details_checked(&self, tx: &mut dyn Tx, request: RequestRow, now: Timestamp) -> Result<RequestDetails> {
        self.details_checked_with(tx, request, None, now)
    }

    /// [`Self::details_checked`] with the request's line when the caller holds it as written.
    fn details_checked_with(
        &self,
        tx: &mut dyn Tx,
        request: RequestRow,
        line: Option<LineRow>,
        now: Timestamp,
    ) -> Result<RequestDetails> {
        let missing = if needs_uploads(&request) { self.missing_for(tx, &request)? } else { Vec::new() };
        let mut d = match line {
            Some(line) => details_with(tx, request, line, now)?,
            None => details(tx, request, now)?,
        };
        d.request = self.open_request(d.request)?;
        d.blocking.extend(documents_blocker(missing));
        Ok(d)
    }

    fn missing_for(&self, tx: &mut dyn Tx, request: &RequestRow) -> Result<Vec<DocumentKind>> {
        let category = tx
            .subscriber(request.subscriber_id)?
            .ok_or_else(|| ServiceError::Internal(format!("request {} has no subscriber", request.id)))?
            .category;
        self.missing_documents(tx, request, category)
    }
}

fn details_with(tx: &mut dyn Tx, request: RequestRow, line: LineRow, now: Timestamp) -> Result<RequestDetails> {
    let events = tx.events(request.id)?;
    let mut blocking = Vec::new();
    if request.state.is_open() {
        let debt = debt_of(tx, &line, now)?;
        blocking.extend(debt_blocker(-debt));
    }
    Ok(RequestDetails { request, line, events, blocking })
}

impl Service {
    pub fn create_request(&self, who: &Principal, input: CreateRequest) -> Result<RequestDetails> {
        let now = self.now();
        self.store.write(|tx| {
            let line = tx
                .line(input.line_id)?
                .filter(|l| who.can_see(l.subscriber_id, &l.operator))
                .ok_or_else(|| ServiceError::not_found("line", input.line_id))?;
            let policy = self.policy(&line.operator)?;
            match (who.role, input.channel) {
                (Role::Subscriber, Channel::Store) => {
                    return Err(ServiceError::unprocessable(
                        "store_request_needs_clerk",
                        "an in-store request is filed by a clerk during the visit",
                    ));
                }
                (Role::Subscriber | Role::Admin, _) | (Role::Clerk, Channel::Store) => {}
                _ => {
                    return Err(ServiceError::forbidden(format!(
                        "a {} cannot file {} requests",
                        who.role, input.channel
                    )));
                }
            }
            if !policy.allows(input.channel) {
                return Err(match input.channel {
                    Channel::Online => ServiceError::unprocessable(
                        "store_visit_required",
                        format!(
                            "{} accepts terminations only in a store: bring your documents to one of its stores",
                            policy.name
                        ),
                    ),
                    Channel::Store => ServiceError::unprocessable(
                        "channel_not_offered",
                        format!("{} does not accept terminations in stores", policy.name),
                    ),
                });
            }
            let reason = input.reason.unwrap_or(Reason::Voluntary);
            if reason == Reason::PortOut {
                return Err(ServiceError::unprocessable(
                    "reason_not_allowed",
                    "a port-out is recorded on its number: POST /api/v1/numbers/{msisdn}/port-out",
                ));
            }
            if who.role == Role::Subscriber && reason != Reason::Voluntary {
                return Err(ServiceError::unprocessable(
                    "reason_not_allowed",
                    "a subscriber's own request is voluntary",
                ));
            }
            if let Some(open) = tx.open_request_for_line(line.id)? {
                return Err(ServiceError::conflict(
                    "request_already_open",
                    format!("request {} for this line is already {}", open.id, open.state),
                ));
            }
            if !matches!(line.state, LineState::Active | LineState::Suspended) {
                return Err(ServiceError::conflict("line_not_active", format!("the line is {}", line.state)));
            }
            let store_id = match input.channel {
                Channel::Store => input.store_id.clone().or_else(|| who.store_id.clone()),
                Channel::Online => None,
            };
            let mut row = RequestRow {
                id: 0,
                line_id: line.id,
                subscriber_id: line.subscriber_id,
                operator: line.operator.clone(),
                msisdn: line.msisdn.clone(),
                channel: input.channel,
                reason,
                state: RequestState::Draft,
                line_state_before: line.state,
                store_id,
                created_by: who.account_id,
                created_at: now,
                submitted_at: None,
                review_deadline: None,
                review_deadline_date: None,
                deadline_fallback: false,
                overdue: false,
                decided_at: None,
                completed_at: None,
                aging_until: None,
                closed_at: None,
                note: None,
                settlement: Default::default(),
                updated_at: now,
                review_paused_days: 0,
            };
            row.id = tx.insert_request(&row)?;
            step(tx, &row, now, &who.actor(), "create", RequestState::Draft, RequestState::Draft, None)?;
            self.details_checked(tx, row, now)
        })
    }

    pub fn request(&self, who: &Principal, id: i64) -> Result<RequestDetails> {
        let now = self.now();
        self.store.read(|tx| {
            let r = load_visible(tx, who, id)?;
            self.details_checked(tx, r, now)
        })
    }

    pub fn my_requests(&self, who: &Principal) -> Result<Vec<RequestRow>> {
        let Some(sub) = who.subscriber_id else {
            return Ok(Vec::new());
        };
        let rows = self.store.read(|tx| tx.requests_of(sub))?;
        rows.into_iter().map(|r| self.open_request(r)).collect()
    }

    /// Requests awaiting a decision in the reviewer's scope, earliest deadline first.
    pub fn review_queue(&self, who: &Principal, limit: u32) -> Result<Vec<RequestRow>> {
        who.require(&[Role::Reviewer, Role::Admin, Role::Auditor], "see the review queue")?;
        let rows = self.store.read(|tx| tx.review_queue(who.operator.as_ref(), limit.clamp(1, 500)))?;
        rows.into_iter().map(|r| self.open_request(r)).collect()
    }
}
