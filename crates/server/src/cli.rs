//! The command line: `signet-server serve | user add | seed-demo | sandbox sms | retention run |
//! release publish | release list`. `main` only parses and calls
//! [`run`]; the commands call the same library functions tests do.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use signet_domain::api::Role;

use crate::db::DbConfig;
use crate::error::AppError;
use crate::state::{AppState, Settings};

/// The data directory when neither `--data-dir` nor `--database-url` is given.
pub const DEFAULT_DATA_DIR: &str = "signet-data";
/// The address `serve` binds when `--bind` is not given.
pub const DEFAULT_BIND: &str = "127.0.0.1:8787";

/// Reference platform server for Signet.
#[derive(Debug, Parser)]
#[command(name = "signet-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Create the demo accounts (those that do not exist yet).
    SeedDemo(DbArgs),
    /// Read what the sandbox providers did.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Photo and clip retention (manual review, face recognition).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Releases of the desktop app, served as update manifests.
    Release {
        #[command(subcommand)]
        command: ReleaseCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Publish a release: copy each platform's artifact and its `.sig` into the releases
    /// directory. Refused as a whole, writing nothing, if any platform is incomplete.
    Publish(ReleasePublishArgs),
    /// Print the published releases, newest first, with their platforms.
    List(ReleasesDirArgs),
}

/// Where releases live: `releases` in the data directory, or a directory of its own.
#[derive(Debug, Clone, Args)]
pub struct ReleasesDirArgs {
    /// Data directory whose `releases` directory to use [default: signet-data]
    #[arg(long, value_name = "DIR", conflicts_with = "releases_dir")]
    pub data_dir: Option<PathBuf>,
    /// The releases directory itself (as given to `serve --releases-dir`)
    #[arg(long, value_name = "DIR")]
    pub releases_dir: Option<PathBuf>,
}

impl ReleasesDirArgs {
    pub fn dir(&self) -> PathBuf {
        match (&self.releases_dir, &self.data_dir) {
            (Some(dir), _) => dir.clone(),
            (None, Some(data)) => data.join(crate::updates::RELEASES_DIR_NAME),
            (None, None) => PathBuf::from(DEFAULT_DATA_DIR).join(crate::updates::RELEASES_DIR_NAME),
        }
    }
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("release_notes").required(true).args(["notes", "notes_file"])))]
pub struct ReleasePublishArgs {
    #[command(flatten)]
    pub dir: ReleasesDirArgs,
    /// The release's semantic version, e.g. 1.2.0 or 1.3.0-beta.1
    #[arg(long, value_name = "VERSION")]
    pub version: String,
    /// Release notes (the updater shows them)
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// Release notes from a UTF-8 file
    #[arg(long, value_name = "FILE")]
    pub notes_file: Option<PathBuf>,
    /// A platform and its artifact, e.g. linux-x86_64=Signet_1.2.0_amd64.AppImage.tar.gz; the
    /// signature is read from the same path + `.sig`. Repeat for each platform.
    #[arg(long = "platform", value_name = "KEY=PATH", required = true, value_parser = parse_platform_arg)]
    pub platforms: Vec<(String, PathBuf)>,
}

