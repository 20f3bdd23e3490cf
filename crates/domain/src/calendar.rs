//! Production calendars and business-day deadlines.
//!
//! A review SLA of N business days counts the working days of the operator's production
//! calendar, not weekdays: Russian calendars move days off around holidays and sometimes make
//! a Saturday a working day. Calendars are data per year (see `data/calendars/`), with
//! optional regional overlays that add days off.
//!
//! Deadline rule (as Russian law counts periods, Civil Code arts. 191–193): counting starts
//! the day after the event, only working days count, and the period ends at 24:00 local time
//! of its last day. So a request received Friday 17:00 with a 3-day SLA is due at the end of
//! the third working day after that Friday.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

use crate::policy::CalendarFallback;

/// One calendar: its known years and, for each, the exceptions to the Mon–Fri pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductionCalendar {
    pub id: String,
    pub name: String,
    years: BTreeMap<i16, YearExceptions>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct YearExceptions {
    source: String,
    days_off: BTreeSet<Date>,
    working_weekends: BTreeSet<Date>,
    shortened: BTreeSet<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar `{calendar}` has no data for {year}: import that year's calendar")]
    UnknownYear { calendar: String, year: i16 },
    #[error("calendar file: {0}")]
    Invalid(String),
    #[error("date arithmetic out of range")]
    Range,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    id: String,
    name: String,
    /// For a regional overlay: the calendar whose days it adds to.
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    year: Vec<YearFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i16,
    #[serde(default)]
    source: String,
    #[serde(default)]
    days_off: Vec<String>,
    #[serde(default)]
    working_weekends: Vec<String>,
    #[serde(default)]
    shortened: Vec<String>,
}

const RU_FEDERAL: &str = include_str!("../../../data/calendars/ru-federal.toml");

impl ProductionCalendar {
    /// Whether `date` is a working day, or an error if the year is not in the calendar.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let year = self
            .years
            .get(&date.year())
            .ok_or_else(|| CalendarError::UnknownYear { calendar: self.id.clone(), year: date.year() })?;
        Ok(if year.days_off.contains(&date) {
            false
        } else if year.working_weekends.contains(&date) {
            true
        } else {
            !is_weekend(date)
        })
    }

    /// Days the calendar declares off beyond ordinary weekends (holidays, moved days off):
    /// stores close on them too.
    pub fn is_declared_day_off(&self, date: Date) -> bool {
        self.years.get(&date.year()).is_some_and(|y| y.days_off.contains(&date))
    }

    /// Shortened (pre-holiday) working days: one hour less in stores and offices.
    pub fn is_shortened(&self, date: Date) -> bool {
        self.years.get(&date.year()).is_some_and(|y| y.shortened.contains(&date))
    }

    pub fn known_years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    pub fn source(&self, year: i16) -> Option<&str> {
        self.years.get(&year).map(|y| y.source.as_str())
    }

    /// Number of working days in a known year.
    pub fn working_days_in(&self, year: i16) -> Result<usize, CalendarError> {
        let mut day = Date::new(year, 1, 1).map_err(|_| CalendarError::Range)?;
        let mut count = 0;
        while day.year() == year {
            if self.is_working_day(day)? {
                count += 1;
            }
            day = day.tomorrow().map_err(|_| CalendarError::Range)?;
        }
        Ok(count)
    }

    fn parse(text: &str) -> Result<(CalendarFile, ProductionCalendar), CalendarError> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| CalendarError::Invalid(e.to_string()))?;
        let mut years = BTreeMap::new();
        for y in &file.year {
            let dates = |field: &str, list: &[String]| -> Result<BTreeSet<Date>, CalendarError> {
                list.iter()
                    .map(|md| {
                        format!("{:04}-{md}", y.year).parse::<Date>().map_err(|e| {
                            CalendarError::Invalid(format!("year {} {field}: `{md}` is not a MM-DD date: {e}", y.year))
                        })
                    })
                    .collect()
            };
            let ex = YearExceptions {
                source: y.source.clone(),
                days_off: dates("days_off", &y.days_off)?,
                working_weekends: dates("working_weekends", &y.working_weekends)?,
                shortened: dates("shortened", &y.shortened)?,
            };
            if let Some(d) = ex.working_weekends.iter().find(|d| !is_weekend(**d)) {
                return Err(CalendarError::Invalid(format!("working_weekends: {d} is not a Saturday or Sunday")));
            }
            if years.insert(y.year, ex).is_some() {
                return Err(CalendarError::Invalid(format!("year {} appears twice", y.year)));
            }
        }
        let cal = ProductionCalendar { id: file.id.clone(), name: file.name.clone(), years };
        Ok((file, cal))
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// A computed deadline: the instant, the local date it falls on, and whether the weekday
/// fallback had to be used because the calendar did not know a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: Timestamp,
    pub local_date: Date,
    pub fallback_used: bool,
}

