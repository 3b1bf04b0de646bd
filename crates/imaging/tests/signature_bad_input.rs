//! Signature photos that must be refused, each with its precise reason and never a panic: empty,
//! foreign, cut short, damaged, animated, too large, and decompression bombs (refused from the
//! header, before a pixel is decoded or allocated).
#![allow(clippy::unwrap_used)]

mod signature_support;
mod support;

use signature_support::{encode_jpeg, photo, Rng, Scene, BLACK_INK};
use signet_imaging::{load_signature_photo, SignatureImageError, SignaturePhotoLimits};
use support::{png_chunk, png_header_only, tiny_gif};

fn load(bytes: &[u8]) -> Result<(), SignatureImageError> {
    load_signature_photo(bytes, &SignaturePhotoLimits::default()).map(|_| ())
}

fn small_photo() -> image::RgbImage {
    photo(&Scene::new(400, 300, BLACK_INK)).rgb
}

fn jpeg() -> Vec<u8> {
    encode_jpeg(&small_photo(), 85)
}

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    small_photo().write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn bmp() -> Vec<u8> {
    let mut out = Vec::new();
    small_photo().write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Bmp).unwrap();
    out
}

fn webp() -> Vec<u8> {
    let rgb = small_photo();
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn is_truncated(result: &Result<(), SignatureImageError>) -> bool {
    matches!(result, Err(SignatureImageError::Truncated { .. }))
}

fn is_corrupt(result: &Result<(), SignatureImageError>) -> bool {
    matches!(result, Err(SignatureImageError::Corrupt { .. }))
}

fn unsupported(format: &str) -> Result<(), SignatureImageError> {
    Err(SignatureImageError::UnsupportedFormat { format: format.to_owned() })
}

fn too_many_pixels(width: u32, height: u32) -> Result<(), SignatureImageError> {
    Err(SignatureImageError::TooManyPixels { width, height, max_pixels: 40_000_000 })
}

#[test]
fn the_four_accepted_formats_load() {
    for bytes in [jpeg(), png(), bmp(), webp()] {
        assert_eq!(load(&bytes), Ok(()));
    }
}

#[test]
fn zero_bytes_are_empty() {
    assert_eq!(load(&[]), Err(SignatureImageError::Empty));
}

#[test]
fn an_11_mib_file_is_too_large_before_it_is_looked_at() {
    let mut bytes = jpeg();
    bytes.resize(11 * 1024 * 1024, 0);

    assert_eq!(
        load(&bytes),
        Err(SignatureImageError::TooLarge { bytes: 11 * 1024 * 1024, max: 10 * 1024 * 1024 })
    );
}

#[test]
fn a_text_file_is_not_an_image() {
    assert_eq!(load(b"Zhang San\nsignature.jpg\n"), Err(SignatureImageError::NotAnImage));
}

#[test]
fn random_bytes_are_not_an_image() {
    let mut rng = Rng::new(9);
    let bytes: Vec<u8> = (0..65_536).map(|_| rng.next_u32() as u8).collect();
    assert_eq!(load(&bytes), Err(SignatureImageError::NotAnImage));
}

#[test]
fn heic_from_an_iphone_is_unsupported_heic() {
    for header in [
        &b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"[..],
        b"\0\0\0\x18ftypheix\0\0\0\0mif1heix",
        b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic",
    ] {
        let mut heic = header.to_vec();
        heic.extend_from_slice(&[0; 4096]);
        assert_eq!(load(&heic), unsupported("heic"));
    }
}

#[test]
fn a_generic_heif_is_unsupported_heif() {
    let mut heif = b"\0\0\0\x14ftypmif1\0\0\0\0mif1".to_vec();
    heif.extend_from_slice(&[0; 256]);
    assert_eq!(load(&heif), unsupported("heif"));
}

#[test]
fn gif_tiff_and_avif_are_unsupported() {
    assert_eq!(load(&tiny_gif()), unsupported("gif"));
    assert_eq!(load(b"II*\0\x08\0\0\0\0\0\0\0"), unsupported("tiff"));
    assert_eq!(load(b"\0\0\0\x1cftypavif\0\0\0\0mif1avifmiaf"), unsupported("avif"));
}

#[test]
fn a_jpeg_cut_in_half_is_truncated() {
    let jpeg = jpeg();
    let refused = load(&jpeg[..jpeg.len() / 2]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_jpeg_cut_inside_its_header_is_truncated() {
    let refused = load(&jpeg()[..100]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_png_cut_in_half_is_truncated() {
    let png = png();
    let refused = load(&png[..png.len() / 2]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_png_missing_only_its_end_chunk_is_truncated() {
    let png = png();
    let refused = load(&png[..png.len() - 12]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_png_signature_alone_is_truncated() {
    let refused = load(b"\x89PNG\r\n\x1a\n");
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_webp_cut_in_half_is_truncated() {
    let webp = webp();
    let refused = load(&webp[..webp.len() / 2]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_bmp_cut_in_half_is_truncated() {
    let bmp = bmp();
    let refused = load(&bmp[..bmp.len() / 2]);
    assert!(is_truncated(&refused), "{refused:?}");
}

#[test]
fn a_png_with_damaged_compressed_data_is_corrupt() {
    let mut png = png();
    let middle = png.len() / 2;
    for byte in &mut png[middle..middle + 64] {
        *byte ^= 0x5A;
    }
    let refused = load(&png);
    assert!(is_corrupt(&refused), "{refused:?}");
}

#[test]
fn a_png_declaring_zero_by_zero_pixels_is_corrupt() {
    let mut png = png_header_only(0, 0);
    png.extend_from_slice(&png_chunk(b"IEND", &[]));
    let refused = load(&png);
    assert!(is_corrupt(&refused), "{refused:?}");
}

#[test]
fn a_jpeg_with_a_malformed_segment_is_corrupt() {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01]; // APP0 of length 1 (at least 2)
    jpeg.extend_from_slice(&[0; 64]);
    let refused = load(&jpeg);
    assert!(is_corrupt(&refused), "{refused:?}");
}

/// The PNG with `chunks` inserted right after IHDR.
fn after_ihdr(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let after = 8 + 4 + 4 + 13 + 4;
    let mut out = png[..after].to_vec();
    for chunk in chunks {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&png[after..]);
    out
}

#[test]
fn an_animated_png_is_refused_as_animated() {
    let png = png();
    let mut actl = 2u32.to_be_bytes().to_vec(); // two frames
    actl.extend_from_slice(&0u32.to_be_bytes()); // loop forever
    let mut fctl = 0u32.to_be_bytes().to_vec(); // sequence number
    fctl.extend_from_slice(&400u32.to_be_bytes());
    fctl.extend_from_slice(&300u32.to_be_bytes());
    fctl.extend_from_slice(&[0; 8]); // x, y offsets
    fctl.extend_from_slice(&[0, 1, 0, 10, 0, 0]); // 1/10 s, no dispose, no blend
    let apng = after_ihdr(&png, &[png_chunk(b"acTL", &actl), png_chunk(b"fcTL", &fctl)]);
    // Still a readable PNG (its default image is the first frame).
    assert!(image::load_from_memory(&apng).is_ok());

    assert_eq!(load(&apng), Err(SignatureImageError::Animated));
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = kind.to_vec();
    chunk.extend_from_slice(&(data.len() as u32).to_le_bytes());
    chunk.extend_from_slice(data);
    if data.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

fn riff_webp(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    webp.extend_from_slice(b"WEBP");
    webp.extend_from_slice(&body);
    webp
}

fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    data.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    riff_chunk(b"VP8X", &data)
}

#[test]
fn an_animated_webp_is_refused_as_animated() {
    // Two frames, each the VP8L bitstream of a real lossless WebP.
    let still = webp();
    assert_eq!(&still[12..16], b"VP8L");
    let len = u32::from_le_bytes([still[16], still[17], still[18], still[19]]) as usize;
    let frame_bits = riff_chunk(b"VP8L", &still[20..20 + len]);
    let frame = |x: u32| {
        let mut data = Vec::new();
        data.extend_from_slice(&x.to_le_bytes()[..3]);
        data.extend_from_slice(&[0, 0, 0]);
        data.extend_from_slice(&399u32.to_le_bytes()[..3]);
        data.extend_from_slice(&299u32.to_le_bytes()[..3]);
        data.extend_from_slice(&[100, 0, 0, 0]); // 100 ms, blend
        data.extend_from_slice(&frame_bits);
        riff_chunk(b"ANMF", &data)
    };
    let animated = riff_webp(&[
        vp8x(0x02, 400, 300),
        riff_chunk(b"ANIM", &[255, 255, 255, 255, 0, 0]),
        frame(0),
        frame(0),
    ]);

    assert_eq!(load(&animated), Err(SignatureImageError::Animated));
}

#[test]
fn a_tiny_png_declaring_60000_by_60000_pixels_is_refused_without_decoding() {
    // 33 bytes that would decode to 10.8 GB: refused by the header alone (a decoder would have
    // failed as truncated instead).
    let bomb = png_header_only(60_000, 60_000);
    assert_eq!(bomb.len(), 33);

    assert_eq!(load(&bomb), too_many_pixels(60_000, 60_000));
}

#[test]
fn a_complete_looking_png_bomb_is_refused_before_inflating() {
    let mut bomb = png_header_only(60_000, 60_000);
    bomb.extend_from_slice(&png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
    bomb.extend_from_slice(&png_chunk(b"IEND", &[]));

    assert_eq!(load(&bomb), too_many_pixels(60_000, 60_000));
}

#[test]
fn a_tiny_jpeg_declaring_60000_by_60000_pixels_is_refused_without_decoding() {
    let mut bomb = vec![0xFF, 0xD8];
    // SOF0: length 17, 8 bits, height 60000, width 60000, three components.
    bomb.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0xEA, 0x60, 0xEA, 0x60, 3]);
    bomb.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
    bomb.extend_from_slice(&[0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
    bomb.extend_from_slice(&[0x12, 0x34, 0xFF, 0xD9]);

    assert_eq!(load(&bomb), too_many_pixels(60_000, 60_000));
}

#[test]
fn a_real_jpeg_declaring_100_megapixels_is_refused_from_its_header() {
    let mut jpeg = jpeg();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0x27, 0x10, 0x27, 0x10]); // 10000 × 10000

    assert_eq!(load(&jpeg), too_many_pixels(10_000, 10_000));
}

#[test]
fn a_webp_declaring_60000_by_60000_pixels_is_refused_without_decoding() {
    let bomb = riff_webp(&[vp8x(0, 60_000, 60_000)]);
    assert_eq!(load(&bomb), too_many_pixels(60_000, 60_000));
}

#[test]
fn a_bmp_declaring_60000_by_60000_pixels_is_refused_without_decoding() {
    let mut bomb = bmp()[..54].to_vec();
    bomb[18..22].copy_from_slice(&60_000i32.to_le_bytes());
    bomb[22..26].copy_from_slice(&(-60_000i32).to_le_bytes()); // top-down rows
    assert_eq!(load(&bomb), too_many_pixels(60_000, 60_000));
}

#[test]
fn tighter_limits_are_honoured() {
    let limits = SignaturePhotoLimits { max_bytes: 1000, max_pixels: 10_000 };
    let jpeg = jpeg();
    assert!(matches!(
        load_signature_photo(&jpeg, &limits),
        Err(SignatureImageError::TooLarge { max: 1000, .. })
    ));
    let limits = SignaturePhotoLimits { max_pixels: 10_000, ..SignaturePhotoLimits::default() };
    assert_eq!(
        load_signature_photo(&jpeg, &limits).map(|_| ()),
        Err(SignatureImageError::TooManyPixels { width: 400, height: 300, max_pixels: 10_000 })
    );
}

#[test]
fn damaged_files_of_every_format_give_errors_not_panics() {
    // Flip a few bytes, or cut the file short, at many places; whatever comes back, nothing
    // panics. (A small pixel limit keeps a damaged header from asking for a big decode.)
    let limits = SignaturePhotoLimits { max_pixels: 1_000_000, ..SignaturePhotoLimits::default() };
    let mut rng = Rng::new(77);
    for original in [jpeg(), png(), bmp(), webp()] {
        for round in 0..40 {
            let mut bytes = original.clone();
            if round % 4 == 0 {
                bytes.truncate(rng.next_u32() as usize % bytes.len());
            } else {
                for _ in 0..1 + round % 5 {
                    let at = rng.next_u32() as usize % bytes.len().min(4096);
                    bytes[at] ^= 1 << (rng.next_u32() % 8);
                }
            }
            let _ = load_signature_photo(&bytes, &limits);
        }
    }
}

#[test]
fn errors_serialise_with_their_reason_for_the_ui() {
    let cases = [
        (SignatureImageError::Empty, serde_json::json!({ "reason": "empty" })),
        (
            SignatureImageError::TooManyPixels {
                width: 60_000,
                height: 60_000,
                max_pixels: 40_000_000,
            },
            serde_json::json!({
                "reason": "too_many_pixels", "width": 60_000, "height": 60_000,
                "max_pixels": 40_000_000
            }),
        ),
        (
            SignatureImageError::UnsupportedFormat { format: "heic".into() },
            serde_json::json!({ "reason": "unsupported_format", "format": "heic" }),
        ),
        (SignatureImageError::Animated, serde_json::json!({ "reason": "animated" })),
        (SignatureImageError::NoInk, serde_json::json!({ "reason": "no_ink" })),
    ];
    for (error, json) in cases {
        assert_eq!(serde_json::to_value(&error).unwrap(), json);
        assert_eq!(json["reason"], error.reason());
    }
}
