//! Manual review (人工审核, method E), the user's side: resumable photo uploads, the submission
//! and its status. The reviewer console is in [`crate::review_console`]; the retention job
//! ([`purge_expired_photos`]) is here.
//!
//! - `POST /api/v1/real-name/{verification_id}/manual/uploads` starts an upload of one photo
//!   (`id_front` or `holding_id`) with its size and SHA-256, or resumes the unfinished upload of
//!   the same verification, kind and hash.
//! - `PUT .../manual/uploads/{upload_id}` appends one chunk (`Content-Range: bytes S-E/T`, at
//!   most 1 MiB) when `S` is what the server has; otherwise 409 with `details.received`. The
//!   bytes go to a partial file in the blob directory. When the last byte arrives the SHA-256 is
//!   checked (mismatch: 422 `checksum_mismatch`, the upload starts over), then the photo is
//!   checked again exactly as the app does (`signet_imaging::prepare_id_photo`): refused → 422
//!   `invalid_photo` with `details.error`, the upload and its bytes are dropped; accepted → only
//!   the re-encoded JPEG (no metadata) is kept, under a new random blob id.
//! - `POST .../manual/submit` turns the two complete photos into a pending review (the user is
//!   `pending_review`); `GET /api/v1/real-name/manual/status` answers the latest one.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_domain::api::{
    ManualPhotoKind, ManualReviewStatus, ManualUpload, ManualUploadRequest, RealNameStatus,
    RejectReason, ReviewStatus, MANUAL_REVIEW_EXPECTED_MINUTES_MAX,
    MANUAL_REVIEW_EXPECTED_MINUTES_MIN, MANUAL_UPLOAD_CHUNK_BYTES, MANUAL_UPLOAD_MAX_BYTES,
    MANUAL_UPLOAD_MAX_CHUNK_BYTES,
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

const DAY_SECS: i64 = 24 * 60 * 60;
/// Unused uploads older than this are purged with their files.
const ABANDONED_UPLOAD_SECS: i64 = DAY_SECS;
/// Uploads a user may hold that were not submitted (each up to 10 MiB on disk); more answer
/// 429 until the retention job removes the abandoned ones.
const MAX_OPEN_UPLOADS: i64 = 20;

fn not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "no such upload")
}

fn is_hex_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One row of `manual_uploads`.
#[derive(Debug, Clone)]
struct UploadRow {
    id: String,
    kind: ManualPhotoKind,
    size: u64,
    sha256: String,
    received: u64,
    part_blob: Option<String>,
    blob: Option<String>,
}

impl UploadRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, AppError> {
        let kind: String = row.try_get("kind")?;
        let size: i64 = row.try_get("size")?;
        let received: i64 = row.try_get("received")?;
        Ok(Self {
            id: row.try_get("id")?,
            kind: ManualPhotoKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            size: u64::try_from(size).unwrap_or(0),
            sha256: row.try_get("sha256")?,
            received: u64::try_from(received).unwrap_or(0),
            part_blob: row.try_get("part_blob")?,
            blob: row.try_get("blob")?,
        })
    }

    fn wire(&self) -> ManualUpload {
        ManualUpload {
            upload_id: self.id.clone(),
            kind: self.kind,
            received: self.received,
            size: self.size,
            chunk_size: MANUAL_UPLOAD_CHUNK_BYTES,
            complete: self.blob.is_some(),
        }
    }
}

const UPLOAD_COLUMNS: &str = "id, kind, size, sha256, received, part_blob, blob";

