// Alipay quick authentication (rn-alipay, 支付宝快捷认证). The intro says what happens; 打开支付宝授权
// calls `start_alipay`, which opens Alipay's authorization page in a separate window of the app
// and answers only once the session is decided (agreed, cancelled there, window closed, timed
// out). Meanwhile the page waits (rn-alipay-waiting); 取消认证 closes that window
// (`close_alipay_window`), and the pending call then answers with a `window_closed` failure.
import { api } from "../../api";
import { h } from "../../dom";
import { isDailyBudgetSpent, logError } from "../../errors";
import { t } from "../../i18n";
import { icon } from "../../icons";
import { whileElsewhere } from "../../kiosk";
import { refreshProfile } from "../../session";
import type { ApiError } from "../../types";
import { invalidateHistory } from "../center";
import { backToMethods, errorBox, expiredPanel, identitySummary, stepCard, submitButton } from "./common";
import { expiredNow, finishAttempt, flow, focusLater, go, handleMethodError, handleSessionError, rerender } from "./flow";

/** How often 取消认证 asks again to close the window while the call is still pending (the
 * window may not have been open yet when it was first asked). */
const CLOSE_RETRY_MS = 1500;
/** Attempts to close before the cancel button is offered again. */
const CLOSE_TRIES = 8;

const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));

async function start(): Promise<void> {
  const draft = flow.alipay;
  if (draft.waiting) return;
  const accepted = flow.accepted;
  if (!accepted || expiredNow()) {
    rerender();
    focusLater("rn-alipay-start"); // gone with the expired panel: the heading takes focus
    return;
  }
  draft.waiting = true;
  draft.cancelling = false;
  draft.error = null;
  rerender();
  focusLater("rn-alipay-cancel");
  try {
    // The user is busy in the authorization window, whose input this page does not see.
    const result = await whileElsewhere(api.startAlipay({ verification_id: accepted.verification_id }));
    draft.waiting = false;
    draft.cancelling = false;
    if (flow.alipay !== draft) {
      // The answer belongs to an earlier submission (or another user's flow): only what it
      // changed on the platform matters.
      invalidateHistory();
      if (result.outcome === "success") void refreshProfile();
      return;
    }
    finishAttempt("alipay", result);
  } catch (error) {
    const apiError = error as ApiError;
    logError("start_alipay", apiError);
    draft.waiting = false;
    draft.cancelling = false;
    if (flow.alipay !== draft) return;
    if (handleMethodError("alipay", apiError)) {
      rerender();
      return;
    }
    draft.error = apiError;
    rerender();
    focusLater("rn-alipay-start");
  }
}

async function cancel(): Promise<void> {
  const draft = flow.alipay;
  if (!draft.waiting || draft.cancelling) return;
  draft.cancelling = true;
  draft.error = null;
  rerender();
  focusLater("rn-alipay-cancel");
  for (let tries = 0; tries < CLOSE_TRIES; tries += 1) {
    try {
      await api.closeAlipayWindow();
    } catch (error) {
      const apiError = error as ApiError;
      logError("close_alipay_window", apiError);
      if (!draft.waiting || flow.alipay !== draft) return;
      draft.cancelling = false;
      if (handleSessionError(apiError)) return;
      draft.error = apiError;
      rerender();
      focusLater("rn-alipay-cancel");
      return;
    }
    await sleep(CLOSE_RETRY_MS);
    if (!draft.waiting || flow.alipay !== draft) return; // answered: the result page shows
  }
  // Still no answer: let the user ask again.
  draft.cancelling = false;
  rerender();
}

function renderIntro(): HTMLElement {
  const draft = flow.alipay;
  const spent = draft.error !== null && isDailyBudgetSpent(draft.error);
  return stepCard(
    "rn-alipay",
    t("rn.alipay.title"),
    backToMethods(),
    identitySummary(),
    h("p", { class: "muted rn-intro" }, t("rn.alipay.intro")),
    h(
      "ol",
      { class: "rn-alipay-steps", "aria-label": t("rn.alipay.stepsLabel"), "data-testid": "rn-alipay-steps" },
      h("li", null, h("span", { class: "rn-alipay-step-icon" }, icon("wallet")), h("span", null, t("rn.alipay.step.window"))),
      h("li", null, h("span", { class: "rn-alipay-step-icon" }, icon("user")), h("span", null, t("rn.alipay.step.agree"))),
      h("li", null, h("span", { class: "rn-alipay-step-icon" }, icon("checkCircle")), h("span", null, t("rn.alipay.step.result"))),
    ),
    errorBox(
      "rn-alipay-error",
      draft.error,
      spent
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn-secondary btn-small rn-error-action",
              "data-testid": "rn-alipay-other-methods",
              on: { click: () => go("methods") },
            },
            t("rn.failure.otherMethods"),
          )
        : null,
    ),
    h(
      "div",
      { class: "rn-actions" },
      h("p", { class: "hint rn-privacy" }, icon("lock", "icon icon-small"), t("rn.alipay.inApp")),
      h(
        "button",
        { type: "button", id: "rn-alipay-start", class: "btn btn-primary", "data-testid": "rn-alipay-start", on: { click: () => void start() } },
        icon("wallet"),
        h("span", null, t("rn.alipay.start")),
      ),
    ),
  );
}

function renderWaiting(): HTMLElement {
  const draft = flow.alipay;
  const cancelButton = submitButton("rn-alipay-cancel", t("rn.alipay.cancel"), t("rn.alipay.cancelling"), draft.cancelling, "button");
  cancelButton.className = `btn btn-secondary${draft.cancelling ? " is-busy" : ""}`;
  cancelButton.querySelector(".spinner")?.classList.add("spinner-dark");
  // While cancelling the button keeps keyboard focus (aria-disabled, not disabled); `cancel`
  // ignores further presses.
  cancelButton.disabled = false;
  if (draft.cancelling) cancelButton.setAttribute("aria-disabled", "true");
  cancelButton.setAttribute("aria-describedby", "rn-alipay-waiting-text rn-alipay-close-note");
  cancelButton.addEventListener("click", () => void cancel());
  return stepCard(
    "rn-alipay",
    t("rn.alipay.title"),
    // No way back while the window is open: 取消认证 ends it first.
    identitySummary(false),
    h(
      "div",
      { class: "rn-alipay-waiting", "data-testid": "rn-alipay-waiting", "aria-busy": "true" },
      h("span", { class: "spinner spinner-dark rn-alipay-spinner", "aria-hidden": "true" }),
      h(
        "div",
        { class: "rn-alipay-waiting-body" },
        h("p", { id: "rn-alipay-waiting-text", class: "rn-alipay-waiting-title", role: "status" }, t("rn.alipay.waiting")),
        h("p", { class: "muted" }, t("rn.alipay.waitingSub")),
        h(
          "p",
          { id: "rn-alipay-close-note", class: "hint rn-alipay-close-note", "data-testid": "rn-alipay-close-note" },
          icon("info", "icon icon-small"),
          h("span", null, t("rn.alipay.closeNote")),
        ),
      ),
    ),
    errorBox("rn-alipay-error", draft.error),
    h("div", { class: "rn-actions" }, h("div", { class: "rn-actions-end" }, cancelButton)),
  );
}

export function renderAlipay(): HTMLElement {
  // A pending authorization is shown even if the submission expired meanwhile: the platform
  // still decides that session (its lifetime ends with the submission's).
  if (flow.alipay.waiting) return renderWaiting();
  if (expiredNow()) {
    return stepCard("rn-alipay", t("rn.alipay.title"), backToMethods(), identitySummary(), expiredPanel());
  }
  return renderIntro();
}
