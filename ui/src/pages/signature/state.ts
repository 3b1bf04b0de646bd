// The state of 签名维护: the board (the user's signatures and their sync state, as the Rust side
// reports it) and what each view is in the middle of. Views are sub-paths of the route:
// #/signature (the list), #/signature/draw and #/signature/upload, so that browser back works.
import { onSignaturesChanged, signatureApi } from "../../api";
import { endsSession, logError } from "../../errors";
import { t } from "../../i18n";
import { navigate } from "../../router";
import { endSession } from "../../session";
import { getState, update } from "../../state";
import type { ApiError, InkColor, SignatureBoard, SignatureDraft } from "../../types";
import { PEN_WIDTHS } from "./ink";
import { SignaturePad } from "./pad";

export type View = "list" | "draw" | "upload";

/** Longest signature name, in characters (the platform's limit). */
export const MAX_NAME_CHARS = 32;
/** Most signatures one user keeps (the platform answers `signature_limit` beyond). */
export const MAX_SIGNATURES = 20;

export interface ListState {
  /** The signature whose action (default, rename, delete) is running. */
  busyId: string | null;
  renaming: { id: string; value: string; error: string | null } | null;
  /** The signature the delete dialog asks about. */
  confirmDelete: string | null;
  syncing: boolean;
  error: ApiError | null;
  /** What just happened, announced politely: a signature saved or deleted. */
  notice: { kind: "saved" | "deleted"; name: string } | null;
}

export interface DrawState {
  pad: SignaturePad | null;
  stage: "pad" | "preview";
  /** The PNG the Rust side rendered from the strokes: what is previewed is what is saved. */
  draft: SignatureDraft | null;
  name: string;
  nameError: string | null;
  busy: "render" | "save" | null;
  error: ApiError | null;
}

export interface UploadState {
  draft: SignatureDraft | null;
  fileName: string | null;
  /** `signature_load_photo` is running on a file of this many bytes. */
  loadingBytes: number | null;
  /** Null: the automatic threshold. */
  threshold: number | null;
  ink: InkColor;
  /** A `signature_clean_photo` is waiting (debounced) or running. */
  cleaning: boolean;
  /** The last cleaning failed: the result on screen is not what the Rust side holds. */
  cleanFailed: boolean;
  name: string;
  nameError: string | null;
  saving: boolean;
  error: ApiError | null;
}

interface SignatureState {
  userId: string | null;
  board: SignatureBoard | null;
  loading: boolean;
  loadError: ApiError | null;
  /** Fetch again when next shown (`signatures-changed` arrived while elsewhere). */
  stale: boolean;
  /** How many `signatures-changed` announcements have arrived: a fetch that started before the
   * latest one may hold an older state, and is followed by another. */
  announced: number;
  list: ListState;
  draw: DrawState;
  upload: UploadState;
}

function freshList(): ListState {
  return { busyId: null, renaming: null, confirmDelete: null, syncing: false, error: null, notice: null };
}

function freshDraw(): DrawState {
  return { pad: null, stage: "pad", draft: null, name: "", nameError: null, busy: null, error: null };
}

function freshUpload(): UploadState {
  return {
    draft: null,
    fileName: null,
    loadingBytes: null,
    threshold: null,
    ink: "keep",
    cleaning: false,
    cleanFailed: false,
    name: "",
    nameError: null,
    saving: false,
    error: null,
  };
}

export const sig: SignatureState = {
  userId: null,
  board: null,
  loading: false,
  loadError: null,
  stale: true,
  announced: 0,
  list: freshList(),
  draw: freshDraw(),
  upload: freshUpload(),
};

export function rerender(): void {
  update({});
}

/** Errors that end the session send the user to sign in; true when handled so. */
export function handleSessionError(error: ApiError): boolean {
  if (!endsSession(error)) return false;
  endSession(error.code === "refresh_token_reused" ? "refresh_token_reused" : "session_expired");
  return true;
}

// ---- drafts -------------------------------------------------------------------------------------

function discard(draft: SignatureDraft | null): void {
  if (!draft) return;
  signatureApi.discardDraft(draft.draft_id).catch((error: ApiError) => logError("signature_discard_draft", error));
}

/** Forgets the drawing (and its rendered draft): the next 手写签名 starts on a blank pad. */
export function resetDraw(): void {
  discard(sig.draw.draft);
  sig.draw.pad?.dispose();
  sig.draw = freshDraw();
}

export function resetUpload(): void {
  discard(sig.upload.draft);
  sig.upload = freshUpload();
}

/** The draw view's pad, made on first use. */
export function drawPad(): SignaturePad {
  sig.draw.pad ??= new SignaturePad({ color: "black", width: PEN_WIDTHS.medium });
  return sig.draw.pad;
}

// ---- the board ----------------------------------------------------------------------------------

/** A different user signed in: nothing of the previous user's signatures may show. */
export function syncUser(): void {
  const session = getState().session;
  const userId = session.status === "signed_in" ? session.profile.user_id : null;
  if (userId === sig.userId) return;
  resetDraw();
  resetUpload();
  Object.assign(sig, { userId, board: null, loading: false, loadError: null, stale: true, list: freshList() });
}

