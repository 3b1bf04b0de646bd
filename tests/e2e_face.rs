//! Face recognition (人脸识别认证) end to end with the synthetic camera (`SIGNET_CAMERA`): the
//! face-data consent, the preview with its live hint, the digits, the countdown and recording,
//! the review, the upload and the platform's answer (its own liveness analysis of the decoded
//! clip, and the sandbox face comparison); and the page shown without a camera.
//! Screenshots land in `target/e2e-screens/`.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use support::e2e::{
    as_wang_fang_choose, fill_identity, scenario, to_identity_step, AppWindow, Desktop,
};
use support::Platform;

/// A machine whose camera is the synthetic one playing `scenario`.
fn desktop(name: &str, platform: &Platform, scenario: &str) -> Desktop {
    let camera = format!("synthetic:{scenario}");
    Desktop::with_env(name, &platform.url(), &[("SIGNET_CAMERA", camera.as_str())])
}

/// Through the face-data consent to the running preview.
async fn accept_and_preview(app: &mut AppWindow) {
    app.find("rn-face-consent").await;
    app.screenshot("face-consent").await;
    app.click("rn-face-consent-accept").await;
    app.find("rn-face-camera").await;
    // Frames arrive and are shown.
    app.wait_for("[data-testid=\"rn-face-frame\"][data-live=\"true\"]").await;
}

async fn frames_shown(app: &AppWindow) -> u32 {
    app.attr("rn-face-preview", "data-frames").await.and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// With the digits shown: counts down, records, reviews, uploads.
async fn record_and_submit(app: &mut AppWindow) {
    app.wait_for("[data-testid=\"rn-face-hint\"][data-hint=\"ready\"]").await;
    app.click("rn-face-start").await;
    let digits = app.text("rn-face-digits").await;
    let count = digits.chars().filter(char::is_ascii_digit).count();
    assert!((4..=6).contains(&count), "the digits: {digits:?}");
    app.screenshot("face-digits").await;
    app.click("rn-face-record").await;
    app.find("rn-face-recording").await;
    app.find("rn-face-ring").await;
    app.screenshot("face-recording").await;
    // The review, or what kept the recording from it.
    let css = "[data-testid=\"rn-face-review\"], [data-testid=\"rn-face-error\"][data-code], \
               [data-testid=\"rn-face-record-failed\"]";
    let shown = app.wait_for(css).await;
    let id = shown.attr("data-testid").await.unwrap();
    if id.as_deref() != Some("rn-face-review") {
        let code = shown.attr("data-code").await.unwrap();
        panic!("the recording failed: {id:?} {code:?} {}", shown.text().await.unwrap());
    }
    app.find("rn-face-filmstrip").await;
    app.screenshot("face-review").await;
    app.click("rn-face-submit").await;
}

#[test]
fn the_preview_shows_the_camera_with_its_hint_and_keeps_coming() {
    scenario("face-preview", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = desktop(&name, &platform, "talking_head");
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "face").await;
        accept_and_preview(&mut app).await;
        app.wait_for("[data-testid=\"rn-face-hint\"][data-hint=\"ready\"]").await;
        assert!(app.text("rn-face-hint").await.contains("可以开始"));
        app.screenshot("face-preview").await;
        // Each frame is acknowledged, so more keep coming.
        let first = frames_shown(&app).await;
        let started = Instant::now();
        while frames_shown(&app).await < first + 5 {
            assert!(started.elapsed() < Duration::from_secs(30), "the preview froze");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Leaving the page releases the camera: the preview stops.
        app.click("rn-back-to-methods").await;
        app.find("rn-method-list").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_dark_room_says_face_the_light_and_start_waits() {
    scenario("face-dark", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = desktop(&name, &platform, "dark");
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "face").await;
        accept_and_preview(&mut app).await;
        app.wait_for("[data-testid=\"rn-face-hint\"][data-hint=\"too_dark\"]").await;
        assert!(app.text("rn-face-hint").await.contains("面向光源"));
        assert!(!app.find("rn-face-start").await.is_enabled().await.unwrap());
        app.screenshot("face-too-dark").await;
        desktop.close(app).await;
    });
}

#[test]
fn without_a_camera_the_page_says_what_to_do_and_offers_other_methods() {
    scenario("face-no-camera", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        // This machine has no camera: the real camera path answers "no camera".
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "face").await;
        app.click("rn-face-consent-accept").await;
        app.find("rn-face-camera-error").await;
        let reason = app.attr("rn-face-camera-problem", "data-reason").await;
        assert_eq!(reason.as_deref(), Some("no_camera"));
        assert!(app.text("rn-face-camera-problem").await.contains("请连接摄像头"));
        app.find("rn-face-camera-retry").await;
        app.screenshot("face-no-camera").await;
        app.click("rn-face-other-methods").await;
        app.find("rn-method-list").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_talking_head_reading_the_digits_is_verified() {
    scenario("face-success", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = desktop(&name, &platform, "talking_head");
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "face").await;
        accept_and_preview(&mut app).await;
        record_and_submit(&mut app).await;
        app.find("rn-success").await;
        app.screenshot("face-success").await;
        app.click("rn-done").await;
        app.wait_text("real-name-badge", "已实名认证").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_held_up_photo_fails_with_its_next_steps_and_both_choices() {
    scenario("face-photo", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = desktop(&name, &platform, "held_up_photo");
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "face").await;
        accept_and_preview(&mut app).await;
        record_and_submit(&mut app).await;
        app.find("rn-failure").await;
        let reasons = app.text("rn-face-reasons").await;
        assert!(!reasons.contains('_'), "no raw codes: {reasons}");
        // rigid_motion's next step: the platform saw a picture moved as a whole.
        assert!(reasons.contains("请本人直接面对摄像头"), "{reasons}");
        app.screenshot("face-photo-failure").await;
        app.find("rn-modify").await;
        app.click("rn-other-methods").await;
        app.find("rn-method-list").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_face_that_does_not_match_the_record_says_so() {
    scenario("face-mismatch", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = desktop(&name, &platform, "talking_head");
        let mut app = desktop.launch().await;
        // 张伟: the sandbox face comparison never matches.
        to_identity_step(&mut app).await;
        fill_identity(&app, "id_card", "110105199001010037", "张伟").await;
        app.click("rn-identity-submit").await;
        app.click("rn-method-face").await;
        accept_and_preview(&mut app).await;
        record_and_submit(&mut app).await;
        app.find("rn-failure").await;
        app.wait_text("rn-face-reasons", "证件照片不一致").await;
        app.screenshot("face-mismatch").await;
        app.find("rn-modify").await;
        app.find("rn-other-methods").await;
        desktop.close(app).await;
    });
}
