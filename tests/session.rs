//! The app's session service against a real platform server on a loopback port, a real SQLite
//! store in a temporary directory and the real OS keyring (Secret Service under
//! `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SessionEvent, SessionView, SignInForm, SignedOutReason};
use signet_app::store::Store;
use signet_domain::api::{RealNameStatus, ACCESS_TOKEN_TTL_SECS};
use signet_domain::{ErrorCode, Sensitive};
use support::Platform;

struct Device {
    session: Session,
    events: Arc<Mutex<Vec<SessionEvent>>>,
}

/// The app as it starts on a machine whose local store is in `dir`.
async fn device(dir: &Path, platform_url: &str) -> Device {
    let store = Store::open(dir).await.unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let notify = Arc::new(move |event| sink.lock().unwrap().push(event));
    let session = Session::new(store, Keyring::new(SERVICE), platform_url, notify);
    Device { session, events }
}

fn form(account: &str, password: &str, server_url: &str) -> SignInForm {
    SignInForm {
        account: account.into(),
        password: Sensitive::new(password.into()),
        server_url: server_url.into(),
    }
}

fn profile_name(view: &SessionView) -> Option<(&str, bool)> {
    match view {
        SessionView::SignedIn { profile, offline, .. } => Some((&profile.display_name, *offline)),
        SessionView::SignedOut { .. } => None,
    }
}

#[tokio::test]
async fn the_test_machine_has_a_real_keyring() {
    let keyring = Keyring::new(SERVICE);
    assert!(
        keyring.is_available(),
        "no Secret Service: run the tests through `cargo xtask test`, which starts gnome-keyring"
    );
    let account = format!("round-trip-{}", std::process::id());
    keyring.set(&account, &Sensitive::new("s3cret".into())).unwrap();
    assert_eq!(
        keyring.get(&account).unwrap().map(|s| s.expose().clone()).as_deref(),
        Some("s3cret")
    );
    keyring.delete(&account).unwrap();
    assert!(keyring.get(&account).unwrap().is_none());
}

#[tokio::test]
async fn sign_in_keeps_the_refresh_token_in_the_keyring_and_only_masked_identity_on_disk() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;

    let view =
        device.session.sign_in(form("staff02", "Signet-demo-2", &platform.url())).await.unwrap();
    let SessionView::SignedIn { profile, offline, .. } = &view else { panic!("{view:?}") };
    assert!(!offline);
    assert_eq!(profile.real_name_status, RealNameStatus::Verified);
    let identity = profile.identity.as_ref().unwrap();
    assert_eq!(identity.number, "110***********002X");

    let account = platform.keyring_account("staff02", "Signet-demo-2").await;
    let refresh = Keyring::new(SERVICE).get(&account).unwrap().expect("refresh token in keyring");
    let on_disk = device.session.store().dump_text().await.unwrap();
    assert!(on_disk.contains("110***********002X"));
    assert!(!on_disk.contains("11010519491231002X"), "full identity number on disk");
    assert!(!on_disk.contains(refresh.expose().as_str()), "refresh token on disk");
    assert!(!on_disk.contains("Signet-demo-2"), "password on disk");
    for file in std::fs::read_dir(app_dir.path()).unwrap().flatten() {
        let bytes = std::fs::read(file.path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(refresh.expose().as_str()), "token in {:?}", file.path());
        assert!(!text.contains("11010519491231002X"), "identity number in {:?}", file.path());
    }
    device.session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_relaunch_restores_the_session_without_a_password() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let first = device(app_dir.path(), &platform.url()).await;
    first.session.sign_in(form("staff01", "Signet-demo-1", &platform.url())).await.unwrap();
    drop(first);

    let second = device(app_dir.path(), &platform.url()).await;
    let view = second.session.restore().await.unwrap();
    assert_eq!(profile_name(&view), Some(("李明", false)));
    assert_eq!(second.session.last_account().await.unwrap().as_deref(), Some("staff01"));
    second.session.sign_out().await.unwrap();
}

#[tokio::test]
async fn starting_with_the_platform_down_shows_the_cached_profile_then_reconnects() {
    let server_dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let first = device(app_dir.path(), &platform.url()).await;
    first.session.sign_in(form("staff02", "Signet-demo-2", &platform.url())).await.unwrap();
    drop(first);

    platform.halt().await;
    let second = device(app_dir.path(), &platform.url()).await;
    let view = second.session.restore().await.unwrap();
    assert_eq!(profile_name(&view), Some(("王芳", true)));
    let SessionView::SignedIn { cached_at, .. } = view else { unreachable!() };
    assert!(cached_at.is_some());
    assert!(!second.session.is_online());
    assert!(!second.session.probe().await, "platform still down");

    platform.resume().await;
    assert!(second.session.probe().await, "platform back");
    assert_eq!(
        second.events.lock().unwrap().as_slice(),
        &[
            SessionEvent::Connectivity { online: false },
            SessionEvent::Connectivity { online: true }
        ]
    );
    let view = second.session.refresh_profile().await.unwrap();
    assert_eq!(profile_name(&view), Some(("王芳", false)));
    second.session.sign_out().await.unwrap();
}

