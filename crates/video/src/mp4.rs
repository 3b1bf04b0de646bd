//! A small MP4 reader for one H.264 video track: just the boxes `probe` and `decode_each` need.
//!
//! Every table is read through [`Reader`], which fails instead of reading past a box, and every
//! entry count is checked against the bytes of its box before it is iterated, so counts in a
//! header cost nothing until they are proven by bytes that are really there. Vectors are only
//! allocated after the frame count has passed [`ClipLimits::max_frames`].

use crate::sps;
use crate::VideoError;

/// What the server accepts. `ClipLimits::default()` is the liveness clip policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipLimits {
    /// Longest clip, by any duration the headers declare and by the frame timing.
    pub max_duration_ms: u64,
    pub max_width: u32,
    pub max_height: u32,
    /// Highest frame rate, on average and (with a factor two for jitter) between any two frames.
    pub max_fps: u32,
    /// Most frames; by default what `max_duration_ms` at `max_fps` allows.
    pub max_frames: u64,
    /// Largest file in bytes.
    pub max_bytes: u64,
    /// Longest pause between two frames: a camera does not stop for this long mid-recording.
    pub max_frame_gap_ms: u64,
}

impl Default for ClipLimits {
    fn default() -> Self {
        ClipLimits {
            max_duration_ms: 30_000,
            max_width: 1920,
            max_height: 1080,
            max_fps: 60,
            max_frames: 30 * 60,
            max_bytes: 64 * 1024 * 1024,
            max_frame_gap_ms: 1_000,
        }
    }
}

/// The video codec of a clip. Only H.264 is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    H264,
}

/// What the headers of an accepted clip say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipInfo {
    pub width: u32,
    pub height: u32,
    /// From the frame timing: the last frame's start plus its duration.
    pub duration_ms: u64,
    pub frames: u32,
    pub codec: Codec,
    /// When each frame is shown, in milliseconds from the first frame, in file order (no B-frames
    /// reordering is applied: the recorder writes none). For the server's own timing checks.
    pub frame_times_ms: Vec<u64>,
}

/// Checks a clip's headers without decoding any video.
///
/// Refuses anything that is not a complete single-video-track H.264 MP4 within `limits`; each
/// refusal is its own [`VideoError`] variant. Costs time and memory in proportion to the header
/// bytes and to the frame count once that is within `limits.max_frames` and the file's size, never
/// to the numbers a header claims.
pub fn probe(bytes: &[u8], limits: &ClipLimits) -> Result<ClipInfo, VideoError> {
    parse(bytes, limits).map(|clip| clip.info)
}

/// A probed clip with what the decoder needs.
pub(crate) struct Clip<'a> {
    pub info: ClipInfo,
    /// Bytes per NAL unit length prefix in the samples (1, 2 or 4).
    pub nal_length_size: usize,
    pub sps: Vec<&'a [u8]>,
    pub pps: Vec<&'a [u8]>,
    /// Each frame's bytes, in decode order.
    pub samples: Vec<&'a [u8]>,
}

