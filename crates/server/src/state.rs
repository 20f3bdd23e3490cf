//! The state every handler shares.

use std::sync::Arc;

use simexit_service::{ManualClock, Service, ServiceError};

use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    /// Present only with `--dev-clock`.
    pub dev_clock: Option<Arc<ManualClock>>,
}

impl AppState {
    /// Runs a service call on the blocking pool: the store is synchronous, and password
    /// hashing must not stall the async runtime's threads.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> Result<T, ServiceError> + Send + 'static,
    {
        let service = self.service.clone();
        match tokio::task::spawn_blocking(move || f(&service)).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!(error = %e, "service call panicked");
                Err(ApiError::internal())
            }
        }
    }
}
