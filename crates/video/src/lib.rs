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
//!
//! ```
//! use std::ops::ControlFlow;
//! use signet_video::{decode_each, probe, ClipLimits, H264Recorder};
//!
//! let mut recorder = H264Recorder::new(64, 48, 30, H264Recorder::DEFAULT_BITRATE_BPS)?;
//! for i in 0..6u8 {
//!     recorder.push_rgb(u64::from(i) * 33, &vec![40 * i; 64 * 48 * 3])?;
//! }
//! let mp4 = recorder.finish()?;
//!
//! let info = probe(&mp4, &ClipLimits::default())?;
//! assert_eq!((info.width, info.height, info.frames), (64, 48, 6));
//! let mut brightness = Vec::new();
//! decode_each(&mp4, &ClipLimits::default(), |frame| {
//!     brightness.push(frame.to_rgb()[0]);
//!     ControlFlow::Continue(())
//! })?;
//! assert_eq!(brightness.len(), 6);
//! # Ok::<(), signet_video::VideoError>(())
//! ```

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
