//! Resumable uploads to the platform (manual-review photos, the face-recognition clip): the
//! platform keeps what it received, keyed by verification, what the upload is and its SHA-256.
//! When the platform cannot be reached mid-upload the app waits (0.5 s, 1 s, 2 s, …, about 30 s
//! in all), asks how many bytes arrived and sends on from there.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use signet_domain::api::{
    FaceUpload, FaceUploadRequest, ManualPhotoKind, ManualUpload, ManualUploadRequest,
    MANUAL_UPLOAD_CHUNK_BYTES, MANUAL_UPLOAD_MAX_CHUNK_BYTES,
};
use signet_domain::{ErrorCode, Sensitive};

use crate::error::{AppError, AppResult};
use crate::platform::PlatformClient;
use crate::session::Session;

/// How long one network drop may last before the upload gives up (waits in between sum to it).
pub const RETRY_BUDGET: Duration = Duration::from_secs(30);
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(500);
/// Consecutive `conflict` answers (someone else moved the upload on) tolerated without progress.
const MAX_STALLS: u32 = 5;

/// Waits between tries while the platform cannot be reached: 0.5 s, 1 s, 2 s, … until
/// [`RETRY_BUDGET`] is spent; reset when a call gets through.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    spent: Duration,
    budget: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(RETRY_BUDGET)
    }
}

impl Backoff {
    pub fn new(budget: Duration) -> Self {
        Self { next: FIRST_RETRY_DELAY, spent: Duration::ZERO, budget }
    }

    /// The next wait; `None` once the budget is spent.
    pub fn next_delay(&mut self) -> Option<Duration> {
        let left = self.budget.checked_sub(self.spent).filter(|left| !left.is_zero())?;
        let delay = self.next.min(left);
        self.spent += delay;
        self.next = self.next.saturating_mul(2);
        Some(delay)
    }

    pub fn reset(&mut self) {
        self.next = FIRST_RETRY_DELAY;
        self.spent = Duration::ZERO;
    }
}

pub fn is_transient(error: &AppError) -> bool {
    error.code() == ErrorCode::ServerUnreachable
}

