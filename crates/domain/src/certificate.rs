//! The certificate of termination: what it certifies (with the subscriber masked), its
//! canonical payload, and its Ed25519 signature under a named key. Anyone holding the
//! published public keys can check a certificate without asking simexit.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// What a certificate certifies. Field order is irrelevant: the canonical form sorts keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatePayload {
    /// `MTS-2026-K7Q3-XP9M-Z2R4-T6V8`: 80 random bits, so numbers cannot be listed.
    pub number: String,
    pub operator: String,
    pub operator_name: String,
    /// Older certificates only: the line, the masked subscriber and the settlement. A
    /// certificate now proves only what anyone may read; the money is in the final bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i64>,
    /// `+7 916 ***-**-67`.
    pub msisdn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<String>,
    /// RFC 3339, UTC.
    pub terminated_at: String,
    /// The date (operator-local) until which the subscriber may revoke.
    pub aging_until: String,
    /// `voluntary`, `over_limit`, `non_use`…
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<String>,
}

/// What a person reads on a certificate: its times local to the operator with the zone
/// named, and its reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readable {
    pub terminated_at: String,
    /// The end of the aging with its time (the completion's local time on the aging's last
    /// day), or `—` where the number did not age (a port-out).
    pub aging_until: String,
    pub reason: String,
}

impl CertificatePayload {
    /// The certificate in `lang`, its times in `zone` (the operator's).
    pub fn readable(&self, lang: crate::Language, zone: &jiff::tz::TimeZone) -> Readable {
        let terminated = self.terminated_at.parse::<jiff::Timestamp>().ok();
        let aging = self.aging_until.parse::<jiff::civil::Date>().ok();
        let aging_until = match (terminated, aging) {
            (Some(t), Some(day)) => t
                .to_zoned(zone.clone())
                .with()
                .date(day)
                .build()
                .map(|z| crate::calendar::local_time(z.timestamp(), zone))
                .unwrap_or_else(|_| self.aging_until.clone()),
            _ if self.aging_until.is_empty() => "—".to_owned(),
            _ => self.aging_until.clone(),
        };
        Readable {
            terminated_at: terminated
                .map_or_else(|| self.terminated_at.clone(), |t| crate::calendar::local_time(t, zone)),
            aging_until,
            reason: self
                .reason
                .parse::<crate::Reason>()
                .map_or_else(|_| self.reason.clone(), |r| r.words(lang).to_owned()),
        }
    }

    /// Compact JSON with keys in byte order: the bytes that are signed.
    pub fn canonical(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let sorted: BTreeMap<String, serde_json::Value> =
            value.as_object().map(|m| m.clone().into_iter().collect()).unwrap_or_default();
        serde_json::to_string(&sorted).unwrap_or_default()
    }

    pub fn from_canonical(text: &str) -> Result<Self, CertificateError> {
        let payload: CertificatePayload =
            serde_json::from_str(text).map_err(|e| CertificateError::Payload(e.to_string()))?;
        if payload.canonical() != text {
            return Err(CertificateError::Payload("not in canonical form".into()));
        }
        Ok(payload)
    }
}

/// A certificate's public number: the operator, the year and 80 random bits in Crockford's
/// base32 (no I, L, O, U), in groups of four. Anyone holding the number (its QR code) may
/// check the certificate; no one can list certificates by counting.
pub fn certificate_number(operator: &str, year: i16, random: [u8; 10]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = random.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let chars: Vec<char> = (0..16).rev().map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize])).collect();
    let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    format!("{}-{year}-{}", operator.to_uppercase(), groups.join("-"))
}

/// `Анна Сергеевна Иванова` → `Анна И.` (the given name and the family name's initial);
/// `李明 (Li Ming)` → `李*` (the family name, written first, and
/// one star per hidden character); parenthesised transcriptions are left out.
pub fn masked_name(full_name: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in full_name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let mut words = plain.split_whitespace();
    match (words.next(), words.next_back()) {
        (Some(first), Some(last)) => format!("{first} {}.", last.chars().next().unwrap_or_default()),
        (Some(only), None) => {
            let mut chars = only.chars();
            let head = chars.next().unwrap_or_default();
            format!("{head}{}", "*".repeat(chars.count()))
        }
        _ => String::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("certificate keys: {0}")]
    Keys(String),
    #[error("certificate payload: {0}")]
    Payload(String),
}

/// Named Ed25519 signing keys; the first signs new certificates, the others stay published
/// so certificates they signed still verify after a rotation.
pub struct SigningKeys {
    current: String,
    keys: BTreeMap<String, SigningKey>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys").field("current", &self.current).field("ids", &self.keys.keys()).finish()
    }
}

