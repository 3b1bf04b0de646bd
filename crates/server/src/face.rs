//! Face recognition (人脸识别, method D) of real-name authentication, resident ID card only:
//!
//! 1. `POST /api/v1/real-name/{verification_id}/face/challenge` `{consent: true}`: 4-6 random
//!    digits (OS random source) to read aloud on camera, single use, valid
//!    [`FACE_CHALLENGE_TTL_SECS`]. Without consent: 400 `invalid_input` (`details.field =
//!    consent`).
//! 2. `POST .../face/uploads` `{size, sha256}`, `PUT .../face/uploads/{upload_id}` (chunks),
//!    `GET .../face/uploads/{upload_id}` (where to resume): the clip, at most
//!    [`FACE_UPLOAD_MAX_BYTES`], through the resumable uploads shared with manual review
//!    ([`crate::uploads`]).
//! 3. `POST .../face/submit` `{challenge_id, upload_id}`: takes the challenge and the upload
//!    (each once, atomically), then — holding one of the analysis slots
//!    ([`crate::Limits::face_analyses_in_parallel`]) — runs the [`LivenessAnalysis`] on a
//!    blocking thread, deletes the clip (or schedules its deletion when
//!    [`crate::Limits::face_video_retention_secs`] is set), and when the clip is live asks the
//!    [`crate::providers::FaceCompare`] provider. Answers a `VerificationResult`: success (the
//!    user is verified), or failure with `reason_code` `liveness_failed` / `face_mismatch` and
//!    every [`LivenessReason`] in `reasons`. A provider timeout is 504 `provider_timeout`,
//!    recorded but not counted.
//!
//! Every submission that takes a challenge is a recorded attempt, also when the challenge turns
//! out expired, used or unknown. Face attempts have their own budgets per identity number
//! (per minute and per platform day), shown in the chooser like the others. Without an
//! installed analyser every endpoint answers 503 `face_unavailable`. The clip never enters a
//! log; only reason codes and the result are kept.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_domain::api::{
    AttemptOutcome, FaceChallenge, FaceChallengeRequest, FaceSubmitRequest, FaceUpload,
    FaceUploadRequest, FailureReason, LivenessReason, VerificationResult,
    FACE_CHALLENGE_MAX_DIGITS, FACE_CHALLENGE_MIN_DIGITS, FACE_CHALLENGE_TTL_SECS,
    FACE_CLIP_MAX_DURATION_MS, FACE_CLIP_MIN_DURATION_MS, FACE_UPLOAD_MAX_BYTES,
    MANUAL_UPLOAD_CHUNK_BYTES,
};
use signet_domain::identity::VerificationMethod;
use signet_domain::ErrorCode;
use sqlx::Row;
use tokio::sync::OwnedSemaphorePermit;

use crate::blobs;
use crate::error::{ApiJson, AppError, NoStore};
use crate::liveness::{
    looks_like_mp4, AnalysisOutcome, ChallengeInfo, FaceImage, LivenessAnalysis,
};
use crate::providers::{FaceCheck, FaceCompareQuery, ProviderTimeout};
use crate::real_name::{
    app_version, attempts_left, complete_verification, ensure_available, load_verification,
    record_attempt_with_reasons, Attempt, Verification, VerifyingUser,
};
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::tokens::new_id;
use crate::uploads::{is_hex_id, Checked, UploadRow, UploadStore};

const METHOD: VerificationMethod = VerificationMethod::Face;
/// `face_uploads.kind`: the only kind.
const CLIP_KIND: &str = "face_clip";

/// Face clips: up to 8 MiB, kept as uploaded until the submission analyses them.
pub(crate) const UPLOADS: UploadStore = UploadStore {
    table: "face_uploads",
    what: "clip",
    max_bytes: FACE_UPLOAD_MAX_BYTES,
    max_open: 20,
    check: keep_clip,
};

/// Clips are checked when submitted, against their challenge.
fn keep_clip(_clip: Vec<u8>) -> Result<Checked, AppError> {
    Ok(Checked::AsUploaded)
}

fn wire(upload: &UploadRow) -> FaceUpload {
    FaceUpload {
        upload_id: upload.id.clone(),
        received: upload.received,
        size: upload.size,
        chunk_size: MANUAL_UPLOAD_CHUNK_BYTES,
        complete: upload.complete(),
    }
}

/// The installed analyser, or 503 `face_unavailable`.
fn analyser(state: &AppState) -> Result<Arc<dyn LivenessAnalysis>, AppError> {
    state.liveness().cloned().ok_or_else(|| {
        AppError::new(
            ErrorCode::FaceUnavailable,
            "face recognition is not available on this platform; choose another method",
        )
        .with_details(json!({ "reason": "no_analyser" }))
    })
}

