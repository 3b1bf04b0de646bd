//! BlazeFace short-range face detection.
//!
//! The model takes a 128x128 RGB image scaled to [-1, 1] and scores 896 fixed anchors; each anchor
//! regresses a box and six keypoints relative to its centre. A frame is letterboxed (scaled to fit,
//! black bars) so faces keep their proportions, and overlapping detections are merged by weighted
//! non-maximum suppression as MediaPipe does. The decoding constants below are those of MediaPipe's
//! `face_detection_short_range` graph.

use serde::{Deserialize, Serialize};
use tract_onnx::prelude::*;

use crate::frame::check_size;
use crate::VisionError;

/// The converted model; see `models/MODEL.md` for where it comes from and how it was converted.
static MODEL_ONNX: &[u8] = include_bytes!("../models/face_detection_short_range.onnx");

const INPUT_SIZE: usize = 128;
const ANCHORS: usize = 896;
const REGRESSORS: usize = 16;
/// MediaPipe's `min_score_thresh` for this model.
const MIN_SCORE: f32 = 0.5;
/// MediaPipe's `min_suppression_threshold` (intersection over union).
const NMS_IOU: f32 = 0.3;

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// An axis-aligned rectangle in frame pixels; (x, y) is the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    pub fn centre(&self) -> Point {
        Point { x: self.x + self.width / 2.0, y: self.y + self.height / 2.0 }
    }

    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Intersection over union with another rectangle (0 when they do not overlap).
    pub fn iou(&self, other: &Rect) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.width).min(other.x + other.width);
        let y1 = (self.y + self.height).min(other.y + other.height);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }
}

/// One detected face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Face {
    /// The face box in frame pixels (roughly brows to chin, ear to ear).
    pub bbox: Rect,
    /// Detection confidence, 0.5 to 1.
    pub score: f32,
    /// Right eye, left eye, nose tip, mouth centre, right ear, left ear; "right" is the person's
    /// right, which is on the left of an unmirrored frame.
    pub keypoints: [Point; 6],
}

impl Face {
    pub fn right_eye(&self) -> Point {
        self.keypoints[0]
    }
    pub fn left_eye(&self) -> Point {
        self.keypoints[1]
    }
    pub fn nose_tip(&self) -> Point {
        self.keypoints[2]
    }
    pub fn mouth_centre(&self) -> Point {
        self.keypoints[3]
    }
    /// Distance between the eyes in pixels: the face's own length unit.
    pub fn eye_distance(&self) -> f32 {
        let (a, b) = (self.right_eye(), self.left_eye());
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    }
}

type Plan = TypedRunnableModel<TypedModel>;

/// The BlazeFace short-range detector. Loading takes a few milliseconds; share one detector
/// (`detect` takes `&self`) rather than loading it per frame.
pub struct FaceDetector {
    plan: Plan,
    anchors: Vec<(f32, f32)>,
}

impl std::fmt::Debug for FaceDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceDetector").finish_non_exhaustive()
    }
}

