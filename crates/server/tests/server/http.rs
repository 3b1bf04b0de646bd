//! Health, the OpenAPI document, unknown routes and internal errors.

use std::collections::BTreeSet;

use axum::http::{header, Method, StatusCode};
use signet_server::{routes, DbConfig, VERSION};

use crate::common::Harness;

on_both_backends!(
    health_reports_ok_and_the_version,
    health_answers_503_when_the_database_is_down,
    openapi_describes_exactly_the_routes_of_the_router,
    every_route_in_the_table_is_served,
    unknown_route_answers_a_json_404,
    wrong_method_answers_a_json_405_with_allow,
    internal_errors_do_not_leak_their_cause,
);

async fn health_reports_ok_and_the_version(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::GET, "/health", None).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, serde_json::json!({ "status": "ok", "version": VERSION }));
}

async fn health_answers_503_when_the_database_is_down(db: DbConfig) {
    let h = Harness::new(db).await;
    h.state.pool().close().await;

    let reply = h.call(Method::GET, "/health", None).await;

    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["status"], "unavailable");
}

async fn openapi_describes_exactly_the_routes_of_the_router(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::GET, "/api/v1/openapi.json", None).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = reply.body["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .expect("operations")
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> =
        routes().into_iter().map(|(method, path)| (method.to_string(), path.to_owned())).collect();
    assert_eq!(documented, served);
    for (_, operations) in reply.body["paths"].as_object().unwrap() {
        for (_, operation) in operations.as_object().unwrap() {
            assert!(operation["responses"].is_object(), "{operation}");
        }
    }
}

async fn every_route_in_the_table_is_served(db: DbConfig) {
    let h = Harness::new(db).await;

    for (method, path) in routes() {
        let reply = h.call(method.clone(), path, None).await;
        assert_ne!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
}

async fn unknown_route_answers_a_json_404(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::GET, "/api/v1/nothing-here", None).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_found");
}

async fn wrong_method_answers_a_json_405_with_allow(db: DbConfig) {
    let h = Harness::new(db).await;

    let reply = h.call(Method::GET, "/api/v1/auth/sign-in", None).await;

    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.code(), "not_found");
    let allow = reply.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(allow.contains("POST"), "Allow: {allow:?}");
}

async fn internal_errors_do_not_leak_their_cause(db: DbConfig) {
    let h = Harness::new(db).await;
    h.add_staff("staff01", "pw").await;
    let tokens = h.sign_in("staff01", "pw").await.tokens();
    sqlx::query("DROP TABLE identities").execute(h.state.pool()).await.unwrap();

    let reply = h.me(tokens.access_token.expose()).await;

    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.body, serde_json::json!({ "code": "internal", "message": "internal error" }));
}
