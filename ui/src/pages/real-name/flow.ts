// The real-name flow's state, kept in memory for the signed-in user: what was typed in each step,
// the accepted submission (verification id), failures so far and the step shown. Pages render
// from it, so a re-render (language switch, profile refresh) loses nothing, and "modify" and
// "other methods" find every field as the user left it.
//
// Pages change it and call `rerender()` (the router re-renders the page and keeps focus on the
// element with the same data-testid) or `go(step)` (a new step: focus moves to its heading or
// its first field).
import { api } from "../../api";
import { focusQuietly } from "../../dom";
import { endsSession, isDailyBudgetSpent, isVerificationExpired, logError, retryAfterSecs } from "../../errors";
import { endSession, refreshProfile } from "../../session";
import { getState, update } from "../../state";
import type {
  ApiError,
  CameraDevice,
  DocumentType,
  FaceChallenge,
  FaceUploadProgress,
  FieldError,
  IdentityAccepted,
  IdentityCheck,
  IdentityInput,
  Known,
  ManualPhotoKind,
  ManualReviewStatus,
  MethodInputCheck,
  PhotoPreview,
  MethodUnavailable,
  RecordingSummary,
  SmsChallenge,
  VerificationMethod,
  UploadProgress,
  VerificationResult,
} from "../../types";
import { invalidateHistory } from "../center";

export type Step = "identity" | "methods" | VerificationMethod | "success" | "failure";

/** Failures in one flow after which manual review is suggested. */
export const SUGGEST_MANUAL_AFTER = 3;

/** A method-page input checked locally as the user types (`check_method_input`). */
export interface LiveField {
  value: string;
  /** Blurred once, or the form was submitted: errors show from then on. */
  touched: boolean;
  check: MethodInputCheck | null;
  /** The value `check` is for. */
  checkedValue: string | null;
  /** An `invalid_input` error from the platform for this value; gone once the value changes. */
  serverError: { value: string; error: Known<{ kind: string }> } | null;
}

export interface IdentityDraft {
  documentType: DocumentType;
  number: string;
  name: string;
  touched: { number: boolean; name: boolean };
  /** Submit was pressed: every error shows. */
  submitted: boolean;
  check: IdentityCheck | null;
  /** `identityKey()` of the input `check` is for. */
  checkedKey: string | null;
  /** The platform's field errors and the input they are about: each shows while its field
   * (and the document type) is unchanged. */
  serverErrors: { input: IdentityInput; errors: FieldError[] } | null;
  busy: boolean;
  error: ApiError | null;
}

export interface PhoneDraft {
  number: LiveField;
  code: LiveField;
  stage: "enter" | "code";
  busy: "send" | "resend" | "confirm" | null;
  error: ApiError | null;
  challenge: SmsChallenge | null;
  /** Epoch milliseconds. */
  resendAt: number;
  codeExpiresAt: number;
  /** `attempts_left` of the last wrong code, while the user retypes it. */
  wrong: number | null;
  /** The code can no longer be confirmed (expired, voided): only a new one helps. */
  codeDead: boolean;
  /** No more codes today for this number. */
  dailyLimit: boolean;
}

export interface AlipayDraft {
  /** `start_alipay` is pending: the authorization window is open (or opening). */
  waiting: boolean;
  /** The user asked to cancel: `close_alipay_window` was called, the answer is awaited. */
  cancelling: boolean;
  error: ApiError | null;
}

export interface ManualPhoto {
  /** The cleaned photo the Rust side keeps for the upload. */
  preview: PhotoPreview | null;
  /** `prepare_id_photo` is running. */
  busy: boolean;
  /** The photo was refused (`invalid_photo`), here or by the platform; or the check failed. */
  error: ApiError | null;
}

export interface ManualDraft {
  photos: Record<ManualPhotoKind, ManualPhoto>;
  uploading: boolean;
  progress: UploadProgress | null;
  error: ApiError | null;
  /** The user's latest review: pending (the pending page), or decided while in this flow. */
  review: ManualReviewStatus | null;
  /** `manual_review_status` was asked in this flow (the entry while 审核中). */
  statusLoaded: boolean;
  statusLoading: boolean;
}

