//! Face detection, pre-flight hints, liveness analysis and synthetic test clips for Signet's face
//! method (real-name method D).
//!
//! - [`FaceDetector`] runs MediaPipe's BlazeFace short-range model (committed under `models/`,
//!   converted to ONNX, run with tract) and returns [`Face`]s with six keypoints.
//! - [`preflight()`] turns one camera frame and its faces into a [`Hint`] for the live preview.
//! - [`liveness::Analyzer`] watches a whole clip frame by frame and reports
//!   [`liveness::Finding`]s: no face, several faces, frozen or looped feed, a mouth that does not move
//!   relative to the face, a face that moves only as a whole (a held-up photo).
//! - [`synthetic`] generates deterministic clips from a committed real face photo, for tests and
//!   for the desktop app's synthetic camera.
//!
//! Frames are packed 8-bit RGB, row by row, `width * height * 3` bytes. Nothing here reads files or
//! the network: the model and the photo are compiled in.
#![forbid(unsafe_code)]

mod detector;
mod frame;
pub mod liveness;
pub mod preflight;
pub mod synthetic;

pub use detector::{Face, FaceDetector, Point, Rect};
pub use preflight::{preflight, Hint};

/// What can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    /// The committed model could not be loaded or run (a build or conversion fault, not user input).
    #[error("face detection model: {0}")]
    Model(String),
    /// A frame buffer whose length does not match its dimensions.
    #[error("frame of {width}x{height} needs {expected} RGB bytes, got {actual}")]
    FrameSize { width: u32, height: u32, expected: usize, actual: usize },
}

impl VisionError {
    /// A stable code for callers that branch on the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            VisionError::Model(_) => "vision_model",
            VisionError::FrameSize { .. } => "vision_frame_size",
        }
    }
}
