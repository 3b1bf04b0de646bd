//! "Export diagnostics": one text file a user can send to support, saying what the app is, what
//! it is connected to, what waits to sync, and what it logged lately.
//!
//! The log is kept free of personal data where it is written (nothing logs identity numbers,
//! names, phones, cards or tokens); [`redact`] is the last line of defence, run over everything
//! the file holds: identity numbers, phones, card and other long numbers, e-mail addresses,
//! bearer tokens and long random strings, `password=`/`token=` values, the names and accounts
//! of this device's users, and the home directory (which often carries the user's name).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use regex::{Captures, Regex};
use signet_domain::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::logging::LogFiles;
use crate::session::Session;

/// How many of the latest log lines the file carries.
pub const LOG_LINES: usize = 300;

/// Writes the diagnostics file into the first of `dirs` that exists and takes it (the user's
/// Downloads directory, then the app's data directory, which is created if need be), and
/// returns its path.
pub async fn export(
    session: &Session,
    logs: &LogFiles,
    dirs: &[PathBuf],
    now: SystemTime,
) -> AppResult<PathBuf> {
    let text = report(session, logs, now).await;
    let path = write_report(&text, dirs, now)?;
    tracing::info!("diagnostics exported");
    Ok(path)
}

/// The diagnostics text, already redacted.
pub async fn report(session: &Session, logs: &LogFiles, now: SystemTime) -> String {
    let store = session.store();
    let pool = store.pool();
    let scalar = |sql: &'static str| async move {
        match sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await {
            Ok(n) => n.to_string(),
            Err(e) => format!("unknown ({e})"),
        }
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let server = session.server_url().await.unwrap_or_default();

    let mut out = String::from("Signet diagnostics\n\n");
    let mut line = |key: &str, value: &str| {
        let _ = writeln!(out, "{key:<22} {value}");
    };
    line("generated (UTC)", &utc_timestamp(now, true));
    line("app version", crate::app_version());
    line("os", &format!("{} {} ({})", std::env::consts::OS, os_version(), std::env::consts::ARCH));
    line("webview", &tauri::webview_version().unwrap_or_else(|e| format!("unknown ({e})")));
    line("platform host", &crate::platform::server_host(&server));
    line("online", yes_no(session.is_online()));
    line("signed in", yes_no(session.has_user().await));
    line("keyring available", yes_no(session.keyring_available()));
    line("store schema", &schema(pool).await);
    line("signatures cached", &scalar("SELECT COUNT(*) FROM signatures").await);
    line("outbox pending", &scalar("SELECT COUNT(*) FROM outbox WHERE failure IS NULL").await);
    line("outbox failed", &scalar("SELECT COUNT(*) FROM outbox WHERE failure IS NOT NULL").await);
    line(
        "log directory",
        &logs.dir().map_or_else(|| "none (stderr only)".into(), |d| d.display().to_string()),
    );
    let recent = logs.recent_lines(LOG_LINES);
    let _ = writeln!(out, "\n--- last {} log lines ---", recent.len());
    for l in recent {
        out.push_str(&l);
        out.push('\n');
    }

    if let Some(home) = dirs::home_dir().map(|h| h.display().to_string()) {
        if home.len() > 1 {
            out = out.replace(&home, "~");
        }
    }
    redact(&out, &known_personal_values(session).await)
}

/// The local store's migrations, named rather than numbered (a version is a 14-digit number,
/// which the redaction would take for a card).
async fn schema(pool: &sqlx::SqlitePool) -> String {
    let applied: Result<Vec<(String,)>, _> = sqlx::query_as(
        "SELECT description FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
    )
    .fetch_all(pool)
    .await;
    match applied {
        Ok(applied) => match applied.last() {
            Some((latest,)) => format!("{} migrations, latest: {latest}", applied.len()),
            None => "no migrations".into(),
        },
        Err(e) => format!("unknown ({e})"),
    }
}

