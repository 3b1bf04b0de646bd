//! Real-name authentication: step 1, the method chooser, the sandbox bank, budgets, history.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use signet_domain::api::Role;
use signet_server::{
    add_user, sha256_hex, AppState, DbConfig, Limits, ManualClock, SANDBOX_BANK_CARDS,
};

use crate::common::{test_settings, Harness, Reply, START};

on_both_backends!(
    valid_identity_returns_every_method_available_for_an_id_card,
    spec_invalid_vectors_are_rejected_with_the_precise_error_kind_and_nothing_stored,
    legacy_fifteen_digit_number_is_converted_and_said_so,
    non_id_card_documents_can_use_manual_review_only,
    latin_name_on_an_id_card_is_refused_as_latin_not_allowed,
    bank_card_success_verifies_the_user_and_me_shows_the_masked_identity,
    each_bank_mismatch_names_its_element,
    unknown_card_is_a_card_number_mismatch_and_luhn_failure_only_warns,
    provider_timeout_answers_provider_timeout_and_does_not_count,
    spent_method_budget_makes_the_method_unavailable_until_the_next_day,
    identity_number_budget_counts_the_attempts_of_every_user,
    another_users_verification_id_is_not_found,
    unknown_and_malformed_verification_ids_are_not_found,
    expired_verification_is_not_found_with_reason_expired,
    verified_user_cannot_submit_another_identity,
    history_lists_attempts_newest_first_and_masked,
    no_full_identity_card_or_phone_number_is_stored_or_answered,
    malformed_identity_bodies_are_refused_and_nothing_stored,
    invalid_card_and_phone_are_refused_with_their_fields_and_nothing_stored,
    real_name_requests_are_rate_limited_per_user,
    real_name_routes_need_a_bearer_token,
    identity_hash_key_survives_a_restart,
);

const ID: &str = "11010519491231002X";
const NAME: &str = "王芳";
const PHONE: &str = "13800138000";
const CARD_OK: &str = "6222020000000000018";
const CARD_PHONE_MISMATCH: &str = "6222020000000000026";
const CARD_NAME_MISMATCH: &str = "6222020000000000034";
const CARD_ID_MISMATCH: &str = "6222020000000000042";
const CARD_TIMEOUT: &str = "6222020000000000059";

/// A harness with one signed-in staff member.
async fn signed_in(db: DbConfig) -> (Harness, String) {
    let h = Harness::new(db).await;
    let token = add_and_sign_in(&h, "staff01").await;
    (h, token)
}

async fn add_and_sign_in(h: &Harness, account: &str) -> String {
    h.add_staff(account, "pw").await;
    h.sign_in(account, "pw").await.tokens().access_token.expose().clone()
}

async fn post(h: &Harness, path: &str, token: Option<&str>, body: &Value) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-signet-app-version", "0.1.0-test");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    h.send(request.body(Body::from(body.to_string())).unwrap()).await
}

async fn submit(h: &Harness, token: &str, document_type: &str, number: &str, name: &str) -> Reply {
    let body = json!({ "document_type": document_type, "number": number, "name": name });
    post(h, "/api/v1/real-name/identity", Some(token), &body).await
}

/// Submits 王芳's textbook identity and returns the verification id.
async fn submit_ok(h: &Harness, token: &str) -> String {
    let reply = submit(h, token, "id_card", ID, NAME).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["verification_id"].as_str().unwrap().to_owned()
}

async fn bank_card(
    h: &Harness,
    token: &str,
    verification_id: &str,
    card: &str,
    phone: &str,
) -> Reply {
    let body = json!({ "card_number": card, "phone": phone });
    post(h, &format!("/api/v1/real-name/{verification_id}/bank-card"), Some(token), &body).await
}

async fn history(h: &Harness, token: &str) -> Vec<Value> {
    let reply = h.call(Method::GET, "/api/v1/real-name/attempts", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["attempts"].as_array().unwrap().clone()
}

/// The chooser entry of `method`.
fn method<'a>(reply: &'a Reply, method: &str) -> &'a Value {
    reply.body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method"] == method)
        .unwrap_or_else(|| panic!("no {method} in {reply:?}"))
}

fn available(reply: &Reply) -> Vec<String> {
    reply.body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["available"] == true)
        .map(|m| m["method"].as_str().unwrap().to_owned())
        .collect()
}

