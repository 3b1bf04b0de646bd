//! `cargo xtask bundle`: the installable packages this machine can make, built by the Tauri CLI.
//!
//! The CLI is the npm package `@tauri-apps/cli` (pinned in `ui/package.json` to the version of
//! the `tauri` crate): a prebuilt binary installed with the UI's modules in seconds, where
//! `cargo install tauri-cli` compiles for half an hour. It runs from the repository root, where
//! it finds `tauri.conf.json` and, beside it, the app's `Cargo.toml`.
//!
//! Linux: `.deb` only. An AppImage needs linuxdeploy and its GTK plugin, which the Tauri bundler
//! downloads from GitHub while bundling; nothing here may need the network, so it is not tried.
//! macOS: `.app` and `.dmg`; Windows: NSIS `.exe` and `.msi`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::{build_ui, root, run_cmd, system, target_dir, Result};

/// What `tauri build --bundles` makes on this OS without the network.
fn default_bundles() -> &'static str {
    if cfg!(target_os = "macos") {
        "app,dmg"
    } else if cfg!(windows) {
        "nsis,msi"
    } else {
        "deb"
    }
}

/// The release owner's update key pair (from the environment) or a throwaway one (the install
/// test). With it the app is built knowing the public key, and the bundler signs each package.
pub struct Signing {
    /// The private key, or the path of its file (`tauri signer generate -w`).
    pub private_key: String,
    pub password: String,
    /// The public key in Tauri's encoding (base64 of minisign's text form).
    pub public_key: String,
}

impl Signing {
    /// From `TAURI_SIGNING_PRIVATE_KEY` (+ `_PASSWORD`) and `SIGNET_UPDATER_PUBKEY`.
    fn from_env() -> Result<Option<Self>> {
        let Some(private_key) = std::env::var("TAURI_SIGNING_PRIVATE_KEY").ok() else {
            return Ok(None);
        };
        let Some(public_key) = std::env::var("SIGNET_UPDATER_PUBKEY").ok() else {
            return Err("TAURI_SIGNING_PRIVATE_KEY is set but SIGNET_UPDATER_PUBKEY is not: \
                        the app would not know the key its updates are signed with"
                .into());
        };
        let password = std::env::var("TAURI_SIGNING_PRIVATE_KEY_PASSWORD").unwrap_or_default();
        Ok(Some(Self { private_key, password, public_key }))
    }
}

/// `cargo xtask bundle`: extra arguments go to `tauri build` (say `--debug`, or `--bundles rpm`).
pub fn bundle(extra: &[String]) -> Result {
    let signing = Signing::from_env()?;
    if signing.is_none() {
        eprintln!(
            "xtask bundle: no TAURI_SIGNING_PRIVATE_KEY: packages without updater artifacts; \
             this build says auto-update is not set up unless SIGNET_UPDATER_PUBKEY is set"
        );
    }
    let made = make_packages(extra, signing.as_ref())?;
    eprintln!("\npackages:");
    for (path, bytes) in &made {
        eprintln!("  {}  {}", path.display(), size(*bytes));
    }
    if cfg!(target_os = "linux") {
        eprintln!(
            "\nNo AppImage: the Tauri bundler downloads linuxdeploy and its GTK plugin from GitHub \
             while bundling one, and this task uses no network. On a machine with network: \
             `ui/node_modules/.bin/tauri build --bundles appimage` from the repository root."
        );
    }
    Ok(())
}

/// Builds the packages; returns each installer file written (with its size), sorted.
pub fn make_packages(extra: &[String], signing: Option<&Signing>) -> Result<Vec<(PathBuf, u64)>> {
    let started = SystemTime::now();
    system::ensure_packages(system::RUN_PACKAGES)?;
    build_ui()?;
    let cli =
        root().join("ui/node_modules/.bin").join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
    if !cli.exists() {
        return Err(format!(
            "{} is missing: the UI's modules lack the Tauri CLI (`npm ci` in ui/ installs it)",
            cli.display()
        ));
    }
    let mut tauri = Command::new(&cli);
    tauri.current_dir(root()).args(["build", "--ci"]);
    if !extra.iter().any(|a| a == "--bundles" || a == "-b" || a.starts_with("--bundles=")) {
        tauri.args(["--bundles", default_bundles()]);
    }
    tauri.args(extra);
    // A release for auto-update: the owner's key pair comes from the environment, never from the
    // repository. The public key is built into the app (`SIGNET_UPDATER_PUBKEY`, read at compile
    // time); with the private key the bundler also writes each updater artifact and its `.sig`,
    // ready for `signet-server release publish`.
    if let Some(signing) = signing {
        let key = &signing.public_key;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        {
            return Err("SIGNET_UPDATER_PUBKEY is not a base64 public key (the `.pub` file \
                        `tauri signer generate` writes)"
                .into());
        }
        tauri
            .env("TAURI_SIGNING_PRIVATE_KEY", &signing.private_key)
            .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", &signing.password)
            .env("SIGNET_UPDATER_PUBKEY", key);
        // The bundler checks each signature it writes against the configured public key.
        tauri.args([
            "--config".to_string(),
            format!(
                r#"{{"bundle":{{"createUpdaterArtifacts":true}},"plugins":{{"updater":{{"pubkey":"{key}"}}}}}}"#
            ),
        ]);
    }
    // Only the app: `cargo build` alone would build every default workspace member (the server).
    tauri.args(["--", "--package", "signet"]);
    run_cmd(&mut tauri)?;

    let profile =
        if extra.iter().any(|a| a == "--debug" || a == "-d") { "debug" } else { "release" };
    let bundle_dir = target_dir().join(profile).join("bundle");
    let mut made = Vec::new();
    collect_packages(&bundle_dir, started, &mut made);
    if made.is_empty() {
        return Err(format!("no package was written under {}", bundle_dir.display()));
    }
    made.sort();
    Ok(made)
}

/// Installer files under `dir` written since `since` (the CLI leaves older ones in place).
fn collect_packages(dir: &Path, since: SystemTime, out: &mut Vec<(PathBuf, u64)>) {
    const KINDS: [&str; 6] = ["deb", "rpm", "AppImage", "dmg", "msi", "exe"];
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            // `.app` bundles are directories: report them whole, do not descend.
            if path.extension().is_some_and(|e| e == "app") {
                if meta.modified().is_ok_and(|m| m >= since) {
                    out.push((path.clone(), dir_size(&path)));
                }
            } else {
                collect_packages(&path, since, out);
            }
        } else if path.extension().is_some_and(|e| KINDS.iter().any(|k| e == *k))
            && meta.modified().is_ok_and(|m| m >= since)
        {
            out.push((path, meta.len()));
        }
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_size(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

fn size(bytes: u64) -> String {
    format!("{:.1} MiB ({bytes} bytes)", bytes as f64 / (1024.0 * 1024.0))
}
