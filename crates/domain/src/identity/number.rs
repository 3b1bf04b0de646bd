//! Document numbers: the resident ID number (GB 11643-1999) and the five other documents of
//! `spec/identity-rules.md`.

use serde::{Deserialize, Serialize};

use super::checksum::{icao_7_3_1_check, mod11_2_check};
use super::text::{normalise_number, or_list};
use super::{mask_id_number, CalendarDate, CharacterClass, DocumentType, Warning};
use crate::Sensitive;

/// Chinese passports: `^[EGDSPKH]\d{8}$` or `^(E[A-F]|DE|SE|PE|KJ|MA|14|15)\d{7}$`.
/// Foreign passports: anything of 5-20 letters and digits, which the Chinese forms also satisfy.
const PASSPORT_LENGTHS: (usize, usize) = (5, 20);
/// Older Taiwan permit numbers mix letters and digits (renewal letters such as `12345678(B)`);
/// how long they can be is not documented, so this range is generous: they go to manual review.
const OLD_TAIWAN_PERMIT_LENGTHS: (usize, usize) = (7, 12);
const RESIDENCE_PERMIT_PREFIXES: [&str; 3] = ["810000", "820000", "830000"];

/// A document number that passed every rule, normalised (no spaces, uppercase, legacy ID numbers
/// converted to 18 characters). The number itself is [`Sensitive`]: `Debug` never shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidNumber {
    document_type: DocumentType,
    number: Sensitive<String>,
    converted_from_legacy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<CalendarDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    warnings: Vec<Warning>,
}

impl ValidNumber {
    pub fn document_type(&self) -> DocumentType {
        self.document_type
    }

    /// The normalised number, to store or send on. Call sites are where the full number is used.
    pub fn number(&self) -> &str {
        self.number.expose()
    }

    /// `110***********002X`: safe for screens and logs.
    pub fn masked(&self) -> String {
        mask_id_number(self.number.expose())
    }

    /// True when a 15-digit resident ID number was converted to 18 characters: tell the user.
    pub fn converted_from_legacy(&self) -> bool {
        self.converted_from_legacy
    }

    /// The birth date the number encodes (resident ID card and residence permit).
    pub fn birth_date(&self) -> Option<CalendarDate> {
        self.birth_date
    }

    /// The sex the number encodes (resident ID card and residence permit); informational.
    pub fn sex(&self) -> Option<Sex> {
        self.sex
    }

    /// Hints to show although the number is accepted.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Character 17 of an 18-character ID number: odd for male, even for female.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// Why a document number is rejected. Positions are 1-based, counted in the normalised number
/// (spaces removed), which is what the user counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumberError {
    #[error("the number is empty")]
    Empty,
    #[error("character {position} is {found:?}, expected {}", .expected.describe())]
    InvalidCharacter { position: usize, found: char, expected: CharacterClass },
    #[error("expected {} characters, got {actual}", or_list(.expected))]
    WrongLength { expected: Vec<usize>, actual: usize },
    #[error("expected {min} to {max} characters, got {actual}")]
    LengthOutOfRange { min: usize, max: usize, actual: usize },
    #[error("the number must start with {}, not {found}", or_list(.expected))]
    WrongPrefix { expected: Vec<String>, found: String },
    /// The province code (characters 1-2 of an ID number) is not 11-65, 71, 81 or 82.
    #[error("unknown province code {code}")]
    UnknownRegion { code: String },
    /// Characters 7-14 are not a date that exists (30 February, month 13).
    #[error("birth date {year:04}-{month:02}-{day:02} does not exist")]
    InvalidBirthDate { year: u16, month: u8, day: u8 },
    #[error("birth date {birth_date} is after today, {today}")]
    BirthDateInFuture { birth_date: CalendarDate, today: CalendarDate },
    #[error("birth date {birth_date} is before 1900")]
    BirthDateBefore1900 { birth_date: CalendarDate },
    #[error("check character is {found}, expected {expected}")]
    WrongCheckCharacter { expected: char, found: char },
}

