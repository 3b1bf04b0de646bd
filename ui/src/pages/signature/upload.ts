// #/signature/upload: 上传签名图片. A picked or dropped image goes to the Rust side as bytes
// (`signature_load_photo`), which decodes it (orientation applied), checks it and cleans it into
// a transparent PNG with an automatic ink threshold. The original shows beside the result; the
// threshold slider and the ink colour clean it again (`signature_clean_photo`, debounced, newest
// answer wins) and 保存 saves the result as last shown.
import { signatureApi } from "../../api";
import { h } from "../../dom";
import { logError } from "../../errors";
import { t } from "../../i18n";
import { icon } from "../../icons";
import type { ApiError, InkColor, SignatureDraft } from "../../types";
import { backButton, nameField, paintErrorBox, sigErrorBox, signaturePage, verifyNeededPanel } from "./common";
import {
  afterSave,
  currentView,
  defaultName,
  focusLater,
  handleSessionError,
  leaveView,
  loadBoard,
  nameProblem,
  rerender,
  resetUpload,
  sig,
  type UploadState,
} from "./state";
import { isNameError, signatureErrorText } from "./text";

/** The largest file sent to the Rust side (which checks again): bigger ones are refused before
 * their bytes are read. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ACCEPT = ".png,.jpg,.jpeg,.bmp,.webp,.heic";
/** Delay between the slider's last movement and cleaning the photo again. */
const CLEAN_DEBOUNCE_MS = 120;
const INKS: readonly InkColor[] = ["keep", "black", "blue"];

function discard(draft: SignatureDraft | null): void {
  if (draft) signatureApi.discardDraft(draft.draft_id).catch((error: ApiError) => logError("signature_discard_draft", error));
}

function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return t("signature.upload.kb", { n: Math.max(1, Math.round(bytes / 1024)) });
  return t("signature.upload.mb", { n: Math.round((bytes / (1024 * 1024)) * 10) / 10 });
}

// ---- loading a file -------------------------------------------------------------------------------

function refusal(reason: string, details: Record<string, unknown> = {}): ApiError {
  return { code: "invalid_signature", message: `${reason} (checked before reading)`, details: { reason, ...details } };
}

async function loadFile(file: File | undefined): Promise<void> {
  const upload = sig.upload;
  if (!file || upload.loadingBytes !== null || upload.saving) return;
  upload.error = null;
  if (file.size === 0 || file.size > MAX_FILE_BYTES) {
    upload.error = file.size === 0 ? refusal("empty") : refusal("too_large", { bytes: file.size, max: MAX_FILE_BYTES });
    rerender();
    focusLater("sig-pick-file");
    return;
  }
  cancelCleaning();
  discard(upload.draft);
  upload.draft = null;
  upload.fileName = file.name;
  upload.loadingBytes = file.size;
  rerender();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const draft = await signatureApi.loadPhoto(file.name, bytes);
    if (sig.upload !== upload) {
      discard(draft);
      return;
    }
    upload.draft = draft;
    upload.threshold = null;
    upload.ink = "keep";
    upload.cleanFailed = false;
    if (upload.name.trim() === "") upload.name = defaultName();
    upload.loadingBytes = null;
    rerender();
    focusLater("sig-result-title");
  } catch (error) {
    const apiError: ApiError = typeof (error as ApiError)?.code === "string" ? (error as ApiError) : { code: "internal", message: String(error) };
    logError("signature_load_photo", apiError);
    if (sig.upload !== upload) return;
    upload.loadingBytes = null;
    upload.fileName = null;
    if (handleSessionError(apiError)) return;
    upload.error = apiError;
    rerender();
    focusLater("sig-pick-file");
  }
}

// ---- cleaning again -------------------------------------------------------------------------------

let cleanTimer: number | null = null;
let cleanSeq = 0;
let latestClean: Promise<void> | null = null;

