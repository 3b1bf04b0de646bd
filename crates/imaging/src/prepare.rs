//! The pipeline: limits, format, declared size, decode, orientation, quality, clean JPEG.

use std::fmt;
use std::io::Cursor;

use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::PngDecoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, Limits, RgbImage};

use crate::format::{check_complete, declared_dimensions, sniff};
use crate::quality::{analysis_copy, fit_long_side, laplacian_variance, mean_luminance};
use crate::{PhotoError, PhotoFormat, MIN_MEAN_LUMINANCE, MIN_SHARPNESS};

/// Quality of the cleaned JPEG: visually lossless for a reviewer zooming into the card's text,
/// about a third of the size of quality 100.
pub const OUTPUT_JPEG_QUALITY: u8 = 90;

/// Largest decoded pixel the decoders may produce (16-bit RGBA PNG), used to size the allocation
/// limit handed to the decoder.
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// What a photo must satisfy. The app and the server both use [`PhotoLimits::default`], so the
/// server refuses exactly what the app would have refused.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoLimits {
    /// Largest file accepted, in bytes. Default 10 MiB.
    pub max_bytes: u64,
    /// Most pixels (width × height) accepted. Default 40 megapixels.
    pub max_pixels: u64,
    /// Longest side accepted, in pixels. Default 12 000 (a 40 MP photo is about 7 700 × 5 200).
    pub max_side: u32,
    /// Shortest short side accepted, after orientation. Default 800.
    pub min_short_side: u32,
    /// Darkest mean luminance accepted. Default [`MIN_MEAN_LUMINANCE`].
    pub min_mean_luminance: f32,
    /// Least sharpness accepted. Default [`MIN_SHARPNESS`].
    pub min_sharpness: f32,
    /// Long side of the cleaned JPEG: larger photos are scaled down to it (but not below
    /// `min_short_side` on the short side). Default 4096, enough
    /// for a reviewer to zoom into a card's smallest print, and it keeps the JPEG (a few MB)
    /// well under `max_bytes`, so the server accepts what the app prepared and uploaded.
    pub max_output_side: u32,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        PhotoLimits {
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 12_000,
            min_short_side: 800,
            min_mean_luminance: MIN_MEAN_LUMINANCE,
            min_sharpness: MIN_SHARPNESS,
            max_output_side: 4096,
        }
    }
}

/// A photo that passed every check, re-encoded without any metadata.
#[derive(Clone, PartialEq)]
pub struct PreparedPhoto {
    /// Baseline JPEG written from the pixels alone: no EXIF (so no GPS), XMP, ICC or comments;
    /// already upright, so it needs no orientation tag.
    pub jpeg: Vec<u8>,
    /// Width of `jpeg`: after orientation, and after scaling down to
    /// [`PhotoLimits::max_output_side`] if the photo was larger.
    pub width: u32,
    /// Height of `jpeg`, likewise.
    pub height: u32,
    /// Variance of the Laplacian at the analysis size (see [`MIN_SHARPNESS`]).
    pub sharpness: f32,
    /// Mean luminance 0-255 (see [`MIN_MEAN_LUMINANCE`]).
    pub mean_luminance: f32,
    /// The format the photo arrived in.
    pub original_format: PhotoFormat,
}

impl fmt::Debug for PreparedPhoto {
    // The JPEG bytes would fill the log; their length is what helps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedPhoto")
            .field("jpeg_len", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sharpness", &self.sharpness)
            .field("mean_luminance", &self.mean_luminance)
            .field("original_format", &self.original_format)
            .finish()
    }
}

