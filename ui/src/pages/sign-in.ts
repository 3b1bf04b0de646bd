// #/sign-in: account, password and (under "Advanced") the platform address.
import { api } from "../api";
import { h } from "../dom";
import { errorText, invalidField, logError, retryAfterSecs, shouldShowCode } from "../errors";
import { icon, logo } from "../icons";
import { formatLongDuration, language, setLanguage, t, type MessageKey } from "../i18n";
import { navigate, takeReturnRoute } from "../router";
import { getState, setSession, update } from "../state";
import type { ApiError, Language } from "../types";

type Field = "account" | "password" | "server_url";

/** What the user typed and what the form shows; kept outside the DOM so that a re-render
 * (switching language) loses nothing. */
interface Draft {
  account: string | null;
  password: string;
  serverUrl: string | null;
  advancedOpen: boolean;
  passwordVisible: boolean;
  busy: boolean;
  fieldErrors: Partial<Record<Field, MessageKey>>;
  error: ApiError | null;
  /** Epoch milliseconds until which signing in is blocked (lock-out, rate limit). */
  waitUntil: number | null;
  unlocked: boolean;
}

const draft: Draft = {
  account: null,
  password: "",
  serverUrl: null,
  advancedOpen: false,
  passwordVisible: false,
  busy: false,
  fieldErrors: {},
  error: null,
  waitUntil: null,
  unlocked: false,
};

const SERVER_ERRORS = new Set(["server_unreachable", "tls_failure", "protocol_error"]);

function secondsLeft(): number {
  return draft.waitUntil === null ? 0 : Math.ceil((draft.waitUntil - Date.now()) / 1000);
}

