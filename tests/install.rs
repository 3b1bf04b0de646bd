//! The full install test: real `.deb` packages of this version and the next, built and signed by
//! the Tauri bundler with a throwaway key (`cargo xtask test` makes them, see
//! `xtask/src/install_test.rs`), installed with dpkg. The installed app finds the newer version
//! on a real platform, downloads it, verifies its signature, installs it through the updater's own
//! path (`sudo dpkg -i`) and restarts into it; a kiosk does the same by itself, but only once it is
//! unattended (no one signed in, no input for its idle time).
//!
//! The tests install a package system-wide, so they need root and are `#[ignore]`d for a plain
//! `cargo test`: `cargo xtask test` runs them after building the packages (`--ignored`), and
//! removes the package afterwards.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use support::e2e::{running_app_pids, scenario, use_installed_app, AppWindow, Desktop};
use support::Platform;

/// Where the package puts the app.
const INSTALLED_APP: &str = "/usr/bin/signet";
const PACKAGE: &str = "signet";
/// Long enough for a 35 MB download and dpkg on a busy 2-core machine.
const INSTALL_LIMIT: Duration = Duration::from_secs(150);

/// The two packages `cargo xtask test` built: `old/` is this version, `new/` the next.
struct Packages {
    old: PathBuf,
    new: PathBuf,
    old_version: String,
    new_version: String,
}

impl Packages {
    fn from_env() -> Self {
        let dir = std::env::var_os("SIGNET_INSTALL_PACKAGES").map(PathBuf::from).expect(
            "SIGNET_INSTALL_PACKAGES names the packages' directory: run through `cargo xtask test`",
        );
        let old = dir.join("old/signet.deb");
        let new = dir.join("new/signet.deb");
        assert!(new.with_extension("deb.sig").is_file(), "the bundler signed the new package");
        let (old_version, new_version) = (deb_field(&old, "Version"), deb_field(&new, "Version"));
        assert_ne!(old_version, new_version);
        Self { old, new, old_version, new_version }
    }

    /// Publishes the new package on `platform`, as `signet-server release publish` does: the
    /// bundler's `.sig` beside it is read as the release's signature.
    fn publish_new(&self, platform: &Platform) {
        let release = signet_server::NewRelease {
            version: self.new_version.clone(),
            notes: format!("版本 {}：安装测试。", self.new_version),
            platforms: vec![(format!("linux-{}-deb", std::env::consts::ARCH), self.new.clone())],
        };
        signet_server::publish_release(platform.state.releases_dir(), &release, 1_790_000_000)
            .unwrap();
    }
}

fn deb_field(deb: &Path, field: &str) -> String {
    let out = Command::new("dpkg-deb").arg("--field").arg(deb).arg(field).output().unwrap();
    assert!(out.status.success(), "dpkg-deb --field {}", deb.display());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The installed package's version, if one is installed.
fn installed_version() -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["--show", "--showformat=${db:Status-Status} ${Version}", PACKAGE])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.strip_prefix("installed ").map(str::to_string)
}

/// The package installed for one test; removed again when the test ends, however it ends.
struct Installed;

impl Installed {
    fn package(deb: &Path) -> Self {
        let uid = Command::new("id").arg("-u").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "the install test installs a package system-wide: it needs root"
        );
        let status = Command::new("dpkg").arg("--install").arg(deb).status().unwrap();
        assert!(status.success(), "dpkg --install {}", deb.display());
        Self
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        for pid in running_app_pids() {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        let _ = Command::new("dpkg").args(["--purge", PACKAGE]).status();
    }
}

