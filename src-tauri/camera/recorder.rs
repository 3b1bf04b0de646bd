//! Turns the recorded frames into the clip that is uploaded, in memory.
//!
//! Stand-in until `signet_video::H264Recorder` is available: the frames as a sequence of JPEGs
//! (the platform cannot analyse it; the flow around it can be exercised). The seam is
//! [`ClipRecorder`]: the real recorder takes RGB frames with their timestamps and finishes into
//! a fast-start H.264 MP4.

use super::source::encode_jpeg;
use super::CameraError;

/// Frames per second the recording keeps (the camera may deliver more).
pub const RECORD_FPS: u32 = 15;

pub trait ClipRecorder {
    fn push_rgb(&mut self, pts_ms: u64, rgb: &[u8]) -> Result<(), CameraError>;
    fn finish(self: Box<Self>) -> Result<Vec<u8>, CameraError>;
    /// The clip's media type, as the upload declares it.
    fn media_type(&self) -> &'static str;
}

/// Makes a recorder for frames of `width` x `height`.
pub fn new_recorder(width: u32, height: u32) -> Result<Box<dyn ClipRecorder>, CameraError> {
    Ok(Box::new(JpegSequence { width, height, bytes: Vec::new() }))
}

struct JpegSequence {
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

impl ClipRecorder for JpegSequence {
    fn push_rgb(&mut self, _pts_ms: u64, rgb: &[u8]) -> Result<(), CameraError> {
        self.bytes.extend(encode_jpeg(rgb, self.width, self.height, 70)?);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, CameraError> {
        Ok(self.bytes)
    }

    fn media_type(&self) -> &'static str {
        "video/x-motion-jpeg"
    }
}
