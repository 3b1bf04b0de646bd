//! Update manifests for the desktop app: `release publish` fills the releases directory, and
//! `GET /api/v1/updates/{target}/{arch}/{current_version}` answers the app's updater from it.
//! These routes do not touch the database, so the tests run on SQLite only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The harness of the `server` test binary; this binary uses only part of it (one backend: no
// `on_both_backends!`).
#[allow(dead_code, unused_macros)]
#[path = "server/common.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_server::{
    publish_release, AppError, AppState, DbConfig, ManualClock, NewRelease, Release, Settings,
};
use tower::ServiceExt;

use common::{test_settings, Harness, Reply, START};

const HOST: &str = "updates.test:8787";
const LINUX: &str = "Signet_1.2.0_amd64.AppImage.tar.gz";
const WINDOWS: &str = "Signet_1.2.0_x64-setup.exe";
const MAC: &str = "Signet_aarch64.app.tar.gz";

/// A server on a data directory of its own (releases in `data/releases`), and a build directory
/// where artifacts are made the way the Tauri bundler leaves them.
struct Fixture {
    h: Harness,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        Self::with(|settings| settings).await
    }

    async fn with(configure: impl FnOnce(Settings) -> Settings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let settings = configure(test_settings(clock.clone()));
        let state = AppState::open_with(DbConfig::data_dir(dir.path().join("data")), settings)
            .await
            .unwrap();
        Self { h: Harness { state, clock }, dir }
    }

    fn releases(&self) -> PathBuf {
        self.dir.path().join("data").join("releases")
    }

    /// Writes `build/<version>/<name>` with `bytes`, and its `.sig` with `signature`.
    fn artifact_with(&self, version: &str, name: &str, bytes: &[u8], signature: &str) -> PathBuf {
        let build = self.dir.path().join("build").join(version);
        std::fs::create_dir_all(&build).unwrap();
        let path = build.join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::write(build.join(format!("{name}.sig")), signature).unwrap();
        path
    }

    fn artifact(&self, version: &str, name: &str) -> PathBuf {
        let bytes = format!("{name} {version}").into_bytes();
        self.artifact_with(version, name, &bytes, &signature_of(name))
    }

    /// Publishes `version` for `platforms` (key, artifact name), as the CLI does.
    fn publish(&self, version: &str, platforms: &[(&str, &str)]) -> Release {
        publish_release(&self.releases(), &self.new_release(version, platforms), START).unwrap()
    }

    fn new_release(&self, version: &str, platforms: &[(&str, &str)]) -> NewRelease {
        NewRelease {
            version: version.to_owned(),
            notes: format!("Signet {version}: 修复签名同步"),
            platforms: platforms
                .iter()
                .map(|(key, name)| ((*key).to_owned(), self.artifact(version, name)))
                .collect(),
        }
    }

    fn refuse(&self, new: &NewRelease) -> AppError {
        publish_release(&self.releases(), new, START).unwrap_err()
    }

    /// `GET path` with `Host: updates.test:8787`.
    async fn get(&self, path: &str) -> Reply {
        let request =
            Request::builder().uri(path).header(header::HOST, HOST).body(Body::empty()).unwrap();
        self.h.send(request).await
    }

    async fn check(&self, target: &str, arch: &str, current: &str) -> Reply {
        self.get(&format!("/api/v1/updates/{target}/{arch}/{current}")).await
    }

    /// Status, headers and raw bytes of an artifact download.
    async fn download(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = Request::builder().method(Method::GET).uri(path).body(Body::empty()).unwrap();
        let response = self.h.app().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap();
        (status, headers, bytes.to_vec())
    }
}

/// What the Tauri bundler writes in a `.sig`: the base64 of a minisign signature.
fn signature_of(file: &str) -> String {
    STANDARD.encode(format!(
        "untrusted comment: signature from tauri secret key\n\
         RUTMOCKSIGNATUREBYTESxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx==\n\
         trusted comment: timestamp:1767225600\tfile:{file}\n\
         MOCKGLOBALSIGNATUREyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy==\n"
    ))
}

