//! Signatures from the app's side against the real platform: drawings and photos become
//! drafts, saved signatures go to the local store and through the outbox to the platform, which
//! ends up with exactly one copy of each whatever the network did.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SignInForm};
use signet_app::signature::cache::SignatureCache;
use signet_app::signature::sync::SignatureSync;
use signet_app::signature::{ItemSync, PhotoSettings, SignatureBoard, Signatures, SyncState};
use signet_domain::api::SignatureUpload;
use signet_domain::signature::{Drawing, InkColor, PenStyle, SignatureStroke, StrokePoint};
use signet_domain::{ErrorCode, Sensitive};
use signet_imaging::InkMode;
use support::Platform;

struct App {
    session: Session,
    signatures: Signatures,
    _dir: tempfile::TempDir,
}

async fn app_signed_in(url: &str, account: &str, password: &str) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = signet_app::store::Store::open(dir.path()).await.unwrap();
    let cache = SignatureCache::new(store.pool().clone());
    let session = Session::new(store, Keyring::new(SERVICE), url, Arc::new(|_| {}));
    let form = SignInForm {
        account: account.into(),
        password: Sensitive::new(password.into()),
        server_url: url.to_string(),
    };
    session.sign_in(form).await.unwrap();
    let signatures = Signatures::new(cache, Arc::new(SignatureSync::new(|| {})));
    App { session, signatures, _dir: dir }
}

/// 王芳, whose real name is verified: she may save signatures.
async fn wang_fang(url: &str) -> App {
    app_signed_in(url, "staff02", "Signet-demo-2").await
}

/// A hand-written name: three "characters" of several strokes each, drawn at a steady pace.
fn handwritten_name() -> Drawing {
    let mut strokes = Vec::new();
    let mut t = 0.0;
    for char_index in 0..3 {
        let left = 40.0 + char_index as f32 * 110.0;
        for stroke_index in 0..3 {
            let mut points = Vec::new();
            for i in 0..24 {
                let s = i as f32 / 23.0;
                let x = left + s * 80.0;
                let y =
                    60.0 + stroke_index as f32 * 25.0 + (s * 9.0 + char_index as f32).sin() * 18.0;
                t += 8.0;
                points.push(StrokePoint { x, y, t, p: 0.5 });
            }
            strokes.push(SignatureStroke { points });
        }
    }
    Drawing { strokes, pen: PenStyle { color: InkColor::Black, width: 3.0 } }
}

async fn save_drawing(app: &App, name: &str) -> SignatureBoard {
    let draft = app.signatures.render_drawing(&app.session, handwritten_name()).await.unwrap();
    assert!(draft.preview.starts_with("data:image/png;base64,"));
    app.signatures.save_draft(&app.session, &draft.draft_id, name).await.unwrap()
}

#[tokio::test]
async fn a_saved_drawing_reaches_the_platform_as_the_previewed_png() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;

    let draft = app.signatures.render_drawing(&app.session, handwritten_name()).await.unwrap();
    let board = app.signatures.save_draft(&app.session, &draft.draft_id, "正式签名").await.unwrap();
    assert_eq!(board.signatures.len(), 1);
    let item = &board.signatures[0];
    assert_eq!(item.thumbnail, draft.preview, "the saved image is the previewed one");
    assert!(item.is_default, "the first signature is the default");
    assert_eq!(item.sync, ItemSync::Pending);

    let report = app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    assert!(report.sent >= 1 && !report.interrupted, "{report:?}");
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.signatures[0].sync, ItemSync::Synced);
    assert_eq!(board.sync.state, SyncState::Synced);

    let list = platform.signatures("staff02", "Signet-demo-2").await;
    assert_eq!(list.signatures.len(), 1);
    assert_eq!(list.signatures[0].id, item.id);
    assert_eq!(list.signatures[0].name, "正式签名");
    assert_eq!(list.default_id.as_deref(), Some(item.id.as_str()));
    // The same PNG bytes: the hash the platform computed matches the preview's bytes.
    let preview_png = base64_payload(&draft.preview);
    assert_eq!(list.signatures[0].png_sha256, signet_app::manual_review::sha256_hex(&preview_png));
}

fn base64_payload(data_url: &str) -> Vec<u8> {
    use base64::Engine as _;
    let payload = data_url.split_once(",").unwrap().1;
    base64::engine::general_purpose::STANDARD.decode(payload).unwrap()
}

