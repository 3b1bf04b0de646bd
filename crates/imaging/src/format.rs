//! Recognising the format from magic bytes and reading the declared size from the header, both
//! without decoding: this is the fence against decompression bombs, so it must not depend on a
//! decoder getting far enough to report dimensions (a PNG declaring 50000×50000 followed by
//! nothing makes the PNG decoder fail with "unexpected end", which would hide the real reason).

use serde::Serialize;

use crate::PhotoError;

/// The formats a photo may arrive in.
///
/// HEIC/HEIF (what iPhones take by default) is recognised but refused: decoding it would need
/// libheif (a C library with HEVC patent questions), which the project does not take on. The UI
/// should tell the user to export such a photo as JPEG; the desktop camera path produces JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

impl PhotoFormat {
    /// Lower-case name, as in [`PhotoError::UnsupportedFormat`].
    pub fn name(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "jpeg",
            PhotoFormat::Png => "png",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Tells the format from the first bytes; `bytes` must not be empty (checked by the caller).
pub(crate) fn sniff(bytes: &[u8]) -> Result<PhotoFormat, PhotoError> {
    let unsupported =
        |format: &str| Err(PhotoError::UnsupportedFormat { format: format.to_owned() });
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PhotoFormat::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(PhotoFormat::Png);
    }
    if let Some(format) = iso_media_image(bytes) {
        return unsupported(format);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return unsupported("gif");
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return unsupported("webp");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return unsupported("tiff");
    }
    if bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return unsupported("jxl");
    }
    // "BM" alone is two bytes; also require the BITMAPINFOHEADER-family size field to be sane.
    if bytes.len() >= 18 && bytes.starts_with(b"BM") {
        let dib_header = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]);
        if matches!(dib_header, 12 | 40 | 52 | 56 | 64 | 108 | 124) {
            return unsupported("bmp");
        }
    }
    Err(PhotoError::NotAnImage)
}

/// HEIF-family files (HEIC, AVIF) are ISO base media files: a `ftyp` box naming brands.
/// Returns the format name when a brand says "image"; other ISO media (MP4, MOV) is not an image.
fn iso_media_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() < 12 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let box_len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    // Major brand at 8..12, minor version at 12..16, compatible brands from 16 to the box end.
    let end = box_len.clamp(12, bytes.len().min(256));
    let brands = std::iter::once(&bytes[8..12])
        .chain(bytes.get(16..end).unwrap_or_default().chunks_exact(4));
    let mut found = None;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return Some("avif"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" => found = Some("heic"),
            b"mif1" | b"msf1" | b"heif" => found = found.or(Some("heif")),
            _ => {}
        }
    }
    found
}

/// Width and height as declared by the header, without decoding anything.
pub(crate) fn declared_dimensions(
    format: PhotoFormat,
    bytes: &[u8],
) -> Result<(u32, u32), PhotoError> {
    let dimensions = match format {
        PhotoFormat::Png => png_dimensions(bytes),
        PhotoFormat::Jpeg => jpeg_dimensions(bytes),
    }?;
    match dimensions {
        (0, _) | (_, 0) => Err(corrupt("the header declares an empty image")),
        dimensions => Ok(dimensions),
    }
}

/// The IHDR chunk must come first: length 13, type, then width and height (big-endian).
fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    let header = bytes.get(8..24).ok_or_else(|| corrupt("the PNG header is cut short"))?;
    if &header[0..8] != b"\0\0\0\x0dIHDR" {
        return Err(corrupt("the PNG does not start with an IHDR chunk"));
    }
    let width = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    let height = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    Ok((width, height))
}

/// Walks the marker segments up to the first frame header (SOF0-SOF15 except DHT, JPG, DAC).
fn jpeg_dimensions(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    let frame = jpeg_segments(bytes)
        .find_map(|segment| match segment {
            Ok(Segment { marker, start, .. })
                if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) =>
            {
                Some(Ok(start))
            }
            Ok(Segment { marker: 0xDA, .. }) => Some(Err(corrupt("the JPEG has no frame header"))),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .unwrap_or_else(|| Err(corrupt("the JPEG has no frame header")))?;
    // Length, precision, then height and width (big-endian).
    let header =
        bytes.get(frame..frame + 7).ok_or_else(|| corrupt("the JPEG header is cut short"))?;
    let height = u32::from(u16::from_be_bytes([header[3], header[4]]));
    let width = u32::from(u16::from_be_bytes([header[5], header[6]]));
    Ok((width, height))
}

/// Refuses a JPEG that stops before its end-of-image marker. The JPEG decoder is lenient and
/// paints the missing part grey, which would let a half-uploaded photo through to the reviewer.
/// In compressed data 0xFF is always followed by 0x00 or a restart marker, and the table segments
/// between progressive scans do not hold `FF D9` in practice, so one found after the first
/// start-of-scan is the real end (an EXIF thumbnail's end comes before it; trailing bytes after
/// the end, which some phones append, are fine).
pub(crate) fn check_complete(format: PhotoFormat, bytes: &[u8]) -> Result<(), PhotoError> {
    if format != PhotoFormat::Jpeg {
        // The PNG decoder itself fails on missing image data.
        return Ok(());
    }
    let scan = jpeg_segments(bytes)
        .find_map(|segment| match segment {
            Ok(Segment { marker: 0xDA, end, .. }) => Some(Ok(end)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .unwrap_or_else(|| Err(corrupt("the JPEG has no image data")))?;
    let after_scan = bytes.get(scan..).unwrap_or_default();
    if after_scan.windows(2).rev().any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err(corrupt("the JPEG is cut short (no end-of-image marker)"))
    }
}

/// A marker segment: `start` is where its length field begins, `end` just past its payload.
struct Segment {
    marker: u8,
    start: usize,
    end: usize,
}

/// The marker segments after SOI, up to and including the first start-of-scan (whose payload is
/// only its header; the compressed data follows).
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = Result<Segment, PhotoError>> + '_ {
    let mut pos = 2; // after SOI
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let segment = next_segment(bytes, &mut pos);
        done = !matches!(segment, Ok(Segment { marker, .. }) if marker != 0xDA && marker != 0xD9);
        Some(segment)
    })
}

