// Manual review (rn-manual, 人工审核认证): the front of the document and a photo holding it, each
// picked from a file, checked and cleaned by the Rust side (`prepare_id_photo`: orientation
// applied, location and all other metadata stripped; too large, too small, too dark, blurry,
// HEIC... refused with a reason) and previewed; then `upload_manual_review` uploads both with a
// progress bar (resuming after network drops) and submits them. The pending page
// (rn-manual-pending) shows the expected time and how long the user has waited, and turns into
// the success or failure page when `manual_review_decided` arrives (the Rust side also shows a
// desktop notification). While 审核中 the real-name entry opens the pending page
// (`manual_review_status`).
import { manualApi, onManualReviewDecided } from "../../api";
import { h } from "../../dom";
import { errorText, logError } from "../../errors";
import { formatDateTime, t } from "../../i18n";
import { icon } from "../../icons";
import { navigate } from "../../router";
import { refreshProfile } from "../../session";
import { getState } from "../../state";
import type {
  ApiError,
  FailureReason,
  Known,
  ManualPhotoKind,
  ManualReviewStatus,
  PhotoError,
  UploadProgress,
  VerificationResult,
} from "../../types";
import { invalidateHistory } from "../center";
import { backToMethods, errorBox, expiredPanel, identitySummary, stepCard, submitButton } from "./common";
import { expiredNow, flow, focusLater, go, handleMethodError, handleSessionError, rerender, type ManualPhoto, type Step } from "./flow";

/** The largest file accepted (the Rust side checks again): bigger ones are refused before
 * their bytes are read. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const KINDS: readonly ManualPhotoKind[] = ["id_front", "holding_id"];
/** data-testid part of each photo: rn-manual-front-input, rn-manual-holding-preview, ... */
const SLOT: Record<ManualPhotoKind, string> = { id_front: "front", holding_id: "holding" };
/** How often the pending page's "已等待 N 分钟" is brought up to date. */
const WAIT_TICK_MS = 15_000;

function isKind(value: unknown): value is ManualPhotoKind {
  return (KINDS as readonly unknown[]).includes(value);
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** The plain reason a photo was refused. */
export function photoErrorText(error: Known<PhotoError>): string {
  const e = error as PhotoError;
  switch (e.kind) {
    case "empty":
    case "too_large":
    case "not_an_image":
    case "corrupt":
    case "too_dark":
    case "too_blurry":
      return t(`rn.photo.${e.kind}`);
    case "unsupported_format": {
      const format = String(e.format ?? "").toLowerCase();
      if (format === "heic" || format === "heif") return t("rn.photo.heic");
      return t("rn.photo.unsupported_format", { format: format.toUpperCase() || "?" });
    }
    case "too_many_pixels":
    case "too_big":
    case "too_small":
      return t(`rn.photo.${e.kind}`, { width: num(e.width), height: num(e.height) });
    default:
      return t("rn.photo.generic");
  }
}

/** A photo's error: the reason when it was refused, else the command's error text. */
function photoErrorMessage(error: ApiError): string {
  const reason = error.details?.error;
  if (error.code === "invalid_photo" && typeof reason === "object" && reason !== null && "kind" in reason) {
    return photoErrorText(reason as Known<PhotoError>);
  }
  return errorText(error);
}

function localRefusal(kind: ManualPhotoKind, reason: PhotoError): ApiError {
  return { code: "invalid_photo", message: `${kind}: ${reason.kind} (checked before reading)`, details: { photo_kind: kind, error: reason } };
}

function bothReady(): boolean {
  return KINDS.every((kind) => flow.manual.photos[kind].preview !== null);
}

async function pickPhoto(kind: ManualPhotoKind, file: File | undefined): Promise<void> {
  const manual = flow.manual;
  const photo = manual.photos[kind];
  if (!file || photo.busy || manual.uploading) return;
  photo.error = null;
  manual.error = null;
  if (file.size > MAX_PHOTO_BYTES) {
    photo.preview = null;
    photo.error = localRefusal(kind, { kind: "too_large", bytes: file.size, max: MAX_PHOTO_BYTES });
    rerender();
    return;
  }
  photo.busy = true;
  rerender();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const preview = await manualApi.prepareIdPhoto(kind, bytes);
    if (flow.manual !== manual) return;
    photo.preview = preview;
  } catch (error) {
    const apiError = error as ApiError;
    logError("prepare_id_photo", apiError);
    if (flow.manual !== manual) return;
    photo.busy = false;
    if (handleSessionError(apiError)) return;
    photo.preview = null;
    photo.error = apiError;
  }
  photo.busy = false;
  rerender();
}

