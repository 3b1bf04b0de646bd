// Step 1 (rn-identity): document type, number and name, checked locally as the user types
// (`check_identity`, no network) with precise messages, then submitted (`submit_identity`).
import { api } from "../../api";
import { h } from "../../dom";
import { logError } from "../../errors";
import { t } from "../../i18n";
import { icon } from "../../icons";
import type { ApiError, DocumentType, FieldError, IdentityCheck } from "../../types";
import { CHECK_DEBOUNCE_MS, errorBox, stepCard, submitButton } from "./common";
import { acceptIdentity, flow, focusLater, handleSessionError, identityInput, identityKey, rerender } from "./flow";
import { DOCUMENT_TYPES, documentTypeName, isDocumentType, nameErrorText, numberErrorText, warningText } from "./text";

type Field = "number" | "name";

let timer: number | undefined;
let sequence = 0;

/** Runs `check_identity` for the current input; stale answers are dropped. */
async function runCheck(): Promise<IdentityCheck | null> {
  window.clearTimeout(timer);
  const d = flow.identity;
  const input = identityInput();
  const key = identityKey(input);
  if (d.check && d.checkedKey === key) return d.check;
  const seq = ++sequence;
  try {
    const check = await api.checkIdentity(input);
    if (seq === sequence) {
      d.check = check;
      d.checkedKey = key;
      paint();
    }
    return check;
  } catch (error) {
    // The platform checks again on submit; a failed local check only loses the live hints.
    logError("check_identity", error as ApiError);
    return null;
  }
}

function scheduleCheck(): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => void runCheck(), CHECK_DEBOUNCE_MS);
}

function fieldErrorText(error: FieldError): string {
  return error.field === "number" ? numberErrorText(error.error) : nameErrorText(error.error);
}

/** The message under `field`, if it should show now. */
function errorFor(field: Field): string | null {
  const d = flow.identity;
  const server = d.serverErrors;
  const sameInput = server !== null && server.input.document_type === d.documentType && server.input[field] === d[field];
  const serverError = sameInput ? server.errors.find((e) => e.field === field) : undefined;
  if (serverError) return fieldErrorText(serverError);
  if (!(d.touched[field] || d.submitted) || !d.check) return null;
  const local = d.check.errors.find((e) => e.field === field);
  return local ? fieldErrorText(local) : null;
}

function setInvalid(input: HTMLElement, invalid: boolean): void {
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function setDescribedBy(input: HTMLElement, ids: (string | false | null)[]): void {
  input.setAttribute("aria-describedby", ids.filter((id): id is string => typeof id === "string").join(" "));
}

/** Paints errors, hints and offers from the state onto the elements on screen. */
function paint(): void {
  const d = flow.identity;
  const numberInput = document.getElementById("rn-number");
  const nameInput = document.getElementById("rn-name");
  const numberError = document.getElementById("rn-number-error");
  const nameError = document.getElementById("rn-name-error");
  const hint = document.getElementById("rn-number-hint");
  const converted = document.getElementById("rn-converted");
  const offer = document.getElementById("rn-switch-type");
  const offerText = document.getElementById("rn-switch-type-text");
  if (!numberInput || !nameInput || !numberError || !nameError || !hint || !converted || !offer || !offerText) return;

  // The latest check, even while a newer one is on its way (150 ms): hints do not flicker.
  const check = d.check;
  const numberText = errorFor("number");
  const nameText = errorFor("name");
  numberError.textContent = numberText ?? "";
  nameError.textContent = nameText ?? "";
  setInvalid(numberInput, numberText !== null);
  setInvalid(nameInput, nameText !== null);

  const warnings = numberText === null && check ? check.warnings : [];
  hint.textContent = warnings.map(warningText).join(" ");
  hint.hidden = warnings.length === 0;

  const convertedNumber = numberText === null ? (check?.converted_number ?? null) : null;
  converted.hidden = convertedNumber === null;
  converted.replaceChildren(
    icon("info", "icon notice-icon"),
    h("p", null, convertedNumber === null ? "" : t("rn.identity.converted", { number: convertedNumber })),
  );

  const inferred = check?.inferred_type ?? null;
  const showOffer = inferred !== null && isDocumentType(inferred) && inferred !== d.documentType && d.number.trim() !== "";
  offer.hidden = !showOffer;
  offerText.textContent = showOffer ? t("rn.identity.switchType", { type: documentTypeName(inferred) }) : "";

  setDescribedBy(numberInput, [
    "rn-number-format",
    numberText !== null && "rn-number-error",
    warnings.length > 0 && "rn-number-hint",
    convertedNumber !== null && "rn-converted",
  ]);
  setDescribedBy(nameInput, ["rn-name-help", nameText !== null && "rn-name-error"]);
}

function switchType(type: DocumentType): void {
  const d = flow.identity;
  d.documentType = type;
  d.serverErrors = null;
  rerender(); // the format help and the name rules change with the type
  void runCheck();
  focusLater("rn-number");
}

/** The platform's `invalid_input` for step 1 carries `details.errors` of FieldError. */
function serverFieldErrors(error: ApiError): FieldError[] | null {
  if (error.code !== "invalid_input") return null;
  const errors = error.details?.errors;
  if (!Array.isArray(errors)) return null;
  const valid = errors.filter(
    (e): e is FieldError =>
      typeof e === "object" &&
      e !== null &&
      ((e as FieldError).field === "number" || (e as FieldError).field === "name") &&
      typeof (e as FieldError).error === "object" &&
      (e as FieldError).error !== null &&
      typeof (e as FieldError).error.kind === "string",
  );
  return valid.length > 0 ? valid : null;
}

function firstInvalid(errors: readonly FieldError[]): Field | null {
  if (errors.some((e) => e.field === "number")) return "number";
  if (errors.some((e) => e.field === "name")) return "name";
  return null;
}

async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const d = flow.identity;
  if (d.busy) return;
  d.submitted = true;
  d.error = null;
  const check = await runCheck();
  paint();
  if (check && !check.valid) {
    const field = firstInvalid(check.errors);
    if (field) focusLater(`rn-${field}`);
    return;
  }
  d.busy = true;
  rerender();
  const input = identityInput();
  try {
    const accepted = await api.submitIdentity(input);
    d.busy = false;
    d.serverErrors = null;
    acceptIdentity(accepted);
  } catch (error) {
    const apiError = error as ApiError;
    logError("submit_identity", apiError);
    d.busy = false;
    if (handleSessionError(apiError)) return;
    const fieldErrors = serverFieldErrors(apiError);
    if (fieldErrors) {
      d.serverErrors = { input, errors: fieldErrors };
      rerender();
      const field = firstInvalid(fieldErrors);
      if (field) focusLater(`rn-${field}`);
    } else {
      d.error = apiError;
      rerender();
      focusLater("rn-identity-submit");
    }
  }
}