#[tokio::test]
async fn sign_out_revokes_the_session_and_forgets_keyring_entry_and_cache() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;
    device.session.sign_in(form("staff02", "Signet-demo-2", &platform.url())).await.unwrap();
    let account = platform.keyring_account("staff02", "Signet-demo-2").await;
    let refresh = Keyring::new(SERVICE).get(&account).unwrap().unwrap();

    device.session.sign_out().await.unwrap();
    assert!(Keyring::new(SERVICE).get(&account).unwrap().is_none());
    let on_disk = device.session.store().dump_text().await.unwrap();
    assert!(!on_disk.contains("王芳"), "cached profile left behind: {on_disk}");
    // The platform revoked it too: the old refresh token no longer works.
    let response = support::http()
        .post(format!("{}/api/v1/auth/refresh", platform.url()))
        .json(&serde_json::json!({ "refresh_token": refresh.expose() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let again = device.session.restore().await.unwrap();
    assert_eq!(again, SessionView::SignedOut { keyring_available: true, reason: None });
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_without_the_user_noticing() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;
    device.session.sign_in(form("staff01", "Signet-demo-1", &platform.url())).await.unwrap();
    let account = platform.keyring_account("staff01", "Signet-demo-1").await;
    let before = Keyring::new(SERVICE).get(&account).unwrap().unwrap();

    platform.clock.advance(ACCESS_TOKEN_TTL_SECS + 1);
    // Two calls at once: they must share one refresh, not spend the same token twice.
    let (a, b) = tokio::join!(device.session.refresh_profile(), device.session.refresh_profile());
    assert_eq!(profile_name(&a.unwrap()), Some(("李明", false)));
    assert_eq!(profile_name(&b.unwrap()), Some(("李明", false)));
    let after = Keyring::new(SERVICE).get(&account).unwrap().unwrap();
    assert_ne!(before, after, "the refresh token rotated and the new one was kept");
    assert!(device.events.lock().unwrap().is_empty(), "no expiry reported");
    device.session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_stolen_refresh_token_ends_the_session_and_tells_the_ui() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;
    device.session.sign_in(form("staff01", "Signet-demo-1", &platform.url())).await.unwrap();
    let account = platform.keyring_account("staff01", "Signet-demo-1").await;
    let stolen = Keyring::new(SERVICE).get(&account).unwrap().unwrap();
    // Someone else spends the token first.
    let response = support::http()
        .post(format!("{}/api/v1/auth/refresh", platform.url()))
        .json(&serde_json::json!({ "refresh_token": stolen.expose() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    platform.clock.advance(ACCESS_TOKEN_TTL_SECS + 1);
    let view = device.session.refresh_profile().await.unwrap();
    assert_eq!(
        view,
        SessionView::SignedOut {
            keyring_available: true,
            reason: Some(SignedOutReason::SessionExpired)
        }
    );
    assert_eq!(device.events.lock().unwrap().as_slice(), &[SessionEvent::SessionExpired]);
    assert!(Keyring::new(SERVICE).get(&account).unwrap().is_none());
}

#[tokio::test]
async fn wrong_password_reports_attempts_left_and_then_the_lock() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;

    let err = device.session.sign_in(form("staff01", "wrong", &platform.url())).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    assert_eq!(err.0.details.as_ref().and_then(|d| d["attempts_left"].as_u64()), Some(4));
    for _ in 0..4 {
        let _ = device.session.sign_in(form("staff01", "wrong", &platform.url())).await;
    }
    let err = device
        .session
        .sign_in(form("staff01", "Signet-demo-1", &platform.url()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AccountLocked);
    let retry = err.0.retry_after_secs().unwrap();
    assert!(retry > 14 * 60 && retry <= 15 * 60, "{retry}");
    assert!(!device.session.store().dump_text().await.unwrap().contains("current_user"));
}

#[tokio::test]
async fn an_unreachable_platform_is_reported_as_such() {
    let app_dir = tempfile::tempdir().unwrap();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let device = device(app_dir.path(), &url).await;
    let err = device.session.sign_in(form("staff01", "Signet-demo-1", &url)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerUnreachable);
}

#[tokio::test]
async fn a_tls_handshake_failure_is_reported_as_tls_failure() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    // https:// to a server that speaks plain HTTP: the handshake fails.
    let url = platform.url().replace("http://", "https://");
    let device = device(app_dir.path(), &url).await;
    let err = device.session.sign_in(form("staff01", "Signet-demo-1", &url)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::TlsFailure, "{err}");
}

#[tokio::test]
async fn bad_sign_in_input_is_refused_before_anything_is_sent_or_stored() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let device = device(app_dir.path(), &platform.url()).await;
    let long = "a".repeat(65);
    let cases = [
        ("", "pw", "account", "empty"),
        ("   ", "pw", "account", "empty"),
        ("staff01", "", "password", "empty"),
        (long.as_str(), "pw", "account", "too_long"),
        ("staff\u{0007}01", "pw", "account", "invalid_characters"),
        ("staff01\u{202e}", "pw", "account", "invalid_characters"),
    ];
    for (account, password, field, problem) in cases {
        let err =
            device.session.sign_in(form(account, password, &platform.url())).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{account:?}");
        let details = err.0.details.clone().unwrap();
        assert_eq!(details["field"], field, "{account:?}");
        assert_eq!(details["reason"], problem, "{account:?}");
    }
    let err = device.session.sign_in(form("staff01", "pw", "ftp://nowhere")).await.unwrap_err();
    assert_eq!(err.0.details.unwrap()["field"], "server_url");
    assert_eq!(device.session.store().dump_text().await.unwrap(), "", "nothing stored");
}
