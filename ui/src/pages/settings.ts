// #/settings: interface language (applied at once, remembered by the backend) and what this app
// is connected to.
import { api } from "../api";
import { h } from "../dom";
import { errorText, logError } from "../errors";
import { isLanguage, language, setLanguage, t } from "../i18n";
import { href } from "../router";
import { getState, update } from "../state";
import type { ApiError, Language } from "../types";
import { renderUpdateCard } from "./updates";

const LANGUAGES: readonly Language[] = ["zh-CN", "en"];

/** Why the last language change could not be saved, shown under the select (kept here so it
 * survives the re-render that the change itself causes). */
let saveError: ApiError | null = null;

async function changeLanguage(lang: Language): Promise<void> {
  saveError = null;
  setLanguage(lang); // applies immediately: the router re-renders in the new language
  try {
    await api.setLanguage(lang);
    const settings = getState().settings;
    update({ settings: settings && { ...settings, language: lang } });
  } catch (error) {
    logError("set_language", error as ApiError);
    saveError = error as ApiError;
    update({});
  }
}

function row(label: HTMLElement | string, value: HTMLElement, hint?: HTMLElement): HTMLElement {
  return h(
    "div",
    { class: "setting-row" },
    h("div", { class: "setting-label" }, label, hint ?? null),
    h("div", { class: "setting-value" }, value),
  );
}

export function renderSettings(): HTMLElement {
  const state = getState();
  const select = h(
    "select",
    {
      id: "settings-language",
      class: "select",
      "data-testid": "settings-language",
      "aria-describedby": "settings-language-hint settings-language-status",
      on: {
        change: () => {
          if (isLanguage(select.value)) void changeLanguage(select.value);
        },
      },
    },
    LANGUAGES.map((lang) => h("option", { value: lang, lang, selected: lang === language() }, t(`lang.${lang}`))),
  );
  const status = h(
    "p",
    {
      id: "settings-language-status",
      class: "setting-status is-error",
      "data-testid": "settings-language-status",
      "aria-live": "polite",
    },
    saveError ? errorText(saveError) : "",
  );

  const na = t("settings.notAvailable");
  const keyring = state.session.keyring_available;

  return h(
    "div",
    { class: "page", "data-testid": "page-settings" },
    h(
      "nav",
      { class: "breadcrumb", "aria-label": t("center.pageTitle") },
      h("a", { href: href("center"), "data-testid": "back-to-center" }, t("center.pageTitle")),
      h("span", { "aria-hidden": "true" }, "/"),
      h("span", { "aria-current": "page" }, t("settings.pageTitle")),
    ),
    h("h1", { class: "page-title", tabindex: -1 }, t("settings.pageTitle")),
    h(
      "section",
      { class: "card", "aria-labelledby": "settings-general" },
      h("h2", { id: "settings-general", class: "card-title" }, t("settings.general")),
      row(
        h("label", { for: "settings-language", class: "label" }, t("settings.language")),
        h("div", null, select, status),
        h("p", { id: "settings-language-hint", class: "hint" }, t("settings.languageHint")),
      ),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "settings-about" },
      h("h2", { id: "settings-about", class: "card-title" }, t("settings.about")),
      h(
        "dl",
        { class: "setting-list" },
        h("div", { class: "setting-row" }, h("dt", null, t("settings.version")), h("dd", { class: "mono", "data-testid": "settings-version" }, state.info?.version ?? na)),
        h("div", { class: "setting-row" }, h("dt", null, t("settings.serverUrl")), h("dd", { class: "mono wrap", "data-testid": "settings-server-url" }, state.settings?.server_url ?? na)),
        h("div", { class: "setting-row" }, h("dt", null, t("settings.keyring")), h("dd", { "data-testid": "settings-keyring" }, t(state.kiosk?.enabled ? "settings.keyringKiosk" : keyring ? "settings.keyringOn" : "settings.keyringOff"))),
      ),
    ),
    renderUpdateCard(),
  );
}
