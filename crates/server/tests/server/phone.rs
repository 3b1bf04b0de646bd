//! The phone method (手机号认证): the sandbox carrier, SMS challenges, the sandbox outbox.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use clap::Parser;
use serde_json::{json, Value};
use signet_server::cli::{format_sms, run_with, Cli};
use signet_server::{sandbox_sms_messages, AppState, DbConfig, ManualClock, SANDBOX_PHONES};
use tower::ServiceExt;

use crate::common::{test_settings, Harness, Reply, START, TABLES};

on_both_backends!(
    phone_success_path_verifies_the_user_and_me_shows_verified,
    carrier_mismatch_names_the_element_and_records_the_attempt,
    virtual_operator_number_fails_the_carrier_check_with_a_warning,
    carrier_timeout_answers_provider_timeout_and_is_not_counted,
    code_expires_after_five_minutes_and_counts_one_failed_attempt,
    five_wrong_codes_void_the_code_and_count_one_failed_attempt,
    wrong_code_reports_the_tries_left,
    resend_before_sixty_seconds_is_refused_with_retry_after,
    resend_voids_the_previous_code,
    eleventh_code_of_the_day_for_a_number_is_refused_with_sms_daily_limit,
    another_users_verification_id_is_not_found,
    confirm_and_resend_before_any_code_was_sent_are_not_found,
    sandbox_outbox_page_lists_the_code_newest_first,
    sandbox_pages_are_not_found_when_sandbox_mode_is_off,
    sandbox_sms_command_prints_the_latest_codes,
    no_full_phone_number_or_code_is_stored_outside_the_sandbox_outbox,
    malformed_phone_and_code_bodies_are_refused_with_clear_errors,
);

const ID: &str = "11010519491231002X";
const NAME: &str = "王芳";
const PHONE: &str = "13800138000";
const PHONE_OTHER_HOLDER: &str = "13900139000";
const PHONE_NAME_DIFFERS: &str = "13700137000";
const PHONE_ID_DIFFERS: &str = "13600136000";
const PHONE_TIMEOUT: &str = "13500135000";
const PHONE_VIRTUAL: &str = "17000000000";

async fn add_and_sign_in(h: &Harness, account: &str) -> String {
    h.add_staff(account, "pw").await;
    sign_in(h, account).await
}

async fn sign_in(h: &Harness, account: &str) -> String {
    h.sign_in(account, "pw").await.tokens().access_token.expose().clone()
}

async fn post(h: &Harness, path: &str, token: Option<&str>, body: Option<&Value>) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("x-signet-app-version", "0.1.0-test");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    h.send(request.body(body).unwrap()).await
}

