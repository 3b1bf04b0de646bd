// Every Tauri command and event the UI uses, typed. Nothing else in the UI calls `invoke` or
// `listen`, and nothing here talks to the network: the Rust side does.
//
// Outside Tauri (a plain browser, for looking at pages during development) the calls go to an
// in-memory fake instead. It is a separate chunk loaded by dynamic import, so inside the app it is
// never fetched or run.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toApiError } from "./errors";
import type {
  AppInfo,
  ConnectivityPayload,
  Language,
  SessionView,
  Settings,
  SignInRequest,
} from "./types";

export interface Backend {
  invoke<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  listen<T>(event: string, handler: (payload: T) => void): Promise<() => void>;
}

const tauriBackend: Backend = {
  invoke: (command, args) => invoke(command, args),
  listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
};

/** True inside the Tauri webview; false in a plain browser, where the fake backend answers. */
export const inTauri = typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

let backendPromise: Promise<Backend> | null = null;

function backend(): Promise<Backend> {
  backendPromise ??= inTauri
    ? Promise.resolve(tauriBackend)
    : import("./fake-backend").then((fake) => fake.createFakeBackend());
  return backendPromise;
}

/** Calls a command; rejects with a normalised `ApiError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const b = await backend();
  try {
    return await b.invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  getSettings: () => call<Settings>("get_settings"),
  setLanguage: (language: Language) => call<null>("set_language", { language }),
  restoreSession: () => call<SessionView>("restore_session"),
  signIn: (request: SignInRequest) => call<SessionView>("sign_in", { request }),
  refreshProfile: () => call<SessionView>("refresh_profile"),
  signOut: () => call<null>("sign_out"),
};

/** `connectivity`: the Rust side lost or regained the platform. */
export async function onConnectivity(handler: (payload: ConnectivityPayload) => void): Promise<() => void> {
  return (await backend()).listen<ConnectivityPayload>("connectivity", handler);
}

/** `session_expired`: the session could not be renewed; the user must sign in again. */
export async function onSessionExpired(handler: () => void): Promise<() => void> {
  return (await backend()).listen<unknown>("session_expired", () => handler());
}