pub(crate) fn parse<'a>(bytes: &'a [u8], limits: &ClipLimits) -> Result<Clip<'a>, VideoError> {
    if bytes.len() < 8 || &bytes[4..8] != b"ftyp" {
        return Err(VideoError::NotMp4);
    }
    let len = bytes.len() as u64;
    if len > limits.max_bytes {
        return Err(VideoError::FileTooLarge { bytes: len, max: limits.max_bytes });
    }
    let mut moov = None;
    for b in boxes(bytes, Level::Top) {
        let b = b?;
        if &b.kind == b"moov" && moov.is_none() {
            moov = Some(b.payload);
        }
    }
    let moov = moov.ok_or(VideoError::Truncated { what: "there is no moov box" })?;

    let mvhd =
        child(moov, b"mvhd")?.ok_or(VideoError::Malformed { what: "moov has no mvhd box" })?;
    let (movie_timescale, movie_duration) = timescale_and_duration(mvhd, "mvhd")?;

    let track = video_track(moov)?;
    let entry = track.sample_entry;
    if !matches!(&entry.kind, b"avc1" | b"avc3") {
        return Err(VideoError::UnsupportedCodec {
            fourcc: String::from_utf8_lossy(&entry.kind).into_owned(),
        });
    }

    // The picture size, as the sample entry and the track header declare it.
    let mut r = Reader::new(entry.payload, "the avc1 sample entry is too short");
    r.skip(24)?;
    let width = u32::from(r.u16()?);
    let height = u32::from(r.u16()?);
    let too_large = |w: u32, h: u32| w > limits.max_width || h > limits.max_height;
    if too_large(width, height) || too_large(track.tkhd_width, track.tkhd_height) {
        let (w, h) = if too_large(width, height) {
            (width, height)
        } else {
            (track.tkhd_width, track.tkhd_height)
        };
        return Err(VideoError::DimensionsTooLarge {
            width: w,
            height: h,
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    if width == 0 || height == 0 {
        return Err(VideoError::Malformed { what: "the video track has no picture size" });
    }
    let avcc = child(&entry.payload[78.min(entry.payload.len())..], b"avcC")?
        .ok_or(VideoError::Malformed { what: "the avc1 sample entry has no avcC box" })?;
    let config = avc_config(avcc)?;
    for sps in &config.sps {
        sps::check(sps, width, height, limits)?;
    }

    // Counts and durations, before any per-frame table is read.
    let stbl = track.stbl;
    let stsz =
        child(stbl, b"stsz")?.ok_or(VideoError::Malformed { what: "stbl has no stsz box" })?;
    let mut sizes = Reader::new(stsz, "the stsz box is too short");
    sizes.skip(4)?;
    let constant_size = sizes.u32()?;
    let sample_count = u64::from(sizes.u32()?);
    let stts =
        child(stbl, b"stts")?.ok_or(VideoError::Malformed { what: "stbl has no stts box" })?;
    let mut timing = Reader::new(stts, "the stts box is too short");
    timing.skip(4)?;
    let stts_entries = timing.counted(8)?;
    let (mut stts_frames, mut stts_ticks) = (0u64, 0u64);
    let mut t = timing.clone();
    for _ in 0..stts_entries {
        let count = u64::from(t.u32()?);
        let delta = u64::from(t.u32()?);
        stts_frames = stts_frames.saturating_add(count);
        stts_ticks = stts_ticks.saturating_add(count.saturating_mul(delta));
    }

    // Every duration the headers declare must be within the limit; then the frame count.
    let ms = |ticks: u64, timescale: u32| {
        (u128::from(ticks) * 1000 / u128::from(timescale.max(1))) as u64
    };
    if track.media_timescale == 0 || movie_timescale == 0 {
        return Err(VideoError::Malformed { what: "a timescale is zero" });
    }
    let declared = [
        ms(movie_duration, movie_timescale),
        ms(track.tkhd_duration, movie_timescale),
        ms(track.media_duration, track.media_timescale),
        ms(stts_ticks, track.media_timescale),
    ];
    let longest = declared.iter().copied().max().unwrap_or(0);
    if longest > limits.max_duration_ms {
        return Err(VideoError::TooLong { duration_ms: longest, max_ms: limits.max_duration_ms });
    }
    let frames = sample_count.max(stts_frames);
    if frames > limits.max_frames {
        return Err(VideoError::TooManyFrames { frames, max: limits.max_frames });
    }
    if sample_count == 0 {
        return Err(VideoError::Malformed { what: "the video track has no frames" });
    }
    if stts_frames != sample_count {
        return Err(VideoError::Malformed {
            what: "stts and stsz disagree on the number of frames",
        });
    }
    // Every frame takes at least a byte of the file, so whatever the limits say, the per-frame
    // tables below are never longer than the file.
    if frames > len {
        return Err(VideoError::Malformed {
            what: "more frames are listed than the file has bytes",
        });
    }

    // Frame timing (frames is within max_frames and the file size from here on).
    let mut frame_times_ms = Vec::with_capacity(frames as usize);
    let mut deltas = Vec::with_capacity(frames as usize);
    let mut dts = 0u64;
    for _ in 0..stts_entries {
        let count = timing.u32()?;
        let delta = u64::from(timing.u32()?);
        for _ in 0..count {
            frame_times_ms.push(ms(dts, track.media_timescale));
            deltas.push(delta);
            dts += delta;
        }
    }
    let duration_ms = ms(dts, track.media_timescale);
    check_timing(&deltas, track.media_timescale, limits)?;
    // The headers may round differently, but must tell the same story as the frames.
    let slack = 100 + ms(deltas.iter().copied().max().unwrap_or(0), track.media_timescale);
    for other in [declared[0], declared[2]] {
        if other.abs_diff(duration_ms) > slack {
            return Err(VideoError::DurationImplausible {
                what: "the declared duration differs from the sum of the frame durations",
            });
        }
    }
    if duration_ms == 0 {
        return Err(VideoError::DurationImplausible { what: "the clip lasts no time at all" });
    }

    // Where each frame's bytes are.
    let mut sample_sizes = Vec::with_capacity(frames as usize);
    if constant_size == 0 {
        if sizes.remaining() / 4 < sample_count as usize {
            return Err(VideoError::Malformed { what: "the stsz table is shorter than its count" });
        }
        for _ in 0..sample_count {
            sample_sizes.push(u64::from(sizes.u32()?));
        }
    } else {
        sample_sizes.resize(frames as usize, u64::from(constant_size));
    }
    let chunks = chunk_offsets(stbl)?;
    let stsc =
        child(stbl, b"stsc")?.ok_or(VideoError::Malformed { what: "stbl has no stsc box" })?;
    let samples = locate_samples(bytes, stsc, &chunks, &sample_sizes)?;

    Ok(Clip {
        info: ClipInfo {
            width,
            height,
            duration_ms,
            frames: frames as u32,
            codec: Codec::H264,
            frame_times_ms,
        },
        nal_length_size: config.nal_length_size,
        sps: config.sps,
        pps: config.pps,
        samples,
    })
}

fn check_timing(deltas: &[u64], timescale: u32, limits: &ClipLimits) -> Result<(), VideoError> {
    let timescale = u128::from(timescale);
    let max_fps = u128::from(limits.max_fps.max(1));
    // The last frame's duration is the writer's guess, not a camera's timing.
    let between = &deltas[..deltas.len().saturating_sub(1)];
    for (i, &delta) in between.iter().enumerate() {
        if delta == 0 {
            return Err(VideoError::FrameTimingImplausible {
                what: format!("frames {} and {} have the same timestamp", i + 1, i + 2),
            });
        }
        // Closer than half a frame interval at the highest frame rate allowed.
        if u128::from(delta) * max_fps * 2 < timescale {
            return Err(VideoError::FrameTimingImplausible {
                what: format!(
                    "frames {} and {} are {} us apart, faster than {} frames per second allows",
                    i + 1,
                    i + 2,
                    u128::from(delta) * 1_000_000 / timescale,
                    limits.max_fps
                ),
            });
        }
        let gap_ms = u128::from(delta) * 1000 / timescale;
        if gap_ms > u128::from(limits.max_frame_gap_ms) {
            return Err(VideoError::FrameTimingImplausible {
                what: format!("frames {} and {} are {gap_ms} ms apart", i + 1, i + 2),
            });
        }
    }
    let span: u128 = between.iter().map(|&d| u128::from(d)).sum();
    // Average rate, with 10 % for a camera running slightly fast.
    if span > 0 && (between.len() as u128) * timescale * 10 > span * max_fps * 11 {
        return Err(VideoError::FrameTimingImplausible {
            what: format!(
                "{} frames in {} ms is more than {} frames per second",
                deltas.len(),
                span * 1000 / timescale,
                limits.max_fps
            ),
        });
    }
    Ok(())
}

struct Track<'a> {
    tkhd_width: u32,
    tkhd_height: u32,
    tkhd_duration: u64,
    media_timescale: u32,
    media_duration: u64,
    stbl: &'a [u8],
    sample_entry: Mp4Box<'a>,
}

/// The first track whose handler is `vide`.
fn video_track(moov: &[u8]) -> Result<Track<'_>, VideoError> {
    for trak in boxes(moov, Level::Nested) {
        let trak = trak?;
        if &trak.kind != b"trak" {
            continue;
        }
        let Some(mdia) = child(trak.payload, b"mdia")? else {
            continue;
        };
        let Some(hdlr) = child(mdia, b"hdlr")? else {
            continue;
        };
        let mut r = Reader::new(hdlr, "the hdlr box is too short");
        r.skip(8)?;
        if &r.bytes(4)? != b"vide" {
            continue;
        }
        let tkhd = child(trak.payload, b"tkhd")?
            .ok_or(VideoError::Malformed { what: "trak has no tkhd box" })?;
        let mut r = Reader::new(tkhd, "the tkhd box is too short");
        let version = r.u8()?;
        r.skip(3)?;
        let tkhd_duration = if version == 1 {
            r.skip(20)?;
            r.u64()?
        } else {
            r.skip(16)?;
            u64::from(r.u32()?)
        };
        r.skip(8 + 2 + 2 + 2 + 2 + 36)?;
        let tkhd_width = r.u32()? >> 16;
        let tkhd_height = r.u32()? >> 16;
        let mdhd =
            child(mdia, b"mdhd")?.ok_or(VideoError::Malformed { what: "mdia has no mdhd box" })?;
        let (media_timescale, media_duration) = timescale_and_duration(mdhd, "mdhd")?;
        let stbl = child(mdia, b"minf")?
            .map(|minf| child(minf, b"stbl"))
            .transpose()?
            .flatten()
            .ok_or(VideoError::Malformed { what: "the video track has no sample table" })?;
        let stsd =
            child(stbl, b"stsd")?.ok_or(VideoError::Malformed { what: "stbl has no stsd box" })?;
        let mut r = Reader::new(stsd, "the stsd box is too short");
        r.skip(8)?;
        let sample_entry = boxes(r.rest(), Level::Nested)
            .next()
            .ok_or(VideoError::Malformed { what: "stsd has no sample entry" })??;
        return Ok(Track {
            tkhd_width,
            tkhd_height,
            tkhd_duration,
            media_timescale,
            media_duration,
            stbl,
            sample_entry,
        });
    }
    Err(VideoError::NoVideoTrack)
}