/// Checks a document number as typed and returns it normalised.
///
/// Normalisation: surrounding and inner whitespace removed, full-width characters folded to ASCII,
/// letters uppercased (so a final `x` is stored as `X`); for the Taiwan permit, parentheses too.
/// `today` bounds birth dates.
pub fn validate_document_number(
    document_type: DocumentType,
    raw: &str,
    today: CalendarDate,
) -> Result<ValidNumber, NumberError> {
    let mut chars = normalise_number(raw);
    if document_type == DocumentType::TaiwanPermit {
        chars.retain(|c| !matches!(c, '(' | ')'));
    }
    if chars.is_empty() {
        return Err(NumberError::Empty);
    }
    match document_type {
        DocumentType::IdCard => id_card(chars, today),
        DocumentType::Passport => passport(chars),
        DocumentType::HkMacaoPermit => hk_macao_permit(chars),
        DocumentType::TaiwanPermit => taiwan_permit(chars),
        DocumentType::ResidencePermit => residence_permit(chars, today),
        DocumentType::ForeignPermanent => foreign_permanent(chars),
    }
}

fn valid(document_type: DocumentType, chars: &[char]) -> ValidNumber {
    ValidNumber {
        document_type,
        number: Sensitive::new(chars.iter().collect()),
        converted_from_legacy: false,
        birth_date: None,
        sex: None,
        warnings: Vec::new(),
    }
}

/// 18 characters (17 digits and a digit or `X`), or the legacy 15 digits.
fn id_card(chars: Vec<char>, today: CalendarDate) -> Result<ValidNumber, NumberError> {
    check_characters(&chars, 18, eighteen_character_class)?;
    let legacy = match chars.len() {
        18 => false,
        15 => true,
        actual => return Err(NumberError::WrongLength { expected: vec![15, 18], actual }),
    };
    let warning = id_card_region(&chars)?;
    let mut full = chars;
    if legacy {
        // Region(6) + YYMMDD + sequence(3) → region + 19YYMMDD + sequence + check.
        full.splice(6..6, ['1', '9']);
    }
    let birth_date = birth_date(&full[6..14], today)?;
    let expected = expected_mod11_2(&full)?;
    if legacy {
        full.push(expected);
    } else if full[17] != expected {
        return Err(NumberError::WrongCheckCharacter { expected, found: full[17] });
    }
    Ok(ValidNumber {
        converted_from_legacy: legacy,
        birth_date: Some(birth_date),
        sex: Some(sex(&full)),
        warnings: warning.into_iter().collect(),
        ..valid(DocumentType::IdCard, &full)
    })
}

/// Province codes 11-65 are the mainland's; 71, 81 and 82 appear in some datasets and are
/// accepted with a warning. The spec gives the range, not the list: codes inside it that no
/// province uses (16-20, 24-30, ...) are accepted too.
fn id_card_region(chars: &[char]) -> Result<Option<Warning>, NumberError> {
    let code: String = chars.iter().take(2).collect();
    match code.parse::<u8>() {
        Ok(11..=65) => Ok(None),
        Ok(71 | 81 | 82) => Ok(Some(Warning::RegionOutsideMainland { code })),
        _ => Err(NumberError::UnknownRegion { code }),
    }
}

fn passport(chars: Vec<char>) -> Result<ValidNumber, NumberError> {
    let (min, max) = PASSPORT_LENGTHS;
    check_characters(&chars, max, |_| CharacterClass::LetterOrDigit)?;
    if !(min..=max).contains(&chars.len()) {
        return Err(NumberError::LengthOutOfRange { min, max, actual: chars.len() });
    }
    Ok(valid(DocumentType::Passport, &chars))
}

/// `^[HM](\d{8}|\d{10})$`: H for Hong Kong, M for Macao; the 11-character form ends with two
/// digits counting replacements.
fn hk_macao_permit(chars: Vec<char>) -> Result<ValidNumber, NumberError> {
    let first = chars[0];
    if !matches!(first, 'H' | 'M') {
        return Err(NumberError::WrongPrefix {
            expected: vec!["H".into(), "M".into()],
            found: first.to_string(),
        });
    }
    check_characters(&chars, 11, |position| {
        if position == 1 {
            CharacterClass::Letter
        } else {
            CharacterClass::Digit
        }
    })?;
    if !matches!(chars.len(), 9 | 11) {
        return Err(NumberError::WrongLength { expected: vec![9, 11], actual: chars.len() });
    }
    Ok(valid(DocumentType::HkMacaoPermit, &chars))
}

