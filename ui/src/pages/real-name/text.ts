// Real-name authentication: every machine-readable kind and code the backend sends, turned into
// plain text for the user. Kinds this UI does not know yet get a generic text for their field;
// raw codes are never shown.
import { formatLongDuration, t, type MessageKey } from "../../i18n";
import type {
  BankCardError,
  CharacterClass,
  DocumentType,
  FailureReason,
  IdentityWarning,
  Known,
  MethodInputKind,
  MethodUnavailable,
  MismatchedElement,
  NameError,
  NumberError,
  PhoneError,
  SmsCodeError,
  VerificationMethod,
} from "../../types";

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  "id_card",
  "passport",
  "hk_macao_permit",
  "taiwan_permit",
  "residence_permit",
  "foreign_permanent",
];

export const METHODS: readonly VerificationMethod[] = ["bank_card", "alipay", "phone", "face", "manual_review"];

export function isDocumentType(value: unknown): value is DocumentType {
  return (DOCUMENT_TYPES as readonly unknown[]).includes(value);
}

export function isMethod(value: unknown): value is VerificationMethod {
  return (METHODS as readonly unknown[]).includes(value);
}

export function documentTypeName(type: string): string {
  return isDocumentType(type) ? t(`doc.${type}`) : t("rn.identity.docType");
}

export function methodName(method: string): string {
  return isMethod(method) ? t(`rn.method.${method}`) : t("rn.method.unknown");
}

export function methodDescription(method: VerificationMethod): string {
  return t(`rn.method.desc.${method}`);
}

