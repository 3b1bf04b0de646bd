//! The platform client: typed calls to the platform's HTTP API over rustls.
//!
//! Every failure becomes an [`AppError`] with a stable code: the platform's own `{code, message}`
//! body when it sent one, `server_unreachable` when nothing answered, `tls_failure` when the TLS
//! handshake failed, `protocol_error` when the answer made no sense.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use signet_domain::api::{
    AlipayStart, AlipayStatus, AttemptHistory, BankCardRequest, FaceChallenge,
    FaceChallengeRequest, FaceSubmitRequest, Health, IdentityAccepted, ManualReviewStatus,
    PhoneChallenge, PhoneRequest, PhoneStart, Profile, RefreshRequest, SessionTokens,
    SignInRequest, SignatureInfo, SignatureList, SignatureRename, SignatureUpload, SmsCodeRequest,
    VerificationResult, APP_VERSION_HEADER,
};
use signet_domain::identity::IdentityInput;
use signet_domain::{ErrorBody, ErrorCode, Sensitive};

use crate::error::{AppError, AppResult};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct PlatformClient {
    base: String,
    http: reqwest::Client,
}

/// Checks and normalises a platform address typed by the user: `http(s)://host[:port]`, no
/// trailing slash.
pub fn normalize_server_url(raw: &str) -> AppResult<String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed)
        .map_err(|_| AppError::invalid_input("server_url", "not_a_url"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AppError::invalid_input("server_url", "not_http"));
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err(AppError::invalid_input("server_url", "has_path"));
    }
    Ok(trimmed.to_string())
}

/// `host[:port]` of a platform address: the keyring account is `<host>:<user id>`.
pub fn server_host(base: &str) -> String {
    reqwest::Url::parse(base)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_else(|| base.to_string())
}

