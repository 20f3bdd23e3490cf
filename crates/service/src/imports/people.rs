//! Subscribers, lines, their paid services and the number pool, from an operator's files:
//! `simexit import subscribers|lines|services|numbers FILE`.
//!
//! Each row is first read on its own (shapes, formats, enumerations), then checked against
//! what simexit holds (the subscriber a line names, the number it takes) inside the write
//! transaction; one problem anywhere refuses the whole file, and the transaction is rolled
//! back. Rows upsert by their keys: subscribers and lines by the BSS's `external_id`,
//! services by line and name, numbers by msisdn.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use simexit_domain::ledger::{MovementKind, OperatorAccount};
use simexit_domain::number::NumberState;
use simexit_domain::{CustomerCategory, Iccid, Language, LineState, Money, Msisdn, OperatorId};
use simexit_store::{ImportRow, LineLink, LineRow, NewAssignment, NewLine, NewSubscriber, NumberRow, StoreExt, Tx};

use super::records::{Record, records};
use super::{Problems, Report};
use crate::ledger;
use crate::money::start_service_billed;
use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Subscribers,
    Lines,
    Services,
    Numbers,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Subscribers => "subscribers",
            ImportKind::Lines => "lines",
            ImportKind::Services => "services",
            ImportKind::Numbers => "numbers",
        }
    }

    /// The columns of the kind's CSV header (the keys of its JSON lines).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Subscribers => &SUBSCRIBER_COLUMNS,
            ImportKind::Lines => &LINE_COLUMNS,
            ImportKind::Services => &SERVICE_COLUMNS,
            ImportKind::Numbers => &NUMBER_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Subscribers => &["external_id", "category", "full_name"],
            ImportKind::Lines => &["external_id", "subscriber_external_id", "operator", "msisdn", "opened_at"],
            ImportKind::Services => &["line_external_id", "name", "monthly_kopecks", "since"],
            ImportKind::Numbers => &["operator", "msisdn", "state"],
        }
    }
}

impl std::str::FromStr for ImportKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        [ImportKind::Subscribers, ImportKind::Lines, ImportKind::Services, ImportKind::Numbers]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not subscribers, lines, services or numbers"))
    }
}

pub const SUBSCRIBER_COLUMNS: [&str; 8] = [
    "external_id",
    "category",
    "full_name",
    "id_document_type",
    "id_document_number",
    "email",
    "contact_phone",
    "language",
];
pub const LINE_COLUMNS: [&str; 9] = [
    "external_id",
    "subscriber_external_id",
    "operator",
    "msisdn",
    "iccid",
    "imsi",
    "opened_at",
    "state",
    "balance_kopecks",
];
pub const SERVICE_COLUMNS: [&str; 4] = ["line_external_id", "name", "monthly_kopecks", "since"];
pub const NUMBER_COLUMNS: [&str; 3] = ["operator", "msisdn", "state"];

/// The most numbers one range row may name.
pub const MAX_RANGE: u64 = 10_000_000;

/// A subscriber as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberIn {
    pub external_id: String,
    pub category: CustomerCategory,
    pub full_name: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
}

/// An instant, or a calendar day that starts in the operator's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(Timestamp),
    Day(Date),
}

impl When {
    fn parse(text: &str) -> std::result::Result<When, String> {
        if let Ok(t) = text.parse::<Timestamp>() {
            return Ok(When::At(t));
        }
        text.parse::<Date>()
            .map(When::Day)
            .map_err(|_| format!("`{text}` is not a date (2024-05-31) or an instant (2024-05-31T09:00:00Z)"))
    }

    fn instant(self, zone: &jiff::tz::TimeZone) -> Result<Timestamp> {
        match self {
            When::At(t) => Ok(t),
            When::Day(d) => {
                d.to_zoned(zone.clone()).map(|z| z.timestamp()).map_err(|e| ServiceError::Internal(e.to_string()))
            }
        }
    }
}

/// A line as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIn {
    pub external_id: String,
    pub subscriber: String,
    pub operator: OperatorId,
    pub msisdn: Msisdn,
    pub iccid: Option<Iccid>,
    pub imsi: String,
    pub opened_at: When,
    pub state: LineState,
    pub balance: Money,
}

/// A paid service as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIn {
    pub line: String,
    pub name: String,
    pub monthly: Money,
    pub since: When,
}

/// Numbers for the pool: one, or a range `first-last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumbersIn {
    pub operator: OperatorId,
    pub first: u64,
    pub count: u64,
    pub state: NumberState,
}