/// Runs `op` until it gets through, waiting per `backoff` while the platform is unreachable.
pub async fn retrying<T, F, Fut>(backoff: &mut Backoff, mut op: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    loop {
        match op().await {
            Err(e) if is_transient(&e) => match backoff.next_delay() {
                Some(delay) => {
                    tracing::info!(?delay, "platform unreachable; trying again");
                    tokio::time::sleep(delay).await;
                }
                None => return Err(e),
            },
            Ok(value) => {
                backoff.reset();
                return Ok(value);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Lowercase hex SHA-256, as the platform checks a finished upload against.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `details.received` of a `conflict` answer to a chunk.
fn conflict_received(error: &AppError) -> Option<u64> {
    error.0.details.as_ref()?.get("received")?.as_u64()
}

/// What is uploaded, and where.
#[derive(Debug, Clone)]
pub enum UploadTarget {
    Manual { verification_id: String, kind: ManualPhotoKind },
    Face { verification_id: String },
}

/// Where an upload stands, whatever it uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadState {
    pub upload_id: String,
    pub received: u64,
    pub size: u64,
    pub chunk_size: u64,
    pub complete: bool,
}

impl From<ManualUpload> for UploadState {
    fn from(u: ManualUpload) -> Self {
        Self {
            upload_id: u.upload_id,
            received: u.received,
            size: u.size,
            chunk_size: u.chunk_size,
            complete: u.complete,
        }
    }
}

impl From<FaceUpload> for UploadState {
    fn from(u: FaceUpload) -> Self {
        Self {
            upload_id: u.upload_id,
            received: u.received,
            size: u.size,
            chunk_size: u.chunk_size,
            complete: u.complete,
        }
    }
}

impl UploadTarget {
    fn verification_id(&self) -> &str {
        match self {
            Self::Manual { verification_id, .. } | Self::Face { verification_id } => {
                verification_id
            }
        }
    }

    /// The method's segment of the upload paths.
    fn method(&self) -> &'static str {
        match self {
            Self::Manual { .. } => "manual",
            Self::Face { .. } => "face",
        }
    }

    async fn create(
        &self,
        client: PlatformClient,
        token: Sensitive<String>,
        size: u64,
        sha256: String,
    ) -> AppResult<UploadState> {
        let (id, method) = (self.verification_id(), self.method());
        match self {
            Self::Manual { kind, .. } => {
                let request = ManualUploadRequest { kind: *kind, size, sha256 };
                client
                    .create_upload::<_, ManualUpload>(&token, id, method, &request)
                    .await
                    .map(Into::into)
            }
            Self::Face { .. } => {
                let request = FaceUploadRequest { size, sha256 };
                client
                    .create_upload::<_, FaceUpload>(&token, id, method, &request)
                    .await
                    .map(Into::into)
            }
        }
    }

    async fn fetch(
        &self,
        client: PlatformClient,
        token: Sensitive<String>,
        upload_id: &str,
    ) -> AppResult<UploadState> {
        let (id, method) = (self.verification_id(), self.method());
        match self {
            Self::Manual { .. } => client
                .upload_status::<ManualUpload>(&token, id, method, upload_id)
                .await
                .map(Into::into),
            Self::Face { .. } => client
                .upload_status::<FaceUpload>(&token, id, method, upload_id)
                .await
                .map(Into::into),
        }
    }

    async fn put(
        &self,
        client: PlatformClient,
        token: Sensitive<String>,
        upload_id: &str,
        start: u64,
        total: u64,
        body: Vec<u8>,
    ) -> AppResult<UploadState> {
        let (id, method) = (self.verification_id(), self.method());
        match self {
            Self::Manual { .. } => client
                .put_upload_chunk::<ManualUpload>(&token, id, method, upload_id, start, total, body)
                .await
                .map(Into::into),
            Self::Face { .. } => client
                .put_upload_chunk::<FaceUpload>(&token, id, method, upload_id, start, total, body)
                .await
                .map(Into::into),
        }
    }
}

/// Uploads `bytes`, resuming where the platform stands; `report(sent)` after each step. Returns
/// the upload's id once the platform has all of it.
pub async fn upload_resumable(
    session: &Session,
    target: &UploadTarget,
    bytes: Arc<Vec<u8>>,
    report: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<String> {
    let size = bytes.len() as u64;
    let sha256 = sha256_hex(&bytes);
    let mut backoff = Backoff::default();
    let mut upload = retrying(&mut backoff, || {
        session.authorized(|client, token| {
            let sha256 = sha256.clone();
            async move { target.create(client, token, size, sha256).await }
        })
    })
    .await?;
    let upload_id = upload.upload_id.clone();
    let fetch = || {
        session.authorized(|client, token| {
            let id = upload_id.clone();
            async move { target.fetch(client, token, &id).await }
        })
    };
    let mut stalls = 0;
    let mut restarted = false;
    loop {
        report(upload.received);
        if upload.complete {
            return Ok(upload_id);
        }
        if upload.received >= size || upload.size != size {
            return Err(AppError::new(
                ErrorCode::ProtocolError,
                format!("upload {upload_id}: {} of {} bytes, not complete", upload.received, size),
            ));
        }
        let start = upload.received;
        let chunk = match upload.chunk_size {
            0 => MANUAL_UPLOAD_CHUNK_BYTES,
            n => n.min(MANUAL_UPLOAD_MAX_CHUNK_BYTES),
        };
        let end = start.saturating_add(chunk).min(size);
        let (from, to) = (start as usize, end as usize);
        let sent = session
            .authorized(|client, token| {
                let id = upload_id.clone();
                let body = bytes[from..to].to_vec();
                async move { target.put(client, token, &id, start, size, body).await }
            })
            .await;
        match sent {
            Ok(next) => {
                backoff.reset();
                stalls = 0;
                upload = next;
            }
            // The chunk may or may not have arrived: wait, then ask where the upload stands.
            Err(e) if is_transient(&e) => {
                let delay = backoff.next_delay().ok_or(e)?;
                tokio::time::sleep(delay).await;
                upload = retrying(&mut backoff, fetch).await?;
            }
            Err(e) if e.code() == ErrorCode::Conflict && stalls < MAX_STALLS => {
                stalls += 1;
                match conflict_received(&e) {
                    Some(received) => upload.received = received,
                    None => upload = retrying(&mut backoff, fetch).await?,
                }
            }
            // The bytes did not add up to the declared hash; the platform starts over (once).
            Err(e) if e.code() == ErrorCode::ChecksumMismatch && !restarted => {
                restarted = true;
                tracing::warn!(?target, "checksum mismatch; uploading again");
                upload.received = 0;
            }
            Err(e) => return Err(e),
        }
    }
}
