//! A camera that is not there: generated frames in real time, for tests and demonstrations
//! (`SIGNET_CAMERA=synthetic` or `synthetic:<scenario>`). Until `signet_vision::synthetic` is
//! available this draws a simple face-like pattern: a moving oval with eyes and a mouth that
//! opens and closes (or not, per scenario).

use std::time::{Duration, Instant};

use super::source::{Frame, FrameSource, Pixels, SourceInfo};
use super::CameraError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    TalkingHead,
    HeldUpPhoto,
    NoFace,
    TwoFaces,
    Frozen,
    Looped,
    /// A room without light (the preview's "too dark" hint).
    Dark,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Self::TalkingHead,
        Self::HeldUpPhoto,
        Self::NoFace,
        Self::TwoFaces,
        Self::Frozen,
        Self::Looped,
        Self::Dark,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TalkingHead => "talking_head",
            Self::HeldUpPhoto => "held_up_photo",
            Self::NoFace => "no_face",
            Self::TwoFaces => "two_faces",
            Self::Frozen => "frozen",
            Self::Looped => "looped",
            Self::Dark => "dark",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
pub const FPS: u32 = 15;

pub struct SyntheticCamera {
    scenario: Scenario,
    width: u32,
    height: u32,
    fps: u32,
    /// Frames are made at `start + n / fps`; unpaced, as fast as asked (tests).
    paced: bool,
    /// The wall behind the faces, drawn once.
    background: Vec<u8>,
    start: Instant,
    n: u64,
}

impl SyntheticCamera {
    pub fn new(scenario: Scenario) -> Self {
        Self::with(scenario, WIDTH, HEIGHT, FPS, true)
    }

    pub fn with(scenario: Scenario, width: u32, height: u32, fps: u32, paced: bool) -> Self {
        let h = height as f32;
        let mut background = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                // A soft wall gradient with a little fixed texture.
                let grain = (((x * 7 + y * 13) ^ (x * y)) % 9) as f32;
                let fy = y as f32 / h;
                for c in [150.0 + fy * 40.0 + grain, 155.0 + grain, 165.0 - fy * 30.0 + grain] {
                    background.push(c.clamp(0.0, 255.0) as u8);
                }
            }
        }
        Self {
            scenario,
            width,
            height,
            fps: fps.max(1),
            paced,
            background,
            start: Instant::now(),
            n: 0,
        }
    }

    /// The picture at `t_ms` milliseconds.
    pub fn frame_at(&self, t_ms: u64) -> Vec<u8> {
        let t = match self.scenario {
            Scenario::Frozen => 0,
            Scenario::Looped => t_ms % 800,
            _ => t_ms,
        } as f32
            / 1000.0;
        let (w, h) = (self.width as f32, self.height as f32);
        let dark = self.scenario == Scenario::Dark;
        // Faces: (centre x, centre y, radius x, mouth opening 0..1).
        let sway = (t * 0.9).sin() * 0.03 * w;
        let bob = (t * 1.3).cos() * 0.02 * h;
        let talking = ((t * 2.0 * std::f32::consts::PI * 4.0).sin() * 0.5 + 0.5).powf(0.7);
        let faces: Vec<(f32, f32, f32, f32)> = match self.scenario {
            Scenario::NoFace => Vec::new(),
            Scenario::TwoFaces => vec![
                (0.3 * w + sway, 0.5 * h + bob, 0.13 * w, talking),
                (0.72 * w - sway, 0.5 * h, 0.12 * w, 0.2),
            ],
            // The whole photo moves; the mouth does not.
            Scenario::HeldUpPhoto => {
                vec![(0.5 * w + 3.0 * sway, 0.48 * h + 3.0 * bob, 0.17 * w, 0.3)]
            }
            _ => vec![(0.5 * w + sway, 0.48 * h + bob, 0.17 * w, talking)],
        };
        let mut rgb = self.background.clone();
        for &(cx, cy, rx, mouth) in &faces {
            let ry = rx * 1.3;
            let x0 = (cx - rx).floor().max(0.0) as u32;
            let x1 = ((cx + rx).ceil() as u32).min(self.width);
            let y0 = (cy - ry).floor().max(0.0) as u32;
            let y1 = ((cy + ry).ceil() as u32).min(self.height);
            for y in y0..y1 {
                for x in x0..x1 {
                    let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
                    if dx * dx + dy * dy > 1.0 {
                        continue;
                    }
                    let mut px = [224u8, 182, 150];
                    // Eyes.
                    for ex in [-0.38f32, 0.38] {
                        let (ddx, ddy) = (dx - ex, (dy + 0.25) * 1.6);
                        if ddx * ddx + ddy * ddy < 0.018 {
                            px = [40, 30, 30];
                        }
                    }
                    // Nose.
                    if dx.abs() < 0.05 && (-0.1..0.2).contains(&dy) {
                        px = [200, 150, 125];
                    }
                    // Mouth: opens up to a dark oval.
                    let open = 0.03 + 0.12 * mouth;
                    let (mdx, mdy) = (dx / 0.35, (dy - 0.5) / open);
                    if mdx * mdx + mdy * mdy <= 1.0 {
                        px = [90, 30, 40];
                    }
                    let at = ((y * self.width + x) * 3) as usize;
                    rgb[at..at + 3].copy_from_slice(&px);
                }
            }
        }
        if dark {
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
            width: self.width,
            height: self.height,
            format: "rgb",
            fps: self.fps,
        }
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let t_ms = self.n * 1000 / u64::from(self.fps);
        if self.paced {
            let due = self.start + Duration::from_millis(t_ms);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        self.n += 1;
        Ok(Frame {
            width: self.width,
            height: self.height,
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
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scenario::parse("nobody"), None);
    }

    #[test]
    fn frames_move_unless_frozen() {
        let talking = SyntheticCamera::with(Scenario::TalkingHead, 64, 48, 15, false);
        assert_ne!(talking.frame_at(0), talking.frame_at(120));
        let frozen = SyntheticCamera::with(Scenario::Frozen, 64, 48, 15, false);
        assert_eq!(frozen.frame_at(0), frozen.frame_at(2000));
        let looped = SyntheticCamera::with(Scenario::Looped, 64, 48, 15, false);
        assert_eq!(looped.frame_at(100), looped.frame_at(900));
    }

    #[test]
    fn the_dark_room_is_dark() {
        let dark = SyntheticCamera::with(Scenario::Dark, 64, 48, 15, false);
        let lit = SyntheticCamera::with(Scenario::TalkingHead, 64, 48, 15, false);
        assert!(mean_luma(&dark.frame_at(0)) < 40.0);
        assert!(mean_luma(&lit.frame_at(0)) > 100.0);
    }
}
