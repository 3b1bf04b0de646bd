//! Lighting correction: how bright is each pixel compared with the paper under the same light?
//!
//! A phone photo of a page is lit unevenly: brighter near the window, darker in the corner, and
//! often with the soft shadow of the hand or phone across it. One global threshold then either
//! takes the shadow for ink or loses the ink in the bright part (`tests/signature_pipeline.rs`
//! shows it). So the paper's brightness is estimated everywhere and divided out first:
//!
//! 1. the grey image is shrunk so its long side is about [`BACKGROUND_LONG_SIDE`] (area
//!    averages: cheap, and noise averages away);
//! 2. a grey-level closing (largest value in a square, then smallest) wipes out anything darker
//!    and narrower than the square, that is the strokes, and keeps broad changes of light and
//!    the edges of shadows larger than it;
//! 3. a small blur, a smallest-value filter two blocks wide (so the desk around a page is its
//!    own background and its edge does not read as ink), then bilinear enlargement back to the
//!    working size.
//!
//! Dividing by that estimate puts the paper at about 255 everywhere, shadow or not, and ink at
//! its own darkness relative to the paper around it.

use image::RgbImage;

use super::resample::shrink;

/// Long side of the copy the paper's brightness is estimated on.
pub(super) const BACKGROUND_LONG_SIDE: u32 = 256;

/// The closing's square is this fraction of the long side wide, on either side of a pixel: 1/40
/// of the long side (50 px at the 2000 px working size), far wider than a pen stroke in any
/// photo that shows a whole signature, narrower than the gradual lighting it must follow.
const CLOSING_RADIUS_DIVISOR: u32 = 40;

/// The corrected image and what is known about its paper.
pub(super) struct Lighting {
    /// Brightness relative to the paper under the same light, 0-255: 255 is paper, 0 black.
    pub level: Vec<u8>,
    /// The paper's estimated grey level at each pixel (at least 1).
    pub paper: Vec<u8>,
    /// The paper's colour relative to its grey level, per channel: dividing by
    /// `paper × tint` whitens the paper in colour too, so the ink keeps its own hue.
    pub tint: [f32; 3],
    /// Otsu's threshold on the corrected levels, kept below the paper's level by four times
    /// its noise (and at least 12 levels), so that grain never passes for ink.
    pub auto_threshold: u8,
}

pub(super) fn correct(rgb: &RgbImage) -> Lighting {
    let (w, h) = rgb.dimensions();
    let grey: Vec<u8> = rgb.pixels().map(|p| luma(p.0)).collect();
    let paper = paper_brightness(&grey, w, h);

    // level = grey / paper × 255, through a table of 255 × 2^16 / paper.
    let mut reciprocal = [0u32; 256];
    for (p, r) in reciprocal.iter_mut().enumerate().skip(1) {
        *r = (255 * 65536 + p as u32 / 2) / p as u32;
    }
    let level: Vec<u8> = grey
        .iter()
        .zip(&paper)
        .map(|(&g, &p)| {
            ((u64::from(g) * u64::from(reciprocal[usize::from(p)])) >> 16).min(255) as u8
        })
        .collect();

    let mut histogram = [0u64; 256];
    for &l in &level {
        histogram[usize::from(l)] += 1;
    }
    // The median is the paper: it covers most of any signature photo.
    let paper_level = percentile(&histogram, 0.50);
    // One-sided (the darker half of the paper), so the ink does not count as noise and the
    // clipping at 255 does not hide it: p50 - p25 is 0.674 σ for normal noise.
    let spread = f32::from(paper_level.saturating_sub(percentile(&histogram, 0.25)));
    let noise = (spread / 0.674).clamp(1.0, 12.0);

    let ceiling = f32::from(paper_level) - (4.0 * noise).max(12.0);
    let auto_threshold = otsu(&histogram).min(ceiling.max(1.0) as u8).max(1);

    Lighting { tint: paper_tint(rgb, &level, paper_level, noise), level, paper, auto_threshold }
}

