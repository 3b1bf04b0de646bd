//! The liveness analysis of face recognition, behind [`LivenessAnalysis`] so that the real
//! analyser (`signet-video` decoding + `signet-vision` face detection and liveness) plugs into
//! the server the way providers do, and tests can script its answers.
//!
//! The server calls [`LivenessAnalysis::analyse`] on a blocking thread, at most
//! [`crate::Limits::face_analyses_in_parallel`] at a time, with the clip's bytes (an MP4 whose
//! first box is `ftyp`, at most [`signet_domain::api::FACE_UPLOAD_MAX_BYTES`]) and the
//! challenge it answers. The clip is deleted once the call returns, whatever it answered.

use signet_domain::api::LivenessReason;

/// What the clip must show: the challenge the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeInfo {
    pub challenge_id: String,
    /// The 4-6 digits the user was asked to read aloud.
    pub digits: String,
    /// Shortest and longest believable clip, in milliseconds.
    pub min_duration_ms: u32,
    pub max_duration_ms: u32,
}

/// A face found in the clip, for the face-compare provider: the analyser's best frame, cropped
/// around the face, RGB (3 bytes a pixel, row-major). Held in memory only, never logged:
/// `Debug` shows the dimensions alone.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// The analysis of a readable clip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnalysisOutcome {
    /// Every problem found (any order; the server sorts and deduplicates them). Empty means
    /// live: one real person read the digits. Only the liveness reasons belong here
    /// (`no_face` .. `rigid_motion`, and `duration_implausible` / `frame_timing_implausible`
    /// when they are found while decoding); the challenge and face-compare reasons are the
    /// server's.
    pub findings: Vec<LivenessReason>,
    /// The face to compare with the photo on record. Required when `findings` is empty: a
    /// live outcome without a face is treated as `no_face`.
    pub face: Option<FaceImage>,
}

/// The clip cannot be analysed at all: refused before (or while) decoding, without a panic.
/// Implementations probe the container first (cheap, header only) and refuse here before any
/// heavy decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipRejected {
    /// Not an MP4 with an H.264 track, truncated, or damaged.
    #[error("the clip cannot be read: {0}")]
    Unreadable(String),
    /// Longer than the platform analyses.
    #[error("the clip lasts {duration_ms} ms, more than {max_ms} ms")]
    TooLong { duration_ms: u64, max_ms: u64 },
    /// Picture (or frame count) larger than the platform analyses.
    #[error("the clip is {width}x{height}, larger than the platform analyses")]
    TooLarge { width: u32, height: u32 },
    /// Too short, or a duration that does not fit the frames.
    #[error("the clip's duration is not believable: {0}")]
    DurationImplausible(String),
    /// Timestamps go backwards, jump or repeat.
    #[error("the clip's frame timing is not believable: {0}")]
    FrameTimingImplausible(String),
}

impl ClipRejected {
    /// The reason code the user sees.
    pub fn reason(&self) -> LivenessReason {
        match self {
            Self::Unreadable(_) => LivenessReason::ClipUnreadable,
            Self::TooLong { .. } => LivenessReason::ClipTooLong,
            Self::TooLarge { .. } => LivenessReason::ClipTooLarge,
            Self::DurationImplausible(_) => LivenessReason::DurationImplausible,
            Self::FrameTimingImplausible(_) => LivenessReason::FrameTimingImplausible,
        }
    }
}

/// Decides whether a clip shows one live person reading the challenge. CPU-bound and
/// synchronous: the server runs it with `spawn_blocking` behind a semaphore.
///
/// No implementation ships in this crate yet: until the integration with `signet-vision`
/// and `signet-video`, [`crate::Settings::liveness`] is `None` and face recognition answers
/// 503 `face_unavailable` (the chooser lists it as `not_offered`). Install the real analyser
/// with [`crate::Settings::with_liveness`].
pub trait LivenessAnalysis: Send + Sync {
    fn analyse(
        &self,
        clip: &[u8],
        challenge: &ChallengeInfo,
    ) -> Result<AnalysisOutcome, ClipRejected>;
}

/// True when `clip` starts like an MP4 file: a first box of type `ftyp` with a plausible size.
/// A cheap guard before an analysis slot is spent; the analyser's probe does the real checks.
pub(crate) fn looks_like_mp4(clip: &[u8]) -> bool {
    let (Some(size), Some(kind)) = (clip.get(0..4), clip.get(4..8)) else { return false };
    let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]);
    kind == b"ftyp" && (8..=4096).contains(&size) && clip.len() >= size as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leading_ftyp_box_looks_like_mp4() {
        let mut mp4 = vec![0, 0, 0, 16];
        mp4.extend_from_slice(b"ftypisom\0\0\0\0");
        assert!(looks_like_mp4(&mp4));
        assert!(!looks_like_mp4(&mp4[..10]), "shorter than its ftyp box");
        assert!(!looks_like_mp4(b"GIF89a.............."));
        assert!(!looks_like_mp4(&[0, 0, 0, 4, b'f', b't', b'y', b'p']), "box smaller than 8");
        assert!(!looks_like_mp4(b""));
    }

    #[test]
    fn every_rejection_has_its_reason() {
        assert_eq!(ClipRejected::Unreadable("x".into()).reason(), LivenessReason::ClipUnreadable);
        let long = ClipRejected::TooLong { duration_ms: 7_200_000, max_ms: 10_000 };
        assert_eq!(long.reason(), LivenessReason::ClipTooLong);
        let large = ClipRejected::TooLarge { width: 10_000, height: 10_000 };
        assert_eq!(large.reason(), LivenessReason::ClipTooLarge);
        let short = ClipRejected::DurationImplausible("0 ms".into());
        assert_eq!(short.reason(), LivenessReason::DurationImplausible);
        let timing = ClipRejected::FrameTimingImplausible("backwards".into());
        assert_eq!(timing.reason(), LivenessReason::FrameTimingImplausible);
    }

    #[test]
    fn a_face_image_never_shows_its_pixels() {
        let face = FaceImage { width: 2, height: 1, rgb: vec![201, 202, 203, 204, 205, 206] };
        let shown = format!("{face:?}");
        assert!(shown.contains("width: 2"), "{shown}");
        assert!(!shown.contains("201"), "{shown}");
    }
}