/// `POST /api/v1/real-name/{verification_id}/manual/uploads`.
pub async fn start_upload(
    State(state): State<AppState>,
    user: VerifyingUser,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<ManualUploadRequest>,
) -> Result<NoStore<Json<ManualUpload>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    if request.size > MANUAL_UPLOAD_MAX_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge, "the photo is larger than 10 MiB")
            .with_details(json!({ "field": "size", "max": MANUAL_UPLOAD_MAX_BYTES })));
    }
    if request.size == 0 {
        return Err(AppError::invalid_input("size", "the photo is empty"));
    }
    let sha256 = request.sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid_input("sha256", "expected 64 hex digits"));
    }
    let size = i64::try_from(request.size).unwrap_or(i64::MAX);

    // Resume: the same photo of the same verification, not yet submitted.
    let existing = sqlx::query(&format!(
        "SELECT {UPLOAD_COLUMNS} FROM manual_uploads
         WHERE verification_id = $1 AND user_id = $2 AND kind = $3 AND sha256 = $4 AND size = $5
               AND used_at IS NULL
         ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(&verification.id)
    .bind(&user.user_id)
    .bind(request.kind.as_str())
    .bind(&sha256)
    .bind(size)
    .fetch_optional(state.pool())
    .await?;
    if let Some(row) = existing {
        let mut upload = UploadRow::from_row(&row)?;
        tracing::info!(user_id = %user.user_id, upload_id = %upload.id, received = upload.received,
            "manual upload resumed");
        if upload.blob.is_none() && upload.received == upload.size {
            // Every byte arrived but the checks never ran (the server stopped): run them now.
            if let Some(part) = upload.part_blob.take() {
                upload.blob = Some(finish(&state, &upload, &part, now).await?);
            }
        }
        return Ok(NoStore(Json(upload.wire())));
    }
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM manual_uploads WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(&user.user_id)
    .fetch_one(state.pool())
    .await?
    .try_get("n")?;
    if open >= MAX_OPEN_UPLOADS {
        return Err(AppError::new(ErrorCode::RateLimited, "too many unfinished uploads")
            .with_details(json!({ "reason": "too_many_uploads", "retry_after_secs": DAY_SECS })));
    }

    let id = new_id();
    let part = format!("{id}.part");
    blobs::create_part(state.blob_dir(), &part).await?;
    sqlx::query(
        "INSERT INTO manual_uploads (id, verification_id, user_id, kind, size, sha256, received,
                                     part_blob, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)",
    )
    .bind(&id)
    .bind(&verification.id)
    .bind(&user.user_id)
    .bind(request.kind.as_str())
    .bind(size)
    .bind(&sha256)
    .bind(&part)
    .bind(now)
    .execute(state.pool())
    .await?;
    tracing::info!(user_id = %user.user_id, upload_id = %id, kind = request.kind.as_str(),
        size = request.size, "manual upload started");
    Ok(NoStore(Json(ManualUpload {
        upload_id: id,
        kind: request.kind,
        received: 0,
        size: request.size,
        chunk_size: MANUAL_UPLOAD_CHUNK_BYTES,
        complete: false,
    })))
}

/// The caller's upload `upload_id` of verification `verification_id`; anything else is 404.
async fn owned_upload(
    state: &AppState,
    user_id: &str,
    verification_id: &str,
    upload_id: &str,
) -> Result<UploadRow, AppError> {
    if !is_hex_id(verification_id) || !is_hex_id(upload_id) {
        return Err(not_found());
    }
    let row = sqlx::query(&format!(
        "SELECT {UPLOAD_COLUMNS} FROM manual_uploads
         WHERE id = $1 AND verification_id = $2 AND user_id = $3"
    ))
    .bind(upload_id)
    .bind(verification_id)
    .bind(user_id)
    .fetch_optional(state.pool())
    .await?
    .ok_or_else(not_found)?;
    UploadRow::from_row(&row)
}

/// `GET /api/v1/real-name/{verification_id}/manual/uploads/{upload_id}`.
pub async fn upload_status(
    State(state): State<AppState>,
    session: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<NoStore<Json<ManualUpload>>, AppError> {
    let (verification_id, upload_id) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let upload = owned_upload(&state, &session.user_id, &verification_id, &upload_id).await?;
    Ok(NoStore(Json(upload.wire())))
}

/// `Content-Range: bytes START-END/TOTAL`.
fn parse_content_range(headers: &HeaderMap) -> Option<(u64, u64, u64)> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?.trim();
    let rest = value.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    let total: u64 = total.trim().parse().ok()?;
    (start <= end && end < total).then_some((start, end, total))
}

