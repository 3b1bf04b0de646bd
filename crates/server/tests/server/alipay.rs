//! Alipay quick authentication (支付宝快捷认证, method B): authorization sessions, the sandbox
//! authorization page and the sandbox Alipay accounts.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use signet_server::{AppState, DbConfig, ManualClock, SANDBOX_ALIPAY_ACCOUNTS};

use crate::common::{test_settings, Harness, Reply, START};

on_both_backends!(
    start_returns_a_page_that_shows_the_masked_identity_but_not_the_full_number,
    agreeing_with_the_matching_account_verifies_the_user,
    an_account_of_someone_else_fails_naming_the_mismatched_element,
    a_declining_account_fails_with_alipay_declined,
    cancel_on_the_page_fails_with_user_cancelled,
    closing_the_window_fails_with_window_closed_and_is_idempotent,
    a_session_left_alone_expires_as_alipay_timeout_and_counts_once,
    an_alipay_that_does_not_answer_ends_as_an_uncounted_timeout,
    the_page_token_works_once,
    another_users_session_is_not_found,
    the_pages_are_not_found_when_sandbox_mode_is_off,
    each_decided_session_is_recorded_once_and_a_new_session_replaces_an_open_one,
    five_failed_sessions_use_up_the_days_alipay_attempts,
    bad_tokens_and_forms_answer_error_pages_and_store_nothing,
);

const ID: &str = "11010519491231002X";
const NAME: &str = "王芳";
const WANGFANG: &str = "wangfang@sandbox.alipay";
const LIMING: &str = "liming@sandbox.alipay";
const WANGFANG_OTHER: &str = "wangfang.other@sandbox.alipay";
const DECLINED: &str = "declined@sandbox.alipay";
const TIMEOUT: &str = "timeout@sandbox.alipay";

