//! Termination requests: creation, the state machine's transitions with their side effects,
//! and the reviewer's queue.

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

/// Whether `who` may take `action` on `r`. Subscribers act on their own requests; reviewers
/// and admins decide for their operator; a clerk runs the whole in-store visit.
fn may(who: &Principal, r: &RequestRow, action: Action) -> bool {
    let owner = who.subscriber_id == Some(r.subscriber_id);
    let staff = who.staff_of(&r.operator);
    let reviewer = staff && who.is(&[Role::Reviewer, Role::Admin]);
    let clerk = staff && who.role == Role::Clerk;
    // A clerk acts on the in-store requests of their store and on those they started.
    let store_clerk = clerk && r.channel == Channel::Store && who.sees_request(r);
    match action {
        Action::Submit => (owner && r.channel == Channel::Online) || store_clerk || (staff && who.role == Role::Admin),
        Action::Withdraw => owner || store_clerk || (staff && who.role == Role::Admin),
        Action::Approve | Action::Reject | Action::RequestInfo | Action::Complete => reviewer || store_clerk,
        Action::ProvideInfo => owner || store_clerk,
        Action::Revoke => owner || (clerk && who.sees_request(r)) || (staff && who.role == Role::Admin),
        Action::EndAging => false,
    }
}

fn note(input: &TransitionInput, required_for: Option<&str>) -> Result<Option<String>> {
    let text = input.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(t) = text
        && t.chars().count() > MAX_NOTE
    {
        return Err(ServiceError::unprocessable(
            "reason_too_long",
            format!("the reason is longer than {MAX_NOTE} characters"),
        ));
    }
    if let (None, Some(what)) = (text, required_for) {
        return Err(ServiceError::unprocessable("reason_required", format!("{what} needs a `reason`")));
    }
    Ok(text.map(str::to_owned))
}

impl Service {
    /// The production calendar the operator's deadlines are counted in.
    fn calendar_of(&self, policy: &TerminationPolicy) -> Result<&simexit_domain::calendar::ProductionCalendar> {
        self.calendars
            .get(&policy.calendar)
            .ok_or_else(|| ServiceError::Internal(format!("calendar {} vanished", policy.calendar)))
    }

    fn review_deadline(&self, policy: &TerminationPolicy, from: Timestamp) -> Result<simexit_domain::Deadline> {
        let calendar = self.calendar_of(policy)?;
        let d = add_business_days(
            from,
            policy.review_sla_business_days,
            &policy.zone(),
            calendar,
            policy.calendar_fallback,
        )?;
        if d.fallback_used {
            tracing::warn!(
                operator = %policy.operator, calendar = %policy.calendar, deadline = %d.at,
                "review deadline computed by the weekday fallback: import the production calendar for this year"
            );
        }
        Ok(d)
    }

    /// The deadline when information arrives and the clock was paused: the working days
    /// left when the subscriber was asked (at least one, for reading what came) continue from
    /// today. Also the working days the clock stood still.
    fn resumed_deadline(
        &self,
        tx: &mut dyn Tx,
        policy: &TerminationPolicy,
        r: &RequestRow,
        now: Timestamp,
    ) -> Result<(simexit_domain::Deadline, u32)> {
        let calendar = self.calendar_of(policy)?;
        let zone = policy.zone();
        let asked = tx.events(r.id)?.into_iter().rev().find(|e| e.action == Action::RequestInfo.as_str());
        let (Some(asked), Some(due)) = (asked, r.review_deadline_date) else {
            return Ok((self.review_deadline(policy, now)?, 0));
        };
        let asked_on = asked.at.to_zoned(zone.clone()).date();
        let today = now.to_zoned(zone.clone()).date();
        let fallback = policy.calendar_fallback;
        let left = working_days_between(asked_on, due, calendar, fallback)?.max(1);
        let paused = working_days_between(asked_on, today, calendar, fallback)?;
        let d = add_business_days(now, left, &zone, calendar, fallback)?;
        Ok((d, paused))
    }

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

