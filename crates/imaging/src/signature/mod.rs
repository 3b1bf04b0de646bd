//! Signature photos: a photo or scan of a handwritten signature becomes a transparent PNG of the
//! ink alone.
//!
//! [`load_signature_photo`] checks and decodes the upload once into a [`SignatureSource`]:
//! upright (EXIF orientation), at most [`SIGNATURE_WORKING_LONG_SIDE`] long, the lighting already
//! divided out (about 120 ms for a 12-megapixel JPEG, half of it decoding). The app keeps it
//! while the user moves the threshold slider; each move calls [`SignatureSource::clean`], which
//! works on the working copy only (about 10 ms for a phone photo), and shows the result beside
//! [`SignatureSource::original_preview`]. Timings: `cargo xtask bench`.
//!
//! [`SignatureSource::clean`]:
//! 1. thresholds the lighting-corrected image (see `lighting.rs`: the paper's brightness is
//!    estimated by a closing at low resolution and divided out, so shadows and gradients vanish);
//! 2. keeps the connected pieces that are signature: large pieces, and dot-sized ones near them,
//!    with sizes measured in the pen's own stroke width; long straight lines thinner than the
//!    pen (a form's printed rule) are dropped when they do not touch the signature (see
//!    `ink.rs`);
//! 3. gives each pixel near the kept ink an alpha from its darkness (the stroke's soft edge stays
//!    soft) and the ink's colour un-mixed from the paper's, or black or blue on request;
//! 4. crops to the ink with a margin, shrinks to at most [`CLEANED_SIGNATURE_MAX_SIDE`], and
//!    encodes an RGBA PNG within the platform's [`MAX_SIGNATURE_PNG_BYTES`] and
//!    [`MAX_SIGNATURE_SIDE_PX`].
//!
//! The threshold is a corrected brightness, 0-255: a pixel darker than it, relative to the paper
//! around it, is ink. Higher keeps more and lighter ink (faint strokes, and eventually paper
//! grain); lower keeps only the darkest. `None` uses [`SignatureSource::auto_threshold`].
//!
//! [`MAX_SIGNATURE_PNG_BYTES`]: signet_domain::api::MAX_SIGNATURE_PNG_BYTES
//! [`MAX_SIGNATURE_SIDE_PX`]: signet_domain::api::MAX_SIGNATURE_SIDE_PX

mod decode;
mod error;
mod ink;
mod lighting;
mod render;
mod resample;

use std::fmt;

use image::codecs::jpeg::JpegEncoder;
use serde::{Deserialize, Serialize};

pub use error::SignatureImageError;

use crate::format::Container;
use crate::quality::fit_long_side;
use lighting::Lighting;

/// Long side of the working copy every signature photo is reduced to. Enough for a signature
/// that fills a third of a phone photo to keep strokes several pixels wide, small enough for the
/// slider preview to stay live.
pub const SIGNATURE_WORKING_LONG_SIDE: u32 = 2000;

/// Longest side of a cleaned signature PNG: plenty for printing at signature size (1600 px over
/// 8 cm is 500 dpi), well inside the platform's own limits.
pub const CLEANED_SIGNATURE_MAX_SIDE: u32 = 1600;

/// Quality of [`SignatureSource::original_preview`]: for looking at, not for keeping.
const PREVIEW_JPEG_QUALITY: u8 = 85;

/// What a signature photo may be. Checked before decoding, from the file's size and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignaturePhotoLimits {
    /// Largest file accepted, in bytes. Default 10 MiB.
    pub max_bytes: u64,
    /// Most pixels (width × height) accepted. Default 40 megapixels.
    pub max_pixels: u64,
}

impl Default for SignaturePhotoLimits {
    fn default() -> Self {
        SignaturePhotoLimits { max_bytes: 10 * 1024 * 1024, max_pixels: 40_000_000 }
    }
}

/// The colour of the cleaned ink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InkMode {
    /// The pen's own colour, un-mixed from the paper's.
    #[default]
    Keep,
    /// Black.
    Black,
    /// A ballpoint blue.
    Blue,
}

/// The user's choices for [`SignatureSource::clean`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CleanupOptions {
    /// 0-255; higher keeps more and lighter ink. `None`: [`SignatureSource::auto_threshold`].
    pub threshold: Option<u8>,
    pub ink: InkMode,
}

/// Where the cleaned signature was cut from, in pixels of the upright original photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignatureCrop {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl SignatureCrop {
    fn from_working(source: &SignatureSource, (x, y, w, h): (u32, u32, u32, u32)) -> Self {
        let (ow, oh) = source.original;
        let (ww, wh) = source.rgb.dimensions();
        let scale = |v: u32, original: u32, working: u32| {
            ((u64::from(v) * u64::from(original) + u64::from(working) / 2) / u64::from(working))
                as u32
        };
        let (x0, y0) = (scale(x, ow, ww), scale(y, oh, wh));
        let (x1, y1) = (scale(x + w, ow, ww), scale(y + h, oh, wh));
        SignatureCrop { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
    }
}

/// A cleaned signature.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanedSignature {
    /// RGBA PNG: the ink on a transparent background, cropped with a margin.
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The threshold used (the automatic one when none was given).
    pub threshold: u8,
    /// Pixels of `png` that are mostly ink (alpha at least 128): 0 never happens (that is
    /// [`SignatureImageError::NoInk`]); the UI may warn when it is tiny.
    pub ink_pixels: u64,
    /// The part of the original photo that `png` shows.
    pub crop: SignatureCrop,
}