export function currentView(): View {
  const [route, sub] = window.location.hash.replace(/^#\/?/, "").split(/[?/]/);
  if (route !== "signature") return "list";
  return sub === "draw" || sub === "upload" ? sub : "list";
}

function onSignaturePages(): boolean {
  return /^#\/signature(?:[/?]|$)/.test(window.location.hash);
}

/** Shows a new board. The editors re-render only when it changes what they show (saving
 * allowed or not), so a stroke being drawn is never interrupted by a sync in the background. */
/** While the Rust side is sending changes, ask again shortly: its announcement of the end can
 * cross a fetch in flight, and the page must not stay at 正在同步… */
let followUp: number | null = null;

export function applyBoard(board: SignatureBoard): void {
  const couldSave = sig.board?.can_save;
  sig.board = board;
  sig.loadError = null;
  sig.stale = false;
  if (board.sync.state === "syncing" && followUp === null) {
    followUp = window.setTimeout(() => {
      followUp = null;
      const shown = onSignaturePages() || window.location.hash.startsWith("#/center");
      if (getState().session.status === "signed_in" && shown) void loadBoard();
      else sig.stale = true;
    }, 1000);
  }
  if (currentView() !== "list" && onSignaturePages() && couldSave === board.can_save) return;
  rerender();
}

export async function loadBoard(): Promise<void> {
  if (sig.loading) return;
  const userId = sig.userId;
  const announced = sig.announced;
  sig.loading = true;
  sig.stale = false;
  try {
    const board = await signatureApi.list();
    if (sig.userId !== userId) return;
    sig.loading = false;
    applyBoard(board);
    // A change announced while this answer was on its way: what was fetched may predate it.
    if (sig.announced !== announced) void loadBoard();
  } catch (error) {
    const apiError = error as ApiError;
    logError("signatures_list", apiError);
    if (sig.userId !== userId) return;
    sig.loading = false;
    if (handleSessionError(apiError)) return;
    sig.loadError = apiError;
    rerender();
  }
}

/** Fetches the board when it is missing or out of date (after the current render). */
export function ensureBoard(): void {
  syncUser();
  if (sig.userId === null || sig.loading || (sig.board !== null && !sig.stale) || (sig.loadError !== null && !sig.stale)) return;
  queueMicrotask(() => void loadBoard());
}

let listening = false;

/** Listens once for `signatures-changed` (from the app's start): the board is fetched again at
 * once where it shows (these pages, the personal center), else when next shown. */
export function listenForSignatureChanges(): void {
  if (listening) return;
  listening = true;
  void onSignaturesChanged(() => {
    if (getState().session.status !== "signed_in") return;
    sig.stale = true;
    sig.announced += 1;
    const hash = window.location.hash;
    if (onSignaturePages() || hash.startsWith("#/center")) void loadBoard();
  }).catch((error: ApiError) => {
    listening = false;
    logError("listen signatures-changed", error);
  });
  // Leaving an editor by any way (back, breadcrumb, menu) drops its draft on the Rust side.
  window.addEventListener("hashchange", () => {
    const view = onSignaturePages() ? currentView() : "list";
    if (view !== "draw" && (sig.draw.pad !== null || sig.draw.draft !== null)) resetDraw();
    if (view !== "upload" && (sig.upload.draft !== null || sig.upload.fileName !== null)) resetUpload();
  });
}

// ---- moving between the views ---------------------------------------------------------------------

/** Marks the history entry of an editor opened from the list, so that 返回 can go back to it. */
const FROM_LIST = "signet-signature-from-list";
let openingFromList = false;

export function openView(view: "draw" | "upload"): void {
  if (view === "draw") resetDraw();
  else resetUpload();
  sig.list.notice = null;
  sig.list.error = null;
  openingFromList = true;
  window.location.hash = `#/signature/${view}`; // renders through `hashchange`
}

/** Called when an editor renders: remembers whether the list is the entry before it. */
export function noteEntry(): void {
  if (!openingFromList) return;
  openingFromList = false;
  history.replaceState({ [FROM_LIST]: true }, "", window.location.hash);
}

/** 返回: back to the list, as the browser's back button would when the list is the entry before. */
export function leaveView(): void {
  const state: unknown = history.state;
  if (typeof state === "object" && state !== null && (state as Record<string, unknown>)[FROM_LIST] === true) {
    history.back();
  } else {
    navigate("signature", { replace: true });
  }
}

/** An editor saved its draft as `name`: announce it on the list, show the new board, go back. */
export function afterSave(board: SignatureBoard, name: string): void {
  sig.list.notice = { kind: "saved", name };
  sig.list.error = null;
  applyBoard(board);
  focusWhenShown("sig-notice");
  leaveView();
}

// ---- names ----------------------------------------------------------------------------------------

function chars(name: string): number {
  return Array.from(name).length;
}

/** 签名 N: the first number that no signature's name uses. */
export function defaultName(): string {
  const names = new Set((sig.board?.signatures ?? []).map((s) => s.name));
  let n = (sig.board?.signatures.length ?? 0) + 1;
  while (names.has(t("signature.defaultName", { n }))) n += 1;
  return t("signature.defaultName", { n });
}

/** What is wrong with a name before it is sent (the Rust side checks again). */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return t("signature.name.empty");
  if (chars(trimmed) > MAX_NAME_CHARS) return t("signature.name.tooLong", { max: MAX_NAME_CHARS, n: chars(trimmed) });
  return null;
}

export function nameLength(name: string): number {
  return chars(name.trim());
}

/** Whether another signature may be added (the limit is checked again when saving). */
export function atLimit(): boolean {
  return (sig.board?.signatures.length ?? 0) >= MAX_SIGNATURES;
}

// ---- focus after a view change ---------------------------------------------------------------------

/** The element (data-testid) to focus when the next view renders; its heading by default. */
let focusOnShow: string | null = null;

export function focusWhenShown(testId: string): void {
  focusOnShow = testId;
}

export function takeFocusOnShow(): string | null {
  const testId = focusOnShow;
  focusOnShow = null;
  return testId;
}

/** Focuses an element by data-testid once the page has re-rendered (the heading if it is gone). */
export function focusLater(testId: string): void {
  window.setTimeout(() => {
    const el = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`) ?? document.querySelector<HTMLElement>('[data-testid="sig-title"]');
    el?.focus();
  }, 0);
}