/** Face recognition's stages: the face-data consent, the camera with its pre-flight hints, the
 * digits, the countdown, the recording, the review and the upload. */
export type FaceStage = "consent" | "camera" | "challenge" | "countdown" | "recording" | "review" | "uploading";

export interface FaceDraft {
  stage: FaceStage;
  /** The camera as the page knows it: opening, streaming, paused by the app, or refused. */
  camera: "off" | "opening" | "on" | "stopped" | "error";
  cameraError: ApiError | null;
  devices: CameraDevice[];
  selected: string | null;
  /** The latest framing hint (`ready`, `too_dark`, ...). */
  hint: string;
  challenge: FaceChallenge | null;
  /** Epoch milliseconds (this machine's clock) when `challenge` expires. */
  challengeExpiresAt: number;
  challengeBusy: boolean;
  /** 3, 2, 1 before the recording starts. */
  countdown: number;
  /** While recording: milliseconds recorded so far. */
  elapsedMs: number;
  /** `face_record_finish` was asked for: the recording is being finished. */
  finishing: boolean;
  /** The last recording did not finish (the camera stopped, or it came out too short). */
  recordFailed: boolean;
  recording: RecordingSummary | null;
  progress: FaceUploadProgress | null;
  error: ApiError | null;
}

export function freshFace(): FaceDraft {
  return {
    stage: "consent",
    camera: "off",
    cameraError: null,
    devices: [],
    selected: null,
    hint: "ready",
    challenge: null,
    challengeExpiresAt: 0,
    challengeBusy: false,
    countdown: 0,
    elapsedMs: 0,
    finishing: false,
    recordFailed: false,
    recording: null,
    progress: null,
    error: null,
  };
}

export interface Flow {
  userId: string | null;
  consent: "unknown" | "loading" | "required" | "accepted" | "error";
  consentVersion: string | null;
  consentError: ApiError | null;
  consentBusy: boolean;
  step: Step;
  identity: IdentityDraft;
  accepted: IdentityAccepted | null;
  /** Epoch milliseconds when `accepted` expires. */
  expiresAt: number | null;
  /** The submission expired (locally or per the platform): step 1 must be submitted again. */
  expired: boolean;
  /** Failed attempts in this flow (any method). */
  failures: number;
  /** Methods this flow used up today, with the epoch milliseconds they come back (if known). */
  usedUp: Map<VerificationMethod, number | null>;
  /** `reviewerNote`: a manual reviewer's own words on a rejection. */
  result: { method: VerificationMethod; result: VerificationResult; reviewerNote?: string } | null;
  bank: { card: LiveField; phone: LiveField; busy: boolean; error: ApiError | null };
  phone: PhoneDraft;
  /** Replaced (not reset) for a new submission, so a late answer for the old one is recognised. */
  alipay: AlipayDraft;
  manual: ManualDraft;
  /** Replaced (not reset) each time the method is entered, so late answers are recognised. */
  face: FaceDraft;
}

export function liveField(value = ""): LiveField {
  return { value, touched: false, check: null, checkedValue: null, serverError: null };
}

function freshPhone(number = ""): PhoneDraft {
  return {
    number: liveField(number),
    code: liveField(),
    stage: "enter",
    busy: null,
    error: null,
    challenge: null,
    resendAt: 0,
    codeExpiresAt: 0,
    wrong: null,
    codeDead: false,
    dailyLimit: false,
  };
}

export function freshAlipay(): AlipayDraft {
  return { waiting: false, cancelling: false, error: null };
}

export function freshManual(): ManualDraft {
  const photo = (): ManualPhoto => ({ preview: null, busy: false, error: null });
  return {
    photos: { id_front: photo(), holding_id: photo() },
    uploading: false,
    progress: null,
    error: null,
    review: null,
    statusLoaded: false,
    statusLoading: false,
  };
}

