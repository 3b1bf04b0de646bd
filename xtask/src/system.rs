//! What the machine needs: Debian/Ubuntu packages (installed with apt-get, as root or through
//! sudo), tauri-driver, and an unlocked keyring for the tests. Elsewhere (macOS, Windows) the OS
//! already has what the app needs, so nothing is installed.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{run_cmd, Result};

/// To build and run the app (Tauri v2 on WebKitGTK; nokhwa's V4L2 bindings are generated with
/// libclang; openh264 assembles its fast paths with nasm).
pub const RUN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libdbus-1-dev",
    "libclang-dev",
    "nasm",
];

/// To run every test, besides [`RUN_PACKAGES`]: a virtual display and X tools (xdotool, xprop),
/// the WebDriver for WebKitGTK, a D-Bus session with a real Secret Service (gnome-keyring),
/// PostgreSQL, headless Chromium with its driver for the platform's reviewer console, and FFmpeg,
/// which checks that the recorder's MP4 files decode elsewhere too; sudo, through which the
/// updater installs a `.deb` when no graphical prompt (pkexec) is there (the install test); the
/// openssl tool, which makes the campus CA of the TLS test.
pub const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "xdotool",
    "x11-utils",
    "webkit2gtk-driver",
    "dbus",
    "gnome-keyring",
    "postgresql",
    "chromium",
    "chromium-driver",
    "ffmpeg",
    "sudo",
    "openssl",
];

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.ends_with(b"install ok installed"))
}

pub fn ensure_packages(packages: &[&str]) -> Result {
    if !cfg!(target_os = "linux") || Command::new("dpkg-query").arg("--version").output().is_err() {
        return Ok(());
    }
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing system packages: {}", missing.join(" "));
    let apt = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    run_cmd(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run_cmd(&mut install)
}

/// tauri-driver (the WebDriver front for Tauri apps) comes from crates.io.
pub fn ensure_tauri_driver() -> Result {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    if Command::new("tauri-driver")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
    {
        return Ok(());
    }
    run_cmd(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
        "install",
        "tauri-driver",
        "--locked",
        "--version",
        "^2",
    ]))
}

/// Starts gnome-keyring's Secret Service in the current D-Bus session, unlocked with a throwaway
/// password, and returns the variables its clients need. Its keyring files live in a fresh
/// directory: a login keyring left in the home directory (with another password) would make
/// the daemon prompt for it, and there is nobody to answer.
pub fn unlock_gnome_keyring() -> Result<Vec<(String, String)>> {
    let home = std::env::temp_dir().join(format!("signet-keyring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .env("XDG_DATA_HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"signet-test-keyring").map_err(|e| format!("keyring password: {e}"))?;
    }
    let output = child.wait_with_output().map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
    if !output.status.success() {
        return Err(format!("gnome-keyring-daemon failed ({})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// Fails before the build, with numbers, when the disk holding the target directory is too full
/// for it: a build that runs out of space half-way fails deep inside rustc with "No space left on
/// device", after minutes of work. A fresh target directory needs `fresh_gib`; one that already
/// holds a debug build of the app needs only `warm_gib` more (`target/debug/deps` alone says
/// nothing: cargo builds xtask itself there first). Where `df` is missing (Windows), nothing is
/// checked.
pub fn ensure_disk_space(target: &std::path::Path, fresh_gib: u64, warm_gib: u64) -> Result {
    let warm = target.join(format!("debug/signet{}", std::env::consts::EXE_SUFFIX)).is_file();
    let need = if warm { warm_gib } else { fresh_gib };
    let mut probe = target;
    while !probe.exists() {
        match probe.parent() {
            Some(parent) => probe = parent,
            None => return Ok(()),
        }
    }
    let Ok(output) = Command::new("df").arg("-Pk").arg(probe).output() else {
        return Ok(());
    };
    let Some(free_kib) = parse_df_available(&String::from_utf8_lossy(&output.stdout)) else {
        return Ok(());
    };
    let free_gib = free_kib as f64 / (1024.0 * 1024.0);
    if free_gib < need as f64 {
        return Err(format!(
            "{} has {free_gib:.1} GiB free; {} needs about {need} GiB. Free some space (for \
             example `cargo clean`, or remove old clones' target directories) and run it again",
            probe.display(),
            if warm { "building on the existing target directory" } else { "a fresh build" },
        ));
    }
    eprintln!("disk: {free_gib:.1} GiB free at {} (need about {need} GiB)", probe.display());
    Ok(())
}

/// The "Available" column (KiB) of `df -Pk`'s one data line.
fn parse_df_available(df: &str) -> Option<u64> {
    df.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_available_column_of_df() {
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/vda         264091588 74017608  22446520      77% /\n";
        assert_eq!(parse_df_available(df), Some(22_446_520));
        assert_eq!(parse_df_available("Filesystem\n"), None);
        assert_eq!(parse_df_available("header\n/dev/x 1 2 lots 4% /\n"), None);
    }
}
