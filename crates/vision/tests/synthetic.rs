//! The synthetic clips: deterministic, and each scenario's defining property.

use signet_vision::synthetic::{Scenario, SyntheticClip};
use signet_vision::FaceDetector;

const W: u32 = 320;
const H: u32 = 240;

fn frames(scenario: Scenario, seed: u64, n: usize) -> Vec<(u64, Vec<u8>)> {
    SyntheticClip::new(scenario, W, H, 30, seed).take(n).collect()
}

#[test]
fn the_same_seed_gives_the_same_clip_and_another_seed_another() {
    for scenario in Scenario::ALL {
        assert_eq!(frames(scenario, 5, 4), frames(scenario, 5, 4), "{scenario:?}");
        assert_ne!(frames(scenario, 5, 4), frames(scenario, 6, 4), "{scenario:?}");
    }
}

#[test]
fn frames_come_at_the_frame_rate_with_the_right_size() {
    let clip: Vec<_> = SyntheticClip::new(Scenario::TalkingHead, W, H, 25, 1).take(5).collect();
    let pts: Vec<u64> = clip.iter().map(|(pts, _)| *pts).collect();
    assert_eq!(pts, [0, 40, 80, 120, 160]);
    assert!(clip.iter().all(|(_, f)| f.len() == (W * H * 3) as usize));
}

#[test]
fn frame_at_renders_the_same_frame_as_the_clip() {
    let clip = SyntheticClip::new(Scenario::HeldUpPhoto, W, H, 30, 3);
    let from_iterator = clip.clone().nth(10).expect("endless");
    assert_eq!(from_iterator.0, 333);
    assert_eq!(clip.frame_at(333), from_iterator.1);
    // Long after any test clip ends, for the endless live preview.
    assert_eq!(clip.frame_at(3_600_000).len(), (W * H * 3) as usize);
}

#[test]
fn a_live_feed_never_repeats_a_frame() {
    for scenario in [Scenario::TalkingHead, Scenario::HeldUpPhoto, Scenario::NoFace] {
        let clip = frames(scenario, 2, 40);
        for i in 1..clip.len() {
            assert!(clip[..i].iter().all(|(_, f)| *f != clip[i].1), "{scenario:?} frame {i}");
        }
    }
}

#[test]
fn a_frozen_feed_repeats_one_frame_and_a_looped_feed_half_a_second() {
    let frozen = frames(Scenario::Frozen, 2, 30);
    assert!(frozen.iter().all(|(_, f)| *f == frozen[0].1));
    let looped = frames(Scenario::Looped, 2, 45);
    for i in 15..45 {
        assert_eq!(looped[i].1, looped[i - 15].1, "frame {i}");
    }
    assert_ne!(looped[1].1, looped[0].1);
}

#[test]
fn the_talking_mouth_opens_and_closes_at_a_speaking_rate_and_the_photo_mouth_never() {
    let detector = FaceDetector::new().expect("the committed model loads");
    // Mean red of a small box just under the mouth keypoint (found in every frame): lips when closed, the dark mouth
    // interior when open. Count how often it closes in two seconds.
    let mouth_closings = |scenario: Scenario| {
        let clip = SyntheticClip::new(scenario, 640, 480, 30, 4);
        let grey: Vec<f32> = (0..60)
            .map(|i| {
                let frame = clip.frame_at(i * 1000 / 30);
                let faces = detector.detect(&frame, 640, 480);
                assert_eq!(faces.len(), 1, "{scenario:?} frame {i}");
                let (m, d) = (faces[0].mouth_centre(), faces[0].eye_distance());
                let (x0, x1) = ((m.x - 0.15 * d) as usize, (m.x + 0.15 * d) as usize);
                let (y0, y1) = ((m.y) as usize, (m.y + 0.2 * d) as usize);
                let mut sum = 0.0;
                for y in y0..y1 {
                    for x in x0..x1 {
                        sum += frame[(y * 640 + x) * 3] as f32;
                    }
                }
                sum / ((x1 - x0) * (y1 - y0)) as f32
            })
            .collect();
        let (lo, hi) =
            grey.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &g| (lo.min(g), hi.max(g)));
        // Closings: local maxima standing at least 20 grey levels above the lowest value
        // within three frames on either side.
        let closings = (3..grey.len() - 3)
            .filter(|&i| {
                let window = &grey[i - 3..=i + 3];
                let low = window.iter().copied().fold(f32::MAX, f32::min);
                grey[i] > grey[i - 1] && grey[i] >= grey[i + 1] && grey[i] - low > 20.0
            })
            .count();
        (hi - lo, closings)
    };
    let (range, closings) = mouth_closings(Scenario::TalkingHead);
    // 3-6 openings a second; the first and last three frames cannot count.
    assert!(range > 40.0, "range {range}");
    assert!((5..=12).contains(&closings), "closings {closings}");
    let (range, _) = mouth_closings(Scenario::HeldUpPhoto);
    assert!(range < 40.0, "photo range {range}");
}

#[test]
fn scenario_names_parse_and_unknown_ones_are_refused() {
    for scenario in Scenario::ALL {
        assert_eq!(scenario.name().parse::<Scenario>(), Ok(scenario));
        let json = serde_json::to_string(&scenario).expect("serialises");
        assert_eq!(json, format!("\"{}\"", scenario.name()));
    }
    assert!("photo".parse::<Scenario>().is_err());
}
