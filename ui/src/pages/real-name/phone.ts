// Phone method (rn-phone): the carrier checks name + ID + number (`start_phone_verification`),
// then a 6-digit SMS code is confirmed (`confirm_sms_code`). Resend after a 60 s countdown
// (`resend_sms_code`); the code is valid for 5 minutes; a wrong code has its own state.
import { api } from "../../api";
import { byTestId, h } from "../../dom";
import { attemptsLeft, isDailyBudgetSpent, logError } from "../../errors";
import { formatDuration, t } from "../../i18n";
import { icon } from "../../icons";
import type { ApiError, Known, SmsChallenge } from "../../types";
import { backToMethods, errorBox, expiredPanel, identitySummary, liveInput, stepCard, submitButton, validateLive } from "./common";
import { expiredNow, finishAttempt, flow, focusLater, go, handleMethodError, liveField, recordedFailure, rerender } from "./flow";
import { warningText } from "./text";

/** Errors after which the current code cannot be confirmed any more. */
const CODE_ENDING_ERRORS = new Set(["sms_code_expired", "sms_code_voided"]);

/** `not_found` with `details.reason = "no_sms_code"`: no code is open (e.g. voided meanwhile). */
function isNoCode(error: ApiError): boolean {
  return error.code === "not_found" && error.details?.reason === "no_sms_code";
}

/** `details.method_attempts_left` of a voided code. */
function methodAttemptsLeft(error: ApiError): number | null {
  const left = error.details?.method_attempts_left;
  return typeof left === "number" ? left : null;
}

/** The `invalid_input` error of one field (`details.errors: [{ field, error }]`). */
function serverFieldError(error: ApiError, field: string): Known<{ kind: string }> | null {
  if (error.code !== "invalid_input" || !Array.isArray(error.details?.errors)) return null;
  const item = (error.details.errors as { field?: unknown; error?: unknown }[]).find((e) => e?.field === field);
  const value = item?.error;
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string"
    ? (value as Known<{ kind: string }>)
    : null;
}

let ticker: number | undefined;

function secondsUntil(epochMs: number): number {
  return Math.max(0, Math.ceil((epochMs - Date.now()) / 1000));
}

function setChallenge(challenge: SmsChallenge): void {
  const p = flow.phone;
  const now = Date.now();
  p.challenge = challenge;
  p.stage = "code";
  p.resendAt = now + challenge.resend_after * 1000;
  p.codeExpiresAt = now + challenge.expires_in * 1000;
  p.code = liveField();
  p.wrong = null;
  p.codeDead = false;
  p.error = null;
}

/** Errors common to the three phone commands; true when nothing more is to be shown. */
function handleError(context: string, error: ApiError): boolean {
  logError(context, error);
  flow.phone.busy = null;
  if (handleMethodError("phone", error)) {
    rerender();
    return true;
  }
  if (error.code === "sms_daily_limit") flow.phone.dailyLimit = true;
  return false;
}

async function send(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const p = flow.phone;
  if (p.busy) return;
  p.error = null;
  const invalid = await validateLive([{ id: "rn-phone-number", kind: "phone", field: p.number }]);
  if (invalid) {
    focusLater(invalid);
    return;
  }
  const accepted = flow.accepted;
  if (!accepted || expiredNow()) {
    rerender();
    return;
  }
  p.busy = "send";
  rerender();
  try {
    const answer = await api.startPhoneVerification({ verification_id: accepted.verification_id, phone: p.number.value.trim() });
    p.busy = null;
    if (answer.status === "failed") {
      finishAttempt("phone", answer.result);
      return;
    }
    setChallenge(answer.challenge);
    rerender();
    focusLater("rn-sms-code");
  } catch (error) {
    const apiError = error as ApiError;
    if (handleError("start_phone_verification", apiError)) return;
    const phoneError = serverFieldError(apiError, "phone");
    if (phoneError) {
      p.number.serverError = { value: p.number.value, error: phoneError };
      rerender();
      focusLater("rn-phone-number");
    } else {
      p.error = apiError;
      rerender();
      focusLater("rn-phone-send");
    }
  }
}

