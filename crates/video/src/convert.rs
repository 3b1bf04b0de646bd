//! Pixel conversions for the camera: YUYV (what webcams send uncompressed) to RGB or I420, RGB to
//! I420 (what the encoder takes) and back, and the preview JPEG.
//!
//! All use BT.601 limited range, the convention of webcams and of H.264 streams without colour
//! information, so a frame survives RGB -> I420 -> RGB with only rounding and chroma subsampling.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::VideoError;

/// Bytes of an I420 frame: a full-size Y plane and quarter-size U and V planes (rounded up).
pub fn i420_len(width: u32, height: u32) -> usize {
    let (w, h) = (width as usize, height as usize);
    w * h + 2 * w.div_ceil(2) * h.div_ceil(2)
}

fn check_len(buffer: &[u8], expected: usize) -> Result<(), VideoError> {
    if buffer.len() != expected {
        return Err(VideoError::FrameSize { expected, actual: buffer.len() });
    }
    Ok(())
}

fn to_y(r: i32, g: i32, b: i32) -> u8 {
    (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8
}

fn to_u(r: i32, g: i32, b: i32) -> u8 {
    (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8
}

fn to_v(r: i32, g: i32, b: i32) -> u8 {
    (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8
}

#[inline]
fn to_rgb(y: u8, u: u8, v: u8, out: &mut [u8]) {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    out[0] = ((c + 409 * e + 128) >> 8).clamp(0, 255) as u8;
    out[1] = ((c - 100 * d - 208 * e + 128) >> 8).clamp(0, 255) as u8;
    out[2] = ((c + 516 * d + 128) >> 8).clamp(0, 255) as u8;
}

/// RGB (3 bytes a pixel, rows packed) to I420 in `i420` (resized to [`i420_len`]). Each chroma
/// sample is taken from the average colour of its 2x2 pixels.
pub fn rgb_to_i420(
    rgb: &[u8],
    width: u32,
    height: u32,
    i420: &mut Vec<u8>,
) -> Result<(), VideoError> {
    let (w, h) = (width as usize, height as usize);
    check_len(rgb, w * h * 3)?;
    i420.resize(i420_len(width, height), 0);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (y_plane, uv) = i420.split_at_mut(w * h);
    let (u_plane, v_plane) = uv.split_at_mut(cw * ch);
    for (y_row, rgb_row) in y_plane.chunks_exact_mut(w).zip(rgb.chunks_exact(w * 3)) {
        for (y, px) in y_row.iter_mut().zip(rgb_row.chunks_exact(3)) {
            *y = to_y(i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
        }
    }
    for cy in 0..ch {
        let rows = [2 * cy, (2 * cy + 1).min(h - 1)];
        for cx in 0..cw {
            let cols = [2 * cx, (2 * cx + 1).min(w - 1)];
            let (mut r, mut g, mut b) = (0, 0, 0);
            for row in rows {
                for col in cols {
                    let i = (row * w + col) * 3;
                    r += i32::from(rgb[i]);
                    g += i32::from(rgb[i + 1]);
                    b += i32::from(rgb[i + 2]);
                }
            }
            let (r, g, b) = ((r + 2) / 4, (g + 2) / 4, (b + 2) / 4);
            u_plane[cy * cw + cx] = to_u(r, g, b);
            v_plane[cy * cw + cx] = to_v(r, g, b);
        }
    }
    Ok(())
}

/// Planes of an I420 picture with their row strides, as a decoder hands them out.
#[derive(Debug, Clone, Copy)]
pub struct I420Planes<'a> {
    pub width: u32,
    pub height: u32,
    pub y: &'a [u8],
    pub u: &'a [u8],
    pub v: &'a [u8],
    pub y_stride: usize,
    pub uv_stride: usize,
}

/// I420 to RGB in `rgb` (resized to `width * height * 3`).
pub fn i420_to_rgb(planes: &I420Planes<'_>, rgb: &mut Vec<u8>) -> Result<(), VideoError> {
    let (w, h) = (planes.width as usize, planes.height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let plane_ok = |plane: &[u8], stride: usize, cols: usize, rows: usize| {
        rows == 0 || (stride >= cols && plane.len() >= (rows - 1) * stride + cols)
    };
    if !plane_ok(planes.y, planes.y_stride, w, h)
        || !plane_ok(planes.u, planes.uv_stride, cw, ch)
        || !plane_ok(planes.v, planes.uv_stride, cw, ch)
    {
        return Err(VideoError::FrameSize {
            expected: i420_len(planes.width, planes.height),
            actual: 0,
        });
    }
    rgb.resize(w * h * 3, 0);
    for (row, out) in rgb.chunks_exact_mut(w * 3).enumerate() {
        let y_row = &planes.y[row * planes.y_stride..][..w];
        let u_row = &planes.u[row / 2 * planes.uv_stride..][..cw];
        let v_row = &planes.v[row / 2 * planes.uv_stride..][..cw];
        for (col, px) in out.chunks_exact_mut(3).enumerate() {
            to_rgb(y_row[col], u_row[col / 2], v_row[col / 2], px);
        }
    }
    Ok(())
}

/// YUYV 4:2:2 (Y0 U Y1 V for each pair of pixels; `width` even) to RGB in `rgb`.
pub fn yuyv_to_rgb(
    yuyv: &[u8],
    width: u32,
    height: u32,
    rgb: &mut Vec<u8>,
) -> Result<(), VideoError> {
    let (w, h) = (width as usize, height as usize);
    if !w.is_multiple_of(2) {
        return Err(VideoError::InvalidDimensions { width, height });
    }
    check_len(yuyv, w * h * 2)?;
    rgb.resize(w * h * 3, 0);
    for (pair, out) in yuyv.chunks_exact(4).zip(rgb.chunks_exact_mut(6)) {
        let (left, right) = out.split_at_mut(3);
        to_rgb(pair[0], pair[1], pair[3], left);
        to_rgb(pair[2], pair[1], pair[3], right);
    }
    Ok(())
}

/// YUYV 4:2:2 (`width` even) to I420 in `i420`: luma copied, chroma averaged over row pairs.
pub fn yuyv_to_i420(
    yuyv: &[u8],
    width: u32,
    height: u32,
    i420: &mut Vec<u8>,
) -> Result<(), VideoError> {
    let (w, h) = (width as usize, height as usize);
    if !w.is_multiple_of(2) {
        return Err(VideoError::InvalidDimensions { width, height });
    }
    check_len(yuyv, w * h * 2)?;
    i420.resize(i420_len(width, height), 0);
    let (cw, ch) = (w / 2, h.div_ceil(2));
    let (y_plane, uv) = i420.split_at_mut(w * h);
    let (u_plane, v_plane) = uv.split_at_mut(cw * ch);
    for (y_row, src) in y_plane.chunks_exact_mut(w).zip(yuyv.chunks_exact(w * 2)) {
        for (y, pair) in y_row.iter_mut().zip(src.chunks_exact(2)) {
            *y = pair[0];
        }
    }
    for cy in 0..ch {
        let top = &yuyv[2 * cy * w * 2..][..w * 2];
        let bottom = &yuyv[(2 * cy + 1).min(h - 1) * w * 2..][..w * 2];
        let (u_row, v_row) = (&mut u_plane[cy * cw..][..cw], &mut v_plane[cy * cw..][..cw]);
        for (cx, (a, b)) in top.chunks_exact(4).zip(bottom.chunks_exact(4)).enumerate() {
            u_row[cx] = (u16::from(a[1]) + u16::from(b[1])).div_ceil(2) as u8;
            v_row[cx] = (u16::from(a[3]) + u16::from(b[3])).div_ceil(2) as u8;
        }
    }
    Ok(())
}

/// The live preview: `rgb` scaled down (never up) to fit `max_width` x `max_height`, keeping its
/// aspect ratio, then JPEG-encoded at `quality` (1-100).
pub fn preview_jpeg(
    rgb: &[u8],
    width: u32,
    height: u32,
    max_width: u32,
    max_height: u32,
    quality: u8,
) -> Result<Vec<u8>, VideoError> {
    let preview = |e: &dyn std::fmt::Display| VideoError::Preview(e.to_string());
    if width == 0 || height == 0 {
        return Err(preview(&"the frame has no pixels"));
    }
    let source = ImageRef::new(width, height, rgb, PixelType::U8x3).map_err(|e| preview(&e))?;
    let scale = f64::min(
        1.0,
        f64::min(
            f64::from(max_width) / f64::from(width.max(1)),
            f64::from(max_height) / f64::from(height.max(1)),
        ),
    );
    let out_w = ((f64::from(width) * scale).round() as u32).max(1);
    let out_h = ((f64::from(height) * scale).round() as u32).max(1);
    let (w16, h16) = (
        u16::try_from(out_w).map_err(|e| preview(&e))?,
        u16::try_from(out_h).map_err(|e| preview(&e))?,
    );
    let mut jpeg = Vec::with_capacity(32 * 1024);
    let encoder = jpeg_encoder::Encoder::new(&mut jpeg, quality.clamp(1, 100));
    if (out_w, out_h) == (width, height) {
        encoder.encode(rgb, w16, h16, jpeg_encoder::ColorType::Rgb).map_err(|e| preview(&e))?;
    } else {
        let mut scaled = Image::new(out_w, out_h, PixelType::U8x3);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
        Resizer::new().resize(&source, &mut scaled, &options).map_err(|e| preview(&e))?;
        encoder
            .encode(scaled.buffer(), w16, h16, jpeg_encoder::ColorType::Rgb)
            .map_err(|e| preview(&e))?;
    }
    Ok(jpeg)
}
