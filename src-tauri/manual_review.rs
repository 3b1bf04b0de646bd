//! Manual review (人工审核, method E) as the app runs it: the user picks the front of the ID and
//! a photo holding it; each is checked and cleaned here ([`signet_imaging::prepare_id_photo`]:
//! orientation applied, all metadata stripped, size, pixel, bomb, blur and darkness checks),
//! kept in memory only, uploaded in resumable chunks, and handed to the reviewers. A
//! [`ReviewWatcher`] then asks the platform until a reviewer has decided.
//!
//! - Photos never touch the disk: [`ManualReviewDrafts`] holds the cleaned JPEGs for the
//!   signed-in user, and is emptied on sign-out, when another user signs in, and after submit.
//! - Uploads resume: the platform keeps what it received, keyed by verification, kind and
//!   SHA-256. When the platform cannot be reached mid-upload the app waits (0.5 s, 1 s, 2 s, …,
//!   about 30 s in all), asks how many bytes arrived and sends on from there.
//! - A decision is noticed even if it was made while the app was closed: the pending review's
//!   id is remembered in settings (`manual_review.pending.<user id>`, no personal data) until
//!   the watcher has seen it decided and told the user.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::Serialize;
use signet_domain::api::{ManualPhotoKind, ManualReviewStatus, ReviewStatus};
use signet_domain::ErrorCode;
use signet_imaging::{PhotoError, PhotoLimits};
use tokio::sync::{Mutex, Notify};

use crate::error::{AppError, AppResult};
use crate::session::Session;
use crate::store::Store;
use crate::upload::{self, retrying, UploadTarget};
pub use crate::upload::{sha256_hex, Backoff, RETRY_BUDGET};

/// Long side of the preview shown in the form, in pixels.
pub const THUMBNAIL_LONG_SIDE: u32 = 360;

/// A cleaned photo waiting to be uploaded.
#[derive(Clone)]
struct Draft {
    jpeg: Arc<Vec<u8>>,
}

#[derive(Default)]
struct Drafts {
    user_id: Option<String>,
    photos: HashMap<ManualPhotoKind, Draft>,
}

/// The signed-in user's prepared photos, in memory only.
#[derive(Default)]
pub struct ManualReviewDrafts {
    inner: Mutex<Drafts>,
}

impl ManualReviewDrafts {
    pub async fn clear(&self) {
        let mut drafts = self.inner.lock().await;
        drafts.photos.clear();
        drafts.user_id = None;
    }

    async fn put(&self, user_id: &str, kind: ManualPhotoKind, draft: Draft) {
        let mut drafts = self.inner.lock().await;
        if drafts.user_id.as_deref() != Some(user_id) {
            drafts.photos.clear();
            drafts.user_id = Some(user_id.to_string());
        }
        drafts.photos.insert(kind, draft);
    }

    /// A refused photo replaces nothing: the one picked before it is forgotten too, as the form
    /// shows neither.
    async fn remove(&self, kind: ManualPhotoKind) {
        self.inner.lock().await.photos.remove(&kind);
    }

    /// Both photos of `user_id`, in upload order; `None` when one is missing.
    async fn both(&self, user_id: &str) -> Option<Vec<(ManualPhotoKind, Draft)>> {
        let drafts = self.inner.lock().await;
        if drafts.user_id.as_deref() != Some(user_id) {
            return None;
        }
        ManualPhotoKind::ALL
            .into_iter()
            .map(|kind| drafts.photos.get(&kind).map(|d| (kind, d.clone())))
            .collect()
    }
}

/// What the form shows for a prepared photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoPreview {
    pub kind: ManualPhotoKind,
    /// Of the cleaned JPEG that will be uploaded.
    pub width: u32,
    pub height: u32,
    /// Size of the cleaned JPEG.
    pub bytes: u64,
    /// A small JPEG as a `data:image/jpeg;base64,...` URL.
    pub preview: String,
}

/// The `x-photo-kind` header: `id_front` or `holding_id`.
pub fn parse_kind(header: Option<&str>) -> AppResult<ManualPhotoKind> {
    header
        .and_then(ManualPhotoKind::parse)
        .ok_or_else(|| AppError::invalid_input("kind", "unknown_photo_kind"))
}

