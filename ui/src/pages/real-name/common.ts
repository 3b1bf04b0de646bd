// Pieces shared by the real-name steps: the stepper, the identity being verified, error boxes,
// the expired-session panel, and inputs checked as the user types (`check_method_input`).
import { api } from "../../api";
import { h } from "../../dom";
import { errorText, logError, shouldShowCode } from "../../errors";
import { t } from "../../i18n";
import { icon, type IconName } from "../../icons";
import type { ApiError, Known, MethodInputCheck, MethodInputKind, VerificationMethod } from "../../types";
import { editIdentity, flow, go, type LiveField } from "./flow";
import { documentTypeName, methodInputErrorText, warningText } from "./text";

/** Delay between the last keystroke and the local check. */
export const CHECK_DEBOUNCE_MS = 150;

export const METHOD_ICONS: Record<VerificationMethod, IconName> = {
  bank_card: "creditCard",
  alipay: "wallet",
  phone: "smartphone",
  face: "scanFace",
  manual_review: "fileCheck",
};

/** 1 填写身份信息 → 2 选择认证方式 → 3 完成. */
export function stepper(current: 1 | 2 | 3): HTMLElement {
  const steps = [t("rn.step.identity"), t("rn.step.method"), t("rn.step.done")];
  return h(
    "ol",
    { class: "stepper", "aria-label": t("rn.stepper.label"), "data-testid": "rn-stepper" },
    steps.map((label, index) => {
      const n = index + 1;
      const state = n < current ? "done" : n === current ? "current" : "todo";
      return h(
        "li",
        { class: "stepper-item", "data-state": state, "aria-current": state === "current" ? "step" : null },
        h("span", { class: "stepper-dot", "aria-hidden": "true" }, state === "done" ? icon("checkCircle", "icon stepper-check") : String(n)),
        h("span", { class: "stepper-label" }, label),
        state === "done" ? h("span", { class: "sr-only" }, t("rn.step.completed")) : null,
      );
    }),
  );
}

/** The root of a step: a card whose heading receives focus when the step is shown. */
export function stepCard(testId: string, title: string, ...children: (Node | null | false)[]): HTMLElement {
  return h(
    "section",
    { class: "card rn-step", "data-testid": testId, "data-rn-step": true, "aria-labelledby": `${testId}-title` },
    h("h2", { id: `${testId}-title`, class: "rn-step-title", tabindex: -1 }, title),
    ...children,
  );
}

/** 正在认证：王晓明 · 居民身份证 110***********002X   [修改]. Without `editable` the 修改 link
 * is left out (while a method waits for an answer that belongs to this identity). */
export function identitySummary(editable = true): HTMLElement | null {
  const accepted = flow.accepted;
  if (!accepted) return null;
  const { masked } = accepted;
  return h(
    "div",
    { class: "rn-identity-summary", "data-testid": "rn-identity-summary" },
    h("span", { class: "rn-summary-label" }, t("rn.methods.verifying")),
    h(
      "span",
      { class: "rn-summary-value" },
      h("span", { class: "rn-summary-name", "data-testid": "rn-summary-name" }, masked.name),
      h("span", { class: "rn-summary-sep", "aria-hidden": "true" }, "·"),
      h("span", null, documentTypeName(masked.document_type)),
      h("span", { class: "mono", "data-testid": "rn-summary-number" }, masked.number),
      accepted.converted_from_legacy ? h("span", { class: "rn-summary-note" }, t("rn.methods.converted")) : null,
    ),
    editable
      ? h(
          "button",
          {
            type: "button",
            class: "btn-link",
            "data-testid": "rn-edit-identity",
            "aria-label": t("rn.methods.editLabel"),
            on: { click: editIdentity },
          },
          icon("pencil", "icon icon-small"),
          h("span", null, t("rn.methods.edit")),
        )
      : null,
  );
}

/** An error box (role=alert) for a command's error; empty (and hidden) without one. */
export function errorBox(testId: string, error: ApiError | null, extra?: Node | null): HTMLElement {
  const box = h("div", { class: "form-error", role: "alert", "data-testid": testId });
  if (!error) return box;
  box.dataset.code = error.code;
  box.append(
    icon("alert", "icon form-error-icon"),
    h(
      "div",
      { class: "form-error-body" },
      h("p", { class: "form-error-text" }, errorText(error)),
      shouldShowCode(error) ? h("p", { class: "error-code" }, t("error.code", { code: error.code })) : null,
      extra ?? null,
    ),
  );
  return box;
}

export function backToMethods(): HTMLElement {
  return h(
    "button",
    { type: "button", class: "btn-link rn-back", "data-testid": "rn-back-to-methods", on: { click: () => go("methods") } },
    icon("arrowLeft", "icon icon-small"),
    h("span", null, t("rn.backToMethods")),
  );
}

/** The submission expired: fill in step 1 again (the fields are kept). */
export function expiredPanel(): HTMLElement {
  return h(
    "div",
    { class: "rn-panel rn-panel-warning", role: "alert", "data-testid": "rn-expired" },
    icon("clock", "icon rn-panel-icon"),
    h(
      "div",
      { class: "rn-panel-body" },
      h("p", { class: "rn-panel-title" }, t("rn.expired.title")),
      h("p", null, t("error.verification_expired")),
      h(
        "button",
        { type: "button", class: "btn btn-primary btn-small", "data-testid": "rn-restart", on: { click: editIdentity } },
        t("rn.expired.restart"),
      ),
    ),
  );
}

