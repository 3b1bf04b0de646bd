//! The liveness analysis on every synthetic scenario, for several seeds so that the thresholds
//! are not fitted to one clip.

use signet_vision::liveness::{Analyzer, AnalyzerConfig, Finding, LivenessReport};
use signet_vision::synthetic::{Scenario, SyntheticClip};
use signet_vision::FaceDetector;

const W: u32 = 640;
const H: u32 = 480;
const FPS: u32 = 30;
const SEEDS: [u64; 3] = [1, 7, 2026];

/// Analyses five seconds of a scenario, each frame passed through `edit` first.
fn analyse_with(scenario: Scenario, seed: u64, edit: impl Fn(&mut [u8])) -> LivenessReport {
    let detector = FaceDetector::new().expect("the committed model loads");
    let mut analyzer = Analyzer::new(&detector, AnalyzerConfig::default());
    for (pts_ms, mut frame) in SyntheticClip::new(scenario, W, H, FPS, seed).take(5 * FPS as usize)
    {
        edit(&mut frame);
        analyzer.push(pts_ms, &frame, W, H);
    }
    analyzer.finish()
}

fn analyse(scenario: Scenario, seed: u64) -> LivenessReport {
    analyse_with(scenario, seed, |_| {})
}

#[test]
fn a_talking_head_is_live() {
    let config = AnalyzerConfig::default();
    for seed in SEEDS {
        let report = analyse(Scenario::TalkingHead, seed);
        assert!(report.is_live(), "seed {seed}: {report:?}");
        let m = &report.metrics;
        assert_eq!(m.frames, 150);
        assert!(m.one_face_fraction >= 0.99, "seed {seed}: {m:?}");
        assert!(m.mouth_ratio > config.min_mouth_ratio, "seed {seed}: {m:?}");
    }
}

#[test]
fn a_held_up_photo_moves_rigidly_with_a_still_mouth() {
    for seed in SEEDS {
        let report = analyse(Scenario::HeldUpPhoto, seed);
        assert!(report.findings.contains(&Finding::NoMouthMovement), "seed {seed}: {report:?}");
        assert!(report.findings.contains(&Finding::RigidMotion), "seed {seed}: {report:?}");
        assert!(!report.findings.contains(&Finding::FrozenFeed), "seed {seed}: {report:?}");
        assert!(!report.findings.contains(&Finding::LoopedFeed), "seed {seed}: {report:?}");
        assert!(!report.findings.contains(&Finding::NoFace), "seed {seed}: {report:?}");
    }
}

#[test]
fn an_empty_room_has_no_face() {
    for seed in SEEDS {
        let report = analyse(Scenario::NoFace, seed);
        assert_eq!(report.findings, [Finding::NoFace], "seed {seed}: {report:?}");
        assert_eq!(report.metrics.no_face_fraction, 1.0);
    }
}

#[test]
fn two_people_are_multiple_faces() {
    for seed in SEEDS {
        let report = analyse(Scenario::TwoFaces, seed);
        assert_eq!(report.findings, [Finding::MultipleFaces], "seed {seed}: {report:?}");
    }
}

#[test]
fn a_repeated_frame_is_a_frozen_feed() {
    for seed in SEEDS {
        let report = analyse(Scenario::Frozen, seed);
        assert!(report.findings.contains(&Finding::FrozenFeed), "seed {seed}: {report:?}");
        assert!(!report.findings.contains(&Finding::LoopedFeed), "seed {seed}: {report:?}");
        assert!(report.findings.contains(&Finding::NoMouthMovement), "seed {seed}: {report:?}");
    }
}

#[test]
fn a_replayed_half_second_is_a_looped_feed() {
    for seed in SEEDS {
        let report = analyse(Scenario::Looped, seed);
        assert!(report.findings.contains(&Finding::LoopedFeed), "seed {seed}: {report:?}");
        assert!(!report.findings.contains(&Finding::FrozenFeed), "seed {seed}: {report:?}");
        assert!(report.metrics.looped_fraction > 0.8, "seed {seed}: {report:?}");
    }
}

#[test]
fn a_talking_head_in_the_dark_is_too_dark() {
    let report = analyse_with(Scenario::TalkingHead, 1, |frame| {
        frame.iter_mut().for_each(|c| *c /= 4);
    });
    assert!(report.findings.contains(&Finding::TooDark), "{report:?}");
}

#[test]
fn findings_serialise_in_snake_case() {
    let json = serde_json::to_string(&[Finding::NoMouthMovement, Finding::LoopedFeed])
        .expect("serialises");
    assert_eq!(json, r#"["no_mouth_movement","looped_feed"]"#);
}

#[test]
fn a_distant_face_is_too_small() {
    use signet_vision::synthetic::portrait;
    use signet_vision::Point;
    let detector = FaceDetector::new().expect("the committed model loads");
    let mut analyzer = Analyzer::new(&detector, AnalyzerConfig::default());
    let still = portrait(W, H, Point { x: 320.0, y: 240.0 }, 85.0);
    // Some sensor noise, so that the still frames are not a frozen feed.
    let mut state = 0x2545_f491u32;
    for i in 0..60u64 {
        let frame: Vec<u8> = still
            .iter()
            .map(|&c| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                c.saturating_add((state >> 29) as u8)
            })
            .collect();
        analyzer.push(i * 1000 / 30, &frame, W, H);
    }
    let report = analyzer.finish();
    assert!(report.findings.contains(&Finding::FaceTooSmall), "{report:?}");
    assert!(!report.findings.contains(&Finding::FrozenFeed), "{report:?}");
}
