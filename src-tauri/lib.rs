//! Signet's desktop app: a Tauri v2 shell over small services.
//!
//! - [`session::Session`]: sign-in, restore from the OS keyring, profile, sign-out.
//! - [`real_name`]: real-name authentication: consent, step 1 checks, the methods.
//! - [`manual_review`]: manual review: photo checks, resumable upload, waiting for the decision.
//! - [`face`]: face recognition: challenge, recording, upload; [`camera`]: the camera actor.
//! - [`upload`]: resumable uploads to the platform (manual-review photos, the face clip).
//! - [`signature::Signatures`]: signature maintenance: drawing, photo cleanup, the local
//!   cache and the outbox that syncs it with the platform.
//! - [`updates::Updates`]: auto-update from the platform (check, download, verify, install).
//! - [`platform::PlatformClient`]: typed HTTP calls to the platform.
//! - [`store::Store`]: the local SQLite store (settings, profile cache).
//! - [`secrets::Keyring`]: the OS keyring, where the refresh token rests.
//! - [`kiosk`]: kiosk mode: the locked-down main window, idle sign-out, nothing kept between users.
//! - [`logging`]: stderr and the rotated log file; [`diagnostics`]: the redacted export of it.
//!
//! Commands in [`commands`] parse, call one service and map the error; nothing else lives here.

pub mod camera;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod face;
pub mod kiosk;
pub mod logging;
pub mod manual_review;
pub mod platform;
pub mod real_name;
pub mod secrets;
pub mod session;
pub mod signature;
pub mod store;
pub mod updates;
pub mod upload;

use std::sync::Arc;

use tauri::{Emitter, Manager};

use crate::config::AppConfig;
use crate::manual_review::{ManualReviewDrafts, ReviewWatcher};
use crate::session::{Session, SessionEvent};

/// Everything the commands share, registered once with `.manage()`.
pub struct AppState {
    pub config: AppConfig,
    pub session: Arc<Session>,
    /// Manual-review photos prepared for upload, in memory only.
    pub manual_drafts: Arc<ManualReviewDrafts>,
    /// The camera (face recognition): one user at a time, released when not in use.
    pub camera: Arc<camera::Camera>,
    /// The face recording waiting for upload, in memory only.
    pub face_drafts: Arc<face::FaceDrafts>,
    pub review_watcher: Arc<ReviewWatcher>,
    pub signatures: Arc<signature::Signatures>,
    pub updates: Arc<updates::Updates>,
    pub kiosk: Arc<kiosk::Kiosk>,
}

static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// This build's version as its package, the updater and the platform know it: `tauri.conf.json`'s
/// `version`, which a release build may set (`tauri build --config`), falling back to the crate's
/// version where no app runs (library tests).
pub fn app_version() -> &'static str {
    VERSION.get().map_or(env!("CARGO_PKG_VERSION"), String::as_str)
}

pub fn run() {
    let context = tauri::generate_context!();
    let _ = VERSION.set(context.package_info().version.to_string());
    let logs = logging::init(logging::log_dir(&context.config().identifier));
    let config = AppConfig::from_env();
    // Set once the kiosk configuration is read, before the main window is made.
    let kiosk_flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let result = tauri::Builder::default()
        .manage(logs)
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(kiosk::window::window_state_plugin(kiosk_flag.clone()))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .on_window_event(remember_window_geometry)
        .setup(move |app| {
            let config_dir = app.path().app_config_dir().ok();
            let kiosk =
                kiosk::Kiosk::resolve(config.kiosk_file.clone(), config_dir, config.kiosk_flag);
            kiosk_flag.store(kiosk.is_on(), std::sync::atomic::Ordering::SeqCst);
            let state = tauri::async_runtime::block_on(open_state(app.handle(), config, kiosk))?;
            spawn_reconnect_loop(&state);
            spawn_review_watcher(app.handle(), &state);
            spawn_signature_sync(&state);
            spawn_update_checks(app.handle(), &state);
            if state.kiosk.is_on() {
                kiosk::spawn_idle_backstop(app.handle());
            }
            let kiosk = state.kiosk.clone();
            app.manage(state);
            kiosk::window::build_main_window(app.handle(), &kiosk)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::settings::app_info,
            commands::settings::get_settings,
            commands::settings::set_language,
            commands::diagnostics::export_diagnostics,
            commands::session::restore_session,
            commands::session::sign_in,
            commands::session::refresh_profile,
            commands::session::sign_out,
            commands::real_name::real_name_consent,
            commands::real_name::accept_real_name_consent,
            commands::real_name::check_identity,
            commands::real_name::check_method_input,
            commands::real_name::submit_identity,
            commands::real_name::verify_bank_card,
            commands::real_name::attempt_history,
            commands::real_name::start_phone_verification,
            commands::real_name::resend_sms_code,
            commands::real_name::confirm_sms_code,
            commands::real_name::start_alipay,
            commands::real_name::close_alipay_window,
            commands::manual_review::prepare_id_photo,
            commands::manual_review::upload_manual_review,
            commands::manual_review::manual_review_status,
            commands::manual_review::discard_manual_photos,
            commands::face::camera_list,
            commands::face::camera_select,
            commands::face::face_preview_start,
            commands::face::face_preview_ack,
            commands::face::face_preview_stop,
            commands::face::face_challenge,
            commands::face::face_record,
            commands::face::face_record_finish,
            commands::face::face_discard_recording,
            commands::face::face_upload_submit,
            commands::signature::signatures_list,
            commands::signature::signature_render_drawing,
            commands::signature::signature_load_photo,
            commands::signature::signature_clean_photo,
            commands::signature::signature_save_draft,
            commands::signature::signature_discard_draft,
            commands::signature::signature_rename,
            commands::signature::signature_set_default,
            commands::signature::signature_delete,
            commands::signature::signature_sync_now,
            commands::updates::update_status,
            commands::updates::update_check,
            commands::updates::update_download,
            commands::updates::update_install,
            commands::kiosk::kiosk_state,
            commands::kiosk::kiosk_activity,
            commands::kiosk::kiosk_unsynced_changes,
            commands::kiosk::kiosk_admin_exit,
        ])
        .run(context);
    if let Err(e) = result {
        tracing::error!("Signet stopped: {e}");
        std::process::exit(1);
    }
}

