//! Kiosk mode: one machine in a campus office, used by one person after another.
//!
//! - [`config`]: the configuration file (`kiosk.json` in the OS app-config directory, or
//!   `SIGNET_KIOSK_CONFIG`) and the `--kiosk` flag, decided into [`config::KioskMode`].
//! - [`pin`]: the administrator PIN (an argon2id hash in the file), checked in Rust and
//!   rate-limited.
//! - [`window`]: the main window full screen and undecorated, without devtools, that cannot be
//!   closed and never navigates away from the app.
//! - [`Kiosk`]: the run's kiosk state, as the commands and the UI see it.
//!
//! Nothing is kept between users: a kiosk session never writes the keyring
//! ([`crate::session::Session::new_kiosk`]), and [`end_session`] — the user's sign-out, the idle
//! sign-out the UI counts down to, an administrator leaving — releases the camera, drops the
//! drafts and recordings in memory, wipes the local store
//! ([`crate::store::Store::wipe_user_data`]) and the webview's storage. The store is wiped at
//! start too, for whatever a crash or a power cut left behind.
//!
//! Idle sign-out is the page's (it sees the input and shows the countdown), with a backstop here:
//! the page reports input ([`Kiosk::input_seen`], at most every few seconds), and a signed-in
//! session with no input reported for the idle time, the countdown and [`BACKSTOP_GRACE`] is
//! ended from Rust ([`spawn_idle_backstop`]) — for a page that hung or lost its timers, which
//! would otherwise leave the last user signed in on a shared machine.

pub mod config;
pub mod pin;
pub mod window;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use signet_domain::{ErrorCode, Sensitive};
use tauri::{AppHandle, Manager};

use self::config::{FileRead, KioskMode, KioskSettings};
use self::pin::{PinGate, PinOutcome};
use crate::error::{AppError, AppResult};
use crate::secrets::Keyring;
use crate::session::{Notifier, Session};
use crate::store::Store;
use crate::AppState;

/// How long a sign-out waits for the last sync pass before dropping what is left.
pub const SIGN_OUT_SYNC_LIMIT: Duration = Duration::from_secs(10);
/// How long after the page's own countdown ran out the backstop waits for the page's sign-out
/// (whose last sync pass may take [`SIGN_OUT_SYNC_LIMIT`]).
pub const BACKSTOP_GRACE: Duration = Duration::from_secs(15);
/// How often the backstop looks.
const BACKSTOP_EVERY: Duration = Duration::from_secs(2);

/// What the UI needs to know. The PIN's hash stays here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskView {
    pub enabled: bool,
    pub idle_timeout_secs: u64,
    pub countdown_secs: u64,
    /// Whether an administrator PIN is configured (else kiosk mode cannot be left in the app).
    pub admin_exit: bool,
    /// The configuration file could not be used and defaults are in force (see the log).
    pub config_problem: bool,
}

/// This run's kiosk state.
pub struct Kiosk {
    mode: KioskMode,
    gate: tokio::sync::Mutex<PinGate>,
    /// The last input the page reported, or the last sign-in.
    last_input: std::sync::Mutex<Instant>,
}

impl Kiosk {
    pub fn new(mode: KioskMode) -> Self {
        Self {
            mode,
            gate: tokio::sync::Mutex::new(PinGate::default()),
            last_input: std::sync::Mutex::new(Instant::now()),
        }
    }

    /// The page saw input (or someone signed in): the idle time starts again.
    pub fn input_seen(&self, at: Instant) {
        let mut last = self.last_input.lock().unwrap_or_else(|e| e.into_inner());
        *last = (*last).max(at);
    }

    /// Whether no one has touched the machine for its idle time at `now` (a kiosk only): the
    /// moment to install an update, once no one is signed in either.
    pub fn unattended(&self, now: Instant) -> bool {
        let Some(settings) = self.settings() else { return false };
        let last = *self.last_input.lock().unwrap_or_else(|e| e.into_inner());
        now.saturating_duration_since(last) >= settings.idle_timeout
    }

