//! Test photos generated here, so the suite needs no fixture files: a synthetic ID card (text-like
//! strokes, a portrait box, card edges) on a textured desk, plus hand-written EXIF and PNG chunks.
#![allow(dead_code, clippy::unwrap_used)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

/// Deterministic noise without a dependency.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 32) as u32
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u32() as u8).collect()
    }
}

const INK: [u8; 3] = [28, 30, 42];

fn fill_rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Rgb(colour));
        }
    }
}

/// One fake glyph: a few horizontal and vertical strokes inside a `w`×`h` cell.
fn glyph(img: &mut RgbImage, rng: &mut XorShift, x: u32, y: u32, w: u32, h: u32, stroke: u32) {
    for _ in 0..2 + rng.below(3) {
        if rng.below(2) == 0 {
            let sy = y + rng.below(h - stroke);
            let sx = x + rng.below(w / 2);
            let len = w / 3 + rng.below(w / 2);
            fill_rect(img, sx, sy, sx + len, sy + stroke, INK);
        } else {
            let sx = x + rng.below(w - stroke);
            let sy = y + rng.below(h / 2);
            let len = h / 3 + rng.below(h / 2);
            fill_rect(img, sx, sy, sx + stroke, sy + len, INK);
        }
    }
}

/// A photo of an ID card lying on a desk, `width`×`height`, landscape or portrait.
pub fn id_card_photo(width: u32, height: u32) -> RgbImage {
    let mut rng = XorShift::new(0x5167_4e37);
    // Desk: warm grey with a gentle lighting gradient and grain.
    let mut img = RgbImage::from_fn(width, height, |x, y| {
        let light = 150.0 + 40.0 * (x as f32 / width as f32) - 20.0 * (y as f32 / height as f32);
        let base = light as i32;
        Rgb([(base + 12) as u8, base as u8, (base - 10) as u8])
    });
    for p in img.pixels_mut() {
        let grain = rng.below(9) as i32 - 4;
        for c in p.0.iter_mut() {
            *c = (i32::from(*c) + grain).clamp(0, 255) as u8;
        }
    }

    // The card, 85.6:54 like a real one, filling most of the frame.
    let card_w = width * 8 / 10;
    let card_h = (card_w * 54 / 86).min(height * 8 / 10);
    let (cx, cy) = ((width - card_w) / 2, (height - card_h) / 2);
    fill_rect(&mut img, cx, cy, cx + card_w, cy + card_h, [232, 238, 244]);
    // A printed band along the top of the card.
    fill_rect(&mut img, cx, cy, cx + card_w, cy + card_h / 8, [120, 150, 190]);

    // Portrait box on the right with a face-ish ellipse.
    let (px, py, pw, ph) =
        (cx + card_w * 68 / 100, cy + card_h * 22 / 100, card_w * 26 / 100, card_h * 60 / 100);
    fill_rect(&mut img, px, py, px + pw, py + ph, [200, 205, 212]);
    let (ex, ey) = ((px + pw / 2) as f32, (py + ph * 2 / 5) as f32);
    let (rx, ry) = (pw as f32 * 0.3, ph as f32 * 0.3);
    for y in py..py + ph {
        for x in px..px + pw {
            let d = ((x as f32 - ex) / rx).powi(2) + ((y as f32 - ey) / ry).powi(2);
            if d <= 1.0 {
                img.put_pixel(x, y, Rgb([150, 120, 105]));
            }
        }
    }

    // Text lines: name, sex/ethnicity, birth date, address (two lines), then the ID number.
    let cell_w = (card_w / 36).max(6);
    let cell_h = (card_h / 16).max(8);
    let stroke = (cell_w / 8).max(1);
    let line_gap = cell_h * 17 / 10;
    let mut y = cy + card_h / 8 + cell_h;
    for glyphs in [4, 8, 10, 14, 12] {
        for i in 0..glyphs {
            let x = cx + card_w / 20 + i * (cell_w + cell_w / 4);
            glyph(&mut img, &mut rng, x, y, cell_w, cell_h, stroke);
        }
        y += line_gap;
    }
    for i in 0..18 {
        let x = cx + card_w / 4 + i * (cell_w * 3 / 4 + 2);
        glyph(&mut img, &mut rng, x, cy + card_h * 85 / 100, cell_w * 3 / 4, cell_h, stroke);
    }
    img
}

/// `passes` rounds of a (2r+1)-wide box blur, horizontally then vertically.
pub fn box_blur(img: &RgbImage, radius: u32, passes: u32) -> RgbImage {
    let mut out = img.clone();
    for _ in 0..passes {
        out = blur_1d(&out, radius, true);
        out = blur_1d(&out, radius, false);
    }
    out
}