/// Every file under `dir` with its bytes; `None` when `dir` does not exist.
fn snapshot(dir: &Path) -> Option<BTreeMap<PathBuf, Vec<u8>>> {
    fn walk(dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.insert(path.clone(), Vec::new());
                walk(&path, files);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    if !dir.exists() {
        return None;
    }
    let mut files = BTreeMap::new();
    walk(dir, &mut files);
    Some(files)
}

fn url(version: &str, file: &str) -> String {
    format!("http://{HOST}/api/v1/updates/artifacts/{version}/{file}")
}

const ALL_THREE: &[(&str, &str)] =
    &[("linux-x86_64", LINUX), ("windows-x86_64", WINDOWS), ("darwin-aarch64", MAC)];

// --- The manifest ---------------------------------------------------------------------------

#[tokio::test]
async fn offers_the_newest_release_for_every_platform_with_absolute_urls() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);

    let reply = f.check("linux", "x86_64", "1.1.0").await;

    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({
            "version": "1.2.0",
            "notes": "Signet 1.2.0: 修复签名同步",
            "pub_date": "2026-01-01T00:00:00Z",
            "platforms": {
                "linux-x86_64": { "signature": signature_of(LINUX), "url": url("1.2.0", LINUX) },
                "windows-x86_64": { "signature": signature_of(WINDOWS), "url": url("1.2.0", WINDOWS) },
                "darwin-aarch64": { "signature": signature_of(MAC), "url": url("1.2.0", MAC) },
            },
        })
    );
}

#[tokio::test]
async fn every_platform_of_the_release_gets_the_same_manifest() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    let linux = f.check("linux", "x86_64", "1.0.0").await;

    for (target, arch) in [("windows", "x86_64"), ("darwin", "aarch64")] {
        let reply = f.check(target, arch, "1.0.0").await;
        assert_eq!(reply.status, StatusCode::OK, "{target}-{arch}");
        assert_eq!(reply.body, linux.body, "{target}-{arch}");
    }
}

#[tokio::test]
async fn an_app_on_the_newest_version_gets_204() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);

    let reply = f.check("windows", "x86_64", "1.2.0").await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_null());
}

