// Session actions shared by the shell, the pages and the start-up code.
import { api } from "./api";
import { endsSession, logError } from "./errors";
import { isKiosk, kioskSignOut, restartClean } from "./kiosk";
import { forgetReturnRoute, navigate } from "./router";
import { getState, setSession, update, type SignInNotice } from "./state";
import type { ApiError } from "./types";

/** Ends the session locally and shows the sign-in page with a notice; the guard in the router
 * remembers the page the user was on, so signing in again returns there. */
export function endSession(notice: SignInNotice): void {
  const { session } = getState();
  if (session.status !== "signed_in") return;
  if (isKiosk()) {
    // The Rust side has wiped the user's data; the page starts afresh for the next one.
    restartClean();
    return;
  }
  update({
    session: { status: "signed_out", keyring_available: session.keyring_available, reason: "session_expired" },
    signInNotice: notice,
  });
}

/** Fetches the profile again. Resolves with the error when it failed, so a caller can show it;
 * errors that end the session are handled here. */
export async function refreshProfile(): Promise<ApiError | null> {
  try {
    setSession(await api.refreshProfile());
    return null;
  } catch (error) {
    const apiError = error as ApiError;
    logError("refresh_profile", apiError);
    if (endsSession(apiError)) {
      endSession(apiError.code === "refresh_token_reused" ? "refresh_token_reused" : "session_expired");
    }
    return apiError;
  }
}

/** Signs out. The local session ends even if the backend reports an error, which is then shown
 * on the sign-in page (the user asked to leave, so they should not stay signed in on screen). */
export async function signOut(): Promise<void> {
  if (isKiosk()) return kioskSignOut("user");
  const { session } = getState();
  let failure: ApiError | null = null;
  try {
    await api.signOut();
  } catch (error) {
    failure = error as ApiError;
    logError("sign_out", failure);
  }
  navigate("sign-in", { replace: true });
  forgetReturnRoute();
  update({
    session: { status: "signed_out", keyring_available: session.keyring_available, reason: null },
    signInNotice: null,
    signInError: failure,
  });
}