function freshFlow(userId: string | null): Flow {
  return {
    userId,
    consent: "unknown",
    consentVersion: null,
    consentError: null,
    consentBusy: false,
    step: "identity",
    identity: {
      documentType: "id_card",
      number: "",
      name: "",
      touched: { number: false, name: false },
      submitted: false,
      check: null,
      checkedKey: null,
      serverErrors: null,
      busy: false,
      error: null,
    },
    accepted: null,
    expiresAt: null,
    expired: false,
    failures: 0,
    usedUp: new Map(),
    result: null,
    bank: { card: liveField(), phone: liveField(), busy: false, error: null },
    phone: freshPhone(),
    alipay: freshAlipay(),
    manual: freshManual(),
    face: freshFace(),
  };
}

export let flow: Flow = freshFlow(null);

/** A different user signed in: nothing of the previous user's flow may show. */
export function syncUser(): void {
  const session = getState().session;
  const userId = session.status === "signed_in" ? session.profile.user_id : null;
  if (userId !== flow.userId) flow = freshFlow(userId);
}

export function rerender(): void {
  update({});
}

/** Shows `step`, then moves focus to its first field (`data-autofocus`) or its heading. */
export function go(step: Step): void {
  flow.step = step;
  rerender();
  window.setTimeout(() => {
    const root = document.querySelector<HTMLElement>("[data-rn-step]");
    if (!root) return;
    window.scrollTo(0, 0);
    focusQuietly(root.querySelector<HTMLElement>("[data-autofocus]") ?? root.querySelector<HTMLElement>(".rn-step-title"));
  }, 0);
}

/** Moves focus to the element with this id once the page has re-rendered; to the step's
 * heading when that element is missing or disabled (e.g. a resend button still counting down). */
export function focusLater(id: string, select = false): void {
  window.setTimeout(() => {
    const el = document.getElementById(id);
    const usable = el !== null && !(el as HTMLButtonElement | HTMLInputElement).disabled;
    focusQuietly(usable ? el : document.querySelector<HTMLElement>("[data-rn-step] .rn-step-title"));
    if (usable && select && el instanceof HTMLInputElement) el.select();
  }, 0);
}

export function identityInput(): IdentityInput {
  const d = flow.identity;
  return { document_type: d.documentType, number: d.number, name: d.name };
}

export function identityKey(input: IdentityInput = identityInput()): string {
  return `${input.document_type}\u0000${input.number}\u0000${input.name}`;
}

// ---- consent ----------------------------------------------------------------------------------

/** After content replaced the focused element (e.g. the loading state), focus the step's
 * heading so that keyboard and screen-reader users are not left on the document body. */
function refocusIfLost(): void {
  window.setTimeout(() => {
    if (document.activeElement !== document.body && document.activeElement !== null) return;
    focusQuietly(document.querySelector<HTMLElement>("[data-rn-step] .rn-step-title"));
  }, 0);
}

export async function loadConsent(): Promise<void> {
  if (flow.consent === "loading") return;
  flow.consent = "loading";
  flow.consentError = null;
  const userId = flow.userId;
  try {
    const consent = await api.realNameConsent();
    if (flow.userId !== userId) return;
    flow.consentVersion = consent.version;
    flow.consent = consent.accepted ? "accepted" : "required";
  } catch (error) {
    if (flow.userId !== userId) return;
    const apiError = error as ApiError;
    logError("real_name_consent", apiError);
    if (handleSessionError(apiError)) return;
    flow.consent = "error";
    flow.consentError = apiError;
  }
  rerender();
  refocusIfLost();
}

export async function acceptConsent(): Promise<void> {
  if (flow.consentBusy) return;
  flow.consentBusy = true;
  flow.consentError = null;
  rerender();
  try {
    await api.acceptRealNameConsent();
    flow.consentBusy = false;
    flow.consent = "accepted";
    go("identity");
  } catch (error) {
    const apiError = error as ApiError;
    logError("accept_real_name_consent", apiError);
    flow.consentBusy = false;
    if (handleSessionError(apiError)) return;
    flow.consentError = apiError;
    rerender();
  }
}

// ---- transitions shared by the steps ----------------------------------------------------------