/// Waits until the installed package is `version` and the app runs again from the new file: the
/// updater's restart. Returns the new process's id.
async fn until_restarted_into(version: &str, before: &[u32]) -> u32 {
    let started = Instant::now();
    loop {
        let now = installed_version();
        if now.as_deref() == Some(version) {
            let fresh: Vec<u32> = running_app_pids()
                .into_iter()
                .filter(|pid| !before.contains(pid))
                .filter(|pid| {
                    // The new process runs the new file, not the one dpkg replaced.
                    std::fs::read_link(format!("/proc/{pid}/exe"))
                        .is_ok_and(|exe| exe == Path::new(INSTALLED_APP))
                })
                .collect();
            if let [pid] = fresh[..] {
                return pid;
            }
        }
        assert!(
            started.elapsed() < INSTALL_LIMIT,
            "after {INSTALL_LIMIT:?} the installed version is {now:?}, not {version}, or the app \
             did not start again (app processes: {:?})",
            running_app_pids()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn until_update_state(app: &AppWindow, want: &str) {
    let started = Instant::now();
    loop {
        let state = app.attr("update-card", "data-state").await.unwrap_or_default();
        if state == want {
            return;
        }
        assert!(
            started.elapsed() < INSTALL_LIMIT,
            "the update card stays at {state}, not {want}: {}",
            app.text("update-state").await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn open_settings(app: &AppWindow) {
    app.click("avatar-button").await;
    app.click("menu-settings").await;
    app.find("page-settings").await;
}

#[test]
#[ignore = "installs a package system-wide as root: `cargo xtask test` builds the packages and runs it"]
fn an_installed_package_updates_itself_to_the_next_version_and_restarts_into_it() {
    let packages = Packages::from_env();
    use_installed_app(INSTALLED_APP);
    scenario("install-desktop", |name| async move {
        let _installed = Installed::package(&packages.old);
        assert_eq!(installed_version().as_deref(), Some(packages.old_version.as_str()));
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        packages.publish_new(&platform);

        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        // The installed version finds the next one by itself, checking its real signature later.
        app.wait_text("update-banner", &packages.new_version).await;
        app.click("update-banner-link").await;
        app.find("page-settings").await;
        assert_eq!(app.text("settings-version").await.trim(), packages.old_version);
        assert_eq!(app.text("update-version").await, packages.new_version);
        app.click("update-download").await;
        until_update_state(&app, "ready").await;
        app.screenshot("installed-update-verified").await;

        let before = running_app_pids();
        assert_eq!(before.len(), 1, "one app runs: {before:?}");
        app.click("update-install").await;
        let restarted = until_restarted_into(&packages.new_version, &before).await;
        assert!(!before.contains(&restarted));
        // The window the WebDriver session drove is gone with its process; the new one runs on
        // its own. Close it and start the installed app again through WebDriver.
        desktop.kill(app).await;

        let mut app = desktop.launch().await;
        // The session survived the update (the keyring still holds it).
        app.center().await;
        open_settings(&app).await;
        assert_eq!(app.text("settings-version").await.trim(), packages.new_version);
        app.click("update-check").await;
        until_update_state(&app, "up_to_date").await;
        app.screenshot("installed-update-done").await;
        desktop.close(app).await;
    });
}

#[test]
#[ignore = "installs a package system-wide as root: `cargo xtask test` builds the packages and runs it"]
fn a_kiosk_installs_the_next_version_by_itself_once_it_is_unattended() {
    let packages = Packages::from_env();
    use_installed_app(INSTALLED_APP);
    scenario("install-kiosk", |name| async move {
        let _installed = Installed::package(&packages.old);
        assert_eq!(installed_version().as_deref(), Some(packages.old_version.as_str()));
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let config = tempfile::tempdir().unwrap();
        let kiosk_file = config.path().join("kiosk.json");
        // Idle after 4 s, then a 20 s countdown before the idle sign-out.
        let kiosk = json!({ "enabled": true, "idle_timeout_secs": 4, "countdown_secs": 20 });
        std::fs::write(&kiosk_file, kiosk.to_string()).unwrap();

        // The kiosk asks for updates every 3 s instead of every 6 hours.
        let mut desktop = Desktop::with_env(
            &name,
            &platform.url(),
            &[
                ("SIGNET_KIOSK_CONFIG", kiosk_file.to_str().unwrap()),
                ("SIGNET_UPDATE_CHECK_SECS", "3"),
            ],
        );
        let mut app = desktop.launch().await;
        app.find("page-sign-in").await;
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;
        open_settings(&app).await;

        // Published while 王芳 is signed in: the kiosk sees it and says it will install later…
        packages.publish_new(&platform);
        app.wait_text("update-version", &packages.new_version).await;
        app.find("update-kiosk-note").await;
        app.screenshot("kiosk-update-waits").await;
        // …and does not install while she is signed in, even once she has stopped using it and
        // the idle countdown runs (several checks pass).
        app.find("kiosk-countdown").await;
        tokio::time::sleep(Duration::from_secs(8)).await;
        assert_eq!(installed_version().as_deref(), Some(packages.old_version.as_str()));
        let before = running_app_pids();
        assert_eq!(before.len(), 1, "the kiosk app still runs, not restarted: {before:?}");
        assert_eq!(app.text("settings-version").await.trim(), packages.old_version);
        assert!(app.shows("kiosk-countdown").await, "still her session, counting down");

        // The countdown signs her out; the unattended kiosk installs the update and restarts.
        let restarted = until_restarted_into(&packages.new_version, &before).await;
        assert!(!before.contains(&restarted));
        desktop.kill(app).await;

        let mut app = desktop.launch().await;
        app.find("page-sign-in").await;
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;
        open_settings(&app).await;
        assert_eq!(app.text("settings-version").await.trim(), packages.new_version);
        app.screenshot("kiosk-updated").await;
        desktop.close(app).await;
    });
}