/// The TLS crypto provider (ring) for every client in the process, unless one is already there.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another installer leaves that one, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl PlatformClient {
    pub fn new(base: &str) -> AppResult<Self> {
        let base = normalize_server_url(base)?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(format!("Signet/{}", crate::app_version()))
            .build()
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("http client: {e}")))?;
        Ok(Self { base, http })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn health(&self) -> AppResult<Health> {
        self.send(Method::GET, "/health", None::<&()>, None).await
    }

    pub async fn sign_in(
        &self,
        account: &str,
        password: &Sensitive<String>,
    ) -> AppResult<SessionTokens> {
        let body = SignInRequest { account: account.to_string(), password: password.clone() };
        self.send(Method::POST, "/api/v1/auth/sign-in", Some(&body), None).await
    }

    pub async fn refresh(&self, refresh_token: &Sensitive<String>) -> AppResult<SessionTokens> {
        let body = RefreshRequest { refresh_token: refresh_token.clone() };
        self.send(Method::POST, "/api/v1/auth/refresh", Some(&body), None).await
    }

    pub async fn sign_out(&self, access_token: &Sensitive<String>) -> AppResult<()> {
        self.send_empty(Method::POST, "/api/v1/auth/sign-out", Some(access_token)).await
    }

    pub async fn me(&self, access_token: &Sensitive<String>) -> AppResult<Profile> {
        self.send(Method::GET, "/api/v1/me", None::<&()>, Some(access_token)).await
    }

    pub async fn submit_identity(
        &self,
        token: &Sensitive<String>,
        input: &IdentityInput,
    ) -> AppResult<IdentityAccepted> {
        self.send(Method::POST, "/api/v1/real-name/identity", Some(input), Some(token)).await
    }

    pub async fn verify_bank_card(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        request: &BankCardRequest,
    ) -> AppResult<VerificationResult> {
        let path = method_path(verification_id, "bank-card")?;
        self.send(Method::POST, &path, Some(request), Some(token)).await
    }

    pub async fn start_phone(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        phone: &Sensitive<String>,
    ) -> AppResult<PhoneStart> {
        let path = method_path(verification_id, "phone")?;
        let body = PhoneRequest { phone: phone.clone() };
        self.send(Method::POST, &path, Some(&body), Some(token)).await
    }

    pub async fn resend_sms_code(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
    ) -> AppResult<PhoneChallenge> {
        let path = method_path(verification_id, "phone/resend")?;
        self.send(Method::POST, &path, Some(&serde_json::json!({})), Some(token)).await
    }

    pub async fn confirm_sms_code(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        code: &Sensitive<String>,
    ) -> AppResult<VerificationResult> {
        let path = method_path(verification_id, "phone/confirm")?;
        let body = SmsCodeRequest { code: code.clone() };
        self.send(Method::POST, &path, Some(&body), Some(token)).await
    }

    pub async fn start_alipay(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
    ) -> AppResult<AlipayStart> {
        let path = method_path(verification_id, "alipay")?;
        self.send(Method::POST, &path, Some(&serde_json::json!({})), Some(token)).await
    }

    pub async fn alipay_status(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        session_id: &str,
    ) -> AppResult<AlipayStatus> {
        let path = method_path(verification_id, &format!("alipay/{}", path_segment(session_id)?))?;
        self.send(Method::GET, &path, None::<&()>, Some(token)).await
    }

    pub async fn cancel_alipay(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        session_id: &str,
    ) -> AppResult<AlipayStatus> {
        let path =
            method_path(verification_id, &format!("alipay/{}/cancel", path_segment(session_id)?))?;
        self.send(Method::POST, &path, Some(&serde_json::json!({})), Some(token)).await
    }

    /// The address of a page the platform serves (e.g. the Alipay authorization page), from a
    /// path it handed out. Only a path on this platform is accepted.
    pub fn page_url(&self, path: &str) -> AppResult<reqwest::Url> {
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(AppError::new(ErrorCode::ProtocolError, "platform sent a non-local path"));
        }
        reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| AppError::new(ErrorCode::ProtocolError, format!("page url: {e}")))
    }

    pub async fn attempt_history(&self, token: &Sensitive<String>) -> AppResult<AttemptHistory> {
        self.send(Method::GET, "/api/v1/real-name/attempts", None::<&()>, Some(token)).await
    }

    /// Starts a resumable upload for `method` (`manual`: one ID photo; `face`: the clip), or finds
    /// the unfinished one with the same SHA-256 (and kind): the platform answers where it stands.
    pub async fn create_upload<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        method: &str,
        request: &B,
    ) -> AppResult<T> {
        let path = method_path(verification_id, &format!("{method}/uploads"))?;
        self.send(Method::POST, &path, Some(request), Some(token)).await
    }

    /// Where an upload stands (`received`): asked after a network drop before sending on.
    pub async fn upload_status<T: DeserializeOwned>(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        method: &str,
        upload_id: &str,
    ) -> AppResult<T> {
        let path = upload_path(verification_id, method, upload_id)?;
        self.send(Method::GET, &path, None::<&()>, Some(token)).await
    }

    /// Sends bytes `start..start + chunk.len()` of a `total`-byte upload.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_upload_chunk<T: DeserializeOwned>(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        method: &str,
        upload_id: &str,
        start: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> AppResult<T> {
        let path = upload_path(verification_id, method, upload_id)?;
        let range = content_range(start, chunk.len() as u64, total).ok_or_else(|| {
            AppError::new(ErrorCode::Internal, "empty or out-of-range upload chunk")
        })?;
        self.send_bytes(Method::PUT, &path, chunk, &range, token).await
    }

    /// Hands the uploaded photos to the reviewers.
    pub async fn submit_manual_review(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
    ) -> AppResult<ManualReviewStatus> {
        let path = method_path(verification_id, "manual/submit")?;
        self.send(Method::POST, &path, Some(&serde_json::json!({})), Some(token)).await
    }

    /// A face-recognition challenge (the digits to read aloud) for this verification.
    pub async fn face_challenge(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        request: &FaceChallengeRequest,
    ) -> AppResult<FaceChallenge> {
        let path = method_path(verification_id, "face/challenge")?;
        self.send(Method::POST, &path, Some(request), Some(token)).await
    }

    /// Hands the uploaded clip and the challenge it answers to the platform's analysis.
    pub async fn submit_face(
        &self,
        token: &Sensitive<String>,
        verification_id: &str,
        request: &FaceSubmitRequest,
    ) -> AppResult<VerificationResult> {
        let path = method_path(verification_id, "face/submit")?;
        self.send(Method::POST, &path, Some(request), Some(token)).await
    }

    /// The user's latest manual review; `None` when there has been none.
    pub async fn manual_review_status(
        &self,
        token: &Sensitive<String>,
    ) -> AppResult<Option<ManualReviewStatus>> {
        let path = "/api/v1/real-name/manual/status";
        match self.send(Method::GET, path, None::<&()>, Some(token)).await {
            Ok(status) => Ok(Some(status)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The user's signatures on the platform.
    pub async fn signatures(&self, token: &Sensitive<String>) -> AppResult<SignatureList> {
        self.send(Method::GET, "/api/v1/signatures", None::<&()>, Some(token)).await
    }

    /// Creates the signature `id` (or finds it there already: the id is the idempotency key).
    pub async fn put_signature(
        &self,
        token: &Sensitive<String>,
        id: &str,
        upload: &SignatureUpload,
    ) -> AppResult<SignatureInfo> {
        self.send(Method::PUT, &signature_path(id, "")?, Some(upload), Some(token)).await
    }

    pub async fn rename_signature(
        &self,
        token: &Sensitive<String>,
        id: &str,
        name: &str,
    ) -> AppResult<SignatureInfo> {
        let body = SignatureRename { name: name.to_string() };
        self.send(Method::PATCH, &signature_path(id, "")?, Some(&body), Some(token)).await
    }

    /// Deletes the signature `id`; deleting one already deleted succeeds too.
    pub async fn delete_signature(&self, token: &Sensitive<String>, id: &str) -> AppResult<()> {
        self.send_empty(Method::DELETE, &signature_path(id, "")?, Some(token)).await
    }

    pub async fn set_default_signature(
        &self,
        token: &Sensitive<String>,
        id: Option<&str>,
    ) -> AppResult<SignatureList> {
        let body = signet_domain::api::DefaultSignature { signature_id: id.map(str::to_string) };
        self.send(Method::PUT, "/api/v1/signatures/default", Some(&body), Some(token)).await
    }

    /// The PNG of the signature `id`.
    pub async fn signature_png(&self, token: &Sensitive<String>, id: &str) -> AppResult<Vec<u8>> {
        let path = signature_path(id, "/image")?;
        let response = self.request(Method::GET, &path, None::<&()>, Some(token)).await?;
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        Ok(bytes.to_vec())
    }

    /// The SVG of the drawn signature `id`.
    pub async fn signature_svg(&self, token: &Sensitive<String>, id: &str) -> AppResult<String> {
        let path = signature_path(id, "/svg")?;
        let response = self.request(Method::GET, &path, None::<&()>, Some(token)).await?;
        response.text().await.map_err(|e| transport_error(&e))
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        bearer: Option<&Sensitive<String>>,
    ) -> AppResult<T> {
        let response = self.request(method, path, body, bearer).await?;
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            AppError::new(ErrorCode::ProtocolError, format!("{path}: unexpected answer: {e}"))
        })
    }

    /// Like [`Self::send`], with raw bytes as the body (`application/octet-stream`) and their
    /// place in the whole as `Content-Range`.
    async fn send_bytes<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        bytes: Vec<u8>,
        content_range: &str,
        bearer: &Sensitive<String>,
    ) -> AppResult<T> {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(APP_VERSION_HEADER, crate::app_version())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::CONTENT_RANGE, content_range)
            .bearer_auth(bearer.expose())
            .body(bytes);
        let response = execute(request).await?;
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            AppError::new(ErrorCode::ProtocolError, format!("{path}: unexpected answer: {e}"))
        })
    }

    async fn send_empty(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&Sensitive<String>>,
    ) -> AppResult<()> {
        self.request(method, path, None::<&()>, bearer).await.map(drop)
    }

    async fn request<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        bearer: Option<&Sensitive<String>>,
    ) -> AppResult<reqwest::Response> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(APP_VERSION_HEADER, crate::app_version());
        if let Some(token) = bearer {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        execute(request).await
    }
}

