//! Request and response bodies of the platform API, version 1 (`/api/v1`).
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/health` | | [`Health`] |
//! | GET | `/api/v1/openapi.json` | | OpenAPI 3.1 document |
//! | POST | `/api/v1/auth/sign-in` | [`SignInRequest`] | [`SessionTokens`] |
//! | POST | `/api/v1/auth/refresh` | [`RefreshRequest`] | [`SessionTokens`] |
//! | POST | `/api/v1/auth/sign-out` | bearer | 204 |
//! | GET | `/api/v1/me` | bearer | [`Profile`] |
//! | POST | `/api/v1/real-name/identity` | bearer, [`crate::identity::IdentityInput`] | [`IdentityAccepted`] |
//! | POST | `/api/v1/real-name/{verification_id}/bank-card` | bearer, [`BankCardRequest`] | [`VerificationResult`] |
//! | GET | `/api/v1/real-name/attempts` | bearer | [`AttemptHistory`] |
//! | POST | `/api/v1/real-name/{verification_id}/phone` | bearer, [`PhoneRequest`] | [`PhoneStart`] |
//! | POST | `/api/v1/real-name/{verification_id}/phone/resend` | bearer | [`PhoneChallenge`] |
//! | POST | `/api/v1/real-name/{verification_id}/phone/confirm` | bearer, [`SmsCodeRequest`] | [`VerificationResult`] |
//! | POST | `/api/v1/real-name/{verification_id}/alipay` | bearer | [`AlipayStart`] |
//! | GET | `/api/v1/real-name/{verification_id}/alipay/{session_id}` | bearer | [`AlipayStatus`] |
//! | POST | `/api/v1/real-name/{verification_id}/alipay/{session_id}/cancel` | bearer | [`AlipayStatus`] |
//! | POST | `/api/v1/real-name/{verification_id}/face/challenge` | bearer, [`FaceChallengeRequest`] | [`FaceChallenge`] |
//! | POST | `/api/v1/real-name/{verification_id}/face/uploads` | bearer, [`FaceUploadRequest`] | [`FaceUpload`] |
//! | GET | `/api/v1/real-name/{verification_id}/face/uploads/{upload_id}` | bearer | [`FaceUpload`] |
//! | PUT | `/api/v1/real-name/{verification_id}/face/uploads/{upload_id}` | bearer, `Content-Range`, bytes | [`FaceUpload`] |
//! | POST | `/api/v1/real-name/{verification_id}/face/submit` | bearer, [`FaceSubmitRequest`] | [`VerificationResult`] |
//! | GET | `/api/v1/signatures` | bearer | [`SignatureList`] |
//! | PUT | `/api/v1/signatures/{signature_id}` | bearer, [`SignatureUpload`] | [`SignatureInfo`] (201 created, 200 replayed) |
//! | PATCH | `/api/v1/signatures/{signature_id}` | bearer, [`SignatureRename`] | [`SignatureInfo`] |
//! | DELETE | `/api/v1/signatures/{signature_id}` | bearer | 204 (also when already deleted) |
//! | GET | `/api/v1/signatures/{signature_id}/image` | bearer | `image/png` |
//! | GET | `/api/v1/signatures/{signature_id}/svg` | bearer | `image/svg+xml` (drawn only) |
//! | PUT | `/api/v1/signatures/default` | bearer, [`DefaultSignature`] | [`SignatureList`] |

use serde::{Deserialize, Serialize};

use crate::identity::{DocumentType, Unavailable, VerificationMethod, Warning};
use crate::Sensitive;

/// Longest account name the platform accepts, in characters.
pub const MAX_ACCOUNT_CHARS: usize = 64;
/// Longest password the platform accepts, in characters (argon2 cost stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Access tokens live this long.
pub const ACCESS_TOKEN_TTL_SECS: u64 = 15 * 60;
/// Refresh tokens live this long (and rotate on every use).
pub const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 60 * 60;
/// Wrong passwords in a row before the account locks.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub account: String,
    pub password: Sensitive<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Sensitive<String>,
}

/// A fresh pair of tokens. The access token goes in `Authorization: Bearer`; the refresh token
/// is kept in the OS keyring and exchanged (once) for the next pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionTokens {
    pub user_id: String,
    pub access_token: Sensitive<String>,
    pub access_expires_in: u64,
    pub refresh_token: Sensitive<String>,
    pub refresh_expires_in: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    Reviewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "staff" => Some(Self::Staff),
            "reviewer" => Some(Self::Reviewer),
            _ => None,
        }
    }
}

/// Where the user stands in real-name authentication (个人实名认证).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealNameStatus {
    /// 未实名认证
    Unverified,
    /// 审核中 (manual review pending)
    PendingReview,
    /// 已实名认证
    Verified,
    /// 认证未通过
    Rejected,
}

impl RealNameStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::PendingReview => "pending_review",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unverified" => Some(Self::Unverified),
            "pending_review" => Some(Self::PendingReview),
            "verified" => Some(Self::Verified),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// The identity the user has verified (or submitted), masked: safe to show and to cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedIdentity {
    pub document_type: DocumentType,
    /// e.g. `110***********002X`
    pub number: String,
    /// The full name is shown to its owner; logs use [`crate::identity::mask_name`].
    pub name: String,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: String,
    pub account: String,
    pub display_name: String,
    pub role: Role,
    pub real_name_status: RealNameStatus,
    #[serde(default)]
    pub identity: Option<MaskedIdentity>,
}

/// Why a short text field (account, password, display name) was refused. The wire name goes in
/// `details.reason` of an `invalid_input` error, beside `details.field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    InvalidCharacters,
}

