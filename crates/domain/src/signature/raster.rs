//! Rendering a checked drawing to a trimmed transparent PNG and an SVG of the same outline.

use std::fmt::Write as _;

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Transform};

use super::ink::{centre_line, ink_width, stroke_samples};
use super::outline::{outline, Shape};
use super::{
    check_drawing, Drawing, DrawingProblem, InkColor, RenderedSignature, MAX_POINTS,
    MAX_RENDER_SCALE, MAX_RENDER_SIDE, MAX_STROKES, MIN_RENDER_SCALE, RENDER_MARGIN, RENDER_SCALE,
};
use crate::api::{MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SVG_BYTES};

/// How far (output pixels) the straight pieces of the centre line may stray from the curve.
const FLATNESS_PX: f64 = 0.1;
/// How far (output pixels) a shared outline corner may stick out past the true round join.
const JOIN_TOLERANCE_PX: f64 = 0.1;
/// Output coordinates are rounded to 1 / this many pixels before both the rasteriser and the
/// SVG see them.
const UNITS_PER_PX: f64 = 100.0;
/// Cubic Bézier handle length of a quarter circle, as a fraction of the radius.
const KAPPA: f64 = 0.552_284_749_830_793_4;
/// Most centre-line pieces between two samples on the first attempt; each retry halves it.
const MAX_STEPS_PER_SEGMENT: usize = 16;
/// Each retry after an image came out over the platform's byte limits renders at this fraction
/// of the previous scale, with half as many centre-line pieces.
const RETRY_SCALE: f64 = 0.7;
const MAX_ATTEMPTS: usize = 8;
const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Renders a drawing to a transparent RGBA PNG and an SVG of the same outline, trimmed to the
/// ink plus [`RENDER_MARGIN`] CSS px on every side, at `scale` output pixels per CSS px.
///
/// Runs [`check_drawing`] first and returns its problem. `scale` is clamped to
/// [`MIN_RENDER_SCALE`]..=[`MAX_RENDER_SCALE`] (NaN means [`RENDER_SCALE`]); it is lowered so no
/// side exceeds [`MAX_RENDER_SIDE`], and again (with a coarser centre line) while the PNG or SVG
/// would exceed the platform's byte limits: only pathological drawings (thousands of long
/// random jumps) get there, and after a few tries the answer is
/// [`DrawingProblem::TooManyPoints`]. The same drawing and scale always give byte-identical
/// output: the geometry uses only IEEE-exact arithmetic (`+ − × ÷ √`).
pub fn render(d: &Drawing, scale: f32) -> Result<RenderedSignature, DrawingProblem> {
    check_drawing(d)?;
    let requested = if scale.is_nan() { RENDER_SCALE } else { scale };
    let requested = f64::from(requested.clamp(MIN_RENDER_SCALE, MAX_RENDER_SCALE));
    // Fit the points (plus the widest ink and the margin) first, so a huge drawing is also
    // sampled at the scale it will be drawn at; the exact fit follows from the outline.
    let [min_x, min_y, max_x, max_y] = point_bounds(d);
    let pad = 2.0 * (f64::from(RENDER_MARGIN) + f64::from(ink_width(d.pen.width, 0.0, 1.0)));
    let mut limit = requested;
    for attempt in 0..MAX_ATTEMPTS {
        let sampling = fit(limit, max_x - min_x + pad, max_y - min_y + pad);
        if let Some(rendered) = render_at(d, sampling, limit, attempt) {
            return Ok(rendered);
        }
        limit = sampling * RETRY_SCALE;
    }
    Err(too_complex())
}

fn too_complex() -> DrawingProblem {
    DrawingProblem::TooManyPoints { max: MAX_POINTS, max_strokes: MAX_STROKES }
}

/// The largest scale up to `scale` at which a box of `extent_x` × `extent_y` CSS px fits in
/// [`MAX_RENDER_SIDE`].
fn fit(scale: f64, extent_x: f64, extent_y: f64) -> f64 {
    let max_side = f64::from(MAX_RENDER_SIDE);
    scale.min(max_side / extent_x).min(max_side / extent_y)
}

/// A point in output pixels × [`UNITS_PER_PX`].
type Units = [i64; 2];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Command {
    Move(Units),
    Line(Units),
    Cubic(Units, Units, Units),
    Close,
}

