// Wire types of the Tauri command contract. Field names match the Rust side (serde, snake_case);
// keep this file in step with `src-tauri/` when a command changes.

export type Language = "zh-CN" | "en";

export interface AppInfo {
  version: string;
  default_server_url: string;
}

/** Where `export_diagnostics` wrote its file. */
export interface DiagnosticsExport {
  path: string;
}

export interface Settings {
  language: Language;
  last_account: string | null;
  server_url: string;
}

export interface SignInRequest {
  account: string;
  password: string;
  server_url: string;
}

export type Role = "staff" | "reviewer";

export type RealNameStatus = "unverified" | "pending_review" | "verified" | "rejected";

export type DocumentType =
  | "id_card"
  | "passport"
  | "hk_macao_permit"
  | "taiwan_permit"
  | "residence_permit"
  | "foreign_permanent";

export interface MaskedIdentity {
  document_type: DocumentType;
  /** Already masked by the backend, e.g. `110***********002X`. */
  number: string;
  name: string;
}

export interface Profile {
  user_id: string;
  account: string;
  display_name: string;
  role: Role;
  real_name_status: RealNameStatus;
  identity: MaskedIdentity | null;
}

export interface SignedOut {
  status: "signed_out";
  keyring_available: boolean;
  reason: "session_expired" | null;
}

export interface SignedIn {
  status: "signed_in";
  keyring_available: boolean;
  offline: boolean;
  profile: Profile;
  /** Unix seconds of the cached profile when `offline` is true. */
  cached_at: number | null;
}

export type SessionView = SignedOut | SignedIn;

/** Every command rejects with this shape. `message` is for logs; the UI translates `code`. */
export interface ApiError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ConnectivityPayload {
  online: boolean;
}

// ---- Real-name authentication (实名认证) ------------------------------------------------------
// Errors and warnings of the domain crate serialise as `{"kind": "snake_case", ...fields}`. Kinds
// the UI does not know yet (the backend may add some) still type-check through the open member
// and are shown with a generic text.

/** `real_name_consent`: the consent the backend remembers per user and version. */
export interface ConsentStatus {
  version: string;
  accepted: boolean;
}

export type VerificationMethod = "bank_card" | "alipay" | "phone" | "face" | "manual_review";

export type CharacterClass = "digit" | "digit_or_x" | "letter" | "letter_or_digit";

/** A kind this UI does not know (yet): fields unknown, shown with a generic text. */
export interface UnknownKind {
  kind: string;
  [field: string]: unknown;
}

export type NumberError =
  | { kind: "empty" }
  | { kind: "invalid_character"; position: number; found: string; expected: CharacterClass }
  | { kind: "wrong_length"; expected: number[]; actual: number }
  | { kind: "length_out_of_range"; min: number; max: number; actual: number }
  | { kind: "wrong_prefix"; expected: string[]; found: string }
  | { kind: "unknown_region"; code: string }
  | { kind: "invalid_birth_date"; year: number; month: number; day: number }
  /** Dates as `YYYY-MM-DD`. */
  | { kind: "birth_date_in_future"; birth_date: string; today: string }
  | { kind: "birth_date_before_1900"; birth_date: string }
  | { kind: "wrong_check_character"; expected: string; found: string };

export type NameError =
  | { kind: "empty" }
  | { kind: "control_character"; position: number; code_point: number }
  | { kind: "digit"; position: number; found: string }
  | { kind: "latin_not_allowed"; position: number; found: string }
  | { kind: "invalid_character"; position: number; found: string }
  | { kind: "misplaced_separator"; position: number; found: string }
  | { kind: "too_short"; min: number; actual: number }
  | { kind: "too_long"; max: number; actual: number };

export type BankCardError =
  | { kind: "empty" }
  | { kind: "invalid_character"; position: number; found: string; expected: CharacterClass }
  | { kind: "length_out_of_range"; min: number; max: number; actual: number };

export type PhoneError =
  | { kind: "empty" }
  | { kind: "invalid_character"; position: number; found: string; expected: CharacterClass }
  | { kind: "wrong_length"; expected: number[]; actual: number }
  | { kind: "wrong_prefix"; expected: string[]; found: string };

export type SmsCodeError =
  | { kind: "empty" }
  | { kind: "invalid_character"; position: number; found: string; expected: CharacterClass }
  | { kind: "wrong_length"; expected: number[]; actual: number };

/** Input accepted with a visible hint. */
export type IdentityWarning =
  | { kind: "region_outside_mainland"; code: string }
  | { kind: "old_taiwan_permit_format" }
  | { kind: "luhn_failed" }
  | { kind: "virtual_operator"; prefix: string };

export type Known<T> = T | UnknownKind;