/// Submits 王芳's textbook identity and returns the verification id.
async fn submit_ok(h: &Harness, token: &str) -> String {
    let body = json!({ "document_type": "id_card", "number": ID, "name": NAME });
    let reply = post(h, "/api/v1/real-name/identity", Some(token), Some(&body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["verification_id"].as_str().unwrap().to_owned()
}

async fn start(h: &Harness, token: &str, id: &str, phone: &str) -> Reply {
    let body = json!({ "phone": phone });
    post(h, &format!("/api/v1/real-name/{id}/phone"), Some(token), Some(&body)).await
}

async fn resend(h: &Harness, token: &str, id: &str) -> Reply {
    post(h, &format!("/api/v1/real-name/{id}/phone/resend"), Some(token), None).await
}

async fn confirm(h: &Harness, token: &str, id: &str, code: &str) -> Reply {
    let body = json!({ "code": code });
    post(h, &format!("/api/v1/real-name/{id}/phone/confirm"), Some(token), Some(&body)).await
}

/// The codes sent to `phone`, newest first, from the sandbox outbox.
async fn codes(h: &Harness, phone: &str) -> Vec<String> {
    let reply = h.call(Method::GET, &format!("/sandbox/sms.json?phone={phone}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn latest_code(h: &Harness, phone: &str) -> String {
    codes(h, phone).await.into_iter().next().expect("a code in the outbox")
}

/// A code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_owned()
}

async fn history(h: &Harness, token: &str) -> Vec<Value> {
    let reply = h.call(Method::GET, "/api/v1/real-name/attempts", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["attempts"].as_array().unwrap().clone()
}

/// A harness with one signed-in staff member and a step-1 submission.
async fn ready(db: DbConfig) -> (Harness, String, String) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let id = submit_ok(&h, &token).await;
    (h, token, id)
}

async fn phone_success_path_verifies_the_user_and_me_shows_verified(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    let started = start(&h, &token, &id, "+86 138-0013-8000").await;

    assert_eq!(started.status, StatusCode::OK, "{started:?}");
    assert_eq!(started.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(
        started.body,
        json!({ "status": "code_sent",
                "challenge": { "masked_phone": "138****8000", "expires_in": 300,
                               "resend_after": 60, "codes_left_today": 9 } })
    );
    let code = latest_code(&h, PHONE).await;
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    // Nothing is counted until the method ends.
    assert!(history(&h, &token).await.is_empty());

    h.clock.advance(30);
    let reply = confirm(&h, &token, &id, &format!(" {} {} ", &code[..3], &code[3..])).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body, json!({ "outcome": "success" }));
    let me = h.me(&token).await;
    assert_eq!(me.body["real_name_status"], "verified");
    assert_eq!(
        me.body["identity"],
        json!({ "document_type": "id_card", "number": "110***********002X", "name": "王芳" })
    );
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["method"], "phone");
    assert_eq!(attempts[0]["outcome"], "success");
    assert_eq!(attempts[0]["app_version"], "0.1.0-test");
    // The code cannot be used twice, nor the verification.
    let again = confirm(&h, &token, &id, &code).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert_eq!(again.detail("reason"), Some(&json!("already_verified")));
}

async fn carrier_mismatch_names_the_element_and_records_the_attempt(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    for (phone, element, left) in [
        (PHONE_OTHER_HOLDER, "phone", 4),
        (PHONE_NAME_DIFFERS, "name", 3),
        (PHONE_ID_DIFFERS, "id_number", 2),
        ("13312345678", "phone", 1),
    ] {
        // A second apart, so that the history's order is defined.
        h.clock.advance(1);
        let reply = start(&h, &token, &id, phone).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(
            reply.body,
            json!({ "status": "failed",
                    "result": { "outcome": "failure", "reason_code": "elements_mismatch",
                                "mismatched_element": element, "attempts_left": left } }),
            "{phone}"
        );
    }

    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 4);
    assert!(attempts.iter().all(|a| a["method"] == "phone" && a["outcome"] == "failure"));
    let elements: Vec<_> = attempts.iter().map(|a| a["mismatched_element"].clone()).collect();
    assert_eq!(elements, [json!("phone"), json!("id_number"), json!("name"), json!("phone")]);
    assert!(attempts.iter().all(|a| a["reason_code"] == "elements_mismatch"));
    // No code was sent for a mismatch.
    assert_eq!(h.count("sms_challenges").await, 0);
    assert_eq!(h.count("sandbox_sms_outbox").await, 0);
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn virtual_operator_number_fails_the_carrier_check_with_a_warning(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    let reply = start(&h, &token, &id, PHONE_VIRTUAL).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({ "status": "failed",
                "result": { "outcome": "failure", "reason_code": "carrier_check_unsupported",
                            "attempts_left": 4,
                            "warnings": [{ "kind": "virtual_operator", "prefix": "170" }] } })
    );
    assert_eq!(history(&h, &token).await[0]["reason_code"], "carrier_check_unsupported");
}

async fn carrier_timeout_answers_provider_timeout_and_is_not_counted(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    for _ in 0..6 {
        let reply = start(&h, &token, &id, PHONE_TIMEOUT).await;
        assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT, "{reply:?}");
        assert_eq!(reply.code(), "provider_timeout");
        assert_eq!(reply.detail("method"), Some(&json!("phone")));
    }

    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 6);
    assert!(attempts.iter().all(|a| a["outcome"] == "provider_timeout"));
    let failure = start(&h, &token, &id, PHONE_OTHER_HOLDER).await;
    assert_eq!(failure.body["result"]["attempts_left"], 4, "{failure:?}");
    assert_eq!(h.count("sms_challenges").await, 0);
}

