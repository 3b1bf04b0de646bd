//! Bodies and fields the API refuses, each with its code, and without storing anything.

use axum::http::StatusCode;
use serde_json::json;
use signet_domain::api::Role;
use signet_server::{add_user, DbConfig};

use crate::common::{Harness, Reply};

on_both_backends!(
    malformed_json_is_refused_and_nothing_stored,
    unknown_fields_are_refused_and_nothing_stored,
    missing_fields_are_refused_and_nothing_stored,
    wrong_content_type_is_refused_and_nothing_stored,
    missing_content_type_is_refused,
    empty_account_is_refused_and_nothing_stored,
    overlong_account_is_refused_and_nothing_stored,
    account_with_control_characters_is_refused_and_nothing_stored,
    overlong_password_is_refused_and_nothing_stored,
    oversize_body_is_refused_and_nothing_stored,
    adding_a_user_with_an_invalid_account_stores_nothing,
    adding_an_existing_account_is_a_conflict,
);

/// Sends `send` to a server with one account, and checks that it answered `status`/`code`
/// and that no table changed.
async fn refused_without_trace<F, Fut>(
    db: DbConfig,
    status: StatusCode,
    code: &str,
    send: F,
) -> Reply
where
    F: FnOnce(Harness) -> Fut,
    Fut: std::future::Future<Output = (Harness, Reply)>,
{
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;
    let before = h.row_counts().await;

    let (h, reply) = send(h).await;

    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.code(), code, "{reply:?}");
    assert_eq!(h.row_counts().await, before, "a refused request changed the database");
    reply
}

async fn malformed_json_is_refused_and_nothing_stored(db: DbConfig) {
    refused_without_trace(db, StatusCode::BAD_REQUEST, "malformed_json", |h| async move {
        let reply = h
            .post_raw("/api/v1/auth/sign-in", "application/json", r#"{"account": "staff01","#)
            .await;
        (h, reply)
    })
    .await;
}

async fn unknown_fields_are_refused_and_nothing_stored(db: DbConfig) {
    refused_without_trace(db, StatusCode::BAD_REQUEST, "malformed_json", |h| async move {
        let body = json!({ "account": "staff01", "password": "pw", "remember_me": true });
        let reply = h.post_json("/api/v1/auth/sign-in", &body).await;
        (h, reply)
    })
    .await;
}

async fn missing_fields_are_refused_and_nothing_stored(db: DbConfig) {
    refused_without_trace(db, StatusCode::BAD_REQUEST, "malformed_json", |h| async move {
        let reply = h.post_json("/api/v1/auth/sign-in", &json!({ "account": "staff01" })).await;
        (h, reply)
    })
    .await;
}

async fn wrong_content_type_is_refused_and_nothing_stored(db: DbConfig) {
    refused_without_trace(
        db,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        |h| async move {
            let body = json!({ "account": "staff01", "password": "pw" }).to_string();
            let reply = h.post_raw("/api/v1/auth/sign-in", "text/plain", body).await;
            (h, reply)
        },
    )
    .await;
}

async fn missing_content_type_is_refused(db: DbConfig) {
    let h = Harness::new(db).await;
    let request = axum::http::Request::post("/api/v1/auth/refresh")
        .body(axum::body::Body::from(r#"{"refresh_token":"x"}"#))
        .unwrap();

    let reply = h.send(request).await;

    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.code(), "unsupported_media_type");
}

async fn empty_account_is_refused_and_nothing_stored(db: DbConfig) {
    let reply =
        refused_without_trace(db, StatusCode::BAD_REQUEST, "invalid_input", |h| async move {
            let reply = h.sign_in("   ", "pw").await;
            (h, reply)
        })
        .await;
    assert_eq!(reply.detail("field"), Some(&json!("account")));
}

async fn overlong_account_is_refused_and_nothing_stored(db: DbConfig) {
    let reply =
        refused_without_trace(db, StatusCode::BAD_REQUEST, "invalid_input", |h| async move {
            let reply = h.sign_in(&"账".repeat(65), "pw").await;
            (h, reply)
        })
        .await;
    assert_eq!(reply.detail("field"), Some(&json!("account")));
}

async fn account_with_control_characters_is_refused_and_nothing_stored(db: DbConfig) {
    let reply =
        refused_without_trace(db, StatusCode::BAD_REQUEST, "invalid_input", |h| async move {
            let reply = h.sign_in("staff\u{7}01", "pw").await;
            (h, reply)
        })
        .await;
    assert_eq!(reply.detail("field"), Some(&json!("account")));
}

async fn overlong_password_is_refused_and_nothing_stored(db: DbConfig) {
    let reply =
        refused_without_trace(db, StatusCode::BAD_REQUEST, "invalid_input", |h| async move {
            let reply = h.sign_in("staff01", &"p".repeat(257)).await;
            (h, reply)
        })
        .await;
    assert_eq!(reply.detail("field"), Some(&json!("password")));
}

async fn oversize_body_is_refused_and_nothing_stored(db: DbConfig) {
    refused_without_trace(db, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", |h| async move {
        let body = json!({ "account": "staff01", "password": "x".repeat(70 * 1024) });
        let reply = h.post_json("/api/v1/auth/sign-in", &body).await;
        (h, reply)
    })
    .await;
}

async fn adding_a_user_with_an_invalid_account_stores_nothing(db: DbConfig) {
    let h = Harness::new(db).await;

    for account in ["", "  ", "bad\naccount", &"a".repeat(65)] {
        let err = add_user(&h.state, account, "pw", "名字", Role::Staff).await.unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input", "{account:?}");
    }

    assert_eq!(h.count("users").await, 0);
}

async fn adding_an_existing_account_is_a_conflict(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;

    let err = add_user(&h.state, " staff01 ", "other", "名字", Role::Reviewer).await.unwrap_err();

    assert_eq!(err.code().as_str(), "conflict");
    assert_eq!(h.count("users").await, 1);
}