#[tokio::test]
async fn an_app_newer_than_every_release_gets_204() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);

    for current in ["1.2.1", "1.3.0-alpha.1", "2.0.0"] {
        assert_eq!(f.check("linux", "x86_64", current).await.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn nothing_published_gets_204() {
    let f = Fixture::new().await;

    assert_eq!(f.check("linux", "x86_64", "0.1.0").await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_platform_the_newest_release_lacks_still_hears_of_it_without_its_key() {
    let f = Fixture::new().await;
    f.publish("1.1.0", &[("linux-x86_64", LINUX), ("darwin-x86_64", MAC)]);
    f.publish("1.2.0", ALL_THREE);

    // The app's updater finds no key for its platform and says so to the user, rather than
    // reporting the app up to date.
    for (target, arch) in [("darwin", "x86_64"), ("windows", "aarch64"), ("linux", "armv7")] {
        let reply = f.check(target, arch, "1.0.0").await;
        assert_eq!(reply.status, StatusCode::OK, "{target}-{arch}");
        assert_eq!(reply.body["version"], "1.2.0");
        assert!(reply.body["platforms"].get(format!("{target}-{arch}")).is_none());
    }
}

#[tokio::test]
async fn the_newest_of_two_releases_wins_whatever_the_publishing_order() {
    let f = Fixture::new().await;
    f.publish("1.3.0", ALL_THREE);
    f.publish("1.2.0", ALL_THREE);

    for current in ["1.1.0", "1.2.0"] {
        let reply = f.check("linux", "x86_64", current).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["version"], "1.3.0");
        assert_eq!(reply.body["platforms"]["linux-x86_64"]["url"], url("1.3.0", LINUX));
    }
    assert_eq!(f.check("linux", "x86_64", "1.3.0").await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn versions_compare_by_semver_precedence_not_as_text() {
    let f = Fixture::new().await;
    f.publish("1.10.0", ALL_THREE);
    f.publish("1.9.0", ALL_THREE);

    let reply = f.check("linux", "x86_64", "1.9.0").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["version"], "1.10.0");
}

#[tokio::test]
async fn a_pre_release_is_older_than_its_release() {
    let f = Fixture::new().await;
    f.publish("1.2.0-beta.1", ALL_THREE);

    // Only the beta: it is newer than 1.1.0, older than 1.2.0.
    assert_eq!(f.check("linux", "x86_64", "1.1.0").await.body["version"], "1.2.0-beta.1");
    assert_eq!(f.check("linux", "x86_64", "1.2.0-beta.1").await.status, StatusCode::NO_CONTENT);
    assert_eq!(f.check("linux", "x86_64", "1.2.0").await.status, StatusCode::NO_CONTENT);

    // Numeric identifiers compare as numbers: beta.10 > beta.2.
    f.publish("1.2.0-beta.2", ALL_THREE);
    f.publish("1.2.0-beta.10", ALL_THREE);
    assert_eq!(f.check("linux", "x86_64", "1.2.0-beta.2").await.body["version"], "1.2.0-beta.10");

    f.publish("1.2.0", ALL_THREE);
    for current in ["1.1.0", "1.2.0-beta.1", "1.2.0-beta.10"] {
        let reply = f.check("linux", "x86_64", current).await;
        assert_eq!(reply.body["version"], "1.2.0", "{current}");
    }
}

#[tokio::test]
async fn installer_keys_are_matched_to_the_bundle_type() {
    let f = Fixture::new().await;
    f.publish(
        "1.2.0",
        &[
            ("linux-x86_64-deb", "Signet_1.2.0_amd64.deb"),
            ("windows-x86_64", WINDOWS),
            ("windows-x86_64-msi", "Signet_1.2.0_x64_en-US.msi"),
        ],
    );

    let linux = "/api/v1/updates/linux/x86_64/1.1.0";
    let windows = "/api/v1/updates/windows/x86_64/1.1.0";
    // Every app hears of the newer release; the manifest holds the keys as published, and an
    // app whose installer has none (an AppImage here, or one that cannot tell) finds no package
    // in it and says so.
    for query in ["", "?bundle_type=deb", "?bundle_type=appimage", "?bundle_type=unknown"] {
        let reply = f.get(&format!("{linux}{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert!(reply.body["platforms"].get("linux-x86_64-deb").is_some());
        assert!(reply.body["platforms"].get("linux-x86_64").is_none());
        assert!(reply.body["platforms"].get("linux-x86_64-appimage").is_none());
    }
    // The plain key serves every installer.
    assert_eq!(f.get(&format!("{windows}?bundle_type=nsis")).await.status, StatusCode::OK);
    assert_eq!(f.get(&format!("{windows}?bundle_type=msi")).await.status, StatusCode::OK);

    let reply = f.get(&format!("{linux}?bundle_type=deb")).await;
    let keys: Vec<&String> = reply.body["platforms"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["linux-x86_64-deb", "windows-x86_64", "windows-x86_64-msi"]);
}

#[tokio::test]
async fn an_invalid_current_version_is_invalid_input() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);

    for current in ["1.2", "v1.1.0", "latest", "1.1.0.0", "%20"] {
        let reply = f.check("linux", "x86_64", current).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{current}");
        assert_eq!(reply.code(), "invalid_input");
        assert_eq!(reply.detail("field"), Some(&json!("current_version")), "{current}");
    }
}

#[tokio::test]
async fn an_unknown_target_arch_or_bundle_type_is_invalid_input() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);

    for (path, field) in [
        ("/api/v1/updates/macos/aarch64/1.0.0", "target"),
        ("/api/v1/updates/Linux/x86_64/1.0.0", "target"),
        ("/api/v1/updates/linux/amd64/1.0.0", "arch"),
        ("/api/v1/updates/windows/x64/1.0.0", "arch"),
        ("/api/v1/updates/linux/x86_64/1.0.0?bundle_type=zip", "bundle_type"),
    ] {
        let reply = f.get(path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(reply.code(), "invalid_input");
        assert_eq!(reply.detail("field"), Some(&json!(field)), "{path}");
    }
}

#[tokio::test]
async fn a_configured_public_url_wins_over_the_host_header() {
    let f = Fixture::with(|s| s.with_public_url("https://platform.example.edu/signet/")).await;
    f.publish("1.2.0", ALL_THREE);

    let reply = f.check("linux", "x86_64", "1.1.0").await;

    assert_eq!(
        reply.body["platforms"]["linux-x86_64"]["url"],
        format!("https://platform.example.edu/signet/api/v1/updates/artifacts/1.2.0/{LINUX}")
    );
}

#[tokio::test]
async fn without_a_public_url_an_unusable_host_is_invalid_input() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    let path = "/api/v1/updates/linux/x86_64/1.1.0";

    let no_host = f.h.call(Method::GET, path, None).await;
    let with_user_info =
        f.h.send(
            Request::builder()
                .uri(path)
                .header(header::HOST, "attacker@updates.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await;

    for reply in [no_host, with_user_info] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.detail("field"), Some(&json!("host")));
    }
}

#[tokio::test]
async fn an_invalid_public_url_stops_the_server_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_tests().with_public_url("platform.example.edu");

    let opened = AppState::open_with(DbConfig::data_dir(dir.path()), settings).await;

    assert_eq!(opened.unwrap_err().code().as_str(), "invalid_input");
}

#[tokio::test]
async fn unfinished_or_damaged_release_directories_are_passed_over() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    let releases = f.releases();
    // A publish in progress, a version directory without release.json, a damaged one.
    std::fs::create_dir_all(releases.join(".publish-9.0.0-0123456789abcdef")).unwrap();
    std::fs::write(releases.join(".publish-9.0.0-0123456789abcdef/release.json"), "{}").unwrap();
    std::fs::create_dir_all(releases.join("8.0.0")).unwrap();
    std::fs::create_dir_all(releases.join("7.0.0")).unwrap();
    std::fs::write(releases.join("7.0.0/release.json"), "not json").unwrap();
    std::fs::create_dir_all(releases.join("notes")).unwrap();

    let reply = f.check("linux", "x86_64", "1.0.0").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["version"], "1.2.0");
}