impl TextProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::InvalidCharacters => "invalid_characters",
        }
    }
}

/// The one check both the app (before sending) and the server (on receipt) apply to account
/// names, passwords and display names: not empty, at most `max_chars`, no hidden characters.
pub fn check_text(value: &str, max_chars: usize) -> Result<(), TextProblem> {
    if value.is_empty() {
        Err(TextProblem::Empty)
    } else if value.chars().count() > max_chars {
        Err(TextProblem::TooLong)
    } else if value.chars().any(is_forbidden_in_text) {
        Err(TextProblem::InvalidCharacters)
    } else {
        Ok(())
    }
}

/// Characters no account name or password may hold: C0/C1 controls, and the invisible format
/// characters that can disguise text (zero-width, bidirectional overrides and isolates, BOM).
pub fn is_forbidden_in_text(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

// Real-name authentication (实名认证): step 1 (identity), the method chooser, and the methods.

/// The header in which the desktop app names its version; the server records it with every
/// verification attempt (history and support). Optional.
pub const APP_VERSION_HEADER: &str = "x-signet-app-version";

/// `POST /api/v1/real-name/identity` accepted step 1: the submission to verify with one of
/// `methods` before `expires_in` seconds pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityAccepted {
    /// Names the submission in the method endpoints (`/api/v1/real-name/{verification_id}/...`).
    pub verification_id: String,
    /// The identity as stored: number masked, name whole.
    pub masked: MaskedIdentity,
    /// True when a 15-digit resident ID number was converted to 18 characters: tell the user.
    #[serde(default)]
    pub converted_from_legacy: bool,
    /// Hints on input accepted anyway (e.g. a province code outside the mainland).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Seconds until the submission expires and step 1 must be repeated.
    pub expires_in: u64,
    /// Every method, in [`VerificationMethod::ALL`] order, with why it cannot be chosen.
    pub methods: Vec<MethodOption>,
}

/// One method of the chooser. `reason` is present exactly when `available` is false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub method: VerificationMethod,
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<MethodUnavailable>,
}

impl MethodOption {
    pub fn available(method: VerificationMethod) -> Self {
        Self { method, available: true, reason: None }
    }

    pub fn unavailable(method: VerificationMethod, reason: MethodUnavailable) -> Self {
        Self { method, available: false, reason: Some(reason) }
    }
}

/// Why the server will not run a method for this identity now. Serialised as
/// `{"kind": "snake_case", ...}`; the UI shows its own text for each kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MethodUnavailable {
    /// Holders of documents other than the resident ID card can use manual review only.
    DocumentRequiresManualReview { document_type: DocumentType },
    /// Banks and carriers match only names of Chinese characters and `·`.
    NameNotInChineseCharacters,
    /// Today's attempts are used up (for this user and method, or for this identity number):
    /// try again after `retry_after_secs`, or choose another method.
    DailyAttemptsUsedUp { scope: AttemptBudget, retry_after_secs: u64 },
    /// The attempts allowed per minute are used up (face recognition, per identity number):
    /// try again after `retry_after_secs` (at most a minute).
    AttemptsPerMinuteUsedUp { scope: AttemptBudget, retry_after_secs: u64 },
    /// This platform does not offer the method (yet), or cannot run it now.
    NotOffered,
}

impl MethodUnavailable {
    /// When the method can be tried again, for budget reasons.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::DailyAttemptsUsedUp { retry_after_secs, .. }
            | Self::AttemptsPerMinuteUsedUp { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl From<Unavailable> for MethodUnavailable {
    fn from(reason: Unavailable) -> Self {
        match reason {
            Unavailable::DocumentRequiresManualReview { document_type } => {
                Self::DocumentRequiresManualReview { document_type }
            }
            Unavailable::NameNotInChineseCharacters => Self::NameNotInChineseCharacters,
        }
    }
}

/// Which daily attempt budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptBudget {
    /// Attempts of one user with one method per day.
    UserAndMethod,
    /// Attempts on one identity number per day, whoever makes them.
    IdentityNumber,
}

impl AttemptBudget {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserAndMethod => "user_and_method",
            Self::IdentityNumber => "identity_number",
        }
    }
}

/// `POST /api/v1/real-name/{verification_id}/bank-card`: the card and the phone number reserved
/// at the bank. Both are validated as [`crate::identity::validate_bank_card`] and
/// [`crate::identity::validate_mobile_number`] do (spaces allowed; a Luhn failure only warns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankCardRequest {
    pub card_number: Sensitive<String>,
    pub phone: Sensitive<String>,
}

