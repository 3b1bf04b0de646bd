//! Why a signature photo could not be turned into a signature.

use image::ImageError;
use serde::Serialize;

use crate::format::HeaderError;

/// Why a signature photo was refused, or why no signature could be cut out of it.
///
/// Serialised as `{"reason": "too_many_pixels", "width": 60000, ...}`; `reason` is stable (see
/// [`SignatureImageError::reason`]) and the UI words its own message from it. `Display` is a
/// short English sentence for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SignatureImageError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,

    /// More bytes than
    /// [`SignaturePhotoLimits::max_bytes`](crate::SignaturePhotoLimits::max_bytes); checked
    /// before anything else is looked at.
    #[error("the file is {bytes} bytes; at most {max} bytes are accepted")]
    TooLarge { bytes: u64, max: u64 },

    /// No known image signature at the start of the file.
    #[error("the file is not an image")]
    NotAnImage,

    /// A recognised image format that cannot be read here: `heic`, `heif`, `avif`, `gif`,
    /// `tiff`, `jxl`. HEIC (the iPhone default) would need libheif, which the project does not
    /// take on; the UI asks for a JPEG or a screenshot instead.
    #[error("{format} images are not accepted; use JPEG, PNG, WebP or BMP")]
    UnsupportedFormat { format: String },

    /// More pixels than
    /// [`SignaturePhotoLimits::max_pixels`](crate::SignaturePhotoLimits::max_pixels), read from
    /// the header before any pixel is decoded.
    #[error("the image is {width}×{height} pixels; at most {max_pixels} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max_pixels: u64 },

    /// An animated PNG or WebP: a signature is one still picture.
    #[error("the image is animated")]
    Animated,

    /// The file stops before its image does (an interrupted copy or upload).
    #[error("the image is incomplete: {detail}")]
    Truncated { detail: String },

    /// Damaged data, or a rare variant the decoder cannot read; `detail` is the reason, in
    /// English.
    #[error("the image is damaged: {detail}")]
    Corrupt { detail: String },

    /// Nothing ink-like was found at this threshold: a blank page, a photo of something else,
    /// or a threshold so low that every stroke was cut away.
    #[error("no ink was found in the image")]
    NoInk,

    /// The cleaned PNG could not be written. Not expected; kept apart because it is not the
    /// user's file that is at fault.
    #[error("the signature could not be encoded: {detail}")]
    EncodeFailed { detail: String },
}

impl SignatureImageError {
    /// The stable code, equal to the serialised `reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::NotAnImage => "not_an_image",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::TooManyPixels { .. } => "too_many_pixels",
            Self::Animated => "animated",
            Self::Truncated { .. } => "truncated",
            Self::Corrupt { .. } => "corrupt",
            Self::NoInk => "no_ink",
            Self::EncodeFailed { .. } => "encode_failed",
        }
    }

    /// True when the user should pick another photo or threshold (HTTP 4xx on a server); false
    /// for `EncodeFailed`, a fault on our side.
    pub fn is_rejection(&self) -> bool {
        !matches!(self, Self::EncodeFailed { .. })
    }

    /// A decoder's failure: running out of data is `Truncated`, anything else `Corrupt`.
    pub(crate) fn from_decoder(error: ImageError) -> Self {
        let detail = error.to_string();
        match error {
            ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Self::Truncated { detail }
            }
            _ => Self::Corrupt { detail },
        }
    }
}

impl From<HeaderError> for SignatureImageError {
    fn from(error: HeaderError) -> Self {
        match error {
            HeaderError::NotAnImage => Self::NotAnImage,
            HeaderError::Unsupported(format) => Self::UnsupportedFormat { format: format.into() },
            HeaderError::Truncated(detail) => Self::Truncated { detail: detail.into() },
            HeaderError::Corrupt(detail) => Self::Corrupt { detail: detail.into() },
        }
    }
}
