// The 软件更新 card of #/settings, and the banner that tells about a newer version found by the
// background check. The Rust side checks, downloads, verifies the signature and installs; this
// file shows where it stands and asks the user before anything is downloaded or installed.
import { onUpdateStatus, updateApi } from "../api";
import { h } from "../dom";
import { errorText, logError } from "../errors";
import { formatDateTime, t } from "../i18n";
import { href } from "../router";
import { getState, update as updateState } from "../state";
import type { ApiError, DownloadProgress, UpdateStatus } from "../types";

interface UpdateView {
  status: UpdateStatus | null;
  progress: DownloadProgress | null;
  error: ApiError | null;
  busy: boolean;
  /** How many of the user's actions (check, download, install) have finished: the card shows it
   * (`data-done`), so a test can tell that the action it started is over. */
  done: number;
}

const view: UpdateView = { status: null, progress: null, error: null, busy: false, done: 0 };

function rerender(): void {
  updateState({});
}

/** What the banner and the card show, apart from the time of the last check. */
function shown(): string {
  const status = view.status;
  return JSON.stringify([status?.state, status?.available, view.error]);
}

function apply(status: UpdateStatus): void {
  const before = shown();
  view.status = status;
  view.error = status.state === "failed" ? status.error : null;
  // The background check reports at start, while the user may be typing, and every few hours:
  // re-render only when what is shown has changed.
  if (shown() !== before) rerender();
}

let listening = false;

/** Fetches the status once and follows the background check's announcements. */
export function startUpdateWatch(): void {
  if (listening) return;
  listening = true;
  void updateApi.status().then(apply, (error: ApiError) => logError("update_status", error));
  void onUpdateStatus(apply).catch((error: ApiError) => {
    listening = false;
    logError("listen update-status", error);
  });
}

async function run(action: () => Promise<UpdateStatus | null>): Promise<void> {
  if (view.busy) return;
  view.busy = true;
  view.error = null;
  rerender();
  try {
    const status = await action();
    if (status) apply(status);
  } catch (error) {
    view.error = error as ApiError;
    logError("update", view.error);
    try {
      apply(await updateApi.status());
      view.error = error as ApiError;
    } catch {
      // The status itself is out of reach: keep showing the error.
    }
  } finally {
    view.busy = false;
    view.progress = null;
    view.done += 1;
    rerender();
  }
}

const check = () => run(() => updateApi.check());
const download = () =>
  run(() =>
    updateApi.download((progress) => {
      view.progress = progress;
      rerender();
    }),
  );
const install = () => run(async () => (await updateApi.install(), null));

function progressBar(progress: DownloadProgress | null): HTMLElement {
  const total = progress?.total ?? null;
  const received = progress?.received ?? 0;
  const bar = h("progress", { class: "update-progress-bar", "aria-label": t("update.downloading"), "data-testid": "update-progress" });
  if (total) {
    bar.max = total;
    bar.value = Math.min(received, total);
  }
  const megabytes = (n: number) => (n / 1_048_576).toFixed(1);
  return h(
    "div",
    { class: "update-progress" },
    bar,
    h("span", { class: "update-progress-text" }, total ? `${megabytes(received)} / ${megabytes(total)} MB` : `${megabytes(received)} MB`),
  );
}

function stateText(status: UpdateStatus | null): string {
  if (!status) return t("update.state.loading");
  switch (status.state) {
    case "available":
      return t("update.state.available", { version: status.available?.version ?? "" });
    case "ready":
      return t("update.state.ready", { version: status.available?.version ?? "" });
    default:
      return t(`update.state.${status.state}`);
  }
}

/** The card in #/settings. */
export function renderUpdateCard(): HTMLElement {
  startUpdateWatch();
  const status = view.status;
  const state = status?.state ?? "idle";
  const busy = view.busy || state === "checking" || state === "downloading" || state === "installing";
  const available = status?.available ?? null;
  const actions: HTMLElement[] = [];
  if (state !== "not_configured") {
    actions.push(
      h(
        "button",
        { type: "button", class: "btn btn-secondary", "data-testid": "update-check", disabled: busy, on: { click: () => void check() } },
        t("update.check"),
      ),
    );
  }
  const kiosk = getState().kiosk?.enabled === true;
  if (kiosk) {
    // A kiosk installs by itself once no one is signed in or using it.
  } else if (state === "available" || (state === "failed" && available)) {
    actions.push(
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "update-download", disabled: busy, on: { click: () => void download() } },
        t("update.download", { version: available?.version ?? "" }),
      ),
    );
  }
  if (state === "ready" && !kiosk) {
    actions.push(
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "update-install", disabled: busy, on: { click: () => void install() } },
        t("update.install"),
      ),
    );
  }
  const checkedAt = status?.checked_at ? formatDateTime(status.checked_at) : null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "settings-update", "data-testid": "update-card", "data-state": state, "data-done": String(view.done) },
    h("h2", { id: "settings-update", class: "card-title" }, t("update.title")),
    h("p", { role: "status", "data-testid": "update-state", "aria-live": "polite" }, stateText(status)),
    checkedAt ? h("p", { class: "hint", "data-testid": "update-checked-at" }, t("update.checkedAt", { time: checkedAt })) : null,
    available
      ? h(
          "div",
          { class: "update-notes", "data-testid": "update-available" },
          h("p", null, h("strong", { "data-testid": "update-version" }, available.version)),
          available.notes ? h("p", { class: "wrap", "data-testid": "update-notes" }, available.notes) : null,
        )
      : null,
    state === "downloading" || (view.busy && view.progress) ? progressBar(view.progress) : null,
    view.error
      ? h("p", { class: "form-error", role: "alert", "data-testid": "update-error", "data-reason": String(view.error.details?.reason ?? view.error.code) }, errorText(view.error))
      : null,
    state === "ready" && !kiosk ? h("p", { class: "hint" }, t("update.installHint")) : null,
    kiosk && available ? h("p", { class: "hint", "data-testid": "update-kiosk-note" }, t("update.kioskNote")) : null,
    h("div", { class: "update-actions" }, actions),
  );
}

/** The banner in the shell while a newer version waits (found by the background check). */
export function renderUpdateBanner(): HTMLElement | null {
  startUpdateWatch();
  const status = view.status;
  if (!status || !status.available || !["available", "ready"].includes(status.state)) return null;
  if (window.location.hash.startsWith("#/settings")) return null;
  return h(
    "div",
    { class: "notice notice-info update-banner", role: "status", "data-testid": "update-banner" },
    h("span", null, t("update.banner", { version: status.available.version })),
    h("a", { href: href("settings"), "data-testid": "update-banner-link" }, t("update.bannerLink")),
  );
}
