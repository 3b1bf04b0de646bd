//! The signature tables of the local store: the cached signatures, the default, and the outbox of
//! changes still to reach the platform. Every query is scoped to one owner (platform, user).

use serde::{Deserialize, Serialize};
use signet_domain::api::SignatureKind;
use signet_domain::ErrorBody;
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{AppError, AppResult};

/// Whose data: the platform's address and the user's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub server: String,
    pub user_id: String,
}

/// One cached signature.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSignature {
    pub id: String,
    pub name: String,
    pub kind: SignatureKind,
    pub png: Vec<u8>,
    pub svg: Option<String>,
    pub width: u32,
    pub height: u32,
    pub png_sha256: String,
    pub created_at: i64,
    pub on_platform: bool,
}

/// An operation of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Create the signature `target` (its image is read from the cache when sent) with the
    /// name it had when it was saved.
    SignatureCreate {
        name: String,
    },
    SignatureRename {
        name: String,
    },
    /// Make `target` the default (`target` empty: no default).
    SignatureDefault,
    SignatureDelete,
}

impl Operation {
    fn name(&self) -> &'static str {
        match self {
            Self::SignatureCreate { .. } => "signature_create",
            Self::SignatureRename { .. } => "signature_rename",
            Self::SignatureDefault => "signature_default",
            Self::SignatureDelete => "signature_delete",
        }
    }
}

/// An outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub seq: i64,
    pub operation: Operation,
    pub target: String,
    pub idempotency_key: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// The platform refused it for good: it waits for the user (retry or delete).
    pub failure: Option<ErrorBody>,
}

type SignatureRow = (String, String, String, Vec<u8>, Option<String>, i64, i64, String, i64, i64);
type OutboxRow = (i64, String, String, String, i64, i64, Option<String>);

fn signature_from_row(row: SignatureRow) -> AppResult<CachedSignature> {
    let (id, name, kind, png, svg, width, height, png_sha256, created_at, on_platform) = row;
    Ok(CachedSignature {
        kind: SignatureKind::parse(&kind)
            .ok_or_else(|| AppError::store(format!("unknown signature kind {kind}")))?,
        id,
        name,
        png,
        svg,
        width: u32::try_from(width).map_err(AppError::store)?,
        height: u32::try_from(height).map_err(AppError::store)?,
        png_sha256,
        created_at,
        on_platform: on_platform != 0,
    })
}

const SIGNATURE_COLUMNS: &str =
    "id, name, kind, png, svg, width, height, png_sha256, created_at, on_platform";

/// The signature tables, over the store's pool.
#[derive(Clone)]
pub struct SignatureCache {
    pool: SqlitePool,
}

