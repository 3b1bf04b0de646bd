//! Kiosk mode through the real app binary in a real webview (WebKitGTK through tauri-driver),
//! against a real platform server, with the real OS keyring: the locked-down full-screen window,
//! the idle countdown and sign-out, nothing of the last user left anywhere, and the
//! administrator's PIN. Each new screen is saved under `target/e2e-screens/`.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::json;
use signet_app::kiosk::pin::hash_pin_for_tests;
use signet_app::secrets::{Keyring, SERVICE};
use signet_app::store::{Store, MACHINE_SETTINGS};
use support::e2e::{app_exits_within, scenario, write_on_pad, AppWindow, Desktop};
use support::Platform;

const ADMIN_PIN: &str = "246810";

/// A kiosk machine: the configuration an administrator placed (short timers for the test), and
/// a temporary directory of its own so that what the app leaves there can be seen.
struct KioskMachine {
    desktop: Desktop,
    tmp: tempfile::TempDir,
    _config: tempfile::TempDir,
}

fn kiosk_machine(name: &str, platform: &Platform) -> KioskMachine {
    kiosk_machine_idle_after(name, platform, 3)
}

fn kiosk_machine_idle_after(name: &str, platform: &Platform, idle_secs: u64) -> KioskMachine {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("kiosk.json");
    let hash = hash_pin_for_tests(ADMIN_PIN);
    let text = json!({
        "enabled": true,
        "idle_timeout_secs": idle_secs,
        "countdown_secs": 5,
        "admin_pin_hash": hash,
    });
    std::fs::write(&file, text.to_string()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let desktop = Desktop::with_env(
        name,
        &platform.url(),
        &[
            ("SIGNET_KIOSK_CONFIG", file.to_str().unwrap()),
            ("TMPDIR", tmp.path().to_str().unwrap()),
        ],
    );
    KioskMachine { desktop, tmp, _config: config }
}

/// The app's local store directory on this machine (the OS app-data directory).
fn store_dir(desktop: &Desktop) -> PathBuf {
    desktop.data_dir().join("edu.campus.signet")
}

/// What the page keeps in its own storage: (localStorage entries, sessionStorage entries).
async fn web_storage(app: &AppWindow) -> (u64, u64) {
    let value = app
        .client
        .execute("return [localStorage.length, sessionStorage.length];", vec![])
        .await
        .unwrap();
    (value[0].as_u64().unwrap(), value[1].as_u64().unwrap())
}

async fn account_field(app: &AppWindow) -> String {
    app.find("account").await.prop("value").await.unwrap().unwrap_or_default()
}

/// Every file under `root` whose bytes hold `text` in UTF-8 or UTF-16 (WebKit keeps web storage
/// as UTF-16).
fn files_holding(root: &Path, text: &str) -> Vec<PathBuf> {
    let utf8 = text.as_bytes().to_vec();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in entries(&dir) {
            if entry.is_dir() {
                dirs.push(entry);
            } else if let Ok(bytes) = std::fs::read(&entry) {
                let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
                if holds(&utf8) || holds(&utf16) {
                    found.push(entry);
                }
            }
        }
    }
    found
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(read) => read.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

// ---- the window, as the X server sees it (WebDriver's window commands can hang under Xvfb) ----

fn xdotool(args: &[&str]) -> String {
    let out = std::process::Command::new("xdotool").args(args).output().expect("xdotool");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main_window_id() -> Option<String> {
    xdotool(&["search", "--name", "^Signet 可信电子凭证$"]).lines().next().map(str::to_string)
}

/// (x, y, width, height) of the main window.
fn main_window_geometry(id: &str) -> Option<(i64, i64, u64, u64)> {
    let text = xdotool(&["getwindowgeometry", "--shell", id]);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('=')?.trim().parse::<i64>().ok())
    };
    Some((field("X")?, field("Y")?, field("WIDTH")? as u64, field("HEIGHT")? as u64))
}