async fn valid_identity_returns_every_method_available_for_an_id_card(db: DbConfig) {
    let (h, token) = signed_in(db).await;

    let reply = submit(&h, &token, "id_card", " 11010519491231002x ", " 王芳 ").await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(reply.body["verification_id"].as_str().unwrap().len(), 32);
    assert_eq!(
        reply.body["masked"],
        json!({ "document_type": "id_card", "number": "110***********002X", "name": "王芳" })
    );
    assert_eq!(reply.body["warnings"], json!([]));
    assert_eq!(reply.body["converted_from_legacy"], false);
    assert_eq!(reply.body["expires_in"], 1800);
    assert_eq!(
        reply.body["methods"],
        json!([
            { "method": "bank_card", "available": true },
            { "method": "alipay", "available": true },
            { "method": "phone", "available": true },
            { "method": "face", "available": true },
            { "method": "manual_review", "available": true },
        ])
    );
    assert_eq!(h.count("verifications").await, 1);
}

async fn spec_invalid_vectors_are_rejected_with_the_precise_error_kind_and_nothing_stored(
    db: DbConfig,
) {
    let (h, token) = signed_in(db).await;
    let before = h.row_counts().await;

    let wrong_check = submit(&h, &token, "id_card", "110105194912310021", NAME).await;
    let feb_30 = submit(&h, &token, "id_card", "110105194902300024", NAME).await;
    let before_1900 = submit(&h, &token, "id_card", "440524188001010014", NAME).await;
    let both = submit(&h, &token, "id_card", "110105194912310021", "王3").await;
    let future = submit(&h, &token, "id_card", "110105209901010011", NAME).await;

    for reply in [&wrong_check, &feb_30, &before_1900, &both, &future] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.code(), "invalid_input", "{reply:?}");
        assert_eq!(reply.detail("field"), Some(&json!("number")), "{reply:?}");
    }
    assert_eq!(
        wrong_check.detail("errors"),
        Some(&json!([{ "field": "number",
                       "error": { "kind": "wrong_check_character", "expected": "X", "found": "1" } }]))
    );
    assert_eq!(
        feb_30.detail("errors"),
        Some(&json!([{ "field": "number",
                       "error": { "kind": "invalid_birth_date", "year": 1949, "month": 2, "day": 30 } }]))
    );
    assert_eq!(before_1900.detail("errors").unwrap()[0]["error"]["kind"], "birth_date_before1900");
    assert_eq!(future.detail("errors").unwrap()[0]["error"]["kind"], "birth_date_in_future");
    // "Today" is the platform date of the state's clock: 2026-01-01.
    assert_eq!(future.detail("errors").unwrap()[0]["error"]["today"], "2026-01-01");
    let kinds: Vec<_> = both
        .detail("errors")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].clone(), e["error"]["kind"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [(json!("number"), json!("wrong_check_character")), (json!("name"), json!("digit"))]
    );
    assert_eq!(h.row_counts().await, before, "a refused identity changed the database");
}

async fn legacy_fifteen_digit_number_is_converted_and_said_so(db: DbConfig) {
    let (h, token) = signed_in(db).await;

    let reply = submit(&h, &token, "id_card", "110105491231002", NAME).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["converted_from_legacy"], true);
    assert_eq!(reply.body["masked"]["number"], "110***********002X");
    let stored: String = sqlx::query_scalar("SELECT number_hmac FROM verifications")
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(stored, h.state.identity_hasher().hmac_hex(ID));
}

async fn non_id_card_documents_can_use_manual_review_only(db: DbConfig) {
    let (h, token) = signed_in(db).await;

    for (document_type, number, name) in [
        ("passport", "E12345678", "John Smith"),
        ("passport", "E12345678", "张三"),
        ("hk_macao_permit", "H12345678", "陈大文"),
        ("taiwan_permit", "12345678", "林志明"),
    ] {
        let reply = submit(&h, &token, document_type, number, name).await;
        assert_eq!(reply.status, StatusCode::OK, "{document_type}: {reply:?}");
        assert_eq!(available(&reply), ["manual_review"], "{document_type}");
        assert_eq!(
            method(&reply, "bank_card")["reason"],
            json!({ "kind": "document_requires_manual_review", "document_type": document_type })
        );
    }

    // The bank-card endpoint refuses such a verification too, without asking the bank.
    let reply = submit(&h, &token, "passport", "E12345678", "张三").await;
    let id = reply.body["verification_id"].as_str().unwrap();
    let refused = bank_card(&h, &token, id, CARD_OK, PHONE).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused:?}");
    assert_eq!(refused.detail("reason").unwrap()["kind"], "document_requires_manual_review");
    assert_eq!(h.count("verification_attempts").await, 0);
}