async fn open_state(
    app: &tauri::AppHandle,
    config: AppConfig,
    kiosk: kiosk::Kiosk,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir = match &config.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir()?,
    };
    let store = store::Store::open(&data_dir).await?;
    let handle = app.clone();
    let sync = Arc::new(signature::sync::SignatureSync::new(move || {
        if let Err(e) = handle.emit("signatures-changed", ()) {
            tracing::warn!("could not tell the UI about signatures: {e}");
        }
    }));
    let signatures = Arc::new(signature::Signatures::new(
        signature::cache::SignatureCache::new(store.pool().clone()),
        sync,
    ));
    let handle = app.clone();
    let manual_drafts = Arc::new(ManualReviewDrafts::default());
    let drafts = manual_drafts.clone();
    let camera = Arc::new(camera::Camera::new(camera::CameraConfig::from_env()));
    let face_drafts = Arc::new(face::FaceDrafts::default());
    let (camera_for_events, face_for_events) = (camera.clone(), face_drafts.clone());
    let signatures_for_events = signatures.clone();
    let notify: session::Notifier = Arc::new(move |event| {
        let sent = match event {
            SessionEvent::Connectivity { online } => {
                if online {
                    // What waited in the outbox goes now.
                    signatures_for_events.sync().platform_is_back();
                }
                signatures_for_events.sync().changed();
                handle.emit("connectivity", serde_json::json!({ "online": online }))
            }
            SessionEvent::SessionExpired => {
                // The photos, recordings and drafts of a session that ended go with it, and the
                // camera is released.
                let drafts = drafts.clone();
                let signatures = signatures_for_events.clone();
                let (camera, face_drafts) = (camera_for_events.clone(), face_for_events.clone());
                tauri::async_runtime::spawn(async move {
                    drafts.clear().await;
                    signatures.clear_drafts().await;
                    face_drafts.clear().await;
                    let _ = tokio::task::spawn_blocking(move || camera.stop()).await;
                });
                kiosk::after_session_expired(&handle);
                handle.emit("session_expired", ())
            }
        };
        if let Err(e) = sent {
            tracing::warn!("could not tell the UI: {e}");
        }
    });
    let session = kiosk::open_session(&kiosk, store, &config.platform_url, notify).await?;
    let review_watcher = Arc::new(ReviewWatcher::new(config.review_poll_every));
    let updates = Arc::new(updates::Updates::new(updates::build_pubkey()));
    Ok(AppState {
        config,
        session: Arc::new(session),
        manual_drafts,
        camera,
        face_drafts,
        review_watcher,
        signatures,
        updates,
        kiosk: Arc::new(kiosk),
    })
}

/// Sends the signature outbox in the background: after each change, when the platform comes
/// back, and every half minute.
fn spawn_signature_sync(state: &AppState) {
    let session = state.session.clone();
    let signatures = state.signatures.clone();
    tauri::async_runtime::spawn(async move {
        let sync = signatures.sync().clone();
        sync.run(&session, signatures.cache(), std::time::Duration::from_secs(30)).await;
    });
}