/** Errors that end the session send the user to sign in; true when handled so. */
export function handleSessionError(error: ApiError): boolean {
  if (!endsSession(error)) return false;
  endSession(error.code === "refresh_token_reused" ? "refresh_token_reused" : "session_expired");
  return true;
}

/** Step 1 was accepted: a new submission, whose methods the chooser shows. */
export function acceptIdentity(accepted: IdentityAccepted): void {
  flow.accepted = accepted;
  flow.expiresAt = Date.now() + accepted.expires_in * 1000;
  flow.expired = false;
  flow.result = null;
  flow.usedUp.clear();
  // A new submission: earlier method errors and SMS codes belong to the old one.
  flow.bank.busy = false;
  flow.bank.error = null;
  flow.phone = freshPhone(flow.phone.number.value);
  flow.alipay = freshAlipay();
  flow.face = freshFace();
  // The prepared photos stay (they are the same person's); errors of the old submission go.
  flow.manual.error = null;
  flow.manual.progress = null;
  go("methods");
}

/** The submission is past its lifetime (the platform will refuse it). */
export function expiredNow(): boolean {
  if (flow.expired) return true;
  if (flow.accepted === null || (flow.expiresAt !== null && Date.now() >= flow.expiresAt)) {
    flow.expired = flow.accepted !== null;
    return true;
  }
  return false;
}

/** Back to step 1 with every field kept. */
export function editIdentity(): void {
  flow.identity.busy = false;
  flow.identity.error = null;
  go("identity");
}

/** A method answered: the success or failure page. */
export function finishAttempt(method: VerificationMethod, result: VerificationResult): void {
  invalidateHistory();
  flow.result = { method, result };
  if (result.outcome === "success") {
    void refreshProfile(); // the personal center shows 已实名认证 from now on
    go("success");
    return;
  }
  flow.failures += 1;
  if (result.attempts_left === 0) flow.usedUp.set(method, null);
  go("failure");
}

/** A failed attempt the platform recorded although the command answered an error (an SMS
 * code voided by wrong tries, or expired): it counts like a failure page. */
export function recordedFailure(method: VerificationMethod, attemptsLeft: number | null): void {
  invalidateHistory();
  flow.failures += 1;
  if (attemptsLeft === 0) flow.usedUp.set(method, null);
}

/**
 * Handles what every method command may answer: the session ended, the submission expired, or
 * the day's attempts are used up. Returns true when the page needs to show nothing more (the
 * session ended, or the page shows the expired panel); a spent budget is recorded and the page
 * shows the error.
 */
export function handleMethodError(method: VerificationMethod, error: ApiError): boolean {
  if (handleSessionError(error)) return true;
  if (error.code === "provider_timeout") invalidateHistory();
  if (isVerificationExpired(error)) {
    flow.expired = true;
    return true;
  }
  if (isDailyBudgetSpent(error)) {
    const secs = retryAfterSecs(error);
    flow.usedUp.set(method, secs === null ? null : Date.now() + secs * 1000);
  }
  return false;
}

/** The chooser's reason for a method, with what this flow learned since (budget used up). */
export function methodReason(method: VerificationMethod): Known<MethodUnavailable> | undefined | "available" {
  const option = flow.accepted?.methods.find((m) => m.method === method);
  if (option && !option.available) return option.reason ?? { kind: "unknown" };
  if (flow.usedUp.has(method)) {
    const until = flow.usedUp.get(method) ?? null;
    const secs = until === null ? 0 : Math.ceil((until - Date.now()) / 1000);
    if (until === null || secs > 0) {
      return { kind: "daily_attempts_used_up", scope: "user_and_method", retry_after_secs: Math.max(0, secs) };
    }
  }
  return option ? "available" : { kind: "not_offered" };
}

/** Leaves the flow after success: the next visit starts afresh (consent stays accepted). */
export function resetAfterSuccess(): void {
  const consent = flow.consent;
  const version = flow.consentVersion;
  flow = freshFlow(flow.userId);
  flow.consent = consent;
  flow.consentVersion = version;
}