    /// Whether a signed-in session has gone without input so long at `now` that the page should
    /// have signed it out already: the idle time, the countdown and [`BACKSTOP_GRACE`].
    pub fn backstop_due(&self, now: Instant) -> bool {
        let Some(settings) = self.settings() else { return false };
        let last = *self.last_input.lock().unwrap_or_else(|e| e.into_inner());
        now.saturating_duration_since(last)
            >= settings.idle_timeout + settings.countdown + BACKSTOP_GRACE
    }

    /// Reads the configuration: `file` when given (`SIGNET_KIOSK_CONFIG`), else `kiosk.json` in
    /// `config_dir`; `flag` is `--kiosk`. Logs what it decided and why.
    pub fn resolve(file: Option<PathBuf>, config_dir: Option<PathBuf>, flag: bool) -> Self {
        let path = file.or_else(|| config_dir.map(|dir| dir.join(config::FILE_NAME)));
        let read = path.as_deref().map_or(FileRead::Missing, FileRead::from_path);
        let mode = config::decide(read, flag);
        match &mode {
            KioskMode::Off => {}
            KioskMode::On(settings) => {
                if let Some(problem) = &settings.config_problem {
                    tracing::error!(
                        file = %path.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
                        "kiosk configuration refused, running as a kiosk with the defaults and \
                         no administrator PIN: {problem}"
                    );
                }
                tracing::info!(
                    idle_timeout_secs = settings.idle_timeout.as_secs(),
                    countdown_secs = settings.countdown.as_secs(),
                    admin_pin = settings.admin_pin.is_some(),
                    "kiosk mode"
                );
            }
        }
        Self::new(mode)
    }

    pub fn is_on(&self) -> bool {
        matches!(self.mode, KioskMode::On(_))
    }

    pub fn settings(&self) -> Option<&KioskSettings> {
        match &self.mode {
            KioskMode::On(settings) => Some(settings),
            KioskMode::Off => None,
        }
    }

    pub fn view(&self) -> KioskView {
        let settings = self.settings();
        let defaults = KioskSettings::default();
        let shown = settings.unwrap_or(&defaults);
        KioskView {
            enabled: settings.is_some(),
            idle_timeout_secs: shown.idle_timeout.as_secs(),
            countdown_secs: shown.countdown.as_secs(),
            admin_exit: settings.is_some_and(|s| s.admin_pin.is_some()),
            config_problem: settings.is_some_and(|s| s.config_problem.is_some()),
        }
    }

    /// Checks an administrator PIN, one attempt at a time, under the rate limit.
    pub async fn check_pin(&self, pin: Sensitive<String>) -> PinOutcome {
        let Some(hash) = self.settings().and_then(|s| s.admin_pin.clone()) else {
            return PinOutcome::NoPin;
        };
        let mut gate = self.gate.lock().await;
        if let Err(retry_after) = gate.admit(Instant::now()) {
            return PinOutcome::Locked { retry_after };
        }
        let correct =
            tokio::task::spawn_blocking(move || hash.verify(pin.expose())).await.unwrap_or(false);
        gate.record(Instant::now(), correct)
    }
}

/// The error the UI shows for a refused PIN.
pub fn pin_refused(outcome: PinOutcome) -> AppError {
    match outcome {
        PinOutcome::Accepted => AppError::new(ErrorCode::Internal, "accepted PIN reported refused"),
        PinOutcome::Wrong { attempts_left } => {
            AppError::new(ErrorCode::InvalidCredentials, "wrong administrator PIN")
                .with_details(serde_json::json!({ "attempts_left": attempts_left }))
        }
        PinOutcome::Locked { retry_after } => {
            AppError::new(ErrorCode::RateLimited, "too many wrong administrator PINs").with_details(
                serde_json::json!({ "retry_after_secs": retry_after.as_secs().max(1) }),
            )
        }
        PinOutcome::NoPin => AppError::new(ErrorCode::Forbidden, "no administrator PIN configured")
            .with_details(serde_json::json!({ "reason": "no_admin_pin" })),
    }
}

