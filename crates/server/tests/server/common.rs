//! Test harness: a fresh database per test on SQLite or PostgreSQL, a server state on a manual
//! clock, and helpers to call the router without a socket.
//!
//! Each behaviour is written once as `async fn name(db: DbConfig)` and instantiated for both
//! backends with [`on_both_backends!`]:
//!
//! ```ignore
//! on_both_backends!(signs_in_with_the_right_password, ...);
//! ```
//!
//! PostgreSQL tests need `SIGNET_TEST_DATABASE_URL` (a server on which they may create
//! databases); `cargo xtask test` starts a throwaway one and sets it. Without it they fail.

use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use signet_domain::api::{Role, SessionTokens};
use signet_server::{AppState, DbConfig, Limits, ManualClock, PasswordCost, Providers, Settings};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor, Row};
use tower::ServiceExt;

pub const TEST_DATABASE_ENV: &str = "SIGNET_TEST_DATABASE_URL";

/// Every table of the schema, for checks that scan everything stored.
pub const TABLES: &[&str] = &[
    "users",
    "identities",
    "sign_in_failures",
    "session_families",
    "access_tokens",
    "refresh_tokens",
    "server_secrets",
    "verifications",
    "verification_attempts",
    "sms_challenges",
    "sandbox_sms_outbox",
    "alipay_sessions",
    "manual_uploads",
    "manual_reviews",
    "face_challenges",
    "face_uploads",
    "review_decisions",
    "reviewer_sessions",
    "signatures",
    "signature_owners",
];

/// Where the manual clock starts: 2026-01-01T00:00:00Z.
pub const START: i64 = 1_767_225_600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Instantiates each named `async fn(DbConfig)` of the enclosing module as a test on SQLite
/// (`sqlite::name`) and on PostgreSQL (`postgres::name`).
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    $crate::common::run_on($crate::common::Backend::Sqlite, super::$test).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    $crate::common::run_on($crate::common::Backend::Postgres, super::$test).await;
                }
            )+
        }
    };
}

/// Runs `test` against a fresh database of `backend`, then removes the database, also when the
/// test panics (it runs as a task so that its panic can be caught and re-raised afterwards).
pub async fn run_on<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(DbConfig) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::create(backend).await;
    let outcome = tokio::spawn(test(db.config.clone())).await;
    db.destroy().await;
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task did not finish: {err}"),
        }
    }
}

struct TestDb {
    config: DbConfig,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temp dir");
                // A directory that does not exist yet: opening must create it.
                let config = DbConfig::data_dir(dir.path().join("data"));
                Self { config, _dir: Some(dir), postgres: None }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("signet_t_{}", random_hex(8));
                let mut conn = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("cannot connect to {TEST_DATABASE_ENV} ({admin_url}): {e}")
                });
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
                let _ = conn.close().await;
                let url = PgConnectOptions::from_str(&admin_url)
                    .expect("parse the PostgreSQL URL")
                    .database(&name)
                    .to_url_lossy()
                    .to_string();
                Self { config: DbConfig::url(url), _dir: None, postgres: Some((admin_url, name)) }
            }
        }
    }

    async fn destroy(self) {
        if let Some((admin_url, name)) = self.postgres {
            if let Ok(mut conn) = PgConnection::connect(&admin_url).await {
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                let _ = conn.close().await;
            }
        }
    }
}

pub fn postgres_admin_url() -> String {
    match std::env::var(TEST_DATABASE_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{TEST_DATABASE_ENV} is not set, so the PostgreSQL variant of this test cannot run. \
             Run `cargo xtask test` (it starts a throwaway PostgreSQL and sets the variable), or \
             set {TEST_DATABASE_ENV}=postgres://USER@HOST:PORT/postgres to a server where the \
             tests may create and drop databases."
        ),
    }
}

/// An HTTP client for tests that talk to a real socket. reqwest is built without a TLS crypto
/// provider of its own (the app installs ring), so install ring first, as the app does.
pub fn http_client(timeout: std::time::Duration) -> reqwest::Client {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder().timeout(timeout).build().expect("test HTTP client")
}

pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Test settings: manual clock, cheap hashing, and limits high enough to stay out of the way.
pub fn test_settings(clock: Arc<ManualClock>) -> Settings {
    Settings {
        clock,
        limits: Limits {
            auth_requests_per_window: 1_000,
            verification_requests_per_minute: 1_000,
            ..Limits::default()
        },
        password_cost: PasswordCost::FAST_INSECURE_FOR_TESTS,
        providers: Providers::sandbox(),
        sandbox: true,
        blob_dir: None,
        releases_dir: None,
        public_url: None,
        liveness: Some(signet_server::ClipAnalysis::shared()),
    }
}

/// A server state on a manual clock, called through the router without a socket.
pub struct Harness {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
}

/// An answer: status, headers and the body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an error body, or "" for anything else.
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or("")
    }

    pub fn detail(&self, key: &str) -> Option<&Value> {
        self.body.get("details")?.get(key)
    }

    pub fn tokens(&self) -> SessionTokens {
        assert_eq!(self.status, StatusCode::OK, "expected tokens, got {self:?}");
        serde_json::from_value(self.body.clone()).expect("a SessionTokens body")
    }

    pub fn retry_after_header(&self) -> Option<u64> {
        self.headers.get(header::RETRY_AFTER)?.to_str().ok()?.parse().ok()
    }
}

impl Harness {
    pub async fn new(db: DbConfig) -> Self {
        Self::with_limits(db, None).await
    }

    /// A harness whose test settings `adjust` changes (limits, an installed analyser).
    pub async fn with_settings(db: DbConfig, adjust: impl FnOnce(Settings) -> Settings) -> Self {
        let clock = Arc::new(ManualClock::new(START));
        let settings = adjust(test_settings(clock.clone()));
        let state = AppState::open_with(db, settings).await.expect("open the state");
        Self { state, clock }
    }

    pub async fn with_limits(db: DbConfig, limits: Option<Limits>) -> Self {
        let clock = Arc::new(ManualClock::new(START));
        let mut settings = test_settings(clock.clone());
        if let Some(limits) = limits {
            settings.limits = limits;
        }
        let state = AppState::open_with(db, settings).await.expect("open the state");
        Self { state, clock }
    }

    pub fn app(&self) -> Router {
        signet_server::app(self.state.clone())
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("a body");
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = if bytes.is_empty() {
            Value::Null
        } else if html {
            // The sandbox pages: kept as text.
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        Reply { status, headers, body }
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.post_raw(path, "application/json", body.to_string()).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<Body>) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .expect("a request");
        self.send(request).await
    }

    pub async fn call(&self, method: Method, path: &str, bearer: Option<&str>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).expect("a request")).await
    }

    pub async fn sign_in(&self, account: &str, password: &str) -> Reply {
        self.post_json(
            "/api/v1/auth/sign-in",
            &serde_json::json!({ "account": account, "password": password }),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post_json(
            "/api/v1/auth/refresh",
            &serde_json::json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    pub async fn me(&self, access_token: &str) -> Reply {
        self.call(Method::GET, "/api/v1/me", Some(access_token)).await
    }

    pub async fn sign_out(&self, access_token: &str) -> Reply {
        self.call(Method::POST, "/api/v1/auth/sign-out", Some(access_token)).await
    }

    /// Adds a staff account and returns its user id.
    pub async fn add_staff(&self, account: &str, password: &str) -> String {
        signet_server::add_user(&self.state, account, password, "测试用户", Role::Staff)
            .await
            .expect("add a user")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.state.pool())
            .await
            .expect("count rows")
            .try_get::<i64, _>("n")
            .expect("a count")
    }

    /// Rows in every table, to show that a refused request stored nothing.
    pub async fn row_counts(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in TABLES {
            counts.push((*table, self.count(table).await));
        }
        counts
    }

    /// Every TEXT value stored in any table.
    pub async fn stored_text(&self) -> Vec<String> {
        let mut values = Vec::new();
        for table in TABLES {
            let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(self.state.pool())
                .await
                .expect("read a table");
            for row in rows {
                for i in 0..row.len() {
                    if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                        values.push(text);
                    }
                }
            }
        }
        values
    }
}

/// A `MakeWriter` that keeps everything written to it, to inspect logs.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer lock")).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
