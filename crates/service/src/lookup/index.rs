//! The lookup index: what a reassigned-number lookup reads of every number, held in memory
//! by a server, so that a bank's question costs a hash probe instead of descents into three
//! B-trees of a large inventory (at 10 million numbers those are cold pages, and cost several
//! times the rest of the request).
//!
//! It is exact, not a cache that may be stale:
//!
//! - it is filled page by page in the background from one position of the lookup change log
//!   (every write to a number, its holder periods or its past events leaves the number there,
//!   by trigger, whoever writes); until it is filled, lookups read the database;
//! - before answering, a lookup checks whether this process has committed a write since the
//!   index last caught up (an atomic counter of the store); if so, or if a second has passed
//!   on the service's clock (writes of other processes: the CLI, a script), it first applies
//!   the log's new entries by reading those numbers again. A lookup that starts after a
//!   write of this process returned sees that write;
//! - if the log was pruned past the index's position, the index is dropped and filled again.
//!
//! Memory: about 120 bytes per number (a hash slot and its holder periods; measured: 1.2 GB
//! for 10 million numbers with 11 million periods, filled in 52 s on two cores). `lookup.memory_index = false` turns it off. Only a backend that
//! keeps the change log (SQLite) has one; on PostgreSQL lookups read the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use jiff::Timestamp;
use simexit_domain::reassignment::Period;
use simexit_domain::{Msisdn, OperatorId};
use simexit_store::{Store, StoreError, StoreExt};

use super::{History, history_of};

/// Numbers read per page while filling, and log entries applied per step.
const PAGE: usize = 10_000;
/// How often, on the service's clock, other processes' writes are looked for.
const POLL_MS: i64 = 1_000;
/// The log keeps this many entries behind its last; pruned once it holds twice as many.
const KEEP: i64 = 1_000_000;
/// How often the background thread catches up and prunes.
const BACKGROUND: std::time::Duration = std::time::Duration::from_secs(30);

/// One holder period, packed: `to` is `i64::MIN` while open; `reason` indexes [`Map::reasons`].
#[derive(Debug, Clone, Copy)]
struct Packed {
    subscriber: i64,
    from: i64,
    to: i64,
    reason: u8,
}

#[derive(Debug)]
struct Entry {
    since: i64,
    periods: Box<[Packed]>,
    /// Index into [`Map::operators`]; `u16::MAX` when the number's last news is a port-out.
    operator: u16,
    aging: bool,
}

#[derive(Debug, Default)]
struct Map {
    entries: HashMap<u64, Entry>,
    operators: Vec<OperatorId>,
    /// `reasons[0]` is "no reason" (an open period).
    reasons: Vec<String>,
}

/// A number's digits as one integer: E.164 holds at most 15.
fn key(m: &Msisdn) -> Option<u64> {
    m.as_str().strip_prefix('+')?.parse().ok()
}

fn intern<T: PartialEq>(list: &mut Vec<T>, value: T) -> Option<usize> {
    match list.iter().position(|v| *v == value) {
        Some(i) => Some(i),
        None => {
            list.push(value);
            Some(list.len() - 1)
        }
    }
}

impl Map {
    fn new() -> Self {
        Map { reasons: vec![String::new()], ..Map::default() }
    }

    /// Packs `h`; `None` if it holds more distinct operators or end reasons than fit.
    fn pack(&mut self, h: &History) -> Option<Entry> {
        let operator = match &h.operator {
            None => u16::MAX,
            Some(o) => u16::try_from(intern(&mut self.operators, o.clone())?).ok().filter(|i| *i < u16::MAX)?,
        };
        let mut periods = Vec::with_capacity(h.periods.len());
        for p in &h.periods {
            let reason = match &p.end_reason {
                None => 0,
                Some(r) => u8::try_from(intern(&mut self.reasons, r.clone())?).ok()?,
            };
            let to = p.to.map_or(i64::MIN, |t| t.as_millisecond());
            periods.push(Packed { subscriber: p.subscriber_id, from: p.from.as_millisecond(), to, reason });
        }
        Some(Entry { since: h.since.as_millisecond(), periods: periods.into_boxed_slice(), operator, aging: h.aging })
    }