/// `^\d{8}$` or `^\d{10}$`; older forms with letters are accepted with a warning.
fn taiwan_permit(chars: Vec<char>) -> Result<ValidNumber, NumberError> {
    let (min, max) = OLD_TAIWAN_PERMIT_LENGTHS;
    check_characters(&chars, max, |_| CharacterClass::LetterOrDigit)?;
    let actual = chars.len();
    if chars.iter().all(char::is_ascii_digit) {
        if !matches!(actual, 8 | 10) {
            return Err(NumberError::WrongLength { expected: vec![8, 10], actual });
        }
        return Ok(valid(DocumentType::TaiwanPermit, &chars));
    }
    if !(min..=max).contains(&actual) {
        return Err(NumberError::LengthOutOfRange { min, max, actual });
    }
    Ok(ValidNumber {
        warnings: vec![Warning::OldTaiwanPermitFormat],
        ..valid(DocumentType::TaiwanPermit, &chars)
    })
}

/// `^8[123]0000\d{11}[\dX]$`, a birth date at characters 7-14 and the MOD 11-2 check, like an
/// ID number.
fn residence_permit(chars: Vec<char>, today: CalendarDate) -> Result<ValidNumber, NumberError> {
    check_characters(&chars, 18, eighteen_character_class)?;
    if chars.len() != 18 {
        return Err(NumberError::WrongLength { expected: vec![18], actual: chars.len() });
    }
    let prefix: String = chars[..6].iter().collect();
    if !RESIDENCE_PERMIT_PREFIXES.contains(&prefix.as_str()) {
        return Err(NumberError::WrongPrefix {
            expected: RESIDENCE_PERMIT_PREFIXES.iter().map(|p| p.to_string()).collect(),
            found: prefix,
        });
    }
    let birth_date = birth_date(&chars[6..14], today)?;
    let expected = expected_mod11_2(&chars)?;
    if chars[17] != expected {
        return Err(NumberError::WrongCheckCharacter { expected, found: chars[17] });
    }
    Ok(ValidNumber {
        birth_date: Some(birth_date),
        sex: Some(sex(&chars)),
        ..valid(DocumentType::ResidencePermit, &chars)
    })
}

/// New form (since 2017): `^9\d{16}[\dX]$` with the MOD 11-2 check. Old form: `^[A-Z]{3}\d{12}$`
/// with a 7-3-1 check digit (see [`icao_7_3_1_check`]). A leading letter selects the old form.
/// The spec does not ask for the birth date inside these numbers, so it is not checked.
fn foreign_permanent(chars: Vec<char>) -> Result<ValidNumber, NumberError> {
    if chars[0].is_ascii_alphabetic() {
        check_characters(&chars, 15, |position| {
            if position <= 3 {
                CharacterClass::Letter
            } else {
                CharacterClass::Digit
            }
        })?;
        if chars.len() != 15 {
            return Err(NumberError::WrongLength { expected: vec![15], actual: chars.len() });
        }
        let expected = icao_7_3_1_check(&chars[..14])
            .ok_or_else(|| NumberError::WrongLength { expected: vec![15], actual: chars.len() })?;
        if chars[14] != expected {
            return Err(NumberError::WrongCheckCharacter { expected, found: chars[14] });
        }
        return Ok(valid(DocumentType::ForeignPermanent, &chars));
    }
    check_characters(&chars, 18, eighteen_character_class)?;
    if chars.len() != 18 {
        return Err(NumberError::WrongLength { expected: vec![18], actual: chars.len() });
    }
    if chars[0] != '9' {
        return Err(NumberError::WrongPrefix {
            expected: vec!["9".into()],
            found: chars[0].to_string(),
        });
    }
    let expected = expected_mod11_2(&chars)?;
    if chars[17] != expected {
        return Err(NumberError::WrongCheckCharacter { expected, found: chars[17] });
    }
    Ok(valid(DocumentType::ForeignPermanent, &chars))
}

/// 17 digits then a digit or `X`.
fn eighteen_character_class(position: usize) -> CharacterClass {
    if position == 18 {
        CharacterClass::DigitOrX
    } else {
        CharacterClass::Digit
    }
}

fn is_of_class(c: char, class: CharacterClass) -> bool {
    match class {
        CharacterClass::Digit => c.is_ascii_digit(),
        CharacterClass::DigitOrX => c.is_ascii_digit() || c == 'X',
        CharacterClass::Letter => c.is_ascii_uppercase(),
        CharacterClass::LetterOrDigit => c.is_ascii_uppercase() || c.is_ascii_digit(),
    }
}

