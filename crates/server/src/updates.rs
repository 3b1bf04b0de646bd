//! Update manifests for the desktop app's auto-update (tauri-plugin-updater v2), built from a
//! releases directory that [`publish_release`] (`signet-server release publish`) fills:
//!
//! ```text
//! releases/1.2.0/release.json                        a [`Release`]
//! releases/1.2.0/Signet_1.2.0_amd64.AppImage.tar.gz  its artifacts, under their own names
//! ```
//!
//! A release is prepared in a hidden directory beside the others and renamed into place, so a
//! reader sees it whole or not at all, and a published version is never replaced. The server
//! reads the directory on every request: a release published by another process is served at
//! once, without a restart.
//!
//! - [`manifest`]: `GET /api/v1/updates/{target}/{arch}/{current_version}`, the endpoint the app's
//!   updater is configured with. 204 when the newest release is not newer than
//!   `current_version`; otherwise Tauri's static manifest covering every platform of the newest
//!   release, with absolute artifact URLs. A release without an artifact for the asking platform
//!   is still announced: the app then tells its user that this version has no package for their
//!   system, instead of claiming to be up to date.
//! - [`artifact`]: `GET /api/v1/updates/artifacts/{version}/{file}`, the artifact itself.
//!
//! Versions compare by semver precedence, so `1.2.0-beta.1` < `1.2.0`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::path::{Path as FsPath, PathBuf};

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, uri::Authority, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use semver::Version;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_domain::identity::CalendarDate;
use signet_domain::ErrorCode;

use crate::error::AppError;
use crate::state::AppState;

/// The releases directory's name beside the SQLite file.
pub(crate) const RELEASES_DIR_NAME: &str = "releases";
/// The description of a release inside its directory.
const RELEASE_FILE: &str = "release.json";
/// Longest release notes, in bytes (the updater shows them in a dialog).
pub const MAX_RELEASE_NOTES_BYTES: usize = 64 * 1024;
/// Longest `.sig` file: Tauri's are about 400 bytes.
const MAX_SIGNATURE_BYTES: u64 = 16 * 1024;

/// What tauri-plugin-updater substitutes for `{{target}}`.
pub const UPDATE_TARGETS: &[&str] = &["linux", "windows", "darwin"];
/// What tauri-plugin-updater substitutes for `{{arch}}`.
pub const UPDATE_ARCHES: &[&str] = &["x86_64", "aarch64", "i686", "armv7"];
/// The installer names the updater appends to a manifest key (`{os}-{arch}-{installer}`), and
/// substitutes for `{{bundle_type}}`, with the OS each belongs to.
pub const UPDATE_INSTALLERS: &[(&str, &str)] = &[
    ("appimage", "linux"),
    ("deb", "linux"),
    ("rpm", "linux"),
    ("app", "darwin"),
    ("msi", "windows"),
    ("nsis", "windows"),
];

/// A published release, as stored in `release.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// A semantic version without build metadata; also the directory's name.
    pub version: String,
    pub notes: String,
    /// When it was published, RFC 3339 in UTC (`2026-11-29T12:00:00Z`).
    pub pub_date: String,
    /// By manifest key: `{os}-{arch}` (`darwin-aarch64`) or `{os}-{arch}-{installer}`
    /// (`linux-x86_64-deb`).
    pub platforms: BTreeMap<String, ReleaseArtifact>,
}

/// One platform's artifact of a [`Release`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseArtifact {
    /// The file's name in the release directory (several platforms may share one file).
    pub file: String,
    /// The contents of the artifact's `.sig` file (base64 of a minisign signature), trimmed.
    pub signature: String,
    pub size: u64,
    pub sha256: String,
}

/// What `release publish` was asked to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    pub version: String,
    pub notes: String,
    /// Manifest key and artifact path; the signature is read from the same path + `.sig`, where
    /// the Tauri bundler writes it.
    pub platforms: Vec<(String, PathBuf)>,
}

/// A manifest key split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlatformKey<'a> {
    os: &'a str,
    arch: &'a str,
    installer: Option<&'a str>,
}

