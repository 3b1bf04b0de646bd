//! The live preview's hint for typical frames.

use signet_vision::synthetic::{portrait, Scenario, SyntheticClip};
use signet_vision::{preflight, FaceDetector, Hint, Point};

const W: u32 = 640;
const H: u32 = 480;

fn hint_for(frame: &[u8]) -> Hint {
    let detector = FaceDetector::new().expect("the committed model loads");
    let faces = detector.detect(frame, W, H);
    preflight(frame, W, H, &faces)
}

fn centred(face_height: f32) -> Vec<u8> {
    portrait(W, H, Point { x: 320.0, y: 240.0 }, face_height)
}

#[test]
fn ready_for_one_centred_face_at_a_good_distance() {
    assert_eq!(hint_for(&centred(190.0)), Hint::Ready);
}

#[test]
fn too_dark_when_the_frame_is_darkened() {
    let dark: Vec<u8> = centred(190.0).iter().map(|&c| c / 6).collect();
    assert_eq!(hint_for(&dark), Hint::TooDark);
}

#[test]
fn too_far_for_a_small_face() {
    assert_eq!(hint_for(&centred(80.0)), Hint::TooFar);
    assert_eq!(hint_for(&centred(100.0)), Hint::TooFar);
}

#[test]
fn too_close_for_a_face_filling_the_frame() {
    assert_eq!(hint_for(&centred(360.0)), Hint::TooClose);
}

#[test]
fn off_centre_for_a_face_near_the_edge() {
    let frame = portrait(W, H, Point { x: 130.0, y: 240.0 }, 170.0);
    assert_eq!(hint_for(&frame), Hint::OffCentre);
}

#[test]
fn no_face_in_an_empty_room_and_multiple_faces_for_two_people() {
    let empty = SyntheticClip::new(Scenario::NoFace, W, H, 30, 1).frame_at(0);
    assert_eq!(hint_for(&empty), Hint::NoFace);
    let two = SyntheticClip::new(Scenario::TwoFaces, W, H, 30, 1).frame_at(0);
    assert_eq!(hint_for(&two), Hint::MultipleFaces);
}

#[test]
fn hints_serialise_in_snake_case() {
    assert_eq!(
        serde_json::to_string(&Hint::MultipleFaces).expect("serialises"),
        "\"multiple_faces\""
    );
    assert_eq!(
        serde_json::from_str::<Hint>("\"off_centre\"").expect("deserialises"),
        Hint::OffCentre
    );
}
