//! Cleaning generated phone photos of a signature, measured against the ink that was drawn:
//! recall (ink pixels that come out opaque) and residue (paper pixels that come out visible).
#![allow(clippy::unwrap_used)]

mod signature_support;
mod support;

use std::sync::OnceLock;

use image::GenericImageView;
use signature_support::*;
use signet_domain::api::{MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SIDE_PX};
use signet_imaging::{
    load_signature_photo, CleanedSignature, CleanupOptions, InkMode, SignatureImageError,
    SignaturePhotoLimits, SignatureSource, CLEANED_SIGNATURE_MAX_SIDE,
};

/// The bar for a usable signature. Measured on the shadowed 1600×1200 photos: recall 0.99,
/// residue 0.0 for both inks; plain global Otsu on the same photo: recall 1.0, residue 0.22 (the
/// shadow comes out as ink).
const MIN_RECALL: f64 = 0.95;
const MAX_RESIDUE: f64 = 0.005;

struct Loaded {
    photo: Photo,
    jpeg: Vec<u8>,
    source: SignatureSource,
}

fn load(scene: &Scene) -> Loaded {
    let (photo, jpeg) = phone_jpeg(scene);
    let source = load_signature_photo(&jpeg, &SignaturePhotoLimits::default()).unwrap();
    Loaded { photo, jpeg, source }
}

/// The shadowed photos, generated and loaded once for all tests of this file.
fn black_ink() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| load(&Scene::new(1600, 1200, BLACK_INK)))
}

fn blue_ink() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| load(&Scene::new(1600, 1200, BLUE_INK)))
}

/// A 2100×1575 photo, larger than the working size.
fn large_photo() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| load(&Scene::new(2100, 1575, BLUE_INK)))
}

fn clean(source: &SignatureSource, threshold: Option<u8>, ink: InkMode) -> CleanedSignature {
    source.clean(&CleanupOptions { threshold, ink }).unwrap()
}

fn decode(cleaned: &CleanedSignature) -> image::RgbaImage {
    image::load_from_memory(&cleaned.png).unwrap().into_rgba8()
}

fn assert_clean(photo: &Photo, cleaned: &CleanedSignature) {
    let score = score(photo, alpha_through_crop(cleaned));
    assert!(score.recall >= MIN_RECALL, "{score:?}");
    assert!(score.residue <= MAX_RESIDUE, "{score:?}");
}

#[test]
fn black_ink_in_a_shadowed_photo_comes_out_whole_without_the_shadow() {
    let loaded = black_ink();
    assert_clean(&loaded.photo, &clean(&loaded.source, None, InkMode::Keep));
}

#[test]
fn blue_ink_in_a_shadowed_photo_comes_out_whole_without_the_shadow() {
    let loaded = blue_ink();
    assert_clean(&loaded.photo, &clean(&loaded.source, None, InkMode::Keep));
}

#[test]
fn plain_global_thresholding_takes_the_shadow_for_ink() {
    // What the lighting correction is for: Otsu on the grey photo, no correction.
    let loaded = black_ink();
    let grey = image::load_from_memory(&loaded.jpeg).unwrap().into_luma8();
    let t = otsu(&grey);

    let score = score(&loaded.photo, |x, y| if grey.get_pixel(x, y).0[0] < t { 255 } else { 0 });

    assert!(score.residue > 10.0 * MAX_RESIDUE, "{score:?}");
}

#[test]
fn a_higher_threshold_keeps_more_ink_and_a_lower_one_less() {
    let source = &black_ink().source;
    let auto = source.auto_threshold();

    let lower = clean(source, Some(auto - 40), InkMode::Keep);
    let automatic = clean(source, None, InkMode::Keep);
    let higher = clean(source, Some(auto + 40), InkMode::Keep);

    assert_eq!(automatic.threshold, auto);
    assert_eq!((lower.threshold, higher.threshold), (auto - 40, auto + 40));
    assert!(lower.ink_pixels < automatic.ink_pixels, "{lower:?} {automatic:?}");
    assert!(automatic.ink_pixels < higher.ink_pixels, "{automatic:?} {higher:?}");
}

#[test]
fn a_threshold_of_zero_keeps_nothing() {
    let refused =
        black_ink().source.clean(&CleanupOptions { threshold: Some(0), ink: InkMode::Keep });
    assert_eq!(refused, Err(SignatureImageError::NoInk));
}