/// What a verification attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Success,
    Failure,
    /// The provider did not answer in time; not counted against the budgets.
    ProviderTimeout,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::ProviderTimeout => "provider_timeout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Success, Self::Failure, Self::ProviderTimeout].into_iter().find(|o| o.as_str() == s)
    }
}

/// Why a verification attempt failed (`reason_code`). The UI turns each into a plain next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The provider's records differ from what was entered; `mismatched_element` says which
    /// element when the provider tells.
    ElementsMismatch,
    /// The carrier cannot check this number (e.g. many virtual-operator numbers, 170/171/...):
    /// use another number or another method.
    CarrierCheckUnsupported,
    /// The SMS code was entered wrongly too many times and is void: request a new one.
    SmsCodeVoided,
    /// The SMS code was not entered before it expired: request a new one.
    SmsCodeExpired,
    /// The user pressed "cancel" (取消) on the Alipay authorization page.
    UserCancelled,
    /// The user closed the Alipay authorization window before deciding.
    WindowClosed,
    /// The Alipay authorization was not completed in time (the user did nothing, or Alipay
    /// did not answer; the latter is recorded as a provider timeout and not counted).
    AlipayTimeout,
    /// The Alipay account declined the authorization.
    AlipayDeclined,
    /// Manual review rejected: a photo cannot be read.
    PhotoUnclear,
    /// Manual review rejected: the document in the photos does not match the entered identity.
    DocumentMismatch,
    /// Manual review rejected: the second photo does not show the person holding the document.
    NotHoldingDocument,
    /// Manual review rejected: the document has expired.
    DocumentExpired,
    /// Manual review rejected for another reason, given in the reviewer's text.
    ReviewRejected,
    /// Face recognition: the clip did not show one live person reading the challenge digits;
    /// `reasons` lists what was wrong ([`LivenessReason`]).
    LivenessFailed,
    /// Face recognition: the face does not match the photo on record for the ID number
    /// (`reasons` is `[face_mismatch]`).
    FaceMismatch,
}

impl FailureReason {
    pub const ALL: [FailureReason; 15] = [
        Self::ElementsMismatch,
        Self::CarrierCheckUnsupported,
        Self::SmsCodeVoided,
        Self::SmsCodeExpired,
        Self::UserCancelled,
        Self::WindowClosed,
        Self::AlipayTimeout,
        Self::AlipayDeclined,
        Self::PhotoUnclear,
        Self::DocumentMismatch,
        Self::NotHoldingDocument,
        Self::DocumentExpired,
        Self::ReviewRejected,
        Self::LivenessFailed,
        Self::FaceMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ElementsMismatch => "elements_mismatch",
            Self::CarrierCheckUnsupported => "carrier_check_unsupported",
            Self::SmsCodeVoided => "sms_code_voided",
            Self::SmsCodeExpired => "sms_code_expired",
            Self::UserCancelled => "user_cancelled",
            Self::WindowClosed => "window_closed",
            Self::AlipayTimeout => "alipay_timeout",
            Self::AlipayDeclined => "alipay_declined",
            Self::PhotoUnclear => "photo_unclear",
            Self::DocumentMismatch => "document_mismatch",
            Self::NotHoldingDocument => "not_holding_document",
            Self::DocumentExpired => "document_expired",
            Self::ReviewRejected => "review_rejected",
            Self::LivenessFailed => "liveness_failed",
            Self::FaceMismatch => "face_mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The element a provider found different from its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchedElement {
    Name,
    IdNumber,
    CardNumber,
    Phone,
}

impl MismatchedElement {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id_number",
            Self::CardNumber => "card_number",
            Self::Phone => "phone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Name, Self::IdNumber, Self::CardNumber, Self::Phone]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// The answer of a method endpoint: `{"outcome": "success"}` or
/// `{"outcome": "failure", "reason_code": ..., "mismatched_element"?: ..., "reasons"?: [...],
/// "attempts_left": n}`. A provider timeout is not an outcome here: it answers 504
/// `provider_timeout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationResult {
    pub outcome: AttemptOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<FailureReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatched_element: Option<MismatchedElement>,
    /// Face recognition only: every reason the clip failed, in a fixed order (see
    /// [`LivenessReason`]); the UI shows a next step for each. Empty (and absent) otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<LivenessReason>,
    /// Attempts of this method left today, after a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// Hints on the method's input (e.g. the card number fails the Luhn check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// `POST /api/v1/real-name/{verification_id}/phone`: the mobile number to check with the carrier
/// (three elements: name, ID number, phone) and to send the SMS code to. Validated as
/// [`crate::identity::validate_mobile_number`] does (`+86`, spaces and hyphens allowed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneRequest {
    pub phone: Sensitive<String>,
}

/// `POST /api/v1/real-name/{verification_id}/phone/confirm`: the SMS code the user received.
/// Validated as [`crate::identity::validate_sms_code`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsCodeRequest {
    pub code: Sensitive<String>,
}

