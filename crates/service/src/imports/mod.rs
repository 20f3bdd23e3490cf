//! An operator's own data brought in from files: `simexit stores import FILE`.
//!
//! Every row is checked before anything is written; a file with errors is refused whole, each
//! problem as `line N: column: what was wrong` (the first [`MAX_PROBLEMS`], then the count).
//! Rows are upserted by their key, so importing the same file again changes nothing and says
//! so; `--dry-run` runs the same code in a transaction that is rolled back.

use std::collections::BTreeMap;

use serde::Deserialize;
use simexit_domain::OperatorId;
use simexit_domain::store_hours::OpeningHours;
use simexit_store::{StoreExt, StoreRow};

use crate::record::audit;
use crate::{Result, Service, ServiceError};

mod apply;
mod kinds;
mod lines;
mod parse;
mod records;

pub use apply::Progress;
pub(crate) use apply::{Run, record_import};
pub use kinds::*;
pub use parse::{parse_rows, read_rows};
pub use records::{Record, records};

pub const MAX_PROBLEMS: usize = 100;

/// The scope of a queue system that reports stores' live waits.
pub const WAIT_SCOPE: &str = "stores:wait";

/// The longest wait a store may report, in minutes.
pub const MAX_WAIT_MINUTES: i64 = 24 * 60;

/// Why a file was refused: its bad rows, each named by line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems {
    pub lines: Vec<String>,
    pub count: usize,
    /// The line of each entry of `lines`.
    at: Vec<u64>,
}

impl Problems {
    pub(crate) fn add(&mut self, line: u64, column: &str, what: impl std::fmt::Display) {
        self.count += 1;
        // Kept in line order, whichever check found them (a row's own fields, then what
        // simexit holds); the first MAX_PROBLEMS lines of the file.
        let at = self.at.partition_point(|&l| l <= line);
        if at < MAX_PROBLEMS {
            self.lines.insert(at, format!("line {line}: {column}: {what}"));
            self.at.insert(at, line);
            self.lines.truncate(MAX_PROBLEMS);
            self.at.truncate(MAX_PROBLEMS);
        }
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "the file has {} problem{}; nothing was imported:",
            self.count,
            if self.count == 1 { "" } else { "s" }
        )?;
        for line in &self.lines {
            writeln!(f, "  {line}")?;
        }
        if self.count > self.lines.len() {
            writeln!(f, "  … and {} more", self.count - self.lines.len())?;
        }
        Ok(())
    }
}

/// What an import changed (or, on a dry run, would change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.created + self.updated == 0 {
            let rows = if self.unchanged == 1 { "row as it was" } else { "rows as they were" };
            return write!(f, "nothing changed ({} {rows})", self.unchanged);
        }
        write!(f, "{} created, {} updated, {} unchanged", self.created, self.updated, self.unchanged)
    }
}

/// A store as a TOML file gives it (`[[store]]` tables), the same fields as the CSV header.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// A store's fields as text, as a file, a form or the API gives them.
pub struct StoreFields {
    pub id: String,
    pub operator: String,
    #[serde(default = "default_kind")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub region: String,
    pub time_zone: String,
    pub hours: String,
    #[serde(default = "yes")]
    pub accepts_terminations: String,
    #[serde(default)]
    pub recycles_sims: String,
    #[serde(default)]
    pub phone: String,
}

fn default_kind() -> String {
    "store".into()
}

fn yes() -> String {
    "yes".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoresFile {
    #[serde(default)]
    store: Vec<StoreFields>,
}

pub const STORE_COLUMNS: [&str; 11] = [
    "id",
    "operator",
    "kind",
    "name",
    "address",
    "region",
    "time_zone",
    "hours",
    "accepts_terminations",
    "recycles_sims",
    "phone",
];

fn flag(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "да" | "y" => Some(true),
        "no" | "false" | "0" | "нет" | "n" | "" => Some(false),
        _ => None,
    }
}