/// `mvhd` and `mdhd` share this layout.
fn timescale_and_duration(payload: &[u8], name: &'static str) -> Result<(u32, u64), VideoError> {
    let what =
        if name == "mvhd" { "the mvhd box is too short" } else { "the mdhd box is too short" };
    let mut r = Reader::new(payload, what);
    let version = r.u8()?;
    r.skip(3)?;
    Ok(if version == 1 {
        r.skip(16)?;
        (r.u32()?, r.u64()?)
    } else {
        r.skip(8)?;
        (r.u32()?, u64::from(r.u32()?))
    })
}

struct AvcConfig<'a> {
    nal_length_size: usize,
    sps: Vec<&'a [u8]>,
    pps: Vec<&'a [u8]>,
}

fn avc_config(avcc: &[u8]) -> Result<AvcConfig<'_>, VideoError> {
    let mut r = Reader::new(avcc, "the avcC box is too short");
    if r.u8()? != 1 {
        return Err(VideoError::Malformed { what: "the avcC box has an unknown version" });
    }
    r.skip(3)?;
    let nal_length_size = usize::from(r.u8()? & 3) + 1;
    if nal_length_size == 3 {
        return Err(VideoError::Malformed { what: "the avcC box declares 3-byte NAL lengths" });
    }
    // At most 31 and 255 entries: the counts are 5 and 8 bits wide.
    let mut sps = Vec::new();
    for _ in 0..(r.u8()? & 0x1f) {
        let len = usize::from(r.u16()?);
        sps.push(r.bytes(len)?);
    }
    let mut pps = Vec::new();
    for _ in 0..r.u8()? {
        let len = usize::from(r.u16()?);
        pps.push(r.bytes(len)?);
    }
    if sps.is_empty() || pps.is_empty() {
        return Err(VideoError::Malformed { what: "the avcC box has no SPS or no PPS" });
    }
    Ok(AvcConfig { nal_length_size, sps, pps })
}

