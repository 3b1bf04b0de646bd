//! Drawings for the unit tests.

use super::{Drawing, InkColor, PenStyle, SignatureStroke, StrokePoint};

/// Milliseconds between two samples of the test strokes (a 120 Hz pointer).
const SAMPLE_MS: f64 = 8.0;

/// A stroke through `points`, one sample every [`SAMPLE_MS`], at pressure 0.5.
pub(crate) fn stroke(points: impl IntoIterator<Item = (f32, f32)>) -> SignatureStroke {
    let points = points
        .into_iter()
        .enumerate()
        .map(|(i, (x, y))| StrokePoint { x, y, t: i as f64 * SAMPLE_MS, p: 0.5 })
        .collect();
    SignatureStroke { points }
}

/// `n` evenly spaced samples from `a` to `b`.
pub(crate) fn line(a: (f32, f32), b: (f32, f32), n: usize) -> SignatureStroke {
    let last = (n.max(2) - 1) as f32;
    stroke((0..n).map(|i| {
        let f = i as f32 / last;
        (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
    }))
}

/// A stroke along `polyline` at `speed` CSS px per ms, sampled every [`SAMPLE_MS`].
pub(crate) fn sampled(polyline: &[(f32, f32)], speed: f32, pressure: f32) -> SignatureStroke {
    let step = speed * SAMPLE_MS as f32;
    let mut points = vec![polyline[0]];
    let mut carry = 0.0;
    for w in polyline.windows(2) {
        let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
        let len = (dx * dx + dy * dy).sqrt();
        let mut at = step - carry;
        while at <= len {
            points.push((w[0].0 + dx * at / len, w[0].1 + dy * at / len));
            at += step;
        }
        carry = len - (at - step);
    }
    // End exactly where the polyline ends.
    let end = polyline[polyline.len() - 1];
    let last = points[points.len() - 1];
    if (last.0 - end.0).abs() + (last.1 - end.1).abs() > 1e-3 {
        points.push(end);
    } else {
        let n = points.len();
        points[n - 1] = end;
    }
    let mut s = stroke(points);
    for p in &mut s.points {
        p.p = pressure;
    }
    s
}

/// 王芳 written quickly: nine strokes, about 126 × 68 CSS px, with its top left near `(x, y)`.
pub(crate) fn hasty_name(x: f32, y: f32) -> Drawing {
    let strokes: [&[(f32, f32)]; 9] = [
        &[(2.0, 8.0), (50.0, 5.0)],
        &[(10.0, 30.0), (42.0, 28.0)],
        &[(26.0, 4.0), (27.0, 54.0), (18.0, 57.0), (55.0, 55.0)],
        &[(70.0, 12.0), (125.0, 10.0)],
        &[(84.0, 2.0), (88.0, 20.0)],
        &[(108.0, 2.0), (104.0, 20.0)],
        &[(96.0, 24.0), (100.0, 30.0)],
        &[(72.0, 34.0), (128.0, 32.0)],
        &[(98.0, 34.0), (92.0, 56.0), (76.0, 70.0)],
    ];
    let strokes = strokes
        .iter()
        .map(|s| {
            let moved: Vec<_> = s.iter().map(|&(px, py)| (px + x, py + y)).collect();
            sampled(&moved, 0.6, 0.5)
        })
        .collect();
    Drawing { strokes, pen: PenStyle { color: InkColor::Black, width: 3.0 } }
}
