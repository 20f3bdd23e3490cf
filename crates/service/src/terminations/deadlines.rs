//! Review deadlines: counted in business days of the operator's production calendar, and
//! resumed after a pause for information.

use super::*;

impl Service {
    /// The production calendar the operator's deadlines are counted in.
    pub(super) fn calendar_of(
        &self,
        policy: &TerminationPolicy,
    ) -> Result<&simexit_domain::calendar::ProductionCalendar> {
        self.calendars
            .get(&policy.calendar)
            .ok_or_else(|| ServiceError::Internal(format!("calendar {} vanished", policy.calendar)))
    }

    pub(super) fn review_deadline(
        &self,
        policy: &TerminationPolicy,
        from: Timestamp,
    ) -> Result<simexit_domain::Deadline> {
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
    pub(super) fn resumed_deadline(
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
}
