// #/signature: the user's signatures (sig-list) with their thumbnails, kind, the 默认 badge and
// whether each has reached the platform; set as default, rename in place, delete after a
// confirmation dialog; the overall sync state with 重试; and the two ways to add one. Without a
// verified real name the list still shows, and the add buttons lead to the explanation.
import { signatureApi } from "../../api";
import { h } from "../../dom";
import { logError } from "../../errors";
import { t } from "../../i18n";
import { icon, type IconName } from "../../icons";
import type { ApiError, SignatureBoard, SignatureItem } from "../../types";
import { sigErrorBox, signaturePage, verifyNeededPanel } from "./common";
import {
  applyBoard,
  atLimit,
  handleSessionError,
  loadBoard,
  MAX_SIGNATURES,
  nameProblem,
  openView,
  rerender,
  sig,
} from "./state";
import { isNameError, signatureErrorText } from "./text";

// ---- focus --------------------------------------------------------------------------------------

/** Focuses a control of one signature once the page has re-rendered; `fallback` (a data-testid)
 * when that signature is gone. */
function focusInItem(id: string, testId: string, fallback = "sig-title"): void {
  window.setTimeout(() => {
    const item = document.querySelector<HTMLElement>(`[data-testid="sig-item"][data-signature-id="${CSS.escape(id)}"]`);
    const target = item?.querySelector<HTMLElement>(`[data-testid="${testId}"]`) ?? document.querySelector<HTMLElement>(`[data-testid="${fallback}"]`);
    target?.focus({ preventScroll: false });
    if (target instanceof HTMLInputElement) target.select();
  }, 0);
}

function focusTestId(testId: string): void {
  window.setTimeout(() => document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.focus(), 0);
}

function nameOf(id: string): string {
  return sig.board?.signatures.find((s) => s.id === id)?.name ?? "";
}

// ---- actions ------------------------------------------------------------------------------------

/** Runs one signature's command; resolves with the new board, or null after showing the error. */
async function itemCommand(id: string, context: string, command: () => Promise<SignatureBoard>): Promise<SignatureBoard | null> {
  const list = sig.list;
  if (list.busyId !== null) return null;
  list.busyId = id;
  list.error = null;
  list.notice = null;
  rerender();
  try {
    const board = await command();
    list.busyId = null;
    return board;
  } catch (error) {
    const apiError = error as ApiError;
    logError(context, apiError);
    list.busyId = null;
    if (handleSessionError(apiError)) return null;
    if (list.renaming?.id === id && isNameError(apiError)) {
      list.renaming.error = signatureErrorText(apiError);
      rerender();
      focusInItem(id, "sig-rename-input");
      return null;
    }
    list.error = apiError;
    // The signature is gone (deleted elsewhere): the list is fetched again.
    if (apiError.code === "not_found") void loadBoard();
    rerender();
    focusTestId("sig-error");
    return null;
  }
}

async function setDefault(id: string): Promise<void> {
  const board = await itemCommand(id, "signature_set_default", () => signatureApi.setDefault(id));
  if (!board) return;
  applyBoard(board);
  focusInItem(id, "sig-rename");
}

function startRename(id: string): void {
  if (sig.list.busyId !== null) return;
  sig.list.renaming = { id, value: nameOf(id), error: null };
  sig.list.notice = null;
  rerender();
  focusInItem(id, "sig-rename-input");
}

function cancelRename(): void {
  const renaming = sig.list.renaming;
  if (!renaming || sig.list.busyId !== null) return;
  sig.list.renaming = null;
  rerender();
  focusInItem(renaming.id, "sig-rename");
}

async function saveRename(): Promise<void> {
  const renaming = sig.list.renaming;
  if (!renaming) return;
  const problem = nameProblem(renaming.value);
  if (problem) {
    renaming.error = problem;
    rerender();
    focusInItem(renaming.id, "sig-rename-input");
    return;
  }
  const name = renaming.value.trim();
  if (name === nameOf(renaming.id)) {
    cancelRename();
    return;
  }
  renaming.error = null;
  const board = await itemCommand(renaming.id, "signature_rename", () => signatureApi.rename(renaming.id, name));
  if (!board) return;
  sig.list.renaming = null;
  applyBoard(board);
  focusInItem(renaming.id, "sig-rename");
}