impl FaceDetector {
    pub fn new() -> Result<FaceDetector, VisionError> {
        let model_error = |e: TractError| VisionError::Model(format!("{e:#}"));
        let plan = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(MODEL_ONNX))
            .map_err(model_error)?
            .into_optimized()
            .map_err(model_error)?
            .into_runnable()
            .map_err(model_error)?;
        Ok(FaceDetector { plan, anchors: anchors() })
    }

    /// Faces in an RGB frame, best first. A buffer that does not match its dimensions has no faces
    /// (see [`FaceDetector::try_detect`] for the error).
    pub fn detect(&self, rgb: &[u8], width: u32, height: u32) -> Vec<Face> {
        self.try_detect(rgb, width, height).unwrap_or_default()
    }

    /// Like [`FaceDetector::detect`], with the reason when a frame cannot be examined.
    pub fn try_detect(
        &self,
        rgb: &[u8],
        width: u32,
        height: u32,
    ) -> Result<Vec<Face>, VisionError> {
        check_size(rgb, width, height)?;
        let letterbox = Letterbox::new(width, height);
        let input = letterbox.input_tensor(rgb, width, height);
        let outputs =
            self.plan.run(tvec!(input.into())).map_err(|e| VisionError::Model(format!("{e:#}")))?;
        let (regressors, scores) = match (outputs.first(), outputs.get(1)) {
            (Some(r), Some(s)) => (r, s),
            _ => return Err(VisionError::Model("expected two outputs".into())),
        };
        let regressors =
            regressors.as_slice::<f32>().map_err(|e| VisionError::Model(format!("{e:#}")))?;
        let scores = scores.as_slice::<f32>().map_err(|e| VisionError::Model(format!("{e:#}")))?;
        if regressors.len() != ANCHORS * REGRESSORS || scores.len() != ANCHORS {
            return Err(VisionError::Model("unexpected output shapes".into()));
        }
        let candidates = self.decode(regressors, scores, &letterbox);
        Ok(weighted_nms(candidates))
    }

    fn decode(&self, regressors: &[f32], scores: &[f32], letterbox: &Letterbox) -> Vec<Face> {
        let size = INPUT_SIZE as f32;
        let mut faces = Vec::new();
        for (i, &(ax, ay)) in self.anchors.iter().enumerate() {
            let score = sigmoid(scores[i].clamp(-100.0, 100.0));
            if score < MIN_SCORE {
                continue;
            }
            let r = &regressors[i * REGRESSORS..(i + 1) * REGRESSORS];
            // Anchor-relative, in input pixels; the anchors are in [0, 1].
            let cx = r[0] / size + ax;
            let cy = r[1] / size + ay;
            let w = r[2] / size;
            let h = r[3] / size;
            let top_left = letterbox.to_frame(cx - w / 2.0, cy - h / 2.0);
            let bottom_right = letterbox.to_frame(cx + w / 2.0, cy + h / 2.0);
            let mut keypoints = [Point::default(); 6];
            for (k, p) in keypoints.iter_mut().enumerate() {
                *p = letterbox.to_frame(r[4 + 2 * k] / size + ax, r[5 + 2 * k] / size + ay);
            }
            faces.push(Face {
                bbox: Rect {
                    x: top_left.x,
                    y: top_left.y,
                    width: bottom_right.x - top_left.x,
                    height: bottom_right.y - top_left.y,
                },
                score,
                keypoints,
            });
        }
        faces
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Anchor centres of MediaPipe's SSD anchor calculator for this model: strides 8, 16, 16, 16 over a
/// 128x128 input, two anchors per layer and cell, fixed anchor size (so only centres matter).
fn anchors() -> Vec<(f32, f32)> {
    let strides = [8usize, 16, 16, 16];
    let mut anchors = Vec::with_capacity(ANCHORS);
    let mut layer = 0;
    while layer < strides.len() {
        let stride = strides[layer];
        let mut same = layer;
        while same < strides.len() && strides[same] == stride {
            same += 1;
        }
        let per_cell = 2 * (same - layer);
        let cells = INPUT_SIZE.div_ceil(stride);
        for y in 0..cells {
            for x in 0..cells {
                for _ in 0..per_cell {
                    anchors
                        .push(((x as f32 + 0.5) / cells as f32, (y as f32 + 0.5) / cells as f32));
                }
            }
        }
        layer = same;
    }
    debug_assert_eq!(anchors.len(), ANCHORS);
    anchors
}

/// MediaPipe's weighted non-maximum suppression: each group of overlapping detections becomes
/// their score-weighted average, keeping the best score.
fn weighted_nms(mut candidates: Vec<Face>) -> Vec<Face> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut faces = Vec::new();
    while let Some(best) = candidates.first().cloned() {
        let (group, rest): (Vec<Face>, Vec<Face>) =
            candidates.into_iter().partition(|c| c.bbox.iou(&best.bbox) > NMS_IOU);
        candidates = rest;
        let total: f32 = group.iter().map(|f| f.score).sum();
        let mut merged =
            Face { bbox: Rect::default(), score: best.score, keypoints: [Point::default(); 6] };
        for face in &group {
            let w = face.score / total;
            merged.bbox.x += face.bbox.x * w;
            merged.bbox.y += face.bbox.y * w;
            merged.bbox.width += face.bbox.width * w;
            merged.bbox.height += face.bbox.height * w;
            for (m, p) in merged.keypoints.iter_mut().zip(face.keypoints.iter()) {
                m.x += p.x * w;
                m.y += p.y * w;
            }
        }
        faces.push(merged);
    }
    faces
}

