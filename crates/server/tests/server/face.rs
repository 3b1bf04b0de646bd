//! Face recognition (method D): challenge, resumable clip upload, submission, the liveness
//! analysis behind its trait (scripted here: [`ScriptedAnalysis`]), the sandbox face-compare
//! service, clip deletion and retention, and the per-minute and per-day budgets.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use signet_domain::api::LivenessReason;
use signet_server::{
    purge_expired_face_videos, AnalysisOutcome, ChallengeInfo, ClipRejected, DbConfig, FaceImage,
    Limits, LivenessAnalysis, Settings,
};
use sqlx::Row;

use crate::common::{Harness, Reply};

on_both_backends!(
    challenge_needs_consent,
    challenge_has_four_to_six_digits_and_expires_in_two_minutes,
    without_an_analyser_face_is_not_offered_and_answers_503,
    face_is_offered_for_an_id_card_and_refused_for_a_passport,
    live_clip_verifies_the_user_and_the_clip_is_deleted_at_once,
    liveness_findings_fail_the_attempt_with_each_reason_once,
    a_clip_the_analyser_refuses_fails_with_its_reason,
    a_non_mp4_clip_fails_as_unreadable_without_an_analysis,
    a_live_outcome_without_a_face_fails_as_no_face,
    face_mismatch_identity_fails_with_face_mismatch,
    face_compare_timeout_is_504_and_not_counted,
    expired_challenge_fails_with_challenge_expired,
    reused_challenge_fails_with_challenge_used,
    another_verifications_or_unknown_challenge_is_invalid,
    another_users_verification_and_upload_are_not_found,
    clip_upload_resumes_after_a_drop,
    checksum_mismatch_restarts_the_clip_upload,
    oversize_clip_is_payload_too_large,
    incomplete_upload_cannot_be_submitted_and_the_challenge_stays_usable,
    an_upload_is_submitted_once,
    retention_keeps_the_clip_until_the_sweep_deletes_it,
    abandoned_clip_uploads_are_swept_after_a_day,
    fifteen_attempts_a_minute_per_identity_then_rate_limited,
    thirty_attempts_a_day_per_identity_across_users,
    parallel_submissions_never_run_more_analyses_than_slots,
    busy_slots_answer_503_and_consume_nothing,
    history_lists_face_attempts_with_their_reasons,
    a_clip_left_by_an_interrupted_submission_is_swept,
);

const ID: &str = "11010519491231002X";
const NAME: &str = "王芳";
/// Sandbox face-compare identities (see `SANDBOX_FACE_IDENTITIES`).
const ID_NEVER_MATCHES: &str = "110105199001010037";
const ID_TIMES_OUT: &str = "110105199001010053";
const CHUNK: usize = 100_000;

/// A test-only [`LivenessAnalysis`]: the clip carries its own verdict after an `ftyp` box
/// (see [`clip`]): `live`, `live-without-face`, `findings:a,b` or `reject:<kind>`. It records
/// the challenges it was asked about.
#[derive(Default)]
struct ScriptedAnalysis {
    seen: Mutex<Vec<ChallengeInfo>>,
}

impl ScriptedAnalysis {
    fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

const SCRIPT_MARK: &[u8] = b"SCRIPT:";

fn script_of(clip: &[u8]) -> String {
    let at = clip.windows(SCRIPT_MARK.len()).position(|w| w == SCRIPT_MARK).expect("a script");
    let rest = &clip[at + SCRIPT_MARK.len()..];
    let end = rest.iter().position(|&b| b == b';').expect("a script end");
    String::from_utf8(rest[..end].to_vec()).unwrap()
}

fn face() -> FaceImage {
    FaceImage { width: 2, height: 2, rgb: vec![128; 12] }
}

impl LivenessAnalysis for ScriptedAnalysis {
    fn analyse(
        &self,
        clip: &[u8],
        challenge: &ChallengeInfo,
    ) -> Result<AnalysisOutcome, ClipRejected> {
        self.seen.lock().unwrap().push(challenge.clone());
        let script = script_of(clip);
        if script == "live" {
            return Ok(AnalysisOutcome { findings: Vec::new(), face: Some(face()) });
        }
        if script == "live-without-face" {
            return Ok(AnalysisOutcome { findings: Vec::new(), face: None });
        }
        if let Some(findings) = script.strip_prefix("findings:") {
            let findings =
                findings.split(',').map(|f| LivenessReason::parse(f).expect("a reason")).collect();
            return Ok(AnalysisOutcome { findings, face: Some(face()) });
        }
        match script.strip_prefix("reject:") {
            Some("too_long") => {
                Err(ClipRejected::TooLong { duration_ms: 7_200_000, max_ms: 10_000 })
            }
            Some("too_large") => Err(ClipRejected::TooLarge { width: 10_000, height: 10_000 }),
            Some("unreadable") => Err(ClipRejected::Unreadable("no H.264 track".into())),
            _ => panic!("unknown script {script:?}"),
        }
    }
}

/// A clip for [`ScriptedAnalysis`]: an MP4 `ftyp` box, the script, and `len` bytes in all
/// (filler derived from `nonce`, so that clips differ).
fn clip(script: &str, nonce: u32, len: usize) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 16];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0");
    bytes.extend_from_slice(SCRIPT_MARK);
    bytes.extend_from_slice(script.as_bytes());
    bytes.push(b';');
    let mut state = nonce.wrapping_mul(2_654_435_761).wrapping_add(1);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push((state & 0xFF) as u8);
    }
    bytes
}

