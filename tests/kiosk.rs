//! Kiosk mode's promise, nothing kept between users, checked against a real platform server on
//! a loopback port, a real SQLite store in a temporary directory and the real OS keyring
//! (Secret Service under `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use signet_app::kiosk::config::{KioskMode, KioskSettings};
use signet_app::kiosk::Kiosk;
use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SessionEvent, SessionView, SignInForm};
use signet_app::signature::cache::SignatureCache;
use signet_app::signature::sync::SignatureSync;
use signet_app::signature::Signatures;
use signet_app::store::{Store, MACHINE_SETTINGS, USER_TABLES};
use signet_domain::api::{ACCESS_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS};
use signet_domain::signature::{Drawing, InkColor, PenStyle, SignatureStroke, StrokePoint};
use signet_domain::Sensitive;
use support::Platform;

/// A kiosk as the app opens it on a machine whose store is in `dir`.
struct KioskApp {
    session: Session,
    signatures: Signatures,
    events: Arc<Mutex<Vec<SessionEvent>>>,
}

async fn kiosk_app(dir: &Path, platform_url: &str) -> KioskApp {
    let store = Store::open(dir).await.unwrap();
    let cache = SignatureCache::new(store.pool().clone());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let notify = Arc::new(move |event| sink.lock().unwrap().push(event));
    let kiosk = Kiosk::new(KioskMode::On(KioskSettings::default()));
    let session =
        signet_app::kiosk::open_session(&kiosk, store, platform_url, notify).await.unwrap();
    let signatures = Signatures::new(cache, Arc::new(SignatureSync::new(|| {})));
    KioskApp { session, signatures, events }
}

fn form(account: &str, password: &str, server_url: &str) -> SignInForm {
    SignInForm {
        account: account.into(),
        password: Sensitive::new(password.into()),
        server_url: server_url.into(),
    }
}

fn handwriting() -> Drawing {
    let mut strokes = Vec::new();
    let mut t = 0.0;
    for stroke in 0..4 {
        let points = (0..24)
            .map(|i| {
                let s = i as f32 / 23.0;
                t += 8.0;
                StrokePoint {
                    x: 40.0 + stroke as f32 * 90.0 + s * 80.0,
                    y: 60.0 + (s * 9.0 + stroke as f32).sin() * 20.0,
                    t,
                    p: 0.5,
                }
            })
            .collect();
        strokes.push(SignatureStroke { points });
    }
    Drawing { strokes, pen: PenStyle { color: InkColor::Black, width: 3.0 } }
}

/// 王芳 (verified) signs in at the kiosk, accepts the real-name consent, saves a signature that
/// has not reached the platform yet, and has a manual review marked pending: every kind of
/// user data the store holds.
async fn leave_traces(app: &KioskApp, platform: &Platform) {
    app.session.sign_in(form("staff02", "Signet-demo-2", &platform.url())).await.unwrap();
    signet_app::real_name::accept_consent(&app.session).await.unwrap();
    let draft = app.signatures.render_drawing(&app.session, handwriting()).await.unwrap();
    app.signatures.save_draft(&app.session, &draft.draft_id, "王芳的签名").await.unwrap();
    let user_id = app.session.user_id().await.unwrap();
    let store = app.session.store();
    store.set_setting(&format!("manual_review.pending.{user_id}"), "review-1").await.unwrap();
    store.set_setting("language", "en").await.unwrap();
    for table in USER_TABLES {
        assert!(store.row_count(table).await.unwrap() > 0, "no rows in {table} to wipe");
    }
}

async fn assert_no_user_rows(store: &Store) {
    for table in store.table_names().await.unwrap() {
        let rows = store.row_count(&table).await.unwrap();
        if table == "settings" {
            let text = store.dump_text().await.unwrap();
            let keys: Vec<&str> =
                text.lines().filter_map(|line| line.split_once('=')).map(|(k, _)| k).collect();
            assert!(keys.iter().all(|k| MACHINE_SETTINGS.contains(k)), "settings left: {keys:?}");
        } else {
            assert_eq!(rows, 0, "rows left in {table}");
        }
    }
}

/// The files in `dir` (the store and its write-ahead log) that hold `needle`'s bytes.
fn files_holding(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|file| {
            let bytes = std::fs::read(file.path()).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .map(|file| file.path())
        .collect()
}

#[tokio::test]
async fn every_table_of_the_store_is_either_user_data_or_settings() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let mut expected: Vec<String> = USER_TABLES.iter().map(|t| t.to_string()).collect();
    expected.push("settings".into());
    expected.sort();
    assert_eq!(store.table_names().await.unwrap(), expected, "a new table must say whose it is");
}

