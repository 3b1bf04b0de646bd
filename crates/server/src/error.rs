//! [`AppError`], the one error type of the server: every handler and library function returns it,
//! and it turns into the `{code, message, details?}` body of [`ErrorBody`] with the HTTP status
//! of its [`ErrorCode`]. Also [`ApiJson`], the JSON extractor whose rejections answer in that
//! same shape, and the fallbacks for unknown routes and methods.

use std::borrow::Cow;
use std::fmt;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;
use signet_domain::{ErrorBody, ErrorCode};

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error the API answers with. `message` is for developers and logs; clients branch on `code`.
/// An [`ErrorCode::Internal`] error keeps its cause for the log and never sends it.
pub struct AppError {
    code: ErrorCode,
    message: Cow<'static, str>,
    details: Option<serde_json::Value>,
    source: Option<Source>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { code, message: message.into(), details: None, source: None }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// A field the caller sent is missing, empty, too long or holds forbidden characters.
    pub fn invalid_input(field: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidInput, message).with_details(json!({ "field": field }))
    }

    /// One field of a method's body failed its domain rule: `details` carries the field and
    /// the domain's error (`{"kind": ...}`), in the same shape as step 1's field errors.
    pub fn invalid_field(field: &'static str, error: impl fmt::Display + serde::Serialize) -> Self {
        Self::new(ErrorCode::InvalidInput, format!("{field}: {error}"))
            .with_details(json!({ "field": field, "errors": [{ "field": field, "error": error }] }))
    }

    /// A short text field failed [`signet_domain::api::check_text`]: `details.reason` says why,
    /// in the same words the app uses.
    pub fn invalid_text(field: &'static str, problem: signet_domain::api::TextProblem) -> Self {
        Self::new(ErrorCode::InvalidInput, format!("{field}: {}", problem.as_str()))
            .with_details(json!({ "field": field, "reason": problem.as_str() }))
    }

    /// Something broke on our side. `context` is logged with the cause; the client sees neither.
    pub fn internal(context: &'static str, source: impl Into<Source>) -> Self {
        Self { source: Some(source.into()), ..Self::new(ErrorCode::Internal, context) }
    }

    /// Too many requests; retry after `retry_after_secs`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(ErrorCode::RateLimited, "too many requests, slow down")
            .with_details(json!({ "retry_after_secs": retry_after_secs }))
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn details(&self) -> Option<&serde_json::Value> {
        self.details.as_ref()
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("details", &self.details)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal("database error", err)
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Self::internal("database migration failed", err)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::internal("background task failed", err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = if self.code == ErrorCode::Internal {
            // The cause can name tables, files or hosts: it goes to the log only.
            let source = self.source.as_ref().map(|s| s.to_string()).unwrap_or_default();
            tracing::error!(context = %self.message, error = %source, "internal error");
            ErrorBody::new(ErrorCode::Internal, "internal error")
        } else {
            ErrorBody { code: self.code, message: self.message.into_owned(), details: self.details }
        };
        let retry_after = body.retry_after_secs();
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// `axum::Json`, but a body that is not the expected JSON answers with our error body:
/// invalid JSON, unknown or missing fields → 400 `malformed_json`; no `application/json`
/// content type → 415 `unsupported_media_type`; over the body limit → 413 `payload_too_large`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::new(
            ErrorCode::UnsupportedMediaType,
            "expected a request with `Content-Type: application/json`",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge, "request body is too large")
        }
        // The serde message names the offending field or position; it only ever echoes what
        // the caller sent, and it is not logged.
        _ => AppError::new(ErrorCode::MalformedJson, rejection.body_text()),
    }
}

/// Every path no route matches.
pub async fn not_found(method: Method, uri: Uri) -> AppError {
    AppError::new(ErrorCode::NotFound, format!("no route for {method} {}", uri.path()))
}

/// A route that exists, called with a method it does not take. Axum adds the `Allow` header.
/// There is no `method_not_allowed` code: the body says `not_found` (no such operation) while
/// the status stays the precise 405.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let body =
        ErrorBody::new(ErrorCode::NotFound, format!("{} does not take {method}", uri.path()));
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// A response that caches and proxies must not keep: tokens and personal data.
#[derive(Debug, Clone, Copy)]
pub struct NoStore<T>(pub T);

impl<T: IntoResponse> IntoResponse for NoStore<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
