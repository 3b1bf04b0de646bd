// The frame around signed-in pages: top bar with the product name and the avatar menu, and the
// offline banner under it.
import { renderUpdateBanner } from "./pages/updates";
import { h } from "./dom";
import { formatDateTime, t } from "./i18n";
import { icon, logo, type IconName } from "./icons";
import { href, navigate, type RouteName } from "./router";
import { refreshProfile, signOut } from "./session";
import { getState } from "./state";
import type { Profile, SignedIn } from "./types";

/** The first character of the display name (a whole character, not half a surrogate pair). */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0] ?? "?";
  return first.toLocaleUpperCase();
}

// Pages re-render whole, shell included, when state changes in the background (a sync pass, an
// update check). The menu's open state lives here so such a re-render does not shut the menu under
// the user's pointer; the router keeps the focused item by its test id.
let menuOpen = false;
let menuRoute: RouteName | null = null;

function avatarMenu(profile: Profile): HTMLElement {
  const button = h(
    "button",
    {
      type: "button",
      id: "avatar-button",
      class: "avatar-button",
      "data-testid": "avatar-button",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": "account-menu",
      "aria-label": t("shell.accountMenu", { name: profile.display_name }),
      title: profile.display_name,
    },
    h("span", { class: "avatar", "aria-hidden": "true" }, initialOf(profile.display_name)),
  );

  const item = (testId: string, iconName: IconName, label: string, action: () => void, extraClass = "") =>
    h(
      "button",
      {
        type: "button",
        role: "menuitem",
        tabindex: -1,
        class: `menu-item ${extraClass}`.trim(),
        "data-testid": testId,
        on: {
          click: () => {
            close(false);
            action();
          },
        },
      },
      icon(iconName),
      h("span", null, label),
    );

  const items = [
    item("menu-center", "user", t("menu.center"), () => navigate("center")),
    item("menu-settings", "settings", t("menu.settings"), () => navigate("settings")),
    item("menu-sign-out", "signOut", t("menu.signOut"), () => void signOut(), "menu-item-danger"),
  ];

  const menu = h(
    "div",
    { id: "account-menu", class: "menu", role: "menu", "aria-labelledby": "avatar-button", hidden: true },
    h(
      "div",
      { class: "menu-header", role: "presentation" },
      h("span", { class: "menu-name" }, profile.display_name),
      h("span", { class: "menu-account" }, profile.account),
    ),
    items[0],
    items[1],
    h("div", { class: "menu-separator", role: "separator" }),
    items[2],
  );

  const isOpen = () => !menu.hidden;

  function onDocumentPointer(event: PointerEvent): void {
    if (!wrapper.isConnected) {
      document.removeEventListener("pointerdown", onDocumentPointer, true);
      return;
    }
    if (!wrapper.contains(event.target as Node)) close(false);
  }

  function open(focusIndex: number): void {
    menuOpen = true;
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", onDocumentPointer, true);
    focusItem(focusIndex);
  }

  function close(returnFocus: boolean): void {
    if (!isOpen()) return;
    menuOpen = false;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", onDocumentPointer, true);
    if (returnFocus) button.focus();
  }

  function focusItem(index: number): void {
    const count = items.length;
    items[((index % count) + count) % count]?.focus();
  }

  // Enter and Space reach us as the button's native click (Space on key-up, so focus moves to
  // the first item only after the key is released and cannot activate that item).
  button.addEventListener("click", () => (isOpen() ? close(true) : open(0)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      open(0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      open(items.length - 1);
    } else if (event.key === "Escape") {
      close(true);
    }
  });
  menu.addEventListener("keydown", (event) => {
    const current = items.indexOf(document.activeElement as HTMLButtonElement);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        focusItem(current + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        focusItem(current - 1);
        break;
      case "Home":
        event.preventDefault();
        focusItem(0);
        break;
      case "End":
        event.preventDefault();
        focusItem(items.length - 1);
        break;
      case "Escape":
        event.preventDefault();
        close(true);
        break;
      case "Tab":
        close(false);
        break;
    }
  });
  // Leaving the menu by any other route (e.g. clicking elsewhere) closes it.
  menu.addEventListener("focusout", (event) => {
    const next = event.relatedTarget as Node | null;
    if (next && !wrapper.contains(next)) close(false);
  });

  const wrapper = h("div", { class: "account" }, button, menu);
  if (menuOpen) open(0);
  return wrapper;
}

function offlineBanner(session: SignedIn): HTMLElement {
  const fetchedAt = getState().fetchedAt;
  const cachedAt = session.cached_at ?? (fetchedAt === null ? null : Math.floor(fetchedAt / 1000));
  const text =
    cachedAt === null ? t("shell.offlineNoTime") : t("shell.offline", { time: formatDateTime(cachedAt) });
  const retry = h(
    "button",
    {
      type: "button",
      class: "btn btn-small btn-ghost banner-action",
      "data-testid": "offline-retry",
      on: {
        click: () => {
          retry.disabled = true;
          retry.textContent = t("shell.retrying");
          void refreshProfile().finally(() => {
            if (retry.isConnected) {
              retry.disabled = false;
              retry.textContent = t("shell.retryNow");
            }
          });
        },
      },
    },
    t("shell.retryNow"),
  );
  return h(
    "div",
    { class: "banner banner-offline", role: "status", "data-testid": "offline-banner" },
    h("div", { class: "banner-inner" }, icon("offline", "icon banner-icon"), h("p", { class: "banner-text" }, text), retry),
  );
}

export function renderShell(page: HTMLElement, route: RouteName): HTMLElement {
  const session = getState().session;
  if (session.status !== "signed_in") {
    menuOpen = false;
    return page;
  }
  if (route !== menuRoute) menuOpen = false;
  menuRoute = route;
  const main = h("main", { id: "main", class: "content", tabindex: -1 }, h("div", { class: "content-inner" }, page));
  return h(
    "div",
    { class: "shell", "data-route": route },
    h(
      "button",
      {
        type: "button",
        class: "skip-link",
        on: { click: () => (main.querySelector<HTMLElement>("h1") ?? main).focus() },
      },
      t("shell.skipToContent"),
    ),
    h(
      "header",
      { class: "topbar" },
      h(
        "a",
        { class: "brand", href: href("center"), "data-testid": "brand" },
        logo(),
        h("span", { class: "brand-name" }, t("app.name")),
        h("span", { class: "brand-divider", "aria-hidden": "true" }),
        h("span", { class: "brand-product" }, t("app.product")),
      ),
      h(
        "div",
        { class: "topbar-end" },
        h("span", { class: "topbar-user", "aria-hidden": "true" }, session.profile.display_name),
        avatarMenu(session.profile),
      ),
    ),
    session.offline ? offlineBanner(session) : null,
    renderUpdateBanner(),
    main,
  );
}
