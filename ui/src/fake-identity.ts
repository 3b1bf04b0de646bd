// Development-only: the identity rules of `crates/domain/src/identity` approximated in
// TypeScript, so that the fake backend (fake-backend.ts) can answer `check_identity`,
// `check_method_input` and the real-name commands in a plain browser. Loaded only with it.
import type {
  BankCardError,
  CharacterClass,
  DocumentType,
  FieldError,
  IdentityCheck,
  IdentityInput,
  IdentityWarning,
  MethodInputCheck,
  MethodInputKind,
  NameError,
  NumberError,
  PhoneError,
  SmsCodeError,
} from "./types";

type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export interface ValidNumber {
  type: DocumentType;
  number: string;
  converted: boolean;
  warnings: IdentityWarning[];
}

function foldFullWidth(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code === 0x3000) return " ";
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCodePoint(code - 0xfee0);
  return c;
}

function normaliseNumber(raw: string): string[] {
  return Array.from(raw)
    .map(foldFullWidth)
    .filter((c) => !/\s/.test(c))
    .map((c) => c.toUpperCase());
}

const isDigit = (c: string) => /^[0-9]$/.test(c);
const isUpper = (c: string) => /^[A-Z]$/.test(c);

function ofClass(c: string, cls: CharacterClass): boolean {
  switch (cls) {
    case "digit":
      return isDigit(c);
    case "digit_or_x":
      return isDigit(c) || c === "X";
    case "letter":
      return isUpper(c);
    case "letter_or_digit":
      return isUpper(c) || isDigit(c);
  }
}

function checkCharacters(chars: string[], max: number, classAt: (position: number) => CharacterClass): NumberError | null {
  for (let i = 0; i < Math.min(chars.length, max); i += 1) {
    const expected = classAt(i + 1);
    const found = chars[i] ?? "";
    if (!ofClass(found, expected)) return { kind: "invalid_character", position: i + 1, found, expected };
  }
  return null;
}

const eighteen = (position: number): CharacterClass => (position === 18 ? "digit_or_x" : "digit");

export function mod11(body: string[]): string | null {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  if (body.length !== 17 || !body.every(isDigit)) return null;
  const sum = body.reduce((acc, c, i) => acc + Number(c) * (weights[i] ?? 0), 0);
  return "10X98765432"[sum % 11] ?? null;
}

function icao731(body: string[]): string | null {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    const value = parseInt(body[i] ?? "", 36);
    if (Number.isNaN(value)) return null;
    sum += value * (weights[i % 3] ?? 0);
  }
  return String(sum % 10);
}

export function luhnPasses(digits: string): boolean {
  let sum = 0;
  Array.from(digits)
    .reverse()
    .forEach((c, i) => {
      let d = Number(c);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    });
  return sum % 10 === 0;
}

function daysInMonth(year: number, month: number): number {
  if ([1, 3, 5, 7, 8, 10, 12].includes(month)) return 31;
  if ([4, 6, 9, 11].includes(month)) return 30;
  if (month !== 2) return 0;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

function birthDate(digits: string[], today: string): NumberError | null {
  const text = digits.join("");
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { kind: "invalid_birth_date", year, month, day };
  }
  const date = iso(year, month, day);
  if (year < 1900) return { kind: "birth_date_before_1900", birth_date: date };
  if (date > today) return { kind: "birth_date_in_future", birth_date: date, today };
  return null;
}