/// Sends a request; a non-success answer becomes the platform's error.
async fn execute(request: reqwest::RequestBuilder) -> AppResult<reqwest::Response> {
    let response = request.send().await.map_err(|e| transport_error(&e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
    Err(error_from_response(status, &bytes))
}

/// `Content-Range: bytes START-END/TOTAL` for `len` bytes from `start` (END is inclusive);
/// `None` for an empty chunk or one reaching past `total`.
pub fn content_range(start: u64, len: u64, total: u64) -> Option<String> {
    let end = start.checked_add(len)?.checked_sub(1)?;
    (len > 0 && end < total).then(|| format!("bytes {start}-{end}/{total}"))
}

/// `/api/v1/real-name/{verification_id}/{method}/uploads/{upload_id}`.
fn upload_path(verification_id: &str, method: &str, upload_id: &str) -> AppResult<String> {
    let upload_id = path_segment(upload_id)
        .map_err(|_| AppError::new(ErrorCode::ProtocolError, "platform sent an odd upload id"))?;
    method_path(verification_id, &format!("{method}/uploads/{upload_id}"))
}

/// `/api/v1/signatures/{id}{tail}`.
fn signature_path(id: &str, tail: &str) -> AppResult<String> {
    if !signet_domain::api::is_signature_id(id) {
        return Err(AppError::invalid_input("signature_id", "invalid_characters"));
    }
    Ok(format!("/api/v1/signatures/{id}{tail}"))
}

/// `/api/v1/real-name/{verification_id}/{tail}`: a method endpoint of one verification.
fn method_path(verification_id: &str, tail: &str) -> AppResult<String> {
    Ok(format!("/api/v1/real-name/{}/{tail}", path_segment(verification_id)?))
}

/// An id that goes into a URL path: only the characters the platform's ids are made of.
fn path_segment(id: &str) -> AppResult<&str> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(AppError::invalid_input("verification_id", "invalid_characters"))
    }
}

