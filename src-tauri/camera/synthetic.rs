//! A camera that is not there: `signet_vision::synthetic` clips played in real time, for tests
//! and demonstrations (`SIGNET_CAMERA=synthetic` or `synthetic:<scenario>`): a talking head by
//! default; a held-up photo, no face, two faces, a frozen or a looped feed; and a dark room.

use std::time::{Duration, Instant};

use signet_vision::synthetic::{Scenario as vision, SyntheticClip};

use super::source::{Frame, FrameSource, Pixels, SourceInfo};
use super::CameraError;

/// What the synthetic camera shows: one of the vision crate's clips, or a dark room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Clip(vision),
    /// A talking head in a room without light (the preview's "too dark" hint).
    Dark,
}

impl Scenario {
    /// The default: someone in front of the camera, reading the digits.
    pub const TALKING_HEAD: Self = Self::Clip(vision::TalkingHead);

    /// Every scenario: the vision crate's clips, then the dark room.
    pub fn all() -> impl Iterator<Item = Self> {
        vision::ALL.into_iter().map(Self::Clip).chain([Self::Dark])
    }

    /// The snake_case name, as in `SIGNET_CAMERA=synthetic:<name>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clip(clip) => clip.name(),
            Self::Dark => "dark",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "dark" => Some(Self::Dark),
            _ => name.parse().ok().map(Self::Clip),
        }
    }
}

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
pub const FPS: u32 = 15;
/// The clips are the same every run.
const SEED: u64 = 4;

pub struct SyntheticCamera {
    scenario: Scenario,
    clip: SyntheticClip,
    /// Frames are made at `start + n / fps`; unpaced, as fast as asked (tests).
    paced: bool,
    start: Instant,
    n: u64,
}

impl SyntheticCamera {
    pub fn new(scenario: Scenario) -> Self {
        Self::with(scenario, WIDTH, HEIGHT, FPS, true)
    }

    pub fn with(scenario: Scenario, width: u32, height: u32, fps: u32, paced: bool) -> Self {
        let clip_scenario = match scenario {
            Scenario::Clip(clip) => clip,
            Scenario::Dark => vision::TalkingHead,
        };
        let clip = SyntheticClip::new(clip_scenario, width, height, fps, SEED);
        Self { scenario, clip, paced, start: Instant::now(), n: 0 }
    }

    /// The picture at `t_ms` milliseconds.
    pub fn frame_at(&self, t_ms: u64) -> Vec<u8> {
        let mut rgb = self.clip.frame_at(t_ms);
        if self.scenario == Scenario::Dark {
            for v in &mut rgb {
                *v = (u16::from(*v) * 3 / 25) as u8;
            }
        }
        rgb
    }
}

impl FrameSource for SyntheticCamera {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: format!("Synthetic camera ({})", self.scenario.as_str()),
            width: self.clip.width(),
            height: self.clip.height(),
            format: "rgb",
            fps: self.clip.fps(),
        }
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let t_ms = self.n * 1000 / u64::from(self.clip.fps());
        if self.paced {
            let due = self.start + Duration::from_millis(t_ms);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        self.n += 1;
        Ok(Frame {
            width: self.clip.width(),
            height: self.clip.height(),
            pixels: Pixels::Rgb(self.frame_at(t_ms)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::source::mean_luma;

    #[test]
    fn scenarios_parse_by_name() {
        for s in Scenario::all() {
            assert_eq!(Scenario::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scenario::all().count(), vision::ALL.len() + 1);
        assert_eq!(Scenario::parse("nobody"), None);
    }

    #[test]
    fn frames_move_unless_frozen() {
        let talking = SyntheticCamera::with(Scenario::TALKING_HEAD, 64, 48, 15, false);
        assert!(talking.frame_at(0) != talking.frame_at(120));
        let frozen = SyntheticCamera::with(Scenario::Clip(vision::Frozen), 64, 48, 15, false);
        assert!(frozen.frame_at(0) == frozen.frame_at(2000));
        // A looped feed shows its first frame again within a couple of seconds.
        let looped = SyntheticCamera::with(Scenario::Clip(vision::Looped), 64, 48, 15, false);
        let first = looped.frame_at(0);
        assert!((1..30).any(|n| looped.frame_at(n * 1000 / 15) == first));
    }

    #[test]
    fn the_dark_room_is_dark() {
        let dark = SyntheticCamera::with(Scenario::Dark, 64, 48, 15, false);
        let lit = SyntheticCamera::with(Scenario::TALKING_HEAD, 64, 48, 15, false);
        assert!(mean_luma(&dark.frame_at(0)) < 30.0);
        assert!(mean_luma(&lit.frame_at(0)) > 100.0);
    }
}