async fn code_expires_after_five_minutes_and_counts_one_failed_attempt(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;
    let code = latest_code(&h, PHONE).await;

    h.clock.advance(299);
    let wrong = confirm(&h, &token, &id, &other_than(&code)).await;
    assert_eq!(wrong.code(), "wrong_sms_code", "still valid at 299 s: {wrong:?}");
    h.clock.advance(1);
    let expired = confirm(&h, &token, &id, &code).await;
    let again = confirm(&h, &token, &id, &code).await;

    for reply in [&expired, &again] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.code(), "sms_code_expired");
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["outcome"], "failure");
    assert_eq!(attempts[0]["reason_code"], "sms_code_expired");
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");

    // A new code can be requested and works.
    let reply = resend(&h, &token, &id).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let reply = confirm(&h, &token, &id, &latest_code(&h, PHONE).await).await;
    assert_eq!(reply.body, json!({ "outcome": "success" }));
}

async fn five_wrong_codes_void_the_code_and_count_one_failed_attempt(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;
    let code = latest_code(&h, PHONE).await;
    let wrong = other_than(&code);

    for left in (1..5).rev() {
        let reply = confirm(&h, &token, &id, &wrong).await;
        assert_eq!(reply.detail("attempts_left"), Some(&json!(left)), "{reply:?}");
    }
    let fifth = confirm(&h, &token, &id, &wrong).await;
    let right_too_late = confirm(&h, &token, &id, &code).await;

    for reply in [&fifth, &right_too_late] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.code(), "sms_code_voided");
        assert_eq!(reply.detail("method_attempts_left"), Some(&json!(4)));
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["reason_code"], "sms_code_voided");
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn wrong_code_reports_the_tries_left(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;
    let code = latest_code(&h, PHONE).await;

    let reply = confirm(&h, &token, &id, &other_than(&code)).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.code(), "wrong_sms_code");
    assert_eq!(reply.detail("attempts_left"), Some(&json!(4)));
    assert!(history(&h, &token).await.is_empty(), "a wrong code is not an attempt yet");
    // The right code still works after a wrong one.
    assert_eq!(confirm(&h, &token, &id, &code).await.body["outcome"], "success");
}

async fn resend_before_sixty_seconds_is_refused_with_retry_after(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;

    h.clock.advance(45);
    let refused = resend(&h, &token, &id).await;
    // Step 1 again with the same number is held to the same interval.
    let restarted = start(&h, &token, &id, PHONE).await;

    for reply in [&refused, &restarted] {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{reply:?}");
        assert_eq!(reply.code(), "rate_limited");
        assert_eq!(reply.detail("retry_after_secs"), Some(&json!(15)));
        assert_eq!(reply.detail("reason"), Some(&json!("sms_resend_too_soon")));
        assert_eq!(reply.retry_after_header(), Some(15));
    }
    assert_eq!(h.count("sandbox_sms_outbox").await, 1);
    assert!(history(&h, &token).await.is_empty(), "the carrier was not asked again");

    h.clock.advance(15);
    let reply = resend(&h, &token, &id).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({ "masked_phone": "138****8000", "expires_in": 300, "resend_after": 60,
                "codes_left_today": 8 })
    );
}

