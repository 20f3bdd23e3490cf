//! Conversions between PostgreSQL values and domain types, and error mapping.

use std::str::FromStr;

use jiff::Timestamp;
use postgres::Row;
use postgres::error::SqlState;
use simexit_store::StoreError;

pub fn store_error(e: postgres::Error) -> StoreError {
    if let Some(code) = e.code() {
        if [
            SqlState::UNIQUE_VIOLATION,
            SqlState::FOREIGN_KEY_VIOLATION,
            SqlState::CHECK_VIOLATION,
            SqlState::EXCLUSION_VIOLATION,
        ]
        .contains(code)
        {
            return StoreError::Conflict(e.to_string());
        }
        let class = &code.code()[..2];
        // 08: connection exceptions; 57: operator intervention (shutdown); 53: resources.
        if matches!(class, "08" | "57" | "53") || *code == SqlState::T_R_SERIALIZATION_FAILURE {
            return StoreError::Unavailable(e.to_string());
        }
        return StoreError::Other(e.to_string());
    }
    // No SQLSTATE: the connection itself failed (refused, reset, closed, TLS refused); the
    // causes say why (`invalid peer certificate: …`).
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    StoreError::Unavailable(message)
}

fn corrupt(idx: usize, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {idx}: {e}"))
}

pub fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, idx: usize) -> Result<T, StoreError> {
    row.try_get(idx).map_err(|e| corrupt(idx, e))
}

pub fn parsed<T>(row: &Row, idx: usize) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let s: &str = get(row, idx)?;
    s.parse().map_err(|e| corrupt(idx, e))
}

pub fn parsed_opt<T>(row: &Row, idx: usize) -> Result<Option<T>, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<&str> = get(row, idx)?;
    s.map(|s| s.parse().map_err(|e| corrupt(idx, e))).transpose()
}

pub fn msisdn(row: &Row, idx: usize) -> Result<simexit_domain::Msisdn, StoreError> {
    let s: &str = get(row, idx)?;
    simexit_domain::Msisdn::from_e164(s).map_err(|e| corrupt(idx, e))
}

pub fn ts(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn ts_opt(t: Option<Timestamp>) -> Option<i64> {
    t.map(ts)
}

pub fn time(row: &Row, idx: usize) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(get(row, idx)?).map_err(|e| corrupt(idx, e))
}

pub fn time_opt(row: &Row, idx: usize) -> Result<Option<Timestamp>, StoreError> {
    let ms: Option<i64> = get(row, idx)?;
    ms.map(|ms| Timestamp::from_millisecond(ms).map_err(|e| corrupt(idx, e))).transpose()
}
