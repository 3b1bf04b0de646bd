//! Generated camera clips for tests and the desktop app's synthetic camera.
//!
//! Every clip is made from one real photo (`assets/astronaut_face.png`, see `assets/ASSETS.md`) so
//! the detector really finds a face in it. The scenarios cover what the liveness analysis must tell
//! apart:
//!
//! - [`Scenario::TalkingHead`]: the camera's view of a person speaking: the mouth opens and closes at
//!   3.5-5 Hz (the jaw drops, the mouth interior shows dark) while the head sways a little;
//! - [`Scenario::HeldUpPhoto`]: a printed photo (white border) held up in front of a room, moving
//!   rigidly (shift, scale, small rotation), its mouth never moving;
//! - [`Scenario::NoFace`]: the empty room;
//! - [`Scenario::TwoFaces`]: two people side by side, both speaking;
//! - [`Scenario::Frozen`]: one talking-head frame repeated exactly;
//! - [`Scenario::Looped`]: the first half second of the talking head replayed over and over.
//!
//! All scenarios add sensor noise (except where a frame repeats exactly, which is the point of
//! `Frozen` and `Looped`). A clip is a pure function of its scenario, size, frame rate and seed.

use std::f32::consts::TAU;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Point;

static PHOTO_PNG: &[u8] = include_bytes!("../assets/astronaut_face.png");

/// The face box of BlazeFace in the photo (its pixels): centre and height.
const PHOTO_FACE_CENTRE: (f32, f32) = (128.0, 100.0);
const PHOTO_FACE_HEIGHT: f32 = 82.0;
/// The mouth centre and half width in the photo.
const PHOTO_MOUTH: (f32, f32) = (125.0, 119.0);
const MOUTH_HALF_WIDTH: f32 = 13.0;
/// How far the jaw drops when the mouth is fully open, in photo pixels.
const JAW_DROP: f32 = 7.0;
/// The length of the replayed segment of [`Scenario::Looped`].
const LOOP_MS: u64 = 500;

/// What a synthetic clip shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    TalkingHead,
    HeldUpPhoto,
    NoFace,
    TwoFaces,
    Frozen,
    Looped,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::TalkingHead,
        Scenario::HeldUpPhoto,
        Scenario::NoFace,
        Scenario::TwoFaces,
        Scenario::Frozen,
        Scenario::Looped,
    ];

    /// The snake_case name, as in configuration (`SIGNET_CAMERA=synthetic:held_up_photo`).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::TalkingHead => "talking_head",
            Scenario::HeldUpPhoto => "held_up_photo",
            Scenario::NoFace => "no_face",
            Scenario::TwoFaces => "two_faces",
            Scenario::Frozen => "frozen",
            Scenario::Looped => "looped",
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(s: &str) -> Result<Scenario, UnknownScenario> {
        Scenario::ALL
            .into_iter()
            .find(|scenario| scenario.name() == s)
            .ok_or_else(|| UnknownScenario(s.to_owned()))
    }
}

/// A scenario name that is none of [`Scenario::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown synthetic scenario {0:?} (expected one of talking_head, held_up_photo, no_face, two_faces, frozen, looped)")]
pub struct UnknownScenario(pub String);

/// The decoded photo.
struct Photo {
    rgb: Vec<u8>,
    width: usize,
    height: usize,
}

fn photo() -> &'static Photo {
    static PHOTO: OnceLock<Photo> = OnceLock::new();
    PHOTO.get_or_init(|| {
        // The PNG is compiled in and checked by the tests; a grey square stands in should it ever
        // fail to decode, rather than a panic in the camera thread.
        decode_png(PHOTO_PNG).unwrap_or_else(|| Photo {
            rgb: vec![128; 256 * 256 * 3],
            width: 256,
            height: 256,
        })
    })
}

fn decode_png(bytes: &[u8]) -> Option<Photo> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgb || info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    buf.truncate(info.buffer_size());
    Some(Photo { rgb: buf, width: info.width as usize, height: info.height as usize })
}

/// The committed face photo as packed RGB: `(pixels, width, height)`.
pub fn face_photo() -> (&'static [u8], u32, u32) {
    let photo = photo();
    (&photo.rgb, photo.width as u32, photo.height as u32)
}

