//! Documents of a request: uploads checked by their bytes, kept encrypted in a blob store,
//! reviewed by staff, and destroyed on schedule once the request is closed, each
//! destruction recorded in an act.
//!
//! What is destroyed: every document but the signed application (`contract`), which belongs
//! to the contract record the operator must keep; the row of a destroyed document keeps its
//! kind, size and SHA-256 (no personal data), and the act says what, whose, when and why.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use simexit_domain::access::Role;
use simexit_domain::document::{DocumentKind, Limits, display_name, sniff};
use simexit_domain::{CustomerCategory, RequestState};
use simexit_store::{DestructionActRow, DocumentRow, RequestRow, StoreExt, Tx};

use crate::jobs;
use crate::record::{audit, schedule};
use crate::{Principal, Result, Service, ServiceError};

/// Why a blob store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("no such object")]
    NotFound,
    #[error("the document store is unavailable: {0}")]
    Unavailable(String),
    /// The object is not what was stored (tampered, or a key is missing).
    #[error("the stored object cannot be read: {0}")]
    Corrupt(String),
}

/// Where document contents live (local disk, S3), encrypted by the implementation.
pub trait Blobs: Send + Sync {
    /// Stores `bytes` under `key`; returns the id of the key that encrypted them.
    fn put(&self, key: &str, bytes: &[u8]) -> std::result::Result<String, BlobError>;
    fn get(&self, key: &str) -> std::result::Result<Vec<u8>, BlobError>;
    /// Removes the object; removing an absent object is not an error.
    fn delete(&self, key: &str) -> std::result::Result<(), BlobError>;
    /// `disk`, `s3`, `memory`.
    fn kind(&self) -> &'static str;
}

/// Objects in memory, unencrypted: for tools and tests that need no files.
#[derive(Default)]
pub struct MemoryBlobs(std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>);

impl Blobs for MemoryBlobs {
    fn put(&self, key: &str, bytes: &[u8]) -> std::result::Result<String, BlobError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.into(), bytes.to_vec());
        Ok("none".into())
    }

    fn get(&self, key: &str) -> std::result::Result<Vec<u8>, BlobError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).cloned().ok_or(BlobError::NotFound)
    }

    fn delete(&self, key: &str) -> std::result::Result<(), BlobError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(key);
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// The blob store and the bounds on uploads.
pub struct DocumentStore {
    pub blobs: Arc<dyn Blobs>,
    pub max_bytes: usize,
    /// How many documents one request may hold (those not yet destroyed).
    pub max_per_request: usize,
    /// How many bytes they may add up to.
    pub max_request_bytes: usize,
    pub limits: Limits,
}

impl Default for DocumentStore {
    fn default() -> Self {
        DocumentStore {
            blobs: Arc::new(MemoryBlobs::default()),
            max_bytes: 10 * 1024 * 1024,
            max_per_request: 20,
            max_request_bytes: 50 * 1024 * 1024,
            limits: Limits::default(),
        }
    }
}

fn blob_error(e: BlobError) -> ServiceError {
    match e {
        BlobError::Unavailable(m) => ServiceError::Store(simexit_store::StoreError::Unavailable(m)),
        other => ServiceError::Internal(other.to_string()),
    }
}

/// Kinds kept when a request's personal data is destroyed.
fn kept(kind: DocumentKind) -> bool {
    kind == DocumentKind::Contract
}

/// States in which documents may be added.
fn accepts_documents(state: RequestState) -> bool {
    matches!(
        state,
        RequestState::Draft | RequestState::Submitted | RequestState::InfoRequested | RequestState::InfoProvided
    )
}

use crate::terminations::load_visible as visible_request;

fn visible_document(tx: &mut dyn Tx, who: &Principal, id: i64) -> Result<(DocumentRow, RequestRow)> {
    let d = tx.document(id)?.ok_or_else(|| ServiceError::not_found("document", id))?;
    let r = visible_request(tx, who, d.request_id).map_err(|_| ServiceError::not_found("document", id))?;
    Ok((d, r))
}

