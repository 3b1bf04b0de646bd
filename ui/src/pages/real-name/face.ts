// Face recognition (rn-face, 人脸识别认证): a separate consent for face data (rn-face-consent),
// the camera preview with live hints (rn-face-camera; a page saying what to do when there is no
// camera, it is busy or access was refused: rn-face-camera-error), the digits to read aloud
// (rn-face-digits), a 3-2-1 countdown, the recording with a progress ring, the review with a
// filmstrip (rn-face-review; the webview may not play H.264, so a few pictures stand in for the
// video), and the upload with a progress bar that resumes after network drops. The result goes
// to the shared success / failure pages; a failure lists each reason with its next step.
//
// The recording lives in the app's memory only (Rust side) and is dropped after the upload.
import { faceApi } from "../../api";
import { h, s } from "../../dom";
import { logError } from "../../errors";
import { t, type MessageKey } from "../../i18n";
import { icon, type IconName } from "../../icons";
import type { ApiError, FaceHint, LivenessReason } from "../../types";
import { backToMethods, errorBox, expiredPanel, identitySummary, stepCard, submitButton } from "./common";
import {
  FRAME_ID,
  HINT_ID,
  lastFrameUrl,
  paintRing,
  PREVIEW_ID,
  recordingLimitMs,
  RING_ID,
  RING_LENGTH,
  RING_TEXT_ID,
  selectCamera,
  startCamera,
  stopCamera,
} from "./face-camera";
import { expiredNow, finishAttempt, flow, focusLater, freshFace, go, handleMethodError, rerender } from "./flow";

const HINTS: readonly FaceHint[] = ["ready", "no_face", "multiple_faces", "too_far", "too_close", "too_dark", "off_centre"];

const REASONS = [
  "challenge_invalid",
  "challenge_expired",
  "challenge_used",
  "clip_unreadable",
  "clip_too_long",
  "clip_too_large",
  "duration_implausible",
  "frame_timing_implausible",
  "no_face",
  "multiple_faces",
  "face_too_small",
  "too_dark",
  "frozen_feed",
  "looped_feed",
  "no_mouth_movement",
  "rigid_motion",
  "face_mismatch",
] as const satisfies readonly LivenessReason[];
type KnownReason = (typeof REASONS)[number];

const CAMERA_ERRORS = ["no_camera", "busy", "permission_denied", "failed"] as const;
type CameraErrorKind = (typeof CAMERA_ERRORS)[number];

/** The plain next step for a reason a clip did not pass. */
export function livenessText(reason: string): string {
  return (REASONS as readonly string[]).includes(reason) ? t(`rn.liveness.${reason as KnownReason}`) : t("rn.liveness.unknown");
}

function hintText(hint: string): string {
  return (HINTS as readonly string[]).includes(hint) ? t(`rn.face.hint.${hint as FaceHint}`) : t("rn.face.hint.no_face");
}

function cameraErrorKind(error: ApiError | null): CameraErrorKind {
  const reason = error?.details?.reason;
  return (CAMERA_ERRORS as readonly unknown[]).includes(reason) ? (reason as CameraErrorKind) : "failed";
}

/** Entering the method from the chooser: a fresh start at the consent. */
export function enterFace(): void {
  flow.face = freshFace();
  go("face");
}

function leaveToMethods(): void {
  void stopCamera();
  void faceApi.discardRecording().catch((error: ApiError) => logError("face_discard_recording", error));
  flow.face = freshFace();
  go("methods");
}

function acceptFaceConsent(): void {
  flow.face.stage = "camera";
  go("face");
  void startCamera();
}

// ---- the digits, the countdown, the recording ------------------------------------------------

/** Whether the digits stay valid long enough for a recording and its upload. */
function challengeFresh(): boolean {
  return flow.face.challenge !== null && flow.face.challengeExpiresAt - Date.now() > 15_000;
}

