// #/center: the personal center: who is signed in, the real-name status and the entries to the
// two services.
import { h } from "../dom";
import { api } from "../api";
import { endsSession, errorText, logError, shouldShowCode } from "../errors";
import { formatDateTime, t } from "../i18n";
import { icon, type IconName } from "../icons";
import { navigate, type RouteName } from "../router";
import { endSession, refreshProfile, signOut } from "../session";
import { initialOf } from "../shell";
import { getState, update } from "../state";
import type { ApiError, AttemptRecord, MaskedIdentity, Profile, RealNameStatus } from "../types";
import { documentTypeName, failureText, methodName } from "./real-name/text";
import { ensureBoard, sig } from "./signature/state";

/** A profile older than this is fetched again when the center is shown. */
const STALE_AFTER_MS = 60_000;

let refreshing = false;
let lastAttempt = 0;
let lastError: ApiError | null = null;

/** Fetches the profile again; `update({})` re-renders through the router, which keeps focus. */
async function refresh(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  lastAttempt = Date.now();
  lastError = null;
  update({});
  invalidateHistory();
  queueMicrotask(() => void loadHistory());
  lastError = await refreshProfile();
  refreshing = false;
  update({});
}

// ---- authentication history (认证记录) ----------------------------------------------------------

interface HistoryState {
  userId: string | null;
  attempts: AttemptRecord[] | null;
  loading: boolean;
  error: ApiError | null;
  /** Fetch again when next shown (an attempt was made since). */
  stale: boolean;
}

const history: HistoryState = { userId: null, attempts: null, loading: false, error: null, stale: true };

/** A verification attempt was made: the history is fetched again when the center is shown. */
export function invalidateHistory(): void {
  history.stale = true;
}

async function loadHistory(): Promise<void> {
  if (history.loading) return;
  const userId = history.userId;
  history.loading = true;
  history.stale = false;
  history.error = null;
  update({});
  try {
    const answer = await api.attemptHistory();
    if (history.userId !== userId) return;
    history.attempts = Array.isArray(answer.attempts) ? answer.attempts : [];
  } catch (error) {
    const apiError = error as ApiError;
    logError("attempt_history", apiError);
    if (history.userId !== userId) return;
    if (endsSession(apiError)) {
      endSession(apiError.code === "refresh_token_reused" ? "refresh_token_reused" : "session_expired");
    }
    history.error = apiError;
  } finally {
    if (history.userId === userId) history.loading = false;
  }
  update({});
}

function attemptDetail(record: AttemptRecord): string {
  switch (record.outcome) {
    case "failure":
      return failureText(record.method, record);
    case "provider_timeout":
      return t("rn.reason.timeout");
    default:
      return t("history.noDetail");
  }
}

function historyItem(record: AttemptRecord): HTMLElement {
  const outcome = record.outcome === "success" || record.outcome === "failure" || record.outcome === "provider_timeout" ? record.outcome : "failure";
  return h(
    "tr",
    { "data-testid": "rn-history-item", "data-outcome": outcome, "data-method": record.method },
    h("td", { class: "history-time" }, formatDateTime(record.created_at)),
    h("td", { class: "history-method" }, methodName(record.method)),
    h("td", null, h("span", { class: "badge", "data-outcome": outcome }, h("span", { class: "badge-dot", "aria-hidden": "true" }), t(`history.outcome.${outcome}`))),
    h("td", { class: "history-detail" }, attemptDetail(record)),
    h(
      "td",
      { class: "history-number" },
      h("span", { class: "mono" }, record.number_masked),
      h("span", { class: "history-doc" }, documentTypeName(record.document_type)),
    ),
  );
}

function historyCard(): HTMLElement {
  let body: HTMLElement;
  if (history.error) {
    body = h(
      "div",
      { class: "form-error", role: "alert", "data-testid": "rn-history-error" },
      icon("alert", "icon form-error-icon"),
      h(
        "div",
        { class: "form-error-body" },
        h("p", { class: "form-error-text" }, errorText(history.error)),
        shouldShowCode(history.error) ? h("p", { class: "error-code" }, t("error.code", { code: history.error.code })) : null,
        h(
          "button",
          { type: "button", class: "btn btn-secondary btn-small rn-error-action", "data-testid": "rn-history-reload", on: { click: () => void loadHistory() } },
          t("history.reload"),
        ),
      ),
    );
  } else if (history.attempts === null) {
    body = h("p", { class: "muted", "data-testid": "rn-history-loading", role: "status" }, t("history.loading"));
  } else if (history.attempts.length === 0) {
    body = h("p", { class: "muted history-empty", "data-testid": "rn-history-empty" }, t("history.empty"));
  } else {
    body = h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "history-table", "aria-labelledby": "history-title" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("history.col.time")),
            h("th", { scope: "col" }, t("history.col.method")),
            h("th", { scope: "col" }, t("history.col.outcome")),
            h("th", { scope: "col" }, t("history.col.detail")),
            h("th", { scope: "col" }, t("history.col.number")),
          ),
        ),
        h("tbody", null, history.attempts.map(historyItem)),
      ),
    );
  }
  return h(
    "section",
    { class: "card", "aria-labelledby": "history-title", "data-testid": "rn-history", "aria-busy": String(history.loading) },
    h("h2", { id: "history-title", class: "card-title" }, t("history.title")),
    body,
  );
}

