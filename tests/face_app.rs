//! Face recognition from the app's side against the real platform and its real liveness
//! analysis: the challenge, a recorded clip uploaded in resumable chunks and submitted. The
//! upload survives the platform going away mid-way, and the recording is dropped once submitted.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use signet_app::camera::Recording;
use signet_app::face::{self, FaceDrafts};
use signet_app::session::Session;
use signet_domain::api::AttemptOutcome;
use signet_domain::ErrorCode;
use signet_video::H264Recorder;
use signet_vision::synthetic::{Scenario, SyntheticClip};
use support::Platform;

async fn signed_in(platform: &Platform, dir: &std::path::Path) -> Session {
    support::app_session(platform, dir, "staff01", "Signet-demo-1").await
}

/// Five seconds of the synthetic talking head, recorded as the camera thread records, at a
/// bitrate high enough that the clip spans several upload chunks.
fn recording() -> Recording {
    let clip = SyntheticClip::new(Scenario::TalkingHead, 640, 480, 15, 3);
    let mut recorder = H264Recorder::new(640, 480, 15, 3_000_000).unwrap();
    let mut frames = 0;
    for t in (0..5_000).step_by(66) {
        recorder.push_rgb(t, &clip.frame_at(t)).unwrap();
        frames += 1;
    }
    Recording {
        clip: recorder.finish().unwrap(),
        media_type: "video/mp4",
        duration_ms: 4_950,
        frames,
        width: 640,
        height: 480,
        filmstrip: Vec::new(),
    }
}

#[tokio::test]
async fn a_face_clip_upload_resumes_after_the_platform_comes_back_and_verifies() {
    let server_dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let session = Arc::new(signed_in(&platform, app_dir.path()).await);
    let vid = support::wang_fang_verification(&session).await;
    let challenge = face::challenge(&session, &vid).await.unwrap();
    assert!((4..=6).contains(&challenge.digits.len()), "{challenge:?}");

    let drafts = Arc::new(FaceDrafts::default());
    let recording = recording();
    let total = recording.clip.len() as u64;
    assert!(total > 2 * 262_144, "the clip spans several chunks: {total} bytes");
    drafts.put(&session.user_id().await.unwrap(), recording).await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let upload = tokio::spawn({
        let (session, drafts, vid) = (session.clone(), drafts.clone(), vid.clone());
        let challenge_id = challenge.challenge_id.clone();
        async move {
            face::upload_and_submit(&session, &drafts, &vid, &challenge_id, move |p| {
                let _ = tx.send(p);
            })
            .await
        }
    });
    // Drop the platform once the first chunk is in.
    loop {
        let p = rx.recv().await.unwrap();
        if p.sent > 0 {
            assert!(p.sent < total, "still chunks to send");
            break;
        }
    }
    platform.halt().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!upload.is_finished(), "the upload waits for the platform");
    platform.resume().await;

    let result = upload.await.unwrap().unwrap();
    assert_eq!(result.outcome, AttemptOutcome::Success, "{result:?}");
    let mut sent = Vec::new();
    while let Ok(p) = rx.try_recv() {
        sent.push(p.sent);
    }
    assert_eq!(sent.last(), Some(&total));
    assert!(sent.windows(2).all(|w| w[0] <= w[1]), "{sent:?}");
    // Submitted: the recording is gone from memory, and a second submission has nothing to send.
    assert!(!drafts.has_recording().await);
    let again = face::upload_and_submit(&session, &drafts, &vid, &challenge.challenge_id, |_| {});
    assert_eq!(again.await.unwrap_err().code(), ErrorCode::InvalidInput);
}