fn blur_1d(img: &RgbImage, radius: u32, horizontal: bool) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let r = radius as isize;
    let n = 2 * radius + 1;
    let src = img.as_raw();
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for d in -r..=r {
                let (sx, sy) = if horizontal {
                    ((x as isize + d).clamp(0, w as isize - 1) as usize, y)
                } else {
                    (x, (y as isize + d).clamp(0, h as isize - 1) as usize)
                };
                let i = 3 * (sy * w + sx);
                for c in 0..3 {
                    sum[c] += u32::from(src[i + c]);
                }
            }
            let o = 3 * (y * w + x);
            for c in 0..3 {
                out[o + c] = ((sum[c] + n / 2) / n) as u8;
            }
        }
    }
    RgbImage::from_raw(w as u32, h as u32, out).unwrap()
}

/// Every pixel scaled towards black by `factor` (0-1).
pub fn darken(img: &RgbImage, factor: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (f32::from(*c) * factor) as u8;
        }
    }
    out
}

pub fn encode_jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(img).unwrap();
    out
}

pub fn encode_png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// Text planted in metadata so a test can look for it in the output.
pub const GPS_CANARY: &[u8] = b"SIGNET-GPS-CANARY";
pub const PNG_TEXT_CANARY: &[u8] = b"SIGNET-PNG-TEXT-CANARY";

/// Latitude 39°54'27" as three big-endian RATIONALs, as written into the GPS IFD.
pub const GPS_LATITUDE: [u8; 24] =
    [0, 0, 0, 39, 0, 0, 0, 1, 0, 0, 0, 54, 0, 0, 0, 1, 0, 0, 0x0A, 0x8C, 0, 0, 0, 100];

/// An APP1 "Exif" segment (marker included): IFD0 with Orientation and a GPS IFD pointer; the
/// GPS IFD with latitude reference, latitude and a processing-method text holding the canary.
pub fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0*");
    tiff.extend_from_slice(&8u32.to_be_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&count.to_be_bytes());
        tiff.extend_from_slice(&value);
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    const UNDEFINED: u16 = 7;

    // IFD0 at 8: 2 entries -> 2 + 24 + 4 = 30 bytes, so the GPS IFD starts at 38.
    let gps_ifd: u32 = 38;
    tiff.extend_from_slice(&2u16.to_be_bytes());
    let o = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len(), gps_ifd as usize);

    // GPS IFD: 3 entries -> 2 + 36 + 4 = 42 bytes, so its data starts at 80.
    let latitude_at: u32 = 80;
    let mut method = b"ASCII\0\0\0".to_vec();
    method.extend_from_slice(GPS_CANARY);
    let method_at = latitude_at + GPS_LATITUDE.len() as u32;
    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude_at.to_be_bytes());
    entry(&mut tiff, 0x001B, UNDEFINED, method.len() as u32, method_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len(), latitude_at as usize);
    tiff.extend_from_slice(&GPS_LATITUDE);
    tiff.extend_from_slice(&method);

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

/// The JPEG with `segment` inserted right after SOI, where cameras put their EXIF.
pub fn insert_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// CRC-32 as PNG uses it (ISO-HDLC, reflected polynomial 0xEDB88320).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    chunk
}

/// The PNG signature and a valid IHDR (8-bit RGB) declaring `width`×`height`, then nothing.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    png
}

/// The PNG with a `tEXt` chunk (keyword "Comment") inserted after IHDR.
pub fn insert_png_text(png: &[u8], text: &[u8]) -> Vec<u8> {
    let after_ihdr = 8 + 4 + 4 + 13 + 4;
    assert_eq!(&png[12..16], b"IHDR");
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text);
    let mut out = png[..after_ihdr].to_vec();
    out.extend_from_slice(&png_chunk(b"tEXt", &data));
    out.extend_from_slice(&png[after_ihdr..]);
    out
}

/// A complete 1×1 GIF89a.
pub fn tiny_gif() -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]); // screen 1×1, 2-colour global table
    gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // black, white
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]); // image descriptor
    gif.extend_from_slice(&[2, 2, 0x44, 0x01, 0]); // LZW data
    gif.push(0x3B); // trailer
    gif
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Mean of the grey values in a rectangle of a decoded image.
pub fn mean_grey(img: &image::GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) -> f32 {
    let mut sum = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            sum += u64::from(img.get_pixel(x, y).0[0]);
        }
    }
    sum as f32 / ((x1 - x0) * (y1 - y0)) as f32
}
