//! The audit log's hash chain: each entry's hash covers its content and the previous hash,
//! so editing or deleting any entry breaks every link after it.

use sha2::{Digest, Sha256};

use crate::rows::AuditRow;

/// The hash of an entry given the previous entry's hash (`""` for the first).
pub fn chain_hash(prev: &str, entry: &AuditRow) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &entry.at.as_millisecond().to_string(),
        &entry.actor,
        &entry.action,
        &entry.entity,
        &entry.entity_id,
        &entry.details,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Walks entries in id order and returns the id of the first one whose link is broken.
pub fn first_broken_link<'a>(entries: impl IntoIterator<Item = &'a AuditRow>, mut prev: String) -> Result<String, i64> {
    for e in entries {
        if e.prev_hash != prev || chain_hash(&prev, e) != e.hash {
            return Err(e.id);
        }
        prev = e.hash.clone();
    }
    Ok(prev)
}
