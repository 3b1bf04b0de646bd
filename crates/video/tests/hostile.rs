//! Uploads the server must refuse, each with its own error, without decoding them and without
//! allocating what their headers claim. (An allocation sized by a claim of 4 billion frames would
//! abort the test process, so these tests also catch that.)

mod common;

use std::ops::ControlFlow;
use std::sync::OnceLock;

use common::{find_box, get_u32, put_u32, small_clip, Header};
use signet_video::{decode_each, probe, ClipLimits, VideoError};

fn clip() -> &'static [u8] {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(small_clip)
}

fn limits() -> ClipLimits {
    ClipLimits::default()
}

fn decode_all(bytes: &[u8]) -> Result<usize, VideoError> {
    let mut frames = 0;
    decode_each(bytes, &limits(), |_| {
        frames += 1;
        ControlFlow::Continue(())
    })?;
    Ok(frames)
}

/// A deterministic byte generator (xorshift), so failures reproduce.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn the_synthesised_plausible_header_is_accepted() {
    // The hand-built headers below are only meaningful if the unaltered one passes.
    let info = probe(&Header::plausible().build(), &limits()).expect("plausible header");
    assert_eq!((info.width, info.height, info.frames, info.duration_ms), (320, 240, 60, 2_000));
}

#[test]
fn empty_input_is_not_an_mp4() {
    assert_eq!(probe(&[], &limits()), Err(VideoError::NotMp4));
    assert_eq!(decode_all(&[]), Err(VideoError::NotMp4));
}

#[test]
fn random_bytes_are_not_an_mp4() {
    for seed in 1..50 {
        assert_eq!(probe(&noise(seed, 4096), &limits()), Err(VideoError::NotMp4), "seed {seed}");
    }
}

#[test]
fn a_png_is_not_an_mp4() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\x80\0\0\x01\xe0\x08\x02\0\0\0".to_vec();
    png.extend(noise(7, 2000));
    assert_eq!(probe(&png, &limits()), Err(VideoError::NotMp4));
}

#[test]
fn a_clip_cut_anywhere_is_truncated() {
    let clip = clip();
    for cut in 0..clip.len() {
        let expected = if cut < 8 {
            VideoError::NotMp4
        } else {
            match probe(&clip[..cut], &limits()) {
                Err(VideoError::Truncated { .. }) => continue,
                other => panic!("cut at {cut} of {}: {other:?}", clip.len()),
            }
        };
        assert_eq!(probe(&clip[..cut], &limits()), Err(expected), "cut at {cut}");
    }
}

