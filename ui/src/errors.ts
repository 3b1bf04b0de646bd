// Turns a rejected command into text for the user. The UI branches on `code` only; the backend's
// `message` goes to the console for support, never on screen.
import { formatDuration, t, type MessageKey } from "./i18n";
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
    case "account_locked":
    case "rate_limited": {
      const secs = secondsLeft ?? retryAfterSecs(error);
      if (secs === null || secs <= 0) return t(`error.${code}.noTime`);
      return t(`error.${code}`, { time: formatDuration(secs) });
    }
    case "invalid_input":
      return invalidInputText(error);
    default:
      return t(`error.${code}`);
  }
}

/** Logs the backend's message for support; never shown in the UI. */
export function logError(context: string, error: ApiError): void {
  console.warn(`[signet] ${context}: ${error.code}: ${error.message}`, error.details ?? "");
}
