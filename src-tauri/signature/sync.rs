//! Bringing the platform and this machine together: the outbox is sent in order, then the
//! platform's list is taken in (signatures made or deleted on another device).
//!
//! An outbox entry leaves the table only after the platform answered it. When the platform
//! cannot be reached, the entry waits with a growing delay (2 s, 4 s, … up to a minute) and
//! nothing after it is sent, so the platform sees the changes in the order they were made. When
//! the platform refuses an entry for good (say `real_name_required`), the entry is kept with
//! the refusal for the user to see, and the next ones go on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use signet_domain::api::{SignatureInfo, SignatureKind, SignatureUpload};
use signet_domain::ErrorCode;
use tokio::sync::{Mutex, Notify};

use super::cache::{CachedSignature, Operation, Owner, Pending, SignatureCache};
use super::now;
use crate::error::{AppError, AppResult};
use crate::session::Session;

/// Longest wait between two attempts of an entry.
const MAX_BACKOFF_SECS: i64 = 60;

/// What one pass achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// Entries the platform confirmed.
    pub sent: usize,
    /// Entries refused for good in this pass.
    pub refused: usize,
    /// The pass stopped because the platform could not be reached or asked to wait.
    pub interrupted: bool,
    /// Signatures taken from or removed after the platform's list.
    pub pulled: usize,
}

/// One sync at a time, woken by changes, by the platform coming back and by a slow timer.
pub struct SignatureSync {
    running: Mutex<()>,
    syncing: AtomicBool,
    /// The platform came back: entries waiting out a delay go at the next pass.
    back: AtomicBool,
    wake: Notify,
    changed: Box<dyn Fn() + Send + Sync>,
}

impl SignatureSync {
    /// `changed` is called whenever what the signature page shows may have changed.
    pub fn new(changed: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            running: Mutex::new(()),
            syncing: AtomicBool::new(false),
            back: AtomicBool::new(false),
            wake: Notify::new(),
            changed: Box::new(changed),
        }
    }

    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::SeqCst)
    }

    /// Asks the background loop for a pass soon.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The platform is reachable again: what waited goes now.
    pub fn platform_is_back(&self) {
        self.back.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    pub fn changed(&self) {
        (self.changed)();
    }

    /// Runs forever: a pass when woken, and every `every` while signed in.
    pub async fn run(&self, session: &Session, cache: &SignatureCache, every: Duration) {
        loop {
            let _ = tokio::time::timeout(every, self.wake.notified()).await;
            if !session.has_user().await {
                continue;
            }
            if let Err(e) = self.pass(session, cache).await {
                tracing::warn!("signature sync: {e}");
            }
        }
    }

    /// Sends what is due, then takes in the platform's list when nothing waits.
    pub async fn pass(&self, session: &Session, cache: &SignatureCache) -> AppResult<SyncReport> {
        let _one = self.running.lock().await;
        let owner = super::owner(session).await?;
        if self.back.swap(false, Ordering::SeqCst) {
            cache.retry_all(&owner, false).await?;
        }
        let outbox = cache.outbox(&owner).await?;
        let due = outbox.iter().any(|p| p.failure.is_none() && p.next_attempt_at <= now());
        let waiting = outbox.iter().any(|p| p.failure.is_none());
        if waiting && !due {
            return Ok(SyncReport { interrupted: true, ..SyncReport::default() });
        }
        self.syncing.store(true, Ordering::SeqCst);
        self.changed();
        let result = self.send_and_pull(session, cache, &owner).await;
        self.syncing.store(false, Ordering::SeqCst);
        self.changed();
        result
    }

    async fn send_and_pull(
        &self,
        session: &Session,
        cache: &SignatureCache,
        owner: &Owner,
    ) -> AppResult<SyncReport> {
        let mut report = SyncReport::default();
        for pending in cache.outbox(owner).await? {
            if pending.failure.is_some() {
                continue;
            }
            match send(session, cache, owner, &pending).await {
                Ok(()) => {
                    cache.complete(pending.seq).await?;
                    report.sent += 1;
                }
                Err(e) if is_transient(&e) => {
                    let delay = (2_i64 << pending.attempts.clamp(0, 5)).min(MAX_BACKOFF_SECS);
                    cache.postpone(pending.seq, now() + delay).await?;
                    tracing::info!(seq = pending.seq, "signature sync waits: {e}");
                    report.interrupted = true;
                    return Ok(report);
                }
                Err(e) if e.ends_session() || e.code() == ErrorCode::NotSignedIn => {
                    report.interrupted = true;
                    return Ok(report);
                }
                Err(e) => {
                    tracing::warn!(
                        seq = pending.seq,
                        "the platform refused a signature change: {e}"
                    );
                    cache.fail(pending.seq, &e.0).await?;
                    report.refused += 1;
                }
            }
        }
        let left = cache.outbox(owner).await?;
        if left.iter().all(|p| p.failure.is_some()) {
            report.pulled = pull(session, cache, owner, &left).await?;
        }
        Ok(report)
    }
}

