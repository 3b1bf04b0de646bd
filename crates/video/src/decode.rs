//! Frame-by-frame decoding of a probed clip with OpenH264.

use std::ops::ControlFlow;

use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;
use openh264::OpenH264API;

use crate::convert::{i420_to_rgb, I420Planes};
use crate::mp4::{parse, Clip};
use crate::{sps, ClipInfo, ClipLimits, VideoError};

/// One decoded picture, borrowed from the decoder until the callback returns.
#[derive(Debug, Clone, Copy)]
pub struct DecodedFrame<'a> {
    /// When the frame is shown, in milliseconds from the first frame.
    pub pts_ms: u64,
    pub width: u32,
    pub height: u32,
    /// Luma, `height` rows of `y_stride` bytes (the first `width` of each are the picture).
    pub y: &'a [u8],
    /// Chroma, `height / 2` rows of `uv_stride` bytes each.
    pub u: &'a [u8],
    pub v: &'a [u8],
    pub y_stride: usize,
    pub uv_stride: usize,
}

impl DecodedFrame<'_> {
    /// The picture as packed RGB, 3 bytes a pixel.
    pub fn to_rgb(&self) -> Vec<u8> {
        let mut rgb = Vec::new();
        self.write_rgb(&mut rgb);
        rgb
    }

    /// Like [`to_rgb`](Self::to_rgb), reusing `rgb`'s allocation.
    pub fn write_rgb(&self, rgb: &mut Vec<u8>) {
        // The planes come from the decoder with the sizes its own header gave them, so the
        // conversion cannot find them short; an empty picture is the (unreachable) fallback.
        if i420_to_rgb(&self.planes(), rgb).is_err() {
            rgb.clear();
        }
    }

    pub fn planes(&self) -> I420Planes<'_> {
        I420Planes {
            width: self.width,
            height: self.height,
            y: self.y,
            u: self.u,
            v: self.v,
            y_stride: self.y_stride,
            uv_stride: self.uv_stride,
        }
    }
}

/// Probes `bytes` (see [`crate::probe`]), then decodes every frame in order and hands it to
/// `on_frame`, which may stop early with `ControlFlow::Break`. Returns the clip's header facts.
///
/// Fails if a frame cannot be decoded, if the stream's pictures are not the size the container
/// declares, or if fewer pictures come out than the container lists (unless stopped early).
pub fn decode_each<F>(
    bytes: &[u8],
    limits: &ClipLimits,
    mut on_frame: F,
) -> Result<ClipInfo, VideoError>
where
    F: FnMut(DecodedFrame<'_>) -> ControlFlow<()>,
{
    let clip = parse(bytes, limits)?;
    // Flushing after every frame fails on streams with B-frames (FFmpeg's high profile); the
    // pictures still held back are taken once all frames are in.
    let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
    let mut decoder = Decoder::with_api_config(OpenH264API::from_source(), config)
        .map_err(|e| VideoError::Decode(e.to_string()))?;
    let mut annex_b = Vec::new();
    for nal in clip.sps.iter().chain(&clip.pps) {
        annex_b.extend_from_slice(&[0, 0, 0, 1]);
        annex_b.extend_from_slice(nal);
    }
    decoder.decode(&annex_b).map_err(|e| VideoError::Decode(e.to_string()))?;

    let mut shown = 0usize;
    for (index, sample) in clip.samples.iter().enumerate() {
        to_annex_b(sample, &clip, limits, &mut annex_b)?;
        let decoded = decoder
            .decode(&annex_b)
            .map_err(|e| VideoError::Decode(format!("frame {}: {e}", index + 1)))?;
        if let Some(yuv) = decoded {
            if deliver(&yuv, &clip, &mut shown, &mut on_frame)?.is_break() {
                return Ok(clip.info);
            }
        }
    }
    let remaining = decoder.flush_remaining().map_err(|e| VideoError::Decode(e.to_string()))?;
    for yuv in &remaining {
        if deliver(yuv, &clip, &mut shown, &mut on_frame)?.is_break() {
            return Ok(clip.info);
        }
    }
    if shown != clip.samples.len() {
        return Err(VideoError::Decode(format!(
            "{shown} of {} frames could be decoded",
            clip.samples.len()
        )));
    }
    Ok(clip.info)
}

fn deliver<F>(
    yuv: &DecodedYUV<'_>,
    clip: &Clip<'_>,
    shown: &mut usize,
    on_frame: &mut F,
) -> Result<ControlFlow<()>, VideoError>
where
    F: FnMut(DecodedFrame<'_>) -> ControlFlow<()>,
{
    let (width, height) = yuv.dimensions();
    if (width as u64, height as u64) != (u64::from(clip.info.width), u64::from(clip.info.height)) {
        return Err(VideoError::Decode(format!(
            "a picture is {width}x{height}, not the {}x{} the container declares",
            clip.info.width, clip.info.height
        )));
    }
    let Some(&pts_ms) = clip.info.frame_times_ms.get(*shown) else {
        return Err(VideoError::Decode("more pictures than frames".to_owned()));
    };
    *shown += 1;
    let (y_stride, uv_stride, _) = yuv.strides();
    Ok(on_frame(DecodedFrame {
        pts_ms,
        width: clip.info.width,
        height: clip.info.height,
        y: yuv.y(),
        u: yuv.u(),
        v: yuv.v(),
        y_stride,
        uv_stride,
    }))
}

/// A sample's length-prefixed NAL units as an Annex B byte stream in `out`. Parameter sets sent
/// in-band get the same size check as those in the header.
fn to_annex_b(
    sample: &[u8],
    clip: &Clip<'_>,
    limits: &ClipLimits,
    out: &mut Vec<u8>,
) -> Result<(), VideoError> {
    out.clear();
    let mut rest = sample;
    while !rest.is_empty() {
        if rest.len() < clip.nal_length_size {
            return Err(VideoError::Malformed { what: "a frame ends inside a NAL unit length" });
        }
        let (prefix, tail) = rest.split_at(clip.nal_length_size);
        let len = prefix.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        if len > tail.len() {
            return Err(VideoError::Malformed {
                what: "a NAL unit runs past the end of its frame",
            });
        }
        let (nal, tail) = tail.split_at(len);
        if nal.first().is_some_and(|b| b & 0x1f == 7) {
            sps::check(nal, clip.info.width, clip.info.height, limits)?;
        }
        if !nal.is_empty() {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(nal);
        }
        rest = tail;
    }
    Ok(())
}