async fn latin_name_on_an_id_card_is_refused_as_latin_not_allowed(db: DbConfig) {
    let (h, token) = signed_in(db).await;

    let reply = submit(&h, &token, "id_card", ID, "John Smith").await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.detail("field"), Some(&json!("name")));
    assert_eq!(reply.detail("errors").unwrap()[0]["error"]["kind"], "latin_not_allowed");
    assert_eq!(h.count("verifications").await, 0);
}

async fn bank_card_success_verifies_the_user_and_me_shows_the_masked_identity(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;

    let reply = bank_card(&h, &token, &id, "6222 0200 0000 0000 018", "+86 138-0013-8000").await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body, json!({ "outcome": "success" }));
    let me = h.me(&token).await;
    assert_eq!(me.body["real_name_status"], "verified");
    assert_eq!(
        me.body["identity"],
        json!({ "document_type": "id_card", "number": "110***********002X", "name": "王芳" })
    );
    let hmac: String = sqlx::query_scalar("SELECT number_hmac FROM identities")
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(hmac, h.state.identity_hasher().hmac_hex(ID));
    let status: String = sqlx::query_scalar("SELECT status FROM verifications")
        .fetch_one(h.state.pool())
        .await
        .unwrap();
    assert_eq!(status, "verified");

    // The same verification cannot be used again.
    let again = bank_card(&h, &token, &id, CARD_OK, PHONE).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert_eq!(again.detail("reason"), Some(&json!("already_verified")));
}

async fn each_bank_mismatch_names_its_element(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;

    for (card, element, left) in [
        (CARD_PHONE_MISMATCH, "phone", 4),
        (CARD_NAME_MISMATCH, "name", 3),
        (CARD_ID_MISMATCH, "id_number", 2),
    ] {
        let reply = bank_card(&h, &token, &id, card, PHONE).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(
            reply.body,
            json!({ "outcome": "failure", "reason_code": "elements_mismatch",
                    "mismatched_element": element, "attempts_left": left }),
            "{card}"
        );
    }
    // The phone-mismatch card succeeds with its reserved phone: only the phone differed.
    let reply = bank_card(&h, &token, &id, CARD_PHONE_MISMATCH, "13900139000").await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
    assert_eq!(h.me(&token).await.body["real_name_status"], "verified");
}

async fn unknown_card_is_a_card_number_mismatch_and_luhn_failure_only_warns(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;

    let reply = bank_card(&h, &token, &id, "6222020000000000019", PHONE).await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["mismatched_element"], "card_number");
    assert_eq!(reply.body["warnings"], json!([{ "kind": "luhn_failed" }]));
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn provider_timeout_answers_provider_timeout_and_does_not_count(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;

    for _ in 0..7 {
        let reply = bank_card(&h, &token, &id, CARD_TIMEOUT, PHONE).await;
        assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT, "{reply:?}");
        assert_eq!(reply.code(), "provider_timeout");
        assert_eq!(reply.detail("method"), Some(&json!("bank_card")));
    }

    // Seven timeouts, more than the daily budget of five, and the method is still available.
    let attempts = history(&h, &token).await;
    assert_eq!(attempts.len(), 7);
    assert!(attempts.iter().all(|a| a["outcome"] == "provider_timeout"));
    let reply = submit(&h, &token, "id_card", ID, NAME).await;
    assert_eq!(method(&reply, "bank_card"), &json!({ "method": "bank_card", "available": true }));
    let failure = bank_card(&h, &token, &id, CARD_NAME_MISMATCH, PHONE).await;
    assert_eq!(failure.body["attempts_left"], 4, "{failure:?}");
}

