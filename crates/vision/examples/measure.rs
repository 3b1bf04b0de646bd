//! Timings and liveness metrics on the synthetic clips, for the numbers quoted in reviews:
//! `cargo run --release -p signet-vision --example measure [seeds...]`.

use std::time::{Duration, Instant};

use signet_vision::liveness::{Analyzer, AnalyzerConfig};
use signet_vision::synthetic::{Scenario, SyntheticClip};
use signet_vision::FaceDetector;

const W: u32 = 640;
const H: u32 = 480;
const FPS: u32 = 30;

fn main() {
    let seeds: Vec<u64> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let seeds = if seeds.is_empty() { vec![1, 7, 2026] } else { seeds };

    let started = Instant::now();
    let detector = FaceDetector::new().expect("the committed model loads");
    println!("model load: {:?}", started.elapsed());

    let clip = SyntheticClip::new(Scenario::TalkingHead, W, H, FPS, 1);
    let frames: Vec<Vec<u8>> = clip.take(60).map(|(_, f)| f).collect();
    let started = Instant::now();
    for frame in &frames {
        std::hint::black_box(detector.detect(frame, W, H));
    }
    println!("detect {W}x{H}: {:?}/frame", started.elapsed() / 60);

    for scenario in Scenario::ALL {
        let clip = SyntheticClip::new(scenario, W, H, FPS, 1);
        let mut frame = vec![0; (W * H * 3) as usize];
        let started = Instant::now();
        for i in 0..60u64 {
            clip.render_into(i * 1000 / FPS as u64, &mut frame);
        }
        println!("generate {:14} {:?}/frame", scenario.name(), started.elapsed() / 60);
    }

    let config = AnalyzerConfig::default();
    println!("{config:?}");
    for seed in seeds {
        for scenario in Scenario::ALL {
            let frames: Vec<(u64, Vec<u8>)> =
                SyntheticClip::new(scenario, W, H, FPS, seed).take(5 * FPS as usize).collect();
            let started = Instant::now();
            let mut analyzer = Analyzer::new(&detector, config.clone());
            for (pts_ms, frame) in &frames {
                analyzer.push(*pts_ms, frame, W, H);
            }
            let report = analyzer.finish();
            let took: Duration = started.elapsed();
            let m = &report.metrics;
            println!(
                "seed {seed:>4} {:14} {:>5} ms  {:?}\n    one face {:.2}, height {:.2}, brightness {:.0}, \
                 frozen {:.2}, looped {:.2}, mouth {:.1} / eyes {:.1} = ratio {:.2}, motion {:.3}",
                scenario.name(),
                took.as_millis(),
                report.findings,
                m.one_face_fraction,
                m.face_height,
                m.brightness,
                m.frozen_fraction,
                m.looped_fraction,
                m.mouth_activity,
                m.eye_activity,
                m.mouth_ratio,
                m.face_motion,
            );
        }
    }
}
