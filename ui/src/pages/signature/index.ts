// #/signature: 签名维护. The list of the user's signatures, and two editors on sub-paths:
// #/signature/draw (手写签名) and #/signature/upload (上传签名图片). Browser back and the visible
// 返回 lead from an editor to the list. State lives in state.ts; this file picks the view and
// keeps keyboard focus sensible across re-renders.
import { focusQuietly } from "../../dom";
import { renderDraw } from "./draw";
import { renderList } from "./list";
import { currentView, ensureBoard, listenForSignatureChanges, noteEntry, sig, syncUser, takeFocusOnShow, type View } from "./state";
import { renderUpload } from "./upload";

export { listenForSignatureChanges } from "./state";

let lastView: View | null = null;

/** Every signature has the same buttons (same data-testid); after a re-render focus returns to
 * the button of the same signature, not to the first one with that data-testid. */
function keepItemFocus(page: HTMLElement): void {
  const active = document.activeElement as HTMLElement | null;
  const itemId = active?.closest<HTMLElement>("[data-signature-id]")?.dataset.signatureId;
  const testId = active?.dataset.testid;
  if (!itemId || !testId) return;
  queueMicrotask(() => {
    const item = page.querySelector<HTMLElement>(`[data-testid="sig-item"][data-signature-id="${CSS.escape(itemId)}"]`);
    const target = item?.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testId)}"]`);
    if (target && page.isConnected && document.activeElement !== target) focusQuietly(target);
  });
}

export function renderSignature(): HTMLElement {
  syncUser();
  listenForSignatureChanges();
  // Arriving on these pages (not a re-render of them): the board is fetched again, so that the
  // sync state is current.
  if (!document.querySelector('[data-testid="page-signature"]')) {
    sig.stale = true;
    lastView = null;
  }
  ensureBoard();
  const view = currentView();
  if (view === "list" && window.location.hash !== "#/signature") {
    history.replaceState(history.state, "", "#/signature"); // an unknown sub-path shows the list
  }
  if (view !== "list") noteEntry();
  const page = view === "draw" ? renderDraw() : view === "upload" ? renderUpload() : renderList();

  if (view !== lastView) {
    // A new view on the same route: the router keeps focus only within one page.
    const testId = takeFocusOnShow();
    queueMicrotask(() => {
      if (!page.isConnected) return;
      window.scrollTo(0, 0);
      const wanted = testId ? page.querySelector<HTMLElement>(`[data-testid="${testId}"]`) : null;
      focusQuietly(wanted ?? page.querySelector<HTMLElement>("[data-autofocus]") ?? page.querySelector<HTMLElement>("h1"));
    });
  } else {
    keepItemFocus(page);
  }
  lastView = view;
  return page;
}