impl Service {
    /// Stores an upload: its bytes must be a JPEG, PNG or PDF within the limits. The name is
    /// kept for display only. The owner or staff of the operator may upload while the
    /// request is open for documents.
    pub fn upload_document(
        &self,
        who: &Principal,
        request_id: i64,
        kind: DocumentKind,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<DocumentRow> {
        let request = self.store.read(|tx| visible_request(tx, who, request_id))?;
        let allowed = who.subscriber_id == Some(request.subscriber_id)
            || (who.staff_of(&request.operator) && matches!(who.role, Role::Clerk | Role::Reviewer | Role::Admin));
        if !allowed {
            return Err(ServiceError::forbidden(format!("a {} cannot add documents to this request", who.role)));
        }
        if !accepts_documents(request.state) {
            return Err(ServiceError::conflict(
                "request_closed_to_documents",
                format!("a request that is {} takes no more documents", request.state),
            ));
        }
        let max = self.documents.max_bytes;
        if bytes.len() > max {
            return Err(ServiceError::TooLarge {
                message: format!("the file is {} bytes; at most {max} are accepted", bytes.len()),
            });
        }
        self.store.read(|tx| self.room_for(tx, request_id, bytes.len()))?;
        let sniffed = sniff(bytes, &self.documents.limits)
            .map_err(|e| ServiceError::UnsupportedMedia { message: e.to_string() })?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let (random, _) = crate::auth::new_token()?;
        let storage_key = format!("documents/{request_id}/{}", &random[..32]);
        let key_id = self.documents.blobs.put(&storage_key, bytes).map_err(blob_error)?;
        let now = self.now();
        let mut row = DocumentRow {
            id: 0,
            request_id,
            kind,
            file_name: display_name(file_name, sniffed.format),
            content_type: sniffed.format.content_type().into(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256,
            storage_key,
            key_id,
            status: "uploaded".into(),
            review_reason: None,
            reviewed_by: None,
            uploaded_by: who.actor(),
            uploaded_at: now,
            retention_until: None,
            destroyed_at: None,
        };
        let stored = self.store.write(|tx| {
            // Again under the write lock: uploads sent in parallel do not pass the caps together.
            self.room_for(tx, request_id, bytes.len())?;
            row.id = tx.insert_document(&row)?;
            let details = serde_json::json!({
                "request_id": request_id, "kind": kind, "content_type": row.content_type,
                "size": row.size, "sha256": row.sha256,
            });
            audit(tx, now, &who.actor(), "upload_document", "document", row.id, details)?;
            Ok::<_, ServiceError>(row.clone())
        });
        if stored.is_err() {
            // Nothing refers to the object: remove it rather than leave personal data behind.
            let _ = self.documents.blobs.delete(&row.storage_key);
        }
        stored
    }

    /// Whether a request has room for one more document of `size` bytes.
    fn room_for(&self, tx: &mut dyn Tx, request_id: i64, size: usize) -> Result<()> {
        let kept: Vec<DocumentRow> =
            tx.documents_of(request_id)?.into_iter().filter(|d| d.status != "destroyed").collect();
        let max = self.documents.max_per_request;
        if kept.len() >= max {
            return Err(ServiceError::conflict(
                "too_many_documents",
                format!("a request holds at most {max} documents"),
            ));
        }
        let total =
            kept.iter().map(|d| usize::try_from(d.size).unwrap_or(usize::MAX)).fold(size, usize::saturating_add);
        let cap = self.documents.max_request_bytes;
        if total > cap {
            return Err(ServiceError::TooLarge {
                message: format!("a request's documents add up to at most {cap} bytes; this one would make {total}"),
            });
        }
        Ok(())
    }

    pub fn documents(&self, who: &Principal, request_id: i64) -> Result<Vec<DocumentRow>> {
        self.store.read(|tx| {
            visible_request(tx, who, request_id)?;
            Ok(tx.documents_of(request_id)?)
        })
    }

    /// A document and its content (the owner, or staff of the operator).
    pub fn document_content(&self, who: &Principal, id: i64) -> Result<(DocumentRow, Vec<u8>)> {
        let (d, _) = self.store.read(|tx| visible_document(tx, who, id))?;
        if d.status == "destroyed" {
            return Err(ServiceError::Gone {
                code: "document_destroyed",
                message: format!("document {id} was destroyed on {}", d.destroyed_at.unwrap_or(d.uploaded_at)),
            });
        }
        let bytes = self.documents.blobs.get(&d.storage_key).map_err(blob_error)?;
        if hex::encode(Sha256::digest(&bytes)) != d.sha256 {
            return Err(ServiceError::Internal(format!("document {id} does not match its SHA-256")));
        }
        Ok((d, bytes))
    }

    /// Staff mark a document verified, or rejected with a reason.
    pub fn review_document(
        &self,
        who: &Principal,
        id: i64,
        verified: bool,
        reason: Option<&str>,
    ) -> Result<DocumentRow> {
        let now = self.now();
        self.store.write(|tx| {
            let (mut d, _) = visible_document(tx, who, id)?;
            who.require(&[Role::Clerk, Role::Reviewer, Role::Admin], "review documents")?;
            if d.status == "destroyed" {
                return Err(ServiceError::Gone {
                    code: "document_destroyed",
                    message: format!("document {id} was destroyed"),
                });
            }
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            if !verified && reason.is_none() {
                return Err(ServiceError::unprocessable("reason_required", "a rejected document needs a `reason`"));
            }
            d.status = if verified { "verified" } else { "rejected" }.into();
            d.review_reason = reason.map(str::to_owned);
            d.reviewed_by = Some(who.actor());
            tx.update_document(&d)?;
            let details = serde_json::json!({ "status": d.status, "reason": d.review_reason });
            audit(tx, now, &who.actor(), "review_document", "document", id, details)?;
            Ok(d)
        })
    }

    /// The documents the policy asks of this request's subscriber that are not uploaded (or
    /// were rejected).
    pub(crate) fn missing_documents(
        &self,
        tx: &mut dyn Tx,
        request: &RequestRow,
        category: CustomerCategory,
    ) -> Result<Vec<DocumentKind>> {
        let policy = self.policy(&request.operator)?;
        let have = tx.documents_of(request.id)?;
        Ok(policy
            .documents_for(category)
            .into_iter()
            .filter(|k| !have.iter().any(|d| d.kind == *k && d.status != "rejected" && d.status != "destroyed"))
            .collect())
    }

    /// When a request closes: its documents are due for destruction after the policy's
    /// retention, and the job that destroys them is scheduled.
    pub(crate) fn schedule_destruction(&self, tx: &mut dyn Tx, request: &RequestRow, now: Timestamp) -> Result<()> {
        let days = self.policy(&request.operator)?.document_retention_days;
        let until = now.checked_add(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
        if tx.set_documents_retention(request.id, until)? > 0 {
            schedule(tx, jobs::DESTROY_DOCUMENTS, request.id, until, now)?;
        }
        Ok(())
    }

    /// The destruction job: every due document of the request loses its content, and an act
    /// records it.
    pub(crate) fn destroy_documents(&self, tx: &mut dyn Tx, request_id: i64, now: Timestamp) -> Result<()> {
        let Some(request) = tx.request(request_id)? else { return Ok(()) };
        for d in tx.documents_of(request_id)? {
            let due = d.retention_until.is_some_and(|u| u <= now);
            if d.status == "destroyed" || !due || kept(d.kind) {
                continue;
            }
            self.documents.blobs.delete(&d.storage_key).map_err(blob_error)?;
            let act = DestructionActRow {
                id: 0,
                document_id: d.id,
                request_id,
                subscriber_id: request.subscriber_id,
                kind: d.kind.as_str().into(),
                sha256: d.sha256.clone(),
                size: d.size,
                reason: format!(
                    "the request closed and the retention of {} days ended (152-FZ: personal data destroyed once its purpose is achieved)",
                    self.policy(&request.operator)?.document_retention_days
                ),
                actor: format!("job:{}", jobs::DESTROY_DOCUMENTS),
                at: now,
            };
            let act_id = tx.insert_destruction_act(&act)?;
            let mut gone = d;
            gone.status = "destroyed".into();
            gone.destroyed_at = Some(now);
            gone.file_name = String::new();
            tx.update_document(&gone)?;
            let details = serde_json::json!({ "act": act_id, "kind": gone.kind, "sha256": gone.sha256 });
            audit(tx, now, &act.actor, "destroy_document", "document", gone.id, details)?;
        }
        Ok(())
    }

    /// Destruction acts, oldest first (auditors and admins).
    pub fn destruction_acts(&self, who: &Principal, after_id: i64, limit: u32) -> Result<Vec<DestructionActRow>> {
        who.require(&[Role::Auditor, Role::Admin], "read destruction acts")?;
        // Staff of one operator read the acts of its requests only.
        Ok(self.store.read(|tx| tx.destruction_acts(after_id, who.operator.as_ref(), limit.clamp(1, 1_000)))?)
    }
}
