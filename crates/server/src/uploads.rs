//! Resumable uploads, shared by manual review (photos, `manual_uploads`) and face recognition
//! (clips, `face_uploads`). Both tables have the same columns; an [`UploadStore`] names the
//! table, the size limit and the check that runs once every byte is in.
//!
//! - [`UploadStore::start`] starts an upload of one file with its size and SHA-256, or resumes
//!   the unfinished upload of the same verification, kind and hash.
//! - [`UploadStore::put_chunk`] appends one chunk (`Content-Range: bytes S-E/T`, at most
//!   1 MiB) when `S` is what the server has; otherwise 409 with `details.received`. The bytes go
//!   to a partial file in the blob directory. When the last byte arrives the SHA-256 is checked
//!   (mismatch: 422 `checksum_mismatch`, the upload starts over), then the store's [`Check`]:
//!   refused → its error, and the upload and its bytes are dropped; accepted → the file is kept
//!   (as uploaded, or as the check rewrote it) under a new random blob id.
//! - [`UploadStore::owned`] finds the caller's upload; anyone else's is 404 alike.

use axum::body::Body;
use axum::http::{header, HeaderMap};
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_domain::api::MANUAL_UPLOAD_MAX_CHUNK_BYTES;
use signet_domain::ErrorCode;
use sqlx::Row;

use crate::blobs;
use crate::error::AppError;
use crate::state::AppState;
use crate::tokens::new_id;

const DAY_SECS: i64 = 24 * 60 * 60;

/// What the check of a complete upload decided.
pub(crate) enum Checked {
    /// Keep the bytes as uploaded.
    AsUploaded,
    /// Keep these bytes instead (e.g. a photo re-encoded without metadata).
    Replaced(Vec<u8>),
}

/// Runs on a blocking thread once every byte is in and the SHA-256 matched. An error drops
/// the upload and its bytes and is the answer to the last chunk.
pub(crate) type Check = fn(Vec<u8>) -> Result<Checked, AppError>;

/// One kind of resumable upload: where its rows live and what it accepts.
pub(crate) struct UploadStore {
    /// `manual_uploads` or `face_uploads` (a constant, never user input).
    pub(crate) table: &'static str,
    /// For messages and logs: "photo", "clip".
    pub(crate) what: &'static str,
    pub(crate) max_bytes: u64,
    /// Uploads a user may hold that were not submitted; more answer 429 until the retention
    /// job removes the abandoned ones.
    pub(crate) max_open: i64,
    pub(crate) check: Check,
}

/// One row of an upload table.
#[derive(Debug, Clone)]
pub(crate) struct UploadRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) size: u64,
    pub(crate) sha256: String,
    pub(crate) received: u64,
    pub(crate) part_blob: Option<String>,
    pub(crate) blob: Option<String>,
    pub(crate) used: bool,
}

impl UploadRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, AppError> {
        let size: i64 = row.try_get("size")?;
        let received: i64 = row.try_get("received")?;
        Ok(Self {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            size: u64::try_from(size).unwrap_or(0),
            sha256: row.try_get("sha256")?,
            received: u64::try_from(received).unwrap_or(0),
            part_blob: row.try_get("part_blob")?,
            blob: row.try_get("blob")?,
            used: row.try_get::<Option<i64>, _>("used_at")?.is_some(),
        })
    }

    /// Every byte arrived and passed the checks.
    pub(crate) fn complete(&self) -> bool {
        self.blob.is_some()
    }
}

const UPLOAD_COLUMNS: &str = "id, kind, size, sha256, received, part_blob, blob, used_at";

pub(crate) fn not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "no such upload")
}

pub(crate) fn is_hex_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A declared SHA-256, lowercased, or 400 `invalid_input`.
fn parse_sha256(sha256: &str) -> Result<String, AppError> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid_input("sha256", "expected 64 hex digits"));
    }
    Ok(sha256)
}

