// The words for what can go wrong with a signature: a drawing's quality, an image the Rust side
// refused, a name, or a command's error.
import { errorText } from "../../errors";
import { t, type MessageKey } from "../../i18n";
import type { ApiError, SignatureProblem } from "../../types";

function detailNumber(error: ApiError, name: string): number | null {
  const value = error.details?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function detailString(error: ApiError, name: string): string | null {
  const value = error.details?.[name];
  return typeof value === "string" && value !== "" ? value : null;
}

const PROBLEMS: readonly SignatureProblem[] = [
  "empty",
  "too_small",
  "straight_line",
  "dot",
  "too_little_ink",
  "too_many_points",
  "invalid_point",
  "invalid_pen",
  "not_an_image",
  "corrupt",
  "truncated",
  "animated",
  "no_ink",
];

/** One decimal at most: 10 MB, 9.5 MB. */
function megabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}

/** The reason of an `invalid_signature` error. `source` tells a drawing's `empty` (nothing
 * drawn) from a file's (an empty file). */
function problemText(error: ApiError, source: "drawing" | "photo"): string {
  const reason = detailString(error, "reason") ?? "";
  switch (reason) {
    case "empty":
      return t(source === "drawing" ? "signature.problem.empty" : "signature.problem.emptyFile");
    case "unsupported_format": {
      const format = (detailString(error, "format") ?? "").toLowerCase();
      if (format === "heic" || format === "heif") return t("signature.problem.heic");
      return format === ""
        ? t("signature.problem.unsupported_format.unknown")
        : t("signature.problem.unsupported_format", { format: format.toUpperCase() });
    }
    case "too_large": {
      const max = detailNumber(error, "max") ?? 10 * 1024 * 1024;
      return t("signature.problem.too_large", { max: megabytes(max) });
    }
    case "too_many_pixels": {
      const max = detailNumber(error, "max_pixels") ?? 40_000_000;
      const width = detailNumber(error, "width");
      const height = detailNumber(error, "height");
      const params = { wan: Math.round(max / 10_000), mp: Math.round(max / 100_000) / 10 };
      return width !== null && height !== null
        ? t("signature.problem.too_many_pixels.size", { ...params, width, height })
        : t("signature.problem.too_many_pixels", params);
    }
    default:
      return (PROBLEMS as readonly string[]).includes(reason)
        ? t(`signature.problem.${reason}` as MessageKey)
        : t(source === "drawing" ? "signature.problem.drawing" : "signature.problem.photo");
  }
}

/** An `invalid_input` about the name, in words about the name. */
function nameInputText(error: ApiError): string | null {
  if (error.code !== "invalid_input" || detailString(error, "field") !== "name") return null;
  switch (detailString(error, "reason")) {
    case "empty":
      return t("signature.name.empty");
    case "too_long":
      return t("signature.name.tooLong.noCount", { max: 32 });
    case "invalid_characters":
    case "invalid_chars":
      return t("signature.name.invalidCharacters");
    default:
      return t("signature.name.invalid");
  }
}

/** Whether the error is about the name field (shown under it rather than in the error box). */
export function isNameError(error: ApiError): boolean {
  return nameInputText(error) !== null;
}

/** The text for a signature command's error. */
export function signatureErrorText(error: ApiError, source: "drawing" | "photo" | "list" = "list"): string {
  switch (error.code) {
    case "invalid_signature":
      return problemText(error, source === "drawing" ? "drawing" : "photo");
    case "invalid_input":
      return nameInputText(error) ?? errorText(error);
    case "not_found":
      return t(source === "list" ? "signature.notFound" : source === "drawing" ? "signature.draftGone" : "signature.photoGone");
    default:
      return errorText(error);
  }
}
