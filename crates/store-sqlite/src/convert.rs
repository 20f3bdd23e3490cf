//! Conversions between SQLite values and domain types, and error mapping.

use std::str::FromStr;

use jiff::Timestamp;
use rusqlite::types::Type;
use rusqlite::{Error, ErrorCode, Row};
use simexit_store::StoreError;

pub fn store_error(e: Error) -> StoreError {
    match &e {
        Error::SqliteFailure(f, _) => match f.code {
            ErrorCode::ConstraintViolation => StoreError::Conflict(e.to_string()),
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Other(e.to_string()),
        },
        Error::FromSqlConversionFailure(..) | Error::InvalidColumnType(..) | Error::IntegralValueOutOfRange(..) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

fn bad(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

/// Reads a text column into a type that parses from text (ids, enums, numbers).
pub fn parsed<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| bad(idx, e))
}

pub fn parsed_opt<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: Option<String> = row.get(idx)?;
    s.map(|s| s.parse().map_err(|e| bad(idx, e))).transpose()
}

/// A stored number: validated when it entered the system, so only its shape is checked.
pub fn msisdn(row: &Row<'_>, idx: usize) -> rusqlite::Result<simexit_domain::Msisdn> {
    let s: String = row.get(idx)?;
    simexit_domain::Msisdn::from_e164(&s).map_err(|e| bad(idx, e))
}

pub fn ts(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn ts_opt(t: Option<Timestamp>) -> Option<i64> {
    t.map(ts)
}

pub fn time(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    let ms: i64 = row.get(idx)?;
    Timestamp::from_millisecond(ms).map_err(|e| bad(idx, e))
}

pub fn time_opt(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    let ms: Option<i64> = row.get(idx)?;
    ms.map(|ms| Timestamp::from_millisecond(ms).map_err(|e| bad(idx, e))).transpose()
}
