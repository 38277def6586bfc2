//! `marelle`: every router of the portal in one process, on embedded parts.
//! See `marelle --help` and the README.

mod cli;
mod compose;
mod demo;
mod dev;
mod schedule;
mod server;
mod web;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Everything this process creates (the database and its journal,
    // e-mails with reset links, documents, the secret) is its owner's only,
    // from the start.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("marelle : {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
