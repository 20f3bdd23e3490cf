//! Has a number changed hands since a date? The answers relying parties get, computed from a
//! number's holder periods.
//!
//! - A revoked cancellation is not a change: the same subscriber's next period continues the
//!   ownership.
//! - A port-out is not a disconnection: the subscriber took the number elsewhere.
//! - A number is *permanently disconnected* when its holder's period ended by termination and
//!   no revocation followed (the aging ended, or another subscriber holds it now).

use jiff::Timestamp;

/// One holder period of a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub subscriber_id: i64,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
    /// `terminated` or `ported_out` when closed.
    pub end_reason: Option<String>,
}

/// FCC-style answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disconnected {
    /// Permanently disconnected at or after the date.
    Yes,
    No,
    /// The date is before simexit's history of the number.
    NoData,
}

fn terminated(p: &Period) -> bool {
    p.end_reason.as_deref() == Some("terminated")
}

/// Whether a terminated period `i` was undone by its subscriber's revocation (the next
/// period belongs to the same subscriber), or is still within aging (`aging` is true while
/// the number is frozen and could still come back).
fn permanent_end(periods: &[Period], i: usize, aging_now: bool) -> bool {
    match periods.get(i + 1) {
        Some(next) => next.subscriber_id != periods[i].subscriber_id,
        None => !aging_now,
    }
}

/// CAMARA Number Recycling: `true` if the subscriber changed after `since`, or if the number
/// had no subscriber at `since`.
pub fn phone_number_changed(periods: &[Period], since: Timestamp, aging_now: bool) -> bool {
    let holding = periods.iter().position(|p| p.from <= since && p.to.is_none_or(|to| to > since));
    let Some(start) = holding else { return true };
    let holder = periods[start].subscriber_id;
    for (i, p) in periods.iter().enumerate().skip(start) {
        if p.subscriber_id != holder {
            return true;
        }
        if p.end_reason.as_deref() == Some("ported_out") {
            return false;
        }
        if terminated(p) && permanent_end(periods, i, aging_now) {
            return true;
        }
    }
    false
}

/// FCC-style: was the number permanently disconnected at or after `since`?
pub fn disconnected_since(
    periods: &[Period],
    since: Timestamp,
    history_since: Timestamp,
    aging_now: bool,
) -> Disconnected {
    if since < history_since {
        return Disconnected::NoData;
    }
    let yes = periods
        .iter()
        .enumerate()
        .any(|(i, p)| terminated(p) && p.to.is_some_and(|to| to >= since) && permanent_end(periods, i, aging_now));
    if yes { Disconnected::Yes } else { Disconnected::No }
}

/// A disconnection or port-out from before simexit held the number (history import).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastEvent {
    pub at: Timestamp,
    pub ported_out: bool,
}

/// The holder periods that imported past events imply, oldest first, to be put before the
/// number's own periods: each event closes the period of an unknown holder that began at the
/// previous event, or at `since` (when the imported history starts). Unknown holders get
/// distinct negative ids, so two of them never read as a revocation.
pub fn past_periods(events: &[PastEvent], since: Timestamp) -> Vec<Period> {
    let mut from = since;
    let mut periods = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        periods.push(Period {
            subscriber_id: -1 - i64::try_from(i).unwrap_or(i64::MAX - 1),
            from: from.min(e.at),
            to: Some(e.at),
            end_reason: Some(if e.ported_out { "ported_out" } else { "terminated" }.to_owned()),
        });
        from = e.at;
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        format!("{s}T00:00:00Z").parse().unwrap()
    }

    fn p(sub: i64, from: &str, to: Option<&str>, why: Option<&str>) -> Period {
        Period { subscriber_id: sub, from: t(from), to: to.map(t), end_reason: why.map(str::to_owned) }
    }

    #[test]
    fn a_reassigned_number_changed_for_dates_before_the_reassignment_only() {
        let h = [p(1, "2026-01-01", Some("2026-03-01"), Some("terminated")), p(2, "2026-04-05", None, None)];
        assert!(phone_number_changed(&h, t("2026-02-01"), false));
        assert!(!phone_number_changed(&h, t("2026-05-01"), false));
        assert!(phone_number_changed(&h, t("2026-03-15"), false), "no holder on that date");
        assert_eq!(disconnected_since(&h, t("2026-02-01"), t("2026-01-01"), false), Disconnected::Yes);
        assert_eq!(disconnected_since(&h, t("2026-05-01"), t("2026-01-01"), false), Disconnected::No);
        assert_eq!(disconnected_since(&h, t("2025-06-01"), t("2026-01-01"), false), Disconnected::NoData);
    }

    #[test]
    fn a_revoked_cancellation_is_not_a_change() {
        let h = [p(1, "2026-01-01", Some("2026-03-01"), Some("terminated")), p(1, "2026-03-10", None, None)];
        assert!(!phone_number_changed(&h, t("2026-02-01"), false));
        assert_eq!(disconnected_since(&h, t("2026-02-01"), t("2026-01-01"), false), Disconnected::No);
    }

    #[test]
    fn a_number_in_aging_is_not_yet_disconnected_for_good_but_its_holder_is_gone_after() {
        let h = [p(1, "2026-01-01", Some("2026-03-01"), Some("terminated"))];
        assert_eq!(disconnected_since(&h, t("2026-02-01"), t("2026-01-01"), true), Disconnected::No);
        assert!(!phone_number_changed(&h, t("2026-02-01"), true));
        assert_eq!(disconnected_since(&h, t("2026-02-01"), t("2026-01-01"), false), Disconnected::Yes);
        assert!(phone_number_changed(&h, t("2026-02-01"), false));
    }

    #[test]
    fn imported_disconnections_answer_before_simexit_held_the_number() {
        let past = [PastEvent { at: t("2022-06-01"), ported_out: false }];
        let mut h = past_periods(&past, t("2020-01-01"));
        h.push(p(7, "2026-01-01", None, None));
        assert_eq!(disconnected_since(&h, t("2022-01-01"), t("2020-01-01"), false), Disconnected::Yes);
        assert_eq!(disconnected_since(&h, t("2022-06-02"), t("2020-01-01"), false), Disconnected::No);
        assert_eq!(disconnected_since(&h, t("2019-01-01"), t("2020-01-01"), false), Disconnected::NoData);
        assert!(phone_number_changed(&h, t("2021-01-01"), false), "the 2022 holder left, someone else came");
        assert!(!phone_number_changed(&h, t("2026-02-01"), false));

        // Only the imported history: a disconnection with no holder since is still a change.
        let alone = past_periods(&past, t("2020-01-01"));
        assert!(phone_number_changed(&alone, t("2021-01-01"), false));
        assert_eq!(disconnected_since(&alone, t("2021-01-01"), t("2020-01-01"), false), Disconnected::Yes);
    }

    #[test]
    fn an_imported_port_out_is_not_a_disconnection() {
        let past = [PastEvent { at: t("2023-03-01"), ported_out: true }];
        let h = past_periods(&past, t("2020-01-01"));
        assert!(!phone_number_changed(&h, t("2022-01-01"), false));
        assert_eq!(disconnected_since(&h, t("2022-01-01"), t("2020-01-01"), false), Disconnected::No);
    }

    #[test]
    fn a_port_out_is_not_a_disconnection() {
        let h = [p(1, "2026-01-01", Some("2026-03-01"), Some("ported_out"))];
        assert!(!phone_number_changed(&h, t("2026-02-01"), false));
        assert_eq!(disconnected_since(&h, t("2026-02-01"), t("2026-01-01"), false), Disconnected::No);
    }
}