/// `POST /api/v1/real-name/{verification_id}/face/challenge`.
pub async fn challenge(
    State(state): State<AppState>,
    user: VerifyingUser,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<FaceChallengeRequest>,
) -> Result<NoStore<Json<FaceChallenge>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    if !request.consent {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "consent to the processing of face data is required",
        )
        .with_details(json!({ "field": "consent", "reason": "consent_required" })));
    }
    analyser(&state)?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;

    let digits = random_digits();
    let id = new_id();
    let ttl = i64::try_from(FACE_CHALLENGE_TTL_SECS).unwrap_or(i64::MAX);
    let expires_at = now.saturating_add(ttl);
    sqlx::query(
        "INSERT INTO face_challenges (id, verification_id, user_id, digits, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&verification.id)
    .bind(&user.user_id)
    .bind(&digits)
    .bind(now)
    .bind(expires_at)
    .execute(state.pool())
    .await?;
    tracing::info!(user_id = %user.user_id, verification_id = %verification.id,
        challenge_id = %id, "face challenge issued");
    Ok(NoStore(Json(FaceChallenge {
        challenge_id: id,
        digits,
        expires_at,
        expires_in: FACE_CHALLENGE_TTL_SECS,
        min_duration_ms: FACE_CLIP_MIN_DURATION_MS,
        max_duration_ms: FACE_CLIP_MAX_DURATION_MS,
    })))
}

/// 4-6 digits from the operating system's random source.
fn random_digits() -> String {
    let len = OsRng.gen_range(FACE_CHALLENGE_MIN_DIGITS..=FACE_CHALLENGE_MAX_DIGITS);
    (0..len).map(|_| char::from(b'0' + OsRng.gen_range(0..10u8))).collect()
}

/// `POST /api/v1/real-name/{verification_id}/face/uploads`.
pub async fn start_upload(
    State(state): State<AppState>,
    user: VerifyingUser,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<FaceUploadRequest>,
) -> Result<NoStore<Json<FaceUpload>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    analyser(&state)?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;
    let upload = UPLOADS
        .start(&state, &user.user_id, &verification.id, CLIP_KIND, request.size, &request.sha256)
        .await?;
    Ok(NoStore(Json(wire(&upload))))
}