#[test]
fn decoding_a_cut_clip_fails_cleanly() {
    let clip = clip();
    for cut in (0..clip.len()).step_by(97) {
        assert!(decode_all(&clip[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn bit_flips_anywhere_give_an_error_or_a_clean_decode() {
    let clip = clip();
    let (mut refused, mut decoded) = (0, 0);
    for (n, at) in (0..clip.len()).step_by(7).enumerate() {
        let mut damaged = clip.to_vec();
        damaged[at] ^= 1 << (n % 8);
        match decode_all(&damaged) {
            Ok(frames) => {
                assert_eq!(frames, 10, "a clean decode has every frame (flip at {at})");
                decoded += 1;
            }
            Err(_) => refused += 1,
        }
    }
    // Flips in the sample tables and headers are caught; many in the picture data decode.
    eprintln!("bit flips: {refused} refused, {decoded} decoded");
    assert!(refused > 0 && decoded > 0, "refused {refused}, decoded {decoded}");
}

#[test]
fn a_two_hour_header_is_too_long() {
    let header =
        Header { stts: vec![(216_000, 3_000)], sample_count: 216_000, ..Header::plausible() };
    match probe(&header.build(), &limits()) {
        Err(VideoError::TooLong { duration_ms, max_ms: 30_000 }) => {
            assert!(duration_ms >= 7_200_000)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_recorded_clip_with_a_slowed_down_timescale_is_too_long() {
    // Dividing the media timescale by 7200 makes the 1 s recording claim two hours.
    let mut mp4 = clip().to_vec();
    let mdhd = find_box(&mp4, b"mdhd");
    let timescale_at = mdhd + 8 + 4 + 8;
    let timescale = get_u32(&mp4, timescale_at);
    put_u32(&mut mp4, timescale_at, timescale / 7200);
    match probe(&mp4, &limits()) {
        Err(VideoError::TooLong { duration_ms, .. }) => {
            assert!(duration_ms >= 7_000_000, "{duration_ms}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_10000_by_10000_header_is_too_large() {
    let header = Header { width: 10_000, height: 10_000, ..Header::plausible() };
    assert_eq!(
        probe(&header.build(), &limits()),
        Err(VideoError::DimensionsTooLarge {
            width: 10_000,
            height: 10_000,
            max_width: 1920,
            max_height: 1080
        })
    );
}

#[test]
fn a_recorded_clip_patched_to_10000_by_10000_is_too_large() {
    let mut mp4 = clip().to_vec();
    let avc1 = find_box(&mp4, b"avc1");
    mp4[avc1 + 8 + 24..avc1 + 8 + 28].copy_from_slice(&[0x27, 0x10, 0x27, 0x10]);
    assert!(matches!(
        probe(&mp4, &limits()),
        Err(VideoError::DimensionsTooLarge { width: 10_000, height: 10_000, .. })
    ));
}

#[test]
fn an_sps_larger_than_the_container_declares_is_refused() {
    // The stream itself would make the decoder allocate 1920x1088 pictures for a 160x120 clip.
    let mut limits = limits();
    limits.max_width = 160;
    limits.max_height = 120;
    let mut mp4 = clip().to_vec();
    let avc1 = find_box(&mp4, b"avc1");
    mp4[avc1 + 8 + 24..avc1 + 8 + 28].copy_from_slice(&[0, 16, 0, 16]);
    assert!(matches!(
        probe(&mp4, &limits),
        Err(VideoError::DimensionsTooLarge { width: 160, height: 128, .. })
    ));
}

#[test]
fn four_billion_claimed_frames_are_too_many_without_allocating_for_them() {
    let header = Header { sample_count: u32::MAX, sample_size: 0, ..Header::plausible() };
    assert_eq!(
        probe(&header.build(), &limits()),
        Err(VideoError::TooManyFrames { frames: u64::from(u32::MAX), max: 1_800 })
    );
}

#[test]
fn without_a_frame_limit_four_billion_claimed_frames_are_still_refused_by_the_file_size() {
    let limits = ClipLimits {
        max_frames: u64::MAX,
        max_duration_ms: u64::MAX,
        max_frame_gap_ms: u64::MAX,
        ..limits()
    };
    let header =
        Header { stts: vec![(u32::MAX, 3_000)], sample_count: u32::MAX, ..Header::plausible() };
    assert_eq!(
        probe(&header.build(), &limits),
        Err(VideoError::Malformed { what: "more frames are listed than the file has bytes" })
    );
}

#[test]
fn more_frames_than_the_limit_in_a_short_clip_are_too_many() {
    // 3000 frames 10 ms apart: 30 s, within the duration limit.
    let header = Header { stts: vec![(3_000, 900)], sample_count: 3_000, ..Header::plausible() };
    assert_eq!(
        probe(&header.build(), &limits()),
        Err(VideoError::TooManyFrames { frames: 3_000, max: 1_800 })
    );
}

#[test]
fn a_table_count_larger_than_its_box_is_malformed() {
    let mut mp4 = clip().to_vec();
    let stts = find_box(&mp4, b"stts");
    put_u32(&mut mp4, stts + 12, u32::MAX);
    assert_eq!(
        probe(&mp4, &limits()),
        Err(VideoError::Malformed { what: "a table's entry count exceeds its box" })
    );
}

#[test]
fn a_track_that_is_not_h264_is_unsupported() {
    let header = Header { codec: *b"hvc1", ..Header::plausible() };
    assert_eq!(
        probe(&header.build(), &limits()),
        Err(VideoError::UnsupportedCodec { fourcc: "hvc1".into() })
    );
}

#[test]
fn a_file_without_a_video_track_is_refused() {
    let header = Header { handler: *b"soun", ..Header::plausible() };
    assert_eq!(probe(&header.build(), &limits()), Err(VideoError::NoVideoTrack));
}

#[test]
fn two_frames_at_one_instant_are_implausible() {
    let header = Header { stts: vec![(30, 3_000), (1, 0), (29, 3_000)], ..Header::plausible() };
    match probe(&header.build(), &limits()) {
        Err(VideoError::FrameTimingImplausible { what }) => {
            assert_eq!(what, "frames 31 and 32 have the same timestamp")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn frames_faster_than_the_frame_rate_limit_are_implausible() {
    // 250 frames per second for a stretch.
    let header = Header { stts: vec![(30, 3_000), (20, 360), (10, 3_000)], ..Header::plausible() };
    assert!(matches!(
        probe(&header.build(), &limits()),
        Err(VideoError::FrameTimingImplausible { .. })
    ));
}

#[test]
fn a_long_pause_between_frames_is_implausible() {
    let header =
        Header { stts: vec![(30, 3_000), (1, 270_000), (29, 3_000)], ..Header::plausible() };
    match probe(&header.build(), &limits()) {
        Err(VideoError::FrameTimingImplausible { what }) => {
            assert_eq!(what, "frames 31 and 32 are 3000 ms apart")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_movie_duration_that_disagrees_with_the_frames_is_implausible() {
    let mut mp4 = clip().to_vec();
    let mvhd = find_box(&mp4, b"mvhd");
    let timescale = get_u32(&mp4, mvhd + 20);
    put_u32(&mut mp4, mvhd + 24, timescale * 20);
    assert!(matches!(probe(&mp4, &limits()), Err(VideoError::DurationImplausible { .. })));
}

#[test]
fn a_file_over_the_size_limit_is_too_large() {
    let limits = ClipLimits { max_bytes: 1_000, ..limits() };
    let bytes = clip().len() as u64;
    assert_eq!(probe(clip(), &limits), Err(VideoError::FileTooLarge { bytes, max: 1_000 }));
}

#[test]
fn zero_byte_frames_are_malformed() {
    // The plausible header with a table of 60 zero sizes in place of its constant size.
    let mut mp4 = Header { sample_size: 0, ..Header::plausible() }.build();
    let stsz = find_box(&mp4, b"stsz");
    let size = get_u32(&mp4, stsz) as usize;
    put_u32(&mut mp4, stsz, (size + 240) as u32);
    let mut patched = mp4[..stsz + size].to_vec();
    patched.extend_from_slice(&[0; 240]);
    patched.extend_from_slice(&mp4[stsz + size..]);
    // Grow the enclosing boxes by the 240 bytes and move the chunk offset with the mdat.
    for kind in [b"moov", b"trak", b"mdia", b"minf", b"stbl"] {
        let at = find_box(&patched, kind);
        let grown = get_u32(&patched, at) + 240;
        put_u32(&mut patched, at, grown);
    }
    let stco = find_box(&patched, b"stco");
    let offset = get_u32(&patched, stco + 16) + 240;
    put_u32(&mut patched, stco + 16, offset);
    assert_eq!(
        probe(&patched, &limits()),
        Err(VideoError::Malformed { what: "a frame has no bytes" })
    );
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(
        VideoError::TooLong { duration_ms: 7_200_000, max_ms: 30_000 }.to_string(),
        "the clip lasts 7200000 ms, longer than the 30000 ms allowed"
    );
    assert_eq!(
        VideoError::DimensionsTooLarge {
            width: 10_000,
            height: 10_000,
            max_width: 1920,
            max_height: 1080
        }
        .to_string(),
        "the video is 10000x10000 pixels, larger than the 1920x1080 allowed"
    );
}