/// `invalid_photo` with the imaging crate's reason (`details.error`, `{"kind": "too_dark", ...}`)
/// and which photo it is about (`details.photo_kind`).
pub fn invalid_photo(kind: ManualPhotoKind, error: &PhotoError) -> AppError {
    let code = if error.is_rejection() { ErrorCode::InvalidPhoto } else { ErrorCode::Internal };
    AppError::new(code, format!("{}: {error}", kind.as_str())).with_details(serde_json::json!({
        "photo_kind": kind.as_str(),
        "error": serde_json::to_value(error).ok(),
    }))
}

/// A small JPEG of an already prepared photo: the same imaging pipeline with the quality
/// checks off and the output scaled to [`THUMBNAIL_LONG_SIDE`].
pub fn thumbnail(jpeg: &[u8]) -> Result<Vec<u8>, PhotoError> {
    let limits = PhotoLimits {
        min_short_side: 1,
        min_mean_luminance: 0.0,
        min_sharpness: 0.0,
        max_output_side: THUMBNAIL_LONG_SIDE,
        ..PhotoLimits::default()
    };
    signet_imaging::prepare_id_photo(jpeg, &limits).map(|small| small.jpeg)
}

pub fn jpeg_data_url(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// Checks and cleans a photo the user picked, keeps it for the upload and returns its preview.
pub async fn prepare_photo(
    session: &Session,
    drafts: &ManualReviewDrafts,
    kind: ManualPhotoKind,
    bytes: Vec<u8>,
) -> AppResult<PhotoPreview> {
    let user_id = session.user_id().await?;
    let prepared = tokio::task::spawn_blocking(move || {
        let prepared = signet_imaging::prepare_id_photo(&bytes, &PhotoLimits::default())?;
        let small = thumbnail(&prepared.jpeg)?;
        Ok::<_, PhotoError>((prepared, small))
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("photo check stopped: {e}")))?;
    let (prepared, small) = match prepared {
        Ok(done) => done,
        Err(e) => {
            drafts.remove(kind).await;
            return Err(invalid_photo(kind, &e));
        }
    };
    let preview = PhotoPreview {
        kind,
        width: prepared.width,
        height: prepared.height,
        bytes: prepared.jpeg.len() as u64,
        preview: jpeg_data_url(&small),
    };
    tracing::info!(kind = kind.as_str(), ?prepared, "manual-review photo prepared");
    drafts.put(&user_id, kind, Draft { jpeg: Arc::new(prepared.jpeg) }).await;
    Ok(preview)
}

/// Sent over the command's channel after each chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadProgress {
    pub kind: ManualPhotoKind,
    /// Bytes of this photo the platform has.
    pub sent: u64,
    /// Size of this photo.
    pub total: u64,
    /// Bytes of all photos the platform has (photos are uploaded one after the other).
    pub overall_sent: u64,
    pub overall_total: u64,
}

/// Progress of `kind` at `sent` bytes, given every photo's size in upload order.
pub fn progress_of(
    sizes: &[(ManualPhotoKind, u64)],
    kind: ManualPhotoKind,
    sent: u64,
) -> UploadProgress {
    let overall_total = sizes.iter().map(|(_, size)| size).sum();
    let total = sizes.iter().find(|(k, _)| *k == kind).map_or(0, |(_, size)| *size);
    let before: u64 = sizes.iter().take_while(|(k, _)| *k != kind).map(|(_, size)| size).sum();
    let sent = sent.min(total);
    UploadProgress { kind, sent, total, overall_sent: before + sent, overall_total }
}