fn conflict_at(received: u64) -> AppError {
    AppError::new(ErrorCode::Conflict, "the chunk does not start where the upload stands")
        .with_details(json!({ "received": received }))
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
    let upload = owned_upload(&state, &session.user_id, &verification_id, &upload_id).await?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if content_type.map(|v| v.split(';').next().unwrap_or("").trim())
        != Some("application/octet-stream")
    {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "expected `Content-Type: application/octet-stream`",
        ));
    }
    let Some((start, end, total)) = parse_content_range(&headers) else {
        return Err(AppError::invalid_input(
            "content_range",
            "expected `Content-Range: bytes START-END/TOTAL`",
        ));
    };
    if total != upload.size {
        return Err(AppError::invalid_input("content_range", "TOTAL is not the declared size"));
    }
    if end - start + 1 > MANUAL_UPLOAD_MAX_CHUNK_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge, "a chunk is at most 1 MiB"));
    }
    let limit = usize::try_from(MANUAL_UPLOAD_MAX_CHUNK_BYTES).unwrap_or(usize::MAX);
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::new(ErrorCode::PayloadTooLarge, "a chunk is at most 1 MiB"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) != end - start + 1 {
        return Err(AppError::invalid_input("content_range", "the body length is not END-START+1"));
    }
    let (Some(part), None) = (upload.part_blob.clone(), upload.blob.as_deref()) else {
        return Err(conflict_at(upload.received));
    };
    if start != upload.received {
        return Err(conflict_at(upload.received));
    }

    let dir = state.blob_dir();
    blobs::write_at(dir, &part, start, &bytes).await?;
    let received = end + 1;
    let now = state.now();
    let advanced = sqlx::query(
        "UPDATE manual_uploads SET received = $1, updated_at = $2
         WHERE id = $3 AND received = $4 AND blob IS NULL",
    )
    .bind(i64::try_from(received).unwrap_or(i64::MAX))
    .bind(now)
    .bind(&upload.id)
    .bind(i64::try_from(start).unwrap_or(i64::MAX))
    .execute(state.pool())
    .await?
    .rows_affected()
        == 1;
    if !advanced {
        // Another request moved the upload meanwhile.
        let current = owned_upload(&state, &session.user_id, &verification_id, &upload_id).await?;
        return Err(conflict_at(current.received));
    }
    let mut upload = UploadRow { received, ..upload };
    if received < upload.size {
        return Ok(NoStore(Json(upload.wire())));
    }
    let blob = finish(&state, &upload, &part, now).await?;
    upload.blob = Some(blob);
    upload.part_blob = None;
    Ok(NoStore(Json(upload.wire())))
}

/// All bytes are in: checks the hash and the photo, keeps the cleaned JPEG as a new blob.
async fn finish(
    state: &AppState,
    upload: &UploadRow,
    part: &str,
    now: i64,
) -> Result<String, AppError> {
    let dir = state.blob_dir();
    let bytes = blobs::read(dir, part).await?;
    let digest = hex::encode(Sha256::digest(&bytes));
    if digest != upload.sha256 {
        blobs::truncate(dir, part).await?;
        sqlx::query("UPDATE manual_uploads SET received = 0, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&upload.id)
            .execute(state.pool())
            .await?;
        tracing::warn!(upload_id = %upload.id, "manual upload checksum mismatch: restarted");
        return Err(AppError::new(
            ErrorCode::ChecksumMismatch,
            "the bytes do not match the declared SHA-256; upload the photo again",
        )
        .with_details(json!({ "received": 0 })));
    }
    let prepared =
        tokio::task::spawn_blocking(move || prepare_id_photo(&bytes, &PhotoLimits::default()))
            .await?;
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            // Nothing of a refused photo is kept.
            blobs::delete(dir, part).await?;
            sqlx::query("DELETE FROM manual_uploads WHERE id = $1")
                .bind(&upload.id)
                .execute(state.pool())
                .await?;
            if !error.is_rejection() {
                return Err(AppError::internal("cannot re-encode a photo", error));
            }
            tracing::info!(upload_id = %upload.id, kind = error.kind(), "manual photo refused");
            return Err(AppError::new(ErrorCode::InvalidPhoto, error.to_string())
                .with_details(json!({ "error": error })));
        }
    };
    let blob = new_id();
    blobs::put(dir, &blob, &prepared.jpeg).await?;
    sqlx::query(
        "UPDATE manual_uploads SET blob = $1, part_blob = NULL, completed_at = $2, updated_at = $2
         WHERE id = $3",
    )
    .bind(&blob)
    .bind(now)
    .bind(&upload.id)
    .execute(state.pool())
    .await?;
    blobs::delete(dir, part).await?;
    tracing::info!(upload_id = %upload.id, width = prepared.width, height = prepared.height,
        "manual photo accepted");
    Ok(blob)
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

    let uploads = sqlx::query(
        "SELECT id, part_blob, blob FROM manual_uploads WHERE used_at IS NULL AND created_at <= $1",
    )
    .bind(now.saturating_sub(ABANDONED_UPLOAD_SECS))
    .fetch_all(state.pool())
    .await?;
    for row in uploads {
        let id: String = row.try_get("id")?;
        for column in ["part_blob", "blob"] {
            if let Some(blob) = row.try_get::<Option<String>, _>(column)? {
                blobs::delete(dir, &blob).await?;
            }
        }
        sqlx::query("DELETE FROM manual_uploads WHERE id = $1")
            .bind(&id)
            .execute(state.pool())
            .await?;
        tracing::info!(upload_id = %id, "abandoned manual upload deleted");
        purged += 1;
    }
    Ok(purged)
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}
