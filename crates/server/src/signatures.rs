//! Signatures (签名维护): each user keeps up to [`MAX_SIGNATURES`] signature images on the
//! platform, one of them the default.
//!
//! - `PUT /api/v1/signatures/{signature_id}` creates one. The app makes the id (32 lowercase hex
//!   digits) before the signature first reaches the platform, so the id is the idempotency key:
//!   the app's outbox resends the same request after a lost answer or a killed app, and a replay
//!   (same id, kind, PNG and SVG; the name is not compared, as it can be changed by rename)
//!   answers 200 with what is stored instead of making a copy. The same id with other content,
//!   an id another user holds, or the id of a deleted signature answers 409 `conflict`.
//! - The PNG is checked with [`check_signature_png`] and kept byte for byte (its SHA-256 is what
//!   the app cached); a drawn signature also has an SVG, checked by [`check_svg`]. Both go to the
//!   blob store under random names; the row holds their names and hashes.
//! - Creating, renaming and choosing the default need a verified real name (403
//!   `real_name_required`); reading and deleting do not (users can always remove their data).
//! - The first signature of a user (when they have no other) becomes the default. Deleting the
//!   default leaves the user without one: the platform does not choose for them.
//! - Deleting keeps a tombstone row (`deleted_at`) and removes the files: a retried delete
//!   answers 204 again, and a retried create of the deleted id cannot bring it back.
//! - Every change first writes the user's row in `signature_owners`, which serialises one user's
//!   changes on both databases: the limit and the default stay exact under concurrent requests.
//! - Changes have a per-user per-minute limit of their own
//!   ([`crate::Limits::signature_changes_per_minute`]).
//!
//! Logs name users, signature ids, kinds and sizes; never names or image bytes.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_domain::api::{
    check_text, is_signature_id, DefaultSignature, RealNameStatus, SignatureInfo, SignatureKind,
    SignatureList, SignatureRename, SignatureUpload, MAX_SIGNATURES, MAX_SIGNATURE_NAME_CHARS,
    MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SVG_BYTES,
};
use signet_domain::ErrorCode;
use signet_imaging::{check_signature_png, SignaturePngProblem};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::blobs;
use crate::error::{ApiJson, AppError, NoStore};
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::tokens::new_id;

/// Longest `png_base64` of a PNG within the limit.
const MAX_PNG_BASE64_CHARS: usize = MAX_SIGNATURE_PNG_BYTES.div_ceil(3) * 4;

/// Largest body of `PUT /api/v1/signatures/{signature_id}`: the base64 PNG, the SVG twice (JSON
/// escaping of its quotes can make it longer) and room for the rest. Larger bodies answer 413.
pub(crate) const UPLOAD_BODY_BYTES: usize =
    MAX_PNG_BASE64_CHARS + 2 * MAX_SIGNATURE_SVG_BYTES + 64 * 1024;

/// `Content-Security-Policy` of a served SVG: no scripts, no loads, inline styles only.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

const COLUMNS: &str = "id, user_id, name, kind, width, height, png_sha256, png_blob, svg_sha256, \
                       svg_blob, created_at, deleted_at";

/// A signed-in user admitted under the per-user limit of signature changes. Put it before the
/// body extractor, so that refused requests cost no parsing.
#[derive(Debug, Clone)]
pub(crate) struct SignatureEditor {
    user_id: String,
}

impl FromRequestParts<AppState> for SignatureEditor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Authenticated { user_id } = Authenticated::from_request_parts(parts, state).await?;
        match state.signature_limiter().check(user_id.clone(), state.now()) {
            Ok(()) => Ok(Self { user_id }),
            Err(retry_after_secs) => {
                tracing::warn!(user_id = %user_id, retry_after_secs, "signature changes rate limited");
                Err(AppError::rate_limited(retry_after_secs))
            }
        }
    }
}