/// The session service for this run: a kiosk's keeps nothing (and starts by wiping whatever a
/// crash or a power cut left in the store); otherwise the refresh token rests in the keyring.
pub async fn open_session(
    kiosk: &Kiosk,
    store: Store,
    platform_url: &str,
    notify: Notifier,
) -> AppResult<Session> {
    if !kiosk.is_on() {
        let keyring = Keyring::new(crate::secrets::SERVICE);
        return Ok(Session::new(store, keyring, platform_url, notify));
    }
    let session = Session::new_kiosk(store, platform_url, notify);
    session.wipe_user_data().await?;
    Ok(session)
}

/// `signet --hash-kiosk-pin`: reads a PIN from standard input (one line) and prints the
/// configuration line with its hash. `Some(exit code)` when the command line asked for it.
pub fn command_line(mut args: impl Iterator<Item = String>) -> Option<i32> {
    if !args.any(|arg| arg == "--hash-kiosk-pin") {
        return None;
    }
    eprintln!(
        "Type the kiosk administrator PIN (at least {} characters) and press Enter:",
        pin::MIN_PIN_CHARS
    );
    let mut line = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut line) {
        eprintln!("could not read the PIN: {e}");
        return Some(2);
    }
    match pin::hash_pin(line.trim_end_matches(['\r', '\n'])) {
        Ok(hash) => {
            println!("\"admin_pin_hash\": \"{hash}\"");
            Some(0)
        }
        Err(e) => {
            eprintln!("{e}");
            Some(2)
        }
    }
}

/// Ends the kiosk session, whoever asked (the user, the idle countdown, an administrator):
/// one last sync pass, then the platform session revoked and everything of the user gone from
/// this machine. Unsynced signature changes that the pass could not send are dropped (the UI
/// asks the user first when they sign out themselves; the count is logged, nothing personal).
pub async fn end_session(app: &AppHandle, state: &AppState) -> AppResult<()> {
    if state.session.has_user().await {
        let left = state
            .signatures
            .flush_before_sign_out(&state.session, SIGN_OUT_SYNC_LIMIT)
            .await
            .unwrap_or_else(|e| {
                tracing::info!(code = e.code().as_str(), "no sync before sign-out: {e}");
                0
            });
        if left > 0 {
            tracing::warn!(
                signatures = left,
                "kiosk sign-out drops signature changes not yet sent"
            );
        }
    }
    // The user's window of a method (Alipay) goes with them.
    for (label, window) in app.webview_windows() {
        if label != window::MAIN_WINDOW {
            let _ = window.destroy();
        }
    }
    state.manual_drafts.clear().await;
    state.signatures.clear_drafts().await;
    // The camera is released and every frame of this user dropped before the session ends.
    crate::face::release_all(state).await;
    let signed_out = state.session.sign_out().await;
    window::clear_webview_data(app);
    signed_out
}

/// The backstop of the page's idle sign-out (see the module's documentation). A kiosk only.
pub fn spawn_idle_backstop(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(BACKSTOP_EVERY).await;
            let Some(state) = app.try_state::<AppState>() else { continue };
            if !state.kiosk.is_on() {
                return;
            }
            if !state.kiosk.backstop_due(Instant::now()) || !state.session.has_user().await {
                continue;
            }
            tracing::warn!(
                "kiosk: no input reported past the idle time and the countdown, and the page did \
                 not sign out; signing out from here"
            );
            if let Err(e) = end_session(&app, &state).await {
                tracing::warn!(code = e.code().as_str(), "backstop sign-out: {e}");
            }
            window::show_sign_in_afresh(&app);
            state.kiosk.input_seen(Instant::now());
        }
    });
}

