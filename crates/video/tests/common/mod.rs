//! Test clips: generated frames, recorded clips, and hand-built MP4 headers.
#![allow(dead_code)]

use signet_video::H264Recorder;

/// A frame with smooth gradients, a textured square moving across and a pulsing bar, so
/// consecutive frames differ the way camera frames do.
pub fn pattern_frame(index: u32, width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as i64, height as i64);
    let t = i64::from(index);
    let (sq_x, sq_y) = ((t * 7) % (w - 80), (t * 3) % (h - 80));
    let bar = 40 + (t % 15) * 4;
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let mut px = [(x * 255 / w) as u8, (y * 255 / h) as u8, ((x + y + t * 4) % 256) as u8];
            if (sq_x..sq_x + 80).contains(&x) && (sq_y..sq_y + 80).contains(&y) {
                let checker = ((x - sq_x) / 10 + (y - sq_y) / 10) % 2 == 0;
                px = if checker { [230, 40, 40] } else { [20, 20, 200] };
            }
            if (h / 2 - 10..h / 2 + 10).contains(&y) && x < bar * w / 100 {
                px = [250, 250, 250];
            }
            rgb.extend_from_slice(&px);
        }
    }
    rgb
}

/// A camera-like frame: a still background with sensor noise and a face-like oval that sways
/// while its mouth opens and closes. Encoders spend their bits much as on a real webcam.
pub fn camera_like_frame(index: u32, width: u32, height: u32, seed: &mut u64) -> Vec<u8> {
    let t = index as f32;
    let (cx, cy) = (
        width as f32 / 2.0 + 20.0 * (t * 0.2).sin(),
        height as f32 / 2.0 + 10.0 * (t * 0.13).cos(),
    );
    let mouth = 10.0 + 10.0 * (t * 0.9).sin().abs();
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let noise = (*seed % 7) as i32 - 3;
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let mut c = [60 + (x / 40) as i32 * 5, 80 + (y / 30) as i32 * 4, 90];
            if (dx * dx) / 8100.0 + (dy * dy) / 14400.0 < 1.0 {
                c = [200, 160, 130];
                if (dy - 50.0).abs() < mouth / 2.0 && dx.abs() < 30.0 {
                    c = [90, 30, 30];
                }
                if (dy + 30.0).abs() < 8.0 && (dx.abs() - 35.0).abs() < 12.0 {
                    c = [40, 40, 40];
                }
            }
            rgb.extend(c.map(|v| (v + noise).clamp(0, 255) as u8));
        }
    }
    rgb
}

pub struct Recorded {
    pub mp4: Vec<u8>,
    pub frames: Vec<Vec<u8>>,
}

/// `count` pattern frames at `fps`, recorded at `bitrate`.
pub fn record(width: u32, height: u32, fps: u32, count: u32, bitrate: u32) -> Recorded {
    let mut recorder = H264Recorder::new(width, height, fps, bitrate).expect("recorder");
    let mut frames = Vec::new();
    for i in 0..count {
        let rgb = pattern_frame(i, width, height);
        recorder.push_rgb(1_000 + u64::from(i) * 1000 / u64::from(fps), &rgb).expect("push");
        frames.push(rgb);
    }
    Recorded { mp4: recorder.finish().expect("finish"), frames }
}

/// A small recorded clip shared by the hostile-input tests: 160x120, 10 frames at 10 fps.
pub fn small_clip() -> Vec<u8> {
    record(160, 120, 10, 10, 200_000).mp4
}

/// The byte offset of the first box of `kind` (searching the raw bytes; fine for our own files).
pub fn find_box(mp4: &[u8], kind: &[u8; 4]) -> usize {
    mp4.windows(4).position(|w| w == kind).expect("box present") - 4
}

