//! The platform's liveness analysis ([`LivenessAnalysis`]): `signet-video` checks the clip's
//! headers and decodes it frame by frame, `signet-vision` finds the face and judges whether one
//! live person read the digits.
//!
//! Order of work, cheapest first: the header probe refuses what is not an H.264 MP4, is too
//! long, too large or has implausible timing before a single frame is decoded; the duration is
//! held against the challenge's bounds; only then are frames decoded, one at a time, into one
//! reused RGB buffer (memory stays at a frame or two whatever the clip). The face detector is
//! built once per process, on first use.

use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

use signet_domain::api::LivenessReason;
use signet_video::{ClipLimits, VideoError};
use signet_vision::liveness::{Analyzer, AnalyzerConfig, Finding};
use signet_vision::{Face, FaceDetector};

use crate::liveness::{AnalysisOutcome, ChallengeInfo, ClipRejected, FaceImage, LivenessAnalysis};

/// Margin added around the detected face box for the face-compare crop, as a share of its size.
const CROP_MARGIN: f32 = 0.25;

/// The real analyser. Cheap to create; the detector is loaded on the first clip.
#[derive(Debug, Default)]
pub struct ClipAnalysis {
    detector: OnceLock<FaceDetector>,
    limits: ClipLimits,
    config: AnalyzerConfig,
}

impl ClipAnalysis {
    pub fn new(limits: ClipLimits, config: AnalyzerConfig) -> Self {
        Self { detector: OnceLock::new(), limits, config }
    }

    /// One analyser for the whole process, so the detector's model is loaded once however
    /// many servers (or test servers) start.
    pub fn shared() -> Arc<dyn LivenessAnalysis> {
        static SHARED: OnceLock<Arc<ClipAnalysis>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(ClipAnalysis::default())).clone()
    }

    fn detector(&self) -> &FaceDetector {
        self.detector.get_or_init(|| {
            // The model is compiled into the binary and checked by signet-vision's tests; failing
            // to load it is a build defect, not a property of the user's clip.
            FaceDetector::new().unwrap_or_else(|e| panic!("the embedded face model: {e}"))
        })
    }
}

impl LivenessAnalysis for ClipAnalysis {
    fn analyse(
        &self,
        clip: &[u8],
        challenge: &ChallengeInfo,
    ) -> Result<AnalysisOutcome, ClipRejected> {
        let info = signet_video::probe(clip, &self.limits).map_err(rejected)?;
        let (min, max) =
            (u64::from(challenge.min_duration_ms), u64::from(challenge.max_duration_ms));
        if info.duration_ms > max {
            return Err(ClipRejected::TooLong { duration_ms: info.duration_ms, max_ms: max });
        }
        if info.duration_ms < min {
            return Err(ClipRejected::DurationImplausible(format!(
                "the clip lasts {} ms, less than the {min} ms reading the digits takes",
                info.duration_ms
            )));
        }

        let detector = self.detector();
        let mut analyzer = Analyzer::new(detector, self.config.clone());
        let mut rgb = Vec::new();
        let mut first_pts = None;
        // The frame from the middle of the clip, for the face-compare provider.
        let mut middle: Option<(Vec<u8>, u32, u32)> = None;
        signet_video::decode_each(clip, &self.limits, |frame| {
            frame.write_rgb(&mut rgb);
            analyzer.push(frame.pts_ms, &rgb, frame.width, frame.height);
            let start = *first_pts.get_or_insert(frame.pts_ms);
            if middle.is_none() && frame.pts_ms >= start + info.duration_ms / 2 {
                middle = Some((rgb.clone(), frame.width, frame.height));
            }
            ControlFlow::Continue(())
        })
        .map_err(rejected)?;

        let report = analyzer.finish();
        tracing::info!(
            challenge_id = %challenge.challenge_id,
            frames = report.metrics.frames,
            duration_ms = report.metrics.duration_ms,
            one_face_fraction = report.metrics.one_face_fraction,
            mouth_ratio = report.metrics.mouth_ratio,
            face_motion = report.metrics.face_motion,
            frozen_fraction = report.metrics.frozen_fraction,
            looped_fraction = report.metrics.looped_fraction,
            findings = ?report.findings,
            "clip analysed"
        );
        let findings: Vec<LivenessReason> = report.findings.iter().map(|f| reason(*f)).collect();
        let face = if findings.is_empty() {
            middle.and_then(|(rgb, width, height)| face_crop(detector, &rgb, width, height))
        } else {
            None
        };
        Ok(AnalysisOutcome { findings, face })
    }
}

/// The most prominent face of a frame, cropped with a margin.
fn face_crop(detector: &FaceDetector, rgb: &[u8], width: u32, height: u32) -> Option<FaceImage> {
    let faces = detector.detect(rgb, width, height);
    let face: &Face = faces.iter().max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()))?;
    let b = face.bbox;
    let (mx, my) = (b.width * CROP_MARGIN, b.height * CROP_MARGIN);
    let clamp = |v: f32, hi: u32| (v.max(0.0) as u32).min(hi);
    let (x0, y0) = (clamp(b.x - mx, width), clamp(b.y - my, height));
    let (x1, y1) = (clamp(b.x + b.width + mx, width), clamp(b.y + b.height + my, height));
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let (w, h) = (x1 - x0, y1 - y0);
    let mut crop = Vec::with_capacity((w * h * 3) as usize);
    for y in y0..y1 {
        let row = (y * width + x0) as usize * 3;
        crop.extend_from_slice(&rgb[row..row + w as usize * 3]);
    }
    Some(FaceImage { width: w, height: h, rgb: crop })
}

fn reason(finding: Finding) -> LivenessReason {
    match finding {
        Finding::NoFace => LivenessReason::NoFace,
        Finding::MultipleFaces => LivenessReason::MultipleFaces,
        Finding::FaceTooSmall => LivenessReason::FaceTooSmall,
        Finding::TooDark => LivenessReason::TooDark,
        Finding::FrozenFeed => LivenessReason::FrozenFeed,
        Finding::LoopedFeed => LivenessReason::LoopedFeed,
        Finding::NoMouthMovement => LivenessReason::NoMouthMovement,
        Finding::RigidMotion => LivenessReason::RigidMotion,
    }
}

fn rejected(error: VideoError) -> ClipRejected {
    let text = error.to_string();
    match error {
        VideoError::TooLong { duration_ms, max_ms } => {
            ClipRejected::TooLong { duration_ms, max_ms }
        }
        VideoError::DimensionsTooLarge { width, height, .. } => {
            ClipRejected::TooLarge { width, height }
        }
        VideoError::DurationImplausible { .. } => ClipRejected::DurationImplausible(text),
        // More frames than the duration allows at the highest frame rate believed.
        VideoError::TooManyFrames { .. } | VideoError::FrameTimingImplausible { .. } => {
            ClipRejected::FrameTimingImplausible(text)
        }
        _ => ClipRejected::Unreadable(text),
    }
}