async fn spent_method_budget_makes_the_method_unavailable_until_the_next_day(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;
    for left in (0..5).rev() {
        let reply = bank_card(&h, &token, &id, CARD_NAME_MISMATCH, PHONE).await;
        assert_eq!(reply.body["attempts_left"], left, "{reply:?}");
    }

    // START is 08:00 in China, so the next platform day begins 16 hours later.
    let reply = submit(&h, &token, "id_card", ID, NAME).await;
    assert_eq!(
        method(&reply, "bank_card"),
        &json!({ "method": "bank_card", "available": false,
                 "reason": { "kind": "daily_attempts_used_up", "scope": "user_and_method",
                             "retry_after_secs": 16 * 3600 } })
    );
    // Other methods stay available; so does manual review, the fallback.
    assert_eq!(available(&reply), ["alipay", "phone", "face", "manual_review"]);

    let refused = bank_card(&h, &token, &id, CARD_OK, PHONE).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.code(), "rate_limited");
    assert_eq!(refused.detail("reason"), Some(&json!("daily_attempts_used_up")));
    assert_eq!(refused.retry_after_header(), Some(16 * 3600));
    assert_eq!(h.count("verification_attempts").await, 5, "a refused attempt was recorded");

    // At the next platform midnight the budget is back.
    h.clock.advance(16 * 3600);
    let token = h.sign_in("staff01", "pw").await.tokens().access_token.expose().clone();
    let id = submit_ok(&h, &token).await;
    let reply = bank_card(&h, &token, &id, CARD_OK, PHONE).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
}

async fn identity_number_budget_counts_the_attempts_of_every_user(db: DbConfig) {
    let h = Harness::new(db).await;
    let mut tokens = Vec::new();
    for account in ["u1", "u2", "u3"] {
        tokens.push(add_and_sign_in(&h, account).await);
    }
    // Two users spend 5 + 5 attempts on the same number: its budget of 10 is spent.
    for token in &tokens[..2] {
        let id = submit_ok(&h, token).await;
        for _ in 0..5 {
            bank_card(&h, token, &id, CARD_NAME_MISMATCH, PHONE).await;
        }
    }

    let reply = submit(&h, &tokens[2], "id_card", ID, NAME).await;

    assert_eq!(
        method(&reply, "bank_card")["reason"],
        json!({ "kind": "daily_attempts_used_up", "scope": "identity_number",
                "retry_after_secs": 16 * 3600 })
    );
    // Face recognition has its own per-identity budget (15 a minute, 30 a day); manual review
    // is the fallback.
    assert_eq!(available(&reply), ["face", "manual_review"]);
    // Another number is not affected.
    let other = submit(&h, &tokens[2], "id_card", "110105198001010016", NAME).await;
    assert_eq!(available(&other), ["bank_card", "alipay", "phone", "face", "manual_review"]);
}

async fn another_users_verification_id_is_not_found(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let other = add_and_sign_in(&h, "staff02").await;
    let id = submit_ok(&h, &token).await;
    let before = h.row_counts().await;

    let reply = bank_card(&h, &other, &id, CARD_OK, PHONE).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
    assert_eq!(reply.code(), "not_found");
    assert_eq!(h.row_counts().await, before);
    assert_eq!(h.me(&other).await.body["real_name_status"], "unverified");
    assert_eq!(h.me(&token).await.body["real_name_status"], "unverified");
}

async fn unknown_and_malformed_verification_ids_are_not_found(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    submit_ok(&h, &token).await;

    for id in ["0123456789abcdef0123456789abcdef", "nope", "%27%20OR%201%3D1", &"a".repeat(500)] {
        let reply = bank_card(&h, &token, id, CARD_OK, PHONE).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}: {reply:?}");
        assert_eq!(reply.code(), "not_found");
    }
    assert_eq!(h.count("verification_attempts").await, 0);
}

async fn expired_verification_is_not_found_with_reason_expired(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;
    h.clock.advance(30 * 60);
    // The access token (15 minutes) has expired too: sign in again.
    let token = h.sign_in("staff01", "pw").await.tokens().access_token.expose().clone();

    let reply = bank_card(&h, &token, &id, CARD_OK, PHONE).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{reply:?}");
    assert_eq!(reply.detail("reason"), Some(&json!("expired")));
    assert_eq!(h.count("verification_attempts").await, 0);
}

async fn verified_user_cannot_submit_another_identity(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;
    bank_card(&h, &token, &id, CARD_OK, PHONE).await;

    let reply = submit(&h, &token, "id_card", "110105198001010016", "李明").await;

    assert_eq!(reply.status, StatusCode::CONFLICT, "{reply:?}");
    assert_eq!(reply.detail("reason"), Some(&json!("already_verified")));
    assert_eq!(h.count("verifications").await, 1);
}