fn parse_platform_arg(arg: &str) -> Result<(String, PathBuf), String> {
    match arg.split_once('=') {
        Some((key, path)) if !key.is_empty() && !path.is_empty() => {
            Ok((key.to_owned(), PathBuf::from(path)))
        }
        _ => Err("expected KEY=PATH, e.g. linux-x86_64=Signet_1.2.0_amd64.AppImage.tar.gz".into()),
    }
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Delete the photos of reviews decided longer ago than the retention period, face clips
    /// past theirs, and abandoned uploads, once (`serve` does it every hour).
    Run(DbArgs),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Print the latest SMS codes of the sandbox outbox, newest first.
    Sms(SandboxSmsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SandboxSmsArgs {
    /// Only messages to this mobile number
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// How many messages at most
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: u32,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add(UserAddArgs),
}

/// Where the data lives: a SQLite file in a directory (default), or a database URL.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory holding `signet.db` (created if missing) [default: signet-data]
    #[arg(long, value_name = "DIR", conflicts_with = "database_url")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, e.g. postgres://user@host/db
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Directory for photos (blobs) [default: `blobs` in the data directory; with
    /// --database-url, `signet-blobs` in the system temp directory]
    #[arg(long, value_name = "DIR")]
    pub blob_dir: Option<PathBuf>,
}

impl DbArgs {
    pub fn config(&self) -> DbConfig {
        match (&self.database_url, &self.data_dir) {
            (Some(url), _) => DbConfig::url(url.clone()),
            (None, Some(dir)) => DbConfig::data_dir(dir),
            (None, None) => DbConfig::data_dir(DEFAULT_DATA_DIR),
        }
    }

    /// `settings` with this command line's blob directory, if one was given.
    pub fn settings(&self, mut settings: Settings) -> Settings {
        if let Some(dir) = &self.blob_dir {
            settings.blob_dir = Some(dir.clone());
        }
        settings
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on; port 0 picks a free port (the chosen one is printed)
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Create the demo accounts before serving
    #[arg(long)]
    pub seed_demo: bool,
    /// Do not serve the sandbox tester pages (`/sandbox/sms` answers 404)
    #[arg(long)]
    pub no_sandbox: bool,
    /// Directory of published releases [default: `releases` in the data directory; with
    /// --database-url, `signet-releases` in the system temp directory]
    #[arg(long, value_name = "DIR")]
    pub releases_dir: Option<PathBuf>,
    /// The URL clients reach this server at, for the artifact URLs of update manifests, e.g.
    /// https://platform.example.edu [default: http:// and the request's Host header]
    #[arg(long, value_name = "URL", value_parser = crate::updates::normalize_public_url)]
    pub public_url: Option<String>,
    /// Keep face recognition clips this many seconds after their analysis (then the hourly
    /// retention job deletes them) [default: 0, deleted right after the analysis]
    #[arg(long, value_name = "SECS")]
    pub face_video_retention_secs: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub account: String,
    #[arg(long)]
    pub password: String,
    #[arg(long)]
    pub display_name: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Staff,
    Reviewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Staff => Role::Staff,
            RoleArg::Reviewer => Role::Reviewer,
        }
    }
}

/// Runs a parsed command line with production settings.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    run_with(cli, Settings::default()).await
}

/// Runs a parsed command line with the given settings (tests lower the password cost).
pub async fn run_with(cli: Cli, settings: Settings) -> Result<(), AppError> {
    match cli.command {
        Command::Serve(args) => serve(args, settings).await,
        Command::User { command: UserCommand::Add(args) } => {
            let state = AppState::open_with(args.db.config(), args.db.settings(settings)).await?;
            let id = crate::add_user(
                &state,
                &args.account,
                &args.password,
                &args.display_name,
                args.role.into(),
            )
            .await?;
            println!("created account {} (user id {id})", args.account.trim());
            Ok(())
        }
        Command::SeedDemo(db) => {
            let state = AppState::open_with(db.config(), db.settings(settings)).await?;
            crate::seed_demo(&state).await?;
            println!("demo accounts ready");
            Ok(())
        }
        Command::Sandbox { command: SandboxCommand::Sms(args) } => {
            let state = AppState::open_with(args.db.config(), args.db.settings(settings)).await?;
            let messages =
                crate::sandbox_sms_messages(&state, args.phone.as_deref(), i64::from(args.limit))
                    .await?;
            print!("{}", format_sms(&messages));
            let _ = std::io::stdout().flush();
            Ok(())
        }
        Command::Release { command: ReleaseCommand::Publish(args) } => {
            let notes = match (&args.notes, &args.notes_file) {
                (Some(notes), _) => notes.clone(),
                (None, Some(file)) => std::fs::read_to_string(file).map_err(|e| {
                    AppError::invalid_input(
                        "notes",
                        format!("cannot read the notes file {}: {e}", file.display()),
                    )
                })?,
                (None, None) => String::new(),
            };
            let new = crate::NewRelease {
                version: args.version.clone(),
                notes,
                platforms: args.platforms.clone(),
            };
            let dir = args.dir.dir();
            let release = crate::publish_release(&dir, &new, settings.clock.now())?;
            println!("published {} in {}", release.version, dir.display());
            print!("{}", crate::format_releases(std::slice::from_ref(&release)));
            let _ = std::io::stdout().flush();
            Ok(())
        }
        Command::Release { command: ReleaseCommand::List(args) } => {
            let releases = crate::list_releases(&args.dir())?;
            print!("{}", crate::format_releases(&releases));
            let _ = std::io::stdout().flush();
            Ok(())
        }
        Command::Retention { command: RetentionCommand::Run(db) } => {
            let state = AppState::open_with(db.config(), db.settings(settings)).await?;
            let purged = crate::purge_expired_photos(&state).await?;
            println!("retention: {purged} reviews or abandoned uploads purged");
            let clips = crate::purge_expired_face_videos(&state).await?;
            println!("retention: {clips} face clips or abandoned clip uploads purged");
            let _ = std::io::stdout().flush();
            Ok(())
        }
    }
}

