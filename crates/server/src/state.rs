//! [`AppState`]: everything a request needs (the database pool, the clock, the limits, the
//! identity-number hasher, the verification providers), opened
//! once and cloned cheaply into every handler. No globals, so tests can run many servers side by
//! side, each with its own database and clock.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::Semaphore;

use crate::clip_analysis::ClipAnalysis;
use crate::clock::{Clock, SystemClock};
use crate::db::{self, Backend, DbConfig};
use crate::error::AppError;
use crate::liveness::LivenessAnalysis;
use crate::passwords::{PasswordCost, Passwords};
use crate::providers::Providers;
use crate::rate_limit::RateLimiter;
use crate::secrets::IdentityHasher;

/// Request limits. The defaults are the production ones; tests lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in and refresh requests allowed per client IP per window.
    pub auth_requests_per_window: u32,
    /// Length of the rate-limit window.
    pub auth_window_secs: u64,
    /// Largest JSON request body, in bytes.
    pub json_body_bytes: usize,
    /// Real-name requests (identity submissions and method attempts) allowed per user per minute.
    pub verification_requests_per_minute: u32,
    /// Attempts of one method by one user per platform day (China time); provider timeouts
    /// are not counted.
    pub attempts_per_method_per_day: u32,
    /// Attempts on one identity number per platform day, by any user, with any method but
    /// manual review; provider timeouts are not counted.
    pub attempts_per_identity_per_day: u32,
    /// How long a step-1 submission can be verified.
    pub verification_ttl_secs: u64,
    /// How long a provider may take before the attempt ends as `provider_timeout`.
    pub provider_timeout_secs: u64,
    /// How long an Alipay authorization session waits for the user (and Alipay) before it
    /// ends as `alipay_timeout`.
    pub alipay_session_ttl_secs: u64,
    /// Days after a manual review's decision when its photos are deleted.
    pub photo_retention_days: u32,
    /// Signature changes (create, rename, default, delete) allowed per user per minute. High
    /// enough for an app's outbox catching up after a day offline, low enough to stop a loop.
    pub signature_changes_per_minute: u32,
    /// Face recognition attempts on one identity number in any 60 s, by any user (like
    /// commercial providers). Face attempts have their own budgets: they count neither against
    /// `attempts_per_method_per_day` nor against `attempts_per_identity_per_day`.
    pub face_attempts_per_minute: u32,
    /// Face recognition attempts on one identity number per platform day, by any user;
    /// provider timeouts are not counted.
    pub face_attempts_per_day: u32,
    /// Liveness analyses running at once; further submissions wait for a slot.
    pub face_analyses_in_parallel: u32,
    /// How long a submission waits for an analysis slot before it answers 503
    /// `face_unavailable` (`details.reason = "busy"`), consuming nothing.
    pub face_analysis_wait_secs: u64,
    /// Seconds a face clip is kept after its analysis. 0 (the default): deleted right after
    /// the analysis; otherwise the retention job deletes it once the period has passed.
    pub face_video_retention_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            auth_requests_per_window: 20,
            auth_window_secs: 60,
            json_body_bytes: 64 * 1024,
            verification_requests_per_minute: 10,
            attempts_per_method_per_day: 5,
            attempts_per_identity_per_day: 10,
            verification_ttl_secs: 30 * 60,
            provider_timeout_secs: 15,
            alipay_session_ttl_secs: 300,
            photo_retention_days: 30,
            signature_changes_per_minute: 120,
            face_attempts_per_minute: 15,
            face_attempts_per_day: 30,
            face_analyses_in_parallel: 2,
            face_analysis_wait_secs: 30,
            face_video_retention_secs: 0,
        }
    }
}