/// `GET /api/v1/real-name/{verification_id}/face/uploads/{upload_id}`.
pub async fn upload_status(
    State(state): State<AppState>,
    session: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<NoStore<Json<FaceUpload>>, AppError> {
    let (verification_id, upload_id) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let upload = UPLOADS.owned(&state, &session.user_id, &verification_id, &upload_id).await?;
    Ok(NoStore(Json(wire(&upload))))
}

/// `PUT /api/v1/real-name/{verification_id}/face/uploads/{upload_id}`.
pub async fn put_chunk(
    State(state): State<AppState>,
    session: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<NoStore<Json<FaceUpload>>, AppError> {
    let (verification_id, upload_id) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let upload = UPLOADS
        .put_chunk(&state, &session.user_id, (&verification_id, &upload_id), &headers, body)
        .await?;
    Ok(NoStore(Json(wire(&upload))))
}

/// `POST /api/v1/real-name/{verification_id}/face/submit`.
pub async fn submit(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<FaceSubmitRequest>,
) -> Result<NoStore<Json<VerificationResult>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    let analyser = analyser(&state)?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;
    let upload = UPLOADS.owned(&state, &user.user_id, &verification.id, &request.upload_id).await?;
    if upload.used {
        return Err(AppError::new(ErrorCode::Conflict, "this clip was already submitted")
            .with_details(json!({ "reason": "upload_used" })));
    }
    let Some(blob) = upload.blob.clone() else {
        return Err(AppError::new(ErrorCode::Conflict, "the clip's upload is not complete")
            .with_details(json!({ "reason": "upload_incomplete", "received": upload.received })));
    };
    let clip = blobs::read(state.blob_dir(), &blob).await?;
    if hex::encode(Sha256::digest(&clip)) != upload.sha256 {
        return Err(AppError::new(
            ErrorCode::ChecksumMismatch,
            "the stored clip does not match its SHA-256; record and upload it again",
        ));
    }

    // Wait for a slot before anything is taken: a busy server consumes no challenge.
    let slot = analysis_slot(&state).await?;
    let challenge =
        take(&state, &verification, &user.user_id, &request.challenge_id, &upload.id).await?;
    let analysed = match challenge {
        Err(reason) => {
            drop(slot);
            Err(vec![reason])
        }
        Ok(_) if !looks_like_mp4(&clip) => {
            drop(slot);
            Err(vec![LivenessReason::ClipUnreadable])
        }
        Ok(info) => {
            // The slot goes with the analysis: if this request is dropped meanwhile, the
            // analysis still holds it until it ends.
            let outcome = tokio::task::spawn_blocking(move || {
                let _slot = slot;
                analyser.analyse(&clip, &info)
            })
            .await;
            match outcome {
                Ok(Ok(outcome)) => live_face(outcome),
                Ok(Err(rejected)) => {
                    tracing::info!(upload_id = %upload.id, error = %rejected, "face clip refused");
                    Err(vec![rejected.reason()])
                }
                Err(panicked) => {
                    dispose_clip(&state, &upload.id, &blob).await?;
                    return Err(AppError::internal("the liveness analysis failed", panicked));
                }
            }
        }
    };
    dispose_clip(&state, &upload.id, &blob).await?;

    let attempt = Attempt {
        user_id: &user.user_id,
        verification: &verification,
        method: METHOD,
        app_version: app_version(&headers),
        now,
    };
    let face = match analysed {
        Ok(face) => face,
        Err(reasons) => {
            return failed(&state, &attempt, FailureReason::LivenessFailed, reasons).await;
        }
    };
    let query = FaceCompareQuery {
        name: &verification.name,
        id_number_hmac: &verification.number_hmac,
        hasher: state.identity_hasher(),
        face: &face,
    };
    let wait = Duration::from_secs(state.limits().provider_timeout_secs);
    let answer = tokio::time::timeout(wait, state.providers().face.compare(query))
        .await
        .unwrap_or(Err(ProviderTimeout));
    match answer {
        Err(ProviderTimeout) => {
            record_attempt_with_reasons(
                state.pool(),
                &attempt,
                AttemptOutcome::ProviderTimeout,
                None,
                &[],
            )
            .await?;
            tracing::warn!(user_id = %user.user_id, verification_id = %verification.id,
                method = METHOD.as_str(), "provider timeout");
            Err(AppError::new(
                ErrorCode::ProviderTimeout,
                "the face-compare service did not answer in time",
            )
            .with_details(json!({ "method": METHOD.as_str() })))
        }
        Ok(FaceCheck::Mismatch) => {
            let reasons = vec![LivenessReason::FaceMismatch];
            failed(&state, &attempt, FailureReason::FaceMismatch, reasons).await
        }
        Ok(FaceCheck::Match) => {
            let mut tx = state.pool().begin().await?;
            complete_verification(&mut tx, &attempt).await?;
            tx.commit().await?;
            tracing::info!(user_id = %user.user_id, verification_id = %verification.id,
                method = METHOD.as_str(), "real name verified");
            Ok(NoStore(Json(VerificationResult {
                outcome: AttemptOutcome::Success,
                reason_code: None,
                mismatched_element: None,
                reasons: Vec::new(),
                attempts_left: None,
                warnings: Vec::new(),
            })))
        }
    }
}

/// The face of a live outcome, or its findings (sorted, once each).
fn live_face(outcome: AnalysisOutcome) -> Result<FaceImage, Vec<LivenessReason>> {
    let mut findings = outcome.findings;
    findings.sort_unstable();
    findings.dedup();
    match (findings.is_empty(), outcome.face) {
        (true, Some(face)) => Ok(face),
        (true, None) => Err(vec![LivenessReason::NoFace]),
        (false, _) => Err(findings),
    }
}

/// Records a failed attempt and answers it.
async fn failed(
    state: &AppState,
    attempt: &Attempt<'_>,
    reason: FailureReason,
    reasons: Vec<LivenessReason>,
) -> Result<NoStore<Json<VerificationResult>>, AppError> {
    let failure = Some((reason, None));
    record_attempt_with_reasons(state.pool(), attempt, AttemptOutcome::Failure, failure, &reasons)
        .await?;
    let verification = attempt.verification;
    let attempts_left =
        attempts_left(state, attempt.user_id, &verification.number_hmac, METHOD, attempt.now)
            .await?;
    let codes: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
    tracing::info!(user_id = %attempt.user_id, verification_id = %verification.id,
        method = METHOD.as_str(), reason_code = reason.as_str(), reasons = ?codes,
        attempts_left, "verification failed");
    Ok(NoStore(Json(VerificationResult {
        outcome: AttemptOutcome::Failure,
        reason_code: Some(reason),
        mismatched_element: None,
        reasons,
        attempts_left: Some(attempts_left),
        warnings: Vec::new(),
    })))
}

/// One of the analysis slots, waiting at most [`crate::Limits::face_analysis_wait_secs`];
/// otherwise 503 `face_unavailable` (`busy`).
async fn analysis_slot(state: &AppState) -> Result<OwnedSemaphorePermit, AppError> {
    let wait = Duration::from_secs(state.limits().face_analysis_wait_secs);
    let slots = state.face_analysis_slots().clone();
    match tokio::time::timeout(wait, slots.acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(closed)) => Err(AppError::internal("the analysis slots are closed", closed)),
        Err(_) => Err(AppError::new(
            ErrorCode::FaceUnavailable,
            "every face analysis slot is busy; try again shortly",
        )
        .with_details(json!({ "reason": "busy", "retry_after_secs": 5 }))),
    }
}

