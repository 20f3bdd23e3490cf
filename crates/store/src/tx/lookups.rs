//! What the reassigned-number lookups read: imported past events, a number's whole history, the national numbering plan.

use super::*;

pub trait LookupsTx: crate::NumbersTx {
    /// Records an imported past event; `false` if the same event is already recorded.
    fn insert_past_event(&mut self, event: &PastEventRow) -> Result<bool>;
    /// A number's imported past events, oldest first.
    fn past_events(&mut self, msisdn: &Msisdn) -> Result<Vec<PastEventRow>>;
    /// Moves the start of known history of every number of `operator` back to `since`
    /// (where it is later); returns how many numbers changed.
    fn extend_history(&mut self, operator: &OperatorId, since: Timestamp) -> Result<u64>;
    /// A number's row, imported past events and holder periods, read together (a backend
    /// may do it in one statement, which then needs no transaction of its own: see
    /// [`Store::read_single_dyn`]).
    fn number_history(&mut self, msisdn: &Msisdn) -> Result<NumberHistory> {
        Ok(NumberHistory {
            number: self.number(msisdn)?,
            past: self.past_events(msisdn)?,
            periods: self.assignments(msisdn)?,
        })
    }
    /// The numbers written after change `after` of the lookup change log (every write to
    /// a number, its holder periods or its past events, by any process), oldest first, at
    /// most `limit`. `None` where the backend keeps no such log: then nothing may answer
    /// lookups from memory.
    fn lookup_changes_after(&mut self, _after: i64, _limit: usize) -> Result<Option<Vec<(i64, Msisdn)>>> {
        Ok(None)
    }
    /// The first and the last id in the lookup change log (`(0, 0)` while it is empty, the
    /// last id handed out otherwise kept); `None` where the backend keeps no such log.
    fn lookup_change_bounds(&mut self) -> Result<Option<(i64, i64)>> {
        Ok(None)
    }
    /// Drops the log's entries more than `keep` changes behind its last; returns how many.
    fn prune_lookup_changes(&mut self, _keep: i64) -> Result<u64> {
        Ok(0)
    }
    /// The histories of the first `limit` numbers after `after` in the order of their text
    /// (numbers with a row, and numbers known only from imported past events), to fill a
    /// lookup index page by page. Empty where the backend keeps no lookup change log.
    fn number_histories_after(&mut self, _after: &str, _limit: usize) -> Result<Vec<(Msisdn, NumberHistory)>> {
        Ok(Vec::new())
    }
    /// Empties the plan. An import clears, appends and records in one transaction, so
    /// readers see the old plan or the new one, never a mix.
    fn clear_numbering(&mut self) -> Result<()>;
    fn append_numbering(&mut self, ranges: &[NumberRange]) -> Result<()>;
    fn record_numbering_import(&mut self, source: &str, ranges: usize, at: Timestamp) -> Result<()>;
    /// The range holding subscriber number `subscriber` under `def`.
    fn numbering_range(&mut self, def: u16, subscriber: u32) -> Result<Option<NumberRange>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_PAST_EVENT: &str =
        formatcp!("INSERT INTO past_events ({PAST_EVENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
    pub const PAST_EVENTS: &str =
        formatcp!("SELECT {PAST_EVENT_COLS} FROM past_events WHERE msisdn = ?1 ORDER BY at, kind");
    pub const EXTEND_HISTORY: &str =
        "UPDATE numbers SET history_since = ?2 WHERE operator_id = ?1 AND history_since > ?2";
    pub const APPEND_NUMBERING: &str =
        "INSERT INTO numbering_ranges (def, range_from, range_to, operator_name, region, territory, inn)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    pub const CLEAR_NUMBERING: &str = "DELETE FROM numbering_ranges";
    pub const RECORD_NUMBERING_IMPORT: &str =
        "INSERT INTO numbering_imports (source, ranges, imported_at) VALUES (?1, ?2, ?3)";
    pub const NUMBERING_RANGE: &str =
        "SELECT def, range_from, range_to, operator_name, region, territory, inn FROM numbering_ranges
         WHERE def = ?1 AND range_from <= ?2 AND range_to >= ?2 ORDER BY range_from DESC LIMIT 1";
}
