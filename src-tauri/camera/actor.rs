//! The camera thread: owns the [`FrameSource`], reads every frame, and decides what to do with
//! it. Controls arrive over a channel; the preview's acknowledgement is a flag.
//!
//! Newest frame wins: a preview JPEG is made and sent only when the UI has acknowledged the
//! previous one. Frames read meanwhile are dropped (counted), never queued, so a slow webview
//! sees a lower frame rate, not a growing delay.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::oneshot;

use super::hints::{Hint, HintEngine};
use super::recorder::{new_recorder, ClipRecorder, RECORD_FPS};
use super::source::{preview_jpeg, Frame, Opener, Pixels, SourceInfo, FRAME_TIMEOUT};
use super::CameraError;

/// Largest preview frame sent to the UI.
pub const PREVIEW_MAX: (u32, u32) = (640, 480);
const PREVIEW_QUALITY: u8 = 70;
/// Largest filmstrip picture of a recording.
const FILMSTRIP_MAX: (u32, u32) = (320, 240);
const FILMSTRIP_FRAMES: u64 = 5;
/// The hint is worked out at most this often.
const HINT_EVERY: Duration = Duration::from_millis(200);
/// Recording progress goes to the UI at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Where the preview goes (the UI's channels, or a test's collector).
pub trait PreviewSink: Send {
    /// A preview JPEG; false when nobody listens any more (the actor then stops).
    fn frame(&self, jpeg: Vec<u8>) -> bool;
    fn status(&self, status: &PreviewStatus) -> bool;
}

/// What the UI shows around the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewStatus {
    pub hint: Hint,
    /// While recording: milliseconds recorded and the most that will be.
    pub recording: Option<RecordingProgress>,
    /// The camera stopped by itself (it failed, or the UI stopped acknowledging).
    pub stopped: Option<StopReason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecordingProgress {
    pub elapsed_ms: u64,
    pub max_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// The camera failed or went away mid-stream.
    Camera { error: CameraError },
    /// No acknowledgement for [`Options::idle_limit`]: the page is gone, the camera is released.
    Idle,
}

/// A finished recording, in memory.
#[derive(Clone)]
pub struct Recording {
    pub clip: Vec<u8>,
    pub media_type: &'static str,
    pub duration_ms: u64,
    pub frames: u64,
    pub width: u32,
    pub height: u32,
    /// A few small JPEGs spread over the recording, for the review.
    pub filmstrip: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("bytes", &self.clip.len())
            .field("duration_ms", &self.duration_ms)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Without an acknowledgement for this long (and not recording), the camera is released.
    pub idle_limit: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self { idle_limit: Duration::from_secs(30) }
    }
}

/// Counters, for tests and the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub frames_read: u64,
    pub previews_sent: u64,
    pub previews_dropped: u64,
}

enum Control {
    Record { max_ms: u64, done: oneshot::Sender<Result<Recording, CameraError>> },
    FinishRecording,
    Stop,
}

#[derive(Default)]
struct Shared {
    ready: AtomicBool,
    running: AtomicBool,
    frames_read: AtomicU64,
    previews_sent: AtomicU64,
    previews_dropped: AtomicU64,
}

pub struct ActorHandle {
    control: Sender<Control>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Starts the camera thread; returns once the source is open (or could not be).
pub fn spawn(
    opener: Opener,
    sink: Box<dyn PreviewSink>,
    options: Options,
) -> Result<(ActorHandle, SourceInfo), CameraError> {
    let (control, rx) = mpsc::channel();
    let shared = Arc::new(Shared::default());
    shared.ready.store(true, Ordering::SeqCst);
    let (opened_tx, opened_rx) = mpsc::channel();
    let thread_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name("camera".into())
        .spawn(move || {
            let source = match opener() {
                Ok(source) => source,
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
            };
            thread_shared.running.store(true, Ordering::SeqCst);
            let _ = opened_tx.send(Ok(source.info()));
            Actor::new(source, sink, rx, thread_shared.clone(), options).run();
            thread_shared.running.store(false, Ordering::SeqCst);
        })
        .map_err(|e| CameraError::failed(format!("camera thread: {e}")))?;
    let opened = opened_rx
        .recv()
        .unwrap_or_else(|_| Err(CameraError::failed("the camera thread ended while opening")));
    let mut handle = ActorHandle { control, shared, thread: Some(thread) };
    match opened {
        Ok(info) => {
            tracing::info!(?info, "camera started");
            Ok((handle, info))
        }
        Err(e) => {
            if let Some(thread) = handle.thread.take() {
                let _ = thread.join();
            }
            Err(e)
        }
    }
}

impl ActorHandle {
    pub fn ack(&self) {
        self.shared.ready.store(true, Ordering::SeqCst);
    }

    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst)
    }

    pub fn record(&self, max_ms: u64) -> oneshot::Receiver<Result<Recording, CameraError>> {
        let (done, rx) = oneshot::channel();
        if let Err(mpsc::SendError(Control::Record { done, .. })) =
            self.control.send(Control::Record { max_ms, done })
        {
            let _ = done.send(Err(CameraError::failed("the camera is not running")));
        }
        rx
    }

    pub fn finish_recording(&self) {
        let _ = self.control.send(Control::FinishRecording);
    }

    pub fn stats(&self) -> Stats {
        Stats {
            frames_read: self.shared.frames_read.load(Ordering::SeqCst),
            previews_sent: self.shared.previews_sent.load(Ordering::SeqCst),
            previews_dropped: self.shared.previews_dropped.load(Ordering::SeqCst),
        }
    }

    /// Stops the thread and waits until it has released the camera.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the camera thread panicked");
            }
            tracing::info!(stats = ?self.stats(), "camera stopped");
        }
    }
}

