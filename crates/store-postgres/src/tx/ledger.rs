//! The double-entry ledger (see `simexit_domain::ledger`), refunds and frozen final bills.

use super::*;

pub(super) fn movement(r: &Row) -> Result<MovementRow> {
    Ok(MovementRow {
        id: get(r, 0)?,
        kind: parsed(r, 1)?,
        idempotency_key: get(r, 2)?,
        memo: get(r, 3)?,
        reverses: get(r, 4)?,
        line_id: get(r, 5)?,
        at: time(r, 6)?,
        actor: get(r, 7)?,
        entries: Vec::new(),
    })
}

pub(super) fn refund(r: &Row) -> Result<RefundRow> {
    Ok(RefundRow {
        id: get(r, 0)?,
        line_id: get(r, 1)?,
        request_id: get(r, 2)?,
        operator: parsed(r, 3)?,
        amount: Money::from_kopecks(get(r, 4)?),
        state: get(r, 5)?,
        recipient_name: get(r, 6)?,
        bik: get(r, 7)?,
        account: get(r, 8)?,
        reason: get(r, 9)?,
        created_at: time(r, 10)?,
        updated_at: time(r, 11)?,
        route: parsed(r, 12)?,
        sbp_phone: get(r, 13)?,
        sbp_bank: get(r, 14)?,
        card_payment_id: get(r, 15)?,
        cash_store_id: get(r, 16)?,
        payout_ref: get(r, 17)?,
    })
}

pub(super) fn statement_row(r: &Row) -> Result<StatementRow> {
    Ok(StatementRow {
        movement_id: get(r, 0)?,
        kind: parsed(r, 1)?,
        memo: get(r, 2)?,
        reverses: get(r, 3)?,
        at: time(r, 4)?,
        amount: Money::from_kopecks(get(r, 5)?),
    })
}

impl LedgerTx for PgTx<'_> {
    fn record_movement(&mut self, m: &NewMovement) -> Result<Option<i64>> {
        let s = self.prepared(sql::INSERT_MOVEMENT)?;
        let row = self
            .txn
            .query_opt(
                &s,
                &[
                    &m.movement.kind.as_str(),
                    &m.idempotency_key,
                    &m.movement.memo,
                    &m.reverses,
                    &m.line_id,
                    &ts(m.at),
                    &m.actor,
                ],
            )
            .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = get(&row, 0)?;
        for e in &m.movement.entries {
            self.exec(sql::INSERT_ENTRY, &[&id, &e.account.to_string(), &e.amount.kopecks(), &ts(m.at)])?;
        }
        Ok(Some(id))
    }

    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>> {
        let row = self.one(sql::MOVEMENT, &[&id], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>> {
        let row = self.one(sql::MOVEMENT_BY_KEY, &[&key], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>> {
        self.one(sql::REVERSAL_OF, &[&id], |r| get(r, 0))
    }

    fn balance(&mut self, account: &Account) -> Result<Money> {
        let sum = self.one(sql::BALANCE, &[&account.to_string()], |r| get::<i64>(r, 0))?;
        Ok(Money::from_kopecks(sum.unwrap_or(0)))
    }

    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>> {
        self.all(sql::STATEMENT, &[&account.to_string()], statement_row)
    }

    fn statement_since(&mut self, account: &Account, since: Timestamp) -> Result<Vec<StatementRow>> {
        self.all(sql::STATEMENT_SINCE, &[&account.to_string(), &ts(since)], statement_row)
    }

    fn ledger_total(&mut self) -> Result<i64> {
        let sum = self.one(sql::LEDGER_TOTAL, &[], |r| get::<i64>(r, 0))?;
        Ok(sum.unwrap_or(0))
    }

    fn insert_refund(&mut self, f: &RefundRow) -> Result<i64> {
        self.id(
            sql::INSERT_REFUND,
            &[
                &f.line_id,
                &f.request_id,
                &f.operator.as_str(),
                &f.amount.kopecks(),
                &f.state,
                &f.recipient_name,
                &f.bik,
                &f.account,
                &f.reason,
                &ts(f.created_at),
                &ts(f.updated_at),
                &f.route.as_str(),
                &f.sbp_phone,
                &f.sbp_bank,
                &f.card_payment_id,
                &f.cash_store_id,
                &f.payout_ref,
            ],
        )
    }

    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>> {
        // Locked in a write transaction: two clicks on "paid" are serialised, the second sees
        // the refund already paid.
        let q = self.locked(sql::REFUND);
        self.one(&q, &[&id], refund)
    }

    fn update_refund(&mut self, f: &RefundRow) -> Result<()> {
        self.exec(
            sql::UPDATE_REFUND,
            &[
                &f.id,
                &f.amount.kopecks(),
                &f.state,
                &f.recipient_name,
                &f.bik,
                &f.account,
                &f.reason,
                &ts(f.updated_at),
                &f.route.as_str(),
                &f.sbp_phone,
                &f.sbp_bank,
                &f.card_payment_id,
                &f.cash_store_id,
                &f.payout_ref,
            ],
        )
        .map(drop)
    }

    fn refunds(
        &mut self,
        state: Option<&str>,
        operator: Option<&OperatorId>,
        cash_store: Option<&str>,
        n: u32,
    ) -> Result<Vec<RefundRow>> {
        self.all(sql::REFUNDS, &[&state, &operator.map(OperatorId::as_str), &cash_store, &limit(n)], refund)
    }

    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>> {
        self.all(sql::REFUNDS_OF_LINE, &[&line_id], refund)
    }

    fn sbp_banks(&mut self) -> Result<Vec<SbpBankRow>> {
        self.all(sql::SBP_BANKS, &[], |r| Ok(SbpBankRow { id: get(r, 0)?, name: get(r, 1)? }))
    }

    fn sbp_bank(&mut self, id: &str) -> Result<Option<SbpBankRow>> {
        self.one(sql::SBP_BANK, &[&id], |r| Ok(SbpBankRow { id: get(r, 0)?, name: get(r, 1)? }))
    }

    fn replace_sbp_banks(&mut self, banks: &[SbpBankRow]) -> Result<()> {
        self.exec(sql::DELETE_SBP_BANKS, &[])?;
        for b in banks {
            self.exec(sql::INSERT_SBP_BANK, &[&b.id, &b.name])?;
        }
        Ok(())
    }

    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()> {
        self.exec(sql::SAVE_FINAL_BILL, &[&request_id, &bill, &ts(at)]).map(drop)
    }

    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>> {
        self.one(sql::FINAL_BILL, &[&request_id], |r| get(r, 0))
    }
}
