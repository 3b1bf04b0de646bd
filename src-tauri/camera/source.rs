//! Where frames come from: the [`FrameSource`] trait, the frames it yields, and the pixel
//! conversions the camera actor needs (JPEG for the preview, RGB for hints and the recording).

use std::time::Duration;

use super::CameraError;

/// The pixels of one frame, as the source delivered them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pixels {
    /// Packed 8-bit RGB, `width * height * 3` bytes.
    Rgb(Vec<u8>),
    /// A whole JPEG (a camera's MJPEG frame).
    Jpeg(Vec<u8>),
    /// YUYV 4:2:2 (Y0 U Y1 V per two pixels), `width * height * 2` bytes.
    Yuyv(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels,
}

/// What the source is, for the UI and the log (no frame data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// `mjpeg`, `yuyv` or `rgb`.
    pub format: &'static str,
    pub fps: u32,
}

/// A camera, real or synthetic. Opened and used on the camera thread only (a native camera
/// handle is not `Send`); dropping it releases the device.
pub trait FrameSource {
    fn info(&self) -> SourceInfo;
    /// Blocks until the next frame (a camera paces itself; a synthetic source sleeps).
    fn next_frame(&mut self) -> Result<Frame, CameraError>;
}

/// Opens a source on the camera thread.
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn FrameSource>, CameraError> + Send>;

/// The longest a source may take for one frame before the camera counts as failed.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(5);

impl Frame {
    /// Packed RGB of the frame (decoding or converting as needed).
    pub fn to_rgb(&self) -> Result<Vec<u8>, CameraError> {
        let expected = self.width as usize * self.height as usize;
        match &self.pixels {
            Pixels::Rgb(rgb) if rgb.len() == expected * 3 => Ok(rgb.clone()),
            Pixels::Yuyv(yuyv) => {
                let mut rgb = Vec::with_capacity(expected * 3);
                signet_video::convert::yuyv_to_rgb(yuyv, self.width, self.height, &mut rgb)
                    .map_err(|e| CameraError::failed(format!("YUYV frame: {e}")))?;
                Ok(rgb)
            }
            Pixels::Jpeg(jpeg) => {
                let image = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
                    .map_err(|e| CameraError::failed(format!("undecodable MJPEG frame: {e}")))?
                    .to_rgb8();
                if image.width() != self.width || image.height() != self.height {
                    return Err(CameraError::failed(format!(
                        "MJPEG frame is {}x{}, the camera said {}x{}",
                        image.width(),
                        image.height(),
                        self.width,
                        self.height
                    )));
                }
                Ok(image.into_raw())
            }
            _ => Err(CameraError::failed(format!(
                "frame of {}x{} has a buffer of the wrong size",
                self.width, self.height
            ))),
        }
    }
}

/// A JPEG of packed RGB, scaled down (never up) to fit `max_width` x `max_height`.
pub fn preview_jpeg(
    rgb: &[u8],
    width: u32,
    height: u32,
    max: (u32, u32),
    quality: u8,
) -> Result<Vec<u8>, CameraError> {
    signet_video::preview_jpeg(rgb, width, height, max.0, max.1, quality)
        .map_err(|e| CameraError::failed(format!("preview JPEG: {e}")))
}

/// Mean luma (0-255) of packed RGB, sampling every 7th pixel.
pub fn mean_luma(rgb: &[u8]) -> f32 {
    let (mut sum, mut n) = (0u64, 0u64);
    for px in rgb.chunks_exact(3).step_by(7) {
        sum += (299 * u64::from(px[0]) + 587 * u64::from(px[1]) + 114 * u64::from(px[2])) / 1000;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        sum as f32 / n as f32
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_frames_convert() {
        // Y=235 (white), U=V=128, two pixels.
        let frame = Frame { width: 2, height: 1, pixels: Pixels::Yuyv(vec![235, 128, 235, 128]) };
        let rgb = frame.to_rgb().unwrap();
        assert!(rgb.iter().all(|&v| v >= 250), "{rgb:?}");
        let short = Frame { width: 4, height: 1, pixels: Pixels::Yuyv(vec![235, 128, 235, 128]) };
        assert!(short.to_rgb().is_err());
    }

    #[test]
    fn previews_are_scaled_down_jpegs() {
        let rgb = vec![100u8; 1280 * 720 * 3];
        let jpeg = preview_jpeg(&rgb, 1280, 720, (640, 480), 70).unwrap();
        let img = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (640, 360));
    }

    #[test]
    fn jpeg_round_trips_through_the_frame() {
        let rgb: Vec<u8> = (0..64 * 48).flat_map(|i| [(i % 256) as u8, 128, 64]).collect();
        let jpeg = preview_jpeg(&rgb, 64, 48, (640, 480), 80).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]));
        let frame = Frame { width: 64, height: 48, pixels: Pixels::Jpeg(jpeg) };
        assert_eq!(frame.to_rgb().unwrap().len(), 64 * 48 * 3);
        let wrong = Frame { width: 65, height: 48, pixels: frame.pixels.clone() };
        assert!(wrong.to_rgb().is_err());
        let garbage = Frame { width: 2, height: 2, pixels: Pixels::Jpeg(vec![1, 2, 3]) };
        assert!(garbage.to_rgb().is_err());
    }

    #[test]
    fn luma_tells_dark_from_bright() {
        assert!(mean_luma(&[10; 300]) < 15.0);
        assert!(mean_luma(&[200; 300]) > 190.0);
        assert_eq!(mean_luma(&[]), 0.0);
    }
}
