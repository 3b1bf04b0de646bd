// #/signature/draw: 手写签名. The user writes on the pad (sig-pad), then 预览 sends the strokes to
// the Rust side, which renders the PNG that would be saved; the preview shows exactly that image
// and 保存 saves it under the name given. A drawing the Rust side finds unusable (empty, too
// small, a straight line, a dot, too little ink...) comes back as `invalid_signature` with the
// reason, and nothing is saved.
import { signatureApi } from "../../api";
import { h } from "../../dom";
import { logError } from "../../errors";
import { t } from "../../i18n";
import { icon, type IconName } from "../../icons";
import type { ApiError, PenColor } from "../../types";
import { backButton, checkeredImage, nameField, sigErrorBox, signaturePage, verifyNeededPanel } from "./common";
import { PEN_WIDTHS, type PenWidthName } from "./ink";
import {
  afterSave,
  currentView,
  defaultName,
  drawPad,
  focusLater,
  handleSessionError,
  leaveView,
  loadBoard,
  nameProblem,
  openView,
  rerender,
  resetDraw,
  sig,
} from "./state";
import { isNameError, signatureErrorText } from "./text";

const WIDTH_NAMES: readonly PenWidthName[] = ["thin", "medium", "thick"];
const COLORS: readonly PenColor[] = ["black", "blue"];

// ---- actions ------------------------------------------------------------------------------------

/** Updates the toolbar in place as strokes are added (no re-render while drawing). */
function paintTools(): void {
  const pad = sig.draw.pad;
  if (!pad) return;
  const set = (testId: string, enabled: boolean) => {
    const button = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
    if (!button) return;
    if (enabled) button.removeAttribute("aria-disabled");
    else button.setAttribute("aria-disabled", "true");
  };
  set("sig-undo", pad.canUndo);
  set("sig-redo", pad.canRedo);
  set("sig-clear", !pad.isEmpty);
  document.querySelector('[data-testid="sig-pad-frame"]')?.setAttribute("data-empty", String(pad.isEmpty));
  // A new stroke makes an earlier quality message out of date.
  if (sig.draw.error && !pad.isEmpty && sig.draw.error.code === "invalid_signature") {
    sig.draw.error = null;
    const box = document.getElementById("sig-error");
    if (box) box.replaceChildren();
  }
}

function undo(): void {
  sig.draw.pad?.undo();
}

function redo(): void {
  sig.draw.pad?.redo();
}

function clear(): void {
  sig.draw.pad?.clear();
}

function setColor(color: PenColor): void {
  drawPad().setPen({ color });
  rerender();
}

function setWidth(name: PenWidthName): void {
  drawPad().setPen({ width: PEN_WIDTHS[name] });
  rerender();
}

async function preview(): Promise<void> {
  const draw = sig.draw;
  if (draw.busy !== null) return;
  const pad = drawPad();
  draw.error = null;
  if (pad.isEmpty) {
    draw.error = { code: "invalid_signature", message: "nothing drawn (checked before sending)", details: { reason: "empty" } };
    rerender();
    return;
  }
  draw.busy = "render";
  rerender();
  try {
    const draft = await signatureApi.renderDrawing(pad.drawing());
    if (sig.draw !== draw) {
      signatureApi.discardDraft(draft.draft_id).catch((error: ApiError) => logError("signature_discard_draft", error));
      return;
    }
    if (draw.draft) signatureApi.discardDraft(draw.draft.draft_id).catch((error: ApiError) => logError("signature_discard_draft", error));
    draw.draft = draft;
    draw.stage = "preview";
    if (draw.name.trim() === "") draw.name = defaultName();
    draw.nameError = null;
    draw.busy = null;
    rerender();
    focusLater("sig-preview-title");
  } catch (error) {
    const apiError = error as ApiError;
    logError("signature_render_drawing", apiError);
    if (sig.draw !== draw) return;
    draw.busy = null;
    if (handleSessionError(apiError)) return;
    draw.error = apiError;
    rerender();
  }
}

/** 重新书写: back to the pad with the strokes kept; the rendered draft is dropped. */
function editAgain(): void {
  const draw = sig.draw;
  if (draw.busy !== null) return;
  if (draw.draft) signatureApi.discardDraft(draw.draft.draft_id).catch((error: ApiError) => logError("signature_discard_draft", error));
  draw.draft = null;
  draw.stage = "pad";
  draw.error = null;
  rerender();
  focusLater("sig-preview");
}