function askDelete(id: string): void {
  if (sig.list.busyId !== null) return;
  sig.list.confirmDelete = id;
  sig.list.renaming = null;
  sig.list.notice = null;
  rerender();
}

function cancelDelete(): void {
  const id = sig.list.confirmDelete;
  if (id === null || sig.list.busyId !== null) return;
  sig.list.confirmDelete = null;
  rerender();
  focusInItem(id, "sig-delete");
}

async function confirmDelete(): Promise<void> {
  const id = sig.list.confirmDelete;
  if (id === null) return;
  const items = sig.board?.signatures ?? [];
  const index = items.findIndex((s) => s.id === id);
  const name = nameOf(id);
  // Where focus goes afterwards: the next signature, else the previous one, else the heading.
  const neighbour = items[index + 1] ?? items[index - 1] ?? null;
  const board = await itemCommand(id, "signature_delete", () => signatureApi.remove(id));
  sig.list.confirmDelete = null;
  if (!board) {
    rerender();
    return;
  }
  sig.list.notice = { kind: "deleted", name };
  applyBoard(board);
  if (neighbour && board.signatures.some((s) => s.id === neighbour.id)) focusInItem(neighbour.id, "sig-delete");
  else focusTestId(board.signatures.length === 0 ? "sig-new-drawn" : "sig-title");
}

async function syncNow(): Promise<void> {
  const list = sig.list;
  if (list.syncing) return;
  list.syncing = true;
  list.error = null;
  rerender();
  try {
    const board = await signatureApi.syncNow();
    list.syncing = false;
    applyBoard(board);
  } catch (error) {
    const apiError = error as ApiError;
    logError("signature_sync_now", apiError);
    list.syncing = false;
    if (handleSessionError(apiError)) return;
    list.error = apiError;
    rerender();
  }
}

/** 手写签名 / 上传签名图片: opens the editor, or points at why adding is not possible now. */
function add(view: "draw" | "upload"): void {
  const board = sig.board;
  if (board && !board.can_save) {
    const panel = document.getElementById("sig-verify-needed");
    panel?.focus();
    panel?.classList.remove("is-flashing");
    void panel?.offsetWidth; // restart the animation
    panel?.classList.add("is-flashing");
    return;
  }
  if (atLimit()) {
    document.getElementById("sig-limit")?.focus();
    return;
  }
  openView(view);
}

function addButtons(primary: boolean): HTMLElement {
  const board = sig.board;
  const blocked = board !== null && (!board.can_save || atLimit());
  const describedBy = board && !board.can_save ? "sig-verify-needed" : blocked ? "sig-limit" : null;
  const button = (view: "draw" | "upload", testId: string, iconName: IconName, label: string, isPrimary: boolean) =>
    h(
      "button",
      {
        type: "button",
        class: `btn ${isPrimary ? "btn-primary" : "btn-secondary"}`,
        "data-testid": testId,
        // aria-disabled keeps the button focusable: pressing it explains why.
        "aria-disabled": blocked ? "true" : null,
        "aria-describedby": describedBy,
        on: { click: () => add(view) },
      },
      icon(iconName),
      h("span", null, label),
    );
  return h(
    "div",
    { class: "sig-add-buttons" },
    button("draw", "sig-new-drawn", "pencil", t("signature.new.drawn"), primary),
    button("upload", "sig-new-upload", "upload", t("signature.new.upload"), false),
  );
}

// ---- the sync state -------------------------------------------------------------------------------

