//! The liveness clip codec: the app records camera frames into a small H.264 MP4 held in memory
//! ([`H264Recorder`]); the platform server checks an uploaded clip's headers before any heavy work
//! ([`probe`]) and then decodes it frame by frame ([`decode_each`]).
//!
//! The MP4 reader is our own and deliberately small: it understands the boxes a single-track H.264
//! recording needs and refuses the rest. Every count or size a header claims is checked against the
//! bytes actually present and against [`ClipLimits`] before anything is allocated for it, so a
//! hostile header cannot make the server allocate or loop in proportion to its claims.
//!
//! [`convert`] holds the pixel conversions the camera needs and [`preview_jpeg`] the scaled-down
//! JPEG the app shows as the live preview.

#![forbid(unsafe_code)]

pub mod convert;
mod decode;
mod error;
mod mp4;
mod record;
mod sps;

pub use convert::preview_jpeg;
pub use decode::{decode_each, DecodedFrame};
pub use error::VideoError;
pub use mp4::{probe, ClipInfo, ClipLimits, Codec};
pub use record::H264Recorder;