/// Whether `day` is a working day, and whether the weekday fallback said so.
fn working_day(
    calendar: &ProductionCalendar,
    day: Date,
    fallback: CalendarFallback,
) -> Result<(bool, bool), CalendarError> {
    match calendar.is_working_day(day) {
        Ok(w) => Ok((w, false)),
        Err(e @ CalendarError::UnknownYear { .. }) => match fallback {
            CalendarFallback::Error => Err(e),
            CalendarFallback::Weekdays => Ok((!is_weekend(day), true)),
        },
        Err(e) => Err(e),
    }
}

/// The end (24:00 local) of the `n`-th working day after the local day of `from`.
pub fn add_business_days(
    from: Timestamp,
    n: u32,
    zone: &TimeZone,
    calendar: &ProductionCalendar,
    fallback: CalendarFallback,
) -> Result<Deadline, CalendarError> {
    let mut day = from.to_zoned(zone.clone()).date();
    let mut fallback_used = false;
    let mut counted = 0;
    while counted < n {
        day = day.tomorrow().map_err(|_| CalendarError::Range)?;
        let (working, by_fallback) = working_day(calendar, day, fallback)?;
        fallback_used |= by_fallback;
        if working {
            counted += 1;
        }
    }
    let end = day.tomorrow().and_then(|next| next.to_zoned(zone.clone())).map_err(|_| CalendarError::Range)?;
    Ok(Deadline { at: end.timestamp(), local_date: day, fallback_used })
}

/// The working days after `after` up to and including `through` (0 when `through` is not
/// later).
pub fn working_days_between(
    after: Date,
    through: Date,
    calendar: &ProductionCalendar,
    fallback: CalendarFallback,
) -> Result<u32, CalendarError> {
    let mut day = after;
    let mut counted = 0;
    while day < through {
        day = day.tomorrow().map_err(|_| CalendarError::Range)?;
        counted += u32::from(working_day(calendar, day, fallback)?.0);
    }
    Ok(counted)
}

/// An instant as a person reads it: local date and time with the zone named,
/// `2026-11-30 14:05 MSK (Europe/Moscow)`.
pub fn local_time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z (%Q)").to_string()
}

/// The same, short enough for an SMS: `2026-11-30 14:05 MSK`, or `… UTC+10` where the zone
/// has no letter abbreviation.
pub fn local_time_short(at: Timestamp, zone: &TimeZone) -> String {
    let z = at.to_zoned(zone.clone());
    let abbreviation = z.strftime("%Z").to_string();
    let named = if abbreviation.starts_with(['+', '-']) { format!("UTC{abbreviation}") } else { abbreviation };
    format!("{} {named}", z.strftime("%Y-%m-%d %H:%M"))
}

/// When aging ends: `days` calendar days after completion, counted in the operator's zone
/// (same local clock time, so a DST change cannot shorten the freeze).
pub fn aging_end(completed_at: Timestamp, days: u32, zone: &TimeZone) -> Result<Timestamp, CalendarError> {
    completed_at
        .to_zoned(zone.clone())
        .checked_add(i64::from(days).days())
        .map(|z| z.timestamp())
        .map_err(|_| CalendarError::Range)
}

/// The calendars a deployment knows: the built-in federal one plus imported files.
#[derive(Debug, Clone, Default)]
pub struct CalendarSet {
    calendars: BTreeMap<String, ProductionCalendar>,
}

impl CalendarSet {
    /// The calendars shipped with simexit.
    pub fn builtin() -> Self {
        let mut set = CalendarSet::default();
        // The shipped file is checked by tests; failing here would be a build defect.
        if let Ok((_, cal)) = ProductionCalendar::parse(RU_FEDERAL) {
            set.calendars.insert(cal.id.clone(), cal);
        }
        set
    }

    /// Adds a calendar file: a full calendar, a newer version of one (its years replace the
    /// old ones), or a regional overlay (`base = "ru-federal"`) whose days off are added to
    /// the base calendar's.
    pub fn import(&mut self, text: &str) -> Result<String, CalendarError> {
        let (file, cal) = ProductionCalendar::parse(text)?;
        let merged = match &file.base {
            Some(base_id) => {
                let base = self
                    .calendars
                    .get(base_id)
                    .ok_or_else(|| CalendarError::Invalid(format!("base calendar `{base_id}` is unknown")))?;
                let mut merged = base.clone();
                merged.id = cal.id.clone();
                merged.name = cal.name.clone();
                for (year, extra) in cal.years {
                    let entry = merged.years.get_mut(&year).ok_or_else(|| {
                        CalendarError::Invalid(format!("year {year}: the base calendar has no such year"))
                    })?;
                    entry.days_off.extend(extra.days_off);
                    entry.shortened.extend(extra.shortened);
                    entry.working_weekends.retain(|d| !entry.days_off.contains(d));
                }
                merged
            }
            None => match self.calendars.get(&cal.id) {
                Some(existing) => {
                    let mut merged = existing.clone();
                    merged.name = cal.name.clone();
                    merged.years.extend(cal.years);
                    merged
                }
                None => cal,
            },
        };
        let id = merged.id.clone();
        self.calendars.insert(id.clone(), merged);
        Ok(id)
    }

