// No component framework: the UI is a handful of forms, so plain TypeScript with a tiny DOM helper
// (dom.ts) and a hash router (router.ts) does the job, keeps the bundle small and keeps the
// toolchain to TypeScript and Vite.
import "./styles.css";
import { api, inTauri, kioskApi, onConnectivity, onSessionExpired } from "./api";
import { h } from "./dom";
import { logError } from "./errors";
import { setLanguage } from "./i18n";
import { startKiosk } from "./kiosk";
import { listenForReviewDecisions } from "./pages/real-name/manual";
import { listenForSignatureChanges } from "./pages/signature";
import { startRouter } from "./router";
import { endSession, refreshProfile } from "./session";
import { getState, setSession, update } from "./state";
import type { ApiError, AppInfo, SessionView, Settings } from "./types";

async function loadSettings(info: AppInfo | null): Promise<{ settings: Settings; error: ApiError | null }> {
  try {
    return { settings: await api.getSettings(), error: null };
  } catch (error) {
    logError("get_settings", error as ApiError);
    const fallback: Settings = { language: "zh-CN", last_account: null, server_url: info?.default_server_url ?? "" };
    return { settings: fallback, error: error as ApiError };
  }
}

async function restoreSession(): Promise<{ session: SessionView; error: ApiError | null }> {
  try {
    return { session: await api.restoreSession(), error: null };
  } catch (error) {
    logError("restore_session", error as ApiError);
    return { session: { status: "signed_out", keyring_available: true, reason: null }, error: error as ApiError };
  }
}

function listenToBackend(): void {
  void onConnectivity(({ online }) => {
    const { session, fetchedAt } = getState();
    if (session.status !== "signed_in") return;
    if (online) {
      // Back online: fetch a fresh profile; the banner goes once the backend says we are online.
      void refreshProfile();
    } else if (!session.offline) {
      const cachedAt = session.cached_at ?? (fetchedAt === null ? null : Math.floor(fetchedAt / 1000));
      setSession({ ...session, offline: true, cached_at: cachedAt });
    }
  }).catch((error: ApiError) => logError("listen connectivity", error));

  void onSessionExpired(() => endSession("session_expired")).catch((error: ApiError) =>
    logError("listen session_expired", error),
  );
  listenForReviewDecisions();
  listenForSignatureChanges();
}

async function start(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  root.setAttribute("aria-busy", "true");

  const info = await api.appInfo().catch((error: ApiError) => (logError("app_info", error), null));
  const kiosk = await kioskApi.state().catch((error: ApiError) => (logError("kiosk_state", error), null));
  update({ kiosk });
  startKiosk(kiosk);
  const { settings, error: settingsError } = await loadSettings(info);
  setLanguage(settings.language);
  listenToBackend();
  const { session, error: sessionError } = await restoreSession();

  update({
    info,
    settings,
    signInError: sessionError ?? settingsError,
    signInNotice: session.status === "signed_out" && session.reason === "session_expired" ? "session_expired" : null,
  });
  setSession(session);

  if (!inTauri) {
    // Make it obvious that a browser preview shows made-up data.
    document.body.append(h("div", { class: "fake-badge", "data-testid": "fake-backend-badge" }, "Fake backend · 演示数据"));
  }
  root.removeAttribute("aria-busy");
  startRouter(root);
}

void start();
