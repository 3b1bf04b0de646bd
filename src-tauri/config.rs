//! Start-up configuration, read once from the environment and the command line.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SIGNET_PLATFORM_URL` | `http://127.0.0.1:8787` | platform address the sign-in form offers |
//! | `SIGNET_DATA_DIR` | the OS app-data directory | where the local store lives |
//! | `SIGNET_RECONNECT_SECS` | `5` | how often an offline app asks whether the platform is back |
//! | `SIGNET_REVIEW_POLL_SECS` | `30` | how often a pending manual review's status is asked for |
//! | `SIGNET_UPDATE_CHECK_SECS` | `21600` (6 hours) | how often a running app asks the platform for a newer version |
//! | `SIGNET_KIOSK_CONFIG` | `kiosk.json` in the OS app-config directory | the kiosk configuration file ([`crate::kiosk`]) |
//! | `SIGNET_CAMERA` | the machine's cameras | `synthetic` or `synthetic:<scenario>` (`talking_head`, `held_up_photo`, `no_face`, `two_faces`, `frozen`, `looped`, `dark`): a generated camera for tests and demonstrations ([`crate::camera`]) |
//!
//! On the command line, `--kiosk` turns kiosk mode on whatever the file says.

use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_PLATFORM_URL: &str = "http://127.0.0.1:8787";

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub platform_url: String,
    pub data_dir: Option<PathBuf>,
    pub reconnect_every: Duration,
    pub review_poll_every: Duration,
    pub update_check_every: Duration,
    /// Where the kiosk configuration is, when not in the default place.
    pub kiosk_file: Option<PathBuf>,
    /// `--kiosk` was given.
    pub kiosk_flag: bool,
}

impl AppConfig {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            platform_url: var("SIGNET_PLATFORM_URL").unwrap_or_else(|| DEFAULT_PLATFORM_URL.into()),
            data_dir: var("SIGNET_DATA_DIR").map(PathBuf::from),
            reconnect_every: Duration::from_secs(
                var("SIGNET_RECONNECT_SECS").and_then(|v| v.parse().ok()).unwrap_or(5).max(1),
            ),
            review_poll_every: Duration::from_secs(
                var("SIGNET_REVIEW_POLL_SECS").and_then(|v| v.parse().ok()).unwrap_or(30).max(1),
            ),
            update_check_every: var("SIGNET_UPDATE_CHECK_SECS")
                .and_then(|v| v.parse().ok())
                .map_or(crate::updates::CHECK_EVERY, |secs: u64| Duration::from_secs(secs.max(1))),
            kiosk_file: var(crate::kiosk::config::ENV_FILE).map(PathBuf::from),
            kiosk_flag: std::env::args().skip(1).any(|arg| arg == crate::kiosk::config::FLAG),
        }
    }
}
