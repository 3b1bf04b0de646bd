// Kiosk mode: a shared office machine, used by one person after another. The Rust side makes
// the window full screen, keeps sessions in memory only and wipes the user's data when a
// session ends; this side adds what only the page can do:
//
// - idle sign-out: after `idle_timeout_secs` without input (pointer, key, touch, wheel) while
//   signed in, a countdown of `countdown_secs` shows; any input cancels it; at zero the user is
//   signed out the same way as by their own hand. A half-typed sign-in form left alone that
//   long is emptied too. While the user is busy in another window of the app (the Alipay
//   page, see `whileElsewhere`) the countdown waits.
//   The Rust side backs this up: input is reported to it (`kioskApi.activity`, at most every
//   REPORT_EVERY_MS), and a session with none reported well past the countdown is ended there,
//   should this page hang.
// - no way out through the page: no context menu, no reload, devtools or print keys, no
//   middle-click or drag. (Keys the OS keeps, like Ctrl+Alt+Del or switching users, cannot be
//   blocked from here.)
// - after every sign-out the page's own storage is cleared and the page is loaded afresh, so
//   nothing of the last user survives in memory either.
// - the administrator's way out: Ctrl+Alt+Shift+K, or holding the logo for two seconds, opens
//   a PIN dialog; the PIN is checked in Rust (five tries, then five minutes' wait), and the
//   right one signs out and quits the app.
import { api, kioskApi } from "./api";
import { h } from "./dom";
import { logError, retryAfterSecs, attemptsLeft } from "./errors";
import { formatDuration, t } from "./i18n";
import { getState } from "./state";
import type { ApiError, KioskState } from "./types";

const ACTIVITY = ["pointerdown", "pointermove", "keydown", "touchstart", "wheel"] as const;
const LONG_PRESS_MS = 2000;
const TICK_MS = 250;
const REPORT_EVERY_MS = 5000;

let kiosk: KioskState | null = null;
let lastInput = Date.now();
let lastReported = 0;
let lastPointer: { x: number; y: number } | null = null;
let countdown: { dialog: HTMLDialogElement; endsAt: number; seconds: HTMLElement } | null = null;
let adminDialog: HTMLDialogElement | null = null;
let signingOut = false;
/** Operations the user is busy with in another window (the Alipay page): no idle sign-out. */
let elsewhere = 0;

export function isKiosk(): boolean {
  return getState().kiosk?.enabled === true;
}

/** Starts the kiosk behaviours; does nothing on an ordinary desktop. */
export function startKiosk(state: KioskState | null): void {
  if (!state?.enabled || kiosk) return;
  kiosk = state;
  document.documentElement.classList.add("is-kiosk");
  for (const type of ACTIVITY) document.addEventListener(type, onActivity, { capture: true, passive: true });
  document.addEventListener("keydown", onKeyDown, { capture: true });
  for (const type of ["contextmenu", "dragstart", "auxclick", "drop"]) {
    document.addEventListener(type, (event) => event.preventDefault(), { capture: true });
  }
  watchLongPress();
  window.setInterval(tick, TICK_MS);
}

// ---- idle sign-out ------------------------------------------------------------------------------

function onActivity(event: Event): void {
  if (event instanceof PointerEvent) {
    // WebKit sends a move without movement when the page changes under a resting pointer
    // (say, the countdown appearing): that is not the user.
    const moved = !lastPointer || lastPointer.x !== event.screenX || lastPointer.y !== event.screenY;
    lastPointer = { x: event.screenX, y: event.screenY };
    if (event.type === "pointermove" && !moved) return;
  }
  lastInput = Date.now();
  reportInput();
  if (countdown && !signingOut) closeCountdown();
}

/** Tells the Rust side's idle backstop that someone is there, at most every REPORT_EVERY_MS. */
function reportInput(): void {
  if (lastInput - lastReported < REPORT_EVERY_MS) return;
  lastReported = lastInput;
  kioskApi.activity().catch((error: ApiError) => logError("kiosk_activity", error));
}

/** Holds the idle countdown while `work` runs: the user is busy in another window of the app
 * (the Alipay authorization page), whose input this page does not see. */
export async function whileElsewhere<T>(work: Promise<T>): Promise<T> {
  elsewhere += 1;
  try {
    return await work;
  } finally {
    elsewhere -= 1;
    lastInput = Date.now();
  }
}

function tick(): void {
  if (!kiosk || signingOut) return;
  if (elsewhere > 0) {
    lastInput = Date.now();
    reportInput();
    if (countdown) closeCountdown();
    return;
  }
  const idleMs = Date.now() - lastInput;
  if (getState().session.status !== "signed_in") {
    if (countdown) closeCountdown();
    if (idleMs >= kiosk.idle_timeout_secs * 1000 && signInFormHasInput()) restartClean();
    return;
  }
  if (!countdown && idleMs >= kiosk.idle_timeout_secs * 1000) {
    openCountdown(Date.now() + kiosk.countdown_secs * 1000);
  }
  if (countdown) {
    const left = Math.max(0, Math.ceil((countdown.endsAt - Date.now()) / 1000));
    countdown.seconds.textContent = String(left);
    if (left === 0) void kioskSignOut("idle");
  }
}