/// One still frame: the photo on a plain room background, scaled and placed so that the face box
/// has the given height and centre (frame pixels). For pre-flight tests and demos.
pub fn portrait(width: u32, height: u32, face_centre: Point, face_height: f32) -> Vec<u8> {
    let mut frame = room(width, height, 0);
    let scale = face_height / PHOTO_FACE_HEIGHT;
    let layer = Layer {
        pose: Pose {
            anchor: PHOTO_FACE_CENTRE,
            at: (face_centre.x, face_centre.y),
            scale,
            angle: 0.0,
        },
        clip: (0.0, 0.0, width as f32, height as f32),
        edge: Edge::Transparent,
        mouth_open: 0.0,
    };
    layer.draw(&mut frame, width, height);
    frame
}

/// A deterministic, endless synthetic clip. As an iterator it yields `(pts_ms, rgb)` frame after
/// frame at its frame rate (take as many as needed); [`SyntheticClip::frame_at`] renders any moment
/// for a live preview.
#[derive(Clone)]
pub struct SyntheticClip {
    scenario: Scenario,
    width: u32,
    height: u32,
    fps: u32,
    seed: u64,
    motion: Motion,
    background: Vec<u8>,
    next_frame: u64,
}

impl std::fmt::Debug for SyntheticClip {
    // Without the background's pixels.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticClip")
            .field("scenario", &self.scenario)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("fps", &self.fps)
            .field("seed", &self.seed)
            .field("next_frame", &self.next_frame)
            .finish_non_exhaustive()
    }
}

/// The per-seed variation of the movements.
#[derive(Debug, Clone, Copy)]
struct Motion {
    mouth_hz: f32,
    mouth_phase: f32,
    sway_hz: (f32, f32),
    sway_phase: (f32, f32),
    wave_hz: f32,
}

impl SyntheticClip {
    /// `width` and `height` are clamped to at least 16 pixels, `fps` to 1-120.
    pub fn new(scenario: Scenario, width: u32, height: u32, fps: u32, seed: u64) -> SyntheticClip {
        let width = width.max(16);
        let height = height.max(16);
        let mut rng = Rng::new(seed ^ 0x5167_6e65_7456_6973);
        let motion = Motion {
            mouth_hz: 3.5 + 1.5 * rng.unit(),
            mouth_phase: TAU * rng.unit(),
            sway_hz: (0.3 + 0.3 * rng.unit(), 0.2 + 0.3 * rng.unit()),
            sway_phase: (TAU * rng.unit(), TAU * rng.unit()),
            wave_hz: 0.6 + 0.5 * rng.unit(),
        };
        SyntheticClip {
            scenario,
            width,
            height,
            fps: fps.clamp(1, 120),
            seed,
            motion,
            background: room(width, height, seed),
            next_frame: 0,
        }
    }

