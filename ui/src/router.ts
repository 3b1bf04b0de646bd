// Hash router: `#/center` renders the personal center. Protected routes need a session; a
// signed-out visitor is sent to sign-in and brought back to the page they asked for afterwards.
import { byTestId, focusQuietly } from "./dom";
import { onLanguageChange, t, type MessageKey } from "./i18n";
import { renderCenter } from "./pages/center";
import { renderRealName } from "./pages/real-name";
import { renderSettings } from "./pages/settings";
import { renderSignIn } from "./pages/sign-in";
import { renderSignature } from "./pages/signature";
import { renderShell } from "./shell";
import { getState, subscribe } from "./state";

export type RouteName = "sign-in" | "center" | "real-name" | "signature" | "settings";

interface Route {
  title: MessageKey;
  /** Needs a signed-in session; rendered inside the app shell. */
  protected: boolean;
  render: () => HTMLElement;
}

const ROUTES: Record<RouteName, Route> = {
  "sign-in": { title: "signIn.pageTitle", protected: false, render: renderSignIn },
  center: { title: "center.pageTitle", protected: true, render: renderCenter },
  "real-name": { title: "realName.pageTitle", protected: true, render: renderRealName },
  signature: { title: "signature.pageTitle", protected: true, render: renderSignature },
  settings: { title: "settings.pageTitle", protected: true, render: renderSettings },
};

const DEFAULT_SIGNED_IN: RouteName = "center";

function isRouteName(name: string): name is RouteName {
  return Object.prototype.hasOwnProperty.call(ROUTES, name);
}

function requestedRoute(): RouteName | null {
  const name = window.location.hash.replace(/^#\/?/, "").split(/[?/]/)[0] ?? "";
  return isRouteName(name) ? name : null;
}

export function href(route: RouteName): string {
  return `#/${route}`;
}

let returnTo: RouteName | null = null;

/** Where to go after signing in: the page the user was on or asked for, else the center. */
export function takeReturnRoute(): RouteName {
  const route = returnTo ?? DEFAULT_SIGNED_IN;
  returnTo = null;
  return route;
}

/** Remembers the current page so that signing in again returns to it (session expiry). */
export function rememberCurrentRoute(): void {
  const current = requestedRoute();
  if (current && ROUTES[current].protected) returnTo = current;
}

export function forgetReturnRoute(): void {
  returnTo = null;
}

export function navigate(route: RouteName, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    history.replaceState(null, "", href(route));
    scheduleRender();
  } else if (window.location.hash !== href(route)) {
    window.location.hash = href(route); // renders through `hashchange`
  } else {
    scheduleRender();
  }
}

/** Applies the guards; returns the route to show, fixing the address bar when it differs. */
function resolve(): RouteName {
  const requested = requestedRoute();
  const signedIn = getState().session.status === "signed_in";
  let route: RouteName;
  if (!signedIn) {
    if (requested && ROUTES[requested].protected) returnTo = requested;
    route = "sign-in";
  } else if (requested === null || requested === "sign-in") {
    route = takeReturnRoute();
  } else {
    route = requested;
  }
  if (requested !== route) history.replaceState(null, "", href(route));
  return route;
}

let root: HTMLElement;
let shown: RouteName | null = null;
let pending = false;

function scheduleRender(): void {
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    render();
  });
}

// A click is a press and a release on the same element. Re-rendering the page in between (new
// data arriving) replaces that element, and the browser then fires no click at all: the user's
// click is lost. So while a pointer is pressed, a re-render of the same page waits for the
// release (and the click it makes), for at most HOLD_MAX_MS.
const HOLD_MAX_MS = 1000;
let pressed = false;
let heldRender = false;
let holdTimer: number | undefined;

function release(): void {
  pressed = false;
  window.clearTimeout(holdTimer);
  holdTimer = undefined;
  if (heldRender) {
    heldRender = false;
    // After the click that this release dispatches, which may itself navigate.
    window.setTimeout(scheduleRender, 0);
  }
}

function trackPointer(): void {
  window.addEventListener("pointerdown", () => (pressed = true), true);
  window.addEventListener("pointerup", release, true);
  window.addEventListener("pointercancel", release, true);
  // The window losing focus (a release outside it may never reach the page); not an element's
  // blur, which a press itself causes when it moves focus.
  window.addEventListener("blur", (event) => event.target === window && release());
}

function render(): void {
  const route = resolve();
  const sameRoute = route === shown;
  if (sameRoute && pressed) {
    heldRender = true;
    holdTimer ??= window.setTimeout(release, HOLD_MAX_MS);
    return;
  }
  // Re-rendering the same page (new data, new language) keeps keyboard focus where it was.
  const focusedTestId = sameRoute ? (document.activeElement as HTMLElement | null)?.dataset.testid : undefined;

  const definition = ROUTES[route];
  const page = definition.render();
  root.replaceChildren(definition.protected ? renderShell(page, route) : page);
  document.title = `${t(definition.title)} · ${t("app.name")}`;
  shown = route;

  if (focusedTestId) {
    focusQuietly(byTestId(root, focusedTestId));
  } else if (!sameRoute) {
    // A new page: put focus on its first field or its heading, so screen readers announce it.
    focusQuietly(page.querySelector<HTMLElement>("[data-autofocus]") ?? page.querySelector<HTMLElement>("h1"));
  }
}

export function startRouter(appRoot: HTMLElement): void {
  root = appRoot;
  trackPointer();
  window.addEventListener("hashchange", scheduleRender);
  subscribe(() => {
    // The sign-in page owns its form state while signed out (busy, errors, countdown); only
    // signing in, or a route change, replaces it.
    if (shown === "sign-in" && getState().session.status !== "signed_in") return;
    scheduleRender();
  });
  onLanguageChange(scheduleRender);
  render();
}
