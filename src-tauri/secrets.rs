//! The OS keyring, the only place a refresh token rests: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows (keyring 3 with those stores named in `Cargo.toml`).
//!
//! A missing entry is `Ok(None)`; a keyring that cannot be used is `keyring_unavailable`. There is
//! no fallback to a file: without a keyring the app asks for the password at each start.

use keyring::Entry;
use signet_domain::{ErrorCode, Sensitive};

use crate::error::{AppError, AppResult};

/// The keyring service name all Signet entries share.
pub const SERVICE: &str = "signet";

#[derive(Clone)]
pub struct Keyring {
    service: String,
}

impl Keyring {
    pub fn new(service: &str) -> Self {
        Self { service: service.to_string() }
    }

    /// Whether a real keyring answers: reading an entry that does not exist must say "no entry".
    pub fn is_available(&self) -> bool {
        match Entry::new(&self.service, "signet-availability-probe") {
            Ok(entry) => matches!(entry.get_password(), Err(keyring::Error::NoEntry) | Ok(_)),
            Err(_) => false,
        }
    }

    pub fn get(&self, account: &str) -> AppResult<Option<Sensitive<String>>> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    pub fn set(&self, account: &str, secret: &Sensitive<String>) -> AppResult<()> {
        self.entry(account)?.set_password(secret.expose()).map_err(|e| unavailable(&e))
    }

    /// Removes the entry; a missing one is fine.
    pub fn delete(&self, account: &str) -> AppResult<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }

    fn entry(&self, account: &str) -> AppResult<Entry> {
        Entry::new(&self.service, account).map_err(|e| unavailable(&e))
    }
}

fn unavailable(err: &keyring::Error) -> AppError {
    AppError::new(ErrorCode::KeyringUnavailable, format!("OS keyring: {err}"))
}