async function fetchChallenge(): Promise<void> {
  const face = flow.face;
  const accepted = flow.accepted;
  if (face.challengeBusy || !accepted) return;
  if (expiredNow()) {
    rerender();
    return;
  }
  face.challengeBusy = true;
  face.error = null;
  rerender();
  try {
    const challenge = await faceApi.challenge({ verification_id: accepted.verification_id });
    if (flow.face !== face) return;
    face.challengeBusy = false;
    face.challenge = challenge;
    face.challengeExpiresAt = Date.now() + challenge.expires_in * 1000;
    face.stage = "challenge";
    rerender();
    focusLater("rn-face-record");
  } catch (error) {
    const apiError = error as ApiError;
    logError("face_challenge", apiError);
    if (flow.face !== face) return;
    face.challengeBusy = false;
    if (handleMethodError("face", apiError)) {
      rerender();
      return;
    }
    face.error = apiError;
    rerender();
    focusLater("rn-face-start");
  }
}

let countdownTimer: number | null = null;

function startCountdown(): void {
  const face = flow.face;
  if (!face.challenge || face.camera !== "on") return;
  if (!challengeFresh()) {
    // The digits are about to expire: fetch new ones first.
    face.challenge = null;
    face.stage = "camera";
    void fetchChallenge();
    return;
  }
  face.error = null;
  face.recordFailed = false;
  face.stage = "countdown";
  face.countdown = 3;
  rerender();
  focusLater("rn-face-countdown");
  if (countdownTimer !== null) window.clearInterval(countdownTimer);
  countdownTimer = window.setInterval(() => {
    if (flow.face !== face || face.stage !== "countdown") {
      if (countdownTimer !== null) window.clearInterval(countdownTimer);
      countdownTimer = null;
      return;
    }
    face.countdown -= 1;
    if (face.countdown > 0) {
      const el = document.getElementById("rn-face-countdown-number");
      if (el) el.textContent = String(face.countdown);
      const label = document.getElementById("rn-face-countdown");
      if (label) label.textContent = t("rn.face.countdown", { n: face.countdown });
      return;
    }
    if (countdownTimer !== null) window.clearInterval(countdownTimer);
    countdownTimer = null;
    void record();
  }, 1000);
}

async function record(): Promise<void> {
  const face = flow.face;
  const challenge = face.challenge;
  if (!challenge) return;
  face.stage = "recording";
  face.elapsedMs = 0;
  face.finishing = false;
  rerender();
  focusLater("rn-face-recording-title");
  try {
    const recording = await faceApi.record({
      min_ms: challenge.min_duration_ms,
      max_ms: recordingLimitMs(challenge.max_duration_ms, challenge.min_duration_ms),
    });
    if (flow.face !== face) return;
    face.recording = recording;
    face.stage = "review";
    // The camera goes off while the user looks at the recording.
    await stopCamera();
    if (flow.face !== face) return;
    rerender();
    focusLater("rn-face-submit");
  } catch (error) {
    const apiError = error as ApiError;
    logError("face_record", apiError);
    if (flow.face !== face) return;
    face.stage = "challenge";
    if (apiError.code === "camera_unavailable") {
      face.camera = "error";
      face.cameraError = apiError;
    } else if (!handleMethodError("face", apiError)) {
      face.recordFailed = true;
    }
    rerender();
    focusLater("rn-face-record");
  }
}

function finishEarly(): void {
  const face = flow.face;
  if (face.stage !== "recording" || face.finishing) return;
  face.finishing = true;
  paintRing(face);
  void faceApi.recordFinish().catch((error: ApiError) => logError("face_record_finish", error));
}

function reRecord(): void {
  const face = flow.face;
  face.recording = null;
  face.progress = null;
  face.error = null;
  void faceApi.discardRecording().catch((error: ApiError) => logError("face_discard_recording", error));
  face.stage = challengeFresh() ? "challenge" : "camera";
  if (face.stage === "camera") face.challenge = null;
  go("face");
  void startCamera();
}

// ---- the upload -------------------------------------------------------------------------------

function percent(face = flow.face): number {
  const p = face.progress;
  if (!p || p.total <= 0) return 0;
  return Math.min(100, Math.floor((p.sent * 100) / p.total));
}

