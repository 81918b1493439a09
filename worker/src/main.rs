//! `vigil-worker`: runs background jobs until SIGTERM or SIGINT.

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;
use vigil_core::{config::Config, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vigil-worker: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        vigil_core::shutdown::signalled().await;
        signal.cancel();
    });
    match vigil_worker::run(config, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "vigil-worker failed");
            eprintln!("vigil-worker: {e:#}");
            ExitCode::FAILURE
        }
    }
}
