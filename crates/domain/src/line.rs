//! The state of a line (the contract for one SIM).

use crate::termination::RequestState;

crate::wire_enum! {
    pub enum LineState {
        Active = "active",
        Suspended = "suspended",
        PendingTermination = "pending_termination",
        Terminated = "terminated",
    }
}

impl LineState {
    /// The line state that follows a request entering `request`, given the state the line
    /// had before the request was submitted (`before`, to restore on withdrawal).
    pub fn for_request(request: RequestState, before: LineState) -> LineState {
        match request {
            RequestState::Submitted
            | RequestState::InfoRequested
            | RequestState::InfoProvided
            | RequestState::Approved => LineState::PendingTermination,
            RequestState::Completed | RequestState::Closed => LineState::Terminated,
            // A revoked termination gives the line back as it was: a suspended line stays so.
            RequestState::Revoked if before == LineState::Suspended => LineState::Suspended,
            RequestState::Revoked => LineState::Active,
            RequestState::Draft | RequestState::Withdrawn | RequestState::Rejected => before,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_follows_its_request() {
        assert_eq!(LineState::for_request(RequestState::Submitted, LineState::Active), LineState::PendingTermination);
        assert_eq!(LineState::for_request(RequestState::Withdrawn, LineState::Suspended), LineState::Suspended);
        assert_eq!(LineState::for_request(RequestState::Completed, LineState::Active), LineState::Terminated);
        assert_eq!(LineState::for_request(RequestState::Revoked, LineState::Active), LineState::Active);
        assert_eq!(LineState::for_request(RequestState::Revoked, LineState::Suspended), LineState::Suspended);
    }
}