    pub fn get(&self, id: &str) -> Option<&ProductionCalendar> {
        self.calendars.get(id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.calendars.keys().map(String::as_str).collect()
    }

    /// Each calendar's last covered day and the days from `today` to it (negative once
    /// past): business-day deadlines after it cannot be computed from the decree.
    pub fn horizons(&self, today: Date) -> Vec<(String, Date, i64)> {
        self.calendars
            .values()
            .filter_map(|c| {
                let last = Date::new(*c.years.keys().next_back()?, 12, 31).ok()?;
                let days = (last - today).get_days().into();
                Some((c.id.clone(), last, days))
            })
            .collect()
    }

    /// The calendars that end within `days` of `today` (or have ended), each with a sentence
    /// for an operator: import next year's decree.
    pub fn running_out(&self, today: Date, days: i64) -> Vec<String> {
        self.horizons(today)
            .into_iter()
            .filter(|(_, _, left)| *left <= days)
            .map(|(id, last, left)| {
                format!(
                    "production calendar `{id}` ends on {last} ({left} days from {today}): import the next year's \
                     (policies.calendars) before deadlines run past it"
                )
            })
            .collect()
    }
}

/// How close to its end a calendar may come before simexit warns.
pub const CALENDAR_WARNING_DAYS: i64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_about_to_end_is_named_sixty_days_ahead() {
        use jiff::civil::date;
        let set = CalendarSet::builtin();
        let horizon = set.horizons(date(2027, 11, 1));
        assert_eq!(horizon, vec![("ru-federal".to_owned(), date(2027, 12, 31), 60)]);
        assert!(set.running_out(date(2027, 10, 31), CALENDAR_WARNING_DAYS).is_empty(), "61 days ahead: quiet");
        let warned = set.running_out(date(2027, 11, 1), CALENDAR_WARNING_DAYS);
        assert_eq!(warned.len(), 1);
        assert!(warned[0].contains("`ru-federal` ends on 2027-12-31 (60 days"), "{warned:?}");
        assert!(set.running_out(date(2028, 1, 5), CALENDAR_WARNING_DAYS)[0].contains("-5 days"), "past its end");
    }

    fn federal() -> ProductionCalendar {
        CalendarSet::builtin().get("ru-federal").unwrap().clone()
    }

    fn moscow() -> TimeZone {
        TimeZone::get("Europe/Moscow").unwrap()
    }

    fn deadline(local: &str, zone: &str, n: u32) -> Deadline {
        let tz = TimeZone::get(zone).unwrap();
        let from = local.parse::<jiff::civil::DateTime>().unwrap().to_zoned(tz.clone()).unwrap().timestamp();
        add_business_days(from, n, &tz, &federal(), CalendarFallback::Error).unwrap()
    }

    #[test]
    fn every_shipped_year_has_247_working_days() {
        let cal = federal();
        assert_eq!(cal.known_years(), vec![2025, 2026, 2027]);
        for year in cal.known_years() {
            assert_eq!(cal.working_days_in(year).unwrap(), 247, "{year}");
        }
    }

    #[test]
    fn friday_before_the_may_holidays_is_due_thursday_night() {
        // Fri 2026-05-08 17:00 MSK; Sat, Sun and Mon 05-11 are off: Tue, Wed, Thu count.
        let d = deadline("2026-05-08T17:00", "Europe/Moscow", 3);
        assert_eq!(d.local_date.to_string(), "2026-05-14");
        assert_eq!(d.at.to_string(), "2026-05-14T21:00:00Z");
        assert!(!d.fallback_used);
    }

    #[test]
    fn new_year_holidays_are_skipped_across_the_year_boundary() {
        // 2025-12-31 is off, then 2026-01-01..09 and the weekend: Jan 12, 13, 14 count.
        let d = deadline("2025-12-30T10:00", "Europe/Moscow", 3);
        assert_eq!(d.local_date.to_string(), "2026-01-14");
    }

