//! An operator's billing system (BSS): its ids of subscribers and lines, the use it reports,
//! the history of file imports, and the feed of changes it polls.

use super::*;

pub trait BssTx {
    fn subscriber_by_external(&mut self, external_id: &str) -> Result<Option<SubscriberRow>>;
    fn subscriber_external(&mut self, subscriber_id: i64) -> Result<Option<String>>;
    fn link_subscriber(&mut self, subscriber_id: i64, external_id: &str) -> Result<()>;
    /// Rewrites a subscriber's own fields (not its id).
    fn update_subscriber(&mut self, subscriber: &SubscriberRow) -> Result<()>;
    fn line_by_external(&mut self, external_id: &str) -> Result<Option<LineRow>>;
    fn line_link(&mut self, line_id: i64) -> Result<Option<LineLink>>;
    fn upsert_line_link(&mut self, link: &LineLink) -> Result<()>;
    fn insert_import(&mut self, import: &ImportRow) -> Result<i64>;
    /// The newest imports first.
    fn imports(&mut self, limit: u32) -> Result<Vec<ImportRow>>;
    fn insert_change(&mut self, change: &ChangeRow) -> Result<i64>;
    /// Changes after `after`, oldest first; about one operator when given.
    fn changes(&mut self, after: i64, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<ChangeRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const SUBSCRIBER_BY_EXTERNAL: &str = formatcp!(
        "SELECT {SUBSCRIBER_COLS} FROM subscribers WHERE id = (SELECT subscriber_id FROM bss_subscribers WHERE external_id = ?1)"
    );
    pub const SUBSCRIBER_EXTERNAL: &str = "SELECT external_id FROM bss_subscribers WHERE subscriber_id = ?1";
    pub const LINK_SUBSCRIBER: &str = "INSERT INTO bss_subscribers (subscriber_id, external_id) VALUES (?1, ?2)
         ON CONFLICT (subscriber_id) DO UPDATE SET external_id = excluded.external_id";
    pub const UPDATE_SUBSCRIBER: &str = "UPDATE subscribers SET category = ?2, full_name = ?3, id_document_type = ?4,
         id_document_number = ?5, email = ?6, phone = ?7, language = ?8 WHERE id = ?1";
    pub const LINE_BY_EXTERNAL: &str =
        formatcp!("SELECT {LINE_COLS} FROM lines WHERE id = (SELECT line_id FROM bss_lines WHERE external_id = ?1)");
    pub const LINE_LINK: &str =
        "SELECT line_id, external_id, imsi, last_activity_at, last_activity_kind FROM bss_lines WHERE line_id = ?1";
    pub const UPSERT_LINE_LINK: &str = "INSERT INTO bss_lines (line_id, external_id, imsi, last_activity_at, last_activity_kind)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (line_id) DO UPDATE SET external_id = excluded.external_id,
         imsi = excluded.imsi, last_activity_at = excluded.last_activity_at, last_activity_kind = excluded.last_activity_kind";
    pub const IMPORT_COLS: &str = "id, at, actor, kind, file, rows, created, updated, unchanged";
    pub const INSERT_IMPORT: &str = "INSERT INTO imports (at, actor, kind, file, rows, created, updated, unchanged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    pub const IMPORTS: &str = formatcp!("SELECT {IMPORT_COLS} FROM imports ORDER BY id DESC LIMIT ?1");
    pub const CHANGE_COLS: &str = "id, at, kind, subject, operator_id, data";
    pub const INSERT_CHANGE: &str =
        "INSERT INTO changes (at, kind, subject, operator_id, data) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
    pub const CHANGES: &str = formatcp!(
        "SELECT {CHANGE_COLS} FROM changes WHERE id > ?1 AND (CAST(?3 AS TEXT) IS NULL OR operator_id = ?3)
         ORDER BY id LIMIT ?2"
    );
}
