//! `Msisdn`: a phone number in E.164 form, parsed the way people type it.

use std::fmt;

use phonenumber::country;

/// A valid phone number in E.164 form (`+79161234567`).
///
/// Parsing accepts what people type (`+7 916 123-45-67`, `8 (916) 123 45 67`,
/// `79161234567`, `9161234567`) with Russia as the default region, and validates with the
/// libphonenumber metadata, so a number with a wrong length or an unallocated prefix is
/// rejected rather than stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsisdnError {
    #[error("a phone number is required")]
    Empty,
    #[error("`{0}` contains characters that do not belong in a phone number")]
    BadCharacters(String),
    #[error("`{0}` is not a valid phone number")]
    Invalid(String),
}

fn is_canonical_ru_mobile(s: &str) -> bool {
    s.len() == 12 && s.starts_with("+79") && s.bytes().skip(3).all(|b| b.is_ascii_digit())
}

impl Msisdn {
    pub fn parse(input: &str) -> Result<Self, MsisdnError> {
        let trimmed = input.trim();
        // The form relying parties send on every lookup, answered without libphonenumber's
        // regular expressions (a tenth of the time): every `+7 9XX XXX XX XX` is a valid
        // Russian mobile number in its metadata (the test compares both paths).
        if is_canonical_ru_mobile(trimmed) {
            return Ok(Msisdn(trimmed.to_owned()));
        }
        Self::parse_slow(trimmed)
    }

    fn parse_slow(trimmed: &str) -> Result<Self, MsisdnError> {
        if trimmed.is_empty() {
            return Err(MsisdnError::Empty);
        }
        // libphonenumber happily maps letters to keypad digits and ignores odd punctuation;
        // an operator system should not, so only what people really type is let through.
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.');
        if !trimmed.chars().all(allowed) || trimmed.len() > 32 || trimmed[1..].contains('+') {
            return Err(MsisdnError::BadCharacters(trimmed.to_owned()));
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        // `79161234567` without a plus is the international form without its sign.
        let candidate = if !trimmed.starts_with('+') && digits.len() == 11 && digits.starts_with('7') {
            format!("+{digits}")
        } else {
            trimmed.to_owned()
        };
        let number = phonenumber::parse(Some(country::Id::RU), &candidate)
            .map_err(|_| MsisdnError::Invalid(trimmed.to_owned()))?;
        if !phonenumber::is_valid(&number) {
            return Err(MsisdnError::Invalid(trimmed.to_owned()));
        }
        Ok(Msisdn(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Accepts a number already in E.164 form, as simexit stores it, checking only its shape
    /// (`+`, then 7 to 15 digits, no leading zero). Full validation happens once, at input;
    /// re-running libphonenumber on every row read would cost more than the query.
    pub fn from_e164(text: &str) -> Result<Self, MsisdnError> {
        let digits = text.strip_prefix('+').unwrap_or_default();
        let shaped =
            (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if shaped { Ok(Msisdn(text.to_owned())) } else { Err(MsisdnError::Invalid(text.to_owned())) }
    }

    /// The E.164 form, with the leading `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// `+7 916 ***-**-67`: enough for the holder to recognise, too little to misuse.
    pub fn masked(&self) -> String {
        let d = self.digits();
        let tail = &d[d.len().saturating_sub(2)..];
        if let Some(rest) = d.strip_prefix('7') {
            format!("+7 {} ***-**-{tail}", &rest[..3.min(rest.len())])
        } else {
            format!("+{}…{tail}", &d[..2.min(d.len())])
        }
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Msisdn {
    type Err = MsisdnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Msisdn::parse(s)
    }
}

impl serde::Serialize for Msisdn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Msisdn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Msisdn::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_libphonenumber_on_every_mobile_prefix() {
        for prefix in 0..100u32 {
            for tail in [0u32, 1_234_567, 9_999_999] {
                let n = format!("+79{prefix:02}{tail:07}");
                assert!(is_canonical_ru_mobile(&n));
                assert_eq!(Msisdn::parse_slow(&n), Ok(Msisdn(n.clone())), "{n}");
            }
        }
        for not_fast in ["+7916123456", "+791612345678", "+7916123456a", " +79161234567", "+74951234567"] {
            assert!(!is_canonical_ru_mobile(not_fast), "{not_fast}");
        }
    }

    #[test]
    fn the_forms_people_type_become_e164() {
        for input in
            ["+7 916 123-45-67", "8 (916) 123 45 67", "79161234567", "+79161234567", "9161234567", " 8-916-123-45-67 "]
        {
            assert_eq!(Msisdn::parse(input).unwrap().as_str(), "+79161234567", "{input}");
        }
    }

    #[test]
    fn nonsense_is_rejected_with_a_reason() {
        assert_eq!(Msisdn::parse("  "), Err(MsisdnError::Empty));
        assert!(matches!(Msisdn::parse("+7 916 FLOWERS"), Err(MsisdnError::BadCharacters(_))));
        assert!(matches!(Msisdn::parse("1' OR '1'='1"), Err(MsisdnError::BadCharacters(_))));
        assert!(matches!(Msisdn::parse("+7916123456"), Err(MsisdnError::Invalid(_))));
        assert!(matches!(Msisdn::parse("+791612345678"), Err(MsisdnError::Invalid(_))));
        assert!(matches!(Msisdn::parse("12"), Err(MsisdnError::Invalid(_))));
        assert!(matches!(Msisdn::parse("++79161234567"), Err(MsisdnError::BadCharacters(_))));
    }

    #[test]
    fn other_countries_in_international_form_are_accepted() {
        assert_eq!(Msisdn::parse("+1 650 253 0000").unwrap().as_str(), "+16502530000");
    }

    #[test]
    fn stored_e164_is_accepted_by_shape_only() {
        assert_eq!(Msisdn::from_e164("+79161234567").unwrap().as_str(), "+79161234567");
        for bad in ["79161234567", "+7916", "+0916123456", "+7 916 123 45 67", ""] {
            assert!(Msisdn::from_e164(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masking_keeps_the_code_and_the_last_two_digits() {
        assert_eq!(Msisdn::parse("+79161234567").unwrap().masked(), "+7 916 ***-**-67");
    }
}
