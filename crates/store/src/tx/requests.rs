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
