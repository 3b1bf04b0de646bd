//! Hand-drawn signatures (签名维护): the drawing the pad records, the quality check run before
//! saving, and the deterministic rendering to a transparent PNG and an SVG.
//!
//! - [`Drawing`]: the raw pointer samples ([`StrokePoint`]) of each [`SignatureStroke`] with the
//!   [`PenStyle`]. It is the source of truth: images are always rendered again from it.
//! - [`check_drawing`] → `Ok(())` or a [`DrawingProblem`] telling the user what to do.
//! - [`render`] → [`RenderedSignature`]: PNG and SVG built from one outline, trimmed to the ink.
//!
//! How ink is drawn: each stroke's samples are thinned (points closer than
//! [`MIN_POINT_SPACING`] merge), speed and pressure per sample are low-pass filtered
//! ([`VELOCITY_FILTER`], [`PRESSURE_FILTER`]), and the ink width at a sample is the pen's
//! nominal width times a speed factor (thinner when fast, see [`MIN_SPEED_FACTOR`] and
//! [`SPEED_HALF`]) times a pressure factor (see [`ink_width`]). The centre line is a centripetal
//! Catmull-Rom curve through the samples, cut into straight pieces that stay within 0.1 output
//! px of the curve. Its outline is a union of filled shapes: quadrilaterals between neighbouring
//! circles of the stroke (joined into one polygon while the curve bends gently) and discs at both
//! ends and at sharp turns, so caps and corners are round and a one-point stroke is a disc.
//! Every shape winds the same way and is filled with the non-zero rule, so overlaps never cut
//! holes. Coordinates are rounded to 1/100 output pixel *before* they go to the rasteriser and
//! to the SVG, so both draw exactly the same numbers.
//!
//! JSON of a drawing, as the UI sends it:
//!
//! ```json
//! {"strokes":[{"points":[{"x":10.5,"y":20,"t":0,"p":0.5},{"x":12,"y":21,"t":16,"p":0.5}]}],
//!  "pen":{"color":"black","width":3}}
//! ```

use serde::{Deserialize, Serialize};

mod check;
mod ink;
mod outline;
mod raster;
#[cfg(test)]
mod testing;

pub use check::check_drawing;
pub use ink::ink_width;
pub use raster::render;

/// Most points in one drawing (all strokes together).
pub const MAX_POINTS: usize = 20_000;
/// Most strokes in one drawing.
pub const MAX_STROKES: usize = 500;
/// Largest accepted coordinate magnitude, in CSS px.
pub const MAX_COORDINATE: f32 = 100_000.0;
/// Narrowest accepted nominal pen width, in CSS px.
pub const MIN_PEN_WIDTH: f32 = 1.0;
/// Widest accepted nominal pen width, in CSS px.
pub const MAX_PEN_WIDTH: f32 = 8.0;

/// A drawing whose points all fit in a box this many CSS px on its longer side is a
/// [`DrawingProblem::Dot`].
pub const DOT_MAX_EXTENT: f32 = 6.0;
/// A drawing is a [`DrawingProblem::StraightLine`] when no point lies farther from the principal
/// axis of all points than this fraction of the drawing's length along that axis...
pub const STRAIGHT_LINE_MAX_DEVIATION: f32 = 0.03;
/// ...and the pen travelled at most this many times that length (a line traced back over
/// itself still counts; a long, flat run of loops does not).
pub const STRAIGHT_LINE_MAX_TRAVEL: f32 = 2.5;
/// The points' bounding box must be at least this wide on its longer side (CSS px), else
/// [`DrawingProblem::TooSmall`].
pub const MIN_INK_LONG_SIDE: f32 = 40.0;
/// The points' bounding box must be at least this tall on its shorter side (CSS px), else
/// [`DrawingProblem::TooSmall`].
pub const MIN_INK_SHORT_SIDE: f32 = 15.0;
/// Least total pen travel (all strokes, CSS px) for a name, else [`DrawingProblem::TooLittleInk`].
/// One hastily written Chinese character is usually 150-400 px of travel on a desktop pad.
pub const MIN_INK_LENGTH: f32 = 150.0;
/// Least number of points (all strokes) for a name, else [`DrawingProblem::TooLittleInk`].
pub const MIN_INK_POINTS: usize = 10;

/// Output pixels per CSS px of the saved images.
pub const RENDER_SCALE: f32 = 3.0;
/// Smallest scale [`render`] uses; smaller requests are raised to it.
pub const MIN_RENDER_SCALE: f32 = 0.5;
/// Largest scale [`render`] uses; larger requests are lowered to it.
pub const MAX_RENDER_SCALE: f32 = 8.0;
/// Transparent margin around the ink in the rendered images, in CSS px.
pub const RENDER_MARGIN: f32 = 8.0;
/// Longest side of a rendered image, in pixels; a larger drawing is rendered at a lower scale.
pub const MAX_RENDER_SIDE: u32 = crate::api::MAX_SIGNATURE_SIDE_PX;

/// Consecutive samples of a stroke closer than this (CSS px) are merged before smoothing.
pub const MIN_POINT_SPACING: f32 = 0.75;
/// Weight of the newest speed in the low-pass filtered speed (signature_pad uses the same 0.7).
pub const VELOCITY_FILTER: f32 = 0.7;
/// Weight of the newest pressure in the low-pass filtered pressure (tablets report noisy steps).
pub const PRESSURE_FILTER: f32 = 0.5;
/// Ink width factor at very high speed; at rest the factor is 1.
pub const MIN_SPEED_FACTOR: f32 = 0.35;
/// Speed (CSS px per ms) at which the speed factor is halfway between 1 and [`MIN_SPEED_FACTOR`].
pub const SPEED_HALF: f32 = 1.2;
/// Narrowest ink, in CSS px, whatever the speed and pressure.
pub const MIN_INK_WIDTH: f32 = 0.5;

