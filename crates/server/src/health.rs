//! `GET /health`: 200 `{"status":"ok"}` when the server can reach its database, 503 otherwise.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use signet_domain::api::Health;

use crate::state::AppState;

const DB_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let check = sqlx::query("SELECT 1").execute(state.pool());
    let (code, status) = match tokio::time::timeout(DB_CHECK_TIMEOUT, check).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        Err(_) => {
            tracing::error!("health check: database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    (code, Json(Health { status: status.to_owned(), version: crate::VERSION.to_owned() }))
}