/// Checks one store's fields; the problems go to `problems` under `line`.
pub(crate) fn store_row(line: u64, f: StoreFields, problems: &mut Problems) -> Option<StoreRow> {
    let before = problems.count;
    let id = f.id.trim().to_owned();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        problems.add(line, "id", format!("`{id}` is not an id (letters, digits, `-`, `_`)"));
    }
    let operator = OperatorId::parse(f.operator.trim()).map_err(|e| problems.add(line, "operator", e)).ok();
    if !matches!(f.kind.trim(), "store" | "recycling_point") {
        problems.add(line, "kind", format!("`{}` is not `store` or `recycling_point`", f.kind.trim()));
    }
    if f.name.trim().is_empty() {
        problems.add(line, "name", "is empty");
    }
    if jiff::tz::TimeZone::get(f.time_zone.trim()).is_err() {
        problems.add(line, "time_zone", format!("`{}` is not an IANA time zone", f.time_zone.trim()));
    }
    let hours = OpeningHours::parse_text(&f.hours).map_err(|e| problems.add(line, "hours", e)).ok();
    let accepts = flag(&f.accepts_terminations);
    if accepts.is_none() {
        problems.add(line, "accepts_terminations", format!("`{}` is not yes or no", f.accepts_terminations));
    }
    let recycles = flag(&f.recycles_sims);
    if recycles.is_none() {
        problems.add(line, "recycles_sims", format!("`{}` is not yes or no", f.recycles_sims));
    }
    if problems.count > before {
        return None;
    }
    Some(StoreRow {
        id,
        operator: operator?,
        name: f.name.trim().to_owned(),
        address: f.address.trim().to_owned(),
        region: f.region.trim().to_owned(),
        time_zone: f.time_zone.trim().to_owned(),
        hours: serde_json::to_string(&hours?).ok()?,
        accepts_terminations: accepts?,
        recycles_sims: recycles?,
        wait_minutes: 0,
        kind: f.kind.trim().to_owned(),
        phone: f.phone.trim().to_owned(),
    })
}

/// The stores of a file, CSV (header [`STORE_COLUMNS`], any order) or TOML (`[[store]]`),
/// each with its line; every problem of the file when it has any.
pub fn parse_stores(text: &str, toml: bool) -> std::result::Result<Vec<(u64, StoreRow)>, Problems> {
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    if toml {
        let file: StoresFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| 1 + text[..s.start.min(text.len())].matches('\n').count() as u64);
            let mut p = Problems::default();
            p.add(line, "file", e.message());
            p
        })?;
        for (i, f) in file.store.into_iter().enumerate() {
            rows.extend(store_row(i as u64 + 1, f, &mut problems).map(|r| (i as u64 + 1, r)));
        }
    } else {
        let required = ["id", "operator", "name", "time_zone", "hours"];
        for row in records(text, &STORE_COLUMNS, &required)? {
            let cell =
                |c: &str| STORE_COLUMNS.iter().position(|k| *k == c).map(|i| row.get(i).to_owned()).unwrap_or_default();
            let or = |c: &str, default: String| Some(cell(c)).filter(|v| !v.is_empty()).unwrap_or(default);
            let fields = StoreFields {
                id: cell("id"),
                operator: cell("operator"),
                kind: or("kind", default_kind()),
                name: cell("name"),
                address: cell("address"),
                region: cell("region"),
                time_zone: cell("time_zone"),
                hours: cell("hours"),
                accepts_terminations: or("accepts_terminations", yes()),
                recycles_sims: cell("recycles_sims"),
                phone: cell("phone"),
            };
            rows.extend(store_row(row.line, fields, &mut problems).map(|r| (row.line, r)));
        }
    }
    let mut seen = BTreeMap::new();
    for (line, r) in &rows {
        if let Some(first) = seen.insert(r.id.clone(), *line) {
            problems.add(*line, "id", format!("`{}` is already on line {first}", r.id));
        }
    }
    if problems.count > 0 { Err(problems) } else { Ok(rows) }
}

