//! The ink outline of one stroke: the union of a circle at every centre-line point and the
//! quadrilaterals tangent to each pair of neighbouring circles.
//!
//! Shapes are emitted so that every one winds the same way; filled with the non-zero rule,
//! overlaps add up instead of cancelling, so the fill is exactly their union. Between gently
//! bending neighbours the quadrilaterals share a corner (where their tangent lines meet) and
//! chain into one polygon; a sharp turn, or a corner that would fold a quadrilateral over, is
//! covered by a disc instead. Both ends get a disc: round caps, and a dot is a disc.

use super::ink::InkSample;

/// A filled shape of the outline, in CSS px.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A simple polygon, wound like the quadrilaterals it chains (negative shoelace area in
    /// x-right, y-up terms).
    Polygon(Vec<[f64; 2]>),
    Disc {
        c: [f64; 2],
        r: f64,
    },
}

/// How the outline continues through an inner centre-line point.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Joint {
    /// A disc covers the point; the quadrilaterals on either side end on their own tangents.
    Round,
    /// The quadrilaterals share these corners (left, right).
    Shared([f64; 2], [f64; 2]),
}

/// One centre-line segment: unit direction and the unit offsets from each end's centre to the
/// points where the left and right outer tangents touch the circles. `None` when one circle
/// contains the other, so there is no quadrilateral.
type Tangents = Option<([f64; 2], [f64; 2])>;

