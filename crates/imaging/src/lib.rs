//! Photo checks for Signet's manual review, shared by the desktop app and the platform server.
//!
//! The app runs [`prepare_id_photo`] before uploading the ID-card photos so the user hears about
//! a dark, blurry or tiny photo at once; the server runs it again on receipt and stores only the
//! JPEG it returns, because a client can be modified. Both use [`PhotoLimits::default`], so they
//! refuse the same photos for the same [`PhotoError`].
//!
//! - [`prepare_id_photo`] takes the uploaded bytes and returns a [`PreparedPhoto`]: upright (EXIF
//!   orientation applied), re-encoded as a baseline JPEG from the pixels alone, so no EXIF (GPS
//!   position!), XMP, ICC profile or comment survives.
//! - [`PhotoError`] says why a photo was refused; it serialises as `{"kind": "too_dark", ...}`
//!   for the UI.
//! - [`load_signature_photo`] turns a photo or scan of a handwritten signature into a
//!   [`SignatureSource`] (same format sniffing and header-first limits, plus WebP and BMP), whose
//!   [`SignatureSource::clean`] cuts out the ink as a transparent PNG at the user's threshold.
//!
//! Decisions:
//! - JPEG and PNG only. HEIC/HEIF is recognised and refused as
//!   [`PhotoError::UnsupportedFormat`]: decoding it would need libheif, which the project does not
//!   take on.
//! - Hostile input is expected on the server. The file size is checked first; the pixel count and
//!   sides are read from the header by this crate's own parser and checked before any pixel is
//!   decoded (a tiny PNG declaring 50000×50000 is refused without allocating), and the decoder
//!   gets [`image::Limits`] as a second fence. Decoding errors are values, never panics.
//! - Brightness and sharpness are measured on a grey copy at most [`ANALYSIS_LONG_SIDE`] pixels
//!   long, so the thresholds [`MIN_MEAN_LUMINANCE`] and [`MIN_SHARPNESS`] mean roughly the same
//!   whatever the camera's resolution. They are deliberately lenient: a person reviews every
//!   photo, and the check only saves the user a round trip for a photo nobody could read. The
//!   sharpness threshold was calibrated on generated card photos (`tests/calibration.rs`), not
//!   yet on real ones.
//! - JPEG decoding is lenient about missing data, so a JPEG without its end-of-image marker is
//!   refused as [`PhotoError::Corrupt`] before decoding: a half-uploaded photo never reaches a
//!   reviewer as a grey-bottomed picture.
//! - Pure functions over bytes: no I/O, no async, no global state; callers on an async runtime
//!   should use a blocking thread.

mod error;
mod format;
mod prepare;
mod quality;
mod signature;
mod signature_png;

pub use error::PhotoError;
pub use format::PhotoFormat;
pub use prepare::{prepare_id_photo, PhotoLimits, PreparedPhoto, OUTPUT_JPEG_QUALITY};
pub use quality::{ANALYSIS_LONG_SIDE, MIN_MEAN_LUMINANCE, MIN_SHARPNESS};
pub use signature::{
    load_signature_photo, CleanedSignature, CleanupOptions, InkMode, SignatureCrop,
    SignatureImageError, SignaturePhotoLimits, SignatureSource, CLEANED_SIGNATURE_MAX_SIDE,
    SIGNATURE_WORKING_LONG_SIDE,
};
pub use signature_png::{
    check_signature_png, SignaturePngProblem, SIGNATURE_MAX_SIDE_PX, SIGNATURE_PNG_MAX_BYTES,
};
