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
