//! Camera frames in, a fast-start H.264 MP4 out, all in memory.

use muxide::api::{Muxer, MuxerBuilder, VideoCodec};
use openh264::encoder::{BitRate, Encoder, EncoderConfig, FrameRate, FrameType, RateControlMode};
use openh264::formats::YUVSlices;
use openh264::OpenH264API;

use crate::convert::rgb_to_i420;
use crate::VideoError;

/// Records frames into an H.264 MP4 (moov before mdat, so the server can probe the upload from
/// its first bytes). The first frame is a keyframe; rate control holds the bitrate, and no frame
/// is skipped, so every pushed frame is in the clip with its own timestamp.
pub struct H264Recorder {
    width: u32,
    height: u32,
    encoder: Encoder,
    muxer: Muxer<Vec<u8>>,
    i420: Vec<u8>,
    first_pts_ms: Option<u64>,
    last_pts_ms: Option<u64>,
    frames: u32,
}

impl std::fmt::Debug for H264Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Recorder")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("last_pts_ms", &self.last_pts_ms)
            .finish_non_exhaustive()
    }
}

impl H264Recorder {
    /// 400 kbit/s keeps a 5 s 640x480 clip near 250 KB with the face and mouth clearly readable.
    pub const DEFAULT_BITRATE_BPS: u32 = 400_000;

    /// Frames closer together than this are dropped: more than half the rate
    /// [`ClipLimits::max_fps`](crate::ClipLimits) allows between two frames (8.3 ms at 60 fps).
    pub const MIN_FRAME_INTERVAL_MS: u64 = 10;

    /// A recorder for `width` x `height` frames (both even) arriving at about `fps` per second.
    pub fn new(width: u32, height: u32, fps: u32, bitrate_bps: u32) -> Result<Self, VideoError> {
        if !width.is_multiple_of(2)
            || !height.is_multiple_of(2)
            || !(16..=3840).contains(&width)
            || !(16..=3840).contains(&height)
        {
            return Err(VideoError::InvalidDimensions { width, height });
        }
        let fps = fps.clamp(1, 120);
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(bitrate_bps))
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            .rate_control_mode(RateControlMode::Bitrate)
            .skip_frames(false);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| VideoError::Encode(e.to_string()))?;
        let muxer = MuxerBuilder::new(Vec::new())
            .video(VideoCodec::H264, width, height, f64::from(fps))
            .with_fast_start(true)
            .build()
            .map_err(|e| VideoError::Mux(e.to_string()))?;
        Ok(H264Recorder {
            width,
            height,
            encoder,
            muxer,
            i420: vec![0; (width * height * 3 / 2) as usize],
            first_pts_ms: None,
            last_pts_ms: None,
            frames: 0,
        })
    }

    /// Adds an RGB frame (3 bytes a pixel, rows packed) captured at `pts_ms` (any clock; the clip
    /// starts at the first frame's time).
    ///
    /// A frame less than [`MIN_FRAME_INTERVAL_MS`](Self::MIN_FRAME_INTERVAL_MS) after the
    /// previous one is dropped: a camera delivering a burst would otherwise make the clip fail the
    /// server's frame-rate check. A timestamp before the previous one is an error.
    pub fn push_rgb(&mut self, pts_ms: u64, rgb: &[u8]) -> Result<(), VideoError> {
        if !self.takes(pts_ms)? {
            return Ok(());
        }
        let mut i420 = std::mem::take(&mut self.i420);
        let result = rgb_to_i420(rgb, self.width, self.height, &mut i420)
            .and_then(|()| self.push_i420(pts_ms, &i420));
        self.i420 = i420;
        result
    }

    /// Adds an I420 frame: the Y plane, then U, then V, each row packed (`width * height * 3 / 2`
    /// bytes), as [`crate::convert::yuyv_to_i420`] makes. Timestamps as for
    /// [`push_rgb`](Self::push_rgb).
    pub fn push_i420(&mut self, pts_ms: u64, i420: &[u8]) -> Result<(), VideoError> {
        let (w, h) = (self.width as usize, self.height as usize);
        let expected = w * h * 3 / 2;
        if i420.len() != expected {
            return Err(VideoError::FrameSize { expected, actual: i420.len() });
        }
        if !self.takes(pts_ms)? {
            return Ok(());
        }
        let first = *self.first_pts_ms.get_or_insert(pts_ms);
        let (y, uv) = i420.split_at(w * h);
        let (u, v) = uv.split_at(w * h / 4);
        let source = YUVSlices::new((y, u, v), (w, h), (w, w / 2, w / 2));
        let bitstream =
            self.encoder.encode(&source).map_err(|e| VideoError::Encode(e.to_string()))?;
        let keyframe = matches!(bitstream.frame_type(), FrameType::IDR | FrameType::I);
        let data = bitstream.to_vec();
        if data.is_empty() {
            return Err(VideoError::Encode("the encoder skipped a frame".to_owned()));
        }
        let pts_secs = (pts_ms - first) as f64 / 1000.0;
        self.muxer
            .write_video(pts_secs, &data, keyframe)
            .map_err(|e| VideoError::Mux(e.to_string()))?;
        self.last_pts_ms = Some(pts_ms);
        self.frames += 1;
        Ok(())
    }

    /// Whether a frame at `pts_ms` goes into the clip.
    fn takes(&self, pts_ms: u64) -> Result<bool, VideoError> {
        match self.last_pts_ms {
            Some(previous_ms) if pts_ms < previous_ms => {
                Err(VideoError::TimestampWentBack { pts_ms, previous_ms })
            }
            Some(previous_ms) => Ok(pts_ms - previous_ms >= Self::MIN_FRAME_INTERVAL_MS),
            None => Ok(true),
        }
    }

    /// Frames in the clip so far.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The finished MP4 file.
    pub fn finish(mut self) -> Result<Vec<u8>, VideoError> {
        if self.frames == 0 {
            return Err(VideoError::EmptyRecording);
        }
        self.muxer.finish_in_place().map_err(|e| VideoError::Mux(e.to_string()))?;
        Ok(self.muxer.into_writer())
    }
}
