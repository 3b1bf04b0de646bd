//! The blob store: a directory of files named by random ids (never by anything a user sent).
//! Photos of manual reviews live here, and so do the partial bytes of uploads in progress
//! (`<id>.part`), so that nothing large is held in memory.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::error::AppError;

/// The blob directory's name beside the SQLite file.
pub(crate) const BLOB_DIR_NAME: &str = "blobs";

/// True for a name this store hands out: 32 lowercase hex digits, optionally `.part`.
fn is_blob_name(name: &str) -> bool {
    let id = name.strip_suffix(".part").unwrap_or(name);
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The path of blob `name` inside `dir`, refusing anything that is not one of our names.
pub(crate) fn path(dir: &Path, name: &str) -> Result<PathBuf, AppError> {
    if !is_blob_name(name) {
        return Err(AppError::internal(
            "unexpected blob name in the database",
            format!("{name:?} is not a blob id"),
        ));
    }
    Ok(dir.join(name))
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> AppError {
    move |e| AppError::internal(context, e)
}

/// Creates an empty partial file.
pub(crate) async fn create_part(dir: &Path, name: &str) -> Result<(), AppError> {
    tokio::fs::File::create(path(dir, name)?).await.map_err(io("cannot create an upload file"))?;
    Ok(())
}

/// Writes `bytes` at `offset` of the partial file, dropping anything after `offset` first (bytes
/// of an interrupted earlier write that were never acknowledged).
pub(crate) async fn write_at(
    dir: &Path,
    name: &str,
    offset: u64,
    bytes: &[u8],
) -> Result<(), AppError> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path(dir, name)?)
        .await
        .map_err(io("cannot open an upload file"))?;
    file.set_len(offset).await.map_err(io("cannot truncate an upload file"))?;
    file.seek(SeekFrom::Start(offset)).await.map_err(io("cannot seek in an upload file"))?;
    file.write_all(bytes).await.map_err(io("cannot write an upload file"))?;
    file.flush().await.map_err(io("cannot flush an upload file"))?;
    Ok(())
}

/// Empties a partial file.
pub(crate) async fn truncate(dir: &Path, name: &str) -> Result<(), AppError> {
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path(dir, name)?)
        .await
        .map_err(io("cannot open an upload file"))?;
    drop(file);
    Ok(())
}

pub(crate) async fn read(dir: &Path, name: &str) -> Result<Vec<u8>, AppError> {
    tokio::fs::read(path(dir, name)?).await.map_err(io("cannot read a blob"))
}

/// Reads blob `name`, `None` when the file is gone.
pub(crate) async fn read_optional(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, AppError> {
    match tokio::fs::read(path(dir, name)?).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AppError::internal("cannot read a blob", e)),
    }
}

/// Stores `bytes` as blob `name`: written to a partial file first, then renamed into place.
pub(crate) async fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), AppError> {
    let final_path = path(dir, name)?;
    let temp = path(dir, &format!("{name}.part"))?;
    tokio::fs::write(&temp, bytes).await.map_err(io("cannot write a blob"))?;
    tokio::fs::rename(&temp, &final_path).await.map_err(io("cannot store a blob"))?;
    Ok(())
}

/// Deletes blob `name`; true when a file was removed, false when there was none.
pub(crate) async fn delete(dir: &Path, name: &str) -> Result<bool, AppError> {
    match tokio::fs::remove_file(path(dir, name)?).await {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(AppError::internal("cannot delete a blob", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_names_are_paths() {
        let dir = Path::new("/x");
        assert!(path(dir, "0123456789abcdef0123456789abcdef").is_ok());
        assert!(path(dir, "0123456789abcdef0123456789abcdef.part").is_ok());
        for bad in ["../etc/passwd", "", "0123456789ABCDEF0123456789ABCDEF", "a/b", "abc.part"] {
            assert!(path(dir, bad).is_err(), "{bad}");
        }
    }
}
