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

/// What the first bytes say a file is, for every caller of this module. Wider than
/// [`PhotoFormat`]: signature photos also accept WebP and BMP, which ID photos refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Container {
    Jpeg,
    Png,
    Webp,
    Bmp,
}

impl Container {
    /// Lower-case name, as in the errors' `format` fields.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Container::Jpeg => "jpeg",
            Container::Png => "png",
            Container::Webp => "webp",
            Container::Bmp => "bmp",
        }
    }
}

impl From<PhotoFormat> for Container {
    fn from(format: PhotoFormat) -> Self {
        match format {
            PhotoFormat::Jpeg => Container::Jpeg,
            PhotoFormat::Png => Container::Png,
        }
    }
}

/// Why a header was refused, before any pixel is decoded. Each public error type of the crate
/// words it its own way (ID photos call `Truncated` corrupt; signature photos keep it apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderError {
    NotAnImage,
    Unsupported(&'static str),
    /// The file stops before its header, or its data, does.
    Truncated(&'static str),
    Corrupt(&'static str),
}

impl From<HeaderError> for PhotoError {
    fn from(error: HeaderError) -> Self {
        match error {
            HeaderError::NotAnImage => PhotoError::NotAnImage,
            HeaderError::Unsupported(format) => {
                PhotoError::UnsupportedFormat { format: format.to_owned() }
            }
            HeaderError::Truncated(detail) | HeaderError::Corrupt(detail) => {
                PhotoError::Corrupt { detail: detail.to_owned() }
            }
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Tells the format of an ID photo from the first bytes; `bytes` must not be empty (checked by
/// the caller). WebP and BMP are recognised but not accepted for ID photos.
pub(crate) fn sniff(bytes: &[u8]) -> Result<PhotoFormat, PhotoError> {
    match sniff_container(bytes)? {
        Container::Jpeg => Ok(PhotoFormat::Jpeg),
        Container::Png => Ok(PhotoFormat::Png),
        other => Err(HeaderError::Unsupported(other.name()).into()),
    }
}

/// Tells the container from the first bytes; `bytes` must not be empty (checked by the caller).
pub(crate) fn sniff_container(bytes: &[u8]) -> Result<Container, HeaderError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Container::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(Container::Png);
    }
    if let Some(format) = iso_media_image(bytes) {
        return Err(HeaderError::Unsupported(format));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Err(HeaderError::Unsupported("gif"));
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Ok(Container::Webp);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Err(HeaderError::Unsupported("tiff"));
    }
    if bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Err(HeaderError::Unsupported("jxl"));
    }
    // "BM" alone is two bytes; also require the BITMAPINFOHEADER-family size field to be sane.
    if bytes.len() >= 18 && bytes.starts_with(b"BM") {
        let dib_header = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]);
        if matches!(dib_header, 12 | 40 | 52 | 56 | 64 | 108 | 124) {
            return Ok(Container::Bmp);
        }
    }
    Err(HeaderError::NotAnImage)
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

/// Width and height of an ID photo as declared by the header, without decoding anything.
pub(crate) fn declared_dimensions(
    format: PhotoFormat,
    bytes: &[u8],
) -> Result<(u32, u32), PhotoError> {
    Ok(container_dimensions(format.into(), bytes)?)
}

/// Width and height as declared by the header, without decoding anything.
pub(crate) fn container_dimensions(
    container: Container,
    bytes: &[u8],
) -> Result<(u32, u32), HeaderError> {
    let dimensions = match container {
        Container::Png => png_dimensions(bytes),
        Container::Jpeg => jpeg_dimensions(bytes),
        Container::Webp => webp_dimensions(bytes),
        Container::Bmp => bmp_dimensions(bytes),
    }?;
    match dimensions {
        (0, _) | (_, 0) => Err(HeaderError::Corrupt("the header declares an empty image")),
        dimensions => Ok(dimensions),
    }
}

/// The IHDR chunk must come first: length 13, type, then width and height (big-endian).
fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32), HeaderError> {
    let header = bytes.get(8..24).ok_or(HeaderError::Truncated("the PNG header is cut short"))?;
    if &header[0..8] != b"\0\0\0\x0dIHDR" {
        return Err(HeaderError::Corrupt("the PNG does not start with an IHDR chunk"));
    }
    let width = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    let height = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    Ok((width, height))
}

/// Walks the marker segments up to the first frame header (SOF0-SOF15 except DHT, JPG, DAC).
fn jpeg_dimensions(bytes: &[u8]) -> Result<(u32, u32), HeaderError> {
    let no_frame = HeaderError::Corrupt("the JPEG has no frame header");
    let frame = jpeg_segments(bytes)
        .find_map(|segment| match segment {
            Ok(Segment { marker, start, .. })
                if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) =>
            {
                Some(Ok(start))
            }
            Ok(Segment { marker: 0xDA, .. }) => Some(Err(no_frame.clone())),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .unwrap_or_else(|| Err(no_frame.clone()))?;
    // Length, precision, then height and width (big-endian).
    let header = bytes
        .get(frame..frame + 7)
        .ok_or(HeaderError::Truncated("the JPEG header is cut short"))?;
    let height = u32::from(u16::from_be_bytes([header[3], header[4]]));
    let width = u32::from(u16::from_be_bytes([header[5], header[6]]));
    Ok((width, height))
}

/// The first chunk after `RIFF....WEBP` holds the size: `VP8 ` (lossy: a key frame header),
/// `VP8L` (lossless: 14-bit sides minus one) or `VP8X` (extended: 24-bit canvas sides minus one).
fn webp_dimensions(bytes: &[u8]) -> Result<(u32, u32), HeaderError> {
    let cut_short = HeaderError::Truncated("the WebP header is cut short");
    let kind = bytes.get(12..16).ok_or(cut_short.clone())?;
    let data = |range: std::ops::Range<usize>| bytes.get(20 + range.start..20 + range.end);
    match kind {
        b"VP8 " => {
            let header = data(0..10).ok_or(cut_short)?;
            if header[3..6] != [0x9D, 0x01, 0x2A] {
                return Err(HeaderError::Corrupt("the WebP key frame header is malformed"));
            }
            let width = u16::from_le_bytes([header[6], header[7]]) & 0x3FFF;
            let height = u16::from_le_bytes([header[8], header[9]]) & 0x3FFF;
            Ok((u32::from(width), u32::from(height)))
        }
        b"VP8L" => {
            let header = data(0..5).ok_or(cut_short)?;
            if header[0] != 0x2F {
                return Err(HeaderError::Corrupt("the lossless WebP header is malformed"));
            }
            let bits = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let header = data(0..10).ok_or(cut_short)?;
            let side = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], 0]) + 1;
            Ok((side(&header[4..7]), side(&header[7..10])))
        }
        _ => Err(HeaderError::Corrupt("the WebP has no image header")),
    }
}

