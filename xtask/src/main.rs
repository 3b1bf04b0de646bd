//! Signet's developer tasks: `cargo xtask run`, `cargo xtask test`, `cargo xtask bench` and
//! `cargo xtask bundle`.
//!
//! Each installs what is missing first (Debian/Ubuntu system packages, tauri-driver, the UI's npm
//! modules), so a fresh clone needs nothing but cargo and node. Std only: this crate builds in
//! seconds, before anything else.

mod bench;
mod bundle;
mod install_test;
mod postgres;
mod system;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(&args[1..]),
        Some("test-inner") => test_inner(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("bundle") => bundle::bundle(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n  run    install what is missing, start the sandbox platform and the app\n  test   everything: fmt, clippy, UI type-check, all tests (PostgreSQL, keyring, WebDriver)\n  bench  the benchmarks against their references (installs ImageMagick), with a summary\n  bundle the installable packages this machine can make (Linux: .deb), release build"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command to completion, failing with its name when it fails.
pub fn run_cmd(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn npm() -> Command {
    let mut cmd = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    cmd.current_dir(root().join("ui"));
    cmd
}

/// Installs the UI's modules when the lockfile changed since the last install, then builds it.
fn build_ui() -> Result {
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let lock = ui.join("package-lock.json");
    let stale = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => match (s.modified(), l.modified()) {
            (Ok(s), Ok(l)) => l > s,
            _ => true,
        },
        _ => true,
    };
    if stale {
        run_cmd(npm().args(["ci", "--no-audit", "--no-fund"]))?;
    }
    run_cmd(npm().args(["run", "build"]))
}

fn run() -> Result {
    system::ensure_packages(system::RUN_PACKAGES)?;
    build_ui()?;
    run_cmd(
        cargo()
            .args(["build", "-p", "signet-server", "--bin", "signet-server", "--bin", "signet"])
            .arg("--workspace"),
    )?;
    let target = target_dir();
    let data = root().join(".sandbox/platform");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let bind = "127.0.0.1:8787";
    eprintln!("starting the sandbox platform on http://{bind} (data in {})", data.display());
    let mut server = Command::new(target.join("debug/signet-server"))
        .args(["serve", "--seed-demo", "--bind", bind, "--data-dir"])
        .arg(&data)
        .spawn()
        .map_err(|e| format!("signet-server: {e}"))?;
    eprintln!(
        "\ndemo accounts (also in README.md):\n  staff01    / Signet-demo-1    staff, not yet real-name verified\n  staff02    / Signet-demo-2    staff, verified (居民身份证 110***********002X)\n  reviewer01 / Signet-review-1  reviewer\n"
    );
    let app = Command::new(target.join("debug/signet"))
        .env("SIGNET_PLATFORM_URL", format!("http://{bind}"))
        .status();
    let _ = server.kill();
    let _ = server.wait();
    match app {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("the app exited with {status}")),
        Err(e) => Err(format!("signet: {e}")),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Disk space `cargo xtask test` needs in the target directory: a fresh clone's whole build (tests,
/// clippy, the two install-test packages) peaked at 7.7 GiB without incremental caches (as
/// `.ci/run` builds), 11 GiB with them; a warm one adds far less.
const TEST_FRESH_GIB: u64 = 12;
const TEST_WARM_GIB: u64 = 4;

/// Outer half of `cargo xtask test`: installs, checks style, starts PostgreSQL, then re-runs
/// itself inside a D-Bus session with an unlocked keyring and a virtual display.
fn test(extra: &[String]) -> Result {
    let started = std::time::Instant::now();
    system::ensure_disk_space(&target_dir(), TEST_FRESH_GIB, TEST_WARM_GIB)?;
    system::ensure_packages(&[system::RUN_PACKAGES, system::TEST_PACKAGES].concat())?;
    system::ensure_tauri_driver()?;
    build_ui()?;
    run_cmd(npm().args(["run", "typecheck"]))?;
    run_cmd(cargo().args(["fmt", "--all", "--check"]))?;
    run_cmd(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // Build the tests before the clock of any server or keyring starts.
    run_cmd(cargo().args(["test", "--workspace", "--no-run"]))?;
    let pg = postgres::Cluster::start()?;
    let me = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut inner = if cfg!(target_os = "linux") {
        let mut cmd = Command::new("dbus-run-session");
        cmd.args(["--", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]).arg(me);
        cmd
    } else {
        Command::new(me)
    };
    inner
        .arg("test-inner")
        .args(extra)
        .env("SIGNET_TEST_DATABASE_URL", pg.url())
        .current_dir(root());
    let result = run_cmd(&mut inner);
    drop(pg);
    eprintln!(
        "xtask test: {} in {:.0?}",
        if result.is_ok() { "passed" } else { "FAILED" },
        started.elapsed()
    );
    result
}

/// Inner half: unlock a real keyring in this D-Bus session, then run every test.
fn test_inner(extra: &[String]) -> Result {
    let mut cargo_test = cargo();
    let keyring = if cfg!(target_os = "linux") { system::unlock_gnome_keyring()? } else { vec![] };
    for (key, value) in &keyring {
        cargo_test.env(key, value);
    }
    // Every test binary runs even after one fails, so a run reports all its failures at once.
    cargo_test.args(["test", "--workspace", "--no-fail-fast"]).args(extra);
    let tests = run_cmd(&mut cargo_test);
    // Last, because its package builds change the app binary the other tests drive: the full
    // install test (Debian packages; needs root, as CI runs).
    let install = if !cfg!(target_os = "linux") {
        Ok(())
    } else if !extra.is_empty() {
        eprintln!(
            "xtask test: the install test (tests/install.rs) was not run: a filter was given"
        );
        Ok(())
    } else {
        install_test::run(&keyring)
    };
    match (tests, install) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        (Err(a), Err(b)) => Err(format!("{a}\n{b}")),
    }
}