export function realNameBadge(status: RealNameStatus): HTMLElement {
  return h(
    "span",
    { class: "badge", "data-testid": "real-name-badge", "data-status": status },
    h("span", { class: "badge-dot", "aria-hidden": "true" }),
    t(`status.${status}`),
  );
}

function identityBlock(identity: MaskedIdentity | null): HTMLElement {
  if (!identity) {
    return h(
      "div",
      { class: "empty-state empty-state-inline", "data-testid": "profile-identity", "data-empty": "true" },
      h("div", { class: "empty-icon" }, icon("idCard")),
      h(
        "div",
        { class: "empty-text" },
        h("p", { class: "empty-title" }, t("center.identityEmpty")),
        h("p", { class: "muted" }, t("center.identityEmptyHint")),
      ),
      h(
        "button",
        { type: "button", class: "btn btn-primary", "data-testid": "identity-cta", on: { click: () => navigate("real-name") } },
        t("center.identityCta"),
      ),
    );
  }
  return h(
    "div",
    { "data-testid": "profile-identity" },
    h(
      "dl",
      { class: "facts facts-3" },
      h("div", null, h("dt", null, t("center.documentType")), h("dd", { "data-testid": "identity-type" }, t(`doc.${identity.document_type}`))),
      h("div", null, h("dt", null, t("center.documentNumber")), h("dd", { class: "mono", "data-testid": "identity-number" }, identity.number)),
      h("div", null, h("dt", null, t("center.name")), h("dd", { "data-testid": "identity-name" }, identity.name)),
    ),
    h("p", { class: "hint" }, t("center.maskedNote")),
  );
}

function entryCard(options: {
  testId: string;
  iconName: IconName;
  title: string;
  description: string;
  action: string;
  route: RouteName;
  /** The next thing this user should do: shown as the primary button. */
  emphasis?: boolean;
  /** Shown between the description and the button. */
  extra?: HTMLElement | null;
}): HTMLElement {
  const go = () => navigate(options.route);
  const card = h(
    "div",
    {
      class: "card entry-card",
      "data-testid": options.testId,
      // The whole card is clickable with a mouse; the button inside is the keyboard target.
      on: { click: (event) => ((event.target as Element).closest("button") ? undefined : go()) },
    },
    h("div", { class: "entry-icon" }, icon(options.iconName)),
    h("h3", { class: "entry-title" }, options.title),
    h("p", { class: "entry-desc" }, options.description),
    options.extra ?? null,
    h(
      "button",
      { type: "button", class: `btn ${options.emphasis ? "btn-primary" : "btn-secondary"} entry-action`, "data-testid": `${options.testId}-button`, on: { click: go } },
      h("span", null, options.action),
      icon("chevronRight"),
    ),
  );
  return card;
}

/** The signature card's summary: the default signature's image, or how many there are. */
function signatureSummary(): HTMLElement | null {
  ensureBoard();
  const board = sig.board;
  if (!board) return null;
  const chosen = board.signatures.find((s) => s.is_default);
  if (chosen) {
    return h(
      "div",
      { class: "entry-signature", "data-testid": "entry-signature-default" },
      h(
        "div",
        { class: "sig-checkered entry-signature-thumb" },
        h("img", { class: "sig-checkered-image", src: chosen.thumbnail, alt: t("signature.item.imageAlt", { name: chosen.name }), "data-testid": "entry-signature-thumbnail" }),
      ),
      h("p", { class: "hint entry-signature-name wrap" }, t("center.signature.default", { name: chosen.name })),
    );
  }
  return h(
    "p",
    { class: "hint entry-signature-none", "data-testid": "entry-signature-summary" },
    board.signatures.length === 0 ? t("center.signature.none") : t("center.signature.noDefault", { n: board.signatures.length }),
  );
}