/// Uploads one photo, resuming where the platform stands; `report(sent)` after each step. A
/// photo the platform refuses names which one it was (`details.photo_kind`).
async fn upload_photo(
    session: &Session,
    verification_id: &str,
    kind: ManualPhotoKind,
    jpeg: Arc<Vec<u8>>,
    report: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<()> {
    let target = UploadTarget::Manual { verification_id: verification_id.to_string(), kind };
    match upload::upload_resumable(session, &target, jpeg, report).await {
        Err(mut e) if e.code() == ErrorCode::InvalidPhoto => {
            if let Some(serde_json::Value::Object(details)) = e.0.details.as_mut() {
                details.insert("photo_kind".into(), kind.as_str().into());
            }
            Err(e)
        }
        other => other.map(drop),
    }
}

/// Uploads both prepared photos (reporting progress), submits them for review, forgets them,
/// and remembers the pending review for the watcher.
pub async fn upload_and_submit(
    session: &Session,
    drafts: &ManualReviewDrafts,
    verification_id: &str,
    on_progress: impl Fn(UploadProgress) + Send + Sync,
) -> AppResult<ManualReviewStatus> {
    let user_id = session.user_id().await?;
    let photos = drafts
        .both(&user_id)
        .await
        .ok_or_else(|| AppError::invalid_input("photos", "missing_photo"))?;
    let sizes: Vec<_> = photos.iter().map(|(kind, d)| (*kind, d.jpeg.len() as u64)).collect();
    for (kind, draft) in photos {
        let report = |sent: u64| on_progress(progress_of(&sizes, kind, sent));
        upload_photo(session, verification_id, kind, draft.jpeg, &report).await?;
    }
    let vid = verification_id.to_string();
    let mut backoff = Backoff::default();
    let mut tries = 0;
    let submitted = retrying(&mut backoff, || {
        tries += 1;
        session.authorized(|client, token| {
            let vid = vid.clone();
            async move { client.submit_manual_review(&token, &vid).await }
        })
    })
    .await;
    let status = match submitted {
        Ok(status) => status,
        // A retried submit may find the first one arrived after all.
        Err(e) if e.code() == ErrorCode::Conflict && tries > 1 => match latest(session).await? {
            Some(status) if status.status == ReviewStatus::Pending => status,
            _ => return Err(e),
        },
        Err(e) => return Err(e),
    };
    drafts.clear().await;
    if status.status == ReviewStatus::Pending {
        remember_pending(session.store(), &user_id, &status.review_id).await?;
    }
    Ok(status)
}

async fn latest(session: &Session) -> AppResult<Option<ManualReviewStatus>> {
    session
        .authorized(|client, token| async move { client.manual_review_status(&token).await })
        .await
}

/// The user's latest manual review (for the real-name entry while 审核中); a pending one is
/// remembered so that its decision is announced.
pub async fn status(session: &Session) -> AppResult<Option<ManualReviewStatus>> {
    let user_id = session.user_id().await?;
    let status = latest(session).await?;
    if let Some(s) = status.as_ref().filter(|s| s.status == ReviewStatus::Pending) {
        remember_pending(session.store(), &user_id, &s.review_id).await?;
    }
    Ok(status)
}

fn pending_key(user_id: &str) -> String {
    format!("manual_review.pending.{user_id}")
}

async fn remember_pending(store: &Store, user_id: &str, review_id: &str) -> AppResult<()> {
    store.set_setting(&pending_key(user_id), review_id).await
}

/// What the watcher should do with the latest status, given the pending review it remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchStep {
    /// Still pending: remember this review and keep asking.
    Pending(String),
    /// The remembered review was decided: tell the user and forget it.
    Decided,
    /// Nothing to announce; forget any remembered review.
    Idle,
}

pub fn watch_step(remembered: Option<&str>, latest: Option<&ManualReviewStatus>) -> WatchStep {
    match latest {
        Some(s) if s.status == ReviewStatus::Pending => WatchStep::Pending(s.review_id.clone()),
        Some(s) if remembered == Some(s.review_id.as_str()) => WatchStep::Decided,
        _ => WatchStep::Idle,
    }
}

/// Title and body of the desktop notification for a decided review, in Chinese or English.
pub fn decision_notice(status: &ManualReviewStatus, english: bool) -> (String, String) {
    use signet_domain::api::RejectReason;
    if status.status == ReviewStatus::Approved {
        return if english {
            (
                "Real-name authentication passed".into(),
                "Manual review approved your identity.".into(),
            )
        } else {
            ("实名认证已通过".into(), "人工审核已通过，您已完成个人实名认证。".into())
        };
    }
    let reason = match (status.reason_code, english) {
        (Some(RejectReason::PhotoUnclear), false) => "照片不清晰",
        (Some(RejectReason::DocumentMismatch), false) => "证件信息与填写不一致",
        (Some(RejectReason::NotHoldingDocument), false) => "未手持证件",
        (Some(RejectReason::DocumentExpired), false) => "证件已过期",
        (Some(RejectReason::PhotoUnclear), true) => "a photo is not clear",
        (Some(RejectReason::DocumentMismatch), true) => {
            "the document does not match the entered identity"
        }
        (Some(RejectReason::NotHoldingDocument), true) => {
            "the second photo does not show you holding the document"
        }
        (Some(RejectReason::DocumentExpired), true) => "the document has expired",
        (_, false) => "请查看审核说明",
        (_, true) => "see the reviewer's note",
    };
    if english {
        (
            "Real-name authentication not passed".into(),
            format!("Manual review was not approved: {reason}. Open Signet for details."),
        )
    } else {
        ("实名认证未通过".into(), format!("人工审核未通过：{reason}。请打开 Signet 查看详情。"))
    }
}

