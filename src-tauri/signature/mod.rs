//! Signature maintenance (签名维护) as the app runs it.
//!
//! - A drawing from the pad is checked and rendered here ([`signet_domain::signature::render`]):
//!   the preview the user sees is the very PNG that is saved.
//! - An uploaded photo is decoded once ([`signet_imaging::load_signature_photo`]) and cleaned
//!   again for every threshold the user tries; drafts live in memory only.
//! - Saved signatures go to the local store first (they show offline), and every change that
//!   must reach the platform goes through the outbox ([`cache::Operation`]), which
//!   [`sync::SignatureSync`] sends in order. The app makes each signature's id itself, and that id
//!   is the create's idempotency key: a retry after a lost answer or a killed app finds the
//!   platform's copy instead of making a second one.

pub mod cache;
pub mod sync;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use signet_domain::api::{
    check_text, RealNameStatus, SignatureKind, MAX_SIGNATURES, MAX_SIGNATURE_NAME_CHARS,
};
use signet_domain::signature::{Drawing, DrawingProblem, RENDER_SCALE};
use signet_domain::{ErrorBody, ErrorCode};
use signet_imaging::{
    CleanupOptions, InkMode, SignatureImageError, SignaturePhotoLimits, SignatureSource,
};
use tokio::sync::Mutex;

use self::cache::{CachedSignature, Operation, Owner, SignatureCache};
use self::sync::SignatureSync;
use crate::error::{AppError, AppResult};
use crate::session::Session;

/// Drafts kept at once; starting another drops the oldest.
const MAX_DRAFTS: usize = 4;
/// Long side of the original photo shown beside the cleaned result, in pixels.
const ORIGINAL_PREVIEW_SIDE: u32 = 1200;

pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A new signature id: 128 random bits as 32 lowercase hex digits.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Whether the platform will take the user's signatures: real-name status verified, as last
/// fetched (the platform checks again).
async fn is_verified(session: &Session) -> AppResult<bool> {
    Ok(session
        .cached_profile()
        .await?
        .is_some_and(|p| p.real_name_status == RealNameStatus::Verified))
}

pub(crate) async fn owner(session: &Session) -> AppResult<Owner> {
    let (server, user_id) = session.owner().await?;
    Ok(Owner { server, user_id })
}

/// What the signature page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureBoard {
    pub signatures: Vec<SignatureItem>,
    pub default_id: Option<String>,
    pub sync: SyncStatus,
    /// Whether the platform will take new signatures (real-name status verified).
    pub can_save: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureItem {
    pub id: String,
    pub name: String,
    pub kind: SignatureKind,
    pub width: u32,
    pub height: u32,
    pub is_default: bool,
    /// The PNG as a `data:` URL.
    pub thumbnail: String,
    pub sync: ItemSync,
    pub sync_error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemSync {
    Synced,
    Pending,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Changes not yet confirmed by the platform (refused ones included).
    pub pending: usize,
    /// The first refusal, when there is one.
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Synced,
    Pending,
    Syncing,
    Offline,
    Failed,
}

/// A rendered drawing or a cleaned photo, waiting to be named and saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureDraft {
    pub draft_id: String,
    pub width: u32,
    pub height: u32,
    /// The PNG that saving stores, as a `data:` URL.
    pub preview: String,
    /// Photos only: the threshold used, and the one chosen automatically.
    pub threshold: Option<u8>,
    pub auto_threshold: Option<u8>,
    /// Photos only: the oriented original, downscaled, as a `data:` URL.
    pub original: Option<String>,
}

/// How the user wants an uploaded photo cleaned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PhotoSettings {
    /// `None`: automatic.
    pub threshold: Option<u8>,
    pub ink: InkMode,
}

struct Rendered {
    png: Vec<u8>,
    svg: Option<String>,
    width: u32,
    height: u32,
}

enum DraftBody {
    Drawn(Rendered),
    Photo { source: Arc<SignatureSource>, auto_threshold: u8, cleaned: Option<Rendered> },
}

struct Draft {
    id: String,
    user_id: String,
    body: DraftBody,
}

/// The signature service: the cache, the drafts and the sync.
pub struct Signatures {
    cache: SignatureCache,
    drafts: Mutex<VecDeque<Draft>>,
    sync: Arc<SignatureSync>,
}

fn png_data_url(png: &[u8]) -> String {
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png))
}

