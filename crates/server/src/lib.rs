//! Signet's reference platform server: accounts, sessions, the profile API that the desktop
//! app syncs with, and real-name authentication behind provider traits with sandbox providers
//! ([`Providers`]), including manual review with its reviewer console (`/review`) and photo
//! retention ([`purge_expired_photos`]), face recognition with its liveness analysis behind
//! [`LivenessAnalysis`] and clip retention ([`purge_expired_face_videos`]), and signature storage, over SQLite (default) or
//! PostgreSQL; and the desktop app's update manifests, built from a releases directory
//! ([`publish_release`]).
//!
//! - [`app`] builds the axum [`Router`] from an [`AppState`]; [`serve`] runs it on a listener
//!   with graceful shutdown; [`spawn`] starts it on `127.0.0.1:0` for tests.
//! - [`AppState`] is opened from a [`DbConfig`] and [`Settings`] (a [`Clock`], [`Limits`], the
//!   argon2 [`PasswordCost`]).
//! - [`add_user`], [`set_real_name`] and [`seed_demo`] ([`DEMO_ACCOUNTS`]) prepare accounts;
//!   the CLI ([`cli`]) calls the same functions.
//! - Every error is an [`AppError`], answered as `signet_domain::ErrorBody`.
//!
//! Routes (also served as OpenAPI at `/api/v1/openapi.json`): see [`routes`].

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;

mod accounts;
mod alipay;
mod auth;
mod blobs;
pub mod cli;
mod clip_analysis;
mod clock;
mod db;
mod demo;
mod error;
mod face;
mod health;
mod liveness;
pub mod logging;
mod manual_review;
mod me;
mod openapi;
mod passwords;
mod phone;
mod providers;
mod rate_limit;
mod real_name;
mod review_console;
mod sandbox;
mod secrets;
mod sessions;
mod signatures;
mod state;
mod tokens;
mod updates;
mod uploads;

pub use accounts::{add_user, normalize_account, set_real_name, MAX_DISPLAY_NAME_CHARS};
pub use alipay::SANDBOX_ALIPAY_AUTHORIZE_PATH;
pub use clip_analysis::ClipAnalysis;
pub use clock::{
    platform_date, platform_day_start, Clock, ManualClock, SystemClock, PLATFORM_UTC_OFFSET_SECS,
};
pub use db::{Backend, DbConfig, SQLITE_FILE_NAME};
pub use demo::{seed_demo, DemoAccount, DemoIdentity, DEMO_ACCOUNTS};
pub use error::AppError;
pub use face::purge_expired_face_videos;
pub use liveness::{AnalysisOutcome, ChallengeInfo, ClipRejected, FaceImage, LivenessAnalysis};
pub use manual_review::purge_expired_photos;
pub use openapi::document as openapi_document;
pub use passwords::PasswordCost;
pub use providers::{
    AlipayCheck, AlipayProvider, AlipayQuery, BankCardCheck, BankCardProvider, BankCardQuery,
    CarrierCheck, CarrierProvider, CarrierQuery, FaceCheck, FaceCompare, FaceCompareQuery,
    ProviderFuture, ProviderTimeout, Providers, SandboxAlipay, SandboxAlipayAccount,
    SandboxAlipayBehaviour, SandboxBank, SandboxBankBehaviour, SandboxBankCard, SandboxCarrier,
    SandboxFaceBehaviour, SandboxFaceCompare, SandboxFaceIdentity, SandboxPhone,
    SandboxPhoneBehaviour, SandboxSmsSender, SmsMessage, SmsSendError, SmsSender,
    SANDBOX_ALIPAY_ACCOUNTS, SANDBOX_BANK_CARDS, SANDBOX_FACE_IDENTITIES, SANDBOX_PHONES,
};
pub use review_console::{REVIEW_COOKIE, REVIEW_SESSION_SECS};
pub use sandbox::{sandbox_sms_messages, SandboxSms, SandboxSmsOutbox, SANDBOX_SMS_LIMIT};
pub use secrets::IdentityHasher;
pub use state::{AppState, Limits, Settings};
pub use tokens::sha256_hex;
pub use updates::{
    format_releases, list_releases, normalize_public_url, publish_release, NewRelease, Release,
    ReleaseArtifact, MAX_RELEASE_NOTES_BYTES, UPDATE_ARCHES, UPDATE_INSTALLERS, UPDATE_TARGETS,
};

/// This server's version, as `/health` and the OpenAPI document report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One route: its method and path (for the OpenAPI check) with its handler.
struct Endpoint {
    method: Method,
    path: &'static str,
    handler: MethodRouter<AppState>,
}