fn next_segment(bytes: &[u8], pos: &mut usize) -> Result<Segment, PhotoError> {
    let cut_short = || corrupt("the JPEG header is cut short");
    loop {
        if *bytes.get(*pos).ok_or_else(cut_short)? != 0xFF {
            return Err(corrupt("the JPEG header is malformed"));
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while *bytes.get(*pos + 1).ok_or_else(cut_short)? == 0xFF {
            *pos += 1;
        }
        let marker = bytes[*pos + 1];
        *pos += 2;
        match marker {
            // Markers without a length field.
            0x01 | 0xD0..=0xD7 => continue,
            0xD9 => return Ok(Segment { marker, start: *pos, end: *pos }),
            _ => {}
        }
        let len_bytes = bytes.get(*pos..*pos + 2).ok_or_else(cut_short)?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(corrupt("the JPEG header is malformed"));
        }
        let segment = Segment { marker, start: *pos, end: *pos + len };
        *pos += len;
        return Ok(segment);
    }
}

fn corrupt(detail: &str) -> PhotoError {
    PhotoError::Corrupt { detail: detail.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported(format: &str) -> Result<PhotoFormat, PhotoError> {
        Err(PhotoError::UnsupportedFormat { format: format.to_owned() })
    }

    #[test]
    fn iphone_heic_is_recognised_as_heic() {
        let header = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(sniff(header), unsupported("heic"));
    }

    #[test]
    fn avif_is_recognised_even_when_its_major_brand_is_generic_heif() {
        let header = b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf";
        assert_eq!(sniff(header), unsupported("avif"));
    }

    #[test]
    fn an_mp4_video_is_not_an_image() {
        let header = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2";
        assert_eq!(sniff(header), Err(PhotoError::NotAnImage));
    }

    #[test]
    fn webp_and_tiff_are_recognised_and_refused() {
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), unsupported("webp"));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), unsupported("tiff"));
    }

    #[test]
    fn two_letters_bm_alone_do_not_make_a_bmp() {
        assert_eq!(sniff(b"BM is a band"), Err(PhotoError::NotAnImage));
    }

    #[test]
    fn jpeg_dimensions_are_read_past_app_segments_and_fill_bytes() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB]); // APP0, 2 payload bytes
        jpeg.extend_from_slice(&[0xFF, 0xFF]); // fill
        jpeg.extend_from_slice(&[0xC2, 0x00, 0x0B, 0x08, 0x03, 0x20, 0x04, 0xB0, 0x01]); // SOF2
        assert_eq!(declared_dimensions(PhotoFormat::Jpeg, &jpeg), Ok((1200, 800)));
    }

    #[test]
    fn a_jpeg_cut_inside_its_header_is_corrupt() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A];
        assert!(matches!(
            declared_dimensions(PhotoFormat::Jpeg, &jpeg),
            Err(PhotoError::Corrupt { .. })
        ));
    }

    /// SOI, SOF0 (8×8, one component), SOS header, two bytes of "compressed data".
    fn minimal_jpeg_body() -> Vec<u8> {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        jpeg.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34]);
        jpeg
    }

    #[test]
    fn a_jpeg_with_bytes_after_its_end_marker_is_complete() {
        let mut jpeg = minimal_jpeg_body();
        jpeg.extend_from_slice(&[0xFF, 0xD9, 0x00, 0x01, 0x02]);
        assert_eq!(check_complete(PhotoFormat::Jpeg, &jpeg), Ok(()));
    }

    #[test]
    fn a_jpeg_without_its_end_marker_is_cut_short() {
        assert!(matches!(
            check_complete(PhotoFormat::Jpeg, &minimal_jpeg_body()),
            Err(PhotoError::Corrupt { .. })
        ));
    }

    #[test]
    fn an_end_marker_inside_an_exif_thumbnail_does_not_count() {
        let body = minimal_jpeg_body();
        let mut jpeg = body[..2].to_vec();
        // APP1 holding a thumbnail's SOI..EOI, before the main image.
        jpeg.extend_from_slice(&[0xFF, 0xE1, 0, 6, 0xFF, 0xD8, 0xFF, 0xD9]);
        jpeg.extend_from_slice(&body[2..]);
        assert!(check_complete(PhotoFormat::Jpeg, &jpeg).is_err());
    }
}