async fn history_lists_attempts_newest_first_and_masked(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let other = add_and_sign_in(&h, "staff02").await;
    let id = submit_ok(&h, &token).await;
    bank_card(&h, &token, &id, CARD_PHONE_MISMATCH, PHONE).await;
    h.clock.advance(10);
    bank_card(&h, &token, &id, CARD_TIMEOUT, PHONE).await;
    h.clock.advance(10);
    bank_card(&h, &token, &id, CARD_OK, PHONE).await;

    let attempts = history(&h, &token).await;

    assert_eq!(attempts.len(), 3);
    let summary: Vec<_> = attempts
        .iter()
        .map(|a| (a["outcome"].clone(), a["mismatched_element"].clone(), a["created_at"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!("success"), Value::Null, json!(START + 20)),
            (json!("provider_timeout"), Value::Null, json!(START + 10)),
            (json!("failure"), json!("phone"), json!(START)),
        ]
    );
    let failure = &attempts[2];
    assert_eq!(failure["verification_id"], id);
    assert_eq!(failure["method"], "bank_card");
    assert_eq!(failure["reason_code"], "elements_mismatch");
    assert_eq!(failure["document_type"], "id_card");
    assert_eq!(failure["number_masked"], "110***********002X");
    assert_eq!(failure["app_version"], "0.1.0-test");
    assert_eq!(failure["id"].as_str().unwrap().len(), 32);
    // Another user's history is their own.
    assert!(history(&h, &other).await.is_empty());
}

async fn no_full_identity_card_or_phone_number_is_stored_or_answered(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let mut replies = Vec::new();
    replies.push(submit(&h, &token, "id_card", ID, NAME).await);
    let id = replies[0].body["verification_id"].as_str().unwrap().to_owned();
    for card in [CARD_PHONE_MISMATCH, CARD_TIMEOUT, CARD_OK] {
        replies.push(bank_card(&h, &token, &id, card, PHONE).await);
    }
    replies.push(h.call(Method::GET, "/api/v1/real-name/attempts", Some(&token)).await);
    replies.push(h.me(&token).await);

    let secrets = [ID, PHONE, "138-0013-8000", CARD_OK, CARD_PHONE_MISMATCH, CARD_TIMEOUT];
    let answered: Vec<String> = replies.iter().map(|r| r.body.to_string()).collect();
    let stored = h.stored_text().await;
    for secret in secrets {
        for text in answered.iter().chain(&stored) {
            assert!(!text.to_uppercase().contains(secret), "{secret} found in {text}");
        }
    }
    // Neither is the plain (reversible) SHA-256 of the number kept anywhere.
    assert!(!stored.contains(&sha256_hex(ID)));
    assert_eq!(h.count("verification_attempts").await, 3);
}

async fn malformed_identity_bodies_are_refused_and_nothing_stored(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let before = h.row_counts().await;

    let cases = [
        (json!({ "document_type": "id_card", "number": ID }), "malformed_json"),
        (
            json!({ "document_type": "id_card", "number": ID, "name": NAME, "x": 1 }),
            "malformed_json",
        ),
        (
            json!({ "document_type": "driving_licence", "number": ID, "name": NAME }),
            "malformed_json",
        ),
        (json!({ "document_type": "id_card", "number": 110105, "name": NAME }), "malformed_json"),
        (json!({ "document_type": "id_card", "number": "", "name": NAME }), "invalid_input"),
        (json!({ "document_type": "id_card", "number": ID, "name": "" }), "invalid_input"),
        (
            json!({ "document_type": "id_card", "number": ID, "name": "王\u{202E}芳" }),
            "invalid_input",
        ),
        (
            json!({ "document_type": "id_card", "number": "1".repeat(5000), "name": NAME }),
            "invalid_input",
        ),
    ];
    for (body, code) in cases {
        let reply = post(&h, "/api/v1/real-name/identity", Some(&token), &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {reply:?}");
        assert_eq!(reply.code(), code, "{body}: {reply:?}");
    }
    let not_json = h
        .send(
            Request::post("/api/v1/real-name/identity")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from("{\"document_type\": \"id_card\","))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.code(), "malformed_json");
    let huge = json!({ "document_type": "id_card", "number": ID, "name": "王".repeat(100_000) });
    let reply = post(&h, "/api/v1/real-name/identity", Some(&token), &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");

    assert_eq!(h.row_counts().await, before, "a refused request changed the database");
}

async fn invalid_card_and_phone_are_refused_with_their_fields_and_nothing_stored(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;
    let before = h.row_counts().await;

    let short_card = bank_card(&h, &token, &id, "622202000000001", PHONE).await;
    let bad_phone = bank_card(&h, &token, &id, CARD_OK, "12800138000").await;
    let both = bank_card(&h, &token, &id, "6222-0200", "").await;
    let unknown_field = post(
        &h,
        &format!("/api/v1/real-name/{id}/bank-card"),
        Some(&token),
        &json!({ "card_number": CARD_OK, "phone": PHONE, "pin": "123456" }),
    )
    .await;

    assert_eq!(short_card.code(), "invalid_input", "{short_card:?}");
    assert_eq!(
        short_card.detail("errors"),
        Some(&json!([{ "field": "card_number",
                       "error": { "kind": "length_out_of_range", "min": 16, "max": 19, "actual": 15 } }]))
    );
    assert_eq!(bad_phone.detail("field"), Some(&json!("phone")), "{bad_phone:?}");
    assert_eq!(bad_phone.detail("errors").unwrap()[0]["error"]["kind"], "wrong_prefix");
    assert_eq!(both.detail("field"), Some(&json!("card_number")));
    let kinds: Vec<_> = both
        .detail("errors")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].clone(), e["error"]["kind"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [(json!("card_number"), json!("invalid_character")), (json!("phone"), json!("empty"))]
    );
    assert_eq!(unknown_field.code(), "malformed_json");
    for reply in [&short_card, &bad_phone, &both, &unknown_field] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
    assert_eq!(h.row_counts().await, before, "a refused request changed the database");
}

