//! Termination requests and their events.

use super::*;

pub trait RequestsTx {
    fn insert_request(&mut self, request: &RequestRow) -> Result<i64>;
    fn request(&mut self, id: i64) -> Result<Option<RequestRow>>;
    fn open_request_for_line(&mut self, line_id: i64) -> Result<Option<RequestRow>>;
    fn update_request(&mut self, request: &RequestRow) -> Result<()>;
    /// Requests awaiting a decision (`submitted`, `info_provided`) by review deadline.
    fn review_queue(&mut self, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<RequestRow>>;
    fn requests_of(&mut self, subscriber_id: i64) -> Result<Vec<RequestRow>>;
    /// A store's requests, newest first (its clerks' queue).
    fn requests_at_store(&mut self, store_id: &str, limit: u32) -> Result<Vec<RequestRow>>;
    fn insert_event(&mut self, event: &NewEvent) -> Result<()>;
    fn events(&mut self, request_id: i64) -> Result<Vec<EventRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_REQUEST: &str = formatcp!(
        "INSERT INTO termination_requests ({REQUEST_FIELDS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
         ?23, ?24, ?25, ?26, ?27, ?28) RETURNING id"
    );
    pub const OPEN_REQUEST_FOR_LINE: &str = formatcp!(
        "SELECT {REQUEST_COLS} FROM termination_requests WHERE line_id = ?1
         AND state IN ('draft', 'submitted', 'info_requested', 'info_provided', 'approved')"
    );
    pub const UPDATE_REQUEST: &str =
        "UPDATE termination_requests SET state = ?2, submitted_at = ?3, review_deadline = ?4,
         review_deadline_date = ?5, deadline_fallback = ?6, overdue = ?7, decided_at = ?8, completed_at = ?9,
         aging_until = ?10, closed_at = ?11, note = ?12, updated_at = ?13, store_id = ?14, settlement = ?15,
         transfer_to_line = ?16, refund_name = ?17, refund_bik = ?18, refund_account = ?19,
         review_paused_days = ?20 WHERE id = ?1";
    pub const REQUESTS_OF: &str =
        formatcp!("SELECT {REQUEST_COLS} FROM termination_requests WHERE subscriber_id = ?1 ORDER BY id");
    pub const REQUESTS_AT_STORE: &str =
        formatcp!("SELECT {REQUEST_COLS} FROM termination_requests WHERE store_id = ?1 ORDER BY id DESC LIMIT ?2");
    pub const INSERT_EVENT: &str =
        "INSERT INTO request_events (request_id, at, actor, action, from_state, to_state, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    pub const EVENTS: &str = formatcp!("SELECT {EVENT_COLS} FROM request_events WHERE request_id = ?1 ORDER BY id");
    pub const REQUEST: &str = formatcp!("SELECT {REQUEST_COLS} FROM termination_requests WHERE id = ?1");
    pub const REVIEW_QUEUE: &str = formatcp!(
        "SELECT {REQUEST_COLS} FROM termination_requests
         WHERE state IN ('submitted', 'info_provided') AND (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1)
         ORDER BY review_deadline, id LIMIT ?2"
    );
}