fn key_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl SigningKeys {
    /// Parses `id:hex64,id:hex64` (32-byte seeds), the current key first.
    pub fn parse(spec: &str) -> Result<Self, CertificateError> {
        let mut keys = BTreeMap::new();
        let mut current = None;
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, seed) = entry.split_once(':').ok_or_else(|| CertificateError::Keys("expected id:hex".into()))?;
            let id = id.trim();
            if !key_id_ok(id) {
                return Err(CertificateError::Keys(format!("key id `{id}`: 1 to 32 letters, digits, - or _")));
            }
            let bytes: [u8; 32] = hex::decode(seed.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| CertificateError::Keys(format!("key `{id}` must be 32 bytes in hex")))?;
            current.get_or_insert_with(|| id.to_owned());
            keys.insert(id.to_owned(), SigningKey::from_bytes(&bytes));
        }
        let current = current.ok_or_else(|| CertificateError::Keys("no key given".into()))?;
        Ok(SigningKeys { current, keys })
    }

    /// A fresh key as `id:hex` from 32 random bytes.
    pub fn generate(id: &str, seed: [u8; 32]) -> String {
        format!("{id}:{}", hex::encode(seed))
    }

    /// Signs with the current key: `(key id, signature hex)`.
    pub fn sign(&self, payload: &CertificatePayload) -> (String, String) {
        let key = &self.keys[&self.current];
        (self.current.clone(), hex::encode(key.sign(payload.canonical().as_bytes()).to_bytes()))
    }

    /// Signs any text with the current key (an audit checkpoint).
    pub fn sign_text(&self, text: &str) -> (String, String) {
        let key = &self.keys[&self.current];
        (self.current.clone(), hex::encode(key.sign(text.as_bytes()).to_bytes()))
    }

    /// Every public key, by id: what is published for offline checks.
    pub fn published(&self) -> PublicKeys {
        PublicKeys(self.keys.iter().map(|(id, k)| (id.clone(), k.verifying_key())).collect())
    }
}

/// Published verification keys, by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublicKeys(pub BTreeMap<String, VerifyingKey>);

impl PublicKeys {
    /// `{"k1": "<hex>", …}`, the form `GET /api/v1/certificates/keys` publishes.
    pub fn to_hex(&self) -> BTreeMap<String, String> {
        self.0.iter().map(|(id, k)| (id.clone(), hex::encode(k.to_bytes()))).collect()
    }

    pub fn from_hex(keys: &BTreeMap<String, String>) -> Result<Self, CertificateError> {
        let mut out = BTreeMap::new();
        for (id, hex_key) in keys {
            let bytes: [u8; 32] = hex::decode(hex_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| CertificateError::Keys(format!("public key `{id}` must be 32 bytes in hex")))?;
            let key = VerifyingKey::from_bytes(&bytes)
                .map_err(|_| CertificateError::Keys(format!("public key `{id}` is not an Ed25519 key")))?;
            out.insert(id.clone(), key);
        }
        Ok(PublicKeys(out))
    }

    /// Whether `signature` (hex) by `key_id` is valid over the canonical `payload` text.
    pub fn verify(&self, payload: &str, key_id: &str, signature: &str) -> bool {
        let Some(key) = self.0.get(key_id) else { return false };
        let Some(bytes) = hex::decode(signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return false;
        };
        key.verify(payload.as_bytes(), &Signature::from_bytes(&bytes)).is_ok()
    }
}

/// Marks the signed block a certificate PDF carries.
pub const PDF_BLOCK: &str = "SIMEXIT-CERTIFICATE";
const FILE_SIGNATURE: &[u8] = b"FILESIG:";