async fn resend_voids_the_previous_code(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;
    let first = latest_code(&h, PHONE).await;
    h.clock.advance(60);
    resend(&h, &token, &id).await;
    let second = latest_code(&h, PHONE).await;
    assert_eq!(codes(&h, PHONE).await.len(), 2);

    if first != second {
        let old = confirm(&h, &token, &id, &first).await;
        assert_eq!(old.code(), "wrong_sms_code", "{old:?}");
    }
    let reply = confirm(&h, &token, &id, &second).await;
    assert_eq!(reply.body, json!({ "outcome": "success" }), "{reply:?}");
    let voided: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sms_challenges WHERE void_reason = 'replaced' AND used_at IS NULL",
    )
    .fetch_one(h.state.pool())
    .await
    .unwrap();
    assert_eq!(voided, 1);
}

async fn eleventh_code_of_the_day_for_a_number_is_refused_with_sms_daily_limit(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let other = add_and_sign_in(&h, "staff02").await;
    let other_id = submit_ok(&h, &other).await;

    let first = start(&h, &token, &id, PHONE).await;
    assert_eq!(first.body["challenge"]["codes_left_today"], 9);
    for left in (0..9).rev() {
        h.clock.advance(60);
        let reply = resend(&h, &token, &id).await;
        assert_eq!(reply.body["codes_left_today"], left, "{reply:?}");
    }
    h.clock.advance(60);
    let eleventh = resend(&h, &token, &id).await;
    // Per number, whoever asks: another user with the same number is refused too.
    let other_user = start(&h, &other, &other_id, PHONE).await;

    for reply in [&eleventh, &other_user] {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{reply:?}");
        assert_eq!(reply.code(), "sms_daily_limit");
        // START + 600 s is 08:10 in China: the next platform day is 15 h 50 min away.
        assert_eq!(reply.detail("retry_after_secs"), Some(&json!(16 * 3600 - 600)));
    }
    assert_eq!(codes(&h, PHONE).await.len(), 10);
    assert!(history(&h, &other).await.is_empty(), "the carrier was not asked");

    // The next platform day the number can receive codes again.
    h.clock.advance(16 * 3600 - 600);
    let token = sign_in(&h, "staff01").await;
    let id = submit_ok(&h, &token).await;
    let reply = start(&h, &token, &id, PHONE).await;
    assert_eq!(reply.body["status"], "code_sent", "{reply:?}");
}

async fn another_users_verification_id_is_not_found(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let other = add_and_sign_in(&h, "staff02").await;
    start(&h, &token, &id, PHONE).await;
    let code = latest_code(&h, PHONE).await;
    h.clock.advance(60);
    let before = h.row_counts().await;

    let replies = [
        start(&h, &other, &id, PHONE).await,
        resend(&h, &other, &id).await,
        confirm(&h, &other, &id, &code).await,
    ];

    for reply in &replies {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    assert_eq!(h.row_counts().await, before);
    assert_eq!(h.me(&other).await.body["real_name_status"], "unverified");
    // The owner's code is untouched.
    assert_eq!(confirm(&h, &token, &id, &code).await.body["outcome"], "success");
}

async fn confirm_and_resend_before_any_code_was_sent_are_not_found(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let before = h.row_counts().await;

    let confirmed = confirm(&h, &token, &id, "123456").await;
    let resent = resend(&h, &token, &id).await;

    for reply in [&confirmed, &resent] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
        assert_eq!(reply.detail("reason"), Some(&json!("no_sms_code")));
    }
    assert_eq!(h.row_counts().await, before);
}

/// `GET path` through the router: status, content type and the body as text.
async fn get_text(h: &Harness, path: &str) -> (StatusCode, String, String) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = h.app().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn sandbox_outbox_page_lists_the_code_newest_first(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    start(&h, &token, &id, PHONE).await;
    let first = latest_code(&h, PHONE).await;
    h.clock.advance(60);
    resend(&h, &token, &id).await;
    let second = latest_code(&h, PHONE).await;

    let (status, content_type, page) = get_text(&h, "/sandbox/sms").await;

    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("138****8000"));
    assert!(page.contains(PHONE));
    assert!(page.contains("2026-01-01 08:01:00"), "China time of the second code");
    let at_second = page.find(&format!(">{second}<")).expect("second code listed");
    let at_first = page.rfind(&format!(">{first}<")).expect("first code listed");
    assert!(at_second <= at_first, "newest first");
    assert!(!page.contains("<script"));

    let json = h.call(Method::GET, "/sandbox/sms.json", None).await;
    let messages = json.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["code"], second);
    assert_eq!(messages[0]["phone"], PHONE);
    assert_eq!(messages[0]["phone_masked"], "138****8000");
    assert_eq!(messages[0]["created_at"], START + 60);
    assert!(codes(&h, "13312345678").await.is_empty());
    let bad = h.call(Method::GET, "/sandbox/sms.json?phone=12345", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");
    assert_eq!(bad.code(), "invalid_input");
}