impl Drop for ActorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct ActiveRecording {
    started: Instant,
    max_ms: u64,
    recorder: Option<Box<dyn ClipRecorder>>,
    media_type: &'static str,
    last_pts: Option<u64>,
    frames: u64,
    filmstrip: Vec<Vec<u8>>,
    width: u32,
    height: u32,
    done: oneshot::Sender<Result<Recording, CameraError>>,
}

struct Actor {
    source: Box<dyn super::FrameSource>,
    sink: Box<dyn PreviewSink>,
    control: Receiver<Control>,
    shared: Arc<Shared>,
    options: Options,
    hints: HintEngine,
    hint: Hint,
    hint_at: Option<Instant>,
    progress_at: Option<Instant>,
    last_ack: Instant,
    recording: Option<ActiveRecording>,
}

impl Actor {
    fn new(
        source: Box<dyn super::FrameSource>,
        sink: Box<dyn PreviewSink>,
        control: Receiver<Control>,
        shared: Arc<Shared>,
        options: Options,
    ) -> Self {
        Self {
            source,
            sink,
            control,
            shared,
            options,
            hints: HintEngine::new(),
            hint: Hint::Ready,
            hint_at: None,
            progress_at: None,
            last_ack: Instant::now(),
            recording: None,
        }
    }

    fn status(&self, stopped: Option<StopReason>) -> PreviewStatus {
        PreviewStatus {
            hint: self.hint,
            recording: self.recording.as_ref().map(|r| RecordingProgress {
                elapsed_ms: (r.started.elapsed().as_millis() as u64).min(r.max_ms),
                max_ms: r.max_ms,
            }),
            stopped,
        }
    }

    fn run(mut self) {
        loop {
            // Controls first: a stop must not wait for another frame.
            loop {
                match self.control.try_recv() {
                    Ok(Control::Stop) | Err(mpsc::TryRecvError::Disconnected) => {
                        self.fail_recording(CameraError::failed("the camera was stopped"));
                        return;
                    }
                    Ok(Control::Record { max_ms, done }) => self.start_recording(max_ms, done),
                    Ok(Control::FinishRecording) => self.finish_recording(),
                    Err(mpsc::TryRecvError::Empty) => break,
                }
            }
            let frame = match self.read_frame() {
                Ok(frame) => frame,
                Err(e) => {
                    tracing::warn!(reason = e.reason(), "camera failed mid-stream: {e}");
                    self.fail_recording(e.clone());
                    let _ = self.sink.status(&self.status(Some(StopReason::Camera { error: e })));
                    return;
                }
            };
            self.shared.frames_read.fetch_add(1, Ordering::SeqCst);
            if let Err(e) = self.handle(frame) {
                tracing::warn!("camera frame not processed: {e}");
            }
            if self.recording.is_none() && self.last_ack.elapsed() > self.options.idle_limit {
                tracing::info!("preview not acknowledged for a while; releasing the camera");
                let _ = self.sink.status(&self.status(Some(StopReason::Idle)));
                return;
            }
            if !self.shared.running.load(Ordering::SeqCst) {
                return;
            }
        }
    }

    /// The next frame, or a failure when the source takes longer than [`FRAME_TIMEOUT`]
    /// (checked after the fact: a source blocks in the OS, which the thread cannot interrupt).
    fn read_frame(&mut self) -> Result<Frame, CameraError> {
        let asked = Instant::now();
        let frame = self.source.next_frame()?;
        if asked.elapsed() > FRAME_TIMEOUT {
            return Err(CameraError::failed("the camera delivered no frame in time"));
        }
        Ok(frame)
    }

