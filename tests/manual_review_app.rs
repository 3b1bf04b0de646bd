//! Manual review from the app's side against the real platform: photos prepared here, uploaded
//! in chunks, submitted; the upload survives the platform going away mid-way.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use signet_app::manual_review::{self, ManualReviewDrafts, ReviewWatcher, UploadProgress};
use signet_app::session::Session;
use signet_domain::api::{ManualPhotoKind, ManualReviewStatus, RejectReason, ReviewStatus};
use signet_domain::ErrorCode;
use support::Platform;

async fn signed_in(platform: &Platform, dir: &std::path::Path) -> Session {
    support::app_session(platform, dir, "staff01", "Signet-demo-1").await
}

/// A noisy grey photo (sharp, mid-bright; its JPEG spans several chunks) as a PNG.
fn noisy_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    let img = image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let v = 40 + (state % 176) as u8;
        image::Rgb([v, v, v])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

async fn prepare_both(session: &Session, drafts: &ManualReviewDrafts) -> u64 {
    let mut total = 0;
    for (kind, seed) in [(ManualPhotoKind::IdFront, 1), (ManualPhotoKind::HoldingId, 2)] {
        let preview =
            manual_review::prepare_photo(session, drafts, kind, noisy_png(1200, 900, seed))
                .await
                .unwrap();
        assert!(preview.preview.starts_with("data:image/jpeg;base64,"));
        total += preview.bytes;
    }
    total
}

#[tokio::test]
async fn photos_upload_in_chunks_and_the_review_is_pending() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let session = signed_in(&platform, app_dir.path()).await;
    let vid = support::wang_fang_verification(&session).await;
    let drafts = ManualReviewDrafts::default();

    let refused = manual_review::prepare_photo(
        &session,
        &drafts,
        ManualPhotoKind::IdFront,
        b"GIF89a not really".to_vec(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidPhoto);
    let missing = manual_review::upload_and_submit(&session, &drafts, &vid, |_| {}).await;
    assert_eq!(missing.unwrap_err().code(), ErrorCode::InvalidInput);

    let total = prepare_both(&session, &drafts).await;
    assert!(total > 600_000, "several chunks: {total}");
    let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let log = seen.clone();
    let status = manual_review::upload_and_submit(&session, &drafts, &vid, move |p| {
        log.lock().unwrap().push(p);
    })
    .await
    .unwrap();
    assert_eq!(status.status, ReviewStatus::Pending);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 4, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].overall_sent <= w[1].overall_sent));
    let last = seen.last().unwrap();
    assert_eq!((last.overall_sent, last.overall_total), (total, total));

    let latest = manual_review::status(&session).await.unwrap().unwrap();
    assert_eq!(latest.review_id, status.review_id);
    // The photos were forgotten once submitted.
    let again = manual_review::upload_and_submit(&session, &drafts, &vid, |_| {}).await;
    assert_eq!(again.unwrap_err().code(), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn an_upload_resumes_after_the_platform_comes_back() {
    let server_dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let session = Arc::new(signed_in(&platform, app_dir.path()).await);
    let vid = support::wang_fang_verification(&session).await;
    let drafts = Arc::new(ManualReviewDrafts::default());
    let total = prepare_both(&session, &drafts).await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let upload = tokio::spawn({
        let (session, drafts) = (session.clone(), drafts.clone());
        async move {
            manual_review::upload_and_submit(&session, &drafts, &vid, move |p| {
                let _ = tx.send(p);
            })
            .await
        }
    });
    // Drop the platform once the first chunk is in.
    loop {
        let p = rx.recv().await.unwrap();
        if p.overall_sent > 0 {
            break;
        }
    }
    platform.halt().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!upload.is_finished(), "the upload waits for the platform");
    platform.resume().await;
    let status = upload.await.unwrap().unwrap();
    assert_eq!(status.status, ReviewStatus::Pending);
    let mut last = None;
    while let Ok(p) = rx.try_recv() {
        last = Some(p);
    }
    assert_eq!(last.map(|p| p.overall_sent), Some(total));
}

/// Signs in, uploads both photos and submits them: the pending review.
async fn submitted(
    platform: &Platform,
    dir: &std::path::Path,
) -> (Arc<Session>, ManualReviewStatus) {
    let session = Arc::new(signed_in(platform, dir).await);
    let vid = support::wang_fang_verification(&session).await;
    let drafts = ManualReviewDrafts::default();
    prepare_both(&session, &drafts).await;
    let status = manual_review::upload_and_submit(&session, &drafts, &vid, |_| {}).await.unwrap();
    assert_eq!(status.status, ReviewStatus::Pending);
    (session, status)
}

/// What the reviewer console records for a decision (the console itself is tested with the
/// server).
async fn decide(platform: &Platform, review_id: &str, status: &str, reason: Option<&str>) {
    sqlx::query(
        "UPDATE manual_reviews SET status = $1, reason_code = $2, reason_text = $3, decided_at = $4
         WHERE id = $5",
    )
    .bind(status)
    .bind(reason)
    .bind(reason.map(|_| "证件有效期已过"))
    .bind(platform.state.now())
    .bind(review_id)
    .execute(platform.state.pool())
    .await
    .unwrap();
}

fn watch(
    session: &Arc<Session>,
    every: Duration,
) -> (
    Arc<ReviewWatcher>,
    tokio::sync::mpsc::UnboundedReceiver<ManualReviewStatus>,
    tokio::task::JoinHandle<()>,
) {
    let watcher = Arc::new(ReviewWatcher::new(every));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn({
        let (watcher, session) = (watcher.clone(), session.clone());
        async move {
            watcher
                .run(&session, move |status| {
                    let _ = tx.send(status.clone());
                })
                .await;
        }
    });
    (watcher, rx, task)
}

#[tokio::test]
async fn the_watcher_announces_the_decision_once() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let (session, pending) = submitted(&platform, app_dir.path()).await;

    let (watcher, mut decided, task) = watch(&session, Duration::from_millis(200));
    watcher.wake();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(decided.try_recv().is_err(), "nothing to announce while pending");

    decide(&platform, &pending.review_id, "rejected", Some("document_expired")).await;
    let status =
        tokio::time::timeout(Duration::from_secs(5), decided.recv()).await.unwrap().unwrap();
    assert_eq!(status.review_id, pending.review_id);
    assert_eq!(status.status, ReviewStatus::Rejected);
    assert_eq!(status.reason_code, Some(RejectReason::DocumentExpired));
    assert_eq!(status.reason_text.as_deref(), Some("证件有效期已过"));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(decided.try_recv().is_err(), "announced once");
    task.abort();
}

#[tokio::test]
async fn a_decision_made_while_the_app_was_closed_is_announced_at_the_next_start() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let (session, pending) = submitted(&platform, app_dir.path()).await;
    // The app is closed (no watcher) when the reviewer approves.
    decide(&platform, &pending.review_id, "approved", None).await;

    let (watcher, mut decided, task) = watch(&session, Duration::from_secs(3600));
    watcher.wake();
    let status =
        tokio::time::timeout(Duration::from_secs(5), decided.recv()).await.unwrap().unwrap();
    assert_eq!(
        (status.review_id.as_str(), status.status),
        (pending.review_id.as_str(), ReviewStatus::Approved)
    );
    task.abort();
}