/// `{os}-{arch}` or `{os}-{arch}-{installer}` with names the updater uses, the installer one of
/// its OS.
fn parse_platform_key(key: &str) -> Option<PlatformKey<'_>> {
    let mut parts = key.split('-');
    let os = parts.next().filter(|os| UPDATE_TARGETS.contains(os))?;
    let arch = parts.next().filter(|arch| UPDATE_ARCHES.contains(arch))?;
    let installer = match parts.next() {
        None => None,
        Some(name) => {
            UPDATE_INSTALLERS.iter().find(|(installer, of)| *installer == name && *of == os)?;
            Some(name)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some(PlatformKey { os, arch, installer })
}

/// A version as releases are named: valid semver, no build metadata (it has no precedence, so
/// `1.2.0+a` and `1.2.0+b` could not be told apart), written canonically.
fn release_version(text: &str) -> Option<Version> {
    Version::parse(text).ok().filter(|v| v.build.is_empty() && v.to_string() == text)
}

/// An artifact's file name: ASCII letters, digits, `.`, `_`, `+` and `-`, not starting with a
/// dot, so that it is the same in a path and in a URL and cannot leave its directory.
fn is_artifact_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name != RELEASE_FILE
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

/// `unix_secs` as RFC 3339 in UTC, to the second.
fn rfc3339_utc(unix_secs: i64) -> String {
    // `in_china_at` is the date at UTC+8: shifting back by 8 h gives the UTC date.
    let date = CalendarDate::in_china_at(unix_secs.saturating_sub(crate::PLATFORM_UTC_OFFSET_SECS));
    let time = unix_secs.rem_euclid(24 * 60 * 60);
    format!("{date}T{:02}:{:02}:{:02}Z", time / 3600, time % 3600 / 60, time % 60)
}

/// Checks and normalises a public base URL (`--public-url`): `http` or `https`, a host, an
/// optional path prefix, no user info, query or fragment. The trailing slash is dropped.
pub fn normalize_public_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let uri: Uri = url.parse().map_err(|_| format!("{url:?} is not a URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(format!("{url:?} must start with http:// or https://"));
    }
    let authority = uri.authority().ok_or_else(|| format!("{url:?} has no host"))?;
    if authority.as_str().contains('@') || authority.host().is_empty() {
        return Err(format!("{url:?} must name a host without user info"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(format!("{url:?} must not have a query or fragment"));
    }
    Ok(url.to_owned())
}

fn refused(field: &'static str, message: String) -> AppError {
    AppError::invalid_input(field, message)
}

/// The contents of `artifact`'s `.sig` file, checked to be what the Tauri bundler writes: the
/// base64 of a minisign signature (which starts with `untrusted comment:`). Trimmed.
fn read_signature(key: &str, artifact: &FsPath) -> Result<String, AppError> {
    let mut sig_path = OsString::from(artifact.as_os_str());
    sig_path.push(".sig");
    let sig_path = PathBuf::from(sig_path);
    let shown = sig_path.display();
    let bad = |why: &str| refused("platform", format!("{key}: the signature {shown} {why}"));
    let len = match std::fs::metadata(&sig_path) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => return Err(bad("is not a file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad("is missing (the Tauri bundler writes it beside the artifact)"))
        }
        Err(e) => return Err(bad(&format!("cannot be read: {e}"))),
    };
    if len > MAX_SIGNATURE_BYTES {
        return Err(bad("is too large to be a signature"));
    }
    let bytes = std::fs::read(&sig_path).map_err(|e| bad(&format!("cannot be read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("is not text"))?;
    let signature = text.trim();
    if signature.is_empty() {
        return Err(bad("is empty"));
    }
    let decoded = STANDARD.decode(signature).map_err(|_| bad("is not base64"))?;
    if !decoded.starts_with(b"untrusted comment:") {
        return Err(bad(
            "is not a minisign signature (it does not start with `untrusted comment:`)",
        ));
    }
    Ok(signature.to_owned())
}

/// Copies `from` to a new file `to`, flushed to disk; answers its size and SHA-256.
fn copy_hashed(from: &FsPath, to: &FsPath) -> std::io::Result<(u64, String)> {
    let mut source = std::fs::File::open(from)?;
    let mut target = std::fs::File::create_new(to)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        target.write_all(&buffer[..n])?;
        size += n as u64;
    }
    target.sync_all()?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// Publishes a release into `releases_dir` (created if missing), dated `now` (unix seconds).
///
/// Refused as a whole, writing nothing, when the version is not semver, has build metadata or
/// is already published (409 `conflict`), when there is no platform, a key is not one the updater
/// looks up, a key repeats, an artifact or its `.sig` is missing, the `.sig` is not a base64
/// minisign signature, two platforms name different files of the same name, or the notes are
/// longer than [`MAX_RELEASE_NOTES_BYTES`]. Otherwise the artifacts are copied into a hidden
/// directory, which is then renamed to the version: the release appears whole.
pub fn publish_release(
    releases_dir: &FsPath,
    new: &NewRelease,
    now: i64,
) -> Result<Release, AppError> {
    let version = Version::parse(new.version.trim()).map_err(|e| {
        refused("version", format!("{:?} is not a semantic version (e.g. 1.2.0): {e}", new.version))
    })?;
    if !version.build.is_empty() {
        return Err(refused(
            "version",
            format!("{version}: build metadata has no precedence; publish a distinct version"),
        ));
    }
    if new.notes.len() > MAX_RELEASE_NOTES_BYTES {
        return Err(refused(
            "notes",
            format!("the notes are longer than {MAX_RELEASE_NOTES_BYTES} bytes"),
        ));
    }
    if new.platforms.is_empty() {
        return Err(refused("platform", "a release needs at least one platform".to_owned()));
    }

    // Every check before anything is written.
    let mut platforms = BTreeMap::new();
    let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (key, path) in &new.platforms {
        if parse_platform_key(key).is_none() {
            return Err(refused(
                "platform",
                format!(
                    "{key:?} is not a platform the updater looks up: `{{os}}-{{arch}}` or \
                     `{{os}}-{{arch}}-{{installer}}`, os one of {UPDATE_TARGETS:?}, arch one of \
                     {UPDATE_ARCHES:?}, installer one of its OS's {:?}",
                    UPDATE_INSTALLERS.iter().map(|(name, _)| *name).collect::<Vec<_>>()
                ),
            ));
        }
        if platforms.contains_key(key) {
            return Err(refused("platform", format!("{key} is given twice")));
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(refused(
                    "platform",
                    format!("{key}: the artifact {} is not a file", path.display()),
                ))
            }
            Err(e) => {
                return Err(refused(
                    "platform",
                    format!("{key}: the artifact {} cannot be read: {e}", path.display()),
                ))
            }
        }
        let file = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_owned();
        if !is_artifact_name(&file) {
            return Err(refused(
                "platform",
                format!(
                    "{key}: the artifact's name {file:?} must be ASCII letters, digits, `.`, `_`, \
                     `+` and `-`, not starting with a dot (rename it, and its .sig)"
                ),
            ));
        }
        let canonical = std::fs::canonicalize(path).map_err(|e| {
            refused(
                "platform",
                format!("{key}: the artifact {} cannot be read: {e}", path.display()),
            )
        })?;
        if let Some(other) = sources.get(&file) {
            if *other != canonical {
                return Err(refused(
                    "platform",
                    format!("{key}: another platform's artifact is also named {file}"),
                ));
            }
        }
        let signature = read_signature(key, path)?;
        sources.insert(file.clone(), canonical);
        platforms.insert(key.clone(), (file, signature));
    }
    let final_dir = releases_dir.join(version.to_string());
    if final_dir.exists() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("{version} is already published; publish a new version"),
        ));
    }

    std::fs::create_dir_all(releases_dir)
        .map_err(|e| AppError::internal("cannot create the releases directory", e))?;
    let temp_dir = releases_dir.join(format!(".publish-{version}-{}", random_suffix()));
    std::fs::create_dir(&temp_dir).map_err(|e| {
        AppError::internal("cannot create a directory in the releases directory", e)
    })?;
    let written =
        write_release(&temp_dir, &version, new, now, &platforms, &sources).and_then(|release| {
            match std::fs::rename(&temp_dir, &final_dir) {
                Ok(()) => Ok(release),
                // Another publish of the same version finished first.
                Err(_) if final_dir.exists() => Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("{version} is already published; publish a new version"),
                )),
                Err(e) => Err(AppError::internal("cannot move the release into place", e)),
            }
        });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&temp_dir);
    }
    written
}

