// Bank card method (rn-bank-card): the card number (grouped by 4 as typed; a Luhn failure only
// warns) and the phone number reserved at the bank, checked locally, then `verify_bank_card`.
import { api } from "../../api";
import { h } from "../../dom";
import { isDailyBudgetSpent, logError } from "../../errors";
import { t } from "../../i18n";
import { icon } from "../../icons";
import type { ApiError, Known } from "../../types";
import { backToMethods, errorBox, expiredPanel, identitySummary, liveInput, stepCard, submitButton, validateLive } from "./common";
import { expiredNow, finishAttempt, flow, focusLater, go, handleMethodError, rerender, type LiveField } from "./flow";

/** Formats digits in groups of 4 as the user types, keeping the caret after the same digit.
 * Input with other characters is left alone so that its error can point at them. */
export function formatCardNumber(input: HTMLInputElement, previous: string): void {
  let raw = input.value;
  if (!/^[\d\s]*$/.test(raw)) return;
  let caret = input.selectionStart ?? raw.length;
  const digits = (text: string) => text.replace(/\s/g, "");
  // Backspace over a group separator deletes the digit before it, as users expect.
  if (digits(raw) === digits(previous) && raw.length < previous.length && caret > 0) {
    raw = raw.slice(0, caret - 1) + raw.slice(caret);
    caret -= 1;
  }
  const digitsBefore = digits(raw.slice(0, caret)).length;
  const formatted = digits(raw).replace(/(\d{4})(?=\d)/g, "$1 ");
  if (formatted === input.value) return;
  input.value = formatted;
  let position = 0;
  for (let seen = 0; position < formatted.length && seen < digitsBefore; position += 1) {
    if (formatted[position] !== " ") seen += 1;
  }
  if (document.activeElement === input) input.setSelectionRange(position, position);
}

/** `invalid_input` of the bank-card command: `details.errors` of `{ field, error }`, with the
 * fields `card_number` and `phone`. */
function applyServerErrors(error: ApiError): string | null {
  if (error.code !== "invalid_input" || !Array.isArray(error.details?.errors)) return null;
  const fields: Record<string, { id: string; field: LiveField }> = {
    card_number: { id: "rn-card-number", field: flow.bank.card },
    phone: { id: "rn-bank-phone", field: flow.bank.phone },
  };
  let first: string | null = null;
  for (const item of error.details.errors as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { field, error: fieldError } = item as { field?: unknown; error?: unknown };
    const target = typeof field === "string" && Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined;
    if (!target || typeof fieldError !== "object" || fieldError === null) continue;
    target.field.serverError = { value: target.field.value, error: fieldError as Known<{ kind: string }> };
    first ??= target.id;
  }
  return first;
}

async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const bank = flow.bank;
  if (bank.busy) return;
  bank.error = null;
  const invalid = await validateLive([
    { id: "rn-card-number", kind: "bank_card", field: bank.card },
    { id: "rn-bank-phone", kind: "phone", field: bank.phone },
  ]);
  if (invalid) {
    rerender();
    focusLater(invalid);
    return;
  }
  const accepted = flow.accepted;
  if (!accepted || expiredNow()) {
    rerender();
    return;
  }
  bank.busy = true;
  rerender();
  try {
    const result = await api.verifyBankCard({
      verification_id: accepted.verification_id,
      card_number: bank.card.value.replace(/\s/g, ""),
      phone: bank.phone.value.trim(),
    });
    bank.busy = false;
    finishAttempt("bank_card", result);
  } catch (error) {
    const apiError = error as ApiError;
    logError("verify_bank_card", apiError);
    bank.busy = false;
    if (handleMethodError("bank_card", apiError)) {
      rerender();
      return;
    }
    const field = applyServerErrors(apiError);
    if (field === null) bank.error = apiError;
    rerender();
    focusLater(field ?? "rn-bank-submit");
  }
}

export function renderBankCard(): HTMLElement {
  const bank = flow.bank;
  if (expiredNow()) {
    return stepCard("rn-bank-card", t("rn.bank.title"), backToMethods(), identitySummary(), expiredPanel());
  }

  const card = liveInput({
    kind: "bank_card",
    field: bank.card,
    id: "rn-card-number",
    label: t("rn.bank.cardNumber"),
    help: t("rn.bank.cardHint"),
    format: formatCardNumber,
    attrs: { inputmode: "numeric", maxlength: 32, class: "input mono", "data-autofocus": true, readonly: bank.busy },
  });
  const phone = liveInput({
    kind: "phone",
    field: bank.phone,
    id: "rn-bank-phone",
    label: t("rn.bank.phone"),
    help: t("rn.bank.phoneHint"),
    attrs: { type: "tel", inputmode: "tel", maxlength: 20, class: "input mono", readonly: bank.busy },
  });

  const spent = bank.error !== null && isDailyBudgetSpent(bank.error);
  const form = h(
    "form",
    {
      class: "form rn-form",
      "data-testid": "rn-bank-form",
      novalidate: true,
      "aria-busy": String(bank.busy),
      on: { submit: (event) => void submit(event) },
    },
    card.element,
    phone.element,
    errorBox(
      "rn-bank-error",
      bank.error,
      spent
        ? h(
            "button",
            { type: "button", class: "btn btn-secondary btn-small rn-error-action", "data-testid": "rn-bank-other-methods", on: { click: () => go("methods") } },
            t("rn.failure.otherMethods"),
          )
        : null,
    ),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.bank.privacy")),
      submitButton("rn-bank-submit", t("rn.bank.submit"), t("rn.bank.submitting"), bank.busy),
    ),
  );

  return stepCard(
    "rn-bank-card",
    t("rn.bank.title"),
    backToMethods(),
    identitySummary(),
    h("p", { class: "muted rn-intro" }, t("rn.bank.intro")),
    form,
  );
}