/** Step 1 as sent: `check_identity` and `submit_identity` take it as `{ input }`. */
export interface IdentityInput {
  document_type: DocumentType;
  number: string;
  name: string;
}

/** One field's error in step 1; `invalid_input` of `submit_identity` carries the same shape in
 * `details.errors`. */
export type FieldError =
  | { field: "number"; error: Known<NumberError> }
  | { field: "name"; error: Known<NameError> };

/** `check_identity`: the local check of step 1 (no network). */
export interface IdentityCheck {
  valid: boolean;
  errors: FieldError[];
  warnings: Known<IdentityWarning>[];
  /** The document type the number's shape suggests, if any. */
  inferred_type: DocumentType | null;
  /** A legacy 15-digit resident ID number converted to 18 characters. */
  converted_number: string | null;
}

export type AttemptBudget = "user_and_method" | "identity_number";

export type MethodUnavailable =
  | { kind: "document_requires_manual_review"; document_type: DocumentType }
  | { kind: "name_not_in_chinese_characters" }
  | { kind: "daily_attempts_used_up"; scope: AttemptBudget; retry_after_secs: number }
  /** Face recognition: this minute's attempts on the identity number are used up. */
  | { kind: "attempts_per_minute_used_up"; scope: AttemptBudget; retry_after_secs: number }
  | { kind: "not_offered" };

/** One method of the chooser. `reason` is present exactly when `available` is false. */
export interface MethodOption {
  method: VerificationMethod;
  available: boolean;
  reason?: Known<MethodUnavailable>;
}

/** `submit_identity` accepted step 1. */
export interface IdentityAccepted {
  verification_id: string;
  masked: MaskedIdentity;
  converted_from_legacy: boolean;
  warnings: Known<IdentityWarning>[];
  /** Seconds until the submission expires and step 1 must be repeated. */
  expires_in: number;
  methods: MethodOption[];
}

export type AttemptOutcome = "success" | "failure" | "provider_timeout";

/** `reason_code` of a failed attempt; the UI shows a plain next step for each, never the code. */
export type FailureReason =
  | "elements_mismatch"
  | "carrier_check_unsupported"
  | "sms_code_voided"
  | "sms_code_expired"
  /** Alipay quick authentication: the user pressed 取消 on the authorization page. */
  | "user_cancelled"
  /** Alipay: the authorization window was closed before deciding. */
  | "window_closed"
  /** Alipay: the authorization was not completed in time. */
  | "alipay_timeout"
  /** Alipay: the Alipay account declined the authorization. */
  | "alipay_declined"
  /** Manual review rejected: the reviewer's reason (`review_rejected`: another reason, in the
   * reviewer's own words). */
  | "photo_unclear"
  | "document_mismatch"
  | "not_holding_document"
  | "document_expired"
  | "review_rejected"
  /** Face recognition: the clip failed the liveness analysis; `reasons` says why. */
  | "liveness_failed"
  /** Face recognition: the face does not match the photo on record. */
  | "face_mismatch"
  | (string & {});

/** Face recognition: one problem of the clip (`reasons` of a failed attempt); the UI shows a
 * plain next step for each. */
export type LivenessReason =
  | "challenge_invalid"
  | "challenge_expired"
  | "challenge_used"
  | "clip_unreadable"
  | "clip_too_long"
  | "clip_too_large"
  | "duration_implausible"
  | "frame_timing_implausible"
  | "no_face"
  | "multiple_faces"
  | "face_too_small"
  | "too_dark"
  | "frozen_feed"
  | "looped_feed"
  | "no_mouth_movement"
  | "rigid_motion"
  | "face_mismatch"
  | (string & {});

export type MismatchedElement = "name" | "id_number" | "card_number" | "phone" | (string & {});

/** The answer of a method command. */
export interface VerificationResult {
  outcome: AttemptOutcome;
  reason_code?: FailureReason;
  mismatched_element?: MismatchedElement;
  /** Face recognition failures: every problem of the clip. */
  reasons?: LivenessReason[];
  /** Attempts of this method left today, after a failure. */
  attempts_left?: number;
  warnings?: Known<IdentityWarning>[];
}

/** The preview's framing hint. */
export type FaceHint = "ready" | "no_face" | "multiple_faces" | "too_far" | "too_close" | "too_dark" | "off_centre";

export type CameraErrorReason = "no_camera" | "busy" | "permission_denied" | "failed";

export interface CameraDevice {
  id: string;
  name: string;
}

export interface CameraList {
  devices: CameraDevice[];
  selected: string | null;
}

export interface CameraSource {
  name: string;
  width: number;
  height: number;
  format: string;
  fps: number;
}

