//! The state machine's transitions: who may take each step, and the step with every side
//! effect, in one transaction.

use super::*;

/// Whether `who` may take `action` on `r`. Subscribers act on their own requests; reviewers
/// and admins decide for their operator; a clerk runs the whole in-store visit.
pub(super) fn may(who: &Principal, r: &RequestRow, action: Action) -> bool {
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

pub(super) fn note(input: &TransitionInput, required_for: Option<&str>) -> Result<Option<String>> {
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
}