/// Rec. 601 luma in integers.
pub(super) fn luma([r, g, b]: [u8; 3]) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// The paper's grey level at every pixel (see the module's overview).
fn paper_brightness(grey: &[u8], w: u32, h: u32) -> Vec<u8> {
    let long = w.max(h);
    let step = long.div_ceil(BACKGROUND_LONG_SIDE).max(1);
    let (sw, sh) = (w.div_ceil(step), h.div_ceil(step));
    let small = shrink::<1>(grey, (w, h), (sw, sh));
    let radius = (long / CLOSING_RADIUS_DIVISOR).div_ceil(step).max(2) as usize;
    let (sw, sh) = (sw as usize, sh as usize);
    let dilated = filter_separable(&small, sw, sh, radius, u8::max);
    let closed = filter_separable(&dilated, sw, sh, radius, u8::min);
    let blurred = box_blur(&box_blur(&closed, sw, sh, 1), sw, sh, 1);
    // Where the page ends on a dark desk, the blocks straddling the edge hold a mix of both,
    // which enlarged would make the desk beside the edge darker than "its paper": a dark frame
    // of false ink. Taking the smallest value two blocks around moves the desk's level past the
    // edge, so the desk is its own background; paper within two blocks of the edge merely reads
    // as brighter than white (clipped), and smooth light changes lose a percent or two.
    let settled = filter_separable(&blurred, sw, sh, 2, u8::min);
    enlarge(&settled, (sw, sh), (w as usize, h as usize))
}

/// A square min or max filter of the given radius, as a row pass then a column pass; edges
/// use the part of the square inside the image.
fn filter_separable(
    src: &[u8],
    w: usize,
    h: usize,
    radius: usize,
    pick: fn(u8, u8) -> u8,
) -> Vec<u8> {
    let mut rows = vec![0u8; src.len()];
    for (row_in, row_out) in src.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        for (x, out) in row_out.iter_mut().enumerate() {
            let window = &row_in[x.saturating_sub(radius)..(x + radius + 1).min(w)];
            *out = window.iter().copied().fold(window[0], pick);
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        let (top, bottom) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        let out_row = &mut out[y * w..(y + 1) * w];
        out_row.copy_from_slice(&rows[top * w..(top + 1) * w]);
        for other in rows[(top + 1) * w..bottom * w].chunks_exact(w) {
            for (o, &v) in out_row.iter_mut().zip(other) {
                *o = pick(*o, v);
            }
        }
    }
    out
}

/// A (2r+1)² box average, the image's edge pixels repeated outwards.
fn box_blur(src: &[u8], w: usize, h: usize, radius: usize) -> Vec<u8> {
    let r = radius as isize;
    let n = (2 * radius + 1) as u32;
    let at = |i: isize, len: usize| i.clamp(0, len as isize - 1) as usize;
    let mut rows = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let sum: u32 = (-r..=r).map(|d| u32::from(src[y * w + at(x as isize + d, w)])).sum();
            rows[y * w + x] = ((sum + n / 2) / n) as u8;
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let sum: u32 = (-r..=r).map(|d| u32::from(rows[at(y as isize + d, h) * w + x])).sum();
            out[y * w + x] = ((sum + n / 2) / n) as u8;
        }
    }
    out
}

/// Bilinear enlargement from `small` (pixel centres spread evenly over the large image) to the
/// large size; never below 1, because the result divides.
fn enlarge(small: &[u8], (sw, sh): (usize, usize), (w, h): (usize, usize)) -> Vec<u8> {
    // For each large coordinate: the two small neighbours and the second one's weight (/256).
    let axis = |small_len: usize, len: usize| -> Vec<(usize, usize, u32)> {
        (0..len)
            .map(|i| {
                let f = ((i as f32 + 0.5) * small_len as f32 / len as f32 - 0.5)
                    .clamp(0.0, (small_len - 1) as f32);
                let i0 = f as usize;
                let i1 = (i0 + 1).min(small_len - 1);
                (i0, i1, ((f - i0 as f32) * 256.0) as u32)
            })
            .collect()
    };
    let columns = axis(sw, w);
    let mut out = vec![0u8; w * h];
    let mut blended = vec![0u32; sw];
    for ((y0, y1, fy), out_row) in axis(sh, h).into_iter().zip(out.chunks_exact_mut(w)) {
        let (a, b) = (&small[y0 * sw..(y0 + 1) * sw], &small[y1 * sw..(y1 + 1) * sw]);
        for ((v, &a), &b) in blended.iter_mut().zip(a).zip(b) {
            *v = u32::from(a) * (256 - fy) + u32::from(b) * fy;
        }
        for (o, &(x0, x1, fx)) in out_row.iter_mut().zip(&columns) {
            let v = blended[x0] * (256 - fx) + blended[x1] * fx;
            *o = ((v + (1 << 15)) >> 16).max(1) as u8;
        }
    }
    out
}

