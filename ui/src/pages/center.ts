// #/center: the personal center: who is signed in, the real-name status and the entries to the
// two services.
import { h } from "../dom";
import { errorText, shouldShowCode } from "../errors";
import { t } from "../i18n";
import { icon, type IconName } from "../icons";
import { navigate, type RouteName } from "../router";
import { refreshProfile, signOut } from "../session";
import { initialOf } from "../shell";
import { getState, update } from "../state";
import type { ApiError, MaskedIdentity, Profile, RealNameStatus } from "../types";

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
  lastError = await refreshProfile();
  refreshing = false;
  update({});
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
    h(
      "button",
      { type: "button", class: `btn ${options.emphasis ? "btn-primary" : "btn-secondary"} entry-action`, "data-testid": `${options.testId}-button`, on: { click: go } },
      h("span", null, options.action),
      icon("chevronRight"),
    ),
  );
  return card;
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

  const page = h(
    "div",
    { class: "page", "data-testid": "page-center" },
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
        entryCard({
          testId: "entry-signature",
          iconName: "signature",
          title: t("entry.signature.title"),
          description: t("entry.signature.desc"),
          action: t("entry.signature.action"),
          route: "signature",
        }),
      ),
    ),
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
