use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use signet_domain::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::updates::{DownloadProgress, UpdateStatus};
use crate::AppState;

#[tauri::command]
pub async fn update_status(state: State<'_, AppState>) -> AppResult<UpdateStatus> {
    Ok(state.updates.status().await)
}

/// Asks the platform the user signs in to whether a newer version exists.
#[tauri::command]
pub async fn update_check(app: AppHandle, state: State<'_, AppState>) -> AppResult<UpdateStatus> {
    let platform = state.session.server_url().await?;
    Ok(state.updates.check(&app, &platform).await)
}

/// A kiosk updates itself once unattended (no one signed in or using it); its users do not install updates.
fn refuse_in_kiosk(state: &AppState) -> AppResult<()> {
    if state.kiosk.is_on() {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "a kiosk installs updates by itself once no one is signed in or using it",
        ));
    }
    Ok(())
}

/// Downloads the available update (progress over `on_progress`) and verifies its signature.
#[tauri::command]
pub async fn update_download(
    state: State<'_, AppState>,
    on_progress: Channel<DownloadProgress>,
) -> AppResult<UpdateStatus> {
    refuse_in_kiosk(&state)?;
    state
        .updates
        .download(|progress| {
            if let Err(e) = on_progress.send(progress) {
                tracing::debug!("update progress not delivered: {e}");
            }
        })
        .await
}

/// Installs the downloaded, verified update and restarts into it.
#[tauri::command]
pub async fn update_install(app: AppHandle, state: State<'_, AppState>) -> AppResult<()> {
    refuse_in_kiosk(&state)?;
    state.updates.install().await?;
    tracing::info!("update installed; restarting");
    app.restart()
}