fn chunk_offsets(stbl: &[u8]) -> Result<Vec<u64>, VideoError> {
    let (payload, wide) = match (child(stbl, b"stco")?, child(stbl, b"co64")?) {
        (Some(stco), _) => (stco, false),
        (None, Some(co64)) => (co64, true),
        (None, None) => return Err(VideoError::Malformed { what: "stbl has no stco or co64 box" }),
    };
    let mut r = Reader::new(payload, "the chunk offset box is too short");
    r.skip(4)?;
    // Bounded by the box's bytes: each entry is 4 or 8 of them.
    let count = r.counted(if wide { 8 } else { 4 })?;
    let mut offsets = Vec::with_capacity(count);
    for _ in 0..count {
        offsets.push(if wide { r.u64()? } else { u64::from(r.u32()?) });
    }
    Ok(offsets)
}

fn locate_samples<'a>(
    bytes: &'a [u8],
    stsc: &[u8],
    chunks: &[u64],
    sizes: &[u64],
) -> Result<Vec<&'a [u8]>, VideoError> {
    let mut r = Reader::new(stsc, "the stsc box is too short");
    r.skip(4)?;
    let runs = r.counted(12)?;
    let mut runs_vec = Vec::with_capacity(runs);
    for _ in 0..runs {
        let first_chunk = r.u32()?;
        let per_chunk = r.u32()?;
        r.skip(4)?;
        runs_vec.push((first_chunk, per_chunk));
    }
    if runs_vec.first().map(|run| run.0) != Some(1) {
        return Err(VideoError::Malformed { what: "stsc does not start at the first chunk" });
    }
    let mut samples = Vec::with_capacity(sizes.len());
    let mut next = sizes.iter();
    // One pass over chunks and runs together: linear however many of each the tables hold.
    let mut run = 0;
    for (i, &offset) in chunks.iter().enumerate() {
        if samples.len() == sizes.len() {
            break;
        }
        let chunk = (i + 1) as u64;
        while runs_vec.get(run + 1).is_some_and(|next_run| u64::from(next_run.0) <= chunk) {
            run += 1;
        }
        let mut at = offset;
        for _ in 0..runs_vec[run].1.min(sizes.len() as u32) {
            let Some(&size) = next.next() else {
                break;
            };
            let end = at
                .checked_add(size)
                .filter(|&end| end <= bytes.len() as u64)
                .ok_or(VideoError::Truncated { what: "a frame lies past the end of the file" })?;
            if size == 0 {
                return Err(VideoError::Malformed { what: "a frame has no bytes" });
            }
            samples.push(&bytes[at as usize..end as usize]);
            at = end;
        }
    }
    if samples.len() != sizes.len() {
        return Err(VideoError::Malformed { what: "the chunks hold fewer frames than stsz lists" });
    }
    Ok(samples)
}

