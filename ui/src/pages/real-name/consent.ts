// The consent screen (rn-consent), shown before any identity data is collected (PIPL art. 29):
// what is collected, why, who receives it, how long it is kept, and the right to withdraw.
// The backend remembers the answer per user and notice version; an accepted notice is skipped.
import { h } from "../../dom";
import { t, type MessageKey } from "../../i18n";
import { icon, type IconName } from "../../icons";
import { navigate } from "../../router";
import { errorBox } from "./common";
import { acceptConsent, flow, loadConsent } from "./flow";

const SECTIONS: readonly { title: MessageKey; body: MessageKey; icon: IconName }[] = [
  { title: "rn.consent.whatTitle", body: "rn.consent.what", icon: "idCard" },
  { title: "rn.consent.whyTitle", body: "rn.consent.why", icon: "shield" },
  { title: "rn.consent.whoTitle", body: "rn.consent.who", icon: "user" },
  { title: "rn.consent.keepTitle", body: "rn.consent.keep", icon: "clock" },
  { title: "rn.consent.rightsTitle", body: "rn.consent.rights", icon: "info" },
];

export function renderConsent(): HTMLElement {
  const busy = flow.consentBusy;
  return h(
    "section",
    { class: "card rn-step rn-consent", "data-testid": "rn-consent", "data-rn-step": true, "aria-labelledby": "rn-consent-title" },
    h("h2", { id: "rn-consent-title", class: "rn-step-title", tabindex: -1 }, t("rn.consent.title")),
    h("p", { class: "muted rn-intro" }, t("rn.consent.intro")),
    h(
      "dl",
      { class: "rn-consent-list", "data-testid": "rn-consent-text" },
      SECTIONS.map((section) =>
        h(
          "div",
          { class: "rn-consent-item" },
          h("dt", null, icon(section.icon, "icon rn-consent-icon"), h("span", null, t(section.title))),
          h("dd", null, t(section.body)),
        ),
      ),
    ),
    flow.consentVersion ? h("p", { class: "hint", "data-testid": "rn-consent-version" }, t("rn.consent.version", { version: flow.consentVersion })) : null,
    errorBox("rn-consent-error", flow.consentError),
    h(
      "div",
      { class: "rn-result-actions rn-consent-actions" },
      h(
        "button",
        {
          type: "button",
          class: "btn btn-secondary",
          "data-testid": "rn-consent-decline",
          disabled: busy,
          on: { click: () => navigate("center") },
        },
        t("rn.consent.decline"),
      ),
      h(
        "button",
        {
          type: "button",
          class: `btn btn-primary${busy ? " is-busy" : ""}`,
          "data-testid": "rn-consent-accept",
          disabled: busy,
          "aria-busy": String(busy),
          on: { click: () => void acceptConsent() },
        },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", null, t(busy ? "rn.consent.accepting" : "rn.consent.accept")),
      ),
    ),
  );
}

/** Before the consent is known: loading, or the error with a retry. */
export function renderConsentPending(): HTMLElement {
  if (flow.consent === "error") {
    return h(
      "section",
      { class: "card rn-step", "data-testid": "rn-consent-failed", "data-rn-step": true, "aria-labelledby": "rn-consent-failed-title" },
      h("h2", { id: "rn-consent-failed-title", class: "rn-step-title", tabindex: -1 }, t("rn.consent.title")),
      errorBox("rn-consent-error", flow.consentError),
      h(
        "div",
        { class: "rn-result-actions" },
        h("button", { type: "button", class: "btn btn-secondary", "data-testid": "rn-consent-retry", on: { click: () => void loadConsent() } }, t("common.retry")),
      ),
    );
  }
  return h(
    "section",
    { class: "card rn-step rn-loading", "data-testid": "rn-loading", "aria-busy": "true" },
    h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }),
    h("p", { class: "muted", role: "status" }, t("common.loading")),
  );
}
