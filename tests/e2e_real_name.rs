//! Real-name authentication through the real app: consent, step 1, the method chooser, the
//! methods against the platform's sandbox providers, and the success and failure pages.
//! Screenshots of every screen land in `target/e2e-screens/`.

#![allow(clippy::unwrap_used)]

mod support;

use support::e2e::{as_wang_fang_choose, fill_identity, scenario, to_identity_step, Desktop};
use support::Platform;

/// The latest SMS code the sandbox carrier "sent" to `phone`.
async fn sandbox_sms_code(platform: &Platform, phone: &str) -> String {
    let body: serde_json::Value = support::http()
        .get(format!("{}/sandbox/sms.json?phone={phone}", platform.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["messages"][0]["code"].as_str().unwrap().to_string()
}

#[test]
fn passes_bank_card_authentication_then_sees_success_page() {
    scenario("rn-bank-success", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        to_identity_step(&mut app).await;

        // A wrong check character is named precisely while typing.
        fill_identity(&app, "id_card", "110105194912310021", "王芳").await;
        app.find("rn-name").await.click().await.unwrap();
        let error = app.wait_text("rn-number-error", "X").await;
        assert!(error.contains("校验码"), "{error}");
        app.screenshot("identity-wrong-check").await;

        fill_identity(&app, "id_card", "11010519491231002X", "王芳").await;
        app.wait_gone("rn-number-error").await;
        app.screenshot("identity-filled").await;
        app.click("rn-identity-submit").await;
        app.find("rn-methods").await;
        app.screenshot("methods").await;

        app.click("rn-method-bank_card").await;
        app.find("rn-bank-card").await;
        app.type_into("rn-card-number", "6222 0200 0000 0000 018").await;
        app.type_into("rn-bank-phone", "13800138000").await;
        app.screenshot("bank-card").await;
        app.click("rn-bank-submit").await;
        app.find("rn-success").await;
        app.screenshot("success").await;

        app.click("rn-done").await;
        app.center().await;
        app.wait_text("real-name-badge", "已实名认证").await;
        assert!(app.text("profile-identity").await.contains("110***********002X"));
        app.find("rn-history-item").await;
        app.screenshot("center-verified").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_bank_card_mismatch_ends_on_the_failure_page_with_both_choices() {
    scenario("rn-bank-failure", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "bank_card").await;
        app.type_into("rn-card-number", "6222020000000000026").await;
        app.type_into("rn-bank-phone", "13800138000").await;
        app.click("rn-bank-submit").await;

        let failure = app.wait_text("rn-failure", "手机号").await;
        assert!(!failure.contains("elements_mismatch"), "no raw codes: {failure}");
        app.find("rn-modify").await;
        app.find("rn-other-methods").await;
        app.screenshot("failure").await;

        // "Modify information": back to step 1 with the fields kept.
        app.click("rn-modify").await;
        app.find("rn-identity").await;
        let number = app.find("rn-number").await.prop("value").await.unwrap();
        assert_eq!(number.as_deref(), Some("11010519491231002X"));
        app.screenshot("modify-kept").await;

        // "Try other methods": back to the chooser.
        app.click("rn-identity-submit").await;
        app.click("rn-method-bank_card").await;
        app.type_into("rn-card-number", "6222020000000000034").await;
        app.type_into("rn-bank-phone", "13800138000").await;
        app.click("rn-bank-submit").await;
        app.wait_text("rn-failure", "姓名").await;
        app.click("rn-other-methods").await;
        app.find("rn-methods").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_passport_holder_can_only_choose_manual_review() {
    scenario("rn-passport", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        to_identity_step(&mut app).await;
        fill_identity(&app, "passport", "E12345678", "李明").await;
        app.click("rn-identity-submit").await;
        app.find("rn-methods").await;
        for method in ["bank_card", "alipay", "phone", "face"] {
            let button = app.find(&format!("rn-method-{method}")).await;
            assert!(!button.is_enabled().await.unwrap(), "{method} must be disabled");
        }
        assert!(app.find("rn-method-manual_review").await.is_enabled().await.unwrap());
        app.wait_text("rn-methods", "仅支持人工审核").await;
        app.screenshot("passport-methods").await;
        desktop.close(app).await;
    });
}

#[test]
fn passes_phone_authentication_after_one_wrong_sms_code() {
    scenario("rn-phone", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "phone").await;
        app.find("rn-phone").await;
        app.type_into("rn-phone-number", "13800138000").await;
        app.click("rn-phone-send").await;
        app.wait_text("rn-phone", "138****8000").await;
        app.find("rn-sms-code").await;
        app.wait_text("rn-sms-resend", "秒").await;
        app.screenshot("sms-sent").await;

        let code = sandbox_sms_code(&platform, "13800138000").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        app.type_into("rn-sms-code", wrong).await;
        app.click("rn-sms-confirm").await;
        app.wait_text("rn-sms-wrong", "4").await;
        app.screenshot("sms-wrong").await;

        app.type_into("rn-sms-code", &code).await;
        app.click("rn-sms-confirm").await;
        app.find("rn-success").await;
        app.screenshot("phone-success").await;
        desktop.close(app).await;
    });
}

#[test]
fn a_phone_registered_to_someone_else_fails_with_the_reason() {
    scenario("rn-phone-mismatch", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "phone").await;
        app.type_into("rn-phone-number", "13900139000").await;
        app.click("rn-phone-send").await;
        app.find("rn-failure").await;
        app.find("rn-other-methods").await;
        app.screenshot("phone-mismatch").await;
        desktop.close(app).await;
    });
}

#[test]
fn passes_alipay_authentication_in_the_apps_own_window() {
    scenario("rn-alipay", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "alipay").await;
        app.find("rn-alipay").await;
        app.screenshot("alipay-intro").await;
        let main = app.client.window().await.unwrap();
        app.click("rn-alipay-start").await;
        app.find("rn-alipay-waiting").await;
        app.screenshot("alipay-waiting").await;

        // The authorization page opens in a second window of the app.
        let alipay = app.wait_for_other_window(&main).await;
        app.client.switch_to_window(alipay).await.unwrap();
        // The platform's page (not the app's UI) names its elements by id.
        let identity = app.wait_for("#alipay-identity-number").await.text().await.unwrap();
        assert_eq!(identity, "110***********002X");
        app.screenshot("alipay-page").await;
        app.wait_for("#alipay-agree").await.click().await.unwrap();

        // The app learns the result by itself, closes that window and shows success.
        app.client.switch_to_window(main).await.unwrap();
        app.find("rn-success").await;
        app.screenshot("alipay-success").await;
        assert_eq!(app.client.windows().await.unwrap().len(), 1, "the Alipay window closed");
        desktop.close(app).await;
    });
}

#[test]
fn closing_the_alipay_window_ends_on_the_failure_page() {
    scenario("rn-alipay-closed", |name| async move {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(dir.path()).await;
        let mut desktop = Desktop::new(&name, &platform.url());
        let mut app = desktop.launch().await;
        as_wang_fang_choose(&mut app, "alipay").await;
        let main = app.client.window().await.unwrap();
        app.click("rn-alipay-start").await;
        app.wait_for_other_window(&main).await;

        // The user gives up from the app: the authorization window closes, the session ends.
        app.click("rn-alipay-cancel").await;
        let failure = app.wait_text("rn-failure", "窗口已关闭").await;
        assert!(!failure.contains("window_closed"), "no raw codes: {failure}");
        app.find("rn-other-methods").await;
        app.screenshot("alipay-window-closed").await;
        assert_eq!(app.client.windows().await.unwrap().len(), 1);
        desktop.close(app).await;
    });
}