    /// Applies `action` to request `id` on behalf of `who`, with every side effect of that
    /// step, in one transaction.
    pub fn transition(
        &self,
        who: &Principal,
        id: i64,
        action: Action,
        input: TransitionInput,
    ) -> Result<RequestDetails> {
        let now = self.now();
        self.store.write(|tx| {
            let mut r = load_visible(tx, who, id)?;
            if !may(who, &r, action) {
                return Err(ServiceError::forbidden(format!("a {} cannot {} this request", who.role, action)));
            }
            let to = r.state.next(action)?;
            let policy = self.policy(&r.operator)?;
            let mut line =
                tx.line(r.line_id)?.ok_or_else(|| ServiceError::Internal(format!("request {id} has no line")))?;
            let reason = note(
                &input,
                match action {
                    Action::Reject => Some("a rejection"),
                    Action::RequestInfo => Some("a request for information"),
                    _ => None,
                },
            )?;
            // The subscriber uploads before submitting; staff submitting for them (an admin,
            // a clerk with the originals) vouch for the documents themselves.
            if action == Action::Submit && needs_uploads(&r) && who.subscriber_id == Some(r.subscriber_id) {
                let missing = self.missing_for(tx, &r)?;
                if let Some(b) = documents_blocker(missing) {
                    return Err(ServiceError::unprocessable("documents_missing", b.message));
                }
            }
            match action {
                Action::ProvideInfo if policy.sla_on_info == SlaOnInfo::Pause && r.review_deadline_date.is_some() => {
                    let (deadline, paused) = self.resumed_deadline(tx, policy, &r, now)?;
                    r.review_paused_days += i64::from(paused);
                    r.review_deadline = Some(deadline.at);
                    r.review_deadline_date = Some(deadline.local_date);
                    r.deadline_fallback = deadline.fallback_used;
                    r.overdue = false;
                    schedule(tx, jobs::REVIEW_OVERDUE, r.id, deadline.at, now)?;
                }
                Action::Submit | Action::ProvideInfo => {
                    let deadline = self.review_deadline(policy, now)?;
                    r.submitted_at.get_or_insert(now);
                    r.review_deadline = Some(deadline.at);
                    r.review_deadline_date = Some(deadline.local_date);
                    r.deadline_fallback = deadline.fallback_used;
                    r.overdue = false;
                    schedule(tx, jobs::REVIEW_OVERDUE, r.id, deadline.at, now)?;
                }
                Action::Approve | Action::Reject => r.decided_at = Some(now),
                Action::Complete => self.complete_in(tx, policy, &mut r, &mut line, now, &who.actor())?,
                Action::Revoke => self.revoke_in(tx, policy, &mut r, &mut line, now, &who.actor())?,
                Action::RequestInfo | Action::Withdraw | Action::EndAging => {}
            }
            if reason.is_some() {
                r.note = reason.clone();
            }
            let from = r.state;
            r.state = to;
            r.updated_at = now;
            line.state = LineState::for_request(to, r.line_state_before);
            tx.update_request(&r)?;
            tx.update_line(&line)?;
            step(tx, &r, now, &who.actor(), action.as_str(), from, to, reason.as_deref())?;
            self.notify_step(tx, policy, &r, action, reason.as_deref(), now)?;
            if matches!(to, RequestState::Rejected | RequestState::Withdrawn | RequestState::Revoked) {
                self.schedule_destruction(tx, &r, now)?;
            }
            // Completion and revocation move money, so the line's balance is read again; any
            // other step leaves the line as written here.
            let line = (!matches!(action, Action::Complete | Action::Revoke)).then_some(line);
            self.details_checked_with(tx, r, line, now)
        })
    }

