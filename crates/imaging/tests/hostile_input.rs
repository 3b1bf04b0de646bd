//! What the server must survive: empty, huge, truncated, foreign and bomb files. Each is a clear
//! error value, never a panic or a large allocation.
#![allow(clippy::unwrap_used)]

mod support;

use signet_imaging::{prepare_id_photo, PhotoError, PhotoLimits};
use support::*;

fn prepare(bytes: &[u8]) -> Result<signet_imaging::PreparedPhoto, PhotoError> {
    prepare_id_photo(bytes, &PhotoLimits::default())
}

fn unsupported(format: &str) -> PhotoError {
    PhotoError::UnsupportedFormat { format: format.to_owned() }
}

#[test]
fn zero_bytes_are_refused_as_empty() {
    assert_eq!(prepare(&[]), Err(PhotoError::Empty));
}

#[test]
fn an_11_mib_file_is_refused_as_too_large_before_it_is_looked_at() {
    let mut photo = encode_jpeg(&id_card_photo(1200, 800));
    photo.resize(11 * 1024 * 1024, 0);

    assert_eq!(
        prepare(&photo),
        Err(PhotoError::TooLarge { bytes: 11 * 1024 * 1024, max: 10 * 1024 * 1024 })
    );
}

#[test]
fn a_truncated_jpeg_is_refused_as_corrupt() {
    let photo = encode_jpeg(&id_card_photo(1200, 800));

    let refused = prepare(&photo[..photo.len() / 2]);

    assert!(matches!(refused, Err(PhotoError::Corrupt { .. })), "{refused:?}");
}

#[test]
fn a_jpeg_cut_inside_its_header_is_refused_as_corrupt() {
    let photo = encode_jpeg(&id_card_photo(1200, 800));

    let refused = prepare(&photo[..100]);

    assert!(matches!(refused, Err(PhotoError::Corrupt { .. })), "{refused:?}");
}

#[test]
fn a_truncated_png_is_refused_as_corrupt() {
    let photo = encode_png(&id_card_photo(1200, 800));

    let refused = prepare(&photo[..photo.len() / 2]);

    assert!(matches!(refused, Err(PhotoError::Corrupt { .. })), "{refused:?}");
}

#[test]
fn a_png_with_damaged_compressed_data_is_refused_as_corrupt() {
    let mut photo = encode_png(&id_card_photo(1200, 800));
    let middle = photo.len() / 2;
    for byte in &mut photo[middle..middle + 64] {
        *byte ^= 0x5A;
    }

    let refused = prepare(&photo);

    assert!(matches!(refused, Err(PhotoError::Corrupt { .. })), "{refused:?}");
}

#[test]
fn random_bytes_are_not_an_image() {
    let bytes = XorShift::new(42).bytes(64 * 1024);

    assert_eq!(prepare(&bytes), Err(PhotoError::NotAnImage));
}

#[test]
fn a_text_file_is_not_an_image() {
    assert_eq!(prepare(b"name,id\nZhang San,11010519491231002X\n"), Err(PhotoError::NotAnImage));
}

#[test]
fn an_iphone_heic_photo_is_refused_as_unsupported_heic() {
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend_from_slice(&XorShift::new(7).bytes(4096));

    assert_eq!(prepare(&heic), Err(unsupported("heic")));
}

#[test]
fn a_gif_is_refused_as_unsupported_gif() {
    assert_eq!(prepare(&tiny_gif()), Err(unsupported("gif")));
}

#[test]
fn a_tiny_png_declaring_50000_by_50000_pixels_is_refused_without_decoding() {
    let bomb = png_header_only(50_000, 50_000);
    assert_eq!(bomb.len(), 33);

    assert_eq!(
        prepare(&bomb),
        Err(PhotoError::TooManyPixels { width: 50_000, height: 50_000, max_pixels: 40_000_000 })
    );
}

