//! Signature maintenance (签名维护) end to end through the real app: drawing on the pad with
//! WebDriver pointer actions, uploading a photo and moving the threshold slider, the default,
//! deleting, and an app killed while its outbox was waiting for the platform's answer.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use fantoccini::key::Key;
use signet_domain::api::SignatureList;
use support::e2e::{scenario, testid, write_on_pad, AppWindow, Desktop};
use support::{Platform, StallingRelay};

/// Waits until the platform keeps `count` signatures for 王芳.
async fn until_platform_keeps(platform: &Platform, count: usize) -> SignatureList {
    let started = std::time::Instant::now();
    loop {
        let list = platform.signatures("staff02", "Signet-demo-2").await;
        if list.signatures.len() == count {
            return list;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the platform keeps {} signatures, not {count}",
            list.signatures.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// From the list: draw, preview, name and save a signature; back on the list afterwards.
async fn draw_and_save(app: &mut AppWindow, name: &str) {
    app.click("sig-new-drawn").await;
    app.find("sig-pad").await;
    write_on_pad(app).await;
    app.screenshot("drawn").await;
    app.click("sig-preview").await;
    app.find("sig-preview-image").await;
    app.type_into("sig-name", name).await;
    app.screenshot("preview").await;
    app.click("sig-save").await;
    app.find("sig-list").await;
}

/// The list row of the signature called `name`.
async fn item_named(app: &AppWindow, name: &str) -> fantoccini::elements::Element {
    let started = std::time::Instant::now();
    loop {
        for item in
            app.client.find_all(fantoccini::Locator::Css(&testid("sig-item"))).await.unwrap()
        {
            let Ok(label) = item.find(fantoccini::Locator::Css(&testid("sig-item-name"))).await
            else {
                continue;
            };
            if label.text().await.unwrap_or_default().trim() == name {
                return item;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no signature called {name}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An attribute of the list row called `name` (rows are re-rendered as the sync state changes,
/// so a row found a moment ago may have been replaced: then it is looked up again).
async fn item_attr(app: &AppWindow, name: &str, attribute: &str) -> Option<String> {
    let started = std::time::Instant::now();
    loop {
        match item_named(app, name).await.attr(attribute).await {
            Ok(value) => return value,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{name}: cannot read {attribute}: {e}"),
        }
    }
}

/// Clicks a control inside the list row called `name`.
async fn click_in_item(app: &AppWindow, name: &str, control: &str) {
    let started = std::time::Instant::now();
    loop {
        let item = item_named(app, name).await;
        let clicked = match item.find(fantoccini::Locator::Css(&testid(control))).await {
            Ok(button) => button.click().await.is_ok(),
            Err(_) => false,
        };
        if clicked {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{name}: cannot click {control}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the list says every change reached the platform.
async fn until_synced(app: &AppWindow) {
    let started = std::time::Instant::now();
    while app.attr("sig-sync-state", "data-state").await.as_deref() != Some("synced") {
        if started.elapsed() > Duration::from_secs(30) {
            let said = app.text("sig-sync-state").await;
            let items = app.client.source().await.unwrap_or_default();
            let items: Vec<&str> =
                items.match_indices("data-sync=\"").map(|(i, _)| &items[i..i + 20]).collect();
            panic!("the signatures never synced: {said:?}, items {items:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn open_signatures_as_wang_fang(app: &mut AppWindow) {
    app.sign_in("staff02", "Signet-demo-2").await;
    app.center().await;
    app.click("entry-signature-button").await;
    app.find("page-signature").await;
}

#[test]
fn draws_two_signatures_sets_the_second_as_default_and_deletes_the_first() {
    scenario("signature-draw", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        open_signatures_as_wang_fang(&mut app).await;
        app.find("sig-empty").await;
        app.screenshot("empty").await;

        draw_and_save(&mut app, "日常签名").await;
        let first_id = item_attr(&app, "日常签名", "data-signature-id").await.unwrap();
        assert_eq!(item_attr(&app, "日常签名", "data-default").await.as_deref(), Some("true"));
        until_synced(&app).await;
        let list = until_platform_keeps(&platform, 1).await;
        assert_eq!(list.signatures[0].id, first_id);
        assert_eq!(list.signatures[0].name, "日常签名");

        draw_and_save(&mut app, "正式签名").await;
        let second_id = item_attr(&app, "正式签名", "data-signature-id").await.unwrap();
        click_in_item(&app, "正式签名", "sig-set-default").await;
        until_synced(&app).await;
        assert_eq!(item_attr(&app, "正式签名", "data-default").await.as_deref(), Some("true"));
        assert_eq!(item_attr(&app, "日常签名", "data-default").await.as_deref(), Some("false"));
        app.screenshot("two-signatures").await;
        let list = until_platform_keeps(&platform, 2).await;
        assert_eq!(list.default_id.as_deref(), Some(second_id.as_str()));

        click_in_item(&app, "日常签名", "sig-delete").await;
        app.find("sig-delete-dialog").await;
        app.screenshot("delete-confirmation").await;
        app.click("sig-confirm-delete").await;
        app.wait_gone("sig-delete-dialog").await;
        until_synced(&app).await;
        let list = until_platform_keeps(&platform, 1).await;
        assert_eq!(list.signatures[0].id, second_id);
        assert!(list.signatures.iter().all(|s| s.id != first_id));
        desktop.close(app).await;
    });
}

/// A phone photo of a signature on unevenly lit paper, written as a JPEG under `dir`.
fn signature_photo(dir: &std::path::Path) -> std::path::PathBuf {
    let (w, h) = (1600u32, 900u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let light = 225.0 + 25.0 * (fx / w as f32) - 35.0 * (fy / h as f32);
        let wave = 450.0 + 120.0 * (fx / 90.0).sin();
        let ink = (fx > 200.0 && fx < 1400.0 && (fy - wave).abs() < 8.0)
            || ((fx - 600.0).abs() < 7.0 && fy > 250.0 && fy < 650.0)
            || ((fx - 1000.0).abs() < 7.0 && fy > 300.0 && fy < 700.0);
        if ink {
            image::Rgb([25, 40, 120])
        } else {
            let v = light.clamp(0.0, 255.0) as u8;
            image::Rgb([v, v, v.saturating_sub(10)])
        }
    });
    let path = dir.join("signature-photo.jpg");
    img.save_with_format(&path, image::ImageFormat::Jpeg).unwrap();
    path
}

#[test]
fn uploads_a_photo_moves_the_threshold_and_saves_the_cleaned_signature() {
    scenario("signature-upload", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        open_signatures_as_wang_fang(&mut app).await;
        app.click("sig-new-upload").await;
        app.find("sig-upload").await;

        // A file that is no image: a precise message, nothing kept.
        let not_an_image = dir.path().join("notes.png");
        std::fs::write(&not_an_image, "this is text, not a picture").unwrap();
        app.wait_for(&testid("sig-file-input"))
            .await
            .send_keys(&not_an_image.display().to_string())
            .await
            .unwrap();
        assert_eq!(app.attr("sig-error", "data-code").await.as_deref(), Some("invalid_signature"));
        app.screenshot("not-an-image").await;

        let photo = signature_photo(dir.path());
        app.wait_for(&testid("sig-file-input"))
            .await
            .send_keys(&photo.display().to_string())
            .await
            .unwrap();
        app.find("sig-original-image").await;
        let auto = app.attr("sig-cleaned-image", "data-threshold").await.unwrap();
        let auto_src = app.attr("sig-cleaned-image", "src").await.unwrap();
        app.screenshot("photo-cleaned").await;

        // The slider by keyboard: each step re-cleans the photo and the preview follows.
        let slider = app.find("sig-threshold").await;
        for _ in 0..10 {
            slider.send_keys(&Key::Left.to_string()).await.unwrap();
        }
        let started = std::time::Instant::now();
        loop {
            let now = app.attr("sig-cleaned-image", "data-threshold").await.unwrap_or_default();
            let src = app.attr("sig-cleaned-image", "src").await.unwrap_or_default();
            if now != auto && src != auto_src && !app.shows("sig-cleaning").await {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the preview never followed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.screenshot("threshold-moved").await;
        app.type_into("sig-name", "扫描签名").await;
        app.click("sig-save").await;
        app.find("sig-list").await;
        assert_eq!(item_attr(&app, "扫描签名", "data-kind").await.as_deref(), Some("uploaded"));
        until_synced(&app).await;
        let list = until_platform_keeps(&platform, 1).await;
        assert_eq!(list.signatures[0].kind, signet_domain::api::SignatureKind::Uploaded);
        app.screenshot("uploaded-saved").await;
        desktop.close(app).await;
    });
}

#[test]
fn an_app_killed_while_its_save_waited_for_an_answer_leaves_exactly_one_copy() {
    scenario("signature-kill", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let relay = StallingRelay::start(platform.addr).await;
        let mut desktop = Desktop::new(&name, &relay.url());
        let mut app = desktop.launch().await;
        open_signatures_as_wang_fang(&mut app).await;

        // The platform acts on what it receives, but no answer gets back to the app.
        relay.stall(true);
        draw_and_save(&mut app, "断网前").await;
        until_platform_keeps(&platform, 1).await;
        assert_ne!(app.attr("sig-sync-state", "data-state").await.as_deref(), Some("synced"));
        desktop.kill(app).await;

        relay.stall(false);
        let mut app = desktop.launch().await;
        app.center().await;
        app.click("entry-signature-button").await;
        item_named(&app, "断网前").await;
        until_synced(&app).await;
        app.screenshot("after-relaunch").await;
        let list = platform.signatures("staff02", "Signet-demo-2").await;
        assert_eq!(list.signatures.len(), 1, "exactly one copy on the platform");
        assert_eq!(list.signatures[0].name, "断网前");
        desktop.close(app).await;
    });
}
