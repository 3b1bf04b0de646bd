//! The user's paths through the real app binary in a real webview (WebKitGTK through
//! tauri-driver), against a real platform server on a loopback port, with the real OS keyring.
//! Each step that reaches a new screen saves a screenshot under `target/e2e-screens/`.

#![allow(clippy::unwrap_used)]

mod support;

use signet_app::secrets::{Keyring, SERVICE};
use support::e2e::{scenario, Desktop};
use support::Platform;

#[test]
fn wrong_password_shows_the_error_and_keeps_the_sign_in_page() {
    scenario("wrong-password", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        app.find("page-sign-in").await;
        app.screenshot("sign-in").await;

        app.sign_in("staff01", "not-the-password").await;
        let error = app.wait_text("sign-in-error", "错误").await;
        assert!(error.contains("账号或密码错误"), "{error}");
        assert!(error.contains('4'), "attempts left should be shown: {error}");
        assert!(app.shows("page-sign-in").await);
        app.screenshot("wrong-password").await;

        // Four more: the account locks, and the page says for how long.
        for left in (0..4).rev() {
            app.sign_in("staff01", "still-wrong").await;
            if left > 0 {
                app.wait_text("sign-in-error", &format!("{left}")).await;
            }
        }
        let error = app.wait_text("sign-in-error", "锁定").await;
        assert!(error.contains("分"), "time left is shown: {error}");
        app.screenshot("locked").await;
        desktop.close(app).await;
    });
}

/// New data re-renders the whole page. When that happens between the press and the release of
/// a click, the element pressed is replaced and WebKit fires no click; the router holds such a
/// re-render until the release, then does it.
#[test]
fn a_click_survives_a_re_render_between_press_and_release() {
    scenario("click-re-render", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;

        // Held on the page's title: the re-render waits for the release, then happens.
        let title = app.wait_for("[data-testid=\"page-center\"] h1").await;
        press(&app, title).await;
        assert!(
            re_render_keeps(&app, "[data-testid=\"page-center\"] h1").await,
            "the page was re-rendered under the pressed title"
        );
        release(&app).await;
        let replaced = "return !window.__pressed.isConnected;";
        let started = std::time::Instant::now();
        while !app.client.execute(replaced, vec![]).await.unwrap().as_bool().unwrap() {
            assert!(started.elapsed().as_secs() < 10, "the held re-render never happened");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }

        // Held on a button: the click goes through.
        let button = app.find("entry-signature-button").await;
        press(&app, button).await;
        assert!(
            re_render_keeps(&app, "[data-testid=\"entry-signature-button\"]").await,
            "the page was re-rendered under the pressed button"
        );
        release(&app).await;
        app.find("page-signature").await;
        desktop.close(app).await;
    });
}

async fn press(app: &support::e2e::AppWindow, element: fantoccini::elements::Element) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let actions = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement { element, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
    app.client.perform_actions(actions).await.unwrap();
}

async fn release(app: &support::e2e::AppWindow) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let actions = MouseActions::new("mouse".to_string())
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    app.client.perform_actions(actions).await.unwrap();
    app.client.release_actions().await.unwrap();
}

/// Asks the router to re-render the page (as new data does), and answers whether the element
/// at `css` is still the same node 100 ms later.
async fn re_render_keeps(app: &support::e2e::AppWindow, css: &str) -> bool {
    let script = "const node = document.querySelector(arguments[0]); \
                  window.__pressed = node; \
                  window.dispatchEvent(new HashChangeEvent('hashchange')); \
                  return new Promise((done) => setTimeout(() => done(node.isConnected), 100));";
    app.client.execute(script, vec![css.into()]).await.unwrap().as_bool().unwrap()
}

