//! Logs: JSON lines on stderr (stdout is kept for the `listening on ...` line a parent process
//! reads), filtered by `RUST_LOG` (default `info`), and one span per request with method, path,
//! status and latency.
//!
//! What never reaches a log: passwords, tokens, full identity numbers. Request bodies and query
//! strings are not logged at all; secrets in memory are `Sensitive`, which prints `<redacted>`.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber for the process. Does nothing if one is already installed.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(true)
        .with_span_list(false)
        .try_init();
}

/// Middleware: runs the request inside a `request` span and logs its outcome.
pub async fn log_requests(request: Request, next: Next) -> Response {
    // The path only: query strings are where careless clients put secrets.
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", method = %method, path = %path);
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(parent: &span, status = response.status().as_u16(), latency_ms, "request finished");
    response
}
