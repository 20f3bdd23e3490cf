//! The errors a use case returns. Each client error carries a stable machine-readable code;
//! the HTTP layer maps variants to statuses in one place.

use simexit_domain::Money;
use simexit_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 401: no valid credentials.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// 403: known caller, not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404: absent, or not visible to this caller (the two are indistinguishable on purpose).
    #[error("{what} `{id}` was not found")]
    NotFound { what: &'static str, id: String },
    /// 409: the request is valid but the current state does not allow it.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 422: the input is well-formed but breaks a rule.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String, amount: Option<Money> },
    /// 429: too many attempts; try again after `retry_after` seconds.
    #[error("{message}")]
    TooMany { code: &'static str, message: String, retry_after: u64 },
    /// 400: the input is malformed.
    #[error("{message}")]
    BadInput { code: &'static str, message: String },
    /// 413: an upload larger than allowed.
    #[error("{message}")]
    TooLarge { message: String },
    /// 415: an upload whose bytes are not an accepted format.
    #[error("{message}")]
    UnsupportedMedia { message: String },
    /// 410: the thing existed and was destroyed on schedule.
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    /// 503: a system simexit depends on (a payment provider) did not answer; try again later.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A server-side defect (a broken invariant): logged, answered opaquely.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        ServiceError::NotFound { what, id: id.to_string() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ServiceError::Forbidden { code: "forbidden", message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict { code, message: message.into() }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Unprocessable { code, message: message.into(), amount: None }
    }

    pub fn bad_input(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::BadInput { code, message: message.into() }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Unauthenticated { code, .. }
            | ServiceError::Forbidden { code, .. }
            | ServiceError::Conflict { code, .. }
            | ServiceError::Unprocessable { code, .. }
            | ServiceError::BadInput { code, .. }
            | ServiceError::TooMany { code, .. }
            | ServiceError::Gone { code, .. }
            | ServiceError::Unavailable { code, .. } => code,
            ServiceError::TooLarge { .. } => "file_too_large",
            ServiceError::UnsupportedMedia { .. } => "unsupported_media_type",
            ServiceError::NotFound { .. } => "not_found",
            ServiceError::Store(StoreError::Unavailable(_)) => "database_unavailable",
            ServiceError::Store(StoreError::Conflict(_)) => "conflict",
            ServiceError::Store(_) | ServiceError::Internal(_) => "internal",
        }
    }
}

impl From<simexit_domain::IllegalTransition> for ServiceError {
    fn from(e: simexit_domain::IllegalTransition) -> Self {
        ServiceError::conflict("illegal_transition", e.to_string())
    }
}

impl From<simexit_domain::number::NumberTransitionError> for ServiceError {
    fn from(e: simexit_domain::number::NumberTransitionError) -> Self {
        ServiceError::conflict("number_state", e.to_string())
    }
}

impl From<simexit_domain::CalendarError> for ServiceError {
    fn from(e: simexit_domain::CalendarError) -> Self {
        match e {
            simexit_domain::CalendarError::UnknownYear { .. } => {
                ServiceError::unprocessable("calendar_unknown_year", e.to_string())
            }
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
