//! A throwaway PostgreSQL cluster for the server tests: initdb in a temporary directory (as the
//! `postgres` user when running as root, since initdb refuses root), started on a free loopback
//! port, stopped and deleted when dropped.

use std::path::PathBuf;
use std::process::Command;

use crate::{run_cmd, Result};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn bin_dir() -> Result<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed (no /usr/lib/postgresql)".to_string())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().ok_or_else(|| "no PostgreSQL server binaries found".to_string())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("port: {e}"))
}

impl Cluster {
    pub fn start() -> Result<Self> {
        let bin = bin_dir()?;
        let dir = std::env::temp_dir().join(format!("signet-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let as_postgres =
            Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        if as_postgres {
            run_cmd(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Self { dir, bin, port, as_postgres };
        run_cmd(
            &mut cluster.pg(
                "initdb",
                &["-A", "trust", "-U", "postgres", "--no-sync", "-D", &cluster.data()],
            ),
        )?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        );
        let log = cluster.dir.join("postgres.log").display().to_string();
        run_cmd(
            &mut cluster
                .pg("pg_ctl", &["-D", &cluster.data(), "-o", &options, "-l", &log, "-w", "start"]),
        )?;
        eprintln!("PostgreSQL for the tests: {}", cluster.url());
        Ok(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program).args(args);
            cmd
        } else {
            let mut cmd = Command::new(program);
            cmd.args(args);
            cmd
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
