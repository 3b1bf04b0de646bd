//! The live framing hint under the preview ("请面向光源", "画面中只保留一人", ...).
//!
//! Stand-in until `signet_vision` is available: brightness only (too dark, or ready). With the
//! vision crate, [`HintEngine::hint`] runs its face detector and `preflight`.

use serde::Serialize;

use super::source::mean_luma;

/// What the user should change before recording; `Ready` when nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    Ready,
    NoFace,
    MultipleFaces,
    TooFar,
    TooClose,
    TooDark,
    OffCentre,
}

/// Mean luma under which the picture is too dark to analyse.
pub const DARK_LUMA: f32 = 50.0;

#[derive(Default)]
pub struct HintEngine {}

impl HintEngine {
    pub fn new() -> Self {
        Self {}
    }

    pub fn hint(&mut self, rgb: &[u8], _width: u32, _height: u32) -> Hint {
        if mean_luma(rgb) < DARK_LUMA {
            Hint::TooDark
        } else {
            Hint::Ready
        }
    }
}
