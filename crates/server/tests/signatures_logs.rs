//! What the server logs of signature changes: ids, kinds and sizes; never names or image bytes.
//!
//! A test binary of its own, with one global subscriber installed before anything logs: a
//! subscriber scoped to one test's future (`WithSubscriber`) misses events whose callsites other
//! tests, running on other threads, registered first (tracing's interest cache), which made the
//! positive check of such a test fail now and then.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The harness of the `server` test binary; this binary uses only part of it.
#[allow(dead_code)]
#[macro_use]
#[path = "server/common.rs"]
mod common;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use signet_server::{seed_demo, AppState, DbConfig, ManualClock};

use common::{test_settings, Harness, LogBuffer, Reply, START};

on_both_backends!(logs_of_signature_changes_hold_no_names_or_image_bytes);

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

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 80"><path d="M10 60 C 40 10, 80 10, 120 50" fill="none" stroke="#0a0a28" stroke-width="3" stroke-linecap="round"/></svg>"##;

fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(240, 80, |x, y| {
        if x % 80 == y {
            image::Rgba([10, 10, 40, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

async fn send(h: &Harness, method: Method, path: &str, token: &str, body: Option<Value>) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |body| Body::from(body.to_string()));
    h.send(request.body(body).unwrap()).await
}

async fn logs_of_signature_changes_hold_no_names_or_image_bytes(db: DbConfig) {
    let logs = logs();
    let blobs = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let settings = test_settings(clock.clone()).with_blob_dir(blobs.path());
    let state = AppState::open_with(db, settings).await.unwrap();
    seed_demo(&state).await.unwrap();
    let h = Harness { state, clock };
    let token = h.sign_in("staff02", "Signet-demo-2").await.tokens().access_token.expose().clone();
    let image = png();
    let encoded = STANDARD.encode(&image);
    let id = common::random_hex(16);
    let path = format!("/api/v1/signatures/{id}");
    let upload =
        json!({ "name": "秘密的名字", "kind": "drawn", "png_base64": encoded, "svg": SVG });

    let created = send(&h, Method::PUT, &path, &token, Some(upload.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    send(&h, Method::PUT, &path, &token, Some(upload)).await;
    send(&h, Method::PATCH, &path, &token, Some(json!({ "name": "另一个秘密" }))).await;
    let default = json!({ "signature_id": id });
    send(&h, Method::PUT, "/api/v1/signatures/default", &token, Some(default)).await;
    send(&h, Method::DELETE, &path, &token, None).await;

    let logs = logs.contents();
    for message in ["signature created", "signature create replayed", "signature renamed"] {
        assert!(
            logs.lines().any(|line| line.contains(message) && line.contains(&id)),
            "no {message:?} for {id}"
        );
    }
    for secret in ["秘密的名字", "另一个秘密", &encoded[..40], "stroke-linecap"] {
        assert!(!logs.contains(secret), "the log shows {secret:?}");
    }
}