export function renderSignIn(): HTMLElement {
  const state = getState();
  const settings = state.settings;
  const kiosk = state.kiosk?.enabled === true;
  // A kiosk keeps no session on purpose: no notice about the keyring there.
  const keyringMissing = state.session.keyring_available === false && !state.keyringNoticeSeen && !kiosk;
  const accountValue = draft.account ?? settings?.last_account ?? "";
  const serverValue = draft.serverUrl ?? settings?.server_url ?? state.info?.default_server_url ?? "";

  // ---- fields -------------------------------------------------------------------------------
  const fieldError = (field: Field) => {
    const id = `${field.replace("_", "-")}-error`;
    return h("p", { id, class: "field-error", "data-testid": id });
  };

  const accountInput = h("input", {
    id: "account",
    name: "account",
    type: "text",
    class: "input",
    "data-testid": "account",
    autocomplete: "username",
    autocapitalize: "off",
    spellcheck: "false",
    maxlength: 64,
    placeholder: t("signIn.accountPlaceholder"),
    value: accountValue,
    "data-autofocus": accountValue === "" ? true : null,
    on: { input: () => ((draft.account = accountInput.value), clearFieldError("account")) },
  });
  const accountError = fieldError("account");

  const passwordInput = h("input", {
    id: "password",
    name: "password",
    type: draft.passwordVisible ? "text" : "password",
    class: "input input-with-button",
    "data-testid": "password",
    autocomplete: "current-password",
    maxlength: 256,
    value: draft.password,
    "data-autofocus": accountValue !== "" ? true : null,
    on: { input: () => ((draft.password = passwordInput.value), clearFieldError("password")) },
  });
  const passwordError = fieldError("password");
  const toggle = h("button", {
    type: "button",
    class: "input-button",
    "data-testid": "password-toggle",
    "aria-controls": "password",
    on: {
      click: () => {
        draft.passwordVisible = !draft.passwordVisible;
        passwordInput.type = draft.passwordVisible ? "text" : "password";
        paintToggle();
      },
    },
  });
  const paintToggle = () => {
    const label = t(draft.passwordVisible ? "signIn.hidePassword" : "signIn.showPassword");
    toggle.setAttribute("aria-label", label);
    toggle.setAttribute("title", label);
    toggle.setAttribute("aria-pressed", String(draft.passwordVisible));
    toggle.replaceChildren(icon(draft.passwordVisible ? "eyeOff" : "eye"));
  };
  paintToggle();

  const serverInput = h("input", {
    id: "server-url",
    name: "server_url",
    type: "url",
    class: "input",
    "data-testid": "server-url",
    autocomplete: "url",
    spellcheck: "false",
    maxlength: 2048,
    value: serverValue,
    "aria-describedby": "server-url-hint",
    on: { input: () => ((draft.serverUrl = serverInput.value), clearFieldError("server_url")) },
  });
  const serverError = fieldError("server_url");
  const advanced = h(
    "details",
    {
      class: "advanced",
      "data-testid": "advanced-settings",
      open: draft.advancedOpen,
      on: { toggle: () => (draft.advancedOpen = advanced.open) },
    },
    h("summary", { "data-testid": "advanced-toggle" }, icon("chevronRight", "icon summary-icon"), t("signIn.advanced")),
    h(
      "div",
      { class: "field" },
      h("label", { for: "server-url", class: "label" }, t("signIn.serverUrl")),
      serverInput,
      h("p", { id: "server-url-hint", class: "hint" }, t("signIn.serverUrlHint")),
      serverError,
    ),
  );

  const inputs: Record<Field, { input: HTMLInputElement; error: HTMLElement; baseDescribedBy?: string }> = {
    account: { input: accountInput, error: accountError },
    password: { input: passwordInput, error: passwordError },
    server_url: { input: serverInput, error: serverError, baseDescribedBy: "server-url-hint" },
  };

  function paintFieldError(field: Field): void {
    const { input, error, baseDescribedBy } = inputs[field];
    const key = draft.fieldErrors[field];
    error.textContent = key ? t(key) : "";
    if (key) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [error.id, baseDescribedBy].filter(Boolean).join(" "));
    } else {
      input.removeAttribute("aria-invalid");
      if (baseDescribedBy) input.setAttribute("aria-describedby", baseDescribedBy);
      else input.removeAttribute("aria-describedby");
    }
  }

  function clearFieldError(field: Field): void {
    if (draft.fieldErrors[field]) {
      delete draft.fieldErrors[field];
      paintFieldError(field);
    }
  }

  // ---- form-level error, busy state and lock-out countdown ------------------------------------
  const errorArea = h("div", { class: "form-error", role: "alert", "data-testid": "sign-in-error" });
  const submitLabel = h("span", null);
  const submit = h(
    "button",
    { type: "submit", class: "btn btn-primary btn-block", "data-testid": "sign-in-submit" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    submitLabel,
  );

  let countdownText: HTMLElement | null = null;
  let timer: number | undefined;

  function paintError(): void {
    countdownText = null;
    const error = draft.error ?? getState().signInError;
    if (!error) {
      if (draft.unlocked) {
        errorArea.replaceChildren(h("p", { class: "form-error-text form-ok" }, t("signIn.unlocked")));
        errorArea.dataset.kind = "info";
      } else {
        errorArea.replaceChildren();
        delete errorArea.dataset.kind;
      }
      return;
    }
    errorArea.dataset.kind = "error";
    errorArea.dataset.code = error.code;
    const waiting = retryAfterSecs(error) !== null && draft.waitUntil !== null;
    // The countdown updates once a second; `aria-live="off"` keeps screen readers from
    // re-reading the alert every tick (it is announced once, when it appears).
    countdownText = h("span", { "aria-live": waiting ? "off" : null }, errorText(error, waiting ? secondsLeft() : undefined));
    errorArea.replaceChildren(
      icon("alert", "icon form-error-icon"),
      h(
        "div",
        null,
        h("p", { class: "form-error-text" }, countdownText),
        shouldShowCode(error) ? h("p", { class: "error-code" }, t("error.code", { code: error.code })) : null,
      ),
    );
  }

  function paintSubmit(): void {
    const waiting = secondsLeft() > 0;
    submit.disabled = draft.busy || waiting;
    submit.classList.toggle("is-busy", draft.busy);
    submitLabel.textContent = t(draft.busy ? "signIn.submitting" : "signIn.submit");
    form.setAttribute("aria-busy", String(draft.busy));
  }

  function tick(): void {
    if (!submit.isConnected) {
      window.clearInterval(timer);
      return;
    }
    if (secondsLeft() <= 0) {
      window.clearInterval(timer);
      draft.waitUntil = null;
      draft.error = null;
      draft.unlocked = true;
      paintError();
      paintSubmit();
      return;
    }
    if (countdownText && draft.error) countdownText.textContent = errorText(draft.error, secondsLeft());
  }

  function startCountdown(): void {
    window.clearInterval(timer);
    if (secondsLeft() > 0) timer = window.setInterval(tick, 1000);
  }

  // ---- submit -------------------------------------------------------------------------------
  function validate(): Field | null {
    draft.fieldErrors = {};
    if (accountInput.value.trim() === "") draft.fieldErrors.account = "signIn.accountRequired";
    if (passwordInput.value === "") draft.fieldErrors.password = "signIn.passwordRequired";
    if (serverInput.value.trim() === "") draft.fieldErrors.server_url = "signIn.serverUrlRequired";
    (Object.keys(inputs) as Field[]).forEach(paintFieldError);
    const first = (["account", "password", "server_url"] as const).find((f) => draft.fieldErrors[f]);
    return first ?? null;
  }

  function focusField(field: Field): void {
    if (field === "server_url") {
      advanced.open = true;
      draft.advancedOpen = true;
    }
    inputs[field].input.focus();
  }

  async function onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (draft.busy || secondsLeft() > 0) return;
    const invalid = validate();
    if (invalid) {
      focusField(invalid);
      return;
    }
    draft.busy = true;
    draft.error = null;
    draft.unlocked = false;
    update({ signInError: null });
    paintError();
    paintSubmit();
    const request = {
      account: accountInput.value.trim(),
      password: passwordInput.value,
      server_url: serverInput.value.trim(),
    };
    try {
      const session = await api.signIn(request);
      if (session.status !== "signed_in") {
        throw { code: "internal", message: "sign_in returned a signed-out session" } satisfies ApiError;
      }
      draft.busy = false;
      draft.password = "";
      draft.account = null;
      draft.serverUrl = null;
      draft.passwordVisible = false;
      const settings = getState().settings;
      navigate(takeReturnRoute(), { replace: true });
      setSession(session);
      update({
        signInNotice: null,
        signInError: null,
        keyringNoticeSeen: true,
        settings: settings && { ...settings, last_account: request.account, server_url: request.server_url },
      });
    } catch (error) {
      const apiError = error as ApiError;
      logError("sign_in", apiError);
      draft.busy = false;
      draft.error = apiError;
      const wait = retryAfterSecs(apiError);
      draft.waitUntil = wait === null ? null : Date.now() + wait * 1000;
      paintError();
      paintSubmit();
      startCountdown();
      afterFailure(apiError);
    }
  }

  function afterFailure(error: ApiError): void {
    const field = invalidField(error);
    if (field === "account" || field === "password" || field === "server_url") {
      focusField(field);
    } else if (SERVER_ERRORS.has(error.code)) {
      focusField("server_url");
      serverInput.select();
    } else {
      passwordInput.focus();
      passwordInput.select();
    }
  }

  const form = h(
    "form",
    {
      class: "form",
      "data-testid": "sign-in-form",
      novalidate: true,
      "aria-labelledby": "sign-in-heading",
      on: { submit: (event) => void onSubmit(event) },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: "account", class: "label" }, t("signIn.account")),
      accountInput,
      accountError,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "password", class: "label" }, t("signIn.password")),
      h("div", { class: "input-group" }, passwordInput, toggle),
      passwordError,
    ),
    // On a shared machine one user must not choose where the next one's password goes.
    kiosk ? null : advanced,
    errorArea,
    submit,
  );

  (Object.keys(inputs) as Field[]).forEach(paintFieldError);
  paintError();
  paintSubmit();
  startCountdown();

  // ---- notices ------------------------------------------------------------------------------
  const notices = h(
    "div",
    { class: "notices" },
    state.signInNotice
      ? h(
          "div",
          { class: "notice notice-warning", role: "status", "data-testid": "session-expired-notice" },
          icon("clock", "icon notice-icon"),
          h("p", null, t(state.signInNotice === "refresh_token_reused" ? "signIn.tokenReused" : "signIn.sessionExpired")),
        )
      : null,
    kiosk
      ? h(
          "div",
          { class: "notice notice-info", role: "note", "data-testid": "kiosk-notice" },
          icon("clock", "icon notice-icon"),
          h("p", null, t("kiosk.notice", { time: formatLongDuration(state.kiosk?.idle_timeout_secs ?? 120) })),
        )
      : null,
    keyringMissing
      ? h(
          "div",
          { class: "notice notice-info", role: "note", "data-testid": "keyring-notice" },
          icon("key", "icon notice-icon"),
          h("p", null, t("signIn.keyringNotice")),
        )
      : null,
  );

  const other: Language = language() === "zh-CN" ? "en" : "zh-CN";
  const languageButton = h(
    "button",
    {
      type: "button",
      class: "btn btn-ghost btn-small",
      "data-testid": "sign-in-language",
      lang: other,
      "aria-label": t("signIn.switchLanguage"),
      on: {
        click: () => {
          if (draft.busy) return; // re-rendering now would detach the form awaiting the answer
          setLanguage(other);
          api.setLanguage(other).catch((error: ApiError) => logError("set_language", error));
        },
      },
    },
    t(`lang.${other}`),
  );

  return h(
    "div",
    { class: "sign-in", "data-testid": "page-sign-in" },
    h(
      "div",
      { class: "sign-in-panel" },
      h(
        "aside",
        { class: "sign-in-brand" },
        h("div", { class: "brand-lockup" }, logo("logo logo-large"), h("span", { class: "brand-name" }, t("app.name"))),
        h("p", { class: "brand-tagline" }, t("app.tagline")),
        h("p", { class: "brand-purpose" }, t("app.purpose")),
        h(
          "ul",
          { class: "brand-features" },
          h("li", null, icon("idCard"), t("entry.realName.title")),
          h("li", null, icon("signature"), t("entry.signature.title")),
        ),
      ),
      h(
        "main",
        { class: "sign-in-main" },
        h("div", { class: "sign-in-toolbar" }, languageButton),
        h("h1", { id: "sign-in-heading", class: "sign-in-heading", tabindex: -1 }, t("signIn.heading")),
        h("p", { class: "muted" }, t("signIn.subheading")),
        notices,
        form,
      ),
    ),
  );
}
