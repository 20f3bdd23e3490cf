//! Subscribers, their lines and the paid add-on services on each line.

use super::*;

pub trait SubscribersLinesTx {
    fn insert_subscriber(&mut self, subscriber: &NewSubscriber) -> Result<i64>;
    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>>;
    fn insert_line(&mut self, line: &NewLine) -> Result<i64>;
    fn line(&mut self, id: i64) -> Result<Option<LineRow>>;
    /// The line that currently holds the number (not terminated, or terminated but aging).
    fn line_by_msisdn(&mut self, msisdn: &Msisdn) -> Result<Option<LineRow>>;
    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>>;
    fn update_line(&mut self, line: &LineRow) -> Result<()>;
    fn insert_service(&mut self, service: &ServiceRow) -> Result<i64>;
    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>>;
    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>>;
    fn update_service(&mut self, service: &ServiceRow) -> Result<()>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_SUBSCRIBER: &str = "INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    pub const SUBSCRIBER: &str = formatcp!("SELECT {SUBSCRIBER_COLS} FROM subscribers WHERE id = ?1");
    pub const INSERT_LINE: &str = "INSERT INTO lines (msisdn, iccid, operator_id, subscriber_id, state, opened_at)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5) RETURNING id";
    pub const LINE_BY_MSISDN: &str =
        formatcp!("SELECT {LINE_COLS} FROM lines WHERE msisdn = ?1 ORDER BY opened_at DESC, id DESC LIMIT 1");
    pub const LINES_OF: &str = formatcp!("SELECT {LINE_COLS} FROM lines WHERE subscriber_id = ?1 ORDER BY id");
    pub const UPDATE_LINE: &str = "UPDATE lines SET state = ?2, terminated_at = ?3, iccid = ?4 WHERE id = ?1";
    pub const INSERT_SERVICE: &str =
        "INSERT INTO line_services (line_id, name, monthly_charge, started_at, charged_until, stopped_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
    pub const SERVICES_OF: &str = formatcp!("SELECT {SERVICE_COLS} FROM line_services WHERE line_id = ?1 ORDER BY id");
    pub const UPDATE_SERVICE: &str =
        "UPDATE line_services SET charged_until = ?2, stopped_at = ?3, monthly_charge = ?4 WHERE id = ?1";
    pub const LINE: &str = formatcp!("SELECT {LINE_COLS} FROM lines WHERE id = ?1");
    pub const SERVICE: &str = formatcp!("SELECT {SERVICE_COLS} FROM line_services WHERE id = ?1");
}
