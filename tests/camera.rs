//! The camera actor with generated sources: frames reach the preview, a slow preview gets the
//! newest frame rather than a queue, stopping releases the camera, and failures are typed.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use signet_app::camera::actor::{Options, StopReason};
use signet_app::camera::synthetic::{Scenario, SyntheticCamera};
use signet_app::camera::{
    Camera, CameraConfig, CameraError, Frame, FrameSource, Opener, Pixels, PreviewSink,
    PreviewStatus, SourceInfo,
};

/// Long enough for a busy machine; tests wait for conditions, never for a time.
const PATIENCE: Duration = Duration::from_secs(20);

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < PATIENCE, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Collects what the actor sends.
#[derive(Clone, Default)]
struct Collector {
    frames: Arc<Mutex<Vec<Vec<u8>>>>,
    statuses: Arc<Mutex<Vec<PreviewStatus>>>,
    gone: Arc<AtomicBool>,
}

impl PreviewSink for Collector {
    fn frame(&self, jpeg: Vec<u8>) -> bool {
        self.frames.lock().unwrap().push(jpeg);
        !self.gone.load(Ordering::SeqCst)
    }

    fn status(&self, status: &PreviewStatus) -> bool {
        self.statuses.lock().unwrap().push(status.clone());
        !self.gone.load(Ordering::SeqCst)
    }
}

impl Collector {
    fn frame_count(&self) -> usize {
        self.frames.lock().unwrap().len()
    }

    fn stopped(&self) -> Option<StopReason> {
        self.statuses.lock().unwrap().iter().find_map(|s| s.stopped.clone())
    }
}

/// Uniform grey frames whose level tells which frame it is (frame n has level 40 + 4n), as
/// fast as asked; reports when it is dropped (the camera released) and may fail after a while.
struct Numbered {
    n: Arc<AtomicU64>,
    released: Arc<AtomicBool>,
    fail_after: Option<u64>,
    /// Each frame takes this long to arrive (a busy machine), when set.
    slow: Arc<Mutex<Option<Duration>>>,
}

const W: u32 = 32;
const H: u32 = 24;

impl FrameSource for Numbered {
    fn info(&self) -> SourceInfo {
        SourceInfo { name: "numbered".into(), width: W, height: H, format: "rgb", fps: 200 }
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let n = self.n.fetch_add(1, Ordering::SeqCst);
        if self.fail_after.is_some_and(|limit| n >= limit) {
            return Err(CameraError::failed("unplugged"));
        }
        let delay = self.slow.lock().unwrap().unwrap_or(Duration::from_millis(2));
        std::thread::sleep(delay);
        let level = (40 + 4 * n).min(250) as u8;
        Ok(Frame { width: W, height: H, pixels: Pixels::Rgb(vec![level; (W * H * 3) as usize]) })
    }
}

impl Drop for Numbered {
    fn drop(&mut self) {
        self.released.store(true, Ordering::SeqCst);
    }
}

struct Probe {
    n: Arc<AtomicU64>,
    released: Arc<AtomicBool>,
    slow: Arc<Mutex<Option<Duration>>>,
}

fn numbered(fail_after: Option<u64>) -> (Opener, Probe) {
    let probe = Probe { n: Arc::default(), released: Arc::default(), slow: Arc::default() };
    let (n, released, slow) = (probe.n.clone(), probe.released.clone(), probe.slow.clone());
    let opener: Opener = Box::new(move || {
        Ok(Box::new(Numbered { n, released, fail_after, slow }) as Box<dyn FrameSource>)
    });
    (opener, probe)
}

/// The grey level of a preview JPEG.
fn level(jpeg: &[u8]) -> u8 {
    let img = image::load_from_memory(jpeg).unwrap().to_rgb8();
    img.get_pixel(W / 2, H / 2)[0]
}