/// The platform's own error body when there is one; otherwise a code chosen by status.
fn error_from_response(status: StatusCode, bytes: &[u8]) -> AppError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => AppError(body),
        Err(_) if status == StatusCode::BAD_GATEWAY || status == StatusCode::GATEWAY_TIMEOUT => {
            AppError::new(ErrorCode::ServerUnreachable, format!("gateway answered {status}"))
        }
        Err(_) => AppError::new(ErrorCode::ProtocolError, format!("platform answered {status}")),
    }
}

/// Sorts a transport failure into "TLS failed" or "nobody answered".
fn transport_error(err: &reqwest::Error) -> AppError {
    if caused_by_tls(err) {
        return AppError::new(ErrorCode::TlsFailure, format!("TLS: {err:?}"));
    }
    if err.is_decode() {
        return AppError::new(ErrorCode::ProtocolError, format!("undecodable answer: {err}"));
    }
    AppError::new(ErrorCode::ServerUnreachable, format!("platform unreachable: {err}"))
}

/// Whether a rustls error lies anywhere in the chain. `io::Error::source()` skips the error it
/// wraps (and hyper nests io errors), so io errors are opened with `get_ref` as well.
fn caused_by_tls(err: &(dyn std::error::Error + 'static)) -> bool {
    if err.is::<rustls::Error>() {
        return true;
    }
    let wrapped = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .is_some_and(|inner| caused_by_tls(inner));
    wrapped || err.source().is_some_and(caused_by_tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_normalised_and_checked() {
        assert_eq!(
            normalize_server_url(" http://127.0.0.1:8787/ ").ok().as_deref(),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(
            normalize_server_url("ftp://x").map_err(|e| e.code()),
            Err(ErrorCode::InvalidInput)
        );
        assert_eq!(
            normalize_server_url("not a url").map_err(|e| e.code()),
            Err(ErrorCode::InvalidInput)
        );
        assert_eq!(
            normalize_server_url("https://p.example/api").map_err(|e| e.code()),
            Err(ErrorCode::InvalidInput)
        );
    }

    #[test]
    fn content_range_names_inclusive_ends() {
        assert_eq!(content_range(0, 262_144, 600_000).as_deref(), Some("bytes 0-262143/600000"));
        assert_eq!(
            content_range(524_288, 75_712, 600_000).as_deref(),
            Some("bytes 524288-599999/600000")
        );
        assert_eq!(content_range(0, 1, 1).as_deref(), Some("bytes 0-0/1"));
        assert_eq!(content_range(0, 0, 10), None);
        assert_eq!(content_range(5, 6, 10), None);
        assert_eq!(content_range(u64::MAX, 2, 10), None);
    }

    #[test]
    fn keyring_host_keeps_the_port() {
        assert_eq!(server_host("http://127.0.0.1:8787"), "127.0.0.1:8787");
        assert_eq!(server_host("https://signet.campus.example"), "signet.campus.example");
    }
}
