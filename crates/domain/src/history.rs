//! The file an operator loads with `simexit history import`: its past disconnections and
//! port-outs, so reassigned-number lookups are answered from the first day of a deployment.
//!
//! ```text
//! number;date;kind
//! +7 916 123-45-67;2022-06-01;permanent
//! 89161234568;2023-03-15;port_out
//! ```
//!
//! Header-based (`number`/`msisdn`, `date`, `kind`/`type`, any order, `;` or `,`), an optional
//! byte-order mark, quoted fields as spreadsheets write them ([`crate::csvfile`]); `kind` is `permanent` (a permanent disconnection) or `port_out`.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::Msisdn;
use crate::csvfile::CsvFile;

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastRecord {
    pub line: usize,
    pub msisdn: Msisdn,
    pub date: Date,
    pub ported_out: bool,
}

/// What is wrong with a file: every bad row (up to [`MAX_REPORTED`]) by line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct HistoryFileError {
    pub problems: Vec<(usize, String)>,
    /// Bad rows in all, reported or not.
    pub bad_rows: usize,
}

pub const MAX_REPORTED: usize = 10;

impl HistoryFileError {
    fn render(&self) -> String {
        let mut out = self.problems.iter().map(|(line, m)| format!("line {line}: {m}")).collect::<Vec<_>>().join("; ");
        if self.bad_rows > self.problems.len() {
            out.push_str(&format!("; and {} more bad rows", self.bad_rows - self.problems.len()));
        }
        out
    }

    fn file(message: impl Into<String>) -> Self {
        Self { problems: vec![(1, message.into())], bad_rows: 1 }
    }
}

const COLUMNS: [(&str, &[&str]); 3] = [
    ("number", &["number", "msisdn", "phone", "номер"]),
    ("date", &["date", "дата"]),
    ("kind", &["kind", "type", "тип"]),
];

fn kind(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().replace('-', "_").as_str() {
        "permanent" | "disconnected" | "disconnection" => Some(false),
        "port_out" | "ported_out" | "portout" => Some(true),
        _ => None,
    }
}

/// Parses the whole file; any bad row makes it fail, naming the rows.
pub fn parse_past_records(text: &str) -> Result<Vec<PastRecord>, HistoryFileError> {
    let file = CsvFile::open(text).map_err(|e| HistoryFileError::file(e.message))?;
    let mut index = HashMap::new();
    for (key, aliases) in COLUMNS {
        let i =
            file.column(aliases).ok_or_else(|| HistoryFileError::file(format!("the header has no `{key}` column")))?;
        index.insert(key, i);
    }
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut bad_rows = 0;
    for row in file {
        let row = (|| {
            let row = row.map_err(|e| (usize::try_from(e.line).unwrap_or(usize::MAX), e.message))?;
            let line_no = usize::try_from(row.line).unwrap_or(usize::MAX);
            let cell = |key: &str| row.cell(index.get(key).copied());
            let bad = |message: String| (line_no, message);
            let msisdn = Msisdn::parse(cell("number")).map_err(|e| bad(format!("number `{}`: {e}", cell("number"))))?;
            let date: Date =
                cell("date").parse().map_err(|_| bad(format!("date `{}` is not YYYY-MM-DD", cell("date"))))?;
            let ported_out = kind(cell("kind"))
                .ok_or_else(|| bad(format!("kind `{}` is not `permanent` or `port_out`", cell("kind"))))?;
            Ok::<_, (usize, String)>(PastRecord { line: line_no, msisdn, date, ported_out })
        })();
        match row {
            Ok(r) => records.push(r),
            Err(problem) => {
                bad_rows += 1;
                if problems.len() < MAX_REPORTED {
                    problems.push(problem);
                }
            }
        }
    }
    if bad_rows > 0 {
        return Err(HistoryFileError { problems, bad_rows });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_separator_any_column_order_and_a_bom() {
        let text =
            "\u{feff}kind;number;date\npermanent;+7 916 123-45-67;2022-06-01\nport-out;89161234568;2023-03-15\n\n";
        let rows = parse_past_records(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].msisdn.as_str(), "+79161234567");
        assert!(!rows[0].ported_out);
        assert!(rows[1].ported_out);
        assert_eq!(rows[1].line, 3);
        let comma = parse_past_records("number,date,type\n79161234567,2022-06-01,disconnected\n").unwrap();
        assert_eq!(comma[0].date, jiff::civil::date(2022, 6, 1));
    }

    #[test]
    fn every_bad_row_is_named_by_line() {
        let text = "number;date;kind\nabc;2022-06-01;permanent\n+79161234567;2022-13-01;permanent\n+79161234567;2022-01-01;lost\n";
        let err = parse_past_records(text).unwrap_err();
        assert_eq!(err.bad_rows, 3);
        let lines: Vec<usize> = err.problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(err.to_string().contains("line 4: kind `lost`"), "{err}");
        let missing = parse_past_records("number;when\n").unwrap_err();
        assert!(missing.to_string().contains("no `date` column"), "{missing}");
    }

    #[test]
    fn quoted_cells_and_newlines_keep_their_line_numbers() {
        let text = "number,date,kind,note\n\"+7 916 123-45-67\",2022-06-01,permanent,\"a, b\nc\"\n+79161234568,2022-06-02,\"port_out\",\n";
        let rows = parse_past_records(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }
}
