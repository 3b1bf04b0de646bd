//! The database: one sqlx [`AnyPool`] over SQLite (default: `signet.db` in a data directory) or
//! PostgreSQL (`postgres://...`). The same migrations and queries serve both, so they keep to
//! portable SQL: TEXT and BIGINT columns, `$N` placeholders, values decoded as `String`/`i64`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

use crate::error::AppError;

/// The file name of the SQLite database inside a data directory.
pub const SQLITE_FILE_NAME: &str = "signet.db";

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbConfig {
    /// A SQLite file, created (with its parent directories) if missing.
    SqliteFile(PathBuf),
    /// A database URL: `postgres://...` or `sqlite://...`.
    Url(String),
}

impl DbConfig {
    /// `signet.db` inside `dir`.
    pub fn data_dir(dir: impl AsRef<Path>) -> Self {
        Self::SqliteFile(dir.as_ref().join(SQLITE_FILE_NAME))
    }

    pub fn url(url: impl Into<String>) -> Self {
        Self::Url(url.into())
    }
}

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the pool and brings the schema up to date.
pub(crate) async fn open(config: &DbConfig) -> Result<(AnyPool, Backend), AppError> {
    sqlx::any::install_default_drivers();

    let url = match config {
        DbConfig::SqliteFile(path) => sqlite_url(path)?,
        DbConfig::Url(url) => url.clone(),
    };
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        return Err(AppError::internal(
            "unsupported database URL",
            "the database URL must start with postgres:// or sqlite://",
        ));
    };
    let options: AnyConnectOptions =
        url.parse().map_err(|e| AppError::internal("invalid database URL", e))?;

    if backend == Backend::Sqlite {
        // WAL is a property of the file, and switching to it takes a lock that the busy timeout
        // does not wait on: do it once, on a single connection, before the pool exists.
        let mut conn = options.connect().await?;
        conn.execute("PRAGMA journal_mode = WAL").await?;
        conn.close().await?;
    }

    let pool = AnyPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // sqlx already defaults to these; stated here so they do not depend on it.
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;

    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok((pool, backend))
}

/// `sqlite://PATH?mode=rwc`, creating the parent directory.
fn sqlite_url(path: &Path) -> Result<String, AppError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| AppError::internal("cannot create the data directory", e))?;
    }
    let path = path.to_str().ok_or_else(|| {
        AppError::internal("unsupported data directory", "the database path is not valid UTF-8")
    })?;
    // sqlx percent-decodes the path, so `%`, `?` and `#` must be encoded to survive.
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            c => encoded.push(c),
        }
    }
    Ok(format!("sqlite://{encoded}?mode=rwc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_encodes_characters_that_end_a_path() {
        let dir = std::env::temp_dir().join("signet url ?#% test");
        let url = sqlite_url(&dir.join("signet.db")).unwrap_or_default();
        assert!(url.starts_with("sqlite://"), "{url}");
        assert!(url.contains("signet url %3F%23%25 test"), "{url}");
        assert!(url.ends_with("signet.db?mode=rwc"), "{url}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
