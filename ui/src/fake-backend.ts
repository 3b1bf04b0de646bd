// Development-only stand-in for the Rust commands, used when the page runs in a plain browser
// (`npm run dev`, `vite preview`). Never loaded inside Tauri (see api.ts).
//
// Sign in with account `staff01` (or `reviewer01`) and any password. Passwords that pick a path:
// `bad` -> invalid_credentials (then account_locked), `locked`, `busy` (rate_limited),
// `unreachable`, `tls`, `weird` (an unknown error code).
// URL query flags set the starting state, e.g. `?fake-session=signed-in&fake-status=pending_review#/center`:
//   fake-session=signed-in | expired, fake-status=<real_name_status>, fake-offline=1,
//   fake-keyring=0, fake-identity=passport, lang=en.
// In the console: `signetFake.goOffline()`, `signetFake.goOnline()`, `signetFake.expireSession()`.
//
// Real-name authentication (a sandbox registry, like a payment provider's test cards). Any
// identity that passes the local checks is accepted in step 1 (e.g. 居民身份证 11010519491231002X,
// 王晓明; legacy 110105491231002; passport E12345678 → manual review only). Then:
//   bank card 6222 0200 0000 0000 000 + phone 138 0013 8000 → success;
//             the same card with another phone → the reserved phone does not match;
//             6222 0211 1111 1111 112 → card mismatch; 6222 0222 2222 2222 224 → name mismatch;
//             6222 0299 9999 9999 992 → provider timeout; any other card → card mismatch.
//   phone     138 0013 8000 (or any other number) → code sent; code 123456 → success,
//             000000 → expired, anything else → wrong (5 wrong → voided);
//             139 0013 9000 → carrier mismatch; 137 0013 7000 → provider timeout;
//             136 0013 6000 → daily SMS limit; 170/171 numbers → the carrier cannot check them.
//   alipay    the authorization "window" (none in a browser) decides after ~2 s: success, or
//             window_closed once closeAlipayWindow was called. fake-alipay=<outcome> picks
//             another: user_cancelled | alipay_declined | alipay_timeout | name | id_number
//             (elements mismatch) | provider_timeout (Alipay did not answer: not counted) |
//             unreachable (the command fails); fake-alipay-ms=<ms> sets the wait.
// Each method allows 5 attempts a day. Flags: fake-consent=1 (notice already accepted),
// fake-rn-budget=spent (bank card used up today), fake-rn-ttl=<seconds> (submission lifetime),
// fake-history=empty | error, fake-rn-nocheck=1 (the local check fails: the platform's
// invalid_input shows instead).
// Manual review: photos are checked in the browser (JPEG/PNG only, HEIC refused, ≤ 10 MB, short
// side ≥ 800 px, not too dark); the upload reports progress chunk by chunk (fake-manual-drop=1
// pauses it as if the network dropped, then resumes); the reviewer decides after
// fake-review-ms (default 8000) with fake-review=approved (default) | photo_unclear |
// document_mismatch | not_holding_document | document_expired | other. With
// fake-status=pending_review a review submitted 12 minutes ago is pending.
// Signatures (签名维护): see fake-signatures.ts (fake-signatures=<n>, fake-sig-sync=fail,
// fake-sig-slow=<ms>); saving needs fake-status=verified (the default).
import type { Backend } from "./api";
import {
  checkIdentity,
  checkMethodInput,
  chineseName,
  maskIdNumber,
  maskPhone,
  normaliseMobile,
  validateName,
  validateNumber,
} from "./fake-identity";
import { createFakeSignatures } from "./fake-signatures";
import type {
  ApiError,
  AttemptRecord,
  ManualPhotoKind,
  ManualReviewStatus,
  PhotoError,
  PhotoPreview,
  UploadProgress,
  FailureReason,
  IdentityAccepted,
  IdentityInput,
  Language,
  MaskedIdentity,
  MethodInput,
  MethodOption,
  Profile,
  RealNameStatus,
  SessionView,
  Settings,
  SmsChallenge,
  VerificationMethod,
  VerificationResult,
} from "./types";