impl UploadStore {
    /// Starts an upload of `kind` for the caller's (already loaded) verification, or resumes
    /// the unfinished one of the same kind, size and SHA-256.
    pub(crate) async fn start(
        &self,
        state: &AppState,
        user_id: &str,
        verification_id: &str,
        kind: &str,
        size: u64,
        sha256: &str,
    ) -> Result<UploadRow, AppError> {
        let table = self.table;
        if size > self.max_bytes {
            let mib = self.max_bytes / (1024 * 1024);
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("the {} is larger than {mib} MiB", self.what),
            )
            .with_details(json!({ "field": "size", "max": self.max_bytes })));
        }
        if size == 0 {
            return Err(AppError::invalid_input("size", format!("the {} is empty", self.what)));
        }
        let sha256 = parse_sha256(sha256)?;
        let size_db = i64::try_from(size).unwrap_or(i64::MAX);
        let now = state.now();

        // Resume: the same file of the same verification, not yet submitted.
        let existing = sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM {table}
             WHERE verification_id = $1 AND user_id = $2 AND kind = $3 AND sha256 = $4
                   AND size = $5 AND used_at IS NULL
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(verification_id)
        .bind(user_id)
        .bind(kind)
        .bind(&sha256)
        .bind(size_db)
        .fetch_optional(state.pool())
        .await?;
        if let Some(row) = existing {
            let mut upload = UploadRow::from_row(&row)?;
            tracing::info!(user_id = %user_id, upload_id = %upload.id, upload = self.what,
                received = upload.received, "upload resumed");
            if upload.blob.is_none() && upload.received == upload.size {
                // Every byte arrived but the checks never ran (the server stopped): run them now.
                if let Some(part) = upload.part_blob.take() {
                    upload.blob = Some(self.finish(state, &upload, &part).await?);
                }
            }
            return Ok(upload);
        }
        let open: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE user_id = $1 AND used_at IS NULL"
        ))
        .bind(user_id)
        .fetch_one(state.pool())
        .await?
        .try_get("n")?;
        if open >= self.max_open {
            return Err(AppError::new(ErrorCode::RateLimited, "too many unfinished uploads")
                .with_details(
                    json!({ "reason": "too_many_uploads", "retry_after_secs": DAY_SECS }),
                ));
        }

        let id = new_id();
        let part = format!("{id}.part");
        blobs::create_part(state.blob_dir(), &part).await?;
        sqlx::query(&format!(
            "INSERT INTO {table} (id, verification_id, user_id, kind, size, sha256, received,
                                  part_blob, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)"
        ))
        .bind(&id)
        .bind(verification_id)
        .bind(user_id)
        .bind(kind)
        .bind(size_db)
        .bind(&sha256)
        .bind(&part)
        .bind(now)
        .execute(state.pool())
        .await?;
        tracing::info!(user_id = %user_id, upload_id = %id, upload = self.what, kind, size,
            "upload started");
        Ok(UploadRow {
            id,
            kind: kind.to_owned(),
            size,
            sha256,
            received: 0,
            part_blob: Some(part),
            blob: None,
            used: false,
        })
    }

    /// The caller's upload `upload_id` of verification `verification_id`; anything else is 404.
    pub(crate) async fn owned(
        &self,
        state: &AppState,
        user_id: &str,
        verification_id: &str,
        upload_id: &str,
    ) -> Result<UploadRow, AppError> {
        if !is_hex_id(verification_id) || !is_hex_id(upload_id) {
            return Err(not_found());
        }
        let row = sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM {} WHERE id = $1 AND verification_id = $2 AND user_id = $3",
            self.table
        ))
        .bind(upload_id)
        .bind(verification_id)
        .bind(user_id)
        .fetch_optional(state.pool())
        .await?
        .ok_or_else(not_found)?;
        UploadRow::from_row(&row)
    }

    /// Appends one chunk to the caller's upload (see the module documentation).
    pub(crate) async fn put_chunk(
        &self,
        state: &AppState,
        user_id: &str,
        (verification_id, upload_id): (&str, &str),
        headers: &HeaderMap,
        body: Body,
    ) -> Result<UploadRow, AppError> {
        let upload = self.owned(state, user_id, verification_id, upload_id).await?;
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if content_type.map(|v| v.split(';').next().unwrap_or("").trim())
            != Some("application/octet-stream")
        {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "expected `Content-Type: application/octet-stream`",
            ));
        }
        let Some((start, end, total)) = parse_content_range(headers) else {
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
            return Err(AppError::invalid_input(
                "content_range",
                "the body length is not END-START+1",
            ));
        }
        let (Some(part), None) = (upload.part_blob.clone(), upload.blob.as_deref()) else {
            return Err(conflict_at(upload.received));
        };
        if start != upload.received {
            return Err(conflict_at(upload.received));
        }

        blobs::write_at(state.blob_dir(), &part, start, &bytes).await?;
        let received = end + 1;
        let advanced = sqlx::query(&format!(
            "UPDATE {} SET received = $1, updated_at = $2
             WHERE id = $3 AND received = $4 AND blob IS NULL",
            self.table
        ))
        .bind(i64::try_from(received).unwrap_or(i64::MAX))
        .bind(state.now())
        .bind(&upload.id)
        .bind(i64::try_from(start).unwrap_or(i64::MAX))
        .execute(state.pool())
        .await?
        .rows_affected()
            == 1;
        if !advanced {
            // Another request moved the upload meanwhile.
            let current = self.owned(state, user_id, verification_id, upload_id).await?;
            return Err(conflict_at(current.received));
        }
        let mut upload = UploadRow { received, ..upload };
        if received < upload.size {
            return Ok(upload);
        }
        let blob = self.finish(state, &upload, &part).await?;
        upload.blob = Some(blob);
        upload.part_blob = None;
        Ok(upload)
    }

    /// All bytes are in: checks the hash and runs the store's check; keeps the result as a new
    /// blob.
    async fn finish(
        &self,
        state: &AppState,
        upload: &UploadRow,
        part: &str,
    ) -> Result<String, AppError> {
        let dir = state.blob_dir();
        let table = self.table;
        let now = state.now();
        let bytes = blobs::read(dir, part).await?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if digest != upload.sha256 {
            blobs::truncate(dir, part).await?;
            sqlx::query(&format!("UPDATE {table} SET received = 0, updated_at = $1 WHERE id = $2"))
                .bind(now)
                .bind(&upload.id)
                .execute(state.pool())
                .await?;
            tracing::warn!(upload_id = %upload.id, upload = self.what,
                "upload checksum mismatch: restarted");
            return Err(AppError::new(
                ErrorCode::ChecksumMismatch,
                format!(
                    "the bytes do not match the declared SHA-256; upload the {} again",
                    self.what
                ),
            )
            .with_details(json!({ "received": 0 })));
        }
        let check = self.check;
        let checked = match tokio::task::spawn_blocking(move || check(bytes)).await? {
            Ok(checked) => checked,
            Err(error) => {
                // Nothing of a refused file is kept.
                blobs::delete(dir, part).await?;
                sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
                    .bind(&upload.id)
                    .execute(state.pool())
                    .await?;
                return Err(error);
            }
        };
        let blob = new_id();
        match checked {
            Checked::AsUploaded => {
                let from = blobs::path(dir, part)?;
                let to = blobs::path(dir, &blob)?;
                tokio::fs::rename(from, to)
                    .await
                    .map_err(|e| AppError::internal("cannot store a blob", e))?;
            }
            Checked::Replaced(bytes) => blobs::put(dir, &blob, &bytes).await?,
        }
        sqlx::query(&format!(
            "UPDATE {table} SET blob = $1, part_blob = NULL, completed_at = $2, updated_at = $2
             WHERE id = $3"
        ))
        .bind(&blob)
        .bind(now)
        .bind(&upload.id)
        .execute(state.pool())
        .await?;
        blobs::delete(dir, part).await?;
        tracing::info!(upload_id = %upload.id, upload = self.what, "upload complete");
        Ok(blob)
    }

    /// Deletes the files and rows of uploads never submitted and older than a day. Returns how
    /// many were removed.
    pub(crate) async fn purge_abandoned(&self, state: &AppState) -> Result<usize, AppError> {
        let dir = state.blob_dir();
        let uploads = sqlx::query(&format!(
            "SELECT id, part_blob, blob FROM {} WHERE used_at IS NULL AND created_at <= $1",
            self.table
        ))
        .bind(state.now().saturating_sub(DAY_SECS))
        .fetch_all(state.pool())
        .await?;
        let mut purged = 0;
        for row in uploads {
            let id: String = row.try_get("id")?;
            for column in ["part_blob", "blob"] {
                if let Some(blob) = row.try_get::<Option<String>, _>(column)? {
                    blobs::delete(dir, &blob).await?;
                }
            }
            sqlx::query(&format!("DELETE FROM {} WHERE id = $1", self.table))
                .bind(&id)
                .execute(state.pool())
                .await?;
            tracing::info!(upload_id = %id, upload = self.what, "abandoned upload deleted");
            purged += 1;
        }
        Ok(purged)
    }
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
