//! The quality check a drawing passes before it is rendered and saved.

use super::{
    Drawing, DrawingProblem, StrokePoint, DOT_MAX_EXTENT, MAX_COORDINATE, MAX_PEN_WIDTH,
    MAX_POINTS, MAX_STROKES, MIN_INK_LENGTH, MIN_INK_LONG_SIDE, MIN_INK_POINTS, MIN_INK_SHORT_SIDE,
    MIN_PEN_WIDTH, STRAIGHT_LINE_MAX_DEVIATION, STRAIGHT_LINE_MAX_TRAVEL,
};

/// Checks that a drawing is worth saving as a signature.
///
/// Checks run in a fixed order so one drawing always gives the same answer: size limits
/// ([`DrawingProblem::TooManyPoints`]), broken input ([`DrawingProblem::InvalidPoint`],
/// [`DrawingProblem::InvalidPen`]), then the shape of the ink: `Empty`, `Dot`, `StraightLine`,
/// `TooSmall`, `TooLittleInk`. Strokes without points are ignored. All thresholds are consts of
/// this module, in CSS px.
pub fn check_drawing(d: &Drawing) -> Result<(), DrawingProblem> {
    let too_many = DrawingProblem::TooManyPoints { max: MAX_POINTS, max_strokes: MAX_STROKES };
    if d.strokes.len() > MAX_STROKES {
        return Err(too_many);
    }
    let point_count: usize = d.strokes.iter().map(|s| s.points.len()).sum();
    if point_count > MAX_POINTS {
        return Err(too_many);
    }
    for (stroke, s) in d.strokes.iter().enumerate() {
        if let Some(point) = s.points.iter().position(|p| !is_valid_point(p)) {
            return Err(DrawingProblem::InvalidPoint { stroke, point });
        }
    }
    if !(MIN_PEN_WIDTH..=MAX_PEN_WIDTH).contains(&d.pen.width) {
        return Err(DrawingProblem::InvalidPen);
    }
    if point_count == 0 {
        return Err(DrawingProblem::Empty);
    }

    let points = || d.strokes.iter().flat_map(|s| s.points.iter());
    let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
    let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in points() {
        min_x = min_x.min(f64::from(p.x));
        min_y = min_y.min(f64::from(p.y));
        max_x = max_x.max(f64::from(p.x));
        max_y = max_y.max(f64::from(p.y));
    }
    let (width, height) = (max_x - min_x, max_y - min_y);
    if width.max(height) < f64::from(DOT_MAX_EXTENT) {
        return Err(DrawingProblem::Dot);
    }
    let travel: f64 = d
        .strokes
        .iter()
        .map(|s| s.points.windows(2).map(|w| distance(&w[0], &w[1])).sum::<f64>())
        .sum();
    if is_straight_line(points(), point_count, travel) {
        return Err(DrawingProblem::StraightLine);
    }
    if width.max(height) < f64::from(MIN_INK_LONG_SIDE)
        || width.min(height) < f64::from(MIN_INK_SHORT_SIDE)
    {
        return Err(DrawingProblem::TooSmall);
    }
    if travel < f64::from(MIN_INK_LENGTH) || point_count < MIN_INK_POINTS {
        return Err(DrawingProblem::TooLittleInk);
    }
    Ok(())
}

fn is_valid_point(p: &StrokePoint) -> bool {
    let coordinate_ok = |v: f32| v.is_finite() && v.abs() <= MAX_COORDINATE;
    coordinate_ok(p.x) && coordinate_ok(p.y) && p.t.is_finite() && (0.0..=1.0).contains(&p.p)
}

fn distance(a: &StrokePoint, b: &StrokePoint) -> f64 {
    let dx = f64::from(b.x) - f64::from(a.x);
    let dy = f64::from(b.y) - f64::from(a.y);
    (dx * dx + dy * dy).sqrt()
}