fn small(script: &str, nonce: u32) -> Vec<u8> {
    clip(script, nonce, 4_000)
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn scripted(db: DbConfig) -> (Harness, Arc<ScriptedAnalysis>) {
    scripted_with(db, |limits| limits).await
}

async fn scripted_with(
    db: DbConfig,
    limits: impl FnOnce(Limits) -> Limits,
) -> (Harness, Arc<ScriptedAnalysis>) {
    let analysis = Arc::new(ScriptedAnalysis::default());
    let installed: Arc<dyn LivenessAnalysis> = analysis.clone();
    let h = Harness::with_settings(db, |settings: Settings| {
        let limits = limits(settings.limits);
        settings.with_limits(limits).with_liveness(installed)
    })
    .await;
    (h, analysis)
}

pub(crate) async fn add_and_sign_in(h: &Harness, account: &str) -> String {
    h.add_staff(account, "pw").await;
    h.sign_in(account, "pw").await.tokens().access_token.expose().clone()
}

async fn post(h: &Harness, path: &str, token: &str, body: Option<&Value>) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    h.send(request.body(body).unwrap()).await
}

async fn identity(
    h: &Harness,
    token: &str,
    document_type: &str,
    number: &str,
    name: &str,
) -> Reply {
    let body = json!({ "document_type": document_type, "number": number, "name": name });
    post(h, "/api/v1/real-name/identity", token, Some(&body)).await
}

async fn verification_of(h: &Harness, token: &str, number: &str, name: &str) -> String {
    let reply = identity(h, token, "id_card", number, name).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["verification_id"].as_str().unwrap().to_owned()
}

pub(crate) async fn verification(h: &Harness, token: &str) -> String {
    verification_of(h, token, ID, NAME).await
}

async fn challenge(h: &Harness, token: &str, vid: &str) -> Reply {
    let body = json!({ "consent": true });
    post(h, &format!("/api/v1/real-name/{vid}/face/challenge"), token, Some(&body)).await
}

async fn new_challenge(h: &Harness, token: &str, vid: &str) -> String {
    let reply = challenge(h, token, vid).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["challenge_id"].as_str().unwrap().to_owned()
}

async fn start(h: &Harness, token: &str, vid: &str, size: usize, sha256: &str) -> Reply {
    let body = json!({ "size": size, "sha256": sha256 });
    post(h, &format!("/api/v1/real-name/{vid}/face/uploads"), token, Some(&body)).await
}

async fn put_chunk(
    h: &Harness,
    token: &str,
    vid: &str,
    upload_id: &str,
    start: usize,
    chunk: &[u8],
    total: usize,
) -> Reply {
    let end = start + chunk.len() - 1;
    let request = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/real-name/{vid}/face/uploads/{upload_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{total}"))
        .body(Body::from(chunk.to_vec()))
        .unwrap();
    h.send(request).await
}

/// Uploads `bytes` whole, in chunks; the upload id.
async fn upload(h: &Harness, token: &str, vid: &str, bytes: &[u8]) -> String {
    let started = start(h, token, vid, bytes.len(), &sha(bytes)).await;
    assert_eq!(started.status, StatusCode::OK, "{started:?}");
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    let mut offset = started.body["received"].as_u64().unwrap() as usize;
    while offset < bytes.len() {
        let end = (offset + CHUNK).min(bytes.len());
        let reply =
            put_chunk(h, token, vid, &upload_id, offset, &bytes[offset..end], bytes.len()).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        offset = end;
    }
    upload_id
}

async fn submit(h: &Harness, token: &str, vid: &str, challenge_id: &str, upload_id: &str) -> Reply {
    let body = json!({ "challenge_id": challenge_id, "upload_id": upload_id });
    post(h, &format!("/api/v1/real-name/{vid}/face/submit"), token, Some(&body)).await
}

/// Challenge, upload, submit: one whole attempt with `bytes`.
pub(crate) async fn attempt(h: &Harness, token: &str, vid: &str, bytes: &[u8]) -> Reply {
    let challenge_id = new_challenge(h, token, vid).await;
    let upload_id = upload(h, token, vid, bytes).await;
    submit(h, token, vid, &challenge_id, &upload_id).await
}

pub(crate) fn reasons(reply: &Reply) -> Vec<&str> {
    reply.body["reasons"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn method<'a>(reply: &'a Reply, method: &str) -> &'a Value {
    reply.body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method"] == method)
        .unwrap_or_else(|| panic!("no {method} in {reply:?}"))
}

async fn upload_row(h: &Harness, upload_id: &str) -> (Option<String>, Option<i64>, Option<i64>) {
    let row =
        sqlx::query("SELECT blob, blob_deleted_at, delete_after FROM face_uploads WHERE id = $1")
            .bind(upload_id)
            .fetch_one(h.state.pool())
            .await
            .unwrap();
    (
        row.try_get("blob").unwrap(),
        row.try_get("blob_deleted_at").unwrap(),
        row.try_get("delete_after").unwrap(),
    )
}

fn blob_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn me_status(h: &Harness, token: &str) -> String {
    h.me(token).await.body["real_name_status"].as_str().unwrap().to_owned()
}

async fn counted_face_attempts(h: &Harness) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM verification_attempts WHERE method = 'face' AND outcome <> 'provider_timeout'",
    )
    .fetch_one(h.state.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap()
}