/// The accounts and display names this device has seen: the cached profiles and the last
/// account typed into the sign-in form.
async fn known_personal_values(session: &Session) -> Vec<String> {
    let pool = session.store().pool();
    let mut values = Vec::new();
    let profiles: Vec<(String,)> = sqlx::query_as("SELECT profile_json FROM profile_cache")
        .fetch_all(pool)
        .await
        .unwrap_or_default();
    for (json,) in profiles {
        if let Ok(profile) = serde_json::from_str::<signet_domain::api::Profile>(&json) {
            values.push(profile.account);
            values.push(profile.display_name);
        }
    }
    if let Ok(Some(account)) = session.last_account().await {
        values.push(account);
    }
    values
}

/// Writes `text` as `signet-diagnostics-YYYYMMDD-HHMMSSZ.txt` (UTC, like the log's own times)
/// into the first of `dirs` that exists and can be written to; the last one is created when
/// missing. Never overwrites a file.
pub fn write_report(text: &str, dirs: &[PathBuf], now: SystemTime) -> AppResult<PathBuf> {
    let stamp = utc_timestamp(now, false);
    let mut failures = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        if !dir.is_dir() {
            if i + 1 < dirs.len() {
                failures.push(format!("{}: not a directory", dir.display()));
                continue;
            }
            if let Err(e) = std::fs::create_dir_all(dir) {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
        }
        match write_new(dir, &stamp, text) {
            Ok(path) => return Ok(path),
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    Err(AppError::new(
        ErrorCode::Internal,
        format!("could not write the diagnostics file ({})", failures.join("; ")),
    ))
}

fn write_new(dir: &Path, stamp: &str, text: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    for n in 1..100 {
        let name = if n == 1 {
            format!("signet-diagnostics-{stamp}.txt")
        } else {
            format!("signet-diagnostics-{stamp}-{n}.txt")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "too many files of this second"))
}

/// `20260501-063000Z` for file names, `2026-05-01T06:30:00Z` for reading.
fn utc_timestamp(now: SystemTime, readable: bool) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    let (hh, mm, ss) = (rem / 3600, rem / 60 % 60, rem % 60);
    if readable {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}{m:02}{d:02}-{hh:02}{mm:02}{ss:02}Z")
    }
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The OS release where it is cheap to know (Linux's `/etc/os-release`).
fn os_version() -> String {
    if cfg!(target_os = "linux") {
        if let Ok(text) = std::fs::read_to_string("/etc/os-release") {
            if let Some(name) = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")) {
                return name.trim_matches('"').to_string();
            }
        }
    }
    String::new()
}

struct Patterns {
    bearer: Regex,
    assignment: Regex,
    email: Regex,
    number: Regex,
    long_token: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("redaction pattern {s}: {e}"));
        Patterns {
            bearer: re(r"(?i)\b(bearer|basic)\s+\S+"),
            assignment: re(
                r#"(?i)\b(password|passwd|pwd|secret|token|access_token|refresh_token|cookie|sms_code)(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)"#,
            ),
            email: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            // Eleven or more digits, maybe grouped by spaces or dashes, maybe ending in an ID
            // number's check character X.
            number: re(r"\d(?:[ -]?\d){10,}(?:[ -]?[Xx])?"),
            long_token: re(r"[A-Za-z0-9+/_=-]{32,}"),
        }
    })
}