function percent(progress: UploadProgress | null): number {
  if (!progress || progress.overall_total <= 0) return 0;
  return Math.min(100, Math.floor((progress.overall_sent * 100) / progress.overall_total));
}

/** Updates the bar in place (no re-render per chunk). */
function paintProgress(progress: UploadProgress): void {
  const bar = document.getElementById("rn-manual-progress");
  if (bar instanceof HTMLProgressElement) {
    bar.max = Math.max(1, progress.overall_total);
    bar.value = progress.overall_sent;
    bar.setAttribute("aria-valuetext", `${percent(progress)}%`);
  }
  const text = document.getElementById("rn-manual-progress-text");
  if (text) text.textContent = t("rn.manual.progress", { percent: percent(progress) });
}

async function submit(): Promise<void> {
  const manual = flow.manual;
  if (manual.uploading || !bothReady()) return;
  const accepted = flow.accepted;
  if (!accepted || expiredNow()) {
    rerender();
    return;
  }
  manual.uploading = true;
  manual.error = null;
  manual.progress = null;
  rerender();
  focusLater("rn-manual-progress-text");
  try {
    const status = await manualApi.uploadManualReview({ verification_id: accepted.verification_id }, (progress) => {
      if (flow.manual !== manual) return;
      manual.progress = progress;
      paintProgress(progress);
    });
    manual.uploading = false;
    if (flow.manual !== manual) return;
    // The Rust side forgot the photos once they were submitted.
    for (const kind of KINDS) manual.photos[kind] = { preview: null, busy: false, error: null };
    manual.progress = null;
    invalidateHistory();
    void refreshProfile(); // the personal center shows 审核中
    applyReview(status);
  } catch (error) {
    const apiError = error as ApiError;
    logError("upload_manual_review", apiError);
    manual.uploading = false;
    if (flow.manual !== manual) return;
    if (handleMethodError("manual_review", apiError)) {
      rerender();
      return;
    }
    const kind = apiError.details?.photo_kind;
    if (apiError.code === "invalid_photo" && isKind(kind)) {
      // The platform refused this photo: another one must be picked.
      manual.photos[kind] = { preview: null, busy: false, error: apiError };
      rerender();
      focusLater(`rn-manual-${SLOT[kind]}-input`);
      return;
    }
    manual.error = apiError;
    rerender();
    focusLater("rn-manual-submit");
  }
}

// ---- the review's status ----------------------------------------------------------------------

function reviewReason(code: string | undefined): FailureReason {
  switch (code) {
    case "photo_unclear":
    case "document_mismatch":
    case "not_holding_document":
    case "document_expired":
      return code;
    default:
      return "review_rejected";
  }
}

/** Shows a review: the pending page, or the success / failure page once decided. */
export function applyReview(status: ManualReviewStatus | null): void {
  const manual = flow.manual;
  manual.review = status;
  manual.statusLoaded = true;
  if (status === null) {
    rerender();
    return;
  }
  if (status.status === "pending") {
    go("manual_review");
    return;
  }
  const result: VerificationResult =
    status.status === "approved" ? { outcome: "success" } : { outcome: "failure", reason_code: reviewReason(status.reason_code) };
  const note = status.status === "rejected" ? status.reason_text?.trim() : undefined;
  flow.result = note ? { method: "manual_review", result, reviewerNote: note } : { method: "manual_review", result };
  invalidateHistory();
  void refreshProfile();
  if (status.status === "approved") {
    go("success");
  } else {
    flow.failures += 1;
    go("failure");
  }
}