/// Takes the upload (409 `upload_used` if a concurrent submission took it first) and the
/// challenge, in one transaction. The challenge is taken only when it is this verification's,
/// unused and unexpired; otherwise the upload is still taken and the answer is why.
async fn take(
    state: &AppState,
    verification: &Verification,
    user_id: &str,
    challenge_id: &str,
    upload_id: &str,
) -> Result<Result<ChallengeInfo, LivenessReason>, AppError> {
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    // When the clip is to be gone, set now: the retention job deletes it even if this request
    // never reaches `dispose_clip` (the client went away mid-analysis).
    let retention = i64::try_from(state.limits().face_video_retention_secs).unwrap_or(i64::MAX);
    let taken = sqlx::query(
        "UPDATE face_uploads SET used_at = $1, delete_after = $2 WHERE id = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(now.saturating_add(retention))
    .bind(upload_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if taken != 1 {
        tx.rollback().await?;
        return Err(AppError::new(ErrorCode::Conflict, "this clip was already submitted")
            .with_details(json!({ "reason": "upload_used" })));
    }
    if !is_hex_id(challenge_id) {
        tx.commit().await?;
        return Ok(Err(LivenessReason::ChallengeInvalid));
    }
    let used = sqlx::query(
        "UPDATE face_challenges SET used_at = $1
         WHERE id = $2 AND verification_id = $3 AND user_id = $4
               AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(challenge_id)
    .bind(&verification.id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let row = sqlx::query(
        "SELECT digits, used_at, expires_at FROM face_challenges
         WHERE id = $1 AND verification_id = $2 AND user_id = $3",
    )
    .bind(challenge_id)
    .bind(&verification.id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some(row) = row else { return Ok(Err(LivenessReason::ChallengeInvalid)) };
    if used != 1 {
        let used_at: Option<i64> = row.try_get("used_at")?;
        return Ok(Err(if used_at.is_some() {
            LivenessReason::ChallengeUsed
        } else {
            LivenessReason::ChallengeExpired
        }));
    }
    Ok(Ok(ChallengeInfo {
        challenge_id: challenge_id.to_owned(),
        digits: row.try_get("digits")?,
        min_duration_ms: FACE_CLIP_MIN_DURATION_MS,
        max_duration_ms: FACE_CLIP_MAX_DURATION_MS,
    }))
}

/// After its analysis: deletes the clip now, or leaves it to the retention job when a retention
/// period is configured.
async fn dispose_clip(state: &AppState, upload_id: &str, blob: &str) -> Result<(), AppError> {
    let now = state.now();
    let retention = state.limits().face_video_retention_secs;
    if retention == 0 {
        blobs::delete(state.blob_dir(), blob).await?;
        sqlx::query("UPDATE face_uploads SET blob_deleted_at = $1 WHERE id = $2")
            .bind(now)
            .bind(upload_id)
            .execute(state.pool())
            .await?;
        tracing::info!(upload_id = %upload_id, "face clip deleted after analysis");
    } else {
        // Its `delete_after` was set when the upload was taken.
        tracing::info!(upload_id = %upload_id, retention_secs = retention,
            "face clip kept for retention");
    }
    Ok(())
}

/// Deletes analysed clips whose retention period has passed, and the files and rows of clip
/// uploads never submitted and older than a day. Returns how many clips and uploads went.
pub async fn purge_expired_face_videos(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let rows = sqlx::query(
        "SELECT id, blob FROM face_uploads
         WHERE used_at IS NOT NULL AND blob_deleted_at IS NULL AND delete_after <= $1",
    )
    .bind(now)
    .fetch_all(state.pool())
    .await?;
    let mut purged = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        if let Some(blob) = row.try_get::<Option<String>, _>("blob")? {
            blobs::delete(state.blob_dir(), &blob).await?;
        }
        sqlx::query("UPDATE face_uploads SET blob_deleted_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(state.pool())
            .await?;
        tracing::info!(upload_id = %id, "face clip deleted (retention)");
        purged += 1;
    }
    purged += UPLOADS.purge_abandoned(state).await?;
    Ok(purged)
}