/// How often `serve` runs the photo retention job.
pub const RETENTION_INTERVAL_SECS: u64 = 60 * 60;

/// Runs [`crate::purge_expired_photos`] and [`crate::purge_expired_face_videos`] now and then
/// every [`RETENTION_INTERVAL_SECS`].
fn spawn_retention(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval =
            tokio::time::interval(std::time::Duration::from_secs(RETENTION_INTERVAL_SECS));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match crate::purge_expired_photos(&state).await {
                Ok(purged) => tracing::info!(purged, "photo retention ran"),
                Err(e) => tracing::error!(error = %e, "photo retention failed"),
            }
            match crate::purge_expired_face_videos(&state).await {
                Ok(purged) => tracing::info!(purged, "face clip retention ran"),
                Err(e) => tracing::error!(error = %e, "face clip retention failed"),
            }
        }
    })
}

/// One line per message: China time, full number, code (the sandbox outbox keeps them for
/// testers).
pub fn format_sms(messages: &[crate::SandboxSms]) -> String {
    if messages.is_empty() {
        return "no SMS in the sandbox outbox\n".to_owned();
    }
    messages
        .iter()
        .map(|m| format!("{}  {}  {}\n", crate::sandbox::china_time(m.created_at), m.phone, m.code))
        .collect()
}

