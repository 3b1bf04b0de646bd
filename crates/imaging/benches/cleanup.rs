//! `cargo bench -p signet-imaging --bench cleanup` (or `cargo xtask bench`): cleaning a
//! 12-megapixel phone photo of a signature, ours against ImageMagick doing comparable steps, both
//! timed in this run and both scored against the ink that was drawn.
//!
//! ImageMagick's steps: grey; divide by a copy shrunk to 1/8, closed (max then min over a
//! square), blurred and enlarged back (the lighting); Otsu's threshold (computed here from its
//! corrected image: ImageMagick 6 has no `-auto-threshold`); a closing with a small disc to drop
//! specks; trim to the ink, a white border, white made transparent. ImageMagick uses both cores
//! (OpenMP); ours runs on one.
//!
//! Printed: `cleanup_12mp: ours X ms (recall r, residue q), imagemagick Y ms (recall r,
//! residue q), ratio Z` with Z = our time over ImageMagick's (as the other benches: below 1 is
//! faster), then our load and clean times apart (clean alone is what each slider move costs).
#![allow(clippy::unwrap_used)]

#[path = "../tests/signature_support/mod.rs"]
mod signature_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use image::GrayImage;
use signature_support::{
    alpha_through_crop, otsu, phone_jpeg, score, Photo, Scene, Score, BLUE_INK,
};
use signet_imaging::{load_signature_photo, CleanupOptions, SignaturePhotoLimits};

const RUNS: usize = 5;
const IMAGEMAGICK_RUNS: usize = 3;
/// White border ImageMagick adds around the trimmed ink, in pixels of the 4000 px photo.
const BORDER: u32 = 60;

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let (photo, jpeg) = phone_jpeg(&Scene::new(4000, 3000, BLUE_INK));
    let limits = SignaturePhotoLimits::default();

    let mut loads = Vec::new();
    let mut totals = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let source = load_signature_photo(&jpeg, &limits).unwrap();
        let loaded = start.elapsed();
        let cleaned = source.clean(&CleanupOptions::default()).unwrap();
        totals.push(start.elapsed());
        loads.push(loaded);
        last = Some((source, cleaned));
    }
    let (source, cleaned) = last.unwrap();
    let ours = score(&photo, alpha_through_crop(&cleaned));
    let ours_ms = ms(median(&totals));

    // The slider: clean alone on the loaded working copy, at a few thresholds.
    let auto = source.auto_threshold();
    let cleans: Vec<Duration> = (0..3 * RUNS)
        .map(|i| {
            let threshold = Some(auto.saturating_sub(20).saturating_add((i % 3) as u8 * 20));
            let start = Instant::now();
            source.clean(&CleanupOptions { threshold, ..CleanupOptions::default() }).unwrap();
            start.elapsed()
        })
        .collect();

    let ours_line =
        format!("ours {ours_ms:.0} ms (recall {:.3}, residue {:.4})", ours.recall, ours.residue);
    match imagemagick(&photo, &jpeg) {
        Ok((im_ms, im)) => {
            let im_line = format!(
                "imagemagick {im_ms:.0} ms (recall {:.3}, residue {:.4})",
                im.recall, im.residue
            );
            println!("cleanup_12mp: {ours_line}, {im_line}, ratio {:.3}", ours_ms / im_ms);
        }
        Err(why) => println!("cleanup_12mp: {ours_line}, imagemagick not run ({why})"),
    }
    let (ww, wh) = source.working_size();
    println!(
        "cleanup_12mp load: {:.0} ms (decode, shrink to {ww}×{wh}, lighting)",
        ms(median(&loads))
    );
    println!(
        "cleanup_12mp clean: {:.1} ms per slider move (median of {}); PNG {}×{}, {} KB",
        ms(median(&cleans)),
        cleans.len(),
        cleaned.width,
        cleaned.height,
        cleaned.png.len() / 1024,
    );
}