function cancelCleaning(): void {
  if (cleanTimer !== null) window.clearTimeout(cleanTimer);
  cleanTimer = null;
  cleanSeq += 1; // answers on their way are ignored
  latestClean = null;
  sig.upload.cleaning = false;
}

function scheduleClean(delay: number): void {
  const upload = sig.upload;
  if (!upload.draft) return;
  if (cleanTimer !== null) window.clearTimeout(cleanTimer);
  upload.cleaning = true;
  paintCleaning();
  cleanTimer = window.setTimeout(() => {
    cleanTimer = null;
    void runClean();
  }, delay);
}

function runClean(): Promise<void> {
  const upload = sig.upload;
  const draft = upload.draft;
  if (!draft) return Promise.resolve();
  const seq = ++cleanSeq;
  upload.cleaning = true;
  paintCleaning();
  const current = () => seq === cleanSeq && sig.upload === upload;
  const run = signatureApi
    .cleanPhoto({ draftId: draft.draft_id, threshold: upload.threshold, ink: upload.ink })
    .then(
      (next) => {
        if (!current()) return;
        upload.draft = next;
        upload.cleanFailed = false;
        if (upload.error?.code !== "invalid_input") upload.error = null;
        paintResult();
      },
      (error: ApiError) => {
        logError("signature_clean_photo", error);
        if (!current()) return;
        if (handleSessionError(error)) return;
        upload.error = error;
        if (error.code === "not_found") {
          // The draft is gone (e.g. the app restarted): the file must be picked again.
          cancelCleaning();
          upload.draft = null;
          upload.fileName = null;
          rerender();
          return;
        }
        upload.cleanFailed = true;
        paintError();
      },
    )
    .finally(() => {
      if (!current()) return;
      upload.cleaning = cleanTimer !== null;
      paintCleaning();
    });
  latestClean = run;
  return run;
}

/** Waits until the preview on screen is the one the Rust side holds: a debounced cleaning runs
 * now, a running one is awaited, a failed one is tried again. False when it still fails. */
async function settle(upload: UploadState): Promise<boolean> {
  if (cleanTimer !== null) {
    window.clearTimeout(cleanTimer);
    cleanTimer = null;
    await runClean();
  } else if (latestClean) {
    await latestClean;
  }
  if (upload.cleanFailed) await runClean();
  return !upload.cleanFailed;
}

function shownThreshold(upload: UploadState): number {
  return upload.threshold ?? upload.draft?.threshold ?? upload.draft?.auto_threshold ?? 128;
}

function thresholdText(upload: UploadState): string {
  const value = shownThreshold(upload);
  return upload.threshold === null ? t("signature.upload.thresholdAuto", { value }) : String(value);
}

function setThreshold(value: number): void {
  const upload = sig.upload;
  upload.threshold = value;
  paintThreshold();
  scheduleClean(CLEAN_DEBOUNCE_MS);
}

function autoThreshold(): void {
  const upload = sig.upload;
  if (upload.threshold === null) return;
  upload.threshold = null;
  paintThreshold();
  scheduleClean(0);
}

function setInk(ink: InkColor): void {
  sig.upload.ink = ink;
  scheduleClean(0);
}

// Painting in place: the slider keeps focus and its drag while the result updates.

function paintThreshold(): void {
  const upload = sig.upload;
  const slider = document.getElementById("sig-threshold");
  if (slider instanceof HTMLInputElement) {
    slider.value = String(shownThreshold(upload));
    slider.setAttribute("aria-valuetext", thresholdText(upload));
  }
  const output = document.getElementById("sig-threshold-value");
  if (output) output.textContent = thresholdText(upload);
  document.getElementById("sig-threshold-auto")?.setAttribute("aria-pressed", String(upload.threshold === null));
}

