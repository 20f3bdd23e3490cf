//! Store opening hours: a weekly pattern plus dated exceptions, evaluated in the store's zone.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Opening hours as `"HH:MM-HH:MM"` per weekday (`mon`..`sun`; absent = closed) and per
/// exceptional date (`"closed"` or hours).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    #[serde(default)]
    pub weekly: BTreeMap<String, String>,
    #[serde(default)]
    pub exceptions: BTreeMap<Date, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("opening hours: {0}")]
pub struct HoursError(String);

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

fn parse_span(text: &str) -> Result<Option<(Time, Time)>, HoursError> {
    if text == "closed" {
        return Ok(None);
    }
    let (open, close) = text.split_once('-').ok_or_else(|| HoursError(format!("`{text}` is not HH:MM-HH:MM")))?;
    let t = |s: &str| s.trim().parse::<Time>().map_err(|_| HoursError(format!("`{s}` is not a time")));
    let (open, close) = (t(open)?, t(close)?);
    if open >= close {
        return Err(HoursError(format!("`{text}` closes before it opens")));
    }
    Ok(Some((open, close)))
}

impl OpeningHours {
    pub fn validate(&self) -> Result<(), HoursError> {
        for (day, span) in &self.weekly {
            if !DAYS.iter().any(|(d, _)| d == day) {
                return Err(HoursError(format!("`{day}` is not a weekday (mon..sun)")));
            }
            parse_span(span)?;
        }
        for span in self.exceptions.values() {
            parse_span(span)?;
        }
        Ok(())
    }

    /// Hours on a local date: the exception if there is one, else the weekly pattern.
    pub fn on(&self, date: Date) -> Option<(Time, Time)> {
        if let Some(span) = self.exceptions.get(&date) {
            return parse_span(span).ok().flatten();
        }
        let key = DAYS.iter().find(|(_, w)| *w == date.weekday()).map(|(k, _)| *k)?;
        self.weekly.get(key).and_then(|s| parse_span(s).ok().flatten())
    }

    pub fn is_open(&self, now: Timestamp, zone: &TimeZone) -> bool {
        let local = now.to_zoned(zone.clone());
        self.on(local.date()).is_some_and(|(open, close)| (open..close).contains(&local.time()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours() -> OpeningHours {
        let mut h = OpeningHours::default();
        h.weekly.insert("mon".into(), "09:00-21:00".into());
        h.weekly.insert("sat".into(), "10:00-18:00".into());
        h.exceptions.insert("2026-01-05".parse().unwrap(), "closed".into());
        h
    }

    #[test]
    fn open_now_is_judged_in_the_store_zone() {
        let vlad = TimeZone::get("Asia/Vladivostok").unwrap();
        // Monday 2026-03-16 09:30 in Vladivostok is Sunday 23:30 UTC.
        let t: Timestamp = "2026-03-15T23:30:00Z".parse().unwrap();
        assert!(hours().is_open(t, &vlad));
        assert!(!hours().is_open(t, &TimeZone::UTC));
    }

    #[test]
    fn a_holiday_exception_closes_the_store() {
        let msk = TimeZone::get("Europe/Moscow").unwrap();
        let t: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        assert!(!hours().is_open(t, &msk));
    }

    #[test]
    fn bad_hours_are_rejected() {
        let mut h = hours();
        h.weekly.insert("funday".into(), "09:00-10:00".into());
        assert!(h.validate().is_err());
        let mut h = hours();
        h.weekly.insert("tue".into(), "21:00-09:00".into());
        assert!(h.validate().is_err());
    }
}
