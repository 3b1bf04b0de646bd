//! Signing in, wrong passwords and the lockout.

use axum::http::StatusCode;
use serde_json::json;
use signet_domain::api::{ACCESS_TOKEN_TTL_SECS, LOCKOUT_SECS, REFRESH_TOKEN_TTL_SECS};
use signet_server::DbConfig;

use crate::common::Harness;

on_both_backends!(
    signs_in_with_the_right_password,
    account_is_trimmed_before_signing_in,
    wrong_password_counts_the_attempts_left_down,
    locked_out_after_five_wrong_passwords,
    right_password_is_refused_while_locked,
    lock_expires_after_fifteen_minutes,
    success_resets_the_wrong_password_count,
    unknown_account_answers_exactly_like_a_wrong_password,
);

async fn signs_in_with_the_right_password(db: DbConfig) {
    let h = Harness::new(db).await;
    let user_id = h.add_staff("staff01", "correct horse").await;

    let reply = h.sign_in("staff01", "correct horse").await;

    assert_eq!(reply.headers.get("cache-control").map(|v| v.as_bytes()), Some(&b"no-store"[..]));
    let tokens = reply.tokens();
    assert_eq!(tokens.user_id, user_id);
    assert_eq!(tokens.access_expires_in, ACCESS_TOKEN_TTL_SECS);
    assert_eq!(tokens.refresh_expires_in, REFRESH_TOKEN_TTL_SECS);
    assert_eq!(tokens.access_token.expose().len(), 43);
    assert_ne!(tokens.access_token.expose(), tokens.refresh_token.expose());
    assert_eq!(h.count("session_families").await, 1);
}

async fn account_is_trimmed_before_signing_in(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;

    let reply = h.sign_in("  staff01\t", "pw").await;

    assert_eq!(reply.status, StatusCode::OK);
}

async fn wrong_password_counts_the_attempts_left_down(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;

    for expected in [4, 3, 2, 1] {
        let reply = h.sign_in("staff01", "wrong").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "invalid_credentials");
        assert_eq!(reply.detail("attempts_left"), Some(&json!(expected)));
    }
}

async fn locked_out_after_five_wrong_passwords(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;
    for _ in 0..4 {
        h.sign_in("staff01", "wrong").await;
    }

    let fifth = h.sign_in("staff01", "wrong").await;

    assert_eq!(fifth.status, StatusCode::LOCKED);
    assert_eq!(fifth.code(), "account_locked");
    assert_eq!(fifth.detail("retry_after_secs"), Some(&json!(LOCKOUT_SECS)));
    assert_eq!(fifth.retry_after_header(), Some(LOCKOUT_SECS));
}

async fn right_password_is_refused_while_locked(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;
    for _ in 0..5 {
        h.sign_in("staff01", "wrong").await;
    }
    h.clock.advance(60);

    let reply = h.sign_in("staff01", "right").await;

    assert_eq!(reply.status, StatusCode::LOCKED);
    assert_eq!(reply.code(), "account_locked");
    assert_eq!(reply.detail("retry_after_secs"), Some(&json!(LOCKOUT_SECS - 60)));
    assert_eq!(reply.retry_after_header(), Some(LOCKOUT_SECS - 60));
    assert_eq!(h.count("session_families").await, 0);
}

async fn lock_expires_after_fifteen_minutes(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;
    for _ in 0..5 {
        h.sign_in("staff01", "wrong").await;
    }

    h.clock.advance(LOCKOUT_SECS - 1);
    assert_eq!(h.sign_in("staff01", "right").await.status, StatusCode::LOCKED);
    h.clock.advance(1);
    let reply = h.sign_in("staff01", "right").await;

    assert_eq!(reply.status, StatusCode::OK);
}

async fn success_resets_the_wrong_password_count(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;
    for _ in 0..4 {
        h.sign_in("staff01", "wrong").await;
    }
    assert_eq!(h.sign_in("staff01", "right").await.status, StatusCode::OK);

    let reply = h.sign_in("staff01", "wrong").await;

    assert_eq!(reply.detail("attempts_left"), Some(&json!(4)));
}

async fn unknown_account_answers_exactly_like_a_wrong_password(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "right").await;

    for attempt in 1..=6 {
        let known = h.sign_in("staff01", "wrong").await;
        let unknown = h.sign_in("nobody", "wrong").await;
        assert_eq!(known.status, unknown.status, "attempt {attempt}");
        assert_eq!(known.body, unknown.body, "attempt {attempt}");
        assert_eq!(known.retry_after_header(), unknown.retry_after_header(), "attempt {attempt}");
    }
}
