//! What happens to ID-card photos a user would really pick: accepted, turned upright, stripped of
//! metadata, or refused as too small, too dark or too blurry.
#![allow(clippy::unwrap_used)]

mod support;

use image::ImageFormat;
use signet_imaging::{prepare_id_photo, PhotoError, PhotoFormat, PhotoLimits};
use support::*;

fn decode_output(jpeg: &[u8]) -> image::DynamicImage {
    assert_eq!(image::guess_format(jpeg).unwrap(), ImageFormat::Jpeg);
    image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap()
}

#[test]
fn a_good_jpeg_photo_passes_and_comes_back_as_a_jpeg_of_the_same_size() {
    let photo = encode_jpeg(&id_card_photo(1200, 800));

    let prepared = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    assert_eq!((prepared.width, prepared.height), (1200, 800));
    assert_eq!(prepared.original_format, PhotoFormat::Jpeg);
    assert!(prepared.sharpness > 100.0, "{prepared:?}");
    assert!(prepared.mean_luminance > 150.0, "{prepared:?}");
    let output = decode_output(&prepared.jpeg);
    assert_eq!((output.width(), output.height()), (1200, 800));
}

#[test]
fn exif_orientation_6_comes_back_rotated_without_exif_or_gps() {
    // Stored landscape with a dark mark in the top-left corner; orientation 6 means "rotate 90°
    // clockwise to display", which takes the mark to the top-right corner of a portrait photo.
    let mut stored = id_card_photo(1200, 800);
    for y in 0..80 {
        for x in 0..80 {
            stored.put_pixel(x, y, image::Rgb([0, 0, 0]));
        }
    }
    let photo = insert_after_soi(&encode_jpeg(&stored), &exif_app1(6));
    assert!(contains(&photo, GPS_CANARY) && contains(&photo, &GPS_LATITUDE));

    let prepared = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    assert_eq!((prepared.width, prepared.height), (800, 1200));
    let upright = decode_output(&prepared.jpeg).to_luma8();
    assert!(mean_grey(&upright, 730, 10, 790, 70) < 40.0, "mark not top right");
    assert!(mean_grey(&upright, 10, 10, 70, 70) > 100.0, "top left should be desk");
    assert!(!contains(&prepared.jpeg, b"Exif"));
    assert!(!contains(&prepared.jpeg, GPS_CANARY));
    assert!(!contains(&prepared.jpeg, &GPS_LATITUDE));
}

#[test]
fn a_png_with_a_text_chunk_comes_back_as_a_jpeg_without_it() {
    let photo = insert_png_text(&encode_png(&id_card_photo(1200, 800)), PNG_TEXT_CANARY);
    assert!(contains(&photo, PNG_TEXT_CANARY));

    let prepared = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    assert_eq!(prepared.original_format, PhotoFormat::Png);
    assert_eq!((prepared.width, prepared.height), (1200, 800));
    assert!(!contains(&prepared.jpeg, PNG_TEXT_CANARY));
    assert!(!contains(&prepared.jpeg, b"Comment"));
    decode_output(&prepared.jpeg);
}

