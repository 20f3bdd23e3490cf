//! Completion and revocation: what they do to the line, the number and the money.

use super::*;

impl Service {
    /// Completion: the line is terminated, the number frozen until the aging end, and the
    /// job that releases it is scheduled. Debt blocks it.
    pub(super) fn complete_in(
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
    pub(super) fn revoke_in(
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