async fn challenge_needs_consent(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let path = format!("/api/v1/real-name/{vid}/face/challenge");
    let refused = post(&h, &path, &token, Some(&json!({ "consent": false }))).await;
    let missing = post(&h, &path, &token, Some(&json!({}))).await;

    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused:?}");
    assert_eq!(refused.code(), "invalid_input");
    assert_eq!(refused.detail("field"), Some(&json!("consent")));
    assert_eq!(refused.detail("reason"), Some(&json!("consent_required")));
    assert_eq!(missing.code(), "malformed_json");
    assert_eq!(h.count("face_challenges").await, 0);
}

async fn challenge_has_four_to_six_digits_and_expires_in_two_minutes(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let mut ids = std::collections::HashSet::new();
    let mut lengths = std::collections::HashSet::new();
    for _ in 0..40 {
        let reply = challenge(&h, &token, &vid).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        let digits = reply.body["digits"].as_str().unwrap();
        assert!((4..=6).contains(&digits.len()), "{digits}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
        lengths.insert(digits.len());
        assert_eq!(reply.body["expires_at"], crate::common::START + 120);
        assert_eq!(reply.body["expires_in"], 120);
        assert_eq!(reply.body["min_duration_ms"], 2_000);
        assert_eq!(reply.body["max_duration_ms"], 10_000);
        ids.insert(reply.body["challenge_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 40, "every challenge id is new");
    assert!(lengths.len() >= 2, "lengths vary: {lengths:?}");
    assert_eq!(h.count("face_challenges").await, 40);
}

async fn without_an_analyser_face_is_not_offered_and_answers_503(db: DbConfig) {
    let h = Harness::with_settings(db, Settings::without_liveness).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let accepted = identity(&h, &token, "id_card", ID, NAME).await;
    assert_eq!(method(&accepted, "face")["reason"]["kind"], "not_offered");
    let vid = accepted.body["verification_id"].as_str().unwrap().to_owned();

    let reply = challenge(&h, &token, &vid).await;
    let bytes = small("live", 1);
    let upload = start(&h, &token, &vid, bytes.len(), &sha(&bytes)).await;

    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
    assert_eq!(reply.code(), "face_unavailable");
    assert_eq!(reply.detail("reason"), Some(&json!("no_analyser")));
    assert_eq!(upload.code(), "face_unavailable");
    assert_eq!(h.count("face_challenges").await, 0);
}

async fn face_is_offered_for_an_id_card_and_refused_for_a_passport(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let id_card = identity(&h, &token, "id_card", ID, NAME).await;
    assert_eq!(method(&id_card, "face"), &json!({ "method": "face", "available": true }));

    let passport = identity(&h, &token, "passport", "E12345678", "John Smith").await;
    assert_eq!(passport.status, StatusCode::OK, "{passport:?}");
    assert_eq!(method(&passport, "face")["reason"]["kind"], "document_requires_manual_review");
    let vid = passport.body["verification_id"].as_str().unwrap();
    let reply = challenge(&h, &token, vid).await;

    assert_eq!(reply.status, StatusCode::CONFLICT, "{reply:?}");
    assert_eq!(reply.body["details"]["reason"]["kind"], "document_requires_manual_review");
    assert_eq!(h.count("face_challenges").await, 0);
}

async fn live_clip_verifies_the_user_and_the_clip_is_deleted_at_once(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let issued = challenge(&h, &token, &vid).await;
    let challenge_id = issued.body["challenge_id"].as_str().unwrap().to_owned();
    let bytes = clip("live", 1, 250_000);
    let upload_id = upload(&h, &token, &vid, &bytes).await;
    let (blob, _, _) = upload_row(&h, &upload_id).await;
    let blob = blob.expect("a complete upload has a blob");
    assert!(h.state.blob_dir().join(&blob).exists());

    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body, json!({ "outcome": "success" }));
    assert_eq!(me_status(&h, &token).await, "verified");
    let seen = analysis.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].challenge_id, challenge_id);
    assert_eq!(seen[0].digits, issued.body["digits"].as_str().unwrap());
    // The clip is gone from the blob store; the row remembers when.
    assert!(!h.state.blob_dir().join(&blob).exists());
    assert!(!blob_files(h.state.blob_dir()).iter().any(|f| f.starts_with(&upload_id)));
    let (_, deleted_at, delete_after) = upload_row(&h, &upload_id).await;
    assert_eq!(deleted_at, Some(crate::common::START));
    assert_eq!(delete_after, Some(crate::common::START));
}

async fn liveness_findings_fail_the_attempt_with_each_reason_once(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bytes = small("findings:too_dark,no_face,rigid_motion,no_face", 1);
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &bytes).await;

    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["outcome"], "failure");
    assert_eq!(reply.body["reason_code"], "liveness_failed");
    assert_eq!(reasons(&reply), ["no_face", "too_dark", "rigid_motion"]);
    assert_eq!(reply.body["attempts_left"], 29);
    assert_eq!(me_status(&h, &token).await, "unverified");
    let (_, deleted_at, _) = upload_row(&h, &upload_id).await;
    assert!(deleted_at.is_some(), "a failed clip is deleted too");
    // Each other liveness finding comes back as itself.
    for (n, finding) in [
        "multiple_faces",
        "face_too_small",
        "frozen_feed",
        "looped_feed",
        "no_mouth_movement",
        "duration_implausible",
        "frame_timing_implausible",
    ]
    .into_iter()
    .enumerate()
    {
        let reply =
            attempt(&h, &token, &vid, &small(&format!("findings:{finding}"), n as u32 + 10)).await;
        assert_eq!(reasons(&reply), [finding], "{reply:?}");
    }
}