/** Sent over `face_preview_start`'s status channel. */
export interface PreviewStatus {
  hint: FaceHint | (string & {});
  recording: { elapsed_ms: number; max_ms: number } | null;
  stopped: { kind: "idle" } | { kind: "camera"; error: { reason: string } } | null;
}

/** `face_challenge`: the digits to read aloud and the recording's bounds. */
export interface FaceChallenge {
  challenge_id: string;
  digits: string;
  /** Unix seconds. */
  expires_at: number;
  /** Seconds until `expires_at`, whatever this machine's clock says. */
  expires_in: number;
  min_duration_ms: number;
  max_duration_ms: number;
}

export interface RecordingSummary {
  duration_ms: number;
  frames: number;
  bytes: number;
  /** `data:image/jpeg;base64,...` URLs. */
  filmstrip: string[];
}

export interface FaceUploadProgress {
  sent: number;
  total: number;
}

/** `check_method_input`: what is checked locally before a method is submitted. */
export type MethodInputKind = "bank_card" | "phone" | "sms_code";

export interface MethodInput {
  kind: MethodInputKind;
  value: string;
}

export interface MethodInputCheck {
  valid: boolean;
  error: Known<BankCardError | PhoneError | SmsCodeError> | null;
  warnings: Known<IdentityWarning>[];
  masked: string | null;
}

export interface BankCardVerification {
  verification_id: string;
  card_number: string;
  phone: string;
}

export interface PhoneVerification {
  verification_id: string;
  phone: string;
}

export interface SmsResend {
  verification_id: string;
}

export interface SmsConfirmation {
  verification_id: string;
  code: string;
}

/** `start_alipay`: opens the Alipay authorization window and resolves once the session is
 * decided (a `VerificationResult`, success or failure); `close_alipay_window` ends it early. */
export interface AlipayVerification {
  verification_id: string;
}

/** An SMS code on its way: all durations in seconds from the answer. */
export interface SmsChallenge {
  masked_phone: string;
  expires_in: number;
  resend_after: number;
  codes_left_today: number;
  /** Hints on the number (e.g. a virtual operator). */
  warnings?: Known<IdentityWarning>[];
}

/** `start_phone_verification`: the carrier matched and a code was sent, or the carrier did not. */
export type PhoneStart =
  | { status: "code_sent"; challenge: SmsChallenge }
  | { status: "failed"; result: VerificationResult };

/** One verification attempt of the user's history: masked only. */
export interface AttemptRecord {
  id: string;
  verification_id: string;
  method: VerificationMethod;
  outcome: AttemptOutcome;
  reason_code?: FailureReason;
  mismatched_element?: MismatchedElement;
  reasons?: LivenessReason[];
  document_type: DocumentType;
  number_masked: string;
  app_version?: string;
  /** Unix seconds. */
  created_at: number;
}

/** `attempt_history`: newest first. */
export interface AttemptHistory {
  attempts: AttemptRecord[];
}

// ---- Manual review (人工审核) --------------------------------------------------------------------

export type ManualPhotoKind = "id_front" | "holding_id";

/** `prepare_id_photo`: the photo passed the checks and was cleaned (upright, no metadata); it is
 * kept in memory by the Rust side until uploaded. */
export interface PhotoPreview {
  kind: ManualPhotoKind;
  /** Of the cleaned JPEG that will be uploaded. */
  width: number;
  height: number;
  bytes: number;
  /** A small JPEG as a `data:image/jpeg;base64,...` URL. */
  preview: string;
}

/** Why a photo was refused (`invalid_photo`, `details.error`): the imaging crate's `PhotoError`. */
export type PhotoError =
  | { kind: "empty" }
  | { kind: "too_large"; bytes: number; max: number }
  | { kind: "not_an_image" }
  /** `heic`, `heif`, `avif`, `gif`, `webp`, `bmp`, `tiff`, `jxl`. */
  | { kind: "unsupported_format"; format: string }
  | { kind: "too_many_pixels"; width: number; height: number; max_pixels: number }
  | { kind: "too_big"; width: number; height: number; max_side: number }
  | { kind: "corrupt"; detail: string }
  | { kind: "too_small"; width: number; height: number; min_short_side: number }
  | { kind: "too_dark"; mean: number }
  | { kind: "too_blurry"; sharpness: number }
  | { kind: "encode_failed"; detail: string };

/** Sent over `upload_manual_review`'s channel after each chunk. */
export interface UploadProgress {
  kind: ManualPhotoKind;
  sent: number;
  total: number;
  overall_sent: number;
  overall_total: number;
}

export interface ManualReviewSubmission {
  verification_id: string;
}

export type ReviewStatus = "pending" | "approved" | "rejected";

