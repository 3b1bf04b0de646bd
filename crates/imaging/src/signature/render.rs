//! From the kept ink to the transparent PNG: crop with a margin, alpha from darkness, the ink's
//! colour, shrink, encode.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use signet_domain::api::{MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SIDE_PX};

use super::ink::Run;
use super::resample::shrink;
use super::{
    CleanedSignature, InkMode, SignatureCrop, SignatureImageError, SignatureSource,
    CLEANED_SIGNATURE_MAX_SIDE,
};
use crate::quality::fit_long_side;

/// How far around the kept ink the edge pixels may still carry some alpha: the anti-aliased
/// and blurred fringe of a stroke, which is lighter than the threshold but is still ink.
const FRINGE: u32 = 2;

/// The colours of [`InkMode::Black`] and [`InkMode::Blue`] (a ballpoint blue, dark enough to
/// read as ink on white and on a printed form).
const BLACK: [u8; 3] = [0, 0, 0];
const BLUE: [u8; 3] = [22, 50, 150];

pub(super) fn render(
    source: &SignatureSource,
    kept: &[Run],
    threshold: u8,
    ink: InkMode,
) -> Result<CleanedSignature, SignatureImageError> {
    let (w, h) = source.rgb.dimensions();
    let lighting = &source.lighting;
    if kept.is_empty() {
        return Err(SignatureImageError::NoInk);
    }
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for run in kept {
        x0 = x0.min(run.x0);
        x1 = x1.max(run.x1);
        y0 = y0.min(run.y);
        y1 = y1.max(run.y + 1);
    }
    // A margin of 5 % of the signature's long side (at least 12 px), so it does not touch the
    // edge of whatever document it is placed on.
    let margin = FRINGE + ((x1 - x0).max(y1 - y0) / 20).max(12);
    let (cx0, cy0) = (x0.saturating_sub(margin), y0.saturating_sub(margin));
    let (cx1, cy1) = ((x1 + margin).min(w), (y1 + margin).min(h));
    let (cw, ch) = ((cx1 - cx0) as usize, (cy1 - cy0) as usize);

    // Where alpha may be non-zero: the kept runs, widened by the fringe.
    let mut near = vec![false; cw * ch];
    let mut histogram = [0u64; 256];
    for run in kept {
        let row = (run.y - cy0) as usize * cw;
        let a = (run.x0.saturating_sub(FRINGE) - cx0) as usize;
        let b = ((run.x1 + FRINGE).min(cx1) - cx0) as usize;
        near[row + a..row + b].fill(true);
        let start = run.y as usize * w as usize;
        for &l in &lighting.level[start + run.x0 as usize..start + run.x1 as usize] {
            histogram[usize::from(l)] += 1;
        }
    }
    let near = widen_vertically(&near, cw, ch, FRINGE as usize);

    // Alpha is a soft threshold: one half at the threshold itself, rising to 1 at the ink's
    // typical level (the median of the kept pixels) and falling to 0 as far beyond the threshold
    // on the paper's side. At the automatic threshold (Otsu's, about midway between ink and
    // paper) that is the pen's coverage of the pixel, so a stroke's soft edge stays soft; moving
    // the slider moves the edge, thinning or thickening the strokes.
    let ink_level = f32::from(median(&histogram));
    let half = (f32::from(threshold) - ink_level).max(8.0);
    let alpha_of = |level: u8| {
        (0.5 + (f32::from(threshold) - f32::from(level)) / (2.0 * half)).clamp(0.0, 1.0)
    };

    // Either one colour for all, or the pen's own: un-mixed per pixel, leaning on its typical
    // colour where the pixel is mostly paper.
    let (fixed, typical) = match ink {
        InkMode::Keep => (None, typical_ink(source, kept, ink_level as u8)),
        InkMode::Black => (Some(BLACK), [0.0; 3]),
        InkMode::Blue => (Some(BLUE), [0.0; 3]),
    };
    let mut rgba = vec![0u8; cw * ch * 4];
    for (cy, (near_row, out_row)) in
        near.chunks_exact(cw).zip(rgba.chunks_exact_mut(cw * 4)).enumerate()
    {
        let y = cy0 as usize + cy;
        for (cx, (&is_near, out)) in near_row.iter().zip(out_row.chunks_exact_mut(4)).enumerate() {
            if !is_near {
                continue;
            }
            let i = y * w as usize + cx0 as usize + cx;
            let alpha = alpha_of(lighting.level[i]);
            if alpha <= 0.0 {
                continue;
            }
            let colour = fixed.unwrap_or_else(|| {
                let x = (cx0 as usize + cx) as u32;
                unmixed(source, i, source.rgb.get_pixel(x, y as u32).0, alpha, typical)
            });
            out[..3].copy_from_slice(&colour);
            out[3] = (alpha * 255.0).round() as u8;
        }
    }

    let crop = SignatureCrop::from_working(source, (cx0, cy0, cx1 - cx0, cy1 - cy0));
    let (mut out_w, mut out_h) = (cw as u32, ch as u32);
    let mut side = CLEANED_SIGNATURE_MAX_SIDE.min(MAX_SIGNATURE_SIDE_PX);
    loop {
        if out_w.max(out_h) > side {
            (rgba, out_w, out_h) = shrink_rgba(&rgba, (out_w, out_h), side);
        }
        let png = encode(&rgba, out_w, out_h)?;
        if png.len() <= MAX_SIGNATURE_PNG_BYTES {
            let ink_pixels = rgba.chunks_exact(4).filter(|p| p[3] >= 128).count() as u64;
            return Ok(CleanedSignature {
                png,
                width: out_w,
                height: out_h,
                threshold,
                ink_pixels,
                crop,
            });
        }
        // Only a page of noise at a very high threshold gets here: shrink until it fits.
        side = out_w.max(out_h) * 3 / 4;
        if side < 16 {
            return Err(SignatureImageError::EncodeFailed {
                detail: "the PNG does not fit the size limit".into(),
            });
        }
    }
}

