//! The lookup index's memory layout: every number's entry in a hash map keyed by its digits,
//! and all holder periods in one array.

use std::collections::HashMap;

use jiff::Timestamp;
use simexit_domain::reassignment::Period;
use simexit_domain::{Msisdn, OperatorId};

use super::History;

/// One holder period, packed: `to` is `i64::MIN` while open; `reason` indexes [`Map::reasons`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Packed {
    subscriber: i64,
    from: i64,
    to: i64,
    reason: u8,
}

/// A number: its periods are `Map::periods[start..start + len]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) since: i64,
    pub(super) start: u32,
    pub(super) len: u16,
    /// Index into [`Map::operators`]; `u16::MAX` when the number's last news is a port-out.
    pub(super) operator: u16,
    pub(super) aging: bool,
}

/// Mixes a number's digits (splitmix64's finaliser): the numbers are the operator's own, so
/// no caller chooses the keys; SipHash would cost more than the rest of the probe.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        let mut z = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) type Numbers = HashMap<u64, Entry, std::hash::BuildHasherDefault<Mix>>;

/// Every number's entry, and all periods in one array (no allocation per number: ten million
/// small allocations would slow every other allocation of the process).
#[derive(Debug, Default)]
pub(super) struct Map {
    pub(super) entries: Numbers,
    pub(super) periods: Vec<Packed>,
    /// Periods no entry points at any more (a number's periods that grew were moved).
    pub(super) garbage: usize,
    /// Numbers written since they were read, with the log id of their last change: lookups
    /// of these read the database until the index's thread reads them again.
    pub(super) stale: HashMap<u64, i64, std::hash::BuildHasherDefault<Mix>>,
    pub(super) operators: Vec<OperatorId>,
    /// `reasons[0]` is "no reason" (an open period).
    pub(super) reasons: Vec<String>,
}

/// A number's digits as one integer: E.164 holds at most 15.
pub(super) fn key(m: &Msisdn) -> Option<u64> {
    m.as_str().strip_prefix('+')?.parse().ok()
}

fn intern<T: PartialEq + Clone>(list: &mut Vec<T>, value: &T) -> Option<usize> {
    match list.iter().position(|v| v == value) {
        Some(i) => Some(i),
        None => {
            list.push(value.clone());
            Some(list.len() - 1)
        }
    }
}

impl Map {
    pub(super) fn new() -> Self {
        Map { reasons: vec![String::new()], ..Map::default() }
    }

    /// Packs `h`'s periods; `None` if they hold more operators or end reasons than fit.
    fn pack(&mut self, h: &History) -> Option<(Vec<Packed>, u16)> {
        let operator = match &h.operator {
            None => u16::MAX,
            Some(o) => u16::try_from(intern(&mut self.operators, o)?).ok().filter(|i| *i < u16::MAX)?,
        };
        let mut periods = Vec::with_capacity(h.periods.len());
        for p in &h.periods {
            let reason = match &p.end_reason {
                None => 0,
                Some(r) => u8::try_from(intern(&mut self.reasons, r)?).ok()?,
            };
            let to = p.to.map_or(i64::MIN, |t| t.as_millisecond());
            periods.push(Packed { subscriber: p.subscriber_id, from: p.from.as_millisecond(), to, reason });
        }
        Some((periods, operator))
    }

    pub(super) fn unpack(&self, e: &Entry) -> Option<History> {
        let at = |ms: i64| Timestamp::from_millisecond(ms).ok();
        let start = usize::try_from(e.start).ok()?;
        let packed = self.periods.get(start..start + usize::from(e.len))?;
        let mut periods = Vec::with_capacity(packed.len());
        for p in packed {
            let to = if p.to == i64::MIN { None } else { Some(at(p.to)?) };
            let end_reason = if p.reason == 0 { None } else { Some(self.reasons.get(usize::from(p.reason))?.clone()) };
            periods.push(Period { subscriber_id: p.subscriber, from: at(p.from)?, to, end_reason });
        }
        let operator =
            if e.operator == u16::MAX { None } else { Some(self.operators.get(usize::from(e.operator))?.clone()) };
        Some(History { periods, since: at(e.since)?, aging: e.aging, operator })
    }

