use serde::Serialize;
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::AppState;

pub(crate) const KEY_LANGUAGE: &str = "language";
const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    default_server_url: String,
}

#[derive(Serialize)]
pub struct Settings {
    language: String,
    last_account: Option<String>,
    server_url: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: crate::app_version(), default_server_url: state.config.platform_url.clone() }
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> AppResult<Settings> {
    let store = state.session.store();
    Ok(Settings {
        language: store.setting(KEY_LANGUAGE).await?.unwrap_or_else(|| LANGUAGES[0].into()),
        last_account: state.session.last_account().await?,
        server_url: state.session.server_url().await?,
    })
}

#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: String) -> AppResult<()> {
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(AppError::invalid_input("language", "unsupported"));
    }
    state.session.store().set_setting(KEY_LANGUAGE, &language).await
}