function profilePending(): boolean {
  const session = getState().session;
  return session.status === "signed_in" && session.profile.real_name_status === "pending_review";
}

async function loadReview(): Promise<void> {
  const manual = flow.manual;
  if (manual.statusLoading) return;
  manual.statusLoading = true;
  manual.error = null;
  try {
    const status = await manualApi.manualReviewStatus();
    if (flow.manual !== manual) return;
    manual.statusLoading = false;
    applyReview(status);
  } catch (error) {
    const apiError = error as ApiError;
    logError("manual_review_status", apiError);
    if (flow.manual !== manual) return;
    manual.statusLoading = false;
    manual.statusLoaded = true;
    if (handleSessionError(apiError)) return;
    manual.error = apiError;
    rerender();
  }
}

/** The step a manual review forces, if any: its pending page while 审核中 (also when the user
 * comes from the personal center), or its result page once decided. */
export function reviewStep(): Step | null {
  const manual = flow.manual;
  if (manual.review?.status === "pending") return "manual_review";
  if (manual.review !== null) {
    const onResult = (flow.step === "success" || flow.step === "failure") && flow.result?.method === "manual_review";
    return onResult ? flow.step : null;
  }
  if (manual.statusLoading) return "manual_review";
  if (profilePending()) {
    if (!manual.statusLoaded) queueMicrotask(() => void loadReview());
    return "manual_review";
  }
  return null;
}

let listening = false;

/** Listens once for decisions (from the app's start): a decision while the user is elsewhere
 * still updates the personal center, and the real-name page shows the result. */
export function listenForReviewDecisions(): void {
  if (listening) return;
  listening = true;
  void onManualReviewDecided((status) => {
    const manual = flow.manual;
    const watching = manual.review?.status === "pending" || flow.step === "manual_review";
    if (watching && (manual.review === null || manual.review.review_id === status.review_id)) {
      applyReview(status);
      return;
    }
    invalidateHistory();
    void refreshProfile();
  }).catch((error: ApiError) => {
    listening = false;
    logError("listen manual_review_decided", error);
  });
}

// ---- pages ------------------------------------------------------------------------------------

function photoSlot(kind: ManualPhotoKind): HTMLElement {
  const manual = flow.manual;
  const photo: ManualPhoto = manual.photos[kind];
  const slot = SLOT[kind];
  const inputId = `rn-manual-${slot}-input`;
  const errorId = `rn-manual-${slot}-error`;
  const title = t(`rn.manual.${kind}.title`);
  const state = photo.busy ? "checking" : photo.preview ? "ready" : photo.error ? "error" : "empty";
  const preview = photo.preview;
  return h(
    "div",
    { class: "rn-manual-slot", "data-testid": `rn-manual-${slot}`, "data-state": state },
    h("label", { for: inputId, class: "label rn-manual-slot-title" }, title),
    h("p", { id: `${inputId}-help`, class: "hint" }, t(`rn.manual.${kind}.hint`)),
    h(
      "div",
      { class: "rn-manual-frame" },
      preview
        ? h("img", {
            class: "rn-manual-preview",
            src: preview.preview,
            alt: t("rn.manual.previewAlt", { title }),
            "data-testid": `rn-manual-${slot}-preview`,
            "data-width": preview.width,
            "data-height": preview.height,
          })
        : h("div", { class: "rn-manual-placeholder", "aria-hidden": "true" }, icon(kind === "id_front" ? "idCard" : "user")),
    ),
    photo.busy
      ? h("p", { class: "hint rn-manual-status", role: "status" }, h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }), t("rn.manual.checking"))
      : preview
        ? h(
            "p",
            { class: "hint rn-manual-status rn-manual-ready", "data-testid": `rn-manual-${slot}-ready` },
            icon("checkCircle", "icon icon-small"),
            t("rn.manual.ready", { width: preview.width, height: preview.height }),
          )
        : null,
    h("input", {
      type: "file",
      id: inputId,
      name: inputId,
      class: "input rn-manual-input",
      accept: "image/jpeg,image/png",
      "data-testid": inputId,
      disabled: photo.busy || manual.uploading,
      "aria-invalid": photo.error ? "true" : null,
      "aria-describedby": photo.error ? `${inputId}-help ${errorId}` : `${inputId}-help`,
      on: { change: (event) => void pickPhoto(kind, (event.target as HTMLInputElement).files?.[0]) },
    }),
    h("p", { id: errorId, class: "field-error", role: "alert", "data-testid": errorId }, photo.error ? photoErrorMessage(photo.error) : ""),
  );
}

