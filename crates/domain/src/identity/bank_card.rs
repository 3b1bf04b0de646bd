//! Bank card numbers (银行卡号) for bank-card verification.

use serde::{Deserialize, Serialize};

use super::checksum::luhn_passes;
use super::text::normalise_number;
use super::{mask_bank_card, CharacterClass, Warning};
use crate::Sensitive;

/// Shortest and longest bank card numbers, in digits.
pub const BANK_CARD_LENGTHS: (usize, usize) = (16, 19);

/// A bank card number that passed [`validate_bank_card`]: digits only. `Debug` never shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidBankCard {
    number: Sensitive<String>,
    warnings: Vec<Warning>,
}

impl ValidBankCard {
    /// The digits, to send to the verification provider.
    pub fn number(&self) -> &str {
        self.number.expose()
    }

    /// `**** **** **** 1234`.
    pub fn masked(&self) -> String {
        mask_bank_card(self.number.expose())
    }

    /// [`Warning::LuhnFailed`] when the number fails the Luhn test.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Why a bank card number is rejected. Positions are 1-based digits, spaces not counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BankCardError {
    #[error("the card number is empty")]
    Empty,
    #[error("character {position} is {found:?}, expected {}", .expected.describe())]
    InvalidCharacter { position: usize, found: char, expected: CharacterClass },
    #[error("expected {min} to {max} digits, got {actual}")]
    LengthOutOfRange { min: usize, max: usize, actual: usize },
}

/// 16-19 digits; spaces (and full-width digits) are accepted and removed. A Luhn failure is
/// only a warning: some issuers' numbers fail it.
pub fn validate_bank_card(raw: &str) -> Result<ValidBankCard, BankCardError> {
    let (min, max) = BANK_CARD_LENGTHS;
    let digits = normalise_number(raw);
    if digits.is_empty() {
        return Err(BankCardError::Empty);
    }
    if let Some((index, &found)) = digits.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(BankCardError::InvalidCharacter {
            position: index + 1,
            found,
            expected: CharacterClass::Digit,
        });
    }
    if !(min..=max).contains(&digits.len()) {
        return Err(BankCardError::LengthOutOfRange { min, max, actual: digits.len() });
    }
    let warnings = if luhn_passes(&digits) { Vec::new() } else { vec![Warning::LuhnFailed] };
    Ok(ValidBankCard { number: Sensitive::new(digits.into_iter().collect()), warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_digit_card_passing_luhn_is_valid_without_warning() {
        let card = validate_bank_card("6222020200001234562").expect("valid");
        assert_eq!(card.number(), "6222020200001234562");
        assert!(card.warnings().is_empty());
    }

    #[test]
    fn spaces_between_digit_groups_are_removed() {
        let card = validate_bank_card(" 4111 1111 1111 1111 ").expect("valid");
        assert_eq!(card.number(), "4111111111111111");
    }

    #[test]
    fn luhn_failure_is_accepted_with_a_warning() {
        let card = validate_bank_card("6222020200001234567").expect("accepted");
        assert_eq!(card.warnings(), [Warning::LuhnFailed]);
    }

    #[test]
    fn fifteen_digits_are_too_few() {
        assert_eq!(
            validate_bank_card("622202020000123"),
            Err(BankCardError::LengthOutOfRange { min: 16, max: 19, actual: 15 })
        );
    }

    #[test]
    fn twenty_digits_are_too_many() {
        assert_eq!(
            validate_bank_card("62220202000012345620"),
            Err(BankCardError::LengthOutOfRange { min: 16, max: 19, actual: 20 })
        );
    }

    #[test]
    fn hyphens_and_letters_are_rejected_with_their_position() {
        assert_eq!(
            validate_bank_card("4111-1111-1111-1111"),
            Err(BankCardError::InvalidCharacter {
                position: 5,
                found: '-',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn empty_card_number_is_rejected_as_empty() {
        assert_eq!(validate_bank_card(" "), Err(BankCardError::Empty));
    }

    #[test]
    fn valid_card_never_shows_its_number_in_debug_output() {
        let card = validate_bank_card("6222020200001234562").expect("valid");
        assert!(!format!("{card:?}").contains("6222020200001234562"));
        assert_eq!(card.masked(), "**** **** **** 4562");
    }
}
