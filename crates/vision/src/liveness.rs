//! Is the clip a live person speaking? Frame-by-frame measurements, then findings.
//!
//! [`Analyzer::push`] takes each frame of a clip in order and keeps only small statistics:
//!
//! - a signature of every frame (the mean grey of each cell of a 32x24 grid), to find a frozen feed
//!   (consecutive frames the same picture) and a looped one (a frame the same as one seen a while
//!   before, which a live camera never produces). Cell means rather than point samples, so that a
//!   mouth moving anywhere changes some cell even after video compression has flattened the
//!   still background; and both a tiny mean and a small largest cell change are required, so that
//!   sensor noise alone keeps an empty room from looking frozen;
//! - every `detect_interval_ms` (100 ms by default) a face detection: the number of faces, the face
//!   size and brightness, the face position, and two small grey patches aligned with the eyes: one
//!   over the mouth and one over the eye band.
//!
//! Speaking moves the mouth relative to the rest of the face, so the mouth patch changes far more
//! from sample to sample than the eye band does; a photo held up to the camera changes both alike,
//! however it is moved (alignment cancels the movement, leaving only resampling and detection
//! jitter). [`Analyzer::finish`] compares the statistics with the thresholds of [`AnalyzerConfig`]
//! and returns every [`Finding`] together with the [`Metrics`] they came from; no findings means
//! "live".

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::frame::{check_size, luma_bilinear, mean_luma};
use crate::{Face, FaceDetector, Point};

const SIGNATURE_W: u32 = 32;
const SIGNATURE_H: u32 = 24;
const PATCH_W: usize = 24;
const PATCH_H: usize = 16;
/// Added to both activities before dividing, so two near-still patches give a ratio near 1.
const ACTIVITY_FLOOR: f32 = 0.5;

/// Why a clip is not accepted as a live person. An empty list means live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// No face in too many sampled frames.
    NoFace,
    /// More than one face in too many sampled frames.
    MultipleFaces,
    FaceTooSmall,
    TooDark,
    /// Consecutive frames are identical: a still image fed as video.
    FrozenFeed,
    /// Frames repeat exactly what was shown a while before: a replayed recording.
    LoopedFeed,
    /// The mouth does not move relative to the face (nobody spoke the digits).
    NoMouthMovement,
    /// The face moves only as a whole while the mouth keeps still: a held-up photo.
    RigidMotion,
}

/// The thresholds, all visible and adjustable; [`AnalyzerConfig::default`] holds the values the
/// tests check on the synthetic clips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Time between face detections (the detector dominates the cost).
    pub detect_interval_ms: u64,
    /// Exactly one face must be seen in at least this fraction of the sampled frames.
    pub min_one_face_fraction: f32,
    /// The median face box height, as a fraction of the frame height, must reach this. The
    /// detector hardly finds faces under a fifth of the frame's longer side, and gives those it
    /// finds boxes of about that size, so the limit sits a little above.
    pub min_face_height: f32,
    /// The median mean luma (0-255) of the face box must reach this.
    pub min_brightness: f32,
    /// Two frames are the same picture when their signatures' cells differ by less than this on
    /// average (grey levels; sensor noise alone gives about 0.1 on these cell means)...
    pub same_frame_mean_diff: f32,
    /// ...and no cell differs by more than this (a moving mouth changes its cells by several).
    pub same_frame_max_diff: f32,
    /// At most this fraction of consecutive frame pairs may be the same picture (a camera that
    /// delivers every frame twice reaches 0.5).
    pub max_frozen_fraction: f32,
    /// A frame that matches one at least this much earlier counts as looped.
    pub loop_min_lag_ms: u64,
    /// "Matches" for the loop search: the mean cell difference to the earlier frame is below
    /// this (grey levels). A replay re-encoded as H.264 at 400 kbit/s stays at 0.3-0.6; a live
    /// talking head's nearest earlier frame is 0.9 or more (measured on the synthetic clips
    /// through the recorder)...
    pub loop_mean_diff: f32,
    /// ...and below this share of the difference to the previous frame, so that a still scene,
    /// where every frame is as close to the last one as to any other, does not count as looped.
    pub loop_relative_diff: f32,
    /// At most this fraction of frames may be looped.
    pub max_looped_fraction: f32,
    /// Mouth-patch activity divided by eye-band activity must reach this.
    pub min_mouth_ratio: f32,
    /// Face movement (see [`Metrics::face_motion`]) above which a face with a still mouth counts
    /// as moved rigidly.
    pub rigid_min_motion: f32,
    /// How many frame signatures are kept for the loop search (memory bound: 1.5 KB each).
    pub max_signatures: usize,
    /// Face samples below this number are too few to judge the mouth or the motion.
    pub min_face_samples: u32,
}