async fn sandbox_pages_are_not_found_when_sandbox_mode_is_off(db: DbConfig) {
    let clock = Arc::new(ManualClock::new(START));
    let settings = test_settings(clock.clone()).with_sandbox(false);
    let state = AppState::open_with(db, settings).await.unwrap();
    let h = Harness { state, clock };
    let token = add_and_sign_in(&h, "staff01").await;
    let id = submit_ok(&h, &token).await;
    // The method itself still works (with the sandbox providers).
    assert_eq!(start(&h, &token, &id, PHONE).await.body["status"], "code_sent");

    let (status, _, body) = get_text(&h, "/sandbox/sms").await;
    let json = h.call(Method::GET, "/sandbox/sms.json", None).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains(PHONE));
    assert_eq!(json.status, StatusCode::NOT_FOUND);
    assert_eq!(json.code(), "not_found");
}

async fn sandbox_sms_command_prints_the_latest_codes(db: DbConfig) {
    let (h, token, id) = ready(db.clone()).await;
    start(&h, &token, &id, PHONE).await;
    let code = latest_code(&h, PHONE).await;

    let messages = sandbox_sms_messages(&h.state, Some("138 0013 8000"), 10).await.unwrap();
    let printed = format_sms(&messages);
    assert_eq!(printed, format!("2026-01-01 08:00:00  {PHONE}  {code}\n"));
    assert_eq!(format_sms(&[]), "no SMS in the sandbox outbox\n");

    let db_args: Vec<String> = match &db {
        DbConfig::SqliteFile(file) => {
            vec!["--data-dir".into(), file.parent().unwrap().to_str().unwrap().into()]
        }
        DbConfig::Url(url) => vec!["--database-url".into(), url.clone()],
    };
    let argv = ["signet-server", "sandbox", "sms", "--phone", PHONE]
        .into_iter()
        .map(String::from)
        .chain(db_args);
    let cli = Cli::try_parse_from(argv).unwrap();
    run_with(cli, test_settings(Arc::new(ManualClock::new(START)))).await.unwrap();
    assert_eq!(SANDBOX_PHONES.len(), 6);
}

