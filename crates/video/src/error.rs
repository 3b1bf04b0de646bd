/// Everything that can go wrong recording, probing or decoding a clip.
///
/// The server maps each variant to a reason code, so the variants stay distinct: a clip that is too
/// long is never reported as unreadable, and an unreadable one never as too long.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VideoError {
    // --- probing: the container ---
    /// The bytes do not start with an MP4 `ftyp` box.
    #[error("not an MP4 file: it does not start with an ftyp box")]
    NotMp4,
    /// The file ends before a box or sample it declares.
    #[error("the MP4 file is truncated: {what}")]
    Truncated { what: &'static str },
    /// A box is present but its contents contradict themselves or the format.
    #[error("the MP4 file is malformed: {what}")]
    Malformed { what: &'static str },
    /// No track with a video handler.
    #[error("the MP4 file has no video track")]
    NoVideoTrack,
    /// The video track uses a codec other than H.264 (`avc1`/`avc3`).
    #[error("the video track is coded as {fourcc:?}, not H.264 (avc1)")]
    UnsupportedCodec { fourcc: String },

    // --- probing: the limits ---
    /// The upload is larger than [`ClipLimits::max_bytes`](crate::ClipLimits).
    #[error("the clip is {bytes} bytes, more than the {max} bytes allowed")]
    FileTooLarge { bytes: u64, max: u64 },
    /// A declared duration exceeds [`ClipLimits::max_duration_ms`](crate::ClipLimits).
    #[error("the clip lasts {duration_ms} ms, longer than the {max_ms} ms allowed")]
    TooLong { duration_ms: u64, max_ms: u64 },
    /// The picture is wider or taller than the limits allow.
    #[error(
        "the video is {width}x{height} pixels, larger than the {max_width}x{max_height} allowed"
    )]
    DimensionsTooLarge { width: u32, height: u32, max_width: u32, max_height: u32 },
    /// More frames than [`ClipLimits::max_frames`](crate::ClipLimits).
    #[error("the clip has {frames} frames, more than the {max} allowed")]
    TooManyFrames { frames: u64, max: u64 },
    /// The durations the headers declare disagree with each other or with the frame timing.
    #[error("the clip's declared duration is implausible: {what}")]
    DurationImplausible { what: &'static str },
    /// The frame timestamps are not what a camera produces (two frames at one instant, a frame rate
    /// over the limit, a long gap).
    #[error("the clip's frame timing is implausible: {what}")]
    FrameTimingImplausible { what: String },

    // --- decoding ---
    /// The H.264 bitstream could not be decoded.
    #[error("the H.264 video could not be decoded: {0}")]
    Decode(String),

    // --- recording ---
    /// Frame dimensions the recorder cannot encode (zero, odd, or over the encoder's maximum).
    #[error("cannot record {width}x{height} frames: width and height must be even and between 16 and 3840")]
    InvalidDimensions { width: u32, height: u32 },
    /// A pushed frame buffer does not have the size the recorder's dimensions imply.
    #[error("a frame buffer has {actual} bytes where {expected} were expected")]
    FrameSize { expected: usize, actual: usize },
    /// A frame timestamp earlier than the previous frame's.
    #[error("frame timestamp {pts_ms} ms comes before the previous one ({previous_ms} ms)")]
    TimestampWentBack { pts_ms: u64, previous_ms: u64 },
    /// `finish` on a recorder that received no frame.
    #[error("the recording has no frames")]
    EmptyRecording,
    /// The H.264 encoder failed.
    #[error("the H.264 encoder failed: {0}")]
    Encode(String),
    /// The MP4 writer failed.
    #[error("the MP4 writer failed: {0}")]
    Mux(String),

    // --- preview ---
    /// Scaling or JPEG-encoding the preview failed (bad dimensions or buffer size).
    #[error("the preview image could not be made: {0}")]
    Preview(String),
}

impl VideoError {
    /// A stable snake_case name for logs and for mapping to API reason codes.
    pub fn code(&self) -> &'static str {
        match self {
            VideoError::NotMp4 => "not_mp4",
            VideoError::Truncated { .. } => "truncated",
            VideoError::Malformed { .. } => "malformed",
            VideoError::NoVideoTrack => "no_video_track",
            VideoError::UnsupportedCodec { .. } => "unsupported_codec",
            VideoError::FileTooLarge { .. } => "file_too_large",
            VideoError::TooLong { .. } => "too_long",
            VideoError::DimensionsTooLarge { .. } => "dimensions_too_large",
            VideoError::TooManyFrames { .. } => "too_many_frames",
            VideoError::DurationImplausible { .. } => "duration_implausible",
            VideoError::FrameTimingImplausible { .. } => "frame_timing_implausible",
            VideoError::Decode(_) => "decode_failed",
            VideoError::InvalidDimensions { .. } => "invalid_dimensions",
            VideoError::FrameSize { .. } => "frame_size",
            VideoError::TimestampWentBack { .. } => "timestamp_went_back",
            VideoError::EmptyRecording => "empty_recording",
            VideoError::Encode(_) => "encode_failed",
            VideoError::Mux(_) => "mux_failed",
            VideoError::Preview(_) => "preview_failed",
        }
    }
}