/// Asks the platform, while the signed-in user has a pending review, whether it was decided.
pub struct ReviewWatcher {
    every: Duration,
    wake: Notify,
}

impl ReviewWatcher {
    pub fn new(every: Duration) -> Self {
        Self { every, wake: Notify::new() }
    }

    /// Checks now (a user signed in, or a review was just submitted).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs forever; `decided` is called once per decided review this app saw pending.
    pub async fn run(&self, session: &Session, decided: impl Fn(&ManualReviewStatus)) {
        // The user whose status this run has asked about at least once.
        let mut checked: Option<String> = None;
        loop {
            if let Err(e) = self.check(session, &mut checked, &decided).await {
                tracing::debug!(code = e.code().as_str(), "manual review status: {e}");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.every) => {}
            }
        }
    }

    async fn check(
        &self,
        session: &Session,
        checked: &mut Option<String>,
        decided: &impl Fn(&ManualReviewStatus),
    ) -> AppResult<()> {
        if !session.has_user().await {
            return Ok(());
        }
        let user_id = session.user_id().await?;
        let key = pending_key(&user_id);
        let remembered = session.store().setting(&key).await?;
        // Without a pending review the platform is asked once per user and run (a review
        // submitted elsewhere), not every tick.
        if remembered.is_none() && checked.as_deref() == Some(user_id.as_str()) {
            return Ok(());
        }
        let status = latest(session).await?;
        *checked = Some(user_id.clone());
        match watch_step(remembered.as_deref(), status.as_ref()) {
            WatchStep::Pending(review_id) => {
                if remembered.as_deref() != Some(review_id.as_str()) {
                    session.store().set_setting(&key, &review_id).await?;
                }
            }
            WatchStep::Decided => {
                session.store().delete_setting(&key).await?;
                if let Some(status) = &status {
                    tracing::info!(review = %status.review_id, "manual review decided");
                    decided(status);
                }
            }
            WatchStep::Idle => {
                if remembered.is_some() {
                    session.store().delete_setting(&key).await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [(ManualPhotoKind, u64); 2] =
        [(ManualPhotoKind::IdFront, 1000), (ManualPhotoKind::HoldingId, 500)];

    #[test]
    fn progress_counts_earlier_photos_in_the_overall() {
        let p = progress_of(&SIZES, ManualPhotoKind::IdFront, 400);
        assert_eq!((p.sent, p.total, p.overall_sent, p.overall_total), (400, 1000, 400, 1500));
        let p = progress_of(&SIZES, ManualPhotoKind::HoldingId, 0);
        assert_eq!((p.sent, p.total, p.overall_sent, p.overall_total), (0, 500, 1000, 1500));
        let p = progress_of(&SIZES, ManualPhotoKind::HoldingId, 500);
        assert_eq!((p.overall_sent, p.overall_total), (1500, 1500));
        // A platform claiming more than the size does not push the bar past the end.
        let p = progress_of(&SIZES, ManualPhotoKind::HoldingId, 9_999);
        assert_eq!((p.sent, p.overall_sent), (500, 1500));
    }

    #[test]
    fn progress_serialises_for_the_ui() {
        let p = progress_of(&SIZES, ManualPhotoKind::HoldingId, 250);
        assert_eq!(
            serde_json::to_value(p).ok(),
            Some(serde_json::json!({
                "kind": "holding_id", "sent": 250, "total": 500,
                "overall_sent": 1250, "overall_total": 1500
            }))
        );
    }

    #[test]
    fn backoff_doubles_and_stops_after_the_budget() {
        let mut backoff = Backoff::default();
        let delays: Vec<_> = std::iter::from_fn(|| backoff.next_delay()).collect();
        let ms: Vec<_> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [500, 1000, 2000, 4000, 8000, 14_500]);
        assert_eq!(delays.iter().sum::<Duration>(), RETRY_BUDGET);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Some(Duration::from_millis(500)));
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn photo_kinds_come_from_the_header() {
        assert_eq!(parse_kind(Some("id_front")).ok(), Some(ManualPhotoKind::IdFront));
        assert_eq!(parse_kind(Some("holding_id")).ok(), Some(ManualPhotoKind::HoldingId));
        assert_eq!(parse_kind(Some("selfie")).map_err(|e| e.code()), Err(ErrorCode::InvalidInput));
        assert_eq!(parse_kind(None).map_err(|e| e.code()), Err(ErrorCode::InvalidInput));
    }

    #[test]
    fn photo_refusals_carry_the_imaging_reason_and_the_photo() {
        let e = invalid_photo(ManualPhotoKind::HoldingId, &PhotoError::TooDark { mean: 12.0 });
        assert_eq!(e.code(), ErrorCode::InvalidPhoto);
        let details = e.0.details.unwrap_or_default();
        assert_eq!(details["photo_kind"], "holding_id");
        assert_eq!(details["error"]["kind"], "too_dark");
        let e = invalid_photo(
            ManualPhotoKind::IdFront,
            &PhotoError::EncodeFailed { detail: "x".into() },
        );
        assert_eq!(e.code(), ErrorCode::Internal);
    }

    fn status(id: &str, status: ReviewStatus) -> ManualReviewStatus {
        ManualReviewStatus {
            review_id: id.into(),
            status,
            submitted_at: 1,
            expected_minutes_min: 15,
            expected_minutes_max: 30,
            decided_at: None,
            reason_code: None,
            reason_text: None,
        }
    }

    #[test]
    fn notifications_name_the_outcome_and_reason() {
        let mut s = status("r1", ReviewStatus::Approved);
        assert_eq!(decision_notice(&s, false).0, "实名认证已通过");
        s.status = ReviewStatus::Rejected;
        s.reason_code = Some(signet_domain::api::RejectReason::DocumentExpired);
        let (title, body) = decision_notice(&s, false);
        assert_eq!(title, "实名认证未通过");
        assert!(body.contains("证件已过期"), "{body}");
        assert!(decision_notice(&s, true).1.contains("expired"));
    }

    #[test]
    fn the_watcher_announces_only_a_review_it_saw_pending() {
        let pending = status("r1", ReviewStatus::Pending);
        assert_eq!(watch_step(None, Some(&pending)), WatchStep::Pending("r1".into()));
        let approved = status("r1", ReviewStatus::Approved);
        assert_eq!(watch_step(Some("r1"), Some(&approved)), WatchStep::Decided);
        // Decided before this app saw it (or already announced): nothing to say.
        assert_eq!(watch_step(None, Some(&approved)), WatchStep::Idle);
        assert_eq!(watch_step(Some("r0"), Some(&approved)), WatchStep::Idle);
        assert_eq!(watch_step(Some("r1"), None), WatchStep::Idle);
    }

    /// A checkerboard photo (sharp and mid-grey, so it passes the checks) as a PNG.
    fn sample_png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            let v = if (x / 16 + y / 16) % 2 == 0 { 40 } else { 215 };
            image::Rgb([v, v, v])
        });
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).expect("encode a PNG");
        png.into_inner()
    }

    /// Width and height of a JPEG, read back through the imaging pipeline with checks off.
    fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
        let limits = PhotoLimits {
            min_short_side: 1,
            min_mean_luminance: 0.0,
            min_sharpness: 0.0,
            ..PhotoLimits::default()
        };
        signet_imaging::prepare_id_photo(jpeg, &limits).ok().map(|p| (p.width, p.height))
    }

    #[test]
    fn thumbnails_are_small_jpegs_of_the_same_shape() {
        let prepared =
            signet_imaging::prepare_id_photo(&sample_png(1200, 900), &PhotoLimits::default());
        let prepared = match prepared {
            Ok(p) => p,
            Err(e) => panic!("sample photo refused: {e}"),
        };
        assert_eq!((prepared.width, prepared.height), (1200, 900));
        let small = thumbnail(&prepared.jpeg).unwrap_or_default();
        assert!(small.starts_with(&[0xFF, 0xD8]), "a JPEG");
        // 360 × 270 at quality 90: tens of kilobytes, whatever the original's size.
        assert!(small.len() < 64 * 1024, "{} bytes", small.len());
        assert_eq!(jpeg_size(&small), Some((THUMBNAIL_LONG_SIDE, 270)));
        let url = jpeg_data_url(&small);
        assert!(url.starts_with("data:image/jpeg;base64,/9j/"), "{}", &url[..40]);
    }

    #[test]
    fn thumbnails_of_non_images_are_refused() {
        assert_eq!(thumbnail(&[]), Err(PhotoError::Empty));
        assert!(matches!(thumbnail(b"not an image at all"), Err(PhotoError::NotAnImage)));
    }
}