/// The rows of a file, read and checked on their own.
#[derive(Debug, Clone)]
pub enum Rows {
    Subscribers(Vec<(u64, SubscriberIn)>),
    Lines(Vec<(u64, LineIn)>),
    Services(Vec<(u64, ServiceIn)>),
    Numbers(Vec<(u64, NumbersIn)>),
}

impl Rows {
    /// How many rows (a range counts once).
    pub fn len(&self) -> usize {
        match self {
            Rows::Subscribers(r) => r.len(),
            Rows::Lines(r) => r.len(),
            Rows::Services(r) => r.len(),
            Rows::Numbers(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many records the rows touch (each number of a range counts).
    pub fn units(&self) -> u64 {
        match self {
            Rows::Numbers(r) => r.iter().map(|(_, n)| n.count).sum(),
            other => other.len() as u64,
        }
    }

    fn kind(&self) -> ImportKind {
        match self {
            Rows::Subscribers(_) => ImportKind::Subscribers,
            Rows::Lines(_) => ImportKind::Lines,
            Rows::Services(_) => ImportKind::Services,
            Rows::Numbers(_) => ImportKind::Numbers,
        }
    }
}

fn external_id(line: u64, column: &str, text: &str, problems: &mut Problems) -> String {
    if text.is_empty() || text.chars().count() > 64 || text.chars().any(char::is_control) {
        problems.add(line, column, format!("`{text}` is not an id (1 to 64 characters)"));
    }
    text.to_owned()
}

fn parsed<T: std::str::FromStr>(line: u64, column: &str, text: &str, what: &str, problems: &mut Problems) -> Option<T> {
    text.parse::<T>().map_err(|_| problems.add(line, column, format!("`{text}` is not {what}"))).ok()
}

fn kopecks(line: u64, column: &str, text: &str, signed: bool, problems: &mut Problems) -> Option<Money> {
    let text = if text.is_empty() { "0" } else { text };
    let money = Money::from_kopecks(parsed::<i64>(line, column, text, "a whole number of kopecks", problems)?);
    if !money.within_movement_limit() || (!signed && money.is_negative()) {
        let range = if signed { "either way" } else { "from 0" };
        problems.add(line, column, format!("at most {} kopecks {range}", Money::MAX_MOVEMENT.kopecks()));
        return None;
    }
    Some(money)
}

fn when(line: u64, column: &str, text: &str, problems: &mut Problems) -> Option<When> {
    When::parse(text).map_err(|e| problems.add(line, column, e)).ok()
}

fn subscriber_in(r: &Record, p: &mut Problems) -> Option<SubscriberIn> {
    let l = r.line;
    let before = p.count;
    let external_id = external_id(l, "external_id", r.get(0), p);
    let category = parsed(l, "category", r.get(1), "resident, foreign_resident or tourist", p);
    let full_name = r.get(2).to_owned();
    if full_name.chars().count() > 200 {
        p.add(l, "full_name", "longer than 200 characters");
    }
    let email = r.get(5).to_owned();
    if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 254) {
        p.add(l, "email", format!("`{email}` is not an e-mail address"));
    }
    let phone = match r.get(6) {
        "" => String::new(),
        text => Msisdn::parse(text).map(|m| m.as_str().to_owned()).map_err(|e| p.add(l, "contact_phone", e)).ok()?,
    };
    let language = match r.get(7) {
        "" => Some(Language::Ru),
        text => parsed(l, "language", text, "ru, en or zh", p),
    };
    if p.count > before {
        return None;
    }
    Some(SubscriberIn {
        external_id,
        category: category?,
        full_name,
        id_document_type: r.get(3).to_owned(),
        id_document_number: r.get(4).to_owned(),
        email,
        phone,
        language: language?,
    })
}

fn line_in(r: &Record, p: &mut Problems) -> Option<LineIn> {
    let l = r.line;
    let before = p.count;
    let external = external_id(l, "external_id", r.get(0), p);
    let subscriber = external_id(l, "subscriber_external_id", r.get(1), p);
    let operator = OperatorId::parse(r.get(2)).map_err(|e| p.add(l, "operator", e)).ok();
    let msisdn = Msisdn::parse(r.get(3)).map_err(|e| p.add(l, "msisdn", e)).ok();
    let iccid = match r.get(4) {
        "" => Some(None),
        text => Iccid::parse(text).map(Some).map_err(|e| p.add(l, "iccid", e)).ok(),
    };
    let imsi = r.get(5).to_owned();
    let digits15 = imsi.len() == 15 && imsi.bytes().all(|b| b.is_ascii_digit());
    if !imsi.is_empty() && !digits15 {
        p.add(l, "imsi", format!("`{imsi}` is not 15 digits"));
    }
    let opened_at = when(l, "opened_at", r.get(6), p);
    let state = match r.get(7) {
        "" | "active" => Some(LineState::Active),
        "suspended" => Some(LineState::Suspended),
        other => {
            p.add(l, "state", format!("`{other}` is not active or suspended"));
            None
        }
    };
    let balance = kopecks(l, "balance_kopecks", r.get(8), true, p);
    if p.count > before {
        return None;
    }
    Some(LineIn {
        external_id: external,
        subscriber,
        operator: operator?,
        msisdn: msisdn?,
        iccid: iccid?,
        imsi,
        opened_at: opened_at?,
        state: state?,
        balance: balance?,
    })
}

fn service_in(r: &Record, p: &mut Problems) -> Option<ServiceIn> {
    let l = r.line;
    let before = p.count;
    let line = external_id(l, "line_external_id", r.get(0), p);
    let name = r.get(1).to_owned();
    if name.chars().count() > 100 {
        p.add(l, "name", "longer than 100 characters");
    }
    let monthly = kopecks(l, "monthly_kopecks", r.get(2), false, p);
    let since = when(l, "since", r.get(3), p);
    if p.count > before {
        return None;
    }
    Some(ServiceIn { line, name, monthly: monthly?, since: since? })
}

/// A number's digits as an integer, for ranges.
fn number_value(m: &Msisdn) -> Option<u64> {
    m.digits().parse().ok()
}

fn numbers_in(r: &Record, p: &mut Problems) -> Option<NumbersIn> {
    let l = r.line;
    let before = p.count;
    let operator = OperatorId::parse(r.get(0)).map_err(|e| p.add(l, "operator", e)).ok();
    let text = r.get(1);
    // `+79001000000-+79001000099`: split at the dash that follows a digit and precedes the
    // second number (numbers themselves may be written with dashes only in single form).
    let range = text.split_once("-+").map(|(a, b)| (a, format!("+{b}"))).or_else(|| {
        let (a, b) = text.rsplit_once('-')?;
        (a.len() >= 11 && b.len() >= 11).then(|| (a, b.to_owned()))
    });
    let (first, count) = match range {
        Some((a, b)) => {
            let first = Msisdn::parse(a).map_err(|e| p.add(l, "msisdn", e)).ok();
            let last = Msisdn::parse(&b).map_err(|e| p.add(l, "msisdn", e)).ok();
            match (first.as_ref().and_then(number_value), last.as_ref().and_then(number_value)) {
                (Some(f), Some(t)) if t >= f && t - f < MAX_RANGE => (Some(f), t - f + 1),
                (Some(_), Some(_)) => {
                    p.add(
                        l,
                        "msisdn",
                        format!("`{text}`: the last number must follow the first, at most {MAX_RANGE} in all"),
                    );
                    (None, 0)
                }
                _ => (None, 0),
            }
        }
        None => (Msisdn::parse(text).map_err(|e| p.add(l, "msisdn", e)).ok().as_ref().and_then(number_value), 1),
    };
    let state = match r.get(2) {
        "available" => Some(NumberState::Available),
        "reserved" => Some(NumberState::Reserved),
        other => {
            p.add(l, "state", format!("`{other}` is not available or reserved"));
            None
        }
    };
    if p.count > before {
        return None;
    }
    Some(NumbersIn { operator: operator?, first: first?, count, state: state? })
}

/// Reads a file of `kind` (CSV or JSON lines): every row checked on its own; every problem
/// when there is any, including keys given twice.
pub fn parse_rows(kind: ImportKind, text: &str) -> std::result::Result<Rows, Problems> {
    let (rows, problems) = read_rows(kind, text)?;
    if problems.count > 0 { Err(problems) } else { Ok(rows) }
}

/// The rows of a file that read well, and the problems of those that did not; `Err` when
/// the file's shape (its header, its encoding) is wrong.
pub fn read_rows(kind: ImportKind, text: &str) -> std::result::Result<(Rows, Problems), Problems> {
    let records = records(text, kind.columns(), kind.required())?;
    let mut p = Problems::default();
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(records.len());
    let mut twice = |line: u64, column: &str, key: String, p: &mut Problems| {
        if let Some(first) = seen.insert(key.clone(), line) {
            p.add(line, column, format!("`{key}` is already on line {first}"));
        }
    };
    let rows = match kind {
        ImportKind::Subscribers => Rows::Subscribers(
            records
                .iter()
                .filter_map(|r| {
                    let s = subscriber_in(r, &mut p)?;
                    twice(r.line, "external_id", s.external_id.clone(), &mut p);
                    Some((r.line, s))
                })
                .collect(),
        ),
        ImportKind::Lines => {
            let mut numbers: HashMap<String, u64> = HashMap::new();
            Rows::Lines(
                records
                    .iter()
                    .filter_map(|r| {
                        let line = line_in(r, &mut p)?;
                        twice(r.line, "external_id", line.external_id.clone(), &mut p);
                        if let Some(first) = numbers.insert(line.msisdn.as_str().to_owned(), r.line) {
                            p.add(r.line, "msisdn", format!("{} is already on line {first}", line.msisdn));
                        }
                        Some((r.line, line))
                    })
                    .collect(),
            )
        }
        ImportKind::Services => Rows::Services(
            records
                .iter()
                .filter_map(|r| {
                    let s = service_in(r, &mut p)?;
                    twice(r.line, "name", format!("{} / {}", s.line, s.name), &mut p);
                    Some((r.line, s))
                })
                .collect(),
        ),
        ImportKind::Numbers => {
            Rows::Numbers(records.iter().filter_map(|r| Some((r.line, numbers_in(r, &mut p)?))).collect())
        }
    };
    Ok((rows, p))
}

/// Counts an import's progress for a bar or plain lines: (records done, records in all).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// How often progress is reported, in records.
const PROGRESS_EVERY: u64 = 1_000;

/// One application of rows: what it found wrong and what it changed.
pub(crate) struct Run<'a> {
    now: Timestamp,
    actor: &'a str,
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

    fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(PROGRESS_EVERY) || self.done == self.total {
            (self.progress)(self.done, self.total);
        }
    }
}