/// Asks the platform for a newer version shortly after start and every six hours, and tells the
/// UI (`update-status`) what it found. On a desktop, downloading and installing wait for the
/// user. A kiosk installs by itself, only once it is unattended, and restarts into the new
/// version.
fn spawn_update_checks(app: &tauri::AppHandle, state: &AppState) {
    let (session, updates, app) = (state.session.clone(), state.updates.clone(), app.clone());
    let kiosk = state.kiosk.clone();
    let every = state.config.update_check_every;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        loop {
            match session.server_url().await {
                Ok(platform) => {
                    let status = updates.check(&app, &platform).await;
                    if let Err(e) = app.emit("update-status", &status) {
                        tracing::warn!("could not tell the UI about updates: {e}");
                    }
                    if kiosk.is_on() && status.state == updates::UpdateState::Available {
                        install_while_unattended(&app, &session, &kiosk, &updates, every).await;
                    }
                }
                Err(e) => tracing::warn!("no platform address to ask for updates: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// A kiosk's update: waits (looking every few seconds, up to the next check) until the machine is
/// unattended — no one signed in, and no input for the kiosk's idle time, so that no one is
/// half-way through signing in — then downloads, verifies, installs and restarts. A failure
/// leaves this version running.
async fn install_while_unattended(
    app: &tauri::AppHandle,
    session: &Session,
    kiosk: &kiosk::Kiosk,
    updates: &updates::Updates,
    next_check: std::time::Duration,
) {
    const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
    let unattended =
        || async { !session.has_user().await && kiosk.unattended(std::time::Instant::now()) };
    let mut waited = std::time::Duration::ZERO;
    while !unattended().await {
        if waited >= next_check {
            return;
        }
        tokio::time::sleep(LOOK_EVERY).await;
        waited += LOOK_EVERY;
    }
    let outcome = async {
        updates.download(|_| {}).await?;
        if !unattended().await {
            return Ok(false);
        }
        updates.install().await.map(|()| true)
    }
    .await;
    match outcome {
        Ok(true) => {
            tracing::info!("kiosk update installed while unattended; restarting");
            app.restart();
        }
        Ok(false) => tracing::info!("someone used the kiosk during the update; installing later"),
        Err(e) => tracing::warn!("kiosk update failed; this version keeps running: {e}"),
    }
    let _ = app.emit("update-status", &updates.status().await);
}

/// While the signed-in user's manual review is pending, asks for its status; once decided,
/// tells the UI (`manual_review_decided`) and the desktop.
fn spawn_review_watcher(app: &tauri::AppHandle, state: &AppState) {
    let session = state.session.clone();
    let watcher = state.review_watcher.clone();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        watcher
            .run(&session, |status| {
                if let Err(e) = app.emit("manual_review_decided", status) {
                    tracing::warn!("could not tell the UI about the review: {e}");
                }
                notify_decision(&app, &session, status);
            })
            .await;
    });
}

/// The desktop notification for a decided manual review, in the user's language.
fn notify_decision(
    app: &tauri::AppHandle,
    session: &Arc<Session>,
    status: &signet_domain::api::ManualReviewStatus,
) {
    use tauri_plugin_notification::NotificationExt;

    let (app, session, status) = (app.clone(), session.clone(), status.clone());
    tauri::async_runtime::spawn(async move {
        let language = session.store().setting(commands::settings::KEY_LANGUAGE).await;
        let english = language.ok().flatten().is_some_and(|language| language == "en");
        let (title, body) = manual_review::decision_notice(&status, english);
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            tracing::warn!("could not show the desktop notification: {e}");
        }
    });
}

/// While signed in and offline, asks the platform every few seconds whether it is back.
fn spawn_reconnect_loop(state: &AppState) {
    let session = state.session.clone();
    let every = state.config.reconnect_every;
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if !session.is_online() && session.has_user().await {
                session.probe().await;
            }
        }
    });
}

/// The window-state plugin saves at a clean exit; saving shortly after each move or resize as
/// well means a crash, a kill or a power cut does not lose where the user put the window.
fn remember_window_geometry(window: &tauri::Window, event: &tauri::WindowEvent) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tauri_plugin_window_state::AppHandleExt;

    static GENERATION: AtomicU64 = AtomicU64::new(0);
    if !matches!(event, tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)) {
        return;
    }
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        // Only the last event of a drag saves.
        if GENERATION.load(Ordering::SeqCst) == generation {
            if let Err(e) = app.save_window_state(kiosk::window::REMEMBERED) {
                tracing::warn!("could not save the window state: {e}");
            }
        }
    });
}