async fn a_clip_the_analyser_refuses_fails_with_its_reason(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let long = attempt(&h, &token, &vid, &small("reject:too_long", 1)).await;
    let large = attempt(&h, &token, &vid, &small("reject:too_large", 2)).await;
    let unreadable = attempt(&h, &token, &vid, &small("reject:unreadable", 3)).await;

    assert_eq!(long.body["reason_code"], "liveness_failed", "{long:?}");
    assert_eq!(reasons(&long), ["clip_too_long"]);
    assert_eq!(reasons(&large), ["clip_too_large"]);
    assert_eq!(reasons(&unreadable), ["clip_unreadable"]);
    assert_eq!(analysis.calls(), 3);
    assert_eq!(counted_face_attempts(&h).await, 3);
}

async fn a_non_mp4_clip_fails_as_unreadable_without_an_analysis(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let text = b"this is not a video at all, just text".repeat(100);

    let reply = attempt(&h, &token, &vid, &text).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reasons(&reply), ["clip_unreadable"]);
    assert_eq!(analysis.calls(), 0, "refused before any analysis");
}

async fn a_live_outcome_without_a_face_fails_as_no_face(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let reply = attempt(&h, &token, &vid, &small("live-without-face", 1)).await;

    assert_eq!(reply.body["reason_code"], "liveness_failed", "{reply:?}");
    assert_eq!(reasons(&reply), ["no_face"]);
    assert_eq!(me_status(&h, &token).await, "unverified");
}

async fn face_mismatch_identity_fails_with_face_mismatch(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification_of(&h, &token, ID_NEVER_MATCHES, "张伟").await;

    let reply = attempt(&h, &token, &vid, &small("live", 1)).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["outcome"], "failure");
    assert_eq!(reply.body["reason_code"], "face_mismatch");
    assert_eq!(reasons(&reply), ["face_mismatch"]);
    assert_eq!(reply.body["attempts_left"], 29);
    assert_eq!(me_status(&h, &token).await, "unverified");
}

async fn face_compare_timeout_is_504_and_not_counted(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification_of(&h, &token, ID_TIMES_OUT, "刘洋").await;
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &small("live", 1)).await;

    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;

    assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT, "{reply:?}");
    assert_eq!(reply.code(), "provider_timeout");
    assert_eq!(reply.detail("method"), Some(&json!("face")));
    let outcome: String =
        sqlx::query("SELECT outcome FROM verification_attempts WHERE method = 'face'")
            .fetch_one(h.state.pool())
            .await
            .unwrap()
            .try_get("outcome")
            .unwrap();
    assert_eq!(outcome, "provider_timeout");
    assert_eq!(counted_face_attempts(&h).await, 0);
    let (_, deleted_at, _) = upload_row(&h, &upload_id).await;
    assert!(deleted_at.is_some());
    // Not counted: the next failure still leaves 29.
    let next = attempt(&h, &token, &vid, &small("findings:no_face", 2)).await;
    assert_eq!(next.body["attempts_left"], 29, "{next:?}");
}

async fn expired_challenge_fails_with_challenge_expired(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &small("live", 1)).await;
    h.clock.advance(120);

    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["reason_code"], "liveness_failed");
    assert_eq!(reasons(&reply), ["challenge_expired"]);
    assert_eq!(analysis.calls(), 0);
    assert_eq!(counted_face_attempts(&h).await, 1);
    let (_, deleted_at, _) = upload_row(&h, &upload_id).await;
    assert!(deleted_at.is_some(), "the clip is deleted also when its challenge failed");
    assert_eq!(me_status(&h, &token).await, "unverified");

    // 119 s after its issue a challenge is still in time.
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &small("live", 2)).await;
    h.clock.advance(119);
    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
}

