//! Face recognition (人脸识别认证, method D) as the app runs it: the platform's challenge (digits
//! to read aloud), a 3-6 s recording from the [`crate::camera`], the review, then the clip
//! uploaded in resumable chunks and submitted with the challenge; the platform checks liveness
//! and compares the face with the document photo.
//!
//! The recording lives in memory only ([`FaceDrafts`]), for the signed-in user: it is dropped
//! once uploaded and submitted, when the user records again or leaves, at sign-out and when
//! another user signs in.

use std::sync::Arc;

use base64::Engine as _;
use serde::Serialize;
use signet_domain::ErrorCode;
use tokio::sync::Mutex;

use crate::camera::Recording;
use crate::error::{AppError, AppResult};
use crate::session::Session;
use crate::upload::{self, UploadTarget};
use signet_domain::api::{
    FaceChallenge, FaceChallengeRequest, FaceSubmitRequest, VerificationResult,
};

#[derive(Default)]
struct Drafts {
    user_id: Option<String>,
    recording: Option<Arc<Recording>>,
}

/// The signed-in user's recording, in memory only.
#[derive(Default)]
pub struct FaceDrafts {
    inner: Mutex<Drafts>,
}

impl FaceDrafts {
    pub async fn clear(&self) {
        let mut drafts = self.inner.lock().await;
        drafts.recording = None;
        drafts.user_id = None;
    }

    pub async fn put(&self, user_id: &str, recording: Recording) {
        let mut drafts = self.inner.lock().await;
        drafts.user_id = Some(user_id.to_string());
        drafts.recording = Some(Arc::new(recording));
    }

    async fn get(&self, user_id: &str) -> Option<Arc<Recording>> {
        let drafts = self.inner.lock().await;
        if drafts.user_id.as_deref() != Some(user_id) {
            return None;
        }
        drafts.recording.clone()
    }

    pub async fn has_recording(&self) -> bool {
        self.inner.lock().await.recording.is_some()
    }
}

/// Releases the camera and drops the recording (sign-out, a kiosk session ending).
pub async fn release_all(state: &crate::AppState) {
    state.face_drafts.clear().await;
    let camera = state.camera.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || camera.stop()).await {
        tracing::error!("camera release stopped: {e}");
    }
}

/// What the review page shows of a recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingSummary {
    pub duration_ms: u64,
    pub frames: u64,
    pub bytes: u64,
    /// A few pictures spread over the recording, as `data:image/jpeg;base64,...` URLs.
    pub filmstrip: Vec<String>,
}

pub fn summary(recording: &Recording) -> RecordingSummary {
    RecordingSummary {
        duration_ms: recording.duration_ms,
        frames: recording.frames,
        bytes: recording.clip.len() as u64,
        filmstrip: recording
            .filmstrip
            .iter()
            .map(|jpeg| {
                format!(
                    "data:image/jpeg;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(jpeg)
                )
            })
            .collect(),
    }
}

/// Sent over the upload command's channel after each chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FaceUploadProgress {
    pub sent: u64,
    pub total: u64,
}

/// Asks the platform for a challenge; `consent` is the user's answer on the face-data notice.
pub async fn challenge(session: &Session, verification_id: &str) -> AppResult<FaceChallenge> {
    let request = FaceChallengeRequest { consent: true };
    let vid = verification_id.to_string();
    session
        .authorized(|client, token| {
            let (vid, request) = (vid.clone(), request.clone());
            async move { client.face_challenge(&token, &vid, &request).await }
        })
        .await
}

/// Refuses a recording outside the challenge's bounds before anything is uploaded.
pub fn check_duration(duration_ms: u64, min_ms: u64, max_ms: u64) -> AppResult<()> {
    // The camera's clock and the challenge's bounds may differ by a frame.
    const SLACK_MS: u64 = 150;
    if duration_ms + SLACK_MS < min_ms || duration_ms > max_ms + SLACK_MS {
        return Err(AppError::invalid_input("recording", "duration_out_of_range").with_details(
            serde_json::json!({
                "field": "recording", "reason": "duration_out_of_range",
                "duration_ms": duration_ms, "min_ms": min_ms, "max_ms": max_ms,
            }),
        ));
    }
    Ok(())
}

/// Uploads the recording (resuming after network drops, reporting progress), submits it with
/// the challenge, and drops it. A failed upload keeps it, so "try again" resumes.
pub async fn upload_and_submit(
    session: &Session,
    drafts: &FaceDrafts,
    verification_id: &str,
    challenge_id: &str,
    on_progress: impl Fn(FaceUploadProgress) + Send + Sync,
) -> AppResult<VerificationResult> {
    let user_id = session.user_id().await?;
    let recording = drafts
        .get(&user_id)
        .await
        .ok_or_else(|| AppError::invalid_input("recording", "missing_recording"))?;
    let clip = Arc::new(recording.clip.clone());
    let total = clip.len() as u64;
    let target = UploadTarget::Face { verification_id: verification_id.to_string() };
    let report = |sent: u64| on_progress(FaceUploadProgress { sent: sent.min(total), total });
    let upload_id = upload::upload_resumable(session, &target, clip, &report).await?;
    let request =
        FaceSubmitRequest { challenge_id: challenge_id.to_string(), upload_id: upload_id.clone() };
    let vid = verification_id.to_string();
    let result = session
        .authorized(|client, token| {
            let (vid, request) = (vid.clone(), request.clone());
            async move { client.submit_face(&token, &vid, &request).await }
        })
        .await;
    match &result {
        Ok(_) => drafts.clear().await,
        // The platform refused the challenge or the clip itself: recording again is the way on.
        Err(e) if e.code() != ErrorCode::ServerUnreachable => drafts.clear().await,
        Err(_) => {}
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_outside_the_challenge_are_refused() {
        assert!(check_duration(4_000, 3_000, 6_000).is_ok());
        assert!(check_duration(2_900, 3_000, 6_000).is_ok());
        assert!(check_duration(2_000, 3_000, 6_000).is_err());
        assert!(check_duration(6_500, 3_000, 6_000).is_err());
    }

    #[test]
    fn summaries_carry_the_filmstrip_as_data_urls() {
        let recording = Recording {
            clip: vec![0; 1234],
            media_type: "video/mp4",
            duration_ms: 4000,
            frames: 60,
            width: 640,
            height: 480,
            filmstrip: vec![vec![0xFF, 0xD8, 0xFF], vec![0xFF, 0xD8, 0xFF]],
        };
        let s = summary(&recording);
        assert_eq!((s.duration_ms, s.frames, s.bytes), (4000, 60, 1234));
        assert_eq!(s.filmstrip.len(), 2);
        assert!(s.filmstrip[0].starts_with("data:image/jpeg;base64,/9j/"));
    }
}
