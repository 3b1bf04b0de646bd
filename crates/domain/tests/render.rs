//! Rendering a fixed, hastily written three-character signature (李明华 with a flourish and a
//! dot) to PNG and SVG.
//!
//! Golden image: the PNG must match `tests/fixtures/signature-expected.png` in size exactly, and
//! pixel by pixel within a tolerance: a pixel matches when each of its four premultiplied RGBA
//! channels differs by at most [`CHANNEL_TOLERANCE`] (2), and at most [`MISMATCH_BUDGET`]
//! (0.5 %) of the pixels may fail to match. The slack absorbs rasteriser rounding differences
//! across CPUs and tiny-skia SIMD paths; a change to the ink model moves far more.
//! After an intended change to the rendering, regenerate the fixture with
//! `SIGNET_BLESS=1 cargo test -p signet-domain --test render`, look at it, and commit it.

use signet_domain::api::{MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SIDE_PX};
use signet_domain::signature::{
    render, Drawing, InkColor, PenStyle, RenderedSignature, SignatureStroke, StrokePoint,
    RENDER_MARGIN, RENDER_SCALE,
};

const CHANNEL_TOLERANCE: u8 = 2;
const MISMATCH_BUDGET: f64 = 0.005;
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signature-expected.png");

/// A stroke along `polyline` as a pointer would report it every 8 ms: slow at both ends and
/// fastest in the middle (0.3 to 1.5 CSS px per ms), pressed harder at the start.
fn written(polyline: &[(f32, f32)]) -> SignatureStroke {
    let lengths: Vec<f32> = polyline
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .collect();
    let total: f32 = lengths.iter().sum();
    let at = |s: f32| {
        let mut s = s.min(total);
        for (w, len) in polyline.windows(2).zip(&lengths) {
            if s <= *len {
                let f = if *len > 0.0 { s / len } else { 0.0 };
                return (w[0].0 + (w[1].0 - w[0].0) * f, w[0].1 + (w[1].1 - w[0].1) * f);
            }
            s -= len;
        }
        polyline[polyline.len() - 1]
    };
    let mut points = Vec::new();
    let (mut s, mut t) = (0.0_f32, 0.0_f64);
    loop {
        let progress = if total > 0.0 { s / total } else { 1.0 };
        let (x, y) = at(s);
        points.push(StrokePoint { x, y, t, p: 0.7 - 0.35 * progress });
        if s >= total {
            break;
        }
        // A half sine: slow, fast, slow, without trigonometry in the test data.
        let bump = 4.0 * progress * (1.0 - progress);
        s = (s + (0.3 + 1.2 * bump) * 8.0).min(total);
        t += 8.0;
    }
    SignatureStroke { points }
}

fn signature(color: InkColor) -> Drawing {
    let strokes: &[&[(f32, f32)]] = &[
        // 李
        &[(5.0, 14.0), (55.0, 12.0)],
        &[(30.0, 2.0), (31.0, 32.0)],
        &[(28.0, 16.0), (10.0, 32.0)],
        &[(34.0, 17.0), (52.0, 30.0)],
        &[(14.0, 38.0), (44.0, 36.0), (32.0, 46.0), (31.0, 70.0), (24.0, 66.0)],
        &[(8.0, 55.0), (56.0, 53.0)],
        // 明
        &[(72.0, 20.0), (73.0, 55.0)],
        &[(72.0, 20.0), (90.0, 19.0), (89.0, 54.0), (74.0, 53.0)],
        &[(74.0, 36.0), (88.0, 36.0)],
        &[(100.0, 8.0), (100.0, 45.0), (94.0, 66.0)],
        &[(100.0, 8.0), (122.0, 7.0), (121.0, 64.0), (114.0, 60.0)],
        &[(102.0, 25.0), (120.0, 25.0), (103.0, 40.0), (120.0, 40.0)],
        // 华
        &[(150.0, 4.0), (138.0, 24.0)],
        &[(145.0, 16.0), (146.0, 40.0)],
        &[(175.0, 6.0), (160.0, 20.0)],
        &[(163.0, 4.0), (164.0, 30.0), (186.0, 28.0), (188.0, 20.0)],
        &[(135.0, 46.0), (195.0, 44.0)],
        &[(165.0, 38.0), (166.0, 75.0)],
        // A flourish under the name and a dot after it.
        &[(20.0, 84.0), (90.0, 80.0), (160.0, 86.0), (205.0, 72.0)],
        &[(212.0, 60.0)],
    ];
    Drawing {
        strokes: strokes.iter().map(|s| written(s)).collect(),
        pen: PenStyle { color, width: 3.0 },
    }
}

