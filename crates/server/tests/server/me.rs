//! `GET /api/v1/me` and what is stored of an identity.

use axum::http::StatusCode;
use serde_json::json;
use signet_domain::api::RealNameStatus;
use signet_domain::identity::DocumentType;
use signet_server::{seed_demo, set_real_name, sha256_hex, DbConfig};

use crate::common::Harness;

on_both_backends!(
    me_shows_the_masked_identity_of_a_verified_user,
    me_shows_no_identity_for_an_unverified_user,
    me_shows_the_reviewer_role,
    full_identity_number_is_never_stored,
    clearing_the_identity_removes_it_from_me,
);

async fn me_shows_the_masked_identity_of_a_verified_user(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();
    let tokens = h.sign_in("staff02", "Signet-demo-2").await.tokens();

    let reply = h.me(tokens.access_token.expose()).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({
            "user_id": tokens.user_id,
            "account": "staff02",
            "display_name": "王芳",
            "role": "staff",
            "real_name_status": "verified",
            "identity": { "document_type": "id_card", "number": "110***********002X", "name": "王芳" },
        })
    );
}

async fn me_shows_no_identity_for_an_unverified_user(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();
    let tokens = h.sign_in("staff01", "Signet-demo-1").await.tokens();

    let reply = h.me(tokens.access_token.expose()).await;

    assert_eq!(reply.body["real_name_status"], "unverified");
    assert_eq!(reply.body["display_name"], "李明");
    assert_eq!(reply.body["identity"], serde_json::Value::Null);
}

async fn me_shows_the_reviewer_role(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();
    let tokens = h.sign_in("reviewer01", "Signet-review-1").await.tokens();

    let reply = h.me(tokens.access_token.expose()).await;

    assert_eq!(reply.body["role"], "reviewer");
}

async fn full_identity_number_is_never_stored(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff03", "pw").await;

    set_real_name(
        &h.state,
        "staff03",
        RealNameStatus::PendingReview,
        Some((DocumentType::IdCard, "11010519491231002x", "王芳")),
    )
    .await
    .unwrap();

    let stored = h.stored_text().await;
    assert!(!stored.iter().any(|v| v.to_uppercase().contains("11010519491231002X")));
    assert!(stored.contains(&"110***********002X".to_owned()));
    // Keyed (HMAC) rather than a plain SHA-256, which could be reversed by enumerating numbers.
    assert!(stored.contains(&h.state.identity_hasher().hmac_hex("11010519491231002X")));
    assert!(!stored.contains(&sha256_hex("11010519491231002X")));
}

async fn clearing_the_identity_removes_it_from_me(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();
    set_real_name(&h.state, "staff02", RealNameStatus::Unverified, None).await.unwrap();
    let tokens = h.sign_in("staff02", "Signet-demo-2").await.tokens();

    let reply = h.me(tokens.access_token.expose()).await;

    assert_eq!(reply.body["real_name_status"], "unverified");
    assert_eq!(reply.body["identity"], serde_json::Value::Null);
    assert_eq!(h.count("identities").await, 0);
}
