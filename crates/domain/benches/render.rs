//! Rendering a 2,000-point signature (PNG + SVG), against a reference: the same polyline
//! stroked by tiny-skia at constant width, then PNG-encoded, on a canvas of the same size.
//!
//! `cargo bench -p signet-domain --bench render`. Prints one line per measurement and last
//! `render_2000_points: ours X ms, reference Y ms, ratio Z` (medians of [`RUNS`] runs).

use std::hint::black_box;
use std::time::{Duration, Instant};

use signet_domain::signature::{
    render, Drawing, InkColor, PenStyle, SignatureStroke, StrokePoint, RENDER_MARGIN, RENDER_SCALE,
};
use tiny_skia::{LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

const POINTS: usize = 2_000;
const STROKES: usize = 10;
const WARM_UP: usize = 3;
const RUNS: usize = 21;

/// Ten looping cursive strokes of 200 points each, sampled every 8 ms; speed and pressure
/// vary along each stroke. Pure arithmetic on the indices, so every run draws the same.
fn signature() -> Drawing {
    let per_stroke = POINTS / STROKES;
    let strokes = (0..STROKES)
        .map(|s| {
            let x0 = 20.0 + s as f32 * 70.0;
            let points = (0..per_stroke)
                .map(|i| {
                    let a = i as f32 * 0.09 + s as f32;
                    let x = x0 + i as f32 * 0.35 + 22.0 * a.cos() + 6.0 * (a * 2.7).sin();
                    let y = 90.0 + 40.0 * (a * 0.8).sin() + 12.0 * (a * 1.9).cos();
                    let p = 0.5 + 0.3 * (a * 0.5).sin();
                    StrokePoint { x, y, t: i as f64 * 8.0, p }
                })
                .collect();
            SignatureStroke { points }
        })
        .collect();
    Drawing { strokes, pen: PenStyle { color: InkColor::Black, width: 3.0 } }
}

/// The reference: the raw polylines stroked at the nominal width, same canvas size.
fn reference(d: &Drawing, width: u32, height: u32) -> Vec<u8> {
    let points = d.strokes.iter().flat_map(|s| s.points.iter());
    let min_x = points.clone().map(|p| p.x).fold(f32::INFINITY, f32::min);
    let min_y = points.map(|p| p.y).fold(f32::INFINITY, f32::min);
    let offset = RENDER_MARGIN + d.pen.width;
    let mut pixmap = Pixmap::new(width, height).expect("a canvas");
    let mut paint = Paint::default();
    paint.set_color_rgba8(0x1a, 0x1a, 0x1a, 255);
    let stroke = Stroke {
        width: d.pen.width * RENDER_SCALE,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    for s in &d.strokes {
        let mut builder = PathBuilder::new();
        for (i, p) in s.points.iter().enumerate() {
            let (x, y) =
                ((p.x - min_x + offset) * RENDER_SCALE, (p.y - min_y + offset) * RENDER_SCALE);
            if i == 0 {
                builder.move_to(x, y);
            } else {
                builder.line_to(x, y);
            }
        }
        if let Some(path) = builder.finish() {
            pixmap.stroke_path(&path, &paint, &stroke, Transform::identity(), None);
        }
    }
    pixmap.encode_png().expect("encodes")
}

fn median_ms(mut f: impl FnMut()) -> (f64, f64, f64) {
    for _ in 0..WARM_UP {
        f();
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[RUNS / 2]), ms(times[0]), ms(times[RUNS - 1]))
}

fn main() {
    let drawing = signature();
    let points: usize = drawing.strokes.iter().map(|s| s.points.len()).sum();
    let rendered = render(&drawing, RENDER_SCALE).expect("the bench signature passes the check");
    let (w, h) = (rendered.width, rendered.height);
    println!(
        "input: {points} points in {} strokes; output {w}x{h} px, PNG {} bytes, SVG {} bytes",
        drawing.strokes.len(),
        rendered.png.len(),
        rendered.svg.len()
    );

    let (ours, ours_min, ours_max) = median_ms(|| {
        black_box(render(black_box(&drawing), RENDER_SCALE).ok());
    });
    println!(
        "ours (outline + PNG + SVG): median {ours:.2} ms, min {ours_min:.2}, \
         max {ours_max:.2} over {RUNS} runs"
    );

    let reference_png = reference(&drawing, w, h);
    let (reference_ms, ref_min, ref_max) = median_ms(|| {
        black_box(reference(black_box(&drawing), w, h));
    });
    println!(
        "reference (tiny-skia constant-width stroke + PNG, {} bytes): median {reference_ms:.2} ms, \
         min {ref_min:.2}, max {ref_max:.2} over {RUNS} runs",
        reference_png.len()
    );
    println!(
        "render_2000_points: ours {ours:.2} ms, reference {reference_ms:.2} ms, ratio {:.2}",
        ours / reference_ms
    );
}