/// The level below which `fraction` of the pixels lie.
fn percentile(histogram: &[u64; 256], fraction: f64) -> u8 {
    let total: u64 = histogram.iter().sum();
    let wanted = (total as f64 * fraction) as u64;
    let mut seen = 0;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen > wanted {
            return level as u8;
        }
    }
    u8::MAX
}

/// Otsu's method: the split of the histogram with the largest variance between the two sides.
/// Returned as a threshold for "darker than": the dark side is `0..t`.
pub(super) fn otsu(histogram: &[u64; 256]) -> u8 {
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram.iter().enumerate().map(|(l, &c)| l as f64 * c as f64).sum();
    let (mut dark, mut dark_sum) = (0u64, 0f64);
    let (mut best, mut best_split) = (-1f64, 0usize);
    for (level, &count) in histogram.iter().enumerate() {
        dark += count;
        dark_sum += level as f64 * count as f64;
        let light = total - dark;
        if dark == 0 || light == 0 {
            continue;
        }
        let (mean_dark, mean_light) = (dark_sum / dark as f64, (sum_all - dark_sum) / light as f64);
        let between = dark as f64 * light as f64 * (mean_dark - mean_light).powi(2);
        if between > best {
            best = between;
            best_split = level;
        }
    }
    (best_split + 1).min(255) as u8
}

/// The paper's colour cast (warm light, cream paper) relative to its grey level, sampled on
/// pixels at the paper's level.
fn paper_tint(rgb: &RgbImage, level: &[u8], paper_level: u8, noise: f32) -> [f32; 3] {
    let floor = (f32::from(paper_level) - 2.0 * noise).max(0.0) as u8;
    let mut sums = [0u64; 4];
    for (pixel, &l) in rgb.pixels().zip(level).step_by(7) {
        if l >= floor {
            for (sum, &c) in sums.iter_mut().zip(&pixel.0) {
                *sum += u64::from(c);
            }
            sums[3] += u64::from(luma(pixel.0));
        }
    }
    if sums[3] == 0 {
        return [1.0; 3];
    }
    let grey = sums[3] as f32;
    [sums[0] as f32 / grey, sums[1] as f32 / grey, sums[2] as f32 / grey]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_splits_two_clusters_between_them() {
        let mut histogram = [0u64; 256];
        histogram[40] = 100;
        histogram[240] = 2000;
        let t = otsu(&histogram);
        assert!((41..=240).contains(&t), "{t}");
    }

    #[test]
    fn a_lighting_gradient_is_divided_out() {
        // Paper from 120 (left) to 240 (right), one dark stroke down the middle.
        let (w, h) = (400u32, 300u32);
        let rgb = RgbImage::from_fn(w, h, |x, _| {
            let paper = 120 + (120 * x / w) as u8;
            let v = if (198..206).contains(&x) { paper / 5 } else { paper };
            image::Rgb([v, v, v])
        });
        let lighting = correct(&rgb);
        let at = |x: u32, y: u32| lighting.level[(y * w + x) as usize];
        assert!(at(10, 150) > 240 && at(390, 150) > 240, "{} {}", at(10, 150), at(390, 150));
        assert!(at(202, 150) < 70, "{}", at(202, 150));
        // Between the stroke and the paper, clear of the paper by 12 levels at least.
        assert!(at(202, 150) < lighting.auto_threshold && lighting.auto_threshold <= 243);
    }
}
