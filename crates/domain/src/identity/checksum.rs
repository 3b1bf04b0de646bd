//! The check-character algorithms the number rules rely on.

/// ISO 7064 MOD 11-2 as GB 11643-1999 applies it: S = Σ aᵢ·wᵢ over the first 17 digits with the
/// weights below, and the check character is `"10X98765432"[S mod 11]`. Used by the resident ID
/// card, the residence permit and the new foreign permanent resident ID.
///
/// `None` if `body` is not exactly 17 ASCII digits.
pub(crate) fn mod11_2_check(body: &[char]) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if body.len() != WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in body.iter().zip(WEIGHTS) {
        sum += c.to_digit(10)? * weight;
    }
    CHECK.get((sum % 11) as usize).copied()
}

/// The 7-3-1 check digit of the old (2004-2017) foreign permanent resident card number
/// `^[A-Z]{3}\d{12}$`, whose last digit is the check digit.
///
/// The spec only names the method, and no official description of this card's check digit was
/// found, so this is the ICAO 9303 (machine-readable travel documents) 7-3-1 computation, the
/// common meaning of "7-3-1": every character of the body (the first 14) gets a value (digits
/// 0-9 themselves, letters A=10 ... Z=35), the values are multiplied by the weights 7, 3, 1,
/// 7, 3, 1, ... from the left, and the check digit is the sum modulo 10.
///
/// `None` if `body` holds anything but ASCII digits and uppercase letters.
pub(crate) fn icao_7_3_1_check(body: &[char]) -> Option<char> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0;
    for (c, weight) in body.iter().zip(WEIGHTS.iter().cycle()) {
        let value = match c {
            '0'..='9' | 'A'..='Z' => c.to_digit(36)?,
            _ => return None,
        };
        sum += value * weight;
    }
    char::from_digit(sum % 10, 10)
}

/// The Luhn (mod 10) test of bank card numbers: from the right, every second digit is doubled
/// (minus 9 when above 9), and the total must be a multiple of 10. False if any non-digit.
pub(crate) fn luhn_passes(digits: &[char]) -> bool {
    let mut sum = 0;
    for (i, c) in digits.iter().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else { return false };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn mod11_2_gives_x_for_the_textbook_example() {
        assert_eq!(mod11_2_check(&chars("11010519491231002")), Some('X'));
    }

    #[test]
    fn mod11_2_needs_exactly_17_digits() {
        assert_eq!(mod11_2_check(&chars("1101051949123100")), None);
        assert_eq!(mod11_2_check(&chars("1101051949123100A")), None);
    }

    #[test]
    fn seven_three_one_values_letters_from_ten() {
        // U=30 S=28 A=10: 30*7 + 28*3 + 10*1 = 304; the digits 1 1 0 0 8 0 0 1 0 1 1, weighted
        // 7 3 1 7 3 1 7 3 1 7 3, add 7+3+24+3+7+3 = 47; 351 mod 10 = 1.
        assert_eq!(icao_7_3_1_check(&chars("USA11008001011")), Some('1'));
    }

    #[test]
    fn seven_three_one_rejects_lowercase_and_symbols() {
        assert_eq!(icao_7_3_1_check(&chars("usa1")), None);
        assert_eq!(icao_7_3_1_check(&chars("USA-1")), None);
    }

    #[test]
    fn luhn_accepts_the_classic_test_card() {
        assert!(luhn_passes(&chars("4111111111111111")));
        assert!(!luhn_passes(&chars("4111111111111112")));
    }
}