#[test]
fn signs_in_relaunches_signed_in_works_offline_then_signs_out() {
    scenario("session", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let keyring = Keyring::new(SERVICE);
        let account = platform.keyring_account("staff02", "Signet-demo-2").await;

        // Sign in: the personal center shows the verified identity, masked.
        let mut app = desktop.launch().await;
        app.sign_in("staff02", "Signet-demo-2").await;
        app.center().await;
        assert_eq!(app.text("profile-name").await, "王芳");
        assert_eq!(app.attr("real-name-badge", "data-status").await.as_deref(), Some("verified"));
        assert!(app.text("real-name-badge").await.contains("已实名认证"));
        let identity = app.text("profile-identity").await;
        assert!(identity.contains("110***********002X"), "{identity}");
        assert!(!identity.contains("11010519491231002X"), "{identity}");
        app.screenshot("personal-center").await;
        assert!(keyring.get(&account).unwrap().is_some(), "refresh token is in the keyring");

        // The avatar menu at the top right.
        app.click("avatar-button").await;
        app.find("menu-center").await;
        app.screenshot("avatar-menu").await;
        desktop.close(app).await;

        // Relaunch: still signed in, no password asked.
        let mut app = desktop.launch().await;
        app.center().await;
        assert_eq!(app.text("profile-name").await, "王芳");
        assert!(!app.shows("offline-banner").await);
        app.screenshot("relaunched-signed-in").await;
        desktop.close(app).await;

        // The platform goes away: the cached personal center, with the offline banner.
        platform.halt().await;
        let mut app = desktop.launch().await;
        app.center().await;
        app.find("offline-banner").await;
        assert_eq!(app.text("profile-name").await, "王芳");
        assert!(app.text("profile-identity").await.contains("110***********002X"));
        app.screenshot("offline-cached").await;

        // It comes back: the app notices by itself and the banner goes.
        platform.resume().await;
        app.wait_gone("offline-banner").await;
        app.screenshot("reconnected").await;

        // Sign out: back to the sign-in page, the keyring entry is gone.
        app.click("sign-out").await;
        app.find("page-sign-in").await;
        let remembered = app.find("account").await.prop("value").await.unwrap();
        assert_eq!(remembered.as_deref(), Some("staff02"), "last account is remembered");
        app.screenshot("signed-out").await;
        assert!(keyring.get(&account).unwrap().is_none(), "keyring entry removed at sign-out");
        desktop.close(app).await;

        // And a relaunch stays signed out.
        let app = desktop.launch().await;
        app.find("page-sign-in").await;
        desktop.close(app).await;
    });
}

#[test]
fn unverified_user_sees_the_call_to_authenticate_and_english_is_remembered() {
    scenario("language", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        assert_eq!(app.attr("real-name-badge", "data-status").await.as_deref(), Some("unverified"));
        assert!(app.text("real-name-badge").await.contains("未实名认证"));
        app.screenshot("unverified-center").await;

        app.click("entry-real-name").await;
        app.find("page-real-name").await;
        app.screenshot("real-name-entry").await;
        app.click("back-to-center").await;
        app.center().await;

        app.click("avatar-button").await;
        app.click("menu-settings").await;
        app.find("page-settings").await;
        let select = app.find("settings-language").await;
        select.select_by_value("en").await.unwrap();
        app.wait_text("page-settings", "Language").await;
        app.screenshot("settings-english").await;
        desktop.close(app).await;

        let mut app = desktop.launch().await;
        app.center().await;
        app.wait_text("real-name-badge", "Not verified").await;
        app.screenshot("center-english").await;
        desktop.close(app).await;
    });
}

#[test]
fn without_a_keyring_the_app_says_so_and_does_not_remember_the_session() {
    scenario("no-keyring", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        // No D-Bus session bus: no Secret Service.
        let mut desktop = Desktop::with_env(
            &name,
            &platform.url(),
            &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/signet-no-bus")],
        );
        let mut app = desktop.launch().await;
        app.find("keyring-notice").await;
        app.screenshot("keyring-notice").await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        desktop.close(app).await;

        let app = desktop.launch().await;
        app.find("page-sign-in").await;
        app.find("keyring-notice").await;
        desktop.close(app).await;
    });
}

/// The X window id of the app's main window (xdotool is installed by `cargo xtask test`).
fn main_window_id() -> Option<String> {
    let found = std::process::Command::new("xdotool")
        .args(["search", "--name", "^Signet 可信电子凭证$"])
        .output()
        .expect("xdotool is installed");
    String::from_utf8_lossy(&found.stdout).lines().next().map(str::to_string)
}

/// The main window's size as the X server sees it.
fn main_window_size(id: &str) -> Option<(u32, u32)> {
    let out = std::process::Command::new("xdotool")
        .args(["getwindowgeometry", "--shell", id])
        .output()
        .expect("xdotool is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix('=')?.trim().parse().ok())
    };
    Some((field("WIDTH")?, field("HEIGHT")?))
}

