//! Names as written on the document (姓名).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::text::fold_full_width;
use super::{mask_name, DocumentType};

pub const NAME_MIN_CHARS: usize = 2;
pub const NAME_MAX_CHARS: usize = 30;
/// The middle dot of transliterated names (阿卜杜·买买提), U+00B7.
const MIDDLE_DOT: char = '\u{00B7}';

/// A name that passed [`validate_name`], normalised. `Debug` shows only the first character.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidName(String);

impl ValidName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Whether bank and carrier checks can match this name; see
    /// [`is_accepted_by_carriers_and_banks`].
    pub fn is_accepted_by_carriers_and_banks(&self) -> bool {
        is_accepted_by_carriers_and_banks(&self.0)
    }
}

impl fmt::Debug for ValidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ValidName").field(&mask_name(&self.0)).finish()
    }
}

/// Why a name is rejected. Positions are 1-based characters of the name after trimming and
/// normalisation (see [`validate_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    /// A tab, line break or other control character; `code_point` because it cannot be shown.
    #[error("character {position} is the control character U+{code_point:04X}")]
    ControlCharacter { position: usize, code_point: u32 },
    #[error("character {position} is the digit {found:?}")]
    Digit { position: usize, found: char },
    /// Latin letters are allowed only in passport names.
    #[error("character {position} is the Latin letter {found:?}, allowed only for passports")]
    LatinNotAllowed { position: usize, found: char },
    /// A symbol, a space outside passport names, or a letter of another script.
    #[error("character {position} ({found:?}) is not allowed in a name")]
    InvalidCharacter { position: usize, found: char },
    /// A `·`, space, hyphen or apostrophe at the start or end, or next to another one.
    #[error("separator {found:?} at character {position} must stand between two letters")]
    MisplacedSeparator { position: usize, found: char },
    #[error("the name has {actual} characters, at least {min} are needed")]
    TooShort { min: usize, actual: usize },
    #[error("the name has {actual} characters, at most {max} are allowed")]
    TooLong { max: usize, actual: usize },
}

/// Checks a name as typed and returns it normalised.
///
/// Normalisation: surrounding whitespace trimmed; `•` (U+2022) and `・` (U+30FB) become `·`
/// (U+00B7); full-width forms become ASCII; the ideographic and no-break spaces become a plain
/// space and `’` becomes `'` (both allowed in passport names only); in passport names runs of
/// spaces become one.
///
/// Allowed: Chinese characters (all CJK ideograph blocks, so rare characters outside the BMP
/// pass) and `·` for every document; for passports also Latin letters (with accents and
/// combining accents), spaces, hyphens and apostrophes. Letters of other scripts are rejected:
/// passport names are entered in their Latin form. Separators stand between letters.
/// Then 2-30 characters.
pub fn validate_name(document_type: DocumentType, raw: &str) -> Result<ValidName, NameError> {
    let latin_allowed = document_type == DocumentType::Passport;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    let mut chars: Vec<char> = Vec::with_capacity(trimmed.len());
    for c in trimmed.chars().map(normalise_char) {
        if !(latin_allowed && c == ' ' && chars.last() == Some(&' ')) {
            chars.push(c);
        }
    }

    let mut previous: Option<Kind> = None;
    for (index, &c) in chars.iter().enumerate() {
        let position = index + 1;
        let kind = classify(c, latin_allowed, position)?;
        match (previous, kind) {
            (None | Some(Kind::Separator), Kind::Separator) => {
                return Err(NameError::MisplacedSeparator { position, found: c });
            }
            (None | Some(Kind::Separator | Kind::Chinese), Kind::Mark) => {
                return Err(NameError::InvalidCharacter { position, found: c });
            }
            _ => {}
        }
        previous = Some(kind);
    }
    if previous == Some(Kind::Separator) {
        if let Some(&found) = chars.last() {
            return Err(NameError::MisplacedSeparator { position: chars.len(), found });
        }
    }

    let actual = chars.len();
    if actual < NAME_MIN_CHARS {
        return Err(NameError::TooShort { min: NAME_MIN_CHARS, actual });
    }
    if actual > NAME_MAX_CHARS {
        return Err(NameError::TooLong { max: NAME_MAX_CHARS, actual });
    }
    Ok(ValidName(chars.into_iter().collect()))
}

