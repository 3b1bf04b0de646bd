//! The server over real TCP, as the desktop app meets it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use signet_domain::api::SessionTokens;
use signet_domain::ErrorBody;
use signet_server::{serve, spawn, DbConfig, Limits};

use crate::common::Harness;

on_both_backends!(
    signs_in_and_reads_the_profile_over_tcp,
    sign_in_is_rate_limited_per_client_address,
    refresh_shares_the_sign_in_rate_limit,
    rate_limit_window_ends_after_a_minute,
    stops_when_the_shutdown_signal_resolves,
);

fn client() -> reqwest::Client {
    crate::common::http_client(Duration::from_secs(20))
}

fn tight_limits() -> Option<Limits> {
    Some(Limits { auth_requests_per_window: 3, auth_window_secs: 60, ..Limits::default() })
}

async fn signs_in_and_reads_the_profile_over_tcp(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;
    let server = spawn(h.state.clone()).await.unwrap();
    let client = client();

    let tokens: SessionTokens = client
        .post(format!("{}/api/v1/auth/sign-in", server.base_url()))
        .json(&json!({ "account": "staff01", "password": "pw" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let me: Value = client
        .get(format!("{}/api/v1/me", server.base_url()))
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(me["account"], "staff01");
    server.stop().await.unwrap();
}

async fn sign_in_is_rate_limited_per_client_address(db: DbConfig) {
    let h = Harness::with_limits(db, tight_limits()).await;
    let server = spawn(h.state.clone()).await.unwrap();
    let client = client();
    let url = format!("{}/api/v1/auth/sign-in", server.base_url());
    let body = json!({ "account": "nobody", "password": "pw" });
    for _ in 0..3 {
        let response = client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let response = client.post(&url).json(&body).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    let error: ErrorBody = response.json().await.unwrap();
    assert_eq!(error.code.as_str(), "rate_limited");
    assert_eq!(error.retry_after_secs(), Some(60));
}

async fn refresh_shares_the_sign_in_rate_limit(db: DbConfig) {
    let h = Harness::with_limits(db, tight_limits()).await;
    let server = spawn(h.state.clone()).await.unwrap();
    let client = client();
    for _ in 0..3 {
        client
            .post(format!("{}/api/v1/auth/sign-in", server.base_url()))
            .json(&json!({ "account": "nobody", "password": "pw" }))
            .send()
            .await
            .unwrap();
    }

    let response = client
        .post(format!("{}/api/v1/auth/refresh", server.base_url()))
        .json(&json!({ "refresh_token": "whatever" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn rate_limit_window_ends_after_a_minute(db: DbConfig) {
    let h = Harness::with_limits(db, tight_limits()).await;
    let server = spawn(h.state.clone()).await.unwrap();
    let client = client();
    let url = format!("{}/api/v1/auth/sign-in", server.base_url());
    let body = json!({ "account": "nobody", "password": "pw" });
    for _ in 0..4 {
        client.post(&url).json(&body).send().await.unwrap();
    }

    h.clock.advance(60);
    let response = client.post(&url).json(&body).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn stops_when_the_shutdown_signal_resolves(db: DbConfig) {
    let h = Harness::new(db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, h.state.clone(), async {
        let _ = stopped.await;
    }));
    let health = client().get(format!("http://{addr}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    stop.send(()).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(10), server).await;

    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still accepting connections");
}