/// One sampled pointer position: CSS pixels on the pad, milliseconds since the stroke's
/// pointerdown (or any monotonic ms), pressure 0..=1 (0.5 when the device reports none).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t: f64,
    #[serde(default = "default_pressure")]
    pub p: f32,
}

fn default_pressure() -> f32 {
    0.5
}

/// One pen-down to pen-up movement. A stroke with one point is a dot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureStroke {
    pub points: Vec<StrokePoint>,
}

/// Ink colour of a drawn signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InkColor {
    /// Near-black `#1a1a1a`, RGB (26, 26, 26).
    Black,
    /// Document-ink blue `#1d3fbb`, RGB (29, 63, 187).
    Blue,
}

impl InkColor {
    /// The colour as 8-bit sRGB.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Self::Black => [0x1a, 0x1a, 0x1a],
            Self::Blue => [0x1d, 0x3f, 0xbb],
        }
    }

    /// The colour as a CSS hex colour, as written in the SVG.
    pub fn hex(self) -> &'static str {
        match self {
            Self::Black => "#1a1a1a",
            Self::Blue => "#1d3fbb",
        }
    }
}

/// The pen the drawing was made with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PenStyle {
    pub color: InkColor,
    /// Nominal ink width in CSS px, [`MIN_PEN_WIDTH`]..=[`MAX_PEN_WIDTH`]: the width of a
    /// resting pen at pressure 0.5. Faster strokes are thinner, harder pressed ones thicker.
    pub width: f32,
}

/// A hand-drawn signature as recorded on the pad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    pub strokes: Vec<SignatureStroke>,
    pub pen: PenStyle,
}

/// Why a drawing cannot be saved. Serialises as `{"reason": "snake_case", ...fields}`; the UI
/// shows its own text for each reason, `Display` is a short English message for developers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DrawingProblem {
    /// Nothing was drawn. The user must sign on the pad.
    #[error("nothing was drawn")]
    Empty,
    /// The signature is too small to read. The user must clear the pad and sign larger.
    #[error("the signature is too small")]
    TooSmall,
    /// The drawing is one straight line. The user must clear the pad and write their name.
    #[error("the drawing is a straight line")]
    StraightLine,
    /// The drawing is a dot or a tap. The user must clear the pad and write their name.
    #[error("the drawing is a dot")]
    Dot,
    /// Too little was written for a name. The user must clear the pad and write their full name.
    #[error("too little ink for a name")]
    TooLittleInk,
    /// The drawing has more than `max` points or more than `max_strokes` strokes. The user must
    /// clear the pad and sign again, more briefly.
    #[error("the drawing has too many points (at most {max} points in {max_strokes} strokes)")]
    TooManyPoints { max: usize, max_strokes: usize },
    /// Point `point` of stroke `stroke` (both from 0) has a coordinate or time that is not a
    /// finite number, a coordinate beyond [`MAX_COORDINATE`], or a pressure outside 0..=1. The
    /// pad sent something broken: the user should clear it and sign again.
    #[error("point {point} of stroke {stroke} is invalid")]
    InvalidPoint { stroke: usize, point: usize },
    /// The pen width is outside [`MIN_PEN_WIDTH`]..=[`MAX_PEN_WIDTH`]. The user must pick one of
    /// the offered pen widths.
    #[error("the pen width is out of range")]
    InvalidPen,
}

/// A drawing rendered for saving: a transparent RGBA PNG and an SVG of the same outline, both
/// `width` × `height` pixels (the SVG's `viewBox` is in these pixels).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedSignature {
    pub png: Vec<u8>,
    pub svg: String,
    pub width: u32,
    pub height: u32,
    /// Output pixels per CSS px actually used: the requested scale, lowered when the image
    /// would exceed [`MAX_RENDER_SIDE`] or the platform's size limits.
    pub scale: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_reads_from_the_json_the_pad_sends() {
        let json = r#"{"strokes":[{"points":[{"x":1,"y":2.5,"t":0,"p":0.5},
            {"x":3,"y":4,"t":16.7,"p":1}]}],"pen":{"color":"blue","width":3}}"#;
        let drawing: Drawing = serde_json::from_str(json).expect("valid drawing JSON");
        assert_eq!(drawing.pen, PenStyle { color: InkColor::Blue, width: 3.0 });
        assert_eq!(drawing.strokes[0].points[1], StrokePoint { x: 3.0, y: 4.0, t: 16.7, p: 1.0 });
    }

    #[test]
    fn a_point_without_pressure_reads_as_half_pressure() {
        let point: StrokePoint = serde_json::from_str(r#"{"x":1,"y":2,"t":3}"#).expect("point");
        assert_eq!(point.p, 0.5);
    }

    #[test]
    fn problems_serialise_with_a_snake_case_reason() {
        let json = serde_json::to_value(DrawingProblem::TooManyPoints { max: 1, max_strokes: 2 })
            .expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"reason": "too_many_points", "max": 1, "max_strokes": 2})
        );
        let json = serde_json::to_value(DrawingProblem::StraightLine).expect("serialises");
        assert_eq!(json, serde_json::json!({"reason": "straight_line"}));
    }
}
