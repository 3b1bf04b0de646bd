//! Manual review (人工审核, method E), the user's side: resumable photo uploads, the submission
//! and its status. The reviewer console is in [`crate::review_console`]; the retention job
//! ([`purge_expired_photos`]) is here.
//!
//! - `POST /api/v1/real-name/{verification_id}/manual/uploads` starts an upload of one photo
//!   (`id_front` or `holding_id`) with its size and SHA-256, or resumes the unfinished upload of
//!   the same verification, kind and hash.
//! - `PUT .../manual/uploads/{upload_id}` appends one chunk, as every resumable upload does
//!   ([`crate::uploads`]). When the last byte arrives and the SHA-256 matched, the photo is
//!   checked again exactly as the app does (`signet_imaging::prepare_id_photo`): refused → 422
//!   `invalid_photo` with `details.error`, the upload and its bytes are dropped; accepted → only
//!   the re-encoded JPEG (no metadata) is kept, under a new random blob id.
//! - `POST .../manual/submit` turns the two complete photos into a pending review (the user is
//!   `pending_review`); `GET /api/v1/real-name/manual/status` answers the latest one.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::json;
use signet_domain::api::{
    ManualPhotoKind, ManualReviewStatus, ManualUpload, ManualUploadRequest, RealNameStatus,
    RejectReason, ReviewStatus, MANUAL_REVIEW_EXPECTED_MINUTES_MAX,
    MANUAL_REVIEW_EXPECTED_MINUTES_MIN, MANUAL_UPLOAD_CHUNK_BYTES, MANUAL_UPLOAD_MAX_BYTES,
};
use signet_domain::identity::VerificationMethod;
use signet_domain::ErrorCode;
use signet_imaging::{prepare_id_photo, PhotoLimits};
use sqlx::Row;

use crate::blobs;
use crate::error::{ApiJson, AppError, NoStore};
use crate::real_name::{app_version, ensure_available, load_verification, VerifyingUser};
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::tokens::new_id;
use crate::uploads::{Checked, UploadRow, UploadStore};

const DAY_SECS: i64 = 24 * 60 * 60;

/// Manual-review photos: up to 10 MiB, checked and re-encoded as the app does.
pub(crate) const UPLOADS: UploadStore = UploadStore {
    table: "manual_uploads",
    what: "photo",
    max_bytes: MANUAL_UPLOAD_MAX_BYTES,
    // Each up to 10 MiB on disk.
    max_open: 20,
    check: check_photo,
};

/// The server's photo check, exactly as the app's (`signet_imaging::prepare_id_photo`): only
/// the re-encoded JPEG (no metadata) is kept; a refusal is 422 `invalid_photo`.
fn check_photo(bytes: Vec<u8>) -> Result<Checked, AppError> {
    match prepare_id_photo(&bytes, &PhotoLimits::default()) {
        Ok(prepared) => {
            tracing::info!(
                width = prepared.width,
                height = prepared.height,
                "manual photo accepted"
            );
            Ok(Checked::Replaced(prepared.jpeg))
        }
        Err(error) if !error.is_rejection() => {
            Err(AppError::internal("cannot re-encode a photo", error))
        }
        Err(error) => {
            tracing::info!(kind = error.kind(), "manual photo refused");
            Err(AppError::new(ErrorCode::InvalidPhoto, error.to_string())
                .with_details(json!({ "error": error })))
        }
    }
}

fn wire(upload: &UploadRow) -> Result<ManualUpload, AppError> {
    Ok(ManualUpload {
        upload_id: upload.id.clone(),
        kind: ManualPhotoKind::parse(&upload.kind).ok_or_else(|| corrupt("kind", &upload.kind))?,
        received: upload.received,
        size: upload.size,
        chunk_size: MANUAL_UPLOAD_CHUNK_BYTES,
        complete: upload.complete(),
    })
}

/// `POST /api/v1/real-name/{verification_id}/manual/uploads`.
pub async fn start_upload(
    State(state): State<AppState>,
    user: VerifyingUser,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<ManualUploadRequest>,
) -> Result<NoStore<Json<ManualUpload>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    let upload = UPLOADS
        .start(
            &state,
            &user.user_id,
            &verification.id,
            request.kind.as_str(),
            request.size,
            &request.sha256,
        )
        .await?;
    Ok(NoStore(Json(wire(&upload)?)))
}

