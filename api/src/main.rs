//! `vigil-api`: serves HTTP, or runs an operator command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;
use vigil_api::Application;
use vigil_core::{config::Config, db, telemetry};

#[derive(Parser)]
#[command(name = "vigil-api", version, about = "Vigil's API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vigil-api: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => migrate(&config).await,
        Command::Serve => serve(config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "vigil-api failed");
            eprintln!("vigil-api: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    db::migrate(db::connect_options(config)?).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    app.run_until_stopped(shutdown).await
}

async fn stop_on_signal(token: CancellationToken) {
    vigil_core::shutdown::signalled().await;
    token.cancel();
}
