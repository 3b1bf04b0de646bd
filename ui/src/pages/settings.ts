// #/settings: interface language (applied at once, remembered by the backend), what this app
// is connected to, and the diagnostics export for support.
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

/** The last diagnostics export, kept here so it survives re-renders. */
type DiagnosticsState =
  | { status: "idle" }
  | { status: "busy" }
  | { status: "done"; path: string }
  | { status: "failed"; error: ApiError };

let diagnostics: DiagnosticsState = { status: "idle" };

async function exportDiagnostics(): Promise<void> {
  if (diagnostics.status === "busy") return;
  diagnostics = { status: "busy" };
  update({});
  try {
    const { path } = await api.exportDiagnostics();
    diagnostics = { status: "done", path };
  } catch (error) {
    logError("export_diagnostics", error as ApiError);
    diagnostics = { status: "failed", error: error as ApiError };
  }
  update({});
  document.querySelector<HTMLElement>('[data-testid="settings-export-diagnostics"]')?.focus();
}

function diagnosticsStatus(): HTMLElement {
  const attrs = {
    id: "settings-diagnostics-status",
    "data-testid": "settings-diagnostics-status",
    "aria-live": "polite",
  } as const;
  switch (diagnostics.status) {
    case "idle":
    case "busy":
      return h("p", { ...attrs, class: "setting-status" });
    case "done":
      return h(
        "p",
        { ...attrs, class: "setting-status is-success" },
        t("settings.diagnosticsSaved"),
        " ",
        h("span", { class: "mono wrap", "data-testid": "settings-diagnostics-path" }, diagnostics.path),
      );
    case "failed":
      return h(
        "p",
        { ...attrs, class: "setting-status is-error" },
        t("settings.diagnosticsFailed"),
        " ",
        h("span", { class: "mono wrap" }, diagnostics.error.message),
      );
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
    h(
      "section",
      { class: "card", "aria-labelledby": "settings-diagnostics" },
      h("h2", { id: "settings-diagnostics", class: "card-title" }, t("settings.diagnostics")),
      row(
        h("span", { class: "label" }, t("settings.exportDiagnostics")),
        h(
          "div",
          null,
          h(
            "button",
            {
              type: "button",
              class: `btn btn-secondary${diagnostics.status === "busy" ? " is-busy" : ""}`,
              "data-testid": "settings-export-diagnostics",
              "aria-describedby": "settings-diagnostics-hint settings-diagnostics-status",
              "aria-busy": String(diagnostics.status === "busy"),
              disabled: diagnostics.status === "busy",
              on: { click: () => void exportDiagnostics() },
            },
            t(diagnostics.status === "busy" ? "settings.exportingDiagnostics" : "settings.exportDiagnostics"),
          ),
          diagnosticsStatus(),
        ),
        h("p", { id: "settings-diagnostics-hint", class: "hint" }, t("settings.exportDiagnosticsHint")),
      ),
    ),
  );
}
