//! The camera-side conversions and the preview JPEG.

mod common;

use common::pattern_frame;
use signet_video::convert::{
    i420_len, i420_to_rgb, rgb_to_i420, yuyv_to_i420, yuyv_to_rgb, I420Planes,
};
use signet_video::{preview_jpeg, VideoError};

/// BT.601 limited-range YUV of pure colours.
const RED: (u8, u8, u8) = (81, 90, 240);
const WHITE: (u8, u8, u8) = (235, 128, 128);

fn close(a: &[u8], b: &[u8], tolerance: u8) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| x.abs_diff(y) <= tolerance)
}

fn planes(i420: &[u8], width: u32, height: u32) -> I420Planes<'_> {
    let (w, h) = (width as usize, height as usize);
    let (y, uv) = i420.split_at(w * h);
    let (u, v) = uv.split_at(w.div_ceil(2) * h.div_ceil(2));
    I420Planes { width, height, y, u, v, y_stride: w, uv_stride: w.div_ceil(2) }
}

#[test]
fn pure_colours_convert_to_their_bt601_values() {
    let mut i420 = Vec::new();
    rgb_to_i420(&[255, 0, 0].repeat(4), 2, 2, &mut i420).expect("size");
    assert!(close(&i420, &[RED.0, RED.0, RED.0, RED.0, RED.1, RED.2], 1), "{i420:?}");
    rgb_to_i420(&[255; 12], 2, 2, &mut i420).expect("size");
    assert!(close(
        &i420,
        &[WHITE.0; 4].iter().copied().chain([WHITE.1, WHITE.2]).collect::<Vec<_>>(),
        1
    ));
}

#[test]
fn yuyv_red_becomes_rgb_red() {
    let yuyv = [RED.0, RED.1, RED.0, RED.2].repeat(4);
    let mut rgb = Vec::new();
    yuyv_to_rgb(&yuyv, 4, 2, &mut rgb).expect("size");
    assert!(close(&rgb, &[255, 0, 0].repeat(8), 3), "{rgb:?}");
}

#[test]
fn rgb_survives_a_round_trip_through_i420() {
    // Chroma is subsampled, so compare on a smooth picture with a generous per-channel bound.
    let (w, h) = (64, 48);
    let rgb: Vec<u8> =
        (0..w * h).flat_map(|i| [(i % w * 4) as u8, (i / w * 5) as u8, 128]).collect();
    let mut i420 = Vec::new();
    rgb_to_i420(&rgb, w as u32, h as u32, &mut i420).expect("size");
    let mut back = Vec::new();
    i420_to_rgb(&planes(&i420, w as u32, h as u32), &mut back).expect("planes");
    assert!(close(&rgb, &back, 6));
}

#[test]
fn odd_sizes_convert_without_panicking() {
    let rgb = pattern_frame(3, 85, 83);
    let mut i420 = Vec::new();
    rgb_to_i420(&rgb, 85, 83, &mut i420).expect("size");
    assert_eq!(i420.len(), i420_len(85, 83));
    let mut back = Vec::new();
    i420_to_rgb(&planes(&i420, 85, 83), &mut back).expect("planes");
    assert_eq!(back.len(), rgb.len());
}

#[test]
fn yuyv_to_i420_agrees_with_yuyv_to_rgb_then_i420() {
    let (w, h) = (32u32, 16u32);
    let yuyv: Vec<u8> = (0..w * h / 2)
        .flat_map(|i| {
            [(60 + i % 120) as u8, (118 + i % 20) as u8, (70 + i % 120) as u8, (120 + i % 16) as u8]
        })
        .collect();
    let (mut direct, mut rgb, mut via_rgb) = (Vec::new(), Vec::new(), Vec::new());
    yuyv_to_i420(&yuyv, w, h, &mut direct).expect("size");
    yuyv_to_rgb(&yuyv, w, h, &mut rgb).expect("size");
    rgb_to_i420(&rgb, w, h, &mut via_rgb).expect("size");
    // Luma is copied exactly by the direct path; through RGB it only rounds.
    let luma = (w * h) as usize;
    assert!(yuyv.chunks(2).map(|p| p[0]).eq(direct[..luma].iter().copied()));
    let worst = direct[..luma].iter().zip(&via_rgb[..luma]).map(|(a, b)| a.abs_diff(*b)).max();
    assert!(worst <= Some(2), "luma differs by {worst:?}");
}

#[test]
fn conversions_refuse_buffers_of_the_wrong_size() {
    let mut out = Vec::new();
    assert_eq!(
        rgb_to_i420(&[0; 5], 2, 2, &mut out),
        Err(VideoError::FrameSize { expected: 12, actual: 5 })
    );
    assert_eq!(
        yuyv_to_rgb(&[0; 5], 2, 2, &mut out),
        Err(VideoError::FrameSize { expected: 8, actual: 5 })
    );
    assert_eq!(
        yuyv_to_i420(&[0; 6], 3, 1, &mut out),
        Err(VideoError::InvalidDimensions { width: 3, height: 1 })
    );
}

/// Width and height from the JPEG's baseline frame header (SOF0).
fn jpeg_size(jpeg: &[u8]) -> (u16, u16) {
    assert_eq!(&jpeg[..2], &[0xff, 0xd8], "starts with SOI");
    assert_eq!(&jpeg[jpeg.len() - 2..], &[0xff, 0xd9], "ends with EOI");
    let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).expect("SOF0");
    let be = |at: usize| u16::from_be_bytes([jpeg[at], jpeg[at + 1]]);
    (be(sof + 7), be(sof + 5))
}

#[test]
fn preview_of_720p_fits_640_by_360() {
    let rgb = pattern_frame(0, 1280, 720);
    let jpeg = preview_jpeg(&rgb, 1280, 720, 640, 360, 70).expect("preview");
    assert_eq!(jpeg_size(&jpeg), (640, 360));
    assert!(jpeg.len() < 100_000, "{} bytes", jpeg.len());
}

#[test]
fn preview_keeps_the_aspect_ratio() {
    let rgb = pattern_frame(0, 640, 480);
    let jpeg = preview_jpeg(&rgb, 640, 480, 640, 360, 70).expect("preview");
    assert_eq!(jpeg_size(&jpeg), (480, 360));
}

#[test]
fn preview_never_scales_up() {
    let rgb = pattern_frame(0, 320, 240);
    let jpeg = preview_jpeg(&rgb, 320, 240, 640, 360, 70).expect("preview");
    assert_eq!(jpeg_size(&jpeg), (320, 240));
}

#[test]
fn preview_refuses_a_buffer_of_the_wrong_size() {
    assert!(matches!(preview_jpeg(&[0; 10], 640, 480, 320, 240, 70), Err(VideoError::Preview(_))));
    assert!(matches!(preview_jpeg(&[], 0, 0, 320, 240, 70), Err(VideoError::Preview(_))));
}
