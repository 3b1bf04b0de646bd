//! The BlazeFace detector on the committed photo and on frames without faces.

use signet_vision::synthetic::{face_photo, portrait};
use signet_vision::{FaceDetector, Point};

fn detector() -> FaceDetector {
    FaceDetector::new().expect("the committed model loads")
}

fn near(p: Point, x: f32, y: f32, tolerance: f32) -> bool {
    (p.x - x).abs() <= tolerance && (p.y - y).abs() <= tolerance
}

#[test]
fn finds_the_astronaut_face_with_keypoints_in_place() {
    let (rgb, w, h) = face_photo();
    let faces = detector().detect(rgb, w, h);
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = &faces[0];
    assert!(face.score > 0.8, "{face:?}");
    // Measured by eye on the 256x256 crop: eyes at about (111, 82) and (145, 84), nose tip
    // (126, 103), mouth (125, 119).
    assert!(near(face.right_eye(), 111.0, 82.0, 6.0), "{face:?}");
    assert!(near(face.left_eye(), 145.0, 84.0, 6.0), "{face:?}");
    assert!(near(face.nose_tip(), 126.0, 103.0, 6.0), "{face:?}");
    assert!(near(face.mouth_centre(), 125.0, 119.0, 6.0), "{face:?}");
    // The ears lie outside the eyes, the box holds eyes, nose and mouth.
    assert!(face.keypoints[4].x < face.right_eye().x && face.keypoints[5].x > face.left_eye().x);
    for p in &face.keypoints[..4] {
        let b = face.bbox;
        assert!(p.x > b.x && p.x < b.x + b.width && p.y > b.y && p.y < b.y + b.height);
    }
    assert!(face.bbox.height > 60.0 && face.bbox.height < 110.0, "{face:?}");
}

#[test]
fn maps_the_face_back_to_frame_pixels_through_the_letterbox() {
    // Landscape and portrait frames pad differently; both must land on the placed face.
    for (w, h) in [(640, 480), (480, 640), (1280, 720)] {
        let centre = Point { x: w as f32 * 0.55, y: h as f32 * 0.45 };
        let frame = portrait(w, h, centre, h as f32 * 0.35);
        let faces = detector().detect(&frame, w, h);
        assert_eq!(faces.len(), 1, "{w}x{h}: {faces:?}");
        let c = faces[0].bbox.centre();
        assert!(near(c, centre.x, centre.y, h as f32 * 0.05), "{w}x{h}: {c:?}");
        let ratio = faces[0].bbox.height / (h as f32 * 0.35);
        assert!((0.8..1.25).contains(&ratio), "{w}x{h}: {ratio}");
    }
}

#[test]
fn finds_no_face_in_a_blank_or_noisy_frame() {
    let detector = detector();
    let grey = vec![128u8; 640 * 480 * 3];
    assert!(detector.detect(&grey, 640, 480).is_empty());
    let mut state = 0x1234_5678u32;
    let noise: Vec<u8> = (0..640 * 480 * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    assert!(detector.detect(&noise, 640, 480).is_empty());
}

#[test]
fn finds_two_faces_side_by_side() {
    let (rgb, w, h) = face_photo();
    let (w, h) = (w as usize, h as usize);
    let mut pair = vec![0u8; 2 * w * h * 3];
    for y in 0..h {
        let row = &rgb[y * w * 3..(y + 1) * w * 3];
        pair[y * 2 * w * 3..y * 2 * w * 3 + w * 3].copy_from_slice(row);
        pair[y * 2 * w * 3 + w * 3..(y + 1) * 2 * w * 3].copy_from_slice(row);
    }
    let mut faces = detector().detect(&pair, 2 * w as u32, h as u32);
    assert_eq!(faces.len(), 2, "{faces:?}");
    faces.sort_by(|a, b| a.bbox.x.total_cmp(&b.bbox.x));
    assert!(faces[0].bbox.centre().x < w as f32 && faces[1].bbox.centre().x > w as f32);
}

#[test]
fn refuses_a_buffer_that_does_not_match_its_size() {
    let detector = detector();
    let err =
        detector.try_detect(&[0u8; 100], 640, 480).expect_err("100 bytes are not a 640x480 frame");
    assert_eq!(err.code(), "vision_frame_size");
    assert!(detector.detect(&[0u8; 100], 640, 480).is_empty());
    assert!(detector.detect(&[], 0, 0).is_empty());
}

#[test]
fn one_detector_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<FaceDetector>();
    shareable::<signet_vision::liveness::Analyzer<'static>>();
    shareable::<signet_vision::synthetic::SyntheticClip>();
}
