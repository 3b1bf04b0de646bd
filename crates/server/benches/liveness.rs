//! `cargo bench -p signet-server --bench liveness` (or `cargo xtask bench`): the platform's
//! liveness analysis of one 5 s, 640×480, 30 frames/s clip as the app records it (a synthetic
//! talking head through the H.264 recorder), on one core: probe, decode every frame, face
//! detection every 100 ms, the liveness measures and the face crop.
//!
//! Printed: `liveness_5s: ours X ms per 5 s clip (live), goal 1000 ms, ratio Z` with Z = our
//! time over the goal (below 1: within it), then the decoding alone for comparison.
#![allow(clippy::unwrap_used)]

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use signet_server::{ChallengeInfo, ClipAnalysis, LivenessAnalysis};
use signet_video::{ClipLimits, H264Recorder};
use signet_vision::synthetic::{Scenario, SyntheticClip};

const RUNS: usize = 5;
const GOAL_MS: f64 = 1000.0;

fn median(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let clip = SyntheticClip::new(Scenario::TalkingHead, 640, 480, 30, 7);
    let mut recorder = H264Recorder::new(640, 480, 30, H264Recorder::DEFAULT_BITRATE_BPS).unwrap();
    for t in (0..5_000).step_by(33) {
        recorder.push_rgb(t, &clip.frame_at(t)).unwrap();
    }
    let mp4 = recorder.finish().unwrap();
    let challenge = ChallengeInfo {
        challenge_id: "bench".into(),
        digits: "4821".into(),
        min_duration_ms: 2_000,
        max_duration_ms: 10_000,
    };
    let analysis = ClipAnalysis::default();
    // The first call loads the model; the platform does that once per process.
    let outcome = analysis.analyse(&mp4, &challenge).unwrap();
    let verdict = if outcome.findings.is_empty() {
        "live".to_string()
    } else {
        format!("{:?}", outcome.findings)
    };

    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            analysis.analyse(&mp4, &challenge).unwrap();
            start.elapsed()
        })
        .collect();
    let ours = median(&mut times);
    let mut decode: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut rgb = Vec::new();
            signet_video::decode_each(&mp4, &ClipLimits::default(), |frame| {
                frame.write_rgb(&mut rgb);
                ControlFlow::Continue(())
            })
            .unwrap();
            start.elapsed()
        })
        .collect();
    println!(
        "liveness_5s: ours {ours:.0} ms per 5 s clip ({verdict}, {} KB), goal {GOAL_MS:.0} ms, ratio {:.2}",
        mp4.len() / 1024,
        ours / GOAL_MS
    );
    println!(
        "liveness_5s decode: {:.0} ms of it decoding the 150 frames to RGB",
        median(&mut decode)
    );
}
