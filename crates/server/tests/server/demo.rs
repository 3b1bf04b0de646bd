//! The demo accounts.

use axum::http::StatusCode;
use signet_server::{seed_demo, DbConfig, DEMO_ACCOUNTS};

use crate::common::Harness;

on_both_backends!(
    every_demo_account_signs_in_with_its_documented_password,
    seed_demo_is_idempotent
);

async fn every_demo_account_signs_in_with_its_documented_password(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();

    for demo in DEMO_ACCOUNTS {
        let tokens = h.sign_in(demo.account, demo.password).await.tokens();
        let me = h.me(tokens.access_token.expose()).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["display_name"], demo.display_name);
        assert_eq!(me.body["role"], demo.role.as_str());
        assert_eq!(me.body["real_name_status"], demo.real_name_status.as_str());
    }
}

async fn seed_demo_is_idempotent(db: DbConfig) {
    let h = Harness::new(db).await;
    seed_demo(&h.state).await.unwrap();
    let before = h.row_counts().await;

    seed_demo(&h.state).await.unwrap();

    assert_eq!(h.row_counts().await, before);
    assert_eq!(h.count("users").await, DEMO_ACCOUNTS.len() as i64);
    assert_eq!(h.sign_in("staff02", "Signet-demo-2").await.status, StatusCode::OK);
}