fn widen_vertically(mask: &[bool], w: usize, h: usize, radius: usize) -> Vec<bool> {
    let mut out = vec![false; mask.len()];
    for y in 0..h {
        let out_row = &mut out[y * w..(y + 1) * w];
        for other in mask[y.saturating_sub(radius) * w..(y + radius + 1).min(h) * w].chunks_exact(w)
        {
            for (o, &m) in out_row.iter_mut().zip(other) {
                *o |= m;
            }
        }
    }
    out
}

fn median(histogram: &[u64; 256]) -> u8 {
    let total: u64 = histogram.iter().sum();
    let mut seen = 0;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen * 2 >= total {
            return level as u8;
        }
    }
    u8::MAX
}

/// A pixel's colour relative to the paper under the same light, 0-1 per channel: the paper
/// becomes white whatever the light's colour.
fn whitened(source: &SignatureSource, i: usize, rgb: [u8; 3]) -> [f32; 3] {
    let paper = f32::from(source.lighting.paper[i]);
    let tint = source.lighting.tint;
    [0, 1, 2].map(|c| (f32::from(rgb[c]) / (paper * tint[c]).max(1.0)).min(1.0))
}

/// The mean whitened colour of the darker half of the kept ink: the pen's colour where it is
/// laid on fully.
fn typical_ink(source: &SignatureSource, kept: &[Run], ink_level: u8) -> [f32; 3] {
    let w = source.rgb.width() as usize;
    let raw = source.rgb.as_raw();
    let (mut sum, mut n) = ([0f32; 3], 0u32);
    for run in kept {
        for x in run.x0..run.x1 {
            let i = run.y as usize * w + x as usize;
            if source.lighting.level[i] <= ink_level {
                let c = whitened(source, i, [raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]]);
                for (s, v) in sum.iter_mut().zip(c) {
                    *s += v;
                }
                n += 1;
            }
        }
    }
    if n == 0 {
        return [0.0; 3];
    }
    sum.map(|s| s / n as f32)
}

/// The ink's own colour at a pixel: the observed colour is the ink laid over white with
/// coverage `alpha`, so ink = 1 - (1 - observed) / alpha. Where the coverage is small that is
/// mostly noise, so it leans on the pen's typical colour.
fn unmixed(
    source: &SignatureSource,
    i: usize,
    rgb: [u8; 3],
    alpha: f32,
    typical: [f32; 3],
) -> [u8; 3] {
    let observed = whitened(source, i, rgb);
    let trust = ((alpha - 0.3) / 0.6).clamp(0.0, 1.0);
    [0, 1, 2].map(|c| {
        let own = (1.0 - (1.0 - observed[c]) / alpha).clamp(0.0, 1.0);
        let v = trust * own + (1.0 - trust) * typical[c];
        (v * 255.0).round() as u8
    })
}

/// Shrinks straight-alpha RGBA to fit `side`, averaging premultiplied colours so transparent
/// pixels do not darken the edges.
fn shrink_rgba(rgba: &[u8], (w, h): (u32, u32), side: u32) -> (Vec<u8>, u32, u32) {
    let premultiplied: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let m = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
            [m(p[0]), m(p[1]), m(p[2]), p[3]]
        })
        .collect();
    let (sw, sh) = fit_long_side(w, h, side);
    let mut out = shrink::<4>(&premultiplied, (w, h), (sw, sh));
    for p in out.chunks_exact_mut(4) {
        let a = u16::from(p[3]);
        for c in &mut p[..3] {
            // Transparent pixels get black (the division has no answer for them).
            let straight = (u16::from(*c) * 255 + a / 2).checked_div(a).unwrap_or(0);
            *c = straight.min(255) as u8;
        }
    }
    (out, sw, sh)
}

fn encode(rgba: &[u8], w: u32, h: u32) -> Result<Vec<u8>, SignatureImageError> {
    let mut png = Vec::new();
    // Fast deflate: the preview re-encodes on every slider move, and transparent areas compress
    // well anyway.
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive)
        .write_image(rgba, w, h, ExtendedColorType::Rgba8)
        .map_err(|e| SignatureImageError::EncodeFailed { detail: e.to_string() })?;
    Ok(png)
}