/// Renders at the largest scale up to `limit` that fits, with the centre line sampled for
/// `scale` and coarser for each earlier `attempt`; `None` when the PNG or SVG would exceed the
/// platform's byte limits.
fn render_at(d: &Drawing, scale: f64, limit: f64, attempt: usize) -> Option<RenderedSignature> {
    // Each retry halves the number of pieces: the error grows with the square of their length.
    let flatness = FLATNESS_PX * 4f64.powi(attempt.min(16) as i32) / scale;
    let max_steps = (MAX_STEPS_PER_SEGMENT >> attempt.min(16)).max(1);
    let outlines: Vec<Vec<Shape>> = d
        .strokes
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| {
            let samples = stroke_samples(&s.points, d.pen.width);
            let line = centre_line(&samples, flatness, max_steps);
            outline(&line, JOIN_TOLERANCE_PX / scale)
        })
        .collect();

    let [min_x, min_y, max_x, max_y] = bounds(&outlines);
    let margin = f64::from(RENDER_MARGIN);
    let (extent_x, extent_y) = (max_x - min_x + 2.0 * margin, max_y - min_y + 2.0 * margin);
    let scale = fit(limit, extent_x, extent_y);
    let side = |extent: f64| ((extent * scale).ceil() as u32).clamp(1, MAX_RENDER_SIDE);
    let (width, height) = (side(extent_x), side(extent_y));
    let origin = [min_x - margin, min_y - margin];

    let paths: Vec<Vec<Command>> = outlines.iter().map(|o| commands(o, origin, scale)).collect();
    let svg = svg(&paths, width, height, d.pen.color);
    if svg.len() > MAX_SIGNATURE_SVG_BYTES {
        return None;
    }
    let png = png(&paths, width, height, d.pen.color)?;
    if png.len() > MAX_SIGNATURE_PNG_BYTES {
        return None;
    }
    Some(RenderedSignature { png, svg, width, height, scale: scale as f32 })
}

/// The bounding box of the drawing's points in CSS px: min x, min y, max x, max y.
fn point_bounds(d: &Drawing) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for p in d.strokes.iter().flat_map(|s| s.points.iter()) {
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

/// The ink's bounding box in CSS px: min x, min y, max x, max y.
fn bounds(outlines: &[Vec<Shape>]) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    let mut add = |x0: f64, y0: f64, x1: f64, y1: f64| {
        b = [b[0].min(x0), b[1].min(y0), b[2].max(x1), b[3].max(y1)];
    };
    for shape in outlines.iter().flatten() {
        match shape {
            Shape::Disc { c, r } => add(c[0] - r, c[1] - r, c[0] + r, c[1] + r),
            Shape::Polygon(points) => points.iter().for_each(|p| add(p[0], p[1], p[0], p[1])),
        }
    }
    b
}

/// One stroke's outline as path commands in rounded output units.
fn commands(shapes: &[Shape], origin: [f64; 2], scale: f64) -> Vec<Command> {
    let units = |v: f64| (v * UNITS_PER_PX).round() as i64;
    let point =
        |p: [f64; 2]| [units((p[0] - origin[0]) * scale), units((p[1] - origin[1]) * scale)];
    let mut out = Vec::new();
    for shape in shapes {
        match shape {
            Shape::Polygon(points) => {
                let mut points = points.iter().map(|&p| point(p));
                let Some(first) = points.next() else { continue };
                out.push(Command::Move(first));
                out.extend(points.map(Command::Line));
                out.push(Command::Close);
            }
            Shape::Disc { c, r } => {
                let [x, y] = point(*c);
                let r = units(r * scale).max(1);
                let k = (r as f64 * KAPPA).round() as i64;
                // Four quarter circles, wound like the polygons: +x, −y, −x, +y.
                out.push(Command::Move([x + r, y]));
                out.push(Command::Cubic([x + r, y - k], [x + k, y - r], [x, y - r]));
                out.push(Command::Cubic([x - k, y - r], [x - r, y - k], [x - r, y]));
                out.push(Command::Cubic([x - r, y + k], [x - k, y + r], [x, y + r]));
                out.push(Command::Cubic([x + k, y + r], [x + r, y + k], [x + r, y]));
                out.push(Command::Close);
            }
        }
    }
    out
}