fn rendered(color: InkColor) -> RenderedSignature {
    render(&signature(color), RENDER_SCALE).expect("the signature passes the check")
}

/// Width, height and RGBA8 (straight alpha) pixels of a PNG.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("a PNG frame");
    assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Rgba, png::BitDepth::Eight));
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

fn premultiplied(px: &[u8]) -> [u8; 4] {
    let a = u16::from(px[3]);
    let m = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
    [m(px[0]), m(px[1]), m(px[2]), px[3]]
}

#[test]
fn the_png_matches_the_committed_image() {
    let png_bytes = rendered(InkColor::Black).png;
    if std::env::var_os("SIGNET_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(FIXTURE, &png_bytes).expect("write the fixture");
    }
    let expected = std::fs::read(FIXTURE).expect("the committed fixture (SIGNET_BLESS=1 makes it)");
    let (w, h, actual) = decode(&png_bytes);
    let (ew, eh, expected) = decode(&expected);
    assert_eq!((w, h), (ew, eh), "image size");
    let mismatches = actual
        .chunks_exact(4)
        .zip(expected.chunks_exact(4))
        .filter(|(a, e)| {
            let (a, e) = (premultiplied(a), premultiplied(e));
            a.iter().zip(e).any(|(a, e)| a.abs_diff(e) > CHANNEL_TOLERANCE)
        })
        .count();
    let budget = (f64::from(w * h) * MISMATCH_BUDGET) as usize;
    assert!(mismatches <= budget, "{mismatches} pixels differ, at most {budget} may");
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let (a, b) = (rendered(InkColor::Black), rendered(InkColor::Black));
    assert!(a.png == b.png, "PNG bytes differ");
    assert_eq!(a.svg, b.svg);
}

#[test]
fn the_png_is_transparent_around_the_ink() {
    let r = rendered(InkColor::Black);
    let (w, h, px) = decode(&r.png);
    for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
        let i = ((y * w + x) * 4) as usize;
        assert_eq!(px[i + 3], 0, "corner {x},{y}");
    }
}

#[test]
fn solid_ink_is_opaque_and_exactly_the_ink_colour() {
    for color in [InkColor::Black, InkColor::Blue] {
        let (_, _, px) = decode(&rendered(color).png);
        let opaque: Vec<&[u8]> = px.chunks_exact(4).filter(|p| p[3] == 255).collect();
        assert!(opaque.len() > 2000, "{} opaque pixels", opaque.len());
        assert!(opaque.iter().all(|p| p[..3] == color.rgb()), "{color:?}");
    }
}

#[test]
fn the_image_is_trimmed_to_the_ink_plus_the_margin() {
    let r = rendered(InkColor::Black);
    let (w, h, px) = decode(&r.png);
    let inked = |x: u32, y: u32| px[((y * w + x) * 4 + 3) as usize] > 0;
    let cols: Vec<u32> = (0..w).filter(|&x| (0..h).any(|y| inked(x, y))).collect();
    let rows: Vec<u32> = (0..h).filter(|&y| (0..w).any(|x| inked(x, y))).collect();
    let margin = RENDER_MARGIN * RENDER_SCALE;
    let gaps = [
        cols[0] as f32,
        (w - 1 - cols[cols.len() - 1]) as f32,
        rows[0] as f32,
        (h - 1 - rows[rows.len() - 1]) as f32,
    ];
    for gap in gaps {
        assert!((gap - margin).abs() <= 1.0, "gaps {gaps:?}, margin {margin}");
    }
}