/// One row of `signatures`.
#[derive(Debug, Clone)]
struct StoredSignature {
    id: String,
    user_id: String,
    name: String,
    kind: SignatureKind,
    width: u32,
    height: u32,
    png_sha256: String,
    png_blob: Option<String>,
    svg_sha256: Option<String>,
    svg_blob: Option<String>,
    created_at: i64,
    deleted_at: Option<i64>,
}

impl StoredSignature {
    fn from_row(row: &AnyRow) -> Result<Self, AppError> {
        let kind: String = row.try_get("kind")?;
        let width: i64 = row.try_get("width")?;
        let height: i64 = row.try_get("height")?;
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            kind: SignatureKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            width: u32::try_from(width).map_err(|_| corrupt("width", &width.to_string()))?,
            height: u32::try_from(height).map_err(|_| corrupt("height", &height.to_string()))?,
            png_sha256: row.try_get("png_sha256")?,
            png_blob: row.try_get("png_blob")?,
            svg_sha256: row.try_get("svg_sha256")?,
            svg_blob: row.try_get("svg_blob")?,
            created_at: row.try_get("created_at")?,
            deleted_at: row.try_get("deleted_at")?,
        })
    }

    fn is_live_of(&self, user_id: &str) -> bool {
        self.user_id == user_id && self.deleted_at.is_none()
    }

    fn info(&self, default_id: Option<&str>) -> SignatureInfo {
        SignatureInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            width: self.width,
            height: self.height,
            png_sha256: self.png_sha256.clone(),
            created_at: self.created_at,
            is_default: default_id == Some(self.id.as_str()),
        }
    }
}

async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredSignature>, AppError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM signatures WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(StoredSignature::from_row)
        .transpose()
}

/// The caller's live signature `id`, or 404.
async fn find_live(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
) -> Result<StoredSignature, AppError> {
    if !is_signature_id(id) {
        return Err(not_found());
    }
    find(conn, id).await?.filter(|s| s.is_live_of(user_id)).ok_or_else(not_found)
}

async fn default_id(conn: &mut AnyConnection, user_id: &str) -> Result<Option<String>, AppError> {
    let row = sqlx::query("SELECT default_id FROM signature_owners WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => row.try_get("default_id")?,
        None => None,
    })
}

/// Writes the user's `signature_owners` row (creating it if needed), which takes the write lock
/// (SQLite) or the row lock (PostgreSQL) until the transaction ends; returns the default.
async fn lock_owner(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<Option<String>, AppError> {
    let row = sqlx::query(
        "INSERT INTO signature_owners (user_id, default_id, updated_at) VALUES ($1, NULL, $2)
         ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at
         RETURNING default_id",
    )
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("default_id")?)
}

async fn set_default_id(
    conn: &mut AnyConnection,
    user_id: &str,
    default_id: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE signature_owners SET default_id = $1 WHERE user_id = $2")
        .bind(default_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn live_count(conn: &mut AnyConnection, user_id: &str) -> Result<usize, AppError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM signatures WHERE user_id = $1 AND deleted_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

async fn list_of(state: &AppState, user_id: &str) -> Result<SignatureList, AppError> {
    let mut conn = state.pool().acquire().await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signatures WHERE user_id = $1 AND deleted_at IS NULL ORDER BY seq"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let default_id = default_id(&mut conn, user_id).await?;
    let signatures = rows
        .iter()
        .map(|row| StoredSignature::from_row(row).map(|s| s.info(default_id.as_deref())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SignatureList { signatures, default_id })
}

/// Creating, renaming and choosing the default need a verified real name.
async fn require_verified(state: &AppState, user_id: &str) -> Result<(), AppError> {
    let row = sqlx::query("SELECT real_name_status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(state.pool())
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "the account no longer exists"))?;
    let status: String = row.try_get("real_name_status")?;
    if status == RealNameStatus::Verified.as_str() {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::RealNameRequired,
        "signatures can be kept only after real-name authentication",
    )
    .with_details(json!({ "real_name_status": status })))
}

/// `GET /api/v1/signatures`: the caller's signatures, oldest first.
pub async fn list(
    State(state): State<AppState>,
    session: Authenticated,
) -> Result<NoStore<Json<SignatureList>>, AppError> {
    Ok(NoStore(Json(list_of(&state, &session.user_id).await?)))
}

/// What makes a signature the same one: a replayed create must carry the same.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    kind: SignatureKind,
    png_sha256: String,
    svg_sha256: Option<String>,
}

