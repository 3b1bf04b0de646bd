//! The full install test (`tests/install.rs`), the last part of `cargo xtask test` on Linux: real
//! `.deb` packages of this version and of the next, built by the same path as a release
//! (`cargo xtask bundle`, here as debug builds) and signed by the Tauri bundler with a throwaway
//! key pair made for this run. The installed older package must update itself to the newer one.
//!
//! Both builds share the target directory of the other tests: they add the bundler's features and
//! configuration to the app crate only, so each takes a minute or two, not a clean build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bundle::{make_packages, Signing};
use crate::{cargo, root, run_cmd, target_dir, Result};

/// The variable naming the packages' directory for the test.
const PACKAGES_ENV: &str = "SIGNET_INSTALL_PACKAGES";

/// Builds the packages, then runs the install test with `env` (the keyring's session).
pub fn run(env: &[(String, String)]) -> Result {
    let dir = target_dir().join("install-test");
    build_packages(&dir)?;
    let mut test = cargo();
    test.args(["test", "-p", "signet", "--test", "install", "--", "--ignored"])
        .env(PACKAGES_ENV, &dir);
    for (key, value) in env {
        test.env(key, value);
    }
    run_cmd(&mut test)
}

fn build_packages(dir: &Path) -> Result {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).map_err(|e| format!("{}: {e}", keys.display()))?;
    let key_file = keys.join("update.key");
    let cli = root().join("ui/node_modules/.bin/tauri");
    run_cmd(
        Command::new(&cli)
            .args(["signer", "generate", "--ci", "--force", "--password", "", "--write-keys"])
            .arg(&key_file),
    )?;
    let public_key = read(&keys.join("update.key.pub"))?.trim().to_string();
    let signing = Signing {
        private_key: key_file.display().to_string(),
        password: String::new(),
        public_key,
    };
    let version = app_version()?;
    let next = next_patch(&version)?;
    eprintln!("install test: packages of {version} (installed first) and {next} (the update)");
    for (name, config) in [("old", None), ("new", Some(next))] {
        let mut extra = vec!["--debug".to_string()];
        if let Some(version) = config {
            extra.extend(["--config".to_string(), format!(r#"{{"version":"{version}"}}"#)]);
        }
        let made = make_packages(&extra, Some(&signing))?;
        let deb = made
            .iter()
            .map(|(path, _)| path)
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
            .ok_or("the bundler wrote no .deb")?;
        let out = dir.join(name);
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        copy(deb, &out.join("signet.deb"))?;
        copy(&sig_of(deb), &out.join("signet.deb.sig"))?;
    }
    Ok(())
}

fn sig_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The app's version: `tauri.conf.json`'s top-level `"version"`.
fn app_version() -> Result<String> {
    let conf = read(&root().join("tauri.conf.json"))?;
    conf.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix(r#""version": ""#)?.split('"').next())
        .map(str::to_string)
        .ok_or_else(|| "tauri.conf.json has no \"version\"".to_string())
}

/// `1.2.3` → `1.2.4`.
fn next_patch(version: &str) -> Result<String> {
    let parts: Vec<&str> = version.split('.').collect();
    match parts[..] {
        [major, minor, patch] => {
            let patch: u64 =
                patch.parse().map_err(|_| format!("version {version} is not major.minor.patch"))?;
            Ok(format!("{major}.{minor}.{}", patch + 1))
        }
        _ => Err(format!("version {version} is not major.minor.patch")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_update_is_the_next_patch_version() {
        assert_eq!(next_patch("0.1.0").as_deref(), Ok("0.1.1"));
        assert_eq!(next_patch("2.9.19").as_deref(), Ok("2.9.20"));
        assert!(next_patch("1.2").is_err());
        assert!(next_patch("1.2.x").is_err());
    }

    #[test]
    fn the_version_is_read_from_the_tauri_configuration() {
        let version = app_version().unwrap_or_default();
        assert!(next_patch(&version).is_ok(), "{version}");
    }
}