/** A primary button with a spinner and a busy label. */
export function submitButton(testId: string, label: string, busyLabel: string, busy: boolean, type: "submit" | "button" = "submit"): HTMLButtonElement {
  return h(
    "button",
    {
      type,
      id: testId,
      class: `btn btn-primary${busy ? " is-busy" : ""}`,
      "data-testid": testId,
      disabled: busy,
      "aria-busy": String(busy),
    },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, busy ? busyLabel : label),
  );
}

// ---- inputs checked as the user types ------------------------------------------------------------

const timers = new Map<string, number>();
const sequence = new Map<string, number>();

export interface LiveInputOptions {
  kind: MethodInputKind;
  field: LiveField;
  /** Element id, also the data-testid; the error and hint use `${id}-error`, `${id}-hint`. */
  id: string;
  label: string;
  help?: string;
  attrs?: Record<string, string | number | boolean | null>;
  /** Rewrites the input's value as the user types (e.g. groups of 4 digits). */
  format?: (input: HTMLInputElement, previous: string) => void;
  disabled?: boolean;
}

function currentError(field: LiveField, kind: MethodInputKind): string | null {
  if (field.serverError && field.serverError.value === field.value) {
    return methodInputErrorText(kind, field.serverError.error as Known<never>);
  }
  if (!field.touched || !field.check || field.checkedValue === null) return null;
  return field.check.error ? methodInputErrorText(kind, field.check.error) : null;
}

/** Paints a live input's error and hint from its state; finds the elements by id, so it works on
 * whatever render is on screen. */
export function paintLive(id: string, kind: MethodInputKind, field: LiveField): void {
  const input = document.getElementById(id);
  const errorEl = document.getElementById(`${id}-error`);
  const hintEl = document.getElementById(`${id}-hint`);
  if (!input || !errorEl || !hintEl) return;
  const error = currentError(field, kind);
  const warnings = error === null && field.check && field.checkedValue === field.value ? field.check.warnings : [];
  errorEl.textContent = error ?? "";
  hintEl.textContent = warnings.map(warningText).join(" ");
  hintEl.hidden = warnings.length === 0;
  if (error) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  const describedBy = [`${id}-help`, error ? `${id}-error` : null, warnings.length ? `${id}-hint` : null];
  input.setAttribute("aria-describedby", describedBy.filter((x) => x !== null && document.getElementById(x)).join(" "));
}

/** Runs the local check now; resolves with it (null when the check itself failed). */
export async function checkLive(id: string, kind: MethodInputKind, field: LiveField): Promise<MethodInputCheck | null> {
  window.clearTimeout(timers.get(id));
  const value = field.value;
  if (field.check && field.checkedValue === value) return field.check;
  const seq = (sequence.get(id) ?? 0) + 1;
  sequence.set(id, seq);
  try {
    const check = await api.checkMethodInput({ kind, value });
    if (sequence.get(id) === seq) {
      field.check = check;
      field.checkedValue = value;
      paintLive(id, kind, field);
    }
    return check;
  } catch (error) {
    logError("check_method_input", error as ApiError);
    return null;
  }
}

export function liveInput(options: LiveInputOptions): { element: HTMLElement; input: HTMLInputElement } {
  const { kind, field, id } = options;
  const input = h("input", {
    id,
    name: id,
    class: "input",
    "data-testid": id,
    value: field.value,
    spellcheck: "false",
    autocomplete: "off",
    disabled: options.disabled ?? false,
    ...options.attrs,
    on: {
      input: () => {
        options.format?.(input, field.value);
        field.value = input.value;
        window.clearTimeout(timers.get(id));
        timers.set(id, window.setTimeout(() => void checkLive(id, kind, field), CHECK_DEBOUNCE_MS));
        paintLive(id, kind, field);
      },
      blur: () => {
        if (field.value.trim() === "") return; // leaving an empty field is not an error yet
        field.touched = true;
        void checkLive(id, kind, field).then(() => paintLive(id, kind, field));
        paintLive(id, kind, field);
      },
    },
  });
  const element = h(
    "div",
    { class: "field" },
    h("label", { for: id, class: "label" }, options.label),
    input,
    options.help ? h("p", { id: `${id}-help`, class: "hint" }, options.help) : null,
    h("p", { id: `${id}-error`, class: "field-error", "data-testid": `${id}-error` }),
    h("p", { id: `${id}-hint`, class: "hint hint-warning", "data-testid": `${id}-hint`, hidden: true }),
  );
  // Paint once the elements are in the document (the router inserts the page synchronously).
  queueMicrotask(() => paintLive(id, kind, field));
  // A value typed before a re-render (or a language switch) is checked again if needed.
  if (field.value !== "" && field.checkedValue !== field.value) {
    timers.set(id, window.setTimeout(() => void checkLive(id, kind, field), CHECK_DEBOUNCE_MS));
  }
  return { element, input };
}

/** Marks the fields touched, checks them, paints them; resolves with the first invalid input's id. */
export async function validateLive(fields: { id: string; kind: MethodInputKind; field: LiveField }[]): Promise<string | null> {
  const checks = await Promise.all(
    fields.map(async (f) => {
      f.field.touched = true;
      const check = await checkLive(f.id, f.kind, f.field);
      paintLive(f.id, f.kind, f.field);
      return check;
    }),
  );
  const index = checks.findIndex((check) => check !== null && !check.valid);
  return index === -1 ? null : (fields[index]?.id ?? null);
}
