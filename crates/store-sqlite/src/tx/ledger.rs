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
        route: parsed(r, 12)?,
        sbp_phone: r.get(13)?,
        sbp_bank: r.get(14)?,
        card_payment_id: r.get(15)?,
        cash_store_id: r.get(16)?,
        payout_ref: r.get(17)?,
    })
}

fn statement_row(r: &Row<'_>) -> rusqlite::Result<StatementRow> {
    Ok(StatementRow {
        movement_id: r.get(0)?,
        kind: parsed(r, 1)?,
        memo: r.get(2)?,
        reverses: r.get(3)?,
        at: time(r, 4)?,
        amount: Money::from_kopecks(r.get(5)?),
    })
}

impl LedgerTx for SqliteTx<'_> {
    fn record_movement(&mut self, m: &NewMovement) -> Result<Option<i64>> {
        let id: Option<i64> = self.one(
            sql::INSERT_MOVEMENT,
            params![
                m.movement.kind.as_str(),
                m.idempotency_key,
                m.movement.memo,
                m.reverses,
                m.line_id,
                ts(m.at),
                m.actor
            ],
            |r| r.get(0),
        )?;
        let Some(id) = id else { return Ok(None) };
        for e in &m.movement.entries {
            self.exec(sql::INSERT_ENTRY, params![id, e.account.to_string(), e.amount.kopecks(), ts(m.at)])?;
        }
        Ok(Some(id))
    }

    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>> {
        let row = self.one(sql::MOVEMENT, [id], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>> {
        let row = self.one(sql::MOVEMENT_BY_KEY, [key], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>> {
        self.one(sql::REVERSAL_OF, [id], |r| r.get(0))
    }

    fn balance(&mut self, account: &Account) -> Result<Money> {
        let sum: Option<i64> = self.one(sql::BALANCE, [account.to_string()], |r| r.get(0))?;
        Ok(Money::from_kopecks(sum.unwrap_or(0)))
    }

    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>> {
        self.all(sql::STATEMENT, [account.to_string()], statement_row)
    }

    fn statement_since(&mut self, account: &Account, since: Timestamp) -> Result<Vec<StatementRow>> {
        self.all(sql::STATEMENT_SINCE, params![account.to_string(), ts(since)], statement_row)
    }

    fn ledger_total(&mut self) -> Result<i64> {
        let sum: Option<i64> = self.one(sql::LEDGER_TOTAL, [], |r| r.get(0))?;
        Ok(sum.unwrap_or(0))
    }

    fn insert_refund(&mut self, f: &RefundRow) -> Result<i64> {
        self.id(
            sql::INSERT_REFUND,
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
                ts(f.updated_at),
                f.route.as_str(),
                f.sbp_phone,
                f.sbp_bank,
                f.card_payment_id,
                f.cash_store_id,
                f.payout_ref
            ],
        )
    }

    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>> {
        self.one(sql::REFUND, [id], refund)
    }

    fn update_refund(&mut self, f: &RefundRow) -> Result<()> {
        self.exec(
            sql::UPDATE_REFUND,
            params![
                f.id,
                f.amount.kopecks(),
                f.state,
                f.recipient_name,
                f.bik,
                f.account,
                f.reason,
                ts(f.updated_at),
                f.route.as_str(),
                f.sbp_phone,
                f.sbp_bank,
                f.card_payment_id,
                f.cash_store_id,
                f.payout_ref
            ],
        )
        .map(drop)
    }

    fn refunds(
        &mut self,
        state: Option<&str>,
        operator: Option<&OperatorId>,
        cash_store: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RefundRow>> {
        self.all(sql::REFUNDS, params![state, operator.map(OperatorId::as_str), cash_store, limit], refund)
    }

    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>> {
        self.all(sql::REFUNDS_OF_LINE, [line_id], refund)
    }

    fn sbp_banks(&mut self) -> Result<Vec<SbpBankRow>> {
        self.all(sql::SBP_BANKS, [], |r| Ok(SbpBankRow { id: r.get(0)?, name: r.get(1)? }))
    }

    fn sbp_bank(&mut self, id: &str) -> Result<Option<SbpBankRow>> {
        self.one(sql::SBP_BANK, [id], |r| Ok(SbpBankRow { id: r.get(0)?, name: r.get(1)? }))
    }

    fn replace_sbp_banks(&mut self, banks: &[SbpBankRow]) -> Result<()> {
        self.exec(sql::DELETE_SBP_BANKS, [])?;
        for b in banks {
            self.exec(sql::INSERT_SBP_BANK, params![b.id, b.name])?;
        }
        Ok(())
    }

    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()> {
        self.exec(sql::SAVE_FINAL_BILL, params![request_id, bill, ts(at)]).map(drop)
    }

    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>> {
        self.one(sql::FINAL_BILL, [request_id], |r| r.get(0))
    }
}
