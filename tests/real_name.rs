//! Real-name authentication from the app's side: step 1 checked locally with precise errors,
//! then the platform's methods over real HTTP against the sandbox providers.

#![allow(clippy::unwrap_used)]

mod support;

use signet_app::real_name::{self, BankCardForm, MethodInput};
use signet_app::session::{Session, SessionView};
use signet_domain::api::{AttemptOutcome, MismatchedElement, RealNameStatus};
use signet_domain::identity::{DocumentType, IdentityInput, VerificationMethod};
use signet_domain::{ErrorCode, Sensitive};
use support::Platform;

async fn signed_in(platform: &Platform, dir: &std::path::Path, account: &str, pw: &str) -> Session {
    support::app_session(platform, dir, account, pw).await
}

/// A platform with the demo accounts, and an app signed in to it as `staff01`. Keep every
/// field bound: dropping `platform` stops its server.
struct Fixture {
    platform: Platform,
    session: Session,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Fixture {
    async fn new() -> Self {
        let server_dir = tempfile::tempdir().unwrap();
        let platform = Platform::start(server_dir.path()).await;
        let app_dir = tempfile::tempdir().unwrap();
        let session = signed_in(&platform, app_dir.path(), "staff01", "Signet-demo-1").await;
        Self { platform, session, _dirs: (server_dir, app_dir) }
    }
}

/// Step 1 with the sandbox providers' test identity, 王芳.
async fn submit_wang_fang(session: &Session) -> signet_domain::api::IdentityAccepted {
    let input = identity(DocumentType::IdCard, "11010519491231002X", "王芳");
    real_name::submit_identity(session, input).await.unwrap()
}

fn identity(document_type: DocumentType, number: &str, name: &str) -> IdentityInput {
    IdentityInput { document_type, number: Sensitive::new(number.into()), name: name.into() }
}

fn first_error_kind(check: &real_name::IdentityCheck) -> String {
    let json = serde_json::to_value(&check.errors[0]).unwrap();
    json["error"]["kind"].as_str().unwrap().to_string()
}

#[test]
fn step_one_says_exactly_what_is_wrong_as_the_user_types() {
    let wrong_check =
        real_name::check_identity(&identity(DocumentType::IdCard, "110105194912310021", "王芳"));
    assert!(!wrong_check.valid);
    let json = serde_json::to_value(&wrong_check.errors[0]).unwrap();
    assert_eq!(json["field"], "number");
    assert_eq!(json["error"]["kind"], "wrong_check_character");
    assert_eq!(json["error"]["expected"], "X");

    let no_such_day =
        real_name::check_identity(&identity(DocumentType::IdCard, "110105194902300024", "王芳"));
    assert_eq!(first_error_kind(&no_such_day), "invalid_birth_date");

    let legacy =
        real_name::check_identity(&identity(DocumentType::IdCard, "110105491231002", "王芳"));
    assert!(legacy.valid);
    assert_eq!(legacy.converted_number.as_deref(), Some("11010519491231002X"));

    let permit_as_id =
        real_name::check_identity(&identity(DocumentType::IdCard, "H12345678", "王芳"));
    assert_eq!(permit_as_id.inferred_type, Some(DocumentType::HkMacaoPermit));

    let digits_in_name =
        real_name::check_identity(&identity(DocumentType::IdCard, "11010519491231002X", "王芳2"));
    assert_eq!(first_error_kind(&digits_in_name), "digit");
}

#[test]
fn a_luhn_failure_only_warns_but_a_short_card_is_an_error() {
    let luhn = real_name::check_method_input(&MethodInput::BankCard(Sensitive::new(
        "6222 0200 0000 0000 019".into(),
    )));
    assert!(luhn.valid);
    assert_eq!(serde_json::to_value(&luhn.warnings).unwrap()[0]["kind"], "luhn_failed");
    assert_eq!(luhn.masked.as_deref(), Some("**** **** **** 0019"));
    let short =
        real_name::check_method_input(&MethodInput::BankCard(Sensitive::new("6222".into())));
    assert!(!short.valid);
    let phone = real_name::check_method_input(&MethodInput::Phone(Sensitive::new(
        "+86 138-0013-8000".into(),
    )));
    assert_eq!(phone.masked.as_deref(), Some("138****8000"));
}

#[tokio::test]
async fn consent_is_remembered_per_user() {
    let Fixture { platform, session, _dirs: dirs } = Fixture::new().await;
    assert!(!real_name::consent(&session).await.unwrap().accepted);
    real_name::accept_consent(&session).await.unwrap();
    assert!(real_name::consent(&session).await.unwrap().accepted);
    session.sign_out().await.unwrap();

    let other = signed_in(&platform, dirs.1.path(), "reviewer01", "Signet-review-1").await;
    assert!(!real_name::consent(&other).await.unwrap().accepted, "another user asks again");
    other.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_invalid_identity_is_refused_before_it_is_sent() {
    let Fixture { session, _dirs, platform: _platform } = Fixture::new().await;
    let err = real_name::submit_identity(
        &session,
        identity(DocumentType::IdCard, "440524188001010014", "李明"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(err.0.details.unwrap()["errors"][0]["error"]["kind"], "birth_date_before1900");
    let history = real_name::attempt_history(&session).await.unwrap();
    assert!(history.attempts.is_empty());
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_passport_holder_is_offered_manual_review_only() {
    let Fixture { session, _dirs, platform: _platform } = Fixture::new().await;
    let accepted =
        real_name::submit_identity(&session, identity(DocumentType::Passport, "E12345678", "李明"))
            .await
            .unwrap();
    let available: Vec<_> =
        accepted.methods.iter().filter(|m| m.available).map(|m| m.method).collect();
    assert_eq!(available, vec![VerificationMethod::ManualReview]);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_matching_bank_card_verifies_the_user_and_a_mismatch_names_the_element() {
    let Fixture { platform, session, _dirs } = Fixture::new().await;
    let accepted = submit_wang_fang(&session).await;
    let form = |card: &str| BankCardForm {
        verification_id: accepted.verification_id.clone(),
        card_number: Sensitive::new(card.into()),
        phone: Sensitive::new("13800138000".into()),
    };

    let mismatch =
        real_name::verify_bank_card(&session, form("6222 0200 0000 0000 026")).await.unwrap();
    assert_eq!(mismatch.outcome, AttemptOutcome::Failure);
    assert_eq!(mismatch.mismatched_element, Some(MismatchedElement::Phone));

    platform.clock.advance(60);
    let timeout =
        real_name::verify_bank_card(&session, form("6222020000000000059")).await.unwrap_err();
    assert_eq!(timeout.code(), ErrorCode::ProviderTimeout);

    platform.clock.advance(60);
    let success = real_name::verify_bank_card(&session, form("6222020000000000018")).await.unwrap();
    assert_eq!(success.outcome, AttemptOutcome::Success);

    let view = session.refresh_profile().await.unwrap();
    let SessionView::SignedIn { profile, .. } = view else { panic!("signed out") };
    assert_eq!(profile.real_name_status, RealNameStatus::Verified);
    assert_eq!(profile.identity.unwrap().number, "110***********002X");

    let history = real_name::attempt_history(&session).await.unwrap();
    let outcomes: Vec<_> = history.attempts.iter().map(|a| a.outcome).collect();
    assert_eq!(outcomes.first(), Some(&AttemptOutcome::Success), "newest first");
    assert!(outcomes.contains(&AttemptOutcome::Failure));
    let json = serde_json::to_string(&history).unwrap();
    assert!(!json.contains("11010519491231002X") && !json.contains("6222020000000000018"));
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn another_users_verification_is_not_found() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let dir_a = tempfile::tempdir().unwrap();
    let a = signed_in(&platform, dir_a.path(), "staff01", "Signet-demo-1").await;
    let accepted = submit_wang_fang(&a).await;
    let dir_b = tempfile::tempdir().unwrap();
    let b = signed_in(&platform, dir_b.path(), "reviewer01", "Signet-review-1").await;
    let err = real_name::verify_bank_card(
        &b,
        BankCardForm {
            verification_id: accepted.verification_id.clone(),
            card_number: Sensitive::new("6222020000000000018".into()),
            phone: Sensitive::new("13800138000".into()),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let err = real_name::verify_bank_card(
        &b,
        BankCardForm {
            verification_id: "../../auth/sign-out".into(),
            card_number: Sensitive::new("6222020000000000018".into()),
            phone: Sensitive::new("13800138000".into()),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "path injection refused locally");
    a.sign_out().await.unwrap();
    b.sign_out().await.unwrap();
}

/// Plays the user on the sandbox Alipay page: picks `account` and agrees.
async fn agree_on_alipay_page(platform: &Platform, authorize_path: &str, account: &str) {
    let page =
        support::http().get(format!("{}{authorize_path}", platform.url())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("110***********002X") && !html.contains("11010519491231002X"));
    let token = authorize_path.split("token=").nth(1).unwrap();
    let done = support::http()
        .post(format!("{}/sandbox/alipay/authorize/agree", platform.url()))
        .form(&[("token", token), ("account", account)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
}

#[tokio::test]
async fn alipay_authorization_in_the_apps_window_verifies_the_user() {
    let Fixture { platform, session, _dirs } = Fixture::new().await;
    let accepted = submit_wang_fang(&session).await;
    let started = real_name::start_alipay(&session, &accepted.verification_id).await.unwrap();
    let url = session.client().await.unwrap().page_url(&started.authorize_path).unwrap();
    assert!(url.as_str().starts_with(&platform.url()), "the page is the platform's own: {url}");

    let waiting = real_name::await_alipay(
        &session,
        &accepted.verification_id,
        &started.session_id,
        || false,
        std::time::Duration::from_millis(50),
    );
    let user = agree_on_alipay_page(&platform, &started.authorize_path, "wangfang@sandbox.alipay");
    let (result, ()) = tokio::join!(waiting, user);
    assert_eq!(result.unwrap().outcome, AttemptOutcome::Success);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn closing_the_alipay_window_ends_on_a_window_closed_failure() {
    let Fixture { session, _dirs, platform: _platform } = Fixture::new().await;
    let accepted = submit_wang_fang(&session).await;
    let started = real_name::start_alipay(&session, &accepted.verification_id).await.unwrap();
    let result = real_name::await_alipay(
        &session,
        &accepted.verification_id,
        &started.session_id,
        || true,
        std::time::Duration::from_millis(10),
    )
    .await
    .unwrap();
    assert_eq!(result.outcome, AttemptOutcome::Failure);
    assert_eq!(result.reason_code, Some(signet_domain::api::FailureReason::WindowClosed));
    session.sign_out().await.unwrap();
}
