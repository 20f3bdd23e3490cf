//! Importing lines: a line found by the BSS's id takes the BSS's suspension or resumption, SIM
//! and IMSI (never another number or subscriber); a new one takes its number, assigned to it
//! with its holder period, and its opening balance.

use std::collections::HashMap;

use jiff::Timestamp;
use simexit_domain::number::NumberState;
use simexit_domain::{LineState, OperatorId};
use simexit_store::{LineLink, LineRow, NewAssignment, NewLine, NumberRow, Tx};

use super::Run;
use super::kinds::LineIn;
use crate::{Result, Service};

impl Service {
    pub(super) fn import_lines(&self, tx: &mut dyn Tx, rows: &[(u64, LineIn)], run: &mut Run<'_>) -> Result<()> {
        let mut subscribers: HashMap<&str, Option<i64>> = HashMap::new();
        let mut zones: HashMap<&OperatorId, jiff::tz::TimeZone> = HashMap::new();
        for (at, l) in rows {
            run.tick();
            let zone = match zones.get(&l.operator) {
                Some(z) => z.clone(),
                None => {
                    let Some(policy) = self.policies.get(&l.operator) else {
                        run.problems.add(
                            *at,
                            "operator",
                            format!("`{}` is not an operator of this deployment", l.operator),
                        );
                        continue;
                    };
                    zones.entry(&l.operator).or_insert(policy.zone()).clone()
                }
            };
            let subscriber = match subscribers.get(l.subscriber.as_str()) {
                Some(id) => *id,
                None => {
                    let id = tx.subscriber_by_external(&l.subscriber)?.map(|s| s.id);
                    subscribers.insert(&l.subscriber, id);
                    id
                }
            };
            let Some(subscriber_id) = subscriber else {
                run.problems.add(
                    *at,
                    "subscriber_external_id",
                    format!("no subscriber `{}` (import subscribers first)", l.subscriber),
                );
                continue;
            };
            let opened_at = l.opened_at.instant(&zone)?;
            match tx.line_by_external(&l.external_id)? {
                Some(line) => self.update_imported_line(tx, *at, l, line, subscriber_id, run)?,
                None => self.open_imported_line(tx, *at, l, subscriber_id, opened_at, run)?,
            }
        }
        Ok(())
    }

    fn update_imported_line(
        &self,
        tx: &mut dyn Tx,
        at: u64,
        l: &LineIn,
        mut line: LineRow,
        subscriber_id: i64,
        run: &mut Run<'_>,
    ) -> Result<()> {
        if line.msisdn != l.msisdn {
            run.problems.add(
                at,
                "msisdn",
                format!("line `{}` holds {}; a line keeps its number", l.external_id, line.msisdn),
            );
            return Ok(());
        }
        if line.subscriber_id != subscriber_id {
            run.problems.add(
                at,
                "subscriber_external_id",
                format!("line `{}` belongs to another subscriber", l.external_id),
            );
            return Ok(());
        }
        let mut link = tx.line_link(line.id)?.unwrap_or(LineLink {
            line_id: line.id,
            external_id: l.external_id.clone(),
            imsi: String::new(),
            last_activity_at: None,
            last_activity_kind: None,
        });
        let iccid = l.iccid.as_ref().map(|i| i.as_str().to_owned());
        // Suspension and resumption are the BSS's; a line in termination is simexit's.
        let state = if matches!(line.state, LineState::Active | LineState::Suspended) { l.state } else { line.state };
        if line.iccid == iccid && link.imsi == l.imsi && line.state == state {
            run.report.unchanged += 1;
            return Ok(());
        }
        line.iccid = iccid;
        line.state = state;
        tx.update_line(&line)?;
        link.imsi.clone_from(&l.imsi);
        tx.upsert_line_link(&link)?;
        run.report.updated += 1;
        Ok(())
    }

    fn open_imported_line(
        &self,
        tx: &mut dyn Tx,
        at: u64,
        l: &LineIn,
        subscriber_id: i64,
        opened_at: Timestamp,
        run: &mut Run<'_>,
    ) -> Result<()> {
        let now = run.now;
        // Most numbers are new to simexit: one insert, assigned from the start. A number it
        // holds already must be free (available or reserved) and the operator's.
        let fresh = NumberRow {
            msisdn: l.msisdn.clone(),
            operator: l.operator.clone(),
            state: NumberState::Assigned,
            aging_until: None,
            line_id: None,
            subscriber_id: Some(subscriber_id),
            history_since: opened_at.min(now),
            updated_at: now,
        };
        let known = if tx.insert_number_if_absent(&fresh)? { None } else { tx.number(&l.msisdn)? };
        match &known {
            Some(n) if n.operator != l.operator => {
                run.problems.add(at, "msisdn", format!("{} is a number of {}", l.msisdn, n.operator));
                return Ok(());
            }
            Some(n) if !matches!(n.state, NumberState::Available | NumberState::Reserved) => {
                run.problems.add(
                    at,
                    "msisdn",
                    format!("{} is {} in simexit, not free for a new line", l.msisdn, n.state),
                );
                return Ok(());
            }
            _ => {}
        }
        let line_id = tx.insert_line(&NewLine {
            msisdn: l.msisdn.clone(),
            iccid: l.iccid.as_ref().map(|i| i.as_str().to_owned()),
            operator: l.operator.clone(),
            subscriber_id,
            opened_at,
        })?;
        if l.state != LineState::Active
            && let Some(mut line) = tx.line(line_id)?
        {
            line.state = l.state;
            tx.update_line(&line)?;
        }
        tx.upsert_line_link(&LineLink {
            line_id,
            external_id: l.external_id.clone(),
            imsi: l.imsi.clone(),
            last_activity_at: None,
            last_activity_kind: None,
        })?;
        match known {
            Some(mut number) => {
                number.state = NumberState::Assigned;
                number.line_id = Some(line_id);
                number.subscriber_id = Some(subscriber_id);
                number.updated_at = now;
                tx.update_number(&number)?;
            }
            None => tx.set_number_line(&l.msisdn, line_id)?,
        }
        tx.open_assignment(&NewAssignment { msisdn: l.msisdn.clone(), subscriber_id, line_id, from: opened_at })?;
        crate::lines::post_opening_balance(tx, &l.operator, line_id, l.balance, now, run.actor)?;
        run.report.created += 1;
        Ok(())
    }
}