/// Waits (up to 10 s) until the main window exists and has the given size; returns what it has.
async fn wait_for_window_size(want: (u32, u32)) -> Option<(u32, u32)> {
    let started = std::time::Instant::now();
    let mut last = None;
    while started.elapsed() < std::time::Duration::from_secs(10) {
        last = main_window_id().and_then(|id| main_window_size(&id));
        if last == Some(want) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

#[test]
fn the_window_comes_back_at_the_size_the_user_left_it() {
    scenario("window", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let app = desktop.launch().await;
        // Resized the way a user's window manager does it, through the X server, and measured
        // there too: WebDriver's window commands sometimes never return under Xvfb, which has no
        // window manager.
        let id = main_window_id().expect("the main window is on the X display");
        let status = std::process::Command::new("xdotool")
            .args(["windowsize", &id, "1000", "700"])
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(wait_for_window_size((1000, 700)).await, Some((1000, 700)), "resized");
        // The app saves the geometry shortly after the last resize.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        desktop.close(app).await;

        let app = desktop.launch().await;
        assert_eq!(
            wait_for_window_size((1000, 700)).await,
            Some((1000, 700)),
            "window size remembered"
        );
        desktop.close(app).await;
    });
}

#[test]
fn an_ended_session_asks_for_the_password_and_returns_to_the_same_page() {
    scenario("session-expired", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let keyring = Keyring::new(SERVICE);
        let account = platform.keyring_account("staff01", "Signet-demo-1").await;
        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        app.click("entry-real-name").await;
        app.click("rn-consent-accept").await;
        app.find("rn-identity").await;

        // Someone spends the app's refresh token, then its access token runs out: the next
        // call finds the session revoked.
        let stolen = keyring.get(&account).unwrap().unwrap();
        let response = support::http()
            .post(format!("{}/api/v1/auth/refresh", platform.url()))
            .json(&serde_json::json!({ "refresh_token": stolen.expose() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        platform.clock.advance(signet_domain::api::ACCESS_TOKEN_TTL_SECS + 1);

        app.find("rn-doc-type").await.select_by_value("id_card").await.unwrap();
        app.type_into("rn-number", "11010519491231002X").await;
        app.type_into("rn-name", "王芳").await;
        app.click("rn-identity-submit").await;
        let notice = app.text("session-expired-notice").await;
        assert!(notice.contains("登录已过期"), "{notice}");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        assert!(app.shows("session-expired-notice").await, "the notice stays");
        app.screenshot("session-expired").await;
        assert!(keyring.get(&account).unwrap().is_none(), "the revoked session is forgotten");

        app.sign_in("staff01", "Signet-demo-1").await;
        app.find("page-real-name").await;
        app.screenshot("back-on-the-same-page").await;
        desktop.close(app).await;
    });
}

#[test]
fn settings_exports_diagnostics_to_downloads_without_the_users_name() {
    scenario("diagnostics", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        // This machine's user has a Downloads directory (XDG user dirs).
        let home = desktop.data_dir().parent().unwrap().to_path_buf();
        let downloads = home.join("Downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let user_dirs = "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n";
        std::fs::write(home.join("config/user-dirs.dirs"), user_dirs).unwrap();

        let mut app = desktop.launch().await;
        app.sign_in("staff01", "Signet-demo-1").await;
        app.center().await;
        app.click("avatar-button").await;
        app.click("menu-settings").await;
        app.find("page-settings").await;
        app.click("settings-export-diagnostics").await;
        let shown = app.wait_text("settings-diagnostics-path", "signet-diagnostics-").await;
        app.screenshot("diagnostics-exported").await;

        let path = std::path::PathBuf::from(shown.trim());
        assert!(path.starts_with(&downloads), "written to {}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("app version            {}", env!("CARGO_PKG_VERSION"))));
        assert!(text.contains("signed in              yes"), "{text}");
        assert!(text.contains("starting on linux"), "the log's lines are in it:\n{text}");
        for personal in ["staff01", "李明", "Signet-demo-1"] {
            assert!(!text.contains(personal), "{personal} in:\n{text}");
        }
        let log = desktop.data_dir().join("edu.campus.signet/logs/signet.log");
        assert!(std::fs::metadata(&log).unwrap().len() > 0, "the app logs to {}", log.display());
        desktop.close(app).await;
    });
}