#[tokio::test]
async fn changes_made_offline_wait_in_order_and_sync_when_the_platform_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;
    save_drawing(&app, "签名一").await;
    app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();

    platform.halt().await;
    let board = save_drawing(&app, "签名二").await;
    let second = board.signatures.iter().find(|s| s.name == "签名二").unwrap().id.clone();
    app.signatures.set_default(&app.session, &second).await.unwrap();
    let first = board.signatures.iter().find(|s| s.name == "签名一").unwrap().id.clone();
    app.signatures.rename(&app.session, &first, "旧签名").await.unwrap();
    let report = app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    assert!(report.interrupted && report.sent == 0, "{report:?}");
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.sync.state, SyncState::Offline);
    assert_eq!(board.sync.pending, 3, "create, default, rename");
    assert_eq!(board.signatures.len(), 2, "both show offline");
    assert_eq!(board.default_id.as_deref(), Some(second.as_str()));

    platform.resume().await;
    app.signatures.sync().platform_is_back();
    let report = app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    assert!(!report.interrupted, "{report:?}");
    let list = platform.signatures("staff02", "Signet-demo-2").await;
    let names: Vec<_> = list.signatures.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["旧签名", "签名二"]);
    assert_eq!(list.default_id.as_deref(), Some(second.as_str()));
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.sync.state, SyncState::Synced);
    assert!(board.signatures.iter().all(|s| s.sync == ItemSync::Synced));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_sent_again_without_a_second_copy() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;
    let board = save_drawing(&app, "签名").await;
    let item = &board.signatures[0];

    // The first attempt reached the platform, but its answer never came back.
    let cached = app.signatures.cache().list(&owner(&app).await).await.unwrap().remove(0);
    let tokens = platform.sign_in("staff02", "Signet-demo-2").await;
    let upload = SignatureUpload {
        name: "签名".into(),
        kind: cached.kind,
        png_base64: {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(&cached.png)
        },
        svg: cached.svg.clone(),
    };
    let response = support::http()
        .put(format!("{}/api/v1/signatures/{}", platform.url(), item.id))
        .bearer_auth(tokens.access_token.expose())
        .json(&upload)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    let report = app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    assert!(!report.interrupted && report.refused == 0, "{report:?}");
    let list = platform.signatures("staff02", "Signet-demo-2").await;
    assert_eq!(list.signatures.len(), 1, "exactly one copy");
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.signatures.len(), 1);
    assert_eq!(board.sync.state, SyncState::Synced);
}

async fn owner(app: &App) -> signet_app::signature::cache::Owner {
    let (server, user_id) = app.session.owner().await.unwrap();
    signet_app::signature::cache::Owner { server, user_id }
}

#[tokio::test]
async fn an_unverified_user_is_told_that_saving_needs_real_name_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = app_signed_in(&platform.url(), "staff01", "Signet-demo-1").await;
    let board = app.signatures.board(&app.session).await.unwrap();
    assert!(!board.can_save);
    let draft = app.signatures.render_drawing(&app.session, handwritten_name()).await.unwrap();
    let refused =
        app.signatures.save_draft(&app.session, &draft.draft_id, "签名").await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RealNameRequired);
    assert!(app.signatures.board(&app.session).await.unwrap().signatures.is_empty());
}

#[tokio::test]
async fn a_change_the_platform_refuses_is_kept_and_shown_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;
    // Another device already filled the platform's twenty places.
    let tokens = platform.sign_in("staff02", "Signet-demo-2").await;
    let draft = app.signatures.render_drawing(&app.session, handwritten_name()).await.unwrap();
    let png_base64 = draft.preview.split_once(',').unwrap().1.to_string();
    for _ in 0..signet_domain::api::MAX_SIGNATURES {
        let upload = SignatureUpload {
            name: "别处".into(),
            kind: signet_domain::api::SignatureKind::Uploaded,
            png_base64: png_base64.clone(),
            svg: None,
        };
        let id = signet_app::signature::new_id();
        let response = support::http()
            .put(format!("{}/api/v1/signatures/{id}", platform.url()))
            .bearer_auth(tokens.access_token.expose())
            .json(&upload)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let board =
        app.signatures.save_draft(&app.session, &draft.draft_id, "第二十一个").await.unwrap();
    let id = board.signatures[0].id.clone();
    let report = app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    assert!(report.refused >= 1, "{report:?}");
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.sync.state, SyncState::Failed);
    assert_eq!(board.sync.error.as_ref().map(|e| e.code), Some(ErrorCode::SignatureLimit));
    let item = board.signatures.iter().find(|s| s.id == id).unwrap();
    assert_eq!(item.sync, ItemSync::Failed);
    assert_eq!(item.sync_error.as_ref().map(|e| e.code), Some(ErrorCode::SignatureLimit));

    // The user deletes the refused one: nothing is left waiting, and the platform keeps its 20.
    app.signatures.delete(&app.session, &id).await.unwrap();
    app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    let board = app.signatures.board(&app.session).await.unwrap();
    assert_eq!(board.sync.state, SyncState::Synced);
    assert!(board.signatures.iter().all(|s| s.id != id));
    let list = platform.signatures("staff02", "Signet-demo-2").await;
    assert_eq!(list.signatures.len(), signet_domain::api::MAX_SIGNATURES);
    assert_eq!(board.signatures.len(), list.signatures.len(), "the others were taken in");
}

