//! The BSS's side of the books: an operator's billing system keeps simexit's subscribers and
//! lines in step with its own (`PUT /sync/subscribers|lines/{external_id}`), posts the charges
//! and payments it made (each applied once, by the BSS's own id), reports the last use a
//! subscriber made of each line, and polls the feed of what simexit changed.
//!
//! Only API clients with the [`SYNC_SCOPE`] scope call these; a client of one operator acts on
//! that operator's lines only.

use jiff::Timestamp;
use simexit_domain::access::Role;
use simexit_domain::ledger::{MovementKind, OperatorAccount};
use simexit_domain::{LineState, Money, OperatorId};
use simexit_store::{ChangeRow, LineRow, StoreExt, Tx};

use crate::imports::{ImportKind, Report, Rows, parse_rows};
use crate::ledger;
use crate::{Principal, Result, Service, ServiceError};

/// The scope of a billing system that keeps simexit in sync.
pub const SYNC_SCOPE: &str = "bss:sync";

/// The most changes one page of the feed holds.
pub const MAX_CHANGES_PAGE: u32 = 1_000;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

impl Upserted {
    fn of(report: Report) -> Upserted {
        if report.created > 0 {
            Upserted::Created
        } else if report.updated > 0 {
            Upserted::Updated
        } else {
            Upserted::Unchanged
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Upserted::Created => "created",
            Upserted::Updated => "updated",
            Upserted::Unchanged => "unchanged",
        }
    }
}

/// A charge or a payment the BSS made on a line.
#[derive(Debug, Clone)]
pub struct Movement {
    /// The BSS's own id of the movement; the same id is applied once.
    pub id: String,
    pub line_external_id: String,
    pub amount: Money,
    pub memo: String,
    /// When the BSS made it; now when not given.
    pub at: Option<Timestamp>,
}

/// The last use a subscriber made of a line.
#[derive(Debug, Clone)]
pub struct Usage {
    pub line_external_id: String,
    /// `call`, `sms` or `data`.
    pub kind: String,
    pub at: Timestamp,
}

pub const USAGE_KINDS: [&str; 3] = ["call", "sms", "data"];

fn bss(who: &Principal) -> Result<()> {
    if who.role == Role::ApiClient && who.scopes.iter().any(|s| s == SYNC_SCOPE) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(format!("only a billing system (an API client with `{SYNC_SCOPE}`) syncs")))
    }
}

/// The problems of a one-row upsert, without the row's line number.
fn one_row_problems(problems: impl std::fmt::Display) -> ServiceError {
    let text = problems.to_string();
    let lines: Vec<&str> =
        text.lines().skip(1).map(|l| l.trim().trim_start_matches("line 1: ").trim_start_matches("line 0: ")).collect();
    ServiceError::unprocessable("invalid_sync", lines.join("; "))
}

fn external_key(id: &str, what: &str) -> Result<()> {
    if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
        return Err(ServiceError::bad_input("invalid_id", format!("{what}: 1 to 64 characters")));
    }
    Ok(())
}