fn drawing_refused(problem: &DrawingProblem) -> AppError {
    AppError::new(ErrorCode::InvalidSignature, format!("drawing refused: {problem:?}"))
        .with_details(serde_json::to_value(problem).unwrap_or_default())
}

fn image_refused(problem: &SignatureImageError) -> AppError {
    AppError::new(ErrorCode::InvalidSignature, format!("image refused: {problem}"))
        .with_details(serde_json::to_value(problem).unwrap_or_default())
}

fn draft_gone() -> AppError {
    AppError::new(ErrorCode::NotFound, "no such signature draft")
        .with_details(serde_json::json!({ "field": "draft_id" }))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("image work stopped: {e}")))
}

impl Signatures {
    pub fn new(cache: SignatureCache, sync: Arc<SignatureSync>) -> Self {
        Self { cache, drafts: Mutex::new(VecDeque::new()), sync }
    }

    pub fn cache(&self) -> &SignatureCache {
        &self.cache
    }

    pub fn sync(&self) -> &Arc<SignatureSync> {
        &self.sync
    }

    /// The signed-in user's signatures with their sync state.
    pub async fn board(&self, session: &Session) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        let signatures = self.cache.list(&owner).await?;
        let outbox = self.cache.outbox(&owner).await?;
        let default_id = self.cache.default_id(&owner).await?;
        let items = signatures
            .iter()
            .map(|s| {
                let entries: Vec<_> = outbox.iter().filter(|p| p.target == s.id).collect();
                let failure = entries.iter().find_map(|p| p.failure.clone());
                let sync = if failure.is_some() {
                    ItemSync::Failed
                } else if entries.is_empty() && s.on_platform {
                    ItemSync::Synced
                } else {
                    ItemSync::Pending
                };
                SignatureItem {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    kind: s.kind,
                    width: s.width,
                    height: s.height,
                    is_default: default_id.as_deref() == Some(s.id.as_str()),
                    thumbnail: png_data_url(&s.png),
                    sync,
                    sync_error: failure,
                }
            })
            .collect();
        let error = outbox.iter().find_map(|p| p.failure.clone());
        let state = if self.sync.is_syncing() {
            SyncState::Syncing
        } else if error.is_some() {
            SyncState::Failed
        } else if outbox.is_empty() {
            SyncState::Synced
        } else if !session.is_online() {
            SyncState::Offline
        } else {
            SyncState::Pending
        };
        Ok(SignatureBoard {
            signatures: items,
            default_id,
            sync: SyncStatus { state, pending: outbox.len(), error },
            can_save: is_verified(session).await?,
        })
    }

    async fn keep_draft(&self, session: &Session, body: DraftBody) -> AppResult<String> {
        let user_id = session.user_id().await?;
        let id = new_id();
        let mut drafts = self.drafts.lock().await;
        drafts.retain(|d| d.user_id == user_id);
        while drafts.len() >= MAX_DRAFTS {
            drafts.pop_front();
        }
        drafts.push_back(Draft { id: id.clone(), user_id, body });
        Ok(id)
    }

    /// Checks and renders a drawing from the pad; the result is kept as a draft.
    pub async fn render_drawing(
        &self,
        session: &Session,
        drawing: Drawing,
    ) -> AppResult<SignatureDraft> {
        session.user_id().await?;
        let rendered = blocking(move || signet_domain::signature::render(&drawing, RENDER_SCALE))
            .await?
            .map_err(|problem| drawing_refused(&problem))?;
        let draft = SignatureDraft {
            draft_id: String::new(),
            width: rendered.width,
            height: rendered.height,
            preview: png_data_url(&rendered.png),
            threshold: None,
            auto_threshold: None,
            original: None,
        };
        let body = DraftBody::Drawn(Rendered {
            png: rendered.png,
            svg: Some(rendered.svg),
            width: rendered.width,
            height: rendered.height,
        });
        let draft_id = self.keep_draft(session, body).await?;
        Ok(SignatureDraft { draft_id, ..draft })
    }

    /// Decodes and checks a picked file, and cleans it with the automatic threshold.
    pub async fn load_photo(&self, session: &Session, bytes: Vec<u8>) -> AppResult<SignatureDraft> {
        session.user_id().await?;
        let loaded = blocking(move || {
            let source =
                signet_imaging::load_signature_photo(&bytes, &SignaturePhotoLimits::default())?;
            let original = source.original_preview(ORIGINAL_PREVIEW_SIDE);
            Ok::<_, SignatureImageError>((source, original))
        })
        .await?;
        let (source, original) = loaded.map_err(|e| image_refused(&e))?;
        let auto_threshold = source.auto_threshold();
        let body = DraftBody::Photo { source: Arc::new(source), auto_threshold, cleaned: None };
        let draft_id = self.keep_draft(session, body).await?;
        let mut draft = self
            .clean_photo(session, &draft_id, PhotoSettings { threshold: None, ink: InkMode::Keep })
            .await?;
        draft.original = Some(format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&original)
        ));
        Ok(draft)
    }

    /// Cleans a loaded photo with the user's settings; the result replaces the draft's last one.
    pub async fn clean_photo(
        &self,
        session: &Session,
        draft_id: &str,
        settings: PhotoSettings,
    ) -> AppResult<SignatureDraft> {
        let user_id = session.user_id().await?;
        let (source, auto_threshold) = {
            let drafts = self.drafts.lock().await;
            match drafts.iter().find(|d| d.id == draft_id && d.user_id == user_id).map(|d| &d.body)
            {
                Some(DraftBody::Photo { source, auto_threshold, .. }) => {
                    (source.clone(), *auto_threshold)
                }
                _ => return Err(draft_gone()),
            }
        };
        let options = CleanupOptions { threshold: settings.threshold, ink: settings.ink };
        let cleaned =
            blocking(move || source.clean(&options)).await?.map_err(|e| image_refused(&e))?;
        let draft = SignatureDraft {
            draft_id: draft_id.to_string(),
            width: cleaned.width,
            height: cleaned.height,
            preview: png_data_url(&cleaned.png),
            threshold: Some(cleaned.threshold),
            auto_threshold: Some(auto_threshold),
            original: None,
        };
        let mut drafts = self.drafts.lock().await;
        if let Some(DraftBody::Photo { cleaned: kept, .. }) =
            drafts.iter_mut().find(|d| d.id == draft_id).map(|d| &mut d.body)
        {
            *kept = Some(Rendered {
                png: cleaned.png,
                svg: None,
                width: cleaned.width,
                height: cleaned.height,
            });
        }
        Ok(draft)
    }

    pub async fn discard_draft(&self, draft_id: &str) {
        self.drafts.lock().await.retain(|d| d.id != draft_id);
    }

    /// Empties the drafts (sign-out, session end).
    pub async fn clear_drafts(&self) {
        self.drafts.lock().await.clear();
    }

    /// Saves a draft as a new signature: into the local store at once, to the platform through
    /// the outbox. The first signature becomes the default.
    pub async fn save_draft(
        &self,
        session: &Session,
        draft_id: &str,
        name: &str,
    ) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        let name = name.trim();
        check_text(name, MAX_SIGNATURE_NAME_CHARS)
            .map_err(|problem| AppError::invalid_input("name", problem.as_str()))?;
        self.require_verified(session).await?;
        let existing = self.cache.list(&owner).await?;
        if existing.len() >= MAX_SIGNATURES {
            return Err(AppError::new(ErrorCode::SignatureLimit, "too many signatures")
                .with_details(serde_json::json!({ "max": MAX_SIGNATURES })));
        }
        let (kind, rendered) = {
            let mut drafts = self.drafts.lock().await;
            let index = drafts
                .iter()
                .position(|d| d.id == draft_id && d.user_id == owner.user_id)
                .ok_or_else(draft_gone)?;
            let kind = match &drafts[index].body {
                DraftBody::Drawn(_) => SignatureKind::Drawn,
                DraftBody::Photo { cleaned: None, .. } => return Err(draft_gone()),
                DraftBody::Photo { .. } => SignatureKind::Uploaded,
            };
            match drafts.remove(index).map(|d| d.body) {
                Some(DraftBody::Drawn(r)) | Some(DraftBody::Photo { cleaned: Some(r), .. }) => {
                    (kind, r)
                }
                _ => return Err(draft_gone()),
            }
        };
        let signature = CachedSignature {
            id: new_id(),
            name: name.to_string(),
            kind,
            png_sha256: crate::manual_review::sha256_hex(&rendered.png),
            png: rendered.png,
            svg: rendered.svg,
            width: rendered.width,
            height: rendered.height,
            created_at: now(),
            on_platform: false,
        };
        let first_default = self.cache.default_id(&owner).await?.is_none();
        let mut tx = self.cache.begin().await?;
        SignatureCache::insert(&mut tx, &owner, &signature).await?;
        let create = Operation::SignatureCreate { name: signature.name.clone() };
        SignatureCache::enqueue(&mut tx, &owner, &create, &signature.id, now()).await?;
        if first_default {
            SignatureCache::set_default(&mut tx, &owner, Some(&signature.id)).await?;
            let op = Operation::SignatureDefault;
            SignatureCache::enqueue(&mut tx, &owner, &op, &signature.id, now()).await?;
        }
        tx.commit().await?;
        tracing::info!(kind = kind.as_str(), "signature saved here, queued for the platform");
        self.after_change();
        self.board(session).await
    }

    pub async fn rename(
        &self,
        session: &Session,
        id: &str,
        name: &str,
    ) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        let name = name.trim();
        check_text(name, MAX_SIGNATURE_NAME_CHARS)
            .map_err(|problem| AppError::invalid_input("name", problem.as_str()))?;
        let mut tx = self.cache.begin().await?;
        if !SignatureCache::rename(&mut tx, &owner, id, name).await? {
            return Err(AppError::new(ErrorCode::NotFound, "no such signature"));
        }
        let rename = Operation::SignatureRename { name: name.to_string() };
        SignatureCache::enqueue(&mut tx, &owner, &rename, id, now()).await?;
        tx.commit().await?;
        self.after_change();
        self.board(session).await
    }

    pub async fn set_default(&self, session: &Session, id: &str) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        if self.cache.get(&owner, id).await?.is_none() {
            return Err(AppError::new(ErrorCode::NotFound, "no such signature"));
        }
        let mut tx = self.cache.begin().await?;
        SignatureCache::set_default(&mut tx, &owner, Some(id)).await?;
        SignatureCache::enqueue(&mut tx, &owner, &Operation::SignatureDefault, id, now()).await?;
        tx.commit().await?;
        self.after_change();
        self.board(session).await
    }

    /// Deletes here at once and on the platform through the outbox. Deleting the default
    /// leaves no default, as on the platform.
    pub async fn delete(&self, session: &Session, id: &str) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        let was_default = self.cache.default_id(&owner).await?.as_deref() == Some(id);
        let mut tx = self.cache.begin().await?;
        if !SignatureCache::remove(&mut tx, &owner, id).await? {
            return Err(AppError::new(ErrorCode::NotFound, "no such signature"));
        }
        SignatureCache::drop_entries_for(&mut tx, &owner, id).await?;
        SignatureCache::enqueue(&mut tx, &owner, &Operation::SignatureDelete, id, now()).await?;
        if was_default {
            SignatureCache::set_default(&mut tx, &owner, None).await?;
        }
        tx.commit().await?;
        self.after_change();
        self.board(session).await
    }

    /// Sends everything now, giving refused changes another try.
    pub async fn sync_now(&self, session: &Session) -> AppResult<SignatureBoard> {
        let owner = owner(session).await?;
        self.cache.retry_all(&owner, true).await?;
        self.sync.pass(session, &self.cache).await?;
        self.board(session).await
    }

    /// Before a sign-out that will drop the outbox (kiosk mode): one sync pass now, changes
    /// waiting out a delay included, bounded by `limit`. Returns how many signatures still have
    /// changes waiting (a new signature's create and default count as one).
    pub async fn flush_before_sign_out(
        &self,
        session: &Session,
        limit: std::time::Duration,
    ) -> AppResult<usize> {
        let owner = owner(session).await?;
        if self.cache.outbox(&owner).await?.is_empty() {
            return Ok(0);
        }
        self.cache.retry_all(&owner, false).await?;
        match tokio::time::timeout(limit, self.sync.pass(session, &self.cache)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::info!(code = e.code().as_str(), "sync before sign-out: {e}"),
            Err(_) => tracing::info!("sync before sign-out took too long"),
        }
        let left = self.cache.outbox(&owner).await?;
        let targets: std::collections::BTreeSet<&str> =
            left.iter().map(|p| p.target.as_str()).collect();
        Ok(targets.len())
    }

    async fn require_verified(&self, session: &Session) -> AppResult<()> {
        if is_verified(session).await? {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::RealNameRequired,
                "saving a signature needs a verified real-name status",
            ))
        }
    }

    fn after_change(&self) {
        self.sync.changed();
        self.sync.wake();
    }
}