const DEFAULT_SERVER = "https://credentials.campus.example.edu.cn";

const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const PHOTO_MIN_SHORT_SIDE = 800;
const UPLOAD_CHUNK = 262_144;

function refusePhoto(kind: ManualPhotoKind, error: PhotoError): never {
  reject("invalid_photo", `${kind}: ${error.kind}`, { photo_kind: kind, error });
}

/** The browser's stand-in for `prepare_id_photo`: format from the magic bytes, size, short side
 * and brightness; the preview is a canvas thumbnail. */
async function fakePreparePhoto(kind: ManualPhotoKind, bytes: Uint8Array): Promise<PhotoPreview> {
  if (bytes.length === 0) refusePhoto(kind, { kind: "empty" });
  if (bytes.length > PHOTO_MAX_BYTES) refusePhoto(kind, { kind: "too_large", bytes: bytes.length, max: PHOTO_MAX_BYTES });
  const head = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = head(1, 4) === "PNG";
  if (!jpeg && !png) {
    if (head(4, 8) === "ftyp") refusePhoto(kind, { kind: "unsupported_format", format: /^(avif|avis)/.test(head(8, 12)) ? "avif" : "heic" });
    if (head(0, 3) === "GIF") refusePhoto(kind, { kind: "unsupported_format", format: "gif" });
    refusePhoto(kind, { kind: "not_an_image" });
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes.slice().buffer]));
  } catch (error) {
    refusePhoto(kind, { kind: "corrupt", detail: String(error) });
  }
  const { width, height } = bitmap;
  if (Math.min(width, height) < PHOTO_MIN_SHORT_SIDE) refusePhoto(kind, { kind: "too_small", width, height, min_short_side: PHOTO_MIN_SHORT_SIDE });
  const scale = Math.min(1, 360 / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d");
  if (!context) reject("internal", "no canvas");
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 4) sum += 0.299 * (pixels[i] ?? 0) + 0.587 * (pixels[i + 1] ?? 0) + 0.114 * (pixels[i + 2] ?? 0);
  const mean = sum / (pixels.length / 4);
  if (mean < 40) refusePhoto(kind, { kind: "too_dark", mean });
  await sleep(300);
  // Roughly what a quality-90 JPEG of the cleaned photo weighs.
  return { kind, width, height, bytes: Math.round(width * height * 0.45), preview: canvas.toDataURL("image/jpeg", 0.8) };
}

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  const error: ApiError = { code, message };
  if (details) error.details = details;
  throw error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STATUSES: readonly RealNameStatus[] = ["unverified", "pending_review", "verified", "rejected"];

function profileFor(account: string, status: RealNameStatus, identityKind: string | null): Profile {
  const reviewer = account === "reviewer01";
  const withIdentity = status !== "unverified";
  const passport = identityKind === "passport";
  return {
    user_id: reviewer ? "u-0002" : "u-0001",
    account,
    display_name: reviewer ? "李审核" : "王晓明",
    role: reviewer ? "reviewer" : "staff",
    real_name_status: status,
    identity: withIdentity
      ? passport
        ? { document_type: "passport", number: "E1*****78", name: "WANG XIAOMING" }
        : { document_type: "id_card", number: "110***********002X", name: "王晓明" }
      : null,
  };
}

const METHODS: readonly VerificationMethod[] = ["bank_card", "alipay", "phone", "face", "manual_review"];
const ATTEMPTS_PER_DAY = 5;
const SMS_TTL_SECS = 300;
const SMS_RESEND_SECS = 60;
const SMS_PER_DAY = 10;
const SMS_MAX_WRONG = 5;

