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
            Pixels::Yuyv(yuyv) if yuyv.len() >= expected * 2 => Ok(yuyv_to_rgb(yuyv, expected)),
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

/// BT.601 limited-range YUYV to RGB, integer arithmetic.
pub fn yuyv_to_rgb(yuyv: &[u8], pixels: usize) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(pixels * 3);
    for chunk in yuyv.chunks_exact(4).take(pixels / 2) {
        let (u, v) = (i32::from(chunk[1]) - 128, i32::from(chunk[3]) - 128);
        for y in [chunk[0], chunk[2]] {
            let c = 298 * (i32::from(y) - 16);
            let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
            rgb.push(clamp(c + 409 * v));
            rgb.push(clamp(c - 100 * u - 208 * v));
            rgb.push(clamp(c + 516 * u));
        }
    }
    rgb
}

/// Halves `rgb` (box filter) until its width is at most `max_width`.
pub fn shrink_rgb(
    mut rgb: Vec<u8>,
    mut width: u32,
    mut height: u32,
    max_width: u32,
) -> (Vec<u8>, u32, u32) {
    while width > max_width && width >= 2 && height >= 2 {
        let (w2, h2) = (width / 2, height / 2);
        let mut out = Vec::with_capacity(w2 as usize * h2 as usize * 3);
        let stride = width as usize * 3;
        for y in 0..h2 as usize {
            let row = 2 * y * stride;
            for x in 0..w2 as usize {
                let p = row + 2 * x * 3;
                for c in 0..3 {
                    let sum = u16::from(rgb[p + c])
                        + u16::from(rgb[p + 3 + c])
                        + u16::from(rgb[p + stride + c])
                        + u16::from(rgb[p + stride + 3 + c]);
                    out.push(((sum + 2) / 4) as u8);
                }
            }
        }
        (rgb, width, height) = (out, w2, h2);
    }
    (rgb, width, height)
}

/// Baseline JPEG of packed RGB.
pub fn encode_jpeg(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> Result<Vec<u8>, CameraError> {
    let mut out = Vec::with_capacity(rgb.len() / 10);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(rgb, width, height, image::ExtendedColorType::Rgb8)
        .map_err(|e| CameraError::failed(format!("JPEG encode: {e}")))?;
    Ok(out)
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
    fn yuyv_grey_and_primaries_convert() {
        // Y=235 (white), U=V=128.
        assert_eq!(yuyv_to_rgb(&[235, 128, 235, 128], 2), vec![255; 6]);
        assert_eq!(yuyv_to_rgb(&[16, 128, 16, 128], 2), vec![0; 6]);
        // Pure red in BT.601 limited range: Y=81, U=90, V=240.
        let red = yuyv_to_rgb(&[81, 90, 81, 240], 2);
        assert!(red[0] > 240 && red[1] < 15 && red[2] < 15, "{red:?}");
    }

    #[test]
    fn shrinking_halves_until_small_enough() {
        let rgb = vec![100u8; 1280 * 720 * 3];
        let (small, w, h) = shrink_rgb(rgb, 1280, 720, 640);
        assert_eq!((w, h, small.len()), (640, 360, 640 * 360 * 3));
        assert!(small.iter().all(|&v| v == 100));
        let (same, w, h) = shrink_rgb(vec![1; 640 * 480 * 3], 640, 480, 640);
        assert_eq!((w, h, same.len()), (640, 480, 640 * 480 * 3));
    }

    #[test]
    fn jpeg_round_trips_through_the_frame() {
        let rgb: Vec<u8> = (0..64 * 48).flat_map(|i| [(i % 256) as u8, 128, 64]).collect();
        let jpeg = encode_jpeg(&rgb, 64, 48, 80).unwrap();
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
