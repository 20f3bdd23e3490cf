//! Encryption at rest. Each object is `SXE1 | key id length | key id | 24-byte nonce |
//! ciphertext and tag` (XChaCha20-Poly1305, random nonce, the object key as associated data
//! so an object moved to another name does not decrypt). New objects use the current key;
//! older keys stay in the ring to read what they sealed, so keys rotate without re-writing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use simexit_service::documents::{BlobError, Blobs};

const MAGIC: &[u8; 4] = b"SXE1";

/// Named 256-bit keys; the first is the one new objects use.
pub struct KeyRing {
    current: String,
    keys: BTreeMap<String, XChaCha20Poly1305>,
}

#[derive(Debug, thiserror::Error)]
#[error("document keys: {0}")]
pub struct KeyError(String);

impl KeyRing {
    /// Parses `id:hex64,id:hex64`, the current key first.
    pub fn parse(spec: &str) -> Result<KeyRing, KeyError> {
        let mut keys = BTreeMap::new();
        let mut current = None;
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, hex_key) = entry.split_once(':').ok_or_else(|| {
                KeyError(format!("`{id}` is not id:hex", id = entry.split(':').next().unwrap_or_default()))
            })?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(KeyError(format!("key id `{id}`: 1 to 32 letters, digits, - or _")));
            }
            let bytes = hex::decode(hex_key.trim()).map_err(|_| KeyError(format!("key `{id}` is not hex")))?;
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| KeyError(format!("key `{id}` must be 32 bytes (64 hex digits)")))?;
            current.get_or_insert_with(|| id.to_owned());
            keys.insert(id.to_owned(), cipher);
        }
        let current = current.ok_or_else(|| KeyError("no key given".into()))?;
        Ok(KeyRing { current, keys })
    }

    /// A new random key as `id:hex`, for a deployment's first start.
    pub fn generate(id: &str) -> Result<String, KeyError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| KeyError(e.to_string()))?;
        Ok(format!("{id}:{}", hex::encode(key)))
    }

    pub fn current(&self) -> &str {
        &self.current
    }
}

impl std::fmt::Debug for KeyRing {
    /// Key ids only: the keys never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("current", &self.current).field("ids", &self.keys.keys()).finish()
    }
}

/// A blob store whose objects are sealed with a [`KeyRing`].
pub struct Sealed {
    inner: Arc<dyn Blobs>,
    ring: KeyRing,
}

impl Sealed {
    pub fn new(inner: Arc<dyn Blobs>, ring: KeyRing) -> Self {
        Sealed { inner, ring }
    }
}

fn corrupt(m: impl Into<String>) -> BlobError {
    BlobError::Corrupt(m.into())
}

impl Blobs for Sealed {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let id = self.ring.current.clone();
        let cipher = self.ring.keys.get(&id).ok_or_else(|| corrupt("the current key is missing"))?;
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| BlobError::Unavailable(e.to_string()))?;
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: bytes, aad: key.as_bytes() })
            .map_err(|_| corrupt("encryption failed"))?;
        let mut object = Vec::with_capacity(4 + 1 + id.len() + 24 + sealed.len());
        object.extend_from_slice(MAGIC);
        object.push(u8::try_from(id.len()).map_err(|_| corrupt("key id too long"))?);
        object.extend_from_slice(id.as_bytes());
        object.extend_from_slice(&nonce);
        object.extend_from_slice(&sealed);
        self.inner.put(key, &object)?;
        Ok(id)
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let object = self.inner.get(key)?;
        let rest = object.strip_prefix(MAGIC).ok_or_else(|| corrupt("not a sealed object"))?;
        let (&len, rest) = rest.split_first().ok_or_else(|| corrupt("truncated"))?;
        let len = usize::from(len);
        if rest.len() < len + 24 + 16 {
            return Err(corrupt("truncated"));
        }
        let id = std::str::from_utf8(&rest[..len]).map_err(|_| corrupt("bad key id"))?;
        let cipher = self
            .ring
            .keys
            .get(id)
            .ok_or_else(|| corrupt(format!("sealed with key `{id}`, which is not configured")))?;
        let nonce = XNonce::from_slice(&rest[len..len + 24]);
        cipher
            .decrypt(nonce, Payload { msg: &rest[len + 24..], aad: key.as_bytes() })
            .map_err(|_| corrupt("the object was altered or sealed under another name"))
    }

    fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.inner.delete(key)
    }

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use simexit_service::documents::MemoryBlobs;

    use super::*;

    fn key(id: &str, byte: u8) -> String {
        format!("{id}:{}", hex::encode([byte; 32]))
    }

    #[test]
    fn objects_are_unreadable_at_rest_and_keys_rotate() {
        let raw: Arc<dyn Blobs> = Arc::new(MemoryBlobs::default());
        let old = Sealed::new(raw.clone(), KeyRing::parse(&key("k1", 1)).unwrap());
        let scan = "Паспорт 4510 123456 Иванова Анна".as_bytes();
        assert_eq!(old.put("documents/1/a", scan).unwrap(), "k1");
        let at_rest = raw.get("documents/1/a").unwrap();
        assert!(!at_rest.windows(6).any(|w| w == &scan[..6]), "no plaintext at rest");

        let rotated = Sealed::new(raw.clone(), KeyRing::parse(&format!("{},{}", key("k2", 2), key("k1", 1))).unwrap());
        assert_eq!(rotated.get("documents/1/a").unwrap(), scan, "old objects still read");
        assert_eq!(rotated.put("documents/1/b", b"new").unwrap(), "k2");
        let err = old.get("documents/1/b").unwrap_err();
        assert!(err.to_string().contains("`k2`"), "{err}");
    }

    #[test]
    fn a_changed_byte_or_a_moved_object_does_not_decrypt() {
        let raw: Arc<dyn Blobs> = Arc::new(MemoryBlobs::default());
        let s = Sealed::new(raw.clone(), KeyRing::parse(&key("k1", 1)).unwrap());
        s.put("documents/1/a", b"scan").unwrap();
        let mut object = raw.get("documents/1/a").unwrap();
        let last = object.len() - 1;
        object[last] ^= 1;
        raw.put("documents/1/a", &object).unwrap();
        assert!(matches!(s.get("documents/1/a"), Err(BlobError::Corrupt(_))));
        s.put("documents/1/c", b"scan").unwrap();
        raw.put("documents/1/d", &raw.get("documents/1/c").unwrap()).unwrap();
        assert!(matches!(s.get("documents/1/d"), Err(BlobError::Corrupt(_))), "bound to its name");
    }

    #[test]
    fn bad_key_specs_are_named() {
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse("k1:abcd").unwrap_err().to_string().contains("32 bytes"));
        assert!(KeyRing::parse("k 1:00").unwrap_err().to_string().contains("key id"));
        assert!(KeyRing::parse(&KeyRing::generate("k9").unwrap()).is_ok());
    }
}