export function renderIdentity(): HTMLElement {
  const d = flow.identity;

  const select = h(
    "select",
    {
      id: "rn-doc-type",
      class: "select rn-select",
      "data-testid": "rn-doc-type",
      disabled: d.busy,
      on: {
        change: () => {
          if (isDocumentType(select.value)) switchType(select.value);
        },
      },
    },
    DOCUMENT_TYPES.map((type) => h("option", { value: type, selected: type === d.documentType }, t(`doc.${type}`))),
  );

  const numberInput = h("input", {
    id: "rn-number",
    name: "number",
    class: "input mono",
    "data-testid": "rn-number",
    value: d.number,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: 32,
    readonly: d.busy,
    "data-autofocus": true,
    on: {
      input: () => {
        d.number = numberInput.value;
        scheduleCheck();
        paint();
      },
      blur: () => {
        if (d.number.trim() !== "") d.touched.number = true;
        void runCheck();
        paint();
      },
    },
  });

  const nameInput = h("input", {
    id: "rn-name",
    name: "name",
    class: "input",
    "data-testid": "rn-name",
    value: d.name,
    autocomplete: "name",
    spellcheck: "false",
    maxlength: 64,
    readonly: d.busy,
    on: {
      input: () => {
        d.name = nameInput.value;
        scheduleCheck();
        paint();
      },
      blur: () => {
        if (d.name.trim() !== "") d.touched.name = true;
        void runCheck();
        paint();
      },
    },
  });

  const offer = h(
    "div",
    { id: "rn-switch-type", class: "notice notice-info rn-offer", "data-testid": "rn-switch-type", role: "status", hidden: true },
    icon("info", "icon notice-icon"),
    h("p", { id: "rn-switch-type-text", class: "rn-offer-text" }),
    h(
      "button",
      {
        type: "button",
        class: "btn btn-secondary btn-small",
        "data-testid": "rn-switch-type-accept",
        "aria-describedby": "rn-switch-type-text",
        on: {
          click: () => {
            const inferred = d.check?.inferred_type;
            if (inferred && isDocumentType(inferred)) switchType(inferred);
          },
        },
      },
      t("rn.identity.switchTypeAction"),
    ),
  );

  const form = h(
    "form",
    {
      class: "form rn-form",
      "data-testid": "rn-identity-form",
      novalidate: true,
      "aria-busy": String(d.busy),
      on: { submit: (event) => void submit(event) },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: "rn-doc-type", class: "label" }, t("rn.identity.docType")),
      select,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "rn-number", class: "label" }, t("rn.identity.number")),
      numberInput,
      h("p", { id: "rn-number-format", class: "hint" }, t(`rn.identity.format.${d.documentType}`)),
      h("p", { id: "rn-number-error", class: "field-error", "data-testid": "rn-number-error" }),
      h("p", { id: "rn-number-hint", class: "hint hint-warning", "data-testid": "rn-number-hint", hidden: true }),
      h("div", { id: "rn-converted", class: "notice notice-info rn-inline-notice", "data-testid": "rn-converted", hidden: true }),
      offer,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "rn-name", class: "label" }, t("rn.identity.name")),
      nameInput,
      h(
        "p",
        { id: "rn-name-help", class: "hint" },
        t(d.documentType === "passport" ? "rn.identity.nameHint.latin" : "rn.identity.nameHint.chinese"),
      ),
      h("p", { id: "rn-name-error", class: "field-error", "data-testid": "rn-name-error" }),
    ),
    errorBox("rn-identity-error", d.error),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.identity.privacy")),
      submitButton("rn-identity-submit", t("rn.identity.submit"), t("rn.identity.submitting"), d.busy),
    ),
  );

  queueMicrotask(paint);
  if ((d.number !== "" || d.name !== "") && d.checkedKey !== identityKey()) scheduleCheck();

  return stepCard("rn-identity", t("rn.identity.title"), h("p", { class: "muted rn-intro" }, t("rn.identity.intro")), form);
}