/// Removes what could identify a person: see the module documentation. `known` are literal
/// values to remove as well (names, accounts); values shorter than two characters are ignored.
pub fn redact(text: &str, known: &[String]) -> String {
    let mut out = text.to_string();
    let mut known: Vec<&String> = known.iter().filter(|k| k.trim().chars().count() >= 2).collect();
    // Longest first, so a name inside a longer value does not split it.
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for value in known {
        out = out.replace(value.as_str(), "[personal]");
    }
    let p = patterns();
    out = p.bearer.replace_all(&out, "${1} [token]").into_owned();
    out = p.assignment.replace_all(&out, "${1}${2}[redacted]").into_owned();
    out = p.email.replace_all(&out, "[email]").into_owned();
    out = p
        .number
        .replace_all(&out, |c: &Captures<'_>| {
            let digits = c[0].chars().filter(char::is_ascii_digit).count();
            let check_x = c[0].ends_with(['X', 'x']);
            match (digits, check_x) {
                (17, true) | (18, false) | (15, false) => "[id-number]",
                (11, false) => "[phone]",
                (12..=19, _) => "[card]",
                _ => "[number]",
            }
        })
        .into_owned();
    out = p
        .long_token
        .replace_all(&out, |c: &Captures<'_>| {
            let s = &c[0];
            let has = |f: fn(&char) -> bool| s.chars().any(|ch| f(&ch));
            let random = (has(char::is_ascii_digit) && has(char::is_ascii_alphabetic))
                || (has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase));
            if random {
                "[token]".to_string()
            } else {
                s.to_string()
            }
        })
        .into_owned();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(text: &str) -> String {
        redact(text, &[])
    }

    #[test]
    fn identity_numbers_are_redacted() {
        assert_eq!(clean("id 11010519491231002X here"), "id [id-number] here");
        assert_eq!(clean("id=110105194912310021;"), "id=[id-number];");
        assert_eq!(clean("old 110105491231002"), "old [id-number]");
        assert_eq!(clean("masked 110***********002X stays"), "masked 110***********002X stays");
    }

    #[test]
    fn phones_are_redacted_with_or_without_separators() {
        assert_eq!(clean("phone 13800138000."), "phone [phone].");
        assert_eq!(clean("phone 138-0013-8000"), "phone [phone]");
        assert!(!clean("+86 138 0013 8000").contains("8000"));
    }

    #[test]
    fn bank_cards_are_redacted_grouped_or_not() {
        assert_eq!(clean("card 6222020000000000018"), "card [card]");
        assert_eq!(clean("card 6222 0200 0000 0000 018 ok"), "card [card] ok");
        assert_eq!(clean("card 622202000000"), "card [card]");
    }

    #[test]
    fn tokens_and_secrets_are_redacted() {
        let token = "q8Zr1sV0bX3nH6yK2LmT9wEo4pCj7uAf5gDi0Rk_-Ns";
        assert_eq!(
            clean(&format!("Authorization: Bearer {token}")),
            "Authorization: Bearer [token]"
        );
        assert_eq!(clean(&format!("got {token} back")), "got [token] back");
        assert_eq!(clean(&format!("id {}", "3f".repeat(16))), "id [token]");
        assert_eq!(clean("password=hunter2 next"), "password=[redacted] next");
        assert_eq!(clean(r#"{"refresh_token": "abc"}"#), r#"{"refresh_token": [redacted]}"#);
    }

    #[test]
    fn email_addresses_are_redacted() {
        assert_eq!(clean("account wangfang@sandbox.alipay ok"), "account [email] ok");
        assert_eq!(clean("mail li.ming+x@campus.edu.cn"), "mail [email]");
    }

    #[test]
    fn known_names_and_accounts_are_redacted() {
        let known = ["王芳".to_string(), "staff01".to_string(), "x".to_string()];
        assert_eq!(redact("user 王芳 (staff01) x", &known), "user [personal] ([personal]) x");
    }

    #[test]
    fn ordinary_log_lines_are_kept() {
        let line = "2026-05-01T06:30:00.123456Z  INFO signet_app::session: platform connectivity \
                    changed online=false seq=12 elapsed=1503ms tauri_plugin_window_state";
        assert_eq!(clean(line), line);
        assert_eq!(clean("version 0.1.0 on 127.0.0.1:8787"), "version 0.1.0 on 127.0.0.1:8787");
    }

    #[test]
    fn file_names_carry_the_utc_time() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_777_617_000);
        assert_eq!(utc_timestamp(t, false), "20260501-063000Z");
        assert_eq!(utc_timestamp(UNIX_EPOCH, true), "1970-01-01T00:00:00Z");
        assert_eq!(clean(&utc_timestamp(t, true)), "2026-05-01T06:30:00Z");
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_second_export_in_the_same_second_does_not_overwrite_the_first() {
        #![allow(clippy::unwrap_used)]
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let dirs = [dir.path().join("no-downloads"), dir.path().join("data")];
        let a = write_report("a", &dirs, now).unwrap();
        let b = write_report("b", &dirs, now).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(dir.path().join("data")), "{}", a.display());
        assert!(!dir.path().join("no-downloads").exists());
        assert_eq!(std::fs::read_to_string(a).unwrap(), "a");
        assert_eq!(std::fs::read_to_string(b).unwrap(), "b");
    }
}
