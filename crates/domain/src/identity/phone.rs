//! Mainland mobile numbers (手机号) and the SMS codes sent to them.

use serde::{Deserialize, Serialize};

use super::text::{fold_full_width, or_list};
use super::{mask_phone, CharacterClass, Warning};
use crate::Sensitive;

/// Virtual-operator prefixes: these numbers often fail carrier checks, so they get a warning.
pub const VIRTUAL_OPERATOR_PREFIXES: [&str; 5] = ["170", "171", "162", "165", "167"];
/// Digits in an SMS code.
pub const SMS_CODE_LENGTH: usize = 6;
/// An SMS code is valid this long after it is sent.
pub const SMS_CODE_TTL_SECS: u64 = 5 * 60;
/// Wrong entries of one code before it is void.
pub const SMS_MAX_WRONG_TRIES: u32 = 5;
/// A new code can be requested this long after the previous one, not sooner.
pub const SMS_RESEND_AFTER_SECS: u64 = 60;
/// Codes sent to one phone number per day, at most.
pub const SMS_CODES_PER_PHONE_PER_DAY: u32 = 10;

const MOBILE_LENGTH: usize = 11;

/// A mobile number that passed [`validate_mobile_number`]: 11 digits, without country code.
/// `Debug` never shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidMobileNumber {
    number: Sensitive<String>,
    warnings: Vec<Warning>,
}

impl ValidMobileNumber {
    /// The 11 digits, to send the SMS to.
    pub fn number(&self) -> &str {
        self.number.expose()
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        mask_phone(self.number.expose())
    }

    /// [`Warning::VirtualOperator`] for virtual-operator numbers.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Why a mobile number is rejected. Positions are 1-based in the 11-digit number, after the
/// country code, spaces and hyphens are removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhoneError {
    #[error("the mobile number is empty")]
    Empty,
    #[error("character {position} is {found:?}, expected {}", .expected.describe())]
    InvalidCharacter { position: usize, found: char, expected: CharacterClass },
    #[error("expected {} digits, got {actual}", or_list(.expected))]
    WrongLength { expected: Vec<usize>, actual: usize },
    /// Mainland mobile numbers start with 13-19.
    #[error("a mobile number starts with {}, not {found}", or_list(.expected))]
    WrongPrefix { expected: Vec<String>, found: String },
}

/// `^1[3-9]\d{9}$` once an optional `+86`/`86` prefix, spaces and hyphens are removed.
/// Virtual-operator numbers are accepted with a warning.
pub fn validate_mobile_number(raw: &str) -> Result<ValidMobileNumber, PhoneError> {
    let digits = normalise_mobile(raw);
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if let Some((index, &found)) = digits.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(PhoneError::InvalidCharacter {
            position: index + 1,
            found,
            expected: CharacterClass::Digit,
        });
    }
    if digits.len() != MOBILE_LENGTH {
        return Err(PhoneError::WrongLength {
            expected: vec![MOBILE_LENGTH],
            actual: digits.len(),
        });
    }
    let number: String = digits.into_iter().collect();
    if !matches!(number.as_bytes(), [b'1', b'3'..=b'9', ..]) {
        return Err(PhoneError::WrongPrefix {
            expected: (3..=9).map(|d| format!("1{d}")).collect(),
            found: number.chars().take(2).collect(),
        });
    }
    let warnings = VIRTUAL_OPERATOR_PREFIXES
        .iter()
        .find(|prefix| number.starts_with(*prefix))
        .map(|prefix| Warning::VirtualOperator { prefix: prefix.to_string() })
        .into_iter()
        .collect();
    Ok(ValidMobileNumber { number: Sensitive::new(number), warnings })
}

/// Full-width folded, whitespace and hyphens removed, then a `+86` prefix, or an `86` prefix
/// before 11 more digits, removed.
pub(crate) fn normalise_mobile(raw: &str) -> Vec<char> {
    let chars: Vec<char> =
        raw.chars().map(fold_full_width).filter(|c| !c.is_whitespace() && *c != '-').collect();
    match chars.as_slice() {
        ['+', '8', '6', rest @ ..] => rest.to_vec(),
        ['8', '6', rest @ ..] if rest.len() == MOBILE_LENGTH => rest.to_vec(),
        _ => chars,
    }
}

/// An SMS code that passed [`validate_sms_code`]. `Debug` never shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SmsCode(Sensitive<String>);

impl SmsCode {
    /// The six digits, to compare with the code sent.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Why an SMS code is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SmsCodeError {
    #[error("the code is empty")]
    Empty,
    #[error("character {position} is {found:?}, expected {}", .expected.describe())]
    InvalidCharacter { position: usize, found: char, expected: CharacterClass },
    #[error("expected {} digits, got {actual}", or_list(.expected))]
    WrongLength { expected: Vec<usize>, actual: usize },
}

