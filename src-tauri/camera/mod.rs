//! The camera for face recognition (method D): one actor thread owns the open camera.
//!
//! - [`source`]: the [`FrameSource`] trait and pixel conversions; [`native`]: the OS cameras
//!   through nokhwa (an explicit 640x480 or 1280x720 MJPEG/YUYV format); [`synthetic`]: a
//!   generated camera for tests and demonstrations, chosen with `SIGNET_CAMERA=synthetic[:scenario]`.
//! - [`actor`]: the thread. It reads frames as fast as the camera delivers them and hands the
//!   preview a JPEG only when the UI has acknowledged the previous one (newest frame wins,
//!   nothing queues); it computes the framing hint and, while recording, feeds the recorder.
//! - [`Camera`]: the handle the commands use. One camera user at a time: starting a preview
//!   replaces the running one. The device is released when the preview stops (the user left the
//!   page, a recording was accepted), at sign-out and when a kiosk session ends; [`Camera::stop`]
//!   returns only once the thread has let go of it.
//!
//! Frames never reach the disk or the log. A recording lives in memory until it is uploaded.

pub mod actor;
pub mod hints;
pub mod native;
pub mod recorder;
pub mod source;
pub mod synthetic;

use std::sync::Mutex;

use serde::Serialize;
use signet_domain::ErrorCode;

use crate::error::AppError;
use crate::store::Store;

pub use actor::{PreviewSink, PreviewStatus, Recording};
pub use source::{Frame, FrameSource, Opener, Pixels, SourceInfo};

/// The environment variable that replaces the camera with the synthetic one.
pub const ENV_CAMERA: &str = "SIGNET_CAMERA";
/// The setting that remembers the chosen camera (the machine's, kept by a kiosk wipe).
pub const KEY_CAMERA: &str = "camera.device";

/// Why the camera cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CameraError {
    #[error("no camera found")]
    NoCamera,
    #[error("the camera is in use by another program")]
    Busy,
    #[error("access to the camera was refused")]
    PermissionDenied,
    #[error("the camera failed: {detail}")]
    Failed { detail: String },
}

impl CameraError {
    pub fn failed(detail: impl Into<String>) -> Self {
        Self::Failed { detail: detail.into() }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoCamera => "no_camera",
            Self::Busy => "busy",
            Self::PermissionDenied => "permission_denied",
            Self::Failed { .. } => "failed",
        }
    }
}

impl From<CameraError> for AppError {
    fn from(e: CameraError) -> Self {
        AppError::new(ErrorCode::CameraUnavailable, e.to_string())
            .with_details(serde_json::json!({ "reason": e.reason() }))
    }
}

/// A camera the user can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CameraDevice {
    pub id: String,
    pub name: String,
}

/// Where frames come from this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraConfig {
    Native,
    Synthetic(synthetic::Scenario),
}

impl CameraConfig {
    /// `SIGNET_CAMERA=synthetic` or `synthetic:<scenario>`; anything else is the real camera.
    pub fn parse(value: Option<&str>) -> Self {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Self::Native;
        };
        match value.split_once(':') {
            None if value == "synthetic" => Self::Synthetic(synthetic::Scenario::TALKING_HEAD),
            Some(("synthetic", name)) => match synthetic::Scenario::parse(name) {
                Some(scenario) => Self::Synthetic(scenario),
                None => {
                    tracing::warn!(scenario = name, "unknown synthetic camera scenario");
                    Self::Synthetic(synthetic::Scenario::TALKING_HEAD)
                }
            },
            _ => {
                tracing::warn!("{ENV_CAMERA}={value} is not understood; using the real camera");
                Self::Native
            }
        }
    }

    pub fn from_env() -> Self {
        Self::parse(std::env::var(ENV_CAMERA).ok().as_deref())
    }
}

/// The camera service: the list of cameras, the remembered choice, and the actor.
pub struct Camera {
    config: CameraConfig,
    actor: Mutex<Option<actor::ActorHandle>>,
}

impl Camera {
    pub fn new(config: CameraConfig) -> Self {
        Self { config, actor: Mutex::new(None) }
    }

    pub fn config(&self) -> CameraConfig {
        self.config
    }

