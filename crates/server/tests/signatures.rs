//! Signatures (签名维护) on the platform: idempotent creates under the app's ids, the image
//! checks, the limit, rename, the default, delete with tombstones, and who may see what. Each
//! test runs on SQLite and on PostgreSQL. What the logs show is in `signatures_logs.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The harness of the `server` test binary; this binary uses only part of it.
#[allow(dead_code)]
#[macro_use]
#[path = "server/common.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use signet_domain::api::{RealNameStatus, SignatureInfo, SignatureList, MAX_SIGNATURES};
use signet_domain::identity::DocumentType;
use signet_server::{seed_demo, set_real_name, AppState, DbConfig, ManualClock};
use sqlx::Row;
use tower::ServiceExt;

use common::{test_settings, Harness, Reply, START};

on_both_backends!(
    creates_a_signature_then_a_replay_answers_200_and_the_list_holds_one,
    the_first_signature_becomes_the_default_and_the_next_do_not,
    the_same_id_with_other_content_is_a_conflict,
    another_users_id_is_a_conflict_and_their_signature_is_not_found,
    an_unverified_user_may_list_and_delete_but_not_create_rename_or_choose,
    refused_pngs_answer_invalid_signature_with_their_reason_and_keep_nothing,
    a_drawn_signature_needs_a_safe_svg,
    a_malformed_signature_id_is_invalid_input,
    the_signature_after_the_limit_answers_signature_limit,
    concurrent_creates_of_one_id_make_one_signature,
    concurrent_creates_never_pass_the_limit,
    renames_a_signature_of_the_caller_only,
    sets_the_default_and_deleting_it_leaves_no_default,
    the_default_must_be_a_live_signature_of_the_caller,
    deleting_twice_answers_204_both_times_and_removes_the_files,
    a_create_replayed_after_delete_is_a_conflict,
    the_image_comes_back_byte_for_byte,
    the_svg_is_served_under_a_restrictive_csp,
    an_oversize_body_is_payload_too_large,
    requests_without_a_session_are_unauthorized,
    signature_changes_are_rate_limited_per_user,
);

/// A user's signed-in bearer token.
struct User {
    token: String,
}

/// A harness whose blob directory belongs to this test alone (the PostgreSQL default is shared
/// by every test), with the demo accounts: `staff02` is verified, `staff01` is not.
async fn harness(db: DbConfig) -> (Harness, tempfile::TempDir) {
    let blobs = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let settings = test_settings(clock.clone()).with_blob_dir(blobs.path());
    let state = AppState::open_with(db, settings).await.unwrap();
    seed_demo(&state).await.unwrap();
    (Harness { state, clock }, blobs)
}

async fn sign_in(h: &Harness, account: &str, password: &str) -> User {
    User { token: h.sign_in(account, password).await.tokens().access_token.expose().clone() }
}

async fn verified(h: &Harness) -> User {
    sign_in(h, "staff02", "Signet-demo-2").await
}

async fn unverified(h: &Harness) -> User {
    sign_in(h, "staff01", "Signet-demo-1").await
}

/// Another verified user.
async fn other_verified(h: &Harness) -> User {
    h.add_staff("staff03", "Signet-test-3").await;
    set_real_name(
        &h.state,
        "staff03",
        RealNameStatus::Verified,
        Some((DocumentType::IdCard, "110105198001010016", "李明")),
    )
    .await
    .unwrap();
    sign_in(h, "staff03", "Signet-test-3").await
}

/// A fresh signature id, as the app makes them.
fn new_id() -> String {
    common::random_hex(16)
}