async fn wait_for_geometry(want: (i64, i64, u64, u64)) -> Option<(i64, i64, u64, u64)> {
    let started = std::time::Instant::now();
    let mut last = None;
    while started.elapsed() < Duration::from_secs(10) {
        last = main_window_id().and_then(|id| main_window_geometry(&id));
        if last == Some(want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// The Motif hints GTK sets on an undecorated window: `flags, functions, decorations, ...`.
fn motif_hints(id: &str) -> String {
    let out = std::process::Command::new("xprop")
        .args(["-id", id, "_MOTIF_WM_HINTS"])
        .output()
        .expect("xprop is installed (x11-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_idle_kiosk_counts_down_signs_out_and_keeps_nothing_of_the_user() {
    scenario("kiosk-idle", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let keyring = Keyring::new(SERVICE);
        let account = platform.keyring_account("staff02", "Signet-demo-2").await;
        keyring.delete(&account).unwrap();
        let KioskMachine { mut desktop, tmp, _config } = kiosk_machine(&name, &platform);

        let mut app = desktop.launch().await;
        app.find("page-sign-in").await;
        app.find("kiosk-notice").await;
        assert!(!app.shows("advanced-settings").await, "no platform address on a shared machine");

        // Full screen over the whole 1280×800 display, without decorations.
        assert_eq!(wait_for_geometry((0, 0, 1280, 800)).await, Some((0, 0, 1280, 800)));
        let hints = motif_hints(&main_window_id().unwrap());
        assert!(hints.contains("= 0x2, 0x0, 0x0"), "decorations off: {hints}");
        app.screenshot("sign-in").await;

        // The page cannot be left: no navigation elsewhere, no new windows, no context menu.
        let kept = app
            .client
            .execute(
                "const opened = window.open('https://example.com/'); \
                 const menu = document.dispatchEvent(new MouseEvent('contextmenu', \
                   { bubbles: true, cancelable: true })); \
                 const reload = document.dispatchEvent(new KeyboardEvent('keydown', \
                   { key: 'F5', bubbles: true, cancelable: true })); \
                 location.href = 'https://example.com/'; \
                 return [opened === null, menu, reload];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(kept, json!([true, false, false]), "window.open, context menu, F5 refused");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let here = app.client.execute("return location.href;", vec![]).await.unwrap();
        assert!(here.as_str().unwrap().starts_with("tauri://localhost"), "still the app: {here}");
        assert!(app.shows("page-sign-in").await);
        assert_eq!(app.client.windows().await.unwrap().len(), 1, "no second window");

        // 王芳 signs in and opens her signatures; the page stores something of hers.
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;
        app.click("entry-signature").await;
        app.find("page-signature").await;
        app.client
            .execute(
                "localStorage.setItem('draft', '王芳'); sessionStorage.setItem('tab', 'staff02');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(web_storage(&app).await, (1, 1));
        let home = desktop.data_dir().parent().unwrap().to_path_buf();
        assert!(
            !files_holding(&home, "staff02").is_empty(),
            "her profile is cached while she works"
        );
        assert!(keyring.get(&account).unwrap().is_none(), "a kiosk never writes the keyring");

        // She stays idle: after 3 s the countdown shows; any input cancels it.
        app.find("kiosk-countdown").await;
        let seconds: u32 = app.text("kiosk-countdown-seconds").await.parse().unwrap();
        assert!((1..=5).contains(&seconds), "{seconds}");
        app.screenshot("countdown").await;
        app.click("kiosk-still-here").await;
        app.wait_gone("kiosk-countdown").await;
        assert!(app.shows("page-signature").await, "still signed in, on the same page");

        // Idle again: the countdown runs out and she is signed out, to a clean sign-in page.
        app.find("kiosk-countdown").await;
        app.find("page-sign-in").await;
        assert_eq!(account_field(&app).await, "", "the account field is empty");
        assert!(!app.shows("kiosk-countdown").await);
        assert_eq!(web_storage(&app).await, (0, 0), "the page's storage is empty");
        app.screenshot("signed-out").await;
        assert!(keyring.get(&account).unwrap().is_none());
        desktop.kill(app).await;

        // Nothing of her in the store…
        let store = Store::open(&store_dir(&desktop)).await.unwrap();
        for table in store.table_names().await.unwrap() {
            if table != "settings" {
                assert_eq!(store.row_count(&table).await.unwrap(), 0, "rows left in {table}");
            }
        }
        let text = store.dump_text().await.unwrap();
        for line in text.lines() {
            let key = line.split_once('=').map_or(line, |(k, _)| k);
            assert!(MACHINE_SETTINGS.contains(&key), "setting left: {line}");
        }
        drop(store);
        // …nor in the temporary directory the app was given…
        assert_eq!(entries(tmp.path()), Vec::<PathBuf>::new(), "temporary files left");
        // …nor anywhere in the machine's home (store, webview data, caches, config).
        for trace in ["王芳", "staff02", "110***********002X"] {
            assert_eq!(files_holding(&home, trace), Vec::<PathBuf>::new(), "{trace} left");
        }

        // A relaunch: a clean sign-in page, and the page's storage is still empty.
        let app = desktop.launch().await;
        app.find("page-sign-in").await;
        assert_eq!(account_field(&app).await, "");
        assert_eq!(web_storage(&app).await, (0, 0));
        desktop.kill(app).await;
    });
}

#[test]
fn the_administrator_pin_signs_out_and_quits_the_kiosk() {
    scenario("kiosk-admin", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let KioskMachine { mut desktop, tmp: _tmp, _config } = kiosk_machine(&name, &platform);
        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;

        open_admin_dialog(&app).await;

        // A wrong PIN is refused and counted.
        app.type_into("kiosk-admin-pin", "135790").await;
        app.click("kiosk-admin-submit").await;
        let error = app.wait_text("kiosk-admin-error", "4").await;
        assert!(error.contains("PIN 不正确"), "{error}");
        app.screenshot("wrong-pin").await;

        // The right one signs out and quits the app.
        app.type_into("kiosk-admin-pin", ADMIN_PIN).await;
        // The app may be gone before WebDriver answers the click.
        let _ = app.find("kiosk-admin-submit").await.click().await;
        assert!(app_exits_within(Duration::from_secs(20)).await, "the app quit");
        desktop.kill(app).await;
        let store = Store::open(&store_dir(&desktop)).await.unwrap();
        assert_eq!(store.row_count("profile_cache").await.unwrap(), 0, "signed out first");
    });
}

#[test]
fn signing_out_with_unsent_signature_changes_asks_first_then_drops_them() {
    scenario("kiosk-unsynced", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut platform = Platform::start(dir.path()).await;
        let KioskMachine { mut desktop, tmp: _tmp, _config } =
            kiosk_machine_idle_after(&name, &platform, 120);
        let mut app = desktop.launch().await;
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;

        // The platform goes away; 王芳 draws and saves a signature, which waits in the outbox.
        platform.halt().await;
        app.click("entry-signature").await;
        app.click("sig-new-drawn").await;
        write_on_pad(&app).await;
        app.click("sig-preview").await;
        app.find("sig-preview-image").await;
        app.type_into("sig-name", "王芳").await;
        app.click("sig-save").await;
        app.find("sig-list").await;

        // Signing out: the last sync pass cannot reach the platform, so she is asked first.
        app.click("avatar-button").await;
        app.click("menu-sign-out").await;
        let asked = app.text("kiosk-unsynced").await;
        assert!(asked.contains("1 个签名"), "{asked}");
        app.screenshot("unsynced-changes").await;
        app.click("kiosk-unsynced-cancel").await;
        app.wait_gone("kiosk-unsynced").await;
        assert!(app.shows("sig-list").await, "still signed in");

        app.click("avatar-button").await;
        app.click("menu-sign-out").await;
        app.click("kiosk-unsynced-sign-out").await;
        app.find("page-sign-in").await;
        assert_eq!(account_field(&app).await, "");
        desktop.kill(app).await;

        let store = Store::open(&store_dir(&desktop)).await.unwrap();
        for table in ["signatures", "signature_default", "outbox", "profile_cache"] {
            assert_eq!(store.row_count(table).await.unwrap(), 0, "rows left in {table}");
        }
    });
}

/// Sessions the platform still accepts (sign-in families not revoked).
async fn open_platform_sessions(platform: &Platform) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM session_families WHERE revoked_at IS NULL")
        .fetch_one(platform.state.pool())
        .await
        .unwrap()
}

/// The page's idle sign-out has a backstop in Rust: a page that hangs (here a script keeps its
/// only thread busy, so its countdown never runs) still cannot leave the last user signed in.
#[test]
fn a_hung_page_cannot_keep_the_last_user_signed_in() {
    scenario("kiosk-backstop", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        // Idle after 10 s, a 5 s countdown: the backstop ends the session 10 + 5 + 15 s after
        // the last input.
        let mut machine = kiosk_machine_idle_after(&name, &platform, 10);
        let mut app = machine.desktop.launch().await;
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;
        assert_eq!(open_platform_sessions(&platform).await, 1);

        const HANG: Duration = Duration::from_secs(45);
        let hung_at = std::time::Instant::now();
        let client = app.client.clone();
        let hang = tokio::spawn(async move {
            let script = format!(
                "const end = Date.now() + {}; while (Date.now() < end) {{}}",
                HANG.as_millis()
            );
            // WebDriver gives up on the script after its own timeout; the page stays busy.
            let _ = client.execute(&script, vec![]).await;
        });
        while open_platform_sessions(&platform).await > 0 {
            assert!(hung_at.elapsed() < HANG, "the session outlived the hang: no backstop");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // Ended from Rust while the page could not have done it.
        assert!(hung_at.elapsed() < HANG);
        let _ = hang.await;
        // Once the page runs again, it is a fresh, empty sign-in page.
        app.find("page-sign-in").await;
        assert_eq!(account_field(&app).await, "");
        assert_eq!(web_storage(&app).await, (0, 0));
        app.screenshot("after-backstop").await;
        machine.desktop.close(app).await;
    });
}

/// Ctrl+Alt+Shift+K, typed on the keyboard, opens the administrator's PIN dialog.
async fn open_admin_dialog(app: &AppWindow) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: Key::Control.into() })
        .then(KeyAction::Down { value: Key::Alt.into() })
        .then(KeyAction::Down { value: Key::Shift.into() })
        .then(KeyAction::Down { value: 'K' })
        .then(KeyAction::Up { value: 'K' })
        .then(KeyAction::Up { value: Key::Shift.into() })
        .then(KeyAction::Up { value: Key::Alt.into() })
        .then(KeyAction::Up { value: Key::Control.into() });
    app.client.perform_actions(keys).await.unwrap();
    app.client.release_actions().await.unwrap();
    app.find("kiosk-admin").await;
}

