//! The database: pools, migrations and tenant-scoped transactions.
//!
//! Two kinds of connection exist. The *application pool* switches every connection to
//! the `vigil_app` role right after connecting, so row-level security holds even when
//! `DATABASE_URL` names a superuser or the tables' owner. Migrations run on a separate
//! connection with the URL's own role, because they create and alter tables.

use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::{
    Executor, PgConnection, PgPool, Postgres, Transaction,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{config::Config, ids::TenantId};

/// The role application connections run as; created by the first migration.
pub const APP_ROLE: &str = "vigil_app";

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// A transaction that belongs to one tenant: row-level security is set to its tenant for
/// as long as it lasts, and it carries that [`TenantId`], so the stores that read or write
/// tenant data take it and need no separate tenant argument. Only [`begin_tenant`] makes
/// one, so a connection without a tenant cannot reach a tenant store.
///
/// It dereferences to the connection for queries of its own.
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    tenant: TenantId,
}

impl TenantTx {
    /// The tenant this transaction is scoped to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls the transaction back (dropping it does too).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::fmt::Debug for TenantTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTx")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for TenantTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}

/// Parses `DATABASE_URL` without echoing it (it may hold a password).
pub fn connect_options(cfg: &Config) -> Result<PgConnectOptions, sqlx::Error> {
    cfg.database_url
        .expose_secret()
        .parse::<PgConnectOptions>()
        .map_err(|_| {
            sqlx::Error::Configuration("DATABASE_URL is not a valid PostgreSQL URL".into())
        })
}

/// Pool options for application connections: every connection runs as [`APP_ROLE`].
pub fn app_pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("set role vigil_app").await?;
                Ok(())
            })
        })
}

/// Opens the application pool.
pub async fn connect_app_pool(
    options: PgConnectOptions,
    max_connections: u32,
) -> Result<PgPool, sqlx::Error> {
    app_pool_options(max_connections)
        .connect_with(options)
        .await
}

/// Applies pending migrations on one connection with the URL's own role.
pub async fn migrate(options: PgConnectOptions) -> Result<(), sqlx::migrate::MigrateError> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let result = MIGRATOR.run(&pool).await;
    pool.close().await;
    result
}

/// Begins a transaction scoped to `tenant`: row-level security shows and accepts only
/// that tenant's rows until it ends.
pub async fn begin_tenant(pool: &PgPool, tenant: TenantId) -> Result<TenantTx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    set_tenant(&mut tx, tenant).await?;
    Ok(TenantTx { tx, tenant })
}

/// Sets the tenant of the current transaction (`SET LOCAL`, so it ends with it).
async fn set_tenant(conn: &mut PgConnection, tenant: TenantId) -> Result<(), sqlx::Error> {
    sqlx::query("select set_config('app.tenant_id', $1, true)")
        .bind(tenant.0.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Seconds a client is told to wait when the database cannot be reached (REST's
/// `Retry-After`, GraphQL's `retryAfter`).
pub const UNREACHABLE_RETRY_AFTER_SECS: u64 = 5;

/// [`is_unreachable`] for an error that may carry a database error.
pub fn caused_by_unreachable(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>().is_some_and(is_unreachable)
}

/// Whether `e` says the database could not be reached (rather than that a query failed):
/// no connection within the pool's timeout, the connection broke, or the server is
/// shutting down or starting (SQLSTATE class 08, and 57P01..57P03).
pub fn is_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// True when the database answers a trivial query.
pub async fn is_ready(pool: &PgPool) -> bool {
    // Bounded well below the pool's acquire timeout: a load balancer's probe wants an
    // answer within a couple of seconds, and a database that takes longer is not ready.
    let probe = sqlx::query("select 1").execute(pool);
    matches!(
        tokio::time::timeout(Duration::from_secs(2), probe).await,
        Ok(Ok(_))
    )
}
