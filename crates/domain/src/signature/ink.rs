//! From pointer samples to a smooth centre line with an ink radius at every point.

use super::{
    StrokePoint, MIN_INK_WIDTH, MIN_POINT_SPACING, MIN_SPEED_FACTOR, PRESSURE_FILTER, SPEED_HALF,
    VELOCITY_FILTER,
};

/// A point of a stroke's centre line: position and ink radius, in CSS px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct InkSample {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// Ink width in CSS px of a pen of nominal `width` moving at `speed` CSS px per ms, pressed
/// with `pressure` (0..=1).
///
/// `width × speed factor × pressure factor`, at least [`MIN_INK_WIDTH`]. The speed factor is 1 at
/// rest and falls towards [`MIN_SPEED_FACTOR`] as the pen speeds up (halfway at [`SPEED_HALF`]);
/// the pressure factor is `0.4 + 1.2 × pressure`: 1 at the default 0.5, 1.6 at full pressure.
pub fn ink_width(width: f32, speed: f32, pressure: f32) -> f32 {
    width_at(f64::from(width), f64::from(speed), f64::from(pressure)) as f32
}

fn width_at(width: f64, speed: f64, pressure: f64) -> f64 {
    let min_factor = f64::from(MIN_SPEED_FACTOR);
    let speed_factor =
        min_factor + (1.0 - min_factor) / (1.0 + speed.max(0.0) / f64::from(SPEED_HALF));
    let pressure_factor = 0.4 + 1.2 * pressure.clamp(0.0, 1.0);
    (width * speed_factor * pressure_factor).max(f64::from(MIN_INK_WIDTH))
}

/// The stroke's samples after merging near neighbours, each with its ink radius.
pub(crate) fn stroke_samples(points: &[StrokePoint], pen_width: f32) -> Vec<InkSample> {
    let Some(first) = points.first() else { return Vec::new() };
    let spacing = f64::from(MIN_POINT_SPACING);
    let mut kept = vec![first];
    for p in &points[1..] {
        if distance(kept[kept.len() - 1], p) >= spacing {
            kept.push(p);
        }
    }
    // Keep where the pen lifted, unless it is on top of the last kept sample.
    if let Some(last) = points.last() {
        if !std::ptr::eq(kept[kept.len() - 1], last) && distance(kept[kept.len() - 1], last) > 0.1 {
            kept.push(last);
        }
    }

    // Raw speed into each sample; a sample without a usable time step keeps the speed before it.
    let mut raw = Vec::with_capacity(kept.len());
    for w in kept.windows(2) {
        let dt = w[1].t - w[0].t;
        let speed =
            if dt > 0.0 { distance(w[0], w[1]) / dt } else { raw.last().copied().unwrap_or(0.0) };
        raw.push(speed);
    }
    // The first sample takes the speed of the first movement, so a fast stroke starts thin.
    let mut speed = raw.first().copied().unwrap_or(0.0);
    let mut pressure = f64::from(first.p);
    let (speed_filter, pressure_filter) = (f64::from(VELOCITY_FILTER), f64::from(PRESSURE_FILTER));
    let width = f64::from(pen_width);
    kept.iter()
        .enumerate()
        .map(|(i, p)| {
            if i > 0 {
                speed = speed_filter * raw[i - 1] + (1.0 - speed_filter) * speed;
                pressure = pressure_filter * f64::from(p.p) + (1.0 - pressure_filter) * pressure;
            }
            let r = width_at(width, speed, pressure) / 2.0;
            InkSample { x: f64::from(p.x), y: f64::from(p.y), r }
        })
        .collect()
}