    pub fn scenario(&self) -> Scenario {
        self.scenario
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn fps(&self) -> u32 {
        self.fps
    }

    /// The frame shown at `t_ms` (rounded to the nearest frame of the clip's rate).
    pub fn frame_at(&self, t_ms: u64) -> Vec<u8> {
        let mut frame = vec![0; self.width as usize * self.height as usize * 3];
        self.render_into(t_ms, &mut frame);
        frame
    }

    /// Like [`SyntheticClip::frame_at`] into a caller's buffer of `width * height * 3` bytes (a
    /// buffer of another length is left as it is).
    pub fn render_into(&self, t_ms: u64, frame: &mut [u8]) {
        if frame.len() != self.width as usize * self.height as usize * 3 {
            return;
        }
        let fps = self.fps as u64;
        let mut index = (t_ms.saturating_mul(fps) + 500) / 1000;
        match self.scenario {
            Scenario::Frozen => index = 0,
            Scenario::Looped => index %= (LOOP_MS * fps / 1000).max(2),
            _ => {}
        }
        self.render(index, frame);
    }

    fn render(&self, index: u64, frame: &mut [u8]) {
        let t = index as f32 / self.fps as f32;
        let (w, h) = (self.width as f32, self.height as f32);
        let m = &self.motion;
        frame.copy_from_slice(&self.background);
        match self.scenario {
            Scenario::TalkingHead | Scenario::Frozen | Scenario::Looped => {
                // The camera's whole view is the person (the photo's backdrop stands for the room),
                // the face 42 % of the frame's height, swaying by about 1.5 % and 1.5 degrees.
                let scale = 0.42 * h / PHOTO_FACE_HEIGHT;
                let sway_x = (TAU * m.sway_hz.0 * t + m.sway_phase.0).sin();
                let sway_y = (TAU * m.sway_hz.1 * t + m.sway_phase.1).sin();
                Layer {
                    pose: Pose {
                        anchor: (126.0, 105.0),
                        at: (w / 2.0 + 0.015 * w * sway_x, h / 2.0 + 0.01 * h * sway_y),
                        scale,
                        angle: 1.5f32.to_radians() * sway_x,
                    },
                    clip: (0.0, 0.0, w, h),
                    edge: Edge::Clamp,
                    mouth_open: speech(m, t, 0.0),
                }
                .draw(frame, self.width, self.height);
            }
            Scenario::HeldUpPhoto => {
                // A print held at arm's length by a hand that moves it about.
                let a = (TAU * m.wave_hz * t + m.sway_phase.0).sin();
                let b = (TAU * m.wave_hz * 0.7 * t + m.sway_phase.1).sin();
                Layer {
                    pose: Pose {
                        anchor: PHOTO_FACE_CENTRE,
                        at: (w / 2.0 + 0.07 * w * a, h * 0.42 + 0.04 * h * b),
                        scale: 0.3 * h / PHOTO_FACE_HEIGHT * (1.0 + 0.06 * b),
                        angle: 5f32.to_radians() * a,
                    },
                    clip: (0.0, 0.0, w, h),
                    edge: Edge::Border(10.0, [238, 236, 230]),
                    mouth_open: 0.0,
                }
                .draw(frame, self.width, self.height);
            }
            Scenario::NoFace => {}
            Scenario::TwoFaces => {
                for (i, side) in [(0.0f32, 0.0f32), (1.0, 0.5)].into_iter().enumerate() {
                    let x0 = side.1 * w;
                    let sway = (TAU * m.sway_hz.0 * t + m.sway_phase.0 + i as f32).sin();
                    Layer {
                        pose: Pose {
                            anchor: (126.0, 105.0),
                            at: (x0 + w / 4.0 + 0.01 * w * sway, h / 2.0),
                            scale: h / 256.0 * 1.05,
                            angle: 0.0,
                        },
                        clip: (x0, 0.0, x0 + w / 2.0, h),
                        edge: Edge::Clamp,
                        mouth_open: speech(m, t, side.0 * 1.3),
                    }
                    .draw(frame, self.width, self.height);
                }
            }
        }
        // Frozen and looped frames repeat their noise too, as a replayed recording does.
        add_noise(frame, self.seed, index);
    }
}

impl Iterator for SyntheticClip {
    type Item = (u64, Vec<u8>);

