use signet_domain::signature::Drawing;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::signature::{PhotoSettings, SignatureBoard, SignatureDraft};
use crate::AppState;

#[tauri::command]
pub async fn signatures_list(state: State<'_, AppState>) -> AppResult<SignatureBoard> {
    state.signatures.board(&state.session).await
}

#[tauri::command]
pub async fn signature_render_drawing(
    state: State<'_, AppState>,
    drawing: Drawing,
) -> AppResult<SignatureDraft> {
    state.signatures.render_drawing(&state.session, drawing).await
}

/// The UI sends the picked file's bytes as the raw body.
#[tauri::command]
pub async fn signature_load_photo(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> AppResult<SignatureDraft> {
    let bytes = raw_body(request.body())?;
    state.signatures.load_photo(&state.session, bytes).await
}

/// Bytes sent as a raw IPC body; the postMessage fallback sends them as an array of numbers.
pub fn raw_body(body: &InvokeBody) -> AppResult<Vec<u8>> {
    match body {
        InvokeBody::Raw(bytes) => Ok(bytes.clone()),
        InvokeBody::Json(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| AppError::invalid_input("body", "expected_raw_bytes")),
        InvokeBody::Json(_) => Err(AppError::invalid_input("body", "expected_raw_bytes")),
    }
}

#[tauri::command]
pub async fn signature_clean_photo(
    state: State<'_, AppState>,
    draft_id: String,
    threshold: Option<u8>,
    ink: signet_imaging::InkMode,
) -> AppResult<SignatureDraft> {
    let settings = PhotoSettings { threshold, ink };
    state.signatures.clean_photo(&state.session, &draft_id, settings).await
}

#[tauri::command]
pub async fn signature_save_draft(
    state: State<'_, AppState>,
    draft_id: String,
    name: String,
) -> AppResult<SignatureBoard> {
    state.signatures.save_draft(&state.session, &draft_id, &name).await
}

#[tauri::command]
pub async fn signature_discard_draft(
    state: State<'_, AppState>,
    draft_id: String,
) -> AppResult<()> {
    state.signatures.discard_draft(&draft_id).await;
    Ok(())
}

#[tauri::command]
pub async fn signature_rename(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> AppResult<SignatureBoard> {
    state.signatures.rename(&state.session, &id, &name).await
}

#[tauri::command]
pub async fn signature_set_default(
    state: State<'_, AppState>,
    id: String,
) -> AppResult<SignatureBoard> {
    state.signatures.set_default(&state.session, &id).await
}

#[tauri::command]
pub async fn signature_delete(state: State<'_, AppState>, id: String) -> AppResult<SignatureBoard> {
    state.signatures.delete(&state.session, &id).await
}

#[tauri::command]
pub async fn signature_sync_now(state: State<'_, AppState>) -> AppResult<SignatureBoard> {
    state.signatures.sync_now(&state.session).await
}