function paintProgress(): void {
  const face = flow.face;
  const bar = document.getElementById("rn-face-progress");
  if (bar instanceof HTMLProgressElement && face.progress) {
    bar.max = Math.max(1, face.progress.total);
    bar.value = face.progress.sent;
    bar.setAttribute("aria-valuetext", `${percent()}%`);
  }
  const text = document.getElementById("rn-face-progress-text");
  if (text) text.textContent = progressText();
}

function progressText(): string {
  const p = flow.face.progress;
  return p && p.total > 0 && p.sent >= p.total ? t("rn.face.analysing") : t("rn.face.progress", { percent: percent() });
}

async function submit(): Promise<void> {
  const face = flow.face;
  const accepted = flow.accepted;
  if (!accepted || !face.challenge || !face.recording || face.stage === "uploading") return;
  if (expiredNow()) {
    rerender();
    return;
  }
  face.stage = "uploading";
  face.error = null;
  face.progress = null;
  rerender();
  focusLater("rn-face-progress-text");
  try {
    const result = await faceApi.uploadSubmit(
      { verification_id: accepted.verification_id, challenge_id: face.challenge.challenge_id },
      (progress) => {
        if (flow.face !== face) return;
        face.progress = progress;
        paintProgress();
      },
    );
    if (flow.face !== face) return;
    face.recording = null; // dropped on the Rust side after the upload
    finishAttempt("face", result);
  } catch (error) {
    const apiError = error as ApiError;
    logError("face_upload_submit", apiError);
    if (flow.face !== face) return;
    if (handleMethodError("face", apiError)) {
      rerender();
      return;
    }
    face.error = apiError;
    // Only a network failure keeps the recording for another try; otherwise record again.
    if (apiError.code !== "server_unreachable") face.recording = null;
    rerender();
    focusLater(face.recording ? "rn-face-retry" : "rn-face-rerecord");
  }
}

// ---- pages ------------------------------------------------------------------------------------

const CONSENT_SECTIONS: readonly { title: MessageKey; body: MessageKey; icon: IconName }[] = [
  { title: "rn.face.consent.whatTitle", body: "rn.face.consent.what", icon: "scanFace" },
  { title: "rn.face.consent.whyTitle", body: "rn.face.consent.why", icon: "shield" },
  { title: "rn.face.consent.whoTitle", body: "rn.face.consent.who", icon: "user" },
  { title: "rn.face.consent.keepTitle", body: "rn.face.consent.keep", icon: "clock" },
  { title: "rn.face.consent.rightsTitle", body: "rn.face.consent.rights", icon: "info" },
];

function renderConsent(): HTMLElement {
  return stepCard(
    "rn-face-consent",
    t("rn.face.consent.title"),
    backToMethods(),
    identitySummary(),
    h("p", { class: "muted rn-intro" }, t("rn.face.consent.intro")),
    h(
      "dl",
      { class: "rn-consent-list", "data-testid": "rn-face-consent-text" },
      CONSENT_SECTIONS.map((section) =>
        h(
          "div",
          { class: "rn-consent-item" },
          h("dt", null, icon(section.icon, "icon rn-consent-icon"), h("span", null, t(section.title))),
          h("dd", null, t(section.body)),
        ),
      ),
    ),
    h(
      "div",
      { class: "rn-result-actions rn-consent-actions" },
      h("button", { type: "button", class: "btn btn-secondary", "data-testid": "rn-face-consent-decline", on: { click: leaveToMethods } }, t("rn.face.consent.decline")),
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "rn-face-consent-accept", "data-autofocus": true, on: { click: acceptFaceConsent } },
        icon("scanFace"),
        h("span", null, t("rn.face.consent.accept")),
      ),
    ),
  );
}

function renderCameraError(): HTMLElement {
  const kind = cameraErrorKind(flow.face.cameraError);
  return stepCard(
    "rn-face-camera-error",
    t(`rn.face.error.${kind}.title`),
    identitySummary(),
    h(
      "div",
      { class: "rn-panel rn-panel-warning", role: "alert", "data-testid": "rn-face-camera-problem", "data-reason": kind },
      icon("alert", "icon rn-panel-icon"),
      h("div", { class: "rn-panel-body" }, h("p", null, t(`rn.face.error.${kind}.body`))),
    ),
    h(
      "div",
      { class: "rn-result-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "rn-face-camera-retry", "data-autofocus": true, on: { click: () => void startCamera() } },
        icon("refresh"),
        h("span", null, t("rn.face.tryAgain")),
      ),
      h(
        "button",
        { type: "button", class: "btn btn-secondary", "data-testid": "rn-face-other-methods", on: { click: leaveToMethods } },
        h("span", null, t("rn.face.otherMethods")),
        icon("chevronRight"),
      ),
    ),
  );
}