async function resend(): Promise<void> {
  const p = flow.phone;
  const accepted = flow.accepted;
  if (p.busy || !accepted || secondsUntil(p.resendAt) > 0) return;
  if (expiredNow()) {
    rerender();
    return;
  }
  p.busy = "resend";
  p.error = null;
  rerender();
  try {
    setChallenge(await api.resendSmsCode({ verification_id: accepted.verification_id }));
    p.busy = null;
    rerender();
    focusLater("rn-sms-code");
  } catch (error) {
    const apiError = error as ApiError;
    if (handleError("resend_sms_code", apiError)) return;
    p.error = apiError;
    rerender();
    focusLater("rn-sms-resend");
  }
}

async function confirm(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const p = flow.phone;
  const accepted = flow.accepted;
  if (p.busy || !accepted) return;
  if (p.codeDead || secondsUntil(p.codeExpiresAt) === 0) {
    p.codeDead = true;
    p.error = p.error ?? { code: "sms_code_expired", message: "the code's lifetime has passed" };
    rerender();
    focusLater("rn-sms-resend");
    return;
  }
  const invalid = await validateLive([{ id: "rn-sms-code", kind: "sms_code", field: p.code }]);
  if (invalid) {
    focusLater(invalid);
    return;
  }
  if (expiredNow()) {
    rerender();
    return;
  }
  p.busy = "confirm";
  p.error = null;
  rerender();
  try {
    const result = await api.confirmSmsCode({ verification_id: accepted.verification_id, code: p.code.value.replace(/\s/g, "") });
    p.busy = null;
    finishAttempt("phone", result);
  } catch (error) {
    const apiError = error as ApiError;
    if (handleError("confirm_sms_code", apiError)) return;
    if (apiError.code === "wrong_sms_code") {
      // Its own state: say how many tries are left, clear the code and let the user type again.
      p.wrong = attemptsLeft(apiError) ?? 0;
      p.code = liveField();
      rerender();
      focusLater("rn-sms-code");
      return;
    }
    p.wrong = null;
    const codeError = serverFieldError(apiError, "code");
    if (codeError) {
      p.code.serverError = { value: p.code.value, error: codeError };
      rerender();
      focusLater("rn-sms-code", true);
      return;
    }
    const ended = CODE_ENDING_ERRORS.has(apiError.code) || isNoCode(apiError);
    if (ended) {
      p.codeDead = true;
      p.code = liveField();
    }
    // The platform records a voided or expired code as a failed attempt.
    if (CODE_ENDING_ERRORS.has(apiError.code)) recordedFailure("phone", methodAttemptsLeft(apiError));
    p.error = apiError;
    rerender();
    focusLater(ended ? "rn-sms-resend" : "rn-sms-confirm");
  }
}

function changePhone(): void {
  const p = flow.phone;
  p.stage = "enter";
  p.error = null;
  p.wrong = null;
  p.busy = null;
  rerender();
  focusLater("rn-phone-number", true);
}

/** Updates the resend countdown and the code's remaining validity once a second. */
function tick(): void {
  const resendButton = byTestId<HTMLButtonElement>(document, "rn-sms-resend");
  const expiry = byTestId(document, "rn-sms-expiry");
  if (!resendButton || !expiry) {
    window.clearInterval(ticker);
    ticker = undefined;
    return;
  }
  paintTimers(resendButton, expiry);
}

function paintTimers(resendButton: HTMLButtonElement, expiry: HTMLElement): void {
  const p = flow.phone;
  const wait = secondsUntil(p.resendAt);
  const busy = p.busy === "resend";
  resendButton.disabled = wait > 0 || p.busy !== null || p.dailyLimit;
  const label = resendButton.querySelector(".rn-resend-label");
  if (label) label.textContent = busy ? t("rn.sms.resending") : wait > 0 ? t("rn.sms.resendIn", { s: wait }) : t("rn.sms.resend");
  const left = secondsUntil(p.codeExpiresAt);
  expiry.textContent = p.codeDead ? "" : left > 0 ? t("rn.sms.validFor", { time: formatDuration(left) }) : t("rn.sms.expiredLocal");
  expiry.dataset.expired = String(left === 0 && !p.codeDead);
}

function renderEnter(): HTMLElement {
  const p = flow.phone;
  const number = liveInput({
    kind: "phone",
    field: p.number,
    id: "rn-phone-number",
    label: t("rn.phone.number"),
    help: t("rn.phone.numberHint"),
    attrs: { type: "tel", inputmode: "tel", autocomplete: "tel-national", maxlength: 20, class: "input mono", "data-autofocus": true, readonly: p.busy !== null },
  });
  return h(
    "form",
    {
      class: "form rn-form",
      "data-testid": "rn-phone-form",
      novalidate: true,
      "aria-busy": String(p.busy !== null),
      on: { submit: (event) => void send(event) },
    },
    number.element,
    errorBox("rn-phone-error", p.error, otherMethodsAction(p.error)),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.bank.privacy")),
      submitButton("rn-phone-send", t("rn.phone.send"), t("rn.phone.sending"), p.busy === "send"),
    ),
  );
}

