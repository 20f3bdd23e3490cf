//! The double-entry ledger (see `simexit_domain::ledger`), refunds and frozen final bills.

use super::*;

pub(super) fn movement(r: &Row<'_>) -> rusqlite::Result<MovementRow> {
    Ok(MovementRow {
        id: r.get(0)?,
        kind: parsed(r, 1)?,
        idempotency_key: r.get(2)?,
        memo: r.get(3)?,
        reverses: r.get(4)?,
        line_id: r.get(5)?,
        at: time(r, 6)?,
        actor: r.get(7)?,
        entries: Vec::new(),
    })
}

pub(super) fn refund(r: &Row<'_>) -> rusqlite::Result<RefundRow> {
    Ok(RefundRow {
        id: r.get(0)?,
        line_id: r.get(1)?,
        request_id: r.get(2)?,
        operator: parsed(r, 3)?,
        amount: Money::from_kopecks(r.get(4)?),
        state: r.get(5)?,
        recipient_name: r.get(6)?,
        bik: r.get(7)?,
        account: r.get(8)?,
        reason: r.get(9)?,
        created_at: time(r, 10)?,
        updated_at: time(r, 11)?,
    })
}

impl LedgerTx for SqliteTx<'_> {
    fn record_movement(&mut self, m: &NewMovement) -> Result<Option<i64>> {
        let inserted = self.exec(
            "INSERT INTO ledger_movements (kind, idempotency_key, memo, reverses, line_id, at, actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (idempotency_key) DO NOTHING",
            params![
                m.movement.kind.as_str(),
                m.idempotency_key,
                m.movement.memo,
                m.reverses,
                m.line_id,
                ts(m.at),
                m.actor
            ],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        let id = self.conn.last_insert_rowid();
        for e in &m.movement.entries {
            self.exec(
                "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (?1, ?2, ?3)",
                params![id, e.account.to_string(), e.amount.kopecks()],
            )?;
        }
        Ok(Some(id))
    }

    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>> {
        let row = self.one(&format!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE id = ?1"), [id], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>> {
        let row = self.one(
            &format!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE idempotency_key = ?1"),
            [key],
            movement,
        )?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>> {
        self.one("SELECT id FROM ledger_movements WHERE reverses = ?1", [id], |r| r.get(0))
    }

    fn balance(&mut self, account: &Account) -> Result<Money> {
        let sum: Option<i64> = self.one(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account = ?1",
            [account.to_string()],
            |r| r.get(0),
        )?;
        Ok(Money::from_kopecks(sum.unwrap_or(0)))
    }

    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>> {
        self.all(
            "SELECT m.id, m.kind, m.memo, m.reverses, m.at, e.amount FROM ledger_entries e
             JOIN ledger_movements m ON m.id = e.movement_id WHERE e.account = ?1 ORDER BY m.at, m.id",
            [account.to_string()],
            |r| {
                Ok(StatementRow {
                    movement_id: r.get(0)?,
                    kind: parsed(r, 1)?,
                    memo: r.get(2)?,
                    reverses: r.get(3)?,
                    at: time(r, 4)?,
                    amount: Money::from_kopecks(r.get(5)?),
                })
            },
        )
    }

    fn ledger_total(&mut self) -> Result<i64> {
        let sum: Option<i64> = self.one("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries", [], |r| r.get(0))?;
        Ok(sum.unwrap_or(0))
    }

    fn insert_refund(&mut self, f: &RefundRow) -> Result<i64> {
        let cols = REFUND_COLS.trim_start_matches("id, ");
        self.insert(
            &format!("INSERT INTO refunds ({cols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![
                f.line_id,
                f.request_id,
                f.operator.as_str(),
                f.amount.kopecks(),
                f.state,
                f.recipient_name,
                f.bik,
                f.account,
                f.reason,
                ts(f.created_at),
                ts(f.updated_at)
            ],
        )
    }

    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>> {
        self.one(&format!("SELECT {REFUND_COLS} FROM refunds WHERE id = ?1"), [id], refund)
    }

    fn update_refund(&mut self, f: &RefundRow) -> Result<()> {
        self.exec(
            "UPDATE refunds SET amount = ?2, state = ?3, recipient_name = ?4, bik = ?5, account = ?6, reason = ?7,
             updated_at = ?8 WHERE id = ?1",
            params![f.id, f.amount.kopecks(), f.state, f.recipient_name, f.bik, f.account, f.reason, ts(f.updated_at)],
        )
        .map(drop)
    }

    fn refunds(&mut self, state: Option<&str>, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<RefundRow>> {
        self.all(
            &format!(
                "SELECT {REFUND_COLS} FROM refunds WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR operator_id = ?2)
                 ORDER BY created_at, id LIMIT ?3"
            ),
            params![state, operator.map(OperatorId::as_str), limit],
            refund,
        )
    }

    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>> {
        self.all(&format!("SELECT {REFUND_COLS} FROM refunds WHERE line_id = ?1 ORDER BY id"), [line_id], refund)
    }

    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO final_bills (request_id, bill, issued_at) VALUES (?1, ?2, ?3)",
            params![request_id, bill, ts(at)],
        )
        .map(drop)
    }

    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>> {
        self.one("SELECT bill FROM final_bills WHERE request_id = ?1", [request_id], |r| r.get(0))
    }
}