/// BITMAPCOREHEADER (12 bytes) has 16-bit sides; the others signed 32-bit ones, a negative
/// height meaning rows stored top-down.
fn bmp_dimensions(bytes: &[u8]) -> Result<(u32, u32), HeaderError> {
    let header = bytes.get(14..26).ok_or(HeaderError::Truncated("the BMP header is cut short"))?;
    let dib_header = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    if dib_header == 12 {
        let width = u16::from_le_bytes([header[4], header[5]]);
        let height = u16::from_le_bytes([header[6], header[7]]);
        return Ok((u32::from(width), u32::from(height)));
    }
    let width = i32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let height = i32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    let width =
        u32::try_from(width).map_err(|_| HeaderError::Corrupt("the BMP width is negative"))?;
    Ok((width, height.unsigned_abs()))
}

/// Refuses an ID photo whose JPEG stops before its end-of-image marker (see
/// [`container_complete`]); PNGs are left to the decoder, which fails on missing image data.
pub(crate) fn check_complete(format: PhotoFormat, bytes: &[u8]) -> Result<(), PhotoError> {
    if format != PhotoFormat::Jpeg {
        return Ok(());
    }
    Ok(container_complete(Container::Jpeg, bytes)?)
}

/// Refuses a file that stops before its end, as [`HeaderError::Truncated`].
///
/// JPEG: the decoder is lenient and paints the missing part grey, which would let a
/// half-uploaded photo through. In compressed data 0xFF is always followed by 0x00 or a restart
/// marker, and the table segments between progressive scans do not hold `FF D9` in practice, so
/// one found after the first start-of-scan is the real end (an EXIF thumbnail's end comes before
/// it; trailing bytes after the end, which some phones append, are fine).
/// PNG: every chunk must be whole, up to `IEND`. WebP and BMP: the file must be as long as the
/// size in its header says (a BMP writer may leave that field 0; the decoder then judges).
pub(crate) fn container_complete(container: Container, bytes: &[u8]) -> Result<(), HeaderError> {
    match container {
        Container::Jpeg => {
            let scan = jpeg_segments(bytes)
                .find_map(|segment| match segment {
                    Ok(Segment { marker: 0xDA, end, .. }) => Some(Ok(end)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .unwrap_or(Err(HeaderError::Corrupt("the JPEG has no image data")))?;
            let after_scan = bytes.get(scan..).unwrap_or_default();
            if after_scan.windows(2).rev().any(|w| w == [0xFF, 0xD9]) {
                Ok(())
            } else {
                Err(HeaderError::Truncated("the JPEG is cut short (no end-of-image marker)"))
            }
        }
        Container::Png => {
            for chunk in png_chunks(bytes) {
                if chunk?.kind == *b"IEND" {
                    return Ok(());
                }
            }
            Err(HeaderError::Truncated("the PNG is cut short (no IEND chunk)"))
        }
        Container::Webp => {
            let declared =
                bytes.get(4..8).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            if (bytes.len() as u64) < u64::from(declared) + 8 {
                Err(HeaderError::Truncated("the WebP is cut short"))
            } else {
                Ok(())
            }
        }
        Container::Bmp => {
            let field = |at: usize| {
                bytes.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            };
            let (declared, pixels_at) = (field(2), field(10));
            if (bytes.len() as u64) < u64::from(declared)
                || bytes.len() as u64 <= u64::from(pixels_at)
            {
                Err(HeaderError::Truncated("the BMP is cut short"))
            } else {
                Ok(())
            }
        }
    }
}

/// Whether the file is an animation, from its headers: an `acTL` chunk before the image data
/// (APNG), or the animation flag or an `ANIM` chunk (WebP). Decoders would show the first frame
/// only, and a signature that is secretly a slideshow has no business on a document.
pub(crate) fn is_animated(container: Container, bytes: &[u8]) -> bool {
    match container {
        Container::Png => png_chunks(bytes)
            .map_while(Result::ok)
            .take_while(|chunk| chunk.kind != *b"IDAT" && chunk.kind != *b"IEND")
            .any(|chunk| chunk.kind == *b"acTL"),
        Container::Webp => {
            let flagged = bytes.get(12..16) == Some(b"VP8X")
                && bytes.get(20).is_some_and(|flags| flags & 0x02 != 0);
            flagged || webp_chunks(bytes).any(|kind| kind == *b"ANIM" || kind == *b"ANMF")
        }
        Container::Jpeg | Container::Bmp => false,
    }
}

/// A PNG chunk's type; the walk checks that each chunk lies wholly inside the file.
struct PngChunk {
    kind: [u8; 4],
}

fn png_chunks(bytes: &[u8]) -> impl Iterator<Item = Result<PngChunk, HeaderError>> + '_ {
    let mut pos = PNG_SIGNATURE.len();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let cut_short = HeaderError::Truncated("the PNG is cut short");
        let Some(header) = bytes.get(pos..pos + 8) else {
            done = true;
            return Some(Err(cut_short));
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        // Length, type, data, CRC.
        let end = pos as u64 + 12 + u64::from(len);
        if end > bytes.len() as u64 {
            done = true;
            return Some(Err(cut_short));
        }
        pos = usize::try_from(end).unwrap_or(usize::MAX);
        done = kind == *b"IEND";
        Some(Ok(PngChunk { kind }))
    })
}

/// The chunk types of a WebP, in order, as far as the file holds them.
fn webp_chunks(bytes: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    let mut pos = 12;
    std::iter::from_fn(move || {
        let header = bytes.get(pos..pos + 8)?;
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        // Chunks are padded to an even length.
        let next = pos as u64 + 8 + u64::from(len) + u64::from(len & 1);
        pos = usize::try_from(next).unwrap_or(usize::MAX);
        Some([header[0], header[1], header[2], header[3]])
    })
}

/// A marker segment: `start` is where its length field begins, `end` just past its payload.
struct Segment {
    marker: u8,
    start: usize,
    end: usize,
}

/// The marker segments after SOI, up to and including the first start-of-scan (whose payload is
/// only its header; the compressed data follows).
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = Result<Segment, HeaderError>> + '_ {
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

fn next_segment(bytes: &[u8], pos: &mut usize) -> Result<Segment, HeaderError> {
    let cut_short = || HeaderError::Truncated("the JPEG header is cut short");
    let malformed = HeaderError::Corrupt("the JPEG header is malformed");
    loop {
        if *bytes.get(*pos).ok_or_else(cut_short)? != 0xFF {
            return Err(malformed);
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
            return Err(malformed);
        }
        let segment = Segment { marker, start: *pos, end: *pos + len };
        *pos += len;
        return Ok(segment);
    }
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