impl fmt::Debug for CleanedSignature {
    // The PNG bytes would fill the log; their length is what helps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanedSignature")
            .field("png_len", &self.png.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("threshold", &self.threshold)
            .field("ink_pixels", &self.ink_pixels)
            .field("crop", &self.crop)
            .finish()
    }
}

/// A signature photo, decoded once and ready to be cleaned at any threshold.
pub struct SignatureSource {
    /// The working copy: upright, at most [`SIGNATURE_WORKING_LONG_SIDE`] long.
    rgb: image::RgbImage,
    /// Size of the upright original.
    original: (u32, u32),
    container: Container,
    lighting: Lighting,
}

impl fmt::Debug for SignatureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureSource")
            .field("format", &self.container.name())
            .field("original", &self.original)
            .field("working", &self.rgb.dimensions())
            .field("auto_threshold", &self.lighting.auto_threshold)
            .finish_non_exhaustive()
    }
}

/// Checks and decodes a signature photo.
///
/// In order, each step refusing before the next costs anything:
/// 1. size: [`SignatureImageError::Empty`], [`SignatureImageError::TooLarge`];
/// 2. format from the magic bytes: JPEG, PNG, WebP and BMP are read; HEIC/HEIF, AVIF, GIF, TIFF
///    and JPEG XL are [`SignatureImageError::UnsupportedFormat`], anything else
///    [`SignatureImageError::NotAnImage`];
/// 3. from the headers alone: the declared pixel count ([`SignatureImageError::TooManyPixels`],
///    so a small file declaring 60000×60000 allocates nothing), animation (APNG's `acTL`, WebP's
///    animation flag: [`SignatureImageError::Animated`]), and a file that stops before its end
///    ([`SignatureImageError::Truncated`]);
/// 4. decoding with [`image::Limits`] as a second fence; damaged data is
///    [`SignatureImageError::Corrupt`], never a panic;
/// 5. transparency flattened onto white, shrunk to [`SIGNATURE_WORKING_LONG_SIDE`], turned
///    upright, and the lighting corrected.
///
/// Takes about 120 ms for a 12-megapixel JPEG here (half of it decoding): call it on a blocking
/// thread from async code.
pub fn load_signature_photo(
    bytes: &[u8],
    limits: &SignaturePhotoLimits,
) -> Result<SignatureSource, SignatureImageError> {
    let decoded = decode::decode(bytes, limits)?;
    let lighting = lighting::correct(&decoded.rgb);
    Ok(SignatureSource {
        rgb: decoded.rgb,
        original: decoded.original,
        container: decoded.container,
        lighting,
    })
}

impl SignatureSource {
    /// The threshold [`clean`](Self::clean) uses when none is given: Otsu's on the corrected
    /// image, kept below the paper's noise. A good start for the slider.
    pub fn auto_threshold(&self) -> u8 {
        self.lighting.auto_threshold
    }

    /// Width and height of the upright original photo.
    pub fn original_size(&self) -> (u32, u32) {
        self.original
    }

    /// Width and height of the working copy the signature is cut from.
    pub fn working_size(&self) -> (u32, u32) {
        self.rgb.dimensions()
    }

    /// The format the photo arrived in: `jpeg`, `png`, `webp` or `bmp`.
    pub fn format(&self) -> &'static str {
        self.container.name()
    }

    /// The upright photo as a JPEG at most `max_side` long (never larger than the working
    /// copy), to show beside the cleaned signature.
    ///
    /// Infallible in practice: encoding a decoded image into memory cannot fail. Should the
    /// encoder ever refuse, the result is empty and the UI shows no original.
    pub fn original_preview(&self, max_side: u32) -> Vec<u8> {
        let (w, h) = self.rgb.dimensions();
        let mut jpeg = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, PREVIEW_JPEG_QUALITY);
        let encoded = if w.max(h) > max_side.max(1) {
            let (pw, ph) = fit_long_side(w, h, max_side.max(1));
            let small = resample::shrink::<3>(self.rgb.as_raw(), (w, h), (pw, ph));
            encoder.encode(&small, pw, ph, image::ExtendedColorType::Rgb8)
        } else {
            encoder.encode_image(&self.rgb)
        };
        match encoded {
            Ok(()) => jpeg,
            Err(_) => Vec::new(),
        }
    }

    /// Cuts the signature out at the given threshold and ink colour (see the module overview).
    /// [`SignatureImageError::NoInk`] when nothing ink-like remains.
    pub fn clean(&self, options: &CleanupOptions) -> Result<CleanedSignature, SignatureImageError> {
        let threshold = options.threshold.unwrap_or(self.lighting.auto_threshold);
        let (w, h) = self.rgb.dimensions();
        let runs = ink::runs(&self.lighting.level, w, threshold);
        let pieces = ink::label(&runs);
        let keep = ink::keep(&pieces.pieces, w.max(h));
        let kept: Vec<ink::Run> = runs
            .iter()
            .zip(&pieces.piece_of)
            .filter(|(_, &piece)| keep[piece as usize])
            .map(|(run, _)| *run)
            .collect();
        render::render(self, &kept, threshold, options.ink)
    }
}
