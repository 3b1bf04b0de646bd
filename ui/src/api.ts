// Every Tauri command and event the UI uses, typed. Nothing else in the UI calls `invoke` or
// `listen`, and nothing here talks to the network: the Rust side does.
//
// Outside Tauri (a plain browser, for looking at pages during development) the calls go to an
// in-memory fake instead. It is a separate chunk loaded by dynamic import, so inside the app it is
// never fetched or run.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toApiError } from "./errors";
import type {
  AlipayVerification,
  AppInfo,
  AttemptHistory,
  BankCardVerification,
  CameraList,
  CameraSource,
  FaceChallenge,
  FaceUploadProgress,
  PreviewStatus,
  RecordingSummary,
  DiagnosticsExport,
  ConnectivityPayload,
  ConsentStatus,
  IdentityAccepted,
  IdentityCheck,
  IdentityInput,
  KioskState,
  Language,
  ManualPhotoKind,
  ManualReviewStatus,
  ManualReviewSubmission,
  MethodInput,
  MethodInputCheck,
  PhoneStart,
  PhoneVerification,
  PhotoPreview,
  SessionView,
  Settings,
  SignatureBoard,
  SignatureCleaning,
  SignatureDraft,
  SignatureDrawing,
  SignInRequest,
  SmsChallenge,
  SmsConfirmation,
  SmsResend,
  UploadProgress,
  UpdateStatus,
  DownloadProgress,
  VerificationResult,
} from "./types";

export interface Backend {
  invoke<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** A command taking raw bytes as its body (no JSON), with request headers. */
  invokeRaw<T>(command: string, body: Uint8Array, headers: Record<string, string>): Promise<T>;
  /** A channel to pass as a command argument; `handler` receives what the command sends on it. */
  channel<T>(handler: (message: T) => void): unknown;
  listen<T>(event: string, handler: (payload: T) => void): Promise<() => void>;
}

const tauriBackend: Backend = {
  invoke: (command, args) => invoke(command, args),
  invokeRaw: (command, body, headers) => invoke(command, body, { headers }),
  channel: <T>(handler: (message: T) => void) => {
    const channel = new Channel<T>();
    channel.onmessage = handler;
    return channel;
  },
  listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
};

/** True inside the Tauri webview; false in a plain browser, where the fake backend answers. */
export const inTauri = typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

let backendPromise: Promise<Backend> | null = null;

function backend(): Promise<Backend> {
  backendPromise ??= inTauri
    ? Promise.resolve(tauriBackend)
    : import("./fake-backend").then((fake) => fake.createFakeBackend());
  return backendPromise;
}

/** Calls a command; rejects with a normalised `ApiError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const b = await backend();
  try {
    return await b.invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  getSettings: () => call<Settings>("get_settings"),
  setLanguage: (language: Language) => call<null>("set_language", { language }),
  /** Writes a redacted diagnostics file (Downloads, else the app's data directory). */
  exportDiagnostics: () => call<DiagnosticsExport>("export_diagnostics"),
  restoreSession: () => call<SessionView>("restore_session"),
  signIn: (request: SignInRequest) => call<SessionView>("sign_in", { request }),
  refreshProfile: () => call<SessionView>("refresh_profile"),
  signOut: () => call<null>("sign_out"),

  // Real-name authentication. The checks are local (no network); the rest go to the platform.
  realNameConsent: () => call<ConsentStatus>("real_name_consent"),
  acceptRealNameConsent: () => call<null>("accept_real_name_consent"),
  checkIdentity: (input: IdentityInput) => call<IdentityCheck>("check_identity", { input }),
  submitIdentity: (input: IdentityInput) => call<IdentityAccepted>("submit_identity", { input }),
  checkMethodInput: (input: MethodInput) => call<MethodInputCheck>("check_method_input", { input }),
  verifyBankCard: (request: BankCardVerification) => call<VerificationResult>("verify_bank_card", { request }),
  startPhoneVerification: (request: PhoneVerification) => call<PhoneStart>("start_phone_verification", { request }),
  resendSmsCode: (request: SmsResend) => call<SmsChallenge>("resend_sms_code", { request }),
  confirmSmsCode: (request: SmsConfirmation) => call<VerificationResult>("confirm_sms_code", { request }),
  /** Opens the Alipay authorization window; resolves only once the session is decided (the user
   * agreed, cancelled or closed the window, or time ran out). */
  startAlipay: (request: AlipayVerification) => call<VerificationResult>("start_alipay", { request }),
  /** Closes the authorization window: a pending `startAlipay` resolves with `window_closed`. */
  closeAlipayWindow: () => call<null>("close_alipay_window"),
  attemptHistory: () => call<AttemptHistory>("attempt_history"),
};

