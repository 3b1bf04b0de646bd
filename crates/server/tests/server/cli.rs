//! The command line, through the library function `main` calls.

use clap::Parser;
use signet_server::cli::{run_with, Cli};
use signet_server::{DbConfig, ManualClock};

use crate::common::{test_settings, Harness, START};

on_both_backends!(user_add_then_sign_in_works, seed_demo_command_creates_the_demo_accounts);

/// The `--data-dir` or `--database-url` arguments that select `db`.
fn db_args(db: &DbConfig) -> Vec<String> {
    match db {
        DbConfig::SqliteFile(file) => {
            vec!["--data-dir".into(), file.parent().unwrap().to_str().unwrap().into()]
        }
        DbConfig::Url(url) => vec!["--database-url".into(), url.clone()],
    }
}

async fn run(args: &[&str], db: &DbConfig) {
    let mut argv: Vec<String> =
        std::iter::once("signet-server").chain(args.iter().copied()).map(String::from).collect();
    argv.extend(db_args(db));
    let cli = Cli::try_parse_from(argv).unwrap();
    let clock = std::sync::Arc::new(ManualClock::new(START));
    run_with(cli, test_settings(clock)).await.unwrap();
}

async fn user_add_then_sign_in_works(db: DbConfig) {
    run(
        &[
            "user",
            "add",
            "--account",
            "finance07",
            "--password",
            "Pa55-word",
            "--display-name",
            "张三",
            "--role",
            "reviewer",
        ],
        &db,
    )
    .await;

    let h = Harness::new(db).await;
    let tokens = h.sign_in("finance07", "Pa55-word").await.tokens();
    let me = h.me(tokens.access_token.expose()).await;
    assert_eq!(me.body["display_name"], "张三");
    assert_eq!(me.body["role"], "reviewer");
}

async fn seed_demo_command_creates_the_demo_accounts(db: DbConfig) {
    run(&["seed-demo"], &db).await;

    let h = Harness::new(db).await;
    assert_eq!(h.count("users").await, 3);
}