impl StoredSignature {
    fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            kind: self.kind,
            png_sha256: self.png_sha256.clone(),
            svg_sha256: self.svg_sha256.clone(),
        }
    }
}

/// A create's decoded content.
struct Content {
    fingerprint: Fingerprint,
    png: Vec<u8>,
    svg: Option<String>,
}

/// `PUT /api/v1/signatures/{signature_id}`: 201 created, 200 replayed.
pub async fn create(
    State(state): State<AppState>,
    user: SignatureEditor,
    id: Result<Path<String>, PathRejection>,
    ApiJson(upload): ApiJson<SignatureUpload>,
) -> Result<(StatusCode, NoStore<Json<SignatureInfo>>), AppError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    if !is_signature_id(&id) {
        return Err(AppError::invalid_input(
            "signature_id",
            "a signature id is 32 lowercase hex digits",
        ));
    }
    require_verified(&state, &user.user_id).await?;
    let content = check_upload(&upload)?;

    let mut conn = state.pool().acquire().await?;
    if let Some(stored) = find(&mut conn, &id).await? {
        let info = replayed(&mut conn, &user.user_id, &stored, &content.fingerprint).await?;
        tracing::info!(user_id = %user.user_id, signature_id = %id, "signature create replayed");
        return Ok((StatusCode::OK, NoStore(Json(info))));
    }
    // Cheap refusal before the decoding; checked again under the lock.
    if live_count(&mut conn, &user.user_id).await? >= MAX_SIGNATURES {
        return Err(limit_reached());
    }
    drop(conn);

    let Content { fingerprint, png, svg } = content;
    let (png, checked) = tokio::task::spawn_blocking(move || {
        let checked = check_signature_png(&png);
        (png, checked)
    })
    .await?;
    let (width, height) = checked.map_err(invalid_png)?;

    let dir = state.blob_dir();
    let files = Files { png: new_id(), svg: svg.as_ref().map(|_| new_id()) };
    let inserted = match files.write(dir, &png, svg.as_deref()).await {
        Ok(()) => {
            let new = NewSignature {
                id: &id,
                user_id: &user.user_id,
                name: &upload.name,
                fingerprint: &fingerprint,
                width,
                height,
                files: &files,
            };
            insert(&state, new).await
        }
        Err(e) => Err(e),
    };
    let existing = match inserted {
        Ok(Inserted::Created(info)) => {
            tracing::info!(user_id = %user.user_id, signature_id = %id,
                kind = fingerprint.kind.as_str(), width, height, png_bytes = png.len(),
                is_default = info.is_default, "signature created");
            return Ok((StatusCode::CREATED, NoStore(Json(info))));
        }
        Ok(Inserted::Existing(existing)) => existing,
        Err(e) => {
            files.remove(dir).await;
            return Err(e);
        }
    };
    // A concurrent create of the same id got there first: answer as its replay.
    files.remove(dir).await;
    let mut conn = state.pool().acquire().await?;
    let info = replayed(&mut conn, &user.user_id, &existing, &fingerprint).await?;
    tracing::info!(user_id = %user.user_id, signature_id = %id, "signature create replayed");
    Ok((StatusCode::OK, NoStore(Json(info))))
}

/// The blob names of a new signature's files.
struct Files {
    png: String,
    svg: Option<String>,
}