/// The first character, among the first `max_len`, that is not of the class its position
/// requires. Characters past `max_len` are left to the length check.
fn check_characters(
    chars: &[char],
    max_len: usize,
    class_at: impl Fn(usize) -> CharacterClass,
) -> Result<(), NumberError> {
    for (index, &found) in chars.iter().enumerate().take(max_len) {
        let position = index + 1;
        let expected = class_at(position);
        if !is_of_class(found, expected) {
            return Err(NumberError::InvalidCharacter { position, found, expected });
        }
    }
    Ok(())
}

/// The MOD 11-2 check character of an 18-character number whose first 17 are digits.
fn expected_mod11_2(chars: &[char]) -> Result<char, NumberError> {
    // The character and length checks that run first make the error unreachable; it is an error
    // rather than a panic all the same.
    chars
        .get(..17)
        .and_then(mod11_2_check)
        .ok_or_else(|| NumberError::WrongLength { expected: vec![18], actual: chars.len() })
}

/// YYYYMMDD (8 digits): a date that exists, from 1900 and not after today.
fn birth_date(digits: &[char], today: CalendarDate) -> Result<CalendarDate, NumberError> {
    let value = |from: usize, to: usize| -> u16 {
        digits
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.to_digit(10))
            .fold(0, |acc, d| acc * 10 + u16::try_from(d).unwrap_or(0))
    };
    let year = value(0, 4);
    // Two digits always fit in a u8; 0 would be an invalid month or day anyway.
    let month = u8::try_from(value(4, 6)).unwrap_or(0);
    let day = u8::try_from(value(6, 8)).unwrap_or(0);
    let birth_date = CalendarDate::new(year, month, day).ok_or(NumberError::InvalidBirthDate {
        year,
        month,
        day,
    })?;
    if year < 1900 {
        return Err(NumberError::BirthDateBefore1900 { birth_date });
    }
    if birth_date > today {
        return Err(NumberError::BirthDateInFuture { birth_date, today });
    }
    Ok(birth_date)
}

