//! [`AppState`]: everything a request needs (the database pool, the clock, the limits), opened
//! once and cloned cheaply into every handler. No globals, so tests can run many servers side by
//! side, each with its own database and clock.

use std::sync::Arc;

use sqlx::AnyPool;

use crate::clock::{Clock, SystemClock};
use crate::db::{self, Backend, DbConfig};
use crate::error::AppError;
use crate::passwords::{PasswordCost, Passwords};
use crate::rate_limit::RateLimiter;

/// Request limits. The defaults are the production ones; tests lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in and refresh requests allowed per client IP per window.
    pub auth_requests_per_window: u32,
    /// Length of the rate-limit window.
    pub auth_window_secs: u64,
    /// Largest JSON request body, in bytes.
    pub json_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { auth_requests_per_window: 20, auth_window_secs: 60, json_body_bytes: 64 * 1024 }
    }
}

/// How the state behaves, apart from where its data lives.
#[derive(Clone)]
pub struct Settings {
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    pub password_cost: PasswordCost,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            password_cost: PasswordCost::OWASP,
        }
    }
}

impl Settings {
    /// For test suites that start a server: system clock, cheap password hashing, and a rate
    /// limit high enough that a test suite signing in from 127.0.0.1 never meets it.
    pub fn for_tests() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            limits: Limits { auth_requests_per_window: 10_000, ..Limits::default() },
            password_cost: PasswordCost::FAST_INSECURE_FOR_TESTS,
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("now", &self.clock.now())
            .field("limits", &self.limits)
            .field("password_cost", &self.password_cost)
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
}

impl AppState {
    /// Opens (creating and migrating if needed) the database with production settings.
    pub async fn open(db: DbConfig) -> Result<Self, AppError> {
        Self::open_with(db, Settings::default()).await
    }

    /// Opens (creating and migrating if needed) the database with the given settings.
    pub async fn open_with(db: DbConfig, settings: Settings) -> Result<Self, AppError> {
        let (pool, backend) = db::open(&db).await?;
        let passwords = Passwords::new(settings.password_cost).await?;
        let auth_limiter = RateLimiter::new(
            settings.limits.auth_requests_per_window,
            settings.limits.auth_window_secs,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                backend,
                clock: settings.clock,
                limits: settings.limits,
                passwords,
                auth_limiter,
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
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.inner.backend)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}