#[test]
fn a_complete_looking_png_declaring_400_megapixels_is_refused_before_inflating() {
    // A whole file (IHDR, IDAT, IEND) of under 60 bytes that would need 1.2 GB of pixels.
    let mut bomb = png_header_only(20_000, 20_000);
    bomb.extend_from_slice(&png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
    bomb.extend_from_slice(&png_chunk(b"IEND", &[]));

    assert!(matches!(prepare(&bomb), Err(PhotoError::TooManyPixels { .. })));
}

#[test]
fn a_jpeg_declaring_65000_by_65000_pixels_is_refused_without_decoding() {
    let mut bomb = vec![0xFF, 0xD8];
    // SOF0: length 11, 8-bit, height 65000, width 65000, one component.
    bomb.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xFD, 0xE8, 0xFD, 0xE8, 0x01]);
    bomb.extend_from_slice(&[0x01, 0x11, 0x00]);

    assert!(matches!(
        prepare(&bomb),
        Err(PhotoError::TooManyPixels { width: 65_000, height: 65_000, .. })
    ));
}

#[test]
fn a_very_long_strip_is_refused_as_too_big() {
    let strip = png_header_only(12_001, 900);

    assert_eq!(
        prepare(&strip),
        Err(PhotoError::TooBig { width: 12_001, height: 900, max_side: 12_000 })
    );
}

#[test]
fn a_png_declaring_zero_width_is_corrupt() {
    assert!(matches!(prepare(&png_header_only(0, 900)), Err(PhotoError::Corrupt { .. })));
}

#[test]
fn errors_serialise_with_a_snake_case_kind_matching_kind() {
    let errors = [
        PhotoError::Empty,
        PhotoError::TooLarge { bytes: 2, max: 1 },
        PhotoError::NotAnImage,
        unsupported("heic"),
        PhotoError::TooManyPixels { width: 1, height: 1, max_pixels: 0 },
        PhotoError::TooBig { width: 1, height: 1, max_side: 0 },
        PhotoError::Corrupt { detail: "x".into() },
        PhotoError::TooSmall { width: 1, height: 1, min_short_side: 800 },
        PhotoError::TooDark { mean: 1.0 },
        PhotoError::TooBlurry { sharpness: 1.0 },
        PhotoError::EncodeFailed { detail: "x".into() },
    ];
    for error in errors {
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], error.kind(), "{json}");
        assert!(!error.to_string().is_empty());
    }
    assert_eq!(
        serde_json::to_value(unsupported("heic")).unwrap(),
        serde_json::json!({"kind": "unsupported_format", "format": "heic"})
    );
}

#[test]
fn messages_are_short_english_sentences() {
    assert_eq!(
        PhotoError::TooLarge { bytes: 11 * 1024 * 1024, max: 10 * 1024 * 1024 }.to_string(),
        "the file is 11.0 MB; at most 10.0 MB is accepted"
    );
    assert_eq!(unsupported("heic").to_string(), "heic images are not accepted; use JPEG or PNG");
}

/// Limits that let a tiny photo reach the decoder, so many damaged variants run quickly.
fn tiny_limits() -> PhotoLimits {
    PhotoLimits {
        min_short_side: 8,
        min_mean_luminance: 0.0,
        min_sharpness: 0.0,
        ..PhotoLimits::default()
    }
}

#[test]
fn damaged_small_photos_give_an_error_or_a_photo_but_never_panic() {
    let card = id_card_photo(96, 64);
    let mut rng = XorShift::new(2026);
    for original in [encode_jpeg(&card), encode_png(&card)] {
        assert!(prepare_id_photo(&original, &tiny_limits()).is_ok());
        for _ in 0..300 {
            let mut damaged = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(damaged.len() as u32) as usize;
                damaged[at] = rng.next_u32() as u8;
            }
            // Either outcome is fine; a panic fails the test.
            let _ = prepare_id_photo(&damaged, &tiny_limits());
        }
    }
}

#[test]
fn small_photos_cut_at_any_length_are_refused_without_panicking() {
    let card = id_card_photo(96, 64);
    let jpeg = encode_jpeg(&card);
    for len in 1..jpeg.len() - 1 {
        let refused = prepare_id_photo(&jpeg[..len], &tiny_limits());
        assert!(refused.is_err(), "accepted a JPEG cut to {len} of {} bytes", jpeg.len());
    }
    // A PNG that lost only (part of) its 12-byte IEND chunk still holds every pixel; the PNG
    // decoder accepts it, and so may we.
    let png = encode_png(&card);
    for len in 1..png.len() - 12 {
        let refused = prepare_id_photo(&png[..len], &tiny_limits());
        assert!(refused.is_err(), "accepted a PNG cut to {len} of {} bytes", png.len());
    }
}
