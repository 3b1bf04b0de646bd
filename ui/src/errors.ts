// Turns a rejected command into text for the user. The UI branches on `code` only; the backend's
// `message` goes to the console for support, never on screen.
import { formatDuration, formatLongDuration, t, type MessageKey } from "./i18n";
import type { ApiError } from "./types";

const KNOWN_CODES = [
  "invalid_credentials",
  "account_locked",
  "rate_limited",
  "server_unreachable",
  "tls_failure",
  "session_expired",
  "refresh_token_reused",
  "invalid_input",
  "protocol_error",
  "keyring_unavailable",
  "store_error",
  "internal",
  "not_found",
  "conflict",
  // Real-name authentication.
  "provider_timeout",
  "verification_expired",
  "wrong_sms_code",
  "sms_code_expired",
  "sms_code_voided",
  "sms_daily_limit",
  // Manual review.
  "invalid_photo",
  "checksum_mismatch",
  // Face recognition.
  "camera_unavailable",
  "face_unavailable",
  // Signatures.
  "real_name_required",
  "invalid_signature",
  "signature_limit",
  // Updates.
  "update_failed",
] as const;

type KnownCode = (typeof KNOWN_CODES)[number];

function isKnown(code: string): code is KnownCode {
  return (KNOWN_CODES as readonly string[]).includes(code);
}

/** Normalises whatever a command rejected with (Tauri itself rejects with plain strings). */
export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null && typeof (error as ApiError).code === "string") {
    const { code, message, details } = error as ApiError;
    const normalised: ApiError = { code, message: typeof message === "string" ? message : "" };
    if (typeof details === "object" && details !== null) normalised.details = details;
    return normalised;
  }
  return { code: "internal", message: error instanceof Error ? error.message : String(error) };
}

function detailNumber(error: ApiError, name: string): number | null {
  const value = error.details?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function detailString(error: ApiError, name: string): string | null {
  const value = error.details?.[name];
  return typeof value === "string" && value !== "" ? value : null;
}

/** `details.attempts_left` (wrong password, wrong SMS code), when the error carries one. */
export function attemptsLeft(error: ApiError): number | null {
  return detailNumber(error, "attempts_left");
}

/** The real-name submission (step 1) expired or is unknown to the platform: step 1 must be
 * filled in again. The platform says `not_found` with `details.reason = "expired"`; the app may
 * say `verification_expired`. */
export function isVerificationExpired(error: ApiError): boolean {
  return error.code === "verification_expired" || (error.code === "not_found" && detailString(error, "reason") === "expired");
}

/** Today's attempts of a verification method are used up (`rate_limited` with
 * `details.reason = "daily_attempts_used_up"`). */
export function isDailyBudgetSpent(error: ApiError): boolean {
  return error.code === "rate_limited" && detailString(error, "reason") === "daily_attempts_used_up";
}

/** The user's real name is already verified (`conflict`, `details.reason = "already_verified"`). */
export function isAlreadyVerified(error: ApiError): boolean {
  return error.code === "conflict" && detailString(error, "reason") === "already_verified";
}

/** Seconds to wait before retrying, for errors that carry one (lock-out, rate limit). */
export function retryAfterSecs(error: ApiError): number | null {
  if (error.code !== "account_locked" && error.code !== "rate_limited") return null;
  const secs = detailNumber(error, "retry_after_secs");
  return secs !== null && secs > 0 ? secs : null;
}

/** The form field an `invalid_input` error is about (`account`, `password`, `server_url`, ...). */
export function invalidField(error: ApiError): string | null {
  return error.code === "invalid_input" ? detailString(error, "field") : null;
}

/** Errors after which the user must sign in again. */
export function endsSession(error: ApiError): boolean {
  return error.code === "session_expired" || error.code === "refresh_token_reused";
}

/** Unknown codes are shown to the user (small) so that support can look them up. */
export function shouldShowCode(error: ApiError): boolean {
  return !isKnown(error.code) || error.code === "internal" || error.code === "protocol_error";
}

function fieldName(field: string): string {
  switch (field) {
    case "account":
    case "password":
    case "server_url":
    case "language":
      return t(`field.${field}`);
    default:
      return field;
  }
}

function invalidInputText(error: ApiError): string {
  const field = invalidField(error);
  if (field === null) return t("error.invalid_input");
  const reason = detailString(error, "reason");
  const reasonKey: MessageKey =
    reason === "empty"
      ? "error.invalid_input.empty"
      : reason === "too_long"
        ? "error.invalid_input.too_long"
        : reason === "invalid_characters" || reason === "invalid_chars"
          ? "error.invalid_input.invalid_characters"
          : "error.invalid_input.field";
  return t(reasonKey, { field: fieldName(field) });
}

/**
 * The translated text for an error. `secondsLeft` overrides the wait time carried by a lock-out
 * or rate-limit error, so a countdown can re-render the same error as time passes.
 */
export function errorText(error: ApiError, secondsLeft?: number): string {
  const code = error.code;
  if (!isKnown(code)) return t("error.unknown");
  switch (code) {
    case "invalid_credentials": {
      const attemptsLeft = detailNumber(error, "attempts_left");
      const base = t("error.invalid_credentials");
      return attemptsLeft === null ? base : `${base}${t("error.attemptsLeft", { n: attemptsLeft })}`;
    }
    case "wrong_sms_code": {
      const left = attemptsLeft(error);
      return left === null ? t("error.wrong_sms_code.noCount") : t("error.wrong_sms_code", { n: left });
    }
    case "not_found":
      if (isVerificationExpired(error)) return t("error.verification_expired");
      return detailString(error, "reason") === "no_sms_code" ? t("error.not_found.no_sms_code") : t("error.not_found");
    case "sms_daily_limit": {
      const secs = secondsLeft ?? detailNumber(error, "retry_after_secs");
      return secs === null || secs <= 0 ? t("error.sms_daily_limit") : t("error.sms_daily_limit.time", { time: formatLongDuration(secs) });
    }
    case "conflict":
      return isAlreadyVerified(error) ? t("error.conflict.already_verified") : t("error.conflict");
    case "account_locked":
    case "rate_limited": {
      const secs = secondsLeft ?? retryAfterSecs(error);
      if (isDailyBudgetSpent(error)) {
        return secs === null || secs <= 0
          ? t("error.rate_limited.daily.noTime")
          : t("error.rate_limited.daily", { time: formatLongDuration(secs) });
      }
      if (secs === null || secs <= 0) return t(`error.${code}.noTime`);
      return t(`error.${code}`, { time: formatDuration(secs) });
    }
    case "invalid_input":
      return invalidInputText(error);
    case "signature_limit":
      return t("error.signature_limit", { max: detailNumber(error, "max") ?? 20 });
    case "update_failed": {
      const reasons = ["network", "bad_signature", "no_package_for_this_system", "insecure_platform", "install"] as const;
      const reason = reasons.find((r) => r === detailString(error, "reason"));
      return reason ? t(`error.update_failed.${reason}`) : t("error.update_failed");
    }
    default:
      return t(`error.${code}`);
  }
}

/** Logs the backend's message for support; never shown in the UI. */
export function logError(context: string, error: ApiError): void {
  console.warn(`[signet] ${context}: ${error.code}: ${error.message}`, error.details ?? "");
}