impl Default for AnalyzerConfig {
    fn default() -> AnalyzerConfig {
        AnalyzerConfig {
            detect_interval_ms: 100,
            min_one_face_fraction: 0.9,
            min_face_height: 0.23,
            min_brightness: 50.0,
            same_frame_mean_diff: 0.05,
            same_frame_max_diff: 1.0,
            max_frozen_fraction: 0.8,
            loop_min_lag_ms: 200,
            loop_mean_diff: 0.5,
            loop_relative_diff: 0.6,
            max_looped_fraction: 0.3,
            min_mouth_ratio: 1.3,
            rigid_min_motion: 0.3,
            max_signatures: 900,
            min_face_samples: 8,
        }
    }
}

/// What was measured; the findings are these compared with [`AnalyzerConfig`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub frames: u32,
    pub duration_ms: u64,
    /// Frames on which the detector ran.
    pub sampled_frames: u32,
    pub one_face_fraction: f32,
    pub no_face_fraction: f32,
    pub multiple_faces_fraction: f32,
    /// Median face box height / frame height, over samples with one face.
    pub face_height: f32,
    /// Median mean luma of the face box (of the frame when there was no face).
    pub brightness: f32,
    /// Fraction of consecutive frame pairs that were the same picture.
    pub frozen_fraction: f32,
    /// Fraction of frames that repeated a frame at least `loop_min_lag_ms` older.
    pub looped_fraction: f32,
    /// Mean absolute grey-level change of the mouth patch between consecutive face samples.
    pub mouth_activity: f32,
    /// The same for the eye band.
    pub eye_activity: f32,
    /// `(mouth_activity + 0.5) / (eye_activity + 0.5)`.
    pub mouth_ratio: f32,
    /// How much the face moved as a whole: spread of the eye midpoint (in eye distances) plus
    /// relative spread of the eye distance plus spread of the eye-line angle (radians).
    pub face_motion: f32,
    /// Consecutive face-sample pairs behind the two activities.
    pub patch_pairs: u32,
}

/// The result of a clip's analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivenessReport {
    pub findings: Vec<Finding>,
    pub metrics: Metrics,
}