    fn next(&mut self) -> Option<(u64, Vec<u8>)> {
        let pts_ms = self.next_frame * 1000 / self.fps as u64;
        self.next_frame += 1;
        Some((pts_ms, self.frame_at(pts_ms)))
    }
}

/// Mouth opening 0-1 while speaking: syllables at the clip's mouth rate, louder and softer.
fn speech(m: &Motion, t: f32, phase: f32) -> f32 {
    let syllable = 0.5 - 0.5 * (TAU * m.mouth_hz * t + m.mouth_phase + phase).cos();
    let loudness = 0.75 + 0.25 * (TAU * 0.7 * t + phase).sin();
    syllable * loudness
}

/// Where the photo goes: photo point `anchor` lands on frame point `at`, scaled and turned.
#[derive(Debug, Clone, Copy)]
struct Pose {
    anchor: (f32, f32),
    at: (f32, f32),
    scale: f32,
    angle: f32,
}

/// What is drawn where the frame maps outside the photo.
#[derive(Debug, Clone, Copy)]
enum Edge {
    /// The photo's edge pixels repeat (the photo stands for the whole view).
    Clamp,
    /// A print border of this width (photo pixels) and colour, then the background.
    Border(f32, [u8; 3]),
    /// The background.
    Transparent,
}

struct Layer {
    pose: Pose,
    /// The frame region drawn: x0, y0, x1, y1.
    clip: (f32, f32, f32, f32),
    edge: Edge,
    mouth_open: f32,
}

impl Layer {
    fn draw(&self, frame: &mut [u8], width: u32, height: u32) {
        let photo = photo();
        let (pw, ph) = (photo.width as f32, photo.height as f32);
        let Pose { anchor, at, scale, angle } = self.pose;
        let (sin, cos) = angle.sin_cos();
        let inv = 1.0 / scale.max(1e-3);
        let border = match self.edge {
            Edge::Border(b, _) => b,
            _ => 0.0,
        };
        // The frame rectangle the (bordered) photo can touch, to skip the rest.
        let (mut bx0, mut by0, mut bx1, mut by1) = self.clip;
        if !matches!(self.edge, Edge::Clamp) {
            let corners = [
                (-border, -border),
                (pw + border, -border),
                (-border, ph + border),
                (pw + border, ph + border),
            ];
            let xs =
                corners.map(|(u, v)| at.0 + scale * (cos * (u - anchor.0) - sin * (v - anchor.1)));
            let ys =
                corners.map(|(u, v)| at.1 + scale * (sin * (u - anchor.0) + cos * (v - anchor.1)));
            bx0 = bx0.max(xs.iter().copied().fold(f32::MAX, f32::min));
            bx1 = bx1.min(xs.iter().copied().fold(f32::MIN, f32::max) + 1.0);
            by0 = by0.max(ys.iter().copied().fold(f32::MAX, f32::min));
            by1 = by1.min(ys.iter().copied().fold(f32::MIN, f32::max) + 1.0);
        }
        let x0 = bx0.max(0.0) as usize;
        let y0 = by0.max(0.0) as usize;
        let x1 = (bx1.max(0.0) as usize).min(width as usize);
        let y1 = (by1.max(0.0) as usize).min(height as usize);
        let mouth = Mouth::new(self.mouth_open);
        // Walk each row with the inverse mapping's increments (frame to photo coordinates).
        let (du, dv) = (inv * cos, -inv * sin);
        for y in y0..y1 {
            let dy = y as f32 + 0.5 - at.1;
            let dx = x0 as f32 + 0.5 - at.0;
            let mut u = anchor.0 + inv * (cos * dx + sin * dy);
            let mut v = anchor.1 + inv * (-sin * dx + cos * dy);
            let row = &mut frame[y * width as usize * 3..(y + 1) * width as usize * 3];
            for px in row[x0 * 3..x1 * 3].chunks_exact_mut(3) {
                let inside = u >= 0.0 && v >= 0.0 && u < pw && v < ph;
                if inside || matches!(self.edge, Edge::Clamp) {
                    px.copy_from_slice(&mouth.sample(photo, u, v));
                } else if let Edge::Border(b, colour) = self.edge {
                    if u >= -b && v >= -b && u < pw + b && v < ph + b {
                        px.copy_from_slice(&colour);
                    }
                }
                u += du;
                v += dv;
            }
        }
    }
}

/// The speaking mouth, in photo coordinates: the lower face drops with the jaw, and the gap
/// between the lips shows the dark mouth interior.
struct Mouth {
    open: f32,
}

impl Mouth {
    fn new(open: f32) -> Mouth {
        Mouth { open: open.clamp(0.0, 1.0) }
    }

