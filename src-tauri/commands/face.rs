use serde::{Deserialize, Serialize};
use signet_domain::ErrorCode;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::State;

use crate::camera::actor::Options;
use crate::camera::{self, CameraDevice, PreviewSink, PreviewStatus, SourceInfo};
use crate::error::{AppError, AppResult};
use crate::face::{self, FaceUploadProgress, RecordingSummary};
use crate::AppState;
use signet_domain::api::{FaceChallenge, VerificationResult};

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("camera task stopped: {e}")))
}

#[derive(Debug, Serialize)]
pub struct CameraList {
    pub devices: Vec<CameraDevice>,
    /// The remembered camera when it is still there, else the first.
    pub selected: Option<String>,
}

/// The machine's cameras and which one is used. Rejects with `camera_unavailable`
/// (`details.reason`: `no_camera`, `permission_denied`, ...).
#[tauri::command]
pub async fn camera_list(state: State<'_, AppState>) -> AppResult<CameraList> {
    let camera = state.camera.clone();
    let devices = blocking(move || camera.list()).await??;
    if devices.is_empty() {
        return Err(camera::CameraError::NoCamera.into());
    }
    let remembered = camera::remembered(state.session.store()).await;
    let selected = remembered
        .filter(|id| devices.iter().any(|d| &d.id == id))
        .or_else(|| devices.first().map(|d| d.id.clone()));
    Ok(CameraList { devices, selected })
}

/// Remembers the camera the user picked (this machine's setting).
#[tauri::command]
pub async fn camera_select(state: State<'_, AppState>, id: String) -> AppResult<()> {
    if id.is_empty() || id.len() > 512 {
        return Err(AppError::invalid_input("camera", "invalid"));
    }
    camera::remember(state.session.store(), &id).await
}

/// The preview's two channels: raw JPEG bytes, and the status (hint, recording progress).
struct ChannelSink {
    frames: Channel<InvokeResponseBody>,
    status: Channel<PreviewStatus>,
}

impl PreviewSink for ChannelSink {
    fn frame(&self, jpeg: Vec<u8>) -> bool {
        self.frames.send(InvokeResponseBody::Raw(jpeg)).is_ok()
    }

    fn status(&self, status: &PreviewStatus) -> bool {
        self.status.send(status.clone()).is_ok()
    }
}

/// Opens the camera (the remembered one) and streams the preview: each JPEG goes over
/// `on_frame` as raw bytes, and the next only after `face_preview_ack`. Replaces a running
/// preview. Rejects with `camera_unavailable` (`details.reason`).
#[tauri::command]
pub async fn face_preview_start(
    state: State<'_, AppState>,
    on_frame: Channel<InvokeResponseBody>,
    on_status: Channel<PreviewStatus>,
) -> AppResult<SourceInfo> {
    state.session.user_id().await?;
    let id = camera::remembered(state.session.store()).await;
    let camera = state.camera.clone();
    let opener = camera.opener(id);
    let sink = Box::new(ChannelSink { frames: on_frame, status: on_status });
    let info = blocking(move || camera.start(opener, sink, Options::default())).await??;
    Ok(info)
}

/// The UI has shown the last preview frame.
#[tauri::command]
pub fn face_preview_ack(state: State<'_, AppState>) {
    state.camera.ack();
}

/// Stops the preview and releases the camera (resolves once it is released).
#[tauri::command]
pub async fn face_preview_stop(state: State<'_, AppState>) -> AppResult<()> {
    let camera = state.camera.clone();
    blocking(move || camera.stop()).await
}

#[derive(Debug, Deserialize)]
pub struct FaceForm {
    verification_id: String,
}

/// A challenge from the platform: the digits to read aloud and the recording's bounds.
#[tauri::command]
pub async fn face_challenge(
    state: State<'_, AppState>,
    request: FaceForm,
) -> AppResult<FaceChallenge> {
    face::challenge(&state.session, &request.verification_id).await
}

#[derive(Debug, Deserialize)]
pub struct RecordForm {
    min_ms: u64,
    max_ms: u64,
}

/// Records from the running preview until `max_ms` or `face_record_finish`, keeps the clip in
/// memory, and returns what the review shows.
#[tauri::command]
pub async fn face_record(
    state: State<'_, AppState>,
    request: RecordForm,
) -> AppResult<RecordingSummary> {
    let user_id = state.session.user_id().await?;
    if request.max_ms == 0 || request.max_ms > 30_000 || request.min_ms > request.max_ms {
        return Err(AppError::invalid_input("max_ms", "out_of_range"));
    }
    let done = state.camera.record(request.max_ms)?;
    let recording =
        done.await.map_err(|_| camera::CameraError::failed("the recording was abandoned"))??;
    face::check_duration(recording.duration_ms, request.min_ms, request.max_ms)?;
    let summary = face::summary(&recording);
    state.face_drafts.put(&user_id, recording).await;
    Ok(summary)
}

/// Ends the running recording now (it keeps what was recorded).
#[tauri::command]
pub fn face_record_finish(state: State<'_, AppState>) {
    state.camera.finish_recording();
}

/// Forgets the recording (the user records again, or leaves).
#[tauri::command]
pub async fn face_discard_recording(state: State<'_, AppState>) -> AppResult<()> {
    state.face_drafts.clear().await;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct FaceSubmitForm {
    verification_id: String,
    challenge_id: String,
}

/// Uploads the recording (progress over `on_progress`, resuming after network drops), submits
/// it with the challenge and returns the platform's result.
#[tauri::command]
pub async fn face_upload_submit(
    state: State<'_, AppState>,
    request: FaceSubmitForm,
    on_progress: Channel<FaceUploadProgress>,
) -> AppResult<VerificationResult> {
    face::upload_and_submit(
        &state.session,
        &state.face_drafts,
        &request.verification_id,
        &request.challenge_id,
        |progress| {
            if let Err(e) = on_progress.send(progress) {
                tracing::debug!("upload progress not delivered: {e}");
            }
        },
    )
    .await
}