function progressBlock(): HTMLElement | null {
  const manual = flow.manual;
  if (!manual.uploading) return null;
  const progress = manual.progress;
  return h(
    "div",
    { class: "rn-manual-progress", "data-testid": "rn-manual-uploading" },
    h("progress", {
      id: "rn-manual-progress",
      class: "rn-manual-progress-bar",
      "data-testid": "rn-manual-progress",
      max: Math.max(1, progress?.overall_total ?? 1),
      value: progress?.overall_sent ?? 0,
      "aria-labelledby": "rn-manual-progress-text",
      "aria-valuetext": `${percent(progress)}%`,
    }),
    h(
      "p",
      { id: "rn-manual-progress-text", class: "rn-manual-progress-text", role: "status", tabindex: -1, "data-testid": "rn-manual-progress-text" },
      t("rn.manual.progress", { percent: percent(progress) }),
    ),
    h("p", { class: "hint" }, t("rn.manual.progressResume")),
  );
}

function renderForm(): HTMLElement {
  const manual = flow.manual;
  const ready = bothReady();
  const busy = KINDS.some((kind) => manual.photos[kind].busy);
  const button = submitButton("rn-manual-submit", t("rn.manual.submit"), t("rn.manual.submitting"), manual.uploading, "button");
  button.disabled = manual.uploading || busy || !ready;
  button.setAttribute("aria-describedby", "rn-manual-submit-hint");
  button.addEventListener("click", () => void submit());
  return stepCard(
    "rn-manual",
    t("rn.manual.title"),
    manual.uploading ? null : backToMethods(),
    identitySummary(!manual.uploading),
    h("p", { class: "muted rn-intro", "data-testid": "rn-manual-intro" }, t("rn.manual.intro")),
    h("p", { class: "hint" }, t("rn.manual.requirements")),
    h("div", { class: "rn-manual-slots", "data-testid": "rn-manual-form", "aria-busy": String(manual.uploading || busy) }, KINDS.map(photoSlot)),
    progressBlock(),
    errorBox("rn-manual-error", manual.error),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.manual.privacy")),
      h(
        "div",
        { class: "rn-actions-end" },
        h("p", { id: "rn-manual-submit-hint", class: "hint", hidden: ready || manual.uploading }, t("rn.manual.needBoth")),
        button,
      ),
    ),
  );
}

let waitTimer: number | null = null;

function waitedText(submittedAt: number): string {
  const minutes = Math.floor((Date.now() / 1000 - submittedAt) / 60);
  return minutes < 1 ? t("rn.manual.pending.justNow") : t("rn.manual.pending.waited", { n: minutes });
}

function overdue(review: ManualReviewStatus): boolean {
  return Date.now() / 1000 - review.submitted_at > review.expected_minutes_max * 60;
}

/** Keeps "已等待 N 分钟" current while the pending page is on screen. */
function startWaitTimer(): void {
  if (waitTimer !== null) return;
  waitTimer = window.setInterval(() => {
    const el = document.getElementById("rn-manual-waited");
    const review = flow.manual.review;
    if (!el || review?.status !== "pending") {
      if (waitTimer !== null) window.clearInterval(waitTimer);
      waitTimer = null;
      return;
    }
    el.textContent = waitedText(review.submitted_at);
    const note = document.getElementById("rn-manual-overdue");
    if (note) note.hidden = !overdue(review);
  }, WAIT_TICK_MS);
}

