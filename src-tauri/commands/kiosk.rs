use signet_domain::{ErrorCode, Sensitive};
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::kiosk::pin::PinOutcome;
use crate::kiosk::{self, KioskView};
use crate::AppState;

/// Whether this run is a kiosk, and its idle timeout and countdown.
#[tauri::command]
pub fn kiosk_state(state: State<'_, AppState>) -> KioskView {
    state.kiosk.view()
}

/// The page saw input (at most every few seconds): the idle backstop's clock starts again.
#[tauri::command]
pub fn kiosk_activity(state: State<'_, AppState>) {
    state.kiosk.input_seen(std::time::Instant::now());
}

/// Before the user signs out of a kiosk: one sync pass now; how many signatures still have
/// changes waiting after it (they would be lost at sign-out).
#[tauri::command]
pub async fn kiosk_unsynced_changes(state: State<'_, AppState>) -> AppResult<usize> {
    if !state.kiosk.is_on() || !state.session.has_user().await {
        return Ok(0);
    }
    state.signatures.flush_before_sign_out(&state.session, kiosk::SIGN_OUT_SYNC_LIMIT).await
}

/// The administrator leaves kiosk mode: with the right PIN the session ends as at sign-out and
/// the app quits. Wrong PINs are counted (five, then five minutes' wait).
#[tauri::command]
pub async fn kiosk_admin_exit(
    app: AppHandle,
    state: State<'_, AppState>,
    pin: Sensitive<String>,
) -> AppResult<()> {
    if !state.kiosk.is_on() {
        return Err(AppError::new(ErrorCode::Forbidden, "not a kiosk")
            .with_details(serde_json::json!({ "reason": "not_kiosk" })));
    }
    match state.kiosk.check_pin(pin).await {
        PinOutcome::Accepted => {
            tracing::info!("kiosk mode: administrator PIN accepted, quitting");
            if let Err(e) = kiosk::end_session(&app, &state).await {
                tracing::warn!(code = e.code().as_str(), "sign-out before quitting: {e}");
            }
            app.exit(0);
            Ok(())
        }
        refused => {
            tracing::warn!(outcome = ?refused, "kiosk mode: administrator PIN refused");
            Err(kiosk::pin_refused(refused))
        }
    }
}