impl Files {
    async fn write(
        &self,
        dir: &std::path::Path,
        png: &[u8],
        svg: Option<&str>,
    ) -> Result<(), AppError> {
        blobs::put(dir, &self.png, png).await?;
        if let (Some(blob), Some(svg)) = (&self.svg, svg) {
            blobs::put(dir, blob, svg.as_bytes()).await?;
        }
        Ok(())
    }

    /// Removes the files of a signature that was not stored. Best effort: the caller answers
    /// with what went wrong before.
    async fn remove(&self, dir: &std::path::Path) {
        for blob in std::iter::once(&self.png).chain(&self.svg) {
            if let Err(e) = blobs::delete(dir, blob).await {
                tracing::warn!(error = %e, "cannot remove the files of a signature not stored");
            }
        }
    }
}

/// Checks everything of an upload but the PNG's pixels (the expensive part, done only for a
/// new signature).
fn check_upload(upload: &SignatureUpload) -> Result<Content, AppError> {
    check_text(&upload.name, MAX_SIGNATURE_NAME_CHARS)
        .map_err(|problem| AppError::invalid_text("name", problem))?;
    match (upload.kind, &upload.svg) {
        (SignatureKind::Drawn, None) => {
            return Err(AppError::invalid_input("svg", "a drawn signature needs its SVG"))
        }
        (SignatureKind::Uploaded, Some(_)) => {
            return Err(AppError::invalid_input("svg", "an uploaded signature has no SVG"))
        }
        _ => {}
    }
    if upload.png_base64.len() > MAX_PNG_BASE64_CHARS {
        return Err(invalid_png(SignaturePngProblem::TooLarge));
    }
    let png = STANDARD.decode(&upload.png_base64).map_err(|_| {
        AppError::invalid_input("png_base64", "expected standard base64 with padding")
    })?;
    if let Some(svg) = &upload.svg {
        check_svg(svg).map_err(|problem| {
            AppError::new(ErrorCode::InvalidSignature, problem.message())
                .with_details(json!({ "field": "svg", "reason": problem.as_str() }))
        })?;
    }
    Ok(Content {
        fingerprint: Fingerprint {
            kind: upload.kind,
            png_sha256: hex::encode(Sha256::digest(&png)),
            svg_sha256: upload.svg.as_ref().map(|svg| hex::encode(Sha256::digest(svg.as_bytes()))),
        },
        png,
        svg: upload.svg.clone(),
    })
}

/// What a create of an existing id answers: the stored signature when it is the caller's and
/// the same content (the name may differ: it can have been renamed since), else 409.
async fn replayed(
    conn: &mut AnyConnection,
    user_id: &str,
    stored: &StoredSignature,
    fingerprint: &Fingerprint,
) -> Result<SignatureInfo, AppError> {
    if stored.user_id != user_id {
        // Someone else's id: say no more than that it is taken.
        return Err(AppError::new(ErrorCode::Conflict, "a signature with this id exists"));
    }
    if stored.deleted_at.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "this signature was deleted")
            .with_details(json!({ "reason": "deleted" })));
    }
    if stored.fingerprint() != *fingerprint {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "a signature with this id exists with other content",
        )
        .with_details(json!({ "reason": "different_content" })));
    }
    let default_id = default_id(conn, user_id).await?;
    Ok(stored.info(default_id.as_deref()))
}

struct NewSignature<'a> {
    id: &'a str,
    user_id: &'a str,
    name: &'a str,
    fingerprint: &'a Fingerprint,
    width: u32,
    height: u32,
    files: &'a Files,
}

enum Inserted {
    Created(SignatureInfo),
    /// The id was taken meanwhile; nothing was written.
    Existing(StoredSignature),
}

