//! The one error type of this crate.

use serde::Serialize;

/// Why a photo was refused.
///
/// Serialised as `{"kind": "too_small", "width": 640, ...}` so the app and the server can hand it
/// to the UI as error details; `kind` is stable (see [`PhotoError::kind`]) and the UI words its
/// own message from it. `Display` is a short English sentence for logs and tests.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhotoError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,

    /// More bytes than [`PhotoLimits::max_bytes`](crate::PhotoLimits::max_bytes); checked before
    /// anything else is looked at.
    #[error("the file is {} MB; at most {} MB is accepted", mb(*bytes), mb(*max))]
    TooLarge { bytes: u64, max: u64 },

    /// No known image signature at the start of the file.
    #[error("the file is not a JPEG or PNG image")]
    NotAnImage,

    /// A recognised image format that is not accepted: `heic`, `heif`, `avif`, `gif`, `webp`,
    /// `bmp`, `tiff`, `jxl`.
    #[error("{format} images are not accepted; use JPEG or PNG")]
    UnsupportedFormat { format: String },

    /// More than [`PhotoLimits::max_pixels`](crate::PhotoLimits::max_pixels), read from the
    /// header before any pixel is decoded.
    #[error("the photo is {width}×{height} pixels, more than {max_pixels} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max_pixels: u64 },

    /// A side longer than [`PhotoLimits::max_side`](crate::PhotoLimits::max_side), read from the
    /// header before any pixel is decoded.
    #[error("the photo is {width}×{height} pixels; no side may exceed {max_side} pixels")]
    TooBig { width: u32, height: u32, max_side: u32 },

    /// Truncated or damaged data, or a rare variant the decoder cannot read (for example an
    /// arithmetic-coded JPEG); `detail` is the decoder's reason, in English.
    #[error("the image is damaged or incomplete: {detail}")]
    Corrupt { detail: String },

    /// The short side, after orientation, is below
    /// [`PhotoLimits::min_short_side`](crate::PhotoLimits::min_short_side).
    #[error(
        "the photo is {width}×{height} pixels; its short side must be at least {min_short_side} pixels"
    )]
    TooSmall { width: u32, height: u32, min_short_side: u32 },

    /// Mean luminance (0-255) below
    /// [`PhotoLimits::min_mean_luminance`](crate::PhotoLimits::min_mean_luminance).
    #[error("the photo is too dark (mean brightness {mean:.0} of 255)")]
    TooDark { mean: f32 },

    /// Sharpness (variance of the Laplacian) below
    /// [`PhotoLimits::min_sharpness`](crate::PhotoLimits::min_sharpness).
    #[error("the photo is too blurry (sharpness {sharpness:.0})")]
    TooBlurry { sharpness: f32 },

    /// The cleaned JPEG could not be written. Not expected with a decoded image; kept apart from
    /// `Corrupt` because it is not the user's file that is at fault.
    #[error("the photo could not be re-encoded: {detail}")]
    EncodeFailed { detail: String },
}

impl PhotoError {
    /// The stable code, equal to the serialised `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            PhotoError::Empty => "empty",
            PhotoError::TooLarge { .. } => "too_large",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::UnsupportedFormat { .. } => "unsupported_format",
            PhotoError::TooManyPixels { .. } => "too_many_pixels",
            PhotoError::TooBig { .. } => "too_big",
            PhotoError::Corrupt { .. } => "corrupt",
            PhotoError::TooSmall { .. } => "too_small",
            PhotoError::TooDark { .. } => "too_dark",
            PhotoError::TooBlurry { .. } => "too_blurry",
            PhotoError::EncodeFailed { .. } => "encode_failed",
        }
    }

    /// True when the photo itself was refused, so the user should pick or take another one
    /// (HTTP 4xx on the server); false for `EncodeFailed`, a fault on our side (5xx).
    pub fn is_rejection(&self) -> bool {
        !matches!(self, PhotoError::EncodeFailed { .. })
    }
}

/// Megabytes (MiB) with one decimal, for messages.
fn mb(bytes: u64) -> String {
    // Precision loss above 2^53 bytes does not matter for a message.
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    format!("{mib:.1}")
}
