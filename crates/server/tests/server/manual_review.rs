//! Manual review (method E): resumable photo uploads, the server's photo checks, submission,
//! the reviewer console (sign-in, queue, photos, approve/reject, CSRF, audit) and retention.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use signet_domain::api::Role;
use signet_server::{add_user, purge_expired_photos, DbConfig};
use sqlx::Row;
use tower::ServiceExt;

use crate::common::{Harness, Reply};

on_both_backends!(
    chunked_upload_resumes_after_a_drop_and_submit_sets_pending_review,
    out_of_order_chunk_conflicts_with_the_received_offset,
    checksum_mismatch_answers_422_and_restarts_the_upload,
    decompression_bomb_png_is_an_invalid_photo_and_nothing_is_kept,
    non_image_is_an_invalid_photo,
    truncated_jpeg_is_an_invalid_photo,
    oversize_declared_size_is_payload_too_large,
    another_users_verification_and_upload_are_not_found,
    staff_cannot_enter_the_reviewer_console,
    reviewer_approves_and_the_user_is_verified_with_an_audit_row,
    reviewer_rejects_with_a_reason_that_the_status_shows,
    console_forms_need_the_csrf_token_of_the_session,
    retention_deletes_photo_files_and_keeps_the_decision,
    retention_run_command_deletes_abandoned_uploads,
);

const ID: &str = "11010519491231002X";
const NAME: &str = "王芳";
/// The chunk length the tests send (any length up to 1 MiB is accepted; smaller than the
/// suggested 256 KiB so that a test photo spans several chunks).
const CHUNK: usize = 100_000;

