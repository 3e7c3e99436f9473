//! The Business Identification Number (BIN) of a legal entity: 12 digits whose last one is a
//! check digit computed like the IIN's.

use std::fmt;

/// Why a text is not a valid BIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinError {
    #[error("a BIN has 12 digits, this has {0} characters")]
    Length(usize),
    #[error("a BIN has only digits")]
    NotDigits,
    #[error("the check digit should be {expected}, not {found}")]
    CheckDigit { expected: u8, found: u8 },
    #[error("no check digit can be computed for these 11 digits, so no BIN can start with them")]
    NoCheckDigit,
}

/// A BIN whose check digit has been verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Bin(String);

impl Bin {
    /// Checks the length, the digits and the check digit.
    ///
    /// ```
    /// use tizilim::register::bin::{Bin, BinError};
    /// assert!(Bin::parse("940140001234").is_ok());
    /// assert_eq!(
    ///     Bin::parse("940140001235"),
    ///     Err(BinError::CheckDigit { expected: 4, found: 5 })
    /// );
    /// ```
    pub fn parse(text: &str) -> Result<Bin, BinError> {
        let digits = digits_of(text)?;
        let expected = check_digit(&digits[..11]).ok_or(BinError::NoCheckDigit)?;
        if digits[11] != expected {
            return Err(BinError::CheckDigit {
                expected,
                found: digits[11],
            });
        }
        Ok(Bin(text.to_owned()))
    }

    /// The BIN that completes eleven digits with their check digit, if they have one.
    pub fn with_check_digit(first11: &[u8; 11]) -> Option<Bin> {
        let check = check_digit(first11)?;
        Some(Bin(first11
            .iter()
            .chain([&check])
            .map(|d| char::from(b'0' + d))
            .collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn digits_of(text: &str) -> Result<[u8; 12], BinError> {
    let count = text.chars().count();
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(BinError::NotDigits);
    }
    if count != 12 {
        return Err(BinError::Length(count));
    }
    let mut digits = [0u8; 12];
    for (slot, byte) in digits.iter_mut().zip(text.bytes()) {
        *slot = byte - b'0';
    }
    Ok(digits)
}

/// The check digit for the first 11 digits, or `None` where the scheme gives 10 twice.
pub fn check_digit(first11: &[u8]) -> Option<u8> {
    const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weighted = |weight: &dyn Fn(usize) -> u32| -> u32 {
        first11
            .iter()
            .enumerate()
            .map(|(i, &d)| u32::from(d) * weight(i))
            .sum::<u32>()
            % 11
    };
    let mut s = weighted(&|i| i as u32 + 1);
    if s == 10 {
        s = weighted(&|i| SECOND_WEIGHTS[i]);
    }
    (s != 10).then_some(s as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_bin_checked_by_hand() {
        // 1·1+2·2+3·3+4·4+5·5+6·6+7·7+8·8+9·9+0·10+1·11 = 296; 296 mod 11 = 10 → second pass:
        // 1·3+2·4+3·5+4·6+5·7+6·8+7·9+8·10+9·11+0·1+1·2 = 377; 377 mod 11 = 3.
        assert_eq!(check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), Some(3));
        assert!(Bin::parse("123456789013").is_ok());
        // 0·1+…: 9,4,0,1,4,0,0,0,1,2,3 → 9+8+0+4+20+0+0+0+9+20+33 = 103; 103 mod 11 = 4.
        assert!(Bin::parse("940140001234").is_ok());
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(
            Bin::parse("123456789010"),
            Err(BinError::CheckDigit {
                expected: 3,
                found: 0
            })
        );
        assert_eq!(
            Bin::parse("940140001235"),
            Err(BinError::CheckDigit {
                expected: 4,
                found: 5
            })
        );
    }

    #[test]
    fn rejects_wrong_lengths_and_characters() {
        assert_eq!(Bin::parse("12345678901"), Err(BinError::Length(11)));
        assert_eq!(Bin::parse("1234567890123"), Err(BinError::Length(13)));
        assert_eq!(Bin::parse("12345678901О"), Err(BinError::NotDigits)); // Cyrillic О
        assert_eq!(Bin::parse("1234 5678 901"), Err(BinError::NotDigits));
        assert_eq!(Bin::parse("١٢٣٤٥٦٧٨٩٠١٩"), Err(BinError::NotDigits));
    }

    #[test]
    fn eleven_digits_with_no_check_digit() {
        // First pass: 0·1+…+0·10+1·11 … choose digits so both passes give 10.
        // d = [0,0,0,0,0,0,0,0,0,1,0]: first pass 1·10 = 10 → second pass 1·1 = 1 (valid).
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(1));
        // Search by hand-verified formula for a prefix giving 10 twice.
        let prefix = (0u64..100_000)
            .map(|n| {
                let mut d = [0u8; 11];
                let mut m = n;
                for slot in d.iter_mut().rev() {
                    *slot = (m % 10) as u8;
                    m /= 10;
                }
                d
            })
            .find(|d| {
                let a: u32 = d
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| u32::from(x) * (i as u32 + 1))
                    .sum();
                let w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
                let b: u32 = d.iter().zip(w).map(|(&x, w)| u32::from(x) * w).sum();
                a % 11 == 10 && b % 11 == 10
            })
            .expect("some prefix gives 10 twice");
        assert_eq!(check_digit(&prefix), None);
        let text: String = prefix
            .iter()
            .map(|d| char::from(b'0' + d))
            .chain(['0'])
            .collect();
        assert_eq!(Bin::parse(&text), Err(BinError::NoCheckDigit));
    }
}
