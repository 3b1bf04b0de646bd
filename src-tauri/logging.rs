//! Where the app's log goes: stderr, as always, and a size-rotated file in the OS log directory
//! (`signet.log`, then `signet.log.1` … `signet.log.4`; at most 5 MiB in all).
//!
//! The file matters most where nobody sees stderr: a Windows release build has no console, and
//! an app started from a desktop menu has nowhere to print. [`LogFiles`] is managed by Tauri so
//! "export diagnostics" can read the recent lines back.
//!
//! The rotation is written here rather than taken from `tracing-appender`: that crate rotates by
//! time (a busy day makes one big file), and a size bound is what keeps a desktop's disk safe.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// The current log file; older ones carry `.1` (newest) to `.{KEEP}` (oldest).
pub const LOG_FILE: &str = "signet.log";
/// A file is rotated once it would grow past this.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// How many rotated files are kept besides the current one.
pub const KEEP: usize = 4;

/// The log directory: `SIGNET_LOG_DIR` when set, else the directory Tauri's
/// `app_log_dir()` names for `identifier` (resolved here because logging starts before the app
/// handle exists): `~/Library/Logs/<identifier>` on macOS, `<local data dir>/<identifier>/logs`
/// elsewhere (`~/.local/share/…` on Linux, `%LOCALAPPDATA%\…` on Windows).
pub fn log_dir(identifier: &str) -> Option<PathBuf> {
    resolve_log_dir(std::env::var_os("SIGNET_LOG_DIR"), identifier)
}

fn resolve_log_dir(overridden: Option<std::ffi::OsString>, identifier: &str) -> Option<PathBuf> {
    if let Some(dir) = overridden.filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier))
    } else {
        dirs::data_local_dir().map(|dir| dir.join(identifier).join("logs"))
    }
}

/// The log files of this run, as Tauri state.
#[derive(Debug, Clone, Default)]
pub struct LogFiles {
    dir: Option<PathBuf>,
}

impl LogFiles {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The directory the file log is written to; `None` when only stderr is logged to.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The last `count` lines logged, oldest first (from the rotated file too when the current
    /// one is short). Empty when there is no file log.
    pub fn recent_lines(&self, count: usize) -> Vec<String> {
        let Some(dir) = &self.dir else { return Vec::new() };
        let mut lines = tail_lines(&dir.join(LOG_FILE), count);
        if lines.len() < count {
            let mut older = tail_lines(&rotated(dir, 1), count - lines.len());
            older.append(&mut lines);
            lines = older;
        }
        lines
    }
}

/// Logs to stderr and, when `dir` is given and usable, to the rotated file there. The level
/// comes from `RUST_LOG`, `info` by default.
pub fn init(dir: Option<PathBuf>) -> LogFiles {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    init_with_filter(dir, filter, true)
}

/// [`init`] with the given filter, and stderr only when `echo` (tests log more than the app
/// does by default, to the file alone). Only the first call in a process installs anything.
pub fn init_with_filter(dir: Option<PathBuf>, filter: EnvFilter, echo: bool) -> LogFiles {
    let (file, open_error) = match &dir {
        Some(dir) => match RotatingFile::open(dir, MAX_FILE_BYTES, KEEP) {
            Ok(file) => (Some(file), None),
            Err(e) => (None, Some(e)),
        },
        None => (None, None),
    };
    let files = LogFiles::new(file.as_ref().map(|f| f.dir.clone()));
    let stderr =
        echo.then(|| tracing_subscriber::fmt::layer().with_target(false).with_writer(io::stderr));
    let file_layer = file.map(|file| {
        tracing_subscriber::fmt::layer().with_ansi(false).with_writer(Mutex::new(file))
    });
    let installed =
        tracing_subscriber::registry().with(filter).with(stderr).with(file_layer).try_init();
    if installed.is_err() {
        // Someone (a test harness) was first; this run logs where they decided.
        return LogFiles::default();
    }
    match (&dir, open_error) {
        (Some(dir), Some(e)) => {
            tracing::warn!("no log file in {}: {e}; logging to stderr only", dir.display())
        }
        (None, _) => tracing::warn!("no log directory on this system; logging to stderr only"),
        _ => {}
    }
    tracing::info!("Signet {} starting on {}", crate::app_version(), std::env::consts::OS);
    files
}

fn rotated(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("{LOG_FILE}.{n}"))
}