/// Character 17 (the last of the sequence code): odd for male, even for female.
fn sex(chars: &[char]) -> Sex {
    match chars.get(16).and_then(|c| c.to_digit(10)) {
        Some(d) if d % 2 == 1 => Sex::Male,
        _ => Sex::Female,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::new(2025, 6, 1).expect("date exists")
    }

    fn date(year: u16, month: u8, day: u8) -> CalendarDate {
        CalendarDate::new(year, month, day).expect("date exists")
    }

    fn check(doc: DocumentType, raw: &str) -> Result<ValidNumber, NumberError> {
        validate_document_number(doc, raw, today())
    }

    fn id_card(raw: &str) -> Result<ValidNumber, NumberError> {
        check(DocumentType::IdCard, raw)
    }

    // Resident ID card.

    #[test]
    fn textbook_id_number_is_valid_for_a_woman_born_on_31_december_1949() {
        let number = id_card("11010519491231002X").expect("valid");
        assert_eq!(number.number(), "11010519491231002X");
        assert_eq!(number.birth_date(), Some(date(1949, 12, 31)));
        assert_eq!(number.sex(), Some(Sex::Female));
        assert!(!number.converted_from_legacy());
        assert!(number.warnings().is_empty());
    }

    #[test]
    fn odd_sequence_digit_means_male() {
        let number = id_card("110105199901010016").expect("valid");
        assert_eq!(number.sex(), Some(Sex::Male));
    }

    #[test]
    fn wrong_check_character_is_rejected_naming_the_expected_one() {
        assert_eq!(
            id_card("110105194912310021"),
            Err(NumberError::WrongCheckCharacter { expected: 'X', found: '1' })
        );
    }

    #[test]
    fn thirtieth_of_february_is_an_invalid_date_whatever_the_check_character() {
        let expected = Err(NumberError::InvalidBirthDate { year: 1949, month: 2, day: 30 });
        assert_eq!(id_card("110105194902300020"), expected);
        assert_eq!(id_card("110105194902300024"), expected);
    }

    #[test]
    fn twenty_ninth_of_february_of_a_leap_year_is_a_valid_birth_date() {
        let number = id_card("110105200002290013").expect("valid");
        assert_eq!(number.birth_date(), Some(date(2000, 2, 29)));
    }

    #[test]
    fn birth_year_before_1900_is_rejected_despite_a_correct_check_character() {
        assert_eq!(
            id_card("440524188001010014"),
            Err(NumberError::BirthDateBefore1900 { birth_date: date(1880, 1, 1) })
        );
    }

    #[test]
    fn birth_date_after_today_is_rejected() {
        assert_eq!(
            id_card("11010520300101001X"),
            Err(NumberError::BirthDateInFuture { birth_date: date(2030, 1, 1), today: today() })
        );
    }

    #[test]
    fn birth_date_equal_to_today_is_accepted() {
        let today = date(2030, 1, 1);
        let number = validate_document_number(DocumentType::IdCard, "11010520300101001X", today);
        assert!(number.is_ok());
    }

    #[test]
    fn legacy_fifteen_digit_number_is_converted_to_eighteen_characters() {
        let number = id_card("110105491231002").expect("valid");
        assert_eq!(number.number(), "11010519491231002X");
        assert!(number.converted_from_legacy());
        assert_eq!(number.birth_date(), Some(date(1949, 12, 31)));
    }

    #[test]
    fn lowercase_x_is_accepted_and_stored_uppercase() {
        let number = id_card("11010519491231002x").expect("valid");
        assert_eq!(number.number(), "11010519491231002X");
    }

    #[test]
    fn spaces_around_and_inside_the_number_are_ignored() {
        let number = id_card("  110105 19491231 002X ").expect("valid");
        assert_eq!(number.number(), "11010519491231002X");
    }

    #[test]
    fn full_width_digits_are_accepted() {
        let number = id_card("１１０１０５１９４９１２３１００２Ｘ").expect("valid");
        assert_eq!(number.number(), "11010519491231002X");
    }

    #[test]
    fn empty_number_is_rejected_as_empty() {
        assert_eq!(id_card("   "), Err(NumberError::Empty));
    }

    #[test]
    fn id_number_of_seventeen_characters_has_the_wrong_length() {
        assert_eq!(
            id_card("11010519491231002"),
            Err(NumberError::WrongLength { expected: vec![15, 18], actual: 17 })
        );
    }

    #[test]
    fn letter_inside_an_id_number_is_reported_with_its_position() {
        assert_eq!(
            id_card("1101A519491231002X"),
            Err(NumberError::InvalidCharacter {
                position: 5,
                found: 'A',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn x_is_allowed_only_as_the_eighteenth_character() {
        assert_eq!(
            id_card("11010519491231X02X"),
            Err(NumberError::InvalidCharacter {
                position: 15,
                found: 'X',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn legacy_number_cannot_end_with_x() {
        assert_eq!(
            id_card("11010549123100X"),
            Err(NumberError::InvalidCharacter {
                position: 15,
                found: 'X',
                expected: CharacterClass::Digit
            })
        );
    }

    #[test]
    fn province_codes_from_11_to_65_are_accepted_without_warning() {
        let number = id_card("650102198001010012").expect("valid");
        assert!(number.warnings().is_empty());
    }

    #[test]
    fn taiwan_hong_kong_and_macao_province_codes_are_accepted_with_a_warning() {
        let taiwan = id_card("710100198001010016").expect("valid");
        assert_eq!(taiwan.warnings(), [Warning::RegionOutsideMainland { code: "71".into() }]);
        let hong_kong = id_card("81010019800101001X").expect("valid");
        assert_eq!(hong_kong.warnings(), [Warning::RegionOutsideMainland { code: "81".into() }]);
    }

    #[test]
    fn other_province_codes_are_rejected() {
        assert_eq!(
            id_card("100105194912310021"),
            Err(NumberError::UnknownRegion { code: "10".into() })
        );
        assert_eq!(
            id_card("660105194912310021"),
            Err(NumberError::UnknownRegion { code: "66".into() })
        );
        assert_eq!(
            id_card("910105194912310021"),
            Err(NumberError::UnknownRegion { code: "91".into() })
        );
    }

    #[test]
    fn legacy_number_with_an_unknown_province_is_rejected() {
        assert_eq!(
            id_card("990105491231002"),
            Err(NumberError::UnknownRegion { code: "99".into() })
        );
    }

    #[test]
    fn legacy_number_with_an_impossible_date_is_rejected() {
        assert_eq!(
            id_card("110105490230002"),
            Err(NumberError::InvalidBirthDate { year: 1949, month: 2, day: 30 })
        );
    }

    #[test]
    fn valid_number_never_shows_itself_in_debug_output() {
        let number = id_card("11010519491231002X").expect("valid");
        assert!(!format!("{number:?}").contains("11010519491231002X"));
        assert_eq!(number.masked(), "110***********002X");
    }

    #[test]
    fn valid_number_serialises_with_its_facts() {
        let number = id_card("110105491231002").expect("valid");
        let json = serde_json::to_value(&number).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "document_type": "id_card",
                "number": "11010519491231002X",
                "converted_from_legacy": true,
                "birth_date": "1949-12-31",
                "sex": "female",
                "warnings": [],
            })
        );
    }

    #[test]
    fn errors_serialise_with_a_kind_tag_and_their_fields() {
        let error = id_card("110105194912310021").expect_err("wrong check character");
        assert_eq!(
            serde_json::to_value(&error).ok(),
            Some(
                serde_json::json!({"kind": "wrong_check_character", "expected": "X", "found": "1"})
            )
        );
        let back: NumberError =
            serde_json::from_value(serde_json::json!({"kind": "empty"})).expect("deserialises");
        assert_eq!(back, NumberError::Empty);
    }

    #[test]
    fn errors_display_a_short_english_message() {
        let error = NumberError::WrongLength { expected: vec![15, 18], actual: 17 };
        assert_eq!(error.to_string(), "expected 15 or 18 characters, got 17");
        let error = NumberError::InvalidCharacter {
            position: 5,
            found: 'A',
            expected: CharacterClass::Digit,
        };
        assert_eq!(error.to_string(), "character 5 is 'A', expected a digit");
    }

    // Passport.

    #[test]
    fn chinese_passport_numbers_are_valid() {
        for raw in ["E12345678", "g12345678", "EA1234567", "KJ1234567", "141234567", "H12345678"] {
            assert!(check(DocumentType::Passport, raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn foreign_passport_numbers_of_5_to_20_letters_and_digits_are_valid() {
        for raw in ["AB123", "123456789", "C01X00T47", "ABCDEFGHIJ0123456789"] {
            assert!(check(DocumentType::Passport, raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn passport_number_shorter_than_5_characters_is_rejected() {
        assert_eq!(
            check(DocumentType::Passport, "AB12"),
            Err(NumberError::LengthOutOfRange { min: 5, max: 20, actual: 4 })
        );
    }

    #[test]
    fn passport_number_longer_than_20_characters_is_rejected() {
        assert_eq!(
            check(DocumentType::Passport, "ABCDEFGHIJ01234567890"),
            Err(NumberError::LengthOutOfRange { min: 5, max: 20, actual: 21 })
        );
    }

    #[test]
    fn passport_number_with_a_symbol_is_rejected() {
        assert_eq!(
            check(DocumentType::Passport, "E1234-5678"),
            Err(NumberError::InvalidCharacter {
                position: 6,
                found: '-',
                expected: CharacterClass::LetterOrDigit
            })
        );
    }

    // Hong Kong and Macao permit.

    #[test]
    fn hk_and_macao_permit_numbers_of_9_and_11_characters_are_valid() {
        for raw in ["H12345678", "M12345678", "H1234567801", "m1234567802"] {
            assert!(check(DocumentType::HkMacaoPermit, raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn hk_macao_permit_must_start_with_h_or_m() {
        assert_eq!(
            check(DocumentType::HkMacaoPermit, "K12345678"),
            Err(NumberError::WrongPrefix {
                expected: vec!["H".into(), "M".into()],
                found: "K".into()
            })
        );
    }

    #[test]
    fn hk_macao_permit_of_10_characters_has_the_wrong_length() {
        assert_eq!(
            check(DocumentType::HkMacaoPermit, "H123456789"),
            Err(NumberError::WrongLength { expected: vec![9, 11], actual: 10 })
        );
    }

    #[test]
    fn hk_macao_permit_with_a_letter_after_the_prefix_is_rejected() {
        assert_eq!(
            check(DocumentType::HkMacaoPermit, "H1234567A"),
            Err(NumberError::InvalidCharacter {
                position: 9,
                found: 'A',
                expected: CharacterClass::Digit
            })
        );
    }

    // Taiwan permit.

    #[test]
    fn taiwan_permit_numbers_of_8_and_10_digits_are_valid_without_warning() {
        for raw in ["12345678", "1234567890"] {
            let number = check(DocumentType::TaiwanPermit, raw).expect("valid");
            assert!(number.warnings().is_empty());
        }
    }

    #[test]
    fn old_alphanumeric_taiwan_permit_is_accepted_with_a_warning() {
        let number = check(DocumentType::TaiwanPermit, "12345678(B)").expect("valid");
        assert_eq!(number.number(), "12345678B");
        assert_eq!(number.warnings(), [Warning::OldTaiwanPermitFormat]);
    }

    #[test]
    fn taiwan_permit_of_9_digits_has_the_wrong_length() {
        assert_eq!(
            check(DocumentType::TaiwanPermit, "123456789"),
            Err(NumberError::WrongLength { expected: vec![8, 10], actual: 9 })
        );
    }

    #[test]
    fn taiwan_permit_with_a_symbol_is_rejected() {
        assert_eq!(
            check(DocumentType::TaiwanPermit, "1234#678"),
            Err(NumberError::InvalidCharacter {
                position: 5,
                found: '#',
                expected: CharacterClass::LetterOrDigit
            })
        );
    }

    // Residence permit.

    #[test]
    fn residence_permit_number_is_valid_with_its_birth_date() {
        let number = check(DocumentType::ResidencePermit, "810000199408230021").expect("valid");
        assert_eq!(number.birth_date(), Some(date(1994, 8, 23)));
        assert_eq!(number.sex(), Some(Sex::Female));
        let taiwan = check(DocumentType::ResidencePermit, "830000200002290015");
        assert!(taiwan.is_ok());
    }

    #[test]
    fn residence_permit_must_start_with_810000_820000_or_830000() {
        assert_eq!(
            check(DocumentType::ResidencePermit, "11010519491231002X"),
            Err(NumberError::WrongPrefix {
                expected: vec!["810000".into(), "820000".into(), "830000".into()],
                found: "110105".into()
            })
        );
    }

    #[test]
    fn residence_permit_with_a_wrong_check_character_is_rejected() {
        assert_eq!(
            check(DocumentType::ResidencePermit, "810000199408230022"),
            Err(NumberError::WrongCheckCharacter { expected: '1', found: '2' })
        );
    }

    #[test]
    fn residence_permit_with_an_impossible_birth_date_is_rejected() {
        assert_eq!(
            check(DocumentType::ResidencePermit, "810000199413230021"),
            Err(NumberError::InvalidBirthDate { year: 1994, month: 13, day: 23 })
        );
    }

    // Foreign permanent resident ID.

    #[test]
    fn new_foreign_permanent_id_is_valid() {
        assert!(check(DocumentType::ForeignPermanent, "911840199001010018").is_ok());
    }

    #[test]
    fn new_foreign_permanent_id_must_start_with_9() {
        assert_eq!(
            check(DocumentType::ForeignPermanent, "11010519491231002X"),
            Err(NumberError::WrongPrefix { expected: vec!["9".into()], found: "1".into() })
        );
    }

    #[test]
    fn new_foreign_permanent_id_with_a_wrong_check_character_is_rejected() {
        assert_eq!(
            check(DocumentType::ForeignPermanent, "911840199001010019"),
            Err(NumberError::WrongCheckCharacter { expected: '8', found: '9' })
        );
    }

    #[test]
    fn old_foreign_permanent_card_is_valid_with_a_7_3_1_check_digit() {
        let number = check(DocumentType::ForeignPermanent, "usa110080010111").expect("valid");
        assert_eq!(number.number(), "USA110080010111");
    }

    #[test]
    fn old_foreign_permanent_card_with_a_wrong_check_digit_is_rejected() {
        assert_eq!(
            check(DocumentType::ForeignPermanent, "USA110080010112"),
            Err(NumberError::WrongCheckCharacter { expected: '1', found: '2' })
        );
    }

    #[test]
    fn old_foreign_permanent_card_needs_three_letters_then_twelve_digits() {
        assert_eq!(
            check(DocumentType::ForeignPermanent, "US1110080010111"),
            Err(NumberError::InvalidCharacter {
                position: 3,
                found: '1',
                expected: CharacterClass::Letter
            })
        );
        assert_eq!(
            check(DocumentType::ForeignPermanent, "USA11008001011"),
            Err(NumberError::WrongLength { expected: vec![15], actual: 14 })
        );
    }
}