/// An SMS code was sent: `{"masked_phone": "138****8000", "expires_in": 300,
/// "resend_after": 60, "codes_left_today": 9}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneChallenge {
    /// e.g. `138****8000`
    pub masked_phone: String,
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before a new code may be requested (`.../phone/resend`).
    pub resend_after: u64,
    /// Codes that can still be sent to this number today (platform day, China time).
    pub codes_left_today: u32,
    /// Hints on the number (e.g. a virtual operator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// The answer of `POST /api/v1/real-name/{verification_id}/phone`: the carrier matched and a code
/// was sent (`{"status": "code_sent", "challenge": {...}}`), or the carrier check failed
/// (`{"status": "failed", "result": {...}}`, a recorded failed attempt). A carrier timeout is
/// not an answer here: it is 504 `provider_timeout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PhoneStart {
    CodeSent { challenge: PhoneChallenge },
    Failed { result: VerificationResult },
}

/// `POST /api/v1/real-name/{verification_id}/alipay` opened an Alipay authorization session
/// (支付宝快捷认证, method B): `{"session_id": "...", "authorize_path":
/// "/sandbox/alipay/authorize?token=...", "expires_in": 300}`. The app joins `authorize_path`
/// to the platform base URL, opens it in its own window and polls
/// `GET /api/v1/real-name/{verification_id}/alipay/{session_id}` until it is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlipayStart {
    pub session_id: String,
    /// Path (and query, with a single-use token) of the authorization page, relative to the
    /// platform base URL. Treat it as a secret: whoever holds it can decide the session.
    pub authorize_path: String,
    /// Seconds until the session ends as `alipay_timeout` if nothing happens.
    pub expires_in: u64,
}

/// Where an Alipay authorization session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlipaySessionStatus {
    /// Waiting for the user (or for Alipay).
    Pending,
    /// Alipay confirmed the identity: the user is verified.
    Success,
    /// Ended without success: `result.reason_code` says why.
    Failure,
}

impl AlipaySessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Success, Self::Failure].into_iter().find(|x| x.as_str() == s)
    }
}

/// `GET /api/v1/real-name/{verification_id}/alipay/{session_id}` (and the answer of `.../cancel`):
/// `{"status": "pending", "expires_in": 240}`, `{"status": "success", "result": {"outcome":
/// "success"}, "expires_in": 0}` or `{"status": "failure", "result": {"outcome": "failure",
/// "reason_code": "...", "mismatched_element"?: "...", "attempts_left": n}, "expires_in": 0}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlipayStatus {
    pub status: AlipaySessionStatus,
    /// Present once the session is decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<VerificationResult>,
    /// Seconds until a pending session times out; 0 once decided.
    pub expires_in: u64,
}

/// One verification attempt as the user's authentication history shows it: masked only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub id: String,
    pub verification_id: String,
    pub method: VerificationMethod,
    pub outcome: AttemptOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<FailureReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatched_element: Option<MismatchedElement>,
    /// Face recognition: what the clip failed on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<LivenessReason>,
    pub document_type: DocumentType,
    /// e.g. `110***********002X`
    pub number_masked: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// `GET /api/v1/real-name/attempts`: the user's attempts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptHistory {
    pub attempts: Vec<AttemptRecord>,
}

// Manual review (人工审核, method E).

/// Largest photo a manual-review upload may declare, in bytes (10 MiB).
pub const MANUAL_UPLOAD_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// The chunk size the server suggests for `PUT .../manual/uploads/{upload_id}` (256 KiB).
pub const MANUAL_UPLOAD_CHUNK_BYTES: u64 = 262_144;
/// Largest chunk body the server takes (1 MiB).
pub const MANUAL_UPLOAD_MAX_CHUNK_BYTES: u64 = 1024 * 1024;
/// How long a manual review usually takes, in minutes (shown on the pending page).
pub const MANUAL_REVIEW_EXPECTED_MINUTES_MIN: u32 = 15;
/// See [`MANUAL_REVIEW_EXPECTED_MINUTES_MIN`].
pub const MANUAL_REVIEW_EXPECTED_MINUTES_MAX: u32 = 30;

/// Which photo of a manual review an upload carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualPhotoKind {
    /// The front (portrait side) of the document.
    IdFront,
    /// The user holding the document next to their face.
    HoldingId,
}

impl ManualPhotoKind {
    pub const ALL: [ManualPhotoKind; 2] = [Self::IdFront, Self::HoldingId];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdFront => "id_front",
            Self::HoldingId => "holding_id",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `POST /api/v1/real-name/{verification_id}/manual/uploads`: starts (or resumes) the upload of
/// one photo. `sha256` is the lowercase hex SHA-256 of the whole file, `size` its length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualUploadRequest {
    pub kind: ManualPhotoKind,
    pub size: u64,
    pub sha256: String,
}