function profileCard(profile: Profile): HTMLElement {
  return h(
    "section",
    { class: "card profile-card", "aria-labelledby": "profile-name" },
    h("div", { class: "avatar avatar-large", "aria-hidden": "true" }, initialOf(profile.display_name)),
    h(
      "div",
      { class: "profile-main" },
      h(
        "div",
        { class: "profile-title" },
        h("h2", { id: "profile-name", class: "profile-name", "data-testid": "profile-name" }, profile.display_name),
        realNameBadge(profile.real_name_status),
      ),
      h(
        "dl",
        { class: "facts facts-inline" },
        h("div", null, h("dt", null, t("center.account")), h("dd", { "data-testid": "profile-account" }, profile.account)),
        h("div", null, h("dt", null, t("center.role")), h("dd", { "data-testid": "profile-role" }, t(`role.${profile.role}`))),
      ),
    ),
  );
}

export function renderCenter(): HTMLElement {
  const session = getState().session;
  if (session.status !== "signed_in") return h("div", { "data-testid": "page-center" });
  const profile = session.profile;
  const status = profile.real_name_status;
  if (history.userId !== profile.user_id) {
    Object.assign(history, { userId: profile.user_id, attempts: null, loading: false, error: null, stale: true });
  }
  if (history.stale && !history.loading) queueMicrotask(() => void loadHistory());

  const refreshButton = h(
    "button",
    {
      type: "button",
      class: `btn btn-ghost${refreshing ? " is-busy" : ""}`,
      "data-testid": "profile-refresh",
      // aria-disabled rather than disabled, so keyboard focus stays on the button meanwhile.
      "aria-disabled": String(refreshing),
      "aria-busy": String(refreshing),
      on: { click: () => void refresh() },
    },
    icon("refresh", "icon refresh-icon"),
    h("span", null, t(refreshing ? "center.refreshing" : "center.refresh")),
  );
  const errorArea = h(
    "div",
    { class: "form-error", role: "alert", "data-testid": "center-error" },
    lastError && lastError.code !== "session_expired" && lastError.code !== "refresh_token_reused"
      ? [
          icon("alert", "icon form-error-icon"),
          h(
            "div",
            null,
            h("p", { class: "form-error-text" }, errorText(lastError)),
            shouldShowCode(lastError) ? h("p", { class: "error-code" }, t("error.code", { code: lastError.code })) : null,
          ),
        ]
      : null,
  );

  // Built before `pending` below: its summary syncs the signature state to this user.
  const signatureCard = entryCard({
    testId: "entry-signature",
    iconName: "signature",
    title: t("entry.signature.title"),
    description: t("entry.signature.desc"),
    action: t("entry.signature.action"),
    route: "signature",
    extra: signatureSummary(),
  });
  // Busy until the background loads this render started (profile, history, signatures) are in:
  // each ends in a re-render of the whole page, so assistive technology (and the end-to-end
  // tests) can wait for the page to settle.
  const historyPending = history.loading || history.stale || (history.attempts === null && history.error === null);
  const boardPending = sig.loading || sig.stale || (sig.board === null && sig.loadError === null);
  const pending = [refreshing ? "profile" : "", historyPending ? "history" : "", boardPending ? "signatures" : ""].filter(Boolean);
  const page = h(
    "div",
    { class: "page", "data-testid": "page-center", "aria-busy": String(pending.length > 0), "data-pending": pending.join(" ") },
    h(
      "div",
      { class: "page-header" },
      h("h1", { class: "page-title", tabindex: -1 }, t("center.pageTitle")),
      refreshButton,
    ),
    errorArea,
    profileCard(profile),
    h(
      "section",
      { class: "card", "aria-labelledby": "identity-title" },
      h("h2", { id: "identity-title", class: "card-title" }, t("center.identityTitle")),
      identityBlock(profile.identity),
    ),
    h(
      "section",
      { "aria-labelledby": "services-title" },
      h("h2", { id: "services-title", class: "section-title" }, t("center.servicesTitle")),
      h(
        "div",
        { class: "entry-grid" },
        entryCard({
          testId: "entry-real-name",
          iconName: "idCard",
          title: t("entry.realName.title"),
          description: t(`entry.realName.desc.${status}`),
          action: t(`entry.realName.action.${status}`),
          route: "real-name",
          emphasis: status === "unverified" || status === "rejected",
        }),
        signatureCard,
      ),
    ),
    historyCard(),
    h(
      "div",
      { class: "page-footer" },
      h(
        "button",
        { type: "button", class: "btn btn-secondary btn-danger-text", "data-testid": "sign-out", on: { click: () => void signOut() } },
        icon("signOut"),
        h("span", null, t("center.signOut")),
      ),
    ),
  );

  // Show what we have at once, and fetch a fresh profile in the background when it is old.
  const stale = Date.now() - (getState().fetchedAt ?? 0) > STALE_AFTER_MS;
  if (!session.offline && stale && Date.now() - lastAttempt > STALE_AFTER_MS) {
    queueMicrotask(() => void refresh());
  }
  return page;
}