/// Inserts the signature under the user's lock: the limit counted again, the first one made
/// the default.
async fn insert(state: &AppState, new: NewSignature<'_>) -> Result<Inserted, AppError> {
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    let default_id = lock_owner(&mut tx, new.user_id, now).await?;
    if let Some(existing) = find(&mut tx, new.id).await? {
        return Ok(Inserted::Existing(existing));
    }
    let count = live_count(&mut tx, new.user_id).await?;
    if count >= MAX_SIGNATURES {
        return Err(limit_reached());
    }
    let seq: i64 =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM signatures WHERE user_id = $1")
            .bind(new.user_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("seq")?;
    // `ON CONFLICT DO NOTHING`: a concurrent create by another user (who does not hold this
    // user's lock) may take the id between the check above and here.
    let inserted = sqlx::query(
        "INSERT INTO signatures (id, user_id, seq, name, kind, width, height, png_sha256,
                                 png_blob, svg_sha256, svg_blob, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(new.id)
    .bind(new.user_id)
    .bind(seq)
    .bind(new.name)
    .bind(new.fingerprint.kind.as_str())
    .bind(i64::from(new.width))
    .bind(i64::from(new.height))
    .bind(&new.fingerprint.png_sha256)
    .bind(&new.files.png)
    .bind(new.fingerprint.svg_sha256.as_deref())
    .bind(new.files.svg.as_deref())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        let existing = find(&mut tx, new.id).await?;
        drop(tx);
        return match existing {
            Some(existing) => Ok(Inserted::Existing(existing)),
            None => Err(AppError::internal(
                "signature insert failed",
                "the id conflicted but no row holds it",
            )),
        };
    }
    let default_id = if count == 0 {
        set_default_id(&mut tx, new.user_id, Some(new.id)).await?;
        Some(new.id.to_owned())
    } else {
        default_id
    };
    let stored = find(&mut tx, new.id).await?.ok_or_else(|| {
        AppError::internal("signature insert failed", "the new row cannot be read back")
    })?;
    tx.commit().await?;
    Ok(Inserted::Created(stored.info(default_id.as_deref())))
}

/// `PATCH /api/v1/signatures/{signature_id}`.
pub async fn rename(
    State(state): State<AppState>,
    user: SignatureEditor,
    id: Result<Path<String>, PathRejection>,
    ApiJson(rename): ApiJson<SignatureRename>,
) -> Result<NoStore<Json<SignatureInfo>>, AppError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    require_verified(&state, &user.user_id).await?;
    check_text(&rename.name, MAX_SIGNATURE_NAME_CHARS)
        .map_err(|problem| AppError::invalid_text("name", problem))?;
    let mut conn = state.pool().acquire().await?;
    let mut stored = find_live(&mut conn, &user.user_id, &id).await?;
    let renamed = sqlx::query(
        "UPDATE signatures SET name = $1, updated_at = $2
         WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL",
    )
    .bind(&rename.name)
    .bind(state.now())
    .bind(&id)
    .bind(&user.user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !renamed {
        // Deleted meanwhile.
        return Err(not_found());
    }
    stored.name = rename.name;
    let default_id = default_id(&mut conn, &user.user_id).await?;
    tracing::info!(user_id = %user.user_id, signature_id = %id, "signature renamed");
    Ok(NoStore(Json(stored.info(default_id.as_deref()))))
}

/// `DELETE /api/v1/signatures/{signature_id}`: 204, also when it was deleted before.
pub async fn delete(
    State(state): State<AppState>,
    user: SignatureEditor,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, AppError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    if !is_signature_id(&id) {
        return Err(not_found());
    }
    let mut conn = state.pool().acquire().await?;
    if find(&mut conn, &id).await?.is_none_or(|s| s.user_id != user.user_id) {
        return Err(not_found());
    }
    drop(conn);
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    // The lock first: in SQLite a transaction that reads before it writes can find its
    // snapshot outdated by then.
    let default_id = lock_owner(&mut tx, &user.user_id, now).await?;
    let stored = find(&mut tx, &id).await?.ok_or_else(not_found)?;
    if stored.deleted_at.is_none() {
        sqlx::query(
            "UPDATE signatures SET deleted_at = $1, updated_at = $1
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if default_id.as_deref() == Some(id.as_str()) {
            set_default_id(&mut tx, &user.user_id, None).await?;
        }
    }
    tx.commit().await?;

    // The files go after the commit; their names are cleared only once they are gone, so a
    // retried delete finishes what a failed one left.
    if stored.png_blob.is_some() || stored.svg_blob.is_some() {
        let dir = state.blob_dir();
        for blob in [&stored.png_blob, &stored.svg_blob].into_iter().flatten() {
            blobs::delete(dir, blob).await?;
        }
        sqlx::query("UPDATE signatures SET png_blob = NULL, svg_blob = NULL WHERE id = $1")
            .bind(&id)
            .execute(state.pool())
            .await?;
    }
    if stored.deleted_at.is_none() {
        tracing::info!(user_id = %user.user_id, signature_id = %id, "signature deleted");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/signatures/default`: the default becomes the named signature, or none.
pub async fn set_default(
    State(state): State<AppState>,
    user: SignatureEditor,
    ApiJson(request): ApiJson<DefaultSignature>,
) -> Result<NoStore<Json<SignatureList>>, AppError> {
    require_verified(&state, &user.user_id).await?;
    if let Some(id) = &request.signature_id {
        if !is_signature_id(id) {
            return Err(AppError::invalid_input(
                "signature_id",
                "a signature id is 32 lowercase hex digits",
            ));
        }
    }
    let mut tx = state.pool().begin().await?;
    lock_owner(&mut tx, &user.user_id, state.now()).await?;
    if let Some(id) = &request.signature_id {
        find_live(&mut tx, &user.user_id, id).await?;
    }
    set_default_id(&mut tx, &user.user_id, request.signature_id.as_deref()).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, default_id = ?request.signature_id,
        "default signature set");
    Ok(NoStore(Json(list_of(&state, &user.user_id).await?)))
}

/// `GET /api/v1/signatures/{signature_id}/image`: the PNG as stored.
pub async fn image(
    State(state): State<AppState>,
    session: Authenticated,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let mut conn = state.pool().acquire().await?;
    let stored = find_live(&mut conn, &session.user_id, &id).await?;
    drop(conn);
    let bytes = read_blob(&state, stored.png_blob.as_deref()).await?;
    Ok(file_response("image/png", bytes, None))
}

/// `GET /api/v1/signatures/{signature_id}/svg`: the SVG of a drawn signature.
pub async fn svg(
    State(state): State<AppState>,
    session: Authenticated,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let mut conn = state.pool().acquire().await?;
    let stored = find_live(&mut conn, &session.user_id, &id).await?;
    drop(conn);
    if stored.kind != SignatureKind::Drawn {
        return Err(AppError::new(ErrorCode::NotFound, "an uploaded signature has no SVG"));
    }
    let bytes = read_blob(&state, stored.svg_blob.as_deref()).await?;
    Ok(file_response("image/svg+xml", bytes, Some(SVG_CSP)))
}

async fn read_blob(state: &AppState, blob: Option<&str>) -> Result<Vec<u8>, AppError> {
    let blob = blob.ok_or_else(|| {
        AppError::internal("signature file missing", "a live signature has no blob name")
    })?;
    blobs::read_optional(state.blob_dir(), blob).await?.ok_or_else(|| {
        AppError::internal("signature file missing", "the blob of a live signature is gone")
    })
}

fn file_response(
    content_type: &'static str,
    bytes: Vec<u8>,
    csp: Option<&'static str>,
) -> Response {
    let mut response = NoStore(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(csp) = csp {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    response
}

/// Why an SVG was refused (`details.reason` of `invalid_signature`, with `details.field = svg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SvgProblem {
    /// More than [`MAX_SIGNATURE_SVG_BYTES`].
    TooLarge,
    /// Not `<svg` at the start (after an optional XML declaration).
    NotSvg,
    /// Something that could run or load: scripts, event attributes, `foreignObject`, links,
    /// animation, external `url(...)`, DTDs.
    Unsafe,
}

impl SvgProblem {
    fn as_str(self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::NotSvg => "not_svg",
            Self::Unsafe => "unsafe_svg",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "the SVG is larger than 2 MiB",
            Self::NotSvg => "the SVG does not start with an <svg> element",
            Self::Unsafe => "the SVG holds scripts, event handlers, links or external content",
        }
    }
}

/// Elements a drawn signature never needs and that can run code, embed other documents or
/// change attributes over time (`<set>` can turn an attribute into a `javascript:` link).
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "handler",
    "listener",
];

/// Checks the SVG of a drawn signature. A deny-list over the ASCII-lowercased text, not an XML
/// parse: the app's stroke SVG (paths, groups, inline styles) passes, and anything that could
/// run, load or link is refused, even inside text or comments (a false refusal is cheap; the
/// server also serves the SVG under a CSP that forbids all of it).
pub(crate) fn check_svg(svg: &str) -> Result<(), SvgProblem> {
    if svg.len() > MAX_SIGNATURE_SVG_BYTES {
        return Err(SvgProblem::TooLarge);
    }
    let lower = svg.to_ascii_lowercase();
    let mut rest = lower.trim_start_matches('\u{feff}').trim_start();
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").ok_or(SvgProblem::NotSvg)?;
        rest = rest[end + 2..].trim_start();
    }
    let opens_svg = rest
        .strip_prefix("<svg")
        .and_then(|after| after.bytes().next())
        .is_some_and(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/');
    if !opens_svg {
        return Err(SvgProblem::NotSvg);
    }
    // Everything from the `<svg` on; the declaration before it was read above.
    let body = &lower[lower.len() - rest.len()..];
    let bytes = body.as_bytes();
    for (i, _) in body.match_indices('<') {
        let after = &body[i + 1..];
        // Declarations and processing instructions (DOCTYPE with entities, xml-stylesheet)
        // after the start; comments and CDATA are fine.
        if (after.starts_with('!') && !after.starts_with("!--") && !after.starts_with("![cdata["))
            || after.starts_with('?')
        {
            return Err(SvgProblem::Unsafe);
        }
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
            .collect();
        let local = name.rsplit(':').next().unwrap_or(&name);
        if FORBIDDEN_ELEMENTS.contains(&local) {
            return Err(SvgProblem::Unsafe);
        }
    }
    if body.contains("javascript:") || body.contains("@import") {
        return Err(SvgProblem::Unsafe);
    }
    // Any `href` attribute (`href=`, `xlink:href =`): a signature links to nothing.
    for (i, _) in body.match_indices("href") {
        if is_assigned(bytes, i + 4) {
            return Err(SvgProblem::Unsafe);
        }
    }
    // Event attributes: `on` + letters + `=`, at the start of an attribute.
    for (i, _) in body.match_indices("on") {
        let starts_attribute =
            i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\'');
        let letters = bytes[i + 2..].iter().take_while(|b| b.is_ascii_lowercase()).count();
        if starts_attribute && letters > 0 && is_assigned(bytes, i + 2 + letters) {
            return Err(SvgProblem::Unsafe);
        }
    }
    // `url(...)` may point into the document (`url(#gradient)`), nowhere else.
    for (i, _) in body.match_indices("url(") {
        let target =
            body[i + 4..].trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
        if !target.starts_with('#') {
            return Err(SvgProblem::Unsafe);
        }
    }
    Ok(())
}

/// Whether `bytes[at..]` is optional whitespace then `=`.
fn is_assigned(bytes: &[u8], at: usize) -> bool {
    bytes.get(at..).unwrap_or_default().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'=')
}