/// Where a box sits: a top-level box cut short means the file was cut short; a nested box running
/// past its parent means the parent is malformed.
#[derive(Clone, Copy)]
enum Level {
    Top,
    Nested,
}

struct Mp4Box<'a> {
    kind: [u8; 4],
    payload: &'a [u8],
}

fn boxes(data: &[u8], level: Level) -> Boxes<'_> {
    Boxes { data, level }
}

/// The first child box of `kind`, if any; a damaged sibling before it is an error.
fn child<'a>(parent: &'a [u8], kind: &[u8; 4]) -> Result<Option<&'a [u8]>, VideoError> {
    for b in boxes(parent, Level::Nested) {
        let b = b?;
        if &b.kind == kind {
            return Ok(Some(b.payload));
        }
    }
    Ok(None)
}

struct Boxes<'a> {
    data: &'a [u8],
    level: Level,
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<Mp4Box<'a>, VideoError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            return None;
        }
        let result = self.split();
        if result.is_err() {
            self.data = &[];
        }
        Some(result)
    }
}

impl<'a> Boxes<'a> {
    fn split(&mut self) -> Result<Mp4Box<'a>, VideoError> {
        let cut = match self.level {
            Level::Top => VideoError::Truncated { what: "a box runs past the end of the file" },
            Level::Nested => {
                VideoError::Malformed { what: "a box runs past the end of its parent" }
            }
        };
        let mut r = Reader::new(self.data, "");
        let (Ok(size), Ok(kind)) = (r.u32(), r.bytes(4)) else {
            return Err(cut);
        };
        let size = match size {
            0 => self.data.len() as u64,
            1 => r.u64().map_err(|_| cut.clone())?,
            n => u64::from(n),
        };
        let header = (self.data.len() - r.remaining()) as u64;
        if size < header {
            return Err(VideoError::Malformed { what: "a box is smaller than its own header" });
        }
        if size > self.data.len() as u64 {
            return Err(cut);
        }
        let (this, rest) = self.data.split_at(size as usize);
        self.data = rest;
        let mut kind_bytes = [0; 4];
        kind_bytes.copy_from_slice(kind);
        Ok(Mp4Box { kind: kind_bytes, payload: &this[header as usize..] })
    }
}

/// Big-endian reads that fail with `what` instead of reading past the slice.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], what: &'static str) -> Self {
        Reader { data, what }
    }

    fn short(&self) -> VideoError {
        VideoError::Malformed { what: self.what }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], VideoError> {
        if n > self.data.len() {
            return Err(self.short());
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> Result<(), VideoError> {
        self.bytes(n).map(|_| ())
    }

    fn rest(&self) -> &'a [u8] {
        self.data
    }

    fn remaining(&self) -> usize {
        self.data.len()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, VideoError> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, VideoError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, VideoError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, VideoError> {
        let hi = u64::from(self.u32()?);
        Ok(hi << 32 | u64::from(self.u32()?))
    }

    /// An entry count, refused when the entries it announces cannot fit in the rest of the box.
    fn counted(&mut self, entry_len: usize) -> Result<usize, VideoError> {
        let count = self.u32()? as usize;
        if count > self.remaining() / entry_len {
            return Err(VideoError::Malformed { what: "a table's entry count exceeds its box" });
        }
        Ok(count)
    }
}