    /// The cameras of this machine (blocking: call off the async runtime).
    pub fn list(&self) -> Result<Vec<CameraDevice>, CameraError> {
        match self.config {
            CameraConfig::Synthetic(scenario) => Ok(vec![CameraDevice {
                id: format!("synthetic:{}", scenario.as_str()),
                name: format!("Synthetic camera ({})", scenario.as_str()),
            }]),
            CameraConfig::Native => native::list(),
        }
    }

    /// The opener for the camera `id` (the remembered or first one when `None`).
    pub fn opener(&self, id: Option<String>) -> Opener {
        match self.config {
            CameraConfig::Synthetic(scenario) => Box::new(move || {
                Ok(Box::new(synthetic::SyntheticCamera::new(scenario)) as Box<dyn FrameSource>)
            }),
            CameraConfig::Native => Box::new(move || {
                Ok(Box::new(native::NativeCamera::open(id.as_deref())?) as Box<dyn FrameSource>)
            }),
        }
    }

    /// Starts streaming from the source `opener` makes to `sink`, replacing (and releasing)
    /// whatever ran before. Blocks until the source is open: call off the async runtime.
    pub fn start(
        &self,
        opener: Opener,
        sink: Box<dyn PreviewSink>,
        options: actor::Options,
    ) -> Result<SourceInfo, CameraError> {
        self.stop();
        let (handle, info) = actor::spawn(opener, sink, options)?;
        *self.lock() = Some(handle);
        Ok(info)
    }

    /// Stops the stream and releases the camera; returns once the thread has let go of it.
    pub fn stop(&self) {
        let handle = self.lock().take();
        if let Some(handle) = handle {
            handle.stop();
        }
    }

    /// The UI has shown the last preview frame: the next one may go.
    pub fn ack(&self) {
        if let Some(handle) = self.lock().as_ref() {
            handle.ack();
        }
    }

    pub fn is_running(&self) -> bool {
        self.lock().as_ref().is_some_and(actor::ActorHandle::is_running)
    }

    /// Starts recording up to `max_ms`; the receiver gets the recording when it ends.
    pub fn record(
        &self,
        max_ms: u64,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<Recording, CameraError>>, CameraError> {
        match self.lock().as_ref() {
            Some(handle) if handle.is_running() => Ok(handle.record(max_ms)),
            _ => Err(CameraError::failed("the camera is not running")),
        }
    }

    /// Ends the recording now (it keeps what was recorded).
    pub fn finish_recording(&self) {
        if let Some(handle) = self.lock().as_ref() {
            handle.finish_recording();
        }
    }

    pub fn stats(&self) -> Option<actor::Stats> {
        self.lock().as_ref().map(actor::ActorHandle::stats)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<actor::ActorHandle>> {
        self.actor.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The camera the user chose last time, if any.
pub async fn remembered(store: &Store) -> Option<String> {
    store.setting(KEY_CAMERA).await.ok().flatten()
}

pub async fn remember(store: &Store, id: &str) -> crate::error::AppResult<()> {
    store.set_setting(KEY_CAMERA, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_picks_the_synthetic_camera() {
        use synthetic::Scenario;
        assert_eq!(CameraConfig::parse(None), CameraConfig::Native);
        assert_eq!(CameraConfig::parse(Some("")), CameraConfig::Native);
        assert_eq!(
            CameraConfig::parse(Some("synthetic")),
            CameraConfig::Synthetic(Scenario::TALKING_HEAD)
        );
        assert_eq!(
            CameraConfig::parse(Some("synthetic:held_up_photo")),
            CameraConfig::Synthetic(Scenario::Clip(
                signet_vision::synthetic::Scenario::HeldUpPhoto
            ))
        );
        assert_eq!(
            CameraConfig::parse(Some("synthetic:nobody")),
            CameraConfig::Synthetic(Scenario::TALKING_HEAD)
        );
        assert_eq!(CameraConfig::parse(Some("webcam")), CameraConfig::Native);
    }

    #[test]
    fn camera_errors_reach_the_ui_with_a_reason() {
        let e = AppError::from(CameraError::Busy);
        assert_eq!(e.code(), ErrorCode::CameraUnavailable);
        assert_eq!(e.0.details.unwrap_or_default()["reason"], "busy");
        let e = AppError::from(CameraError::failed("x"));
        assert_eq!(e.0.details.unwrap_or_default()["reason"], "failed");
    }
}
