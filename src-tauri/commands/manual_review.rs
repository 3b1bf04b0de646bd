use serde::Deserialize;
use signet_domain::api::ManualReviewStatus;
use tauri::ipc::{Channel, Request};
use tauri::State;

use crate::error::AppResult;
use crate::manual_review::{self, PhotoPreview, UploadProgress};
use crate::AppState;

/// The header naming which photo the raw body is: `id_front` or `holding_id`.
const PHOTO_KIND_HEADER: &str = "x-photo-kind";

/// The UI sends the picked file's bytes as the raw body (`invoke("prepare_id_photo", bytes,
/// { headers: { "x-photo-kind": kind } })`).
#[tauri::command]
pub async fn prepare_id_photo(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> AppResult<PhotoPreview> {
    let header = request.headers().get(PHOTO_KIND_HEADER).and_then(|v| v.to_str().ok());
    let kind = manual_review::parse_kind(header)?;
    let bytes = super::signature::raw_body(request.body())?;
    manual_review::prepare_photo(&state.session, &state.manual_drafts, kind, bytes).await
}

#[derive(Debug, Deserialize)]
pub struct ManualUploadForm {
    verification_id: String,
}

/// Uploads both prepared photos (progress over `on_progress`), submits them for review and
/// returns the pending review; the watcher then waits for the decision.
#[tauri::command]
pub async fn upload_manual_review(
    state: State<'_, AppState>,
    request: ManualUploadForm,
    on_progress: Channel<UploadProgress>,
) -> AppResult<ManualReviewStatus> {
    let status = manual_review::upload_and_submit(
        &state.session,
        &state.manual_drafts,
        &request.verification_id,
        |progress| {
            if let Err(e) = on_progress.send(progress) {
                tracing::debug!("upload progress not delivered: {e}");
            }
        },
    )
    .await?;
    state.review_watcher.wake();
    Ok(status)
}

/// The user's latest manual review, `null` when there has been none.
#[tauri::command]
pub async fn manual_review_status(
    state: State<'_, AppState>,
) -> AppResult<Option<ManualReviewStatus>> {
    let status = manual_review::status(&state.session).await?;
    state.review_watcher.wake();
    Ok(status)
}

/// Forgets the prepared photos (the user left the form).
#[tauri::command]
pub async fn discard_manual_photos(state: State<'_, AppState>) -> AppResult<()> {
    state.manual_drafts.clear().await;
    Ok(())
}
