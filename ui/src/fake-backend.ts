// Development-only stand-in for the Rust commands, used when the page runs in a plain browser
// (`npm run dev`, `vite preview`). Never loaded inside Tauri (see api.ts).
//
// Sign in with account `staff01` (or `reviewer01`) and any password. Passwords that pick a path:
// `bad` -> invalid_credentials (then account_locked), `locked`, `busy` (rate_limited),
// `unreachable`, `tls`, `weird` (an unknown error code).
// URL query flags set the starting state, e.g. `?fake-session=signed-in&fake-status=pending_review#/center`:
//   fake-session=signed-in | expired, fake-status=<real_name_status>, fake-offline=1,
//   fake-keyring=0, fake-identity=passport, lang=en.
// In the console: `signetFake.goOffline()`, `signetFake.goOnline()`, `signetFake.expireSession()`.
import type { Backend } from "./api";
import type { ApiError, Language, Profile, RealNameStatus, SessionView, Settings } from "./types";

const DEFAULT_SERVER = "https://credentials.campus.example.edu.cn";

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  const error: ApiError = { code, message };
  if (details) error.details = details;
  throw error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STATUSES: readonly RealNameStatus[] = ["unverified", "pending_review", "verified", "rejected"];

function profileFor(account: string, status: RealNameStatus, identityKind: string | null): Profile {
  const reviewer = account === "reviewer01";
  const withIdentity = status !== "unverified";
  const passport = identityKind === "passport";
  return {
    user_id: reviewer ? "u-0002" : "u-0001",
    account,
    display_name: reviewer ? "李审核" : "王晓明",
    role: reviewer ? "reviewer" : "staff",
    real_name_status: status,
    identity: withIdentity
      ? passport
        ? { document_type: "passport", number: "E1*****78", name: "WANG XIAOMING" }
        : { document_type: "id_card", number: "110***********002X", name: "王晓明" }
      : null,
  };
}

export function createFakeBackend(): Backend {
  const query = new URLSearchParams(window.location.search);
  const statusParam = query.get("fake-status");
  const status: RealNameStatus = STATUSES.find((s) => s === statusParam) ?? "verified";
  const keyringAvailable = query.get("fake-keyring") !== "0";
  const identityKind = query.get("fake-identity");
  const langParam = query.get("lang");

  const settings: Settings = {
    language: langParam === "en" ? "en" : "zh-CN",
    last_account: "staff01",
    server_url: DEFAULT_SERVER,
  };
  let profile: Profile | null =
    query.get("fake-session") === "signed-in" ? profileFor("staff01", status, identityKind) : null;
  let online = query.get("fake-offline") !== "1";
  let cachedAt = Math.floor(Date.now() / 1000) - 42 * 60;
  let attemptsLeft = 4;
  let lockedUntil = 0;

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const emit = (event: string, payload: unknown) =>
    listeners.get(event)?.forEach((handler) => handler(payload));

  const signedIn = (): SessionView => ({
    status: "signed_in",
    keyring_available: keyringAvailable,
    offline: !online,
    profile: profile as Profile,
    cached_at: online ? null : cachedAt,
  });

  const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    app_info: async () => ({ version: "0.1.0-dev", default_server_url: DEFAULT_SERVER }),
    get_settings: async () => ({ ...settings }),
    set_language: async (args) => {
      settings.language = args.language as Language;
      return null;
    },
    restore_session: async () => {
      await sleep(150);
      if (profile) return signedIn();
      const reason = query.get("fake-session") === "expired" ? "session_expired" : null;
      return { status: "signed_out", keyring_available: keyringAvailable, reason };
    },
    sign_in: async (args) => {
      await sleep(600);
      const request = args.request as { account: string; password: string; server_url: string };
      if (!/^https?:\/\/[^\s/]+/.test(request.server_url)) {
        reject("invalid_input", "server_url is not an http(s) URL", {
          field: "server_url",
          reason: "invalid_characters",
        });
      }
      if (request.account.length > 64) {
        reject("invalid_input", "account too long", { field: "account", reason: "too_long" });
      }
      if (Date.now() < lockedUntil) {
        reject("account_locked", "locked", { retry_after_secs: Math.ceil((lockedUntil - Date.now()) / 1000) });
      }
      switch (request.password) {
        case "locked":
          lockedUntil = Date.now() + 90_000;
          reject("account_locked", "locked", { retry_after_secs: 90 });
        case "busy":
          reject("rate_limited", "slow down", { retry_after_secs: 20 });
        case "unreachable":
          reject("server_unreachable", "connect ECONNREFUSED");
        case "tls":
          reject("tls_failure", "invalid peer certificate: UnknownIssuer");
        case "weird":
          reject("quantum_flux", "unexpected state");
      }
      const knownAccount = request.account === "staff01" || request.account === "reviewer01";
      if (!knownAccount || request.password === "bad") {
        attemptsLeft -= 1;
        if (attemptsLeft <= 0) {
          attemptsLeft = 4;
          lockedUntil = Date.now() + 5 * 60_000;
          reject("account_locked", "too many failures", { retry_after_secs: 300 });
        }
        reject("invalid_credentials", "wrong password", { attempts_left: attemptsLeft });
      }
      attemptsLeft = 4;
      settings.last_account = request.account;
      settings.server_url = request.server_url;
      profile = profileFor(request.account, status, identityKind);
      online = true;
      return signedIn();
    },
    refresh_profile: async () => {
      await sleep(300);
      if (!profile) reject("session_expired", "no session");
      if (online) cachedAt = Math.floor(Date.now() / 1000);
      return signedIn();
    },
    sign_out: async () => {
      profile = null;
      return null;
    },
  };

  const controls = {
    goOffline() {
      online = false;
      emit("connectivity", { online: false });
    },
    goOnline() {
      online = true;
      emit("connectivity", { online: true });
    },
    expireSession() {
      profile = null;
      emit("session_expired", null);
    },
  };
  (window as unknown as { signetFake: typeof controls }).signetFake = controls;
  console.info("[signet] no Tauri runtime: using the in-memory fake backend (see fake-backend.ts)");

  return {
    async invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
      const handler = commands[command];
      if (!handler) reject("internal", `fake backend has no command ${command}`);
      return (await handler(args)) as T;
    },
    async listen<T>(event: string, handler: (payload: T) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(handler as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(handler as (payload: unknown) => void);
    },
  };
}