async function save(): Promise<void> {
  const draw = sig.draw;
  const draft = draw.draft;
  if (draw.busy !== null || !draft) return;
  const problem = nameProblem(draw.name);
  draw.error = null;
  draw.nameError = problem;
  if (problem) {
    rerender();
    focusLater("sig-name");
    return;
  }
  const name = draw.name.trim();
  draw.busy = "save";
  rerender();
  try {
    const board = await signatureApi.saveDraft(draft.draft_id, name);
    if (sig.draw !== draw) return;
    draw.draft = null; // saved: the Rust side no longer keeps it as a draft
    resetDraw();
    afterSave(board, name);
  } catch (error) {
    const apiError = error as ApiError;
    logError("signature_save_draft", apiError);
    if (sig.draw !== draw) return;
    draw.busy = null;
    if (handleSessionError(apiError)) return;
    if (isNameError(apiError)) {
      draw.nameError = signatureErrorText(apiError, "drawing");
      rerender();
      focusLater("sig-name");
      return;
    }
    if (apiError.code === "not_found") {
      // The draft is gone (e.g. the app restarted): render the strokes again.
      draw.draft = null;
      draw.stage = "pad";
    }
    if (apiError.code === "real_name_required" || apiError.code === "signature_limit") void loadBoard();
    draw.error = apiError;
    rerender();
    focusLater("sig-error");
  }
}

let shortcutsInstalled = false;

/** Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on macOS), unless a text field has focus. */
function installShortcuts(): void {
  if (shortcutsInstalled) return;
  shortcutsInstalled = true;
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    if (currentView() !== "draw" || !window.location.hash.startsWith("#/signature")) return;
    if (sig.draw.stage !== "pad" || sig.draw.pad === null) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) {
      event.preventDefault();
      redo();
    }
  });
}

// ---- the page -----------------------------------------------------------------------------------

function toolButton(
  testId: string,
  iconName: IconName,
  label: string,
  shortcut: { aria: string; shown: string } | null,
  enabled: boolean,
  onClick: () => void,
): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "btn btn-secondary btn-small sig-tool",
      "data-testid": testId,
      "aria-disabled": enabled ? null : "true",
      "aria-keyshortcuts": shortcut?.aria ?? null,
      title: shortcut ? `${label} (${shortcut.shown})` : label,
      on: { click: onClick },
    },
    icon(iconName, "icon icon-small"),
    h("span", null, label),
  );
}

function choice(testId: string, label: string, pressed: boolean, onClick: () => void, swatch?: PenColor): HTMLElement {
  return h(
    "button",
    { type: "button", class: "sig-choice", "data-testid": testId, "aria-pressed": String(pressed), on: { click: onClick } },
    swatch ? h("span", { class: "sig-swatch", "data-color": swatch, "aria-hidden": "true" }) : null,
    h("span", null, label),
  );
}

function toolbar(): HTMLElement {
  const pad = drawPad();
  return h(
    "div",
    { class: "sig-toolbar", role: "toolbar", "aria-label": t("signature.draw.tools"), "data-testid": "sig-toolbar" },
    h(
      "div",
      { class: "sig-tool-group" },
      toolButton("sig-undo", "undo", t("signature.draw.undo"), { aria: "Control+Z Meta+Z", shown: "Ctrl+Z" }, pad.canUndo, undo),
      toolButton("sig-redo", "redo", t("signature.draw.redo"), { aria: "Control+Shift+Z Control+Y Meta+Shift+Z", shown: "Ctrl+Y" }, pad.canRedo, redo),
      toolButton("sig-clear", "eraser", t("signature.draw.clear"), null, !pad.isEmpty, clear),
    ),
    h(
      "div",
      { class: "sig-tool-group", role: "group", "aria-labelledby": "sig-color-label" },
      h("span", { id: "sig-color-label", class: "sig-tool-label" }, t("signature.draw.color")),
      COLORS.map((color) => choice(`sig-color-${color}`, t(`signature.draw.color.${color}`), pad.color === color, () => setColor(color), color)),
    ),
    h(
      "div",
      { class: "sig-tool-group", role: "group", "aria-labelledby": "sig-width-label" },
      h("span", { id: "sig-width-label", class: "sig-tool-label" }, t("signature.draw.width")),
      WIDTH_NAMES.map((name) => choice(`sig-width-${name}`, t(`signature.draw.width.${name}`), pad.width === PEN_WIDTHS[name], () => setWidth(name))),
    ),
  );
}

