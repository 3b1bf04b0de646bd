//! Per-client request limits, in memory: a fixed window per key (the client's IP address for
//! sign-in, the user id for verification attempts).
//! In memory is enough for one server process; several processes behind a balancer would each
//! count separately, which only makes the limit looser.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

/// Above this many tracked clients, windows that have ended are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// Who a request comes from, for rate limiting. `ConnectInfo` is missing when the router is
/// called without a socket (tests with `oneshot`): such requests share one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Ip(IpAddr),
    NoSocket,
}

/// `max_requests` per `window_secs` for each key (by default a [`ClientKey`]).
#[derive(Debug)]
pub(crate) struct RateLimiter<K = ClientKey> {
    max_requests: u32,
    window_secs: u64,
    windows: Mutex<HashMap<K, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: i64,
    requests: u32,
}

impl<K: Eq + Hash> RateLimiter<K> {
    pub(crate) fn new(max_requests: u32, window_secs: u64) -> Self {
        Self { max_requests, window_secs: window_secs.max(1), windows: Mutex::default() }
    }

    /// Counts one request from `key` at `now`; `Err(retry_after_secs)` when over the limit.
    pub(crate) fn check(&self, key: K, now: i64) -> Result<(), u64> {
        let window = i64::try_from(self.window_secs).unwrap_or(i64::MAX);
        // A poisoned lock only means another request panicked mid-count; the map is still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now < w.started_at.saturating_add(window));
        }
        let entry = windows.entry(key).or_insert(Window { started_at: now, requests: 0 });
        if now >= entry.started_at.saturating_add(window) || now < entry.started_at {
            *entry = Window { started_at: now, requests: 0 };
        }
        entry.requests = entry.requests.saturating_add(1);
        if entry.requests > self.max_requests {
            let ends_at = entry.started_at.saturating_add(window);
            let retry_after = u64::try_from(ends_at.saturating_sub(now)).unwrap_or(1).max(1);
            return Err(retry_after);
        }
        Ok(())
    }
}

/// An extractor that admits the request under the sign-in/refresh limit of [`crate::Limits`],
/// or answers 429 `rate_limited`. Put it before the body extractor so that refused requests
/// cost no parsing.
#[derive(Debug, Clone, Copy)]
pub struct AuthRateLimit;

impl FromRequestParts<AppState> for AuthRateLimit {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let key = client_key(parts);
        match state.auth_limiter().check(key, state.now()) {
            Ok(()) => Ok(Self),
            Err(retry_after_secs) => {
                tracing::warn!(client = ?key, retry_after_secs, "rate limited");
                Err(AppError::rate_limited(retry_after_secs))
            }
        }
    }
}

fn client_key(parts: &Parts) -> ClientKey {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(ClientKey::NoSocket, |ConnectInfo(addr)| ClientKey::Ip(addr.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_request_after_the_limit_until_the_window_ends() {
        let limiter = RateLimiter::new(2, 60);
        let key = ClientKey::NoSocket;
        assert_eq!(limiter.check(key, 1_000), Ok(()));
        assert_eq!(limiter.check(key, 1_010), Ok(()));
        assert_eq!(limiter.check(key, 1_020), Err(40));
        assert_eq!(limiter.check(key, 1_060), Ok(()));
    }

    #[test]
    fn counts_each_client_separately() {
        let limiter = RateLimiter::new(1, 60);
        let a = ClientKey::Ip(IpAddr::from([10, 0, 0, 1]));
        let b = ClientKey::Ip(IpAddr::from([10, 0, 0, 2]));
        assert_eq!(limiter.check(a, 0), Ok(()));
        assert_eq!(limiter.check(b, 0), Ok(()));
        assert_eq!(limiter.check(a, 0), Err(60));
    }
}
