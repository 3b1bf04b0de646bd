//! The check of a signature image: the transparent PNG that the app makes from a drawn or an
//! uploaded signature, checked again by the platform before it keeps one.
//!
//! [`check_signature_png`] answers the image's size or the [`SignaturePngProblem`]. Like
//! [`crate::prepare_id_photo`], everything that can be refused from the file length and the
//! header is refused before a pixel is decoded, and the decoder gets [`image::Limits`] as a
//! second fence. Unlike an ID photo, the PNG is not re-encoded: the platform keeps the bytes
//! the app sent, so that the SHA-256 the app cached stays the signature's identity.

use std::io::Cursor;

use image::codecs::png::PngDecoder;
use image::{DynamicImage, ImageError, Limits};
use serde::Serialize;

/// Largest signature PNG, in bytes (the platform's limit).
pub const SIGNATURE_PNG_MAX_BYTES: usize = signet_domain::api::MAX_SIGNATURE_PNG_BYTES;
/// Longest side of a signature PNG, in pixels (the platform's limit).
pub const SIGNATURE_MAX_SIDE_PX: u32 = signet_domain::api::MAX_SIGNATURE_SIDE_PX;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// IHDR colour types with an alpha channel: grey + alpha, and RGBA.
const GREY_ALPHA: u8 = 4;
const RGBA: u8 = 6;
/// The most a decoded pixel takes (16-bit RGBA).
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// Why a signature PNG was refused. `as_str` (and the serialised form) is the stable
/// `details.reason` of the platform's `invalid_signature` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum SignaturePngProblem {
    /// More than [`SIGNATURE_PNG_MAX_BYTES`].
    #[error("the signature image is larger than {} bytes", SIGNATURE_PNG_MAX_BYTES)]
    TooLarge,
    /// No PNG signature at the start of the file.
    #[error("the signature image is not a PNG")]
    NotPng,
    /// A side longer than [`SIGNATURE_MAX_SIDE_PX`], read from the header before decoding.
    #[error("the signature image is larger than {0}×{0} pixels", SIGNATURE_MAX_SIDE_PX)]
    TooManyPixels,
    /// No alpha channel (colour type other than grey + alpha or RGBA; a palette with a `tRNS`
    /// chunk is not accepted either), or every pixel is fully opaque: a signature is laid over
    /// documents, so its background must be transparent.
    #[error("the signature image has no transparent background")]
    NoTransparency,
    /// Cut short, damaged (bad CRC, bad compressed data), or a header that makes no sense.
    #[error("the signature image is damaged or incomplete")]
    Corrupt,
    /// Zero bytes, or every pixel fully transparent: nothing would show.
    #[error("the signature image is empty")]
    Empty,
}

impl SignaturePngProblem {
    /// The stable code: `too_large`, `not_png`, `too_many_pixels`, `no_transparency`, `corrupt`,
    /// `empty`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::NotPng => "not_png",
            Self::TooManyPixels => "too_many_pixels",
            Self::NoTransparency => "no_transparency",
            Self::Corrupt => "corrupt",
            Self::Empty => "empty",
        }
    }
}

/// Checks a signature PNG and returns its width and height.
///
/// In order, each step refusing before the next costs anything: the length (empty, over
/// [`SIGNATURE_PNG_MAX_BYTES`]); the PNG signature; the IHDR chunk (first, 13 bytes): sides
/// not zero and at most [`SIGNATURE_MAX_SIDE_PX`], a colour type with alpha; then the whole
/// image is decoded under [`image::Limits`] (truncated or damaged data is
/// [`SignaturePngProblem::Corrupt`], never a panic), and at least one pixel must show (alpha
/// above 0) and at least one must not be fully opaque.
///
/// Pure and synchronous: decoding a large image takes a noticeable fraction of a second, so
/// async callers should run it on a blocking thread.
pub fn check_signature_png(bytes: &[u8]) -> Result<(u32, u32), SignaturePngProblem> {
    if bytes.is_empty() {
        return Err(SignaturePngProblem::Empty);
    }
    if bytes.len() > SIGNATURE_PNG_MAX_BYTES {
        return Err(SignaturePngProblem::TooLarge);
    }
    if !bytes.starts_with(PNG_SIGNATURE) {
        return Err(SignaturePngProblem::NotPng);
    }
    let (width, height, colour_type) = read_header(bytes)?;
    if width == 0 || height == 0 {
        return Err(SignaturePngProblem::Corrupt);
    }
    if width > SIGNATURE_MAX_SIDE_PX || height > SIGNATURE_MAX_SIDE_PX {
        return Err(SignaturePngProblem::TooManyPixels);
    }
    if !matches!(colour_type, GREY_ALPHA | RGBA) {
        return Err(SignaturePngProblem::NoTransparency);
    }

    let mut limits = Limits::default();
    limits.max_image_width = Some(SIGNATURE_MAX_SIDE_PX);
    limits.max_image_height = Some(SIGNATURE_MAX_SIDE_PX);
    limits.max_alloc = Some(
        u64::from(SIGNATURE_MAX_SIDE_PX) * u64::from(SIGNATURE_MAX_SIDE_PX) * MAX_BYTES_PER_PIXEL,
    );
    let image = PngDecoder::with_limits(Cursor::new(bytes), limits)
        .and_then(DynamicImage::from_decoder)
        .map_err(from_decoder)?;
    if (image.width(), image.height()) != (width, height) {
        return Err(SignaturePngProblem::Corrupt);
    }
    alpha_shows_and_is_not_opaque(&image)?;
    Ok((width, height))
}

