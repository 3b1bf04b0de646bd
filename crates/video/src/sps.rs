//! Just enough of an H.264 sequence parameter set to learn the coded picture size, so a stream
//! cannot make the decoder allocate for a picture larger than the container declared.

use crate::{ClipLimits, VideoError};

/// Refuses an SPS (NAL unit, header byte included, emulation prevention bytes still in) whose
/// coded size is larger than the container's `width` x `height` rounded up to whole macroblocks,
/// or than the limits.
pub(crate) fn check(
    nal: &[u8],
    width: u32,
    height: u32,
    limits: &ClipLimits,
) -> Result<(), VideoError> {
    let (coded_w, coded_h) = coded_size(nal)
        .ok_or(VideoError::Decode("the H.264 sequence parameter set cannot be read".to_owned()))?;
    let round = |n: u32| n.div_ceil(16) * 16;
    let (max_w, max_h) = (round(width.min(limits.max_width)), round(height.min(limits.max_height)));
    // Interlaced streams code fields in pairs of macroblock rows.
    if coded_w > max_w || coded_h > max_h + 16 {
        return Err(VideoError::DimensionsTooLarge {
            width: coded_w,
            height: coded_h,
            max_width: max_w,
            max_height: max_h,
        });
    }
    Ok(())
}

/// Coded width and height in pixels (whole macroblocks, before cropping).
fn coded_size(nal: &[u8]) -> Option<(u32, u32)> {
    if nal.first()? & 0x1f != 7 {
        return None;
    }
    let mut b = Bits::new(&nal[1..]);
    let profile = b.bits(8)?;
    b.bits(16)?; // constraint flags, level
    b.ue()?; // seq_parameter_set_id
    if matches!(profile, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
        let chroma_format = b.ue()?;
        if chroma_format == 3 {
            b.bits(1)?;
        }
        b.ue()?; // bit depths
        b.ue()?;
        b.bits(1)?;
        if b.bits(1)? == 1 {
            for i in 0..if chroma_format == 3 { 12 } else { 8 } {
                if b.bits(1)? == 1 {
                    skip_scaling_list(&mut b, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    b.ue()?; // log2_max_frame_num_minus4
    match b.ue()? {
        0 => {
            b.ue()?;
        }
        1 => {
            b.bits(1)?;
            b.se()?;
            b.se()?;
            let cycle = b.ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                b.se()?;
            }
        }
        _ => {}
    }
    b.ue()?; // max_num_ref_frames
    b.bits(1)?;
    let width_mbs = b.ue()?.checked_add(1)?;
    let height_units = b.ue()?.checked_add(1)?;
    let frame_mbs_only = b.bits(1)?;
    let height_mbs = height_units.checked_mul(2 - frame_mbs_only)?;
    Some((width_mbs.checked_mul(16)?, height_mbs.checked_mul(16)?))
}

fn skip_scaling_list(b: &mut Bits<'_>, size: u32) -> Option<()> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            next = (last + b.se()? + 256).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Some(())
}

/// An RBSP bit reader that drops emulation prevention bytes (00 00 03).
struct Bits<'a> {
    data: &'a [u8],
    byte: usize,
    bit: u32,
    zeros: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bits { data, byte: 0, bit: 0, zeros: 0 }
    }

    fn bit(&mut self) -> Option<u32> {
        if self.bit == 0 {
            if self.zeros >= 2 && self.data.get(self.byte) == Some(&3) {
                self.byte += 1;
                self.zeros = 0;
            }
            let current = *self.data.get(self.byte)?;
            self.zeros = if current == 0 { self.zeros + 1 } else { 0 };
        }
        let value = (self.data[self.byte] >> (7 - self.bit)) & 1;
        self.bit += 1;
        if self.bit == 8 {
            self.bit = 0;
            self.byte += 1;
        }
        Some(u32::from(value))
    }

    fn bits(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0, |acc, _| Some(acc << 1 | self.bit()?))
    }

    /// Unsigned Exp-Golomb; values over 2^31 are refused (no SPS field is near that).
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.bits(zeros)?;
        ((1u64 << zeros) - 1 + u64::from(rest)).try_into().ok()
    }

    fn se(&mut self) -> Option<i64> {
        let k = i64::from(self.ue()?);
        Some(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}