interface FakeVerification {
  id: string;
  masked: MaskedIdentity;
  name: string;
  expiresAt: number;
  sms: { phone: string; code: string; sentAt: number; expiresAt: number; wrong: number; voided: boolean } | null;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function secondsToMidnight(): number {
  const now = new Date();
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return Math.ceil((midnight.getTime() - now.getTime()) / 1000);
}

function seedHistory(status: RealNameStatus): AttemptRecord[] {
  if (status === "unverified") return [];
  const now = Math.floor(Date.now() / 1000);
  const base = { document_type: "id_card" as const, number_masked: "110***********002X", app_version: "0.1.0-dev" };
  const records: AttemptRecord[] = [
    { ...base, id: "a-0003", verification_id: "v-0002", method: "bank_card", outcome: "failure", reason_code: "elements_mismatch", mismatched_element: "phone", created_at: now - 26 * 3600 },
    { ...base, id: "a-0002", verification_id: "v-0002", method: "phone", outcome: "provider_timeout", created_at: now - 27 * 3600 },
    { ...base, id: "a-0001", verification_id: "v-0001", method: "bank_card", outcome: "failure", reason_code: "elements_mismatch", mismatched_element: "card_number", created_at: now - 3 * 86400 },
  ];
  if (status === "verified") {
    records.unshift({ ...base, id: "a-0004", verification_id: "v-0002", method: "bank_card", outcome: "success", created_at: now - 25 * 3600 });
  }
  return records;
}

export function createFakeBackend(): Backend {
  const query = new URLSearchParams(window.location.search);
  const statusParam = query.get("fake-status");
  const status: RealNameStatus = STATUSES.find((s) => s === statusParam) ?? "verified";
  const keyringAvailable = query.get("fake-keyring") !== "0";
  const identityKind = query.get("fake-identity");
  const langParam = query.get("lang");

  const settings: Settings = {
    language: langParam === "en" ? "en" : "zh-CN",
    last_account: "staff01",
    server_url: DEFAULT_SERVER,
  };
  let profile: Profile | null =
    query.get("fake-session") === "signed-in" ? profileFor("staff01", status, identityKind) : null;
  let online = query.get("fake-offline") !== "1";
  let cachedAt = Math.floor(Date.now() / 1000) - 42 * 60;
  let attemptsLeft = 4;
  let lockedUntil = 0;

  // Real-name authentication.
  let consentAccepted = query.get("fake-consent") === "1";
  const verificationTtl = Number(query.get("fake-rn-ttl")) > 0 ? Number(query.get("fake-rn-ttl")) : 30 * 60;
  const verifications = new Map<string, FakeVerification>();
  const attemptsUsed = new Map<VerificationMethod, number>();
  if (query.get("fake-rn-budget") === "spent") attemptsUsed.set("bank_card", ATTEMPTS_PER_DAY);
  const smsSentToday = new Map<string, number>();
  const history: AttemptRecord[] = query.get("fake-history") === "empty" ? [] : seedHistory(status);

  // Alipay: the open authorization "window" (its sequence number) and whether it was closed.
  let alipayWindow = 0;
  let alipayOpen = false;
  let alipayClosed = false;
  const alipayOutcome = query.get("fake-alipay") ?? "success";
  const alipayWaitMs = Number(query.get("fake-alipay-ms")) > 0 ? Number(query.get("fake-alipay-ms")) : 2000;

  // Manual review.
  const photos = new Map<ManualPhotoKind, PhotoPreview>();
  let review: ManualReviewStatus | null = null;
  let reviewTimer: number | null = null;
  const reviewOutcome = query.get("fake-review") ?? "approved";
  const reviewMs = Number(query.get("fake-review-ms")) > 0 ? Number(query.get("fake-review-ms")) : 8000;

  function scheduleDecision(v: FakeVerification | null): void {
    if (reviewTimer !== null) window.clearTimeout(reviewTimer);
    reviewTimer = window.setTimeout(() => {
      reviewTimer = null;
      if (!review || review.status !== "pending") return;
      const now = Math.floor(Date.now() / 1000);
      const approved = reviewOutcome === "approved";
      const decided: ManualReviewStatus = { ...review, status: approved ? "approved" : "rejected", decided_at: now };
      if (!approved) {
        decided.reason_code = reviewOutcome;
        if (reviewOutcome === "other") decided.reason_text = "证件照片被裁剪，请上传完整的证件照片。";
      }
      review = decided;
      if (profile) profile = { ...profile, real_name_status: approved ? "verified" : "rejected", identity: v?.masked ?? profile.identity };
      const reasons: Record<string, FailureReason> = {
        photo_unclear: "photo_unclear",
        document_mismatch: "document_mismatch",
        not_holding_document: "not_holding_document",
        document_expired: "document_expired",
      };
      if (v) {
        record(v, "manual_review", approved ? { outcome: "success" } : { outcome: "failure", reason_code: reasons[reviewOutcome] ?? "review_rejected" });
      }
      console.info(`[signet fake] manual review ${decided.status}`);
      emit("manual_review_decided", decided);
    }, reviewMs);
  }

  if (status === "pending_review") {
    review = {
      review_id: "r-seeded",
      status: "pending",
      submitted_at: Math.floor(Date.now() / 1000) - 12 * 60,
      expected_minutes_min: 15,
      expected_minutes_max: 30,
    };
  }

  const leftFor = (method: VerificationMethod) => ATTEMPTS_PER_DAY - (attemptsUsed.get(method) ?? 0);

  function methodOptions(input: IdentityInput, name: string): MethodOption[] {
    return METHODS.map((method): MethodOption => {
      if (method === "manual_review") return { method, available: true };
      if (input.document_type !== "id_card") {
        return { method, available: false, reason: { kind: "document_requires_manual_review", document_type: input.document_type } };
      }
      if (!chineseName(name)) return { method, available: false, reason: { kind: "name_not_in_chinese_characters" } };
      if (method === "face") return { method, available: false, reason: { kind: "not_offered" } };
      if (leftFor(method) <= 0) {
        return { method, available: false, reason: { kind: "daily_attempts_used_up", scope: "user_and_method", retry_after_secs: secondsToMidnight() } };
      }
      return { method, available: true };
    });
  }

  function verification(args: Record<string, unknown>): FakeVerification {
    const request = args.request as { verification_id?: string };
    const found = verifications.get(request.verification_id ?? "");
    if (!found) reject("not_found", "no such verification");
    if (Date.now() >= found.expiresAt) reject("verification_expired", "this verification has expired");
    return found;
  }

  function spend(method: VerificationMethod): void {
    if (leftFor(method) <= 0) {
      reject("rate_limited", "today's attempts of this method are used up", {
        retry_after_secs: secondsToMidnight(),
        reason: "daily_attempts_used_up",
        scope: "user_and_method",
      });
    }
  }

  function record(v: FakeVerification, method: VerificationMethod, result: VerificationResult | "timeout"): void {
    const base = {
      id: `a-${randomHex(4)}`,
      verification_id: v.id,
      method,
      document_type: v.masked.document_type,
      number_masked: v.masked.number,
      app_version: "0.1.0-dev",
      created_at: Math.floor(Date.now() / 1000),
    };
    if (result === "timeout") {
      history.unshift({ ...base, outcome: "provider_timeout" });
      return;
    }
    const entry: AttemptRecord = { ...base, outcome: result.outcome };
    if (result.reason_code) entry.reason_code = result.reason_code;
    if (result.mismatched_element) entry.mismatched_element = result.mismatched_element;
    history.unshift(entry);
  }

  function conclude(
    v: FakeVerification,
    method: VerificationMethod,
    mismatch: VerificationResult["mismatched_element"] | null,
    reason: FailureReason = "elements_mismatch",
  ): VerificationResult {
    if (mismatch === null) {
      const result: VerificationResult = { outcome: "success" };
      record(v, method, result);
      if (profile) profile = { ...profile, real_name_status: "verified", identity: v.masked };
      return result;
    }
    attemptsUsed.set(method, (attemptsUsed.get(method) ?? 0) + 1);
    const result: VerificationResult = { outcome: "failure", reason_code: reason, attempts_left: Math.max(0, leftFor(method)) };
    if (mismatch !== undefined) result.mismatched_element = mismatch;
    record(v, method, result);
    return result;
  }

  function sendCode(v: FakeVerification, phone: string): SmsChallenge {
    const sent = smsSentToday.get(phone) ?? 0;
    if (sent >= SMS_PER_DAY || phone === "13600136000") {
      reject("sms_daily_limit", "no more codes today for this number", { retry_after_secs: secondsToMidnight(), limit: SMS_PER_DAY });
    }
    smsSentToday.set(phone, sent + 1);
    const now = Date.now();
    v.sms = { phone, code: "123456", sentAt: now, expiresAt: now + SMS_TTL_SECS * 1000, wrong: 0, voided: false };
    console.info(`[signet fake] SMS to ${maskPhone(phone)}: your code is 123456`);
    return { masked_phone: maskPhone(phone), expires_in: SMS_TTL_SECS, resend_after: SMS_RESEND_SECS, codes_left_today: SMS_PER_DAY - sent - 1 };
  }

  const realNameCommands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    real_name_consent: async () => {
      await sleep(200);
      if (!profile) reject("not_signed_in", "no session");
      return { version: "2026-11-29", accepted: consentAccepted };
    },
    accept_real_name_consent: async () => {
      await sleep(300);
      consentAccepted = true;
      return null;
    },
    check_identity: async (args) => {
      if (query.get("fake-rn-nocheck") === "1") reject("internal", "check_identity is not available");
      return checkIdentity(args.input as IdentityInput);
    },
    check_method_input: async (args) => {
      const input = args.input as MethodInput;
      return checkMethodInput(input.kind, input.value);
    },
    submit_identity: async (args) => {
      await sleep(400);
      const input = args.input as IdentityInput;
      const check = checkIdentity(input);
      if (!check.valid) {
        reject("invalid_input", "identity rejected", { field: check.errors[0]?.field ?? null, errors: check.errors });
      }
      const number = validateNumber(input.document_type, input.number);
      const name = validateName(input.document_type, input.name);
      if (!number.ok || !name.ok) reject("internal", "unreachable");
      const masked: MaskedIdentity = { document_type: input.document_type, number: maskIdNumber(number.value.number), name: name.value };
      const id = randomHex(16);
      verifications.set(id, { id, masked, name: name.value, expiresAt: Date.now() + verificationTtl * 1000, sms: null });
      const accepted: IdentityAccepted = {
        verification_id: id,
        masked,
        converted_from_legacy: number.value.converted,
        warnings: number.value.warnings,
        expires_in: verificationTtl,
        methods: methodOptions(input, name.value),
      };
      return accepted;
    },
    verify_bank_card: async (args) => {
      const v = verification(args);
      const request = args.request as { card_number: string; phone: string };
      const card = checkMethodInput("bank_card", request.card_number);
      const phone = checkMethodInput("phone", request.phone);
      if (!card.valid || !phone.valid) {
        const errors = [
          card.error ? { field: "card_number", error: card.error } : null,
          phone.error ? { field: "phone", error: phone.error } : null,
        ].filter((e) => e !== null);
        reject("invalid_input", "card or phone rejected", { field: errors[0]?.field ?? null, errors });
      }
      spend("bank_card");
      await sleep(900);
      const digits = request.card_number.replace(/\s/g, "");
      const mobile = normaliseMobile(request.phone);
      if (digits === "6222029999999999992") {
        record(v, "bank_card", "timeout");
        reject("provider_timeout", "the bank did not answer in time", { method: "bank_card" });
      }
      if (digits === "6222020000000000000") return conclude(v, "bank_card", mobile === "13800138000" ? null : "phone");
      if (digits === "6222022222222222224") return conclude(v, "bank_card", "name");
      return conclude(v, "bank_card", "card_number");
    },
    start_phone_verification: async (args) => {
      const v = verification(args);
      const request = args.request as { phone: string };
      const phone = checkMethodInput("phone", request.phone);
      if (!phone.valid) reject("invalid_input", "phone rejected", { field: "phone", errors: [{ field: "phone", error: phone.error }] });
      spend("phone");
      await sleep(800);
      const mobile = normaliseMobile(request.phone);
      if (mobile === "13700137000") {
        record(v, "phone", "timeout");
        reject("provider_timeout", "the carrier did not answer in time", { method: "phone" });
      }
      if (mobile === "13900139000") return { status: "failed", result: conclude(v, "phone", "phone") };
      if (/^17[01]/.test(mobile)) return { status: "failed", result: conclude(v, "phone", undefined, "carrier_check_unsupported") };
      return { status: "code_sent", challenge: sendCode(v, mobile) };
    },
    resend_sms_code: async (args) => {
      const v = verification(args);
      await sleep(400);
      if (!v.sms) reject("not_found", "no code was sent for this verification");
      const wait = Math.ceil((v.sms.sentAt + SMS_RESEND_SECS * 1000 - Date.now()) / 1000);
      if (wait > 0) reject("rate_limited", "too early to resend", { retry_after_secs: wait });
      return sendCode(v, v.sms.phone);
    },
    confirm_sms_code: async (args) => {
      const v = verification(args);
      const request = args.request as { code: string };
      await sleep(500);
      const sms = v.sms;
      if (!sms) reject("not_found", "no SMS code is open for this verification", { reason: "no_sms_code" });
      if (sms.voided) reject("sms_code_voided", "too many wrong codes", { method_attempts_left: leftFor("phone") });
      if (Date.now() >= sms.expiresAt || request.code === "000000") {
        if (sms.expiresAt > 0) conclude(v, "phone", undefined, "sms_code_expired"); // recorded once
        sms.expiresAt = 0;
        reject("sms_code_expired", "the code has expired");
      }
      if (request.code !== sms.code) {
        sms.wrong += 1;
        if (sms.wrong >= SMS_MAX_WRONG) {
          sms.voided = true;
          conclude(v, "phone", undefined, "sms_code_voided");
          reject("sms_code_voided", "too many wrong codes", { method_attempts_left: leftFor("phone") });
        }
        reject("wrong_sms_code", "wrong code", { attempts_left: SMS_MAX_WRONG - sms.wrong });
      }
      v.sms = null;
      return conclude(v, "phone", null);
    },
    start_alipay: async (args) => {
      const v = verification(args);
      spend("alipay");
      await sleep(300); // the platform opens an authorization session
      if (alipayOutcome === "unreachable") reject("server_unreachable", "connect ECONNREFUSED");
      // A new session replaces an open one (which ends as window_closed).
      const mine = ++alipayWindow;
      alipayOpen = true;
      alipayClosed = false;
      console.info("[signet fake] Alipay authorization window opened");
      const decideAt = Date.now() + alipayWaitMs;
      while (Date.now() < decideAt && !alipayClosed && alipayWindow === mine) await sleep(100);
      if (alipayWindow === mine) alipayOpen = false;
      if (alipayClosed) await sleep(700); // the app notices the closed window at its next poll
      if (alipayClosed || alipayWindow !== mine) return conclude(v, "alipay", undefined, "window_closed");
      switch (alipayOutcome) {
        case "user_cancelled":
        case "alipay_declined":
        case "alipay_timeout":
          return conclude(v, "alipay", undefined, alipayOutcome);
        case "name":
        case "id_number":
          return conclude(v, "alipay", alipayOutcome);
        case "provider_timeout":
          record(v, "alipay", "timeout");
          return { outcome: "failure", reason_code: "alipay_timeout", attempts_left: leftFor("alipay") };
        default:
          return conclude(v, "alipay", null);
      }
    },
    close_alipay_window: async () => {
      if (alipayOpen) alipayClosed = true;
      return null;
    },
    prepare_id_photo: async (args) => {
      if (!profile) reject("not_signed_in", "no session");
      const headers = (args.headers ?? {}) as Record<string, string>;
      const kind = headers["x-photo-kind"];
      if (kind !== "id_front" && kind !== "holding_id") reject("invalid_input", "kind: unknown_photo_kind", { field: "kind", reason: "unknown_photo_kind" });
      photos.delete(kind);
      const preview = await fakePreparePhoto(kind, args.body as Uint8Array);
      photos.set(kind, preview);
      return preview;
    },
    upload_manual_review: async (args) => {
      const v = verification(args);
      const channel = args.onProgress as { onmessage?: (progress: UploadProgress) => void } | undefined;
      const front = photos.get("id_front");
      const holding = photos.get("holding_id");
      if (!front || !holding) reject("invalid_input", "photos: missing_photo", { field: "photos", reason: "missing_photo" });
      const sizes: [ManualPhotoKind, number][] = [["id_front", front.bytes], ["holding_id", holding.bytes]];
      const overallTotal = front.bytes + holding.bytes;
      let before = 0;
      let dropped = query.get("fake-manual-drop") !== "1";
      for (const [kind, total] of sizes) {
        for (let sent = 0; sent < total; ) {
          await sleep(150);
          if (!dropped && before + sent > overallTotal / 2) {
            dropped = true;
            console.info("[signet fake] network dropped; resuming in 3 s");
            emit("connectivity", { online: false });
            await sleep(3000);
            emit("connectivity", { online: true });
          }
          sent = Math.min(total, sent + UPLOAD_CHUNK);
          channel?.onmessage?.({ kind, sent, total, overall_sent: before + sent, overall_total: overallTotal });
        }
        before += total;
      }
      await sleep(300);
      photos.clear();
      review = {
        review_id: `r-${randomHex(4)}`,
        status: "pending",
        submitted_at: Math.floor(Date.now() / 1000),
        expected_minutes_min: 15,
        expected_minutes_max: 30,
      };
      if (profile) profile = { ...profile, real_name_status: "pending_review", identity: v.masked };
      scheduleDecision(v);
      return review;
    },
    manual_review_status: async () => {
      await sleep(250);
      if (!profile) reject("not_signed_in", "no session");
      if (review?.status === "pending" && review.review_id === "r-seeded" && reviewTimer === null) scheduleDecision(null);
      return review;
    },
    discard_manual_photos: async () => {
      photos.clear();
      return null;
    },
    attempt_history: async () => {
      await sleep(250);
      if (!profile) reject("not_signed_in", "no session");
      if (query.get("fake-history") === "error") reject("server_unreachable", "connect ECONNREFUSED");
      return { attempts: history.slice() };
    },
  };

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const emit = (event: string, payload: unknown) =>
    listeners.get(event)?.forEach((handler) => handler(payload));