export function todayIso(): string {
  const now = new Date();
  return iso(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

export function validateNumber(type: DocumentType, raw: string, today = todayIso()): Result<ValidNumber, NumberError> {
  let chars = normaliseNumber(raw);
  if (type === "taiwan_permit") chars = chars.filter((c) => c !== "(" && c !== ")");
  const fail = (error: NumberError): Result<ValidNumber, NumberError> => ({ ok: false, error });
  const ok = (number: string[], extra: Partial<ValidNumber> = {}): Result<ValidNumber, NumberError> => ({
    ok: true,
    value: { type, number: number.join(""), converted: false, warnings: [], ...extra },
  });
  if (chars.length === 0) return fail({ kind: "empty" });
  const first = chars[0] ?? "";
  switch (type) {
    case "id_card": {
      const bad = checkCharacters(chars, 18, eighteen);
      if (bad) return fail(bad);
      if (chars.length !== 15 && chars.length !== 18) return fail({ kind: "wrong_length", expected: [15, 18], actual: chars.length });
      const legacy = chars.length === 15;
      const code = chars.slice(0, 2).join("");
      const province = Number(code);
      const warnings: IdentityWarning[] = [];
      if ([71, 81, 82].includes(province)) warnings.push({ kind: "region_outside_mainland", code });
      else if (!(province >= 11 && province <= 65)) return fail({ kind: "unknown_region", code });
      const full = legacy ? [...chars.slice(0, 6), "1", "9", ...chars.slice(6)] : [...chars];
      const date = birthDate(full.slice(6, 14), today);
      if (date) return fail(date);
      const expected = mod11(full.slice(0, 17));
      if (expected === null) return fail({ kind: "wrong_length", expected: [18], actual: full.length });
      if (legacy) full.push(expected);
      else if (full[17] !== expected) return fail({ kind: "wrong_check_character", expected, found: full[17] ?? "" });
      return ok(full, { converted: legacy, warnings });
    }
    case "passport": {
      const bad = checkCharacters(chars, 20, () => "letter_or_digit");
      if (bad) return fail(bad);
      if (chars.length < 5 || chars.length > 20) return fail({ kind: "length_out_of_range", min: 5, max: 20, actual: chars.length });
      return ok(chars);
    }
    case "hk_macao_permit": {
      if (first !== "H" && first !== "M") return fail({ kind: "wrong_prefix", expected: ["H", "M"], found: first });
      const bad = checkCharacters(chars, 11, (p) => (p === 1 ? "letter" : "digit"));
      if (bad) return fail(bad);
      if (chars.length !== 9 && chars.length !== 11) return fail({ kind: "wrong_length", expected: [9, 11], actual: chars.length });
      return ok(chars);
    }
    case "taiwan_permit": {
      const bad = checkCharacters(chars, 12, () => "letter_or_digit");
      if (bad) return fail(bad);
      if (chars.every(isDigit)) {
        if (chars.length !== 8 && chars.length !== 10) return fail({ kind: "wrong_length", expected: [8, 10], actual: chars.length });
        return ok(chars);
      }
      if (chars.length < 7 || chars.length > 12) return fail({ kind: "length_out_of_range", min: 7, max: 12, actual: chars.length });
      return ok(chars, { warnings: [{ kind: "old_taiwan_permit_format" }] });
    }
    case "residence_permit": {
      const bad = checkCharacters(chars, 18, eighteen);
      if (bad) return fail(bad);
      if (chars.length !== 18) return fail({ kind: "wrong_length", expected: [18], actual: chars.length });
      const prefix = chars.slice(0, 6).join("");
      if (!["810000", "820000", "830000"].includes(prefix)) return fail({ kind: "wrong_prefix", expected: ["810000", "820000", "830000"], found: prefix });
      const date = birthDate(chars.slice(6, 14), today);
      if (date) return fail(date);
      const expected = mod11(chars.slice(0, 17));
      if (expected !== chars[17]) return fail({ kind: "wrong_check_character", expected: expected ?? "?", found: chars[17] ?? "" });
      return ok(chars);
    }
    case "foreign_permanent": {
      if (/^[A-Z]$/.test(first)) {
        const bad = checkCharacters(chars, 15, (p) => (p <= 3 ? "letter" : "digit"));
        if (bad) return fail(bad);
        if (chars.length !== 15) return fail({ kind: "wrong_length", expected: [15], actual: chars.length });
        const expected = icao731(chars.slice(0, 14));
        if (expected !== chars[14]) return fail({ kind: "wrong_check_character", expected: expected ?? "?", found: chars[14] ?? "" });
        return ok(chars);
      }
      const bad = checkCharacters(chars, 18, eighteen);
      if (bad) return fail(bad);
      if (chars.length !== 18) return fail({ kind: "wrong_length", expected: [18], actual: chars.length });
      if (first !== "9") return fail({ kind: "wrong_prefix", expected: ["9"], found: first });
      const expected = mod11(chars.slice(0, 17));
      if (expected !== chars[17]) return fail({ kind: "wrong_check_character", expected: expected ?? "?", found: chars[17] ?? "" });
      return ok(chars);
    }
  }
}

const MIDDLE_DOT = "\u00b7";
const isChinese = (c: string) => /^[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3347f}]$/u.test(c);
const isLatin = (c: string) => /^[A-Za-z\u00c0-\u024f\u1e00-\u1eff]$/.test(c) && /\p{L}/u.test(c);

export function validateName(type: DocumentType, raw: string): Result<string, NameError> {
  const latinAllowed = type === "passport";
  const trimmed = raw.trim();
  if (trimmed === "") return { ok: false, error: { kind: "empty" } };
  const chars: string[] = [];
  for (const original of Array.from(trimmed)) {
    const c = original === "\u2022" || original === "\u30fb" ? MIDDLE_DOT : original === "\u00a0" ? " " : original === "\u2019" ? "'" : foldFullWidth(original);
    if (!(latinAllowed && c === " " && chars[chars.length - 1] === " ")) chars.push(c);
  }
  type Kind = "chinese" | "latin" | "mark" | "separator";
  let previous: Kind | null = null;
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] ?? "";
    const position = i + 1;
    let kind: Kind;
    if (/^\p{Cc}$/u.test(c)) return { ok: false, error: { kind: "control_character", position, code_point: c.codePointAt(0) ?? 0 } };
    if (isChinese(c)) kind = "chinese";
    else if (c === MIDDLE_DOT || (latinAllowed && [" ", "-", "'"].includes(c))) kind = "separator";
    else if (isLatin(c)) {
      if (!latinAllowed) return { ok: false, error: { kind: "latin_not_allowed", position, found: c } };
      kind = "latin";
    } else if (latinAllowed && /^[\u0300-\u036f]$/.test(c)) kind = "mark";
    else if (/^\p{N}$/u.test(c)) return { ok: false, error: { kind: "digit", position, found: c } };
    else return { ok: false, error: { kind: "invalid_character", position, found: c } };
    if (kind === "separator" && (previous === null || previous === "separator")) {
      return { ok: false, error: { kind: "misplaced_separator", position, found: c } };
    }
    if (kind === "mark" && (previous === null || previous === "separator" || previous === "chinese")) {
      return { ok: false, error: { kind: "invalid_character", position, found: c } };
    }
    previous = kind;
  }
  if (previous === "separator") return { ok: false, error: { kind: "misplaced_separator", position: chars.length, found: chars[chars.length - 1] ?? "" } };
  if (chars.length < 2) return { ok: false, error: { kind: "too_short", min: 2, actual: chars.length } };
  if (chars.length > 30) return { ok: false, error: { kind: "too_long", max: 30, actual: chars.length } };
  return { ok: true, value: chars.join("") };
}

