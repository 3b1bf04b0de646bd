//! Phone photos of a signature, generated here with the true ink mask, so the tests and the
//! bench need no fixture files and can measure what came out against what was drawn.
//!
//! A signature (a looped first word, a wavy second word with a tall stroke, a curved underline
//! and an i-dot standing apart) in ballpoint black or blue, on cream paper with a fibre
//! texture, lit unevenly (a gradient across the page), optionally under the soft shadow of a
//! phone held over it, with sensor noise, then JPEG-encoded as a phone would.
#![allow(dead_code, clippy::unwrap_used)]

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, RgbImage};
use signet_imaging::CleanedSignature;

pub const BLACK_INK: [u8; 3] = [30, 30, 36];
pub const BLUE_INK: [u8; 3] = [38, 62, 160];

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub ink: [u8; 3],
    /// A soft shadow over the lower right, across the end of the signature.
    pub shadow: bool,
    /// A thin printed rule across the page below the signature, not touching it (not ink).
    pub printed_line: bool,
    /// Specks of dust and paper flaws scattered over the page (not ink).
    pub dust: bool,
    /// No signature at all: an empty page.
    pub blank: bool,
    /// The page does not fill the frame: a dark desk shows along the left and top, the page's
    /// edges slightly askew (not ink).
    pub desk: bool,
    pub seed: u64,
}

impl Scene {
    pub fn new(width: u32, height: u32, ink: [u8; 3]) -> Scene {
        Scene {
            width,
            height,
            ink,
            shadow: true,
            printed_line: false,
            dust: true,
            blank: false,
            desk: false,
            seed: 0x5eed,
        }
    }
}

/// A generated photo and, per pixel, how much of it the pen covered (0-1).
pub struct Photo {
    pub rgb: RgbImage,
    pub coverage: Vec<f32>,
}

impl Photo {
    pub fn width(&self) -> u32 {
        self.rgb.width()
    }

    pub fn height(&self) -> u32 {
        self.rgb.height()
    }
}

/// Deterministic noise without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 32) as u32
    }

    /// Uniform in 0..1.
    pub fn unit(&mut self) -> f32 {
        self.next_u32() as f32 / 4_294_967_296.0
    }

    /// Roughly normal, mean 0, standard deviation 1 (sum of four uniforms).
    pub fn normal(&mut self) -> f32 {
        let sum: f32 = (0..4).map(|_| self.unit()).sum();
        (sum - 2.0) * 1.732
    }
}

/// A point of the pen's path: x, y and the stroke's half-width, in pixels.
type PenPoint = (f32, f32, f32);

/// The pen's path: polylines, and the i-dot.
fn strokes(scene: &Scene) -> (Vec<Vec<PenPoint>>, PenPoint) {
    let (w, h) = (scene.width as f32, scene.height as f32);
    let r = 0.0028 * w; // stroke half-width: 4.5 px at 1600 px wide
    let pressure = |t: f32| r * (0.85 + 0.3 * (t * 7.0).sin().abs());
    let mut paths = Vec::new();

    // First word: a prolate cycloid (five loops, like a cursive "lllll"), with an entry stroke.
    let (x0, yc) = (0.17 * w, 0.5 * h);
    let turns = 5.0 * std::f32::consts::TAU;
    let (advance, rx, ry) = (0.33 * w / turns, 0.028 * w, 0.07 * h);
    let mut word = vec![(x0 - 0.02 * w, yc + 1.3 * ry, r)];
    for i in 0..=500 {
        let t = turns * i as f32 / 500.0;
        let x = x0 + advance * t - rx * t.sin();
        let y = yc + ry * t.cos();
        word.push((x, y, pressure(t)));
    }
    paths.push(word);

    // Second word: a wave that grows and shrinks, then a tall stroke up and back.
    let (x1, x2) = (0.56 * w, 0.8 * w);
    let mut wave = Vec::new();
    for i in 0..=300 {
        let s = i as f32 / 300.0;
        let envelope = (s * std::f32::consts::PI).sin();
        let x = x1 + (x2 - x1) * s;
        let y = yc + 0.02 * h + 0.06 * h * envelope * (s * 24.0).sin();
        wave.push((x, y, pressure(s * 9.0)));
    }
    let last = wave[wave.len() - 1];
    for i in 1..=60 {
        let s = i as f32 / 60.0;
        let up = (s * std::f32::consts::PI).sin();
        wave.push((last.0 + 0.01 * w * s, last.1 - 0.2 * h * up, r * 0.9));
    }
    paths.push(wave);

    // The underline: a long shallow curve under both words (a quadratic Bézier).
    let (a, c, b) = ((0.17 * w, 0.69 * h), (0.5 * w, 0.76 * h), (0.84 * w, 0.64 * h));
    let underline = (0..=200)
        .map(|i| {
            let t = i as f32 / 200.0;
            let m = 1.0 - t;
            let x = m * m * a.0 + 2.0 * m * t * c.0 + t * t * b.0;
            let y = m * m * a.1 + 2.0 * m * t * c.1 + t * t * b.1;
            (x, y, r * (1.0 - 0.4 * t))
        })
        .collect();
    paths.push(underline);

    // The i-dot: above the second word, clear of every stroke.
    let dot = (0.6 * w, yc - 0.14 * h, 1.4 * r);
    (paths, dot)
}

