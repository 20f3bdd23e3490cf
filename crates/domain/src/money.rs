//! `Money`: an amount in minor units (kopecks). No floating point anywhere near money.

use std::fmt;
use std::ops::{Add, Neg, Sub};

/// A signed amount of roubles in kopecks. Every amount that comes from outside is bounded by
/// [`Money::MAX_MOVEMENT`] where it enters, so sums of them stay far inside `i64`; the
/// operators saturate instead of wrapping all the same, and `checked_*` say when they would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);
    /// The most one movement may carry, opening balances, payments and adjustments alike:
    /// 10,000,000 ₽.
    pub const MAX_MOVEMENT: Money = Money(1_000_000_000);

    pub const fn from_kopecks(kopecks: i64) -> Self {
        Money(kopecks)
    }

    pub const fn kopecks(self) -> i64 {
        self.0
    }

    pub const fn from_roubles(roubles: i64) -> Self {
        Money(roubles.saturating_mul(100))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Whether this amount, either way, fits in one movement ([`Money::MAX_MOVEMENT`]).
    pub fn within_movement_limit(self) -> bool {
        self.0.unsigned_abs() <= Money::MAX_MOVEMENT.0.unsigned_abs()
    }

    /// Roubles as a person types them at a till: `290`, `290.50`, `290,5`, `1 290,50`.
    /// `None` for anything else (signs, more than two decimals, letters).
    pub fn parse_roubles(text: &str) -> Option<Money> {
        let t: String = text.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}')).collect();
        let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.chars().all(|c| c.is_ascii_digit());
        let (whole, frac) = match t.split_once(['.', ',']) {
            Some((w, f)) if f.len() <= 2 && digits(f) => (w, f),
            Some(_) => return None,
            None => (t.as_str(), ""),
        };
        if !digits(whole) {
            return None;
        }
        let roubles: i64 = whole.parse().ok()?;
        let kopecks: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        roubles.checked_mul(100)?.checked_add(kopecks).map(Money)
    }

    /// The debt this balance represents: the negative part, as a positive amount.
    pub fn debt(self) -> Money {
        Money((-self.0).max(0))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

/// `1 234,56 ₽`, the way a Russian bill prints it.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let roubles = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in roubles.chars().enumerate() {
            if i > 0 && (roubles.len() - i).is_multiple_of(3) {
                grouped.push('\u{a0}');
            }
            grouped.push(c);
        }
        write!(f, "{sign}{grouped},{:02}\u{a0}₽", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn roubles_are_read_as_typed_at_a_till() {
        let k = |s: &str| super::Money::parse_roubles(s).map(super::Money::kopecks);
        assert_eq!(k("290"), Some(29000));
        assert_eq!(k("290.50"), Some(29050));
        assert_eq!(k("290,5"), Some(29050));
        assert_eq!(k(" 1 290,05 "), Some(129005));
        for bad in ["", "-5", "1.234", "12a", ",50", "1e3", "5."] {
            assert_eq!(k(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn display_groups_thousands_and_keeps_kopecks() {
        assert_eq!(Money::from_kopecks(123_456).to_string(), "1\u{a0}234,56\u{a0}₽");
        assert_eq!(Money::from_kopecks(-5).to_string(), "-0,05\u{a0}₽");
    }

    #[test]
    fn debt_is_the_negative_part() {
        assert_eq!(Money::from_kopecks(-15_000).debt(), Money::from_kopecks(15_000));
        assert_eq!(Money::from_kopecks(300).debt(), Money::ZERO);
    }

    #[test]
    fn serialises_as_integer_kopecks() {
        assert_eq!(serde_json::to_string(&Money::from_kopecks(250)).unwrap(), "250");
    }

    #[test]
    fn arithmetic_never_wraps_and_one_movement_is_bounded() {
        let max = Money::from_kopecks(i64::MAX);
        assert_eq!(max + Money::from_kopecks(1), max);
        assert_eq!(Money::from_kopecks(i64::MIN) - Money::from_kopecks(1), Money::from_kopecks(i64::MIN));
        assert_eq!(-Money::from_kopecks(i64::MIN), max);
        assert_eq!(max.checked_add(Money::from_kopecks(1)), None);
        assert_eq!(Money::from_kopecks(i64::MIN).checked_sub(Money::from_kopecks(1)), None);
        assert!(Money::from_roubles(10_000_000).within_movement_limit());
        assert!(Money::from_roubles(-10_000_000).within_movement_limit());
        assert!(!(Money::MAX_MOVEMENT + Money::from_kopecks(1)).within_movement_limit());
        assert!(!Money::from_kopecks(i64::MIN).within_movement_limit());
    }
}
