//! Forced terminations (bulk runs, port-outs): the same completion as a single one.

use super::*;

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