/// How much a disc or capsule of the pen covers each pixel, kept as the maximum over strokes.
fn draw_ink(scene: &Scene) -> Vec<f32> {
    let (w, h) = (scene.width as usize, scene.height as usize);
    let mut coverage = vec![0f32; w * h];
    let mut capsule = |(ax, ay, ar): PenPoint, (bx, by, br): PenPoint| {
        let reach = ar.max(br) + 1.0;
        let x_lo = (ax.min(bx) - reach).floor().max(0.0) as usize;
        let x_hi = ((ax.max(bx) + reach).ceil() as usize).min(w - 1);
        let y_lo = (ay.min(by) - reach).floor().max(0.0) as usize;
        let y_hi = ((ay.max(by) + reach).ceil() as usize).min(h - 1);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        for y in y_lo..=y_hi {
            for x in x_lo..=x_hi {
                let (px, py) = (x as f32 + 0.5 - ax, y as f32 + 0.5 - ay);
                let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
                let d = ((px - t * dx).powi(2) + (py - t * dy).powi(2)).sqrt();
                let r = ar + (br - ar) * t;
                let c = (r + 0.5 - d).clamp(0.0, 1.0);
                let cell = &mut coverage[y * w + x];
                *cell = cell.max(c);
            }
        }
    };
    if scene.blank {
        return coverage;
    }
    let (paths, dot) = strokes(scene);
    for path in &paths {
        for pair in path.windows(2) {
            capsule(pair[0], pair[1]);
        }
    }
    capsule(dot, dot);
    coverage
}

/// The photo of the scene, before compression.
pub fn photo(scene: &Scene) -> Photo {
    let (w, h) = (scene.width, scene.height);
    let (wf, hf) = (w as f32, h as f32);
    let coverage = draw_ink(scene);
    let mut rng = Rng::new(scene.seed);

    // Fibre texture: a few random waves along each axis and a diagonal, about ±4 levels.
    let mut waves = |len: u32| -> Vec<f32> {
        let parts: Vec<(f32, f32, f32)> = (0..4)
            .map(|_| {
                (0.01 + 0.2 * rng.unit(), std::f32::consts::TAU * rng.unit(), 0.5 + rng.unit())
            })
            .collect();
        (0..len)
            .map(|i| parts.iter().map(|&(f, p, a)| a * (i as f32 * f + p).sin()).sum())
            .collect()
    };
    let (tx, ty, td) = (waves(w), waves(h), waves(w + h));

    // Dust: small dark specks, 2-15 pixels each, anywhere on the page.
    let mut dust = vec![0f32; (w * h) as usize];
    if scene.dust {
        for _ in 0..60 {
            let (cx, cy) = (rng.unit() * wf, rng.unit() * hf);
            let r = 0.8 + 1.4 * rng.unit();
            let (x0, y0) = ((cx - 3.0).max(0.0) as u32, (cy - 3.0).max(0.0) as u32);
            for y in y0..(y0 + 7).min(h) {
                for x in x0..(x0 + 7).min(w) {
                    let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                    let cell = &mut dust[(y * w + x) as usize];
                    *cell = cell.max((r + 0.5 - d).clamp(0.0, 1.0) * 0.8);
                }
            }
        }
    }

    let paper = [236.0f32, 232.0, 220.0];
    let ink = scene.ink.map(f32::from);
    let mut rgb = RgbImage::new(w, h);
    for (x, y, pixel) in rgb.enumerate_pixels_mut() {
        let (u, v) = (x as f32 / wf, y as f32 / hf);
        // Brighter at the top left (the window), about 70 % at the bottom right.
        let mut light = 1.0 - 0.18 * u - 0.12 * v - 0.05 * ((u - 0.5).powi(2) + (v - 0.5).powi(2));
        if scene.shadow {
            // An ellipse over the lower right corner at half the light, its edge soft over
            // about a fifth of its radius.
            let d = (((u - 1.0) / 0.45).powi(2) + ((v - 0.95) / 0.55).powi(2)).sqrt();
            let s = ((d - 0.88) / 0.24).clamp(0.0, 1.0);
            let smooth = s * s * (3.0 - 2.0 * s);
            light *= 0.5 + 0.5 * smooth;
        }
        let i = (y * w + x) as usize;
        let texture = tx[x as usize] + ty[y as usize] + td[(x + y) as usize];
        let mut cover = coverage[i];
        let mut colour = ink;
        if dust[i] > cover {
            cover = dust[i];
            colour = [50.0, 45.0, 40.0];
        }
        if scene.printed_line
            && (y as f32 - 0.86 * hf).abs() < 0.0008 * wf + 0.5
            && (0.06..0.94).contains(&u)
        {
            cover = cover.max(0.85);
            colour = [60.0, 60.0, 64.0];
        }
        let on_desk = scene.desk && (u < 0.09 + 0.03 * v || v < 0.075 + 0.02 * u);
        pixel.0 = [0, 1, 2].map(|c| {
            let surface = if on_desk {
                [70.0, 52.0, 40.0][c] + texture
            } else {
                (paper[c] + texture) * (1.0 - cover) + colour[c] * cover
            };
            (surface * light + 4.0 * rng.normal()).round().clamp(0.0, 255.0) as u8
        });
    }
    Photo { rgb, coverage }
}