export const kioskApi = {
  /** Whether this run is a kiosk, with its idle timeout and countdown. */
  state: () => call<KioskState>("kiosk_state"),
  /** Tells the Rust side the user is there (its backstop of the idle sign-out). */
  activity: () => call<null>("kiosk_activity"),
  /** One sync pass now; how many signatures still have changes waiting (lost at sign-out). */
  unsyncedChanges: () => call<number>("kiosk_unsynced_changes"),
  /** Checks the administrator PIN in Rust; with the right one the session ends and the app
   * quits. Rejects with `invalid_credentials` (`details.attempts_left`), `rate_limited`
   * (`details.retry_after_secs`) or `forbidden` (`details.reason`: `no_admin_pin`). */
  adminExit: (pin: string) => call<null>("kiosk_admin_exit", { pin }),
};

/** Raw bytes to a command; rejects with a normalised `ApiError`. */
async function callRaw<T>(command: string, body: Uint8Array, headers: Record<string, string>): Promise<T> {
  const b = await backend();
  try {
    return await b.invokeRaw<T>(command, body, headers);
  } catch (error) {
    throw toApiError(error);
  }
}

export const manualApi = {
  /** Checks and cleans a picked photo (the file's bytes); the Rust side keeps it in memory for
   * the upload and answers with a preview. Rejects with `invalid_photo` (`details.error`). */
  prepareIdPhoto: (kind: ManualPhotoKind, bytes: Uint8Array) =>
    callRaw<PhotoPreview>("prepare_id_photo", bytes, { "x-photo-kind": kind }),
  /** Uploads both prepared photos (resuming after network drops) and submits them for review. */
  uploadManualReview: async (request: ManualReviewSubmission, onProgress: (progress: UploadProgress) => void) => {
    const b = await backend();
    try {
      return await b.invoke<ManualReviewStatus>("upload_manual_review", { request, onProgress: b.channel(onProgress) });
    } catch (error) {
      throw toApiError(error);
    }
  },
  /** The latest manual review; null when there has been none. */
  manualReviewStatus: () => call<ManualReviewStatus | null>("manual_review_status"),
  /** Forgets the prepared photos. */
  discardManualPhotos: () => call<null>("discard_manual_photos"),
};

export const faceApi = {
  /** The machine's cameras and the one in use. Rejects with `camera_unavailable`
   * (`details.reason`: `no_camera`, `busy`, `permission_denied`, `failed`). */
  cameraList: () => call<CameraList>("camera_list"),
  /** Remembers the picked camera (this machine's setting). */
  cameraSelect: (id: string) => call<null>("camera_select", { id }),
  /** Opens the camera and streams the preview: each JPEG arrives on `onFrame` as bytes; the
   * next comes only after `previewAck` (newest frame wins). Rejects with `camera_unavailable`. */
  previewStart: async (onFrame: (jpeg: ArrayBuffer | Uint8Array | number[]) => void, onStatus: (status: PreviewStatus) => void) => {
    const b = await backend();
    try {
      return await b.invoke<CameraSource>("face_preview_start", { onFrame: b.channel(onFrame), onStatus: b.channel(onStatus) });
    } catch (error) {
      throw toApiError(error);
    }
  },
  previewAck: () => call<null>("face_preview_ack"),
  /** Stops the preview; resolves once the camera is released. */
  previewStop: () => call<null>("face_preview_stop"),
  /** The digits to read aloud, from the platform. */
  challenge: (request: FaceRequest) => call<FaceChallenge>("face_challenge", { request }),
  /** Records from the running preview until `max_ms` or `recordFinish`; the clip stays in the
   * app's memory. Resolves with what the review shows. */
  record: (request: { min_ms: number; max_ms: number }) => call<RecordingSummary>("face_record", { request }),
  recordFinish: () => call<null>("face_record_finish"),
  discardRecording: () => call<null>("face_discard_recording"),
  /** Uploads the recording (resuming after network drops) and submits it with the challenge. */
  uploadSubmit: async (request: FaceSubmission, onProgress: (progress: FaceUploadProgress) => void) => {
    const b = await backend();
    try {
      return await b.invoke<VerificationResult>("face_upload_submit", { request, onProgress: b.channel(onProgress) });
    } catch (error) {
      throw toApiError(error);
    }
  },
};