async fn reused_challenge_fails_with_challenge_used(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let first = upload(&h, &token, &vid, &small("findings:too_dark", 1)).await;
    let reply = submit(&h, &token, &vid, &challenge_id, &first).await;
    assert_eq!(reasons(&reply), ["too_dark"]);

    let second = upload(&h, &token, &vid, &small("live", 2)).await;
    let again = submit(&h, &token, &vid, &challenge_id, &second).await;

    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(reasons(&again), ["challenge_used"]);
    assert_eq!(analysis.calls(), 1, "a used challenge is not analysed");
    assert_eq!(me_status(&h, &token).await, "unverified");
}

async fn another_verifications_or_unknown_challenge_is_invalid(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let other = add_and_sign_in(&h, "staff02").await;
    let vid_a = verification(&h, &token).await;
    let vid_b = verification(&h, &token).await;
    let vid_other = verification(&h, &other).await;
    let of_a = new_challenge(&h, &token, &vid_a).await;
    let of_other = new_challenge(&h, &other, &vid_other).await;

    let cases = [of_a.as_str(), of_other.as_str(), "0123456789abcdef0123456789abcdef", "x'; --"];
    for (n, challenge) in cases.into_iter().enumerate() {
        let upload_id = upload(&h, &token, &vid_b, &small("live", n as u32)).await;
        let reply = submit(&h, &token, &vid_b, challenge, &upload_id).await;
        assert_eq!(reply.status, StatusCode::OK, "{challenge}: {reply:?}");
        assert_eq!(reasons(&reply), ["challenge_invalid"], "{challenge}");
    }
    assert_eq!(analysis.calls(), 0);
    // Neither challenge was spent by those submissions.
    let upload_id = upload(&h, &other, &vid_other, &small("live", 9)).await;
    let reply = submit(&h, &other, &vid_other, &of_other, &upload_id).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
}