/// Whether carrier (phone) and bank checks can match the name: they accept only Chinese
/// characters and `·` (U+00B7). Any other name, one with Latin letters in particular, can use
/// manual review only. Expects a validated name.
pub fn is_accepted_by_carriers_and_banks(name: &str) -> bool {
    name.chars().any(is_chinese_character)
        && name.chars().all(|c| is_chinese_character(c) || c == MIDDLE_DOT)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Chinese,
    Latin,
    /// A combining accent, allowed after a Latin letter.
    Mark,
    Separator,
}

fn normalise_char(c: char) -> char {
    match c {
        '\u{2022}' | '\u{30FB}' => MIDDLE_DOT,
        '\u{00A0}' => ' ',
        '\u{2019}' => '\'',
        _ => fold_full_width(c),
    }
}

fn classify(c: char, latin_allowed: bool, position: usize) -> Result<Kind, NameError> {
    if c.is_control() {
        return Err(NameError::ControlCharacter { position, code_point: u32::from(c) });
    }
    if is_chinese_character(c) {
        return Ok(Kind::Chinese);
    }
    if c == MIDDLE_DOT || (latin_allowed && matches!(c, ' ' | '-' | '\'')) {
        return Ok(Kind::Separator);
    }
    if is_latin_letter(c) {
        return if latin_allowed {
            Ok(Kind::Latin)
        } else {
            Err(NameError::LatinNotAllowed { position, found: c })
        };
    }
    if latin_allowed && ('\u{0300}'..='\u{036F}').contains(&c) {
        return Ok(Kind::Mark);
    }
    if c.is_numeric() {
        return Err(NameError::Digit { position, found: c });
    }
    Err(NameError::InvalidCharacter { position, found: c })
}

/// CJK ideographs: the unified blocks with extensions A to J, the compatibility blocks, and `〇`.
fn is_chinese_character(c: char) -> bool {
    matches!(
        c,
        '\u{3007}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2EE5F}'
            | '\u{2F800}'..='\u{2FA1F}'
            | '\u{30000}'..='\u{3347F}'
    )
}