pub fn put_u32(mp4: &mut [u8], at: usize, value: u32) {
    mp4[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

pub fn get_u32(mp4: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([mp4[at], mp4[at + 1], mp4[at + 2], mp4[at + 3]])
}

// --- Hand-built headers -------------------------------------------------------------------------

fn mp4_box(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend_from_slice(kind);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

fn be(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// What a synthesised header declares. Only headers: the mdat holds `mdat_bytes` zero bytes.
pub struct Header {
    pub width: u16,
    pub height: u16,
    pub timescale: u32,
    /// `(count, delta)` runs of the stts box.
    pub stts: Vec<(u32, u32)>,
    /// stsz: a constant sample size and the sample count (no table).
    pub sample_size: u32,
    pub sample_count: u32,
    pub codec: [u8; 4],
    pub handler: [u8; 4],
    pub mdat_bytes: usize,
}

impl Header {
    /// A plausible 2 s 320x240 clip at 30 fps with 100-byte frames.
    pub fn plausible() -> Self {
        Header {
            width: 320,
            height: 240,
            timescale: 90_000,
            stts: vec![(60, 3_000)],
            sample_size: 100,
            sample_count: 60,
            codec: *b"avc1",
            handler: *b"vide",
            mdat_bytes: 6_000,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let ticks: u64 = self.stts.iter().map(|&(c, d)| u64::from(c) * u64::from(d)).sum();
        let duration = u32::try_from(ticks).unwrap_or(u32::MAX);
        let ftyp = mp4_box(b"ftyp", &[b"isom", &be(&[0x200]), b"isomavc1"]);
        let mvhd = mp4_box(b"mvhd", &[&be(&[0, 0, 0, self.timescale, duration]), &[0; 80]]);
        let mut tkhd_fields = be(&[3, 0, 0, 1, 0, duration, 0, 0, 0, 0]);
        tkhd_fields.extend_from_slice(&[0; 36]);
        tkhd_fields.extend(be(&[u32::from(self.width) << 16, u32::from(self.height) << 16]));
        let tkhd = mp4_box(b"tkhd", &[&tkhd_fields]);
        let mdhd = mp4_box(b"mdhd", &[&be(&[0, 0, 0, self.timescale, duration, 0])]);
        let hdlr = mp4_box(b"hdlr", &[&be(&[0, 0]), &self.handler, &[0; 13]]);
        // A 320x240 baseline SPS and a PPS, as OpenH264 writes them.
        let sps: &[u8] =
            &[0x67, 0x42, 0xc0, 0x0d, 0x8c, 0x68, 0x14, 0x1f, 0x20, 0x1e, 0x11, 0x08, 0xd4];
        let pps: &[u8] = &[0x68, 0xce, 0x3c, 0x80];
        let mut avcc = vec![1, 0x42, 0xc0, 0x0d, 0xff, 0xe1];
        avcc.extend_from_slice(&(sps.len() as u16).to_be_bytes());
        avcc.extend_from_slice(sps);
        avcc.push(1);
        avcc.extend_from_slice(&(pps.len() as u16).to_be_bytes());
        avcc.extend_from_slice(pps);
        let avcc = mp4_box(b"avcC", &[&avcc]);
        let mut entry = vec![0u8; 6];
        entry.extend_from_slice(&[0, 1]);
        entry.extend_from_slice(&[0; 16]);
        entry.extend_from_slice(&self.width.to_be_bytes());
        entry.extend_from_slice(&self.height.to_be_bytes());
        entry.extend(be(&[0x0048_0000, 0x0048_0000, 0]));
        entry.extend_from_slice(&[0, 1]);
        entry.extend_from_slice(&[0; 32]);
        entry.extend_from_slice(&[0, 0x18, 0xff, 0xff]);
        let entry = mp4_box(&self.codec, &[&entry, &avcc]);
        let stsd = mp4_box(b"stsd", &[&be(&[0, 1]), &entry]);
        let mut stts = be(&[0, self.stts.len() as u32]);
        for &(count, delta) in &self.stts {
            stts.extend(be(&[count, delta]));
        }
        let stts = mp4_box(b"stts", &[&stts]);
        let stsz = mp4_box(b"stsz", &[&be(&[0, self.sample_size, self.sample_count])]);
        let stsc = mp4_box(b"stsc", &[&be(&[0, 1, 1, self.sample_count, 1])]);
        // The chunk offset is patched in once the moov size is known.
        let stco = mp4_box(b"stco", &[&be(&[0, 1, 0])]);
        let stbl = mp4_box(b"stbl", &[&stsd, &stts, &stsz, &stsc, &stco]);
        let minf = mp4_box(b"minf", &[&stbl]);
        let mdia = mp4_box(b"mdia", &[&mdhd, &hdlr, &minf]);
        let trak = mp4_box(b"trak", &[&tkhd, &mdia]);
        let moov = mp4_box(b"moov", &[&mvhd, &trak]);
        let mut file = ftyp;
        file.extend_from_slice(&moov);
        let mdat_start = file.len() + 8;
        file.extend(mp4_box(b"mdat", &[&vec![0; self.mdat_bytes]]));
        let stco_at = find_box(&file, b"stco");
        put_u32(&mut file, stco_at + 16, mdat_start as u32);
        file
    }
}