// --- Artifacts --------------------------------------------------------------------------------

#[tokio::test]
async fn the_artifact_downloads_byte_for_byte() {
    let f = Fixture::new().await;
    let bytes: Vec<u8> =
        (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let path = f.artifact_with("1.2.0", LINUX, &bytes, &signature_of(LINUX));
    let new = NewRelease {
        version: "1.2.0".into(),
        notes: String::new(),
        platforms: vec![("linux-x86_64".into(), path)],
    };
    let release = publish_release(&f.releases(), &new, START).unwrap();
    assert_eq!(release.platforms["linux-x86_64"].size, 300_000);
    assert_eq!(release.platforms["linux-x86_64"].sha256, hex::encode(Sha256::digest(&bytes)));

    let (status, headers, body) =
        f.download(&format!("/api/v1/updates/artifacts/1.2.0/{LINUX}")).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(headers[header::CONTENT_LENGTH], "300000");
    assert!(body == bytes, "the downloaded bytes differ");
}

#[tokio::test]
async fn two_platforms_may_share_one_artifact() {
    let f = Fixture::new().await;
    let path = f.artifact("1.2.0", WINDOWS);
    let new = NewRelease {
        version: "1.2.0".into(),
        notes: String::new(),
        platforms: vec![
            ("windows-x86_64".into(), path.clone()),
            ("windows-x86_64-nsis".into(), path),
        ],
    };

    publish_release(&f.releases(), &new, START).unwrap();

    let body = f.check("windows", "x86_64", "1.0.0").await.body;
    assert_eq!(body["platforms"]["windows-x86_64"]["url"], url("1.2.0", WINDOWS));
    assert_eq!(body["platforms"]["windows-x86_64-nsis"]["url"], url("1.2.0", WINDOWS));
}

#[tokio::test]
async fn paths_outside_the_listed_artifacts_are_refused() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    // On disk in the release directory, but not listed by the release.
    std::fs::write(f.releases().join("1.2.0/extra.bin"), b"not an artifact").unwrap();

    for (path, status) in [
        ("/api/v1/updates/artifacts/1.2.0/..%2F..%2Fsignet.db", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/%2e%2e", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/..", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/..%2F..%2Fdata/signet.db", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/../signet.db", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/release.json", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/.hidden", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/a%5Cb", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/.publish-1.2.0-0123456789abcdef/x", StatusCode::BAD_REQUEST),
        ("/api/v1/updates/artifacts/1.2.0/extra.bin", StatusCode::NOT_FOUND),
        (
            "/api/v1/updates/artifacts/1.2.0/Signet_1.2.0_amd64.AppImage.tar.gz.sig",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/updates/artifacts/1.3.0/Signet_1.2.0_amd64.AppImage.tar.gz",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/updates/artifacts/1.2.0/a/b", StatusCode::NOT_FOUND),
    ] {
        let (got, _, body) = f.download(path).await;
        assert_eq!(got, status, "{path}: {}", String::from_utf8_lossy(&body));
    }
}

// --- Publishing refusals ----------------------------------------------------------------------