/// The last `count` lines of a file, reading at most its last 2 MiB.
fn tail_lines(path: &Path, count: usize) -> Vec<String> {
    const MAX_READ: u64 = 2 * 1024 * 1024;
    if count == 0 {
        return Vec::new();
    }
    let Ok(mut file) = File::open(path) else { return Vec::new() };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(MAX_READ);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.take(MAX_READ).read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // cut in the middle
    }
    let skip = lines.len().saturating_sub(count);
    lines[skip..].iter().map(|l| (*l).to_string()).collect()
}

/// An append-only log file that moves itself aside once it reaches `max_bytes`: `signet.log`
/// becomes `signet.log.1`, `.1` becomes `.2`, and so on; what would become `.{keep + 1}` is
/// overwritten, so the directory never holds more than `keep + 1` files.
pub struct RotatingFile {
    dir: PathBuf,
    file: Option<File>,
    written: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingFile {
    pub fn open(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let file = Self::open_current(dir)?;
        let written = file.metadata()?.len();
        Ok(Self { dir: dir.to_path_buf(), file: Some(file), written, max_bytes, keep })
    }

    fn open_current(dir: &Path) -> io::Result<File> {
        OpenOptions::new().create(true).append(true).open(dir.join(LOG_FILE))
    }

    fn rotate(&mut self) -> io::Result<()> {
        // Closed first: Windows does not rename an open file.
        self.file = None;
        for n in (1..self.keep).rev() {
            match std::fs::rename(rotated(&self.dir, n), rotated(&self.dir, n + 1)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        if self.keep == 0 {
            std::fs::remove_file(self.dir.join(LOG_FILE))?;
        } else {
            std::fs::rename(self.dir.join(LOG_FILE), rotated(&self.dir, 1))?;
        }
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.max_bytes {
            // A failed rotation (say another process holds the file) keeps appending to the
            // current file and tries again after another `max_bytes`.
            let _ = self.rotate();
            self.written = 0;
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(Self::open_current(&self.dir)?),
        };
        let n = file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn rotates_by_size_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::open(dir.path(), 100, 2).unwrap();
        for i in 0..20 {
            log.write_all(format!("line {i:02} {}\n", "x".repeat(30)).as_bytes()).unwrap();
        }
        assert_eq!(names(dir.path()), ["signet.log", "signet.log.1", "signet.log.2"]);
        for name in names(dir.path()) {
            assert!(std::fs::metadata(dir.path().join(name)).unwrap().len() <= 100);
        }
        let current = std::fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        assert!(current.ends_with(&format!("line 19 {}\n", "x".repeat(30))));
        let oldest = std::fs::read_to_string(dir.path().join("signet.log.2")).unwrap();
        assert!(oldest.starts_with("line 14"), "{oldest}");
    }

    #[test]
    fn a_reopened_log_appends_and_counts_what_is_already_there() {
        let dir = tempfile::tempdir().unwrap();
        RotatingFile::open(dir.path(), 100, 2).unwrap().write_all(&[b'a'; 80]).unwrap();
        let mut again = RotatingFile::open(dir.path(), 100, 2).unwrap();
        again.write_all(&[b'b'; 30]).unwrap();
        assert_eq!(std::fs::read(dir.path().join("signet.log.1")).unwrap(), [b'a'; 80]);
        assert_eq!(std::fs::read(dir.path().join(LOG_FILE)).unwrap(), [b'b'; 30]);
    }

    #[test]
    fn recent_lines_reach_into_the_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("signet.log.1"), "one\ntwo\nthree\n").unwrap();
        std::fs::write(dir.path().join(LOG_FILE), "four\nfive\n").unwrap();
        let files = LogFiles::new(Some(dir.path().to_path_buf()));
        assert_eq!(files.recent_lines(3), ["three", "four", "five"]);
        assert_eq!(files.recent_lines(1), ["five"]);
        assert!(LogFiles::default().recent_lines(10).is_empty());
    }

    #[test]
    fn signet_log_dir_overrides_the_os_directory() {
        let here = Some("/tmp/signet-logs-here".into());
        let id = "edu.campus.signet";
        assert_eq!(resolve_log_dir(here, id), Some(PathBuf::from("/tmp/signet-logs-here")));
        let os = resolve_log_dir(Some("".into()), id).unwrap();
        let expected = if cfg!(target_os = "macos") {
            "Library/Logs/edu.campus.signet"
        } else {
            "edu.campus.signet/logs"
        };
        assert!(os.ends_with(expected), "{}", os.display());
    }
}