/// Width, height and colour type from the IHDR chunk, which must come first.
fn read_header(bytes: &[u8]) -> Result<(u32, u32, u8), SignaturePngProblem> {
    // Length (13) and type, then width, height, bit depth, colour type.
    let header = bytes.get(8..26).ok_or(SignaturePngProblem::Corrupt)?;
    if &header[0..8] != b"\0\0\0\x0dIHDR" {
        return Err(SignaturePngProblem::Corrupt);
    }
    let width = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    let height = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    Ok((width, height, header[17]))
}

fn from_decoder(error: ImageError) -> SignaturePngProblem {
    match error {
        // Only reachable if the decoder reads the header differently from `read_header`.
        ImageError::Limits(_) => SignaturePngProblem::TooManyPixels,
        _ => SignaturePngProblem::Corrupt,
    }
}

/// Some pixel has alpha above 0 (else [`SignaturePngProblem::Empty`]) and some pixel has alpha
/// below the maximum (else [`SignaturePngProblem::NoTransparency`]).
fn alpha_shows_and_is_not_opaque(image: &DynamicImage) -> Result<(), SignaturePngProblem> {
    fn judge<T: Copy + PartialEq + Default>(
        alphas: impl Iterator<Item = T>,
        opaque: T,
    ) -> Result<(), SignaturePngProblem> {
        let (mut shows, mut transparent) = (false, false);
        for alpha in alphas {
            shows |= alpha != T::default();
            transparent |= alpha != opaque;
            if shows && transparent {
                return Ok(());
            }
        }
        Err(if shows { SignaturePngProblem::NoTransparency } else { SignaturePngProblem::Empty })
    }
    match image {
        DynamicImage::ImageLumaA8(img) => judge(img.pixels().map(|p| p.0[1]), u8::MAX),
        DynamicImage::ImageRgba8(img) => judge(img.pixels().map(|p| p.0[3]), u8::MAX),
        DynamicImage::ImageLumaA16(img) => judge(img.pixels().map(|p| p.0[1]), u16::MAX),
        DynamicImage::ImageRgba16(img) => judge(img.pixels().map(|p| p.0[3]), u16::MAX),
        // The header said grey + alpha or RGBA; a decoder that produced anything else read
        // another image than the header describes.
        _ => Err(SignaturePngProblem::Corrupt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{ExtendedColorType, ImageEncoder, Rgba, RgbaImage};

    fn encode(pixels: &[u8], width: u32, height: u32, colour: ExtendedColorType) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out).write_image(pixels, width, height, colour).expect("encode a PNG");
        out
    }

    /// A transparent image with a dark diagonal stroke.
    fn stroke(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            if x.abs_diff(y * width / height) < 3 {
                Rgba([20, 20, 60, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        })
    }

    fn png(image: &RgbaImage) -> Vec<u8> {
        encode(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgba8)
    }

    #[test]
    fn a_transparent_rgba_stroke_is_accepted_with_its_size() {
        assert_eq!(check_signature_png(&png(&stroke(600, 200))), Ok((600, 200)));
    }

    #[test]
    fn grey_with_alpha_and_sixteen_bit_rgba_are_accepted() {
        let grey: Vec<u8> =
            (0..40 * 10).flat_map(|i| [0u8, if i % 7 == 0 { 255 } else { 0 }]).collect();
        let grey = encode(&grey, 40, 10, ExtendedColorType::La8);
        assert_eq!(check_signature_png(&grey), Ok((40, 10)));

        let deep: Vec<u8> = (0..8 * 8)
            .flat_map(|i: u32| {
                let alpha: u16 = if i.is_multiple_of(3) { u16::MAX } else { 0 };
                [0u16, 0, 0, alpha].into_iter().flat_map(u16::to_be_bytes)
            })
            .collect();
        let deep = encode(&deep, 8, 8, ExtendedColorType::Rgba16);
        assert_eq!(check_signature_png(&deep), Ok((8, 8)));
    }

    #[test]
    fn zero_bytes_are_empty() {
        assert_eq!(check_signature_png(&[]), Err(SignaturePngProblem::Empty));
    }

    #[test]
    fn a_file_over_the_byte_limit_is_too_large_whatever_it_holds() {
        let mut bytes = png(&stroke(60, 20));
        bytes.resize(SIGNATURE_PNG_MAX_BYTES + 1, 0);
        assert_eq!(check_signature_png(&bytes), Err(SignaturePngProblem::TooLarge));
    }

    #[test]
    fn a_jpeg_is_not_a_png() {
        let rgb = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 200, 200]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg).encode_image(&rgb).expect("a JPEG");
        assert_eq!(check_signature_png(&jpeg), Err(SignaturePngProblem::NotPng));
        assert_eq!(check_signature_png(b"<svg/>"), Err(SignaturePngProblem::NotPng));
    }

    #[test]
    fn an_opaque_rgb_png_has_no_transparency() {
        let rgb = vec![255u8; 30 * 10 * 3];
        let bytes = encode(&rgb, 30, 10, ExtendedColorType::Rgb8);
        assert_eq!(check_signature_png(&bytes), Err(SignaturePngProblem::NoTransparency));
    }

    #[test]
    fn an_rgba_png_without_one_transparent_pixel_has_no_transparency() {
        let opaque = RgbaImage::from_pixel(30, 10, Rgba([255, 255, 255, 255]));
        assert_eq!(check_signature_png(&png(&opaque)), Err(SignaturePngProblem::NoTransparency));
    }

    #[test]
    fn a_fully_transparent_png_is_empty() {
        let blank = RgbaImage::from_pixel(30, 10, Rgba([0, 0, 0, 0]));
        assert_eq!(check_signature_png(&png(&blank)), Err(SignaturePngProblem::Empty));
    }

    /// The file of a 1×1 RGBA PNG with the header rewritten to declare `width`×`height` (the
    /// CRC no longer matches, which does not matter: nothing after the header is read).
    fn declaring(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(&stroke(1, 1));
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        bytes
    }

    #[test]
    fn a_header_declaring_a_side_over_the_limit_is_refused_before_decoding() {
        for (w, h) in [(SIGNATURE_MAX_SIDE_PX + 1, 10), (10, 50_000), (u32::MAX, u32::MAX)] {
            assert_eq!(
                check_signature_png(&declaring(w, h)),
                Err(SignaturePngProblem::TooManyPixels)
            );
        }
    }

    #[test]
    fn a_header_declaring_no_pixels_is_corrupt() {
        assert_eq!(check_signature_png(&declaring(0, 10)), Err(SignaturePngProblem::Corrupt));
    }

    #[test]
    fn the_largest_side_is_accepted() {
        let bytes = png(&stroke(SIGNATURE_MAX_SIDE_PX, 4));
        assert_eq!(check_signature_png(&bytes), Ok((SIGNATURE_MAX_SIDE_PX, 4)));
    }

    #[test]
    fn a_truncated_png_is_corrupt() {
        let bytes = png(&stroke(300, 100));
        for cut in [9, 20, 33, bytes.len() / 2, bytes.len() - 13] {
            assert_eq!(
                check_signature_png(&bytes[..cut]),
                Err(SignaturePngProblem::Corrupt),
                "cut at {cut} of {}",
                bytes.len()
            );
        }
    }

    #[test]
    fn damaged_image_data_is_corrupt() {
        let mut bytes = png(&stroke(300, 100));
        let middle = bytes.len() / 2;
        for b in &mut bytes[middle..middle + 16] {
            *b ^= 0x5A;
        }
        assert_eq!(check_signature_png(&bytes), Err(SignaturePngProblem::Corrupt));
    }

    #[test]
    fn problems_serialise_as_their_code() {
        for problem in [
            SignaturePngProblem::TooLarge,
            SignaturePngProblem::NotPng,
            SignaturePngProblem::TooManyPixels,
            SignaturePngProblem::NoTransparency,
            SignaturePngProblem::Corrupt,
            SignaturePngProblem::Empty,
        ] {
            assert_eq!(serde_json::to_value(problem).expect("serialise"), problem.as_str());
        }
    }
}