/// A transparent RGBA PNG with a dark stroke; `seed` makes different images.
fn png(seed: u32) -> Vec<u8> {
    let (width, height) = (240 + seed % 50, 80);
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        let line = (y * 3 + seed) % height;
        if x % height == line || (x + 1) % height == line {
            image::Rgba([10, 10, 40, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    encode(&img)
}

fn encode(img: &image::RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

const SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 80"><path d="M10 60 C 40 10, 80 10, 120 50" fill="none" stroke="#0a0a28" stroke-width="3" stroke-linecap="round"/></svg>"##;

fn uploaded(name: &str, png: &[u8]) -> Value {
    json!({ "name": name, "kind": "uploaded", "png_base64": STANDARD.encode(png) })
}

fn drawn(name: &str, png: &[u8], svg: &str) -> Value {
    json!({ "name": name, "kind": "drawn", "png_base64": STANDARD.encode(png), "svg": svg })
}

async fn send_json(h: &Harness, method: Method, path: &str, user: &User, body: &Value) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    h.send(request).await
}

async fn put(h: &Harness, user: &User, id: &str, body: &Value) -> Reply {
    send_json(h, Method::PUT, &format!("/api/v1/signatures/{id}"), user, body).await
}

async fn rename(h: &Harness, user: &User, id: &str, name: &str) -> Reply {
    let path = format!("/api/v1/signatures/{id}");
    send_json(h, Method::PATCH, &path, user, &json!({ "name": name })).await
}

async fn set_default(h: &Harness, user: &User, id: Option<&str>) -> Reply {
    let body = json!({ "signature_id": id });
    send_json(h, Method::PUT, "/api/v1/signatures/default", user, &body).await
}

async fn delete(h: &Harness, user: &User, id: &str) -> Reply {
    h.call(Method::DELETE, &format!("/api/v1/signatures/{id}"), Some(&user.token)).await
}

async fn list(h: &Harness, user: &User) -> SignatureList {
    let reply = h.call(Method::GET, "/api/v1/signatures", Some(&user.token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    serde_json::from_value(reply.body).unwrap()
}

fn info(reply: &Reply) -> SignatureInfo {
    serde_json::from_value(reply.body.clone())
        .unwrap_or_else(|_| panic!("not a SignatureInfo: {reply:?}"))
}

/// An answer whose body is not JSON (images).
async fn fetch(h: &Harness, user: &User, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let request = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
        .body(Body::empty())
        .unwrap();
    let response = h.app().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, bytes.to_vec())
}

async fn created(h: &Harness, user: &User, body: &Value) -> (String, SignatureInfo) {
    let id = new_id();
    let reply = put(h, user, &id, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    (id, info(&reply))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn creates_a_signature_then_a_replay_answers_200_and_the_list_holds_one(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let id = new_id();
    let image = png(1);
    let body = uploaded("我的签名", &image);

    let first = put(&h, &user, &id, &body).await;
    let replay = put(&h, &user, &id, &body).await;

    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let stored = info(&first);
    assert_eq!(stored.id, id);
    assert_eq!(stored.name, "我的签名");
    assert_eq!(stored.kind.as_str(), "uploaded");
    assert_eq!((stored.width, stored.height), (241, 80));
    assert_eq!(stored.png_sha256, hex::encode(Sha256::digest(&image)));
    assert_eq!(stored.created_at, START);
    assert_eq!(first.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(replay.status, StatusCode::OK, "{replay:?}");
    assert_eq!(info(&replay), stored);
    let listed = list(&h, &user).await;
    assert_eq!(listed.signatures, vec![stored]);
    assert_eq!(h.count("signatures").await, 1);
}

async fn the_first_signature_becomes_the_default_and_the_next_do_not(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;

    let (first, first_info) = created(&h, &user, &uploaded("一", &png(1))).await;
    h.clock.advance(10);
    let (second, second_info) = created(&h, &user, &drawn("二", &png(2), SVG)).await;

    assert!(first_info.is_default);
    assert!(!second_info.is_default);
    let listed = list(&h, &user).await;
    assert_eq!(listed.default_id.as_deref(), Some(first.as_str()));
    let ids: Vec<&str> = listed.signatures.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "oldest first");
}

async fn the_same_id_with_other_content_is_a_conflict(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let (id, _) = created(&h, &user, &drawn("签名", &png(1), SVG)).await;

    let other_png = put(&h, &user, &id, &drawn("签名", &png(2), SVG)).await;
    let other_svg = put(&h, &user, &id, &drawn("签名", &png(1), &SVG.replace("M10", "M12"))).await;
    let other_kind = put(&h, &user, &id, &uploaded("签名", &png(1))).await;
    let other_name = put(&h, &user, &id, &drawn("改过的名字", &png(1), SVG)).await;

    for reply in [&other_png, &other_svg, &other_kind] {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{reply:?}");
        assert_eq!(reply.code(), "conflict");
        assert_eq!(reply.detail("reason"), Some(&json!("different_content")));
    }
    // The name is not the signature's identity (a rename may have come in between).
    assert_eq!(other_name.status, StatusCode::OK, "{other_name:?}");
    assert_eq!(info(&other_name).name, "签名");
    assert_eq!(h.count("signatures").await, 1);
}

async fn another_users_id_is_a_conflict_and_their_signature_is_not_found(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let owner = verified(&h).await;
    let other = other_verified(&h).await;
    let body = drawn("签名", &png(1), SVG);
    let (id, _) = created(&h, &owner, &body).await;

    let taken = put(&h, &other, &id, &body).await;

    assert_eq!(taken.status, StatusCode::CONFLICT, "{taken:?}");
    assert_eq!(taken.code(), "conflict");
    assert_eq!(taken.body.get("details"), None, "nothing more about someone else's signature");
    for suffix in ["/image", "/svg"] {
        let (status, _, _) = fetch(&h, &other, &format!("/api/v1/signatures/{id}{suffix}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{suffix}");
    }
    assert_eq!(rename(&h, &other, &id, "抢走").await.status, StatusCode::NOT_FOUND);
    assert_eq!(set_default(&h, &other, Some(&id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(delete(&h, &other, &id).await.status, StatusCode::NOT_FOUND);
    assert!(list(&h, &other).await.signatures.is_empty());
    assert_eq!(list(&h, &owner).await.signatures.len(), 1);
    assert_eq!(list(&h, &owner).await.signatures[0].name, "签名");
}

async fn an_unverified_user_may_list_and_delete_but_not_create_rename_or_choose(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = unverified(&h).await;
    let id = new_id();

    let create = put(&h, &user, &id, &uploaded("签名", &png(1))).await;
    let renamed = rename(&h, &user, &id, "新名字").await;
    let chosen = set_default(&h, &user, None).await;

    for reply in [&create, &renamed, &chosen] {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{reply:?}");
        assert_eq!(reply.code(), "real_name_required");
        assert_eq!(reply.detail("real_name_status"), Some(&json!("unverified")));
    }
    assert!(list(&h, &user).await.signatures.is_empty());

    // A user whose verification was withdrawn still removes what they kept.
    let staff02 = verified(&h).await;
    let (kept, _) = created(&h, &staff02, &uploaded("签名", &png(1))).await;
    set_real_name(&h.state, "staff02", RealNameStatus::Unverified, None).await.unwrap();
    assert_eq!(list(&h, &staff02).await.signatures.len(), 1);
    assert_eq!(delete(&h, &staff02, &kept).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.count("signatures").await, 1, "the tombstone");
}

async fn refused_pngs_answer_invalid_signature_with_their_reason_and_keep_nothing(db: DbConfig) {
    let (h, blobs) = harness(db).await;
    let user = verified(&h).await;
    let good = png(1);
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        60,
        20,
        image::Rgb([255, 255, 255]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
    .unwrap();
    let mut opaque_rgb = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(60, 20, image::Rgb([0, 0, 0])))
        .write_to(&mut std::io::Cursor::new(&mut opaque_rgb), image::ImageFormat::Png)
        .unwrap();
    let mut huge = encode(&image::RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 0, 255])));
    huge[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 8].copy_from_slice(&[0xA5; 8]);
    let truncated = good[..good.len() / 2].to_vec();
    let blank = encode(&image::RgbaImage::from_pixel(60, 20, image::Rgba([0, 0, 0, 0])));
    let mut too_large = good.clone();
    too_large.resize(2 * 1024 * 1024 + 1, 0);

    for (png, reason) in [
        (jpeg, "not_png"),
        (b"not an image at all".to_vec(), "not_png"),
        (opaque_rgb, "no_transparency"),
        (huge, "too_many_pixels"),
        (corrupt, "corrupt"),
        (truncated, "corrupt"),
        (blank, "empty"),
        (too_large, "too_large"),
    ] {
        let reply = put(&h, &user, &new_id(), &uploaded("签名", &png)).await;

        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {reply:?}");
        assert_eq!(reply.code(), "invalid_signature", "{reason}");
        assert_eq!(reply.detail("reason"), Some(&json!(reason)));
        assert_eq!(reply.detail("field"), Some(&json!("png_base64")));
    }
    let not_base64 = put(
        &h,
        &user,
        &new_id(),
        &json!({ "name": "签名", "kind": "uploaded", "png_base64": "***" }),
    )
    .await;
    assert_eq!(not_base64.status, StatusCode::BAD_REQUEST, "{not_base64:?}");
    assert_eq!(not_base64.detail("field"), Some(&json!("png_base64")));
    assert_eq!(h.count("signatures").await, 0);
    assert_eq!(files_in(blobs.path()), Vec::<String>::new());
}

async fn a_drawn_signature_needs_a_safe_svg(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let image = png(1);
    let mut without_svg = drawn("签名", &image, SVG);
    without_svg.as_object_mut().unwrap().remove("svg");
    let mut uploaded_with_svg = uploaded("签名", &image);
    uploaded_with_svg["svg"] = json!(SVG);

    for body in [without_svg, uploaded_with_svg] {
        let reply = put(&h, &user, &new_id(), &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.code(), "invalid_input");
        assert_eq!(reply.detail("field"), Some(&json!("svg")));
    }
    for (svg, reason) in [
        (SVG.replace("<path", "<script>alert(1)</script><path"), "unsafe_svg"),
        (SVG.replace("<path", "<path onload=\"alert(1)\""), "unsafe_svg"),
        (SVG.replace("<path", "<foreignObject/><path"), "unsafe_svg"),
        (SVG.replace("<path", "<a href=\"https://example.com\"/><path"), "unsafe_svg"),
        ("<html><body>hi</body></html>".to_owned(), "not_svg"),
    ] {
        let reply = put(&h, &user, &new_id(), &drawn("签名", &image, &svg)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
        assert_eq!(reply.code(), "invalid_signature");
        assert_eq!(reply.detail("field"), Some(&json!("svg")));
        assert_eq!(reply.detail("reason"), Some(&json!(reason)));
    }
    let bad_name = put(&h, &user, &new_id(), &drawn("a\u{202E}b", &image, SVG)).await;
    assert_eq!(bad_name.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_name.detail("field"), Some(&json!("name")));
    let long_name = put(&h, &user, &new_id(), &drawn(&"签".repeat(33), &image, SVG)).await;
    assert_eq!(long_name.detail("reason"), Some(&json!("too_long")));
    assert_eq!(h.count("signatures").await, 0);
}

async fn a_malformed_signature_id_is_invalid_input(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let body = uploaded("签名", &png(1));

    for id in ["ABCDEF0123456789ABCDEF0123456789", "abc", "0123456789abcdef0123456789abcdeg"] {
        let reply = put(&h, &user, id, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{id}: {reply:?}");
        assert_eq!(reply.code(), "invalid_input");
        assert_eq!(reply.detail("field"), Some(&json!("signature_id")));
        let (status, _, _) = fetch(&h, &user, &format!("/api/v1/signatures/{id}/image")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let reply = set_default(&h, &user, Some("nope")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.detail("field"), Some(&json!("signature_id")));
}

async fn the_signature_after_the_limit_answers_signature_limit(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let image = png(1);
    let mut ids = Vec::new();
    for i in 0..MAX_SIGNATURES {
        ids.push(created(&h, &user, &uploaded(&format!("签名{i}"), &image)).await.0);
    }

    let over = put(&h, &user, &new_id(), &uploaded("再一个", &image)).await;

    assert_eq!(over.status, StatusCode::CONFLICT, "{over:?}");
    assert_eq!(over.code(), "signature_limit");
    assert_eq!(over.detail("max"), Some(&json!(MAX_SIGNATURES)));
    // A replay of a kept one still answers; after a delete there is room again.
    assert_eq!(put(&h, &user, &ids[3], &uploaded("签名3", &image)).await.status, StatusCode::OK);
    assert_eq!(delete(&h, &user, &ids[0]).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        put(&h, &user, &new_id(), &uploaded("再一个", &image)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(list(&h, &user).await.signatures.len(), MAX_SIGNATURES);
}

async fn concurrent_creates_of_one_id_make_one_signature(db: DbConfig) {
    let (h, blobs) = harness(db).await;
    let user = verified(&h).await;
    let id = new_id();
    let body = drawn("签名", &png(1), SVG);

    let replies =
        futures_join_all((0..6).map(|_| put(&h, &user, &id, &body)).collect::<Vec<_>>()).await;

    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 5, "{statuses:?}");
    assert_eq!(list(&h, &user).await.signatures.len(), 1);
    assert_eq!(files_in(blobs.path()).len(), 2, "one PNG and one SVG, no leftovers");
}

async fn concurrent_creates_never_pass_the_limit(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let image = png(1);
    for _ in 0..MAX_SIGNATURES - 2 {
        created(&h, &user, &uploaded("签名", &image)).await;
    }
    let bodies: Vec<(String, Value)> =
        (0..6).map(|i| (new_id(), uploaded(&format!("并发{i}"), &png(i)))).collect();

    let replies =
        futures_join_all(bodies.iter().map(|(id, body)| put(&h, &user, id, body)).collect()).await;

    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies.iter().filter(|r| r.code() == "signature_limit").count();
    assert_eq!((created, refused), (2, 4), "{replies:?}");
    assert_eq!(list(&h, &user).await.signatures.len(), MAX_SIGNATURES);
}

/// Runs the futures concurrently (on this task) and returns their outputs in order.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

async fn signature_changes_are_rate_limited_per_user(db: DbConfig) {
    let blobs = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let mut settings = test_settings(clock.clone()).with_blob_dir(blobs.path());
    settings.limits.signature_changes_per_minute = 3;
    let state = AppState::open_with(db, settings).await.unwrap();
    seed_demo(&state).await.unwrap();
    let h = Harness { state, clock };
    let user = verified(&h).await;
    let other = other_verified(&h).await;

    let (id, _) = created(&h, &user, &uploaded("签名", &png(1))).await;
    assert_eq!(rename(&h, &user, &id, "一").await.status, StatusCode::OK);
    assert_eq!(rename(&h, &user, &id, "二").await.status, StatusCode::OK);
    let refused = rename(&h, &user, &id, "三").await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.code(), "rate_limited");
    // Per user: someone else is not affected; reading is not limited.
    created(&h, &other, &uploaded("别人的", &png(2))).await;
    assert_eq!(list(&h, &user).await.signatures[0].name, "二");
    // A minute later the user may go on.
    h.clock.advance(60);
    assert_eq!(rename(&h, &user, &id, "三").await.status, StatusCode::OK);
}

async fn renames_a_signature_of_the_caller_only(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let (id, before) = created(&h, &user, &uploaded("旧名字", &png(1))).await;

    let reply = rename(&h, &user, &id, "新名字").await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(info(&reply), SignatureInfo { name: "新名字".into(), ..before });
    assert_eq!(list(&h, &user).await.signatures[0].name, "新名字");
    let empty = rename(&h, &user, &id, "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.detail("reason"), Some(&json!("empty")));
    assert_eq!(rename(&h, &user, &new_id(), "新名字").await.status, StatusCode::NOT_FOUND);
    delete(&h, &user, &id).await;
    let gone = rename(&h, &user, &id, "又一个").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{gone:?}");
    assert_eq!(gone.code(), "not_found");
}

async fn sets_the_default_and_deleting_it_leaves_no_default(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let (first, _) = created(&h, &user, &uploaded("一", &png(1))).await;
    let (second, _) = created(&h, &user, &uploaded("二", &png(2))).await;

    let chosen = set_default(&h, &user, Some(&second)).await;

    assert_eq!(chosen.status, StatusCode::OK, "{chosen:?}");
    let chosen: SignatureList = serde_json::from_value(chosen.body).unwrap();
    assert_eq!(chosen.default_id.as_deref(), Some(second.as_str()));
    let flags: Vec<bool> = chosen.signatures.iter().map(|s| s.is_default).collect();
    assert_eq!(flags, [false, true]);

    assert_eq!(delete(&h, &user, &second).await.status, StatusCode::NO_CONTENT);
    let after = list(&h, &user).await;
    assert_eq!(after.default_id, None, "the platform does not pick another");
    assert_eq!(after.signatures.len(), 1);
    assert!(!after.signatures[0].is_default);

    let again = set_default(&h, &user, Some(&first)).await;
    assert_eq!(again.body["default_id"], json!(first));
    let cleared = set_default(&h, &user, None).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["default_id"], Value::Null);
}

async fn the_default_must_be_a_live_signature_of_the_caller(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let other = other_verified(&h).await;
    let (mine, _) = created(&h, &user, &uploaded("一", &png(1))).await;
    let (deleted, _) = created(&h, &user, &uploaded("二", &png(2))).await;
    delete(&h, &user, &deleted).await;
    let (theirs, _) = created(&h, &other, &uploaded("三", &png(3))).await;

    for id in [&deleted, &theirs, &new_id()] {
        let reply = set_default(&h, &user, Some(id)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    assert_eq!(list(&h, &user).await.default_id.as_deref(), Some(mine.as_str()));
    assert_eq!(list(&h, &other).await.default_id.as_deref(), Some(theirs.as_str()));
}

async fn deleting_twice_answers_204_both_times_and_removes_the_files(db: DbConfig) {
    let (h, blobs) = harness(db).await;
    let user = verified(&h).await;
    let (kept, _) = created(&h, &user, &uploaded("留下", &png(1))).await;
    let files_before = files_in(blobs.path());
    let (id, _) = created(&h, &user, &drawn("删掉", &png(2), SVG)).await;
    assert_eq!(files_in(blobs.path()).len(), files_before.len() + 2);

    let first = delete(&h, &user, &id).await;
    let second = delete(&h, &user, &id).await;

    assert_eq!(first.status, StatusCode::NO_CONTENT, "{first:?}");
    assert_eq!(second.status, StatusCode::NO_CONTENT, "{second:?}");
    assert_eq!(files_in(blobs.path()), files_before);
    let ids: Vec<String> = list(&h, &user).await.signatures.into_iter().map(|s| s.id).collect();
    assert_eq!(ids, [kept]);
    let (status, _, _) = fetch(&h, &user, &format!("/api/v1/signatures/{id}/image")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let row = sqlx::query("SELECT deleted_at, png_blob, svg_blob FROM signatures WHERE id = $1")
        .bind(&id)
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<Option<i64>, _>("deleted_at").unwrap(), Some(START));
    assert_eq!(row.try_get::<Option<String>, _>("png_blob").unwrap(), None);
    assert_eq!(row.try_get::<Option<String>, _>("svg_blob").unwrap(), None);
    assert_eq!(delete(&h, &user, &new_id()).await.status, StatusCode::NOT_FOUND);
}

async fn a_create_replayed_after_delete_is_a_conflict(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let body = uploaded("签名", &png(1));
    let (id, _) = created(&h, &user, &body).await;
    delete(&h, &user, &id).await;

    let replay = put(&h, &user, &id, &body).await;

    assert_eq!(replay.status, StatusCode::CONFLICT, "{replay:?}");
    assert_eq!(replay.code(), "conflict");
    assert_eq!(replay.detail("reason"), Some(&json!("deleted")));
    assert!(list(&h, &user).await.signatures.is_empty(), "not brought back");
}

async fn the_image_comes_back_byte_for_byte(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let image = png(7);
    let (id, _) = created(&h, &user, &uploaded("签名", &image)).await;

    let (status, headers, bytes) =
        fetch(&h, &user, &format!("/api/v1/signatures/{id}/image")).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(bytes, image);
    let (status, _, _) = fetch(&h, &user, &format!("/api/v1/signatures/{id}/svg")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an uploaded signature has no SVG");
}

async fn the_svg_is_served_under_a_restrictive_csp(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let (id, _) = created(&h, &user, &drawn("签名", &png(1), SVG)).await;

    let (status, headers, bytes) = fetch(&h, &user, &format!("/api/v1/signatures/{id}/svg")).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/svg+xml");
    assert_eq!(
        headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    assert_eq!(headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(bytes, SVG.as_bytes());
}

async fn an_oversize_body_is_payload_too_large(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let user = verified(&h).await;
    let body =
        json!({ "name": "签名", "kind": "uploaded", "png_base64": "A".repeat(8 * 1024 * 1024) });

    let reply = put(&h, &user, &new_id(), &body).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", reply.status);
    assert_eq!(reply.code(), "payload_too_large");
    // The other signature routes keep the ordinary JSON limit.
    let long = json!({ "name": "x".repeat(100 * 1024) });
    let path = format!("/api/v1/signatures/{}", new_id());
    let renamed = send_json(&h, Method::PATCH, &path, &user, &long).await;
    assert_eq!(renamed.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn requests_without_a_session_are_unauthorized(db: DbConfig) {
    let (h, _blobs) = harness(db).await;
    let id = new_id();

    for (method, path) in [
        (Method::GET, "/api/v1/signatures".to_owned()),
        (Method::PUT, format!("/api/v1/signatures/{id}")),
        (Method::PATCH, format!("/api/v1/signatures/{id}")),
        (Method::DELETE, format!("/api/v1/signatures/{id}")),
        (Method::GET, format!("/api/v1/signatures/{id}/image")),
        (Method::GET, format!("/api/v1/signatures/{id}/svg")),
        (Method::PUT, "/api/v1/signatures/default".to_owned()),
    ] {
        let reply = h.call(method.clone(), &path, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(reply.code(), "unauthorized");
    }
}