pub fn encode_jpeg(rgb: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(rgb).unwrap();
    out
}

/// The scene as a phone would save it: JPEG at quality 85.
pub fn phone_jpeg(scene: &Scene) -> (Photo, Vec<u8>) {
    let photo = photo(scene);
    let jpeg = encode_jpeg(&photo.rgb, 85);
    (photo, jpeg)
}

/// How well an output matches the drawn ink.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    /// Fraction of the ink pixels (pen coverage at least half) that came out opaque (alpha at
    /// least [`OPAQUE`]).
    pub recall: f64,
    /// Fraction of the paper pixels (more than 2 px from any ink) that came out with alpha above
    /// [`RESIDUE_ALPHA`].
    pub residue: f64,
}

pub const OPAQUE: u8 = 128;
pub const RESIDUE_ALPHA: u8 = 64;

/// Scores an output given as its alpha at each pixel of the photo.
pub fn score(photo: &Photo, alpha_at: impl Fn(u32, u32) -> u8) -> Score {
    let (w, h) = (photo.width() as usize, photo.height() as usize);
    // Paper: no ink within 2 px (the pen's soft edge and the JPEG's ringing are neither).
    let mut near_ink = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if photo.coverage[y * w + x] > 0.0 {
                for ny in y.saturating_sub(2)..(y + 3).min(h) {
                    near_ink[ny * w + x.saturating_sub(2)..ny * w + (x + 3).min(w)].fill(true);
                }
            }
        }
    }
    let (mut ink, mut found, mut paper, mut residue) = (0u64, 0u64, 0u64, 0u64);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let alpha = alpha_at(x as u32, y as u32);
            if photo.coverage[i] >= 0.5 {
                ink += 1;
                found += u64::from(alpha >= OPAQUE);
            } else if !near_ink[i] {
                paper += 1;
                residue += u64::from(alpha > RESIDUE_ALPHA);
            }
        }
    }
    Score { recall: found as f64 / ink as f64, residue: residue as f64 / paper as f64 }
}

/// The cleaned PNG's alpha at each pixel of the original photo, through its crop (bilinear
/// between output pixels, so a signature cut from a shrunk working copy is judged fairly; 0
/// outside the crop).
pub fn alpha_through_crop(cleaned: &CleanedSignature) -> impl Fn(u32, u32) -> u8 + '_ {
    let rgba = image::load_from_memory(&cleaned.png).unwrap().into_rgba8();
    let crop = cleaned.crop;
    let (sx, sy) =
        (rgba.width() as f32 / crop.width as f32, rgba.height() as f32 / crop.height as f32);
    move |x, y| {
        if x < crop.x || y < crop.y || x >= crop.x + crop.width || y >= crop.y + crop.height {
            return 0;
        }
        let u = ((x - crop.x) as f32 + 0.5) * sx - 0.5;
        let v = ((y - crop.y) as f32 + 0.5) * sy - 0.5;
        let (u, v) =
            (u.clamp(0.0, (rgba.width() - 1) as f32), v.clamp(0.0, (rgba.height() - 1) as f32));
        let (u0, v0) = (u as u32, v as u32);
        let (u1, v1) = ((u0 + 1).min(rgba.width() - 1), (v0 + 1).min(rgba.height() - 1));
        let (fu, fv) = (u - u0 as f32, v - v0 as f32);
        let a = |u, v| f32::from(rgba.get_pixel(u, v).0[3]);
        let top = a(u0, v0) * (1.0 - fu) + a(u1, v0) * fu;
        let bottom = a(u0, v1) * (1.0 - fu) + a(u1, v1) * fu;
        (top * (1.0 - fv) + bottom * fv).round() as u8
    }
}

/// Otsu's threshold of a grey image: the dark side is `0..t`.
pub fn otsu(grey: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in grey.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram.iter().enumerate().map(|(l, &c)| l as f64 * c as f64).sum();
    let (mut dark, mut dark_sum, mut best, mut split) = (0u64, 0f64, -1f64, 0usize);
    for (level, &count) in histogram.iter().enumerate() {
        dark += count;
        dark_sum += level as f64 * count as f64;
        let light = total - dark;
        if dark == 0 || light == 0 {
            continue;
        }
        let diff = dark_sum / dark as f64 - (sum_all - dark_sum) / light as f64;
        let between = dark as f64 * light as f64 * diff * diff;
        if between > best {
            best = between;
            split = level;
        }
    }
    (split + 1).min(255) as u8
}
