//! The administrator PIN that leaves kiosk mode: kept in the configuration only as an argon2id
//! hash in PHC form (salted, deliberately slow, as the platform keeps passwords), checked here
//! in Rust (the UI never sees the hash), and rate-limited: five wrong PINs lock the dialog for
//! five minutes.
//!
//! A PIN is short, so its hash could be guessed offline by whoever reads the file: the file
//! should be readable by administrators only, and the PIN long (at least [`MIN_PIN_CHARS`]).

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// Wrong PINs in a row before the dialog locks.
pub const MAX_WRONG_PINS: u32 = 5;
/// How long it stays locked.
pub const LOCK_FOR: Duration = Duration::from_secs(5 * 60);
/// The shortest PIN `--hash-kiosk-pin` accepts.
pub const MIN_PIN_CHARS: usize = 6;
const MAX_PIN_CHARS: usize = 128;

/// An argon2id PHC string, checked when the configuration is read. `Debug` does not show it.
#[derive(Clone, PartialEq)]
pub struct PinHash(String);

impl std::fmt::Debug for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHash(..)")
    }
}

impl PinHash {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = PasswordHash::new(text)
            .map_err(|e| format!("not an argon2id hash in PHC form ({e})"))?;
        if parsed.algorithm.as_str() != "argon2id" || parsed.hash.is_none() {
            return Err("not an argon2id hash in PHC form".into());
        }
        Ok(Self(text.to_string()))
    }

    /// Whether `pin` is the PIN (CPU-bound: tens of milliseconds by design).
    pub fn verify(&self, pin: &str) -> bool {
        if pin.is_empty() || pin.chars().count() > MAX_PIN_CHARS {
            return false;
        }
        let Ok(parsed) = PasswordHash::new(&self.0) else { return false };
        Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok()
    }
}

/// Why a new PIN is refused by `--hash-kiosk-pin`.
pub fn check_new_pin(pin: &str) -> Result<(), String> {
    let chars = pin.chars().count();
    if chars < MIN_PIN_CHARS {
        return Err(format!("the PIN must have at least {MIN_PIN_CHARS} characters"));
    }
    if chars > MAX_PIN_CHARS {
        return Err(format!("the PIN must have at most {MAX_PIN_CHARS} characters"));
    }
    if pin.chars().any(char::is_control) {
        return Err("the PIN must not contain control characters".into());
    }
    Ok(())
}

/// Hashes a new PIN with the platform's password cost (OWASP's argon2id: 19 MiB, 2 passes).
pub fn hash_pin(pin: &str) -> Result<String, String> {
    check_new_pin(pin)?;
    hash_with(pin, Params::new(19 * 1024, 2, 1, None).map_err(|e| e.to_string())?)
}

fn hash_with(pin: &str, params: Params) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// A hash made with cheap parameters, so that tests stay fast. Never for a real kiosk.
#[doc(hidden)]
pub fn hash_pin_for_tests(pin: &str) -> String {
    let params = Params::new(64, 1, 1, None).unwrap_or_default();
    hash_with(pin, params).unwrap_or_default()
}

/// What the administrator's attempt gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Accepted,
    Wrong {
        attempts_left: u32,
    },
    /// Too many wrong PINs: nothing is checked until then.
    Locked {
        retry_after: Duration,
    },
    /// The configuration has no PIN: kiosk mode cannot be left from the app.
    NoPin,
}

/// Counts wrong PINs for the rate limit. Lives as long as the app runs (a restart needs the OS,
/// which an administrator has and a passer-by should not).
#[derive(Debug, Default)]
pub struct PinGate {
    wrong: u32,
    locked_until: Option<Instant>,
}

