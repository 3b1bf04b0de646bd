// The camera preview of face recognition: opens the camera on the Rust side
// (`face_preview_start`), shows each JPEG it sends (raw bytes over a channel) in the preview
// image and acknowledges it, so the next one comes (newest frame wins: nothing queues while the
// webview is busy). Hints and recording progress arrive on a second channel and are painted in
// place, without re-rendering the page.
//
// The camera is released as soon as the preview is no longer on screen: a watchdog notices the
// page was left (another step, another route, sign-out) and stops it; the Rust side also stops
// by itself when frames stay unacknowledged.
import { faceApi } from "../../api";
import { logError } from "../../errors";
import type { ApiError, PreviewStatus } from "../../types";
import { flow, rerender, type FaceDraft } from "./flow";

/** Element ids the preview paints into. */
export const PREVIEW_ID = "rn-face-preview";
export const FRAME_ID = "rn-face-frame";
export const HINT_ID = "rn-face-hint";
export const RING_ID = "rn-face-ring";
export const RING_TEXT_ID = "rn-face-ring-text";
/** Circumference of the progress ring's circle (r = 52). */
export const RING_LENGTH = 2 * Math.PI * 52;

const WATCH_EVERY_MS = 400;

/** The last frame shown, so a re-render shows it at once. */
let lastUrl: string | null = null;
let watchdog: number | null = null;
/** Which start the frames belong to: a frame of a stopped preview is ignored. */
let generation = 0;
let frames = 0;

export function lastFrameUrl(): string | null {
  return lastUrl;
}

/** Frames shown since the camera opened (for the page's `data-frames`, tests). */
export function framesShown(): number {
  return frames;
}

function toBlob(message: ArrayBuffer | Uint8Array | number[]): Blob {
  if (message instanceof ArrayBuffer) return new Blob([message], { type: "image/jpeg" });
  if (message instanceof Uint8Array) return new Blob([message.slice()], { type: "image/jpeg" });
  return new Blob([new Uint8Array(message)], { type: "image/jpeg" });
}

function showFrame(mine: number, message: ArrayBuffer | Uint8Array | number[]): void {
  if (mine !== generation) return;
  const img = document.getElementById(PREVIEW_ID);
  if (!(img instanceof HTMLImageElement)) return; // the page is gone: the watchdog stops the camera
  const url = URL.createObjectURL(toBlob(message));
  const done = () => {
    img.removeEventListener("load", done);
    img.removeEventListener("error", done);
    if (mine !== generation) {
      URL.revokeObjectURL(url);
      return;
    }
    if (lastUrl !== null && lastUrl !== url) URL.revokeObjectURL(lastUrl);
    lastUrl = url;
    frames += 1;
    img.dataset.frames = String(frames);
    img.closest<HTMLElement>(`#${FRAME_ID}`)?.setAttribute("data-live", "true");
    void faceApi.previewAck().catch((error: ApiError) => logError("face_preview_ack", error));
  };
  img.addEventListener("load", done);
  img.addEventListener("error", done);
  img.src = url;
}

/** Paints the recording progress ring in place. */
export function paintRing(face: FaceDraft): void {
  const ring = document.getElementById(RING_ID);
  const total = face.challenge ? recordingLimitMs(face.challenge.max_duration_ms, face.challenge.min_duration_ms) : 1;
  const share = Math.min(1, face.elapsedMs / Math.max(1, total));
  if (ring) ring.setAttribute("stroke-dashoffset", String(RING_LENGTH * (1 - share)));
  const text = document.getElementById(RING_TEXT_ID);
  if (text) text.textContent = String(Math.min(Math.ceil(total / 1000), Math.floor(face.elapsedMs / 1000)));
  const finish = document.getElementById("rn-face-finish");
  if (finish instanceof HTMLButtonElement && face.challenge) {
    finish.disabled = face.finishing || face.elapsedMs < face.challenge.min_duration_ms;
  }
}

/** The longest recording the app makes (the platform may accept more). */
const RECORDING_TARGET_MS = 6_000;

/** How long the recording runs unless finished earlier: 6 s, within the challenge's bounds
 * (a little short of its limit). */
export function recordingLimitMs(maxMs: number, minMs: number): number {
  return Math.max(minMs, Math.min(RECORDING_TARGET_MS, maxMs - 200));
}

function onStatus(mine: number, face: FaceDraft, status: PreviewStatus): void {
  if (mine !== generation || flow.face !== face) return;
  if (status.recording) {
    face.elapsedMs = status.recording.elapsed_ms;
    paintRing(face);
  }
  if (status.hint !== face.hint) {
    face.hint = status.hint;
    rerender();
  }
  if (status.stopped) {
    stopWatching();
    if (status.stopped.kind === "camera") {
      face.camera = "error";
      face.cameraError = { code: "camera_unavailable", message: "camera stopped", details: { reason: status.stopped.error.reason } };
    } else {
      face.camera = "stopped";
    }
    rerender();
  }
}

function stopWatching(): void {
  if (watchdog !== null) window.clearInterval(watchdog);
  watchdog = null;
}

/** Opens the camera (listing them first, for the picker) and starts the preview. */
export async function startCamera(): Promise<void> {
  const face = flow.face;
  if (face.camera === "opening") return;
  face.camera = "opening";
  face.cameraError = null;
  face.hint = "ready";
  rerender();
  const mine = ++generation;
  frames = 0;
  try {
    const list = await faceApi.cameraList();
    if (flow.face !== face || mine !== generation) return;
    face.devices = list.devices;
    face.selected = list.selected;
    await faceApi.previewStart(
      (message) => showFrame(mine, message),
      (status) => onStatus(mine, face, status),
    );
    if (flow.face !== face || mine !== generation) {
      void faceApi.previewStop();
      return;
    }
    face.camera = "on";
    stopWatching();
    watchdog = window.setInterval(() => {
      if (!document.getElementById(FRAME_ID)) void stopCamera();
    }, WATCH_EVERY_MS);
  } catch (error) {
    const apiError = error as ApiError;
    logError("face_preview_start", apiError);
    if (flow.face !== face || mine !== generation) return;
    face.camera = "error";
    face.cameraError = apiError;
  }
  rerender();
}

/** Stops the preview and releases the camera. */
export async function stopCamera(): Promise<void> {
  generation += 1;
  stopWatching();
  if (lastUrl !== null) URL.revokeObjectURL(lastUrl);
  lastUrl = null;
  if (flow.face.camera === "on" || flow.face.camera === "opening") flow.face.camera = "off";
  try {
    await faceApi.previewStop();
  } catch (error) {
    logError("face_preview_stop", error as ApiError);
  }
}

/** Picks another camera: remembered on this machine, and the preview restarts with it. */
export async function selectCamera(id: string): Promise<void> {
  try {
    await faceApi.cameraSelect(id);
  } catch (error) {
    logError("camera_select", error as ApiError);
  }
  await stopCamera();
  await startCamera();
}