async fn another_users_verification_and_upload_are_not_found(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let owner = add_and_sign_in(&h, "staff01").await;
    let other = add_and_sign_in(&h, "staff02").await;
    let vid = verification(&h, &owner).await;
    let other_vid = verification(&h, &other).await;
    let bytes = clip("live", 1, 250_000);
    let started = start(&h, &owner, &vid, bytes.len(), &sha(&bytes)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    let owner_challenge = new_challenge(&h, &owner, &vid).await;

    let challenge_other = challenge(&h, &other, &vid).await;
    let start_other = start(&h, &other, &vid, bytes.len(), &sha(&bytes)).await;
    let put_other = put_chunk(&h, &other, &vid, &upload_id, 0, &bytes[..CHUNK], bytes.len()).await;
    let path = format!("/api/v1/real-name/{vid}/face/uploads/{upload_id}");
    let get_other = h.call(Method::GET, &path, Some(&other)).await;
    let submit_other = submit(&h, &other, &vid, &owner_challenge, &upload_id).await;
    // The other user's own verification with the owner's upload: still not theirs.
    let submit_own_vid = submit(&h, &other, &other_vid, &owner_challenge, &upload_id).await;

    for reply in
        [&challenge_other, &start_other, &put_other, &get_other, &submit_other, &submit_own_vid]
    {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    let status = h.call(Method::GET, &path, Some(&owner)).await;
    assert_eq!(status.body["received"], 0, "the other user wrote nothing");
    assert_eq!(h.count("verification_attempts").await, 0);
}

async fn clip_upload_resumes_after_a_drop(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bytes = clip("live", 1, 350_000);

    let started = start(&h, &token, &vid, bytes.len(), &sha(&bytes)).await;
    assert_eq!(started.status, StatusCode::OK, "{started:?}");
    assert_eq!(started.body["chunk_size"], 262_144);
    assert_eq!(started.body["complete"], false);
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    for i in 0..2 {
        let reply = put_chunk(
            &h,
            &token,
            &vid,
            &upload_id,
            i * CHUNK,
            &bytes[i * CHUNK..(i + 1) * CHUNK],
            bytes.len(),
        )
        .await;
        assert_eq!(reply.body["received"], (i + 1) * CHUNK, "{reply:?}");
    }
    // The network drops; starting again with the same clip says where to go on.
    let resumed = start(&h, &token, &vid, bytes.len(), &sha(&bytes)).await;
    assert_eq!(resumed.body["upload_id"], upload_id.as_str());
    assert_eq!(resumed.body["received"], 2 * CHUNK);
    let path = format!("/api/v1/real-name/{vid}/face/uploads/{upload_id}");
    assert_eq!(h.call(Method::GET, &path, Some(&token)).await.body["received"], 2 * CHUNK);
    // A chunk from the wrong offset is refused with where the upload stands.
    let wrong =
        put_chunk(&h, &token, &vid, &upload_id, 3 * CHUNK, &bytes[3 * CHUNK..], bytes.len()).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert_eq!(wrong.detail("received"), Some(&json!(2 * CHUNK)));

    let mut offset = 2 * CHUNK;
    let mut last = None;
    while offset < bytes.len() {
        let end = (offset + CHUNK).min(bytes.len());
        last = Some(
            put_chunk(&h, &token, &vid, &upload_id, offset, &bytes[offset..end], bytes.len()).await,
        );
        offset = end;
    }
    let last = last.unwrap();
    assert_eq!(last.body["complete"], true, "{last:?}");
    assert_eq!(last.body["received"], bytes.len());
    // The kept clip is the uploaded bytes; no partial file is left.
    let (blob, _, _) = upload_row(&h, &upload_id).await;
    assert_eq!(std::fs::read(h.state.blob_dir().join(blob.unwrap())).unwrap(), bytes);
    assert!(!blob_files(h.state.blob_dir()).iter().any(|f| f.starts_with(&upload_id)));
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
}

async fn checksum_mismatch_restarts_the_clip_upload(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bytes = clip("live", 1, 150_000);
    let started = start(&h, &token, &vid, bytes.len(), &sha(&clip("live", 2, 150_000))).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    put_chunk(&h, &token, &vid, &upload_id, 0, &bytes[..CHUNK], bytes.len()).await;

    let last = put_chunk(&h, &token, &vid, &upload_id, CHUNK, &bytes[CHUNK..], bytes.len()).await;

    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY, "{last:?}");
    assert_eq!(last.code(), "checksum_mismatch");
    let path = format!("/api/v1/real-name/{vid}/face/uploads/{upload_id}");
    let status = h.call(Method::GET, &path, Some(&token)).await;
    assert_eq!(status.body["received"], 0);
    assert_eq!(status.body["complete"], false);
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{reply:?}");
    assert_eq!(reply.detail("reason"), Some(&json!("upload_incomplete")));
}

async fn oversize_clip_is_payload_too_large(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let reply = start(&h, &token, &vid, 8 * 1024 * 1024 + 1, &sha(b"x")).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    assert_eq!(reply.detail("max"), Some(&json!(8 * 1024 * 1024)));
    assert_eq!(h.count("face_uploads").await, 0);
}

async fn incomplete_upload_cannot_be_submitted_and_the_challenge_stays_usable(db: DbConfig) {
    let (h, analysis) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bytes = clip("live", 1, 250_000);
    let started = start(&h, &token, &vid, bytes.len(), &sha(&bytes)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    put_chunk(&h, &token, &vid, &upload_id, 0, &bytes[..CHUNK], bytes.len()).await;
    let challenge_id = new_challenge(&h, &token, &vid).await;

    let early = submit(&h, &token, &vid, &challenge_id, &upload_id).await;

    assert_eq!(early.status, StatusCode::CONFLICT, "{early:?}");
    assert_eq!(early.detail("reason"), Some(&json!("upload_incomplete")));
    assert_eq!(early.detail("received"), Some(&json!(CHUNK)));
    assert_eq!(h.count("verification_attempts").await, 0);
    let upload_id = upload(&h, &token, &vid, &bytes).await;
    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
    assert_eq!(analysis.calls(), 1);
}

async fn an_upload_is_submitted_once(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let upload_id = upload(&h, &token, &vid, &small("findings:no_face", 1)).await;
    let first = new_challenge(&h, &token, &vid).await;
    assert_eq!(reasons(&submit(&h, &token, &vid, &first, &upload_id).await), ["no_face"]);

    let second = new_challenge(&h, &token, &vid).await;
    let again = submit(&h, &token, &vid, &second, &upload_id).await;

    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert_eq!(again.detail("reason"), Some(&json!("upload_used")));
    assert_eq!(counted_face_attempts(&h).await, 1);
}

async fn retention_keeps_the_clip_until_the_sweep_deletes_it(db: DbConfig) {
    let (h, _) =
        scripted_with(db, |limits| Limits { face_video_retention_secs: 3_600, ..limits }).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &small("findings:too_dark", 1)).await;
    let reply = submit(&h, &token, &vid, &challenge_id, &upload_id).await;
    assert_eq!(reasons(&reply), ["too_dark"]);
    let (blob, deleted_at, delete_after) = upload_row(&h, &upload_id).await;
    let file = h.state.blob_dir().join(blob.unwrap());
    assert!(file.exists(), "kept for the retention period");
    assert_eq!(deleted_at, None);
    assert_eq!(delete_after, Some(crate::common::START + 3_600));

    h.clock.advance(3_599);
    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 0);
    assert!(file.exists());

    h.clock.advance(1);
    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 1);
    assert!(!file.exists());
    let (_, deleted_at, _) = upload_row(&h, &upload_id).await;
    assert_eq!(deleted_at, Some(crate::common::START + 3_600));
    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 0);
    // The result and its reasons stay.
    assert_eq!(counted_face_attempts(&h).await, 1);
}

async fn abandoned_clip_uploads_are_swept_after_a_day(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bytes = clip("live", 1, 250_000);
    let started = start(&h, &token, &vid, bytes.len(), &sha(&bytes)).await;
    let partial = started.body["upload_id"].as_str().unwrap().to_owned();
    put_chunk(&h, &token, &vid, &partial, 0, &bytes[..CHUNK], bytes.len()).await;
    let complete = upload(&h, &token, &vid, &small("live", 2)).await;
    let (blob, _, _) = upload_row(&h, &complete).await;
    let part = h.state.blob_dir().join(format!("{partial}.part"));
    let blob = h.state.blob_dir().join(blob.unwrap());
    assert!(part.exists() && blob.exists());

    h.clock.advance(23 * 60 * 60);
    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 0);
    h.clock.advance(60 * 60);
    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 2);

    assert!(!part.exists() && !blob.exists());
    assert_eq!(h.count("face_uploads").await, 0);
}