/// The state of a resumable upload. Send the next chunk from byte `received`
/// (`Content-Range: bytes received-END/size`); `complete` once the server has checked and kept
/// the photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualUpload {
    pub upload_id: String,
    pub kind: ManualPhotoKind,
    pub received: u64,
    pub size: u64,
    /// Suggested chunk length ([`MANUAL_UPLOAD_CHUNK_BYTES`]).
    pub chunk_size: u64,
    pub complete: bool,
}

/// Where a manual review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|r| r.as_str() == s)
    }
}

/// Why a reviewer rejected a submission: a fixed list, plus free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// 照片不清晰
    PhotoUnclear,
    /// 证件与填写信息不符
    DocumentMismatch,
    /// 未手持证件
    NotHoldingDocument,
    /// 证件已过期
    DocumentExpired,
    /// 其他（见说明）
    Other,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        Self::PhotoUnclear,
        Self::DocumentMismatch,
        Self::NotHoldingDocument,
        Self::DocumentExpired,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PhotoUnclear => "photo_unclear",
            Self::DocumentMismatch => "document_mismatch",
            Self::NotHoldingDocument => "not_holding_document",
            Self::DocumentExpired => "document_expired",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The reason code recorded on the failed attempt.
    pub fn failure_reason(self) -> FailureReason {
        match self {
            Self::PhotoUnclear => FailureReason::PhotoUnclear,
            Self::DocumentMismatch => FailureReason::DocumentMismatch,
            Self::NotHoldingDocument => FailureReason::NotHoldingDocument,
            Self::DocumentExpired => FailureReason::DocumentExpired,
            Self::Other => FailureReason::ReviewRejected,
        }
    }
}

/// `POST .../manual/submit` and `GET /api/v1/real-name/manual/status`: the user's manual review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualReviewStatus {
    pub review_id: String,
    pub status: ReviewStatus,
    /// Unix seconds.
    pub submitted_at: i64,
    pub expected_minutes_min: u32,
    pub expected_minutes_max: u32,
    /// Unix seconds, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<RejectReason>,
    /// The reviewer's free text, when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_text: Option<String>,
}

// Face recognition (人脸识别, method D): a challenge of digits to read aloud, a resumable upload
// of the recorded clip (H.264 in MP4), and the submission that checks liveness and compares the
// face with the photo on record for the ID number.

/// Seconds a face challenge stays valid after it is issued.
pub const FACE_CHALLENGE_TTL_SECS: u64 = 120;
/// Fewest digits of a face challenge.
pub const FACE_CHALLENGE_MIN_DIGITS: usize = 4;
/// Most digits of a face challenge.
pub const FACE_CHALLENGE_MAX_DIGITS: usize = 6;
/// Shortest clip the platform analyses, in milliseconds (the app records 3-6 s).
pub const FACE_CLIP_MIN_DURATION_MS: u32 = 2_000;
/// Longest clip the platform analyses, in milliseconds.
pub const FACE_CLIP_MAX_DURATION_MS: u32 = 10_000;
/// Largest clip a face upload may declare, in bytes (8 MiB; 5 s at 640×480 and 600 kbit/s is
/// about 370 KB).
pub const FACE_UPLOAD_MAX_BYTES: u64 = 8 * 1024 * 1024;

/// `POST /api/v1/real-name/{verification_id}/face/challenge`: `consent` must be true, the
/// user's agreement (on its own consent screen) to the processing of face data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceChallengeRequest {
    pub consent: bool,
}

/// A face challenge: show `digits` large, record the user reading them aloud for
/// `min_duration_ms`..`max_duration_ms`, upload the clip and submit it with `challenge_id`
/// before `expires_at`. Single use; a new challenge voids none of the older ones, but each
/// can be submitted once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceChallenge {
    pub challenge_id: String,
    /// 4-6 ASCII digits.
    pub digits: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Seconds until `expires_at`, for clients whose clock differs from the platform's.
    pub expires_in: u64,
    pub min_duration_ms: u32,
    pub max_duration_ms: u32,
}

/// `POST /api/v1/real-name/{verification_id}/face/uploads`: starts (or resumes) the upload of
/// one clip. `sha256` is the lowercase hex SHA-256 of the whole file, `size` its length (at most
/// [`FACE_UPLOAD_MAX_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceUploadRequest {
    pub size: u64,
    pub sha256: String,
}

/// The state of a resumable clip upload, as for [`ManualUpload`]: send the next chunk from
/// byte `received`; `complete` once every byte arrived and the SHA-256 matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceUpload {
    pub upload_id: String,
    pub received: u64,
    pub size: u64,
    /// Suggested chunk length ([`MANUAL_UPLOAD_CHUNK_BYTES`]).
    pub chunk_size: u64,
    pub complete: bool,
}

/// `POST /api/v1/real-name/{verification_id}/face/submit`: analyse the complete upload as the
/// answer to the challenge. Answers a [`VerificationResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceSubmitRequest {
    pub challenge_id: String,
    pub upload_id: String,
}