/** After errors that close this method for today, a way to the other methods. */
function otherMethodsAction(error: ApiError | null): HTMLElement | null {
  if (!error || !(error.code === "sms_daily_limit" || isDailyBudgetSpent(error))) return null;
  return h(
    "button",
    { type: "button", class: "btn btn-secondary btn-small rn-error-action", "data-testid": "rn-phone-other-methods", on: { click: () => go("methods") } },
    t("rn.failure.otherMethods"),
  );
}

function renderCode(): HTMLElement {
  const p = flow.phone;
  const challenge = p.challenge;
  const code = liveInput({
    kind: "sms_code",
    field: p.code,
    id: "rn-sms-code",
    label: t("rn.sms.code"),
    attrs: {
      inputmode: "numeric",
      autocomplete: "one-time-code",
      maxlength: 6,
      pattern: "[0-9]*",
      class: "input mono rn-code-input",
      "data-autofocus": true,
      readonly: p.busy !== null,
      disabled: p.codeDead,
    },
  });

  const resendButton = h(
    "button",
    {
      type: "button",
      class: `btn btn-secondary${p.busy === "resend" ? " is-busy" : ""}`,
      "data-testid": "rn-sms-resend",
      id: "rn-sms-resend",
      on: { click: () => void resend() },
    },
    h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }),
    h("span", { class: "rn-resend-label" }),
  );
  const expiry = h("p", { class: "hint rn-expiry", "data-testid": "rn-sms-expiry", "aria-live": "off" });
  paintTimers(resendButton, expiry);
  window.clearInterval(ticker);
  ticker = window.setInterval(tick, 1000);

  const confirmButton = submitButton("rn-sms-confirm", t("rn.sms.confirm"), t("rn.sms.confirming"), p.busy === "confirm");
  if (p.codeDead) confirmButton.disabled = true;

  return h(
    "form",
    {
      class: "form rn-form",
      "data-testid": "rn-sms-form",
      novalidate: true,
      "aria-busy": String(p.busy !== null),
      on: { submit: (event) => void confirm(event) },
    },
    h(
      "div",
      { class: "notice notice-info", "data-testid": "rn-sms-sent", role: "status" },
      icon("message", "icon notice-icon"),
      h(
        "div",
        null,
        h("p", null, t("rn.sms.sentTo", { phone: challenge?.masked_phone ?? "" })),
        challenge ? h("p", { class: "rn-notice-sub" }, t("rn.sms.codesLeft", { n: challenge.codes_left_today })) : null,
        (challenge?.warnings ?? []).map((w) => h("p", { class: "rn-notice-sub", "data-testid": "rn-sms-warning" }, warningText(w))),
      ),
    ),
    p.wrong !== null
      ? h(
          "div",
          { class: "form-error", role: "alert", "data-testid": "rn-sms-wrong" },
          icon("alert", "icon form-error-icon"),
          h(
            "div",
            null,
            h("p", { class: "form-error-text" }, t("rn.sms.wrong", { n: p.wrong })),
            h("p", { class: "rn-error-sub" }, t("rn.sms.wrongHint")),
          ),
        )
      : null,
    h("div", { class: "rn-code-field" }, code.element, expiry),
    errorBox("rn-sms-error", p.error, otherMethodsAction(p.error)),
    h(
      "div",
      { class: "rn-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-ghost", "data-testid": "rn-phone-change", on: { click: changePhone } },
        t("rn.sms.changePhone"),
      ),
      h("div", { class: "rn-actions-end" }, resendButton, confirmButton),
    ),
  );
}

export function renderPhone(): HTMLElement {
  if (expiredNow()) {
    return stepCard("rn-phone", t("rn.phone.title"), backToMethods(), identitySummary(), expiredPanel());
  }
  const p = flow.phone;
  const body = p.stage === "code" && p.challenge ? renderCode() : renderEnter();
  return stepCard(
    "rn-phone",
    t("rn.phone.title"),
    backToMethods(),
    identitySummary(),
    p.stage === "code" ? null : h("p", { class: "muted rn-intro" }, t("rn.phone.intro")),
    body,
  );
}
