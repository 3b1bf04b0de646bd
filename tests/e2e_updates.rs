//! Auto-update end to end: the platform publishes releases (`signet_server::publish_release`, as
//! `signet-server release publish` does), signed with a throwaway minisign key pair made here;
//! the real app, started with that public key, finds the newer version by itself, downloads it
//! with a progress bar and verifies it, and refuses a tampered package, a release without a
//! package for this system and an unreachable platform, each with its own message, while the
//! installed version keeps working.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use support::e2e::{scenario, AppWindow, Desktop};
use support::Platform;

/// A throwaway update key pair, in the encodings Tauri uses (base64 of minisign's text forms).
struct SigningKey {
    pair: minisign::KeyPair,
}

impl SigningKey {
    fn generate() -> Self {
        Self { pair: minisign::KeyPair::generate_unencrypted_keypair().unwrap() }
    }

    fn public_key(&self) -> String {
        let text = self.pair.pk.to_box().unwrap().into_string();
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    /// The `.sig` the Tauri bundler would write beside `bytes`.
    fn signature(&self, bytes: &[u8]) -> String {
        let signature = minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            std::io::Cursor::new(bytes),
            Some("signet test release"),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature.to_string())
    }
}

/// This machine's key in the update manifest, e.g. `linux-x86_64`.
fn this_platform() -> String {
    format!("linux-{}", std::env::consts::ARCH)
}

/// Publishes `version` on the platform with a package for each key in `platforms`; the package's
/// `.sig` signs `signed` (the package itself unless a test tampers with it).
fn publish(
    platform: &Platform,
    work: &Path,
    key: &SigningKey,
    version: &str,
    platforms: &[&str],
    tamper: bool,
) {
    let package: Vec<u8> =
        (0..400_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let file = work.join(format!("Signet_{version}_amd64.AppImage.tar.gz"));
    std::fs::write(&file, &package).unwrap();
    let signed: Vec<u8> = if tamper { package.iter().map(|b| b ^ 1).collect() } else { package };
    std::fs::write(
        work.join(format!("Signet_{version}_amd64.AppImage.tar.gz.sig")),
        key.signature(&signed),
    )
    .unwrap();
    let release = signet_server::NewRelease {
        version: version.to_string(),
        notes: format!("版本 {version}：修复问题，提升稳定性。"),
        platforms: platforms.iter().map(|p| (p.to_string(), file.clone())).collect(),
    };
    signet_server::publish_release(platform.state.releases_dir(), &release, 1_790_000_000).unwrap();
}

async fn until_update_state(app: &AppWindow, want: &str) {
    let started = std::time::Instant::now();
    loop {
        let state = app.attr("update-card", "data-state").await.unwrap_or_default();
        if state == want {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the update card stays at {state}, not {want}: {}",
            app.text("update-state").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asks again and waits until that check is over (the card counts finished actions: its state
/// alone may not change, or may change only after a first look).
async fn check_again(app: &AppWindow) {
    let done = |value: Option<String>| value.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let before = done(app.attr("update-card", "data-done").await);
    app.click("update-check").await;
    let started = std::time::Instant::now();
    while done(app.attr("update-card", "data-done").await) <= before {
        assert!(started.elapsed() < Duration::from_secs(30), "the check never ended");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn finds_verifies_and_refuses_updates_with_clear_messages() {
    scenario("updates", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let mut platform = Platform::start(dir.path()).await;
        let key = SigningKey::generate();
        let mine = this_platform();
        publish(&platform, work.path(), &key, "9.9.0", &[&mine, "windows-x86_64"], false);

        let mut desktop = Desktop::with_env(
            &name,
            &platform.url(),
            &[("SIGNET_UPDATER_PUBKEY", &key.public_key())],
        );
        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        // The check at start finds the newer version without the user asking.
        app.wait_text("update-banner", "9.9.0").await;
        app.screenshot("update-banner").await;
        app.click("update-banner-link").await;
        app.find("page-settings").await;
        assert_eq!(app.text("update-version").await, "9.9.0");
        assert!(app.text("update-notes").await.contains("提升稳定性"));

        app.click("update-download").await;
        until_update_state(&app, "ready").await;
        app.screenshot("update-verified").await;
        // This test binary is no AppImage: installing fails with a message, nothing is replaced.
        app.click("update-install").await;
        assert_eq!(app.attr("update-error", "data-reason").await.as_deref(), Some("install"));
        app.screenshot("update-install-refused").await;

        // A package whose signature was made for other bytes is refused after the download.
        publish(&platform, work.path(), &key, "9.9.1", &[&mine], true);
        check_again(&app).await;
        assert_eq!(app.text("update-version").await, "9.9.1");
        app.click("update-download").await;
        until_update_state(&app, "failed").await;
        assert_eq!(app.attr("update-error", "data-reason").await.as_deref(), Some("bad_signature"));
        assert!(app.text("update-error").await.contains("签名校验未通过"));
        app.screenshot("update-bad-signature").await;

        // A release with packages for other systems only.
        publish(
            &platform,
            work.path(),
            &key,
            "9.9.2",
            &["windows-x86_64", "darwin-aarch64"],
            false,
        );
        check_again(&app).await;
        assert_eq!(
            app.attr("update-error", "data-reason").await.as_deref(),
            Some("no_package_for_this_system")
        );
        app.screenshot("update-no-package").await;

        // The platform goes away.
        platform.halt().await;
        check_again(&app).await;
        assert_eq!(app.attr("update-error", "data-reason").await.as_deref(), Some("network"));
        app.screenshot("update-network").await;

        // Through all of it the installed version kept working.
        assert_eq!(app.text("settings-version").await.trim(), env!("CARGO_PKG_VERSION"));
        app.click("brand").await;
        app.center().await;
        platform.resume().await;
        desktop.close(app).await;
    });
}