impl Service {
    /// Writes the rows of a file (see [`parse_rows`]), upserting each by its key; refuses the
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

    /// Imports the rows of a file that read well (see [`read_rows`]), checking them against
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

    fn import_lines(&self, tx: &mut dyn Tx, rows: &[(u64, LineIn)], run: &mut Run<'_>) -> Result<()> {
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
        if l.balance != Money::ZERO {
            let opening = ledger::operator(&l.operator, OperatorAccount::OpeningBalances);
            let (from, to, amount) = if l.balance.is_positive() {
                (opening, ledger::line(line_id), l.balance)
            } else {
                (ledger::line(line_id), opening, -l.balance)
            };
            let key = format!("opening:line:{line_id}");
            ledger::post(
                tx,
                MovementKind::Opening,
                from,
                to,
                amount,
                "opening balance",
                key,
                Some(line_id),
                now,
                run.actor,
            )?;
        }
        run.report.created += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_row_names_every_number_between_its_ends() {
        let text =
            "operator,msisdn,state\nt2,+79040000200-+79040000299,available\nt2,79040000300-79040000301,reserved\n";
        let Rows::Numbers(rows) = parse_rows(ImportKind::Numbers, text).unwrap() else { panic!("numbers") };
        assert_eq!((rows[0].1.first, rows[0].1.count), (79_040_000_200, 100));
        assert_eq!((rows[1].1.count, rows[1].1.state), (2, NumberState::Reserved));
        let backwards =
            parse_rows(ImportKind::Numbers, "operator,msisdn,state\nt2,+79040000299-+79040000200,available\n");
        assert!(backwards.unwrap_err().to_string().contains("line 2: msisdn:"));
    }

    #[test]
    fn a_line_row_reads_days_instants_states_and_kopecks() {
        let text = "external_id;subscriber_external_id;operator;msisdn;opened_at;state;balance_kopecks\n\
                    L-1;S-1;t2;8 (904) 000-01-01;2022-03-14;suspended;-1200\n\
                    L-2;S-1;t2;+79040000102;2026-11-01T08:30:00Z;;\n";
        let Rows::Lines(rows) = parse_rows(ImportKind::Lines, text).unwrap() else { panic!("lines") };
        let (a, b) = (&rows[0].1, &rows[1].1);
        assert_eq!((a.msisdn.as_str(), a.state, a.balance.kopecks()), ("+79040000101", LineState::Suspended, -1200));
        assert_eq!(a.opened_at, When::Day(jiff::civil::date(2022, 3, 14)));
        assert_eq!((b.state, b.balance), (LineState::Active, Money::ZERO));
        assert!(matches!(b.opened_at, When::At(_)));
    }

    #[test]
    fn the_same_key_twice_in_one_file_is_a_problem_of_the_second_line() {
        let text = "external_id,category,full_name\nS-1,resident,A\nS-1,tourist,B\nS-2,martian,C\n";
        let p = parse_rows(ImportKind::Subscribers, text).unwrap_err().to_string();
        assert!(p.contains("line 3: external_id: `S-1` is already on line 2"), "{p}");
        assert!(p.contains("line 4: category: `martian` is not resident"), "{p}");
    }
}