/// Mean colour of the mostly opaque pixels.
fn ink_colour(cleaned: &CleanedSignature) -> [f64; 3] {
    let rgba = decode(cleaned);
    let (mut sum, mut n) = ([0f64; 3], 0f64);
    for p in rgba.pixels().filter(|p| p.0[3] >= 200) {
        for (s, &c) in sum.iter_mut().zip(&p.0[..3]) {
            *s += f64::from(c);
        }
        n += 1.0;
    }
    sum.map(|s| s / n)
}

#[test]
fn keeping_the_ink_colour_keeps_blue_ink_blue() {
    let [r, g, b] = ink_colour(&clean(&blue_ink().source, None, InkMode::Keep));
    assert!(b > r + 60.0 && b > g + 40.0, "{r} {g} {b}");
}

#[test]
fn keeping_the_ink_colour_keeps_black_ink_neutral_and_dark() {
    let [r, g, b] = ink_colour(&clean(&black_ink().source, None, InkMode::Keep));
    assert!(r.max(g).max(b) < 80.0 && (b - r).abs() < 20.0, "{r} {g} {b}");
}

#[test]
fn black_ink_mode_turns_blue_ink_black() {
    let cleaned = clean(&blue_ink().source, None, InkMode::Black);
    let rgba = decode(&cleaned);
    assert!(rgba.pixels().filter(|p| p.0[3] > 0).all(|p| p.0[..3] == [0, 0, 0]));
    assert_clean(&blue_ink().photo, &cleaned);
}

#[test]
fn blue_ink_mode_turns_black_ink_blue() {
    let [r, g, b] = ink_colour(&clean(&black_ink().source, None, InkMode::Blue));
    assert!(b > r + 60.0 && b > g + 40.0, "{r} {g} {b}");
}

#[test]
fn the_signature_is_cropped_with_a_transparent_margin() {
    let loaded = black_ink();
    let cleaned = clean(&loaded.source, None, InkMode::Keep);
    let rgba = decode(&cleaned);
    let (w, h) = rgba.dimensions();
    assert_eq!((w, h), (cleaned.width, cleaned.height));

    let corners = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)];
    assert!(corners.iter().all(|&(x, y)| rgba.get_pixel(x, y).0[3] == 0));
    let visible: Vec<(u32, u32)> =
        rgba.enumerate_pixels().filter(|(_, _, p)| p.0[3] > 0).map(|(x, y, _)| (x, y)).collect();
    let left = visible.iter().map(|p| p.0).min().unwrap();
    let right = visible.iter().map(|p| p.0).max().unwrap();
    let top = visible.iter().map(|p| p.1).min().unwrap();
    let bottom = visible.iter().map(|p| p.1).max().unwrap();
    assert!(
        left >= 10 && top >= 10 && w - 1 - right >= 10 && h - 1 - bottom >= 10,
        "{left} {top} {right} {bottom} in {w}×{h}"
    );

    // The crop holds all the drawn ink and not much else.
    let (pw, ph) = (loaded.photo.width(), loaded.photo.height());
    let inked: Vec<(u32, u32)> = (0..ph)
        .flat_map(|y| (0..pw).map(move |x| (x, y)))
        .filter(|&(x, y)| loaded.photo.coverage[(y * pw + x) as usize] >= 0.5)
        .collect();
    let crop = cleaned.crop;
    assert!(inked.iter().all(|&(x, y)| (crop.x..crop.x + crop.width).contains(&x)
        && (crop.y..crop.y + crop.height).contains(&y)));
    let ink_w = inked.iter().map(|p| p.0).max().unwrap() - inked.iter().map(|p| p.0).min().unwrap();
    assert!(crop.width < ink_w + ink_w / 4, "{crop:?}, ink {ink_w} wide");
}

#[test]
fn the_i_dot_is_kept_while_dust_is_dropped() {
    let loaded = black_ink();
    let cleaned = clean(&loaded.source, None, InkMode::Keep);
    let alpha = alpha_through_crop(&cleaned);
    let (w, h) = (loaded.photo.width() as f32, loaded.photo.height() as f32);

    // The dot's centre (see the scene), and the residue score counts every dust speck.
    assert!(alpha((0.6 * w) as u32, (0.5 * h - 0.14 * h) as u32) >= 200);
    let score = score(&loaded.photo, &alpha);
    assert!(score.residue == 0.0, "{score:?}");
}

#[test]
fn a_thin_printed_line_below_the_signature_is_dropped() {
    let scene = Scene { printed_line: true, ..Scene::new(1200, 900, BLACK_INK) };
    let loaded = load(&scene);
    let cleaned = clean(&loaded.source, None, InkMode::Keep);

    let line_y = (0.86 * 900.0) as u32;
    assert!(cleaned.crop.y + cleaned.crop.height < line_y, "{cleaned:?}");
    assert_clean(&loaded.photo, &cleaned);
}