fn random_suffix() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Copies the artifacts into `dir` and writes `release.json` there.
fn write_release(
    dir: &FsPath,
    version: &Version,
    new: &NewRelease,
    now: i64,
    platforms: &BTreeMap<String, (String, String)>,
    sources: &BTreeMap<String, PathBuf>,
) -> Result<Release, AppError> {
    let mut copied = BTreeMap::new();
    for (file, source) in sources {
        let copy = copy_hashed(source, &dir.join(file))
            .map_err(|e| AppError::internal("cannot copy an artifact", e))?;
        copied.insert(file.clone(), copy);
    }
    let platforms = platforms
        .iter()
        .map(|(key, (file, signature))| {
            let (size, sha256) = copied.get(file).cloned().unwrap_or_default();
            let artifact =
                ReleaseArtifact { file: file.clone(), signature: signature.clone(), size, sha256 };
            (key.clone(), artifact)
        })
        .collect();
    let release = Release {
        version: version.to_string(),
        notes: new.notes.clone(),
        pub_date: rfc3339_utc(now),
        platforms,
    };
    let json = serde_json::to_vec_pretty(&release)
        .map_err(|e| AppError::internal("cannot write release.json", e))?;
    let mut file = std::fs::File::create_new(dir.join(RELEASE_FILE))
        .map_err(|e| AppError::internal("cannot write release.json", e))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|e| AppError::internal("cannot write release.json", e))?;
    Ok(release)
}

