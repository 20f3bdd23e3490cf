//! Rows of uploaded documents and of their destruction.

use super::*;

/// An uploaded document; its content is in the blob store under `storage_key`, encrypted
/// with the key `key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub request_id: i64,
    pub kind: simexit_domain::DocumentKind,
    /// For display only; never a path.
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub key_id: String,
    /// `uploaded`, `verified`, `rejected` or `destroyed`.
    pub status: String,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
    /// When the content is destroyed (set once the request is closed).
    pub retention_until: Option<Timestamp>,
    pub destroyed_at: Option<Timestamp>,
}

/// The record of one destruction of personal data: what, whose, when, why and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructionActRow {
    pub id: i64,
    pub document_id: i64,
    pub request_id: i64,
    pub subscriber_id: i64,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    pub reason: String,
    pub actor: String,
    pub at: Timestamp,
}
