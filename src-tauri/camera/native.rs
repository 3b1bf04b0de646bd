//! The machine's own cameras through nokhwa's OS backends (V4L2, AVFoundation, Media
//! Foundation). A camera is asked for an explicit, modest format: 640x480 (else 1280x720) in
//! MJPEG or YUYV, never "the highest", which on many webcams is a 4K stream at 5 frames/s.

use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};
use nokhwa::{Camera, NokhwaError};

use super::source::{Frame, FrameSource, Pixels, SourceInfo};
use super::{CameraDevice, CameraError};

/// Formats asked for, in order of preference.
const WANTED: [(u32, u32, FrameFormat, u32); 8] = [
    (640, 480, FrameFormat::MJPEG, 30),
    (640, 480, FrameFormat::YUYV, 30),
    (640, 480, FrameFormat::MJPEG, 15),
    (640, 480, FrameFormat::YUYV, 15),
    (1280, 720, FrameFormat::MJPEG, 30),
    (1280, 720, FrameFormat::YUYV, 30),
    (1280, 720, FrameFormat::MJPEG, 15),
    (1280, 720, FrameFormat::YUYV, 15),
];

fn backend() -> ApiBackend {
    nokhwa::native_api_backend().unwrap_or(ApiBackend::Auto)
}

/// The cameras the OS lists, in its order.
pub fn list() -> Result<Vec<CameraDevice>, CameraError> {
    ensure_permission()?;
    let cameras = nokhwa::query(backend()).map_err(|e| classify(&e))?;
    Ok(cameras
        .into_iter()
        .map(|info| {
            let id = match info.index() {
                CameraIndex::Index(i) => i.to_string(),
                CameraIndex::String(s) => s.clone(),
            };
            CameraDevice { id, name: info.human_name() }
        })
        .collect())
}

/// Asks macOS for camera access (the system prompt, once) and waits for the answer.
#[cfg(target_os = "macos")]
fn ensure_permission() -> Result<(), CameraError> {
    if nokhwa::nokhwa_check() {
        return Ok(());
    }
    let (tx, rx) = std::sync::mpsc::channel();
    nokhwa::nokhwa_initialize(move |granted| {
        let _ = tx.send(granted);
    });
    match rx.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(true) => Ok(()),
        _ => Err(CameraError::PermissionDenied),
    }
}

#[cfg(not(target_os = "macos"))]
fn ensure_permission() -> Result<(), CameraError> {
    Ok(())
}

/// Sorts a nokhwa error (whose details are strings from the OS) into what the user can act on.
pub fn classify(error: &NokhwaError) -> CameraError {
    let text = error.to_string().to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&["permission denied", "os error 13", "not authorized", "access denied", "0x80070005"]) {
        CameraError::PermissionDenied
    } else if has(&["busy", "os error 16", "in use", "0xc00d3704", "0xc00d3e85"]) {
        CameraError::Busy
    } else if has(&["no such file", "os error 2", "no such device", "os error 19", "not found"]) {
        CameraError::NoCamera
    } else {
        CameraError::failed(error.to_string())
    }
}

pub struct NativeCamera {
    camera: Camera,
    name: String,
    format: CameraFormat,
}

