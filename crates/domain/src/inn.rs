//! The Russian taxpayer number (ИНН): 10 digits for an organisation, 12 for a person or a
//! sole trader, each ending in check digits computed with the Federal Tax Service's weights.

const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// Why a text is not an INN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InnError {
    #[error("`{0}` is not a tax id of 10 or 12 digits")]
    Shape(String),
    #[error("`{0}` fails the tax id's check digits (a typo?)")]
    Checksum(String),
}

/// Checks an INN's length and check digits.
pub fn check(inn: &str) -> Result<(), InnError> {
    let digits: Vec<u32> = inn.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != inn.len() || !(digits.len() == 10 || digits.len() == 12) {
        return Err(InnError::Shape(inn.to_owned()));
    }
    let valid = if digits.len() == 10 {
        check_digit(&digits[..9], &W10) == digits[9]
    } else {
        check_digit(&digits[..10], &W11) == digits[10] && check_digit(&digits[..11], &W12) == digits[11]
    };
    if valid { Ok(()) } else { Err(InnError::Checksum(inn.to_owned())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_people_pass_and_a_typo_does_not() {
        // MTS, Beeline, MegaFon, T2 (the organisations' published INNs) and a 12-digit one.
        for inn in ["7740000076", "7713076301", "7812014560", "7743895280", "500100732259"] {
            assert_eq!(check(inn), Ok(()), "{inn}");
        }
        assert_eq!(check("7740000077"), Err(InnError::Checksum("7740000077".into())));
        assert_eq!(check("500100732258"), Err(InnError::Checksum("500100732258".into())));
        assert!(matches!(check("77400000"), Err(InnError::Shape(_))));
        assert!(matches!(check("77400000٧6"), Err(InnError::Shape(_))), "only ASCII digits");
        assert!(matches!(check("774-000076"), Err(InnError::Shape(_))));
    }
}