/// Whether every point lies within [`STRAIGHT_LINE_MAX_DEVIATION`] × length of the principal
/// axis (the least-squares line through all points), and the pen travelled at most
/// [`STRAIGHT_LINE_MAX_TRAVEL`] × that length (a long, flat cursive name travels much more).
fn is_straight_line<'a>(
    points: impl Iterator<Item = &'a StrokePoint> + Clone,
    n: usize,
    travel: f64,
) -> bool {
    let n_f = n as f64;
    let (sum_x, sum_y) =
        points.clone().fold((0.0, 0.0), |(sx, sy), p| (sx + f64::from(p.x), sy + f64::from(p.y)));
    let (cx, cy) = (sum_x / n_f, sum_y / n_f);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in points.clone() {
        let (dx, dy) = (f64::from(p.x) - cx, f64::from(p.y) - cy);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    // Largest eigenvalue of the covariance matrix and its eigenvector: the principal axis.
    let half_diff = (sxx - syy) / 2.0;
    let lambda = (sxx + syy) / 2.0 + (half_diff * half_diff + sxy * sxy).sqrt();
    let (a, b) = ((sxy, lambda - sxx), (lambda - syy, sxy));
    let (ux, uy) = if a.0 * a.0 + a.1 * a.1 >= b.0 * b.0 + b.1 * b.1 { a } else { b };
    let norm = (ux * ux + uy * uy).sqrt();
    let (ux, uy) = if norm > 0.0 { (ux / norm, uy / norm) } else { (1.0, 0.0) };

    let (mut lo, mut hi, mut deviation) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
    for p in points {
        let (dx, dy) = (f64::from(p.x) - cx, f64::from(p.y) - cy);
        let along = dx * ux + dy * uy;
        lo = lo.min(along);
        hi = hi.max(along);
        deviation = deviation.max((dx * uy - dy * ux).abs());
    }
    let length = hi - lo;
    deviation < f64::from(STRAIGHT_LINE_MAX_DEVIATION) * length
        && travel <= f64::from(STRAIGHT_LINE_MAX_TRAVEL) * length
}

#[cfg(test)]
mod tests {
    use super::super::testing::{hasty_name, line, stroke};
    use super::super::{InkColor, PenStyle, SignatureStroke};
    use super::*;

    fn drawing(strokes: Vec<SignatureStroke>) -> Drawing {
        Drawing { strokes, pen: PenStyle { color: InkColor::Black, width: 3.0 } }
    }

    #[test]
    fn a_hastily_written_two_character_name_passes() {
        assert_eq!(check_drawing(&hasty_name(0.0, 0.0)), Ok(()));
    }

    #[test]
    fn a_quick_cursive_name_in_two_strokes_passes() {
        let zigzag = |x0: f32| {
            stroke(
                (0..30).map(|i| (x0 + i as f32 * 2.5, 40.0 + if i % 6 < 3 { 0.0 } else { 35.0 })),
            )
        };
        assert_eq!(check_drawing(&drawing(vec![zigzag(0.0), zigzag(90.0)])), Ok(()));
    }

    #[test]
    fn a_drawing_without_strokes_is_empty() {
        assert_eq!(check_drawing(&drawing(vec![])), Err(DrawingProblem::Empty));
    }

    #[test]
    fn strokes_without_points_are_empty() {
        let empty = SignatureStroke { points: vec![] };
        assert_eq!(check_drawing(&drawing(vec![empty.clone(), empty])), Err(DrawingProblem::Empty));
    }

    #[test]
    fn a_tap_is_a_dot() {
        assert_eq!(check_drawing(&drawing(vec![stroke([(50.0, 50.0)])])), Err(DrawingProblem::Dot));
    }

    #[test]
    fn a_tiny_scribble_is_a_dot() {
        let scribble = stroke([(50.0, 50.0), (53.0, 52.0), (51.0, 54.0), (54.0, 49.0)]);
        assert_eq!(check_drawing(&drawing(vec![scribble])), Err(DrawingProblem::Dot));
    }

    #[test]
    fn a_single_ruled_line_is_a_straight_line() {
        let ruled = line((10.0, 10.0), (300.0, 10.0), 60);
        assert_eq!(check_drawing(&drawing(vec![ruled])), Err(DrawingProblem::StraightLine));
    }

    #[test]
    fn a_slanted_wobbly_line_is_a_straight_line() {
        let wobbly = stroke(
            (0..60).map(|i| (i as f32 * 5.0, i as f32 * 3.0 + if i % 2 == 0 { 2.0 } else { -2.0 })),
        );
        assert_eq!(check_drawing(&drawing(vec![wobbly])), Err(DrawingProblem::StraightLine));
    }

    #[test]
    fn a_line_broken_into_strokes_is_still_a_straight_line() {
        let strokes =
            vec![line((0.0, 0.0), (100.0, 1.0), 20), line((110.0, 1.0), (220.0, 0.0), 20)];
        assert_eq!(check_drawing(&drawing(strokes)), Err(DrawingProblem::StraightLine));
    }

    #[test]
    fn a_line_traced_back_over_itself_is_still_a_straight_line() {
        let strokes = vec![line((0.0, 0.0), (200.0, 2.0), 40), line((200.0, 3.0), (0.0, 1.0), 40)];
        assert_eq!(check_drawing(&drawing(strokes)), Err(DrawingProblem::StraightLine));
    }

    #[test]
    fn a_long_flat_run_of_loops_is_not_a_straight_line() {
        let loops = stroke((0..500).map(|i| {
            let a = i as f32 * 0.3;
            (30.0 * a.cos() + i as f32 * 2.0, 100.0 + 30.0 * a.sin())
        }));
        assert_eq!(check_drawing(&drawing(vec![loops])), Ok(()));
    }

    #[test]
    fn a_name_written_very_small_is_too_small() {
        let small = hasty_name(0.0, 0.0);
        let strokes = small
            .strokes
            .iter()
            .map(|s| stroke(s.points.iter().map(|p| (p.x * 0.15, p.y * 0.15))))
            .collect();
        assert_eq!(check_drawing(&drawing(strokes)), Err(DrawingProblem::TooSmall));
    }

    #[test]
    fn a_flat_squiggle_is_too_small() {
        let flat = stroke((0..40).map(|i| (i as f32 * 3.0, if i % 4 < 2 { 0.0 } else { 12.0 })));
        assert_eq!(check_drawing(&drawing(vec![flat])), Err(DrawingProblem::TooSmall));
    }

    #[test]
    fn a_single_hook_is_too_little_ink() {
        let hook = stroke([(0.0, 0.0), (30.0, 0.0), (60.0, 5.0), (60.0, 30.0), (50.0, 45.0)]);
        let dense = stroke(hook.points.windows(2).flat_map(|w| {
            (0..8).map(move |k| {
                let f = k as f32 / 8.0;
                (w[0].x + (w[1].x - w[0].x) * f, w[0].y + (w[1].y - w[0].y) * f)
            })
        }));
        assert_eq!(check_drawing(&drawing(vec![dense])), Err(DrawingProblem::TooLittleInk));
    }

    #[test]
    fn a_few_far_apart_taps_are_too_little_ink() {
        let taps = vec![stroke([(0.0, 0.0)]), stroke([(100.0, 40.0)]), stroke([(50.0, 80.0)])];
        assert_eq!(check_drawing(&drawing(taps)), Err(DrawingProblem::TooLittleInk));
    }

    #[test]
    fn more_than_the_most_points_is_too_many_points() {
        let huge = stroke((0..=MAX_POINTS).map(|i| ((i % 300) as f32, (i / 300) as f32)));
        assert_eq!(
            check_drawing(&drawing(vec![huge])),
            Err(DrawingProblem::TooManyPoints { max: MAX_POINTS, max_strokes: MAX_STROKES })
        );
    }

    #[test]
    fn more_than_the_most_strokes_is_too_many_points() {
        let taps = (0..=MAX_STROKES).map(|i| stroke([(i as f32, 0.0)])).collect();
        assert!(matches!(check_drawing(&drawing(taps)), Err(DrawingProblem::TooManyPoints { .. })));
    }

    #[test]
    fn a_nan_coordinate_is_an_invalid_point() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes[1].points[2].y = f32::NAN;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPoint { stroke: 1, point: 2 }));
    }

    #[test]
    fn an_infinite_time_is_an_invalid_point() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes[0].points[0].t = f64::INFINITY;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPoint { stroke: 0, point: 0 }));
    }

    #[test]
    fn a_huge_coordinate_is_an_invalid_point() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes[0].points[3].x = -150_000.0;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPoint { stroke: 0, point: 3 }));
    }

    #[test]
    fn a_pressure_above_one_is_an_invalid_point() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes[2].points[0].p = 1.5;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPoint { stroke: 2, point: 0 }));
    }

    #[test]
    fn a_pen_wider_than_eight_is_an_invalid_pen() {
        let mut d = hasty_name(0.0, 0.0);
        d.pen.width = 8.5;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPen));
    }

    #[test]
    fn a_nan_pen_width_is_an_invalid_pen() {
        let mut d = hasty_name(0.0, 0.0);
        d.pen.width = f32::NAN;
        assert_eq!(check_drawing(&d), Err(DrawingProblem::InvalidPen));
    }
}
