//! Encryption at rest with named, rotating keys: documents' files and the personal data and
//! one-time codes stored in rows. A sealed value is `SXE1 | key id length | key id | 24-byte
//! nonce | ciphertext and tag` (XChaCha20-Poly1305). The associated data names what the value
//! is (an object's key, a column), so a value copied elsewhere does not open. New values use
//! the current key; older keys stay in the ring to open what they sealed, so keys rotate
//! without rewriting. The nonce is a parameter: randomness comes from the caller.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const MAGIC: &[u8; 4] = b"SXE1";
/// The prefix of a sealed value kept in a text column: `sx1:` and the sealed bytes in hex.
pub const TEXT_PREFIX: &str = "sx1:";

/// Named 256-bit keys; the first is the one new values use.
pub struct KeyRing {
    current: String,
    keys: BTreeMap<String, XChaCha20Poly1305>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("keys: {0}")]
    Keys(String),
    #[error("sealed with key `{0}`, which is not configured")]
    UnknownKey(String),
    #[error("not a sealed value, or a truncated one")]
    Malformed,
    #[error("the value was altered, or sealed for another place")]
    Altered,
}

impl KeyRing {
    /// Parses `id:hex64,id:hex64`, the current key first.
    pub fn parse(spec: &str) -> Result<KeyRing, SealError> {
        let mut keys = BTreeMap::new();
        let mut current = None;
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, hex_key) = entry.split_once(':').ok_or_else(|| {
                SealError::Keys(format!("`{id}` is not id:hex", id = entry.split(':').next().unwrap_or_default()))
            })?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(SealError::Keys(format!("key id `{id}`: 1 to 32 letters, digits, - or _")));
            }
            let bytes = hex::decode(hex_key.trim()).map_err(|_| SealError::Keys(format!("key `{id}` is not hex")))?;
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| SealError::Keys(format!("key `{id}` must be 32 bytes (64 hex digits)")))?;
            current.get_or_insert_with(|| id.to_owned());
            keys.insert(id.to_owned(), cipher);
        }
        let current = current.ok_or_else(|| SealError::Keys("no key given".into()))?;
        Ok(KeyRing { current, keys })
    }

    /// A ring of the one key given (an ephemeral key, a key just generated).
    pub fn single(id: &str, key: [u8; 32]) -> KeyRing {
        let cipher = XChaCha20Poly1305::new(&key.into());
        KeyRing { current: id.to_owned(), keys: BTreeMap::from([(id.to_owned(), cipher)]) }
    }

    /// A ring of one key given as bytes, as `id:hex` (a new deployment's first key).
    pub fn spec(id: &str, key: [u8; 32]) -> String {
        format!("{id}:{}", hex::encode(key))
    }

    pub fn current(&self) -> &str {
        &self.current
    }

    /// Seals `plain` for the place `aad` names, under the current key.
    pub fn seal(&self, aad: &[u8], plain: &[u8], nonce: [u8; 24]) -> Result<Vec<u8>, SealError> {
        let id = &self.current;
        let cipher = self.keys.get(id).ok_or_else(|| SealError::UnknownKey(id.clone()))?;
        let sealed =
            cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad }).map_err(|_| SealError::Altered)?;
        let mut out = Vec::with_capacity(4 + 1 + id.len() + 24 + sealed.len());
        out.extend_from_slice(MAGIC);
        out.push(u8::try_from(id.len()).map_err(|_| SealError::Keys("key id too long".into()))?);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`KeyRing::seal`] sealed for the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let rest = sealed.strip_prefix(MAGIC).ok_or(SealError::Malformed)?;
        let (&len, rest) = rest.split_first().ok_or(SealError::Malformed)?;
        let len = usize::from(len);
        if rest.len() < len + 24 + 16 {
            return Err(SealError::Malformed);
        }
        let id = std::str::from_utf8(&rest[..len]).map_err(|_| SealError::Malformed)?;
        let cipher = self.keys.get(id).ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let nonce = XNonce::from_slice(&rest[len..len + 24]);
        cipher.decrypt(nonce, Payload { msg: &rest[len + 24..], aad }).map_err(|_| SealError::Altered)
    }

    /// [`KeyRing::seal`] for a text column: `sx1:` and hex.
    pub fn seal_text(&self, aad: &str, plain: &str, nonce: [u8; 24]) -> Result<String, SealError> {
        Ok(format!("{TEXT_PREFIX}{}", hex::encode(self.seal(aad.as_bytes(), plain.as_bytes(), nonce)?)))
    }

    /// Opens a text column sealed by [`KeyRing::seal_text`].
    pub fn open_text(&self, aad: &str, sealed: &str) -> Result<String, SealError> {
        let hex_part = sealed.strip_prefix(TEXT_PREFIX).ok_or(SealError::Malformed)?;
        let bytes = hex::decode(hex_part).map_err(|_| SealError::Malformed)?;
        String::from_utf8(self.open(aad.as_bytes(), &bytes)?).map_err(|_| SealError::Malformed)
    }
}

/// Whether a text column holds a sealed value (rows written before sealing hold plain text).
pub fn is_sealed_text(value: &str) -> bool {
    value.starts_with(TEXT_PREFIX)
}

impl std::fmt::Debug for KeyRing {
    /// Key ids only: the keys never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("current", &self.current).field("ids", &self.keys.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> String {
        KeyRing::spec(id, [byte; 32])
    }

    #[test]
    fn values_are_unreadable_sealed_and_bound_to_their_place() {
        let ring = KeyRing::parse(&key("k1", 1)).unwrap();
        let sealed = ring.seal_text("subscribers.id_document_number", "4510 123456", [7; 24]).unwrap();
        assert!(is_sealed_text(&sealed) && !sealed.contains("4510"));
        assert_eq!(ring.open_text("subscribers.id_document_number", &sealed).unwrap(), "4510 123456");
        assert_eq!(ring.open_text("refunds.account", &sealed), Err(SealError::Altered), "another column");
        let mut bytes = hex::decode(&sealed[4..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(ring.open(b"subscribers.id_document_number", &bytes), Err(SealError::Altered));
    }

    #[test]
    fn keys_rotate_and_bad_specs_are_named() {
        let old = KeyRing::parse(&key("k1", 1)).unwrap();
        let sealed = old.seal(b"x", b"secret", [1; 24]).unwrap();
        let rotated = KeyRing::parse(&format!("{},{}", key("k2", 2), key("k1", 1))).unwrap();
        assert_eq!(rotated.open(b"x", &sealed).unwrap(), b"secret");
        let newer = rotated.seal(b"x", b"new", [2; 24]).unwrap();
        assert_eq!(old.open(b"x", &newer), Err(SealError::UnknownKey("k2".into())));
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse("k1:abcd").unwrap_err().to_string().contains("32 bytes"));
        assert!(KeyRing::parse("k 1:00").unwrap_err().to_string().contains("key id"));
        assert!(!format!("{rotated:?}").contains(&hex::encode([2u8; 32])));
    }
}