/// How the state behaves, apart from where its data lives.
#[derive(Clone)]
pub struct Settings {
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    pub password_cost: PasswordCost,
    /// Who verifies identities: the sandbox unless told otherwise.
    pub providers: Providers,
    /// Sandbox mode: the tester pages (`/sandbox/sms`, the SMS outbox; the sandbox Alipay
    /// authorization page `/sandbox/alipay/authorize`) are served. On by
    /// default; `serve --no-sandbox` turns it off (the pages answer 404).
    pub sandbox: bool,
    /// Where photos (blobs) are kept. `None`: `blobs/` beside the SQLite file, or
    /// `$TMPDIR/signet-blobs` for a database URL (pass `--blob-dir` in real deployments).
    pub blob_dir: Option<PathBuf>,
    /// Where published releases of the desktop app are kept (`signet-server release publish`).
    /// `None`: `releases/` beside the SQLite file, or `$TMPDIR/signet-releases` for a database
    /// URL (pass `--releases-dir` in real deployments).
    pub releases_dir: Option<PathBuf>,
    /// The URL the platform is reached at from outside (`https://host[:port][/prefix]`), used for
    /// the artifact URLs of update manifests. `None`: `http://` and the request's `Host` header,
    /// which is right for the sandbox but should not be trusted in production.
    pub public_url: Option<String>,
    /// The liveness analysis of face recognition: by default [`ClipAnalysis`] (`signet-video`
    /// decoding + `signet-vision` face detection and liveness). `None`: the face endpoints
    /// answer 503 `face_unavailable` (`details.reason = "no_analyser"`) and the chooser lists
    /// face as `not_offered`. Tests script answers with [`Settings::with_liveness`].
    pub liveness: Option<Arc<dyn LivenessAnalysis>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            password_cost: PasswordCost::OWASP,
            providers: Providers::sandbox(),
            sandbox: true,
            blob_dir: None,
            releases_dir: None,
            public_url: None,
            liveness: Some(ClipAnalysis::shared()),
        }
    }
}

impl Settings {
    /// For test suites that start a server: system clock, cheap password hashing, sandbox
    /// providers, and rate limits high enough that a test suite signing in from 127.0.0.1
    /// never meets them (the daily attempt budgets stay as in production).
    pub fn for_tests() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            limits: Limits {
                auth_requests_per_window: 10_000,
                verification_requests_per_minute: 10_000,
                signature_changes_per_minute: 10_000,
                ..Limits::default()
            },
            password_cost: PasswordCost::FAST_INSECURE_FOR_TESTS,
            providers: Providers::sandbox(),
            sandbox: true,
            blob_dir: None,
            releases_dir: None,
            public_url: None,
            liveness: Some(ClipAnalysis::shared()),
        }
    }

    /// Face recognition without a liveness analysis: the face method is not offered.
    pub fn without_liveness(mut self) -> Self {
        self.liveness = None;
        self
    }

    /// Face recognition analyses clips with `analyser` (see [`Settings::liveness`]).
    pub fn with_liveness(mut self, analyser: Arc<dyn LivenessAnalysis>) -> Self {
        self.liveness = Some(analyser);
        self
    }

    pub fn with_blob_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.blob_dir = Some(dir.into());
        self
    }

    pub fn with_releases_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.releases_dir = Some(dir.into());
        self
    }

    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_providers(mut self, providers: Providers) -> Self {
        self.providers = providers;
        self
    }

    pub fn with_sandbox(mut self, sandbox: bool) -> Self {
        self.sandbox = sandbox;
        self
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("now", &self.clock.now())
            .field("limits", &self.limits)
            .field("password_cost", &self.password_cost)
            .field("providers", &self.providers)
            .field("sandbox", &self.sandbox)
            .field("blob_dir", &self.blob_dir)
            .field("releases_dir", &self.releases_dir)
            .field("public_url", &self.public_url)
            .field("liveness", &self.liveness.as_ref().map(|_| "installed"))
            .finish()
    }
}

/// The server's shared state. Cloning is cheap (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    pool: AnyPool,
    backend: Backend,
    clock: Arc<dyn Clock>,
    limits: Limits,
    passwords: Passwords,
    auth_limiter: RateLimiter,
    verification_limiter: RateLimiter<String>,
    signature_limiter: RateLimiter<String>,
    identity_hasher: IdentityHasher,
    providers: Providers,
    sandbox: bool,
    blob_dir: PathBuf,
    releases_dir: PathBuf,
    public_url: Option<String>,
    liveness: Option<Arc<dyn LivenessAnalysis>>,
    face_analysis_slots: Arc<Semaphore>,
}

/// The blob directory of `db` when none is configured.
fn default_blob_dir(db: &DbConfig) -> PathBuf {
    match db {
        DbConfig::SqliteFile(path) => {
            path.parent().unwrap_or_else(|| Path::new(".")).join(crate::blobs::BLOB_DIR_NAME)
        }
        DbConfig::Url(_) => std::env::temp_dir().join("signet-blobs"),
    }
}