    fn handle(&mut self, frame: Frame) -> Result<(), CameraError> {
        let now = Instant::now();
        let send_preview = self.shared.ready.swap(false, Ordering::SeqCst);
        if send_preview {
            self.last_ack = now;
        } else {
            self.shared.previews_dropped.fetch_add(1, Ordering::SeqCst);
        }
        let hint_due = self.hint_at.is_none_or(|at| now.duration_since(at) >= HINT_EVERY);
        let record_due = self.recording.as_ref().is_some_and(|r| {
            let pts = r.started.elapsed().as_millis() as u64;
            r.last_pts.is_none_or(|last| pts >= last + 1000 / u64::from(RECORD_FPS) - 5)
        });
        // A camera's own JPEG of a small enough frame goes to the preview unchanged.
        let passthrough = matches!(&frame.pixels, Pixels::Jpeg(_))
            && frame.width <= PREVIEW_MAX.0
            && frame.height <= PREVIEW_MAX.1;
        let need_rgb = hint_due || record_due || (send_preview && !passthrough);
        let rgb = if need_rgb { Some(frame.to_rgb()?) } else { None };
        if let (true, Some(rgb)) = (hint_due, rgb.as_deref()) {
            self.hint_at = Some(now);
            let hint = self.hints.hint(rgb, frame.width, frame.height);
            if hint != self.hint {
                self.hint = hint;
                if !self.sink.status(&self.status(None)) {
                    self.shared.running.store(false, Ordering::SeqCst);
                }
            }
        }
        if let (true, Some(rgb)) = (record_due, rgb.as_deref()) {
            self.record_frame(rgb, frame.width, frame.height)?;
        }
        if send_preview {
            let jpeg = match (&frame.pixels, rgb) {
                (Pixels::Jpeg(jpeg), _) if passthrough => jpeg.clone(),
                (_, Some(rgb)) => {
                    preview_jpeg(&rgb, frame.width, frame.height, PREVIEW_MAX, PREVIEW_QUALITY)?
                }
                (_, None) => return Ok(()),
            };
            self.shared.previews_sent.fetch_add(1, Ordering::SeqCst);
            if !self.sink.frame(jpeg) {
                tracing::info!("the preview has no listener any more; releasing the camera");
                self.shared.running.store(false, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    fn start_recording(
        &mut self,
        max_ms: u64,
        done: oneshot::Sender<Result<Recording, CameraError>>,
    ) {
        self.fail_recording(CameraError::failed("a new recording replaced this one"));
        self.recording = Some(ActiveRecording {
            started: Instant::now(),
            max_ms: max_ms.max(1),
            recorder: None,
            media_type: "",
            last_pts: None,
            frames: 0,
            filmstrip: Vec::new(),
            width: 0,
            height: 0,
            done,
        });
        self.progress_at = None;
    }

    fn record_frame(&mut self, rgb: &[u8], width: u32, height: u32) -> Result<(), CameraError> {
        let Some(r) = self.recording.as_mut() else { return Ok(()) };
        let pts = r.started.elapsed().as_millis() as u64;
        // A frame that came late, past the end: the recording ends without it, so it never
        // lasts longer than asked (a busy machine delays frames, not the limit).
        if pts > r.max_ms && r.frames > 0 {
            self.finish_recording();
            return Ok(());
        }
        if r.recorder.is_none() {
            let recorder = new_recorder(width, height)?;
            r.media_type = recorder.media_type();
            (r.width, r.height) = (width, height);
            r.recorder = Some(recorder);
        }
        if (width, height) != (r.width, r.height) {
            let e = CameraError::failed("the camera changed its frame size while recording");
            self.fail_recording(e.clone());
            return Err(e);
        }
        if let Some(recorder) = r.recorder.as_mut() {
            recorder.push_rgb(pts, rgb)?;
        }
        r.frames += 1;
        r.last_pts = Some(pts);
        // A picture for the filmstrip at the start of each fifth of the recording.
        let slot = pts * FILMSTRIP_FRAMES / r.max_ms;
        if r.filmstrip.len() as u64 <= slot && (r.filmstrip.len() as u64) < FILMSTRIP_FRAMES {
            r.filmstrip.push(preview_jpeg(rgb, width, height, FILMSTRIP_MAX, 75)?);
        }
        let finished = pts >= r.max_ms;
        let now = Instant::now();
        if self.progress_at.is_none_or(|at| now.duration_since(at) >= PROGRESS_EVERY) {
            self.progress_at = Some(now);
            let _ = self.sink.status(&self.status(None));
        }
        if finished {
            self.finish_recording();
        }
        Ok(())
    }

    fn finish_recording(&mut self) {
        let Some(r) = self.recording.take() else { return };
        let duration_ms = r.last_pts.unwrap_or(0);
        let result = match r.recorder {
            Some(recorder) if r.frames > 0 => recorder.finish().map(|clip| Recording {
                clip,
                media_type: r.media_type,
                duration_ms,
                frames: r.frames,
                width: r.width,
                height: r.height,
                filmstrip: r.filmstrip,
            }),
            _ => Err(CameraError::failed("no frame was recorded")),
        };
        if let Ok(recording) = &result {
            tracing::info!(?recording, "recording finished");
        }
        let _ = r.done.send(result);
        let _ = self.sink.status(&self.status(None));
    }

    fn fail_recording(&mut self, error: CameraError) {
        if let Some(r) = self.recording.take() {
            let _ = r.done.send(Err(error));
        }
    }
}