async fn fifteen_attempts_a_minute_per_identity_then_rate_limited(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    for n in 0..15 {
        let reply = attempt(&h, &token, &vid, &small("findings:no_face", n)).await;
        assert_eq!(reasons(&reply), ["no_face"], "attempt {n}: {reply:?}");
        h.clock.advance(2);
    }
    // 30 s after the first attempt.

    let refused = challenge(&h, &token, &vid).await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.code(), "rate_limited");
    assert_eq!(refused.body["message"], "this minute's attempts of this method are used up");
    assert_eq!(refused.detail("reason"), Some(&json!("attempts_per_minute_used_up")));
    assert_eq!(refused.detail("scope"), Some(&json!("identity_number")));
    assert_eq!(refused.detail("retry_after_secs"), Some(&json!(30)));
    assert_eq!(refused.retry_after_header(), Some(30));
    let chooser = identity(&h, &token, "id_card", ID, NAME).await;
    assert_eq!(
        method(&chooser, "face")["reason"],
        json!({ "kind": "attempts_per_minute_used_up", "scope": "identity_number", "retry_after_secs": 30 })
    );
    // Other methods keep their own budgets.
    assert_eq!(method(&chooser, "bank_card")["available"], true);

    h.clock.advance(30);
    let reply = attempt(&h, &token, &vid, &small("findings:no_face", 99)).await;
    assert_eq!(reply.body["attempts_left"], 14, "{reply:?}");
}

async fn thirty_attempts_a_day_per_identity_across_users(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let first = add_and_sign_in(&h, "staff01").await;
    let second = add_and_sign_in(&h, "staff02").await;
    let vid = verification(&h, &first).await;
    for n in 0..30 {
        let reply = attempt(&h, &first, &vid, &small("findings:no_face", n)).await;
        assert_eq!(reply.body["attempts_left"], 29 - n, "attempt {n}: {reply:?}");
        h.clock.advance(5);
    }
    h.clock.advance(60);

    let other_vid = verification(&h, &second).await;
    let refused = challenge(&h, &second, &other_vid).await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.detail("reason"), Some(&json!("daily_attempts_used_up")));
    assert_eq!(refused.detail("scope"), Some(&json!("identity_number")));
    let retry = refused.detail("retry_after_secs").and_then(Value::as_u64).unwrap();
    assert!(retry > 60 * 60 && retry <= 16 * 60 * 60, "until the China midnight: {retry}");
    let chooser = identity(&h, &second, "id_card", ID, NAME).await;
    assert_eq!(method(&chooser, "face")["reason"]["kind"], "daily_attempts_used_up");
    assert_eq!(method(&chooser, "bank_card")["available"], true);
    // Another identity number is not affected.
    let other = verification_of(&h, &second, ID_NEVER_MATCHES, "张伟").await;
    assert_eq!(challenge(&h, &second, &other).await.status, StatusCode::OK);
    // The next platform day opens the budget again (a new session and step 1 by then).
    h.clock.advance(retry);
    let second = h.sign_in("staff02", "pw").await.tokens().access_token.expose().clone();
    let next_day = verification(&h, &second).await;
    assert_eq!(challenge(&h, &second, &next_day).await.status, StatusCode::OK);
}

/// A test-only analyser that takes a while and remembers how many analyses ran at once.
#[derive(Default)]
struct CountingAnalysis {
    running: AtomicUsize,
    most: AtomicUsize,
}

impl LivenessAnalysis for CountingAnalysis {
    fn analyse(&self, _clip: &[u8], _: &ChallengeInfo) -> Result<AnalysisOutcome, ClipRejected> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(150));
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(AnalysisOutcome { findings: vec![LivenessReason::NoFace], face: None })
    }
}

async fn parallel_submissions_never_run_more_analyses_than_slots(db: DbConfig) {
    let analysis = Arc::new(CountingAnalysis::default());
    let installed: Arc<dyn LivenessAnalysis> = analysis.clone();
    let h = Harness::with_settings(db, |settings| {
        let limits = Limits { face_analyses_in_parallel: 1, ..settings.limits };
        settings.with_limits(limits).with_liveness(installed)
    })
    .await;
    let h = Arc::new(h);
    let mut ready = Vec::new();
    for n in 0..4 {
        let token = add_and_sign_in(&h, &format!("staff{n:02}")).await;
        let vid = verification(&h, &token).await;
        let challenge_id = new_challenge(&h, &token, &vid).await;
        let upload_id = upload(&h, &token, &vid, &small("any", n)).await;
        ready.push((token, vid, challenge_id, upload_id));
    }

    let tasks: Vec<_> = ready
        .into_iter()
        .map(|(token, vid, challenge_id, upload_id)| {
            let h = h.clone();
            tokio::spawn(async move { submit(&h, &token, &vid, &challenge_id, &upload_id).await })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reasons(&reply), ["no_face"], "{reply:?}");
    }

    assert_eq!(analysis.most.load(Ordering::SeqCst), 1);
}

