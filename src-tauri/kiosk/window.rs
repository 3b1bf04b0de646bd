//! The main window, made here rather than by Tauri from `tauri.conf.json` (where it has
//! `"create": false`), so that:
//!
//! - it never shows anything but the app: navigation to another origin is refused and new
//!   windows (`window.open`, `target=_blank`) are denied, in every mode;
//! - in kiosk mode it covers the monitor (full screen, and placed over the whole monitor for
//!   window managers that ignore full-screen requests), has no decorations, no devtools, and
//!   refuses to close (a window manager's close button or Alt+F4): only the administrator PIN
//!   ends a kiosk run.
//!
//! The window-state plugin keeps a kiosk's main window under another name
//! ([`KIOSK_STATE_LABEL`], never restored or saved), so a kiosk run neither takes the desktop's
//! remembered geometry nor leaves a full-screen, undecorated one behind for a normal run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tauri::plugin::TauriPlugin;
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, Runtime, Url, WebviewWindow, WebviewWindowBuilder, WindowEvent};

use super::Kiosk;

pub const MAIN_WINDOW: &str = "main";
/// The window-state plugin's name for a kiosk's main window, filtered out of its tracking.
pub const KIOSK_STATE_LABEL: &str = "main-kiosk";

/// What of the main window is remembered between runs: size, position, maximized and so on, but
/// not visibility: a state saved while the window was hidden (closing) must not bring it back
/// invisible, a dead end with no window to click.
pub const REMEMBERED: tauri_plugin_window_state::StateFlags =
    tauri_plugin_window_state::StateFlags::all()
        .difference(tauri_plugin_window_state::StateFlags::VISIBLE);

/// The window-state plugin, told by `kiosk` (set before the main window is made) whether this
/// run is a kiosk.
pub fn window_state_plugin<R: Runtime>(kiosk: Arc<AtomicBool>) -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default()
        .with_state_flags(REMEMBERED)
        .map_label(move |label| {
            if label == MAIN_WINDOW && kiosk.load(Ordering::SeqCst) {
                KIOSK_STATE_LABEL
            } else {
                label
            }
        })
        .with_filter(|label| label != KIOSK_STATE_LABEL)
        .build()
}

/// Whether `url` is one of the app's own pages: the bundled UI (`tauri://localhost` on Linux
/// and macOS, `http(s)://tauri.localhost` on Windows) or the dev server in development.
pub fn is_app_url(url: &Url, dev_url: Option<&Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" if url.host_str() == Some("tauri.localhost") => true,
        "about" => url.as_str() == "about:blank",
        _ => dev_url.is_some_and(|dev| dev.origin() == url.origin()),
    }
}

/// Makes the main window from its configuration, guarded, and locked down in kiosk mode.
pub fn build_main_window(app: &AppHandle, kiosk: &Kiosk) -> tauri::Result<WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    let dev_url = app.config().build.dev_url.clone();
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?
        .on_navigation(move |url| {
            let allowed = is_app_url(url, dev_url.as_ref());
            if !allowed {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str().unwrap_or(""),
                    "refused to navigate the main window away from the app"
                );
            }
            allowed
        })
        .on_new_window(|url, _features| {
            tracing::warn!(scheme = url.scheme(), "refused to open a new window from the page");
            NewWindowResponse::Deny
        });
    if kiosk.is_on() {
        builder = builder.fullscreen(true).decorations(false).resizable(false).devtools(false);
    }
    let window = builder.build()?;
    if kiosk.is_on() {
        cover_monitor(&window);
        window.on_window_event(|event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                tracing::info!("kiosk mode: closing the window is refused");
                api.prevent_close();
            }
        });
    }
    Ok(window)
}

/// Full screen, and the window placed over the whole monitor as well: without a window manager
/// that honours full-screen requests the window would otherwise keep its configured size.
fn cover_monitor(window: &WebviewWindow) {
    let monitor =
        window.current_monitor().ok().flatten().or_else(|| window.primary_monitor().ok().flatten());
    if let Some(monitor) = monitor {
        let _ = window.set_position(*monitor.position());
        let _ = window.set_size(*monitor.size());
    }
    if let Err(e) = window.set_fullscreen(true) {
        tracing::warn!("kiosk mode: could not go full screen: {e}");
    }
}

/// A window of a verification method (the Alipay page) in kiosk mode: above the full-screen
/// main window, without devtools, web pages only, and no further windows.
pub fn lock_down_method_window<'a, R: Runtime, M: Manager<R>>(
    builder: WebviewWindowBuilder<'a, R, M>,
    kiosk: bool,
) -> WebviewWindowBuilder<'a, R, M> {
    if !kiosk {
        return builder;
    }
    builder
        .always_on_top(true)
        .devtools(false)
        .on_navigation(|url| matches!(url.scheme(), "http" | "https"))
        .on_new_window(|_, _| NewWindowResponse::Deny)
}

/// Clears the main webview's storage: local and session storage, IndexedDB, cookies, caches.
/// The UI clears its own storage too, so nothing depends on when WebKit finishes.
/// Loads the page afresh on the sign-in page (a new document, so nothing of the page's memory
/// stays), as the page itself does after a sign-out.
pub fn show_sign_in_afresh(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else { return };
    let loaded = window.url().and_then(|mut url| {
        url.set_query(Some("signed_out"));
        url.set_fragment(Some("/sign-in"));
        window.navigate(url)
    });
    if let Err(e) = loaded {
        tracing::warn!("could not load the sign-in page afresh: {e}");
    }
}

pub fn clear_webview_data(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        if let Err(e) = window.clear_all_browsing_data() {
            tracing::warn!("could not clear the webview's data: {e}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_apps_own_pages_are_allowed() {
        assert!(is_app_url(&url("tauri://localhost/"), None));
        assert!(is_app_url(&url("tauri://localhost/#/center"), None));
        assert!(is_app_url(&url("http://tauri.localhost/index.html"), None));
        assert!(is_app_url(&url("https://tauri.localhost/"), None));
        assert!(is_app_url(&url("about:blank"), None));
    }

    #[test]
    fn anything_else_is_refused() {
        for other in [
            "https://example.com/",
            "http://127.0.0.1:8787/sandbox/sms",
            "tauri://evil.example/",
            "https://tauri.localhost.example.com/",
            "file:///etc/passwd",
            "data:text/html,hi",
            "javascript:alert(1)",
            "about:config",
        ] {
            assert!(!is_app_url(&url(other), None), "{other}");
        }
    }

    #[test]
    fn the_dev_server_is_allowed_only_in_development() {
        let dev = url("http://localhost:1420/");
        assert!(is_app_url(&url("http://localhost:1420/#/center"), Some(&dev)));
        assert!(!is_app_url(&url("http://localhost:1421/"), Some(&dev)));
        assert!(!is_app_url(&url("http://localhost:1420/"), None));
    }
}