function paintResult(): void {
  const draft = sig.upload.draft;
  if (!draft) return;
  const image = document.getElementById("sig-cleaned-image");
  if (image instanceof HTMLImageElement) {
    image.src = draft.preview;
    image.dataset.width = String(draft.width);
    image.dataset.height = String(draft.height);
    image.dataset.threshold = String(draft.threshold ?? "");
  }
  const size = document.getElementById("sig-cleaned-size");
  if (size) size.textContent = t("signature.imageSize", { width: draft.width, height: draft.height });
  paintThreshold();
  paintError();
}

function paintCleaning(): void {
  const busy = sig.upload.cleaning;
  const frame = document.getElementById("sig-cleaned-frame");
  frame?.classList.toggle("is-busy", busy);
  frame?.setAttribute("aria-busy", String(busy));
  const indicator = document.getElementById("sig-cleaning");
  if (indicator) indicator.hidden = !busy;
}

function paintError(): void {
  const box = document.getElementById("sig-error");
  if (box) paintErrorBox(box, sig.upload.error, "photo");
}

// ---- saving ---------------------------------------------------------------------------------------

async function save(): Promise<void> {
  const upload = sig.upload;
  if (upload.saving || !upload.draft) return;
  const problem = nameProblem(upload.name);
  upload.nameError = problem;
  if (problem) {
    rerender();
    focusLater("sig-name");
    return;
  }
  const name = upload.name.trim();
  upload.saving = true;
  upload.error = null;
  rerender();
  if (!(await settle(upload)) || sig.upload !== upload || !upload.draft) {
    upload.saving = false;
    rerender();
    focusLater("sig-error");
    return;
  }
  try {
    const board = await signatureApi.saveDraft(upload.draft.draft_id, name);
    if (sig.upload !== upload) return;
    upload.draft = null; // saved: no longer a draft
    resetUpload();
    afterSave(board, name);
  } catch (error) {
    const apiError = error as ApiError;
    logError("signature_save_draft", apiError);
    if (sig.upload !== upload) return;
    upload.saving = false;
    if (handleSessionError(apiError)) return;
    if (isNameError(apiError)) {
      upload.nameError = signatureErrorText(apiError, "photo");
      rerender();
      focusLater("sig-name");
      return;
    }
    if (apiError.code === "not_found") {
      // The draft is gone (e.g. the app restarted): the file must be picked again.
      upload.draft = null;
      upload.fileName = null;
    }
    if (apiError.code === "real_name_required" || apiError.code === "signature_limit") void loadBoard();
    upload.error = apiError;
    rerender();
    focusLater("sig-error");
  }
}

// ---- picking and dropping -------------------------------------------------------------------------

function fileInput(): HTMLInputElement {
  const input = h("input", {
    type: "file",
    id: "sig-file-input",
    class: "sr-only",
    accept: ACCEPT,
    tabindex: -1,
    "aria-hidden": "true",
    "data-testid": "sig-file-input",
    on: {
      change: () => {
        const file = input.files?.[0];
        input.value = ""; // the same file can be picked again after an error
        void loadFile(file);
      },
    },
  });
  return input;
}

function pickFile(): void {
  const input = document.getElementById("sig-file-input");
  if (input instanceof HTMLInputElement && !input.disabled) input.click();
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes("Files");
}

/** Drop handlers for the upload card: the whole card accepts a dropped image. */
function dropHandlers(card: HTMLElement): void {
  let depth = 0;
  card.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    card.classList.add("is-dragging");
  });
  card.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  card.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) card.classList.remove("is-dragging");
  });
  card.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    card.classList.remove("is-dragging");
    void loadFile(event.dataTransfer?.files[0]);
  });
}

let windowDropGuard = false;

/** A file dropped beside the drop zone would otherwise replace the app with the file. */
function guardWindowDrops(): void {
  if (windowDropGuard) return;
  windowDropGuard = true;
  const onUpload = () => currentView() === "upload" && window.location.hash.startsWith("#/signature");
  window.addEventListener("dragover", (event) => {
    if (onUpload() && hasFiles(event)) event.preventDefault();
  });
  window.addEventListener("drop", (event) => {
    if (onUpload() && hasFiles(event)) event.preventDefault();
  });
}

