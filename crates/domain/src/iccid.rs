//! `Iccid`: the SIM card's serial number (ITU-T E.118), 19 or 20 digits with a Luhn check.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iccid(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IccidError {
    #[error("an ICCID has 19 or 20 digits, got {0}")]
    Length(usize),
    #[error("an ICCID has only digits")]
    NotDigits,
    #[error("the ICCID's check digit is wrong")]
    CheckDigit,
}

impl Iccid {
    pub fn parse(input: &str) -> Result<Self, IccidError> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(IccidError::NotDigits);
        }
        if !(19..=20).contains(&digits.len()) {
            return Err(IccidError::Length(digits.len()));
        }
        if !luhn_valid(&digits) {
            return Err(IccidError::CheckDigit);
        }
        Ok(Iccid(digits))
    }

    /// Builds a valid ICCID from its first 18 or 19 digits by appending the check digit.
    pub fn with_check_digit(body: &str) -> Result<Self, IccidError> {
        if !body.chars().all(|c| c.is_ascii_digit()) {
            return Err(IccidError::NotDigits);
        }
        if !(18..=19).contains(&body.len()) {
            return Err(IccidError::Length(body.len() + 1));
        }
        let check = luhn_check_digit(body);
        Ok(Iccid(format!("{body}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_sum(digits: &str, double_first: bool) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if (i % 2 == 0) == double_first {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum()
}

fn luhn_valid(digits: &str) -> bool {
    luhn_sum(digits, false).is_multiple_of(10)
}

fn luhn_check_digit(body: &str) -> u32 {
    (10 - luhn_sum(body, true) % 10) % 10
}

impl fmt::Display for Iccid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Iccid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Iccid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Iccid::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_real_iccid_passes_and_a_changed_digit_fails() {
        let good = Iccid::with_check_digit("897010123456789012").unwrap();
        assert_eq!(Iccid::parse(good.as_str()).unwrap(), good);
        let mut bad = good.as_str().to_owned();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert_eq!(Iccid::parse(&bad), Err(IccidError::CheckDigit));
    }

    #[test]
    fn length_and_characters_are_checked() {
        assert_eq!(Iccid::parse("123"), Err(IccidError::Length(3)));
        assert_eq!(Iccid::parse("89701012345678901x6"), Err(IccidError::NotDigits));
    }

    #[test]
    fn luhn_matches_the_textbook_example() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert_eq!(luhn_check_digit("7992739871"), 3);
    }

    proptest! {
        #[test]
        fn every_generated_iccid_validates(body in "[0-9]{18,19}") {
            let iccid = Iccid::with_check_digit(&body).unwrap();
            prop_assert_eq!(Iccid::parse(iccid.as_str()).unwrap(), iccid);
        }
    }
}
