//! [`Tx`] over one PostgreSQL transaction. Statements are prepared once per connection.
//! In a write transaction, reads of rows a change depends on take row locks.

use std::collections::HashMap;

use jiff::Timestamp;
use postgres::types::ToSql;
use postgres::{Row, Statement, Transaction};
use simexit_domain::ledger::{Account, Entry};
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};
use simexit_store::columns::*;
use simexit_store::*;

use crate::convert::{get, msisdn, parsed, parsed_opt, store_error, time, time_opt, ts, ts_opt};

pub struct PgTx<'c> {
    pub txn: Transaction<'c>,
    pub statements: &'c mut HashMap<String, Statement>,
    pub write: bool,
}

fn password_reset(r: &Row) -> Result<PasswordResetRow> {
    Ok(PasswordResetRow {
        id: get(r, 0)?,
        account_id: get(r, 1)?,
        code_hash: get(r, 2)?,
        expires_at: time(r, 3)?,
        attempts: get(r, 4)?,
        used_at: time_opt(r, 5)?,
        created_at: time(r, 6)?,
    })
}

fn outbox(r: &Row) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: get(r, 0)?,
        channel: get(r, 1)?,
        recipient: get(r, 2)?,
        template: get(r, 3)?,
        language: get(r, 4)?,
        payload: get(r, 5)?,
        status: get(r, 6)?,
        attempts: get(r, 7)?,
        last_error: get(r, 8)?,
        created_at: time(r, 9)?,
        sent_at: time_opt(r, 10)?,
        next_attempt_at: time(r, 11)?,
        locked_until: time_opt(r, 12)?,
        provider_id: get(r, 13)?,
        delivery: get(r, 14)?,
        dedupe_key: get(r, 15)?,
        request_id: get(r, 16)?,
    })
}

fn document(r: &Row) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        kind: parsed(r, 2)?,
        file_name: get(r, 3)?,
        content_type: get(r, 4)?,
        size: get(r, 5)?,
        sha256: get(r, 6)?,
        storage_key: get(r, 7)?,
        key_id: get(r, 8)?,
        status: get(r, 9)?,
        review_reason: get(r, 10)?,
        reviewed_by: get(r, 11)?,
        uploaded_by: get(r, 12)?,
        uploaded_at: time(r, 13)?,
        retention_until: time_opt(r, 14)?,
        destroyed_at: time_opt(r, 15)?,
    })
}

fn act(r: &Row) -> Result<DestructionActRow> {
    Ok(DestructionActRow {
        id: get(r, 0)?,
        document_id: get(r, 1)?,
        request_id: get(r, 2)?,
        subscriber_id: get(r, 3)?,
        kind: get(r, 4)?,
        sha256: get(r, 5)?,
        size: get(r, 6)?,
        reason: get(r, 7)?,
        actor: get(r, 8)?,
        at: time(r, 9)?,
    })
}

fn certificate(r: &Row) -> Result<CertificateRow> {
    Ok(CertificateRow {
        number: get(r, 0)?,
        request_id: get(r, 1)?,
        operator: parsed(r, 2)?,
        payload: get(r, 3)?,
        key_id: get(r, 4)?,
        signature: get(r, 5)?,
        issued_at: time(r, 6)?,
    })
}

fn network_task(r: &Row) -> Result<NetworkTaskRow> {
    let steps: String = get(r, 4)?;
    Ok(NetworkTaskRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        msisdn: msisdn(r, 2)?,
        direction: get(r, 3)?,
        steps: steps.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        done_steps: get(r, 5)?,
        status: get(r, 6)?,
        attempts: get(r, 7)?,
        last_error: get(r, 8)?,
        updated_at: time(r, 9)?,
    })
}

fn candidate(r: &Row) -> Result<CandidateLine> {
    Ok(CandidateLine {
        line_id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: get(r, 2)?,
        category: parsed(r, 3)?,
        opened_at: time(r, 4)?,
    })
}

fn bulk_run(r: &Row) -> Result<BulkRunRow> {
    Ok(BulkRunRow {
        id: get(r, 0)?,
        reason: get(r, 1)?,
        source: get(r, 2)?,
        total: get(r, 3)?,
        created_by: get(r, 4)?,
        created_at: time(r, 5)?,
        finished_at: time_opt(r, 6)?,
    })
}

fn bulk_line(r: &Row) -> Result<BulkLineRow> {
    Ok(BulkLineRow {
        run_id: get(r, 0)?,
        line_no: get(r, 1)?,
        msisdn: get(r, 2)?,
        outcome: get(r, 3)?,
        request_id: get(r, 4)?,
        detail: get(r, 5)?,
    })
}

type Map<T> = fn(&Row) -> Result<T>;

fn account(r: &Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: get(r, 0)?,
        login: get(r, 1)?,
        password_hash: get(r, 2)?,
        role: parsed(r, 3)?,
        operator: parsed_opt(r, 4)?,
        store_id: get(r, 5)?,
        subscriber_id: get(r, 6)?,
        disabled: get(r, 7)?,
        scopes: get(r, 8)?,
    })
}

fn store_row(r: &Row) -> Result<StoreRow> {
    Ok(StoreRow {
        id: get(r, 0)?,
        operator: parsed(r, 1)?,
        name: get(r, 2)?,
        address: get(r, 3)?,
        region: get(r, 4)?,
        time_zone: get(r, 5)?,
        hours: get(r, 6)?,
        accepts_terminations: get(r, 7)?,
        recycles_sims: get(r, 8)?,
        wait_minutes: get(r, 9)?,
    })
}

fn subscriber(r: &Row) -> Result<SubscriberRow> {
    Ok(SubscriberRow {
        id: get(r, 0)?,
        category: parsed(r, 1)?,
        full_name: get(r, 2)?,
        id_document_type: get(r, 3)?,
        id_document_number: get(r, 4)?,
        email: get(r, 5)?,
        phone: get(r, 6)?,
        language: parsed(r, 7)?,
    })
}

