// Pieces shared by the signature views: the error box, the real-name panel, the checkered frame
// that shows a transparent PNG, and the name field.
import { h } from "../../dom";
import { shouldShowCode } from "../../errors";
import { t } from "../../i18n";
import { icon } from "../../icons";
import { href } from "../../router";
import type { ApiError } from "../../types";
import { MAX_NAME_CHARS, nameLength } from "./state";
import { signatureErrorText } from "./text";

/** The view's error (role=alert), empty and hidden without one. */
export function sigErrorBox(error: ApiError | null, source: "drawing" | "photo" | "list", extra?: Node | null): HTMLElement {
  const box = h("div", { id: "sig-error", class: "form-error", role: "alert", tabindex: -1, "data-testid": "sig-error" });
  paintErrorBox(box, error, source, extra);
  return box;
}

/** Fills (or empties) an error box in place. */
export function paintErrorBox(box: HTMLElement, error: ApiError | null, source: "drawing" | "photo" | "list", extra?: Node | null): void {
  box.replaceChildren();
  if (!error) {
    delete box.dataset.code;
    delete box.dataset.reason;
    return;
  }
  box.dataset.code = error.code;
  const reason = error.details?.reason;
  if (typeof reason === "string") box.dataset.reason = reason;
  else delete box.dataset.reason;
  box.append(
    icon("alert", "icon form-error-icon"),
    h(
      "div",
      { class: "form-error-body" },
      h("p", { class: "form-error-text" }, signatureErrorText(error, source)),
      shouldShowCode(error) ? h("p", { class: "error-code" }, t("error.code", { code: error.code })) : null,
      extra ?? null,
    ),
  );
}

/** Saving needs a verified real-name status: says so and leads to 实名认证. */
export function verifyNeededPanel(): HTMLElement {
  return h(
    "div",
    { id: "sig-verify-needed", class: "rn-panel rn-panel-warning sig-verify", role: "note", tabindex: -1, "data-testid": "sig-verify-needed" },
    icon("shield", "icon rn-panel-icon"),
    h(
      "div",
      { class: "rn-panel-body" },
      h("p", { class: "rn-panel-title" }, t("signature.verify.title")),
      h("p", null, t("signature.verify.body")),
      h(
        "a",
        { class: "btn btn-primary btn-small", href: href("real-name"), "data-testid": "sig-verify-link" },
        h("span", null, t("signature.verify.action")),
        icon("chevronRight"),
      ),
    ),
  );
}

/** A transparent PNG on a checkerboard, so that its transparency shows. */
export function checkeredImage(src: string, alt: string, testId: string, extraClass = "", attrs: Record<string, string | number> = {}): HTMLElement {
  return h(
    "div",
    { class: `sig-checkered ${extraClass}`.trim() },
    h("img", { class: "sig-checkered-image", src, alt, "data-testid": testId, draggable: "false", ...attrs }),
  );
}

/** The name field of an editor: `value` is kept in the view's state as the user types. */
export function nameField(options: {
  value: string;
  error: string | null;
  disabled: boolean;
  onInput: (value: string) => void;
  onEnter: () => void;
}): HTMLElement {
  const count = h("span", { id: "sig-name-count", class: "sig-name-count", "data-testid": "sig-name-count", "aria-hidden": "true" });
  const paintCount = (value: string) => {
    const n = nameLength(value);
    count.textContent = `${n}/${MAX_NAME_CHARS}`;
    count.classList.toggle("is-over", n > MAX_NAME_CHARS);
  };
  paintCount(options.value);
  const input = h("input", {
    id: "sig-name",
    name: "sig-name",
    class: "input",
    "data-testid": "sig-name",
    value: options.value,
    autocomplete: "off",
    spellcheck: "false",
    disabled: options.disabled,
    "aria-invalid": options.error ? "true" : null,
    "aria-describedby": options.error ? "sig-name-help sig-name-error" : "sig-name-help",
    on: {
      input: () => {
        options.onInput(input.value);
        paintCount(input.value);
      },
      keydown: (event) => {
        if (event.key === "Enter" && !event.isComposing) {
          event.preventDefault();
          options.onEnter();
        }
      },
    },
  });
  return h(
    "div",
    { class: "field sig-name-field" },
    h("div", { class: "sig-name-label" }, h("label", { for: "sig-name", class: "label" }, t("signature.name.label")), count),
    input,
    h("p", { id: "sig-name-help", class: "hint" }, t("signature.name.help", { max: MAX_NAME_CHARS })),
    h("p", { id: "sig-name-error", class: "field-error", "data-testid": "sig-name-error" }, options.error ?? ""),
  );
}

/** 返回: back to the list. */
export function backButton(onClick: () => void): HTMLElement {
  return h(
    "button",
    { type: "button", class: "btn btn-secondary", "data-testid": "sig-back", on: { click: onClick } },
    icon("arrowLeft"),
    h("span", null, t("signature.back")),
  );
}

/** The page around a view: breadcrumb, heading (focused when the view is shown), header actions. */
export function signaturePage(options: {
  view: "list" | "draw" | "upload";
  title: string;
  headerEnd?: Node | null;
  lead?: string;
  children: (Node | null | false)[];
}): HTMLElement {
  const sub = options.view !== "list";
  return h(
    "div",
    { class: "page sig-page", "data-testid": "page-signature", "data-view": options.view },
    h(
      "nav",
      { class: "breadcrumb", "aria-label": t("signature.breadcrumb") },
      h("a", { href: href("center"), "data-testid": "back-to-center" }, t("center.pageTitle")),
      h("span", { "aria-hidden": "true" }, "/"),
      sub
        ? h("a", { href: href("signature"), "data-testid": "sig-breadcrumb-list" }, t("signature.pageTitle"))
        : h("span", { "aria-current": "page" }, t("signature.pageTitle")),
      sub ? h("span", { "aria-hidden": "true" }, "/") : null,
      sub ? h("span", { "aria-current": "page" }, options.title) : null,
    ),
    h(
      "div",
      { class: "page-header sig-header" },
      h("h1", { class: "page-title", tabindex: -1, "data-testid": "sig-title" }, options.title),
      options.headerEnd ?? null,
    ),
    options.lead ? h("p", { class: "lead" }, options.lead) : null,
    ...options.children,
  );
}
