//! A liveness analyser for the test platform built from the real pieces: the clip decoded with
//! `signet-video` and analysed with `signet-vision` (the platform itself ships none yet).

use std::ops::ControlFlow;

use signet_domain::api::LivenessReason;
use signet_server::{AnalysisOutcome, ChallengeInfo, ClipRejected, FaceImage, LivenessAnalysis};
use signet_vision::liveness::{Analyzer, AnalyzerConfig};
use signet_vision::FaceDetector;

pub struct VisionAnalysis {
    detector: FaceDetector,
}

impl VisionAnalysis {
    pub fn new() -> Self {
        Self { detector: FaceDetector::new().unwrap() }
    }
}

impl LivenessAnalysis for VisionAnalysis {
    fn analyse(
        &self,
        clip: &[u8],
        _challenge: &ChallengeInfo,
    ) -> Result<AnalysisOutcome, ClipRejected> {
        let limits = signet_video::ClipLimits::default();
        let info = signet_video::probe(clip, &limits)
            .map_err(|e| ClipRejected::Unreadable(e.to_string()))?;
        let middle = u64::from(info.frames / 2);
        let mut analyzer = Analyzer::new(&self.detector, AnalyzerConfig::default());
        let mut face = None;
        let mut index = 0u64;
        signet_video::decode_each(clip, &limits, |frame| {
            let rgb = frame.to_rgb();
            analyzer.push(frame.pts_ms, &rgb, frame.width, frame.height);
            if index == middle {
                face = Some(FaceImage { width: frame.width, height: frame.height, rgb });
            }
            index += 1;
            ControlFlow::Continue(())
        })
        .map_err(|e| ClipRejected::Unreadable(e.to_string()))?;
        let report = analyzer.finish();
        // The vision crate's findings and the platform's reasons share their wire names.
        let findings = report
            .findings
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok())
            .filter_map(|v| serde_json::from_value::<LivenessReason>(v).ok())
            .collect();
        Ok(AnalysisOutcome { findings, face })
    }
}
