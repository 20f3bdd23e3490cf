//! The audit log's hash chain: each entry's hash is an HMAC-SHA256, under a key from the
//! deployment's configuration (never from the database), of its content and the previous
//! entry's hash. Someone who can write to the database can edit, insert or delete entries,
//! but cannot compute the hashes that would hide it: any change breaks every link after it.
//! A signed checkpoint (see `simexit audit checkpoint`) also catches a log cut short or
//! rewritten from its start.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::rows::AuditRow;

/// The key of the chain's HMAC: 32 bytes, kept in the configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    pub fn new(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// 64 hex digits.
    pub fn from_hex(text: &str) -> Result<AuditKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "the audit key is not hex".to_owned())?;
        let bytes: [u8; 32] =
            bytes.try_into().map_err(|_| "the audit key must be 32 bytes (64 hex digits)".to_owned())?;
        Ok(AuditKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for AuditKey {
    /// Never the key itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

/// The hash of an entry given the previous entry's hash (`""` for the first).
pub fn chain_hash(key: &AuditKey, prev: &str, entry: &AuditRow) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        // HMAC takes a key of any length: this cannot happen.
        return String::new();
    };
    for part in [
        prev,
        &entry.at.as_millisecond().to_string(),
        &entry.actor,
        &entry.action,
        &entry.entity,
        &entry.entity_id,
        &entry.details,
        entry.operator.as_ref().map_or("", simexit_domain::OperatorId::as_str),
    ] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Walks entries in id order and returns the id of the first one whose link is broken.
pub fn first_broken_link<'a>(
    key: &AuditKey,
    entries: impl IntoIterator<Item = &'a AuditRow>,
    mut prev: String,
) -> Result<String, i64> {
    for e in entries {
        if e.prev_hash != prev || chain_hash(key, &prev, e) != e.hash {
            return Err(e.id);
        }
        prev = e.hash.clone();
    }
    Ok(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_the_key_and_every_field() {
        let e = AuditRow {
            id: 1,
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: "account:1".into(),
            action: "approve".into(),
            entity: "termination_request".into(),
            entity_id: "7".into(),
            details: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
            operator: None,
        };
        let (a, b) = (AuditKey::new([1; 32]), AuditKey::new([2; 32]));
        let h = chain_hash(&a, "", &e);
        assert_eq!(h.len(), 64);
        assert_ne!(h, chain_hash(&b, "", &e), "another key, another chain");
        assert_ne!(h, chain_hash(&a, "x", &e));
        assert_ne!(h, chain_hash(&a, "", &AuditRow { details: "{ }".into(), ..e.clone() }));
        assert_ne!(h, chain_hash(&a, "", &AuditRow { operator: Some("mts".parse().unwrap()), ..e.clone() }));
        assert!(AuditKey::from_hex(&a.to_hex()).is_ok_and(|k| k == a));
        assert!(AuditKey::from_hex("abcd").is_err());
        assert!(!format!("{a:?}").contains("0101"));
    }
}