#[tokio::test]
async fn signatures_made_or_deleted_on_another_device_are_taken_in() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let laptop = wang_fang(&platform.url()).await;
    let kiosk = wang_fang(&platform.url()).await;
    save_drawing(&laptop, "笔记本").await;
    laptop.signatures.sync().pass(&laptop.session, laptop.signatures.cache()).await.unwrap();

    kiosk.signatures.sync().pass(&kiosk.session, kiosk.signatures.cache()).await.unwrap();
    let board = kiosk.signatures.board(&kiosk.session).await.unwrap();
    assert_eq!(board.signatures.len(), 1);
    assert_eq!(board.signatures[0].name, "笔记本");
    assert!(board.signatures[0].is_default);
    let laptop_board = laptop.signatures.board(&laptop.session).await.unwrap();
    assert_eq!(board.signatures[0].thumbnail, laptop_board.signatures[0].thumbnail);

    kiosk.signatures.delete(&kiosk.session, &board.signatures[0].id).await.unwrap();
    kiosk.signatures.sync().pass(&kiosk.session, kiosk.signatures.cache()).await.unwrap();
    laptop.signatures.sync().pass(&laptop.session, laptop.signatures.cache()).await.unwrap();
    let laptop_board = laptop.signatures.board(&laptop.session).await.unwrap();
    assert!(laptop_board.signatures.is_empty());
    assert_eq!(laptop_board.default_id, None);
}

#[tokio::test]
async fn a_straight_line_is_refused_with_its_reason_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;
    let points = (0..40)
        .map(|i| StrokePoint { x: 20.0 + i as f32 * 8.0, y: 80.0, t: i as f64 * 10.0, p: 0.5 })
        .collect();
    let line = Drawing {
        strokes: vec![SignatureStroke { points }],
        pen: PenStyle { color: InkColor::Blue, width: 3.0 },
    };
    let refused = app.signatures.render_drawing(&app.session, line).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidSignature);
    assert_eq!(refused.0.details.as_ref().unwrap()["reason"], "straight_line");
    assert!(app.signatures.board(&app.session).await.unwrap().signatures.is_empty());
}

#[tokio::test]
async fn an_uploaded_photo_is_cleaned_and_the_slider_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(dir.path()).await;
    let app = wang_fang(&platform.url()).await;

    let refused =
        app.signatures.load_photo(&app.session, b"GIF89a....".to_vec()).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidSignature);

    let draft = app.signatures.load_photo(&app.session, ink_on_paper_jpeg()).await.unwrap();
    assert!(draft.original.as_deref().unwrap().starts_with("data:image/jpeg;base64,"));
    let auto = draft.auto_threshold.unwrap();
    assert_eq!(draft.threshold, Some(auto));
    let more_ink = PhotoSettings { threshold: Some(auto.saturating_add(25)), ink: InkMode::Black };
    let other = app.signatures.clean_photo(&app.session, &draft.draft_id, more_ink).await.unwrap();
    assert_ne!(other.preview, draft.preview, "the slider changes the result");
    let board = app.signatures.save_draft(&app.session, &draft.draft_id, "扫描件").await.unwrap();
    assert_eq!(board.signatures[0].thumbnail, other.preview, "the last preview is what is saved");
    app.signatures.sync().pass(&app.session, app.signatures.cache()).await.unwrap();
    let list = platform.signatures("staff02", "Signet-demo-2").await;
    assert_eq!(list.signatures.len(), 1);
    assert_eq!(list.signatures[0].kind, signet_domain::api::SignatureKind::Uploaded);
}

/// Dark ink strokes on light, unevenly lit paper, as a phone would photograph them.
fn ink_on_paper_jpeg() -> Vec<u8> {
    let (w, h) = (1200u32, 600u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let light = 215.0 + 30.0 * (x as f32 / w as f32) - 20.0 * (y as f32 / h as f32);
        let fx = x as f32;
        let fy = y as f32;
        let wave = 300.0 + 80.0 * (fx / 60.0).sin();
        let on_stroke = (fx > 150.0 && fx < 1050.0 && (fy - wave).abs() < 7.0)
            || ((fx - 400.0).abs() < 6.0 && fy > 150.0 && fy < 450.0)
            || ((fx - 700.0).abs() < 6.0 && fy > 200.0 && fy < 480.0);
        if on_stroke {
            image::Rgb([30, 35, 60])
        } else {
            let v = light.clamp(0.0, 255.0) as u8;
            image::Rgb([v, v, v.saturating_sub(8)])
        }
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    jpeg.into_inner()
}