/// The releases directory of `db` when none is configured.
fn default_releases_dir(db: &DbConfig) -> PathBuf {
    match db {
        DbConfig::SqliteFile(path) => {
            path.parent().unwrap_or_else(|| Path::new(".")).join(crate::updates::RELEASES_DIR_NAME)
        }
        DbConfig::Url(_) => std::env::temp_dir().join("signet-releases"),
    }
}

impl AppState {
    /// Opens (creating and migrating if needed) the database with production settings.
    pub async fn open(db: DbConfig) -> Result<Self, AppError> {
        Self::open_with(db, Settings::default()).await
    }

    /// Opens (creating and migrating if needed) the database with the given settings.
    pub async fn open_with(db: DbConfig, settings: Settings) -> Result<Self, AppError> {
        let blob_dir = settings.blob_dir.clone().unwrap_or_else(|| default_blob_dir(&db));
        std::fs::create_dir_all(&blob_dir)
            .map_err(|e| AppError::internal("cannot create the blob directory", e))?;
        let releases_dir =
            settings.releases_dir.clone().unwrap_or_else(|| default_releases_dir(&db));
        let public_url = settings
            .public_url
            .as_deref()
            .map(crate::updates::normalize_public_url)
            .transpose()
            .map_err(|e| AppError::invalid_input("public_url", e))?;
        let (pool, backend) = db::open(&db).await?;
        let passwords = Passwords::new(settings.password_cost).await?;
        let auth_limiter = RateLimiter::new(
            settings.limits.auth_requests_per_window,
            settings.limits.auth_window_secs,
        );
        let verification_limiter =
            RateLimiter::new(settings.limits.verification_requests_per_minute, 60);
        let signature_limiter = RateLimiter::new(settings.limits.signature_changes_per_minute, 60);
        let identity_hasher = IdentityHasher::load_or_create(&pool, settings.clock.now()).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                backend,
                clock: settings.clock,
                limits: settings.limits,
                passwords,
                auth_limiter,
                verification_limiter,
                signature_limiter,
                identity_hasher,
                providers: settings.providers,
                sandbox: settings.sandbox,
                blob_dir,
                releases_dir,
                public_url,
                liveness: settings.liveness,
                face_analysis_slots: Arc::new(Semaphore::new(
                    usize::try_from(settings.limits.face_analyses_in_parallel.max(1)).unwrap_or(1),
                )),
            }),
        })
    }

    /// The database pool (tests query it directly to check what is stored).
    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// The current time in unix seconds, from the state's clock.
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    pub(crate) fn passwords(&self) -> &Passwords {
        &self.inner.passwords
    }

    pub(crate) fn auth_limiter(&self) -> &RateLimiter {
        &self.inner.auth_limiter
    }

    pub(crate) fn verification_limiter(&self) -> &RateLimiter<String> {
        &self.inner.verification_limiter
    }

    pub(crate) fn signature_limiter(&self) -> &RateLimiter<String> {
        &self.inner.signature_limiter
    }

    /// The keyed hash under which this server stores and compares identity numbers (tests use
    /// it to check what is stored).
    pub fn identity_hasher(&self) -> &IdentityHasher {
        &self.inner.identity_hasher
    }

    pub(crate) fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    /// Where photos are kept (tests look at the files).
    pub fn blob_dir(&self) -> &Path {
        &self.inner.blob_dir
    }

    /// Where published releases are read from.
    pub fn releases_dir(&self) -> &Path {
        &self.inner.releases_dir
    }

    /// The configured public URL, normalised (no trailing slash).
    pub fn public_url(&self) -> Option<&str> {
        self.inner.public_url.as_deref()
    }

    /// The liveness analysis, when one is installed ([`Settings::liveness`]).
    pub(crate) fn liveness(&self) -> Option<&Arc<dyn LivenessAnalysis>> {
        self.inner.liveness.as_ref()
    }

    /// Slots for liveness analyses ([`Limits::face_analyses_in_parallel`]).
    pub(crate) fn face_analysis_slots(&self) -> &Arc<Semaphore> {
        &self.inner.face_analysis_slots
    }

    /// Whether the sandbox tester pages are served.
    pub fn sandbox(&self) -> bool {
        self.inner.sandbox
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.inner.backend)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}