function signInFormHasInput(): boolean {
  return Array.from(document.querySelectorAll<HTMLInputElement>("#account, #password")).some((input) => input.value !== "");
}

function openCountdown(endsAt: number): void {
  const seconds = h("span", { class: "kiosk-countdown-number", "data-testid": "kiosk-countdown-seconds" }, String(kiosk?.countdown_secs ?? 0));
  const dialog = h(
    "dialog",
    {
      class: "dialog kiosk-countdown",
      role: "alertdialog",
      "data-testid": "kiosk-countdown",
      "aria-labelledby": "kiosk-countdown-title",
      "aria-describedby": "kiosk-countdown-body",
      on: { cancel: (event) => event.preventDefault() },
    },
    h("h2", { id: "kiosk-countdown-title", class: "dialog-title" }, t("kiosk.countdown.title")),
    h(
      "div",
      { id: "kiosk-countdown-body", class: "dialog-body kiosk-countdown-body" },
      seconds,
      h("p", { "data-testid": "kiosk-countdown-text" }, t("kiosk.countdown.body")),
    ),
    h(
      "div",
      { class: "dialog-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-primary btn-block", autofocus: true, "data-testid": "kiosk-still-here", on: { click: closeCountdown } },
        t("kiosk.countdown.stillHere"),
      ),
    ),
  );
  document.body.append(dialog);
  dialog.showModal();
  countdown = { dialog, endsAt, seconds };
}

function closeCountdown(): void {
  countdown?.dialog.remove();
  countdown = null;
  lastInput = Date.now();
}

// ---- signing out --------------------------------------------------------------------------------

/** Signs out of the kiosk: by the user (who is asked first if signature changes would be lost)
 * or by the idle countdown (they are dropped; the Rust side logs how many). Then the page
 * starts afresh on an empty sign-in form. */
export async function kioskSignOut(reason: "user" | "idle"): Promise<void> {
  if (signingOut) return;
  if (reason === "user") {
    let unsynced = 0;
    try {
      unsynced = await kioskApi.unsyncedChanges();
    } catch (error) {
      logError("kiosk_unsynced_changes", error as ApiError);
    }
    if (unsynced > 0 && !(await confirmLoss(unsynced))) return;
  }
  signingOut = true;
  if (countdown) countdown.dialog.dataset.state = "signing-out";
  try {
    await api.signOut();
  } catch (error) {
    logError("sign_out", error as ApiError);
  }
  restartClean();
}

/** Clears the page's own storage and loads it afresh on the sign-in page: nothing of the last
 * user stays in the page's memory (drafts, forms, caches). */
export function restartClean(): void {
  try {
    sessionStorage.clear();
    localStorage.clear();
  } catch (error) {
    console.warn("[signet] could not clear the page's storage", error);
  }
  history.replaceState(null, "", "#/sign-in");
  window.location.reload();
}

function confirmLoss(count: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (signOut: boolean) => {
      dialog.remove();
      resolve(signOut);
    };
    const dialog = h(
      "dialog",
      {
        class: "dialog",
        "data-testid": "kiosk-unsynced",
        "aria-labelledby": "kiosk-unsynced-title",
        "aria-describedby": "kiosk-unsynced-body",
        on: {
          cancel: (event) => {
            event.preventDefault();
            done(false);
          },
        },
      },
      h("h2", { id: "kiosk-unsynced-title", class: "dialog-title" }, t("kiosk.unsynced.title")),
      h("div", { id: "kiosk-unsynced-body", class: "dialog-body" }, h("p", null, t("kiosk.unsynced.body", { n: count }))),
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "button", class: "btn btn-secondary", autofocus: true, "data-testid": "kiosk-unsynced-cancel", on: { click: () => done(false) } }, t("kiosk.unsynced.cancel")),
        h("button", { type: "button", class: "btn btn-danger", "data-testid": "kiosk-unsynced-sign-out", on: { click: () => done(true) } }, t("kiosk.unsynced.signOut")),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();
  });
}

// ---- keys ---------------------------------------------------------------------------------------

const BLOCKED_KEYS = new Set(["F5", "F7", "F12", "BrowserRefresh", "BrowserBack", "BrowserForward", "BrowserHome", "BrowserSearch"]);
/** With Ctrl (or ⌘): reload, print, save, open, view source, new window or tab, close. */
const BLOCKED_WITH_CTRL = new Set(["r", "p", "s", "o", "u", "n", "t", "w"]);
/** With Ctrl+Shift: the developer tools' keys. */
const BLOCKED_WITH_CTRL_SHIFT = new Set(["i", "j", "c", "k"]);