/// ASCII letters and the accented letters of Latin-1, Latin Extended-A/B and Latin Extended
/// Additional (é, ü, ł, ş, ạ ...).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chinese(raw: &str) -> Result<ValidName, NameError> {
        validate_name(DocumentType::IdCard, raw)
    }

    fn passport(raw: &str) -> Result<ValidName, NameError> {
        validate_name(DocumentType::Passport, raw)
    }

    #[test]
    fn two_chinese_characters_are_a_valid_name() {
        assert_eq!(chinese("张三").map(ValidName::into_string), Ok("张三".to_string()));
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(chinese(" \u{3000}张三 ").map(ValidName::into_string), Ok("张三".to_string()));
    }

    #[test]
    fn bullet_and_katakana_middle_dots_become_the_middle_dot() {
        let expected = Ok("阿卜杜·买买提".to_string());
        assert_eq!(chinese("阿卜杜\u{2022}买买提").map(ValidName::into_string), expected);
        assert_eq!(chinese("阿卜杜\u{30FB}买买提").map(ValidName::into_string), expected);
        assert_eq!(chinese("阿卜杜\u{00B7}买买提").map(ValidName::into_string), expected);
    }

    #[test]
    fn rare_characters_outside_the_basic_plane_are_accepted() {
        assert_eq!(chinese("王\u{20000}").map(ValidName::into_string), Ok("王\u{20000}".into()));
    }

    #[test]
    fn digits_are_rejected_with_their_position() {
        assert_eq!(chinese("张3"), Err(NameError::Digit { position: 2, found: '3' }));
        assert_eq!(passport("JOHN 2"), Err(NameError::Digit { position: 6, found: '2' }));
    }

    #[test]
    fn control_characters_are_rejected_with_their_code_point() {
        assert_eq!(
            chinese("张\t三"),
            Err(NameError::ControlCharacter { position: 2, code_point: 9 })
        );
        assert_eq!(
            passport("JOHN\u{0}SMITH"),
            Err(NameError::ControlCharacter { position: 5, code_point: 0 })
        );
    }

    #[test]
    fn latin_letters_are_rejected_outside_passports() {
        assert_eq!(chinese("John"), Err(NameError::LatinNotAllowed { position: 1, found: 'J' }));
        assert_eq!(
            validate_name(DocumentType::HkMacaoPermit, "陈Ka"),
            Err(NameError::LatinNotAllowed { position: 2, found: 'K' })
        );
    }

    #[test]
    fn passport_names_may_have_latin_letters_spaces_hyphens_and_apostrophes() {
        for raw in ["John Smith", "O'Brien-Smith", "José Núñez", "Jose\u{0301}", "李Lee"] {
            assert!(passport(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn passport_names_collapse_runs_of_spaces_and_straighten_apostrophes() {
        assert_eq!(
            passport("JOHN  O\u{2019}BRIEN").map(ValidName::into_string),
            Ok("JOHN O'BRIEN".to_string())
        );
    }

    #[test]
    fn spaces_are_rejected_inside_chinese_names() {
        assert_eq!(chinese("张 三"), Err(NameError::InvalidCharacter { position: 2, found: ' ' }));
    }

    #[test]
    fn symbols_are_rejected() {
        assert_eq!(chinese("张@三"), Err(NameError::InvalidCharacter { position: 2, found: '@' }));
        assert_eq!(
            passport("JOHN_SMITH"),
            Err(NameError::InvalidCharacter { position: 5, found: '_' })
        );
    }

    #[test]
    fn letters_of_other_scripts_are_rejected_even_for_passports() {
        assert_eq!(passport("Иван"), Err(NameError::InvalidCharacter { position: 1, found: 'И' }));
    }

    #[test]
    fn separator_at_the_start_or_end_is_misplaced() {
        assert_eq!(
            chinese("·张三"),
            Err(NameError::MisplacedSeparator { position: 1, found: '·' })
        );
        assert_eq!(
            chinese("张三·"),
            Err(NameError::MisplacedSeparator { position: 3, found: '·' })
        );
        assert_eq!(
            passport("-JOHN"),
            Err(NameError::MisplacedSeparator { position: 1, found: '-' })
        );
    }

    #[test]
    fn two_separators_in_a_row_are_misplaced() {
        assert_eq!(
            chinese("张··三"),
            Err(NameError::MisplacedSeparator { position: 3, found: '·' })
        );
        assert_eq!(
            passport("O'-BRIEN"),
            Err(NameError::MisplacedSeparator { position: 3, found: '-' })
        );
    }

    #[test]
    fn combining_accent_must_follow_a_latin_letter() {
        assert_eq!(
            passport("JOHN \u{0301}X"),
            Err(NameError::InvalidCharacter { position: 6, found: '\u{0301}' })
        );
    }

    #[test]
    fn empty_name_is_rejected_as_empty() {
        assert_eq!(chinese("  "), Err(NameError::Empty));
    }

    #[test]
    fn one_character_is_too_short() {
        assert_eq!(chinese("张"), Err(NameError::TooShort { min: 2, actual: 1 }));
    }

    #[test]
    fn thirty_characters_are_allowed_and_thirty_one_are_too_long() {
        assert!(chinese(&"张".repeat(30)).is_ok());
        assert_eq!(chinese(&"张".repeat(31)), Err(NameError::TooLong { max: 30, actual: 31 }));
    }

    #[test]
    fn debug_output_shows_only_the_first_character() {
        let name = chinese("张三丰").expect("valid");
        assert_eq!(format!("{name:?}"), "ValidName(\"张*\")");
    }

    #[test]
    fn valid_name_serialises_as_its_text() {
        let name = chinese("张三").expect("valid");
        assert_eq!(serde_json::to_value(&name).ok(), Some(serde_json::json!("张三")));
    }

    #[test]
    fn name_errors_serialise_with_a_kind_tag() {
        let error = NameError::Digit { position: 2, found: '3' };
        assert_eq!(
            serde_json::to_value(&error).ok(),
            Some(serde_json::json!({"kind": "digit", "position": 2, "found": "3"}))
        );
    }

    #[test]
    fn carriers_and_banks_accept_only_chinese_characters_and_the_middle_dot() {
        assert!(is_accepted_by_carriers_and_banks("张三"));
        assert!(is_accepted_by_carriers_and_banks("阿卜杜·买买提"));
        assert!(!is_accepted_by_carriers_and_banks("John Smith"));
        assert!(!is_accepted_by_carriers_and_banks("李Lee"));
        assert!(!is_accepted_by_carriers_and_banks("·"));
        assert!(!is_accepted_by_carriers_and_banks(""));
    }
}
