//! The live preview's advice before recording: one hint per frame.

use serde::{Deserialize, Serialize};

use crate::frame::{check_size, mean_luma};
use crate::Face;

/// Below this mean luma (0-255) of the frame or of the face, the picture is too dark to judge.
pub const MIN_BRIGHTNESS: f32 = 50.0;
/// A face box shorter than this fraction of the frame height is too far away. The detector finds
/// faces down to about an eighth of the frame height, but boxes of such small faces come out too
/// large (a face of 70 px in a 640x480 frame gets a box of about 105 px), so the limit leaves room.
pub const MIN_FACE_HEIGHT: f32 = 0.25;
/// A face box taller than this fraction of the frame height is too close.
pub const MAX_FACE_HEIGHT: f32 = 0.65;
/// The face centre may be this far from the frame centre, as a fraction of width and height.
pub const MAX_CENTRE_OFFSET: (f32, f32) = (0.18, 0.2);

/// What the person in front of the camera should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    /// Exactly one face, well lit, well placed: recording may start.
    Ready,
    NoFace,
    MultipleFaces,
    TooFar,
    TooClose,
    TooDark,
    OffCentre,
}

/// The hint for one frame and the faces the detector found in it. Darkness comes first (in the
/// dark the detector finds nothing, and "no face" would send the person looking for the wrong
/// fix), then the number of faces, then size, then position.
pub fn preflight(rgb: &[u8], width: u32, height: u32, faces: &[Face]) -> Hint {
    if check_size(rgb, width, height).is_err() {
        return Hint::NoFace;
    }
    let (w, h) = (width as f32, height as f32);
    if mean_luma(rgb, width, height, (0.0, 0.0, w, h), 4) < MIN_BRIGHTNESS {
        return Hint::TooDark;
    }
    let face = match faces {
        [] => return Hint::NoFace,
        [face] => face,
        _ => return Hint::MultipleFaces,
    };
    let b = face.bbox;
    if mean_luma(rgb, width, height, (b.x, b.y, b.x + b.width, b.y + b.height), 2) < MIN_BRIGHTNESS
    {
        return Hint::TooDark;
    }
    let size = b.height / h;
    if size < MIN_FACE_HEIGHT {
        return Hint::TooFar;
    }
    if size > MAX_FACE_HEIGHT {
        return Hint::TooClose;
    }
    let c = b.centre();
    if (c.x - w / 2.0).abs() > MAX_CENTRE_OFFSET.0 * w
        || (c.y - h / 2.0).abs() > MAX_CENTRE_OFFSET.1 * h
    {
        return Hint::OffCentre;
    }
    Hint::Ready
}
