// Step 3: the success page (rn-success) and the failure page (rn-failure) with the plain next
// step for the provider's reason, and the ways on: modify the identity or try another method.
import { h } from "../../dom";
import { t } from "../../i18n";
import { icon } from "../../icons";
import { navigate } from "../../router";
import { refreshProfile } from "../../session";
import { livenessReasons } from "./face";
import { editIdentity, flow, go, resetAfterSuccess } from "./flow";
import { documentTypeName, failureText, methodName } from "./text";

function done(): void {
  resetAfterSuccess();
  void refreshProfile(); // the center shows 已实名认证
  navigate("center");
}

export function renderSuccess(): HTMLElement {
  const masked = flow.accepted?.masked ?? null;
  const method = flow.result?.method ?? null;
  return h(
    "section",
    { class: "card rn-step rn-result", "data-testid": "rn-success", "data-rn-step": true, "aria-labelledby": "rn-success-title" },
    h("div", { class: "rn-result-icon rn-result-icon-success" }, icon("checkCircle")),
    h("h2", { id: "rn-success-title", class: "rn-step-title rn-result-title", tabindex: -1 }, t("rn.success.title")),
    h("p", { class: "muted" }, t("rn.success.body")),
    masked
      ? h(
          "dl",
          { class: "facts rn-result-facts", "data-testid": "rn-success-identity" },
          h("div", null, h("dt", null, t("center.name")), h("dd", null, masked.name)),
          h("div", null, h("dt", null, t("center.documentType")), h("dd", null, documentTypeName(masked.document_type))),
          h("div", null, h("dt", null, t("center.documentNumber")), h("dd", { class: "mono" }, masked.number)),
          method ? h("div", null, h("dt", null, t("rn.success.method")), h("dd", null, methodName(method))) : null,
        )
      : null,
    h(
      "div",
      { class: "rn-result-actions" },
      h("button", { type: "button", class: "btn btn-primary", "data-testid": "rn-done", "data-autofocus": true, on: { click: done } }, t("rn.done")),
    ),
  );
}

export function renderFailure(): HTMLElement {
  const attempt = flow.result;
  const method = attempt?.method ?? "bank_card";
  const result = attempt?.result;
  const left = result?.attempts_left;
  return h(
    "section",
    { class: "card rn-step rn-result", "data-testid": "rn-failure", "data-rn-step": true, "aria-labelledby": "rn-failure-title" },
    h("div", { class: "rn-result-icon rn-result-icon-failure" }, icon("xCircle")),
    h("h2", { id: "rn-failure-title", class: "rn-step-title rn-result-title", tabindex: -1 }, t("rn.failure.title")),
    h("p", { class: "rn-result-method muted" }, methodName(method)),
    h(
      "p",
      { class: "rn-failure-reason", "data-testid": "rn-failure-reason", "data-reason": result?.reason_code ?? "", "data-element": result?.mismatched_element ?? "" },
      method === "face" && (result?.reasons?.length ?? 0) > 0
        ? t("rn.reason.face")
        : failureText(method, { reason_code: result?.reason_code, mismatched_element: result?.mismatched_element }),
    ),
    method === "face" ? livenessReasons(result?.reasons) : null,
    attempt?.reviewerNote
      ? h(
          "div",
          { class: "rn-panel rn-reviewer-note", "data-testid": "rn-failure-reviewer-note" },
          h("p", { class: "rn-panel-title" }, t("rn.failure.reviewerNote")),
          h("p", { class: "rn-reviewer-note-text" }, attempt.reviewerNote),
        )
      : null,
    typeof left === "number"
      ? h(
          "p",
          { class: "hint rn-attempts-left", "data-testid": "rn-attempts-left" },
          left > 0 ? t("rn.failure.attemptsLeft", { n: left }) : t("rn.failure.noAttemptsLeft"),
        )
      : null,
    h(
      "div",
      { class: "rn-result-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "rn-modify", on: { click: editIdentity } },
        icon("pencil"),
        h("span", null, t("rn.failure.modify")),
      ),
      h(
        "button",
        { type: "button", class: "btn btn-secondary", "data-testid": "rn-other-methods", on: { click: () => go("methods") } },
        h("span", null, t("rn.failure.otherMethods")),
        icon("chevronRight"),
      ),
    ),
  );
}