/// `--kiosk` on the command line makes a kiosk without any file; a configuration file that
/// cannot be used makes one too (failing closed: the defaults, and no way out in the app), and the
/// administrator's dialog says the file was refused.
#[test]
fn the_kiosk_flag_and_a_broken_configuration_file_each_make_a_kiosk() {
    scenario("kiosk-flag", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let config = tempfile::tempdir().unwrap();
        let file = config.path().join("kiosk.json");
        let mut desktop = Desktop::with_env(
            &name,
            &platform.url(),
            &[("SIGNET_KIOSK_CONFIG", file.to_str().unwrap())],
        );

        // No file, no flag: an ordinary desktop.
        let app = desktop.launch().await;
        app.find("page-sign-in").await;
        assert!(!app.shows("kiosk-notice").await, "not a kiosk");
        desktop.close(app).await;

        // No file, `--kiosk`.
        desktop.set_args(&["--kiosk"]);
        let mut app = desktop.launch().await;
        app.find("kiosk-notice").await;
        assert_eq!(wait_for_geometry((0, 0, 1280, 800)).await, Some((0, 0, 1280, 800)));
        open_admin_dialog(&app).await;
        assert!(app.text("kiosk-admin").await.contains("未配置管理员 PIN"), "no PIN: no way out");
        assert!(!app.shows("kiosk-admin-config-problem").await, "nothing wrong with a flag");
        assert!(!app.shows("kiosk-admin-pin").await, "no PIN to type");
        assert_eq!(app.text("kiosk-admin-cancel").await, "关闭");
        app.screenshot("flag").await;
        desktop.kill(app).await;

        // A broken file, no flag: still a kiosk, with the defaults, and the dialog says why.
        desktop.set_args(&[]);
        std::fs::write(&file, r#"{ "enabled": true, "idle_timeout_secs": "soon" }"#).unwrap();
        let mut app = desktop.launch().await;
        app.find("kiosk-notice").await;
        let notice = app.text("kiosk-notice").await;
        assert!(notice.contains("2 分钟"), "the default idle time: {notice}");
        open_admin_dialog(&app).await;
        app.find("kiosk-admin-config-problem").await;
        app.screenshot("broken-config").await;
        desktop.kill(app).await;
    });
}
