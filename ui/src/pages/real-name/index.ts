// #/real-name: real-name authentication (实名认证). Consent first (once per user and notice
// version), then 1 填写身份信息 → 2 选择认证方式 (and the chosen method) → 3 完成 (success or
// failure). The state lives in flow.ts; this file picks the page for it.
import { h } from "../../dom";
import { t } from "../../i18n";
import { href } from "../../router";
import { renderAlipay } from "./alipay";
import { renderBankCard } from "./bank-card";
import { stepper } from "./common";
import { renderConsent, renderConsentPending } from "./consent";
import { renderFace } from "./face";
import { flow, loadConsent, syncUser, type Step } from "./flow";
import { renderIdentity } from "./identity";
import { listenForReviewDecisions, renderManual, reviewStep } from "./manual";
import { renderMethods } from "./methods";
import { renderPhone } from "./phone";
import { renderFailure, renderSuccess } from "./result";

function stepNumber(step: Step): 1 | 2 | 3 {
  if (step === "identity") return 1;
  if (step === "success" || step === "failure") return 3;
  return 2;
}

function renderStep(step: Step): HTMLElement {
  // Method pages and the result need a submission; without one (e.g. a fresh start) it is step 1.
  if (step !== "identity" && flow.accepted === null) return renderIdentity();
  switch (step) {
    case "identity":
      return renderIdentity();
    case "methods":
      return renderMethods();
    case "bank_card":
      return renderBankCard();
    case "phone":
      return renderPhone();
    case "alipay":
      return renderAlipay();
    case "manual_review":
      return renderManual();
    case "face":
      return renderFace();
    case "success":
      return renderSuccess();
    case "failure":
      return renderFailure();
  }
}

/** A manual review's pages (pending, or its result) show without a submission in this flow:
 * the user may come from the personal center while 审核中, or after restarting the app. */
function renderReviewStep(step: Step): HTMLElement {
  if (step === "success") return renderSuccess();
  if (step === "failure") return renderFailure();
  return renderManual();
}

export function renderRealName(): HTMLElement {
  syncUser();
  listenForReviewDecisions();
  if (flow.consent === "unknown") queueMicrotask(() => void loadConsent());
  const review = reviewStep();
  const consented = flow.consent === "accepted" || review !== null;
  const step: Step = review ?? (consented && flow.accepted === null ? "identity" : flow.step);
  const body =
    review !== null
      ? renderReviewStep(review)
      : flow.consent === "required"
        ? renderConsent()
        : consented
          ? renderStep(step)
          : renderConsentPending();

  return h(
    "div",
    { class: "page rn-page", "data-testid": "page-real-name", "data-step": consented ? step : "consent" },
    h(
      "nav",
      { class: "breadcrumb", "aria-label": t("center.pageTitle") },
      h("a", { href: href("center"), "data-testid": "back-to-center" }, t("center.pageTitle")),
      h("span", { "aria-hidden": "true" }, "/"),
      h("span", { "aria-current": "page" }, t("realName.pageTitle")),
    ),
    h(
      "div",
      { class: "page-header rn-header" },
      h("h1", { class: "page-title", tabindex: -1 }, t("realName.pageTitle")),
      consented ? stepper(stepNumber(step)) : null,
    ),
    body,
  );
}