/// How a frame maps onto the square model input: scaled to fit, centred, black around it.
struct Letterbox {
    scale: f32,
    content_w: usize,
    content_h: usize,
    pad_x: usize,
    pad_y: usize,
}

impl Letterbox {
    fn new(width: u32, height: u32) -> Letterbox {
        let scale = INPUT_SIZE as f32 / width.max(height) as f32;
        let content_w = ((width as f32 * scale).round() as usize).clamp(1, INPUT_SIZE);
        let content_h = ((height as f32 * scale).round() as usize).clamp(1, INPUT_SIZE);
        Letterbox {
            scale,
            content_w,
            content_h,
            pad_x: (INPUT_SIZE - content_w) / 2,
            pad_y: (INPUT_SIZE - content_h) / 2,
        }
    }

    /// From normalised model coordinates to frame pixels.
    fn to_frame(&self, nx: f32, ny: f32) -> Point {
        let size = INPUT_SIZE as f32;
        Point {
            x: (nx * size - self.pad_x as f32) / self.scale,
            y: (ny * size - self.pad_y as f32) / self.scale,
        }
    }

    /// The NCHW input tensor: each model pixel is the mean of the frame pixels it covers (a box
    /// filter, so downscaling does not alias), mapped from 0..255 to -1..1; bars are black (-1).
    fn input_tensor(&self, rgb: &[u8], width: u32, height: u32) -> Tensor {
        let plane = INPUT_SIZE * INPUT_SIZE;
        let mut data = vec![-1.0f32; 3 * plane];
        let span = |i: usize, content: usize, full: u32| {
            let start = (i * full as usize) / content;
            let end = (((i + 1) * full as usize) / content).max(start + 1);
            (start, end.min(full as usize))
        };
        let columns: Vec<(usize, usize)> =
            (0..self.content_w).map(|x| span(x, self.content_w, width)).collect();
        let mut sums = vec![[0u32; 3]; self.content_w];
        for oy in 0..self.content_h {
            let (y0, y1) = span(oy, self.content_h, height);
            sums.iter_mut().for_each(|s| *s = [0; 3]);
            for y in y0..y1 {
                let row = &rgb[y * width as usize * 3..(y + 1) * width as usize * 3];
                for (sum, &(x0, x1)) in sums.iter_mut().zip(columns.iter()) {
                    for px in row[x0 * 3..x1 * 3].chunks_exact(3) {
                        sum[0] += px[0] as u32;
                        sum[1] += px[1] as u32;
                        sum[2] += px[2] as u32;
                    }
                }
            }
            for (ox, (sum, &(x0, x1))) in sums.iter().zip(columns.iter()).enumerate() {
                let n = ((x1 - x0) * (y1 - y0)) as f32;
                let at = (oy + self.pad_y) * INPUT_SIZE + ox + self.pad_x;
                for c in 0..3 {
                    data[c * plane + at] = sum[c] as f32 / n / 127.5 - 1.0;
                }
            }
        }
        // The shape always matches the data, so this cannot fail.
        Tensor::from_shape(&[1, 3, INPUT_SIZE, INPUT_SIZE], &data)
            .unwrap_or_else(|_| Tensor::from(0f32))
    }
}
