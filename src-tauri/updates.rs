//! Auto-update from the platform (tauri-plugin-updater).
//!
//! The app asks the platform it signs in to (`/api/v1/updates/{target}/{arch}/{version}`) at start
//! and every six hours, and when the user asks. An update is downloaded only when the user
//! agrees (a progress bar shows it), verified against the public key built into the app (minisign,
//! as the Tauri bundler signs), and installed only after that; a failed download, a bad signature
//! or a release without a package for this system leaves the installed version as it is, with a
//! message saying which.
//!
//! The public key comes from the build (`SIGNET_UPDATER_PUBKEY` at compile time, set by
//! `cargo xtask bundle` from the release owner's environment; the private key never enters the
//! repository). A build without one says updates are not set up. Debug builds also accept the key
//! from the environment at run time, so tests can use a throwaway key pair.
//!
//! Transport: https, or plain http to a loopback address only (the local sandbox platform). The
//! signature protects the package either way; the rule keeps the update check from being
//! redirected through an untrusted network.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use signet_domain::{ErrorBody, ErrorCode};
use tauri_plugin_updater::{Update, UpdaterExt};
use tokio::sync::Mutex;

use crate::error::{AppError, AppResult};

/// How often a running app asks for a newer version.
pub const CHECK_EVERY: Duration = Duration::from_secs(6 * 60 * 60);
/// How long one check or download may take before it counts as a network failure.
const TIMEOUT: Duration = Duration::from_secs(120);

/// What the settings page and the update banner show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateStatus {
    pub current_version: String,
    pub state: UpdateState,
    pub available: Option<AvailableUpdate>,
    /// When the platform was last asked (unix seconds).
    pub checked_at: Option<i64>,
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    /// Not asked yet.
    Idle,
    Checking,
    UpToDate,
    Available,
    Downloading,
    /// Downloaded and verified: installs when the user agrees.
    Ready,
    Installing,
    Failed,
    /// This build has no update key.
    NotConfigured,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableUpdate {
    pub version: String,
    pub notes: Option<String>,
    pub pub_date: Option<String>,
}

/// Sent over the download command's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DownloadProgress {
    pub received: u64,
    pub total: Option<u64>,
}

struct Inner {
    status: UpdateStatus,
    update: Option<Update>,
    package: Option<Vec<u8>>,
}

/// The update service. One check or download at a time.
pub struct Updates {
    inner: Mutex<Inner>,
    pubkey: Option<String>,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The update public key of this build.
pub fn build_pubkey() -> Option<String> {
    #[cfg(debug_assertions)]
    if let Some(key) = std::env::var("SIGNET_UPDATER_PUBKEY").ok().filter(|k| !k.trim().is_empty())
    {
        return Some(key);
    }
    option_env!("SIGNET_UPDATER_PUBKEY").filter(|k| !k.trim().is_empty()).map(str::to_string)
}

/// The update endpoint on `platform` (an address the sign-in page accepted). Plain http only to
/// loopback.
pub fn endpoint(platform: &str) -> AppResult<reqwest::Url> {
    let base = reqwest::Url::parse(platform)
        .map_err(|_| AppError::invalid_input("server_url", "not_a_url"))?;
    let host = base.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback =
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
        return Err(update_error("insecure_platform", "updates need an https platform address"));
    }
    let trimmed = platform.trim_end_matches('/');
    reqwest::Url::parse(&format!(
        "{trimmed}/api/v1/updates/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}"
    ))
    .map_err(|_| AppError::invalid_input("server_url", "not_a_url"))
}

fn update_error(reason: &str, message: &str) -> AppError {
    AppError::new(ErrorCode::UpdateFailed, message)
        .with_details(serde_json::json!({ "reason": reason }))
}

/// Sorts the plugin's errors into the reasons the UI explains.
fn classify(e: &tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    let reason = match e {
        E::TargetNotFound(_) | E::TargetsNotFound(_) => "no_package_for_this_system",
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => "bad_signature",
        E::Reqwest(_) | E::Network(_) => "network",
        E::ReleaseNotFound => "network",
        _ => "install",
    };
    update_error(reason, &e.to_string())
}

impl Updates {
    pub fn new(pubkey: Option<String>) -> Self {
        let state = if pubkey.is_some() { UpdateState::Idle } else { UpdateState::NotConfigured };
        Self {
            inner: Mutex::new(Inner {
                status: UpdateStatus {
                    current_version: crate::app_version().to_string(),
                    state,
                    available: None,
                    checked_at: None,
                    error: None,
                },
                update: None,
                package: None,
            }),
            pubkey,
        }
    }

    pub async fn status(&self) -> UpdateStatus {
        self.inner.lock().await.status.clone()
    }

    async fn set(&self, change: impl FnOnce(&mut Inner)) -> UpdateStatus {
        let mut inner = self.inner.lock().await;
        change(&mut inner);
        inner.status.clone()
    }