/// Exactly 6 digits (surrounding and inner whitespace ignored, full-width digits folded).
pub fn validate_sms_code(raw: &str) -> Result<SmsCode, SmsCodeError> {
    let digits: Vec<char> =
        raw.chars().map(fold_full_width).filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(SmsCodeError::Empty);
    }
    if let Some((index, &found)) = digits.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(SmsCodeError::InvalidCharacter {
            position: index + 1,
            found,
            expected: CharacterClass::Digit,
        });
    }
    if digits.len() != SMS_CODE_LENGTH {
        return Err(SmsCodeError::WrongLength {
            expected: vec![SMS_CODE_LENGTH],
            actual: digits.len(),
        });
    }
    Ok(SmsCode(Sensitive::new(digits.into_iter().collect())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> Result<String, PhoneError> {
        validate_mobile_number(raw).map(|n| n.number().to_string())
    }

    #[test]
    fn eleven_digit_number_starting_13_to_19_is_valid() {
        for raw in ["13812345678", "14712345678", "19912345678", "15012345678"] {
            assert_eq!(number(raw), Ok(raw.to_string()));
        }
    }

    #[test]
    fn country_code_spaces_and_hyphens_are_removed() {
        assert_eq!(number("+86 138-1234-5678"), Ok("13812345678".to_string()));
        assert_eq!(number("8613812345678"), Ok("13812345678".to_string()));
        assert_eq!(number(" 138 1234 5678 "), Ok("13812345678".to_string()));
    }

    #[test]
    fn prefix_12_is_not_a_mobile_number() {
        assert_eq!(
            number("12812345678"),
            Err(PhoneError::WrongPrefix {
                expected: ["13", "14", "15", "16", "17", "18", "19"].map(String::from).to_vec(),
                found: "12".into()
            })
        );
    }

    #[test]
    fn landline_like_number_starting_with_0_is_rejected() {
        assert!(matches!(number("01012345678"), Err(PhoneError::WrongPrefix { .. })));
    }

    #[test]
    fn ten_digits_have_the_wrong_length() {
        assert_eq!(
            number("1381234567"),
            Err(PhoneError::WrongLength { expected: vec![11], actual: 10 })
        );
    }

    #[test]
    fn other_country_codes_are_rejected_at_the_plus_sign() {
        assert_eq!(
            number("+85291234567"),
            Err(PhoneError::InvalidCharacter {
                position: 1,
                found: '+',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn virtual_operator_numbers_are_accepted_with_a_warning() {
        for prefix in VIRTUAL_OPERATOR_PREFIXES {
            let valid = validate_mobile_number(&format!("{prefix}12345678")).expect("accepted");
            assert_eq!(valid.warnings(), [Warning::VirtualOperator { prefix: prefix.into() }]);
        }
    }

    #[test]
    fn ordinary_numbers_in_the_16_and_17_ranges_carry_no_warning() {
        for raw in ["16612345678", "17712345678"] {
            let valid = validate_mobile_number(raw).expect("valid");
            assert!(valid.warnings().is_empty(), "{raw}");
        }
    }

    #[test]
    fn empty_mobile_number_is_rejected_as_empty() {
        assert_eq!(number(" - "), Err(PhoneError::Empty));
    }

    #[test]
    fn valid_mobile_number_never_shows_itself_in_debug_output() {
        let valid = validate_mobile_number("13812345678").expect("valid");
        assert!(!format!("{valid:?}").contains("13812345678"));
        assert_eq!(valid.masked(), "138****5678");
    }

    #[test]
    fn sms_code_of_six_digits_is_valid() {
        let code = validate_sms_code(" 123 456 ").expect("valid");
        assert_eq!(code.expose(), "123456");
        assert_eq!(format!("{code:?}"), "SmsCode(<redacted>)");
    }

    #[test]
    fn sms_code_of_five_or_seven_digits_is_rejected() {
        assert_eq!(
            validate_sms_code("12345"),
            Err(SmsCodeError::WrongLength { expected: vec![6], actual: 5 })
        );
        assert_eq!(
            validate_sms_code("1234567"),
            Err(SmsCodeError::WrongLength { expected: vec![6], actual: 7 })
        );
    }

    #[test]
    fn sms_code_with_a_letter_is_rejected() {
        assert_eq!(
            validate_sms_code("12a456"),
            Err(SmsCodeError::InvalidCharacter {
                position: 3,
                found: 'a',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn empty_sms_code_is_rejected_as_empty() {
        assert_eq!(validate_sms_code(""), Err(SmsCodeError::Empty));
    }
}