function syncLine(board: SignatureBoard): HTMLElement {
  const { sync } = board;
  const syncing = sig.list.syncing || sync.state === "syncing";
  const state = syncing ? "syncing" : sync.state;
  let text: string;
  let iconName: IconName = "checkCircle";
  switch (state) {
    case "synced":
      text = board.signatures.length === 0 ? t("signature.sync.syncedEmpty") : t("signature.sync.synced");
      break;
    case "pending":
      text = t("signature.sync.pending", { n: sync.pending });
      iconName = "clock";
      break;
    case "syncing":
      text = t("signature.sync.syncing");
      iconName = "refresh";
      break;
    case "offline":
      text = sync.pending > 0 ? t("signature.sync.offline", { n: sync.pending }) : t("signature.sync.offlineNone");
      iconName = "offline";
      break;
    case "failed":
      text = sync.error ? t("signature.sync.failed", { reason: signatureErrorText(sync.error) }) : t("signature.sync.failedNoReason");
      iconName = "alert";
      break;
    default:
      text = t("signature.sync.pending", { n: sync.pending });
      iconName = "clock";
  }
  const retry =
    state === "failed" || (state === "offline" && sync.pending > 0)
      ? h(
          "button",
          { type: "button", class: "btn btn-secondary btn-small", "data-testid": "sig-sync-retry", on: { click: () => void syncNow() } },
          icon("refresh", "icon icon-small"),
          h("span", null, t("signature.sync.retry")),
        )
      : null;
  return h(
    "div",
    { class: `sig-sync${syncing ? " is-busy" : ""}`, "data-state": state },
    h(
      "p",
      { class: "sig-sync-text", role: "status", "data-testid": "sig-sync-state", "data-state": state },
      icon(iconName, "icon icon-small sig-sync-icon refresh-icon"),
      h("span", null, text),
    ),
    retry,
  );
}

// ---- one signature --------------------------------------------------------------------------------

function itemSync(item: SignatureItem): HTMLElement {
  const sync = item.sync === "synced" || item.sync === "pending" || item.sync === "failed" ? item.sync : "pending";
  const text =
    sync === "failed"
      ? item.sync_error
        ? t("signature.item.failed", { reason: signatureErrorText(item.sync_error) })
        : t("signature.item.failedNoReason")
      : t(`signature.item.${sync}`);
  const iconName: IconName = sync === "synced" ? "checkCircle" : sync === "pending" ? "clock" : "alert";
  return h("p", { class: "sig-item-sync", "data-testid": "sig-item-sync", "data-sync": sync }, icon(iconName, "icon icon-small"), h("span", null, text));
}

function renameForm(item: SignatureItem, renaming: { value: string; error: string | null }, busy: boolean): HTMLElement {
  const inputId = `sig-rename-${item.id}`;
  const errorId = `${inputId}-error`;
  const input = h("input", {
    id: inputId,
    class: "input sig-rename-input",
    "data-testid": "sig-rename-input",
    value: renaming.value,
    autocomplete: "off",
    spellcheck: "false",
    "aria-invalid": renaming.error ? "true" : null,
    "aria-describedby": renaming.error ? errorId : null,
    readonly: busy,
    on: {
      input: () => {
        renaming.value = input.value;
      },
      keydown: (event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          cancelRename();
        }
      },
    },
  });
  return h(
    "form",
    {
      class: "sig-rename-form",
      "data-testid": "sig-rename-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          void saveRename();
        },
      },
    },
    h("label", { for: inputId, class: "sr-only" }, t("signature.rename.label", { name: item.name })),
    h(
      "div",
      { class: "sig-rename-row" },
      input,
      h(
        "button",
        { type: "submit", class: `btn btn-primary btn-small${busy ? " is-busy" : ""}`, "data-testid": "sig-rename-save", "aria-disabled": busy ? "true" : null },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", null, t("signature.rename.save")),
      ),
      h(
        "button",
        { type: "button", class: "btn btn-ghost btn-small", "data-testid": "sig-rename-cancel", on: { click: cancelRename } },
        t("signature.rename.cancel"),
      ),
    ),
    h("p", { id: errorId, class: "field-error", role: "alert", "data-testid": "sig-rename-error" }, renaming.error ?? ""),
  );
}