/// A test-only analyser that holds its slot until the test opens the gate.
#[derive(Default)]
struct GatedAnalysis {
    entered: AtomicUsize,
    open: AtomicBool,
}

impl LivenessAnalysis for GatedAnalysis {
    fn analyse(&self, _clip: &[u8], _: &ChallengeInfo) -> Result<AnalysisOutcome, ClipRejected> {
        self.entered.fetch_add(1, Ordering::SeqCst);
        while !self.open.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Ok(AnalysisOutcome { findings: vec![LivenessReason::TooDark], face: None })
    }
}

async fn busy_slots_answer_503_and_consume_nothing(db: DbConfig) {
    let analysis = Arc::new(GatedAnalysis::default());
    let installed: Arc<dyn LivenessAnalysis> = analysis.clone();
    let h = Harness::with_settings(db, |settings| {
        let limits =
            Limits { face_analyses_in_parallel: 1, face_analysis_wait_secs: 0, ..settings.limits };
        settings.with_limits(limits).with_liveness(installed)
    })
    .await;
    let h = Arc::new(h);
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let first_challenge = new_challenge(&h, &token, &vid).await;
    let first_upload = upload(&h, &token, &vid, &small("any", 1)).await;
    let second_challenge = new_challenge(&h, &token, &vid).await;
    let second_upload = upload(&h, &token, &vid, &small("any", 2)).await;
    let running = {
        let (h, token, vid) = (h.clone(), token.clone(), vid.clone());
        tokio::spawn(async move { submit(&h, &token, &vid, &first_challenge, &first_upload).await })
    };
    while analysis.entered.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // Bounded so that a server that does not answer at once fails the test instead of hanging.
    let busy = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        submit(&h, &token, &vid, &second_challenge, &second_upload),
    )
    .await;
    analysis.open.store(true, Ordering::SeqCst);
    let busy = busy.expect("a busy server answers without waiting for the slot");

    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE, "{busy:?}");
    assert_eq!(busy.code(), "face_unavailable");
    assert_eq!(busy.detail("reason"), Some(&json!("busy")));
    assert_eq!(reasons(&running.await.unwrap()), ["too_dark"]);
    // The busy answer took neither the challenge nor the upload.
    let retried = submit(&h, &token, &vid, &second_challenge, &second_upload).await;
    assert_eq!(reasons(&retried), ["too_dark"], "{retried:?}");
    assert_eq!(counted_face_attempts(&h).await, 2);
}

async fn history_lists_face_attempts_with_their_reasons(db: DbConfig) {
    let (h, _) = scripted(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    attempt(&h, &token, &vid, &small("findings:multiple_faces,too_dark", 1)).await;
    h.clock.advance(1);
    attempt(&h, &token, &vid, &small("live", 2)).await;

    let history = h.call(Method::GET, "/api/v1/real-name/attempts", Some(&token)).await;

    let attempts = history.body["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{history:?}");
    assert_eq!(attempts[0]["method"], "face");
    assert_eq!(attempts[0]["outcome"], "success");
    assert!(attempts[0].get("reasons").is_none());
    assert_eq!(attempts[1]["outcome"], "failure");
    assert_eq!(attempts[1]["reason_code"], "liveness_failed");
    assert_eq!(attempts[1]["reasons"], json!(["multiple_faces", "too_dark"]));
    assert_eq!(attempts[1]["number_masked"], "110***********002X");
    // Nothing stored holds the full ID number.
    assert!(!h.stored_text().await.iter().any(|t| t.contains(ID)));
}

async fn a_clip_left_by_an_interrupted_submission_is_swept(db: DbConfig) {
    let analysis = Arc::new(GatedAnalysis::default());
    let installed: Arc<dyn LivenessAnalysis> = analysis.clone();
    let h =
        Arc::new(Harness::with_settings(db, |settings| settings.with_liveness(installed)).await);
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let challenge_id = new_challenge(&h, &token, &vid).await;
    let upload_id = upload(&h, &token, &vid, &small("any", 1)).await;
    let (blob, _, _) = upload_row(&h, &upload_id).await;
    let file = h.state.blob_dir().join(blob.unwrap());
    let request = {
        let (h, token, vid, upload_id) = (h.clone(), token.clone(), vid.clone(), upload_id.clone());
        tokio::spawn(async move { submit(&h, &token, &vid, &challenge_id, &upload_id).await })
    };
    while analysis.entered.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // The client goes away mid-analysis: the handler is dropped before it deletes the clip.
    request.abort();
    assert!(request.await.unwrap_err().is_cancelled());
    analysis.open.store(true, Ordering::SeqCst);
    assert!(file.exists());

    assert_eq!(purge_expired_face_videos(&h.state).await.unwrap(), 1);
    assert!(!file.exists());
}