/// ImageMagick's `magick` (IM7) or `convert` (IM6), whichever is on the PATH.
fn imagemagick_binary() -> Option<&'static str> {
    ["magick", "convert"].into_iter().find(|program| {
        Command::new(program).arg("-version").output().is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ImageMagick")
        })
    })
}

fn imagemagick(photo: &Photo, jpeg: &[u8]) -> Result<(f64, Score), String> {
    let program = imagemagick_binary().ok_or("ImageMagick is not installed")?;
    let dir = std::env::temp_dir().join(format!("signet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let input = dir.join("photo.jpg");
    std::fs::write(&input, jpeg).map_err(|e| e.to_string())?;
    let result = (|| {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..IMAGEMAGICK_RUNS {
            let start = Instant::now();
            let run = imagemagick_once(program, &dir, &input, photo)?;
            times.push(start.elapsed());
            last = Some(run);
        }
        let alpha_and_offset = last.ok_or("no run")?;
        Ok((ms(median(&times)), score_imagemagick(photo, &alpha_and_offset)))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The output's alpha and where its top-left pixel lies in the photo.
struct Trimmed {
    rgba: image::RgbaImage,
    x: i64,
    y: i64,
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new(program).args(args).output().map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn imagemagick_once(
    program: &str,
    dir: &Path,
    input: &Path,
    photo: &Photo,
) -> Result<Trimmed, String> {
    // Raw 8-bit grey: read back here without a PNM decoder.
    let corrected = format!("gray:{}", dir.join("corrected.gray").to_str().ok_or("path")?);
    let out = dir.join("signature.png");
    let (w, h) = (photo.width(), photo.height());
    let full = format!("{w}x{h}!");
    // 1. The lighting: divide by the closed, blurred 1/8 copy.
    run(
        program,
        &[
            input.to_str().ok_or("path")?,
            "-colorspace",
            "Gray",
            "(",
            "+clone",
            "-resize",
            "12.5%",
            "-morphology",
            "Close",
            "Square:6",
            "-blur",
            "0x2",
            "-resize",
            &full,
            ")",
            "-compose",
            "DivideSrc",
            "-composite",
            "-depth",
            "8",
            &corrected,
        ],
    )?;
    // 2. Otsu on the corrected image.
    let raw = std::fs::read(dir.join("corrected.gray")).map_err(|e| e.to_string())?;
    let grey = GrayImage::from_raw(w, h, raw).ok_or("the corrected image has the wrong size")?;
    let t = otsu(&grey);
    let percent = format!("{:.2}%", f64::from(t) * 100.0 / 255.0);
    // 3. Threshold, drop specks, trim, border, transparent paper.
    let border = format!("{BORDER}");
    let size = format!("{w}x{h}");
    let offsets = run(
        program,
        &[
            "-size",
            &size,
            "-depth",
            "8",
            &corrected,
            "-threshold",
            &percent,
            "-morphology",
            "Close",
            "Disk:2.5",
            "-trim",
            "-print",
            "%X %Y\n",
            "-bordercolor",
            "white",
            "-border",
            &border,
            "-transparent",
            "white",
            out.to_str().ok_or("path")?,
        ],
    )?;
    let mut numbers = offsets.split_whitespace().map(|v| v.trim_start_matches('+').parse::<i64>());
    let (Some(Ok(x)), Some(Ok(y))) = (numbers.next(), numbers.next()) else {
        return Err(format!("unexpected trim offsets {offsets:?}"));
    };
    let rgba = image::open(&out).map_err(|e| e.to_string())?.into_rgba8();
    Ok(Trimmed { rgba, x: x - i64::from(BORDER), y: y - i64::from(BORDER) })
}

fn score_imagemagick(photo: &Photo, trimmed: &Trimmed) -> Score {
    score(photo, |x, y| {
        let (u, v) = (i64::from(x) - trimmed.x, i64::from(y) - trimmed.y);
        if u < 0
            || v < 0
            || u >= i64::from(trimmed.rgba.width())
            || v >= i64::from(trimmed.rgba.height())
        {
            return 0;
        }
        trimmed.rgba.get_pixel(u as u32, v as u32).0[3]
    })
}