    #[test]
    fn a_working_saturday_counts() {
        // Fri 2027-02-19: Sat 02-20 is a working day; Mon 02-22 and Tue 02-23 are off.
        assert_eq!(deadline("2027-02-19T12:00", "Europe/Moscow", 1).local_date.to_string(), "2027-02-20");
        assert_eq!(deadline("2027-02-19T12:00", "Europe/Moscow", 2).local_date.to_string(), "2027-02-24");
        assert!(federal().is_working_day("2027-02-20".parse().unwrap()).unwrap());
        assert!(federal().is_shortened("2027-02-20".parse().unwrap()));
    }

    #[test]
    fn the_operator_zone_decides_the_day_across_midnight_utc() {
        // 2026-03-12T15:30Z is Thursday 18:30 in Moscow but Friday 01:30 in Vladivostok.
        let at: Timestamp = "2026-03-12T15:30:00Z".parse().unwrap();
        let vlad = TimeZone::get("Asia/Vladivostok").unwrap();
        let d = add_business_days(at, 1, &vlad, &federal(), CalendarFallback::Error).unwrap();
        assert_eq!(d.local_date.to_string(), "2026-03-16");
        assert_eq!(d.at.to_string(), "2026-03-16T14:00:00Z");
        let d = add_business_days(at, 1, &moscow(), &federal(), CalendarFallback::Error).unwrap();
        assert_eq!(d.local_date.to_string(), "2026-03-13");
        assert_eq!(d.at.to_string(), "2026-03-13T21:00:00Z");
    }

    #[test]
    fn a_submission_on_a_day_off_starts_counting_from_the_next_working_day() {
        // Sat 2026-02-21; Mon 02-23 is off: Tue 02-24 is the first working day.
        assert_eq!(deadline("2026-02-21T09:00", "Europe/Moscow", 1).local_date.to_string(), "2026-02-24");
    }

    #[test]
    fn an_unknown_year_is_an_error_or_a_visible_fallback() {
        let at: Timestamp = "2027-12-30T09:00:00Z".parse().unwrap();
        let err = add_business_days(at, 3, &moscow(), &federal(), CalendarFallback::Error).unwrap_err();
        assert_eq!(err, CalendarError::UnknownYear { calendar: "ru-federal".into(), year: 2028 });
        let d = add_business_days(at, 3, &moscow(), &federal(), CalendarFallback::Weekdays).unwrap();
        assert!(d.fallback_used);
        // Dec 31 is off (known year); 2028: Mon Jan 3, Tue Jan 4, Wed Jan 5 by weekdays.
        assert_eq!(d.local_date.to_string(), "2028-01-05");
    }

    #[test]
    fn aging_counts_calendar_days_in_the_operator_zone() {
        let done: Timestamp = "2026-05-08T14:00:00Z".parse().unwrap();
        assert_eq!(aging_end(done, 30, &moscow()).unwrap().to_string(), "2026-06-07T14:00:00Z");
    }

    #[test]
    fn a_regional_overlay_adds_days_off() {
        let mut set = CalendarSet::builtin();
        let id = set
            .import(
                "id = \"ru-ta\"\nname = \"Tatarstan\"\nbase = \"ru-federal\"\n[[year]]\nyear = 2026\ndays_off = [\"08-31\", \"11-06\"]\n",
            )
            .unwrap();
        let cal = set.get(&id).unwrap();
        assert!(!cal.is_working_day("2026-08-31".parse().unwrap()).unwrap());
        assert!(federal().is_working_day("2026-08-31".parse().unwrap()).unwrap());
        assert_eq!(cal.working_days_in(2026).unwrap(), 245);
    }

    #[test]
    fn a_broken_calendar_file_is_rejected_with_the_reason() {
        let mut set = CalendarSet::builtin();
        let err = set.import("id = \"x\"\nname = \"x\"\n[[year]]\nyear = 2026\ndays_off = [\"13-01\"]\n").unwrap_err();
        assert!(err.to_string().contains("13-01"), "{err}");
        let err = set
            .import("id = \"x\"\nname = \"x\"\n[[year]]\nyear = 2026\nworking_weekends = [\"03-02\"]\n")
            .unwrap_err();
        assert!(err.to_string().contains("not a Saturday"), "{err}");
    }

    #[test]
    fn working_days_between_skip_weekends_and_days_off() {
        let cal = CalendarSet::builtin();
        let ru = cal.get("ru-federal").unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let between = |a: &str, b: &str| working_days_between(d(a), d(b), ru, CalendarFallback::Error).unwrap();
        // Friday 2026-03-06 to Tuesday 2026-03-10: Monday the 9th is a day off (8 March moved).
        assert_eq!(between("2026-03-06", "2026-03-10"), 1);
        assert_eq!(between("2026-11-27", "2026-12-02"), 3);
        assert_eq!(between("2026-12-02", "2026-11-27"), 0, "not later: none");
        assert_eq!(between("2026-12-02", "2026-12-02"), 0);
    }
}
