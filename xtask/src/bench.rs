//! `cargo xtask bench`: the benchmarks, each against a reference run in the same process, and
//! a summary of their ratio lines at the end. Benchmarks are not timed tests: nothing here
//! passes or fails on a time.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::{cargo, describe, system, Result};

/// The references: ImageMagick for the signature cleanup, FFmpeg (libx264) for the face recording.
const BENCH_PACKAGES: &[&str] = &["imagemagick", "ffmpeg"];

/// (package, bench target): each prints one `<name>: ours X ms, ..., ratio Z` line.
const BENCHES: &[(&str, &str)] =
    &[("signet-imaging", "cleanup"), ("signet-domain", "render"), ("signet-video", "codec")];

pub fn bench(extra: &[String]) -> Result {
    // Without ImageMagick or FFmpeg the benches still run and say what they did not compare.
    if let Err(e) = system::ensure_packages(BENCH_PACKAGES) {
        eprintln!(
            "xtask bench: the references could not be installed ({e}); continuing without them"
        );
    }
    let mut summary = Vec::new();
    let mut failed = Vec::new();
    for &(package, target) in BENCHES {
        let mut cmd = cargo();
        cmd.args(["bench", "-p", package, "--bench", target]).args(extra);
        match run_collecting(&mut cmd) {
            Ok(lines) => summary.extend(lines.into_iter().filter(|l| l.contains(": ours "))),
            Err(e) => {
                eprintln!("xtask bench: {e}");
                failed.push(format!("{package}/{target}"));
            }
        }
    }
    println!("\nxtask bench summary (ratio: our time over the reference's; below 1 is faster):");
    for line in &summary {
        println!("  {line}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("benches failed: {}", failed.join(", ")))
    }
}

/// Runs a command, passing its output through as it comes, and returns its standard output.
fn run_collecting(cmd: &mut Command) -> Result<Vec<String>> {
    eprintln!("$ {}", describe(cmd));
    let mut child =
        cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("{}: {e}", describe(cmd)))?;
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("{}: {e}", describe(cmd)))?;
            println!("{line}");
            lines.push(line);
        }
    }
    let status = child.wait().map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(lines)
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}
