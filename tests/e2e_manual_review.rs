//! Manual review (人工审核认证) end to end: the app uploads the two ID photos, a reviewer decides
//! in the platform's reviewer console (headless Chromium), and the app shows the outcome by
//! itself. Screenshots of the app and the console land in `target/e2e-screens/`.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use fantoccini::Locator;
use support::browser::Browser;
use support::e2e::{as_wang_fang_choose, scenario, AppWindow, Desktop};
use support::Platform;

/// A 1200×900 textured, sharp JPEG that passes the photo checks, written to `dir`.
fn id_photo(dir: &Path, name: &str, seed: u32) -> PathBuf {
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
    let path = dir.join(name);
    img.save_with_format(&path, image::ImageFormat::Jpeg).unwrap();
    path
}

/// Signs in as `staff01`, passes step 1 as 王芳 and submits both photos for manual review.
async fn submit_for_review(app: &mut AppWindow, photos: &Path) {
    as_wang_fang_choose(app, "manual_review").await;
    app.find("rn-manual").await;
    let front = id_photo(photos, "front.jpg", 1);
    let holding = id_photo(photos, "holding.jpg", 2);
    app.wait_for("[data-testid=\"rn-manual-front-input\"]")
        .await
        .send_keys(&front.display().to_string())
        .await
        .unwrap();
    app.find("rn-manual-front-preview").await;
    app.wait_for("[data-testid=\"rn-manual-holding-input\"]")
        .await
        .send_keys(&holding.display().to_string())
        .await
        .unwrap();
    app.find("rn-manual-holding-preview").await;
    app.screenshot("manual-photos").await;
    app.click("rn-manual-submit").await;
    app.find("rn-manual-pending").await;
    app.screenshot("manual-pending").await;
}

/// The reviewer signs in to the console and opens the oldest waiting review.
async fn open_first_review(browser: &Browser, platform: &Platform) {
    let c = &browser.client;
    c.goto(&format!("{}/review/login", platform.url())).await.unwrap();
    c.find(Locator::Id("account")).await.unwrap().send_keys("reviewer01").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("Signet-review-1").await.unwrap();
    c.find(Locator::Id("login")).await.unwrap().click().await.unwrap();
    let first = c.wait().for_element(Locator::Css("#queue a[id^=review-]")).await.unwrap();
    browser.screenshot("console-queue").await;
    first.click().await.unwrap();
    let number = c.wait().for_element(Locator::Id("identity-number")).await.unwrap();
    assert_eq!(number.text().await.unwrap(), "110***********002X");
}

#[test]
fn a_reviewer_approves_the_photos_and_the_app_shows_success_by_itself() {
    scenario("manual-approved", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop =
            Desktop::with_env(&name, &platform.url(), &[("SIGNET_REVIEW_POLL_SECS", "1")]);
        let mut app = desktop.launch().await;
        submit_for_review(&mut app, dir.path()).await;

        let browser = Browser::start().await;
        open_first_review(&browser, &platform).await;
        browser.screenshot("console-review").await;
        browser.client.find(Locator::Id("approve")).await.unwrap().click().await.unwrap();
        browser.client.wait().for_element(Locator::Css("#queue, #queue-empty")).await.unwrap();
        browser.close().await;

        app.find("rn-success").await;
        app.screenshot("manual-approved").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_rejection_reaches_the_app_with_the_reviewers_reason() {
    scenario("manual-rejected", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop =
            Desktop::with_env(&name, &platform.url(), &[("SIGNET_REVIEW_POLL_SECS", "1")]);
        let mut app = desktop.launch().await;
        submit_for_review(&mut app, dir.path()).await;

        let browser = Browser::start().await;
        open_first_review(&browser, &platform).await;
        let reason = browser.client.find(Locator::Id("reject-reason")).await.unwrap();
        reason.select_by_value("not_holding_document").await.unwrap();
        browser.client.find(Locator::Id("reject")).await.unwrap().click().await.unwrap();
        browser.client.wait().for_element(Locator::Css("#queue, #queue-empty")).await.unwrap();
        browser.close().await;

        let failure = app.wait_text("rn-failure", "手持").await;
        assert!(!failure.contains("not_holding_document"), "no raw codes: {failure}");
        app.find("rn-other-methods").await;
        app.screenshot("manual-rejected").await;
        desktop.close(app).await;
    });
}