function itemRow(item: SignatureItem): HTMLElement {
  const list = sig.list;
  const busy = list.busyId === item.id;
  const locked = list.busyId !== null;
  const renaming = list.renaming?.id === item.id ? list.renaming : null;
  const kind = item.kind === "uploaded" ? "uploaded" : "drawn";
  const action = (testId: string, label: string, ariaLabel: string, onClick: () => void, extraClass = "") =>
    h(
      "button",
      {
        type: "button",
        class: `btn btn-secondary btn-small ${extraClass}`.trim(),
        "data-testid": testId,
        "aria-label": ariaLabel,
        "aria-disabled": locked ? "true" : null,
        on: { click: () => (locked ? undefined : onClick()) },
      },
      label,
    );
  return h(
    "li",
    {
      class: "sig-item",
      "data-testid": "sig-item",
      "data-signature-id": item.id,
      "data-default": String(item.is_default),
      "data-kind": kind,
      "data-sync": item.sync,
      "aria-busy": String(busy),
    },
    h(
      "div",
      { class: "sig-item-thumb sig-checkered" },
      h("img", {
        class: "sig-checkered-image",
        src: item.thumbnail,
        alt: t("signature.item.imageAlt", { name: item.name }),
        "data-testid": "sig-item-thumbnail",
        draggable: "false",
      }),
    ),
    h(
      "div",
      { class: "sig-item-main" },
      renaming
        ? renameForm(item, renaming, busy)
        : h(
            "div",
            { class: "sig-item-title" },
            h("h3", { class: "sig-item-name wrap", "data-testid": "sig-item-name" }, item.name),
            item.is_default
              ? h("span", { class: "badge sig-default-badge", "data-testid": "sig-item-default-badge" }, icon("checkCircle", "icon icon-small"), t("signature.item.default"))
              : null,
          ),
      h(
        "p",
        { class: "sig-item-meta" },
        h("span", { "data-testid": "sig-item-kind", "data-kind": kind }, t(`signature.kind.${kind}`)),
        h("span", { "aria-hidden": "true" }, "·"),
        h("span", { class: "mono" }, `${item.width}×${item.height}`),
      ),
      itemSync(item),
    ),
    h(
      "div",
      { class: "sig-item-actions" },
      busy && !renaming ? h("span", { class: "spinner spinner-dark sig-item-spinner", role: "status", "aria-label": t("signature.item.working") }) : null,
      item.is_default ? null : action("sig-set-default", t("signature.action.setDefault"), t("signature.action.setDefaultLabel", { name: item.name }), () => void setDefault(item.id)),
      renaming ? null : action("sig-rename", t("signature.action.rename"), t("signature.action.renameLabel", { name: item.name }), () => startRename(item.id)),
      action("sig-delete", t("signature.action.delete"), t("signature.action.deleteLabel", { name: item.name }), () => askDelete(item.id), "btn-danger-text"),
    ),
  );
}

// ---- the delete dialog ----------------------------------------------------------------------------

function deleteDialog(item: SignatureItem): HTMLDialogElement {
  const busy = sig.list.busyId === item.id;
  const dialog = h(
    "dialog",
    {
      class: "dialog",
      "data-testid": "sig-delete-dialog",
      "aria-labelledby": "sig-delete-title",
      "aria-describedby": "sig-delete-body",
      on: {
        // Escape: the dialog stays under our control (it closes by re-rendering).
        cancel: (event) => {
          event.preventDefault();
          cancelDelete();
        },
      },
    },
    h("h2", { id: "sig-delete-title", class: "dialog-title" }, t("signature.delete.title", { name: item.name })),
    h(
      "div",
      { id: "sig-delete-body", class: "dialog-body" },
      h("p", null, t("signature.delete.body")),
      item.is_default ? h("p", { class: "hint-warning", "data-testid": "sig-delete-default-note" }, t("signature.delete.defaultNote")) : null,
    ),
    h(
      "div",
      { class: "dialog-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-secondary", autofocus: true, "data-testid": "sig-cancel-delete", "aria-disabled": busy ? "true" : null, on: { click: cancelDelete } },
        t("signature.delete.cancel"),
      ),
      h(
        "button",
        {
          type: "button",
          class: `btn btn-danger${busy ? " is-busy" : ""}`,
          "data-testid": "sig-confirm-delete",
          "aria-disabled": busy ? "true" : null,
          on: { click: () => (busy ? undefined : void confirmDelete()) },
        },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", null, busy ? t("signature.delete.deleting") : t("signature.delete.confirm")),
      ),
    ),
  );
  // Opened once in the document; a re-render makes a new one, opened the same way.
  queueMicrotask(() => {
    if (dialog.isConnected && !dialog.open) dialog.showModal();
  });
  return dialog;
}