export type RejectReason =
  | "photo_unclear"
  | "document_mismatch"
  | "not_holding_document"
  | "document_expired"
  | "other"
  | (string & {});

/** `upload_manual_review`, `manual_review_status` and the `manual_review_decided` event. */
export interface ManualReviewStatus {
  review_id: string;
  status: ReviewStatus;
  /** Unix seconds. */
  submitted_at: number;
  expected_minutes_min: number;
  expected_minutes_max: number;
  decided_at?: number;
  reason_code?: RejectReason;
  /** The reviewer's own words, when rejected. */
  reason_text?: string;
}

// ---- Signatures (签名维护) ----------------------------------------------------------------------

export type SignatureKind = "drawn" | "uploaded";

/** Whether a signature (or a change to it) has reached the platform. */
export type SignatureItemSync = "synced" | "pending" | "failed";

export interface SignatureItem {
  /** 32 lowercase hex digits, made by the app (the platform's idempotency key). */
  id: string;
  name: string;
  kind: SignatureKind;
  width: number;
  height: number;
  is_default: boolean;
  /** The full PNG as a `data:image/png;base64,...` URL. */
  thumbnail: string;
  sync: SignatureItemSync;
  /** Why the last attempt to sync this signature failed, when `sync` is `failed`. */
  sync_error: ApiError | null;
}

export type SignatureSyncState = "synced" | "pending" | "syncing" | "offline" | "failed";

export interface SignatureSyncStatus {
  state: SignatureSyncState;
  /** Changes waiting to reach the platform. */
  pending: number;
  error: ApiError | null;
}

/** `signatures_list` and every command that changes the signatures. */
export interface SignatureBoard {
  signatures: SignatureItem[];
  default_id: string | null;
  sync: SignatureSyncStatus;
  /** False until the real-name status is verified: new signatures cannot be saved. */
  can_save: boolean;
}

export type PenColor = "black" | "blue";

/** One sample of a stroke: CSS pixels relative to the pad's top-left corner, milliseconds since
 * the drawing's first sample, pressure 0-1. */
export interface SignaturePoint {
  x: number;
  y: number;
  t: number;
  p: number;
}

export interface SignatureStroke {
  points: SignaturePoint[];
}

export interface SignaturePen {
  color: PenColor;
  /** Base line width in CSS pixels (2, 3 or 5). */
  width: number;
}

/** `signature_render_drawing` takes it as `{ drawing }`. */
export interface SignatureDrawing {
  strokes: SignatureStroke[];
  pen: SignaturePen;
}

/** A rendered drawing or a loaded photo that the Rust side keeps until saved or discarded. The
 * three photo fields are null for a drawing. */
export interface SignatureDraft {
  draft_id: string;
  width: number;
  height: number;
  /** The PNG that `signature_save_draft` saves, as a `data:image/png;base64,...` URL. */
  preview: string;
  threshold: number | null;
  auto_threshold: number | null;
  /** The photo upright and downscaled, as a data: URL. */
  original: string | null;
}

export type InkColor = "keep" | "black" | "blue";

/** `signature_clean_photo`: null threshold = the automatic one. */
export interface SignatureCleaning {
  draftId: string;
  threshold: number | null;
  ink: InkColor;
}

/** `details.reason` of `invalid_signature`: a drawing's quality, or a photo's problem. */
export type SignatureProblem =
  | "empty"
  | "too_small"
  | "straight_line"
  | "dot"
  | "too_little_ink"
  | "too_many_points"
  | "invalid_point"
  | "invalid_pen"
  | "not_an_image"
  | "unsupported_format"
  | "corrupt"
  | "truncated"
  | "too_large"
  | "too_many_pixels"
  | "animated"
  | "no_ink"
  | (string & {});

// ---- updates ----

export type UpdateState =
  | "idle"
  | "checking"
  | "up_to_date"
  | "available"
  | "downloading"
  | "ready"
  | "installing"
  | "failed"
  | "not_configured";

export interface AvailableUpdate {
  version: string;
  notes: string | null;
  pub_date: string | null;
}

export interface UpdateStatus {
  current_version: string;
  state: UpdateState;
  available: AvailableUpdate | null;
  checked_at: number | null;
  error: ApiError | null;
}

export interface DownloadProgress {
  received: number;
  total: number | null;
}

/** `kiosk_state`: whether this run is a kiosk (shared office machine) and how it behaves. */
export interface KioskState {
  enabled: boolean;
  idle_timeout_secs: number;
  countdown_secs: number;
  /** An administrator PIN is configured: kiosk mode can be left from the app. */
  admin_exit: boolean;
  /** The kiosk configuration file could not be used; defaults are in force. */
  config_problem: boolean;
}