    /// Puts (or, for a number simexit no longer knows, removes) one number's history.
    /// `false` if it could not be packed: the index must not answer then.
    pub(super) fn put(&mut self, m: &Msisdn, h: Option<History>) -> bool {
        let Some(k) = key(m) else { return false };
        let old = match h {
            None => self.entries.remove(&k),
            Some(h) => {
                let Some((periods, operator)) = self.pack(&h) else { return false };
                let Ok(len) = u16::try_from(periods.len()) else { return false };
                let start = match self.entries.get(&k) {
                    // Fits where the number's periods are: written over in place.
                    Some(e) if e.len >= len => {
                        let at = e.start as usize;
                        self.periods[at..at + periods.len()].copy_from_slice(&periods);
                        self.garbage += usize::from(e.len - len);
                        e.start
                    }
                    other => {
                        self.garbage += other.map_or(0, |e| usize::from(e.len));
                        let Ok(start) = u32::try_from(self.periods.len()) else { return false };
                        self.periods.extend_from_slice(&periods);
                        start
                    }
                };
                let e = Entry { since: h.since.as_millisecond(), start, len, operator, aging: h.aging };
                self.entries.insert(k, e);
                None
            }
        };
        self.garbage += old.map_or(0, |e| usize::from(e.len));
        if self.garbage > 65_536 && self.garbage > self.periods.len() / 2 {
            self.compact();
        }
        true
    }

    /// Copies the live periods into a new array, in the entries' order.
    pub(super) fn compact(&mut self) {
        let mut periods = Vec::with_capacity(self.periods.len() - self.garbage);
        for e in self.entries.values_mut() {
            let at = e.start as usize;
            let start = u32::try_from(periods.len()).unwrap_or(u32::MAX);
            periods.extend_from_slice(&self.periods[at..at + usize::from(e.len)]);
            e.start = start;
        }
        self.periods = periods;
        self.garbage = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(periods: &[(i64, i64, Option<i64>, Option<&str>)]) -> History {
        let at = |ms: i64| Timestamp::from_millisecond(ms).unwrap();
        History {
            periods: periods
                .iter()
                .map(|&(subscriber_id, from, to, why)| Period {
                    subscriber_id,
                    from: at(from),
                    to: to.map(at),
                    end_reason: why.map(str::to_owned),
                })
                .collect(),
            since: at(0),
            aging: false,
            operator: Some(OperatorId::parse("mts").unwrap()),
        }
    }

    /// A period as (subscriber, from, to, end reason).
    type Plain = (i64, i64, Option<i64>, Option<String>);

    fn get(map: &Map, m: &Msisdn) -> Option<Vec<Plain>> {
        let e = map.entries.get(&key(m)?)?;
        let h = map.unpack(e)?;
        Some(
            h.periods
                .into_iter()
                .map(|p| (p.subscriber_id, p.from.as_millisecond(), p.to.map(|t| t.as_millisecond()), p.end_reason))
                .collect(),
        )
    }

    #[test]
    fn numbers_keep_their_own_periods_as_they_grow_shrink_go_and_the_array_is_compacted() {
        let (a, b) = (Msisdn::parse("+79160000001").unwrap(), Msisdn::parse("+79160000002").unwrap());
        let mut map = Map::new();
        assert!(map.put(&a, Some(history(&[(1, 10, None, None)]))));
        assert!(map.put(&b, Some(history(&[(2, 20, None, None)]))));
        // `a` is reassigned: its periods grow and move; `b` is untouched.
        assert!(map.put(&a, Some(history(&[(1, 10, Some(15), Some("terminated")), (3, 16, None, None)]))));
        assert_eq!(get(&map, &a).unwrap(), [(1, 10, Some(15), Some("terminated".into())), (3, 16, None, None)]);
        assert_eq!(get(&map, &b).unwrap(), [(2, 20, None, None)]);
        assert_eq!(map.garbage, 1);
        // Fewer periods are written in place; a number simexit forgets is gone.
        assert!(map.put(&a, Some(history(&[(4, 30, None, None)]))));
        assert!(map.put(&b, None));
        assert_eq!((get(&map, &a).unwrap(), get(&map, &b)), (vec![(4, 30, None, None)], None));
        map.compact();
        assert_eq!((map.periods.len(), map.garbage), (1, 0));
        assert_eq!(get(&map, &a).unwrap(), [(4, 30, None, None)]);
    }
}
