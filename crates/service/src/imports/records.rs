//! The rows of an import file, whichever form it has: CSV (UTF-8 with or without a BOM, `,` or
//! `;`, RFC 4180 quoting, read by the `csv` crate) or JSON lines (one object per line). Either
//! way each row comes out as its cells in the order of the kind's columns, named by the line
//! it starts on.

use simexit_domain::csvfile::CsvFile;

use super::Problems;

/// One row: the line it starts on, and a cell per column of the kind (empty when not given).
#[derive(Debug, Clone)]
pub struct Record {
    pub line: u64,
    cells: Vec<String>,
}

impl Record {
    pub fn get(&self, column: usize) -> &str {
        self.cells.get(column).map(String::as_str).unwrap_or_default()
    }
}

/// Whether the text is JSON lines: its first non-blank character opens an object.
fn is_json_lines(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// The file's rows, each a cell per entry of `columns`; every problem of the file's shape
/// (unknown or missing columns, unreadable rows) when it has any.
pub fn records(text: &str, columns: &[&str], required: &[&str]) -> Result<Vec<Record>, Problems> {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    if is_json_lines(text) {
        for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            let line = i as u64 + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(raw) {
                Ok(o) => o,
                Err(e) => {
                    problems.add(line, "file", format!("not a JSON object: {e}"));
                    continue;
                }
            };
            let mut cells = vec![String::new(); columns.len()];
            for (key, value) in object {
                let Some(at) = columns.iter().position(|c| *c == key) else {
                    problems.add(line, &key, "no such field");
                    continue;
                };
                cells[at] = match value {
                    serde_json::Value::String(s) => s.trim().to_owned(),
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    other => {
                        problems.add(line, &key, format!("`{other}` is not a text, a number or true/false"));
                        continue;
                    }
                };
            }
            for r in required {
                if let Some(at) = columns.iter().position(|c| c == r)
                    && cells[at].is_empty()
                {
                    problems.add(line, r, "is missing");
                }
            }
            out.push(Record { line, cells });
        }
    } else {
        let csv = CsvFile::open(text).map_err(|e| {
            let mut p = Problems::default();
            p.add(e.line, "file", e.message);
            p
        })?;
        let mut index = Vec::with_capacity(columns.len());
        for c in columns {
            index.push(csv.column(&[c]));
        }
        for h in &csv.header {
            if !columns.contains(&h.as_str()) {
                problems.add(1, h, format!("no such column (the columns are {})", columns.join(",")));
            }
        }
        for r in required {
            if columns.iter().position(|c| c == r).and_then(|at| index[at]).is_none() {
                problems.add(1, r, "the header has no such column");
            }
        }
        if problems.count > 0 {
            return Err(problems);
        }
        for row in csv {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    problems.add(e.line, "file", e.message);
                    continue;
                }
            };
            if row.is_empty() {
                continue;
            }
            let cells: Vec<String> = index.iter().map(|i| row.cell(*i).to_owned()).collect();
            for r in required {
                if let Some(at) = columns.iter().position(|c| c == r)
                    && cells[at].is_empty()
                {
                    problems.add(row.line, r, "is missing");
                }
            }
            out.push(Record { line: row.line, cells });
        }
    }
    if problems.count > 0 { Err(problems) } else { Ok(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [&str; 3] = ["external_id", "full_name", "email"];

    #[test]
    fn csv_and_json_lines_give_the_same_cells() {
        let csv = "\u{feff}full_name;external_id\r\n\"Иванов, Иван\nИванович\";S-1\r\n";
        let json = "{\"external_id\": \"S-1\", \"full_name\": \"Иванов, Иван\\nИванович\"}\n";
        for text in [csv, json] {
            let rows = records(text, &COLUMNS, &["external_id"]).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!((rows[0].get(0), rows[0].get(1), rows[0].get(2)), ("S-1", "Иванов, Иван\nИванович", ""));
        }
    }

    #[test]
    fn unknown_columns_and_missing_keys_are_named() {
        let p = records("external_id,fullname\nS-1,x\n", &COLUMNS, &["external_id"]).unwrap_err();
        assert!(p.to_string().contains("line 1: fullname: no such column"), "{p}");
        let p =
            records("{\"full_name\":\"x\"}\n{\"external_id\":\"S-2\",\"mail\":\"y\"}\n", &COLUMNS, &["external_id"])
                .unwrap_err();
        let text = p.to_string();
        assert!(text.contains("line 1: external_id: is missing"), "{text}");
        assert!(text.contains("line 2: mail: no such field"), "{text}");
    }
}
