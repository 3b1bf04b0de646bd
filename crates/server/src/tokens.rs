//! Random values: opaque tokens (handed to clients, stored only as SHA-256 hashes) and row ids.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use signet_domain::Sensitive;

/// A fresh opaque token: 32 random bytes, base64url without padding (43 characters).
pub(crate) fn new_token() -> Sensitive<String> {
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG seeded from the operating system.
    rand::thread_rng().fill_bytes(&mut bytes);
    Sensitive::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of `value`, in lowercase hex: how tokens (and identity numbers) are stored.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A fresh row id: 16 random bytes in hex.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.expose().len(), 43);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn sha256_hex_matches_the_standard_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