impl Service {
    /// Sets a store's live wait: its own clerks, admins of its operator, or a queue system
    /// (an API client with the `stores:wait` scope).
    pub fn set_store_wait(&self, who: &crate::Principal, store_id: &str, minutes: i64) -> Result<StoreRow> {
        if !(0..=MAX_WAIT_MINUTES).contains(&minutes) {
            return Err(ServiceError::unprocessable(
                "invalid_wait",
                format!("minutes: 0 to {MAX_WAIT_MINUTES}, not {minutes}"),
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            let Some(mut store) = tx.stores()?.into_iter().find(|s| s.id == store_id) else {
                return Err(ServiceError::not_found("store", store_id));
            };
            let allowed = match who.role {
                simexit_domain::access::Role::Clerk => who.store_id.as_deref() == Some(store_id),
                simexit_domain::access::Role::Admin => who.staff_of(&store.operator),
                simexit_domain::access::Role::ApiClient => who.scopes.iter().any(|s| s == WAIT_SCOPE),
                _ => false,
            };
            if !allowed {
                return Err(ServiceError::forbidden(
                    "only the store's clerks, its operator's admins or a queue system set its wait",
                ));
            }
            let before = store.wait_minutes;
            store.wait_minutes = minutes;
            tx.upsert_store(&store)?;
            let detail = serde_json::json!({ "from": before, "to": minutes });
            audit(tx, now, &who.actor(), "store_wait_set", "store", store_id, detail)?;
            Ok(store)
        })
    }

    /// Upserts the stores by id (a store's live wait is kept); refuses the whole file when
    /// one names an operator this deployment does not serve. `dry_run` rolls back.
    pub fn import_stores(&self, rows: &[(u64, StoreRow)], file: &str, dry_run: bool, actor: &str) -> Result<Report> {
        let mut problems = Problems::default();
        for (line, r) in rows {
            if self.policies.get(&r.operator).is_none() {
                problems.add(*line, "operator", format!("`{}` is not an operator of this deployment", r.operator));
            }
        }
        if problems.count > 0 {
            return Err(ServiceError::unprocessable("invalid_import", problems.to_string()));
        }
        let now = self.now();
        let body = |tx: &mut dyn simexit_store::Tx| {
            let existing: BTreeMap<String, StoreRow> = tx.stores()?.into_iter().map(|s| (s.id.clone(), s)).collect();
            let mut report = Report::default();
            for (_, r) in rows {
                let mut row = r.clone();
                match existing.get(&row.id) {
                    Some(old) => {
                        row.wait_minutes = old.wait_minutes;
                        if *old == row {
                            report.unchanged += 1;
                            continue;
                        }
                        report.updated += 1;
                    }
                    None => report.created += 1,
                }
                tx.upsert_store(&row)?;
            }
            record_import(tx, "stores", file, rows.len() as i64, report, now, actor)?;
            Ok::<_, ServiceError>(report)
        };
        if dry_run { self.store.dry_run(body) } else { self.store.write(body) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}id;operator;kind;name;address;region;time_zone;hours;accepts_terminations;recycles_sims;phone\r\n\
        mts-tver-1;mts;store;\"МТС; Тверская, 1\";\"Москва, ул. Тверская, д. 1\";Москва;Europe/Moscow;\"mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; 2027-01-01 closed\";yes;yes;+7 495 000-00-00\r\n\
        mts-eco-1;mts;recycling_point;\"Экопункт\";\"Казань\";Татарстан;Europe/Moscow;mon-sun 00:00-24:00;no;yes;\r\n";

    #[test]
    fn a_spreadsheet_csv_of_stores_reads_with_quotes_breaks_and_exceptions() {
        let rows = parse_stores(CSV, false).unwrap();
        assert_eq!(rows.len(), 2);
        let (line, tver) = &rows[0];
        assert_eq!((*line, tver.name.as_str(), tver.kind.as_str()), (2, "МТС; Тверская, 1", "store"));
        let hours: OpeningHours = serde_json::from_str(&tver.hours).unwrap();
        assert_eq!(hours.weekly["wed"], "09:00-13:00,14:00-21:00");
        assert_eq!((rows[1].1.kind.as_str(), rows[1].1.accepts_terminations), ("recycling_point", false));
    }

    #[test]
    fn every_bad_row_is_named_by_line_and_column() {
        let bad = "id,operator,name,time_zone,hours,recycles_sims\n\
                   ok-1,mts,Store,Europe/Moscow,mon 09:00-18:00,yes\n\
                   bad id,mts,Store,Mars/Olympus,mon 09:00,maybe\n\
                   ok-1,mts,Again,Europe/Moscow,mon 09:00-18:00,no\n";
        let p = parse_stores(bad, false).unwrap_err();
        assert_eq!(p.count, 5, "{p}");
        let text = p.to_string();
        for expected in [
            "line 3: id:",
            "line 3: time_zone:",
            "line 3: hours:",
            "line 3: recycles_sims:",
            "line 4: id: `ok-1` is already on line 2",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let missing = parse_stores("id,name\nx,y\n", false).unwrap_err();
        assert!(missing.to_string().contains("line 1: operator: the header has no such column"), "{missing}");
    }

    #[test]
    fn a_toml_file_gives_the_same_stores() {
        let toml = r#"
[[store]]
id = "mts-tver-1"
operator = "mts"
name = "МТС; Тверская, 1"
address = "Москва, ул. Тверская, д. 1"
region = "Москва"
time_zone = "Europe/Moscow"
hours = "mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; 2027-01-01 closed"
recycles_sims = "yes"
phone = "+7 495 000-00-00"
"#;
        let from_toml = parse_stores(toml, true).unwrap();
        let from_csv = parse_stores(CSV, false).unwrap();
        assert_eq!(from_toml[0].1, from_csv[0].1);
    }
}