/// Checks an ID-card photo and returns it upright, cleaned of all metadata, as JPEG.
///
/// In order, each step refusing before the next costs anything:
/// 1. size: [`PhotoError::Empty`], [`PhotoError::TooLarge`];
/// 2. format from the magic bytes: JPEG and PNG are accepted; HEIC/HEIF, AVIF, GIF, WebP, BMP,
///    TIFF and JPEG XL are [`PhotoError::UnsupportedFormat`] (HEIC would need libheif, which the
///    project does not take on), anything else [`PhotoError::NotAnImage`];
/// 3. the dimensions declared in the header, before any pixel is decoded:
///    [`PhotoError::TooManyPixels`], [`PhotoError::TooBig`]; the decoder also gets matching
///    [`image::Limits`] as a second fence; a JPEG that stops before its end-of-image marker is
///    [`PhotoError::Corrupt`] here (the decoder would paint the missing part grey);
/// 4. the EXIF orientation (read from the header; unreadable EXIF counts as upright) and the
///    short side after it: [`PhotoError::TooSmall`];
/// 5. decoding: truncated or damaged data is [`PhotoError::Corrupt`], never a panic;
/// 6. transparency is flattened onto white, then [`PhotoError::TooDark`] and
///    [`PhotoError::TooBlurry`] are judged on a grey copy (see [`MIN_MEAN_LUMINANCE`] and
///    [`MIN_SHARPNESS`]);
/// 7. photos longer than [`PhotoLimits::max_output_side`] are scaled down, and the pixels are
///    written as a new baseline JPEG at [`OUTPUT_JPEG_QUALITY`].
///
/// Pure and synchronous: decoding a large photo takes a noticeable fraction of a second, so async
/// callers should run it on a blocking thread.
pub fn prepare_id_photo(bytes: &[u8], limits: &PhotoLimits) -> Result<PreparedPhoto, PhotoError> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len == 0 {
        return Err(PhotoError::Empty);
    }
    if len > limits.max_bytes {
        return Err(PhotoError::TooLarge { bytes: len, max: limits.max_bytes });
    }

    let format = sniff(bytes)?;
    let (width, height) = declared_dimensions(format, bytes)?;
    check_declared_size(width, height, limits)?;
    check_complete(format, bytes)?;

    let decoder_limits = decoder_limits(limits);
    let image = match format {
        PhotoFormat::Jpeg => {
            let mut decoder = JpegDecoder::new(Cursor::new(bytes)).map_err(from_decoder)?;
            decoder.set_limits(decoder_limits).map_err(from_decoder)?;
            decode_upright(decoder, limits)?
        }
        PhotoFormat::Png => {
            let decoder = PngDecoder::with_limits(Cursor::new(bytes), decoder_limits)
                .map_err(from_decoder)?;
            decode_upright(decoder, limits)?
        }
    };

    let rgb = flatten_onto_white(image);
    let grey = analysis_copy(&rgb);
    let mean = mean_luminance(&grey);
    if mean < limits.min_mean_luminance {
        return Err(PhotoError::TooDark { mean });
    }
    let sharpness = laplacian_variance(&grey);
    if sharpness < limits.min_sharpness {
        return Err(PhotoError::TooBlurry { sharpness });
    }

    let (width, height) = output_size(rgb.width(), rgb.height(), limits);
    let rgb = if (width, height) == rgb.dimensions() {
        rgb
    } else {
        imageops::resize(&rgb, width, height, FilterType::Triangle)
    };
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, OUTPUT_JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::EncodeFailed { detail: e.to_string() })?;
    Ok(PreparedPhoto {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        sharpness,
        mean_luminance: mean,
        original_format: format,
    })
}

fn check_declared_size(width: u32, height: u32, limits: &PhotoLimits) -> Result<(), PhotoError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels { width, height, max_pixels: limits.max_pixels });
    }
    if width.max(height) > limits.max_side {
        return Err(PhotoError::TooBig { width, height, max_side: limits.max_side });
    }
    Ok(())
}

/// At most `max_output_side` long, but never scaled below `min_short_side` on the short side
/// (a long strip keeps more length), so the cleaned photo passes these limits again.
fn output_size(width: u32, height: u32, limits: &PhotoLimits) -> (u32, u32) {
    let (long, short) = (width.max(height), width.min(height));
    if long <= limits.max_output_side {
        return (width, height);
    }
    let (w, h) = fit_long_side(width, height, limits.max_output_side);
    if w.min(h) >= limits.min_short_side {
        return (w, h);
    }
    let needed = u64::from(long) * u64::from(limits.min_short_side);
    let long_side = u32::try_from(needed.div_ceil(u64::from(short.max(1)))).unwrap_or(long);
    fit_long_side(width, height, long_side.min(long))
}

fn decoder_limits(limits: &PhotoLimits) -> Limits {
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL));
    decoder_limits
}

/// Orientation and the size checks that need it, then the one expensive step: decoding.
fn decode_upright(
    mut decoder: impl ImageDecoder,
    limits: &PhotoLimits,
) -> Result<DynamicImage, PhotoError> {
    // The decoder's own reading of the header is what it will allocate for: check it too.
    let (width, height) = decoder.dimensions();
    check_declared_size(width, height, limits)?;

    // A damaged EXIF block should not cost the user the photo; the reviewer can still turn it.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    if width.min(height) < limits.min_short_side {
        return Err(PhotoError::TooSmall { width, height, min_short_side: limits.min_short_side });
    }

    let mut image = DynamicImage::from_decoder(decoder).map_err(from_decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// 8-bit RGB for analysis and encoding; transparent areas become white, as on a page.
pub(crate) fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            // (c + 127) / 255 rounds; the result is at most 255.
            u8::try_from((c + 127) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn from_decoder(error: ImageError) -> PhotoError {
    PhotoError::Corrupt { detail: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_photo_is_scaled_to_the_output_side() {
        let limits = PhotoLimits::default();
        assert_eq!(output_size(8000, 5000, &limits), (4096, 2560));
        assert_eq!(output_size(3000, 4000, &limits), (3000, 4000));
    }

    #[test]
    fn a_long_strip_keeps_the_minimum_short_side_when_scaled() {
        assert_eq!(output_size(12_000, 900, &PhotoLimits::default()), (10_667, 800));
    }
}
