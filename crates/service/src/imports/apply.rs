//! Writing an import: the rows that read well checked against what simexit holds and upserted
//! by their keys in one transaction (subscribers by the BSS's `external_id`, services by line
//! and name, numbers by msisdn; lines in [`super::lines`]); one problem anywhere refuses the
//! whole file and the transaction is rolled back. Each import is recorded with its counts.

use jiff::Timestamp;
use simexit_domain::number::NumberState;
use simexit_domain::{LineState, Msisdn};
use simexit_store::{ImportRow, NewSubscriber, NumberRow, StoreExt, Tx};

use super::kinds::*;
use super::{Problems, Report};
use crate::money::start_service_billed;
use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// Counts an import's progress for a bar or plain lines: (records done, records in all).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// How often progress is reported, in records.
const PROGRESS_EVERY: u64 = 1_000;

/// One application of rows: what it found wrong and what it changed.
pub(crate) struct Run<'a> {
    pub(super) now: Timestamp,
    pub(super) actor: &'a str,
    pub(crate) problems: Problems,
    pub(crate) report: Report,
    done: u64,
    total: u64,
    progress: Progress<'a>,
}

impl<'a> Run<'a> {
    pub(crate) fn new(now: Timestamp, actor: &'a str, progress: Progress<'a>, total: u64) -> Run<'a> {
        Run { now, actor, problems: Problems::default(), report: Report::default(), done: 0, total, progress }
    }

    pub(super) fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(PROGRESS_EVERY) || self.done == self.total {
            (self.progress)(self.done, self.total);
        }
    }
}

impl Service {
    /// Writes the rows of a file (see [`super::parse_rows`]), upserting each by its key; refuses the
    /// whole file, writing nothing, when a row does not fit what simexit holds. `dry_run`
    /// rolls back. The import is recorded in the history with its counts.
    pub fn import_rows(
        &self,
        rows: &Rows,
        file: &str,
        dry_run: bool,
        actor: &str,
        progress: Progress<'_>,
    ) -> Result<Report> {
        self.import_read(rows, Problems::default(), file, dry_run, actor, progress)
    }

    /// Imports the rows of a file that read well (see [`super::read_rows`]), checking them against
    /// what simexit holds too, so that one refusal names every bad row of the file, whichever
    /// check found it: `problems` are those of the rows that did not read.
    pub fn import_read(
        &self,
        rows: &Rows,
        problems: Problems,
        file: &str,
        dry_run: bool,
        actor: &str,
        progress: Progress<'_>,
    ) -> Result<Report> {
        let now = self.now();
        let body = |tx: &mut dyn Tx| {
            let mut run = Run::new(now, actor, progress, rows.units());
            run.problems = problems.clone();
            self.apply_rows(tx, rows, &mut run)?;
            if run.problems.count > 0 {
                return Err(ServiceError::unprocessable("invalid_import", run.problems.to_string()));
            }
            record_import(tx, rows.kind().as_str(), file, rows.units() as i64, run.report, now, actor)?;
            Ok::<_, ServiceError>(run.report)
        };
        if dry_run { self.store.dry_run(body) } else { self.store.write(body) }
    }

    /// Upserts the rows in `tx`, gathering in `run` the problems of rows that do not fit.
    pub(crate) fn apply_rows(&self, tx: &mut dyn Tx, rows: &Rows, run: &mut Run<'_>) -> Result<()> {
        match rows {
            Rows::Subscribers(r) => self.import_subscribers(tx, r, run),
            Rows::Lines(r) => self.import_lines(tx, r, run),
            Rows::Services(r) => self.import_services(tx, r, run),
            Rows::Numbers(r) => self.import_numbers(tx, r, run),
        }
    }