impl SignatureCache {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn begin(&self) -> AppResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin().await?)
    }

    /// The owner's signatures, oldest first.
    pub async fn list(&self, owner: &Owner) -> AppResult<Vec<CachedSignature>> {
        let rows: Vec<SignatureRow> = sqlx::query_as(&format!(
            "SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE server = ?1 AND user_id = ?2
             ORDER BY created_at, id"
        ))
        .bind(&owner.server)
        .bind(&owner.user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(signature_from_row).collect()
    }

    pub async fn get(&self, owner: &Owner, id: &str) -> AppResult<Option<CachedSignature>> {
        let row: Option<SignatureRow> = sqlx::query_as(&format!(
            "SELECT {SIGNATURE_COLUMNS} FROM signatures
             WHERE server = ?1 AND user_id = ?2 AND id = ?3"
        ))
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(signature_from_row).transpose()
    }

    pub async fn insert(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        s: &CachedSignature,
    ) -> AppResult<()> {
        sqlx::query(
            "INSERT INTO signatures (server, user_id, id, name, kind, png, svg, width, height,
                                     png_sha256, created_at, on_platform)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(&s.id)
        .bind(&s.name)
        .bind(s.kind.as_str())
        .bind(&s.png)
        .bind(&s.svg)
        .bind(i64::from(s.width))
        .bind(i64::from(s.height))
        .bind(&s.png_sha256)
        .bind(s.created_at)
        .bind(i64::from(s.on_platform))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn rename(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        id: &str,
        name: &str,
    ) -> AppResult<bool> {
        let done = sqlx::query(
            "UPDATE signatures SET name = ?4 WHERE server = ?1 AND user_id = ?2 AND id = ?3",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(id)
        .bind(name)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        id: &str,
    ) -> AppResult<bool> {
        let done =
            sqlx::query("DELETE FROM signatures WHERE server = ?1 AND user_id = ?2 AND id = ?3")
                .bind(&owner.server)
                .bind(&owner.user_id)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn mark_on_platform(&self, owner: &Owner, id: &str) -> AppResult<()> {
        sqlx::query(
            "UPDATE signatures SET on_platform = 1 WHERE server = ?1 AND user_id = ?2 AND id = ?3",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn default_id(&self, owner: &Owner) -> AppResult<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT signature_id FROM signature_default WHERE server = ?1 AND user_id = ?2",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id,)| id))
    }

    pub async fn set_default(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        id: Option<&str>,
    ) -> AppResult<()> {
        sqlx::query(
            "INSERT INTO signature_default (server, user_id, signature_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (server, user_id) DO UPDATE SET signature_id = excluded.signature_id",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Queues an operation; its idempotency key is made here.
    pub async fn enqueue(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        operation: &Operation,
        target: &str,
        now: i64,
    ) -> AppResult<()> {
        let payload = serde_json::to_string(operation).map_err(AppError::store)?;
        // The create's key is the signature's own id, which the platform deduplicates on; the
        // other operations are idempotent by nature and get a fresh key for the record.
        let key = match operation {
            Operation::SignatureCreate { .. } => format!("create:{target}"),
            _ => format!("{}:{target}:{}", operation.name(), super::new_id()),
        };
        sqlx::query(
            "INSERT INTO outbox (server, user_id, op, target, payload, idempotency_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(operation.name())
        .bind(target)
        .bind(payload)
        .bind(key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The owner's outbox, in order, including entries the platform refused.
    pub async fn outbox(&self, owner: &Owner) -> AppResult<Vec<Pending>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT seq, payload, target, idempotency_key, attempts, next_attempt_at, failure
             FROM outbox WHERE server = ?1 AND user_id = ?2 ORDER BY seq",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, payload, target, idempotency_key, attempts, next_attempt_at, failure)| {
                Ok(Pending {
                    seq,
                    operation: serde_json::from_str(&payload).map_err(AppError::store)?,
                    target,
                    idempotency_key,
                    attempts,
                    next_attempt_at,
                    failure: failure.and_then(|f| serde_json::from_str(&f).ok()),
                })
            })
            .collect()
    }

    /// The platform answered the entry: it is done.
    pub async fn complete(&self, seq: i64) -> AppResult<()> {
        sqlx::query("DELETE FROM outbox WHERE seq = ?1").bind(seq).execute(&self.pool).await?;
        Ok(())
    }

    /// The platform could not be reached or asked to wait: try again at `next_attempt_at`.
    pub async fn postpone(&self, seq: i64, next_attempt_at: i64) -> AppResult<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE seq = ?1",
        )
        .bind(seq)
        .bind(next_attempt_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The platform refused the entry for good.
    pub async fn fail(&self, seq: i64, error: &ErrorBody) -> AppResult<()> {
        let json = serde_json::to_string(error).map_err(AppError::store)?;
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, failure = ?2 WHERE seq = ?1")
            .bind(seq)
            .bind(json)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives refused entries and waiting ones another go now (the user asked, or the platform
    /// is back).
    pub async fn retry_all(&self, owner: &Owner, including_failed: bool) -> AppResult<()> {
        let sql = if including_failed {
            "UPDATE outbox SET failure = NULL, next_attempt_at = 0 WHERE server = ?1 AND user_id = ?2"
        } else {
            "UPDATE outbox SET next_attempt_at = 0 WHERE server = ?1 AND user_id = ?2"
        };
        sqlx::query(sql).bind(&owner.server).bind(&owner.user_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Drops the entries about `target` other than deletes: the signature is gone here, and a
    /// delete queued after them settles the platform's side whatever of them arrived.
    pub async fn drop_entries_for(
        tx: &mut Transaction<'static, Sqlite>,
        owner: &Owner,
        target: &str,
    ) -> AppResult<()> {
        sqlx::query(
            "DELETE FROM outbox WHERE server = ?1 AND user_id = ?2 AND target = ?3
             AND op <> 'signature_delete'",
        )
        .bind(&owner.server)
        .bind(&owner.user_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Replaces the cached copy of a signature the platform has (another device made it).
    pub async fn adopt(&self, owner: &Owner, s: &CachedSignature) -> AppResult<()> {
        let mut tx = self.begin().await?;
        Self::remove(&mut tx, owner, &s.id).await?;
        Self::insert(&mut tx, owner, s).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the name the platform has, unless a rename of ours is still on its way.
    pub async fn take_platform_name(&self, owner: &Owner, id: &str, name: &str) -> AppResult<()> {
        let mut tx = self.begin().await?;
        Self::rename(&mut tx, owner, id, name).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn forget(&self, owner: &Owner, id: &str) -> AppResult<()> {
        let mut tx = self.begin().await?;
        Self::remove(&mut tx, owner, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn take_platform_default(&self, owner: &Owner, id: Option<&str>) -> AppResult<()> {
        let mut tx = self.begin().await?;
        Self::set_default(&mut tx, owner, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
