//! Turns the recorded frames into the clip that is uploaded: a fast-start H.264 MP4
//! (`signet_video::H264Recorder`), in memory.

use signet_video::H264Recorder;

use super::CameraError;

/// Frames per second the recording keeps (the camera may deliver more).
pub const RECORD_FPS: u32 = 15;
/// Enough for the face and the mouth to stay clearly readable at 640x480.
const BITRATE_BPS: u32 = H264Recorder::DEFAULT_BITRATE_BPS;

pub trait ClipRecorder {
    fn push_rgb(&mut self, pts_ms: u64, rgb: &[u8]) -> Result<(), CameraError>;
    fn finish(self: Box<Self>) -> Result<Vec<u8>, CameraError>;
    /// The clip's media type.
    fn media_type(&self) -> &'static str;
}

/// Makes a recorder for frames of `width` x `height`.
pub fn new_recorder(width: u32, height: u32) -> Result<Box<dyn ClipRecorder>, CameraError> {
    let recorder = H264Recorder::new(width, height, RECORD_FPS, BITRATE_BPS)
        .map_err(|e| CameraError::failed(format!("video encoder: {e}")))?;
    Ok(Box::new(Mp4(recorder)))
}

struct Mp4(H264Recorder);

impl ClipRecorder for Mp4 {
    fn push_rgb(&mut self, pts_ms: u64, rgb: &[u8]) -> Result<(), CameraError> {
        self.0.push_rgb(pts_ms, rgb).map_err(|e| CameraError::failed(format!("video encoder: {e}")))
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, CameraError> {
        self.0.finish().map_err(|e| CameraError::failed(format!("video encoder: {e}")))
    }

    fn media_type(&self) -> &'static str {
        "video/mp4"
    }
}