async fn no_full_phone_number_or_code_is_stored_outside_the_sandbox_outbox(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let mut replies = Vec::new();
    replies.push(start(&h, &token, &id, PHONE_OTHER_HOLDER).await);
    replies.push(start(&h, &token, &id, PHONE_TIMEOUT).await);
    replies.push(start(&h, &token, &id, PHONE).await);
    let mut sent = vec![latest_code(&h, PHONE).await];
    replies.push(confirm(&h, &token, &id, &other_than(&sent[0])).await);
    h.clock.advance(60);
    replies.push(resend(&h, &token, &id).await);
    sent.push(latest_code(&h, PHONE).await);

    // While the code is open, only the sealed number is kept (to resend).
    let sealed: Vec<Option<String>> =
        sqlx::query_scalar("SELECT phone_sealed FROM sms_challenges ORDER BY created_at")
            .fetch_all(h.state.pool())
            .await
            .unwrap();
    assert_eq!(sealed.len(), 2);
    assert!(sealed[0].is_none(), "the superseded challenge keeps no number");
    assert!(sealed[1].as_deref().is_some_and(|s| !s.contains(PHONE)));

    replies.push(confirm(&h, &token, &id, &sent[1]).await);
    replies.push(h.call(Method::GET, "/api/v1/real-name/attempts", Some(&token)).await);
    replies.push(h.me(&token).await);
    assert_eq!(replies[5].body["outcome"], "success", "{:?}", replies[5]);

    let mut stored = Vec::new();
    for table in TABLES.iter().filter(|t| **t != "sandbox_sms_outbox") {
        let rows =
            sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(h.state.pool()).await.unwrap();
        for row in rows {
            use sqlx::Row;
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    stored.push(format!("{table}: {text}"));
                }
            }
        }
    }
    let answered: Vec<String> = replies.iter().map(|r| r.body.to_string()).collect();
    let secrets = [ID, PHONE, PHONE_OTHER_HOLDER, PHONE_TIMEOUT, &sent[0], &sent[1]];
    for secret in secrets {
        for text in answered.iter().chain(&stored) {
            assert!(!text.to_uppercase().contains(secret), "{secret} found in {text}");
        }
    }
    // After success no sealed number remains either.
    let sealed_left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sms_challenges WHERE phone_sealed IS NOT NULL")
            .fetch_one(h.state.pool())
            .await
            .unwrap();
    assert_eq!(sealed_left, 0);
    // The sandbox outbox, and only it, has them.
    assert_eq!(h.count("sandbox_sms_outbox").await, 2);
}

async fn malformed_phone_and_code_bodies_are_refused_with_clear_errors(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let phone_path = format!("/api/v1/real-name/{id}/phone");
    let before = h.row_counts().await;

    let cases = [
        (json!({}), "malformed_json"),
        (json!({ "phone": PHONE, "x": 1 }), "malformed_json"),
        (json!({ "phone": 13800138000_u64 }), "malformed_json"),
        (json!({ "phone": "" }), "invalid_input"),
        (json!({ "phone": "12800138000" }), "invalid_input"),
        (json!({ "phone": "1".repeat(5000) }), "invalid_input"),
    ];
    for (body, code) in &cases {
        let reply = post(&h, &phone_path, Some(&token), Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {reply:?}");
        assert_eq!(reply.code(), *code, "{body}: {reply:?}");
    }
    let bad_prefix = post(&h, &phone_path, Some(&token), Some(&cases[4].0)).await;
    assert_eq!(bad_prefix.detail("field"), Some(&json!("phone")));
    assert_eq!(bad_prefix.detail("errors").unwrap()[0]["error"]["kind"], "wrong_prefix");
    let not_json = h
        .send(
            Request::post(&phone_path)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from("{\"phone\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.code(), "malformed_json");
    let no_bearer = post(&h, &phone_path, None, Some(&json!({ "phone": PHONE }))).await;
    assert_eq!(no_bearer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.row_counts().await, before, "a refused request changed the database");

    start(&h, &token, &id, PHONE).await;
    let confirm_path = format!("/api/v1/real-name/{id}/phone/confirm");
    for (body, code, kind) in [
        (json!({ "code": "12345" }), "invalid_input", Some("wrong_length")),
        (json!({ "code": "12a456" }), "invalid_input", Some("invalid_character")),
        (json!({ "code": "" }), "invalid_input", Some("empty")),
        (json!({ "code": 123456 }), "malformed_json", None),
        (json!({ "sms": "123456" }), "malformed_json", None),
    ] {
        let reply = post(&h, &confirm_path, Some(&token), Some(&body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {reply:?}");
        assert_eq!(reply.code(), code, "{body}: {reply:?}");
        if let Some(kind) = kind {
            assert_eq!(reply.detail("field"), Some(&json!("code")));
            assert_eq!(reply.detail("errors").unwrap()[0]["error"]["kind"], kind);
        }
    }
    // None of those counted as a wrong try.
    let tries: i64 = sqlx::query_scalar("SELECT wrong_tries FROM sms_challenges")
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(tries, 0);
    let unknown = resend(&h, &token, "0123456789abcdef0123456789abcdef").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