/// Why a face recognition attempt failed, one code per problem (`reasons` of a
/// [`VerificationResult`]). Each maps to a plain next step in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessReason {
    /// The challenge is unknown, or not this verification's: request a new one.
    ChallengeInvalid,
    /// The challenge expired before the clip was submitted: request a new one.
    ChallengeExpired,
    /// The challenge was already submitted once: request a new one.
    ChallengeUsed,
    /// The clip is not an MP4 with an H.264 track, or it is damaged.
    ClipUnreadable,
    /// The clip lasts longer than the platform analyses.
    ClipTooLong,
    /// The clip's picture is larger than the platform analyses.
    ClipTooLarge,
    /// The clip is too short (or its duration is not believable) for reading the digits.
    DurationImplausible,
    /// Frame timestamps go backwards, jump or repeat: not a camera recording.
    FrameTimingImplausible,
    /// No face in too many frames.
    NoFace,
    /// More than one face in view.
    MultipleFaces,
    /// The face is too small: come closer.
    FaceTooSmall,
    /// The picture is too dark: face the light.
    TooDark,
    /// The picture does not change: a frozen feed.
    FrozenFeed,
    /// The same frames repeat: a looped feed.
    LoopedFeed,
    /// The mouth does not move: read the digits aloud.
    NoMouthMovement,
    /// The face moves only as a whole, like a held-up photo.
    RigidMotion,
    /// The face does not match the photo on record for the ID number.
    FaceMismatch,
}

impl LivenessReason {
    pub const ALL: [LivenessReason; 17] = [
        Self::ChallengeInvalid,
        Self::ChallengeExpired,
        Self::ChallengeUsed,
        Self::ClipUnreadable,
        Self::ClipTooLong,
        Self::ClipTooLarge,
        Self::DurationImplausible,
        Self::FrameTimingImplausible,
        Self::NoFace,
        Self::MultipleFaces,
        Self::FaceTooSmall,
        Self::TooDark,
        Self::FrozenFeed,
        Self::LoopedFeed,
        Self::NoMouthMovement,
        Self::RigidMotion,
        Self::FaceMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChallengeInvalid => "challenge_invalid",
            Self::ChallengeExpired => "challenge_expired",
            Self::ChallengeUsed => "challenge_used",
            Self::ClipUnreadable => "clip_unreadable",
            Self::ClipTooLong => "clip_too_long",
            Self::ClipTooLarge => "clip_too_large",
            Self::DurationImplausible => "duration_implausible",
            Self::FrameTimingImplausible => "frame_timing_implausible",
            Self::NoFace => "no_face",
            Self::MultipleFaces => "multiple_faces",
            Self::FaceTooSmall => "face_too_small",
            Self::TooDark => "too_dark",
            Self::FrozenFeed => "frozen_feed",
            Self::LoopedFeed => "looped_feed",
            Self::NoMouthMovement => "no_mouth_movement",
            Self::RigidMotion => "rigid_motion",
            Self::FaceMismatch => "face_mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

// Signatures (签名维护). The app creates a signature's id itself (32 lowercase hex digits, 128
// random bits) before it first reaches the platform: the id is the idempotency key of the
// create, so an outbox retry after a lost answer or a killed app can never make a second copy,
// and an offline "set as default" can name a signature the platform has not seen yet.

/// Most signatures one user keeps on the platform.
pub const MAX_SIGNATURES: usize = 20;
/// Longest signature name, in characters.
pub const MAX_SIGNATURE_NAME_CHARS: usize = 32;
/// Largest signature PNG the platform stores, in bytes.
pub const MAX_SIGNATURE_PNG_BYTES: usize = 2 * 1024 * 1024;
/// Largest signature SVG the platform stores, in bytes.
pub const MAX_SIGNATURE_SVG_BYTES: usize = 2 * 1024 * 1024;
/// Largest signature image side, in pixels.
pub const MAX_SIGNATURE_SIDE_PX: u32 = 4096;

/// Whether `id` has the shape of a signature id: 32 lowercase hex digits.
pub fn is_signature_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// How a signature was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// Drawn by hand on the pad; has an SVG beside the PNG.
    Drawn,
    /// An uploaded photo or scan, cleaned to a transparent PNG.
    Uploaded,
}

impl SignatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drawn => "drawn",
            Self::Uploaded => "uploaded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Drawn, Self::Uploaded].into_iter().find(|k| k.as_str() == s)
    }
}

/// `PUT /api/v1/signatures/{signature_id}`: create the signature with this id. Replaying the
/// same upload answers 200 with the stored signature; the same id with other content answers
/// 409 `conflict`. The PNG is transparent (RGBA), at most [`MAX_SIGNATURE_PNG_BYTES`] and
/// [`MAX_SIGNATURE_SIDE_PX`] on each side; `svg` is present exactly for drawn signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureUpload {
    pub name: String,
    pub kind: SignatureKind,
    /// The PNG, standard base64 with padding.
    pub png_base64: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

/// `PATCH /api/v1/signatures/{signature_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureRename {
    pub name: String,
}

/// `PUT /api/v1/signatures/default`: make this signature the default (`null`: no default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultSignature {
    pub signature_id: Option<String>,
}