/// Publishing `new` is refused with `code` and a message containing `says`, and the releases
/// directory is exactly as before.
fn assert_refused(f: &Fixture, new: &NewRelease, code: &str, says: &str) {
    let before = snapshot(&f.releases());
    let err = f.refuse(new);
    assert_eq!(err.code().as_str(), code, "{err}");
    assert!(err.message().contains(says), "{:?} does not say {says:?}", err.message());
    assert_eq!(snapshot(&f.releases()), before, "the releases directory changed");
}

#[tokio::test]
async fn publish_refuses_a_release_missing_an_artifact_and_writes_nothing() {
    let f = Fixture::new().await;
    let mut new = f.new_release("1.2.0", ALL_THREE);
    new.platforms
        .push(("darwin-x86_64".into(), f.dir.path().join("build/1.2.0/missing.app.tar.gz")));

    assert_refused(&f, &new, "invalid_input", "darwin-x86_64: the artifact");
    assert_eq!(snapshot(&f.releases()), None, "not even the releases directory was created");
}

#[tokio::test]
async fn publish_refuses_an_artifact_without_its_sig() {
    let f = Fixture::new().await;
    f.publish("1.1.0", ALL_THREE);
    let new = f.new_release("1.2.0", ALL_THREE);
    std::fs::remove_file(f.dir.path().join(format!("build/1.2.0/{WINDOWS}.sig"))).unwrap();

    assert_refused(&f, &new, "invalid_input", "windows-x86_64: the signature");
}

#[tokio::test]
async fn publish_refuses_a_sig_that_is_not_a_tauri_signature() {
    let f = Fixture::new().await;
    f.publish("1.1.0", ALL_THREE);
    for (signature, says) in [
        ("".to_owned(), "is empty"),
        ("  \n".to_owned(), "is empty"),
        ("not base64 at all!".to_owned(), "is not base64"),
        (STANDARD.encode("trusted comment: no untrusted line\n"), "untrusted comment:"),
    ] {
        let mut new = f.new_release("1.2.0", ALL_THREE);
        new.platforms[0].1 = f.artifact_with("1.2.0", LINUX, b"bytes", &signature);
        assert_refused(&f, &new, "invalid_input", says);
    }
    let mut new = f.new_release("1.2.0", ALL_THREE);
    std::fs::write(f.dir.path().join(format!("build/1.2.0/{LINUX}.sig")), [0xff, 0xfe]).unwrap();
    new.platforms.truncate(1);
    assert_refused(&f, &new, "invalid_input", "is not text");
}

#[tokio::test]
async fn publish_refuses_a_version_already_published() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    let new = f.new_release("1.2.0", &[("linux-x86_64", "Signet_1.2.0_other.AppImage.tar.gz")]);

    assert_refused(&f, &new, "conflict", "already published");
    let served = f.check("linux", "x86_64", "1.0.0").await.body;
    assert_eq!(served["platforms"]["linux-x86_64"]["url"], url("1.2.0", LINUX));
}

#[tokio::test]
async fn publish_refuses_a_version_that_is_not_semver_or_has_build_metadata() {
    let f = Fixture::new().await;
    f.publish("1.1.0", ALL_THREE);
    for version in ["1.2", "v1.2.0", "latest", "", "../1.2.0", "1.2.0+build.7"] {
        let mut new = f.new_release("1.2.0", ALL_THREE);
        new.version = version.to_owned();
        assert_refused(&f, &new, "invalid_input", "");
        assert_eq!(f.refuse(&new).details().unwrap()["field"], "version", "{version}");
    }
}

#[tokio::test]
async fn publish_refuses_platform_keys_the_updater_never_looks_up() {
    let f = Fixture::new().await;
    for key in ["linux-amd64", "macos-aarch64", "windows-x86_64-deb", "linux", "linux-x86_64-zip"] {
        let new = f.new_release("1.2.0", &[(key, LINUX)]);
        assert_refused(&f, &new, "invalid_input", "is not a platform the updater looks up");
    }
}

#[tokio::test]
async fn publish_refuses_a_platform_given_twice_or_none() {
    let f = Fixture::new().await;
    let twice = f.new_release("1.2.0", &[("linux-x86_64", LINUX), ("linux-x86_64", LINUX)]);
    assert_refused(&f, &twice, "invalid_input", "given twice");

    let none = NewRelease { version: "1.2.0".into(), notes: String::new(), platforms: vec![] };
    assert_refused(&f, &none, "invalid_input", "at least one platform");
}

