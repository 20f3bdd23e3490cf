//! The national numbering plan: the official registry of mobile ranges (`DEF-9xx.csv`).
//!
//! The file is UTF-8 with a byte-order mark, `;`-separated, unquoted (operator names carry
//! literal quotes: `ООО "Т2 МОБАЙЛ"`), read by the `csv` crate with quoting off. Columns are found by
//! their header, not their position, because older layouts have 6 or 7 columns (without
//! `Территория ГАР`, sometimes without `ИНН`). Operators are keyed by tax id, not by name:
//! the same operator appears under several spellings.

use std::collections::HashMap;

use crate::csvfile::CsvFile;
use crate::msisdn::Msisdn;

/// One allocated range: numbers `+7 DEF from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRange {
    pub def: u16,
    pub from: u32,
    pub to: u32,
    pub operator_name: String,
    pub region: String,
    pub territory: Option<String>,
    /// ИНН of the range holder, when the layout has it.
    pub inn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    #[error("the file is empty")]
    Empty,
    #[error("the header lacks the column `{0}`")]
    MissingColumn(&'static str),
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
}

/// Header names accepted for each column, lower-cased, spaces removed.
const COLUMNS: &[(&str, &[&str])] = &[
    ("def", &["авс/def", "abc/def", "def", "авс", "код"]),
    ("from", &["от", "from"]),
    ("to", &["до", "to"]),
    ("capacity", &["емкость", "ёмкость", "capacity"]),
    ("operator", &["оператор", "operator"]),
    ("region", &["регион", "region"]),
    ("territory", &["территориягар", "territory"]),
    ("inn", &["инн", "inn"]),
];

/// Parses the registry; `on_row` is called after each row (for progress).
pub fn parse_registry(text: &str, mut on_row: impl FnMut(usize)) -> Result<Vec<NumberRange>, NumberingError> {
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(NumberingError::Empty);
    }
    let file = CsvFile::open_with(text, b';', false)
        .map_err(|e| NumberingError::Row { line: usize::try_from(e.line).unwrap_or(usize::MAX), message: e.message })?;
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (key, aliases) in COLUMNS {
        if let Some(i) = file.column_squeezed(aliases) {
            index.insert(key, i);
        }
    }
    for required in ["def", "from", "to", "operator", "region"] {
        if !index.contains_key(required) {
            return Err(NumberingError::MissingColumn(required));
        }
    }
    let mut out = Vec::new();
    for row in file {
        let row = row.map_err(|e| NumberingError::Row {
            line: usize::try_from(e.line).unwrap_or(usize::MAX),
            message: e.message,
        })?;
        let line_no = usize::try_from(row.line).unwrap_or(usize::MAX);
        let cell = |key: &str| index.get(key).filter(|&&i| i < row.len()).map(|&i| row.get(i));
        let bad = |message: String| NumberingError::Row { line: line_no, message };
        let number = |key: &str| -> Result<u32, NumberingError> {
            let s = cell(key).ok_or_else(|| bad(format!("no `{key}` value")))?;
            s.parse().map_err(|_| bad(format!("`{s}` is not a number in `{key}`")))
        };
        let def = number("def")?;
        let (from, to) = (number("from")?, number("to")?);
        if !(900..=999).contains(&def) || to > 9_999_999 || from > to {
            return Err(bad(format!("range {def} {from:07}..{to:07} is not a mobile DEF range")));
        }
        if index.contains_key("capacity") {
            let capacity = number("capacity")?;
            if capacity != to - from + 1 {
                return Err(bad(format!("capacity {capacity} does not match the range ({})", to - from + 1)));
            }
        }
        let text = |key: &str| cell(key).filter(|s| !s.is_empty()).map(str::to_owned);
        let inn = text("inn");
        if let Some(inn) = &inn
            && let Err(e) = crate::inn::check(inn)
        {
            return Err(bad(e.to_string()));
        }
        out.push(NumberRange {
            def: u16::try_from(def).map_err(|_| bad("DEF code out of range".into()))?,
            from,
            to,
            operator_name: text("operator").ok_or_else(|| bad("no operator".into()))?,
            region: text("region").ok_or_else(|| bad("no region".into()))?,
            territory: text("territory"),
            inn,
        });
        on_row(out.len());
    }
    Ok(out)
}