function onKeyDown(event: KeyboardEvent): void {
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.altKey && event.shiftKey && event.code === "KeyK") {
    event.preventDefault();
    event.stopPropagation();
    openAdminDialog();
    return;
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const blocked =
    BLOCKED_KEYS.has(event.key) ||
    (ctrl && event.shiftKey && BLOCKED_WITH_CTRL_SHIFT.has(key)) ||
    (ctrl && !event.altKey && BLOCKED_WITH_CTRL.has(key)) ||
    (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home"));
  if (blocked) {
    event.preventDefault();
    event.stopPropagation();
  }
}

// ---- the administrator's way out ----------------------------------------------------------------

function watchLongPress(): void {
  let timer: number | undefined;
  let fired = false;
  const stop = () => window.clearTimeout(timer);
  document.addEventListener(
    "pointerdown",
    (event) => {
      fired = false;
      stop();
      if (!(event.target instanceof Element) || !event.target.closest(".logo")) return;
      timer = window.setTimeout(() => {
        fired = true;
        openAdminDialog();
      }, LONG_PRESS_MS);
    },
    { capture: true },
  );
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) document.addEventListener(type, stop, { capture: true });
  // The click that ends a long press on the brand link does not navigate.
  document.addEventListener(
    "click",
    (event) => {
      if (fired) {
        fired = false;
        event.preventDefault();
        event.stopPropagation();
      }
    },
    { capture: true },
  );
}

function openAdminDialog(): void {
  if (adminDialog || !kiosk) return;
  const state = kiosk;
  const input = h("input", {
    id: "kiosk-admin-pin",
    type: "password",
    class: "input",
    inputmode: "numeric",
    autocomplete: "off",
    maxlength: 128,
    "data-testid": "kiosk-admin-pin",
    "aria-describedby": "kiosk-admin-hint kiosk-admin-error",
    disabled: !state.admin_exit,
  });
  const error = h("p", { id: "kiosk-admin-error", class: "field-error", role: "alert", "data-testid": "kiosk-admin-error" });
  const submit = h(
    "button",
    { type: "submit", class: "btn btn-primary", "data-testid": "kiosk-admin-submit", disabled: !state.admin_exit },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, t("kiosk.admin.submit")),
  );
  const close = () => {
    dialog.remove();
    adminDialog = null;
  };
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (submit.classList.contains("is-busy")) return;
    if (input.value === "") {
      error.textContent = t("kiosk.admin.required");
      input.focus();
      return;
    }
    submit.classList.add("is-busy");
    error.textContent = "";
    try {
      await kioskApi.adminExit(input.value);
      error.textContent = t("kiosk.admin.leaving");
    } catch (failure) {
      const apiError = failure as ApiError;
      logError("kiosk_admin_exit", apiError);
      error.textContent = adminErrorText(apiError);
      input.value = "";
      input.focus();
    } finally {
      submit.classList.remove("is-busy");
    }
  };
  const dialog = h(
    "dialog",
    {
      class: "dialog",
      "data-testid": "kiosk-admin",
      "aria-labelledby": "kiosk-admin-title",
      on: {
        cancel: (event) => {
          event.preventDefault();
          close();
        },
      },
    },
    h("h2", { id: "kiosk-admin-title", class: "dialog-title" }, t("kiosk.admin.title")),
    h(
      "form",
      { class: "form", novalidate: true, on: { submit: (event) => void onSubmit(event) } },
      h(
        "div",
        { class: "dialog-body" },
        h("p", { id: "kiosk-admin-hint" }, t(state.admin_exit ? "kiosk.admin.hint" : "kiosk.admin.noPin")),
        state.config_problem ? h("p", { class: "hint-warning", "data-testid": "kiosk-admin-config-problem" }, t("kiosk.admin.configProblem")) : null,
        // Without a PIN there is nothing to type: the dialog only says so.
        state.admin_exit ? h("label", { for: "kiosk-admin-pin", class: "label" }, t("kiosk.admin.pin")) : null,
        state.admin_exit ? input : null,
        error,
      ),
      h(
        "div",
        { class: "dialog-actions" },
        h(
          "button",
          { type: "button", class: state.admin_exit ? "btn btn-secondary" : "btn btn-primary", "data-testid": "kiosk-admin-cancel", on: { click: close } },
          t(state.admin_exit ? "kiosk.admin.cancel" : "kiosk.admin.close"),
        ),
        state.admin_exit ? submit : null,
      ),
    ),
  );
  adminDialog = dialog;
  document.body.append(dialog);
  dialog.showModal();
  if (state.admin_exit) input.focus();
  else dialog.querySelector<HTMLButtonElement>("[data-testid=kiosk-admin-cancel]")?.focus();
}

function adminErrorText(error: ApiError): string {
  switch (error.code) {
    case "invalid_credentials":
      return t("kiosk.admin.wrong", { n: attemptsLeft(error) ?? 0 });
    case "rate_limited":
      return t("kiosk.admin.locked", { time: formatDuration(retryAfterSecs(error) ?? 300) });
    case "forbidden":
      return t("kiosk.admin.noPin");
    default:
      return t("kiosk.admin.failed");
  }
}
