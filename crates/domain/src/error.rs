//! Stable error codes. The server puts one in every error body; the app passes it on to the UI
//! (adding its own codes for failures that happen before a response exists), and the UI shows
//! its own translated text for each. `message` is for logs and developers, never shown as is.

use serde::{Deserialize, Serialize};

/// Every error code of the platform API and the desktop app, serialised in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Input.
    /// A field is missing, empty, too long or holds forbidden characters. `details.field` names it.
    InvalidInput,
    /// The body is not valid JSON for this endpoint.
    MalformedJson,
    /// The request's content type is not the one the endpoint takes.
    UnsupportedMediaType,
    /// The body exceeds the endpoint's size limit.
    PayloadTooLarge,

    // Sign-in and session.
    /// Account or password is wrong. `details.attempts_left` says how many tries remain.
    InvalidCredentials,
    /// Too many wrong passwords. `details.retry_after_secs` says when to retry.
    AccountLocked,
    /// Too many requests from this address or for this resource. `details.retry_after_secs`.
    RateLimited,
    /// No or an unknown bearer token.
    Unauthorized,
    /// The access or refresh token has expired or was revoked: sign in again.
    SessionExpired,
    /// A refresh token was used twice; the whole session family was revoked.
    RefreshTokenReused,
    /// Signed in, but this role may not do that.
    Forbidden,
    /// No such route or object (or not the caller's).
    NotFound,
    /// The account already exists.
    Conflict,
    /// Something broke on the server; details are in the server's log.
    Internal,
    /// A verification provider (bank, carrier, Alipay) did not answer in time. Not counted as a
    /// failed attempt: the user may simply try again.
    ProviderTimeout,
    /// The SMS code is wrong. `details.attempts_left` says how many more tries this code has.
    WrongSmsCode,
    /// The SMS code has expired: request a new one.
    SmsCodeExpired,
    /// The SMS code was entered wrongly too many times and is void: request a new one.
    SmsCodeVoided,
    /// This phone number has received today's maximum of SMS codes. `details.retry_after_secs`.
    SmsDailyLimit,
    /// A manual-review photo was refused by the server's checks. `details.error` is the
    /// `signet_imaging::PhotoError` as JSON (`{"kind": "too_dark", ...}`).
    InvalidPhoto,
    /// An upload's bytes do not match the SHA-256 declared when it started; the upload starts
    /// over (`details.received` is 0).
    ChecksumMismatch,
    /// Saving a signature to the platform needs a verified real-name status.
    RealNameRequired,
    /// A signature image was refused: not a PNG, too large, no transparency, or unreadable.
    /// `details.reason` names the problem.
    InvalidSignature,
    /// The user already keeps the most signatures allowed (`details.max`).
    SignatureLimit,
    /// Face recognition cannot run now: this platform has no liveness analysis installed
    /// (`details.reason = "no_analyser"`), or every analysis slot stayed busy
    /// (`details.reason = "busy"`, with `retry_after_secs`). Choose another method or retry.
    FaceUnavailable,

    // Desktop app only: failures before or around a response.
    /// The platform could not be reached (connection refused, DNS, timeout).
    ServerUnreachable,
    /// The TLS handshake with the platform failed (certificate, protocol).
    TlsFailure,
    /// The platform answered something the app does not understand.
    ProtocolError,
    /// No usable OS keyring: the session cannot be remembered.
    KeyringUnavailable,
    /// The local store (SQLite) failed.
    StoreError,
    /// Not signed in on this device.
    NotSignedIn,
    /// Checking for, downloading, verifying or installing an update failed; the installed
    /// version keeps working. `details.reason`: `network`, `bad_signature`,
    /// `no_package_for_this_system`, `insecure_platform`, `install`.
    UpdateFailed,
    /// The camera cannot be used (face recognition). `details.reason`: `no_camera`, `busy`
    /// (another program has it), `permission_denied` (the OS or the user refused access),
    /// `failed` (it opened but delivers no frames, or another fault).
    CameraUnavailable,
}

impl ErrorCode {
    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidInput
            | Self::MalformedJson
            | Self::WrongSmsCode
            | Self::SmsCodeExpired
            | Self::SmsCodeVoided => 400,
            Self::InvalidCredentials
            | Self::Unauthorized
            | Self::SessionExpired
            | Self::RefreshTokenReused
            | Self::NotSignedIn => 401,
            Self::Forbidden | Self::RealNameRequired => 403,
            Self::NotFound => 404,
            Self::Conflict | Self::SignatureLimit => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::AccountLocked => 423,
            Self::RateLimited | Self::SmsDailyLimit => 429,
            Self::Internal
            | Self::ProtocolError
            | Self::KeyringUnavailable
            | Self::StoreError
            | Self::UpdateFailed
            | Self::CameraUnavailable => 500,
            Self::ServerUnreachable | Self::TlsFailure | Self::FaceUnavailable => 503,
            Self::ProviderTimeout => 504,
            Self::InvalidPhoto | Self::ChecksumMismatch | Self::InvalidSignature => 422,
        }
    }

    /// The snake_case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        ALL.iter().find(|(code, _)| *code == self).map_or("internal", |(_, name)| name)
    }
}