/// One stored signature (without its image, which is fetched by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub id: String,
    pub name: String,
    pub kind: SignatureKind,
    pub width: u32,
    pub height: u32,
    /// SHA-256 of the PNG, lowercase hex: the app compares it with its cached copy.
    pub png_sha256: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    pub is_default: bool,
}

/// `GET /api/v1/signatures`: the caller's signatures, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureList {
    pub signatures: Vec<SignatureInfo>,
    pub default_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_forbidden_but_letters_are_not() {
        for c in ['\u{0}', '\u{7}', '\n', '\u{9f}', '\u{200B}', '\u{202E}', '\u{2066}', '\u{FEFF}']
        {
            assert!(is_forbidden_in_text(c), "{c:?}");
        }
        for c in ['a', '王', '·', ' ', '-', '\u{00E9}'] {
            assert!(!is_forbidden_in_text(c), "{c:?}");
        }
    }

    #[test]
    fn method_options_carry_a_tagged_reason_only_when_unavailable() {
        let open = MethodOption::available(VerificationMethod::BankCard);
        assert_eq!(
            serde_json::to_value(&open).ok(),
            Some(serde_json::json!({"method": "bank_card", "available": true}))
        );
        let spent = MethodOption::unavailable(
            VerificationMethod::Phone,
            MethodUnavailable::DailyAttemptsUsedUp {
                scope: AttemptBudget::UserAndMethod,
                retry_after_secs: 18_720,
            },
        );
        assert_eq!(
            serde_json::to_value(&spent).ok(),
            Some(serde_json::json!({
                "method": "phone",
                "available": false,
                "reason": {
                    "kind": "daily_attempts_used_up",
                    "scope": "user_and_method",
                    "retry_after_secs": 18_720,
                },
            }))
        );
        assert_eq!(spent.reason.and_then(|r| r.retry_after_secs()), Some(18_720));
    }

    #[test]
    fn domain_reasons_become_wire_reasons_of_the_same_kind() {
        let reason: MethodUnavailable =
            Unavailable::DocumentRequiresManualReview { document_type: DocumentType::Passport }
                .into();
        assert_eq!(
            serde_json::to_value(&reason).ok(),
            Some(serde_json::json!({
                "kind": "document_requires_manual_review",
                "document_type": "passport",
            }))
        );
    }

    #[test]
    fn verification_results_omit_what_does_not_apply() {
        let success = VerificationResult {
            outcome: AttemptOutcome::Success,
            reason_code: None,
            mismatched_element: None,
            reasons: Vec::new(),
            attempts_left: None,
            warnings: Vec::new(),
        };
        assert_eq!(
            serde_json::to_value(&success).ok(),
            Some(serde_json::json!({"outcome": "success"}))
        );
        let failure = VerificationResult {
            outcome: AttemptOutcome::Failure,
            reason_code: Some(FailureReason::ElementsMismatch),
            mismatched_element: Some(MismatchedElement::IdNumber),
            reasons: Vec::new(),
            attempts_left: Some(3),
            warnings: Vec::new(),
        };
        assert_eq!(
            serde_json::to_value(&failure).ok(),
            Some(serde_json::json!({
                "outcome": "failure",
                "reason_code": "elements_mismatch",
                "mismatched_element": "id_number",
                "attempts_left": 3,
            }))
        );
    }

    #[test]
    fn attempt_enums_parse_back_from_their_wire_names() {
        for outcome in
            [AttemptOutcome::Success, AttemptOutcome::Failure, AttemptOutcome::ProviderTimeout]
        {
            assert_eq!(AttemptOutcome::parse(outcome.as_str()), Some(outcome));
            assert_eq!(
                serde_json::to_value(outcome).ok(),
                Some(serde_json::json!(outcome.as_str()))
            );
        }
        for element in [
            MismatchedElement::Name,
            MismatchedElement::IdNumber,
            MismatchedElement::CardNumber,
            MismatchedElement::Phone,
        ] {
            assert_eq!(MismatchedElement::parse(element.as_str()), Some(element));
            assert_eq!(
                serde_json::to_value(element).ok(),
                Some(serde_json::json!(element.as_str()))
            );
        }
        let reason = FailureReason::ElementsMismatch;
        assert_eq!(FailureReason::parse(reason.as_str()), Some(reason));
        assert_eq!(serde_json::to_value(reason).ok(), Some(serde_json::json!("elements_mismatch")));
    }

    #[test]
    fn phone_start_is_tagged_by_status() {
        let sent = PhoneStart::CodeSent {
            challenge: PhoneChallenge {
                masked_phone: "138****8000".into(),
                expires_in: 300,
                resend_after: 60,
                codes_left_today: 9,
                warnings: Vec::new(),
            },
        };
        assert_eq!(
            serde_json::to_value(&sent).ok(),
            Some(serde_json::json!({
                "status": "code_sent",
                "challenge": { "masked_phone": "138****8000", "expires_in": 300,
                               "resend_after": 60, "codes_left_today": 9 },
            }))
        );
        let failed = PhoneStart::Failed {
            result: VerificationResult {
                outcome: AttemptOutcome::Failure,
                reason_code: Some(FailureReason::ElementsMismatch),
                mismatched_element: Some(MismatchedElement::Phone),
                reasons: Vec::new(),
                attempts_left: Some(4),
                warnings: Vec::new(),
            },
        };
        let json = serde_json::to_value(&failed).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({
                "status": "failed",
                "result": { "outcome": "failure", "reason_code": "elements_mismatch",
                            "mismatched_element": "phone", "attempts_left": 4 },
            }))
        );
        let back: Option<PhoneStart> = json.and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(back, Some(failed));
    }

    #[test]
    fn every_failure_reason_parses_back_from_its_wire_name() {
        for reason in FailureReason::ALL {
            assert_eq!(FailureReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).ok(), Some(serde_json::json!(reason.as_str())));
        }
        assert_eq!(FailureReason::parse("carrier_mismatch"), None);
    }

    #[test]
    fn alipay_status_omits_the_result_while_pending() {
        let pending =
            AlipayStatus { status: AlipaySessionStatus::Pending, result: None, expires_in: 240 };
        assert_eq!(
            serde_json::to_value(&pending).ok(),
            Some(serde_json::json!({ "status": "pending", "expires_in": 240 }))
        );
        let failed = AlipayStatus {
            status: AlipaySessionStatus::Failure,
            result: Some(VerificationResult {
                outcome: AttemptOutcome::Failure,
                reason_code: Some(FailureReason::UserCancelled),
                mismatched_element: None,
                reasons: Vec::new(),
                attempts_left: Some(4),
                warnings: Vec::new(),
            }),
            expires_in: 0,
        };
        let json = serde_json::to_value(&failed).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({
                "status": "failure",
                "result": { "outcome": "failure", "reason_code": "user_cancelled",
                            "attempts_left": 4 },
                "expires_in": 0,
            }))
        );
        let back: Option<AlipayStatus> = json.and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(back, Some(failed));
        for status in [
            AlipaySessionStatus::Pending,
            AlipaySessionStatus::Success,
            AlipaySessionStatus::Failure,
        ] {
            assert_eq!(AlipaySessionStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn every_liveness_reason_parses_back_from_its_wire_name() {
        for reason in LivenessReason::ALL {
            assert_eq!(LivenessReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).ok(), Some(serde_json::json!(reason.as_str())));
        }
        assert_eq!(LivenessReason::parse("held_up_photo"), None);
    }

    #[test]
    fn a_failed_face_attempt_lists_its_reasons_inside_the_verification_result() {
        let failed = VerificationResult {
            outcome: AttemptOutcome::Failure,
            reason_code: Some(FailureReason::LivenessFailed),
            mismatched_element: None,
            reasons: vec![LivenessReason::TooDark, LivenessReason::NoMouthMovement],
            attempts_left: Some(29),
            warnings: Vec::new(),
        };
        let json = serde_json::to_value(&failed).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({
                "outcome": "failure",
                "reason_code": "liveness_failed",
                "reasons": ["too_dark", "no_mouth_movement"],
                "attempts_left": 29,
            }))
        );
        let back: Option<VerificationResult> = json.and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(back, Some(failed));
        // Results of the other methods, without `reasons`, still read.
        let old: Option<VerificationResult> =
            serde_json::from_value(serde_json::json!({"outcome": "success"})).ok();
        assert_eq!(old.map(|r| r.reasons), Some(Vec::new()));
    }

    #[test]
    fn per_minute_budget_is_a_tagged_reason_with_retry_after() {
        let reason = MethodUnavailable::AttemptsPerMinuteUsedUp {
            scope: AttemptBudget::IdentityNumber,
            retry_after_secs: 42,
        };
        assert_eq!(
            serde_json::to_value(&reason).ok(),
            Some(serde_json::json!({
                "kind": "attempts_per_minute_used_up",
                "scope": "identity_number",
                "retry_after_secs": 42,
            }))
        );
        assert_eq!(reason.retry_after_secs(), Some(42));
    }

    #[test]
    fn face_challenge_request_refuses_unknown_fields() {
        let ok: Result<FaceChallengeRequest, _> =
            serde_json::from_value(serde_json::json!({"consent": true}));
        assert_eq!(ok.ok(), Some(FaceChallengeRequest { consent: true }));
        let extra: Result<FaceChallengeRequest, _> =
            serde_json::from_value(serde_json::json!({"consent": true, "digits": "1234"}));
        assert!(extra.is_err());
    }

    #[test]
    fn text_checks_name_the_first_problem() {
        assert_eq!(check_text("", 4), Err(TextProblem::Empty));
        assert_eq!(check_text("abcde", 4), Err(TextProblem::TooLong));
        assert_eq!(check_text("王芳王芳", 4), Ok(()));
        assert_eq!(check_text("ab\u{202E}", 4), Err(TextProblem::InvalidCharacters));
    }
}