/// The versions of the release directories, newest first. Other names (the hidden directories of
/// publishes in progress, anything put there by hand) are ignored.
fn release_versions(releases_dir: &FsPath) -> Result<Vec<Version>, AppError> {
    let entries = match std::fs::read_dir(releases_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::internal("cannot read the releases directory", e)),
    };
    let mut versions = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| AppError::internal("cannot read the releases directory", e))?;
        if let Some(version) = entry.file_name().to_str().and_then(release_version) {
            versions.push(version);
        }
    }
    versions.sort_by(|a, b| b.cmp_precedence(a));
    Ok(versions)
}

/// The release of `version`, `None` if it has no `release.json`. A `release.json` that does not
/// describe this version with valid keys, names and signatures is an error.
fn load_release(releases_dir: &FsPath, version: &Version) -> Result<Option<Release>, AppError> {
    let path = releases_dir.join(version.to_string()).join(RELEASE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::internal("cannot read release.json", e)),
    };
    let release: Release = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::internal("release.json is not a release", e))?;
    let valid = release.version == version.to_string()
        && !release.platforms.is_empty()
        && release.platforms.iter().all(|(key, artifact)| {
            parse_platform_key(key).is_some()
                && is_artifact_name(&artifact.file)
                && !artifact.signature.is_empty()
        });
    if !valid {
        return Err(AppError::internal(
            "release.json is not a release",
            format!("{} does not describe release {version}", path.display()),
        ));
    }
    Ok(Some(release))
}

/// Every published release, newest first.
pub fn list_releases(releases_dir: &FsPath) -> Result<Vec<Release>, AppError> {
    let mut releases = Vec::new();
    for version in release_versions(releases_dir)? {
        if let Some(release) = load_release(releases_dir, &version)? {
            releases.push(release);
        }
    }
    Ok(releases)
}

/// The newest release that can be read. One that cannot is logged and passed over, so that a
/// damaged directory does not stop every update check.
fn newest_release(releases_dir: &FsPath) -> Result<Option<(Version, Release)>, AppError> {
    for version in release_versions(releases_dir)? {
        match load_release(releases_dir, &version) {
            Ok(Some(release)) => return Ok(Some((version, release))),
            Ok(None) => {}
            Err(e) => tracing::error!(%version, error = %e, "release passed over"),
        }
    }
    Ok(None)
}

