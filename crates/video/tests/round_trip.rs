//! Recording a clip and reading it back: the clip the app uploads is the clip the server sees.

mod common;

use std::ops::ControlFlow;
use std::sync::OnceLock;

use common::{camera_like_frame, record, Recorded};
use signet_video::convert::rgb_to_i420;
use signet_video::{decode_each, probe, ClipLimits, Codec, H264Recorder, VideoError};

/// Five seconds at 640x480 and 30 fps, the shape of a liveness clip, recorded at the default rate.
fn five_seconds() -> &'static Recorded {
    static CLIP: OnceLock<Recorded> = OnceLock::new();
    CLIP.get_or_init(|| record(640, 480, 30, 150, H264Recorder::DEFAULT_BITRATE_BPS))
}

fn luma(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut i420 = Vec::new();
    rgb_to_i420(rgb, width, height, &mut i420).expect("rgb size");
    i420.truncate((width * height) as usize);
    i420
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
}

#[test]
fn recorded_clip_probes_with_its_size_duration_and_frame_count() {
    let info = probe(&five_seconds().mp4, &ClipLimits::default()).expect("probe");
    assert_eq!((info.width, info.height, info.frames, info.codec), (640, 480, 150, Codec::H264));
    assert!((4_950..=5_050).contains(&info.duration_ms), "duration {} ms", info.duration_ms);
    assert_eq!(info.frame_times_ms.len(), 150);
    for (i, &t) in info.frame_times_ms.iter().enumerate() {
        let expected = i as u64 * 1000 / 30;
        assert!(t.abs_diff(expected) <= 1, "frame {i} at {t} ms, expected {expected}");
    }
}

#[test]
fn camera_like_clip_keeps_to_its_bitrate() {
    // 3 s at 400 kbit/s is 150 KB. (A scene where every pixel changes every frame overshoots,
    // because the recorder never skips frames to hold the rate.)
    let mut recorder = H264Recorder::new(640, 480, 30, 400_000).expect("recorder");
    let mut seed = 7;
    for i in 0..90 {
        recorder
            .push_rgb(u64::from(i) * 1000 / 30, &camera_like_frame(i, 640, 480, &mut seed))
            .expect("push");
    }
    let bytes = recorder.finish().expect("finish").len();
    assert!((120_000..180_000).contains(&bytes), "{bytes} bytes");
    assert!(five_seconds().mp4.len() < 5 * 400_000 / 8 * 2, "{} bytes", five_seconds().mp4.len());
}

#[test]
fn decoded_frames_match_the_recorded_frames() {
    let clip = five_seconds();
    let info = probe(&clip.mp4, &ClipLimits::default()).expect("probe");
    let mut seen = 0;
    let mut worst = f64::MAX;
    decode_each(&clip.mp4, &ClipLimits::default(), |frame| {
        assert_eq!((frame.width, frame.height), (640, 480));
        assert_eq!(frame.pts_ms, info.frame_times_ms[seen]);
        let decoded: Vec<u8> =
            frame.y.chunks(frame.y_stride).take(480).flat_map(|row| &row[..640]).copied().collect();
        let original = luma(&clip.frames[seen], 640, 480);
        worst = worst.min(psnr(&decoded, &original));
        // The RGB conversion of the decoded picture is close to the original picture too.
        if seen % 50 == 0 {
            let rgb = frame.to_rgb();
            assert!(psnr(&rgb, &clip.frames[seen]) > 25.0, "frame {seen} RGB");
        }
        seen += 1;
        ControlFlow::Continue(())
    })
    .expect("decode");
    assert_eq!(seen, 150);
    // Tolerance: luma PSNR over 30 dB in every frame (visually faithful at 400 kbit/s).
    assert!(worst > 30.0, "worst luma PSNR {worst:.1} dB");
}