#[test]
fn frames_flow_to_the_preview_as_jpegs_while_acknowledged() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    let opener: Opener = Box::new(|| {
        Ok(Box::new(SyntheticCamera::with(Scenario::TALKING_HEAD, 640, 480, 30, false))
            as Box<dyn FrameSource>)
    });
    let info = camera.start(opener, Box::new(sink.clone()), Options::default()).unwrap();
    assert_eq!((info.width, info.height), (640, 480));
    let mut seen = 0;
    while seen < 5 {
        wait_until("a preview frame", || sink.frame_count() > seen);
        seen = sink.frame_count();
        camera.ack();
    }
    for jpeg in sink.frames.lock().unwrap().iter() {
        let img = image::load_from_memory(jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (640, 480));
    }
    // The synthetic face is lit: the hint never said "too dark".
    assert!(sink.statuses.lock().unwrap().iter().all(|s| s.stopped.is_none()));
    camera.stop();
    assert!(!camera.is_running());
}

#[test]
fn a_slow_preview_gets_the_newest_frame_not_a_queue() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    let (opener, probe) = numbered(None);
    camera.start(opener, Box::new(sink.clone()), Options::default()).unwrap();
    // The first frame goes; without an acknowledgement nothing more does, however many are read.
    wait_until("20 frames read", || probe.n.load(Ordering::SeqCst) >= 20);
    assert_eq!(sink.frame_count(), 1);
    let stats = camera.stats().unwrap();
    assert_eq!(stats.previews_sent, 1);
    assert!(stats.previews_dropped >= 15, "{stats:?}");
    let read_before_ack = probe.n.load(Ordering::SeqCst);
    camera.ack();
    wait_until("the next frame after the acknowledgement", || sink.frame_count() == 2);
    let frames = sink.frames.lock().unwrap().clone();
    assert!(level(&frames[0]) <= 46, "the first frame: {}", level(&frames[0]));
    // The second is the frame being read at the acknowledgement or a later one, not the second
    // frame ever read (the counter moves when a read starts).
    let expected = (40 + 4 * (read_before_ack - 1).min(52)) as u8;
    assert!(level(&frames[1]) + 3 >= expected, "{} < {expected}", level(&frames[1]));
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(sink.frame_count(), 2, "one acknowledgement, one frame");
    camera.stop();
}

#[test]
fn stopping_releases_the_camera_before_it_returns() {
    let camera = Camera::new(CameraConfig::Native);
    let (opener, probe) = numbered(None);
    camera.start(opener, Box::new(Collector::default()), Options::default()).unwrap();
    assert!(camera.is_running());
    assert!(!probe.released.load(Ordering::SeqCst));
    camera.stop();
    assert!(probe.released.load(Ordering::SeqCst));
    assert!(!camera.is_running());
    assert!(camera.stats().is_none());
}

#[test]
fn a_new_preview_replaces_and_releases_the_old_one() {
    let camera = Camera::new(CameraConfig::Native);
    let (first, first_probe) = numbered(None);
    camera.start(first, Box::new(Collector::default()), Options::default()).unwrap();
    let (second, second_probe) = numbered(None);
    camera.start(second, Box::new(Collector::default()), Options::default()).unwrap();
    assert!(first_probe.released.load(Ordering::SeqCst));
    assert!(!second_probe.released.load(Ordering::SeqCst));
    drop(camera);
    assert!(second_probe.released.load(Ordering::SeqCst));
}

#[test]
fn the_camera_is_released_when_the_preview_has_no_listener() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    sink.gone.store(true, Ordering::SeqCst);
    let (opener, probe) = numbered(None);
    camera.start(opener, Box::new(sink), Options::default()).unwrap();
    wait_until("the camera released", || probe.released.load(Ordering::SeqCst));
    assert!(!camera.is_running());
}

#[test]
fn an_unacknowledged_preview_releases_the_camera_after_the_idle_limit() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    let (opener, probe) = numbered(None);
    let options = Options { idle_limit: Duration::from_millis(100) };
    camera.start(opener, Box::new(sink.clone()), options).unwrap();
    wait_until("the camera released", || probe.released.load(Ordering::SeqCst));
    assert_eq!(sink.stopped(), Some(StopReason::Idle));
}

#[test]
fn opening_failures_are_typed_and_leave_nothing_running() {
    let camera = Camera::new(CameraConfig::Native);
    for error in [CameraError::NoCamera, CameraError::Busy, CameraError::PermissionDenied] {
        let expected = error.clone();
        let opener: Opener = Box::new(move || Err(error));
        let got = camera.start(opener, Box::new(Collector::default()), Options::default());
        assert_eq!(got.err(), Some(expected));
        assert!(!camera.is_running());
    }
}