#[test]
fn the_edge_of_the_page_on_a_dark_desk_is_not_ink() {
    // The desk is far darker than the page; its border with the page must not come out as a
    // frame of ink (nor make the dust near it look like part of the signature).
    let scene = Scene { desk: true, ..Scene::new(1600, 1200, BLUE_INK) };
    let loaded = load(&scene);
    let cleaned = clean(&loaded.source, None, InkMode::Keep);

    assert!(cleaned.crop.x > 150 && cleaned.crop.y > 150, "{cleaned:?}");
    assert_clean(&loaded.photo, &cleaned);
}

#[test]
fn a_blank_page_has_no_ink() {
    let scene = Scene { blank: true, ..Scene::new(1200, 900, BLACK_INK) };
    let loaded = load(&scene);
    assert_eq!(loaded.source.clean(&CleanupOptions::default()), Err(SignatureImageError::NoInk));
}

#[test]
fn the_png_is_rgba_within_the_platform_limits() {
    let cleaned = clean(&black_ink().source, None, InkMode::Keep);
    let png = image::load_from_memory(&cleaned.png).unwrap();
    assert_eq!(png.color(), image::ColorType::Rgba8);
    assert!(
        cleaned.width.max(cleaned.height) <= CLEANED_SIGNATURE_MAX_SIDE.min(MAX_SIGNATURE_SIDE_PX)
    );
    assert!(cleaned.png.len() <= MAX_SIGNATURE_PNG_BYTES);
}

#[test]
fn a_large_photo_is_worked_on_at_the_working_size_and_its_crop_maps_back() {
    let loaded = large_photo();
    assert_eq!(loaded.source.original_size(), (2100, 1575));
    assert_eq!(loaded.source.working_size(), (2000, 1500));

    let cleaned = clean(&loaded.source, None, InkMode::Keep);

    assert_clean(&loaded.photo, &cleaned);
}

#[test]
fn a_threshold_that_keeps_the_whole_page_still_fits_the_platform_limits() {
    let loaded = large_photo();

    let cleaned = clean(&loaded.source, Some(255), InkMode::Keep);

    assert!(cleaned.width.max(cleaned.height) <= CLEANED_SIGNATURE_MAX_SIDE, "{cleaned:?}");
    assert!(cleaned.png.len() <= MAX_SIGNATURE_PNG_BYTES, "{cleaned:?}");
}

#[test]
fn a_photo_taken_sideways_comes_out_upright() {
    let scene = Scene::new(1200, 900, BLACK_INK);
    let upright = photo(&scene);
    // Stored turned a quarter to the left, with EXIF orientation 6 ("turn right to view").
    let stored = image::imageops::rotate270(&upright.rgb);
    let jpeg = support::insert_after_soi(&encode_jpeg(&stored, 85), &support::exif_app1(6));

    let source = load_signature_photo(&jpeg, &SignaturePhotoLimits::default()).unwrap();

    assert_eq!(source.original_size(), (1200, 900));
    assert_clean(&upright, &clean(&source, None, InkMode::Keep));
}

#[test]
fn webp_and_bmp_scans_are_cleaned_like_jpegs() {
    let scene = Scene::new(800, 600, BLUE_INK);
    let photo = photo(&scene);
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(photo.rgb.as_raw(), 800, 600, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut bmp = Vec::new();
    photo.rgb.write_to(&mut std::io::Cursor::new(&mut bmp), image::ImageFormat::Bmp).unwrap();

    for (format, bytes) in [("webp", webp), ("bmp", bmp)] {
        let source = load_signature_photo(&bytes, &SignaturePhotoLimits::default()).unwrap();
        assert_eq!(source.format(), format);
        assert_clean(&photo, &clean(&source, None, InkMode::Keep));
    }
}

#[test]
fn the_original_preview_is_an_upright_jpeg_of_the_asked_size() {
    let preview = black_ink().source.original_preview(800);

    let image = image::load_from_memory_with_format(&preview, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(image.dimensions(), (800, 600));
}

#[test]
fn the_cleaned_signature_debug_output_leaves_out_the_png_bytes() {
    let cleaned = clean(&black_ink().source, None, InkMode::Keep);
    let debug = format!("{cleaned:?}");
    assert!(debug.contains("png_len") && debug.len() < 300, "{debug}");
}