/** The mirrored preview in its frame, with the face-guide outline (and the ring while recording). */
function previewFrame(): HTMLElement {
  const face = flow.face;
  const url = lastFrameUrl();
  const recording = face.stage === "recording";
  return h(
    "div",
    {
      id: FRAME_ID,
      class: "rn-face-frame",
      "data-testid": FRAME_ID,
      "data-live": url ? "true" : "false",
      "data-stage": face.stage,
      role: "img",
      "aria-label": t("rn.face.previewLabel"),
    },
    h("img", { id: PREVIEW_ID, class: "rn-face-video", "data-testid": PREVIEW_ID, alt: "", src: url ?? null }),
    s(
      "svg",
      { class: "rn-face-guide", viewBox: "0 0 400 300", "aria-hidden": "true", preserveAspectRatio: "xMidYMid meet" },
      s("ellipse", { cx: 200, cy: 146, rx: 78, ry: 104 }),
    ),
    face.camera === "opening"
      ? h("div", { class: "rn-face-overlay", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("rn.face.opening"))
      : null,
    face.stage === "countdown"
      ? h("div", { class: "rn-face-overlay rn-face-countdown", "aria-hidden": "true" }, h("span", { id: "rn-face-countdown-number", "data-testid": "rn-face-countdown-number" }, String(face.countdown)))
      : null,
    recording ? ringBlock() : null,
  );
}

function ringBlock(): HTMLElement {
  const face = flow.face;
  const total = face.challenge ? recordingLimitMs(face.challenge.max_duration_ms, face.challenge.min_duration_ms) : 1;
  const share = Math.min(1, face.elapsedMs / Math.max(1, total));
  return h(
    "div",
    { class: "rn-face-ring", "data-testid": "rn-face-ring", "aria-hidden": "true" },
    s(
      "svg",
      { viewBox: "0 0 120 120" },
      s("circle", { class: "rn-face-ring-track", cx: 60, cy: 60, r: 52 }),
      s("circle", {
        id: RING_ID,
        class: "rn-face-ring-bar",
        cx: 60,
        cy: 60,
        r: 52,
        "stroke-dasharray": RING_LENGTH,
        "stroke-dashoffset": RING_LENGTH * (1 - share),
        transform: "rotate(-90 60 60)",
      }),
    ),
    h("span", { id: RING_TEXT_ID, class: "rn-face-ring-text" }, String(Math.floor(face.elapsedMs / 1000))),
  );
}

function hintLine(): HTMLElement {
  const hint = flow.face.hint;
  const ready = hint === "ready";
  return h(
    "p",
    { id: HINT_ID, class: `rn-face-hint${ready ? " is-ready" : ""}`, role: "status", "data-testid": HINT_ID, "data-hint": hint },
    icon(ready ? "checkCircle" : "info", "icon icon-small"),
    h("span", null, hintText(hint)),
  );
}

function cameraPicker(): HTMLElement | null {
  const face = flow.face;
  if (face.devices.length < 2) return null;
  return h(
    "div",
    { class: "field rn-face-picker" },
    h("label", { for: "rn-face-camera-select", class: "label" }, t("rn.face.camera")),
    h(
      "select",
      {
        id: "rn-face-camera-select",
        class: "input",
        "data-testid": "rn-face-camera-select",
        disabled: face.stage === "countdown" || face.stage === "recording",
        on: { change: (event) => void selectCamera((event.target as HTMLSelectElement).value) },
      },
      face.devices.map((d) => h("option", { value: d.id, selected: d.id === face.selected }, d.name)),
    ),
  );
}

function digitsBlock(): HTMLElement | null {
  const challenge = flow.face.challenge;
  if (!challenge) return null;
  const seconds = Math.round(recordingLimitMs(challenge.max_duration_ms, challenge.min_duration_ms) / 1000);
  return h(
    "div",
    { class: "rn-face-digits-block" },
    h("p", { class: "rn-face-digits-title" }, t("rn.face.digitsTitle")),
    h(
      "p",
      { class: "rn-face-digits", "data-testid": "rn-face-digits", "aria-label": t("rn.face.digitsLabel", { digits: challenge.digits.split("").join(" ") }) },
      challenge.digits.split("").map((d) => h("span", { class: "rn-face-digit" }, d)),
    ),
    flow.face.stage === "challenge" ? h("p", { class: "hint" }, t("rn.face.digitsHelp", { seconds })) : null,
  );
}

function cameraActions(): HTMLElement {
  const face = flow.face;
  const on = face.camera === "on";
  const ready = face.hint === "ready";
  switch (face.stage) {
    case "challenge": {
      const button = h(
        "button",
        { type: "button", id: "rn-face-record", class: "btn btn-primary", "data-testid": "rn-face-record", disabled: !on, on: { click: startCountdown } },
        icon("scanFace"),
        h("span", null, t("rn.face.record")),
      );
      return h("div", { class: "rn-face-actions" }, button);
    }
    case "countdown":
      return h("div", { class: "rn-face-actions" }, h("p", { id: "rn-face-countdown", class: "rn-face-status", role: "status", tabindex: -1, "data-testid": "rn-face-countdown" }, t("rn.face.countdown", { n: face.countdown })));
    case "recording": {
      const min = face.challenge?.min_duration_ms ?? 0;
      const finish = h(
        "button",
        {
          type: "button",
          id: "rn-face-finish",
          class: "btn btn-secondary",
          "data-testid": "rn-face-finish",
          disabled: face.finishing || face.elapsedMs < min,
          "aria-describedby": "rn-face-finish-hint",
          on: { click: finishEarly },
        },
        t(face.finishing ? "rn.face.finishing" : "rn.face.finish"),
      );
      return h(
        "div",
        { class: "rn-face-actions" },
        h("p", { id: "rn-face-recording-title", class: "rn-face-status rn-face-recording", role: "status", tabindex: -1, "data-testid": "rn-face-recording" }, h("span", { class: "rn-face-rec-dot", "aria-hidden": "true" }), t("rn.face.recording")),
        h("p", { id: "rn-face-finish-hint", class: "hint" }, t("rn.face.finishWait", { seconds: Math.ceil(min / 1000) })),
        finish,
      );
    }
    default: {
      const button = submitButton("rn-face-start", t("rn.face.start"), t("rn.face.starting"), face.challengeBusy, "button");
      button.disabled = face.challengeBusy || !on || !ready;
      button.setAttribute("aria-describedby", HINT_ID);
      button.addEventListener("click", () => void fetchChallenge());
      return h("div", { class: "rn-face-actions" }, ready || !on ? null : h("p", { class: "hint" }, t("rn.face.notReady")), button);
    }
  }
}

function renderCamera(): HTMLElement {
  const face = flow.face;
  if (face.camera === "error") return renderCameraError();
  const busy = face.stage === "countdown" || face.stage === "recording";
  return stepCard(
    "rn-face",
    t("rn.face.title"),
    busy ? null : backToMethods(),
    identitySummary(!busy),
    h("p", { class: "muted rn-intro" }, t("rn.face.intro")),
    cameraPicker(),
    h(
      "div",
      { class: "rn-face-layout", "data-testid": "rn-face-camera", "data-camera": face.camera },
      h("div", { class: "rn-face-stage" }, previewFrame(), hintLine()),
      h("div", { class: "rn-face-side" }, digitsBlock(), cameraActions()),
    ),
    face.camera === "stopped"
      ? h(
          "div",
          { class: "rn-panel", role: "status", "data-testid": "rn-face-paused" },
          icon("info", "icon rn-panel-icon"),
          h(
            "div",
            { class: "rn-panel-body" },
            h("p", null, t("rn.face.previewStopped")),
            h("button", { type: "button", class: "btn btn-secondary btn-small", "data-testid": "rn-face-restart", on: { click: () => void startCamera() } }, t("rn.face.restartCamera")),
          ),
        )
      : null,
    face.recordFailed
      ? h(
          "div",
          { class: "rn-panel rn-panel-warning", role: "alert", "data-testid": "rn-face-record-failed" },
          icon("alert", "icon rn-panel-icon"),
          h("div", { class: "rn-panel-body" }, h("p", null, t("rn.face.recordFailed"))),
        )
      : null,
    errorBox("rn-face-error", face.error),
    h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.face.privacy")),
  );
}

function renderReview(): HTMLElement {
  const face = flow.face;
  const recording = face.recording;
  const uploading = face.stage === "uploading";
  const seconds = recording ? (recording.duration_ms / 1000).toFixed(1) : "0";
  const submit_ = submitButton("rn-face-submit", t("rn.face.submit"), t("rn.face.submitting"), uploading, "button");
  submit_.disabled = uploading || recording === null;
  submit_.addEventListener("click", () => void submit());
  const failedUpload = !uploading && face.error !== null;
  return stepCard(
    "rn-face-review",
    t("rn.face.reviewTitle"),
    uploading ? null : backToMethods(),
    identitySummary(!uploading),
    recording ? h("p", { class: "muted rn-intro", "data-testid": "rn-face-review-body" }, t("rn.face.reviewBody", { seconds })) : null,
    recording
      ? h(
          "ol",
          { class: "rn-face-filmstrip", "data-testid": "rn-face-filmstrip" },
          recording.filmstrip.map((src, i) => h("li", null, h("img", { src, alt: t("rn.face.frameAlt", { n: i + 1 }), class: "rn-face-still" }))),
        )
      : null,
    uploading
      ? h(
          "div",
          { class: "rn-manual-progress", "data-testid": "rn-face-uploading" },
          h("progress", {
            id: "rn-face-progress",
            class: "rn-manual-progress-bar",
            "data-testid": "rn-face-progress",
            max: Math.max(1, face.progress?.total ?? 1),
            value: face.progress?.sent ?? 0,
            "aria-labelledby": "rn-face-progress-text",
            "aria-valuetext": `${percent()}%`,
          }),
          h("p", { id: "rn-face-progress-text", class: "rn-manual-progress-text", role: "status", tabindex: -1, "data-testid": "rn-face-progress-text" }, progressText()),
          h("p", { class: "hint" }, t("rn.face.progressResume")),
        )
      : null,
    errorBox("rn-face-error", face.error),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.face.privacy")),
      h(
        "div",
        { class: "rn-actions-end" },
        h(
          "button",
          { type: "button", id: "rn-face-rerecord", class: "btn btn-secondary", "data-testid": "rn-face-rerecord", disabled: uploading, on: { click: reRecord } },
          icon("refresh"),
          h("span", null, t("rn.face.reRecord")),
        ),
        failedUpload && recording
          ? h(
              "button",
              { type: "button", id: "rn-face-retry", class: "btn btn-primary", "data-testid": "rn-face-retry", on: { click: () => void submit() } },
              t("rn.face.tryAgain"),
            )
          : recording
            ? submit_
            : null,
      ),
    ),
  );
}

export function renderFace(): HTMLElement {
  const face = flow.face;
  if (face.stage === "consent") return renderConsent();
  if (face.stage !== "uploading" && expiredNow()) {
    void stopCamera();
    return stepCard("rn-face", t("rn.face.title"), backToMethods(), identitySummary(), expiredPanel());
  }
  if (face.stage === "review" || face.stage === "uploading") return renderReview();
  return renderCamera();
}

/** The failure page's list for a face attempt: each reason with its next step. */
export function livenessReasons(reasons: readonly string[] | undefined): HTMLElement | null {
  if (!reasons || reasons.length === 0) return null;
  return h(
    "div",
    { class: "rn-panel rn-face-reasons", "data-testid": "rn-face-reasons" },
    h("p", { class: "rn-panel-title" }, t("rn.face.reasonsTitle")),
    h(
      "ul",
      null,
      reasons.map((reason) => h("li", { "data-testid": "rn-face-reason", "data-reason": reason }, livenessText(reason))),
    ),
  );
}