    /// Completion: the line is terminated, the number frozen until the aging end, and the
    /// job that releases it is scheduled. Debt blocks it.
    fn complete_in(
        &self,
        tx: &mut dyn Tx,
        policy: &TerminationPolicy,
        r: &mut RequestRow,
        line: &mut LineRow,
        now: Timestamp,
        actor: &str,
    ) -> Result<()> {
        let mut number = inventory_number(tx, &r.msisdn)?;
        if number.line_id != Some(line.id) {
            return Err(ServiceError::conflict(
                "number_not_on_line",
                format!("{} is no longer held by this line", r.msisdn),
            ));
        }
        // A ported-out number is the recipient operator's from now: no aging, no revocation.
        let ported = r.reason == Reason::PortOut;
        let until = if ported { None } else { Some(aging_end(now, policy.aging_days, &policy.zone())?) };
        number.state = number.state.next(if ported { NumberEvent::PortOut } else { NumberEvent::StartAging })?;
        number.aging_until = until;
        number.updated_at = now;
        tx.update_number(&number)?;
        tx.close_assignment(&r.msisdn, now, if ported { "ported_out" } else { "terminated" })?;
        // Services billed to the termination instant and stopped, debt refused, balance
        // settled: the same code the final-bill preview runs, here for real.
        let bill = settle_and_bill(tx, policy, r, now, actor)?;
        let bill_text = serde_json::to_string(&bill).map_err(|e| ServiceError::Internal(e.to_string()))?;
        tx.save_final_bill(r.id, &bill_text, now)?;
        line.terminated_at = Some(now);
        let external = tx.line_link(line.id)?.map(|l| l.external_id);
        let data = serde_json::json!({
            "line_id": line.id, "line_external_id": external, "msisdn": line.msisdn.as_str(), "request_id": r.id,
            "aging_until": until,
        });
        crate::record::change(tx, now, "line.terminated", &format!("line/{}", line.id), Some(&r.operator), data)?;
        r.completed_at = Some(now);
        r.aging_until = until;
        self.issue_certificate(tx, policy, r, now, actor)?;
        self.start_deprovisioning(tx, r, now)?;
        match until {
            Some(until) => schedule(tx, jobs::END_AGING, r.id, until, now),
            None => Ok(()),
        }
    }

    /// Revocation during aging: the same line and number come back to the same subscriber.
    fn revoke_in(
        &self,
        tx: &mut dyn Tx,
        policy: &TerminationPolicy,
        r: &mut RequestRow,
        line: &mut LineRow,
        now: Timestamp,
        actor: &str,
    ) -> Result<()> {
        if !policy.revocation_allowed {
            return Err(ServiceError::unprocessable(
                "revocation_not_allowed",
                format!("{} does not allow revoking a termination", policy.name),
            ));
        }
        let until = r
            .aging_until
            .ok_or_else(|| ServiceError::Internal(format!("completed request {} has no aging end", r.id)))?;
        if now >= until {
            return Err(ServiceError::conflict(
                "aging_over",
                format!("the freeze ended at {until}; the number may be reassigned"),
            ));
        }
        let mut number = inventory_number(tx, &r.msisdn)?;
        number.state = number.state.next(NumberEvent::Revoke)?;
        number.aging_until = None;
        number.line_id = Some(line.id);
        number.subscriber_id = Some(line.subscriber_id);
        number.updated_at = now;
        tx.update_number(&number)?;
        tx.open_assignment(&NewAssignment {
            msisdn: r.msisdn.clone(),
            subscriber_id: line.subscriber_id,
            line_id: line.id,
            from: now,
        })?;
        undo_settlement(tx, r, now, actor)?;
        // The services completion stopped run again from now (the frozen days are not billed).
        if let Some(completed) = r.completed_at {
            for service in tx.services_of(line.id)? {
                if service.stopped_at == Some(completed) {
                    crate::money::start_service(tx, line.id, &service.name, service.monthly_charge, now, actor)?;
                }
            }
        }
        line.terminated_at = None;
        self.start_restoring(tx, r, now)
    }
}

