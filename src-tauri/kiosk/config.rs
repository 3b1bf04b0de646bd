//! The kiosk configuration: a JSON file an installer or administrator places, and the
//! `--kiosk` flag.
//!
//! ```json
//! { "enabled": true, "idle_timeout_secs": 120, "countdown_secs": 30,
//!   "admin_pin_hash": "$argon2id$v=19$m=19456,t=2,p=1$..." }
//! ```
//!
//! Every field is optional. The file is taken whole or not at all: a file that cannot be read
//! or understood (bad JSON, an unknown field, a value out of range, a PIN hash that is not one)
//! never leaves the app half in kiosk mode. It is logged, and the app runs as a kiosk with the
//! defaults and **no administrator PIN** — failing closed, because a file there says an
//! administrator meant this machine to be a kiosk, and a normal start would keep users'
//! sessions in the keyring. Leaving then needs the administrator to fix the file and restart.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::pin::PinHash;

/// The file's name in the OS app-config directory.
pub const FILE_NAME: &str = "kiosk.json";
/// The variable naming another file (tests, unusual installs).
pub const ENV_FILE: &str = "SIGNET_KIOSK_CONFIG";
/// The command-line flag that turns kiosk mode on whatever the file says.
pub const FLAG: &str = "--kiosk";

pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 120;
pub const DEFAULT_COUNTDOWN_SECS: u64 = 30;
const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=86_400;
const COUNTDOWN_RANGE: std::ops::RangeInclusive<u64> = 1..=600;

/// The file as written. Unknown fields are refused, so a misspelt one is not silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KioskFile {
    #[serde(default)]
    enabled: bool,
    idle_timeout_secs: Option<u64>,
    countdown_secs: Option<u64>,
    admin_pin_hash: Option<String>,
}

/// How a kiosk behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskSettings {
    /// Time without input before the sign-out countdown starts.
    pub idle_timeout: Duration,
    /// How long the countdown shows before the user is signed out.
    pub countdown: Duration,
    /// The administrator PIN's hash; `None`: kiosk mode cannot be left from the app.
    pub admin_pin: Option<PinHash>,
    /// Why the file could not be used (defaults are in force), for the log and the admin dialog.
    pub config_problem: Option<String>,
}

impl Default for KioskSettings {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(DEFAULT_IDLE_TIMEOUT_SECS),
            countdown: Duration::from_secs(DEFAULT_COUNTDOWN_SECS),
            admin_pin: None,
            config_problem: None,
        }
    }
}

/// Whether this run is a kiosk.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskMode {
    Off,
    On(KioskSettings),
}

/// What reading the file gave.
#[derive(Debug)]
pub enum FileRead {
    Missing,
    Text(String),
    Unreadable(String),
}