/// The smooth centre line through a stroke's samples: a centripetal Catmull-Rom curve cut into
/// straight pieces that stray at most about `flatness` CSS px from the curve, at most
/// `max_steps` pieces between two samples; radii are interpolated linearly.
pub(crate) fn centre_line(
    samples: &[InkSample],
    flatness: f64,
    max_steps: usize,
) -> Vec<InkSample> {
    if samples.len() < 2 {
        return samples.to_vec();
    }
    let n = samples.len();
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n - 1 {
        let (p1, p2) = (samples[i], samples[i + 1]);
        // Missing neighbours at the ends are mirrored, which makes the end tangents point
        // straight along the first and last segments.
        let p0 = if i > 0 { samples[i - 1] } else { mirror(p2, p1) };
        let p3 = if i + 2 < n { samples[i + 2] } else { mirror(p1, p2) };
        let (m1, m2) = tangents(p0, p1, p2, p3);
        // The segment as a cubic Bézier has inner control points p1 + m1/3 and p2 − m2/3; cut
        // into k pieces, a cubic strays from its chords by at most about 3/4 × (their distance
        // from the chord) / k².
        let (cx, cy) = (p2.x - p1.x, p2.y - p1.y);
        let chord = (cx * cx + cy * cy).sqrt().max(1e-12);
        let off = |x: f64, y: f64| ((x - p1.x) * cy - (y - p1.y) * cx).abs() / chord;
        let bulge = off(p1.x + m1[0] / 3.0, p1.y + m1[1] / 3.0)
            .max(off(p2.x - m2[0] / 3.0, p2.y - m2[1] / 3.0));
        let steps = ((0.75 * bulge / flatness).sqrt().ceil() as usize).clamp(1, max_steps.max(1));
        for k in 0..steps {
            let u = k as f64 / steps as f64;
            out.push(hermite(p1, p2, m1, m2, u));
        }
    }
    out.push(samples[n - 1]);
    out
}

fn mirror(p: InkSample, about: InkSample) -> InkSample {
    InkSample { x: 2.0 * about.x - p.x, y: 2.0 * about.y - p.y, r: about.r }
}

fn dist(a: InkSample, b: InkSample) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    (dx * dx + dy * dy).sqrt()
}

fn distance(a: &StrokePoint, b: &StrokePoint) -> f64 {
    let dx = f64::from(b.x) - f64::from(a.x);
    let dy = f64::from(b.y) - f64::from(a.y);
    (dx * dx + dy * dy).sqrt()
}

/// Hermite tangents at `p1` and `p2` of the centripetal Catmull-Rom segment `p1`→`p2`, for a
/// parameter running 0..1 over the segment. Knot intervals are square roots of the distances,
/// which keeps the curve from looping or overshooting where samples are unevenly spaced.
fn tangents(p0: InkSample, p1: InkSample, p2: InkSample, p3: InkSample) -> ([f64; 2], [f64; 2]) {
    let d01 = dist(p0, p1).sqrt().max(1e-9);
    let d12 = dist(p1, p2).sqrt().max(1e-9);
    let d23 = dist(p2, p3).sqrt().max(1e-9);
    let t = |a: InkSample, b: InkSample, c: InkSample, da: f64, db: f64| -> [f64; 2] {
        let f = |av: f64, bv: f64, cv: f64| {
            ((bv - av) / da - (cv - av) / (da + db) + (cv - bv) / db) * d12
        };
        [f(a.x, b.x, c.x), f(a.y, b.y, c.y)]
    };
    (t(p0, p1, p2, d01, d12), t(p1, p2, p3, d12, d23))
}