    fn sample(&self, photo: &Photo, u: f32, v: f32) -> [u8; 3] {
        if self.open <= 0.0 {
            return bilinear(photo, u, v);
        }
        let (mx, my) = PHOTO_MOUTH;
        let across = (u - mx) / (MOUTH_HALF_WIDTH * 2.2);
        if across.abs() >= 1.0 || v < my - 2.0 || v > my + 48.0 {
            return bilinear(photo, u, v);
        }
        // Jaw drop: full under the mouth and across the chin, fading to the sides and the neck.
        let side = (0.5 + 0.5 * (std::f32::consts::PI * across).cos()).powi(2);
        let below = v - my;
        let down = if below < 3.0 {
            smooth((below + 2.0) / 5.0)
        } else if below < 28.0 {
            1.0
        } else {
            1.0 - smooth((below - 28.0) / 20.0)
        };
        let drop = JAW_DROP * self.open * side * down;
        let mut px = bilinear(photo, u, v - drop);
        // The open lips: an ellipse under the mouth line, dark red-brown inside.
        let gap = JAW_DROP * self.open;
        let ex = (u - mx) / MOUTH_HALF_WIDTH;
        let ey = (v - (my + gap / 2.0)) / (gap / 2.0 + 0.75);
        let r = ex * ex + ey * ey;
        if r < 1.0 {
            let k = smooth((1.0 - r) * 3.0);
            let inside = [70.0, 25.0, 30.0];
            for (c, dark) in px.iter_mut().zip(inside) {
                *c = (*c as f32 * (1.0 - k) + dark * k) as u8;
            }
        }
        px
    }
}

fn smooth(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Bilinear RGB sample of the photo, clamped at its edges (8-bit fixed-point weights: this runs
/// for every pixel of every frame).
fn bilinear(photo: &Photo, u: f32, v: f32) -> [u8; 3] {
    let max_x = photo.width - 1;
    let max_y = photo.height - 1;
    let u = ((u - 0.5).clamp(0.0, max_x as f32) * 256.0) as u32;
    let v = ((v - 0.5).clamp(0.0, max_y as f32) * 256.0) as u32;
    let (x0, y0) = ((u >> 8) as usize, (v >> 8) as usize);
    let (fx, fy) = (u & 255, v & 255);
    let step_x = usize::from(x0 < max_x) * 3;
    let step_y = usize::from(y0 < max_y) * photo.width * 3;
    let i = (y0 * photo.width + x0) * 3;
    let pixel = |k: usize| -> [u32; 3] {
        match photo.rgb.get(k..k + 3) {
            Some(px) => [px[0] as u32, px[1] as u32, px[2] as u32],
            None => [0; 3],
        }
    };
    let (a, b) = (pixel(i), pixel(i + step_x));
    let (c, d) = (pixel(i + step_y), pixel(i + step_y + step_x));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = a[k] * (256 - fx) + b[k] * fx;
        let bottom = c[k] * (256 - fx) + d[k] * fx;
        out[k] = ((top * (256 - fy) + bottom * fy + 32768) >> 16) as u8;
    }
    out
}

/// A plain room: a wall with a soft vertical gradient, a door and a picture frame, a floor band.
fn room(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0x726f_6f6d);
    let (w, h) = (width as usize, height as usize);
    let wall = [170.0 + 40.0 * rng.unit(), 165.0 + 40.0 * rng.unit(), 150.0 + 40.0 * rng.unit()];
    let door_x = (0.05 + 0.15 * rng.unit()) * w as f32;
    let picture_x = (0.7 + 0.15 * rng.unit()) * w as f32;
    let mut frame = vec![0u8; w * h * 3];
    for y in 0..h {
        let fy = y as f32 / h as f32;
        let shade = 1.05 - 0.25 * fy;
        for x in 0..w {
            let fx = x as f32;
            let mut c = wall.map(|v| v * shade);
            if fy > 0.85 {
                c = [95.0, 80.0, 70.0];
            } else if fx > door_x && fx < door_x + 0.18 * w as f32 && fy > 0.15 {
                c = [140.0, 110.0, 80.0];
            } else if fx > picture_x && fx < picture_x + 0.12 * w as f32 && fy > 0.2 && fy < 0.35 {
                c = [60.0, 90.0, 120.0];
            }
            let i = (y * w + x) * 3;
            for k in 0..3 {
                frame[i + k] = c[k].clamp(0.0, 255.0) as u8;
            }
        }
    }
    frame
}

/// Sensor noise: each channel of each pixel moves by -3..=3, from a stream seeded by the clip's
/// seed and the frame number.
fn add_noise(frame: &mut [u8], seed: u64, index: u64) {
    const STEPS: [i16; 16] = [-3, -2, -2, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3];
    let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index.wrapping_add(1));
    for chunk in frame.chunks_mut(16) {
        let bits = rng.next_u64();
        for (k, c) in chunk.iter_mut().enumerate() {
            let n = STEPS[((bits >> (4 * k)) & 15) as usize];
            *c = (*c as i16 + n).clamp(0, 255) as u8;
        }
    }
}

/// SplitMix64: small, fast and the same on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}
