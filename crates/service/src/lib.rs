//! The use cases of simexit. Each public method of [`Service`] is one transaction: it checks
//! who is acting, applies the domain rules, and writes the change with its event, its audit
//! entry and the jobs it schedules. HTTP handlers, the CLI, the job worker and benchmarks all
//! call these methods, so each rule has one definition.

pub mod audit_log;
pub mod auth;
pub mod bulk;
pub mod certificates;
pub mod clients;
pub mod clock;
pub mod demo;
pub mod documents;
mod error;
pub mod history;
pub mod identity;
pub mod imports;
pub mod jobs;
pub mod ledger;
pub mod lines;
pub mod lookup;
pub mod money;
pub mod network;
pub mod notifications;
pub mod numbering;
mod numbers;
mod principal;
mod record;
pub mod sealing;
pub mod sign_in_code;
pub mod staff;
pub mod stores;
pub mod sync;
mod terminations;
pub mod webhooks;

use std::sync::Arc;

use simexit_domain::{CalendarSet, OperatorId, PolicySet, TerminationPolicy};
use simexit_store::Store;

pub use clock::{Clock, ManualClock};
pub use error::ServiceError;
pub use lines::OpenLine;
pub use money::{FinalBill, RefundDetails, RefundStep, SettlementInput};
pub use numbers::NumberInfo;
pub use principal::Principal;
pub use terminations::{CreateRequest, Forced, RequestDetails, TransitionInput};

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Settings of the service layer.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// How long a sign-in token lives.
    pub session_ttl: jiff::SignedDuration,
    /// How long a relying party's access token (client credentials) lives.
    pub client_token_ttl: jiff::SignedDuration,
    /// How long a worker holds a claimed job before another may take it over.
    pub job_lease: jiff::SignedDuration,
    /// Daily quota of each relying party: lookup requests, and numbers looked up.
    pub lookup_requests_per_day: i64,
    pub lookup_numbers_per_day: i64,
    /// Certificate PDFs rendered for anonymous callers per client address and minute (each
    /// rendering is cached, so only new ones count).
    pub pdf_renders_per_minute: u32,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            session_ttl: jiff::SignedDuration::from_hours(12),
            client_token_ttl: jiff::SignedDuration::from_hours(1),
            job_lease: jiff::SignedDuration::from_mins(5),
            lookup_requests_per_day: 100_000,
            lookup_numbers_per_day: 1_000_000,
            pdf_renders_per_minute: 30,
        }
    }
}

/// Everything a use case needs; cheap to clone and share between threads.
#[derive(Clone)]
pub struct Service {
    pub store: Arc<dyn Store>,
    pub policies: Arc<PolicySet>,
    pub calendars: Arc<CalendarSet>,
    pub clock: Arc<dyn Clock>,
    pub config: ServiceConfig,
    /// The payment providers subscribers pay through, by name.
    pub payments: Arc<money::providers::Providers>,
    /// This instance's unflushed lookup quota counts (see [`lookup::Meter`]).
    pub meter: Arc<lookup::Meter>,
    /// Every number's lookup history in memory, once a server has filled it (see
    /// [`lookup::LookupIndex`]); lookups read the database until then.
    pub lookup_index: Arc<lookup::LookupIndex>,
    /// Recently authenticated tokens of relying parties (see [`Service::authenticate_cached`]).
    pub tokens: Arc<auth::TokenCache>,
    /// Channels, templates and retry policy of notifications.
    pub notifier: Arc<notifications::Notifier>,
    /// Where uploaded documents are kept, and the bounds on uploads.
    pub documents: Arc<documents::DocumentStore>,
    /// The keys that sign certificates of termination.
    pub signing: Arc<simexit_domain::certificate::SigningKeys>,
    /// Where network steps go after a termination or a revocation.
    pub network: Arc<dyn network::NetworkAdapter>,
    /// Rendered certificate PDFs, and the anonymous renderings counted per address.
    pub pdfs: Arc<certificates::PdfCache>,
    /// The keys that seal personal data and one-time codes in rows (the documents' keys).
    pub sealing: Arc<simexit_domain::sealing::KeyRing>,
    /// Where events go out to webhook subscriptions.
    pub webhooks: Arc<webhooks::Outbound>,
}

impl Service {
    pub fn new(
        store: Arc<dyn Store>,
        policies: PolicySet,
        calendars: CalendarSet,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
    ) -> Result<Self> {
        let service = Service {
            store,
            policies: Arc::new(policies),
            calendars: Arc::new(calendars),
            clock,
            config,
            payments: Arc::default(),
            meter: Arc::default(),
            lookup_index: Arc::default(),
            tokens: Arc::default(),
            notifier: Arc::default(),
            documents: Arc::default(),
            signing: Arc::new(certificates::ephemeral_keys()),
            network: Arc::new(network::LogNetwork),
            sealing: Arc::new(sealing::ephemeral()),
            pdfs: Arc::default(),
            webhooks: Arc::default(),
        };
        service.sync_operators()?;
        Ok(service)
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    pub fn policy(&self, operator: &OperatorId) -> Result<&TerminationPolicy> {
        self.policies.get(operator).ok_or_else(|| ServiceError::not_found("operator", operator.as_str()))
    }

    /// Operators in the policy file are mirrored into the database for referential integrity.
    fn sync_operators(&self) -> Result<()> {
        use simexit_store::StoreExt;
        self.store.write(|tx| {
            for p in self.policies.iter() {
                tx.upsert_operator(&p.operator, &p.name, &p.inn)?;
            }
            Ok(())
        })
    }
}