impl LivenessReport {
    pub fn is_live(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One face sample's geometry in a frame.
#[derive(Debug, Clone, Copy)]
struct Pose {
    eyes: Point,
    eye_distance: f32,
    angle: f32,
}

struct Patches {
    pts_ms: u64,
    mouth: PatchPixels,
    eyes: PatchPixels,
}

/// Analyses one clip; see the module documentation.
pub struct Analyzer<'d> {
    detector: &'d FaceDetector,
    config: AnalyzerConfig,
    frames: u32,
    first_pts: Option<u64>,
    last_pts: u64,
    next_detect_ms: u64,
    signatures: VecDeque<(u64, Vec<u16>)>,
    same_as_previous: u32,
    looped: u32,
    samples: u32,
    no_face: u32,
    multiple_faces: u32,
    face_heights: Vec<f32>,
    brightness: Vec<f32>,
    poses: Vec<Pose>,
    /// Running mean of the mouth keypoint's offset below the eye midpoint, in eye distances.
    mouth_offset: (f32, u32),
    previous_patches: Option<Patches>,
    mouth_activity: f32,
    eye_activity: f32,
    patch_pairs: u32,
}

impl<'d> Analyzer<'d> {
    pub fn new(detector: &'d FaceDetector, config: AnalyzerConfig) -> Analyzer<'d> {
        Analyzer {
            detector,
            config,
            frames: 0,
            first_pts: None,
            last_pts: 0,
            next_detect_ms: 0,
            signatures: VecDeque::new(),
            same_as_previous: 0,
            looped: 0,
            samples: 0,
            no_face: 0,
            multiple_faces: 0,
            face_heights: Vec::new(),
            brightness: Vec::new(),
            poses: Vec::new(),
            mouth_offset: (0.0, 0),
            previous_patches: None,
            mouth_activity: 0.0,
            eye_activity: 0.0,
            patch_pairs: 0,
        }
    }

    /// Takes the next frame (in presentation order). A frame whose buffer does not match its
    /// dimensions is skipped.
    pub fn push(&mut self, pts_ms: u64, rgb: &[u8], width: u32, height: u32) {
        if check_size(rgb, width, height).is_err() {
            return;
        }
        self.frames += 1;
        self.first_pts.get_or_insert(pts_ms);
        self.last_pts = self.last_pts.max(pts_ms);
        self.compare_signature(pts_ms, signature(rgb, width, height));

        if pts_ms + self.config.detect_interval_ms / 10 >= self.next_detect_ms {
            self.next_detect_ms = if pts_ms > self.next_detect_ms + self.config.detect_interval_ms {
                pts_ms + self.config.detect_interval_ms
            } else {
                self.next_detect_ms + self.config.detect_interval_ms
            };
            let faces = self.detector.detect(rgb, width, height);
            self.sample(pts_ms, rgb, width, height, &faces);
        }
    }

    fn compare_signature(&mut self, pts_ms: u64, signature: Vec<u16>) {
        let limit = (self.config.same_frame_mean_diff, self.config.same_frame_max_diff);
        if let Some((_, previous)) = self.signatures.back() {
            if same_picture(previous, &signature, limit) {
                self.same_as_previous += 1;
            } else {
                let lag = self.config.loop_min_lag_ms;
                let to_previous = mean_diff(previous, &signature);
                let nearest_earlier = self
                    .signatures
                    .iter()
                    .filter(|(pts, _)| pts + lag <= pts_ms)
                    .map(|(_, old)| mean_diff(old, &signature))
                    .fold(f32::INFINITY, f32::min);
                if nearest_earlier < self.config.loop_mean_diff
                    && nearest_earlier < self.config.loop_relative_diff * to_previous
                {
                    self.looped += 1;
                }
            }
        }
        if self.signatures.len() >= self.config.max_signatures.max(1) {
            self.signatures.pop_front();
        }
        self.signatures.push_back((pts_ms, signature));
    }

    fn sample(&mut self, pts_ms: u64, rgb: &[u8], width: u32, height: u32, faces: &[Face]) {
        self.samples += 1;
        let face = match faces {
            [face] => face,
            [] => {
                self.no_face += 1;
                let whole = (0.0, 0.0, width as f32, height as f32);
                self.brightness.push(mean_luma(rgb, width, height, whole, 4));
                self.previous_patches = None;
                return;
            }
            _ => {
                self.multiple_faces += 1;
                let whole = (0.0, 0.0, width as f32, height as f32);
                self.brightness.push(mean_luma(rgb, width, height, whole, 4));
                self.previous_patches = None;
                return;
            }
        };
        let b = face.bbox;
        self.face_heights.push(b.height / height as f32);
        let face_box = (b.x, b.y, b.x + b.width, b.y + b.height);
        self.brightness.push(mean_luma(rgb, width, height, face_box, 2));

        let (re, le) = (face.right_eye(), face.left_eye());
        let eye_distance = face.eye_distance();
        if eye_distance < 4.0 {
            self.previous_patches = None;
            return;
        }
        let pose = Pose {
            eyes: Point { x: (re.x + le.x) / 2.0, y: (re.y + le.y) / 2.0 },
            eye_distance,
            angle: (le.y - re.y).atan2(le.x - re.x),
        };
        self.poses.push(pose);

        // The face's own axes: along the eye line and down from it, one eye distance long.
        let (sin, cos) = pose.angle.sin_cos();
        let across = (cos * eye_distance, sin * eye_distance);
        let down = (-sin * eye_distance, cos * eye_distance);
        let m = face.mouth_centre();
        let offset = ((m.x - pose.eyes.x) * down.0 + (m.y - pose.eyes.y) * down.1)
            / (eye_distance * eye_distance);
        let (sum, n) = self.mouth_offset;
        self.mouth_offset = (sum + offset, n + 1);
        let mouth_offset = (sum + offset) / (n + 1) as f32;

        let at = |along: f32, below: f32| Point {
            x: pose.eyes.x + along * across.0 + below * down.0,
            y: pose.eyes.y + along * across.1 + below * down.1,
        };
        // Mouth patch: lips, the opening below them and the chin; eye band: both eyes and brows.
        let mouth_region =
            Region { centre: at(0.0, mouth_offset + 0.15), across, down, size: (1.1, 0.8) };
        let eye_region = Region { centre: at(0.0, -0.05), across, down, size: (1.6, 0.5) };
        let frame = (rgb, width, height);
        let current = Patches {
            pts_ms,
            mouth: mouth_region.patch(frame, (0.0, 0.0)),
            eyes: eye_region.patch(frame, (0.0, 0.0)),
        };
        if let Some(previous) = &self.previous_patches {
            if pts_ms.saturating_sub(previous.pts_ms) <= 3 * self.config.detect_interval_ms {
                self.mouth_activity += mouth_region.registered_diff(frame, &previous.mouth);
                self.eye_activity += eye_region.registered_diff(frame, &previous.eyes);
                self.patch_pairs += 1;
            }
        }
        self.previous_patches = Some(current);
    }

    /// The findings and the metrics behind them.
    pub fn finish(self) -> LivenessReport {
        let c = &self.config;
        let samples = self.samples.max(1) as f32;
        let one_face = self.samples - self.no_face - self.multiple_faces;
        let pairs = self.patch_pairs.max(1) as f32;
        let mouth_activity = self.mouth_activity / pairs;
        let eye_activity = self.eye_activity / pairs;
        let metrics = Metrics {
            frames: self.frames,
            duration_ms: self.last_pts - self.first_pts.unwrap_or(0),
            sampled_frames: self.samples,
            one_face_fraction: one_face as f32 / samples,
            no_face_fraction: self.no_face as f32 / samples,
            multiple_faces_fraction: self.multiple_faces as f32 / samples,
            face_height: median(self.face_heights.clone()),
            brightness: median(self.brightness.clone()),
            frozen_fraction: self.same_as_previous as f32
                / self.frames.saturating_sub(1).max(1) as f32,
            looped_fraction: self.looped as f32 / self.frames.max(1) as f32,
            mouth_activity,
            eye_activity,
            mouth_ratio: (mouth_activity + ACTIVITY_FLOOR) / (eye_activity + ACTIVITY_FLOOR),
            face_motion: face_motion(&self.poses),
            patch_pairs: self.patch_pairs,
        };

        let mut findings = Vec::new();
        let m = &metrics;
        if m.sampled_frames == 0 || m.one_face_fraction < c.min_one_face_fraction {
            if m.multiple_faces_fraction > m.no_face_fraction {
                findings.push(Finding::MultipleFaces);
            } else {
                findings.push(Finding::NoFace);
            }
        }
        if one_face > 0 && m.face_height < c.min_face_height {
            findings.push(Finding::FaceTooSmall);
        }
        if m.sampled_frames > 0 && m.brightness < c.min_brightness {
            findings.push(Finding::TooDark);
        }
        let frozen = m.frozen_fraction > c.max_frozen_fraction;
        if frozen {
            findings.push(Finding::FrozenFeed);
        } else if m.looped_fraction > c.max_looped_fraction {
            findings.push(Finding::LoopedFeed);
        }
        // The mouth and the motion are judged only on enough face samples.
        let enough = one_face >= c.min_face_samples && self.patch_pairs + 1 >= c.min_face_samples;
        if enough && m.mouth_ratio < c.min_mouth_ratio {
            findings.push(Finding::NoMouthMovement);
            if m.face_motion > c.rigid_min_motion {
                findings.push(Finding::RigidMotion);
            }
        }
        LivenessReport { findings, metrics }
    }
}

/// Cell means carry this many fractional steps per grey level.
const SIGNATURE_SCALE: f32 = 64.0;

/// The mean grey of each cell of a 32x24 grid over the frame (every other pixel of every other
/// row), in 1/64 grey levels.
fn signature(rgb: &[u8], width: u32, height: u32) -> Vec<u16> {
    let (w, h) = (width as usize, height as usize);
    let (cells_x, cells_y) = (SIGNATURE_W as usize, SIGNATURE_H as usize);
    let column_cell: Vec<usize> = (0..w).map(|x| x * cells_x / w).collect();
    let mut sums = vec![0u32; cells_x * cells_y];
    let mut counts = vec![0u32; cells_x * cells_y];
    for y in (0..h).step_by(2) {
        let row_cells = &mut sums[(y * cells_y / h) * cells_x..][..cells_x];
        let row_counts = &mut counts[(y * cells_y / h) * cells_x..][..cells_x];
        let row = &rgb[y * w * 3..(y + 1) * w * 3];
        for x in (0..w).step_by(2) {
            let px = &row[x * 3..x * 3 + 3];
            // BT.601 luma in integer weights summing to 256.
            let grey = 77 * px[0] as u32 + 150 * px[1] as u32 + 29 * px[2] as u32;
            row_cells[column_cell[x]] += grey;
            row_counts[column_cell[x]] += 1;
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(&sum, &n)| {
            let mean = sum as f32 / 256.0 / n.max(1) as f32;
            (mean * SIGNATURE_SCALE).round() as u16
        })
        .collect()
}

/// The mean difference of two signatures' cells, in grey levels (infinite when they do not
/// compare).
fn mean_diff(a: &[u16], b: &[u16]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return f32::INFINITY;
    }
    let total: u32 = a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(*y))).sum();
    total as f32 / SIGNATURE_SCALE / a.len() as f32
}

