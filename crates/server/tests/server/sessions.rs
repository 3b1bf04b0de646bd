//! Access tokens, refresh rotation, reuse detection and sign-out.

use axum::http::{Method, StatusCode};
use signet_domain::api::SessionTokens;
use signet_domain::api::{ACCESS_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS};
use signet_server::{sha256_hex, DbConfig};

use crate::common::Harness;

on_both_backends!(
    access_token_expires_after_fifteen_minutes,
    missing_bearer_is_unauthorized,
    unknown_bearer_is_unauthorized,
    refresh_returns_a_new_pair_that_works,
    refresh_token_is_refused_once_rotated,
    reused_refresh_token_revokes_the_whole_family,
    refresh_token_expires_after_thirty_days,
    unknown_refresh_token_is_unauthorized,
    tokens_are_stored_only_as_hashes,
    sign_out_revokes_the_session,
    sign_out_leaves_other_sessions_alone,
    sign_out_works_with_an_expired_access_token,
    sign_out_without_a_bearer_is_unauthorized,
);

async fn signed_in(h: &Harness) -> SessionTokens {
    h.add_staff("staff01", "pw").await;
    h.sign_in("staff01", "pw").await.tokens()
}

async fn access_token_expires_after_fifteen_minutes(db: DbConfig) {
    let h = Harness::new(db).await;
    let tokens = signed_in(&h).await;
    let access = tokens.access_token.expose();

    h.clock.advance(ACCESS_TOKEN_TTL_SECS - 1);
    assert_eq!(h.me(access).await.status, StatusCode::OK);
    h.clock.advance(1);
    let reply = h.me(access).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "session_expired");
}

async fn missing_bearer_is_unauthorized(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::GET, "/api/v1/me", None).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "unauthorized");
}

async fn unknown_bearer_is_unauthorized(db: DbConfig) {
    let h = Harness::new(db).await;
    signed_in(&h).await;

    let reply = h.me("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "unauthorized");
}

async fn refresh_returns_a_new_pair_that_works(db: DbConfig) {
    let h = Harness::new(db).await;
    let first = signed_in(&h).await;

    let second = h.refresh(first.refresh_token.expose()).await.tokens();

    assert_eq!(second.user_id, first.user_id);
    assert_ne!(second.access_token.expose(), first.access_token.expose());
    assert_ne!(second.refresh_token.expose(), first.refresh_token.expose());
    assert_eq!(h.me(second.access_token.expose()).await.status, StatusCode::OK);
    assert_eq!(h.count("session_families").await, 1, "the pair joins the same family");
}

async fn refresh_token_is_refused_once_rotated(db: DbConfig) {
    let h = Harness::new(db).await;
    let first = signed_in(&h).await;
    h.refresh(first.refresh_token.expose()).await.tokens();

    let again = h.refresh(first.refresh_token.expose()).await;

    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "refresh_token_reused");
}

async fn reused_refresh_token_revokes_the_whole_family(db: DbConfig) {
    let h = Harness::new(db).await;
    let first = signed_in(&h).await;
    let second = h.refresh(first.refresh_token.expose()).await.tokens();

    h.refresh(first.refresh_token.expose()).await;

    let me = h.me(second.access_token.expose()).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "session_expired");
    let refresh = h.refresh(second.refresh_token.expose()).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh.code(), "session_expired");
}

async fn refresh_token_expires_after_thirty_days(db: DbConfig) {
    let h = Harness::new(db).await;
    let tokens = signed_in(&h).await;

    h.clock.advance(REFRESH_TOKEN_TTL_SECS);
    let reply = h.refresh(tokens.refresh_token.expose()).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "session_expired");
}

async fn unknown_refresh_token_is_unauthorized(db: DbConfig) {
    let h = Harness::new(db).await;
    signed_in(&h).await;

    let reply = h.refresh("not-a-token-we-issued").await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "unauthorized");
}

async fn tokens_are_stored_only_as_hashes(db: DbConfig) {
    let h = Harness::new(db).await;
    let first = signed_in(&h).await;
    let second = h.refresh(first.refresh_token.expose()).await.tokens();

    let stored = h.stored_text().await;

    for token in
        [&first.access_token, &first.refresh_token, &second.access_token, &second.refresh_token]
    {
        let raw = token.expose();
        assert!(!stored.iter().any(|value| value.contains(raw.as_str())), "raw token stored");
        assert!(stored.contains(&sha256_hex(raw)), "token hash missing");
    }
}

async fn sign_out_revokes_the_session(db: DbConfig) {
    let h = Harness::new(db).await;
    let tokens = signed_in(&h).await;

    let reply = h.sign_out(tokens.access_token.expose()).await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(h.me(tokens.access_token.expose()).await.code(), "session_expired");
    assert_eq!(h.refresh(tokens.refresh_token.expose()).await.code(), "session_expired");
}

async fn sign_out_leaves_other_sessions_alone(db: DbConfig) {
    let h = Harness::new(db).await;
    let laptop = signed_in(&h).await;
    let kiosk = h.sign_in("staff01", "pw").await.tokens();

    h.sign_out(kiosk.access_token.expose()).await;

    assert_eq!(h.me(laptop.access_token.expose()).await.status, StatusCode::OK);
}

async fn sign_out_works_with_an_expired_access_token(db: DbConfig) {
    let h = Harness::new(db).await;
    let tokens = signed_in(&h).await;
    h.clock.advance(ACCESS_TOKEN_TTL_SECS + 60);

    let reply = h.sign_out(tokens.access_token.expose()).await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(h.refresh(tokens.refresh_token.expose()).await.code(), "session_expired");
}

async fn sign_out_without_a_bearer_is_unauthorized(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::POST, "/api/v1/auth/sign-out", None).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "unauthorized");
}