fn number(r: &Row) -> Result<NumberRow> {
    Ok(NumberRow {
        msisdn: msisdn(r, 0)?,
        operator: parsed(r, 1)?,
        state: parsed(r, 2)?,
        aging_until: time_opt(r, 3)?,
        line_id: get(r, 4)?,
        subscriber_id: get(r, 5)?,
        history_since: time(r, 6)?,
        updated_at: time(r, 7)?,
    })
}

fn assignment(r: &Row) -> Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: get(r, 2)?,
        line_id: get(r, 3)?,
        from: time(r, 4)?,
        to: time_opt(r, 5)?,
        end_reason: get(r, 6)?,
    })
}

fn line(r: &Row) -> Result<LineRow> {
    Ok(LineRow {
        id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        iccid: get(r, 2)?,
        operator: parsed(r, 3)?,
        subscriber_id: get(r, 4)?,
        state: parsed(r, 5)?,
        balance: Money::from_kopecks(get(r, 6)?),
        opened_at: time(r, 7)?,
        terminated_at: time_opt(r, 8)?,
    })
}

fn request(r: &Row) -> Result<RequestRow> {
    Ok(RequestRow {
        id: get(r, 0)?,
        line_id: get(r, 1)?,
        subscriber_id: get(r, 2)?,
        operator: parsed(r, 3)?,
        msisdn: msisdn(r, 4)?,
        channel: parsed(r, 5)?,
        reason: parsed(r, 6)?,
        state: parsed(r, 7)?,
        line_state_before: parsed(r, 8)?,
        store_id: get(r, 9)?,
        created_by: get(r, 10)?,
        created_at: time(r, 11)?,
        submitted_at: time_opt(r, 12)?,
        review_deadline: time_opt(r, 13)?,
        review_deadline_date: parsed_opt(r, 14)?,
        deadline_fallback: get(r, 15)?,
        overdue: get(r, 16)?,
        decided_at: time_opt(r, 17)?,
        completed_at: time_opt(r, 18)?,
        aging_until: time_opt(r, 19)?,
        closed_at: time_opt(r, 20)?,
        note: get(r, 21)?,
        updated_at: time(r, 22)?,
        settlement: SettlementChoice {
            kind: parsed_opt(r, 23)?,
            transfer_to_line: get(r, 24)?,
            refund_name: get(r, 25)?,
            refund_bik: get(r, 26)?,
            refund_account: get(r, 27)?,
        },
    })
}

fn event(r: &Row) -> Result<EventRow> {
    Ok(EventRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        at: time(r, 2)?,
        actor: get(r, 3)?,
        action: get(r, 4)?,
        from_state: parsed(r, 5)?,
        to_state: parsed(r, 6)?,
        reason: get(r, 7)?,
    })
}

fn audit(r: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        id: get(r, 0)?,
        at: time(r, 1)?,
        actor: get(r, 2)?,
        action: get(r, 3)?,
        entity: get(r, 4)?,
        entity_id: get(r, 5)?,
        details: get(r, 6)?,
        prev_hash: get(r, 7)?,
        hash: get(r, 8)?,
    })
}

fn job(r: &Row) -> Result<JobRow> {
    Ok(JobRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        payload: get(r, 2)?,
        run_at: time(r, 3)?,
        attempts: get(r, 4)?,
        max_attempts: get(r, 5)?,
        status: get(r, 6)?,
        locked_until: time_opt(r, 7)?,
        last_error: get(r, 8)?,
        dedupe_key: get(r, 9)?,
    })
}

fn movement(r: &Row) -> Result<MovementRow> {
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

fn service(r: &Row) -> Result<ServiceRow> {
    Ok(ServiceRow {
        id: get(r, 0)?,
        line_id: get(r, 1)?,
        name: get(r, 2)?,
        monthly_charge: Money::from_kopecks(get(r, 3)?),
        started_at: time(r, 4)?,
        charged_until: time(r, 5)?,
        stopped_at: time_opt(r, 6)?,
    })
}

fn refund(r: &Row) -> Result<RefundRow> {
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
    })
}

fn statement_row(r: &Row) -> Result<StatementRow> {
    Ok(StatementRow {
        movement_id: get(r, 0)?,
        kind: parsed(r, 1)?,
        memo: get(r, 2)?,
        reverses: get(r, 3)?,
        at: time(r, 4)?,
        amount: Money::from_kopecks(get(r, 5)?),
    })
}

impl PgTx<'_> {
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.txn.prepare(sql).map_err(store_error)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn exec(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let s = self.prepared(sql)?;
        self.txn.execute(&s, p).map_err(store_error)
    }

    fn id(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<i64> {
        let s = self.prepared(sql)?;
        let row = self.txn.query_one(&s, p).map_err(store_error)?;
        get(&row, 0)
    }

    fn one<T>(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)], map: Map<T>) -> Result<Option<T>> {
        let s = self.prepared(sql)?;
        self.txn.query_opt(&s, p).map_err(store_error)?.as_ref().map(map).transpose()
    }

    fn all<T>(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)], map: Map<T>) -> Result<Vec<T>> {
        let s = self.prepared(sql)?;
        self.txn.query(&s, p).map_err(store_error)?.iter().map(map).collect()
    }

    /// `FOR UPDATE` in a write transaction (read-only ones may not lock).
    fn lock(&self) -> &'static str {
        if self.write { " FOR UPDATE" } else { "" }
    }

    fn with_entries(&mut self, mut m: MovementRow) -> Result<MovementRow> {
        m.entries =
            self.all("SELECT account, amount FROM ledger_entries WHERE movement_id = $1 ORDER BY id", &[&m.id], |r| {
                Ok(Entry { account: parsed(r, 0)?, amount: Money::from_kopecks(get(r, 1)?) })
            })?;
        Ok(m)
    }
}

fn limit(n: u32) -> i64 {
    i64::from(n)
}

