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
//!   on the service's clock (writes of other processes: the CLI, a script), it first reads
//!   the log's new entries and sets the numbers written aside: their lookups read the
//!   database until the index's thread has read them again (within a second or so). A
//!   lookup that starts after a write of this process returned sees that write;
//! - if the log was pruned past the index's position, the index is dropped and filled again.
//!
//! Memory: about 90 bytes per number (a hash slot, and its holder periods in one shared
//! array; measured: 876 MiB for 10 million numbers with 11 million periods, filled in 24 s).
//! `lookup.memory_index = false` turns it off. Only a backend that keeps the change log
//! (SQLite) has one; on PostgreSQL lookups read the database.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use jiff::Timestamp;
use simexit_domain::Msisdn;
use simexit_store::{Store, StoreError, StoreExt};

use super::packed::{Map, key};
use super::{History, history_of};

/// Numbers read per page while filling, and log entries applied per step.
const PAGE: usize = 10_000;
/// How often, on the service's clock, other processes' writes are looked for.
const POLL_MS: i64 = 1_000;
/// The log keeps this many entries behind its last; pruned once it holds twice as many.
const KEEP: i64 = 1_000_000;
/// How often the index's thread reads written numbers again; it prunes the log every
/// [`PRUNE_EVERY`] rounds.
const BACKGROUND: std::time::Duration = std::time::Duration::from_secs(1);
const PRUNE_EVERY: u32 = 60;

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
        if map.stale.contains_key(&k) {
            return Ok(None);
        }
        Ok(match map.entries.get(&k) {
            None => Some(None),
            Some(e) => map.unpack(e).map(Some),
        })
    }

    /// How many numbers wait to be read again (their lookups read the database meanwhile).
    pub fn stale(&self) -> usize {
        self.map.read().ok().and_then(|m| m.as_ref().map(|m| m.stale.len())).unwrap_or(0)
    }

    /// Reads written numbers again (at most [`PAGE`]) and puts them back; returns how many.
    /// A number written again while it was being read stays aside for the next round.
    pub fn refresh(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let (applied, keys) = {
            let applied = *self.applied.lock().map_err(|_| StoreError::Other("lookup index lock".into()))?;
            let map = read(&self.map)?;
            let Some(map) = map.as_ref() else { return Ok(0) };
            (
                applied,
                map.stale.iter().filter(|(_, id)| **id <= applied).map(|(k, _)| *k).take(PAGE).collect::<Vec<_>>(),
            )
        };
        // Every change up to `applied` committed before these reads, so they include it.
        let mut fresh = Vec::with_capacity(keys.len());
        for k in keys {
            let Ok(m) = Msisdn::parse(&format!("+{k}")) else { continue };
            fresh.push((k, m.clone(), store.read_single(|tx| tx.number_history(&m))?));
        }
        let mut map = write(&self.map)?;
        let Some(map) = map.as_mut() else { return Ok(0) };
        let mut n = 0;
        for (k, m, h) in fresh {
            if map.stale.get(&k).is_some_and(|id| *id <= applied) {
                if !map.put(&m, history_of(h)) {
                    continue;
                }
                map.stale.remove(&k);
                n += 1;
            }
        }
        Ok(n)
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
        // Only the log is read here: the written numbers step aside (their lookups read the
        // database) until the index's thread reads them again, so a lookup never pays for
        // re-reading what others wrote, however long those numbers' histories are.
        loop {
            let changes = store.read_single(|tx| tx.lookup_changes_after(*applied, PAGE))?.unwrap_or_default();
            let Some(&(last, _)) = changes.last() else { break };
            let mut map = write(&self.map)?;
            let Some(map) = map.as_mut() else { return Ok(false) };
            for (id, m) in &changes {
                let Some(k) = key(m) else { continue };
                if let Some(e) = map.entries.remove(&k) {
                    map.garbage += usize::from(e.len);
                }
                map.stale.insert(k, *id);
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
    for round in 1u32.. {
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
        } else {
            // Until none is left: a bulk run may have written a million numbers.
            while i.stale() > 0 {
                match i.refresh(s.as_ref()) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reading written numbers into the lookup index failed");
                        break;
                    }
                }
            }
            if round % PRUNE_EVERY == 0
                && let Err(e) = prune(s.as_ref())
            {
                tracing::warn!(error = %e, "pruning the lookup change log failed");
            }
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