/// What a forced termination did, or would do, to one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forced {
    Terminated {
        request_id: i64,
    },
    /// No line of this operator's holds the number.
    UnknownNumber,
    /// The line is already terminated (or in its aging).
    AlreadyTerminated,
    /// A request for the line is in progress.
    OpenRequest {
        request_id: i64,
    },
    /// The line owes money: completion is refused, as for a single termination.
    Debt {
        amount: simexit_domain::Money,
    },
}

impl Forced {
    /// The stable code used in reports.
    pub fn code(&self) -> &'static str {
        match self {
            Forced::Terminated { .. } => "terminated",
            Forced::UnknownNumber => "unknown_number",
            Forced::AlreadyTerminated => "already_terminated",
            Forced::OpenRequest { .. } => "open_request",
            Forced::Debt { .. } => "debt",
        }
    }
}

impl Service {
    /// Terminates the line holding `msisdn` for a forced `reason`, in `tx`: the same steps and
    /// completion as a single termination (settlement, final bill, aging, certificate,
    /// notifications, network, audit), recorded as create → submit → approve → complete by
    /// `who`. Anything that would stop a single termination stops it here too.
    pub(crate) fn force_terminate(
        &self,
        tx: &mut dyn Tx,
        who: &Principal,
        msisdn: &simexit_domain::Msisdn,
        reason: Reason,
        now: Timestamp,
    ) -> Result<Forced> {
        let Some(mut line) = tx.line_by_msisdn(msisdn)?.filter(|l| who.staff_of(&l.operator)) else {
            return Ok(Forced::UnknownNumber);
        };
        if !matches!(line.state, LineState::Active | LineState::Suspended) {
            return Ok(match tx.open_request_for_line(line.id)? {
                Some(open) => Forced::OpenRequest { request_id: open.id },
                None => Forced::AlreadyTerminated,
            });
        }
        if let Some(open) = tx.open_request_for_line(line.id)? {
            return Ok(Forced::OpenRequest { request_id: open.id });
        }
        let debt = debt_of(tx, &line, now)?;
        if debt.is_positive() {
            return Ok(Forced::Debt { amount: debt });
        }
        let policy = self.policy(&line.operator)?;
        let mut r = RequestRow {
            id: 0,
            line_id: line.id,
            subscriber_id: line.subscriber_id,
            operator: line.operator.clone(),
            msisdn: line.msisdn.clone(),
            channel: Channel::Online,
            reason,
            state: RequestState::Draft,
            line_state_before: line.state,
            store_id: None,
            created_by: who.account_id,
            created_at: now,
            submitted_at: Some(now),
            review_deadline: None,
            review_deadline_date: None,
            deadline_fallback: false,
            overdue: false,
            decided_at: Some(now),
            completed_at: None,
            aging_until: None,
            closed_at: None,
            note: Some(format!("forced termination: {reason}")),
            settlement: Default::default(),
            updated_at: now,
            review_paused_days: 0,
        };
        r.id = tx.insert_request(&r)?;
        let actor = who.actor();
        let note = format!("forced termination: {reason}");
        step(tx, &r, now, &actor, "create", RequestState::Draft, RequestState::Draft, Some(&note))?;
        // A port-out closes at once: the number has left, nothing ages or can be revoked.
        let actions: &[Action] = if reason == Reason::PortOut {
            &[Action::Submit, Action::Approve, Action::Complete, Action::EndAging]
        } else {
            &[Action::Submit, Action::Approve, Action::Complete]
        };
        for &action in actions {
            let to = r.state.next(action)?;
            if action == Action::Complete {
                self.complete_in(tx, policy, &mut r, &mut line, now, &actor)?;
            }
            step(tx, &r, now, &actor, action.as_str(), r.state, to, Some(&note))?;
            r.state = to;
        }
        if r.state == RequestState::Closed {
            r.closed_at = Some(now);
        }
        line.state = LineState::for_request(r.state, r.line_state_before);
        r.updated_at = now;
        tx.update_request(&r)?;
        tx.update_line(&line)?;
        self.notify_step(tx, policy, &r, Action::Complete, None, now)?;
        Ok(Forced::Terminated { request_id: r.id })
    }
}