    fn unpack(&self, e: &Entry) -> Option<History> {
        let at = |ms: i64| Timestamp::from_millisecond(ms).ok();
        let mut periods = Vec::with_capacity(e.periods.len());
        for p in e.periods.iter() {
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
    fn put(&mut self, m: &Msisdn, h: Option<History>) -> bool {
        let Some(k) = key(m) else { return false };
        match h {
            None => {
                self.entries.remove(&k);
                true
            }
            Some(h) => match self.pack(&h) {
                Some(e) => {
                    self.entries.insert(k, e);
                    true
                }
                None => false,
            },
        }
    }
}

/// See the module's documentation.
#[derive(Debug, Default)]
pub struct LookupIndex {
    map: RwLock<Option<Map>>,
    /// The last log id applied; held while catching up, so one thread does it at a time.
    applied: Mutex<i64>,
    /// The store's commit count when the index last caught up.
    seen_commits: AtomicU64,
    /// When (on the service's clock, ms) the index last looked for other processes' writes.
    polled_ms: AtomicI64,
    /// A background fill is running.
    filling: AtomicBool,
}

impl LookupIndex {
    /// Whether lookups are answered from memory now.
    pub fn ready(&self) -> bool {
        self.map.read().is_ok_and(|m| m.is_some())
    }

    /// How many numbers it holds (0 until filled).
    pub fn len(&self) -> usize {
        self.map.read().ok().and_then(|m| m.as_ref().map(|m| m.entries.len())).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts filling the index on a thread of its own, which then catches up and prunes the
    /// log every half minute while the index and the store live. Does nothing where the
    /// store keeps no lookup change log.
    pub fn start(self: &Arc<Self>, store: &Arc<dyn Store>) {
        if self.filling.swap(true, Ordering::SeqCst) {
            return;
        }
        let (index, store) = (Arc::downgrade(self), Arc::downgrade(store));
        let spawned = std::thread::Builder::new().name("lookup-index".into()).spawn(move || background(&index, &store));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the lookup index");
            self.filling.store(false, Ordering::SeqCst);
        }
    }

    /// Fills the index from the store, page by page, on the calling thread; returns how many
    /// numbers it holds, or `None` where the store keeps no lookup change log.
    pub fn fill(&self, store: &dyn Store) -> Result<Option<usize>, StoreError> {
        let Some((_, head)) = store.read_single(|tx| tx.lookup_change_bounds())? else { return Ok(None) };
        // Everything committed up to `head` is in the pages read after it; later writes are
        // in the log after `head`, and the first lookup applies them.
        let commits = store.commits();
        let mut map = Map::new();
        let mut after = String::new();
        loop {
            let page = store.read(|tx| tx.number_histories_after(&after, PAGE))?;
            let Some((last, _)) = page.last() else { break };
            after = last.as_str().to_owned();
            for (m, h) in page {
                if !map.put(&m, history_of(h)) {
                    tracing::warn!("the lookup index cannot hold this inventory; lookups read the database");
                    return Ok(None);
                }
            }
        }
        let n = map.entries.len();
        let mut applied = self.applied.lock().map_err(|_| StoreError::Other("lookup index lock".into()))?;
        *write(&self.map)? = Some(map);
        *applied = head;
        // Not `commits`: writes that committed while filling must be applied first.
        self.seen_commits.store(commits.wrapping_sub(1), Ordering::SeqCst);
        Ok(Some(n))
    }

    /// The history of `m` from memory, brought up to date first: `None` when the index
    /// cannot answer (not filled, or dropped) and the database must be read;
    /// `Some(None)` when simexit knows nothing of the number.
    pub(super) fn history(
        &self,
        store: &dyn Store,
        m: &Msisdn,
        now: Timestamp,
    ) -> Result<Option<Option<History>>, StoreError> {
        if !self.current(store, now)? {
            return Ok(None);
        }
        let Some(k) = key(m) else { return Ok(None) };
        let map = read(&self.map)?;
        let Some(map) = map.as_ref() else { return Ok(None) };
        Ok(match map.entries.get(&k) {
            None => Some(None),
            Some(e) => map.unpack(e).map(Some),
        })
    }

    /// Brings the index up to date when this process has committed since it last did, or a
    /// poll interval has passed; `false` if it is not filled.
    pub(super) fn current(&self, store: &dyn Store, now: Timestamp) -> Result<bool, StoreError> {
        if !self.ready() {
            return Ok(false);
        }
        let now_ms = now.as_millisecond();
        let due = |index: &Self| {
            store.commits() != index.seen_commits.load(Ordering::SeqCst)
                || now_ms.saturating_sub(index.polled_ms.load(Ordering::SeqCst)) >= POLL_MS
                || now_ms < index.polled_ms.load(Ordering::SeqCst)
        };
        if !due(self) {
            return Ok(true);
        }
        let mut applied = self.applied.lock().map_err(|_| StoreError::Other("lookup index lock".into()))?;
        if !due(self) {
            return Ok(true);
        }
        // Read after the writes it must see: they are all in the log read below.
        let commits = store.commits();
        let Some((first, _)) = store.read_single(|tx| tx.lookup_change_bounds())? else { return Ok(false) };
        if first > *applied + 1 {
            // Pruned past this index's position: what changed in between is lost to it.
            tracing::warn!(
                applied = *applied,
                first,
                "the lookup change log was pruned past the index; filling it again"
            );
            *write(&self.map)? = None;
            return Ok(false);
        }
        loop {
            let changes = store.read_single(|tx| tx.lookup_changes_after(*applied, PAGE))?.unwrap_or_default();
            let Some(&(last, _)) = changes.last() else { break };
            let mut numbers: Vec<&Msisdn> = changes.iter().map(|(_, m)| m).collect();
            numbers.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
            numbers.dedup();
            let mut fresh = Vec::with_capacity(numbers.len());
            for m in numbers {
                fresh.push((m.clone(), store.read_single(|tx| tx.number_history(m))?));
            }
            let mut map = write(&self.map)?;
            let Some(map) = map.as_mut() else { return Ok(false) };
            for (m, h) in fresh {
                if !map.put(&m, history_of(h)) {
                    return Ok(false);
                }
            }
            *applied = last;
            if changes.len() < PAGE {
                break;
            }
        }
        self.seen_commits.store(commits, Ordering::SeqCst);
        self.polled_ms.store(now_ms, Ordering::SeqCst);
        Ok(true)
    }
}

fn read(lock: &RwLock<Option<Map>>) -> Result<std::sync::RwLockReadGuard<'_, Option<Map>>, StoreError> {
    lock.read().map_err(|_| StoreError::Other("lookup index lock".into()))
}

fn write(lock: &RwLock<Option<Map>>) -> Result<std::sync::RwLockWriteGuard<'_, Option<Map>>, StoreError> {
    lock.write().map_err(|_| StoreError::Other("lookup index lock".into()))
}

