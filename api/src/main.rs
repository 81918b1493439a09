//! `vigil-api`: serves HTTP, or runs an operator command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;
use vigil_api::Application;
use vigil_core::{config::Config, db, ids::TenantId, store::tenants, telemetry};

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
    /// Print the GraphQL schema (SDL) to stdout.
    Schema,
    /// Change a tenant's plan (billing is outside Vigil).
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
}

#[derive(Subcommand)]
enum TenantAction {
    /// Move the tenant to a paid plan.
    Activate { tenant_id: TenantId },
    /// Put the tenant on a trial ending DAYS from now (also reopens an expired trial).
    ExtendTrial {
        tenant_id: TenantId,
        #[arg(long, default_value_t = 15)]
        days: i64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", vigil_api::graphql::sdl());
        return ExitCode::SUCCESS;
    }
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
        Command::Schema => Ok(()),
        Command::Tenant { action } => tenant(&config, action).await,
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

async fn tenant(config: &Config, action: TenantAction) -> anyhow::Result<()> {
    let pool = db::connect_app_pool(db::connect_options(config)?, 1).await?;
    let (id, changed) = match action {
        TenantAction::Activate { tenant_id } => {
            let mut tx = db::begin_tenant(&pool, tenant_id).await?;
            let t = tenants::activate(&mut tx).await?;
            tx.commit().await?;
            (tenant_id, t)
        }
        TenantAction::ExtendTrial { tenant_id, days } => {
            anyhow::ensure!(
                (1..=365).contains(&days),
                "--days must be between 1 and 365"
            );
            let mut tx = db::begin_tenant(&pool, tenant_id).await?;
            let ends = chrono::Utc::now() + chrono::Duration::days(days);
            let t = tenants::set_trial_end(&mut tx, ends).await?;
            tx.commit().await?;
            (tenant_id, t)
        }
    };
    let tenant = changed.ok_or_else(|| anyhow::anyhow!("no tenant {id}"))?;
    println!(
        "tenant {} ({}): plan {}, trial ends {}",
        tenant.tenant_id,
        tenant.name,
        tenant.plan,
        tenant.trial_ends_at.map_or("-".into(), |t| t.to_rfc3339())
    );
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
