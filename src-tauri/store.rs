//! The local store: one SQLite file in the OS app-data directory, migrated from `migrations/`.
//!
//! [`Store`] holds the pool; settings and the profile cache are kept here, and the signature
//! module keeps its tables in the same file. WAL and a busy timeout let the UI's commands and
//! background tasks share the file. Deleted rows are overwritten (`secure_delete`), so what a
//! sign-out removes does not linger in free pages of the file.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use signet_domain::api::Profile;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::{AppError, AppResult};

/// Tables whose every row belongs to a user of this machine. [`Store::wipe_user_data`] empties
/// them; a test checks that every table the migrations make is either here or `settings`.
pub const USER_TABLES: &[&str] = &["profile_cache", "signatures", "signature_default", "outbox"];

/// Settings that are the machine's rather than a user's, kept by [`Store::wipe_user_data`]. The
/// platform address is not among them: on a shared machine one user must not choose where the
/// next one's password goes.
pub const MACHINE_SETTINGS: &[&str] = &["language", crate::camera::KEY_CAMERA];

/// What [`Store::wipe_user_data`] removed that had not reached the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WipeReport {
    /// Outbox entries (signature changes) dropped.
    pub unsynced_changes: u64,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// A cached profile and when it was fetched (unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct CachedProfile {
    pub profile: Profile,
    pub fetched_at: i64,
}

impl Store {
    /// Opens (creating if needed) `signet.db` in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> AppResult<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::store(format!("cannot create {}: {e}", dir.display())))?;
        let url = format!("sqlite://{}", dir.join("signet.db").display());
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!().run(&pool).await?;
        Ok(Self { pool })
    }

    /// The pool, for the feature modules that keep their own tables here (signatures, outbox).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn setting(&self, key: &str) -> AppResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> AppResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_setting(&self, key: &str) -> AppResult<()> {
        sqlx::query("DELETE FROM settings WHERE key = ?1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn cache_profile(&self, server: &str, profile: &Profile, now: i64) -> AppResult<()> {
        let json = serde_json::to_string(profile).map_err(AppError::store)?;
        sqlx::query(
            "INSERT INTO profile_cache (server, user_id, profile_json, fetched_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (server, user_id) DO UPDATE
             SET profile_json = excluded.profile_json, fetched_at = excluded.fetched_at",
        )
        .bind(server)
        .bind(&profile.user_id)
        .bind(json)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn cached_profile(
        &self,
        server: &str,
        user_id: &str,
    ) -> AppResult<Option<CachedProfile>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT profile_json, fetched_at FROM profile_cache WHERE server = ?1 AND user_id = ?2",
        )
        .bind(server)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some((json, fetched_at)) => {
                let profile = serde_json::from_str(&json).map_err(AppError::store)?;
                Ok(Some(CachedProfile { profile, fetched_at }))
            }
        }
    }

    pub async fn forget_profile(&self, server: &str, user_id: &str) -> AppResult<()> {
        sqlx::query("DELETE FROM profile_cache WHERE server = ?1 AND user_id = ?2")
            .bind(server)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes every user's data: the [`USER_TABLES`] and every setting but the
    /// [`MACHINE_SETTINGS`] (remembered account and platform, current user, consents, pending
    /// manual reviews), in one transaction; then moves the write-ahead log into the file and
    /// truncates it, so the removed rows are gone from both. Kiosk mode calls it at start and
    /// whenever a session ends.
    pub async fn wipe_user_data(&self) -> AppResult<WipeReport> {
        let mut tx = self.pool.begin().await?;
        let unsynced: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&mut *tx).await?;
        for table in USER_TABLES {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        let keep = MACHINE_SETTINGS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(",");
        sqlx::query(&format!("DELETE FROM settings WHERE key NOT IN ({keep})"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        Ok(WipeReport { unsynced_changes: u64::try_from(unsynced).unwrap_or(0) })
    }

    /// The names of the store's own tables (not SQLite's or sqlx's bookkeeping), for tests.
    pub async fn table_names(&self) -> AppResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Rows in `table` (one of [`Store::table_names`]), for tests.
    pub async fn row_count(&self, table: &str) -> AppResult<i64> {
        if !self.table_names().await?.iter().any(|name| name == table) {
            return Err(AppError::store(format!("no table {table}")));
        }
        Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await?)
    }

    /// Every text this store holds, for tests that prove what never reaches the disk.
    pub async fn dump_text(&self) -> AppResult<String> {
        let settings: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM settings").fetch_all(&self.pool).await?;
        let profiles: Vec<(String,)> =
            sqlx::query_as("SELECT profile_json FROM profile_cache").fetch_all(&self.pool).await?;
        let mut out = String::new();
        for (k, v) in settings {
            out.push_str(&format!("{k}={v}\n"));
        }
        for (p,) in profiles {
            out.push_str(&p);
            out.push('\n');
        }
        Ok(out)
    }
}
