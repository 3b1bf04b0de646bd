//! What the server logs of face recognition: ids, reason codes and outcomes; never clip bytes
//! or the full ID number.
//!
//! A test binary of its own, with one global subscriber installed before anything logs (see
//! `signatures_logs.rs` for why a subscriber scoped to one test's future is not enough).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The harness of the `server` test binary; this binary uses only part of it.
#[allow(dead_code)]
#[macro_use]
#[path = "server/common.rs"]
mod common;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use signet_domain::api::LivenessReason;
use signet_server::{
    AnalysisOutcome, ChallengeInfo, ClipRejected, DbConfig, FaceImage, LivenessAnalysis,
};

use common::{Harness, LogBuffer, Reply};

on_both_backends!(logs_of_face_attempts_hold_neither_clip_bytes_nor_the_id_number);

const ID: &str = "11010519491231002X";

/// Every log line of this process, at every level.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuffer::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::TRACE)
            .with_span_list(true)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        logs
    })
}

/// A test-only analyser: a clip whose last byte is `b'L'` is live, any other finds `too_dark`.
struct LastByteAnalysis;

impl LivenessAnalysis for LastByteAnalysis {
    fn analyse(&self, clip: &[u8], _: &ChallengeInfo) -> Result<AnalysisOutcome, ClipRejected> {
        if clip.last() == Some(&b'L') {
            let face = FaceImage { width: 1, height: 1, rgb: vec![0, 0, 0] };
            return Ok(AnalysisOutcome { findings: Vec::new(), face: Some(face) });
        }
        Ok(AnalysisOutcome { findings: vec![LivenessReason::TooDark], face: None })
    }
}

fn clip(last: u8) -> Vec<u8> {
    let mut clip = vec![0, 0, 0, 16];
    clip.extend_from_slice(b"ftypisom\0\0\x02\0");
    clip.extend_from_slice(b"CLIP-BYTES-MUST-NOT-BE-LOGGED");
    clip.push(last);
    clip
}

async fn post(h: &Harness, path: &str, token: &str, body: Value) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    h.send(request).await
}

/// Challenge, one-chunk upload, submit; the answer and the upload id.
async fn attempt(h: &Harness, token: &str, vid: &str, clip: &[u8]) -> (Reply, String) {
    let base = format!("/api/v1/real-name/{vid}/face");
    let challenge = post(h, &format!("{base}/challenge"), token, json!({ "consent": true })).await;
    let challenge_id = challenge.body["challenge_id"].as_str().unwrap().to_owned();
    let sha256 = hex::encode(Sha256::digest(clip));
    let started =
        post(h, &format!("{base}/uploads"), token, json!({ "size": clip.len(), "sha256": sha256 }))
            .await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    let request = Request::builder()
        .method(Method::PUT)
        .uri(format!("{base}/uploads/{upload_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_RANGE, format!("bytes 0-{}/{}", clip.len() - 1, clip.len()))
        .body(Body::from(clip.to_vec()))
        .unwrap();
    assert_eq!(h.send(request).await.body["complete"], true);
    let body = json!({ "challenge_id": challenge_id, "upload_id": upload_id });
    (post(h, &format!("{base}/submit"), token, body).await, upload_id)
}

async fn logs_of_face_attempts_hold_neither_clip_bytes_nor_the_id_number(db: DbConfig) {
    let logs = logs();
    let blobs = tempfile::tempdir().unwrap();
    let h = Harness::with_settings(db, |settings| {
        settings.with_blob_dir(blobs.path()).with_liveness(Arc::new(LastByteAnalysis))
    })
    .await;
    let account = format!("face{}", common::random_hex(4));
    h.add_staff(&account, "pw").await;
    let token = h.sign_in(&account, "pw").await.tokens().access_token.expose().clone();
    let identity = json!({ "document_type": "id_card", "number": ID, "name": "王芳" });
    let accepted = post(&h, "/api/v1/real-name/identity", &token, identity).await;
    let vid = accepted.body["verification_id"].as_str().unwrap().to_owned();

    let (failed, failed_upload) = attempt(&h, &token, &vid, &clip(b'D')).await;
    let (verified, verified_upload) = attempt(&h, &token, &vid, &clip(b'L')).await;

    assert_eq!(failed.body["reasons"], json!(["too_dark"]), "{failed:?}");
    assert_eq!(verified.status, StatusCode::OK);
    assert_eq!(verified.body["outcome"], "success", "{verified:?}");
    let logs = logs.contents();
    let line_with = |message: &str, id: &str| {
        logs.lines().any(|line| line.contains(message) && line.contains(id))
    };
    assert!(line_with("face challenge issued", &vid), "no challenge line for {vid}");
    assert!(line_with("face clip deleted after analysis", &failed_upload));
    assert!(line_with("face clip deleted after analysis", &verified_upload));
    assert!(line_with("liveness_failed", &vid), "the reason code is logged");
    for secret in [ID, "CLIP-BYTES-MUST-NOT-BE-LOGGED", "ftypisom"] {
        assert!(!logs.contains(secret), "the log shows {secret:?}");
    }
}