// ---- the page -------------------------------------------------------------------------------------

function dropZone(): HTMLElement {
  const upload = sig.upload;
  const loading = upload.loadingBytes !== null;
  return h(
    "div",
    { class: "sig-drop", "data-testid": "sig-drop-zone", "data-state": loading ? "loading" : "empty" },
    loading
      ? h(
          "div",
          { class: "sig-loading-block", "data-testid": "sig-loading" },
          h("progress", { class: "sig-progress", "data-testid": "sig-loading-progress", "aria-labelledby": "sig-loading-text" }),
          h(
            "p",
            { id: "sig-loading-text", class: "sig-loading-text", role: "status" },
            t("signature.upload.loading", { name: upload.fileName ?? "", size: sizeText(upload.loadingBytes ?? 0) }),
          ),
          h("p", { class: "hint" }, t("signature.upload.loadingHint")),
        )
      : [
          h("div", { class: "empty-icon empty-icon-large" }, icon("image")),
          h("p", { class: "sig-drop-title" }, t("signature.upload.drop")),
          h(
            "button",
            { type: "button", class: "btn btn-primary", "data-testid": "sig-pick-file", "data-autofocus": true, on: { click: pickFile } },
            icon("upload"),
            h("span", null, t("signature.upload.pick")),
          ),
          h("p", { class: "hint sig-drop-formats" }, t("signature.upload.formats")),
        ],
  );
}

