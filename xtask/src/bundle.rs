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

/// Extra arguments go to `tauri build` (say `--debug`, or `--bundles rpm`).
pub fn bundle(extra: &[String]) -> Result {
    let started = SystemTime::now();
    system::ensure_packages(system::RUN_PACKAGES)?;
    build_ui()?;
    let cli =
        root().join("ui/node_modules/.bin").join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
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
    let signing = std::env::var_os("TAURI_SIGNING_PRIVATE_KEY").is_some();
    if signing {
        if std::env::var_os("SIGNET_UPDATER_PUBKEY").is_none() {
            return Err("TAURI_SIGNING_PRIVATE_KEY is set but SIGNET_UPDATER_PUBKEY is not: \
                        the app would not know the key its updates are signed with"
                .into());
        }
        tauri.args(["--config", r#"{"bundle":{"createUpdaterArtifacts":true}}"#]);
    } else {
        eprintln!(
            "xtask bundle: no TAURI_SIGNING_PRIVATE_KEY: packages without updater artifacts; \
             this build says auto-update is not set up unless SIGNET_UPDATER_PUBKEY is set"
        );
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