#[tokio::test]
async fn a_kiosk_session_never_writes_the_keyring() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let keyring = Keyring::new(SERVICE);
    assert!(keyring.is_available(), "the test machine needs a real keyring to prove this");
    let account = platform.keyring_account("staff02", "Signet-demo-2").await;
    keyring.delete(&account).unwrap();
    let app_dir = tempfile::tempdir().unwrap();
    let app = kiosk_app(app_dir.path(), &platform.url()).await;

    let view =
        app.session.sign_in(form("staff02", "Signet-demo-2", &platform.url())).await.unwrap();
    let SessionView::SignedIn { profile, keyring_available, .. } = &view else {
        panic!("{view:?}")
    };
    assert_eq!(profile.display_name, "王芳");
    assert!(!keyring_available, "a kiosk does not keep the session");
    assert!(keyring.get(&account).unwrap().is_none(), "refresh token in the keyring");

    // The access token runs out: the session renews from the refresh token it holds in memory.
    platform.clock.advance(ACCESS_TOKEN_TTL_SECS + 1);
    let view = app.session.refresh_profile().await.unwrap();
    assert!(matches!(view, SessionView::SignedIn { offline: false, .. }), "{view:?}");
    assert!(keyring.get(&account).unwrap().is_none(), "rotated refresh token in the keyring");

    // Nothing about who is signed in rests in the settings either.
    let settings = app.session.store().dump_text().await.unwrap();
    for key in ["last_account", "server_url", "current_user"] {
        assert!(!settings.contains(&format!("{key}=")), "{key} remembered: {settings}");
    }
    app.session.sign_out().await.unwrap();
    assert!(keyring.get(&account).unwrap().is_none());
}

#[tokio::test]
async fn a_kiosk_sign_out_wipes_every_user_row_and_its_traces_in_the_files() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let app = kiosk_app(app_dir.path(), &platform.url()).await;
    leave_traces(&app, &platform).await;
    let traces = ["王芳", "staff02", "王芳的签名"];
    for trace in traces {
        assert!(!files_holding(app_dir.path(), trace).is_empty(), "{trace} was never on disk");
    }

    app.session.sign_out().await.unwrap();
    assert_no_user_rows(app.session.store()).await;
    assert_eq!(app.session.store().setting("language").await.unwrap().as_deref(), Some("en"));
    // Deleted rows are overwritten and the write-ahead log emptied: not even the bytes remain.
    for trace in traces {
        assert_eq!(
            files_holding(app_dir.path(), trace),
            Vec::<std::path::PathBuf>::new(),
            "{trace}"
        );
    }
    let again = app.session.restore().await.unwrap();
    assert!(matches!(again, SessionView::SignedOut { .. }), "{again:?}");
}

#[tokio::test]
async fn an_expired_kiosk_session_wipes_too_and_tells_the_ui() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let app = kiosk_app(app_dir.path(), &platform.url()).await;
    leave_traces(&app, &platform).await;

    platform.clock.advance(REFRESH_TOKEN_TTL_SECS + ACCESS_TOKEN_TTL_SECS + 1);
    let view = app.session.refresh_profile().await.unwrap();
    assert!(matches!(view, SessionView::SignedOut { .. }), "{view:?}");
    assert_eq!(app.events.lock().unwrap().as_slice(), &[SessionEvent::SessionExpired]);
    assert_no_user_rows(app.session.store()).await;
}

#[tokio::test]
async fn a_kiosk_starts_by_wiping_what_a_crash_left_behind() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let crashed = kiosk_app(app_dir.path(), &platform.url()).await;
    leave_traces(&crashed, &platform).await;
    drop(crashed);

    let next = kiosk_app(app_dir.path(), &platform.url()).await;
    assert_no_user_rows(next.session.store()).await;
    let view = next.session.restore().await.unwrap();
    assert!(matches!(view, SessionView::SignedOut { .. }), "{view:?}");
}

#[tokio::test]
async fn unsynced_changes_are_sent_before_a_kiosk_sign_out_when_the_platform_answers() {
    let server_dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let app = kiosk_app(app_dir.path(), &platform.url()).await;
    leave_traces(&app, &platform).await;
    let limit = std::time::Duration::from_secs(10);

    // The platform answers: the pass sends everything, nothing would be lost.
    assert_eq!(app.signatures.flush_before_sign_out(&app.session, limit).await.unwrap(), 0);

    // It does not: the change waits, and the sign-out would drop it.
    platform.halt().await;
    let board = app.signatures.board(&app.session).await.unwrap();
    let id = board.signatures[0].id.clone();
    app.signatures.rename(&app.session, &id, "新名字").await.unwrap();
    assert_eq!(app.signatures.flush_before_sign_out(&app.session, limit).await.unwrap(), 1);
    app.session.sign_out().await.unwrap();
    assert_no_user_rows(app.session.store()).await;
}

#[test]
fn hash_kiosk_pin_prints_a_configuration_line_whose_hash_verifies() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .arg("--hash-kiosk-pin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"24681012\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8(out.stdout).unwrap();
    let field: serde_json::Value = serde_json::from_str(&format!("{{{}}}", line.trim())).unwrap();
    let hash = field["admin_pin_hash"].as_str().unwrap();
    assert!(!line.contains("24681012"));
    let pin = signet_app::kiosk::pin::PinHash::parse(hash).unwrap();
    assert!(pin.verify("24681012") && !pin.verify("24681013"));
}
