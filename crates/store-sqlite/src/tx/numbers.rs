//! The number inventory and each number's holder periods.

use super::*;

pub(super) fn number(r: &Row<'_>) -> rusqlite::Result<NumberRow> {
    Ok(NumberRow {
        msisdn: msisdn(r, 0)?,
        operator: parsed(r, 1)?,
        state: parsed(r, 2)?,
        aging_until: time_opt(r, 3)?,
        line_id: r.get(4)?,
        subscriber_id: r.get(5)?,
        history_since: time(r, 6)?,
        updated_at: time(r, 7)?,
    })
}

pub(super) fn assignment(r: &Row<'_>) -> rusqlite::Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: r.get(0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: r.get(2)?,
        line_id: r.get(3)?,
        from: time(r, 4)?,
        to: time_opt(r, 5)?,
        end_reason: r.get(6)?,
    })
}

impl SqliteTx<'_> {
    /// Runs an insert of a whole number row; how many rows it wrote.
    fn put_number(&mut self, statement: &str, n: &NumberRow) -> Result<usize> {
        self.exec(
            statement,
            params![
                n.msisdn.as_str(),
                n.operator.as_str(),
                n.state.as_str(),
                ts_opt(n.aging_until),
                n.line_id,
                n.subscriber_id,
                ts(n.history_since),
                ts(n.updated_at)
            ],
        )
    }
}

impl NumbersTx for SqliteTx<'_> {
    fn insert_number(&mut self, n: &NumberRow) -> Result<()> {
        self.put_number(sql::INSERT_NUMBER, n).map(drop)
    }

    fn insert_number_if_absent(&mut self, n: &NumberRow) -> Result<bool> {
        self.put_number(sql::INSERT_NUMBER_IF_ABSENT, n).map(|c| c > 0)
    }

    fn set_number_line(&mut self, msisdn: &Msisdn, line_id: i64) -> Result<()> {
        self.exec(sql::SET_NUMBER_LINE, params![msisdn.as_str(), line_id]).map(drop)
    }

    fn number(&mut self, msisdn: &Msisdn) -> Result<Option<NumberRow>> {
        self.one(sql::NUMBER, [msisdn.as_str()], number)
    }

    fn claim_available_number(&mut self, operator: &OperatorId) -> Result<Option<NumberRow>> {
        // The write transaction is BEGIN IMMEDIATE: no other writer runs until it commits.
        self.one(sql::CLAIM_AVAILABLE_NUMBER, [operator.as_str()], number)
    }

    fn update_number(&mut self, n: &NumberRow) -> Result<()> {
        self.exec(
            sql::UPDATE_NUMBER,
            params![
                n.msisdn.as_str(),
                n.operator.as_str(),
                n.state.as_str(),
                ts_opt(n.aging_until),
                n.line_id,
                n.subscriber_id,
                ts(n.history_since),
                ts(n.updated_at)
            ],
        )
        .map(drop)
    }

    fn open_assignment(&mut self, a: &NewAssignment) -> Result<()> {
        self.exec(sql::OPEN_ASSIGNMENT, params![a.msisdn.as_str(), a.subscriber_id, a.line_id, ts(a.from)]).map(drop)
    }

    fn close_assignment(&mut self, msisdn: &Msisdn, to: Timestamp, reason: &str) -> Result<bool> {
        self.exec(sql::CLOSE_ASSIGNMENT, params![msisdn.as_str(), ts(to), reason]).map(|n| n > 0)
    }

    fn assignments(&mut self, msisdn: &Msisdn) -> Result<Vec<AssignmentRow>> {
        self.all(sql::ASSIGNMENTS, [msisdn.as_str()], assignment)
    }
}
