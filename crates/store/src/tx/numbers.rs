//! The number inventory and each number's holder periods.

use super::*;

pub trait NumbersTx {
    fn insert_number(&mut self, number: &NumberRow) -> Result<()>;
    /// Inserts the number unless the inventory holds it already; `true` when inserted.
    fn insert_number_if_absent(&mut self, number: &NumberRow) -> Result<bool>;
    /// Names the line that holds a number (set once the line exists).
    fn set_number_line(&mut self, msisdn: &Msisdn, line_id: i64) -> Result<()>;
    fn number(&mut self, msisdn: &Msisdn) -> Result<Option<NumberRow>>;
    /// Takes one `available` number of the operator for assignment, locking it so that no
    /// concurrent transaction can take the same one.
    fn claim_available_number(&mut self, operator: &OperatorId) -> Result<Option<NumberRow>>;
    fn update_number(&mut self, number: &NumberRow) -> Result<()>;
    fn open_assignment(&mut self, assignment: &NewAssignment) -> Result<()>;
    /// Closes the open holder period of a number, if any.
    fn close_assignment(&mut self, msisdn: &Msisdn, to: Timestamp, reason: &str) -> Result<bool>;
    fn assignments(&mut self, msisdn: &Msisdn) -> Result<Vec<AssignmentRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_NUMBER: &str =
        formatcp!("INSERT INTO numbers ({NUMBER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    pub const INSERT_NUMBER_IF_ABSENT: &str = formatcp!(
        "INSERT INTO numbers ({NUMBER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (msisdn) DO NOTHING"
    );
    pub const SET_NUMBER_LINE: &str = "UPDATE numbers SET line_id = ?2 WHERE msisdn = ?1";
    pub const UPDATE_NUMBER: &str =
        "UPDATE numbers SET operator_id = ?2, state = ?3, aging_until = ?4, line_id = ?5, subscriber_id = ?6,
         history_since = ?7, updated_at = ?8 WHERE msisdn = ?1";
    pub const OPEN_ASSIGNMENT: &str =
        "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES (?1, ?2, ?3, ?4)";
    pub const CLOSE_ASSIGNMENT: &str =
        "UPDATE number_assignments SET to_at = ?2, end_reason = ?3 WHERE msisdn = ?1 AND to_at IS NULL";
    pub const ASSIGNMENTS: &str =
        formatcp!("SELECT {ASSIGNMENT_COLS} FROM number_assignments WHERE msisdn = ?1 ORDER BY from_at, id");
    pub const NUMBER: &str = formatcp!("SELECT {NUMBER_COLS} FROM numbers WHERE msisdn = ?1");
    /// The oldest released `available` number of an operator.
    pub const CLAIM_AVAILABLE_NUMBER: &str = formatcp!(
        "SELECT {NUMBER_COLS} FROM numbers WHERE operator_id = ?1 AND state = 'available' ORDER BY updated_at, msisdn LIMIT 1"
    );
}