/** A character as the user should see it in a message: invisible ones by code point. */
function shown(found: unknown): string {
  const text = typeof found === "string" ? found : String(found ?? "");
  const code = text.codePointAt(0);
  if (code === undefined) return "";
  if (text === " " || text === "\u3000") return t("rn.char.space");
  const invisible = /^[\s\p{C}]$/u.test(text);
  return invisible ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : text;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function pad(value: unknown, width: number): string {
  return String(num(value)).padStart(width, "0");
}

/** "15 或 18" / "15 or 18". */
function orList(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.map(String).join("");
  return `${items.slice(0, -1).join("、")}${t("common.or")}${items[items.length - 1]}`;
}

/** Prefixes like 13, 14, … 19 read better as a range. */
function prefixList(items: readonly string[]): string {
  if (items.length > 3) return `${items[0]}–${items[items.length - 1]}`;
  return orList(items);
}

function classText(expected: CharacterClass | unknown): string {
  switch (expected) {
    case "digit":
    case "digit_or_x":
    case "letter":
    case "letter_or_digit":
      return t(`rn.class.${expected}`);
    default:
      return t("rn.class.letter_or_digit");
  }
}

export function numberErrorText(error: Known<NumberError>): string {
  const e = error as NumberError;
  switch (e.kind) {
    case "empty":
      return t("rn.number.empty");
    case "invalid_character":
      return t("rn.number.invalid_character", { position: num(e.position), found: shown(e.found), expected: classText(e.expected) });
    case "wrong_length":
      return t("rn.number.wrong_length", { expected: orList(e.expected ?? []), actual: num(e.actual) });
    case "length_out_of_range":
      return t("rn.number.length_out_of_range", { min: num(e.min), max: num(e.max), actual: num(e.actual) });
    case "wrong_prefix":
      return t("rn.number.wrong_prefix", { expected: orList(e.expected ?? []), found: shown(e.found) });
    case "unknown_region":
      return t("rn.number.unknown_region", { code: String(e.code) });
    case "invalid_birth_date":
      return t("rn.number.invalid_birth_date", { date: `${pad(e.year, 4)}-${pad(e.month, 2)}-${pad(e.day, 2)}` });
    case "birth_date_in_future":
      return t("rn.number.birth_date_in_future", { date: String(e.birth_date) });
    case "birth_date_before_1900":
      return t("rn.number.birth_date_before_1900", { date: String(e.birth_date) });
    case "wrong_check_character":
      return t("rn.number.wrong_check_character", { expected: String(e.expected), found: shown(e.found) });
    default:
      return t("rn.number.unknown");
  }
}

export function nameErrorText(error: Known<NameError>): string {
  const e = error as NameError;
  switch (e.kind) {
    case "empty":
      return t("rn.name.empty");
    case "control_character":
      return t("rn.name.control_character", {
        position: num(e.position),
        code: num(e.code_point).toString(16).toUpperCase().padStart(4, "0"),
      });
    case "digit":
    case "latin_not_allowed":
    case "invalid_character":
    case "misplaced_separator":
      return t(`rn.name.${e.kind}`, { position: num(e.position), found: shown(e.found) });
    case "too_short":
      return t("rn.name.too_short", { min: num(e.min), actual: num(e.actual) });
    case "too_long":
      return t("rn.name.too_long", { max: num(e.max), actual: num(e.actual) });
    default:
      return t("rn.name.unknown");
  }
}

export function warningText(warning: Known<IdentityWarning>): string {
  const w = warning as IdentityWarning;
  switch (w.kind) {
    case "region_outside_mainland":
      return t("rn.warning.region_outside_mainland", { code: String(w.code) });
    case "old_taiwan_permit_format":
      return t("rn.warning.old_taiwan_permit_format");
    case "luhn_failed":
      return t("rn.warning.luhn_failed");
    case "virtual_operator":
      return t("rn.warning.virtual_operator", { prefix: String(w.prefix) });
    default:
      return t("rn.warning.unknown");
  }
}

const INPUT_PREFIX: Record<MethodInputKind, "rn.card" | "rn.mobile" | "rn.code"> = {
  bank_card: "rn.card",
  phone: "rn.mobile",
  sms_code: "rn.code",
};

/** The error of a card number, mobile number or SMS code (`check_method_input`, or the
 * platform's `invalid_input` for the same fields). */
export function methodInputErrorText(
  kind: MethodInputKind,
  error: Known<BankCardError | PhoneError | SmsCodeError>,
): string {
  const prefix = INPUT_PREFIX[kind];
  const e = error as BankCardError | PhoneError | SmsCodeError;
  switch (e.kind) {
    case "empty":
      return t(`${prefix}.empty`);
    case "invalid_character":
      return t(`${prefix}.invalid_character`, { position: num(e.position), found: shown(e.found) });
    case "length_out_of_range":
      return kind === "bank_card"
        ? t("rn.card.length_out_of_range", { min: num(e.min), max: num(e.max), actual: num(e.actual) })
        : t("rn.input.unknown");
    case "wrong_length":
      return kind === "bank_card"
        ? t("rn.input.unknown")
        : t(`${kind === "phone" ? "rn.mobile" : "rn.code"}.wrong_length`, { expected: orList(e.expected ?? []), actual: num(e.actual) });
    case "wrong_prefix":
      return kind === "phone"
        ? t("rn.mobile.wrong_prefix", { expected: prefixList(e.expected ?? []), found: shown(e.found) })
        : t("rn.input.unknown");
    default:
      return t("rn.input.unknown");
  }
}

/** Why a method cannot be chosen. `usedUpToday` marks a method this flow saw fail with no
 * attempts left (the chooser's list is from before that failure). */
export function unavailableText(reason: Known<MethodUnavailable> | undefined): string {
  const r = reason as MethodUnavailable | undefined;
  switch (r?.kind) {
    case "document_requires_manual_review":
      return t("rn.unavailable.document_requires_manual_review");
    case "name_not_in_chinese_characters":
      return t("rn.unavailable.name_not_in_chinese_characters");
    case "daily_attempts_used_up": {
      const secs = num(r.retry_after_secs);
      if (secs <= 0) return t("rn.unavailable.usedUpToday");
      const key: MessageKey =
        r.scope === "identity_number" ? "rn.unavailable.daily_attempts_used_up.identity" : "rn.unavailable.daily_attempts_used_up";
      return t(key, { time: formatLongDuration(secs) });
    }
    case "attempts_per_minute_used_up":
      return t("rn.unavailable.attempts_per_minute_used_up", { time: formatLongDuration(Math.max(1, num(r.retry_after_secs))) });
    case "not_offered":
      return t("rn.unavailable.not_offered");
    default:
      return t("rn.unavailable.unknown");
  }
}

const BANK_REASONS: Partial<Record<string, MessageKey>> = {
  name: "rn.reason.bank.name",
  id_number: "rn.reason.bank.id_number",
  card_number: "rn.reason.bank.card_number",
  phone: "rn.reason.bank.phone",
};

const CARRIER_REASONS: Partial<Record<string, MessageKey>> = {
  name: "rn.reason.carrier.name",
  id_number: "rn.reason.carrier.id_number",
  phone: "rn.reason.carrier.phone",
};

const ALIPAY_REASONS: Partial<Record<string, MessageKey>> = {
  name: "rn.reason.alipay.name",
  id_number: "rn.reason.alipay.id_number",
};

const OTHER_REASONS: Partial<Record<string, MessageKey>> = {
  name: "rn.reason.other.name",
  id_number: "rn.reason.other.id_number",
};

function own(table: Partial<Record<string, MessageKey>>, key: string | undefined): MessageKey | undefined {
  return key !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** The plain next step for a failed attempt: what did not match, and what to do. */
export function failureText(
  method: string,
  failure: { reason_code?: FailureReason | undefined; mismatched_element?: MismatchedElement | undefined },
): string {
  const element = failure.mismatched_element;
  switch (failure.reason_code) {
    case "elements_mismatch":
      break;
    case "carrier_check_unsupported":
      return t("rn.reason.carrier_check_unsupported");
    case "sms_code_voided":
      return t("rn.reason.sms_code_voided");
    case "sms_code_expired":
      return t("rn.reason.sms_code_expired");
    // Alipay quick authentication.
    case "user_cancelled":
      return t("rn.reason.user_cancelled");
    case "window_closed":
      return t("rn.reason.window_closed");
    case "alipay_timeout":
      return t("rn.reason.alipay_timeout");
    case "alipay_declined":
      return t("rn.reason.alipay_declined");
    // Manual review: the reviewer's reason.
    case "photo_unclear":
      return t("rn.reason.photo_unclear");
    case "document_mismatch":
      return t("rn.reason.document_mismatch");
    case "not_holding_document":
      return t("rn.reason.not_holding_document");
    case "document_expired":
      return t("rn.reason.document_expired");
    case "review_rejected":
      return t("rn.reason.review_rejected");
    // Face recognition.
    case "liveness_failed":
      return t("rn.reason.face");
    case "face_mismatch":
      return t("rn.liveness.face_mismatch");
    // Not a platform code today; kept in case a carrier provider names it.
    case "carrier_mismatch":
      return t("rn.reason.carrier.phone");
    default:
      return t("rn.reason.generic");
  }
  if (method === "bank_card") return t(own(BANK_REASONS, element) ?? "rn.reason.bank.any");
  if (method === "phone") return t(own(CARRIER_REASONS, element) ?? "rn.reason.carrier.any");
  if (method === "alipay") return t(own(ALIPAY_REASONS, element) ?? "rn.reason.alipay.any");
  return t(own(OTHER_REASONS, element) ?? "rn.reason.generic");
}