#[tokio::test]
async fn publish_refuses_two_different_files_of_one_name() {
    let f = Fixture::new().await;
    let mut new = f.new_release("1.2.0", &[("linux-x86_64", LINUX)]);
    let other = f.dir.path().join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(LINUX), b"other bytes").unwrap();
    std::fs::write(other.join(format!("{LINUX}.sig")), signature_of(LINUX)).unwrap();
    new.platforms.push(("linux-x86_64-appimage".into(), other.join(LINUX)));

    assert_refused(&f, &new, "invalid_input", "also named");
}

#[tokio::test]
async fn publish_refuses_artifact_names_unfit_for_a_url() {
    let f = Fixture::new().await;
    let new = f.new_release("1.2.0", &[("windows-x86_64", "Signet 1.2.0 setup.exe")]);

    assert_refused(&f, &new, "invalid_input", "must be ASCII letters");
}

#[tokio::test]
async fn publish_refuses_notes_over_the_limit() {
    let f = Fixture::new().await;
    let mut new = f.new_release("1.2.0", ALL_THREE);
    new.notes = "x".repeat(signet_server::MAX_RELEASE_NOTES_BYTES + 1);

    assert_refused(&f, &new, "invalid_input", "notes");
}

// --- Through the real binary and over TCP ---------------------------------------------------

fn signet_server(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_signet-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_release_commands_publish_list_and_refuse_through_the_binary() {
    let f = Fixture::new().await;
    let data = f.dir.path().join("data");
    let data = data.to_str().unwrap();
    let linux = f.artifact("1.2.0", LINUX);
    let windows = f.artifact("1.2.0", WINDOWS);
    let notes = f.dir.path().join("notes.md");
    std::fs::write(&notes, "- 签名同步更快\n- Fixes\n").unwrap();
    let publish = |version: &str| {
        signet_server(&[
            "release",
            "publish",
            "--data-dir",
            data,
            "--version",
            version,
            "--notes-file",
            notes.to_str().unwrap(),
            "--platform",
            &format!("linux-x86_64={}", linux.display()),
            "--platform",
            &format!("windows-x86_64={}", windows.display()),
        ])
    };

    let published = publish("1.2.0");
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    assert!(String::from_utf8_lossy(&published.stdout).starts_with("published 1.2.0 in "));

    let again = publish("1.2.0");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("1.2.0 is already published"));

    let listed =
        signet_server(&["release", "list", "--releases-dir", f.releases().to_str().unwrap()]);
    assert!(listed.status.success());
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let line = listed.lines().next().unwrap();
    assert!(line.starts_with("1.2.0  20"), "{line}");
    assert!(line.ends_with("  linux-x86_64 windows-x86_64"), "{line}");

    let reply = f.check("windows", "x86_64", "1.1.0").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["notes"], "- 签名同步更快\n- Fixes\n");
}

#[tokio::test]
async fn the_release_list_is_newest_first() {
    let f = Fixture::new().await;
    f.publish("1.2.0-beta.1", ALL_THREE);
    f.publish("1.10.0", &[("linux-x86_64", LINUX)]);
    f.publish("1.2.0", ALL_THREE);

    let releases = signet_server::list_releases(&f.releases()).unwrap();

    let versions: Vec<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["1.10.0", "1.2.0", "1.2.0-beta.1"]);
    assert_eq!(
        signet_server::format_releases(&releases[..1]),
        "1.10.0  2026-01-01T00:00:00Z  linux-x86_64\n"
    );
}

#[tokio::test]
async fn the_manifest_urls_download_over_tcp() {
    let f = Fixture::new().await;
    f.publish("1.2.0", ALL_THREE);
    let server = signet_server::spawn(f.h.state.clone()).await.unwrap();
    let client = common::http_client(std::time::Duration::from_secs(20));

    let manifest: serde_json::Value = client
        .get(format!("{}/api/v1/updates/darwin/aarch64/1.0.0", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let artifact_url = manifest["platforms"]["darwin-aarch64"]["url"].as_str().unwrap();
    assert!(artifact_url.starts_with(&format!("{}/api/v1/updates/artifacts/", server.base_url())));
    let artifact = client.get(artifact_url).send().await.unwrap();
    assert_eq!(artifact.content_length(), Some(format!("{MAC} 1.2.0").len() as u64));
    assert_eq!(artifact.bytes().await.unwrap(), format!("{MAC} 1.2.0").as_bytes());

    server.stop().await.unwrap();
}
