// A tiny DOM helper: `h("button", { class: "btn", on: { click } }, "text")`.
// Text children always become text nodes, so strings from the backend can never inject markup.

type Child = Node | string | number | null | undefined | false;
export type Children = Child | Child[];

type Handlers = {
  [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void;
};

export type Attrs = {
  [name: string]: string | number | boolean | null | undefined | Handlers;
} & { on?: Handlers };

function applyAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "on") {
      for (const [type, handler] of Object.entries(value as Handlers)) {
        if (handler) el.addEventListener(type, handler as EventListener);
      }
    } else if (value === true) {
      el.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
}

function append(el: Element, children: Children[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Children[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Moves focus without scrolling the page, for headings that receive focus after navigation. */
export function focusQuietly(el: HTMLElement | null | undefined): void {
  el?.focus({ preventScroll: true });
}

export function byTestId<T extends HTMLElement = HTMLElement>(
  root: ParentNode,
  testId: string,
): T | null {
  return root.querySelector<T>(`[data-testid="${testId}"]`);
}
