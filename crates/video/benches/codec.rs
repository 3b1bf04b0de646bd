//! `cargo bench -p signet-video --bench codec` (or `cargo xtask bench`): the face recording's
//! codec work, each against a reference measured in this same run.
//!
//! - `encode_5s_640x480`: 150 camera-like RGB frames (5 s at 30 fps) to an MP4 at 400 kbit/s,
//!   ours (OpenH264 + muxide, one thread) against FFmpeg's libx264 `-preset ultrafast` at the
//!   same bitrate on the same raw frames, also one thread. FFmpeg's time is the process's wall
//!   time (it includes start-up and reading the raw frames from a file in the page cache).
//!   Ratio = our time over FFmpeg's; sizes are printed beside it.
//! - `preview_720p`: one preview frame as the camera thread makes it: YUYV 1280×720 to RGB, then
//!   downscaled to 640×360 and encoded as JPEG (quality 70), on one core. Ratio = time per frame
//!   over the 33.3 ms between frames of a 30 fps camera (below 1: the preview keeps up).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use signet_video::convert::yuyv_to_rgb;
use signet_video::{preview_jpeg, H264Recorder};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const FPS: u32 = 30;
const FRAMES: u32 = 150;
const BITRATE: u32 = 400_000;
const RUNS: usize = 5;

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut seed = 0x5eed_u64;
    let frames: Vec<Vec<u8>> =
        (0..FRAMES).map(|i| common::camera_like_frame(i, WIDTH, HEIGHT, &mut seed)).collect();

    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let mut recorder = H264Recorder::new(WIDTH, HEIGHT, FPS, BITRATE).unwrap();
        for (i, rgb) in frames.iter().enumerate() {
            recorder.push_rgb(i as u64 * 1000 / u64::from(FPS), rgb).unwrap();
        }
        size = recorder.finish().unwrap().len();
        times.push(start.elapsed());
    }
    let ours_ms = ms(median(&mut times));
    let ours = format!("ours {ours_ms:.0} ms ({} KB)", size / 1024);
    match ffmpeg(&frames) {
        Ok((ff_ms, ff_size)) => println!(
            "encode_5s_640x480: {ours}, ffmpeg libx264 ultrafast {ff_ms:.0} ms ({} KB), ratio {:.2}",
            ff_size / 1024,
            ours_ms / ff_ms
        ),
        Err(why) => println!("encode_5s_640x480: {ours}, ffmpeg not run ({why})"),
    }

    // A YUYV camera frame made from an RGB one (the conversion's inverse is not the point).
    let rgb720 = common::camera_like_frame(0, 1280, 720, &mut seed);
    let yuyv: Vec<u8> = rgb720
        .chunks_exact(6)
        .flat_map(|px| {
            let luma = |p: &[u8]| {
                (16.0 + 0.257 * f32::from(p[0]) + 0.504 * f32::from(p[1]) + 0.098 * f32::from(p[2]))
                    as u8
            };
            [luma(&px[0..3]), 128, luma(&px[3..6]), 128]
        })
        .collect();
    let mut rgb = Vec::new();
    let mut per_frame = Vec::new();
    let mut jpeg_len = 0;
    for _ in 0..60 {
        let start = Instant::now();
        yuyv_to_rgb(&yuyv, 1280, 720, &mut rgb).unwrap();
        jpeg_len = preview_jpeg(&rgb, 1280, 720, 640, 360, 70).unwrap().len();
        per_frame.push(start.elapsed());
    }
    let frame_ms = ms(median(&mut per_frame));
    println!(
        "preview_720p: ours {frame_ms:.1} ms per frame ({:.0} frames/s, {} KB JPEG), camera 30 frames/s, ratio {:.2}",
        1000.0 / frame_ms,
        jpeg_len / 1024,
        frame_ms / (1000.0 / 30.0)
    );
}

/// FFmpeg with libx264 `-preset ultrafast` on the same frames: (median ms, bytes of the MP4).
fn ffmpeg(frames: &[Vec<u8>]) -> Result<(f64, usize), String> {
    let ok = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !ok {
        return Err("ffmpeg is not installed".into());
    }
    let dir = std::env::temp_dir().join(format!("signet-codec-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let raw = dir.join("frames.rgb");
    let out = dir.join("clip.mp4");
    std::fs::write(&raw, frames.concat()).map_err(|e| e.to_string())?;
    let size = format!("{WIDTH}x{HEIGHT}");
    let rate = FPS.to_string();
    let bitrate = format!("{}k", BITRATE / 1000);
    let result = (|| {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            let output = Command::new("ffmpeg")
                .args(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", &size])
                .args(["-r", &rate, "-i"])
                .arg(&raw)
                .args(["-c:v", "libx264", "-preset", "ultrafast", "-b:v", &bitrate])
                .args(["-pix_fmt", "yuv420p", "-threads", "1", "-movflags", "+faststart"])
                .arg(&out)
                .output()
                .map_err(|e| e.to_string())?;
            times.push(start.elapsed());
            if !output.status.success() {
                return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
            }
        }
        let bytes = std::fs::metadata(&out).map_err(|e| e.to_string())?.len() as usize;
        Ok((ms(median(&mut times)), bytes))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
