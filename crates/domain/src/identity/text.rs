//! Input clean-up shared by every number field, and the character classes errors refer to.

use serde::{Deserialize, Serialize};

/// What a rejected character should have been, so the UI can say "position 5 must be a digit".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharacterClass {
    /// `0`-`9`.
    Digit,
    /// `0`-`9` or `X` (the last character of an 18-character number).
    DigitOrX,
    /// `A`-`Z`.
    Letter,
    /// `A`-`Z` or `0`-`9`.
    LetterOrDigit,
}

impl CharacterClass {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Digit => "a digit",
            Self::DigitOrX => "a digit or X",
            Self::Letter => "a letter A-Z",
            Self::LetterOrDigit => "a letter A-Z or a digit",
        }
    }
}

/// Full-width forms typed with a Chinese input method (`１２３`, `ＡＢＣ`, `＋`, the ideographic
/// space) become their ASCII twins; everything else is kept.
pub(crate) fn fold_full_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The common clean-up of a typed number: full-width folded, ASCII letters uppercased, and every
/// whitespace character removed (numbers never contain spaces; people type them to group digits).
pub(crate) fn normalise_number(raw: &str) -> Vec<char> {
    raw.chars()
        .map(fold_full_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Lists lengths for messages: `15 or 18`, `9 or 11`, `6`.
pub(crate) fn or_list<T: std::fmt::Display>(items: &[T]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { " or " } else { ", " });
        }
        out.push_str(&item.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_letters_and_spaces_become_ascii() {
        let folded: String = normalise_number("１１０\u{3000}ａｂ x").into_iter().collect();
        assert_eq!(folded, "110ABX");
    }

    #[test]
    fn or_list_reads_as_english() {
        assert_eq!(or_list(&[6]), "6");
        assert_eq!(or_list(&[15, 18]), "15 or 18");
        assert_eq!(or_list(&["H", "M", "X"]), "H, M or X");
    }
}