#[test]
fn a_camera_failing_mid_stream_says_so_and_is_released() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    let (opener, probe) = numbered(Some(5));
    camera.start(opener, Box::new(sink.clone()), Options::default()).unwrap();
    wait_until("the camera released", || probe.released.load(Ordering::SeqCst));
    assert_eq!(
        sink.stopped(),
        Some(StopReason::Camera { error: CameraError::failed("unplugged") })
    );
    // Recording on a stopped camera fails at once.
    assert!(camera.record(1000).is_err());
}

#[test]
fn a_recording_keeps_frames_and_a_filmstrip_in_memory() {
    let camera = Camera::new(CameraConfig::Native);
    let sink = Collector::default();
    let opener: Opener = Box::new(|| {
        Ok(Box::new(SyntheticCamera::with(Scenario::TALKING_HEAD, 320, 240, 50, true))
            as Box<dyn FrameSource>)
    });
    camera.start(opener, Box::new(sink.clone()), Options::default()).unwrap();
    let done = camera.record(400).unwrap();
    let recording = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(done)
        .unwrap()
        .unwrap();
    assert!(recording.frames >= 2, "{recording:?}");
    assert!(recording.duration_ms <= 400, "{recording:?}");
    // An H.264 MP4 the platform's probe accepts, of the camera's size.
    let info = signet_video::probe(&recording.clip, &signet_video::ClipLimits::default()).unwrap();
    assert_eq!((info.width, info.height), (320, 240));
    assert_eq!(u64::from(info.frames), recording.frames);
    assert_eq!(recording.media_type, "video/mp4");
    assert!(!recording.filmstrip.is_empty() && recording.filmstrip.len() <= 5);
    assert!(recording.filmstrip.iter().all(|jpeg| jpeg.starts_with(&[0xFF, 0xD8])));
    // Progress went to the UI while recording.
    assert!(sink.statuses.lock().unwrap().iter().any(|s| s.recording.is_some()));
    // Stopping ends an unfinished recording with an error, not a hang.
    let abandoned = camera.record(60_000).unwrap();
    camera.stop();
    let outcome =
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(abandoned);
    assert!(matches!(outcome, Ok(Err(_)) | Err(_)));
}

#[test]
fn a_late_frame_ends_the_recording_without_making_it_longer() {
    let camera = Camera::new(CameraConfig::Native);
    let (opener, probe) = numbered(None);
    camera.start(opener, Box::new(Collector::default()), Options::default()).unwrap();
    // Frames now come every 150 ms: the one after the 200 ms limit arrives well past it.
    *probe.slow.lock().unwrap() = Some(Duration::from_millis(150));
    let done = camera.record(200).unwrap();
    let recording = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(done)
        .unwrap()
        .unwrap();
    assert!(recording.frames >= 1);
    assert!(recording.duration_ms <= 200, "{recording:?}");
    camera.stop();
}

#[test]
fn finishing_early_keeps_what_was_recorded() {
    let camera = Camera::new(CameraConfig::Native);
    let (opener, probe) = numbered(None);
    camera.start(opener, Box::new(Collector::default()), Options::default()).unwrap();
    let done = camera.record(60_000).unwrap();
    let at = probe.n.load(Ordering::SeqCst);
    wait_until("a few frames", || probe.n.load(Ordering::SeqCst) >= at + 30);
    camera.finish_recording();
    let recording = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(done)
        .unwrap()
        .unwrap();
    assert!(recording.frames >= 1);
    assert!(recording.duration_ms < 60_000);
    camera.stop();
}

#[test]
fn the_synthetic_configuration_lists_one_camera_and_opens_it() {
    let camera = Camera::new(CameraConfig::parse(Some("synthetic:dark")));
    let list = camera.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, "synthetic:dark");
    let sink = Collector::default();
    let info = camera.start(camera.opener(None), Box::new(sink.clone()), Options::default());
    assert_eq!(info.unwrap().format, "rgb");
    wait_until("a too-dark hint", || {
        sink.statuses
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.hint == signet_app::camera::hints::Hint::TooDark)
    });
    camera.stop();
}