fn svg(paths: &[Vec<Command>], width: u32, height: u32, color: InkColor) -> String {
    let mut out = format!(r#"<svg xmlns="{SVG_NS}" width="{width}" height="{height}" "#);
    let _ = write!(out, r#"viewBox="0 0 {width} {height}">"#);
    for path in paths.iter().filter(|p| !p.is_empty()) {
        let _ = write!(out, r#"<path fill="{}" d=""#, color.hex());
        let mut last = None;
        for command in path {
            match command {
                Command::Move(p) => {
                    out.push('M');
                    push_point(&mut out, *p);
                }
                Command::Line(p) => {
                    // Repeated line-tos share one "L".
                    out.push(if matches!(last, Some(Command::Line(_))) { ' ' } else { 'L' });
                    push_point(&mut out, *p);
                }
                Command::Cubic(a, b, p) => {
                    out.push('C');
                    push_point(&mut out, *a);
                    out.push(' ');
                    push_point(&mut out, *b);
                    out.push(' ');
                    push_point(&mut out, *p);
                }
                Command::Close => out.push('Z'),
            }
            last = Some(*command);
        }
        out.push_str(r#""/>"#);
    }
    out.push_str("</svg>\n");
    out
}

fn push_point(out: &mut String, p: Units) {
    push_number(out, p[0]);
    out.push(' ');
    push_number(out, p[1]);
}

/// Writes `units / UNITS_PER_PX` with at most two decimals and no trailing zeros.
fn push_number(out: &mut String, units: i64) {
    if units < 0 {
        out.push('-');
    }
    let (whole, frac) = (units.unsigned_abs() / 100, units.unsigned_abs() % 100);
    let _ = match frac {
        0 => write!(out, "{whole}"),
        f if f % 10 == 0 => write!(out, "{whole}.{}", f / 10),
        f => write!(out, "{whole}.{f:02}"),
    };
}

fn png(paths: &[Vec<Command>], width: u32, height: u32, color: InkColor) -> Option<Vec<u8>> {
    let mut pixmap = Pixmap::new(width, height)?;
    let mut paint = Paint::default();
    let [r, g, b] = color.rgb();
    paint.set_color_rgba8(r, g, b, 255);
    paint.anti_alias = true;
    // The same f32 an SVG reader gets when it parses the two-decimal number.
    let f = |v: i64| v as f32 / UNITS_PER_PX as f32;
    for commands in paths {
        let mut builder = PathBuilder::new();
        for command in commands {
            match *command {
                Command::Move(p) => builder.move_to(f(p[0]), f(p[1])),
                Command::Line(p) => builder.line_to(f(p[0]), f(p[1])),
                Command::Cubic(a, b, p) => {
                    builder.cubic_to(f(a[0]), f(a[1]), f(b[0]), f(b[1]), f(p[0]), f(p[1]))
                }
                Command::Close => builder.close(),
            }
        }
        if let Some(path) = builder.finish() {
            pixmap.fill_path(&path, &paint, FillRule::Winding, Transform::identity(), None);
        }
    }
    pixmap.encode_png().ok()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{hasty_name, stroke};
    use super::*;

    fn number(units: i64) -> String {
        let mut s = String::new();
        push_number(&mut s, units);
        s
    }

    #[test]
    fn numbers_are_written_with_at_most_two_decimals() {
        assert_eq!(number(12345), "123.45");
        assert_eq!(number(12340), "123.4");
        assert_eq!(number(12300), "123");
        assert_eq!(number(5), "0.05");
        assert_eq!(number(-150), "-1.5");
    }

    #[test]
    fn render_refuses_a_drawing_that_fails_the_check() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes.clear();
        assert_eq!(render(&d, RENDER_SCALE), Err(DrawingProblem::Empty));
    }

    #[test]
    fn a_one_point_stroke_renders_as_a_small_disc() {
        let mut d = hasty_name(0.0, 0.0);
        d.strokes.push(stroke([(150.0, 60.0)]));
        let rendered = render(&d, RENDER_SCALE).expect("renders");
        let last_path = rendered.svg.rsplit("<path").next().expect("a path");
        assert_eq!(last_path.matches('C').count(), 4, "{last_path}");
        assert_eq!(last_path.matches('M').count(), 1, "{last_path}");
    }

    #[test]
    fn a_huge_drawing_is_rendered_at_a_lower_scale() {
        let d = hasty_name(0.0, 0.0);
        let mut big = d.clone();
        for p in big.strokes.iter_mut().flat_map(|s| s.points.iter_mut()) {
            p.x *= 40.0;
            p.y *= 40.0;
        }
        let rendered = render(&big, RENDER_SCALE).expect("renders");
        assert!(rendered.width <= MAX_RENDER_SIDE && rendered.height <= MAX_RENDER_SIDE);
        assert!(rendered.width == MAX_RENDER_SIDE || rendered.height == MAX_RENDER_SIDE);
        assert!(rendered.scale < RENDER_SCALE);
    }

    #[test]
    fn the_requested_scale_is_kept_when_the_image_fits() {
        let rendered = render(&hasty_name(0.0, 0.0), 2.0).expect("renders");
        assert_eq!(rendered.scale, 2.0);
    }

    #[test]
    fn a_nan_scale_renders_at_the_default_scale() {
        let rendered = render(&hasty_name(0.0, 0.0), f32::NAN).expect("renders");
        assert_eq!(rendered.scale, RENDER_SCALE);
    }

    #[test]
    fn moving_the_drawing_on_the_pad_gives_the_same_image() {
        let a = render(&hasty_name(0.0, 0.0), RENDER_SCALE).expect("renders");
        let b = render(&hasty_name(37.0, 120.0), RENDER_SCALE).expect("renders");
        assert_eq!((a.width, a.height), (b.width, b.height));
    }
}
