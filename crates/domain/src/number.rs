//! The number inventory lifecycle (SPEC §7).
//!
//! `available → assigned → aging → available` (recycled), revocation `aging → assigned` to
//! the same holder, `assigned → ported_out`, and `available ⇄ reserved`. A number leaves
//! aging only when its release instant has passed.

use jiff::Timestamp;

crate::wire_enum! {
    pub enum NumberState {
        Available = "available",
        Assigned = "assigned",
        Aging = "aging",
        PortedOut = "ported_out",
        Reserved = "reserved",
    }
}

crate::wire_enum! {
    pub enum NumberEvent {
        Assign = "assign",
        StartAging = "start_aging",
        Revoke = "revoke",
        Release = "release",
        PortOut = "port_out",
        Reserve = "reserve",
        Unreserve = "unreserve",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberTransitionError {
    #[error("a number that is {from} cannot {event}")]
    Illegal { from: NumberState, event: NumberEvent },
    #[error("the number is frozen until {until}")]
    StillAging { until: Timestamp },
}

impl NumberState {
    pub fn next(self, event: NumberEvent) -> Result<NumberState, NumberTransitionError> {
        use NumberEvent as E;
        use NumberState as S;
        Ok(match (self, event) {
            (S::Available | S::Reserved, E::Assign) => S::Assigned,
            (S::Assigned, E::StartAging) => S::Aging,
            (S::Aging, E::Revoke) => S::Assigned,
            (S::Aging, E::Release) => S::Available,
            (S::Assigned, E::PortOut) => S::PortedOut,
            (S::Available, E::Reserve) => S::Reserved,
            (S::Reserved, E::Unreserve) => S::Available,
            (from, event) => return Err(NumberTransitionError::Illegal { from, event }),
        })
    }
}

/// Releases an aging number to the pool, but never before its freeze ends.
pub fn release(
    state: NumberState,
    aging_until: Option<Timestamp>,
    now: Timestamp,
) -> Result<NumberState, NumberTransitionError> {
    if let Some(until) = aging_until
        && now < until
    {
        return Err(NumberTransitionError::StillAging { until });
    }
    state.next(NumberEvent::Release)
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberEvent as E;
    use NumberState as S;

    #[test]
    fn a_number_is_recycled_through_aging() {
        let s = S::Available.next(E::Assign).unwrap().next(E::StartAging).unwrap();
        assert_eq!(s, S::Aging);
        assert_eq!(s.next(E::Revoke), Ok(S::Assigned));
        assert_eq!(s.next(E::Release), Ok(S::Available));
    }

    #[test]
    fn an_aging_number_cannot_be_assigned_or_released_early() {
        assert!(S::Aging.next(E::Assign).is_err());
        let until: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let before: Timestamp = "2026-05-31T23:59:59Z".parse().unwrap();
        assert_eq!(release(S::Aging, Some(until), before), Err(NumberTransitionError::StillAging { until }));
        assert_eq!(release(S::Aging, Some(until), until), Ok(S::Available));
    }

    #[test]
    fn a_ported_out_number_never_ages() {
        assert_eq!(S::Assigned.next(E::PortOut), Ok(S::PortedOut));
        assert!(S::PortedOut.next(E::StartAging).is_err());
        assert!(S::PortedOut.next(E::Assign).is_err());
    }
}