fn hermite(p1: InkSample, p2: InkSample, m1: [f64; 2], m2: [f64; 2], u: f64) -> InkSample {
    let (u2, u3) = (u * u, u * u * u);
    let h00 = 2.0 * u3 - 3.0 * u2 + 1.0;
    let h10 = u3 - 2.0 * u2 + u;
    let h01 = -2.0 * u3 + 3.0 * u2;
    let h11 = u3 - u2;
    InkSample {
        x: h00 * p1.x + h10 * m1[0] + h01 * p2.x + h11 * m2[0],
        y: h00 * p1.y + h10 * m1[1] + h01 * p2.y + h11 * m2[1],
        r: p1.r + (p2.r - p1.r) * u,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::sampled;
    use super::*;

    fn median_radius(samples: &[InkSample]) -> f64 {
        let mut r: Vec<f64> = samples.iter().map(|s| s.r).collect();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    }

    const PATH: [(f32, f32); 3] = [(0.0, 0.0), (200.0, 20.0), (260.0, 120.0)];

    #[test]
    fn a_fast_stroke_is_thinner_than_a_slow_one() {
        let slow = stroke_samples(&sampled(&PATH, 0.2, 0.5).points, 3.0);
        let fast = stroke_samples(&sampled(&PATH, 3.0, 0.5).points, 3.0);
        assert!(median_radius(&fast) < 0.75 * median_radius(&slow));
    }

    #[test]
    fn higher_pressure_draws_thicker_ink() {
        let light = stroke_samples(&sampled(&PATH, 0.6, 0.2).points, 3.0);
        let firm = stroke_samples(&sampled(&PATH, 0.6, 0.9).points, 3.0);
        assert!(median_radius(&firm) > 1.5 * median_radius(&light));
    }

    #[test]
    fn a_resting_pen_at_default_pressure_draws_the_nominal_width() {
        assert_eq!(ink_width(3.0, 0.0, 0.5), 3.0);
    }

    #[test]
    fn ink_never_gets_thinner_than_the_minimum() {
        assert_eq!(ink_width(1.0, 1000.0, 0.0), MIN_INK_WIDTH);
    }

    #[test]
    fn ink_width_falls_as_speed_rises() {
        let widths: Vec<f32> =
            [0.0, 0.5, 1.0, 2.0, 4.0].iter().map(|&v| ink_width(4.0, v, 0.5)).collect();
        assert!(widths.windows(2).all(|w| w[1] < w[0]), "{widths:?}");
    }

    #[test]
    fn samples_without_a_time_step_keep_the_speed_before_them() {
        let mut s = sampled(&PATH, 2.0, 0.5);
        let t = s.points[5].t;
        s.points[6].t = t;
        let samples = stroke_samples(&s.points, 3.0);
        assert!(samples.iter().all(|p| p.r.is_finite() && p.r > 0.0));
        assert!((samples[6].r - samples[5].r).abs() < 0.05);
    }

    #[test]
    fn points_closer_than_the_spacing_merge() {
        let s = sampled(&[(0.0, 0.0), (10.0, 0.0)], 0.01, 0.5);
        assert!(s.points.len() > 100);
        let samples = stroke_samples(&s.points, 3.0);
        assert!(samples.len() <= (10.0 / MIN_POINT_SPACING) as usize + 2, "{}", samples.len());
        assert_eq!((samples[samples.len() - 1].x, samples[samples.len() - 1].y), (10.0, 0.0));
    }

    #[test]
    fn the_centre_line_passes_through_every_sample() {
        let samples = stroke_samples(&sampled(&PATH, 1.0, 0.5).points, 3.0);
        let line = centre_line(&samples, 0.05, 16);
        for s in &samples {
            assert!(line.iter().any(|l| (l.x - s.x).abs() < 1e-9 && (l.y - s.y).abs() < 1e-9));
        }
    }

    #[test]
    fn the_centre_line_stays_within_the_flatness_of_the_curve() {
        let samples = stroke_samples(&sampled(&PATH, 1.5, 0.5).points, 3.0);
        let coarse = centre_line(&samples, 0.1, 64);
        let fine = centre_line(&samples, 0.0001, 64);
        assert!(coarse.len() * 3 < fine.len(), "{} vs {}", coarse.len(), fine.len());
        for p in &fine {
            let d = coarse
                .windows(2)
                .map(|w| {
                    let (dx, dy) = (w[1].x - w[0].x, w[1].y - w[0].y);
                    let t = (((p.x - w[0].x) * dx + (p.y - w[0].y) * dy) / (dx * dx + dy * dy))
                        .clamp(0.0, 1.0);
                    ((p.x - w[0].x - t * dx).powi(2) + (p.y - w[0].y - t * dy).powi(2)).sqrt()
                })
                .fold(f64::INFINITY, f64::min);
            assert!(d <= 0.15, "{d}");
        }
    }

    #[test]
    fn a_straight_stretch_needs_no_extra_centre_line_points() {
        let samples = stroke_samples(&sampled(&[(0.0, 0.0), (100.0, 50.0)], 1.0, 0.5).points, 3.0);
        assert_eq!(centre_line(&samples, 0.05, 16).len(), samples.len());
    }
}
