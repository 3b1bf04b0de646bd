use std::time::SystemTime;

use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::error::{AppError, AppResult};
use crate::logging::LogFiles;
use crate::{diagnostics, AppState};

#[derive(Serialize)]
pub struct DiagnosticsExport {
    /// Where the file was written, in full, for the user to find it.
    path: String,
}

/// Writes the diagnostics file to the user's Downloads directory, or the app's data directory
/// when there is none.
#[tauri::command]
pub async fn export_diagnostics(
    app: AppHandle,
    state: State<'_, AppState>,
    logs: State<'_, LogFiles>,
) -> AppResult<DiagnosticsExport> {
    let mut dirs = Vec::new();
    if let Ok(downloads) = app.path().download_dir() {
        dirs.push(downloads);
    }
    dirs.push(match &state.config.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir().map_err(AppError::store)?,
    });
    let path = diagnostics::export(&state.session, &logs, &dirs, SystemTime::now()).await?;
    Ok(DiagnosticsExport { path: path.display().to_string() })
}