impl PinGate {
    /// Whether an attempt may be checked now; `Err` carries how long to wait.
    pub fn admit(&mut self, now: Instant) -> Result<(), Duration> {
        match self.locked_until {
            Some(until) if now < until => Err(until - now),
            Some(_) => {
                self.locked_until = None;
                self.wrong = 0;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records the result of a checked attempt.
    pub fn record(&mut self, now: Instant, correct: bool) -> PinOutcome {
        if correct {
            self.wrong = 0;
            return PinOutcome::Accepted;
        }
        self.wrong += 1;
        if self.wrong >= MAX_WRONG_PINS {
            self.locked_until = Some(now + LOCK_FOR);
            return PinOutcome::Locked { retry_after: LOCK_FOR };
        }
        PinOutcome::Wrong { attempts_left: MAX_WRONG_PINS - self.wrong }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn attempt(gate: &mut PinGate, now: Instant, hash: &PinHash, pin: &str) -> PinOutcome {
        match gate.admit(now) {
            Err(retry_after) => PinOutcome::Locked { retry_after },
            Ok(()) => gate.record(now, hash.verify(pin)),
        }
    }

    #[test]
    fn the_right_pin_is_accepted_and_a_wrong_one_is_not() {
        let hash = PinHash::parse(&hash_pin_for_tests("246810")).unwrap();
        assert!(hash.verify("246810"));
        assert!(!hash.verify("246811"));
        assert!(!hash.verify(""));
        assert!(!hash.verify(" 246810"));
    }

    #[test]
    fn the_same_pin_hashes_differently_each_time() {
        assert_ne!(hash_pin_for_tests("246810"), hash_pin_for_tests("246810"));
    }

    #[test]
    fn a_real_hash_uses_the_platforms_password_cost_and_verifies() {
        let hash = hash_pin("24681012").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(PinHash::parse(&hash).unwrap().verify("24681012"));
    }

    #[test]
    fn short_pins_are_refused_when_hashing() {
        assert!(hash_pin("1234").is_err());
        assert!(check_new_pin("123456").is_ok());
        assert!(check_new_pin("12345\n6").is_err());
    }

    #[test]
    fn only_argon2id_phc_strings_are_pin_hashes() {
        assert!(PinHash::parse("246810").is_err());
        assert!(PinHash::parse(&hex::encode([7u8; 32])).is_err());
        assert!(PinHash::parse("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo").is_err());
    }

    #[test]
    fn the_hash_never_shows_in_debug() {
        let hash = PinHash::parse(&hash_pin_for_tests("246810")).unwrap();
        assert_eq!(format!("{hash:?}"), "PinHash(..)");
    }

    #[test]
    fn five_wrong_pins_lock_the_dialog_for_five_minutes() {
        let hash = PinHash::parse(&hash_pin_for_tests("246810")).unwrap();
        let mut gate = PinGate::default();
        let start = Instant::now();
        for left in (1..MAX_WRONG_PINS).rev() {
            assert_eq!(
                attempt(&mut gate, start, &hash, "000000"),
                PinOutcome::Wrong { attempts_left: left }
            );
        }
        assert_eq!(
            attempt(&mut gate, start, &hash, "000000"),
            PinOutcome::Locked { retry_after: LOCK_FOR }
        );
        // While locked even the right PIN is not checked.
        let later = start + Duration::from_secs(60);
        assert_eq!(
            attempt(&mut gate, later, &hash, "246810"),
            PinOutcome::Locked { retry_after: LOCK_FOR - Duration::from_secs(60) }
        );
        // Afterwards it is, with a fresh count.
        let after = start + LOCK_FOR;
        assert_eq!(
            attempt(&mut gate, after, &hash, "111111"),
            PinOutcome::Wrong { attempts_left: 4 }
        );
        assert_eq!(attempt(&mut gate, after, &hash, "246810"), PinOutcome::Accepted);
    }

    #[test]
    fn a_right_pin_resets_the_count() {
        let hash = PinHash::parse(&hash_pin_for_tests("246810")).unwrap();
        let mut gate = PinGate::default();
        let now = Instant::now();
        for _ in 0..3 {
            attempt(&mut gate, now, &hash, "000000");
        }
        assert_eq!(attempt(&mut gate, now, &hash, "246810"), PinOutcome::Accepted);
        assert_eq!(
            attempt(&mut gate, now, &hash, "000000"),
            PinOutcome::Wrong { attempts_left: 4 }
        );
    }
}
