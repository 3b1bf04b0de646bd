use tauri::{AppHandle, State};

use crate::error::AppResult;
use crate::session::{SessionView, SignInForm};
use crate::AppState;

#[tauri::command]
pub async fn restore_session(state: State<'_, AppState>) -> AppResult<SessionView> {
    let view = state.session.restore().await;
    state.review_watcher.wake();
    state.signatures.sync().wake();
    view
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, request: SignInForm) -> AppResult<SessionView> {
    state.kiosk.input_seen(std::time::Instant::now());
    let view = state.session.sign_in(request).await;
    state.review_watcher.wake();
    state.signatures.sync().wake();
    view
}

#[tauri::command]
pub async fn refresh_profile(state: State<'_, AppState>) -> AppResult<SessionView> {
    state.session.refresh_profile().await
}

/// Signs out. In kiosk mode this is [`crate::kiosk::end_session`]: everything of the user goes.
#[tauri::command]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> AppResult<()> {
    if state.kiosk.is_on() {
        return crate::kiosk::end_session(&app, &state).await;
    }
    state.manual_drafts.clear().await;
    state.signatures.clear_drafts().await;
    crate::face::release_all(&state).await;
    state.session.sign_out().await
}
