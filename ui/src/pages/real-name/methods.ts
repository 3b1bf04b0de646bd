// Step 2 (rn-methods): every method of the chooser, in the platform's order, with a short
// description; unavailable ones disabled with the reason. Also the pages of methods the platform
// lists but this app cannot run yet (rn-face).
import { h } from "../../dom";
import { t } from "../../i18n";
import { icon } from "../../icons";
import type { VerificationMethod } from "../../types";
import { expiredPanel, identitySummary, METHOD_ICONS, stepCard } from "./common";
import { expiredNow, flow, go, methodReason, rerender, SUGGEST_MANUAL_AFTER } from "./flow";
import { isMethod, methodDescription, methodName, METHODS, unavailableText } from "./text";

function choose(method: VerificationMethod): void {
  if (expiredNow()) {
    rerender();
    return;
  }
  go(method);
}

function methodOrder(): VerificationMethod[] {
  const listed = (flow.accepted?.methods ?? []).map((m) => m.method).filter(isMethod);
  // Every method shows, in the platform's order; any it did not list come last.
  return [...listed, ...METHODS.filter((m) => !listed.includes(m))];
}

function methodItem(method: VerificationMethod): HTMLElement {
  const reason = methodReason(method);
  const available = reason === "available";
  const reasonId = `rn-method-reason-${method}`;
  return h(
    "li",
    { class: "rn-method", "data-testid": `rn-method-card-${method}`, "data-available": String(available) },
    h(
      "button",
      {
        type: "button",
        class: "rn-method-button",
        "data-testid": `rn-method-${method}`,
        disabled: !available,
        "aria-describedby": `rn-method-desc-${method}${available ? "" : ` ${reasonId}`}`,
        on: { click: () => choose(method) },
      },
      h("span", { class: "rn-method-icon" }, icon(METHOD_ICONS[method])),
      h(
        "span",
        { class: "rn-method-text" },
        h("span", { class: "rn-method-name" }, methodName(method)),
        h("span", { id: `rn-method-desc-${method}`, class: "rn-method-desc" }, methodDescription(method)),
        available
          ? null
          : h(
              "span",
              { id: reasonId, class: "rn-method-reason", "data-testid": reasonId },
              icon("lock", "icon icon-small"),
              unavailableText(reason),
            ),
      ),
      available ? icon("chevronRight", "icon rn-method-chevron") : null,
    ),
  );
}

function suggestManual(): HTMLElement | null {
  if (flow.failures < SUGGEST_MANUAL_AFTER) return null;
  const manualAvailable = methodReason("manual_review") === "available";
  return h(
    "div",
    { class: "notice notice-warning rn-suggest", role: "note", "data-testid": "rn-suggest-manual" },
    icon("info", "icon notice-icon"),
    h("p", { class: "rn-offer-text" }, t("rn.methods.suggestManual")),
    manualAvailable
      ? h(
          "button",
          {
            type: "button",
            class: "btn btn-secondary btn-small",
            "data-testid": "rn-suggest-manual-action",
            on: { click: () => choose("manual_review") },
          },
          t("rn.methods.suggestManualAction"),
        )
      : null,
  );
}

export function renderMethods(): HTMLElement {
  const expired = expiredNow();
  return stepCard(
    "rn-methods",
    t("rn.methods.title"),
    identitySummary(),
    expired ? expiredPanel() : null,
    expired ? null : suggestManual(),
    expired ? null : h("p", { class: "muted rn-intro" }, t("rn.methods.intro")),
    expired ? null : h("ul", { class: "rn-method-list", "data-testid": "rn-method-list" }, methodOrder().map(methodItem)),
  );
}

const COMING_SOON_TEST_IDS: Record<"face", string> = {
  face: "rn-face",
};

/** A method the platform offers but this app does not run yet. */
export function renderMethodComingSoon(method: "face"): HTMLElement {
  return stepCard(
    COMING_SOON_TEST_IDS[method],
    methodName(method),
    identitySummary(),
    h(
      "div",
      { class: "empty-state rn-coming-soon", "data-testid": "rn-method-coming-soon" },
      h("div", { class: "empty-icon empty-icon-large" }, icon(METHOD_ICONS[method])),
      h("p", { class: "empty-title" }, t("rn.comingSoon.title")),
      h("p", { class: "muted" }, t("rn.comingSoon.body", { method: methodName(method) })),
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "rn-back-to-methods", on: { click: () => go("methods") } },
        icon("arrowLeft"),
        h("span", null, t("rn.backToMethods")),
      ),
    ),
  );
}
