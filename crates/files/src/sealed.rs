//! Encryption at rest of document objects: each object is sealed with the deployment's
//! [`KeyRing`] (see `simexit_domain::sealing`), the object key as associated data so an object
//! moved to another name does not open.

use std::sync::Arc;

pub use simexit_domain::sealing::{KeyRing, SealError};
use simexit_service::documents::{BlobError, Blobs};

/// A new random key as `id:hex`, for a deployment's first start.
pub fn generate_key(id: &str) -> Result<String, SealError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| SealError::Keys(e.to_string()))?;
    Ok(KeyRing::spec(id, key))
}

/// A blob store whose objects are sealed with a [`KeyRing`].
pub struct Sealed {
    inner: Arc<dyn Blobs>,
    ring: Arc<KeyRing>,
}

impl Sealed {
    pub fn new(inner: Arc<dyn Blobs>, ring: Arc<KeyRing>) -> Self {
        Sealed { inner, ring }
    }
}

fn sealing(e: SealError) -> BlobError {
    BlobError::Corrupt(e.to_string())
}

impl Blobs for Sealed {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, BlobError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| BlobError::Unavailable(e.to_string()))?;
        let object = self.ring.seal(key.as_bytes(), bytes, nonce).map_err(sealing)?;
        self.inner.put(key, &object)?;
        Ok(self.ring.current().to_owned())
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let object = self.inner.get(key)?;
        self.ring.open(key.as_bytes(), &object).map_err(sealing)
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
        KeyRing::spec(id, [byte; 32])
    }

    fn ring(spec: &str) -> Arc<KeyRing> {
        Arc::new(KeyRing::parse(spec).unwrap())
    }

    #[test]
    fn objects_are_unreadable_at_rest_and_keys_rotate() {
        let raw: Arc<dyn Blobs> = Arc::new(MemoryBlobs::default());
        let old = Sealed::new(raw.clone(), ring(&key("k1", 1)));
        let scan = "Паспорт 4510 123456 Иванова Анна".as_bytes();
        assert_eq!(old.put("documents/1/a", scan).unwrap(), "k1");
        let at_rest = raw.get("documents/1/a").unwrap();
        assert!(!at_rest.windows(6).any(|w| w == &scan[..6]), "no plaintext at rest");

        let rotated = Sealed::new(raw.clone(), ring(&format!("{},{}", key("k2", 2), key("k1", 1))));
        assert_eq!(rotated.get("documents/1/a").unwrap(), scan, "old objects still read");
        assert_eq!(rotated.put("documents/1/b", b"new").unwrap(), "k2");
        let err = old.get("documents/1/b").unwrap_err();
        assert!(err.to_string().contains("`k2`"), "{err}");
    }

    #[test]
    fn a_changed_byte_or_a_moved_object_does_not_decrypt() {
        let raw: Arc<dyn Blobs> = Arc::new(MemoryBlobs::default());
        let s = Sealed::new(raw.clone(), ring(&key("k1", 1)));
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
}