function toCenterButton(): HTMLElement {
  return h(
    "button",
    { type: "button", class: "btn btn-secondary", "data-testid": "rn-manual-to-center", on: { click: () => navigate("center") } },
    icon("arrowLeft"),
    h("span", null, t("rn.manual.pending.toCenter")),
  );
}

function renderPending(review: ManualReviewStatus): HTMLElement {
  queueMicrotask(startWaitTimer);
  const range = { min: review.expected_minutes_min, max: review.expected_minutes_max };
  return h(
    "section",
    {
      class: "card rn-step rn-result rn-manual-pending",
      "data-testid": "rn-manual-pending",
      "data-rn-step": true,
      "data-review-id": review.review_id,
      "aria-labelledby": "rn-manual-pending-title",
    },
    h("div", { class: "rn-result-icon rn-result-icon-pending" }, icon("clock")),
    h("h2", { id: "rn-manual-pending-title", class: "rn-step-title rn-result-title", tabindex: -1 }, t("rn.manual.pending.title")),
    h("p", { class: "muted", "data-testid": "rn-manual-expected" }, t("rn.manual.pending.body", range)),
    h(
      "dl",
      { class: "facts rn-result-facts" },
      h(
        "div",
        null,
        h("dt", null, t("rn.manual.pending.submittedAt")),
        h("dd", { "data-testid": "rn-manual-submitted-at" }, formatDateTime(review.submitted_at)),
      ),
      h("div", null, h("dt", null, t("rn.manual.pending.expected")), h("dd", null, t("rn.manual.pending.expectedValue", range))),
      h(
        "div",
        null,
        h("dt", null, t("rn.manual.pending.waitedLabel")),
        h("dd", { id: "rn-manual-waited", "data-testid": "rn-manual-waited", "aria-live": "off" }, waitedText(review.submitted_at)),
      ),
    ),
    h("p", { id: "rn-manual-overdue", class: "hint", "data-testid": "rn-manual-overdue", hidden: !overdue(review) }, t("rn.manual.pending.overdue")),
    h("p", { class: "hint rn-manual-notify" }, icon("info", "icon icon-small"), t("rn.manual.pending.notify")),
    h("div", { class: "rn-result-actions" }, toCenterButton()),
  );
}

/** The entry while 审核中: the status is being asked for, could not be, or there is none. */
function renderPendingLookup(): HTMLElement {
  const manual = flow.manual;
  const loading = manual.statusLoading || (!manual.statusLoaded && manual.error === null);
  return stepCard(
    "rn-manual-lookup",
    t("rn.manual.pending.title"),
    loading
      ? h("p", { class: "muted", role: "status", "data-testid": "rn-manual-loading" }, h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }), t("rn.manual.pending.loading"))
      : manual.error
        ? errorBox("rn-manual-error", manual.error)
        : h("p", { class: "muted", "data-testid": "rn-manual-none" }, t("rn.manual.pending.none")),
    h(
      "div",
      { class: "rn-actions" },
      toCenterButton(),
      manual.error
        ? h(
            "button",
            { type: "button", class: "btn btn-primary", "data-testid": "rn-manual-retry", on: { click: () => void loadReview() } },
            icon("refresh"),
            h("span", null, t("center.refresh")),
          )
        : null,
    ),
  );
}

export function renderManual(): HTMLElement {
  const manual = flow.manual;
  if (manual.review?.status === "pending") return renderPending(manual.review);
  if (manual.statusLoading || (manual.review === null && profilePending())) return renderPendingLookup();
  if (!manual.uploading && expiredNow()) {
    return stepCard("rn-manual", t("rn.manual.title"), backToMethods(), identitySummary(), expiredPanel());
  }
  return renderForm();
}