export function chineseName(name: string): boolean {
  const chars = Array.from(name);
  return chars.some(isChinese) && chars.every((c) => isChinese(c) || c === MIDDLE_DOT);
}

export function inferType(raw: string): DocumentType | null {
  const chars = normaliseNumber(raw);
  const text = chars.join("");
  if (/^\d{17}[\dX]$/.test(text)) {
    if (/^8[123]0000/.test(text)) return "residence_permit";
    if (text.startsWith("9")) return "foreign_permanent";
    return "id_card";
  }
  if (/^\d{15}$/.test(text)) return "id_card";
  if (/^[A-Z]{3}\d{12}$/.test(text)) return "foreign_permanent";
  if (/^[HM](\d{8}|\d{10})$/.test(text)) return "hk_macao_permit";
  if (/^[EGDSPK]\d{8}$/.test(text)) return "passport";
  if (/^(E[A-F]|DE|SE|PE|KJ|MA|14|15)\d{7}$/.test(text)) return "passport";
  if (/^(\d{8}|\d{10})$/.test(text)) return "taiwan_permit";
  return null;
}

export function checkIdentity(input: IdentityInput): IdentityCheck {
  const number = validateNumber(input.document_type, input.number);
  const name = validateName(input.document_type, input.name);
  const errors: FieldError[] = [];
  if (!number.ok) errors.push({ field: "number", error: number.error });
  if (!name.ok) errors.push({ field: "name", error: name.error });
  return {
    valid: errors.length === 0,
    errors,
    warnings: number.ok ? number.value.warnings : [],
    inferred_type: inferType(input.number),
    converted_number: number.ok && number.value.converted ? number.value.number : null,
  };
}

