//! `signet-server`: see `signet_server::cli`.

use std::process::ExitCode;

use clap::Parser;
use signet_server::cli::{self, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    signet_server::logging::init();
    match cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("signet-server: {err}");
            ExitCode::FAILURE
        }
    }
}