impl NativeCamera {
    /// Opens the camera with `id` (the first one when `None`) and starts its stream.
    pub fn open(id: Option<&str>) -> Result<Self, CameraError> {
        let devices = list()?;
        let device = match id {
            Some(id) => devices.iter().find(|d| d.id == id).or(devices.first()),
            None => devices.first(),
        }
        .ok_or(CameraError::NoCamera)?
        .clone();
        let index = match device.id.parse::<u32>() {
            Ok(i) => CameraIndex::Index(i),
            Err(_) => CameraIndex::String(device.id.clone()),
        };
        let mut last = CameraError::failed("the camera offers no 640x480 or 1280x720 format");
        for (width, height, fourcc, fps) in WANTED {
            let format = CameraFormat::new_from(width, height, fourcc, fps);
            let fourccs = [fourcc];
            let request =
                RequestedFormat::with_formats(RequestedFormatType::Exact(format), &fourccs);
            match Camera::with_backend(index.clone(), request, backend()) {
                Ok(mut camera) => {
                    camera.open_stream().map_err(|e| classify(&e))?;
                    let format = camera.camera_format();
                    tracing::info!(%format, "camera opened");
                    return Ok(Self { camera, name: device.name, format });
                }
                Err(e) => {
                    let e = classify(&e);
                    // Busy or refused is the answer whatever the format.
                    if matches!(e, CameraError::Busy | CameraError::PermissionDenied) {
                        return Err(e);
                    }
                    last = e;
                }
            }
        }
        // Neither size is offered: the nearest to 640x480 in a format we can read.
        let closest = CameraFormat::new_from(640, 480, FrameFormat::MJPEG, 30);
        let request = RequestedFormat::with_formats(
            RequestedFormatType::Closest(closest),
            &[FrameFormat::MJPEG, FrameFormat::YUYV],
        );
        match Camera::with_backend(index, request, backend()) {
            Ok(mut camera) => {
                camera.open_stream().map_err(|e| classify(&e))?;
                let format = camera.camera_format();
                tracing::info!(%format, "camera opened with the closest format");
                Ok(Self { camera, name: device.name, format })
            }
            Err(_) => Err(last),
        }
    }
}

impl FrameSource for NativeCamera {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: self.name.clone(),
            width: self.format.width(),
            height: self.format.height(),
            format: match self.format.format() {
                FrameFormat::MJPEG => "mjpeg",
                FrameFormat::YUYV => "yuyv",
                _ => "other",
            },
            fps: self.format.frame_rate(),
        }
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let buffer = self.camera.frame().map_err(|e| classify(&e))?;
        let resolution = buffer.resolution();
        let bytes = buffer.buffer().to_vec();
        let pixels = match buffer.source_frame_format() {
            FrameFormat::MJPEG => Pixels::Jpeg(bytes),
            FrameFormat::YUYV => Pixels::Yuyv(bytes),
            FrameFormat::RAWRGB => Pixels::Rgb(bytes),
            other => return Err(CameraError::failed(format!("unexpected frame format {other}"))),
        };
        Ok(Frame { width: resolution.width(), height: resolution.height(), pixels })
    }
}

impl Drop for NativeCamera {
    fn drop(&mut self) {
        if let Err(e) = self.camera.stop_stream() {
            tracing::debug!("camera stream stop: {e}");
        }
        tracing::info!("camera released");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_become_what_the_user_can_act_on() {
        let open = |why: &str| NokhwaError::OpenDeviceError("/dev/video0".into(), why.into());
        assert_eq!(
            classify(&open("Permission denied (os error 13)")),
            CameraError::PermissionDenied
        );
        assert_eq!(classify(&open("Device or resource busy (os error 16)")), CameraError::Busy);
        assert_eq!(
            classify(&open("No such file or directory (os error 2)")),
            CameraError::NoCamera
        );
        assert_eq!(
            classify(&NokhwaError::OpenStreamError("Device or resource busy".into())),
            CameraError::Busy
        );
        assert!(matches!(
            classify(&NokhwaError::ReadFrameError("timeout".into())),
            CameraError::Failed { .. }
        ));
    }

    /// These machines have no camera: the real path must say so, not fail vaguely.
    #[test]
    fn without_a_camera_opening_says_no_camera() {
        if !list().map(|l| l.is_empty()).unwrap_or(true) {
            return; // a machine with a camera: nothing to check here
        }
        assert_eq!(NativeCamera::open(None).err(), Some(CameraError::NoCamera));
        assert_eq!(NativeCamera::open(Some("3")).err(), Some(CameraError::NoCamera));
    }
}