/// The session ended on its own (expired, revoked) in kiosk mode: the store was wiped by the
/// session; the drafts and the webview's storage go too.
pub fn after_session_expired(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else { return };
        if !state.kiosk.is_on() {
            return;
        }
        state.manual_drafts.clear().await;
        state.signatures.clear_drafts().await;
        crate::face::release_all(&state).await;
        window::clear_webview_data(&app);
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_view_never_carries_the_pin_hash() {
        let hash = pin::hash_pin_for_tests("246810");
        let settings = KioskSettings {
            admin_pin: Some(pin::PinHash::parse(&hash).unwrap()),
            ..KioskSettings::default()
        };
        let view = Kiosk::new(KioskMode::On(settings)).view();
        let json = serde_json::to_string(&view).unwrap();
        assert!(!json.contains("argon2"), "{json}");
        assert_eq!(
            view,
            KioskView {
                enabled: true,
                idle_timeout_secs: 120,
                countdown_secs: 30,
                admin_exit: true,
                config_problem: false
            }
        );
    }

    #[test]
    fn an_ordinary_desktop_says_so() {
        let view = Kiosk::new(KioskMode::Off).view();
        assert!(!view.enabled && !view.admin_exit);
    }

    #[test]
    fn the_backstop_is_due_only_well_after_the_pages_countdown_ran_out() {
        let settings = KioskSettings {
            idle_timeout: Duration::from_secs(120),
            countdown: Duration::from_secs(30),
            ..KioskSettings::default()
        };
        let kiosk = Kiosk::new(KioskMode::On(settings));
        let start = Instant::now();
        kiosk.input_seen(start);
        let page_done = start + Duration::from_secs(150);
        assert!(!kiosk.backstop_due(page_done), "the page's own sign-out comes first");
        assert!(!kiosk.backstop_due(page_done + BACKSTOP_GRACE - Duration::from_secs(1)));
        assert!(kiosk.backstop_due(page_done + BACKSTOP_GRACE));
        // Input moves it on; a late report of older input does not move it back.
        kiosk.input_seen(start + Duration::from_secs(100));
        kiosk.input_seen(start + Duration::from_secs(10));
        assert!(!kiosk.backstop_due(page_done + BACKSTOP_GRACE));
        assert!(kiosk.backstop_due(page_done + BACKSTOP_GRACE + Duration::from_secs(100)));
    }

    #[test]
    fn an_ordinary_desktop_has_no_backstop() {
        let kiosk = Kiosk::new(KioskMode::Off);
        assert!(!kiosk.backstop_due(Instant::now() + Duration::from_secs(86_400)));
        assert!(!kiosk.unattended(Instant::now() + Duration::from_secs(86_400)));
    }

    #[test]
    fn a_kiosk_is_unattended_after_its_idle_time_without_input() {
        let settings =
            KioskSettings { idle_timeout: Duration::from_secs(120), ..KioskSettings::default() };
        let kiosk = Kiosk::new(KioskMode::On(settings));
        let start = Instant::now();
        kiosk.input_seen(start);
        assert!(!kiosk.unattended(start + Duration::from_secs(119)));
        assert!(kiosk.unattended(start + Duration::from_secs(120)));
        kiosk.input_seen(start + Duration::from_secs(60));
        assert!(!kiosk.unattended(start + Duration::from_secs(120)));
    }

    #[tokio::test]
    async fn pins_are_checked_against_the_configured_hash() {
        let hash = pin::PinHash::parse(&pin::hash_pin_for_tests("246810")).unwrap();
        let settings = KioskSettings { admin_pin: Some(hash), ..KioskSettings::default() };
        let kiosk = Kiosk::new(KioskMode::On(settings));
        assert_eq!(
            kiosk.check_pin(Sensitive::new("000000".into())).await,
            PinOutcome::Wrong { attempts_left: 4 }
        );
        assert_eq!(kiosk.check_pin(Sensitive::new("246810".into())).await, PinOutcome::Accepted);
        let locked_down = Kiosk::new(KioskMode::On(KioskSettings::default()));
        assert_eq!(locked_down.check_pin(Sensitive::new("246810".into())).await, PinOutcome::NoPin);
    }
}