function resultView(draft: SignatureDraft): HTMLElement[] {
  const upload = sig.upload;
  const saving = upload.saving;
  const slider = h("input", {
    type: "range",
    id: "sig-threshold",
    class: "sig-slider",
    min: 0,
    max: 255,
    step: 1,
    value: shownThreshold(upload),
    "data-testid": "sig-threshold",
    "aria-describedby": "sig-threshold-help",
    "aria-valuetext": thresholdText(upload),
    disabled: saving,
    on: { input: () => setThreshold(Number(slider.value)) },
  });
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
    h("h2", { id: "sig-result-title", class: "rn-step-title", tabindex: -1, "data-testid": "sig-result-title" }, t("signature.upload.resultTitle")),
    h(
      "div",
      { class: "sig-compare" },
      h(
        "figure",
        { class: "sig-figure" },
        h("figcaption", { class: "sig-figure-caption" }, t("signature.upload.original")),
        h(
          "div",
          { class: "sig-original-frame" },
          draft.original
            ? h("img", { class: "sig-original-image", src: draft.original, alt: t("signature.upload.originalAlt"), "data-testid": "sig-original-image", draggable: "false" })
            : null,
        ),
        h("p", { class: "hint wrap", "data-testid": "sig-file-name" }, upload.fileName ?? ""),
      ),
      h(
        "figure",
        { class: "sig-figure" },
        h("figcaption", { class: "sig-figure-caption" }, t("signature.upload.cleaned")),
        h(
          "div",
          { id: "sig-cleaned-frame", class: `sig-checkered sig-cleaned-frame${upload.cleaning ? " is-busy" : ""}`, "aria-busy": String(upload.cleaning) },
          h("img", {
            id: "sig-cleaned-image",
            class: "sig-checkered-image",
            src: draft.preview,
            alt: t("signature.upload.cleanedAlt"),
            "data-testid": "sig-cleaned-image",
            "data-width": draft.width,
            "data-height": draft.height,
            "data-threshold": draft.threshold ?? "",
            draggable: "false",
          }),
          h(
            "span",
            { id: "sig-cleaning", class: "sig-cleaning", role: "status", "data-testid": "sig-cleaning", hidden: !upload.cleaning },
            h("span", { class: "spinner spinner-dark", "aria-hidden": "true" }),
            h("span", null, t("signature.upload.cleaning")),
          ),
        ),
        h("p", { id: "sig-cleaned-size", class: "hint" }, t("signature.imageSize", { width: draft.width, height: draft.height })),
      ),
    ),
    h(
      "div",
      { class: "sig-controls" },
      h(
        "div",
        { class: "field sig-threshold-field" },
        h(
          "div",
          { class: "sig-threshold-label" },
          h("label", { for: "sig-threshold", class: "label" }, t("signature.upload.threshold")),
          h("output", { id: "sig-threshold-value", for: "sig-threshold", class: "sig-threshold-value mono", "data-testid": "sig-threshold-value" }, thresholdText(upload)),
        ),
        h(
          "div",
          { class: "sig-threshold-row" },
          h("span", { class: "hint sig-slider-end", "aria-hidden": "true" }, t("signature.upload.thresholdLess")),
          slider,
          h("span", { class: "hint sig-slider-end", "aria-hidden": "true" }, t("signature.upload.thresholdMore")),
          h(
            "button",
            {
              type: "button",
              id: "sig-threshold-auto",
              class: "btn btn-secondary btn-small",
              "data-testid": "sig-threshold-auto",
              "aria-pressed": String(upload.threshold === null),
              disabled: saving,
              on: { click: autoThreshold },
            },
            t("signature.upload.auto"),
          ),
        ),
        h("p", { id: "sig-threshold-help", class: "hint" }, t("signature.upload.thresholdHelp")),
      ),
      h(
        "fieldset",
        { class: "sig-ink" },
        h("legend", { class: "label" }, t("signature.upload.ink")),
        h(
          "div",
          { class: "sig-ink-options" },
          INKS.map((ink) =>
            h(
              "label",
              { class: "sig-radio" },
              h("input", {
                type: "radio",
                name: "sig-ink",
                value: ink,
                checked: upload.ink === ink,
                disabled: saving,
                "data-testid": `sig-ink-${ink}`,
                on: { change: () => setInk(ink) },
              }),
              ink === "keep" ? null : h("span", { class: "sig-swatch", "data-color": ink, "aria-hidden": "true" }),
              h("span", null, t(`signature.upload.ink.${ink}`)),
            ),
          ),
        ),
      ),
      nameField({
        value: upload.name,
        error: upload.nameError,
        disabled: saving,
        onInput: (value) => {
          upload.name = value;
        },
        onEnter: () => void save(),
      }),
    ),
    sigErrorBox(upload.error, "photo"),
    h(
      "div",
      { class: "rn-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-secondary", "data-testid": "sig-pick-another", disabled: saving, on: { click: pickFile } },
        icon("image"),
        h("span", null, t("signature.upload.pickAnother")),
      ),
      h("div", { class: "rn-actions-end" }, saveButton),
    ),
  ];
}

export function renderUpload(): HTMLElement {
  guardWindowDrops();
  const upload = sig.upload;
  const board = sig.board;
  const blocked = board !== null && !board.can_save;
  const draft = upload.loadingBytes === null ? upload.draft : null;
  let content: HTMLElement;
  if (blocked) {
    content = verifyNeededPanel();
  } else {
    const card = h(
      "section",
      { class: "card sig-editor sig-upload", "data-testid": "sig-upload", "data-stage": draft ? "result" : upload.loadingBytes !== null ? "loading" : "pick", "aria-label": t("signature.upload.title") },
      fileInput(),
      ...(draft ? resultView(draft) : [dropZone(), sigErrorBox(upload.error, "photo"), h("p", { class: "hint sig-upload-tips" }, icon("info", "icon icon-small"), t("signature.upload.tips"))]),
    );
    dropHandlers(card);
    content = card;
  }
  return signaturePage({ view: "upload", title: t("signature.upload.title"), headerEnd: backButton(leaveView), children: [content] });
}
