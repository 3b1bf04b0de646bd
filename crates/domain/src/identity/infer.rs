//! Guessing the document type from the shape of a number, so the form can preselect it.

use super::text::normalise_number;
use super::DocumentType;

/// The document type a number's shape points to, or `None` when no shape fits (or several fit
/// equally, as for foreign passports, whose free form overlaps everything).
///
/// The number is normalised as [`super::validate_document_number`] does. Shapes, first match wins:
///
/// | shape | type |
/// |---|---|
/// | 18 characters, 17 digits + digit/X, starting 810000, 820000 or 830000 | residence permit |
/// | 18 characters, 17 digits + digit/X, starting 9 | foreign permanent (new) |
/// | 18 characters, 17 digits + digit/X | resident ID card |
/// | 15 digits | resident ID card (legacy) |
/// | 3 letters + 12 digits | foreign permanent (old) |
/// | H or M + 8 or 10 digits | HK/Macao permit |
/// | `[EGDSPK]` + 8 digits, `(E[A-F]\|DE\|SE\|PE\|KJ\|MA\|14\|15)` + 7 digits | passport |
/// | 8 or 10 digits | Taiwan permit |
///
/// `H` + 8 digits fits both the HK/Macao permit and the Chinese passport; the permit wins. Hong
/// Kong residents who are Chinese citizens enter and identify themselves in the mainland with the
/// permit (回乡证), not a passport, so on a mainland campus platform the permit is by far the
/// likelier document; the guess is only a preselection the user can change, and the number is
/// valid under both types.
pub fn infer_document_type(raw: &str) -> Option<DocumentType> {
    let chars = normalise_number(raw);
    let digits = |range: &[char]| !range.is_empty() && range.iter().all(char::is_ascii_digit);
    let letters = |range: &[char]| range.iter().all(char::is_ascii_uppercase);
    let text: String = chars.iter().collect();

    match chars.as_slice() {
        [body @ .., last]
            if chars.len() == 18 && digits(body) && (last.is_ascii_digit() || *last == 'X') =>
        {
            if ["810000", "820000", "830000"].iter().any(|p| text.starts_with(p)) {
                Some(DocumentType::ResidencePermit)
            } else if text.starts_with('9') {
                Some(DocumentType::ForeignPermanent)
            } else {
                Some(DocumentType::IdCard)
            }
        }
        all if all.len() == 15 && digits(all) => Some(DocumentType::IdCard),
        all if all.len() == 15 && letters(&all[..3]) && digits(&all[3..]) => {
            Some(DocumentType::ForeignPermanent)
        }
        ['H' | 'M', rest @ ..] if matches!(rest.len(), 8 | 10) && digits(rest) => {
            Some(DocumentType::HkMacaoPermit)
        }
        ['E' | 'G' | 'D' | 'S' | 'P' | 'K', rest @ ..] if rest.len() == 8 && digits(rest) => {
            Some(DocumentType::Passport)
        }
        [a, b, rest @ ..]
            if rest.len() == 7 && digits(rest) && is_chinese_passport_pair(*a, *b) =>
        {
            Some(DocumentType::Passport)
        }
        all if matches!(all.len(), 8 | 10) && digits(all) => Some(DocumentType::TaiwanPermit),
        _ => None,
    }
}

/// The two-character prefixes of 9-character Chinese passports: `E[A-F]`, `DE`, `SE`, `PE`,
/// `KJ`, `MA`, `14`, `15`.
fn is_chinese_passport_pair(a: char, b: char) -> bool {
    matches!(
        (a, b),
        ('E', 'A'..='F')
            | ('D', 'E')
            | ('S', 'E')
            | ('P', 'E')
            | ('K', 'J')
            | ('M', 'A')
            | ('1', '4')
            | ('1', '5')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_character_id_number_is_an_id_card() {
        assert_eq!(infer_document_type("11010519491231002X"), Some(DocumentType::IdCard));
        assert_eq!(infer_document_type("11010519491231002x"), Some(DocumentType::IdCard));
    }

    #[test]
    fn fifteen_digit_number_is_a_legacy_id_card() {
        assert_eq!(infer_document_type("110105491231002"), Some(DocumentType::IdCard));
    }

    #[test]
    fn numbers_starting_810000_820000_830000_are_residence_permits() {
        for raw in ["810000199408230021", "820000199408230021", "830000200002290015"] {
            assert_eq!(infer_document_type(raw), Some(DocumentType::ResidencePermit), "{raw}");
        }
    }

    #[test]
    fn eighteen_digits_starting_with_9_are_a_foreign_permanent_id() {
        assert_eq!(infer_document_type("911840199001010018"), Some(DocumentType::ForeignPermanent));
    }

    #[test]
    fn three_letters_and_twelve_digits_are_an_old_foreign_permanent_card() {
        assert_eq!(infer_document_type("USA110080010111"), Some(DocumentType::ForeignPermanent));
    }

    #[test]
    fn h_or_m_with_8_or_10_digits_is_a_hk_macao_permit() {
        for raw in ["M12345678", "H1234567801", "M1234567801"] {
            assert_eq!(infer_document_type(raw), Some(DocumentType::HkMacaoPermit), "{raw}");
        }
    }

    #[test]
    fn h_with_8_digits_is_taken_for_a_hk_permit_rather_than_a_passport() {
        assert_eq!(infer_document_type("H12345678"), Some(DocumentType::HkMacaoPermit));
    }

    #[test]
    fn chinese_passport_shapes_are_passports() {
        for raw in [
            "E12345678",
            "G12345678",
            "K12345678",
            "EA1234567",
            "DE1234567",
            "MA1234567",
            "141234567",
        ] {
            assert_eq!(infer_document_type(raw), Some(DocumentType::Passport), "{raw}");
        }
    }

    #[test]
    fn eight_or_ten_digits_are_a_taiwan_permit() {
        assert_eq!(infer_document_type("12345678"), Some(DocumentType::TaiwanPermit));
        assert_eq!(infer_document_type("1234567890"), Some(DocumentType::TaiwanPermit));
    }

    #[test]
    fn shapes_that_fit_nothing_are_not_guessed() {
        for raw in ["", "ABC", "X1234567", "123456789012", "C01X00T47"] {
            assert_eq!(infer_document_type(raw), None, "{raw}");
        }
    }
}