    /// Asks `platform` whether a newer version exists.
    pub async fn check<R: tauri::Runtime>(
        &self,
        app: &tauri::AppHandle<R>,
        platform: &str,
    ) -> UpdateStatus {
        let Some(pubkey) = self.pubkey.clone() else {
            return self.status().await;
        };
        {
            let mut inner = self.inner.lock().await;
            if matches!(
                inner.status.state,
                UpdateState::Checking | UpdateState::Downloading | UpdateState::Installing
            ) {
                return inner.status.clone();
            }
            inner.status.state = UpdateState::Checking;
            inner.status.error = None;
        }
        let result = async {
            let updater = app
                .updater_builder()
                .pubkey(pubkey)
                .endpoints(vec![endpoint(platform)?])
                .map_err(|e| classify(&e))?
                .timeout(TIMEOUT)
                .build()
                .map_err(|e| classify(&e))?;
            updater.check().await.map_err(|e| classify(&e))
        }
        .await;
        self.set(|inner| {
            inner.status.checked_at = Some(now());
            inner.package = None;
            match result {
                Ok(Some(update)) => {
                    inner.status.state = UpdateState::Available;
                    inner.status.available = Some(AvailableUpdate {
                        version: update.version.clone(),
                        notes: update.body.clone(),
                        pub_date: update.date.map(|d| d.to_string()),
                    });
                    inner.update = Some(update);
                }
                Ok(None) => {
                    inner.status.state = UpdateState::UpToDate;
                    inner.status.available = None;
                    inner.update = None;
                }
                Err(e) => {
                    tracing::warn!("update check failed: {e}");
                    inner.status.state = UpdateState::Failed;
                    inner.status.error = Some(e.0);
                    inner.status.available = None;
                    inner.update = None;
                }
            }
        })
        .await
    }

    /// Downloads the available update and verifies its signature; progress goes to `progress`.
    pub async fn download(
        &self,
        progress: impl Fn(DownloadProgress) + Send,
    ) -> AppResult<UpdateStatus> {
        let update = {
            let mut inner = self.inner.lock().await;
            if inner.status.state == UpdateState::Ready {
                return Ok(inner.status.clone());
            }
            let update = inner.update.clone().ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, "no update to download; check first")
            })?;
            inner.status.state = UpdateState::Downloading;
            inner.status.error = None;
            update
        };
        let mut received = 0u64;
        // `download` verifies the signature against the build's key before returning the bytes.
        let result = update
            .download(
                |chunk, total| {
                    received += chunk as u64;
                    progress(DownloadProgress { received, total });
                },
                || {},
            )
            .await;
        let status = self
            .set(|inner| match result {
                Ok(bytes) => {
                    inner.status.state = UpdateState::Ready;
                    inner.package = Some(bytes);
                }
                Err(e) => {
                    let e = classify(&e);
                    tracing::warn!("update download refused: {e}");
                    inner.status.state = UpdateState::Failed;
                    inner.status.error = Some(e.0);
                    inner.package = None;
                }
            })
            .await;
        match &status.error {
            Some(error) if status.state == UpdateState::Failed => Err(AppError(error.clone())),
            _ => Ok(status),
        }
    }

    /// Installs the downloaded, verified update. The caller restarts the app afterwards.
    pub async fn install(&self) -> AppResult<()> {
        let (update, package) = {
            let mut inner = self.inner.lock().await;
            match (inner.update.clone(), inner.package.clone()) {
                (Some(update), Some(package)) if inner.status.state == UpdateState::Ready => {
                    inner.status.state = UpdateState::Installing;
                    (update, package)
                }
                _ => {
                    return Err(AppError::new(ErrorCode::NotFound, "no verified update to install"))
                }
            }
        };
        let result = tokio::task::spawn_blocking(move || update.install(package))
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("install stopped: {e}")))?;
        if let Err(e) = result {
            let e = classify(&e);
            tracing::warn!("update install failed: {e}");
            self.set(|inner| {
                inner.status.state = UpdateState::Failed;
                inner.status.error = Some(e.0.clone());
            })
            .await;
            return Err(e);
        }
        Ok(())
    }
}

/// Shared by the state and the background check.
pub type SharedUpdates = Arc<Updates>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_update_endpoint_is_on_the_platform_with_tauris_placeholders() {
        let url = endpoint("https://platform.example.edu").unwrap();
        assert_eq!(
            url.as_str(),
            "https://platform.example.edu/api/v1/updates/%7B%7Btarget%7D%7D/%7B%7Barch%7D%7D/%7B%7Bcurrent_version%7D%7D"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_this_machine() {
        for ok in ["http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787"] {
            assert!(endpoint(ok).is_ok(), "{ok}");
        }
        let refused = endpoint("http://platform.example.edu").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::UpdateFailed);
        assert_eq!(refused.0.details.unwrap()["reason"], "insecure_platform");
    }
}
