//! Secrets the server generates for itself, once per database (table `server_secrets`), so they
//! survive restarts: the key with which identity numbers are hashed ([`IdentityHasher`]).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::{AnyPool, Row};

use crate::error::AppError;

/// The `server_secrets` row holding the identity-number HMAC key.
const IDENTITY_HMAC_KEY: &str = "identity_hmac";
const KEY_BYTES: usize = 32;

/// Hashes identity numbers with HMAC-SHA256 under the server's own key. Unlike a plain SHA-256,
/// the result cannot be reversed by trying every possible ID number without the key, yet the
/// same number always gives the same value, so numbers can be recognised and counted.
#[derive(Clone)]
pub struct IdentityHasher {
    key: Vec<u8>,
}

impl IdentityHasher {
    /// A hasher with a given key (tests and tools; the server loads its own from the database).
    pub fn with_key(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    /// HMAC-SHA256 of the normalised number (no spaces, upper case, 18 characters for resident
    /// ID numbers: what `ValidNumber::number` returns), in lowercase hex.
    pub fn hmac_hex(&self, normalised_number: &str) -> String {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable_key_length(),
        };
        mac.update(normalised_number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// HMAC-SHA256 of `purpose`, a NUL byte and `value`, raw: keyed values other than identity
    /// numbers (phone numbers, SMS codes, the keystream that seals a phone number), each
    /// purpose apart from the others and from [`Self::hmac_hex`] of identity numbers.
    pub(crate) fn keyed(&self, purpose: &str, value: &str) -> [u8; 32] {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable_key_length(),
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Loads the key from `server_secrets`, generating and storing it on first use. Two servers
    /// opening a new database at once agree on one key: the insert is `ON CONFLICT DO NOTHING`
    /// and both read back whichever row won.
    pub(crate) async fn load_or_create(pool: &AnyPool, now: i64) -> Result<Self, AppError> {
        let mut key = [0u8; KEY_BYTES];
        rand::thread_rng().fill_bytes(&mut key);
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(IDENTITY_HMAC_KEY)
        .bind(hex::encode(key))
        .bind(now)
        .execute(pool)
        .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(IDENTITY_HMAC_KEY)
            .fetch_one(pool)
            .await?;
        let value: String = row.try_get("value")?;
        let key = hex::decode(value.trim())
            .map_err(|e| AppError::internal("corrupt server secret", e))?;
        if key.len() < 16 {
            return Err(AppError::internal(
                "corrupt server secret",
                "identity_hmac key is too short",
            ));
        }
        Ok(Self { key })
    }
}

#[cold]
fn unreachable_key_length() -> ! {
    // `Hmac::new_from_slice` only refuses key lengths for MACs with fixed-size keys.
    panic!("HMAC-SHA256 accepts keys of any length")
}

impl std::fmt::Debug for IdentityHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityHasher(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_test_case_2() {
        let hasher = IdentityHasher::with_key(b"Jefe");
        assert_eq!(
            hasher.hmac_hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn different_keys_give_different_hashes_of_the_same_number() {
        let a = IdentityHasher::with_key(&[1; 32]).hmac_hex("11010519491231002X");
        let b = IdentityHasher::with_key(&[2; 32]).hmac_hex("11010519491231002X");
        assert_ne!(a, b);
    }
}