/// The block embedded in a certificate PDF: the signed payload, and a placeholder the file
/// signature is written into once the PDF is complete.
pub fn pdf_block(payload: &str, key_id: &str, signature: &str, file_key_id: &str) -> String {
    let inner = serde_json::json!({ "payload": payload, "key_id": key_id, "signature": signature });
    format!("{PDF_BLOCK}\n{inner}\nFILESIG:{file_key_id}:{}\n", "0".repeat(128))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the file signature goes: (key id, byte range of its 128 hex digits).
fn file_signature_slot(pdf: &[u8]) -> Option<(String, std::ops::Range<usize>)> {
    let at = find(pdf, FILE_SIGNATURE)? + FILE_SIGNATURE.len();
    let colon = pdf[at..].iter().position(|&b| b == b':')? + at;
    let id = std::str::from_utf8(&pdf[at..colon]).ok()?.to_owned();
    let start = colon + 1;
    (start + 128 <= pdf.len()).then_some((id, start..start + 128))
}

/// Signs the finished PDF: an Ed25519 signature over every byte with the slot zeroed, written
/// into the slot (same length, so the file's offsets stay right).
pub fn seal_pdf(pdf: &mut [u8], keys: &SigningKeys) -> Result<(), CertificateError> {
    let (id, slot) = file_signature_slot(pdf).ok_or_else(|| CertificateError::Payload("no signature slot".into()))?;
    let key = keys.keys.get(&id).ok_or_else(|| CertificateError::Keys(format!("no key `{id}`")))?;
    let signature = hex::encode(key.sign(pdf).to_bytes());
    pdf[slot].copy_from_slice(signature.as_bytes());
    Ok(())
}

impl SigningKeys {
    pub fn current_id(&self) -> &str {
        &self.current
    }
}

/// Checks a certificate PDF offline: its embedded payload is signed by a published key, and
/// the file itself, every byte of it, is as simexit wrote it.
pub fn verify_pdf(pdf: &[u8], keys: &PublicKeys) -> Result<CertificatePayload, String> {
    let start = find(pdf, PDF_BLOCK.as_bytes()).ok_or("not a simexit certificate: no signed block")?;
    let rest = &pdf[start + PDF_BLOCK.len()..];
    let line = rest.split(|&b| b == b'\n').nth(1).ok_or("the signed block is cut short")?;
    let block: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| format!("the signed block is damaged: {e}"))?;
    let field = |k: &str| block[k].as_str().map(str::to_owned).ok_or(format!("the signed block has no `{k}`"));
    let (payload, key_id, signature) = (field("payload")?, field("key_id")?, field("signature")?);
    if !keys.verify(&payload, &key_id, &signature) {
        return Err(format!("the certificate's payload does not verify under key `{key_id}`"));
    }
    let (file_key, slot) = file_signature_slot(pdf).ok_or("the file signature is missing")?;
    let file_sig = std::str::from_utf8(&pdf[slot.clone()]).map_err(|_| "the file signature is damaged")?.to_owned();
    let mut zeroed = pdf.to_vec();
    zeroed[slot].fill(b'0');
    let key = keys.0.get(&file_key).ok_or(format!("the file was signed with unknown key `{file_key}`"))?;
    let bytes = hex::decode(&file_sig)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or("the file signature is damaged")?;
    key.verify(&zeroed, &Signature::from_bytes(&bytes))
        .map_err(|_| "the file was changed after it was signed".to_owned())?;
    CertificatePayload::from_canonical(&payload).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> CertificatePayload {
        CertificatePayload {
            number: certificate_number("mts", 2026, [0x42; 10]),
            operator: "mts".into(),
            operator_name: "МТС".into(),
            line_id: None,
            msisdn: "+7 916 ***-**-67".into(),
            subscriber: None,
            terminated_at: "2026-03-02T09:00:00Z".into(),
            aging_until: "2026-04-01".into(),
            reason: "voluntary".into(),
            settlement: None,
        }
    }

    #[test]
    fn a_signature_verifies_under_its_key_only_and_any_change_breaks_it() {
        let keys = SigningKeys::parse(&SigningKeys::generate("k2", [2; 32])).unwrap();
        let p = payload();
        assert_eq!(p.number, "MTS-2026-8914-4GJ2-8914-4GJ2");
        assert_eq!(masked_name("李明 (Li Ming)"), "李*");
        assert_eq!(masked_name("John Smith"), "John S.");
        assert_eq!(masked_name("Анна Сергеевна Иванова"), "Анна И.");
        let (id, sig) = keys.sign(&p);
        let public = keys.published();
        assert!(public.verify(&p.canonical(), &id, &sig));
        let mut changed = p.clone();
        changed.reason = "operator".into();
        assert!(!public.verify(&changed.canonical(), &id, &sig));
        assert!(!public.verify(&p.canonical(), "k1", &sig), "unknown key id");
        let round = PublicKeys::from_hex(&public.to_hex()).unwrap();
        assert!(round.verify(&p.canonical(), &id, &sig));
        assert_eq!(CertificatePayload::from_canonical(&p.canonical()).unwrap(), p);
        assert!(CertificatePayload::from_canonical("{\"number\": 1}").is_err());
    }

    #[test]
    fn numbers_carry_eighty_random_bits_and_older_payloads_still_read() {
        let a = certificate_number("t2", 2026, [0; 10]);
        let b = certificate_number("t2", 2026, [0xff; 10]);
        assert_eq!((a.as_str(), b.as_str()), ("T2-2026-0000-0000-0000-0000", "T2-2026-ZZZZ-ZZZZ-ZZZZ-ZZZZ"));
        let one_bit = certificate_number("t2", 2026, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(one_bit, "T2-2026-0000-0000-0000-0001", "every bit shows");
        // A certificate issued before numbers were random still reads, byte for byte.
        let old = r#"{"aging_until":"2027-01-26","line_id":9,"msisdn":"+7 977 ***-**-01","number":"T2-2026-000001","operator":"t2","operator_name":"T2","reason":"voluntary","settlement":"refund","subscriber":"李*","terminated_at":"2026-11-26T21:12:00Z"}"#;
        let p = CertificatePayload::from_canonical(old).unwrap();
        assert_eq!((p.line_id, p.subscriber.as_deref()), (Some(9), Some("李*")));
        assert_eq!(p.canonical(), old);
        assert!(!payload().canonical().contains("subscriber"), "new ones carry no name and no money");
    }

    #[test]
    fn rotation_keeps_old_certificates_valid() {
        let old = SigningKeys::parse(&SigningKeys::generate("k1", [1; 32])).unwrap();
        let (id, sig) = old.sign(&payload());
        let rotated = SigningKeys::parse(&format!(
            "{},{}",
            SigningKeys::generate("k2", [2; 32]),
            SigningKeys::generate("k1", [1; 32])
        ))
        .unwrap();
        assert!(rotated.published().verify(&payload().canonical(), &id, &sig));
        assert_eq!(rotated.sign(&payload()).0, "k2");
        assert!(SigningKeys::parse("k1:00").is_err());
    }
}
