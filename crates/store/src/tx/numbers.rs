//! The number inventory and each number's holder periods.

use super::*;

pub trait NumbersTx {
    fn insert_number(&mut self, number: &NumberRow) -> Result<()>;
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