export function maskIdNumber(number: string): string {
  const chars = Array.from(number);
  if (chars.length <= 7) return "*".repeat(chars.length);
  return chars.slice(0, 3).join("") + "*".repeat(chars.length - 7) + chars.slice(-4).join("");
}

export function normaliseMobile(raw: string): string {
  const chars = Array.from(raw)
    .map(foldFullWidth)
    .filter((c) => !/\s/.test(c) && c !== "-")
    .join("");
  if (chars.startsWith("+86")) return chars.slice(3);
  if (chars.startsWith("86") && chars.length === 13) return chars.slice(2);
  return chars;
}

export function maskPhone(raw: string): string {
  return maskIdNumber(normaliseMobile(raw));
}

function firstNonDigit(digits: string): { position: number; found: string } | null {
  const chars = Array.from(digits);
  const index = chars.findIndex((c) => !isDigit(c));
  return index === -1 ? null : { position: index + 1, found: chars[index] ?? "" };
}

export function checkMethodInput(kind: MethodInputKind, value: string): MethodInputCheck {
  const invalid = (error: BankCardError | PhoneError | SmsCodeError): MethodInputCheck => ({ valid: false, error, warnings: [], masked: null });
  if (kind === "bank_card") {
    const digits = normaliseNumber(value).join("");
    if (digits === "") return invalid({ kind: "empty" });
    const bad = firstNonDigit(digits);
    if (bad) return invalid({ kind: "invalid_character", ...bad, expected: "digit" });
    if (digits.length < 16 || digits.length > 19) return invalid({ kind: "length_out_of_range", min: 16, max: 19, actual: digits.length });
    return { valid: true, error: null, warnings: luhnPasses(digits) ? [] : [{ kind: "luhn_failed" }], masked: `**** **** **** ${digits.slice(-4)}` };
  }
  if (kind === "phone") {
    const digits = normaliseMobile(value);
    if (digits === "") return invalid({ kind: "empty" });
    const bad = firstNonDigit(digits);
    if (bad) return invalid({ kind: "invalid_character", ...bad, expected: "digit" });
    if (digits.length !== 11) return invalid({ kind: "wrong_length", expected: [11], actual: digits.length });
    if (!/^1[3-9]/.test(digits)) return invalid({ kind: "wrong_prefix", expected: ["13", "14", "15", "16", "17", "18", "19"], found: digits.slice(0, 2) });
    const prefix = ["170", "171", "162", "165", "167"].find((p) => digits.startsWith(p));
    return { valid: true, error: null, warnings: prefix ? [{ kind: "virtual_operator", prefix }] : [], masked: maskPhone(digits) };
  }
  const digits = Array.from(value).map(foldFullWidth).filter((c) => !/\s/.test(c)).join("");
  if (digits === "") return invalid({ kind: "empty" });
  const bad = firstNonDigit(digits);
  if (bad) return invalid({ kind: "invalid_character", ...bad, expected: "digit" });
  if (digits.length !== 6) return invalid({ kind: "wrong_length", expected: [6], actual: digits.length });
  return { valid: true, error: null, warnings: [], masked: null };
}
