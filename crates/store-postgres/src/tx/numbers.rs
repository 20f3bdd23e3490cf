//! The number inventory and each number's holder periods.

use super::*;

pub(super) fn number(r: &Row) -> Result<NumberRow> {
    number_at(r, 0)
}

/// A number's row from the columns at `o` onwards (see `LookupsTx::number_history`).
pub(super) fn number_at(r: &Row, o: usize) -> Result<NumberRow> {
    Ok(NumberRow {
        msisdn: msisdn(r, o)?,
        operator: parsed(r, o + 1)?,
        state: parsed(r, o + 2)?,
        aging_until: time_opt(r, o + 3)?,
        line_id: get(r, o + 4)?,
        subscriber_id: get(r, o + 5)?,
        history_since: time(r, o + 6)?,
        updated_at: time(r, o + 7)?,
    })
}

pub(super) fn assignment(r: &Row) -> Result<AssignmentRow> {
    assignment_at(r, 0)
}

pub(super) fn assignment_at(r: &Row, o: usize) -> Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: get(r, o)?,
        msisdn: msisdn(r, o + 1)?,
        subscriber_id: get(r, o + 2)?,
        line_id: get(r, o + 3)?,
        from: time(r, o + 4)?,
        to: time_opt(r, o + 5)?,
        end_reason: get(r, o + 6)?,
    })
}

/// SKIP LOCKED: concurrent allocations each take a different number instead of waiting.
const CLAIM_AVAILABLE_NUMBER: &str = formatcp!("{} FOR UPDATE SKIP LOCKED", sql::CLAIM_AVAILABLE_NUMBER);

impl PgTx<'_> {
    /// Runs an insert of a whole number row; how many rows it wrote.
    fn put_number(&mut self, statement: &str, n: &NumberRow) -> Result<u64> {
        self.exec(
            statement,
            &[
                &n.msisdn.as_str(),
                &n.operator.as_str(),
                &n.state.as_str(),
                &ts_opt(n.aging_until),
                &n.line_id,
                &n.subscriber_id,
                &ts(n.history_since),
                &ts(n.updated_at),
            ],
        )
    }
}

impl NumbersTx for PgTx<'_> {
    fn insert_number(&mut self, n: &NumberRow) -> Result<()> {
        self.put_number(sql::INSERT_NUMBER, n).map(drop)
    }

    fn insert_number_if_absent(&mut self, n: &NumberRow) -> Result<bool> {
        self.put_number(sql::INSERT_NUMBER_IF_ABSENT, n).map(|c| c > 0)
    }

    fn set_number_line(&mut self, msisdn: &Msisdn, line_id: i64) -> Result<()> {
        self.exec(sql::SET_NUMBER_LINE, &[&msisdn.as_str(), &line_id]).map(drop)
    }

    fn number(&mut self, m: &Msisdn) -> Result<Option<NumberRow>> {
        let q = self.locked(sql::NUMBER);
        self.one(&q, &[&m.as_str()], number)
    }

    fn claim_available_number(&mut self, operator: &OperatorId) -> Result<Option<NumberRow>> {
        self.one(CLAIM_AVAILABLE_NUMBER, &[&operator.as_str()], number)
    }

    fn update_number(&mut self, n: &NumberRow) -> Result<()> {
        self.exec(
            sql::UPDATE_NUMBER,
            &[
                &n.msisdn.as_str(),
                &n.operator.as_str(),
                &n.state.as_str(),
                &ts_opt(n.aging_until),
                &n.line_id,
                &n.subscriber_id,
                &ts(n.history_since),
                &ts(n.updated_at),
            ],
        )
        .map(drop)
    }

    fn open_assignment(&mut self, a: &NewAssignment) -> Result<()> {
        self.exec(sql::OPEN_ASSIGNMENT, &[&a.msisdn.as_str(), &a.subscriber_id, &a.line_id, &ts(a.from)]).map(drop)
    }

    fn close_assignment(&mut self, m: &Msisdn, to: Timestamp, reason: &str) -> Result<bool> {
        self.exec(sql::CLOSE_ASSIGNMENT, &[&m.as_str(), &ts(to), &reason]).map(|n| n > 0)
    }

    fn assignments(&mut self, m: &Msisdn) -> Result<Vec<AssignmentRow>> {
        self.all(sql::ASSIGNMENTS, &[&m.as_str()], assignment)
    }
}