async fn add_and_sign_in(h: &Harness, account: &str) -> String {
    h.add_staff(account, "pw").await;
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

async fn submit_ok(h: &Harness, token: &str) -> String {
    let body = json!({ "document_type": "id_card", "number": ID, "name": NAME });
    let reply = post(h, "/api/v1/real-name/identity", Some(token), Some(&body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["verification_id"].as_str().unwrap().to_owned()
}

/// A started session: its id and the page path with the token.
struct Started {
    session_id: String,
    path: String,
}

impl Started {
    fn page_token(&self) -> &str {
        self.path.split("token=").nth(1).unwrap()
    }
}

async fn start(h: &Harness, token: &str, id: &str) -> Started {
    let reply = start_raw(h, token, id).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    Started {
        session_id: reply.body["session_id"].as_str().unwrap().to_owned(),
        path: reply.body["authorize_path"].as_str().unwrap().to_owned(),
    }
}

async fn start_raw(h: &Harness, token: &str, id: &str) -> Reply {
    post(h, &format!("/api/v1/real-name/{id}/alipay"), Some(token), None).await
}

async fn status(h: &Harness, token: &str, id: &str, session: &str) -> Reply {
    h.call(Method::GET, &format!("/api/v1/real-name/{id}/alipay/{session}"), Some(token)).await
}

async fn close_window(h: &Harness, token: &str, id: &str, session: &str) -> Reply {
    post(h, &format!("/api/v1/real-name/{id}/alipay/{session}/cancel"), Some(token), None).await
}

/// A page of the sandbox: status, headers and the body as text.
struct Page {
    status: StatusCode,
    csp: String,
    content_type: String,
    text: String,
}

async fn page(h: &Harness, request: Request<Body>) -> Page {
    let reply = h.send(request).await;
    let text = match reply.body {
        Value::String(text) => text,
        other => other.to_string(),
    };
    let get = |name: header::HeaderName| {
        reply.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    Page {
        status: reply.status,
        csp: get(header::CONTENT_SECURITY_POLICY),
        content_type: get(header::CONTENT_TYPE),
        text,
    }
}

async fn get_page(h: &Harness, path: &str) -> Page {
    page(h, Request::get(path).body(Body::empty()).unwrap()).await
}

async fn form(h: &Harness, path: &str, body: &str) -> Page {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    page(h, request).await
}

/// Presses 同意并认证 with `account` chosen.
async fn agree(h: &Harness, started: &Started, account: &str) -> Page {
    let body = format!("token={}&account={}", started.page_token(), account.replace('@', "%40"));
    form(h, "/sandbox/alipay/authorize/agree", &body).await
}

/// Presses 取消.
async fn cancel(h: &Harness, started: &Started) -> Page {
    form(h, "/sandbox/alipay/authorize/cancel", &format!("token={}", started.page_token())).await
}

async fn history(h: &Harness, token: &str) -> Vec<Value> {
    let reply = h.call(Method::GET, "/api/v1/real-name/attempts", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["attempts"].as_array().unwrap().clone()
}

async fn ready(db: DbConfig) -> (Harness, String, String) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    let id = submit_ok(&h, &token).await;
    (h, token, id)
}

fn assert_done(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("id=\"alipay-done\""), "{}", page.text);
    assert!(page.text.contains("已完成，可关闭此窗口"), "{}", page.text);
}

async fn start_returns_a_page_that_shows_the_masked_identity_but_not_the_full_number(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    let reply = start_raw(&h, &token, &id).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(reply.body["expires_in"], 300);
    assert_eq!(reply.body["session_id"].as_str().unwrap().len(), 32);
    let path = reply.body["authorize_path"].as_str().unwrap();
    assert!(path.starts_with("/sandbox/alipay/authorize?token="), "{path}");
    let page_token = path.split("token=").nth(1).unwrap();
    assert_eq!(page_token.len(), 43);
    // Only the token's hash is stored.
    let stored: Vec<String> = h.stored_text().await;
    assert!(stored.iter().all(|text| !text.contains(page_token)));

    let shown = get_page(&h, path).await;

    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert!(shown.content_type.starts_with("text/html"), "{}", shown.content_type);
    assert!(shown.csp.contains("default-src 'none'"), "{}", shown.csp);
    assert!(shown.csp.contains("form-action 'self'"), "{}", shown.csp);
    assert!(shown.text.contains("支付宝 · 快捷认证"));
    assert!(shown.text.contains("Signet"));
    assert!(shown.text.contains(NAME));
    assert!(shown.text.contains("110***********002X"));
    assert!(!shown.text.contains(ID));
    assert!(!shown.text.contains("<script"));
    assert!(shown.text.contains("id=\"alipay-agree\""));
    assert!(shown.text.contains("同意并认证"));
    assert!(shown.text.contains("id=\"alipay-cancel\""));
    for (index, account) in SANDBOX_ALIPAY_ACCOUNTS.iter().enumerate() {
        let radio = format!("id=\"alipay-account-{index}\" value=\"{}\"", account.account);
        assert!(shown.text.contains(&radio), "{radio}");
    }
    // Showing the page decides nothing.
    let pending = status(&h, &token, &id, reply.body["session_id"].as_str().unwrap()).await;
    assert_eq!(pending.body, json!({ "status": "pending", "expires_in": 300 }));
    assert!(history(&h, &token).await.is_empty());
}

async fn agreeing_with_the_matching_account_verifies_the_user(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;
    h.clock.advance(20);

    let done = agree(&h, &started, WANGFANG).await;

    assert_done(&done);
    assert!(done.text.contains("认证成功"));
    let reply = status(&h, &token, &id, &started.session_id).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(
        reply.body,
        json!({ "status": "success", "result": { "outcome": "success" }, "expires_in": 0 })
    );
    let me = h.me(&token).await;
    assert_eq!(me.body["real_name_status"], "verified");
    assert_eq!(
        me.body["identity"],
        json!({ "document_type": "id_card", "number": "110***********002X", "name": NAME })
    );
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["method"], "alipay");
    assert_eq!(attempts[0]["outcome"], "success");
    assert_eq!(attempts[0]["app_version"], "0.1.0-test");
    assert_eq!(attempts[0]["created_at"], START + 20);
    // Closing the window afterwards changes nothing.
    let closed = close_window(&h, &token, &id, &started.session_id).await;
    assert_eq!(closed.body["status"], "success");
    assert_eq!(history(&h, &token).await.len(), 1);
}

async fn an_account_of_someone_else_fails_naming_the_mismatched_element(db: DbConfig) {
    let (h, token, id) = ready(db).await;

    for (account, element, left) in [(LIMING, "name", 4), (WANGFANG_OTHER, "id_number", 3)] {
        h.clock.advance(1);
        let started = start(&h, &token, &id).await;
        let done = agree(&h, &started, account).await;
        assert_done(&done);
        assert!(done.text.contains("认证未通过"));

        let reply = status(&h, &token, &id, &started.session_id).await;

        assert_eq!(
            reply.body,
            json!({ "status": "failure",
                    "result": { "outcome": "failure", "reason_code": "elements_mismatch",
                                "mismatched_element": element, "attempts_left": left },
                    "expires_in": 0 }),
            "{account}"
        );
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["mismatched_element"], "id_number");
    assert_eq!(attempts[1]["mismatched_element"], "name");
    assert!(attempts.iter().all(|a| a["method"] == "alipay" && a["outcome"] == "failure"));
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn a_declining_account_fails_with_alipay_declined(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;

    let done = agree(&h, &started, DECLINED).await;

    assert_done(&done);
    let reply = status(&h, &token, &id, &started.session_id).await;
    assert_eq!(
        reply.body["result"],
        json!({ "outcome": "failure", "reason_code": "alipay_declined", "attempts_left": 4 })
    );
    assert_eq!(history(&h, &token).await[0]["reason_code"], "alipay_declined");
}

async fn cancel_on_the_page_fails_with_user_cancelled(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;

    let done = cancel(&h, &started).await;

    assert_done(&done);
    assert!(done.text.contains("已取消"));
    let reply = status(&h, &token, &id, &started.session_id).await;
    assert_eq!(reply.body["status"], "failure");
    assert_eq!(
        reply.body["result"],
        json!({ "outcome": "failure", "reason_code": "user_cancelled", "attempts_left": 4 })
    );
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["reason_code"], "user_cancelled");
    // The page cannot agree afterwards.
    let late = agree(&h, &started, WANGFANG).await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn closing_the_window_fails_with_window_closed_and_is_idempotent(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;

    let first = close_window(&h, &token, &id, &started.session_id).await;
    h.clock.advance(400);
    let second = close_window(&h, &token, &id, &started.session_id).await;

    for reply in [&first, &second] {
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(
            reply.body,
            json!({ "status": "failure",
                    "result": { "outcome": "failure", "reason_code": "window_closed",
                                "attempts_left": 4 },
                    "expires_in": 0 })
        );
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["reason_code"], "window_closed");
    // The page of a closed session is over.
    let shown = get_page(&h, &started.path).await;
    assert_eq!(shown.status, StatusCode::GONE);
    assert!(shown.text.contains("id=\"alipay-error\""));
}

async fn a_session_left_alone_expires_as_alipay_timeout_and_counts_once(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;

    h.clock.advance(299);
    let before = status(&h, &token, &id, &started.session_id).await;
    h.clock.advance(1);
    let expired = status(&h, &token, &id, &started.session_id).await;
    let again = status(&h, &token, &id, &started.session_id).await;

    assert_eq!(before.body, json!({ "status": "pending", "expires_in": 1 }));
    for reply in [&expired, &again] {
        assert_eq!(
            reply.body,
            json!({ "status": "failure",
                    "result": { "outcome": "failure", "reason_code": "alipay_timeout",
                                "attempts_left": 4 },
                    "expires_in": 0 })
        );
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["outcome"], "failure");
    assert_eq!(attempts[0]["reason_code"], "alipay_timeout");
    assert_eq!(attempts[0]["created_at"], START + 300, "recorded at the expiry");
    let late = agree(&h, &started, WANGFANG).await;
    assert_eq!(late.status, StatusCode::GONE, "{}", late.text);
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn an_alipay_that_does_not_answer_ends_as_an_uncounted_timeout(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;

    let done = agree(&h, &started, TIMEOUT).await;
    assert_done(&done);
    assert!(done.text.contains("支付宝暂未返回认证结果"));
    h.clock.advance(100);
    let pending = status(&h, &token, &id, &started.session_id).await;
    h.clock.advance(200);
    let ended = status(&h, &token, &id, &started.session_id).await;

    assert_eq!(pending.body, json!({ "status": "pending", "expires_in": 200 }));
    assert_eq!(
        ended.body,
        json!({ "status": "failure",
                "result": { "outcome": "failure", "reason_code": "alipay_timeout",
                            "attempts_left": 5 },
                "expires_in": 0 })
    );
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["outcome"], "provider_timeout");
    assert_eq!(attempts[0]["reason_code"], "alipay_timeout");

    // Closing the window while Alipay has not answered ends it the same way, also uncounted.
    let started = start(&h, &token, &id).await;
    agree(&h, &started, TIMEOUT).await;
    let closed = close_window(&h, &token, &id, &started.session_id).await;
    assert_eq!(closed.body["result"]["reason_code"], "alipay_timeout");
    assert_eq!(closed.body["result"]["attempts_left"], 5);
    assert_eq!(history(&h, &token).await.len(), 2);
}

async fn the_page_token_works_once(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;
    agree(&h, &started, LIMING).await;

    let second = agree(&h, &started, WANGFANG).await;
    let cancelled = cancel(&h, &started).await;
    let shown = get_page(&h, &started.path).await;

    for page in [&second, &cancelled, &shown] {
        assert_eq!(page.status, StatusCode::GONE, "{}", page.text);
        assert!(page.content_type.starts_with("text/html"));
        assert!(page.text.contains("id=\"alipay-error\""));
        assert!(page.text.contains("已使用"), "{}", page.text);
        assert!(page.csp.contains("default-src 'none'"));
    }
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 1, "no second attempt: {attempts:?}");
    assert_eq!(attempts[0]["reason_code"], "elements_mismatch");
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn another_users_session_is_not_found(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let other = add_and_sign_in(&h, "staff02").await;
    let other_id = submit_ok(&h, &other).await;
    let started = start(&h, &token, &id).await;
    let before = h.row_counts().await;

    let replies = [
        status(&h, &other, &id, &started.session_id).await,
        close_window(&h, &other, &id, &started.session_id).await,
        // The other user's own verification id with this session: not theirs either.
        status(&h, &other, &other_id, &started.session_id).await,
        start_raw(&h, &other, &id).await,
        status(&h, &token, &id, "0123456789abcdef0123456789abcdef").await,
        status(&h, &token, &id, "not-an-id").await,
    ];

    for reply in &replies {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    assert_eq!(h.row_counts().await, before);
    assert_eq!(status(&h, &token, &id, &started.session_id).await.body["status"], "pending");
    let path = format!("/api/v1/real-name/{id}/alipay/{}", started.session_id);
    let unauthenticated = h.call(Method::GET, &path, None).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}

async fn the_pages_are_not_found_when_sandbox_mode_is_off(db: DbConfig) {
    let clock = Arc::new(ManualClock::new(START));
    let settings = test_settings(clock.clone()).with_sandbox(false);
    let state = AppState::open_with(db, settings).await.unwrap();
    let h = Harness { state, clock };
    let token = add_and_sign_in(&h, "staff01").await;
    let id = submit_ok(&h, &token).await;
    let started = start(&h, &token, &id).await;

    let shown = get_page(&h, &started.path).await;
    let agreed = agree(&h, &started, WANGFANG).await;
    let cancelled = cancel(&h, &started).await;

    for page in [&shown, &agreed, &cancelled] {
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
        assert!(!page.text.contains(NAME));
    }
    assert_eq!(status(&h, &token, &id, &started.session_id).await.body["status"], "pending");
    assert!(history(&h, &token).await.is_empty());
}

async fn each_decided_session_is_recorded_once_and_a_new_session_replaces_an_open_one(
    db: DbConfig,
) {
    let (h, token, id) = ready(db).await;
    let declined = start(&h, &token, &id).await;
    agree(&h, &declined, DECLINED).await;
    h.clock.advance(1);
    let replaced = start(&h, &token, &id).await;
    h.clock.advance(1);
    // Starting again while `replaced` is open ends it as a closed window.
    let cancelled = start(&h, &token, &id).await;
    let replaced_status = status(&h, &token, &id, &replaced.session_id).await;
    assert_eq!(replaced_status.body["result"]["reason_code"], "window_closed");
    assert_eq!(get_page(&h, &replaced.path).await.status, StatusCode::GONE);
    h.clock.advance(1);
    cancel(&h, &cancelled).await;
    h.clock.advance(1);
    let verified = start(&h, &token, &id).await;
    agree(&h, &verified, WANGFANG).await;

    // Reading the sessions again and again records nothing more.
    for session in [&declined, &replaced, &cancelled, &verified] {
        for _ in 0..2 {
            status(&h, &token, &id, &session.session_id).await;
            close_window(&h, &token, &id, &session.session_id).await;
        }
    }
    let attempts = history(&h, &token).await;
    let reasons: Vec<Value> = attempts.iter().map(|a| a["reason_code"].clone()).collect();
    assert_eq!(
        reasons,
        [Value::Null, json!("user_cancelled"), json!("window_closed"), json!("alipay_declined")]
    );
    assert!(attempts.iter().all(|a| a["method"] == "alipay" && a["verification_id"] == id));
    assert_eq!(h.count("alipay_sessions").await, 4);
    // Verified: no new session.
    let refused = start_raw(&h, &token, &id).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused:?}");
}

async fn five_failed_sessions_use_up_the_days_alipay_attempts(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    for left in (0..5).rev() {
        h.clock.advance(1);
        let started = start(&h, &token, &id).await;
        cancel(&h, &started).await;
        let reply = status(&h, &token, &id, &started.session_id).await;
        assert_eq!(reply.body["result"]["attempts_left"], left, "{reply:?}");
    }

    let refused = start_raw(&h, &token, &id).await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.detail("reason"), Some(&json!("daily_attempts_used_up")));
    assert_eq!(h.count("alipay_sessions").await, 5);
}

async fn bad_tokens_and_forms_answer_error_pages_and_store_nothing(db: DbConfig) {
    let (h, token, id) = ready(db).await;
    let started = start(&h, &token, &id).await;
    let before = h.row_counts().await;
    let unknown = "A".repeat(43);

    let pages = [
        get_page(&h, "/sandbox/alipay/authorize").await,
        get_page(&h, "/sandbox/alipay/authorize?token=").await,
        get_page(&h, "/sandbox/alipay/authorize?token=%3Cscript%3E").await,
        get_page(&h, &format!("/sandbox/alipay/authorize?token={unknown}")).await,
        form(&h, "/sandbox/alipay/authorize/agree", &format!("token={unknown}&account=x")).await,
        form(&h, "/sandbox/alipay/authorize/agree", "").await,
        form(&h, "/sandbox/alipay/authorize/cancel", "token=%FF%FE").await,
        // The right token but no or an unknown account: refused, the token still works.
        form(&h, "/sandbox/alipay/authorize/agree", &format!("token={}", started.page_token()))
            .await,
        agree(&h, &started, "nobody@sandbox.alipay").await,
        agree(&h, &started, "<b>x</b>").await,
    ];

    for page in &pages {
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text);
        assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
        assert!(page.text.contains("id=\"alipay-error\""), "{}", page.text);
        assert!(!page.text.contains("<script") && !page.text.contains("<b>x"), "{}", page.text);
    }
    let json_body = Request::post("/sandbox/alipay/authorize/agree")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(page(&h, json_body).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(h.row_counts().await, before);
    assert_done(&agree(&h, &started, WANGFANG).await);
}