/// Worth another try later: the platform was away, busy, or asked to slow down.
fn is_transient(e: &AppError) -> bool {
    e.is_offline()
        || matches!(
            e.code(),
            ErrorCode::Internal | ErrorCode::RateLimited | ErrorCode::ProtocolError
        )
}

async fn send(
    session: &Session,
    cache: &SignatureCache,
    owner: &Owner,
    pending: &Pending,
) -> AppResult<()> {
    let id = pending.target.clone();
    match &pending.operation {
        Operation::SignatureCreate { name } => {
            let Some(signature) = cache.get(owner, &id).await? else {
                // Deleted here before it was sent; the delete that followed settles it.
                return Ok(());
            };
            let upload = SignatureUpload {
                name: name.clone(),
                kind: signature.kind,
                png_base64: base64::engine::general_purpose::STANDARD.encode(&signature.png),
                svg: signature.svg.clone(),
            };
            let info = session
                .authorized(|client, token| {
                    let (id, upload) = (id.clone(), upload.clone());
                    async move { client.put_signature(&token, &id, &upload).await }
                })
                .await?;
            if info.png_sha256 != signature.png_sha256 {
                tracing::warn!(id = %id, "the platform keeps another image under this id");
            }
            cache.mark_on_platform(owner, &id).await
        }
        Operation::SignatureRename { name } => {
            let name = name.clone();
            session
                .authorized(|client, token| {
                    let (id, name) = (id.clone(), name.clone());
                    async move { client.rename_signature(&token, &id, &name).await }
                })
                .await
                .map(drop)
        }
        Operation::SignatureDefault => {
            let target = (!id.is_empty()).then_some(id);
            session
                .authorized(|client, token| {
                    let target = target.clone();
                    async move { client.set_default_signature(&token, target.as_deref()).await }
                })
                .await
                .map(drop)
        }
        Operation::SignatureDelete => {
            let deleted = session
                .authorized(|client, token| {
                    let id = id.clone();
                    async move { client.delete_signature(&token, &id).await }
                })
                .await;
            match deleted {
                // Never reached the platform (its create was dropped or refused): nothing to do.
                Err(e) if e.code() == ErrorCode::NotFound => Ok(()),
                other => other,
            }
        }
    }
}

/// Takes in the platform's list: new signatures are fetched, ones deleted elsewhere are removed
/// here, names and the default follow the platform. Called only when nothing waits to be sent;
/// signatures that a refused entry is about (`held`) are left as they are here.
async fn pull(
    session: &Session,
    cache: &SignatureCache,
    owner: &Owner,
    held: &[Pending],
) -> AppResult<usize> {
    let list =
        session.authorized(|client, token| async move { client.signatures(&token).await }).await?;
    let is_held = |id: &str| held.iter().any(|p| p.target == id);
    let mut changed = 0;
    let local = cache.list(owner).await?;
    for info in list.signatures.iter().filter(|info| !is_held(&info.id)) {
        match local.iter().find(|s| s.id == info.id) {
            Some(here) if here.png_sha256 == info.png_sha256 => {
                if !here.on_platform {
                    cache.mark_on_platform(owner, &info.id).await?;
                }
                if here.name != info.name {
                    cache.take_platform_name(owner, &info.id, &info.name).await?;
                    changed += 1;
                }
            }
            _ => {
                let fetched = fetch(session, info).await?;
                cache.adopt(owner, &fetched).await?;
                changed += 1;
            }
        }
    }
    for here in local.iter().filter(|s| !is_held(&s.id)) {
        if here.on_platform && !list.signatures.iter().any(|info| info.id == here.id) {
            cache.forget(owner, &here.id).await?;
            changed += 1;
        }
    }
    let default_held = held.iter().any(|p| p.operation == Operation::SignatureDefault);
    if !default_held && cache.default_id(owner).await? != list.default_id {
        cache.take_platform_default(owner, list.default_id.as_deref()).await?;
        changed += 1;
    }
    Ok(changed)
}

async fn fetch(session: &Session, info: &SignatureInfo) -> AppResult<CachedSignature> {
    let id = info.id.clone();
    let png = session
        .authorized(|client, token| {
            let id = id.clone();
            async move { client.signature_png(&token, &id).await }
        })
        .await?;
    let svg = match info.kind {
        SignatureKind::Drawn => Some(
            session
                .authorized(|client, token| {
                    let id = id.clone();
                    async move { client.signature_svg(&token, &id).await }
                })
                .await?,
        ),
        SignatureKind::Uploaded => None,
    };
    let png_sha256 = crate::manual_review::sha256_hex(&png);
    if png_sha256 != info.png_sha256 {
        return Err(AppError::new(
            ErrorCode::ProtocolError,
            "signature image does not match its hash",
        ));
    }
    Ok(CachedSignature {
        id: info.id.clone(),
        name: info.name.clone(),
        kind: info.kind,
        png,
        svg,
        width: info.width,
        height: info.height,
        png_sha256,
        created_at: info.created_at,
        on_platform: true,
    })
}

/// Shared by the app's state and the tests.
pub type SharedSync = Arc<SignatureSync>;
