//! The service's clock, injected so that deadlines and aging can be tested and, with
//! `--dev-clock`, moved forward by a person watching the demo.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// Wall-clock time, optionally shifted forward by [`ManualClock::advance`]; or, in tests,
/// a fixed instant that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    fixed_ms: Option<i64>,
    offset_ms: AtomicI64,
}

impl ManualClock {
    /// The system clock plus an adjustable offset (the demo's dev clock).
    pub fn system() -> Self {
        ManualClock { fixed_ms: None, offset_ms: AtomicI64::new(0) }
    }

    /// A clock standing still at `at` until advanced.
    pub fn fixed(at: Timestamp) -> Self {
        ManualClock { fixed_ms: Some(at.as_millisecond()), offset_ms: AtomicI64::new(0) }
    }

    pub fn advance(&self, by: SignedDuration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn offset(&self) -> SignedDuration {
        SignedDuration::from_millis(self.offset_ms.load(Ordering::SeqCst))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let base = self.fixed_ms.unwrap_or_else(|| Timestamp::now().as_millisecond());
        let ms = base.saturating_add(self.offset_ms.load(Ordering::SeqCst));
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MAX)
    }
}
