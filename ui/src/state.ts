// The app's state in one place. Pages read it and call `update`; the app re-renders on changes.
import type { ApiError, AppInfo, KioskState, SessionView, Settings } from "./types";

export type SignInNotice = "session_expired" | "refresh_token_reused";

export interface AppState {
  info: AppInfo | null;
  settings: Settings | null;
  session: SessionView;
  /** Milliseconds since the epoch of the last profile fetched online; stands in for `cached_at`
   * when the connectivity event arrives before the backend has said the profile is cached. */
  fetchedAt: number | null;
  /** Why the user is on the sign-in page, shown as a notice there. */
  signInNotice: SignInNotice | null;
  /** An error to show on the sign-in page on arrival (e.g. restoring the session failed). */
  signInError: ApiError | null;
  /** The keyring notice is shown once per start. */
  keyringNoticeSeen: boolean;
  /** The route to return to after signing in. */
  returnTo: string | null;
  /** Kiosk mode (a shared office machine), when this run is one; null otherwise. */
  kiosk: KioskState | null;
}

let state: AppState = {
  info: null,
  settings: null,
  session: { status: "signed_out", keyring_available: true, reason: null },
  fetchedAt: null,
  signInNotice: null,
  signInError: null,
  keyringNoticeSeen: false,
  returnTo: null,
  kiosk: null,
};

const listeners = new Set<() => void>();

export function getState(): Readonly<AppState> {
  return state;
}

export function update(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  listeners.forEach((listener) => listener());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Stores a session returned by a command, remembering when an online profile was fetched. */
export function setSession(session: SessionView): void {
  const fetchedAt =
    session.status === "signed_in" && !session.offline ? Date.now() : getState().fetchedAt;
  update({ session, fetchedAt });
}
