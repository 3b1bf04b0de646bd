//! SQLite specifics: the file, its directory and its journal mode.

use signet_server::{AppState, DbConfig, ManualClock, SQLITE_FILE_NAME};
use sqlx::Row;

use crate::common::{test_settings, START};

#[tokio::test]
async fn opening_a_data_dir_creates_it_with_a_wal_database() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nested").join("data");
    let clock = std::sync::Arc::new(ManualClock::new(START));

    let state =
        AppState::open_with(DbConfig::data_dir(&data_dir), test_settings(clock)).await.unwrap();

    assert!(data_dir.join(SQLITE_FILE_NAME).is_file());
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(state.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn reopening_a_data_dir_keeps_its_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(ManualClock::new(START));
    let first = AppState::open_with(DbConfig::data_dir(dir.path()), test_settings(clock.clone()))
        .await
        .unwrap();
    signet_server::seed_demo(&first).await.unwrap();
    first.pool().close().await;

    let second =
        AppState::open_with(DbConfig::data_dir(dir.path()), test_settings(clock)).await.unwrap();

    let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(second.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(users, 3);
}

#[tokio::test]
async fn a_path_with_url_characters_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("odd ?#% name");
    let clock = std::sync::Arc::new(ManualClock::new(START));

    AppState::open_with(DbConfig::data_dir(&data_dir), test_settings(clock)).await.unwrap();

    assert!(data_dir.join(SQLITE_FILE_NAME).is_file());
}