impl Service {
    /// Creates or updates a subscriber or a line by the BSS's id; `body` holds the import's
    /// columns but the id (which is the path's).
    pub fn sync_upsert(
        &self,
        who: &Principal,
        kind: ImportKind,
        external_id: &str,
        body: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(Upserted, i64)> {
        bss(who)?;
        external_key(external_id, "external_id")?;
        if !matches!(kind, ImportKind::Subscribers | ImportKind::Lines) {
            return Err(ServiceError::Internal(format!("{} are not synced one by one", kind.as_str())));
        }
        let mut object = body;
        if object.contains_key("external_id") {
            return Err(ServiceError::unprocessable("invalid_sync", "external_id: it is the path's, not the body's"));
        }
        object.insert("external_id".into(), serde_json::Value::String(external_id.to_owned()));
        let text = serde_json::Value::Object(object).to_string();
        let rows = parse_rows(kind, &text).map_err(one_row_problems)?;
        if let (Rows::Lines(lines), Some(mine)) = (&rows, who.operator.as_ref())
            && lines.iter().any(|(_, l)| &l.operator != mine)
        {
            return Err(ServiceError::forbidden(format!("this client syncs lines of {mine} only")));
        }
        let (now, actor) = (self.now(), who.actor());
        let report = self.store.write(|tx| {
            let mut run = crate::imports::Run::new(now, &actor, &|_, _| {}, rows.units());
            self.apply_rows(tx, &rows, &mut run)?;
            if run.problems.count > 0 {
                return Err(one_row_problems(&run.problems));
            }
            let id = match kind {
                ImportKind::Subscribers => tx.subscriber_by_external(external_id)?.map(|s| s.id),
                _ => tx.line_by_external(external_id)?.map(|l| l.id),
            };
            let id = id.ok_or_else(|| ServiceError::Internal(format!("{external_id} vanished")))?;
            Ok::<_, ServiceError>((run.report, id))
        })?;
        Ok((Upserted::of(report.0), report.1))
    }

    /// Applies a charge (`payment` false) or a payment the BSS made; the same BSS id is applied
    /// once. Returns the line and whether this call applied it.
    pub fn sync_movement(&self, who: &Principal, payment: bool, m: &Movement) -> Result<(LineRow, bool)> {
        bss(who)?;
        external_key(&m.id, "id")?;
        external_key(&m.line_external_id, "line_external_id")?;
        if !m.amount.is_positive() || !m.amount.within_movement_limit() {
            return Err(ServiceError::unprocessable(
                "invalid_amount",
                format!("amount_kopecks: 1 to {}", Money::MAX_MOVEMENT.kopecks()),
            ));
        }
        let memo = m.memo.trim();
        if memo.chars().count() > 500 {
            return Err(ServiceError::unprocessable("invalid_memo", "memo: at most 500 characters"));
        }
        let now = self.now();
        let at = m.at.unwrap_or(now);
        if at > now {
            return Err(ServiceError::unprocessable("invalid_time", "at: not in the future"));
        }
        let (word, kind) = if payment { ("payment", MovementKind::Payment) } else { ("charge", MovementKind::Charge) };
        let key = format!("bss:{word}:{}", m.id);
        self.store.write(|tx| {
            let line = self.synced_line(tx, who, &m.line_external_id)?;
            if line.state == LineState::Terminated && tx.movement_by_key(&key)?.is_none() {
                // Its final bill settled the balance: a movement now would be money no one settles.
                return Err(ServiceError::conflict(
                    "line_terminated",
                    format!("line `{}` is terminated and its final bill settled", m.line_external_id),
                ));
            }
            let (from, to) = if payment {
                (ledger::operator(&line.operator, OperatorAccount::Cash), ledger::line(line.id))
            } else {
                (ledger::line(line.id), ledger::operator(&line.operator, OperatorAccount::Revenue))
            };
            if let Some(existing) = tx.movement_by_key(&key)? {
                let same = existing.line_id == Some(line.id)
                    && existing.kind == kind
                    && existing.entries.iter().any(|e| e.account == to && e.amount == m.amount);
                if !same {
                    return Err(ServiceError::conflict(
                        "idempotency_key_reused",
                        format!("{word} `{}` was applied with another line or amount", m.id),
                    ));
                }
                return Ok((line, false));
            }
            let memo = if memo.is_empty() { format!("{word} {} (BSS)", m.id) } else { memo.to_owned() };
            let applied =
                ledger::post(tx, kind, from, to, m.amount, &memo, key.clone(), Some(line.id), at, &who.actor())?;
            let line = tx.line(line.id)?.ok_or_else(|| ServiceError::Internal("the line vanished".into()))?;
            Ok((line, applied.is_some()))
        })
    }

    /// Records the last use of each line; an older report than the one held changes nothing.
    /// Returns how many lines moved forward.
    pub fn sync_usage(&self, who: &Principal, usage: &[Usage]) -> Result<usize> {
        bss(who)?;
        if usage.is_empty() || usage.len() > 10_000 {
            return Err(ServiceError::unprocessable("invalid_usage", "lines: 1 to 10 000 per call"));
        }
        let now = self.now();
        for (i, u) in usage.iter().enumerate() {
            external_key(&u.line_external_id, &format!("lines[{i}].line_external_id"))?;
            if !USAGE_KINDS.contains(&u.kind.as_str()) {
                return Err(ServiceError::unprocessable(
                    "invalid_usage",
                    format!("lines[{i}].kind: `{}` is not call, sms or data", u.kind),
                ));
            }
            if u.at > now {
                return Err(ServiceError::unprocessable("invalid_usage", format!("lines[{i}].at: not in the future")));
            }
        }
        self.store.write(|tx| {
            let mut moved = 0;
            for u in usage {
                let line = self.synced_line(tx, who, &u.line_external_id)?;
                let Some(mut link) = tx.line_link(line.id)? else { continue };
                if link.last_activity_at.is_some_and(|held| held >= u.at) {
                    continue;
                }
                link.last_activity_at = Some(u.at);
                link.last_activity_kind = Some(u.kind.clone());
                tx.upsert_line_link(&link)?;
                moved += 1;
            }
            Ok::<_, ServiceError>(moved)
        })
    }

    /// What simexit changed after `after`, oldest first, at most `limit` (a client of one
    /// operator sees that operator's changes).
    pub fn changes(&self, who: &Principal, after: i64, limit: u32) -> Result<Vec<ChangeRow>> {
        bss(who)?;
        if after < 0 {
            return Err(ServiceError::bad_input("invalid_cursor", "after: a cursor from a previous page, or 0"));
        }
        let limit = limit.clamp(1, MAX_CHANGES_PAGE);
        Ok(self.store.read(|tx| tx.changes(after, who.operator.as_ref(), limit))?)
    }

    fn synced_line(&self, tx: &mut dyn Tx, who: &Principal, external_id: &str) -> Result<LineRow> {
        let line = tx
            .line_by_external(external_id)?
            .filter(|l| who.operator.as_ref().is_none_or(|o: &OperatorId| o == &l.operator))
            .ok_or_else(|| ServiceError::not_found("line", external_id))?;
        Ok(line)
    }
}
