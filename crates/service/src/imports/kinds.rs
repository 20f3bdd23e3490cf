//! What an operator's files hold: the kinds of import, their columns, and each kind's rows
//! once read (`simexit import subscribers|lines|services|numbers FILE`).

use jiff::Timestamp;
use jiff::civil::Date;
use simexit_domain::number::NumberState;
use simexit_domain::{CustomerCategory, Iccid, Language, LineState, Money, Msisdn, OperatorId};

use crate::{Result, ServiceError};

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

    pub(super) fn required(self) -> &'static [&'static str] {
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
    pub(super) fn parse(text: &str) -> std::result::Result<When, String> {
        if let Ok(t) = text.parse::<Timestamp>() {
            return Ok(When::At(t));
        }
        text.parse::<Date>()
            .map(When::Day)
            .map_err(|_| format!("`{text}` is not a date (2024-05-31) or an instant (2024-05-31T09:00:00Z)"))
    }

    pub(super) fn instant(self, zone: &jiff::tz::TimeZone) -> Result<Timestamp> {
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

    pub(super) fn kind(&self) -> ImportKind {
        match self {
            Rows::Subscribers(_) => ImportKind::Subscribers,
            Rows::Lines(_) => ImportKind::Lines,
            Rows::Services(_) => ImportKind::Services,
            Rows::Numbers(_) => ImportKind::Numbers,
        }
    }
}
