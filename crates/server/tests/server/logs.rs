//! What the server logs: requests, yes; passwords, tokens and identity numbers, never.

use axum::http::StatusCode;
use signet_server::{seed_demo, DbConfig};
use tracing::instrument::WithSubscriber;

use crate::common::{Harness, LogBuffer};

on_both_backends!(logs_of_sign_in_refresh_and_me_hold_no_secrets, logs_record_each_request);

/// Runs a demo user's sign-in, refresh and `/me` with every log level captured; returns the
/// log text and the secrets that went over the wire.
async fn session_logs(db: DbConfig) -> (String, Vec<String>) {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_span_list(true)
        .with_writer(logs.clone())
        .finish();
    let secrets = async move {
        let h = Harness::new(db).await;
        seed_demo(&h.state).await.unwrap();
        let first = h.sign_in("staff02", "Signet-demo-2").await.tokens();
        let second = h.refresh(first.refresh_token.expose()).await.tokens();
        assert_eq!(h.me(second.access_token.expose()).await.status, StatusCode::OK);
        // Failures log too.
        h.sign_in("staff02", "Signet-wrong-password").await;
        // A password typed into the account field.
        h.sign_in("Signet-typed-as-account", "x").await;
        h.refresh(first.refresh_token.expose()).await;
        vec![
            "Signet-demo-2".to_owned(),
            "Signet-wrong-password".to_owned(),
            "Signet-typed-as-account".to_owned(),
            "11010519491231002X".to_owned(),
            first.access_token.expose().clone(),
            first.refresh_token.expose().clone(),
            second.access_token.expose().clone(),
            second.refresh_token.expose().clone(),
        ]
    }
    .with_subscriber(subscriber)
    .await;
    (logs.contents(), secrets)
}

async fn logs_of_sign_in_refresh_and_me_hold_no_secrets(db: DbConfig) {
    let (logs, secrets) = session_logs(db).await;

    assert!(!logs.is_empty());
    for secret in secrets {
        assert!(!logs.contains(&secret), "the log shows a secret ({} chars)", secret.len());
    }
}

async fn logs_record_each_request(db: DbConfig) {
    let (logs, _) = session_logs(db).await;

    let finished: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["fields"]["message"] == "request finished")
        .collect();
    let me = finished
        .iter()
        .find(|event| event["span"]["path"] == "/api/v1/me")
        .expect("a request event for /api/v1/me");
    assert_eq!(me["span"]["method"], "GET");
    assert_eq!(me["fields"]["status"], 200);
    assert!(me["fields"]["latency_ms"].is_u64());
    assert!(logs.contains("staff02"), "accounts may be logged");
}
