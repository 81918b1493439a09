//! A scratch database for the benchmarks: created and migrated from the superuser
//! `DATABASE_URL`, dropped at the end.

use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};

pub struct Scratch {
    admin: PgConnection,
    name: String,
    /// Superuser options for the scratch database.
    pub opts: PgConnectOptions,
}

impl Scratch {
    pub async fn create(prefix: &str) -> Self {
        let url = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin_opts: PgConnectOptions = url.parse().expect("DATABASE_URL");
        let name = format!("vigil_bench_{prefix}_{}", std::process::id());
        let mut admin = PgConnection::connect_with(&admin_opts).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let opts = admin_opts.database(&name);
        vigil_core::db::migrate(opts.clone()).await.unwrap();
        Self { admin, name, opts }
    }

    pub async fn drop(mut self) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "drop database {} with (force)",
            self.name
        )))
        .execute(&mut self.admin)
        .await
        .unwrap();
    }
}