#[test]
fn the_reported_size_is_the_png_size_and_within_the_platform_limits() {
    let r = rendered(InkColor::Black);
    let (w, h, _) = decode(&r.png);
    assert_eq!((r.width, r.height), (w, h));
    assert!(w <= MAX_SIGNATURE_SIDE_PX && h <= MAX_SIGNATURE_SIDE_PX);
    assert!(r.png.len() <= MAX_SIGNATURE_PNG_BYTES);
    assert_eq!(r.scale, RENDER_SCALE);
}

#[test]
fn the_svg_is_well_formed_with_one_filled_path_per_stroke() {
    let r = rendered(InkColor::Blue);
    let doc = roxmltree::Document::parse(&r.svg).expect("well-formed XML");
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg");
    assert_eq!(svg.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(svg.attribute("width"), Some(r.width.to_string().as_str()));
    assert_eq!(svg.attribute("height"), Some(r.height.to_string().as_str()));
    let view_box = format!("0 0 {} {}", r.width, r.height);
    assert_eq!(svg.attribute("viewBox"), Some(view_box.as_str()));
    let paths: Vec<_> = svg.children().filter(|n| n.is_element()).collect();
    assert_eq!(paths.len(), signature(InkColor::Blue).strokes.len());
    for path in paths {
        assert_eq!(path.tag_name().name(), "path");
        assert_eq!(path.attribute("fill"), Some("#1d3fbb"));
        assert!(path.attribute("d").is_some_and(|d| d.starts_with('M') && d.ends_with('Z')));
    }
}

#[test]
fn filling_the_svg_paths_reproduces_the_png_exactly() {
    let r = rendered(InkColor::Black);
    let doc = roxmltree::Document::parse(&r.svg).expect("well-formed XML");
    let mut pixmap = tiny_skia::Pixmap::new(r.width, r.height).expect("a pixmap");
    let mut paint = tiny_skia::Paint::default();
    let [red, green, blue] = InkColor::Black.rgb();
    paint.set_color_rgba8(red, green, blue, 255);
    for d in doc.descendants().filter_map(|n| n.attribute("d")) {
        let path = parse_path(d).expect("a path the writer can produce");
        pixmap.fill_path(
            &path,
            &paint,
            tiny_skia::FillRule::Winding,
            tiny_skia::Transform::identity(),
            None,
        );
    }
    let (_, _, png_pixels) = decode(&r.png);
    let (_, _, svg_pixels) = decode(&pixmap.encode_png().expect("encodes"));
    assert!(png_pixels == svg_pixels, "the SVG outline rasterises differently from the PNG");
}

/// Parses the subset of SVG path data the renderer writes: absolute M, L (with repeated
/// coordinate pairs), C and Z.
fn parse_path(d: &str) -> Option<tiny_skia::Path> {
    let mut builder = tiny_skia::PathBuilder::new();
    let spaced: String = d
        .chars()
        .flat_map(|c| if c.is_ascii_alphabetic() { vec![' ', c, ' '] } else { vec![c] })
        .collect();
    let mut tokens = spaced.split_ascii_whitespace().peekable();
    let mut command = ' ';
    while let Some(token) = tokens.peek().copied() {
        if token.chars().all(|c| c.is_ascii_alphabetic()) {
            command = token.chars().next()?;
            tokens.next();
            if command == 'Z' {
                builder.close();
            }
            continue;
        }
        let mut number = || tokens.next().and_then(|t| t.parse::<f32>().ok());
        match command {
            'M' => {
                let (x, y) = (number()?, number()?);
                builder.move_to(x, y);
            }
            'L' => {
                let (x, y) = (number()?, number()?);
                builder.line_to(x, y);
            }
            'C' => {
                let (x1, y1, x2, y2, x, y) =
                    (number()?, number()?, number()?, number()?, number()?, number()?);
                builder.cubic_to(x1, y1, x2, y2, x, y);
            }
            _ => return None,
        }
    }
    builder.finish()
}
