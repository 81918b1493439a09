//! Pins that the migrations apply to an empty database and are idempotent.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::db;

#[sqlx::test(migrations = false)]
async fn migrations_apply_to_an_empty_database_and_rerun_as_a_no_op(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    db::migrate(opts.clone()).await.expect("first run");
    db::migrate(opts.clone())
        .await
        .expect("second run is a no-op");
    let pool = pool_opts.connect_with(opts).await.unwrap();
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(applied as usize, db::MIGRATOR.migrations.len());
    for table in ["tenants", "users", "jobs"] {
        let exists: bool = sqlx::query_scalar("select to_regclass($1) is not null")
            .bind(table)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(exists, "table {table} missing");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_security_definer_function_puts_pg_temp_last_on_its_search_path(pool: sqlx::PgPool) {
    // Runs as its owner: with pg_temp searched first (its default place when unlisted), a
    // caller's temporary table or function could stand in for the one it means.
    let functions: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "select p.oid::regprocedure::text, p.proconfig from pg_proc p
         where p.prosecdef and p.pronamespace = 'public'::regnamespace order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!functions.is_empty());
    for (name, config) in functions {
        let path = config
            .unwrap_or_default()
            .into_iter()
            .find_map(|c| c.strip_prefix("search_path=").map(str::to_owned));
        let last = path
            .as_deref()
            .and_then(|p| p.rsplit(',').next())
            .map(str::trim);
        assert_eq!(
            last,
            Some("pg_temp"),
            "{name} has search_path {path:?}: set it to `public, pg_temp`"
        );
    }
}
