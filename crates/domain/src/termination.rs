//! The termination request state machine (SPEC §3).
//!
//! ```text
//! draft ──submit──▶ submitted ──(review)──▶ approved ──complete──▶ completed ──revoke──▶ revoked
//!   │                 │   ▲                                        │ (aging ends)
//!   │                 │   └─ info_provided ◀─ info_requested       ▼
//!   └─withdraw─▶ withdrawn ◀── withdraw ──┘   └──▶ rejected      closed (number recycled)
//! ```
//!
//! `info_provided` is back in review: the reviewer may approve, reject or ask again. The
//! subscriber may withdraw until the request is approved. Every transition not listed in
//! [`RequestState::next`] is an [`IllegalTransition`], never a silent no-op.

crate::wire_enum! {
    pub enum RequestState {
        Draft = "draft",
        Submitted = "submitted",
        InfoRequested = "info_requested",
        InfoProvided = "info_provided",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Completed = "completed",
        Revoked = "revoked",
        Closed = "closed",
    }
}

crate::wire_enum! {
    pub enum Action {
        Submit = "submit",
        Withdraw = "withdraw",
        Approve = "approve",
        Reject = "reject",
        RequestInfo = "request_info",
        ProvideInfo = "provide_info",
        Complete = "complete",
        Revoke = "revoke",
        /// Taken by the system when the aging period ends.
        EndAging = "end_aging",
    }
}

crate::wire_enum! {
    /// Why a line is being terminated.
    pub enum Reason {
        Voluntary = "voluntary",
        OverLimit = "over_limit",
        NonUse = "non_use",
        Corporate = "corporate",
        Operator = "operator",
        /// The number left for another operator by number portability.
        PortOut = "port_out",
    }
}

impl Reason {
    /// The reason as a person reads it, on pages, certificates and messages.
    pub fn words(self, lang: crate::Language) -> &'static str {
        let [ru, en, zh] = match self {
            Reason::Voluntary => ["по желанию абонента", "at the subscriber's wish", "用户申请"],
            Reason::OverLimit => {
                ["превышен лимит номеров на человека", "over the per-person limit of numbers", "超出每人号码数量上限"]
            }
            Reason::NonUse => ["номер не использовался 90 дней", "unused for 90 days", "90 天未使用"],
            Reason::Corporate => ["по заявлению организации", "corporate contract closed", "企业合同终止"],
            Reason::Operator => ["по инициативе оператора", "by the operator", "运营商发起"],
            Reason::PortOut => {
                ["переход к другому оператору с сохранением номера", "number ported to another operator", "携号转网"]
            }
        };
        lang.pick([ru, en, zh])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a request that is {from}")]
pub struct IllegalTransition {
    pub from: RequestState,
    pub action: Action,
}

impl RequestState {
    /// The state `action` leads to from this one.
    pub fn next(self, action: Action) -> Result<RequestState, IllegalTransition> {
        use Action as A;
        use RequestState as S;
        let to = match (self, action) {
            (S::Draft, A::Submit) => S::Submitted,
            (S::Draft | S::Submitted | S::InfoRequested | S::InfoProvided, A::Withdraw) => S::Withdrawn,
            (S::Submitted | S::InfoProvided, A::Approve) => S::Approved,
            (S::Submitted | S::InfoProvided | S::InfoRequested, A::Reject) => S::Rejected,
            (S::Submitted | S::InfoProvided, A::RequestInfo) => S::InfoRequested,
            (S::InfoRequested, A::ProvideInfo) => S::InfoProvided,
            (S::Approved, A::Complete) => S::Completed,
            (S::Completed, A::Revoke) => S::Revoked,
            (S::Completed, A::EndAging) => S::Closed,
            (from, action) => return Err(IllegalTransition { from, action }),
        };
        Ok(to)
    }

    /// Still in progress: the line has an open request and cannot get another.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestState::Draft
                | RequestState::Submitted
                | RequestState::InfoRequested
                | RequestState::InfoProvided
                | RequestState::Approved
        )
    }

    /// Waiting for the operator's decision: the review SLA runs.
    pub fn awaits_review(self) -> bool {
        matches!(self, RequestState::Submitted | RequestState::InfoProvided)
    }

    /// No action can leave this state.
    pub fn is_final(self) -> bool {
        Action::ALL.iter().all(|a| self.next(*a).is_err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use RequestState as S;
    use proptest::prelude::*;

    #[test]
    fn the_online_path_and_the_store_path_reach_closed() {
        let mut s = S::Draft;
        for a in [A::Submit, A::RequestInfo, A::ProvideInfo, A::Approve, A::Complete, A::EndAging] {
            s = s.next(a).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert_eq!(S::Completed.next(A::Revoke), Ok(S::Revoked));
    }

    #[test]
    fn illegal_transitions_are_errors() {
        assert_eq!(S::Draft.next(A::Approve), Err(IllegalTransition { from: S::Draft, action: A::Approve }));
        assert!(S::Approved.next(A::Withdraw).is_err());
        assert!(S::Completed.next(A::Complete).is_err());
        assert!(S::Revoked.next(A::Revoke).is_err());
        assert!(S::Closed.next(A::Revoke).is_err());
        assert!(S::InfoRequested.next(A::Approve).is_err());
        assert_eq!(S::Closed.next(A::Revoke).unwrap_err().to_string(), "cannot revoke a request that is closed");
    }

    #[test]
    fn final_states_are_exactly_the_four_ends() {
        let finals: Vec<_> = S::ALL.iter().copied().filter(|s| s.is_final()).collect();
        assert_eq!(finals, vec![S::Rejected, S::Withdrawn, S::Revoked, S::Closed]);
    }

    proptest! {
        #[test]
        fn no_sequence_of_actions_leaves_a_final_state_or_reopens(actions in proptest::collection::vec(0..Action::ALL.len(), 0..30)) {
            let mut s = S::Draft;
            let mut was_open = true;
            for i in actions {
                if let Ok(next) = s.next(Action::ALL[i]) {
                    prop_assert!(!s.is_final());
                    // Once a request leaves the open states it never returns to them.
                    prop_assert!(was_open || !next.is_open());
                    s = next;
                    was_open = s.is_open();
                }
            }
        }
    }
}