impl Endpoint {
    fn get<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self { method: Method::GET, path, handler: get(handler) }
    }

    fn post<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self { method: Method::POST, path, handler: post(handler) }
    }

    fn put<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self { method: Method::PUT, path, handler: put(handler) }
    }

    fn patch<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self { method: Method::PATCH, path, handler: patch(handler) }
    }

    fn delete<H, T>(path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self { method: Method::DELETE, path, handler: delete(handler) }
    }

    /// Bodies up to `bytes` instead of [`Limits::json_body_bytes`].
    fn body_limit(mut self, bytes: usize) -> Self {
        self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

/// The one table of routes: [`app`] mounts exactly these and [`routes`] lists them.
fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/health", health::health),
        Endpoint::get("/api/v1/openapi.json", openapi::openapi),
        Endpoint::post("/api/v1/auth/sign-in", auth::sign_in),
        Endpoint::post("/api/v1/auth/refresh", auth::refresh),
        Endpoint::post("/api/v1/auth/sign-out", auth::sign_out),
        Endpoint::get("/api/v1/me", me::me),
        Endpoint::post("/api/v1/real-name/identity", real_name::submit_identity),
        Endpoint::post("/api/v1/real-name/{verification_id}/bank-card", real_name::bank_card),
        Endpoint::post("/api/v1/real-name/{verification_id}/phone", phone::start),
        Endpoint::post("/api/v1/real-name/{verification_id}/phone/resend", phone::resend),
        Endpoint::post("/api/v1/real-name/{verification_id}/phone/confirm", phone::confirm),
        Endpoint::post("/api/v1/real-name/{verification_id}/alipay", alipay::start),
        Endpoint::get("/api/v1/real-name/{verification_id}/alipay/{session_id}", alipay::status),
        Endpoint::post(
            "/api/v1/real-name/{verification_id}/alipay/{session_id}/cancel",
            alipay::cancel,
        ),
        Endpoint::get("/api/v1/real-name/attempts", real_name::attempts),
        Endpoint::post(
            "/api/v1/real-name/{verification_id}/manual/uploads",
            manual_review::start_upload,
        ),
        Endpoint::get(
            "/api/v1/real-name/{verification_id}/manual/uploads/{upload_id}",
            manual_review::upload_status,
        ),
        Endpoint::put(
            "/api/v1/real-name/{verification_id}/manual/uploads/{upload_id}",
            manual_review::put_chunk,
        ),
        Endpoint::post("/api/v1/real-name/{verification_id}/manual/submit", manual_review::submit),
        Endpoint::get("/api/v1/real-name/manual/status", manual_review::status),
        Endpoint::post("/api/v1/real-name/{verification_id}/face/challenge", face::challenge),
        Endpoint::post("/api/v1/real-name/{verification_id}/face/uploads", face::start_upload),
        Endpoint::get(
            "/api/v1/real-name/{verification_id}/face/uploads/{upload_id}",
            face::upload_status,
        ),
        Endpoint::put(
            "/api/v1/real-name/{verification_id}/face/uploads/{upload_id}",
            face::put_chunk,
        ),
        Endpoint::post("/api/v1/real-name/{verification_id}/face/submit", face::submit),
        Endpoint::get("/api/v1/signatures", signatures::list),
        // Matched before `{signature_id}`: a static segment wins.
        Endpoint::put("/api/v1/signatures/default", signatures::set_default),
        Endpoint::put("/api/v1/signatures/{signature_id}", signatures::create)
            .body_limit(signatures::UPLOAD_BODY_BYTES),
        Endpoint::patch("/api/v1/signatures/{signature_id}", signatures::rename),
        Endpoint::delete("/api/v1/signatures/{signature_id}", signatures::delete),
        Endpoint::get("/api/v1/signatures/{signature_id}/image", signatures::image),
        Endpoint::get("/api/v1/signatures/{signature_id}/svg", signatures::svg),
        // Matched before `{target}`: a static segment wins.
        Endpoint::get("/api/v1/updates/artifacts/{version}/{file}", updates::artifact),
        Endpoint::get("/api/v1/updates/{target}/{arch}/{current_version}", updates::manifest),
        Endpoint::get("/review/login", review_console::login_page),
        Endpoint::post("/review/login", review_console::login),
        Endpoint::post("/review/logout", review_console::logout),
        Endpoint::get("/review", review_console::queue),
        Endpoint::get("/review/{review_id}", review_console::detail),
        Endpoint::get("/review/{review_id}/photo/{kind}", review_console::photo),
        Endpoint::post("/review/{review_id}/approve", review_console::approve),
        Endpoint::post("/review/{review_id}/reject", review_console::reject),
        Endpoint::get("/sandbox/sms", sandbox::outbox_page),
        Endpoint::get("/sandbox/sms.json", sandbox::outbox_json),
        Endpoint::get("/sandbox/alipay/authorize", alipay::page),
        Endpoint::post("/sandbox/alipay/authorize/agree", alipay::agree),
        Endpoint::post("/sandbox/alipay/authorize/cancel", alipay::cancel_page),
    ]
}

/// Every route the router serves, as (method, path).
pub fn routes() -> Vec<(Method, &'static str)> {
    endpoints().into_iter().map(|e| (e.method, e.path)).collect()
}

/// The whole HTTP API.
pub fn app(state: AppState) -> Router {
    let body_limit = state.limits().json_body_bytes;
    let router = endpoints()
        .into_iter()
        .fold(Router::new(), |router, endpoint| router.route(endpoint.path, endpoint.handler));
    router
        .fallback(error::not_found)
        // After the routes: it applies to the method routers registered so far.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(logging::log_requests))
        .with_state(state)
}

/// Serves [`app`] on `listener` until `shutdown` resolves, then finishes the requests in flight.
/// Handlers see the client's address (`ConnectInfo<SocketAddr>`), which rate limiting keys on.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server started by [`spawn`]. Dropping it (or calling [`RunningServer::stop`]) shuts it down.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down gracefully and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(std::io::Error::other)?
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts [`serve`] on `127.0.0.1` with a free port, in the background of the current runtime.
pub async fn spawn(state: AppState) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));
    Ok(RunningServer { addr, stop: Some(stop), task })
}
