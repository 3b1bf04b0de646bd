//! The one error type that crosses from the app's services to the UI.
//!
//! It serialises as `{code, message, details?}` (the same body the platform sends), so the UI
//! branches on `code` whether the failure happened on the server or on this machine.

use serde::Serialize;
use signet_domain::{ErrorBody, ErrorCode};

#[derive(Debug, Clone, PartialEq)]
pub struct AppError(pub ErrorBody);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ErrorBody::new(code, message))
    }

    pub fn with_details(self, details: serde_json::Value) -> Self {
        Self(self.0.with_details(details))
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn invalid_input(field: &str, reason: &str) -> Self {
        Self::new(ErrorCode::InvalidInput, format!("{field}: {reason}"))
            .with_details(serde_json::json!({ "field": field, "reason": reason }))
    }

    pub fn store(err: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::StoreError, format!("local store: {err}"))
    }

    /// The platform could not be reached or did not answer: the app should work offline.
    pub fn is_offline(&self) -> bool {
        matches!(self.code(), ErrorCode::ServerUnreachable | ErrorCode::TlsFailure)
    }

    /// The session is over and only a new sign-in helps.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code(),
            ErrorCode::SessionExpired | ErrorCode::RefreshTokenReused | ErrorCode::Unauthorized
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code.as_str(), self.0.message)
    }
}

impl std::error::Error for AppError {}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::store(err)
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Self::store(err)
    }
}