/// A 1200×900 textured, bright enough and sharp JPEG that passes the imaging checks. `seed`
/// makes different photos.
fn photo(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    let img = image::RgbImage::from_fn(1200, 900, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 90) as i32 - 45;
        let stripe = if (x / 40 + y / 40) % 2 == 0 { 40 } else { -40 };
        let v = (140 + noise + stripe).clamp(0, 255) as u8;
        image::Rgb([v, v.saturating_add(10), v.saturating_sub(10)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encode a JPEG");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A tiny PNG declaring 50000×50000 pixels.
fn bomb_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 50_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn add_and_sign_in(h: &Harness, account: &str) -> String {
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

async fn verification(h: &Harness, token: &str) -> String {
    let body = json!({ "document_type": "id_card", "number": ID, "name": NAME });
    let reply = post(h, "/api/v1/real-name/identity", token, Some(&body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["verification_id"].as_str().unwrap().to_owned()
}

async fn start(
    h: &Harness,
    token: &str,
    vid: &str,
    kind: &str,
    size: usize,
    sha256: &str,
) -> Reply {
    let body = json!({ "kind": kind, "size": size, "sha256": sha256 });
    post(h, &format!("/api/v1/real-name/{vid}/manual/uploads"), token, Some(&body)).await
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
        .uri(format!("/api/v1/real-name/{vid}/manual/uploads/{upload_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{total}"))
        .body(Body::from(chunk.to_vec()))
        .unwrap();
    h.send(request).await
}

/// Uploads `bytes` whole (in chunks) and answers the last reply.
async fn upload(h: &Harness, token: &str, vid: &str, kind: &str, bytes: &[u8]) -> Reply {
    let started = start(h, token, vid, kind, bytes.len(), &sha(bytes)).await;
    assert_eq!(started.status, StatusCode::OK, "{started:?}");
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    let mut offset = started.body["received"].as_u64().unwrap() as usize;
    loop {
        let end = (offset + CHUNK).min(bytes.len());
        let reply =
            put_chunk(h, token, vid, &upload_id, offset, &bytes[offset..end], bytes.len()).await;
        if reply.status != StatusCode::OK || end == bytes.len() {
            return reply;
        }
        offset = end;
    }
}

/// A user with a verification and both photos uploaded and submitted: (token, vid, review id).
async fn submitted(h: &Harness, account: &str) -> (String, String, String) {
    let token = add_and_sign_in(h, account).await;
    let vid = verification(h, &token).await;
    assert!(upload(h, &token, &vid, "id_front", &photo(1)).await.body["complete"] == true);
    assert!(upload(h, &token, &vid, "holding_id", &photo(2)).await.body["complete"] == true);
    let reply = post(h, &format!("/api/v1/real-name/{vid}/manual/submit"), &token, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let review_id = reply.body["review_id"].as_str().unwrap().to_owned();
    (token, vid, review_id)
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

async fn review_blobs(h: &Harness, review_id: &str) -> Vec<String> {
    let row = sqlx::query("SELECT front_blob, holding_blob FROM manual_reviews WHERE id = $1")
        .bind(review_id)
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    vec![row.try_get("front_blob").unwrap(), row.try_get("holding_blob").unwrap()]
}

/// A raw answer: status, headers, bytes.
async fn raw(h: &Harness, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = h.app().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, bytes.to_vec())
}

async fn console_get(
    h: &Harness,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let (status, headers, bytes) = raw(h, request.body(Body::empty()).unwrap()).await;
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

async fn console_post(
    h: &Harness,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let body =
        form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let (status, headers, bytes) = raw(h, request.body(Body::from(body)).unwrap()).await;
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Adds `reviewer01` and signs in to the console: the `Cookie` header value.
async fn reviewer_cookie(h: &Harness) -> String {
    add_user(&h.state, "reviewer01", "Signet-review-1", "审核员", Role::Reviewer).await.unwrap();
    let (status, headers, _) = console_post(
        h,
        "/review/login",
        None,
        &[("account", "reviewer01"), ("password", "Signet-review-1")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/review");
    let set_cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    set_cookie.split(';').next().unwrap().to_owned()
}

fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

async fn me_status(h: &Harness, token: &str) -> String {
    h.me(token).await.body["real_name_status"].as_str().unwrap().to_owned()
}

async fn chunked_upload_resumes_after_a_drop_and_submit_sets_pending_review(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let front = photo(1);
    assert!(front.len() > 3 * CHUNK, "the photo spans several chunks: {}", front.len());

    let started = start(&h, &token, &vid, "id_front", front.len(), &sha(&front)).await;
    assert_eq!(started.status, StatusCode::OK, "{started:?}");
    assert_eq!(started.body["chunk_size"], 262_144);
    assert_eq!(started.body["received"], 0);
    assert_eq!(started.body["complete"], false);
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    for i in 0..2 {
        let reply = put_chunk(
            &h,
            &token,
            &vid,
            &upload_id,
            i * CHUNK,
            &front[i * CHUNK..(i + 1) * CHUNK],
            front.len(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body["received"], (i + 1) * CHUNK);
    }
    // The network drops; the app asks again with the same photo and learns where to go on.
    let resumed = start(&h, &token, &vid, "id_front", front.len(), &sha(&front)).await;
    assert_eq!(resumed.body["upload_id"], upload_id.as_str());
    assert_eq!(resumed.body["received"], 2 * CHUNK);
    let path = format!("/api/v1/real-name/{vid}/manual/uploads/{upload_id}");
    let status = h.call(Method::GET, &path, Some(&token)).await;
    assert_eq!(status.body["received"], 2 * CHUNK);
    let mut offset = 2 * CHUNK;
    let mut last = status;
    while offset < front.len() {
        let end = (offset + CHUNK).min(front.len());
        last =
            put_chunk(&h, &token, &vid, &upload_id, offset, &front[offset..end], front.len()).await;
        assert_eq!(last.status, StatusCode::OK, "{last:?}");
        offset = end;
    }
    assert_eq!(last.body["complete"], true);
    assert_eq!(last.body["received"], front.len());
    // No partial file is left; the kept photo is a clean JPEG.
    let files = blob_files(h.state.blob_dir());
    assert!(!files.iter().any(|f| f.starts_with(&upload_id)), "{files:?}");

    // Submitting before the second photo is refused.
    let early = post(&h, &format!("/api/v1/real-name/{vid}/manual/submit"), &token, None).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.detail("reason"), Some(&json!("photos_missing")));

    assert_eq!(upload(&h, &token, &vid, "holding_id", &photo(2)).await.body["complete"], true);
    let reply = post(&h, &format!("/api/v1/real-name/{vid}/manual/submit"), &token, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["status"], "pending");
    assert_eq!(reply.body["expected_minutes_min"], 15);
    assert_eq!(reply.body["expected_minutes_max"], 30);
    assert_eq!(me_status(&h, &token).await, "pending_review");
    let review_id = reply.body["review_id"].as_str().unwrap().to_owned();
    for blob in review_blobs(&h, &review_id).await {
        let bytes = std::fs::read(h.state.blob_dir().join(&blob)).unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    }
    let status = h.call(Method::GET, "/api/v1/real-name/manual/status", Some(&token)).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.body["review_id"], review_id.as_str());
    assert_eq!(status.body["status"], "pending");

    // A second pending submission is refused.
    assert_eq!(upload(&h, &token, &vid, "id_front", &photo(3)).await.body["complete"], true);
    assert_eq!(upload(&h, &token, &vid, "holding_id", &photo(4)).await.body["complete"], true);
    let again = post(&h, &format!("/api/v1/real-name/{vid}/manual/submit"), &token, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.detail("reason"), Some(&json!("review_pending")));
}

async fn out_of_order_chunk_conflicts_with_the_received_offset(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let front = photo(1);
    let started = start(&h, &token, &vid, "id_front", front.len(), &sha(&front)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap();

    let reply =
        put_chunk(&h, &token, &vid, upload_id, CHUNK, &front[CHUNK..2 * CHUNK], front.len()).await;

    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "conflict");
    assert_eq!(reply.detail("received"), Some(&json!(0)));
}

async fn checksum_mismatch_answers_422_and_restarts_the_upload(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let front = photo(1);
    let started = start(&h, &token, &vid, "id_front", front.len(), &sha(&photo(9))).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    let mut offset = 0;
    let mut last = None;
    while offset < front.len() {
        let end = (offset + CHUNK).min(front.len());
        last = Some(
            put_chunk(&h, &token, &vid, &upload_id, offset, &front[offset..end], front.len()).await,
        );
        offset = end;
    }
    let last = last.unwrap();

    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY, "{last:?}");
    assert_eq!(last.code(), "checksum_mismatch");
    let path = format!("/api/v1/real-name/{vid}/manual/uploads/{upload_id}");
    let status = h.call(Method::GET, &path, Some(&token)).await;
    assert_eq!(status.body["received"], 0);
    assert_eq!(status.body["complete"], false);
}

async fn decompression_bomb_png_is_an_invalid_photo_and_nothing_is_kept(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let bomb = bomb_png();
    let started = start(&h, &token, &vid, "id_front", bomb.len(), &sha(&bomb)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();

    let reply = put_chunk(&h, &token, &vid, &upload_id, 0, &bomb, bomb.len()).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert_eq!(reply.code(), "invalid_photo");
    assert_eq!(reply.body["details"]["error"]["kind"], "too_many_pixels");
    assert_eq!(h.count("manual_uploads").await, 0);
    let files = blob_files(h.state.blob_dir());
    assert!(!files.iter().any(|f| f.starts_with(&upload_id)), "{files:?}");
    let path = format!("/api/v1/real-name/{vid}/manual/uploads/{upload_id}");
    assert_eq!(h.call(Method::GET, &path, Some(&token)).await.status, StatusCode::NOT_FOUND);
}

async fn truncated_jpeg_is_an_invalid_photo(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let whole = photo(3);
    let truncated = &whole[..whole.len() / 2];

    let reply = upload(&h, &token, &vid, "id_front", truncated).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert_eq!(reply.code(), "invalid_photo");
    assert_eq!(reply.body["details"]["error"]["kind"], "corrupt");
    assert_eq!(h.count("manual_uploads").await, 0);
}

async fn non_image_is_an_invalid_photo(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let text = b"this is not a photo at all, just text".repeat(100);

    let reply = upload(&h, &token, &vid, "holding_id", &text).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert_eq!(reply.code(), "invalid_photo");
    assert_eq!(reply.body["details"]["error"]["kind"], "not_an_image");
    assert_eq!(h.count("manual_uploads").await, 0);
}

async fn oversize_declared_size_is_payload_too_large(db: DbConfig) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;

    let reply = start(&h, &token, &vid, "id_front", 10 * 1024 * 1024 + 1, &sha(b"x")).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "payload_too_large");
    assert_eq!(h.count("manual_uploads").await, 0);
}

async fn another_users_verification_and_upload_are_not_found(db: DbConfig) {
    let h = Harness::new(db).await;
    let owner = add_and_sign_in(&h, "staff01").await;
    let other = add_and_sign_in(&h, "staff02").await;
    let vid = verification(&h, &owner).await;
    let front = photo(1);
    let started = start(&h, &owner, &vid, "id_front", front.len(), &sha(&front)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();

    let start_other = start(&h, &other, &vid, "id_front", front.len(), &sha(&front)).await;
    let put_other = put_chunk(&h, &other, &vid, &upload_id, 0, &front[..CHUNK], front.len()).await;
    let path = format!("/api/v1/real-name/{vid}/manual/uploads/{upload_id}");
    let get_other = h.call(Method::GET, &path, Some(&other)).await;
    let submit_other =
        post(&h, &format!("/api/v1/real-name/{vid}/manual/submit"), &other, None).await;
    let status_other = h.call(Method::GET, "/api/v1/real-name/manual/status", Some(&other)).await;

    for reply in [start_other, put_other, get_other, submit_other, status_other] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    assert_eq!(h.call(Method::GET, &path, Some(&owner)).await.body["received"], 0);
}

async fn staff_cannot_enter_the_reviewer_console(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;

    let (status, headers, page) =
        console_post(&h, "/review/login", None, &[("account", "staff01"), ("password", "pw")])
            .await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("review-forbidden"), "{page}");
    assert!(headers.get(header::SET_COOKIE).is_none());
    let (wrong, _, page) =
        console_post(&h, "/review/login", None, &[("account", "staff01"), ("password", "no")])
            .await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert!(page.contains("login-error"), "{page}");
    let (queue, headers, _) = console_get(&h, "/review", None).await;
    assert_eq!(queue, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/review/login");
    let (login, headers, page) = console_get(&h, "/review/login", None).await;
    assert_eq!(login, StatusCode::OK);
    assert!(page.contains("login-form"));
    assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    let csp = headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
}

async fn reviewer_approves_and_the_user_is_verified_with_an_audit_row(db: DbConfig) {
    let h = Harness::new(db).await;
    let (token, _vid, review_id) = submitted(&h, "staff01").await;
    let cookie = reviewer_cookie(&h).await;
    h.clock.advance(7 * 60);

    let (status, _, queue) = console_get(&h, "/review", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains(&format!("id=\"review-{review_id}\"")), "{queue}");
    assert!(queue.contains("已等待 7 分钟"), "{queue}");

    let (status, _, page) = console_get(&h, &format!("/review/{review_id}"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    for id in ["id=\"approve\"", "id=\"reject-reason\"", "id=\"reject-text\"", "id=\"reject\""] {
        assert!(page.contains(id), "{id}");
    }
    assert!(page.contains(NAME) && page.contains("110***********002X"), "{page}");
    assert!(page.contains(&format!("/review/{review_id}/photo/id_front")));

    // Photos only with the cookie, never cached.
    let photo_path = format!("/review/{review_id}/photo/holding_id");
    let (status, _, _) = console_get(&h, &photo_path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut request = Request::builder().uri(&photo_path).header(header::COOKIE, &cookie);
    request = request.method(Method::GET);
    let (status, headers, bytes) = raw(&h, request.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/jpeg");
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);

    let csrf = csrf_of(&page);
    let (status, headers, _) = console_post(
        &h,
        &format!("/review/{review_id}/approve"),
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/review");

    let me = h.me(&token).await;
    assert_eq!(me.body["real_name_status"], "verified");
    assert_eq!(me.body["identity"]["number"], "110***********002X");
    let audit =
        sqlx::query("SELECT decision, reviewer_id FROM review_decisions WHERE review_id = $1")
            .bind(&review_id)
            .fetch_all(h.state.pool())
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].try_get::<String, _>("decision").unwrap(), "approved");
    let history = h.call(Method::GET, "/api/v1/real-name/attempts", Some(&token)).await;
    assert_eq!(history.body["attempts"][0]["method"], "manual_review");
    assert_eq!(history.body["attempts"][0]["outcome"], "success");
    let status = h.call(Method::GET, "/api/v1/real-name/manual/status", Some(&token)).await;
    assert_eq!(status.body["status"], "approved");
    // Decided ones leave the queue; deciding twice is refused.
    let (_, _, queue) = console_get(&h, "/review", Some(&cookie)).await;
    assert!(!queue.contains(&format!("review-{review_id}")), "{queue}");
    let (status, _, _) = console_post(
        &h,
        &format!("/review/{review_id}/approve"),
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn reviewer_rejects_with_a_reason_that_the_status_shows(db: DbConfig) {
    let h = Harness::new(db).await;
    let (token, _vid, review_id) = submitted(&h, "staff01").await;
    let cookie = reviewer_cookie(&h).await;
    let (_, _, page) = console_get(&h, &format!("/review/{review_id}"), Some(&cookie)).await;
    let csrf = csrf_of(&page);

    let (status, _, _) = console_post(
        &h,
        &format!("/review/{review_id}/reject"),
        Some(&cookie),
        &[("csrf", &csrf), ("reason", "photo_unclear"), ("text", "证件照片反光，<b>看不清</b>")],
    )
    .await;

    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(me_status(&h, &token).await, "rejected");
    let status = h.call(Method::GET, "/api/v1/real-name/manual/status", Some(&token)).await;
    assert_eq!(status.body["status"], "rejected");
    assert_eq!(status.body["reason_code"], "photo_unclear");
    assert_eq!(status.body["reason_text"], "证件照片反光，<b>看不清</b>");
    assert!(status.body["decided_at"].is_i64());
    let history = h.call(Method::GET, "/api/v1/real-name/attempts", Some(&token)).await;
    assert_eq!(history.body["attempts"][0]["outcome"], "failure");
    assert_eq!(history.body["attempts"][0]["reason_code"], "photo_unclear");
    let audit =
        sqlx::query("SELECT decision, reason_code FROM review_decisions WHERE review_id = $1")
            .bind(&review_id)
            .fetch_one(h.state.pool())
            .await
            .unwrap();
    assert_eq!(audit.try_get::<String, _>("decision").unwrap(), "rejected");
    assert_eq!(audit.try_get::<String, _>("reason_code").unwrap(), "photo_unclear");
    // The decided page escapes the reviewer's text.
    let (_, _, page) = console_get(&h, &format!("/review/{review_id}"), Some(&cookie)).await;
    assert!(page.contains("&lt;b&gt;看不清&lt;/b&gt;") && !page.contains("<b>看不清"), "{page}");
}

async fn console_forms_need_the_csrf_token_of_the_session(db: DbConfig) {
    let h = Harness::new(db).await;
    let (token, _vid, review_id) = submitted(&h, "staff01").await;
    let cookie = reviewer_cookie(&h).await;

    let (missing, _, _) =
        console_post(&h, &format!("/review/{review_id}/approve"), Some(&cookie), &[]).await;
    let (wrong, _, _) = console_post(
        &h,
        &format!("/review/{review_id}/reject"),
        Some(&cookie),
        &[("csrf", "0000"), ("reason", "photo_unclear")],
    )
    .await;
    let (logout, _, _) = console_post(&h, "/review/logout", Some(&cookie), &[]).await;

    assert_eq!(missing, StatusCode::FORBIDDEN);
    assert_eq!(wrong, StatusCode::FORBIDDEN);
    assert_eq!(logout, StatusCode::FORBIDDEN);
    assert_eq!(me_status(&h, &token).await, "pending_review");
    assert_eq!(h.count("review_decisions").await, 0);
    // Without a session a form leads to the sign-in page.
    let (status, headers, _) =
        console_post(&h, &format!("/review/{review_id}/approve"), None, &[("csrf", "x")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/review/login");
    // Logging out with the token ends the session.
    let (_, _, page) = console_get(&h, "/review", Some(&cookie)).await;
    let (status, _, _) =
        console_post(&h, "/review/logout", Some(&cookie), &[("csrf", &csrf_of(&page))]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = console_get(&h, "/review", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn retention_deletes_photo_files_and_keeps_the_decision(db: DbConfig) {
    let h = Harness::new(db).await;
    let (_token, _vid, review_id) = submitted(&h, "staff01").await;
    let cookie = reviewer_cookie(&h).await;
    let (_, _, page) = console_get(&h, &format!("/review/{review_id}"), Some(&cookie)).await;
    let (status, _, _) = console_post(
        &h,
        &format!("/review/{review_id}/approve"),
        Some(&cookie),
        &[("csrf", &csrf_of(&page))],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let files: Vec<_> = review_blobs(&h, &review_id)
        .await
        .into_iter()
        .map(|b| h.state.blob_dir().join(b))
        .collect();
    assert!(files.iter().all(|f| f.exists()));

    h.clock.advance(29 * 24 * 60 * 60);
    assert_eq!(purge_expired_photos(&h.state).await.unwrap(), 0);
    assert!(files.iter().all(|f| f.exists()));

    h.clock.advance(2 * 24 * 60 * 60);
    assert_eq!(purge_expired_photos(&h.state).await.unwrap(), 1);

    assert!(files.iter().all(|f| !f.exists()), "{files:?}");
    let row = sqlx::query("SELECT status, photos_deleted_at FROM manual_reviews WHERE id = $1")
        .bind(&review_id)
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("status").unwrap(), "approved");
    assert!(row.try_get::<Option<i64>, _>("photos_deleted_at").unwrap().is_some());
    assert_eq!(h.count("review_decisions").await, 1);
    let cookie = {
        // The console session (8 h) has long expired: sign in again.
        let (_, headers, _) = console_post(
            &h,
            "/review/login",
            None,
            &[("account", "reviewer01"), ("password", "Signet-review-1")],
        )
        .await;
        headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let (status, _, _) =
        console_get(&h, &format!("/review/{review_id}/photo/id_front"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(purge_expired_photos(&h.state).await.unwrap(), 0);
}

async fn retention_run_command_deletes_abandoned_uploads(db: DbConfig) {
    use clap::Parser;

    let h = Harness::new(db.clone()).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let vid = verification(&h, &token).await;
    let front = photo(1);
    let started = start(&h, &token, &vid, "id_front", front.len(), &sha(&front)).await;
    let upload_id = started.body["upload_id"].as_str().unwrap().to_owned();
    put_chunk(&h, &token, &vid, &upload_id, 0, &front[..CHUNK], front.len()).await;
    let part = h.state.blob_dir().join(format!("{upload_id}.part"));
    assert!(part.exists());

    let mut argv: Vec<String> =
        ["signet-server", "retention", "run", "--blob-dir"].into_iter().map(String::from).collect();
    argv.push(h.state.blob_dir().to_str().unwrap().to_owned());
    match &db {
        DbConfig::SqliteFile(file) => {
            argv.extend(["--data-dir".into(), file.parent().unwrap().to_str().unwrap().into()])
        }
        DbConfig::Url(url) => argv.extend(["--database-url".into(), url.clone()]),
    }
    let clock = std::sync::Arc::new(signet_server::ManualClock::new(
        crate::common::START + 2 * 24 * 60 * 60,
    ));
    let cli = signet_server::cli::Cli::try_parse_from(argv).unwrap();
    signet_server::cli::run_with(cli, crate::common::test_settings(clock)).await.unwrap();

    assert!(!part.exists());
    assert_eq!(h.count("manual_uploads").await, 0);
}
