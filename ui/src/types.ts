// Wire types of the Tauri command contract. Field names match the Rust side (serde, snake_case);
// keep this file in step with `src-tauri/` when a command changes.

export type Language = "zh-CN" | "en";

export interface AppInfo {
  version: string;
  default_server_url: string;
}

export interface Settings {
  language: Language;
  last_account: string | null;
  server_url: string;
}

export interface SignInRequest {
  account: string;
  password: string;
  server_url: string;
}

export type Role = "staff" | "reviewer";

export type RealNameStatus = "unverified" | "pending_review" | "verified" | "rejected";

export type DocumentType =
  | "id_card"
  | "passport"
  | "hk_macao_permit"
  | "taiwan_permit"
  | "residence_permit"
  | "foreign_permanent";

export interface MaskedIdentity {
  document_type: DocumentType;
  /** Already masked by the backend, e.g. `110***********002X`. */
  number: string;
  name: string;
}

export interface Profile {
  user_id: string;
  account: string;
  display_name: string;
  role: Role;
  real_name_status: RealNameStatus;
  identity: MaskedIdentity | null;
}

export interface SignedOut {
  status: "signed_out";
  keyring_available: boolean;
  reason: "session_expired" | null;
}

export interface SignedIn {
  status: "signed_in";
  keyring_available: boolean;
  offline: boolean;
  profile: Profile;
  /** Unix seconds of the cached profile when `offline` is true. */
  cached_at: number | null;
}

export type SessionView = SignedOut | SignedIn;

/** Every command rejects with this shape. `message` is for logs; the UI translates `code`. */
export interface ApiError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ConnectivityPayload {
  online: boolean;
}