export interface FaceRequest {
  verification_id: string;
}

export interface FaceSubmission {
  verification_id: string;
  challenge_id: string;
}

export const signatureApi = {
  /** The user's signatures as this device knows them (cached, with what still has to sync). */
  list: () => call<SignatureBoard>("signatures_list"),
  /** Renders the strokes into the PNG that would be saved. Rejects with `invalid_signature`
   * (`details.reason`: empty, too_small, straight_line, dot, too_little_ink, ...). */
  renderDrawing: (drawing: SignatureDrawing) => call<SignatureDraft>("signature_render_drawing", { drawing }),
  /** Decodes, checks and cleans a picked image (the file's bytes). Rejects with
   * `invalid_signature` (`details.reason`: not_an_image, unsupported_format, too_large, ...). */
  loadPhoto: (fileName: string, bytes: Uint8Array) =>
    callRaw<SignatureDraft>("signature_load_photo", bytes, { "x-file-name": encodeURIComponent(fileName) }),
  /** Cleans a loaded photo again with another ink threshold or colour. */
  cleanPhoto: (cleaning: SignatureCleaning) => call<SignatureDraft>("signature_clean_photo", { ...cleaning }),
  /** Saves the draft as it was last previewed; queued when offline. */
  saveDraft: (draftId: string, name: string) => call<SignatureBoard>("signature_save_draft", { draftId, name }),
  discardDraft: (draftId: string) => call<null>("signature_discard_draft", { draftId }),
  rename: (id: string, name: string) => call<SignatureBoard>("signature_rename", { id, name }),
  setDefault: (id: string) => call<SignatureBoard>("signature_set_default", { id }),
  remove: (id: string) => call<SignatureBoard>("signature_delete", { id }),
  /** Tries to send the queued changes now. */
  syncNow: () => call<SignatureBoard>("signature_sync_now"),
};

/** `signatures-changed`: the signatures or their sync state changed (no payload): fetch again. */
export const updateApi = {
  status: () => call<UpdateStatus>("update_status"),
  /** Asks the platform whether a newer version exists. */
  check: () => call<UpdateStatus>("update_check"),
  /** Downloads the available update and verifies its signature; progress as it arrives. */
  download: async (onProgress: (progress: DownloadProgress) => void) => {
    const b = await backend();
    try {
      return await b.invoke<UpdateStatus>("update_download", { onProgress: b.channel(onProgress) });
    } catch (error) {
      throw toApiError(error);
    }
  },
  /** Installs the verified update; the app restarts into it. */
  install: () => call<null>("update_install"),
};

/** `update-status`: what the background update check found. */
export async function onUpdateStatus(handler: (status: UpdateStatus) => void): Promise<() => void> {
  return (await backend()).listen<UpdateStatus>("update-status", handler);
}

export async function onSignaturesChanged(handler: () => void): Promise<() => void> {
  return (await backend()).listen<unknown>("signatures-changed", () => handler());
}

/** `manual_review_decided`: a pending manual review was approved or rejected. */
export async function onManualReviewDecided(handler: (status: ManualReviewStatus) => void): Promise<() => void> {
  return (await backend()).listen<ManualReviewStatus>("manual_review_decided", handler);
}

/** `connectivity`: the Rust side lost or regained the platform. */
export async function onConnectivity(handler: (payload: ConnectivityPayload) => void): Promise<() => void> {
  return (await backend()).listen<ConnectivityPayload>("connectivity", handler);
}

/** `session_expired`: the session could not be renewed; the user must sign in again. */
export async function onSessionExpired(handler: () => void): Promise<() => void> {
  return (await backend()).listen<unknown>("session_expired", () => handler());
}