/// Whether two signatures show the same picture: mean cell difference below `limit.0` and no
/// cell differing by more than `limit.1` grey levels.
fn same_picture(a: &[u16], b: &[u16], (mean_limit, max_limit): (f32, f32)) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    let max_step = (max_limit * SIGNATURE_SCALE) as u32;
    let budget = (mean_limit * SIGNATURE_SCALE * a.len() as f32) as u32;
    let mut total = 0u32;
    for (x, y) in a.iter().zip(b) {
        let d = x.abs_diff(*y) as u32;
        total += d;
        if d > max_step || total > budget {
            return false;
        }
    }
    true
}

/// A face region in frame pixels: centre, the face's axes (one eye distance long each) and its
/// size in eye distances along each axis.
struct Region {
    centre: Point,
    across: (f32, f32),
    down: (f32, f32),
    size: (f32, f32),
}

impl Region {
    /// A grey patch of `PATCH_W x PATCH_H` samples over the region, its centre shifted by `shift`
    /// eye distances, with its mean subtracted (so lighting changes do not count as activity).
    fn patch(&self, (rgb, width, height): (&[u8], u32, u32), shift: (f32, f32)) -> PatchPixels {
        let mut out = [0.0; PATCH_W * PATCH_H];
        let (a0, b0) = shift;
        for j in 0..PATCH_H {
            let b = b0 + ((j as f32 + 0.5) / PATCH_H as f32 - 0.5) * self.size.1;
            for i in 0..PATCH_W {
                let a = a0 + ((i as f32 + 0.5) / PATCH_W as f32 - 0.5) * self.size.0;
                let x = self.centre.x + a * self.across.0 + b * self.down.0;
                let y = self.centre.y + a * self.across.1 + b * self.down.1;
                out[j * PATCH_W + i] = luma_bilinear(rgb, width, height, x, y);
            }
        }
        let mean = out.iter().sum::<f32>() / out.len() as f32;
        out.iter_mut().for_each(|v| *v -= mean);
        out
    }

