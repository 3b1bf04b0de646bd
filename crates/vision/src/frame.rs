//! Small pixel helpers shared by the detector, the hints and the analyzer.

use crate::VisionError;

/// Checks that `rgb` holds exactly `width * height` RGB pixels.
pub(crate) fn check_size(rgb: &[u8], width: u32, height: u32) -> Result<(), VisionError> {
    let expected = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(3))
        .unwrap_or(usize::MAX);
    if rgb.len() != expected || width == 0 || height == 0 {
        return Err(VisionError::FrameSize { width, height, expected, actual: rgb.len() });
    }
    Ok(())
}

/// Luma (BT.601, 0-255) of one RGB pixel.
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> f32 {
    0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32
}

/// Luma at pixel (x, y); the caller keeps the coordinates inside the frame.
#[inline]
pub(crate) fn luma_at(rgb: &[u8], width: u32, x: u32, y: u32) -> f32 {
    let i = (y as usize * width as usize + x as usize) * 3;
    luma(rgb[i], rgb[i + 1], rgb[i + 2])
}

/// Bilinearly sampled luma at (x, y); coordinates outside the frame are clamped to its edge.
pub(crate) fn luma_bilinear(rgb: &[u8], width: u32, height: u32, x: f32, y: f32) -> f32 {
    let max_x = (width - 1) as f32;
    let max_y = (height - 1) as f32;
    let x = x.clamp(0.0, max_x);
    let y = y.clamp(0.0, max_y);
    let x0 = x.floor() as u32;
    let y0 = y.floor() as u32;
    let x1 = (x0 + 1).min(width - 1);
    let y1 = (y0 + 1).min(height - 1);
    let fx = x - x0 as f32;
    let fy = y - y0 as f32;
    let top = luma_at(rgb, width, x0, y0) * (1.0 - fx) + luma_at(rgb, width, x1, y0) * fx;
    let bottom = luma_at(rgb, width, x0, y1) * (1.0 - fx) + luma_at(rgb, width, x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Mean luma over a rectangle (clamped to the frame), sampling every `step`-th pixel.
pub(crate) fn mean_luma(
    rgb: &[u8],
    width: u32,
    height: u32,
    (x0, y0, x1, y1): (f32, f32, f32, f32),
    step: u32,
) -> f32 {
    let x0 = x0.max(0.0) as u32;
    let y0 = y0.max(0.0) as u32;
    let x1 = (x1.max(0.0) as u32).min(width);
    let y1 = (y1.max(0.0) as u32).min(height);
    let mut sum = 0.0;
    let mut n = 0u32;
    let mut y = y0;
    while y < y1 {
        let mut x = x0;
        while x < x1 {
            sum += luma_at(rgb, width, x, y);
            n += 1;
            x += step;
        }
        y += step;
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}
