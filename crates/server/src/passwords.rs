//! Password hashing: argon2id in PHC string form. Hashing and verifying are CPU-bound (tens of
//! milliseconds by design), so they run on tokio's blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use signet_domain::Sensitive;

use crate::error::AppError;

/// argon2id cost parameters for new hashes. Existing hashes verify with the parameters stored in
/// them, so raising the cost later does not lock anyone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordCost {
    /// The OWASP recommendation for argon2id (19 MiB, 2 passes, 1 lane); the production default.
    pub const OWASP: Self = Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };

    /// Cheap parameters that keep test suites fast. Never for real accounts.
    pub const FAST_INSECURE_FOR_TESTS: Self =
        Self { memory_kib: 64, iterations: 1, parallelism: 1 };
}

impl Default for PasswordCost {
    fn default() -> Self {
        Self::OWASP
    }
}

/// Hashes new passwords at one cost, and verifies passwords of unknown accounts against a dummy
/// hash of that same cost so that "no such account" takes as long as "wrong password".
#[derive(Debug, Clone)]
pub(crate) struct Passwords {
    argon2: Argon2<'static>,
    dummy_hash: String,
}

impl Passwords {
    pub(crate) async fn new(cost: PasswordCost) -> Result<Self, AppError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| AppError::internal("invalid argon2 parameters", e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let dummy = Sensitive::new(hex::encode(secret));
        let dummy_hash = hash_with(argon2.clone(), dummy).await?;
        Ok(Self { argon2, dummy_hash })
    }

    pub(crate) async fn hash(&self, password: Sensitive<String>) -> Result<String, AppError> {
        hash_with(self.argon2.clone(), password).await
    }

    /// Checks `password` against `stored` (a PHC string), or against the dummy hash when there is
    /// no account, in which case the answer is always `false`.
    pub(crate) async fn verify(
        &self,
        password: Sensitive<String>,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let account_exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let argon2 = self.argon2.clone();
        let matches = tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Err(AppError::internal("stored password hash is unreadable", "bad PHC"));
            };
            Ok(argon2.verify_password(password.expose().as_bytes(), &parsed).is_ok())
        })
        .await??;
        Ok(matches && account_exists)
    }
}

async fn hash_with(
    argon2: Argon2<'static>,
    password: Sensitive<String>,
) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let mut salt_bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt_bytes);
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|e| AppError::internal("cannot encode a salt", e.to_string()))?;
        argon2
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::internal("cannot hash a password", e.to_string()))
    })
    .await?
}