/// Every code with its wire name, in one place so `as_str` needs no allocation.
const ALL: &[(ErrorCode, &str)] = &[
    (ErrorCode::InvalidInput, "invalid_input"),
    (ErrorCode::MalformedJson, "malformed_json"),
    (ErrorCode::UnsupportedMediaType, "unsupported_media_type"),
    (ErrorCode::PayloadTooLarge, "payload_too_large"),
    (ErrorCode::InvalidCredentials, "invalid_credentials"),
    (ErrorCode::AccountLocked, "account_locked"),
    (ErrorCode::RateLimited, "rate_limited"),
    (ErrorCode::Unauthorized, "unauthorized"),
    (ErrorCode::SessionExpired, "session_expired"),
    (ErrorCode::RefreshTokenReused, "refresh_token_reused"),
    (ErrorCode::Forbidden, "forbidden"),
    (ErrorCode::NotFound, "not_found"),
    (ErrorCode::Conflict, "conflict"),
    (ErrorCode::Internal, "internal"),
    (ErrorCode::ProviderTimeout, "provider_timeout"),
    (ErrorCode::WrongSmsCode, "wrong_sms_code"),
    (ErrorCode::SmsCodeExpired, "sms_code_expired"),
    (ErrorCode::SmsCodeVoided, "sms_code_voided"),
    (ErrorCode::SmsDailyLimit, "sms_daily_limit"),
    (ErrorCode::InvalidPhoto, "invalid_photo"),
    (ErrorCode::ChecksumMismatch, "checksum_mismatch"),
    (ErrorCode::RealNameRequired, "real_name_required"),
    (ErrorCode::InvalidSignature, "invalid_signature"),
    (ErrorCode::SignatureLimit, "signature_limit"),
    (ErrorCode::FaceUnavailable, "face_unavailable"),
    (ErrorCode::ServerUnreachable, "server_unreachable"),
    (ErrorCode::TlsFailure, "tls_failure"),
    (ErrorCode::ProtocolError, "protocol_error"),
    (ErrorCode::KeyringUnavailable, "keyring_unavailable"),
    (ErrorCode::StoreError, "store_error"),
    (ErrorCode::NotSignedIn, "not_signed_in"),
    (ErrorCode::UpdateFailed, "update_failed"),
    (ErrorCode::CameraUnavailable, "camera_unavailable"),
];

/// The body of every error response, and of every error the app hands to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: None }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// `details.retry_after_secs`, when the error carries one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.details.as_ref()?.get("retry_after_secs")?.as_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_the_same_name_in_the_table_and_on_the_wire() {
        for (code, name) in ALL {
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::json!(name)));
            assert_eq!(code.as_str(), *name);
        }
    }

    #[test]
    fn provider_timeout_answers_504() {
        assert_eq!(ErrorCode::ProviderTimeout.http_status(), 504);
        assert_eq!(ErrorCode::ProviderTimeout.as_str(), "provider_timeout");
    }

    #[test]
    fn sms_codes_answer_400_and_the_daily_limit_429() {
        for code in [ErrorCode::WrongSmsCode, ErrorCode::SmsCodeExpired, ErrorCode::SmsCodeVoided] {
            assert_eq!(code.http_status(), 400, "{code:?}");
        }
        assert_eq!(ErrorCode::SmsDailyLimit.http_status(), 429);
        assert_eq!(ErrorCode::SmsDailyLimit.as_str(), "sms_daily_limit");
    }

    #[test]
    fn photo_refusals_answer_422() {
        assert_eq!(ErrorCode::InvalidPhoto.http_status(), 422);
        assert_eq!(ErrorCode::InvalidPhoto.as_str(), "invalid_photo");
        assert_eq!(ErrorCode::ChecksumMismatch.http_status(), 422);
    }

    #[test]
    fn face_unavailable_answers_503() {
        assert_eq!(ErrorCode::FaceUnavailable.http_status(), 503);
        assert_eq!(ErrorCode::FaceUnavailable.as_str(), "face_unavailable");
    }

    #[test]
    fn error_body_omits_absent_details() {
        let body = ErrorBody::new(ErrorCode::InvalidCredentials, "wrong password");
        let json = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(json, r#"{"code":"invalid_credentials","message":"wrong password"}"#);
    }

    #[test]
    fn retry_after_is_read_from_details() {
        let body = ErrorBody::new(ErrorCode::AccountLocked, "locked")
            .with_details(serde_json::json!({ "retry_after_secs": 840 }));
        assert_eq!(body.retry_after_secs(), Some(840));
    }
}