/// Which manifest keys the asking app will look up (it tries `{os}-{arch}-{installer}`, then
/// `{os}-{arch}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installer<'a> {
    /// No `bundle_type` given: any installer of the platform may be the app's.
    Any,
    /// `bundle_type=unknown`: the app looks up `{os}-{arch}` only.
    Unknown,
    Named(&'a str),
}

/// Whether `release` has an artifact the app on `os`/`arch` with `installer` will find.
fn offers(release: &Release, os: &str, arch: &str, installer: Installer<'_>) -> bool {
    release.platforms.keys().filter_map(|key| parse_platform_key(key)).any(|key| {
        key.os == os
            && key.arch == arch
            && match (key.installer, installer) {
                (None, _) | (Some(_), Installer::Any) => true,
                (Some(_), Installer::Unknown) => false,
                (Some(have), Installer::Named(wanted)) => have == wanted,
            }
    })
}

/// The base of absolute URLs: the configured public URL, else `http://` and the request's
/// `Host` (or HTTP/2 authority), which must be a plain `host[:port]`.
fn public_base(state: &AppState, headers: &HeaderMap, uri: &Uri) -> Result<String, AppError> {
    if let Some(url) = state.public_url() {
        return Ok(url.to_owned());
    }
    let host = match headers.get(header::HOST) {
        Some(value) => value.to_str().ok().map(str::to_owned),
        None => uri.authority().map(|a| a.as_str().to_owned()),
    };
    let authority = host
        .and_then(|host| host.parse::<Authority>().ok())
        .filter(|authority| !authority.as_str().contains('@') && !authority.host().is_empty())
        .ok_or_else(|| {
            AppError::invalid_input(
                "host",
                "no usable Host header to build the artifact URLs from (the server can be given \
                 its public URL)",
            )
        })?;
    Ok(format!("http://{authority}"))
}

#[derive(Debug, Deserialize)]
pub struct ManifestQuery {
    bundle_type: Option<String>,
}