/// The index's own thread: fills it, then keeps it current and the log pruned, refilling it
/// if it was dropped; ends when the index or the store is gone.
fn background(index: &Weak<LookupIndex>, store: &Weak<dyn Store>) {
    loop {
        let (Some(i), Some(s)) = (index.upgrade(), store.upgrade()) else { return };
        if !i.ready() {
            let started = std::time::Instant::now();
            match i.fill(s.as_ref()) {
                Ok(Some(n)) => {
                    tracing::info!(numbers = n, seconds = started.elapsed().as_secs_f64(), "lookup index filled");
                }
                Ok(None) => return,
                Err(e) => tracing::warn!(error = %e, "filling the lookup index failed; lookups read the database"),
            }
        } else if let Err(e) = prune(s.as_ref()) {
            tracing::warn!(error = %e, "pruning the lookup change log failed");
        }
        drop((i, s));
        std::thread::sleep(BACKGROUND);
    }
}

/// Drops the log's oldest entries once it holds twice what it keeps.
fn prune(store: &dyn Store) -> Result<(), StoreError> {
    let Some((first, last)) = store.read_single(|tx| tx.lookup_change_bounds())? else { return Ok(()) };
    if last - first >= 2 * KEEP {
        let n = store.write(|tx| tx.prune_lookup_changes(KEEP))?;
        tracing::info!(entries = n, "pruned the lookup change log");
    }
    Ok(())
}
