//! From uploaded bytes to an upright RGB working copy, refusing early whatever can be refused
//! from the headers alone.

use std::io::Cursor;

use image::codecs::bmp::BmpDecoder;
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, Limits, RgbImage};

use super::resample::shrink;
use super::{SignatureImageError, SignaturePhotoLimits, SIGNATURE_WORKING_LONG_SIDE};
use crate::format::{
    container_complete, container_dimensions, is_animated, sniff_container, Container,
};
use crate::prepare::flatten_onto_white;
use crate::quality::fit_long_side;

/// Largest decoded pixel a decoder may produce (16-bit RGBA PNG), to size its allocation limit.
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// The decoded photo: upright, transparency flattened onto white, at most
/// [`SIGNATURE_WORKING_LONG_SIDE`] long.
pub(super) struct WorkingCopy {
    pub rgb: RgbImage,
    /// Size of the whole photo, upright (sides swapped when the EXIF orientation turns it).
    pub original: (u32, u32),
    pub container: Container,
}

pub(super) fn decode(
    bytes: &[u8],
    limits: &SignaturePhotoLimits,
) -> Result<WorkingCopy, SignatureImageError> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len == 0 {
        return Err(SignatureImageError::Empty);
    }
    if len > limits.max_bytes {
        return Err(SignatureImageError::TooLarge { bytes: len, max: limits.max_bytes });
    }
    let container = sniff_container(bytes)?;
    let (width, height) = container_dimensions(container, bytes)?;
    check_pixels(width, height, limits)?;
    if is_animated(container, bytes) {
        return Err(SignatureImageError::Animated);
    }
    container_complete(container, bytes)?;

    let mut decoder_limits = Limits::default();
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL));
    let cursor = Cursor::new(bytes);
    let err = SignatureImageError::from_decoder;
    let (rgb, original) = match container {
        Container::Jpeg => {
            let mut decoder = JpegDecoder::new(cursor).map_err(err)?;
            decoder.set_limits(decoder_limits).map_err(err)?;
            upright_working_copy(decoder, limits)?
        }
        Container::Png => {
            let decoder = PngDecoder::with_limits(cursor, decoder_limits).map_err(err)?;
            upright_working_copy(decoder, limits)?
        }
        Container::Webp => {
            let mut decoder = WebPDecoder::new(cursor).map_err(err)?;
            decoder.set_limits(decoder_limits).map_err(err)?;
            upright_working_copy(decoder, limits)?
        }
        Container::Bmp => {
            let mut decoder = BmpDecoder::new(cursor).map_err(err)?;
            decoder.set_limits(decoder_limits).map_err(err)?;
            upright_working_copy(decoder, limits)?
        }
    };
    Ok(WorkingCopy { rgb, original, container })
}

fn check_pixels(
    width: u32,
    height: u32,
    limits: &SignaturePhotoLimits,
) -> Result<(), SignatureImageError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(SignatureImageError::TooManyPixels {
            width,
            height,
            max_pixels: limits.max_pixels,
        });
    }
    Ok(())
}

/// Decodes, shrinks to the working size, then turns upright: turning the small copy is cheaper.
fn upright_working_copy(
    mut decoder: impl ImageDecoder,
    limits: &SignaturePhotoLimits,
) -> Result<(RgbImage, (u32, u32)), SignatureImageError> {
    // The decoder's own reading of the header is what it will allocate for: check it too.
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, limits)?;
    // A damaged EXIF block should not cost the user the photo: they can see it sideways.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(SignatureImageError::from_decoder)?;
    let rgb = flatten_onto_white(image);

    let (w, h) = rgb.dimensions();
    let rgb = if w.max(h) > SIGNATURE_WORKING_LONG_SIDE {
        let (sw, sh) = fit_long_side(w, h, SIGNATURE_WORKING_LONG_SIDE);
        let small = shrink::<3>(rgb.as_raw(), (w, h), (sw, sh));
        RgbImage::from_raw(sw, sh, small).ok_or_else(|| SignatureImageError::Corrupt {
            detail: "the working copy has the wrong size".into(),
        })?
    } else {
        rgb
    };
    let mut image = DynamicImage::ImageRgb8(rgb);
    image.apply_orientation(orientation);
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let original = if turned { (height, width) } else { (width, height) };
    Ok((image.into_rgb8(), original))
}