/// The outline of a centre line. `tolerance` (CSS px) is how far a shared corner may stick out
/// past the true round join before a disc is used instead.
pub(crate) fn outline(line: &[InkSample], tolerance: f64) -> Vec<Shape> {
    let line = distinct(line);
    let n = line.len();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![Shape::Disc { c: [line[0].x, line[0].y], r: line[0].r }];
    }

    let tangents: Vec<Tangents> = line.windows(2).map(|w| segment_tangents(w[0], w[1])).collect();
    let mut joints = vec![Joint::Round; n];
    for i in 1..n - 1 {
        if let (Some((l0, r0)), Some((l1, r1))) = (tangents[i - 1], tangents[i]) {
            let c = [line[i].x, line[i].y];
            if let (Some(left), Some(right)) = (
                shared_corner(c, line[i].r, l0, l1, tolerance),
                shared_corner(c, line[i].r, r0, r1, tolerance),
            ) {
                joints[i] = Joint::Shared(left, right);
            }
        }
    }

    // A shared corner can fold a short quadrilateral over (its inner side running backwards);
    // round such joints until every quadrilateral is convex. Rounding only ever removes shared
    // corners, and a quadrilateral between two round joints is always convex, so this ends.
    loop {
        let mut changed = false;
        for j in 0..n - 1 {
            let Some(quad) = quad(&line, &tangents, &joints, j) else { continue };
            let shared = |joint: Joint| matches!(joint, Joint::Shared(..));
            if (shared(joints[j]) || shared(joints[j + 1])) && !is_convex(&quad) {
                joints[j] = Joint::Round;
                joints[j + 1] = Joint::Round;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let mut shapes = Vec::new();
    let mut left: Vec<[f64; 2]> = Vec::new();
    let mut right: Vec<[f64; 2]> = Vec::new();
    for j in 0..n - 1 {
        let Some([a, b, c, d]) = quad(&line, &tangents, &joints, j) else { continue };
        if left.is_empty() {
            left.push(a);
            right.push(d);
        }
        left.push(b);
        right.push(c);
        if !matches!(joints[j + 1], Joint::Shared(..)) {
            left.extend(right.drain(..).rev());
            shapes.push(Shape::Polygon(std::mem::take(&mut left)));
        }
    }
    for (i, joint) in joints.iter().enumerate() {
        if *joint == Joint::Round {
            shapes.push(Shape::Disc { c: [line[i].x, line[i].y], r: line[i].r });
        }
    }
    shapes
}

/// The line without consecutive repeats (a repeat keeps the larger radius).
fn distinct(line: &[InkSample]) -> Vec<InkSample> {
    let mut out: Vec<InkSample> = Vec::with_capacity(line.len());
    for s in line {
        match out.last_mut() {
            Some(last) if (s.x - last.x).abs() < 1e-6 && (s.y - last.y).abs() < 1e-6 => {
                last.r = last.r.max(s.r);
            }
            _ => out.push(*s),
        }
    }
    out
}

/// Unit offsets to the outer tangent points of the circles at `a` and `b` (left, right).
fn segment_tangents(a: InkSample, b: InkSample) -> Tangents {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let d = (dx * dx + dy * dy).sqrt();
    // The tangent touches both circles where its unit normal m satisfies m·u = (ra - rb) / d.
    let s = (a.r - b.r) / d;
    if s.is_nan() || s.abs() >= 1.0 - 1e-9 {
        return None;
    }
    let q = (1.0 - s * s).sqrt();
    let (ux, uy) = (dx / d, dy / d);
    let (nx, ny) = (-uy, ux);
    Some(([s * ux + q * nx, s * uy + q * ny], [s * ux - q * nx, s * uy - q * ny]))
}

/// Where the tangent lines touching the circle (`c`, `r`) at unit offsets `a` and `b` meet, if
/// that is within `tolerance` of the circle.
fn shared_corner(
    c: [f64; 2],
    r: f64,
    a: [f64; 2],
    b: [f64; 2],
    tolerance: f64,
) -> Option<[f64; 2]> {
    let sum = [a[0] + b[0], a[1] + b[1]];
    let len2 = sum[0] * sum[0] + sum[1] * sum[1];
    // |a + b| = 2 cos(half the angle between a and b); the meeting point is r / cos(half) out.
    if a[0] * b[0] + a[1] * b[1] <= 0.0 || r * (2.0 / len2.sqrt() - 1.0) > tolerance {
        return None;
    }
    let k = 2.0 * r / len2;
    Some([c[0] + k * sum[0], c[1] + k * sum[1]])
}

/// The quadrilateral of segment `j`: start left, end left, end right, start right.
fn quad(
    line: &[InkSample],
    tangents: &[Tangents],
    joints: &[Joint],
    j: usize,
) -> Option<[[f64; 2]; 4]> {
    let (l, r) = tangents[j]?;
    let at = |i: usize, m: [f64; 2]| [line[i].x + line[i].r * m[0], line[i].y + line[i].r * m[1]];
    let (start_l, start_r) = match joints[j] {
        Joint::Shared(left, right) => (left, right),
        Joint::Round => (at(j, l), at(j, r)),
    };
    let (end_l, end_r) = match joints[j + 1] {
        Joint::Shared(left, right) => (left, right),
        Joint::Round => (at(j + 1, l), at(j + 1, r)),
    };
    Some([start_l, end_l, end_r, start_r])
}

/// Whether the quadrilateral is convex and wound like a tangent quadrilateral (every turn
/// clockwise in x-right, y-up terms).
fn is_convex(q: &[[f64; 2]; 4]) -> bool {
    (0..4).all(|i| {
        let (a, b, c) = (q[(i + 3) % 4], q[i], q[(i + 1) % 4]);
        (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) <= 1e-12
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(x: f64, y: f64, r: f64) -> InkSample {
        InkSample { x, y, r }
    }

    /// Twice the signed area (shoelace) of a polygon.
    fn shoelace(p: &[[f64; 2]]) -> f64 {
        (0..p.len())
            .map(|i| {
                let (a, b) = (p[i], p[(i + 1) % p.len()]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum()
    }

    fn inside(shapes: &[Shape], p: [f64; 2]) -> bool {
        shapes.iter().any(|s| match s {
            Shape::Disc { c, r } => (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) <= r * r,
            Shape::Polygon(v) => winding(v, p) != 0,
        })
    }

    fn winding(v: &[[f64; 2]], p: [f64; 2]) -> i32 {
        let mut w = 0;
        for i in 0..v.len() {
            let (a, b) = (v[i], v[(i + 1) % v.len()]);
            let side = (b[0] - a[0]) * (p[1] - a[1]) - (p[0] - a[0]) * (b[1] - a[1]);
            if a[1] <= p[1] && b[1] > p[1] && side > 0.0 {
                w += 1;
            } else if a[1] > p[1] && b[1] <= p[1] && side < 0.0 {
                w -= 1;
            }
        }
        w
    }

    /// A spiral tightening to a point, with a radius that swells and shrinks.
    fn spiral() -> Vec<InkSample> {
        (0..400)
            .map(|i| {
                let a = i as f64 * 0.05;
                let rad = 60.0 - i as f64 * 0.14;
                sample(
                    100.0 + rad * a.cos(),
                    100.0 + rad * a.sin(),
                    2.0 + (a * 3.0).sin().abs() * 4.0,
                )
            })
            .collect()
    }

    #[test]
    fn a_single_point_is_a_disc() {
        assert_eq!(
            outline(&[sample(5.0, 6.0, 2.0)], 0.05),
            vec![Shape::Disc { c: [5.0, 6.0], r: 2.0 }]
        );
    }

    #[test]
    fn a_straight_segment_is_one_quadrilateral_with_round_caps() {
        let shapes = outline(&[sample(0.0, 0.0, 2.0), sample(10.0, 0.0, 2.0)], 0.05);
        assert_eq!(shapes.len(), 3);
        assert_eq!(
            shapes[0],
            Shape::Polygon(vec![[0.0, 2.0], [10.0, 2.0], [10.0, -2.0], [0.0, -2.0]])
        );
        assert_eq!(shapes[1], Shape::Disc { c: [0.0, 0.0], r: 2.0 });
        assert_eq!(shapes[2], Shape::Disc { c: [10.0, 0.0], r: 2.0 });
    }

    #[test]
    fn a_gentle_curve_chains_into_one_polygon() {
        let arc: Vec<_> =
            (0..50).map(|i| sample(i as f64 * 2.0, (i as f64 * 0.05).sin() * 20.0, 1.5)).collect();
        let polygons =
            outline(&arc, 0.05).iter().filter(|s| matches!(s, Shape::Polygon(_))).count();
        assert_eq!(polygons, 1);
    }

    #[test]
    fn a_sharp_corner_gets_a_disc() {
        let corner = [sample(0.0, 0.0, 2.0), sample(20.0, 0.0, 2.0), sample(0.0, 5.0, 2.0)];
        let shapes = outline(&corner, 0.05);
        assert!(shapes.contains(&Shape::Disc { c: [20.0, 0.0], r: 2.0 }));
    }

    #[test]
    fn every_polygon_winds_the_same_way() {
        for shape in outline(&spiral(), 0.05) {
            if let Shape::Polygon(p) = shape {
                assert!(shoelace(&p) < 0.0, "{p:?}");
            }
        }
    }

    #[test]
    fn the_outline_covers_every_circle_of_the_stroke() {
        let line = spiral();
        let shapes = outline(&line, 0.05);
        for s in &line {
            for k in 0..16 {
                let a = k as f64 * std::f64::consts::TAU / 16.0;
                // Just inside the circle, less the allowed tolerance.
                let r = s.r - 0.06;
                assert!(inside(&shapes, [s.x + r * a.cos(), s.y + r * a.sin()]), "{s:?} at {k}");
            }
        }
    }

    #[test]
    fn the_outline_stays_within_tolerance_of_the_circles() {
        let line = spiral();
        let shapes = outline(&line, 0.05);
        let near_ink = |p: [f64; 2]| {
            line.windows(2).any(|w| {
                // Distance to the segment's capsule hull, with the radius interpolated.
                let (a, b) = (w[0], w[1]);
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let t =
                    (((p[0] - a.x) * dx + (p[1] - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                let (cx, cy) = (a.x + t * dx, a.y + t * dy);
                ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt() <= a.r.max(b.r) + 0.06
            })
        };
        for shape in &shapes {
            if let Shape::Polygon(p) = shape {
                assert!(p.iter().all(|&v| near_ink(v)));
            }
        }
    }

    #[test]
    fn a_circle_inside_its_neighbour_needs_no_quadrilateral() {
        let shapes = outline(&[sample(0.0, 0.0, 5.0), sample(1.0, 0.0, 1.0)], 0.05);
        assert!(shapes.iter().all(|s| matches!(s, Shape::Disc { .. })));
    }
}