async fn real_name_requests_are_rate_limited_per_user(db: DbConfig) {
    let clock = Arc::new(ManualClock::new(START));
    let mut settings = test_settings(clock.clone());
    settings.limits = Limits {
        auth_requests_per_window: 1_000,
        verification_requests_per_minute: 3,
        ..Limits::default()
    };
    let state = AppState::open_with(db, settings).await.unwrap();
    let h = Harness { state, clock };
    let token = add_and_sign_in(&h, "staff01").await;
    let other = add_and_sign_in(&h, "staff02").await;

    let id = submit_ok(&h, &token).await;
    bank_card(&h, &token, &id, CARD_NAME_MISMATCH, PHONE).await;
    submit_ok(&h, &token).await;
    let refused = submit(&h, &token, "id_card", ID, NAME).await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    assert_eq!(refused.code(), "rate_limited");
    assert_eq!(refused.retry_after_header(), Some(60));
    // Per user: someone else is not affected.
    submit_ok(&h, &other).await;
    // A minute later the user may go on.
    h.clock.advance(60);
    let reply = bank_card(&h, &token, &id, CARD_OK, PHONE).await;
    assert_eq!(reply.body["outcome"], "success", "{reply:?}");
}

async fn real_name_routes_need_a_bearer_token(db: DbConfig) {
    let (h, token) = signed_in(db).await;
    let id = submit_ok(&h, &token).await;

    let identity = post(
        &h,
        "/api/v1/real-name/identity",
        None,
        &json!({ "document_type": "id_card", "number": ID, "name": NAME }),
    )
    .await;
    let card = post(
        &h,
        &format!("/api/v1/real-name/{id}/bank-card"),
        Some("not-a-token"),
        &json!({ "card_number": CARD_OK, "phone": PHONE }),
    )
    .await;
    let attempts = h.call(Method::GET, "/api/v1/real-name/attempts", None).await;

    for reply in [identity, card, attempts] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.code(), "unauthorized");
    }
    assert_eq!(h.count("verifications").await, 1);
}

async fn identity_hash_key_survives_a_restart(db: DbConfig) {
    let clock = Arc::new(ManualClock::new(START));
    let first = AppState::open_with(db.clone(), test_settings(clock.clone())).await.unwrap();
    let hash = first.identity_hasher().hmac_hex(ID);
    add_user(&first, "staff01", "pw", "测试", Role::Staff).await.unwrap();
    first.pool().close().await;

    let second = AppState::open_with(db, test_settings(clock)).await.unwrap();

    assert_eq!(second.identity_hasher().hmac_hex(ID), hash);
    assert_ne!(hash, sha256_hex(ID));
    assert_eq!(SANDBOX_BANK_CARDS.len(), 5);
}
