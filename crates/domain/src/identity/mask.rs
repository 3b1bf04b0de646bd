//! What screens, logs and exports show instead of the full value.

use super::phone::normalise_mobile;

/// `510***********123X`: the first 3 and last 4 characters kept, the rest starred.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    keep_ends(&chars, 3, 4)
}

/// Names in logs: the first character and `*`.
pub fn mask_name(name: &str) -> String {
    match name.chars().next() {
        Some(first) => format!("{first}*"),
        None => String::new(),
    }
}

/// `**** **** **** 1234`: the last 4 digits only. Spaces in the input are ignored; a value too
/// short to be a card number (under 12 characters) is starred entirely.
pub fn mask_bank_card(number: &str) -> String {
    let chars: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).collect();
    let last4: String = if chars.len() >= 12 {
        chars[chars.len() - 4..].iter().collect()
    } else {
        "****".to_string()
    };
    format!("**** **** **** {last4}")
}

/// `138****5678`: the first 3 and last 4 digits. A `+86` prefix, spaces and hyphens are
/// dropped first, as [`super::validate_mobile_number`] does.
pub fn mask_phone(number: &str) -> String {
    keep_ends(&normalise_mobile(number), 3, 4)
}

/// The first `head` and last `tail` characters, the rest starred; all starred when that would
/// leave nothing hidden.
fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_number_keeps_its_first_three_and_last_four_characters() {
        assert_eq!(mask_id_number("51010519491231123X"), "510***********123X");
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
    }

    #[test]
    fn short_id_number_is_starred_entirely() {
        assert_eq!(mask_id_number("1234567"), "*******");
    }

    #[test]
    fn name_keeps_its_first_character() {
        assert_eq!(mask_name("张三丰"), "张*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn bank_card_shows_only_its_last_four_digits() {
        assert_eq!(mask_bank_card("6222020200001234562"), "**** **** **** 4562");
        assert_eq!(mask_bank_card("4111 1111 1111 1234"), "**** **** **** 1234");
    }

    #[test]
    fn short_bank_card_value_is_starred_entirely() {
        assert_eq!(mask_bank_card("12345"), "**** **** **** ****");
    }

    #[test]
    fn phone_keeps_its_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "138****5678");
    }
}