/// `GET /api/v1/updates/{target}/{arch}/{current_version}[?bundle_type=...]`, public.
pub async fn manifest(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    params: Result<Path<(String, String, String)>, PathRejection>,
    query: Result<Query<ManifestQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Ok(Path((target, arch, current))) = params else {
        return Err(AppError::invalid_input("target", "the path is not valid UTF-8"));
    };
    let os = UPDATE_TARGETS.iter().copied().find(|os| *os == target).ok_or_else(|| {
        AppError::invalid_input("target", format!("target must be one of {UPDATE_TARGETS:?}"))
    })?;
    let arch = UPDATE_ARCHES.iter().copied().find(|a| *a == arch).ok_or_else(|| {
        AppError::invalid_input("arch", format!("arch must be one of {UPDATE_ARCHES:?}"))
    })?;
    let current = Version::parse(&current).map_err(|_| {
        AppError::invalid_input("current_version", "current_version is not a semantic version")
    })?;
    let Ok(Query(query)) = query else {
        return Err(AppError::invalid_input("bundle_type", "the query string is malformed"));
    };
    let installer = match query.bundle_type.as_deref() {
        None => Installer::Any,
        Some("unknown") => Installer::Unknown,
        Some(name) => UPDATE_INSTALLERS
            .iter()
            .find(|(installer, _)| *installer == name)
            .map(|(installer, _)| Installer::Named(installer))
            .ok_or_else(|| {
                AppError::invalid_input("bundle_type", "bundle_type is not an installer name")
            })?,
    };

    let releases_dir = state.releases_dir().to_owned();
    let newest = tokio::task::spawn_blocking(move || newest_release(&releases_dir)).await??;
    let Some((version, release)) = newest else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    if version.cmp_precedence(&current) != Ordering::Greater {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    if !offers(&release, os, arch, installer) {
        tracing::info!(%version, os, arch, "the newest release has no artifact for this platform");
    }

    let base = public_base(&state, &headers, &uri)?;
    let platforms: serde_json::Map<String, serde_json::Value> = release
        .platforms
        .iter()
        .map(|(key, artifact)| {
            let url =
                format!("{base}/api/v1/updates/artifacts/{}/{}", release.version, artifact.file);
            (key.clone(), json!({ "signature": artifact.signature, "url": url }))
        })
        .collect();
    Ok(Json(json!({
        "version": release.version,
        "notes": release.notes,
        "pub_date": release.pub_date,
        "platforms": platforms,
    }))
    .into_response())
}

/// `GET /api/v1/updates/artifacts/{version}/{file}`, public: a file the release lists, streamed.
pub async fn artifact(
    State(state): State<AppState>,
    params: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let Ok(Path((version, file))) = params else {
        return Err(AppError::invalid_input("version", "the path is not valid UTF-8"));
    };
    let version = release_version(&version).ok_or_else(|| {
        AppError::invalid_input("version", "version is not a release version (e.g. 1.2.0)")
    })?;
    if !is_artifact_name(&file) {
        return Err(AppError::invalid_input("file", "file is not an artifact name"));
    }
    let releases_dir = state.releases_dir().to_owned();
    let release =
        tokio::task::spawn_blocking(move || load_release(&releases_dir, &version)).await??;
    let Some(release) = release.filter(|r| r.platforms.values().any(|a| a.file == file)) else {
        return Err(AppError::new(ErrorCode::NotFound, "no such release artifact"));
    };
    let path = state.releases_dir().join(&release.version).join(&file);
    let opened = tokio::fs::File::open(&path)
        .await
        .map_err(|e| AppError::internal("a listed release artifact cannot be opened", e))?;
    let size = opened
        .metadata()
        .await
        .map_err(|e| AppError::internal("a listed release artifact cannot be read", e))?
        .len();
    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(opened)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    Ok(response)
}

/// The releases as `release list` prints them, newest first.
pub fn format_releases(releases: &[Release]) -> String {
    if releases.is_empty() {
        return "no releases published\n".to_owned();
    }
    releases
        .iter()
        .map(|release| {
            let platforms: BTreeSet<&str> = release.platforms.keys().map(String::as_str).collect();
            let platforms: Vec<&str> = platforms.into_iter().collect();
            format!("{}  {}  {}\n", release.version, release.pub_date, platforms.join(" "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_keys_are_those_the_updater_looks_up() {
        for key in [
            "linux-x86_64",
            "darwin-aarch64",
            "windows-i686",
            "linux-armv7-deb",
            "windows-x86_64-nsis",
            "darwin-x86_64-app",
        ] {
            assert!(parse_platform_key(key).is_some(), "{key}");
        }
        for key in [
            "",
            "linux",
            "linux-amd64",
            "macos-aarch64",
            "linux-x86_64-msi",
            "windows-x86_64-nsis-x",
            "Linux-x86_64",
        ] {
            assert!(parse_platform_key(key).is_none(), "{key}");
        }
    }

    #[test]
    fn release_versions_are_canonical_semver_without_build_metadata() {
        assert!(release_version("1.2.0").is_some());
        assert!(release_version("1.2.0-beta.1").is_some());
        for bad in ["v1.2.0", "1.2", "01.2.0", "1.2.0+build.5", "..", "1.2.0/..", " 1.2.0"] {
            assert!(release_version(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn artifact_names_stay_in_their_directory() {
        assert!(is_artifact_name("Signet_1.2.0_amd64.AppImage.tar.gz"));
        assert!(is_artifact_name("Signet_1.2.0_x64-setup.exe"));
        for bad in
            ["", ".", "..", "../x", "a/b", "a\\b", ".hidden", "release.json", "a b", "签名.exe"]
        {
            assert!(!is_artifact_name(bad), "{bad}");
        }
    }

    #[test]
    fn dates_are_rfc3339_in_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_796_040_000), "2026-11-30T12:00:00Z");
        assert_eq!(rfc3339_utc(1_767_225_599), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn public_urls_are_plain_http_bases() {
        assert_eq!(
            normalize_public_url("https://updates.example.edu/").as_deref(),
            Ok("https://updates.example.edu")
        );
        assert_eq!(
            normalize_public_url("http://10.0.0.5:8787/signet").as_deref(),
            Ok("http://10.0.0.5:8787/signet")
        );
        for bad in
            ["updates.example.edu", "ftp://x", "https://u@x", "https://x/?a=1", "https://x/#f", ""]
        {
            assert!(normalize_public_url(bad).is_err(), "{bad}");
        }
    }
}