async fn serve(args: ServeArgs, mut settings: Settings) -> Result<(), AppError> {
    if args.no_sandbox {
        settings.sandbox = false;
    }
    if let Some(dir) = &args.releases_dir {
        settings.releases_dir = Some(dir.clone());
    }
    if let Some(url) = &args.public_url {
        settings.public_url = Some(url.clone());
    }
    if let Some(secs) = args.face_video_retention_secs {
        settings.limits.face_video_retention_secs = secs;
    }
    let state = AppState::open_with(args.db.config(), args.db.settings(settings)).await?;
    if args.seed_demo {
        crate::seed_demo(&state).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| AppError::internal("cannot listen on the --bind address", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::internal("cannot read the bound address", e))?;
    // A parent process reads this line to learn the port.
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, backend = ?state.backend(), "listening");
    let retention = spawn_retention(state.clone());
    let served = crate::serve(listener, state.clone(), shutdown_signal()).await;
    retention.abort();
    served.map_err(|e| AppError::internal("the server stopped with an error", e))?;
    state.pool().close().await;
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM. If a signal cannot be watched, it is not waited on.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn data_dir_and_database_url_exclude_each_other() {
        let parsed = Cli::try_parse_from([
            "signet-server",
            "seed-demo",
            "--data-dir",
            "x",
            "--database-url",
            "postgres://h/db",
        ]);
        assert!(parsed.is_err());
    }

    #[test]
    fn serve_defaults_to_a_data_dir_and_the_local_port_8787() {
        let parsed = Cli::try_parse_from(["signet-server", "serve"]).ok().map(|c| c.command);
        let Some(Command::Serve(args)) = parsed else {
            panic!("`serve` did not parse");
        };
        assert_eq!(args.bind.to_string(), DEFAULT_BIND);
        assert_eq!(args.db.config(), DbConfig::data_dir(DEFAULT_DATA_DIR));
        assert!(!args.seed_demo);
        assert!(!args.no_sandbox);
        assert_eq!(args.releases_dir, None);
        assert_eq!(args.public_url, None);
    }

    #[test]
    fn serve_takes_a_releases_dir_and_a_normalised_public_url() {
        let parsed = Cli::try_parse_from([
            "signet-server",
            "serve",
            "--releases-dir",
            "/srv/releases",
            "--public-url",
            "https://platform.example.edu/",
        ])
        .ok()
        .map(|c| c.command);
        let Some(Command::Serve(args)) = parsed else {
            panic!("`serve` did not parse");
        };
        assert_eq!(args.releases_dir, Some(PathBuf::from("/srv/releases")));
        assert_eq!(args.public_url.as_deref(), Some("https://platform.example.edu"));
        let bad = Cli::try_parse_from(["signet-server", "serve", "--public-url", "platform.edu"]);
        assert!(bad.is_err());
    }

    #[test]
    fn release_publish_takes_repeated_platforms_and_needs_notes() {
        let parsed = Cli::try_parse_from([
            "signet-server",
            "release",
            "publish",
            "--data-dir",
            "/srv/data",
            "--version",
            "1.2.0",
            "--notes",
            "修复",
            "--platform",
            "linux-x86_64=a/Signet.AppImage.tar.gz",
            "--platform",
            "windows-x86_64=b/Signet-setup.exe",
        ])
        .ok()
        .map(|c| c.command);
        let Some(Command::Release { command: ReleaseCommand::Publish(args) }) = parsed else {
            panic!("`release publish` did not parse");
        };
        assert_eq!(args.dir.dir(), PathBuf::from("/srv/data/releases"));
        assert_eq!(args.version, "1.2.0");
        assert_eq!(
            args.platforms,
            vec![
                ("linux-x86_64".to_owned(), PathBuf::from("a/Signet.AppImage.tar.gz")),
                ("windows-x86_64".to_owned(), PathBuf::from("b/Signet-setup.exe")),
            ]
        );
        let no_notes = Cli::try_parse_from([
            "signet-server",
            "release",
            "publish",
            "--version",
            "1.2.0",
            "--platform",
            "linux-x86_64=x",
        ]);
        assert!(no_notes.is_err());
        let no_path = Cli::try_parse_from([
            "signet-server",
            "release",
            "publish",
            "--version",
            "1.2.0",
            "--notes",
            "n",
            "--platform",
            "linux-x86_64",
        ]);
        assert!(no_path.is_err());
    }

    #[test]
    fn retention_run_takes_a_blob_dir() {
        let parsed =
            Cli::try_parse_from(["signet-server", "retention", "run", "--blob-dir", "/srv/blobs"])
                .ok()
                .map(|c| c.command);
        let Some(Command::Retention { command: RetentionCommand::Run(db) }) = parsed else {
            panic!("`retention run` did not parse");
        };
        assert_eq!(db.blob_dir, Some(PathBuf::from("/srv/blobs")));
        assert_eq!(db.settings(Settings::default()).blob_dir, Some(PathBuf::from("/srv/blobs")));
    }

    #[test]
    fn serve_takes_a_face_video_retention() {
        let parse = |extra: &[&str]| {
            let argv = ["signet-server", "serve"].iter().chain(extra).copied();
            match Cli::try_parse_from(argv).ok().map(|c| c.command) {
                Some(Command::Serve(args)) => args.face_video_retention_secs,
                _ => panic!("`serve` did not parse"),
            }
        };
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&["--face-video-retention-secs", "86400"]), Some(86_400));
        assert!(Cli::try_parse_from([
            "signet-server",
            "serve",
            "--face-video-retention-secs",
            "-1"
        ])
        .is_err());
    }

    #[test]
    fn sandbox_sms_takes_a_phone_and_a_limit() {
        let parsed =
            Cli::try_parse_from(["signet-server", "sandbox", "sms", "--phone", "13800138000"])
                .ok()
                .map(|c| c.command);
        let Some(Command::Sandbox { command: SandboxCommand::Sms(args) }) = parsed else {
            panic!("`sandbox sms` did not parse");
        };
        assert_eq!(args.phone.as_deref(), Some("13800138000"));
        assert_eq!(args.limit, 10);
    }
}
