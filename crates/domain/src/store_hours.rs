//! Store opening hours: a weekly pattern plus dated exceptions, evaluated in the store's zone
//! and with the production calendar.
//!
//! The text an operator writes (`stores import`, the admin pages):
//!
//! ```text
//! mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed; 2026-12-31 09:00-16:00
//! ```
//!
//! A day may have several spans (a lunch break), `00:00-24:00` is open all day, a day not
//! named is closed. The calendar's declared days off close the store and a shortened
//! pre-holiday day closes it an hour early, unless a dated exception says otherwise.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::calendar::ProductionCalendar;

/// Opening hours as spans per weekday (`mon`..`sun`; absent = closed) and per exceptional
/// date (`"closed"` or spans), each `"HH:MM-HH:MM[,HH:MM-HH:MM…]"`.
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

/// A span of a day in minutes from midnight, `open < close <= 1440`.
pub type Span = (u16, u16);

fn minutes(text: &str) -> Result<u16, HoursError> {
    let bad = || HoursError(format!("`{text}` is not a time HH:MM"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) || h.saturating_mul(60) + m > 1440 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The spans of `text`: `closed`, or comma-separated `HH:MM-HH:MM` in order, not overlapping.
pub fn parse_spans(text: &str) -> Result<Vec<Span>, HoursError> {
    let text = text.trim();
    if text == "closed" {
        return Ok(Vec::new());
    }
    let mut spans: Vec<Span> = Vec::new();
    for part in text.split(',') {
        let (open, close) = part.split_once('-').ok_or_else(|| HoursError(format!("`{part}` is not HH:MM-HH:MM")))?;
        let (open, close) = (minutes(open)?, minutes(close)?);
        if open >= close {
            return Err(HoursError(format!("`{part}` closes before it opens")));
        }
        if spans.last().is_some_and(|&(_, end)| open < end) {
            return Err(HoursError(format!("`{text}`: the spans overlap or are out of order")));
        }
        spans.push((open, close));
    }
    Ok(spans)
}

fn day_index(name: &str) -> Result<usize, HoursError> {
    DAYS.iter()
        .position(|(d, _)| *d == name)
        .ok_or_else(|| HoursError(format!("`{name}` is not a weekday (mon..sun) or a date YYYY-MM-DD")))
}

/// `HH:MM` of a minute of the day (1440 is `24:00`).
pub fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Spans as written: `09:00-13:00,14:00-21:00`, or `closed`.
pub fn spans_text(spans: &[Span]) -> String {
    if spans.is_empty() {
        return "closed".into();
    }
    spans.iter().map(|&(o, c)| format!("{}-{}", clock(o), clock(c))).collect::<Vec<_>>().join(",")
}

impl OpeningHours {
    /// Reads the operator's text (see the module documentation).
    pub fn parse_text(text: &str) -> Result<OpeningHours, HoursError> {
        let mut hours = OpeningHours::default();
        for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (what, spans) = entry
                .split_once(char::is_whitespace)
                .ok_or_else(|| HoursError(format!("`{entry}` needs a day and its hours")))?;
            let spans = spans_text(&parse_spans(spans)?);
            if let Ok(date) = what.parse::<Date>() {
                hours.exceptions.insert(date, spans);
                continue;
            }
            let (first, last) = match what.split_once('-') {
                Some((a, b)) => (day_index(a)?, day_index(b)?),
                None => (day_index(what)?, day_index(what)?),
            };
            if first > last {
                return Err(HoursError(format!("`{what}`: the days run backwards")));
            }
            for (day, _) in &DAYS[first..=last] {
                hours.weekly.insert((*day).to_owned(), spans.clone());
            }
        }
        Ok(hours)
    }

    /// The hours as the operator's text, weekdays in order, then exceptions.
    pub fn to_text(&self) -> String {
        // Runs of days with the same hours read as one range: `mon-fri 09:00-18:00`.
        let hours = |i: usize| self.weekly.get(DAYS[i].0).map_or("closed", String::as_str);
        let mut parts: Vec<String> = Vec::new();
        let mut start = 0;
        for (i, (day, _)) in DAYS.iter().enumerate() {
            if i + 1 < DAYS.len() && hours(i + 1) == hours(start) {
                continue;
            }
            let days = if i == start { (*day).to_owned() } else { format!("{}-{day}", DAYS[start].0) };
            parts.push(format!("{days} {}", hours(start)));
            start = i + 1;
        }
        parts.extend(self.exceptions.iter().map(|(date, spans)| format!("{date} {spans}")));
        parts.join("; ")
    }

    pub fn validate(&self) -> Result<(), HoursError> {
        for (day, spans) in &self.weekly {
            day_index(day)?;
            parse_spans(spans)?;
        }
        for spans in self.exceptions.values() {
            parse_spans(spans)?;
        }
        Ok(())
    }

    /// The spans on a local date: a dated exception if there is one; else closed on the
    /// calendar's declared days off; else the weekly pattern, an hour shorter on a shortened
    /// pre-holiday day.
    pub fn spans_on(&self, date: Date, calendar: Option<&ProductionCalendar>) -> Vec<Span> {
        if let Some(spans) = self.exceptions.get(&date) {
            return parse_spans(spans).unwrap_or_default();
        }
        if calendar.is_some_and(|c| c.is_declared_day_off(date)) {
            return Vec::new();
        }
        let Some(key) = DAYS.iter().find(|(_, w)| *w == date.weekday()).map(|(k, _)| *k) else {
            return Vec::new();
        };
        let mut spans = self.weekly.get(key).and_then(|s| parse_spans(s).ok()).unwrap_or_default();
        if calendar.is_some_and(|c| c.is_shortened(date))
            && let Some(last) = spans.last_mut()
        {
            last.1 = last.1.saturating_sub(60).max(last.0);
            if last.0 == last.1 {
                spans.pop();
            }
        }
        spans
    }

    pub fn is_open(&self, now: Timestamp, zone: &TimeZone, calendar: Option<&ProductionCalendar>) -> bool {
        let local = now.to_zoned(zone.clone());
        let minute =
            u16::try_from(local.time().hour()).unwrap_or(0) * 60 + u16::try_from(local.time().minute()).unwrap_or(0);
        self.spans_on(local.date(), calendar).iter().any(|&(open, close)| (open..close).contains(&minute))
    }

    /// The days from `from` on (`days` of them) whose hours are not the week's usual ones: the
    /// store's own exceptions, the calendar's declared days off (closed) and shortened days
    /// (an hour early), each with that day's hours (`None`: closed).
    pub fn unusual_days(
        &self,
        from: Date,
        days: u16,
        calendar: Option<&ProductionCalendar>,
    ) -> Vec<(Date, Option<String>)> {
        let mut out = Vec::new();
        let mut date = from;
        for _ in 0..days {
            let usual = DAYS
                .iter()
                .find(|(_, w)| *w == date.weekday())
                .and_then(|(k, _)| self.weekly.get(*k))
                .and_then(|s| parse_spans(s).ok())
                .unwrap_or_default();
            let actual = self.spans_on(date, calendar);
            if actual != usual {
                out.push((date, (!actual.is_empty()).then(|| spans_text(&actual))));
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        out
    }

    /// Today's hours as text (`09:00-13:00,14:00-21:00`), `None` when closed.
    pub fn today(&self, date: Date, calendar: Option<&ProductionCalendar>) -> Option<String> {
        let spans = self.spans_on(date, calendar);
        (!spans.is_empty()).then(|| spans_text(&spans))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarSet;

    fn hours() -> OpeningHours {
        OpeningHours::parse_text("mon 09:00-21:00; sat 10:00-18:00; 2026-01-05 closed").unwrap()
    }

    #[test]
    fn open_now_is_judged_in_the_store_zone() {
        let vlad = TimeZone::get("Asia/Vladivostok").unwrap();
        // Monday 2026-03-16 09:30 in Vladivostok is Sunday 23:30 UTC.
        let t: Timestamp = "2026-03-15T23:30:00Z".parse().unwrap();
        assert!(hours().is_open(t, &vlad, None));
        assert!(!hours().is_open(t, &TimeZone::UTC, None));
    }

    #[test]
    fn the_unusual_days_ahead_are_holidays_shortened_days_and_exceptions() {
        let calendars = CalendarSet::builtin();
        let h =
            OpeningHours::parse_text("mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; 2027-01-01 closed").unwrap();
        let days = h.unusual_days(jiff::civil::date(2026, 12, 28), 10, calendars.get("ru-federal"));
        let text: Vec<String> = days.iter().map(|(d, h)| format!("{d} {}", h.as_deref().unwrap_or("closed"))).collect();
        // 12-31 (Thu) is a declared day off; 01-01 the store's own; then the January holidays.
        assert_eq!(&text[..3], ["2026-12-31 closed", "2027-01-01 closed", "2027-01-04 closed"], "{text:?}");
        let shortened = h.unusual_days(jiff::civil::date(2027, 2, 20), 1, calendars.get("ru-federal"));
        assert_eq!(
            shortened,
            vec![(jiff::civil::date(2027, 2, 20), Some("10:00-17:00".to_owned()))],
            "a shortened Saturday"
        );
    }

    #[test]
    fn a_dated_exception_closes_the_store() {
        let msk = TimeZone::get("Europe/Moscow").unwrap();
        let t: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        assert!(!hours().is_open(t, &msk, None));
    }

    #[test]
    fn the_operators_text_reads_with_breaks_ranges_all_day_and_exceptions() {
        let h = OpeningHours::parse_text(
            "mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed; 2026-12-31 09:00-16:00",
        )
        .unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(h.spans_on(day("2026-12-02"), None), [(540, 780), (840, 1260)], "a Wednesday with lunch");
        assert_eq!(h.spans_on(day("2026-12-06"), None), [], "Sunday closed");
        assert_eq!(h.spans_on(day("2026-12-31"), None), [(540, 960)], "the dated exception");
        assert_eq!(h.spans_on(day("2027-01-01"), None), []);
        let zone = TimeZone::get("Europe/Moscow").unwrap();
        let lunch: Timestamp = "2026-12-02T10:30:00Z".parse().unwrap(); // 13:30 in Moscow
        assert!(!h.is_open(lunch, &zone, None), "closed for lunch");
        assert_eq!(OpeningHours::parse_text(&h.to_text()).unwrap(), h, "the text round-trips");
        let all_day = OpeningHours::parse_text("mon-sun 00:00-24:00").unwrap();
        let late: Timestamp = "2026-12-02T20:59:00Z".parse().unwrap(); // 23:59 in Moscow
        assert!(all_day.is_open(late, &zone, None));
        for bad in [
            "mon 09:00",
            "fri-mon 09:00-10:00",
            "mon 10:00-09:00",
            "mon 09:00-12:00,11:00-13:00",
            "xyz 09:00-10:00",
            "mon 25:00-26:00",
        ] {
            assert!(OpeningHours::parse_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn federal_days_off_close_and_shortened_days_end_an_hour_early() {
        let calendars = CalendarSet::builtin();
        let federal = calendars.get("ru-federal");
        let h = OpeningHours::parse_text("mon-sun 09:00-13:00,14:00-21:00").unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        // 2026-01-05 is a Monday and a declared day off; 2026-04-30 a shortened Thursday.
        assert_eq!(h.spans_on(day("2026-01-05"), federal), [], "a federal holiday closes the store");
        assert_eq!(h.spans_on(day("2026-04-30"), federal), [(540, 780), (840, 1200)], "an hour early");
        assert_eq!(h.spans_on(day("2026-04-29"), federal), [(540, 780), (840, 1260)], "an ordinary day");
        let mut opened = h.clone();
        opened.exceptions.insert(day("2026-01-05"), "10:00-16:00".into());
        assert_eq!(opened.spans_on(day("2026-01-05"), federal), [(600, 960)], "unless an exception says so");
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