#[test]
fn the_output_holds_nothing_but_the_jfif_header_and_the_picture() {
    let photo = insert_after_soi(&encode_jpeg(&id_card_photo(1200, 800)), &exif_app1(1));

    let jpeg = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap().jpeg;

    // Walk the segments up to the start of scan: only APP0 (JFIF), tables and the frame header.
    let mut pos = 2;
    loop {
        assert_eq!(jpeg[pos], 0xFF);
        let marker = jpeg[pos + 1];
        if marker == 0xDA {
            break;
        }
        assert!(
            matches!(marker, 0xE0 | 0xDB | 0xC4 | 0xC0 | 0xDD),
            "unexpected segment {marker:#04x}"
        );
        if marker == 0xE0 {
            assert_eq!(&jpeg[pos + 4..pos + 9], b"JFIF\0");
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
}

#[test]
fn a_transparent_png_is_flattened_onto_white() {
    let card = id_card_photo(1200, 800);
    // Make the left half fully transparent (with black underneath, as many editors leave it).
    let rgba = image::RgbaImage::from_fn(1200, 800, |x, y| {
        let [r, g, b] = card.get_pixel(x, y).0;
        if x < 600 {
            image::Rgba([0, 0, 0, 0])
        } else {
            image::Rgba([r, g, b, 255])
        }
    });
    let mut photo = Vec::new();
    image::DynamicImage::ImageRgba8(rgba)
        .write_to(&mut std::io::Cursor::new(&mut photo), ImageFormat::Png)
        .unwrap();

    let prepared = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    let output = decode_output(&prepared.jpeg).to_luma8();
    assert!(mean_grey(&output, 0, 0, 600, 800) > 245.0);
}

#[test]
fn a_photo_whose_short_side_is_under_800_pixels_is_refused_as_too_small() {
    let photo = encode_jpeg(&id_card_photo(1100, 700));

    assert_eq!(
        prepare_id_photo(&photo, &PhotoLimits::default()),
        Err(PhotoError::TooSmall { width: 1100, height: 700, min_short_side: 800 })
    );
}

#[test]
fn the_size_in_too_small_is_the_upright_size() {
    let photo = insert_after_soi(&encode_jpeg(&id_card_photo(1100, 700)), &exif_app1(6));

    let refused = prepare_id_photo(&photo, &PhotoLimits::default());

    assert!(matches!(refused, Err(PhotoError::TooSmall { width: 700, height: 1100, .. })));
}

#[test]
fn a_photo_taken_in_the_dark_is_refused_as_too_dark() {
    let photo = encode_jpeg(&darken(&id_card_photo(1200, 800), 0.1));

    match prepare_id_photo(&photo, &PhotoLimits::default()) {
        Err(PhotoError::TooDark { mean }) => assert!(mean < 25.0, "mean {mean}"),
        other => panic!("expected TooDark, got {other:?}"),
    }
}

#[test]
fn a_dim_but_sharp_photo_passes() {
    let photo = encode_jpeg(&darken(&id_card_photo(1200, 800), 0.25));

    let prepared = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    assert!(prepared.mean_luminance < 60.0, "{prepared:?}");
}

#[test]
fn a_blurred_photo_is_refused_as_too_blurry_while_the_sharp_original_passes() {
    let card = id_card_photo(1200, 800);
    let blurred = encode_jpeg(&box_blur(&card, 2, 3));

    assert!(prepare_id_photo(&encode_jpeg(&card), &PhotoLimits::default()).is_ok());
    match prepare_id_photo(&blurred, &PhotoLimits::default()) {
        Err(PhotoError::TooBlurry { sharpness }) => assert!(sharpness < 10.0, "{sharpness}"),
        other => panic!("expected TooBlurry, got {other:?}"),
    }
}

#[test]
fn a_photo_longer_than_the_output_side_is_scaled_down_keeping_its_shape() {
    let photo = encode_jpeg(&id_card_photo(1200, 800));
    let limits = PhotoLimits { max_output_side: 900, ..PhotoLimits::default() };

    let prepared = prepare_id_photo(&photo, &limits).unwrap();

    // 900×600 would fall under the 800-pixel short side, which wins: here nothing is scaled.
    assert_eq!((prepared.width, prepared.height), (1200, 800));
    let limits =
        PhotoLimits { max_output_side: 900, min_short_side: 500, ..PhotoLimits::default() };
    let prepared = prepare_id_photo(&photo, &limits).unwrap();
    assert_eq!((prepared.width, prepared.height), (900, 600));
    let output = decode_output(&prepared.jpeg);
    assert_eq!((output.width(), output.height()), (900, 600));
}

#[test]
fn the_server_accepts_again_what_the_app_prepared() {
    let photo = insert_after_soi(&encode_jpeg(&id_card_photo(1200, 800)), &exif_app1(6));
    let in_app = prepare_id_photo(&photo, &PhotoLimits::default()).unwrap();

    let on_server = prepare_id_photo(&in_app.jpeg, &PhotoLimits::default()).unwrap();

    assert_eq!((on_server.width, on_server.height), (800, 1200));
    assert!(on_server.sharpness > 0.5 * in_app.sharpness, "{in_app:?} {on_server:?}");
}