impl Tx for PgTx<'_> {
    fn insert_account(&mut self, a: &NewAccount) -> Result<i64> {
        self.id(
            "INSERT INTO accounts (login, password_hash, role, operator_id, store_id, subscriber_id, created_at, scopes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &a.login,
                &a.password_hash,
                &a.role.as_str(),
                &a.operator.as_ref().map(OperatorId::as_str),
                &a.store_id,
                &a.subscriber_id,
                &ts(a.created_at),
                &a.scopes,
            ],
        )
    }

    fn account(&mut self, id: i64) -> Result<Option<AccountRow>> {
        self.one(&format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1"), &[&id], account)
    }

    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>> {
        self.one(&format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE login = $1"), &[&login], account)
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, csrf_hash) VALUES ($1, $2, $3, $4, $5)",
            &[&s.token_hash, &s.account_id, &ts(s.created_at), &ts(s.expires_at), &s.csrf_hash],
        )
        .map(drop)
    }

    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>> {
        let cols = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        self.one(
            &format!(
                "SELECT {cols} FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT a.disabled"
            ),
            &[&token_hash, &ts(now)],
            account,
        )
    }

    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>> {
        let v: Option<Option<String>> =
            self.one("SELECT csrf_hash FROM sessions WHERE token_hash = $1", &[&token_hash], |r| get(r, 0))?;
        Ok(v.flatten())
    }

    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool> {
        self.exec(
            "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            &[&token_hash, &ts(at)],
        )
        .map(|n| n > 0)
    }

    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()> {
        self.exec(
            "INSERT INTO operators (id, name, inn) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, inn = excluded.inn",
            &[&id.as_str(), &name, &inn],
        )
        .map(drop)
    }

    fn upsert_store(&mut self, s: &StoreRow) -> Result<()> {
        self.exec(
            &format!(
                "INSERT INTO stores ({STORE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, name = excluded.name,
                 address = excluded.address, region = excluded.region, time_zone = excluded.time_zone,
                 hours = excluded.hours, accepts_terminations = excluded.accepts_terminations,
                 recycles_sims = excluded.recycles_sims, wait_minutes = excluded.wait_minutes"
            ),
            &[
                &s.id,
                &s.operator.as_str(),
                &s.name,
                &s.address,
                &s.region,
                &s.time_zone,
                &s.hours,
                &s.accepts_terminations,
                &s.recycles_sims,
                &s.wait_minutes,
            ],
        )
        .map(drop)
    }

    fn stores(&mut self) -> Result<Vec<StoreRow>> {
        self.all(&format!("SELECT {STORE_COLS} FROM stores ORDER BY region, id"), &[], store_row)
    }

    fn insert_subscriber(&mut self, s: &NewSubscriber) -> Result<i64> {
        self.id(
            "INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &s.category.as_str(),
                &s.full_name,
                &s.id_document_type,
                &s.id_document_number,
                &s.email,
                &s.phone,
                &s.language.as_str(),
                &ts(s.created_at),
            ],
        )
    }

    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>> {
        self.one(&format!("SELECT {SUBSCRIBER_COLS} FROM subscribers WHERE id = $1"), &[&id], subscriber)
    }

    fn insert_number(&mut self, n: &NumberRow) -> Result<()> {
        self.exec(
            &format!("INSERT INTO numbers ({NUMBER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
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

    fn number(&mut self, m: &Msisdn) -> Result<Option<NumberRow>> {
        let sql = format!("SELECT {NUMBER_COLS} FROM numbers WHERE msisdn = $1{}", self.lock());
        self.one(&sql, &[&m.as_str()], number)
    }

    fn claim_available_number(&mut self, operator: &OperatorId) -> Result<Option<NumberRow>> {
        // SKIP LOCKED: concurrent allocations each take a different number instead of waiting.
        self.one(
            &format!(
                "SELECT {NUMBER_COLS} FROM numbers WHERE operator_id = $1 AND state = 'available'
                 ORDER BY updated_at, msisdn LIMIT 1 FOR UPDATE SKIP LOCKED"
            ),
            &[&operator.as_str()],
            number,
        )
    }

    fn update_number(&mut self, n: &NumberRow) -> Result<()> {
        self.exec(
            "UPDATE numbers SET operator_id = $2, state = $3, aging_until = $4, line_id = $5, subscriber_id = $6,
             history_since = $7, updated_at = $8 WHERE msisdn = $1",
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
        self.exec(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES ($1, $2, $3, $4)",
            &[&a.msisdn.as_str(), &a.subscriber_id, &a.line_id, &ts(a.from)],
        )
        .map(drop)
    }

    fn close_assignment(&mut self, m: &Msisdn, to: Timestamp, reason: &str) -> Result<bool> {
        self.exec(
            "UPDATE number_assignments SET to_at = $2, end_reason = $3 WHERE msisdn = $1 AND to_at IS NULL",
            &[&m.as_str(), &ts(to), &reason],
        )
        .map(|n| n > 0)
    }

    fn assignments(&mut self, m: &Msisdn) -> Result<Vec<AssignmentRow>> {
        self.all(
            &format!("SELECT {ASSIGNMENT_COLS} FROM number_assignments WHERE msisdn = $1 ORDER BY from_at, id"),
            &[&m.as_str()],
            assignment,
        )
    }

    fn insert_past_event(&mut self, e: &PastEventRow) -> Result<bool> {
        let n = self.exec(
            &format!(
                "INSERT INTO past_events ({PAST_EVENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
            ),
            &[&e.msisdn.as_str(), &ts(e.at), &e.kind, &e.operator.as_str(), &ts(e.history_since), &e.source],
        )?;
        Ok(n == 1)
    }

    fn past_events(&mut self, m: &Msisdn) -> Result<Vec<PastEventRow>> {
        self.all(
            &format!("SELECT {PAST_EVENT_COLS} FROM past_events WHERE msisdn = $1 ORDER BY at, kind"),
            &[&m.as_str()],
            |r| {
                Ok(PastEventRow {
                    msisdn: msisdn(r, 0)?,
                    at: time(r, 1)?,
                    kind: get(r, 2)?,
                    operator: parsed(r, 3)?,
                    history_since: time(r, 4)?,
                    source: get(r, 5)?,
                })
            },
        )
    }

    fn extend_history(&mut self, operator: &OperatorId, since: Timestamp) -> Result<u64> {
        self.exec(
            "UPDATE numbers SET history_since = $2 WHERE operator_id = $1 AND history_since > $2",
            &[&operator.as_str(), &ts(since)],
        )
    }

    fn insert_line(&mut self, l: &NewLine) -> Result<i64> {
        self.id(
            "INSERT INTO lines (msisdn, iccid, operator_id, subscriber_id, state, opened_at)
             VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id",
            &[&l.msisdn.as_str(), &l.iccid, &l.operator.as_str(), &l.subscriber_id, &ts(l.opened_at)],
        )
    }

    fn line(&mut self, id: i64) -> Result<Option<LineRow>> {
        let sql = format!("SELECT {LINE_COLS} FROM lines WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], line)
    }

    fn line_by_msisdn(&mut self, m: &Msisdn) -> Result<Option<LineRow>> {
        self.one(
            &format!("SELECT {LINE_COLS} FROM lines WHERE msisdn = $1 ORDER BY opened_at DESC, id DESC LIMIT 1"),
            &[&m.as_str()],
            line,
        )
    }

    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>> {
        self.all(
            &format!("SELECT {LINE_COLS} FROM lines WHERE subscriber_id = $1 ORDER BY id"),
            &[&subscriber_id],
            line,
        )
    }

    fn update_line(&mut self, l: &LineRow) -> Result<()> {
        self.exec(
            "UPDATE lines SET state = $2, terminated_at = $3, iccid = $4 WHERE id = $1",
            &[&l.id, &l.state.as_str(), &ts_opt(l.terminated_at), &l.iccid],
        )
        .map(drop)
    }

    fn insert_request(&mut self, r: &RequestRow) -> Result<i64> {
        let cols = REQUEST_COLS.trim_start_matches("id, ");
        self.id(
            &format!(
                "INSERT INTO termination_requests ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) RETURNING id"
            ),
            &[
                &r.line_id,
                &r.subscriber_id,
                &r.operator.as_str(),
                &r.msisdn.as_str(),
                &r.channel.as_str(),
                &r.reason.as_str(),
                &r.state.as_str(),
                &r.line_state_before.as_str(),
                &r.store_id,
                &r.created_by,
                &ts(r.created_at),
                &ts_opt(r.submitted_at),
                &ts_opt(r.review_deadline),
                &r.review_deadline_date.map(|d| d.to_string()),
                &r.deadline_fallback,
                &r.overdue,
                &ts_opt(r.decided_at),
                &ts_opt(r.completed_at),
                &ts_opt(r.aging_until),
                &ts_opt(r.closed_at),
                &r.note,
                &ts(r.updated_at),
                &r.settlement.kind.map(|k| k.as_str()),
                &r.settlement.transfer_to_line,
                &r.settlement.refund_name,
                &r.settlement.refund_bik,
                &r.settlement.refund_account,
            ],
        )
    }

    fn request(&mut self, id: i64) -> Result<Option<RequestRow>> {
        // Locking the request serialises concurrent transitions of it across instances: the
        // second waits, then sees the first one's state (and is refused if it is now illegal).
        let sql = format!("SELECT {REQUEST_COLS} FROM termination_requests WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], request)
    }

    fn open_request_for_line(&mut self, line_id: i64) -> Result<Option<RequestRow>> {
        self.one(
            &format!(
                "SELECT {REQUEST_COLS} FROM termination_requests WHERE line_id = $1
                 AND state IN ('draft', 'submitted', 'info_requested', 'info_provided', 'approved')"
            ),
            &[&line_id],
            request,
        )
    }

    fn update_request(&mut self, r: &RequestRow) -> Result<()> {
        self.exec(
            "UPDATE termination_requests SET state = $2, submitted_at = $3, review_deadline = $4,
             review_deadline_date = $5, deadline_fallback = $6, overdue = $7, decided_at = $8, completed_at = $9,
             aging_until = $10, closed_at = $11, note = $12, updated_at = $13, store_id = $14, settlement = $15,
             transfer_to_line = $16, refund_name = $17, refund_bik = $18, refund_account = $19 WHERE id = $1",
            &[
                &r.id,
                &r.state.as_str(),
                &ts_opt(r.submitted_at),
                &ts_opt(r.review_deadline),
                &r.review_deadline_date.map(|d| d.to_string()),
                &r.deadline_fallback,
                &r.overdue,
                &ts_opt(r.decided_at),
                &ts_opt(r.completed_at),
                &ts_opt(r.aging_until),
                &ts_opt(r.closed_at),
                &r.note,
                &ts(r.updated_at),
                &r.store_id,
                &r.settlement.kind.map(|k| k.as_str()),
                &r.settlement.transfer_to_line,
                &r.settlement.refund_name,
                &r.settlement.refund_bik,
                &r.settlement.refund_account,
            ],
        )
        .map(drop)
    }

    fn review_queue(&mut self, operator: Option<&OperatorId>, n: u32) -> Result<Vec<RequestRow>> {
        self.all(
            &format!(
                "SELECT {REQUEST_COLS} FROM termination_requests
                 WHERE state IN ('submitted', 'info_provided') AND ($1::TEXT IS NULL OR operator_id = $1)
                 ORDER BY review_deadline, id LIMIT $2"
            ),
            &[&operator.map(OperatorId::as_str), &limit(n)],
            request,
        )
    }

    fn requests_of(&mut self, subscriber_id: i64) -> Result<Vec<RequestRow>> {
        self.all(
            &format!("SELECT {REQUEST_COLS} FROM termination_requests WHERE subscriber_id = $1 ORDER BY id"),
            &[&subscriber_id],
            request,
        )
    }

    fn requests_at_store(&mut self, store_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        self.all(
            &format!("SELECT {REQUEST_COLS} FROM termination_requests WHERE store_id = $1 ORDER BY id DESC LIMIT $2"),
            &[&store_id, &i64::from(limit)],
            request,
        )
    }

    fn dashboard_counts(&mut self, metrics: &[&str]) -> Result<Vec<(String, String, i64)>> {
        let mut out = Vec::new();
        for (metric, sql) in simexit_store::DASHBOARD.iter().filter(|(m, _)| metrics.contains(m)) {
            let rows: Vec<(String, i64)> = self.all(sql, &[], |r| Ok((get(r, 0)?, get(r, 1)?)))?;
            out.extend(rows.into_iter().map(|(k, n)| ((*metric).to_owned(), k, n)));
        }
        Ok(out)
    }

    fn invariant_counts(&mut self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for (name, sql) in simexit_store::INVARIANTS.iter().chain(simexit_store::TALLIES) {
            let n: i64 = self.one(sql, &[], |r| get(r, 0))?.unwrap_or(0);
            out.push(((*name).to_owned(), n));
        }
        Ok(out)
    }

    fn queue_depths(&mut self, now: Timestamp) -> Result<Vec<(String, String, i64)>> {
        let sql = simexit_store::QUEUE_DEPTHS.replace("{p}", "$1");
        self.all(&sql, &[&ts(now)], |r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
    }

    fn insert_event(&mut self, e: &NewEvent) -> Result<()> {
        self.exec(
            "INSERT INTO request_events (request_id, at, actor, action, from_state, to_state, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&e.request_id, &ts(e.at), &e.actor, &e.action, &e.from_state.as_str(), &e.to_state.as_str(), &e.reason],
        )
        .map(drop)
    }

    fn events(&mut self, request_id: i64) -> Result<Vec<EventRow>> {
        self.all(
            &format!("SELECT {EVENT_COLS} FROM request_events WHERE request_id = $1 ORDER BY id"),
            &[&request_id],
            event,
        )
    }

    fn record_movement(&mut self, m: &NewMovement) -> Result<Option<i64>> {
        let s = self.prepared(
            "INSERT INTO ledger_movements (kind, idempotency_key, memo, reverses, line_id, at, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )?;
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
            self.exec(
                "INSERT INTO ledger_entries (movement_id, account, amount) VALUES ($1, $2, $3)",
                &[&id, &e.account.to_string(), &e.amount.kopecks()],
            )?;
        }
        Ok(Some(id))
    }

    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>> {
        let row = self.one(&format!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE id = $1"), &[&id], movement)?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>> {
        let row = self.one(
            &format!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE idempotency_key = $1"),
            &[&key],
            movement,
        )?;
        row.map(|m| self.with_entries(m)).transpose()
    }

    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>> {
        self.one("SELECT id FROM ledger_movements WHERE reverses = $1", &[&id], |r| get(r, 0))
    }

    fn balance(&mut self, account: &Account) -> Result<Money> {
        let sum = self.one(
            "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM ledger_entries WHERE account = $1",
            &[&account.to_string()],
            |r| get::<i64>(r, 0),
        )?;
        Ok(Money::from_kopecks(sum.unwrap_or(0)))
    }

    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>> {
        self.all(
            "SELECT m.id, m.kind, m.memo, m.reverses, m.at, e.amount FROM ledger_entries e
             JOIN ledger_movements m ON m.id = e.movement_id WHERE e.account = $1 ORDER BY m.at, m.id",
            &[&account.to_string()],
            statement_row,
        )
    }

    fn ledger_total(&mut self) -> Result<i64> {
        let sum = self.one("SELECT COALESCE(SUM(amount), 0)::BIGINT FROM ledger_entries", &[], |r| get::<i64>(r, 0))?;
        Ok(sum.unwrap_or(0))
    }

    fn insert_service(&mut self, s: &ServiceRow) -> Result<i64> {
        self.id(
            "INSERT INTO line_services (line_id, name, monthly_charge, started_at, charged_until, stopped_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &s.line_id,
                &s.name,
                &s.monthly_charge.kopecks(),
                &ts(s.started_at),
                &ts(s.charged_until),
                &ts_opt(s.stopped_at),
            ],
        )
    }

    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>> {
        let sql = format!("SELECT {SERVICE_COLS} FROM line_services WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], service)
    }

    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>> {
        self.all(
            &format!("SELECT {SERVICE_COLS} FROM line_services WHERE line_id = $1 ORDER BY id"),
            &[&line_id],
            service,
        )
    }

    fn update_service(&mut self, s: &ServiceRow) -> Result<()> {
        self.exec(
            "UPDATE line_services SET charged_until = $2, stopped_at = $3 WHERE id = $1",
            &[&s.id, &ts(s.charged_until), &ts_opt(s.stopped_at)],
        )
        .map(drop)
    }

    fn insert_refund(&mut self, f: &RefundRow) -> Result<i64> {
        let cols = REFUND_COLS.trim_start_matches("id, ");
        self.id(
            &format!("INSERT INTO refunds ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"),
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
            ],
        )
    }

    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>> {
        // Locked in a write transaction: two clicks on "paid" are serialised, the second sees
        // the refund already paid.
        let sql = format!("SELECT {REFUND_COLS} FROM refunds WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], refund)
    }

    fn update_refund(&mut self, f: &RefundRow) -> Result<()> {
        self.exec(
            "UPDATE refunds SET amount = $2, state = $3, recipient_name = $4, bik = $5, account = $6, reason = $7,
             updated_at = $8 WHERE id = $1",
            &[
                &f.id,
                &f.amount.kopecks(),
                &f.state,
                &f.recipient_name,
                &f.bik,
                &f.account,
                &f.reason,
                &ts(f.updated_at),
            ],
        )
        .map(drop)
    }

    fn refunds(&mut self, state: Option<&str>, operator: Option<&OperatorId>, n: u32) -> Result<Vec<RefundRow>> {
        self.all(
            &format!(
                "SELECT {REFUND_COLS} FROM refunds WHERE ($1::TEXT IS NULL OR state = $1)
                 AND ($2::TEXT IS NULL OR operator_id = $2) ORDER BY created_at, id LIMIT $3"
            ),
            &[&state, &operator.map(OperatorId::as_str), &limit(n)],
            refund,
        )
    }

    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>> {
        self.all(&format!("SELECT {REFUND_COLS} FROM refunds WHERE line_id = $1 ORDER BY id"), &[&line_id], refund)
    }

    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO final_bills (request_id, bill, issued_at) VALUES ($1, $2, $3)",
            &[&request_id, &bill, &ts(at)],
        )
        .map(drop)
    }

    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>> {
        self.one("SELECT bill FROM final_bills WHERE request_id = $1", &[&request_id], |r| get(r, 0))
    }

    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let row = self.one(
            "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, $4)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN rate_limits.window_start + $3 <= $2 THEN $4 ELSE rate_limits.count + $4 END,
               window_start = CASE WHEN rate_limits.window_start + $3 <= $2 THEN $2 ELSE rate_limits.window_start END
             RETURNING window_start, count",
            &[&key, &ts(now), &w, &amount],
            |r| Ok(RateCount { window_start: time(r, 0)?, count: get(r, 1)? }),
        )?;
        row.ok_or_else(|| StoreError::Other("rate limit upsert returned no row".into()))
    }

    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.one(
            "SELECT window_start, count FROM rate_limits WHERE key = $1 AND window_start + $3 > $2",
            &[&key, &ts(now), &w],
            |r| Ok(RateCount { window_start: time(r, 0)?, count: get(r, 1)? }),
        )
    }

    fn clear_rate_limit(&mut self, key: &str) -> Result<()> {
        self.exec("DELETE FROM rate_limits WHERE key = $1", &[&key]).map(drop)
    }

    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>> {
        let cols = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        self.one(
            &format!(
                "SELECT {cols} FROM accounts a JOIN subscribers s ON s.id = a.subscriber_id
                 WHERE s.phone = $1 AND a.role = 'subscriber' ORDER BY a.id LIMIT 1"
            ),
            &[&phone.as_str()],
            account,
        )
    }

    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.exec("UPDATE accounts SET password_hash = $2 WHERE id = $1", &[&account_id, &password_hash]).map(drop)
    }

    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()> {
        self.exec("UPDATE accounts SET disabled = $2 WHERE id = $1", &[&account_id, &disabled]).map(drop)
    }

    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>> {
        self.all(
            &format!(
                "SELECT {ACCOUNT_COLS} FROM accounts WHERE role <> 'subscriber' AND ($1::TEXT IS NULL OR operator_id = $1) ORDER BY login"
            ),
            &[&operator.map(OperatorId::as_str)],
            account,
        )
    }

    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64> {
        self.exec(
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            &[&account_id, &ts(at)],
        )
    }

    fn insert_password_reset(&mut self, p: &PasswordResetRow) -> Result<i64> {
        self.id(
            "INSERT INTO password_resets (account_id, code_hash, expires_at, attempts, used_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&p.account_id, &p.code_hash, &ts(p.expires_at), &p.attempts, &ts_opt(p.used_at), &ts(p.created_at)],
        )
    }

    fn latest_password_reset(&mut self, account_id: i64) -> Result<Option<PasswordResetRow>> {
        self.one(
            &format!(
                "SELECT {RESET_COLS} FROM password_resets WHERE account_id = $1 AND used_at IS NULL
                 ORDER BY created_at DESC, id DESC LIMIT 1{}",
                self.lock()
            ),
            &[&account_id],
            password_reset,
        )
    }

    fn update_password_reset(&mut self, p: &PasswordResetRow) -> Result<()> {
        self.exec(
            "UPDATE password_resets SET attempts = $2, used_at = $3 WHERE id = $1",
            &[&p.id, &p.attempts, &ts_opt(p.used_at)],
        )
        .map(drop)
    }

    fn clear_numbering(&mut self) -> Result<()> {
        self.exec("DELETE FROM numbering_ranges", &[]).map(drop)
    }

    fn record_numbering_import(&mut self, source: &str, ranges: usize, at: Timestamp) -> Result<()> {
        let n = ranges as i64;
        self.exec(
            "INSERT INTO numbering_imports (source, ranges, imported_at) VALUES ($1, $2, $3)",
            &[&source, &n, &ts(at)],
        )
        .map(drop)
    }

    fn append_numbering(&mut self, ranges: &[NumberRange]) -> Result<()> {
        let insert = self.prepared(
            "INSERT INTO numbering_ranges (def, range_from, range_to, operator_name, region, territory, inn)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )?;
        for r in ranges {
            let (def, from, to) = (i64::from(r.def), i64::from(r.from), i64::from(r.to));
            self.txn
                .execute(&insert, &[&def, &from, &to, &r.operator_name, &r.region, &r.territory, &r.inn])
                .map_err(store_error)?;
        }
        Ok(())
    }

    fn numbering_range(&mut self, def: u16, subscriber: u32) -> Result<Option<NumberRange>> {
        let (def, sub) = (i64::from(def), i64::from(subscriber));
        self.one(
            "SELECT def, range_from, range_to, operator_name, region, territory, inn FROM numbering_ranges
             WHERE def = $1 AND range_from <= $2 AND range_to >= $2 ORDER BY range_from DESC LIMIT 1",
            &[&def, &sub],
            |r| {
                let num = |i: usize| -> Result<i64> { get(r, i) };
                Ok(NumberRange {
                    def: u16::try_from(num(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    from: u32::try_from(num(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    to: u32::try_from(num(2)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    operator_name: get(r, 3)?,
                    region: get(r, 4)?,
                    territory: get(r, 5)?,
                    inn: get(r, 6)?,
                })
            },
        )
    }

    fn insert_document(&mut self, d: &DocumentRow) -> Result<i64> {
        let cols = DOCUMENT_COLS.trim_start_matches("id, ");
        self.id(
            &format!(
                "INSERT INTO documents ({cols})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"
            ),
            &[
                &d.request_id,
                &d.kind.as_str(),
                &d.file_name,
                &d.content_type,
                &d.size,
                &d.sha256,
                &d.storage_key,
                &d.key_id,
                &d.status,
                &d.review_reason,
                &d.reviewed_by,
                &d.uploaded_by,
                &ts(d.uploaded_at),
                &ts_opt(d.retention_until),
                &ts_opt(d.destroyed_at),
            ],
        )
    }

    fn document(&mut self, id: i64) -> Result<Option<DocumentRow>> {
        let sql = format!("SELECT {DOCUMENT_COLS} FROM documents WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], document)
    }

    fn documents_of(&mut self, request_id: i64) -> Result<Vec<DocumentRow>> {
        self.all(
            &format!("SELECT {DOCUMENT_COLS} FROM documents WHERE request_id = $1 ORDER BY id"),
            &[&request_id],
            document,
        )
    }

    fn update_document(&mut self, d: &DocumentRow) -> Result<()> {
        self.exec(
            "UPDATE documents SET status = $2, review_reason = $3, reviewed_by = $4, retention_until = $5,
             destroyed_at = $6, file_name = $7 WHERE id = $1",
            &[
                &d.id,
                &d.status,
                &d.review_reason,
                &d.reviewed_by,
                &ts_opt(d.retention_until),
                &ts_opt(d.destroyed_at),
                &d.file_name,
            ],
        )
        .map(drop)
    }

    fn set_documents_retention(&mut self, request_id: i64, until: Timestamp) -> Result<u64> {
        self.exec(
            "UPDATE documents SET retention_until = $2 WHERE request_id = $1 AND status <> 'destroyed'",
            &[&request_id, &ts(until)],
        )
    }

    fn documents_due(&mut self, now: Timestamp, n: u32) -> Result<Vec<DocumentRow>> {
        self.all(
            &format!(
                "SELECT {DOCUMENT_COLS} FROM documents WHERE status <> 'destroyed' AND retention_until <= $1
                 ORDER BY retention_until, id LIMIT $2"
            ),
            &[&ts(now), &limit(n)],
            document,
        )
    }

    fn insert_destruction_act(&mut self, a: &DestructionActRow) -> Result<i64> {
        let cols = ACT_COLS.trim_start_matches("id, ");
        self.id(
            &format!("INSERT INTO destruction_acts ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"),
            &[
                &a.document_id,
                &a.request_id,
                &a.subscriber_id,
                &a.kind,
                &a.sha256,
                &a.size,
                &a.reason,
                &a.actor,
                &ts(a.at),
            ],
        )
    }

    fn destruction_acts(&mut self, after_id: i64, n: u32) -> Result<Vec<DestructionActRow>> {
        self.all(
            &format!("SELECT {ACT_COLS} FROM destruction_acts WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after_id, &limit(n)],
            act,
        )
    }

    fn insert_certificate(&mut self, c: &CertificateRow) -> Result<()> {
        self.exec(
            &format!("INSERT INTO certificates ({CERTIFICATE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[&c.number, &c.request_id, &c.operator.as_str(), &c.payload, &c.key_id, &c.signature, &ts(c.issued_at)],
        )
        .map(drop)
    }

    fn certificate(&mut self, number: &str) -> Result<Option<CertificateRow>> {
        self.one(&format!("SELECT {CERTIFICATE_COLS} FROM certificates WHERE number = $1"), &[&number], certificate)
    }

    fn certificate_of_request(&mut self, request_id: i64) -> Result<Option<CertificateRow>> {
        self.one(
            &format!("SELECT {CERTIFICATE_COLS} FROM certificates WHERE request_id = $1"),
            &[&request_id],
            certificate,
        )
    }

    fn insert_network_task(&mut self, t: &NetworkTaskRow) -> Result<i64> {
        let cols = NETWORK_COLS.trim_start_matches("id, ");
        self.id(
            &format!("INSERT INTO network_tasks ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"),
            &[
                &t.request_id,
                &t.msisdn.as_str(),
                &t.direction,
                &t.steps.join(","),
                &t.done_steps,
                &t.status,
                &t.attempts,
                &t.last_error,
                &ts(t.updated_at),
            ],
        )
    }

    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>> {
        let sql = format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], network_task)
    }

    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.all(
            &format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE request_id = $1 ORDER BY id"),
            &[&request_id],
            network_task,
        )
    }

    fn update_network_task(&mut self, t: &NetworkTaskRow) -> Result<()> {
        self.exec(
            "UPDATE network_tasks SET done_steps = $2, status = $3, attempts = $4, last_error = $5, updated_at = $6 WHERE id = $1",
            &[&t.id, &t.done_steps, &t.status, &t.attempts, &t.last_error, &ts(t.updated_at)],
        )
        .map(drop)
    }

    fn network_alerts(&mut self, n: u32) -> Result<Vec<NetworkTaskRow>> {
        self.all(
            &format!(
                "SELECT {NETWORK_COLS} FROM network_tasks WHERE status = 'alert' ORDER BY updated_at, id LIMIT $1"
            ),
            &[&limit(n)],
            network_task,
        )
    }

    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>> {
        self.all(
            "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at FROM lines l
             JOIN subscribers s ON s.id = l.subscriber_id
             WHERE l.state IN ('active', 'suspended') AND l.subscriber_id IN (
                 SELECT subscriber_id FROM lines WHERE state IN ('active', 'suspended')
                 GROUP BY subscriber_id HAVING COUNT(*) > $1)
             ORDER BY l.subscriber_id, l.opened_at DESC, l.id DESC",
            &[&more_than],
            candidate,
        )
    }

    fn lines_unused_since(&mut self, since: Timestamp, n: u32) -> Result<Vec<CandidateLine>> {
        self.all(
            "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at FROM lines l
             JOIN subscribers s ON s.id = l.subscriber_id
             WHERE l.state IN ('active', 'suspended') AND l.opened_at <= $1 AND NOT EXISTS (
                 SELECT 1 FROM ledger_movements m
                 WHERE m.line_id = l.id AND m.at >= $1 AND m.kind IN ('charge', 'payment'))
             ORDER BY l.id LIMIT $2",
            &[&ts(since), &limit(n)],
            candidate,
        )
    }

    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool> {
        let n = self.exec(
            &format!(
                "INSERT INTO bulk_runs ({BULK_RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
            ),
            &[
                &run.id,
                &run.reason,
                &run.source,
                &run.total,
                &run.created_by,
                &ts(run.created_at),
                &ts_opt(run.finished_at),
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        for (line_no, msisdn) in lines {
            self.exec(
                "INSERT INTO bulk_lines (run_id, line_no, msisdn) VALUES ($1, $2, $3)",
                &[&run.id, line_no, msisdn],
            )?;
        }
        Ok(true)
    }

    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>> {
        self.one(&format!("SELECT {BULK_RUN_COLS} FROM bulk_runs WHERE id = $1"), &[&id], bulk_run)
    }

    fn pending_bulk_lines(&mut self, run_id: &str, n: u32) -> Result<Vec<BulkLineRow>> {
        self.all(
            &format!("SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = $1 AND outcome IS NULL ORDER BY line_no LIMIT $2"),
            &[&run_id, &limit(n)],
            bulk_line,
        )
    }

    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>> {
        let sql = format!("SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = $1 AND line_no = $2{}", self.lock());
        self.one(&sql, &[&run_id, &line_no], bulk_line)
    }

    fn set_bulk_outcome(&mut self, l: &BulkLineRow) -> Result<()> {
        self.exec(
            "UPDATE bulk_lines SET outcome = $3, request_id = $4, detail = $5 WHERE run_id = $1 AND line_no = $2",
            &[&l.run_id, &l.line_no, &l.outcome, &l.request_id, &l.detail],
        )
        .map(drop)
    }

    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>> {
        self.all(
            "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM bulk_lines WHERE run_id = $1 GROUP BY 1 ORDER BY 1",
            &[&run_id],
            |r| Ok((get(r, 0)?, get(r, 1)?)),
        )
    }

    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()> {
        self.exec("UPDATE bulk_runs SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL", &[&id, &ts(at)])
            .map(drop)
    }

    fn insert_outbox(&mut self, m: &OutboxRow) -> Result<Option<i64>> {
        let cols = OUTBOX_COLS.trim_start_matches("id, ");
        self.one(
            &format!(
                "INSERT INTO outbox ({cols})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT DO NOTHING RETURNING id"
            ),
            &[
                &m.channel,
                &m.recipient,
                &m.template,
                &m.language,
                &m.payload,
                &m.status,
                &m.attempts,
                &m.last_error,
                &ts(m.created_at),
                &ts_opt(m.sent_at),
                &ts(m.next_attempt_at),
                &ts_opt(m.locked_until),
                &m.provider_id,
                &m.delivery,
                &m.dedupe_key,
                &m.request_id,
            ],
            |r| get(r, 0),
        )
    }

    fn outbox(&mut self, status: Option<&str>, n: u32) -> Result<Vec<OutboxRow>> {
        self.all(
            &format!(
                "SELECT {OUTBOX_COLS} FROM outbox WHERE ($1::TEXT IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
            ),
            &[&status, &limit(n)],
            outbox,
        )
    }

    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>> {
        self.one(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = $1"), &[&id], outbox)
    }

    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>> {
        self.one(
            &format!(
                "SELECT {OUTBOX_COLS} FROM outbox WHERE provider_id = $2 AND channel = $1 ORDER BY id DESC LIMIT 1"
            ),
            &[&channel, &provider_id],
            outbox,
        )
    }

    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, n: u32) -> Result<Vec<OutboxRow>> {
        // SKIP LOCKED: two dispatchers claiming at once get disjoint messages.
        let mut claimed = self.all(
            &format!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2, locked_until = $2
                 WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
                              ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING {OUTBOX_COLS}"
            ),
            &[&ts(now), &ts(lease_until), &limit(n)],
            outbox,
        )?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    fn update_outbox(&mut self, m: &OutboxRow) -> Result<()> {
        self.exec(
            "UPDATE outbox SET status = $2, attempts = $3, last_error = $4, sent_at = $5, next_attempt_at = $6,
             locked_until = $7, provider_id = $8, delivery = $9 WHERE id = $1",
            &[
                &m.id,
                &m.status,
                &m.attempts,
                &m.last_error,
                &ts_opt(m.sent_at),
                &ts(m.next_attempt_at),
                &ts_opt(m.locked_until),
                &m.provider_id,
                &m.delivery,
            ],
        )
        .map(drop)
    }

    fn outbox_counts(&mut self) -> Result<Vec<(String, i64)>> {
        self.all("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status", &[], |r| {
            Ok((get(r, 0)?, get(r, 1)?))
        })
    }

    fn audit_head(&mut self) -> Result<Option<String>> {
        let sql = format!("SELECT hash FROM audit_head WHERE id = 1{}", self.lock());
        self.one(&sql, &[], |r| get(r, 0))
    }

    fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&ts(e.at), &e.actor, &e.action, &e.entity, &e.entity_id, &e.details, &e.prev_hash, &e.hash],
        )?;
        self.exec(
            "INSERT INTO audit_head (id, hash) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
            &[&e.hash],
        )
        .map(drop)
    }

    fn audit_entries(&mut self, after_id: i64, n: u32) -> Result<Vec<AuditRow>> {
        self.all(
            &format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after_id, &limit(n)],
            audit,
        )
    }

    fn insert_job(&mut self, j: &NewJob) -> Result<()> {
        self.exec(
            "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING",
            &[&j.kind, &j.payload, &ts(j.run_at), &j.max_attempts, &j.dedupe_key, &ts(j.created_at)],
        )
        .map(drop)
    }

    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, n: u32) -> Result<Vec<JobRow>> {
        // SKIP LOCKED: two workers claiming at once get disjoint jobs.
        let mut jobs = self.all(
            &format!(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_at = $2, locked_until = $2, updated_at = $1
                 WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= $1
                              ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING {JOB_COLS}"
            ),
            &[&ts(now), &ts(lease_until), &limit(n)],
            job,
        )?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $2 WHERE id = $1",
            &[&id, &ts(at)],
        )
        .map(drop)
    }

    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'pending', run_at = $2, locked_until = NULL, last_error = $3, updated_at = $2 WHERE id = $1",
            &[&id, &ts(run_at), &error],
        )
        .map(drop)
    }

    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $3, updated_at = $2 WHERE id = $1",
            &[&id, &ts(at), &error],
        )
        .map(drop)
    }

    fn job(&mut self, id: i64) -> Result<Option<JobRow>> {
        self.one(&format!("SELECT {JOB_COLS} FROM jobs WHERE id = $1"), &[&id], job)
    }

    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>> {
        self.all("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status", &[], |r| {
            Ok((get(r, 0)?, get(r, 1)?))
        })
    }
}