// ---- the page -------------------------------------------------------------------------------------

function noticeLine(): HTMLElement {
  const notice = sig.list.notice;
  const offline = sig.board?.sync.state === "offline";
  const text = !notice
    ? ""
    : notice.kind === "saved"
      ? t(offline ? "signature.notice.savedOffline" : "signature.notice.saved", { name: notice.name })
      : t("signature.notice.deleted", { name: notice.name });
  return h(
    "p",
    { class: `sig-notice${notice ? "" : " is-empty"}`, role: "status", tabindex: -1, "data-testid": "sig-notice" },
    notice ? icon("checkCircle", "icon icon-small") : null,
    text,
  );
}

function emptyState(): HTMLElement {
  return h(
    "div",
    { class: "sig-empty empty-state", "data-testid": "sig-empty" },
    h("div", { class: "empty-icon empty-icon-large" }, icon("signature")),
    h("h3", { class: "empty-title" }, t("signature.empty.title")),
    h("p", { class: "muted sig-empty-text" }, t("signature.empty.body")),
    h(
      "ul",
      { class: "sig-empty-ways" },
      h("li", null, icon("pencil", "icon icon-small"), h("span", null, t("signature.empty.drawn"))),
      h("li", null, icon("upload", "icon icon-small"), h("span", null, t("signature.empty.upload"))),
    ),
    addButtons(true),
  );
}

function listCard(board: SignatureBoard): HTMLElement {
  const items = board.signatures;
  const deleting = sig.list.confirmDelete === null ? null : (items.find((s) => s.id === sig.list.confirmDelete) ?? null);
  if (sig.list.confirmDelete !== null && deleting === null) sig.list.confirmDelete = null;
  return h(
    "section",
    { class: "card sig-card", "aria-labelledby": "sig-list-title", "aria-busy": String(sig.loading) },
    h(
      "div",
      { class: "sig-card-header" },
      h("h2", { id: "sig-list-title", class: "card-title" }, t("signature.list.title", { n: items.length, max: MAX_SIGNATURES })),
      syncLine(board),
    ),
    items.length === 0
      ? emptyState()
      : h("ul", { class: "sig-list", "data-testid": "sig-list", "aria-labelledby": "sig-list-title" }, items.map(itemRow)),
    !board.signatures.some((s) => s.is_default) && items.length > 0
      ? h("p", { class: "hint", "data-testid": "sig-no-default" }, t("signature.list.noDefault"))
      : null,
    deleting ? deleteDialog(deleting) : null,
  );
}

export function renderList(): HTMLElement {
  const board = sig.board;
  const blockedByLimit = board !== null && board.can_save && atLimit();
  let body: (Node | null)[];
  if (board === null) {
    body = sig.loadError
      ? [
          sigErrorBox(
            sig.loadError,
            "list",
            h(
              "button",
              { type: "button", class: "btn btn-secondary btn-small", "data-testid": "sig-reload", on: { click: () => void loadBoard() } },
              t("signature.reload"),
            ),
          ),
        ]
      : [h("p", { class: "muted sig-loading", role: "status", "data-testid": "sig-loading" }, h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }), t("signature.loading"))];
  } else {
    body = [
      board.can_save ? null : verifyNeededPanel(),
      blockedByLimit
        ? h("p", { id: "sig-limit", class: "notice notice-info", tabindex: -1, "data-testid": "sig-limit" }, icon("info", "icon notice-icon"), t("signature.limit", { max: MAX_SIGNATURES }))
        : null,
      noticeLine(),
      sigErrorBox(sig.list.error ?? sig.loadError, "list"),
      listCard(board),
    ];
  }
  return signaturePage({
    view: "list",
    title: t("signature.pageTitle"),
    lead: t("signature.description"),
    headerEnd: board !== null && board.signatures.length > 0 ? addButtons(true) : null,
    children: body,
  });
}
