// Step 2 (rn-methods): every method of the chooser, in the platform's order, with a short
// description; unavailable ones disabled with the reason.
import { h } from "../../dom";
import { t } from "../../i18n";
import { icon } from "../../icons";
import type { VerificationMethod } from "../../types";
import { expiredPanel, identitySummary, METHOD_ICONS, stepCard } from "./common";
import { enterFace } from "./face";
import { expiredNow, flow, go, methodReason, rerender, SUGGEST_MANUAL_AFTER } from "./flow";
import { isMethod, methodDescription, methodName, METHODS, unavailableText } from "./text";

function choose(method: VerificationMethod): void {
  if (expiredNow()) {
    rerender();
    return;
  }
  if (method === "face") {
    enterFace();
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