    fn import_subscribers(&self, tx: &mut dyn Tx, rows: &[(u64, SubscriberIn)], run: &mut Run<'_>) -> Result<()> {
        for (_, s) in rows {
            run.tick();
            match tx.subscriber_by_external(&s.external_id)? {
                Some(mut old) => {
                    let document = self.unseal(crate::sealing::ID_DOCUMENT_NUMBER, &old.id_document_number)?;
                    let same = old.category == s.category
                        && old.full_name == s.full_name
                        && old.id_document_type == s.id_document_type
                        && document == s.id_document_number
                        && old.email == s.email
                        && old.phone == s.phone
                        && old.language == s.language;
                    if same {
                        run.report.unchanged += 1;
                        continue;
                    }
                    old.category = s.category;
                    old.full_name.clone_from(&s.full_name);
                    old.id_document_type.clone_from(&s.id_document_type);
                    old.id_document_number = self.seal(crate::sealing::ID_DOCUMENT_NUMBER, &s.id_document_number)?;
                    old.email.clone_from(&s.email);
                    old.phone.clone_from(&s.phone);
                    old.language = s.language;
                    tx.update_subscriber(&old)?;
                    run.report.updated += 1;
                }
                None => {
                    let id = tx.insert_subscriber(&NewSubscriber {
                        category: s.category,
                        full_name: s.full_name.clone(),
                        id_document_type: s.id_document_type.clone(),
                        id_document_number: self.seal(crate::sealing::ID_DOCUMENT_NUMBER, &s.id_document_number)?,
                        email: s.email.clone(),
                        phone: s.phone.clone(),
                        language: s.language,
                        created_at: run.now,
                    })?;
                    tx.link_subscriber(id, &s.external_id)?;
                    run.report.created += 1;
                }
            }
        }
        Ok(())
    }

    fn import_services(&self, tx: &mut dyn Tx, rows: &[(u64, ServiceIn)], run: &mut Run<'_>) -> Result<()> {
        for (at, s) in rows {
            run.tick();
            let Some(line) = tx.line_by_external(&s.line)? else {
                run.problems.add(*at, "line_external_id", format!("no line `{}` (import lines first)", s.line));
                continue;
            };
            if !matches!(line.state, LineState::Active | LineState::Suspended) {
                run.problems.add(*at, "line_external_id", format!("line `{}` is {}", s.line, line.state));
                continue;
            }
            let zone = self.policy(&line.operator)?.zone();
            let since = s.since.instant(&zone)?;
            let current = tx.services_of(line.id)?.into_iter().find(|x| x.stopped_at.is_none() && x.name == s.name);
            match current {
                Some(x) if x.monthly_charge == s.monthly => run.report.unchanged += 1,
                Some(mut x) => {
                    // A new price applies from the next billing of the service.
                    x.monthly_charge = s.monthly;
                    tx.update_service(&x)?;
                    run.report.updated += 1;
                }
                None => {
                    // The BSS billed it up to now; simexit bills it from here on.
                    start_service_billed(tx, line.id, &s.name, s.monthly, since, run.now, run.actor)?;
                    run.report.created += 1;
                }
            }
        }
        Ok(())
    }

    fn import_numbers(&self, tx: &mut dyn Tx, rows: &[(u64, NumbersIn)], run: &mut Run<'_>) -> Result<()> {
        for (at, n) in rows {
            if self.policies.get(&n.operator).is_none() {
                run.problems.add(*at, "operator", format!("`{}` is not an operator of this deployment", n.operator));
                continue;
            }
            for value in n.first..n.first + n.count {
                run.tick();
                let msisdn =
                    Msisdn::from_e164(&format!("+{value}")).map_err(|e| ServiceError::Internal(e.to_string()))?;
                match tx.number(&msisdn)? {
                    None => {
                        tx.insert_number(&NumberRow {
                            msisdn,
                            operator: n.operator.clone(),
                            state: n.state,
                            aging_until: None,
                            line_id: None,
                            subscriber_id: None,
                            history_since: run.now,
                            updated_at: run.now,
                        })?;
                        run.report.created += 1;
                    }
                    Some(old) if old.operator != n.operator => {
                        run.problems.add(*at, "msisdn", format!("{msisdn} is a number of {}", old.operator));
                    }
                    Some(old) if old.state == n.state => run.report.unchanged += 1,
                    Some(mut old) if matches!(old.state, NumberState::Available | NumberState::Reserved) => {
                        old.state = n.state;
                        old.updated_at = run.now;
                        tx.update_number(&old)?;
                        run.report.updated += 1;
                    }
                    Some(old) => {
                        run.problems.add(
                            *at,
                            "msisdn",
                            format!("{msisdn} is {} in simexit; the pool takes it back itself", old.state),
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

/// Records an import in the history and the audit log.
pub(crate) fn record_import(
    tx: &mut dyn Tx,
    kind: &str,
    file: &str,
    rows: i64,
    report: Report,
    now: Timestamp,
    actor: &str,
) -> Result<()> {
    let id = tx.insert_import(&ImportRow {
        id: 0,
        at: now,
        actor: actor.to_owned(),
        kind: kind.to_owned(),
        file: file.to_owned(),
        rows,
        created: report.created as i64,
        updated: report.updated as i64,
        unchanged: report.unchanged as i64,
    })?;
    let detail = serde_json::json!({
        "kind": kind, "file": file, "rows": rows,
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
    });
    audit(tx, now, actor, "import", "import", id, detail)
}
