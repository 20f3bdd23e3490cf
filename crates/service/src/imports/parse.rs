//! Reading an import file's rows: each row checked on its own (shapes, formats,
//! enumerations, keys given twice), before anything is compared with what simexit holds.

use std::collections::HashMap;

use simexit_domain::number::NumberState;
use simexit_domain::{Iccid, Language, LineState, Money, Msisdn, OperatorId};

use super::Problems;
use super::kinds::*;
use super::records::{Record, records};

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