/// The DEF code and subscriber part of a Russian mobile number (`+7 916 1234567`).
pub fn def_and_subscriber(msisdn: &Msisdn) -> Option<(u16, u32)> {
    let d = msisdn.digits();
    if d.len() != 11 || !d.starts_with('7') {
        return None;
    }
    Some((d[1..4].parse().ok()?, d[4..].parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EIGHT: &str = "\u{feff}АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН\n\
        900;0000000;0061999;62000;ООО \"Т2 МОБАЙЛ\";Краснодарский край;Краснодарский край;7743895280\n\
        916;0000000;9999999;10000000;ПАО \"МТС\";г. Москва;г. Москва;7740000076";

    #[test]
    fn the_official_layout_parses_with_its_bom() {
        let ranges = parse_registry(EIGHT, |_| {}).unwrap();
        assert_eq!(ranges.len(), 2);
        assert_eq!(ranges[0].def, 900);
        assert_eq!((ranges[0].from, ranges[0].to), (0, 61_999));
        assert_eq!(ranges[0].inn.as_deref(), Some("7743895280"));
        assert_eq!(ranges[0].territory.as_deref(), Some("Краснодарский край"));
    }

    #[test]
    fn a_tax_id_failing_its_check_digits_is_refused_with_its_line() {
        let typo = EIGHT.replace(";7740000076", ";7740000067");
        let err = parse_registry(&typo, |_| {}).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("7740000067") && err.contains("check digits"), "{err}");
        let short = EIGHT.replace(";7740000076", ";774000007");
        assert!(parse_registry(&short, |_| {}).unwrap_err().to_string().contains("10 or 12 digits"));
    }

    #[test]
    fn older_layouts_are_read_by_header_not_position() {
        let seven =
            "АВС/ DEF;От;До;Емкость;Оператор;Регион;ИНН\n900;0000000;0061999;62000;T2;Краснодарский край;7743895280";
        let r = parse_registry(seven, |_| {}).unwrap();
        assert_eq!((r[0].inn.as_deref(), r[0].territory.as_deref()), (Some("7743895280"), None));
        let six = "Оператор;Регион;АВС/ DEF;От;До;Емкость\nT2;Краснодарский край;900;0000000;0061999;62000";
        let r = parse_registry(six, |_| {}).unwrap();
        assert_eq!((r[0].def, r[0].operator_name.as_str(), r[0].inn.as_deref()), (900, "T2", None));
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let wrong = "АВС/ DEF;От;До;Емкость;Оператор;Регион\n900;0000000;0061999;5;T2;Край";
        assert_eq!(
            parse_registry(wrong, |_| {}).unwrap_err().to_string(),
            "line 2: capacity 5 does not match the range (62000)"
        );
        let junk = "АВС/ DEF;От;До;Емкость;Оператор;Регион\n900;abc;0061999;5;T2;Край";
        assert!(parse_registry(junk, |_| {}).unwrap_err().to_string().starts_with("line 2:"));
        assert_eq!(parse_registry("Оператор;Регион\n", |_| {}), Err(NumberingError::MissingColumn("def")));
    }

    #[test]
    fn a_number_splits_into_def_and_subscriber_part() {
        let n = Msisdn::parse("+7 900 000 00 00").unwrap();
        assert_eq!(def_and_subscriber(&n), Some((900, 0)));
        assert_eq!(def_and_subscriber(&Msisdn::parse("+16502530000").unwrap()), None);
    }
}

#[cfg(test)]
mod registry {
    use super::*;

    /// The real registry, when the machine has it beside the repository.
    #[test]
    fn the_published_registry_parses_completely_when_present() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/numbering/DEF-9xx.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} is not here", path.display());
            return;
        };
        let ranges = parse_registry(&text, |_| {}).unwrap();
        assert_eq!(ranges.len(), 16_629);
        let first = &ranges[0];
        assert_eq!((first.def, first.from, first.inn.as_deref()), (900, 0, Some("7743895280")));
        assert_eq!(first.region, "Краснодарский край");
    }
}