#[test]
fn decoding_stops_when_the_callback_breaks() {
    let mut seen = 0;
    let info = decode_each(&five_seconds().mp4, &ClipLimits::default(), |_| {
        seen += 1;
        if seen == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .expect("decode");
    assert_eq!((seen, info.frames), (3, 150));
}

#[test]
fn ffmpeg_decodes_the_recorded_clip_without_errors() {
    let dir = std::env::temp_dir().join(format!("signet-video-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("clip.mp4");
    std::fs::write(&path, &five_seconds().mp4).expect("write clip");
    let run = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "null", "-"])
        .output();
    let output = match run {
        Ok(output) => output,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("ffmpeg not run ({e}); CI requires it");
            return;
        }
        Err(e) => panic!("ffmpeg is required in CI: {e}"),
    };
    let frames = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames,codec_name,width,height", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .expect("ffprobe comes with ffmpeg");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&frames.stdout).trim(), "h264,640,480,150");
}

#[test]
fn moov_comes_before_mdat() {
    let mp4 = &five_seconds().mp4;
    let moov = mp4.windows(4).position(|w| w == b"moov").expect("moov");
    let mdat = mp4.windows(4).position(|w| w == b"mdat").expect("mdat");
    assert!(moov < mdat);
}

#[test]
fn recorder_refuses_a_buffer_of_the_wrong_size() {
    let mut recorder = H264Recorder::new(64, 48, 30, 100_000).expect("recorder");
    assert_eq!(
        recorder.push_rgb(0, &[0; 10]),
        Err(VideoError::FrameSize { expected: 64 * 48 * 3, actual: 10 })
    );
    assert_eq!(
        recorder.push_i420(0, &[0; 10]),
        Err(VideoError::FrameSize { expected: 64 * 48 * 3 / 2, actual: 10 })
    );
}

#[test]
fn recorder_refuses_a_timestamp_that_goes_back() {
    let mut recorder = H264Recorder::new(64, 48, 30, 100_000).expect("recorder");
    recorder.push_rgb(100, &[128; 64 * 48 * 3]).expect("first frame");
    assert_eq!(
        recorder.push_rgb(99, &[128; 64 * 48 * 3]),
        Err(VideoError::TimestampWentBack { pts_ms: 99, previous_ms: 100 })
    );
}

#[test]
fn recorder_drops_frames_of_a_burst_so_the_clip_passes_the_frame_rate_check() {
    let mut recorder = H264Recorder::new(64, 48, 30, 100_000).expect("recorder");
    // A camera delivering frames in pairs 2 ms apart, 66 ms between pairs.
    for pair in 0..10u64 {
        for t in [pair * 66, pair * 66 + 2] {
            recorder.push_rgb(t, &[(t % 256) as u8; 64 * 48 * 3]).expect("push");
        }
    }
    assert_eq!(recorder.frames(), 10);
    let info = probe(&recorder.finish().expect("finish"), &ClipLimits::default()).expect("probe");
    assert_eq!(info.frames, 10);
}

#[test]
fn recorder_refuses_odd_or_zero_dimensions() {
    for (w, h) in [(641, 480), (640, 0), (0, 0), (8000, 480)] {
        assert_eq!(
            H264Recorder::new(w, h, 30, 100_000).err(),
            Some(VideoError::InvalidDimensions { width: w, height: h })
        );
    }
}

#[test]
fn a_recording_without_frames_cannot_be_finished() {
    let recorder = H264Recorder::new(64, 48, 30, 100_000).expect("recorder");
    assert_eq!(recorder.finish(), Err(VideoError::EmptyRecording));
}

#[test]
fn a_clip_of_another_size_and_rate_round_trips() {
    let clip = record(320, 240, 15, 20, 200_000);
    let info = probe(&clip.mp4, &ClipLimits::default()).expect("probe");
    assert_eq!((info.width, info.height, info.frames), (320, 240, 20));
    assert!(info.frame_times_ms.windows(2).all(|w| w[1] - w[0] == 66 || w[1] - w[0] == 67));
    let mut count = 0;
    decode_each(&clip.mp4, &ClipLimits::default(), |_| {
        count += 1;
        ControlFlow::Continue(())
    })
    .expect("decode");
    assert_eq!(count, 20);
}

#[test]
fn a_recorder_can_move_to_the_camera_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<H264Recorder>();
}

/// Encodes FFmpeg's test pattern with libx264 and `extra` options, and decodes it with FFmpeg:
/// the MP4 and FFmpeg's I420 pictures. `None` without ffmpeg outside CI.
fn ffmpeg_clip(name: &str, extra: &[&str]) -> Option<(Vec<u8>, Vec<u8>)> {
    let path = std::env::temp_dir().join(format!("signet-video-{}-{name}.mp4", std::process::id()));
    let run = std::process::Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=25",
        ])
        .args(["-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .args(extra)
        .arg(&path)
        .status();
    match run {
        Ok(status) => assert!(status.success(), "ffmpeg failed to write {name}"),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("ffmpeg not run ({e}); CI requires it");
            return None;
        }
        Err(e) => panic!("ffmpeg is required in CI: {e}"),
    }
    let raw = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .expect("ffmpeg decodes");
    let bytes = std::fs::read(&path).expect("ffmpeg output");
    let _ = std::fs::remove_file(&path);
    Some((bytes, raw.stdout))
}

#[test]
fn clips_written_by_ffmpeg_decode_to_the_same_pictures_as_ffmpeg() {
    const Y: usize = 320 * 240;
    // H.264 decoding is exact; OpenH264 rounds a few pixels of some B-frames differently from
    // FFmpeg (19 of 76800 at worst here, 84 dB), so the high profile clip gets a bound instead.
    for (name, extra, exact) in [
        ("baseline", &["-profile:v", "baseline"][..], true),
        ("baseline-faststart", &["-profile:v", "baseline", "-movflags", "+faststart"][..], true),
        // CABAC and B-frames: pictures come out of the decoder in display order.
        ("high", &["-profile:v", "high"][..], false),
    ] {
        let Some((mp4, reference)) = ffmpeg_clip(name, extra) else { return };
        let info = probe(&mp4, &ClipLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((info.width, info.height, info.frames), (320, 240, 50), "{name}");
        assert_eq!(reference.len(), 50 * Y * 3 / 2, "{name}: FFmpeg's pictures");
        let mut index = 0;
        decode_each(&mp4, &ClipLimits::default(), |frame| {
            let luma: Vec<u8> = frame
                .y
                .chunks(frame.y_stride)
                .take(240)
                .flat_map(|row| &row[..320])
                .copied()
                .collect();
            let expected = &reference[index * Y * 3 / 2..][..Y];
            if exact {
                assert!(luma == expected, "{name}: picture {index} differs from FFmpeg's");
            } else {
                let quality = psnr(&luma, expected);
                assert!(quality > 60.0, "{name}: picture {index} at {quality:.1} dB from FFmpeg's");
            }
            index += 1;
            ControlFlow::Continue(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(index, 50, "{name}");
    }
}