    /// The smallest mean absolute difference to `previous` over small shifts of this region (up
    /// to 0.06 eye distances each way, coarse then fine): the detector's keypoints wobble by a
    /// pixel or two from frame to frame, and that wobble must not count as movement inside the
    /// face.
    fn registered_diff(&self, frame: (&[u8], u32, u32), previous: &PatchPixels) -> f32 {
        let mut best = (f32::MAX, (0.0, 0.0));
        for step in [0.04, 0.02] {
            let centre = best.1;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let shift = (centre.0 + dx as f32 * step, centre.1 + dy as f32 * step);
                    let diff = mean_abs_diff(&self.patch(frame, shift), previous);
                    if diff < best.0 {
                        best = (diff, shift);
                    }
                }
            }
        }
        best.0
    }
}

type PatchPixels = [f32; PATCH_W * PATCH_H];

fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len().max(1) as f32
}

fn median(mut values: Vec<f32>) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

fn std_dev(values: impl Iterator<Item = f32> + Clone) -> f32 {
    let n = values.clone().count().max(1) as f32;
    let mean = values.clone().sum::<f32>() / n;
    (values.map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt()
}

/// Spread of the eye midpoint in mean eye distances, plus relative spread of the eye distance, plus
/// spread of the eye-line angle in radians.
fn face_motion(poses: &[Pose]) -> f32 {
    if poses.len() < 2 {
        return 0.0;
    }
    let scale = poses.iter().map(|p| p.eye_distance).sum::<f32>() / poses.len() as f32;
    let x = std_dev(poses.iter().map(|p| p.eyes.x));
    let y = std_dev(poses.iter().map(|p| p.eyes.y));
    let size = std_dev(poses.iter().map(|p| p.eye_distance));
    let angle = std_dev(poses.iter().map(|p| p.angle));
    (x * x + y * y).sqrt() / scale + size / scale + angle
}
