//! Rows of certificates.

use super::*;

/// An issued certificate: the canonical payload exactly as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub number: String,
    pub request_id: i64,
    pub operator: OperatorId,
    pub payload: String,
    pub key_id: String,
    pub signature: String,
    pub issued_at: Timestamp,
}