fn invalid_png(problem: SignaturePngProblem) -> AppError {
    AppError::new(ErrorCode::InvalidSignature, problem.to_string())
        .with_details(json!({ "field": "png_base64", "reason": problem.as_str() }))
}

fn limit_reached() -> AppError {
    AppError::new(
        ErrorCode::SignatureLimit,
        format!("at most {MAX_SIGNATURES} signatures can be kept; delete one first"),
    )
    .with_details(json!({ "max": MAX_SIGNATURES }))
}

fn not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "no such signature")
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = r##"<path d="M10 10 C 20 20, 40 20, 50 10" fill="none" stroke="#000" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>"##;

    fn svg(inner: &str) -> String {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">{inner}</svg>"#)
    }

    #[test]
    fn a_stroke_svg_passes_with_or_without_a_prolog() {
        assert_eq!(check_svg(&svg(PATH)), Ok(()));
        let with_prolog = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", svg(PATH));
        assert_eq!(check_svg(&with_prolog), Ok(()));
        let styled =
            svg(r#"<defs><linearGradient id="g"/></defs><g style="fill:url(#g)"><!-- pen --></g>"#);
        assert_eq!(check_svg(&styled), Ok(()));
    }

    #[test]
    fn anything_else_than_an_svg_element_first_is_not_svg() {
        for text in [
            "",
            "hello",
            "<html><svg></svg></html>",
            "<svgx>",
            "<?xml version=\"1.0\"",
            "<!DOCTYPE svg><svg></svg>",
        ] {
            assert_eq!(check_svg(text), Err(SvgProblem::NotSvg), "{text}");
        }
    }

    #[test]
    fn scripts_handlers_links_and_embedded_documents_are_unsafe() {
        for inner in [
            "<script>alert(1)</script>",
            "<SCRIPT >alert(1)</SCRIPT>",
            "<svg:script>alert(1)</svg:script>",
            r#"<path d="M0 0" onload="alert(1)"/>"#,
            r#"<path d="M0 0" ONCLICK = "alert(1)"/>"#,
            r#"<path/onmouseover="alert(1)"/>"#,
            "<foreignObject><div/></foreignObject>",
            r##"<use href="#a"/>"##,
            r#"<a xlink:href = "https://example.com"><path d="M0 0"/></a>"#,
            r#"<image href="data:image/png;base64,AAAA"/>"#,
            r#"<set attributeName="fill" to="red"/>"#,
            r#"<animate attributeName="d"/>"#,
            r#"<style>@import "https://example.com/x.css";</style>"#,
            r#"<path style="fill:url(https://example.com/x)"/>"#,
            r#"<path style="fill:url( 'http://x' )"/>"#,
            "<?xml-stylesheet href=\"x.css\"?>",
            "<!ENTITY x \"y\">",
            r#"<path d="javascript:alert(1)"/>"#,
        ] {
            assert_eq!(check_svg(&svg(inner)), Err(SvgProblem::Unsafe), "{inner}");
        }
    }

    #[test]
    fn words_with_on_inside_are_not_event_attributes() {
        let inner = r#"<title>Signature done once</title><path d="M0 0" stroke-linejoin="round"/>"#;
        assert_eq!(check_svg(&svg(inner)), Ok(()));
    }

    #[test]
    fn an_svg_over_the_limit_is_too_large() {
        let big = svg(&" ".repeat(MAX_SIGNATURE_SVG_BYTES));
        assert_eq!(check_svg(&big), Err(SvgProblem::TooLarge));
    }

    #[test]
    fn the_upload_body_limit_fits_the_largest_png_and_svg() {
        const { assert!(UPLOAD_BODY_BYTES > MAX_PNG_BASE64_CHARS + MAX_SIGNATURE_SVG_BYTES) };
        assert_eq!(MAX_PNG_BASE64_CHARS, STANDARD.encode(vec![0u8; MAX_SIGNATURE_PNG_BYTES]).len());
    }
}