function padStage(): HTMLElement[] {
  const draw = sig.draw;
  const pad = drawPad();
  pad.onChange = paintTools;
  pad.canvas.setAttribute("aria-label", t("signature.draw.padLabel"));
  pad.canvas.setAttribute("aria-describedby", "sig-pad-note");
  const rendering = draw.busy === "render";
  const previewButton = h(
    "button",
    {
      type: "button",
      class: `btn btn-primary${rendering ? " is-busy" : ""}`,
      "data-testid": "sig-preview",
      "aria-disabled": rendering ? "true" : null,
      "aria-busy": String(rendering),
      on: { click: () => void preview() },
    },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, rendering ? t("signature.draw.previewing") : t("signature.draw.preview")),
  );
  return [
    toolbar(),
    h(
      "div",
      { class: "sig-pad-frame", "data-testid": "sig-pad-frame", "data-empty": String(pad.isEmpty), "data-color": pad.color },
      pad.canvas,
      h("div", { class: "sig-pad-baseline", "aria-hidden": "true" }),
      h("p", { class: "sig-pad-hint", "data-testid": "sig-pad-hint", "aria-hidden": "true" }, t("signature.draw.hint")),
    ),
    h(
      "p",
      { id: "sig-pad-note", class: "hint sig-pad-note", "data-testid": "sig-pad-keyboard-note" },
      h("span", null, t("signature.draw.pointerNote")),
      " ",
      h(
        "button",
        { type: "button", class: "btn-link sig-inline-link", "data-testid": "sig-switch-upload", on: { click: () => openView("upload") } },
        t("signature.draw.useUpload"),
      ),
    ),
    h("p", { class: "hint sig-shortcuts" }, t("signature.draw.shortcuts")),
    sigErrorBox(draw.error, "drawing"),
    h("div", { class: "rn-actions" }, h("p", { class: "hint" }, t("signature.draw.previewHint")), h("div", { class: "rn-actions-end" }, previewButton)),
  ];
}

function previewStage(): HTMLElement[] {
  const draw = sig.draw;
  const draft = draw.draft;
  if (!draft) return [];
  const saving = draw.busy === "save";
  const saveButton = h(
    "button",
    {
      type: "button",
      class: `btn btn-primary${saving ? " is-busy" : ""}`,
      "data-testid": "sig-save",
      "aria-disabled": saving ? "true" : null,
      "aria-busy": String(saving),
      on: { click: () => void save() },
    },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, saving ? t("signature.saving") : t("signature.save")),
  );
  return [
    h("h2", { class: "rn-step-title", tabindex: -1, "data-testid": "sig-preview-title" }, t("signature.draw.previewTitle")),
    h("p", { class: "muted" }, t("signature.draw.previewBody")),
    checkeredImage(draft.preview, t("signature.draw.previewAlt"), "sig-preview-image", "sig-preview-frame", {
      "data-width": draft.width,
      "data-height": draft.height,
    }),
    h("p", { class: "hint", "data-testid": "sig-preview-size" }, t("signature.imageSize", { width: draft.width, height: draft.height })),
    nameField({
      value: draw.name,
      error: draw.nameError,
      disabled: saving,
      onInput: (value) => {
        draw.name = value;
      },
      onEnter: () => void save(),
    }),
    sigErrorBox(draw.error, "drawing"),
    h(
      "div",
      { class: "rn-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-secondary", "data-testid": "sig-edit-again", "aria-disabled": saving ? "true" : null, on: { click: editAgain } },
        icon("pencil"),
        h("span", null, t("signature.draw.editAgain")),
      ),
      h("div", { class: "rn-actions-end" }, saveButton),
    ),
  ];
}

export function renderDraw(): HTMLElement {
  installShortcuts();
  const draw = sig.draw;
  const board = sig.board;
  const blocked = board !== null && !board.can_save;
  const stage = draw.stage === "preview" && draw.draft ? "preview" : "pad";
  return signaturePage({
    view: "draw",
    title: t("signature.draw.title"),
    headerEnd: backButton(leaveView),
    children: [
      blocked
        ? verifyNeededPanel()
        : h(
            "section",
            { class: "card sig-editor", "data-testid": "sig-draw", "data-stage": stage, "aria-label": t("signature.draw.title") },
            ...(stage === "preview" ? previewStage() : padStage()),
          ),
    ],
  });
}
