//! The state every handler shares.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use simexit_service::{ManualClock, Principal, Service, ServiceError};

use crate::error::ApiError;
use crate::extract::{Auth, MaybeAuth};

/// Checks a credential: a bearer token, or a session cookie (with CSRF for changes).
trait Authenticate {
    fn principal(&self, credential: &crate::extract::Credential) -> Result<Principal, ServiceError>;
}

impl Authenticate for Service {
    fn principal(&self, credential: &crate::extract::Credential) -> Result<Principal, ServiceError> {
        match credential {
            crate::extract::Credential::Bearer(t) => self.authenticate(t),
            crate::extract::Credential::Cookie { token, csrf, changes_state } => {
                self.authenticate_cookie(token, csrf.as_deref(), *changes_state)
            }
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    /// Present only with `--dev-clock`.
    pub dev_clock: Option<Arc<ManualClock>>,
    /// Started with `--demo`: the sign-in page shows the demo password.
    pub demo: bool,
    /// The HTTP counters `/metrics` exposes.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Trusted proxies and TLS at the edge.
    pub edge: Arc<crate::edge::Edge>,
    /// Calls that hash (sign-in, resets) holding a blocking thread: bounded by what the hash
    /// gate can run or queue, so a burst costs no thread, no stack and no memory past it.
    pub hashing_slots: Arc<tokio::sync::Semaphore>,
    /// PostgreSQL: one slot per pooled connection, taken before a call blocks a thread.
    pub database_slots: Option<DatabaseSlots>,
}

/// Calls waiting for a database connection wait here, as tasks, not as blocked threads: at
/// most `database.max_connections` calls hold a thread on the database at once, and a call
/// that waits past `database.acquire_timeout_ms` answers 503.
#[derive(Clone)]
pub struct DatabaseSlots {
    pub slots: Arc<tokio::sync::Semaphore>,
    pub wait: std::time::Duration,
}

impl AppState {
    /// Runs a synchronous service call (the store is synchronous, and password hashing must
    /// not stall other requests). On the multi-threaded runtime the call runs in place while
    /// tokio moves this worker's other tasks elsewhere, which saves a thread hand-off per
    /// request; on a single-threaded runtime it goes to the blocking pool.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> Result<T, ServiceError> + Send + 'static,
    {
        let service = self.service.clone();
        let _slot = match &self.database_slots {
            Some(db) => match tokio::time::timeout(db.wait, db.slots.clone().acquire_owned()).await {
                Ok(Ok(slot)) => Some(slot),
                _ => {
                    return Err(ApiError::from(ServiceError::Store(simexit_store::StoreError::Unavailable(format!(
                        "no database connection came free within {} ms",
                        db.wait.as_millis()
                    )))));
                }
            },
            None => None,
        };
        let flavor = tokio::runtime::Handle::current().runtime_flavor();
        let result = if flavor == tokio::runtime::RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(move || std::panic::catch_unwind(AssertUnwindSafe(|| f(&service))))
                .map_err(|_| "panicked".to_owned())
        } else {
            tokio::task::spawn_blocking(move || f(&service)).await.map_err(|e| e.to_string())
        };
        match result {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!(error = %e, "service call failed");
                Err(ApiError::internal())
            }
        }
    }

    /// Runs a short read-only call: on SQLite in place on the async worker, since a single
    /// reassigned-number lookup is one indexed statement (microseconds) and handing it to
    /// another thread and back would cost several times the call; on PostgreSQL (a network
    /// round trip, and a synchronous client that must not run on an async worker) like
    /// [`AppState::blocking`]. Anything that may write, hash or scan goes through `blocking`.
    pub async fn quick<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> Result<T, ServiceError> + Send + 'static,
    {
        if self.service.store.backend() != "sqlite" {
            return self.blocking(f).await;
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| f(&self.service))) {
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => {
                tracing::error!("service call panicked");
                Err(ApiError::internal())
            }
        }
    }

    /// Runs a call that hashes a password or code (Argon2, tens of milliseconds of CPU) on
    /// the blocking pool, never on a thread that drives async tasks.
    pub async fn hashing<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> Result<T, ServiceError> + Send + 'static,
    {
        let Ok(slot) = self.hashing_slots.clone().try_acquire_owned() else {
            return Err(ApiError::from(ServiceError::TooMany {
                code: "busy",
                message: "too many sign-ins at once: try again in a moment".into(),
                retry_after: 1,
            }));
        };
        let service = self.service.clone();
        match tokio::task::spawn_blocking(move || {
            let _slot = slot;
            f(&service)
        })
        .await
        {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!(error = %e, "service call failed");
                Err(ApiError::internal())
            }
        }
    }

    /// Authenticates the token and runs `f` as that principal, in one blocking call.
    pub async fn as_user<T, F>(&self, Auth(token, origin): Auth, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service, &Principal) -> Result<T, ServiceError> + Send + 'static,
    {
        self.blocking(move |s| {
            let mut who = s.principal(&token)?;
            who.origin = origin;
            f(s, &who)
        })
        .await
    }

    /// Like [`AppState::as_user`], on the blocking pool: for calls that hash a secret.
    pub async fn as_user_hashing<T, F>(&self, Auth(token, origin): Auth, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service, &Principal) -> Result<T, ServiceError> + Send + 'static,
    {
        self.hashing(move |s| {
            let mut who = s.principal(&token)?;
            who.origin = origin;
            f(s, &who)
        })
        .await
    }

    /// Like [`AppState::as_user`] for routes open to anonymous callers.
    pub async fn as_anyone<T, F>(&self, MaybeAuth(token, origin): MaybeAuth, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service, Option<&Principal>) -> Result<T, ServiceError> + Send + 'static,
    {
        self.blocking(move |s| {
            let who = token.map(|t| s.principal(&t)).transpose()?.map(|mut w| {
                w.origin = origin;
                w
            });
            f(s, who.as_ref())
        })
        .await
    }
}