/// `GET /api/v1/real-name/{verification_id}/manual/uploads/{upload_id}`.
pub async fn upload_status(
    State(state): State<AppState>,
    session: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<NoStore<Json<ManualUpload>>, AppError> {
    let (verification_id, upload_id) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let upload = UPLOADS.owned(&state, &session.user_id, &verification_id, &upload_id).await?;
    Ok(NoStore(Json(wire(&upload)?)))
}

/// `PUT /api/v1/real-name/{verification_id}/manual/uploads/{upload_id}`.
pub async fn put_chunk(
    State(state): State<AppState>,
    session: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<NoStore<Json<ManualUpload>>, AppError> {
    let (verification_id, upload_id) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let upload = UPLOADS
        .put_chunk(&state, &session.user_id, (&verification_id, &upload_id), &headers, body)
        .await?;
    Ok(NoStore(Json(wire(&upload)?)))
}

/// `POST /api/v1/real-name/{verification_id}/manual/submit`.
pub async fn submit(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
) -> Result<NoStore<Json<ManualReviewStatus>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    ensure_available(&state, &user.user_id, &verification, VerificationMethod::ManualReview, now)
        .await?;
    let pending = sqlx::query("SELECT id FROM manual_reviews WHERE user_id = $1 AND status = $2")
        .bind(&user.user_id)
        .bind(ReviewStatus::Pending.as_str())
        .fetch_optional(state.pool())
        .await?;
    if pending.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "a manual review is already pending")
            .with_details(json!({ "reason": "review_pending" })));
    }
    let mut photos = Vec::new();
    let mut missing = Vec::new();
    for kind in ManualPhotoKind::ALL {
        let row = sqlx::query(
            "SELECT id, blob FROM manual_uploads
             WHERE verification_id = $1 AND user_id = $2 AND kind = $3
                   AND blob IS NOT NULL AND used_at IS NULL
             ORDER BY completed_at DESC LIMIT 1",
        )
        .bind(&verification.id)
        .bind(&user.user_id)
        .bind(kind.as_str())
        .fetch_optional(state.pool())
        .await?;
        match row {
            Some(row) => {
                photos.push((row.try_get::<String, _>("id")?, row.try_get::<String, _>("blob")?))
            }
            None => missing.push(kind.as_str()),
        }
    }
    let [(front_upload, front_blob), (holding_upload, holding_blob)] = photos.as_slice() else {
        return Err(AppError::new(ErrorCode::Conflict, "both photos must be uploaded first")
            .with_details(json!({ "reason": "photos_missing", "missing": missing })));
    };

    let review_id = new_id();
    let mut tx = state.pool().begin().await?;
    sqlx::query(
        "INSERT INTO manual_reviews (id, verification_id, user_id, document_type, number_masked,
                                     name, front_blob, holding_blob, status, app_version,
                                     submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&review_id)
    .bind(&verification.id)
    .bind(&user.user_id)
    .bind(verification.document_type.as_str())
    .bind(&verification.number_masked)
    .bind(&verification.name)
    .bind(front_blob)
    .bind(holding_blob)
    .bind(ReviewStatus::Pending.as_str())
    .bind(app_version(&headers))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE manual_uploads SET used_at = $1 WHERE id = $2 OR id = $3")
        .bind(now)
        .bind(front_upload)
        .bind(holding_upload)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET real_name_status = $1, updated_at = $2 WHERE id = $3")
        .bind(RealNameStatus::PendingReview.as_str())
        .bind(now)
        .bind(&user.user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, review_id = %review_id,
        verification_id = %verification.id, "manual review submitted");
    Ok(NoStore(Json(ManualReviewStatus {
        review_id,
        status: ReviewStatus::Pending,
        submitted_at: now,
        expected_minutes_min: MANUAL_REVIEW_EXPECTED_MINUTES_MIN,
        expected_minutes_max: MANUAL_REVIEW_EXPECTED_MINUTES_MAX,
        decided_at: None,
        reason_code: None,
        reason_text: None,
    })))
}

/// `GET /api/v1/real-name/manual/status`: the caller's latest review.
pub async fn status(
    State(state): State<AppState>,
    session: Authenticated,
) -> Result<NoStore<Json<ManualReviewStatus>>, AppError> {
    let row = sqlx::query(
        "SELECT id, status, submitted_at, decided_at, reason_code, reason_text
         FROM manual_reviews WHERE user_id = $1
         ORDER BY submitted_at DESC, id DESC LIMIT 1",
    )
    .bind(&session.user_id)
    .fetch_optional(state.pool())
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::NotFound, "no manual review was submitted"))?;
    let status: String = row.try_get("status")?;
    let reason: Option<String> = row.try_get("reason_code")?;
    Ok(NoStore(Json(ManualReviewStatus {
        review_id: row.try_get("id")?,
        status: ReviewStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        submitted_at: row.try_get("submitted_at")?,
        expected_minutes_min: MANUAL_REVIEW_EXPECTED_MINUTES_MIN,
        expected_minutes_max: MANUAL_REVIEW_EXPECTED_MINUTES_MAX,
        decided_at: row.try_get("decided_at")?,
        reason_code: reason
            .map(|r| RejectReason::parse(&r).ok_or_else(|| corrupt("reason_code", &r)))
            .transpose()?,
        reason_text: row.try_get("reason_text")?,
    })))
}

/// Deletes the photos of reviews decided more than [`crate::Limits::photo_retention_days`] ago
/// (the review and its decision stay, with `photos_deleted_at` set) and the files and rows of
/// uploads that were never submitted and are older than a day. Returns how many reviews and
/// abandoned uploads were purged.
pub async fn purge_expired_photos(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let dir = state.blob_dir();
    let retention = i64::from(state.limits().photo_retention_days).saturating_mul(DAY_SECS);
    let mut purged = 0;

    let reviews = sqlx::query(
        "SELECT id, front_blob, holding_blob FROM manual_reviews
         WHERE decided_at IS NOT NULL AND decided_at <= $1 AND photos_deleted_at IS NULL",
    )
    .bind(now.saturating_sub(retention))
    .fetch_all(state.pool())
    .await?;
    for row in reviews {
        let id: String = row.try_get("id")?;
        for column in ["front_blob", "holding_blob"] {
            let blob: String = row.try_get(column)?;
            blobs::delete(dir, &blob).await?;
        }
        sqlx::query("UPDATE manual_reviews SET photos_deleted_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(state.pool())
            .await?;
        tracing::info!(review_id = %id, "manual review photos deleted (retention)");
        purged += 1;
    }

    purged += UPLOADS.purge_abandoned(state).await?;
    Ok(purged)
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}
