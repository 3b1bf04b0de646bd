// #/real-name and #/signature: the features arrive with later work. Until then each page says what
// it will do and leads back to the personal center, so it is never a dead end.
import { h } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { href, navigate } from "../router";

const PAGES = {
  "real-name": { title: "realName.pageTitle", description: "realName.description", icon: "idCard" },
  signature: { title: "signature.pageTitle", description: "signature.description", icon: "signature" },
} as const;

export function renderComingSoon(name: keyof typeof PAGES): HTMLElement {
  const page = PAGES[name];
  return h(
    "div",
    { class: "page", "data-testid": `page-${name}` },
    h(
      "nav",
      { class: "breadcrumb", "aria-label": t("center.pageTitle") },
      h("a", { href: href("center") }, t("center.pageTitle")),
      h("span", { "aria-hidden": "true" }, "/"),
      h("span", { "aria-current": "page" }, t(page.title)),
    ),
    h("h1", { class: "page-title", tabindex: -1 }, t(page.title)),
    h("p", { class: "lead" }, t(page.description)),
    h(
      "div",
      { class: "card empty-state", "data-testid": "coming-soon" },
      h("div", { class: "empty-icon empty-icon-large" }, icon(page.icon)),
      h("h2", { class: "empty-title" }, t("comingSoon.title")),
      h("p", { class: "muted" }, t("comingSoon.body")),
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "back-to-center", on: { click: () => navigate("center") } },
        icon("arrowLeft"),
        h("span", null, t("common.backToCenter")),
      ),
    ),
  );
}
