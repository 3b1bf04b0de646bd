//! Brightness and sharpness measured on a small grey copy, so that the numbers mean the same for a
//! 1-megapixel scan and a 40-megapixel phone photo, and cost little.

use image::{imageops, GrayImage, RgbImage};

/// Long side of the grey copy that brightness and sharpness are measured on. Photos whose long
/// side is already shorter (only possible between 800 and 1000 px) are measured as they are,
/// never upscaled.
pub const ANALYSIS_LONG_SIDE: u32 = 1000;

/// Below this mean luminance (0-255, Rec. 709 weights on the sRGB values) a photo is refused as
/// too dark.
///
/// Chosen, not fitted: at 40 (about 16 % grey) the printed text of a card has so little contrast
/// left that a reviewer could not read it, while a dim but usable indoor photo stays well above.
/// The generated test card averages 193; darkened to a quarter 47 (passes), to a tenth 19
/// (refused).
pub const MIN_MEAN_LUMINANCE: f32 = 40.0;

/// Below this sharpness (variance of the 4-neighbour Laplacian on the grey copy, in grey levels
/// squared) a photo is refused as too blurry.
///
/// Calibrated on the generated ID-card photos of the tests (text-like strokes 3 px wide in glyph
/// cells of about 26×30 px at 1200×800, card edges, a grainy desk; JPEG quality 90), measured by
/// `tests/calibration.rs` at the analysis size:
///
/// | photo 1200×800                      | sharpness |
/// |-------------------------------------|-----------|
/// | sharp                               | 780       |
/// | 3×3 box blur once                   | 149       |
/// | 5×5 box blur once (soft, legible)   | 39        |
/// | 5×5 box blur twice (text smeared)   | 12        |
/// | 5×5 box blur three times            | 6.5       |
/// | sharp, darkened to a quarter        | 48        |
///
/// (2400×1600: sharp 492, 5×5 twice 75, 7×7 three times 15; 1000×1000: sharp 635, 5×5 once
/// 20.) 20 lies between "soft but legible" and "smeared" at the smallest accepted size, on the
/// lenient side because a person reviews every photo and a false refusal costs the user a retake.
/// The measure grows with the square of contrast, which is why the darkness check runs first and
/// why a dim (quarter-brightness) but sharp photo must still pass. It also depends on content (a
/// plain wall scores low however sharp) and sensor noise raises it; revisit with real card photos.
pub const MIN_SHARPNESS: f32 = 20.0;

/// A grey copy no longer than [`ANALYSIS_LONG_SIDE`] on its long side.
pub(crate) fn analysis_copy(rgb: &RgbImage) -> GrayImage {
    let (width, height) = rgb.dimensions();
    if width.max(height) <= ANALYSIS_LONG_SIDE {
        return imageops::grayscale(rgb);
    }
    let (w, h) = fit_long_side(width, height, ANALYSIS_LONG_SIDE);
    // thumbnail() averages whole source areas: cheap and free of aliasing for large factors.
    imageops::grayscale(&imageops::thumbnail(rgb, w, h))
}

/// The size with the same aspect ratio whose long side is `long_side` (each side at least 1).
pub(crate) fn fit_long_side(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = u64::from(width.max(height).max(1));
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(long_side) + long / 2) / long;
        u32::try_from(scaled).unwrap_or(long_side).max(1)
    };
    (scale(width), scale(height))
}

/// Mean grey level, 0-255.
pub(crate) fn mean_luminance(grey: &GrayImage) -> f32 {
    let pixels = grey.as_raw();
    if pixels.is_empty() {
        return 0.0;
    }
    let sum: u64 = pixels.iter().map(|&p| u64::from(p)).sum();
    (sum as f64 / pixels.len() as f64) as f32
}

/// Variance of the Laplacian (kernel 0 1 0 / 1 -4 1 / 0 1 0) over the interior pixels: sharp
/// edges give large responses of both signs, blur flattens them towards zero.
pub(crate) fn laplacian_variance(grey: &GrayImage) -> f32 {
    let (width, height) = grey.dimensions();
    if width < 3 || height < 3 {
        return 0.0;
    }
    let (w, h) = (width as usize, height as usize);
    let p = grey.as_raw();
    let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0u64);
    for y in 1..h - 1 {
        let row = y * w;
        for x in 1..w - 1 {
            let i = row + x;
            let l = i32::from(p[i - 1]) + i32::from(p[i + 1]) + i32::from(p[i - w])
                - 4 * i32::from(p[i])
                + i32::from(p[i + w]);
            let l = f64::from(l);
            sum += l;
            sum_sq += l * l;
            n += 1;
        }
    }
    let n = n as f64;
    let mean = sum / n;
    ((sum_sq / n) - mean * mean).max(0.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn a_flat_grey_image_has_zero_sharpness_and_its_own_brightness() {
        let grey = GrayImage::from_pixel(50, 40, Luma([90]));
        assert_eq!(laplacian_variance(&grey), 0.0);
        assert!((mean_luminance(&grey) - 90.0).abs() < 1e-3);
    }

    #[test]
    fn a_checkerboard_is_very_sharp() {
        let grey =
            GrayImage::from_fn(64, 64, |x, y| Luma([if (x + y) % 2 == 0 { 0 } else { 255 }]));
        assert!(laplacian_variance(&grey) > 10_000.0);
    }

    #[test]
    fn the_analysis_copy_keeps_the_aspect_ratio_within_the_long_side() {
        let rgb = RgbImage::new(4000, 3000);
        assert_eq!(analysis_copy(&rgb).dimensions(), (1000, 750));
        let portrait = RgbImage::new(900, 1200);
        assert_eq!(analysis_copy(&portrait).dimensions(), (750, 1000));
    }
}
