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
//!
//! The signature-photo cleanup (issue 5) is meant to reuse the same format and limit checks.

mod error;
mod format;
mod prepare;
mod quality;

pub use error::PhotoError;
pub use format::PhotoFormat;
pub use prepare::{prepare_id_photo, PhotoLimits, PreparedPhoto, OUTPUT_JPEG_QUALITY};
pub use quality::{ANALYSIS_LONG_SIDE, MIN_MEAN_LUMINANCE, MIN_SHARPNESS};