  const signatures = createFakeSignatures({
    query,
    online: () => online,
    canSave: () => profile?.real_name_status === "verified",
    signedIn: () => profile !== null,
    emit,
  });

  const signedIn = (): SessionView => ({
    status: "signed_in",
    keyring_available: keyringAvailable,
    offline: !online,
    profile: profile as Profile,
    cached_at: online ? null : cachedAt,
  });

  const fakeUpdateStatus = {
    current_version: "0.1.0-dev",
    state: "not_configured",
    available: null,
    checked_at: null,
    error: null,
  };
  const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    app_info: async () => ({ version: "0.1.0-dev", default_server_url: DEFAULT_SERVER }),
    // A development build has no update key: the settings card says updates are not set up.
    update_status: async () => fakeUpdateStatus,
    update_check: async () => fakeUpdateStatus,
    update_download: async () => fakeUpdateStatus,
    update_install: async () => null,
    get_settings: async () => ({ ...settings }),
    set_language: async (args) => {
      settings.language = args.language as Language;
      return null;
    },
    export_diagnostics: async () => {
      await sleep(300);
      return { path: "/home/dev/Downloads/signet-diagnostics-20260501-063000Z.txt" };
    },
    restore_session: async () => {
      await sleep(150);
      if (profile) return signedIn();
      const reason = query.get("fake-session") === "expired" ? "session_expired" : null;
      return { status: "signed_out", keyring_available: keyringAvailable, reason };
    },
    sign_in: async (args) => {
      await sleep(600);
      const request = args.request as { account: string; password: string; server_url: string };
      if (!/^https?:\/\/[^\s/]+/.test(request.server_url)) {
        reject("invalid_input", "server_url is not an http(s) URL", {
          field: "server_url",
          reason: "invalid_characters",
        });
      }
      if (request.account.length > 64) {
        reject("invalid_input", "account too long", { field: "account", reason: "too_long" });
      }
      if (Date.now() < lockedUntil) {
        reject("account_locked", "locked", { retry_after_secs: Math.ceil((lockedUntil - Date.now()) / 1000) });
      }
      switch (request.password) {
        case "locked":
          lockedUntil = Date.now() + 90_000;
          reject("account_locked", "locked", { retry_after_secs: 90 });
        case "busy":
          reject("rate_limited", "slow down", { retry_after_secs: 20 });
        case "unreachable":
          reject("server_unreachable", "connect ECONNREFUSED");
        case "tls":
          reject("tls_failure", "invalid peer certificate: UnknownIssuer");
        case "weird":
          reject("quantum_flux", "unexpected state");
      }
      const knownAccount = request.account === "staff01" || request.account === "reviewer01";
      if (!knownAccount || request.password === "bad") {
        attemptsLeft -= 1;
        if (attemptsLeft <= 0) {
          attemptsLeft = 4;
          lockedUntil = Date.now() + 5 * 60_000;
          reject("account_locked", "too many failures", { retry_after_secs: 300 });
        }
        reject("invalid_credentials", "wrong password", { attempts_left: attemptsLeft });
      }
      attemptsLeft = 4;
      settings.last_account = request.account;
      settings.server_url = request.server_url;
      profile = profileFor(request.account, status, identityKind);
      online = true;
      return signedIn();
    },
    refresh_profile: async () => {
      await sleep(300);
      if (!profile) reject("session_expired", "no session");
      if (online) cachedAt = Math.floor(Date.now() / 1000);
      return signedIn();
    },
    sign_out: async () => {
      profile = null;
      return null;
    },
    // `?fake-kiosk=1`: a kiosk with short timers; the administrator PIN is 246810.
    // A browser has no camera the fake could use: face recognition shows its no-camera page.
    camera_list: async () => reject("camera_unavailable", "no camera found", { reason: "no_camera" }),
    face_preview_start: async () => reject("camera_unavailable", "no camera found", { reason: "no_camera" }),
    face_preview_stop: async () => null,
    face_preview_ack: async () => null,
    face_discard_recording: async () => null,
    kiosk_state: async () => ({
      enabled: query.get("fake-kiosk") === "1",
      idle_timeout_secs: 10,
      countdown_secs: 10,
      admin_exit: true,
      config_problem: false,
    }),
    kiosk_activity: async () => null,
    kiosk_unsynced_changes: async () => 0,
    kiosk_admin_exit: async (args) => {
      await sleep(400);
      if (args.pin !== "246810") reject("invalid_credentials", "wrong administrator PIN", { attempts_left: 4 });
      window.close();
      return null;
    },
    ...realNameCommands,
    ...signatures.commands,
  };

  const controls = {
    goOffline() {
      online = false;
      emit("connectivity", { online: false });
      signatures.connectivityChanged();
    },
    goOnline() {
      online = true;
      emit("connectivity", { online: true });
      signatures.connectivityChanged();
    },
    expireSession() {
      profile = null;
      emit("session_expired", null);
    },
  };
  (window as unknown as { signetFake: typeof controls }).signetFake = controls;
  console.info("[signet] no Tauri runtime: using the in-memory fake backend (see fake-backend.ts)");

  return {
    async invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
      const handler = commands[command];
      if (!handler) reject("internal", `fake backend has no command ${command}`);
      return (await handler(args)) as T;
    },
    async invokeRaw<T>(command: string, body: Uint8Array, headers: Record<string, string>): Promise<T> {
      return this.invoke<T>(command, { body, headers });
    },
    channel<T>(handler: (message: T) => void): unknown {
      return { onmessage: handler };
    },
    async listen<T>(event: string, handler: (payload: T) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(handler as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(handler as (payload: unknown) => void);
    },
  };
}