impl FileRead {
    pub fn from_path(path: &Path) -> Self {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::Text(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::Missing,
            Err(e) => Self::Unreadable(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// Decides the mode from the file and the `--kiosk` flag.
pub fn decide(file: FileRead, flag: bool) -> KioskMode {
    let text = match file {
        FileRead::Missing if flag => return KioskMode::On(KioskSettings::default()),
        FileRead::Missing => return KioskMode::Off,
        FileRead::Unreadable(problem) => return locked_down(problem),
        FileRead::Text(text) => text,
    };
    match parse(&text) {
        Ok((enabled, settings)) if enabled || flag => KioskMode::On(settings),
        Ok(_) => KioskMode::Off,
        Err(problem) => locked_down(problem),
    }
}

/// A kiosk with the defaults and no way out from the app: what a file we cannot use gives.
fn locked_down(problem: String) -> KioskMode {
    KioskMode::On(KioskSettings { config_problem: Some(problem), ..KioskSettings::default() })
}

/// Parses the file's text: whether it enables kiosk mode, and the settings it gives.
pub fn parse(text: &str) -> Result<(bool, KioskSettings), String> {
    let file: KioskFile = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        if message.contains("unknown field `admin_pin`") {
            // Said plainly, and without repeating the PIN the file holds.
            "the file holds a plain `admin_pin`: store its hash as `admin_pin_hash` \
             (made by `signet --hash-kiosk-pin`)"
                .to_string()
        } else {
            format!("not a valid kiosk configuration: {message}")
        }
    })?;
    let in_range =
        |name: &str, value: Option<u64>, default: u64, range: &std::ops::RangeInclusive<u64>| {
            let value = value.unwrap_or(default);
            if range.contains(&value) {
                Ok(Duration::from_secs(value))
            } else {
                Err(format!(
                    "{name} must be between {} and {}, not {value}",
                    range.start(),
                    range.end()
                ))
            }
        };
    let idle_timeout = in_range(
        "idle_timeout_secs",
        file.idle_timeout_secs,
        DEFAULT_IDLE_TIMEOUT_SECS,
        &IDLE_TIMEOUT_RANGE,
    )?;
    let countdown =
        in_range("countdown_secs", file.countdown_secs, DEFAULT_COUNTDOWN_SECS, &COUNTDOWN_RANGE)?;
    let admin_pin = file
        .admin_pin_hash
        .map(|hash| PinHash::parse(&hash).map_err(|e| format!("admin_pin_hash: {e}")))
        .transpose()?;
    Ok((file.enabled, KioskSettings { idle_timeout, countdown, admin_pin, config_problem: None }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn on(mode: KioskMode) -> KioskSettings {
        match mode {
            KioskMode::On(settings) => settings,
            KioskMode::Off => panic!("expected kiosk mode"),
        }
    }

    fn text(s: &str) -> FileRead {
        FileRead::Text(s.to_string())
    }

    #[test]
    fn no_file_and_no_flag_is_a_normal_desktop() {
        assert_eq!(decide(FileRead::Missing, false), KioskMode::Off);
    }

    #[test]
    fn the_flag_without_a_file_is_a_kiosk_with_defaults_and_no_way_out() {
        let settings = on(decide(FileRead::Missing, true));
        assert_eq!(settings, KioskSettings::default());
        assert_eq!(settings.idle_timeout, Duration::from_secs(120));
        assert_eq!(settings.countdown, Duration::from_secs(30));
        assert!(settings.admin_pin.is_none());
    }

    #[test]
    fn an_enabled_file_gives_its_settings() {
        let hash = crate::kiosk::pin::hash_pin_for_tests("246810");
        let json = format!(
            r#"{{"enabled": true, "idle_timeout_secs": 3, "countdown_secs": 5, "admin_pin_hash": "{hash}"}}"#
        );
        let settings = on(decide(text(&json), false));
        assert_eq!(settings.idle_timeout, Duration::from_secs(3));
        assert_eq!(settings.countdown, Duration::from_secs(5));
        assert!(settings.admin_pin.is_some_and(|pin| pin.verify("246810")));
        assert!(settings.config_problem.is_none());
    }

    #[test]
    fn missing_fields_take_the_defaults() {
        let settings = on(decide(text(r#"{"enabled": true}"#), false));
        assert_eq!(settings, KioskSettings::default());
    }

    #[test]
    fn a_disabled_file_is_a_normal_desktop_unless_the_flag_is_given() {
        assert_eq!(
            decide(text(r#"{"enabled": false, "idle_timeout_secs": 60}"#), false),
            KioskMode::Off
        );
        assert_eq!(decide(text("{}"), false), KioskMode::Off);
        let settings = on(decide(text(r#"{"enabled": false, "idle_timeout_secs": 60}"#), true));
        assert_eq!(settings.idle_timeout, Duration::from_secs(60));
    }

    #[test]
    fn a_malformed_file_locks_the_kiosk_down_with_defaults_and_no_pin() {
        let hash = crate::kiosk::pin::hash_pin_for_tests("246810");
        for bad in [
            "not json".to_string(),
            r#"{"enabled": true, "idle_timeout_secs": "soon"}"#.to_string(),
            r#"{"enabled": true, "idle_timeout_secs": 0}"#.to_string(),
            r#"{"enabled": true, "countdown_secs": 100000}"#.to_string(),
            r#"{"enabled": true, "idle_timout_secs": 60}"#.to_string(),
            r#"{"enabled": true, "admin_pin_hash": "5f4dcc3b5aa765d61d8327deb882cf99"}"#
                .to_string(),
            // Even when it says disabled: we cannot tell what the administrator meant.
            format!(r#"{{"enabled": false, "countdown_secs": -1, "admin_pin_hash": "{hash}"}}"#),
        ] {
            let settings = on(decide(text(&bad), false));
            assert!(settings.config_problem.is_some(), "{bad}");
            assert!(settings.admin_pin.is_none(), "{bad}");
            assert_eq!(settings.idle_timeout, Duration::from_secs(120), "{bad}");
        }
    }

    #[test]
    fn an_unreadable_file_locks_the_kiosk_down() {
        let settings = on(decide(FileRead::Unreadable("permission denied".into()), false));
        assert_eq!(settings.config_problem.as_deref(), Some("permission denied"));
        assert!(settings.admin_pin.is_none());
    }

    #[test]
    fn a_plain_pin_in_the_file_is_refused_without_repeating_it() {
        let problem = parse(r#"{"enabled": true, "admin_pin": "135790"}"#).unwrap_err();
        assert!(problem.contains("admin_pin_hash"), "{problem}");
        assert!(!problem.contains("135790"), "{problem}");
    }

    #[test]
    fn the_file_is_read_from_disk_and_a_missing_one_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(matches!(FileRead::from_path(&path), FileRead::Missing));
        std::fs::write(&path, r#"{"enabled": true}"#).unwrap();
        assert!(matches!(FileRead::from_path(&path), FileRead::Text(_)));
    }
}
