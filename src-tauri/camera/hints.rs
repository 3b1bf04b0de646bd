//! The live framing hint under the preview ("请面向光源", "画面中只保留一人", ...): the vision
//! crate's face detector and its `preflight` advice on a preview frame.

use std::sync::OnceLock;

use signet_vision::FaceDetector;

pub use signet_vision::Hint;

/// One detector for the app's lifetime (loading it optimises the model: do it once).
fn detector() -> Option<&'static FaceDetector> {
    static DETECTOR: OnceLock<Option<FaceDetector>> = OnceLock::new();
    DETECTOR
        .get_or_init(|| match FaceDetector::new() {
            Ok(detector) => Some(detector),
            Err(e) => {
                tracing::error!("face detector unavailable; hints show brightness only: {e}");
                None
            }
        })
        .as_ref()
}

#[derive(Default)]
pub struct HintEngine {}

impl HintEngine {
    pub fn new() -> Self {
        Self {}
    }

    pub fn hint(&mut self, rgb: &[u8], width: u32, height: u32) -> Hint {
        match detector() {
            Some(detector) => {
                let faces = detector.detect(rgb, width, height);
                signet_vision::preflight(rgb, width, height, &faces)
            }
            // Without the detector (it failed to load): brightness only; the platform checks
            // the recording anyway.
            None if super::source::mean_luma(rgb) < signet_vision::preflight::MIN_BRIGHTNESS => {
                Hint::TooDark
            }
            None => Hint::Ready,
        }
    }
}
