//! Pins tenant isolation by row-level security through the application's own
//! connections, which run as `vigil_app` although the test database's URL is a superuser.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::{
    db,
    ids::AwsAccountId,
    store::{events, tenants, users},
};

use crate::common::{app_pool, tenant_with_owner};

#[sqlx::test(migrations = "../migrations")]
async fn application_connections_are_neither_superuser_owner_nor_bypassrls(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts).await;
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "select current_user::text, rolsuper, rolbypassrls from pg_roles where rolname = current_user",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(user, db::APP_ROLE);
    assert!(!superuser && !bypass);
    let owned: i64 = sqlx::query_scalar(
        "select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(owned, 0, "the application role must own no table");
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_tenant_setting_no_tenant_rows_are_visible(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts.clone()).await;
    tenant_with_owner(&app, "Acme").await;
    tenant_with_owner(&app, "Globex").await;

    for table in ["tenants", "users"] {
        let seen: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(&app)
                .await
                .unwrap();
        assert_eq!(seen, 0, "{table} leaked without a tenant setting");
    }
    // The rows are there: the superuser (who bypasses RLS) sees them.
    let admin = pool_opts.connect_with(opts).await.unwrap();
    let stored: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(stored, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn tenant_a_cannot_see_update_or_delete_tenant_b_rows(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts.clone()).await;
    let (a, _) = tenant_with_owner(&app, "Acme").await;
    let (b, b_owner) = tenant_with_owner(&app, "Globex").await;

    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    // Even a query that forgets its tenant filter sees only A.
    let emails: Vec<String> = sqlx::query_scalar("select email from users")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(emails, vec!["owner@acme.example".to_owned()]);
    // A query that names B's tenant explicitly still finds nothing: B reads as absent.
    let b_tenant: Option<String> =
        sqlx::query_scalar("select name from tenants where tenant_id = $1")
            .bind(b)
            .fetch_optional(&mut *tx)
            .await
            .unwrap();
    assert!(b_tenant.is_none());
    let b_users: Vec<String> = sqlx::query_scalar("select email from users where tenant_id = $1")
        .bind(b)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert!(b_users.is_empty());
    // And the stores, which take the tenant from the transaction, see only A.
    assert_eq!(tenants::get(&mut tx).await.unwrap().unwrap().tenant_id, a);
    assert_eq!(users::list(&mut tx).await.unwrap().len(), 1);

    let updated = sqlx::query("update users set role = 'viewer' where user_id = $1")
        .bind(b_owner)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("delete from users where user_id = $1")
        .bind(b_owner)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    tx.commit().await.unwrap();

    let admin = pool_opts.connect_with(opts).await.unwrap();
    let role: String = sqlx::query_scalar("select role from users where user_id = $1")
        .bind(b_owner)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(role, "owner", "B's row was changed through A's transaction");
}

#[sqlx::test(migrations = "../migrations")]
async fn tenant_a_cannot_write_rows_into_tenant_b(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = app_pool(opts).await;
    let (a, _) = tenant_with_owner(&app, "Acme").await;
    let (b, _) = tenant_with_owner(&app, "Globex").await;
    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    // The stores cannot name another tenant (they take it from the transaction), so the
    // attempt is a raw insert: RLS refuses it all the same.
    let err = sqlx::query(
        "insert into users (tenant_id, user_id, email, role) values ($1, gen_random_uuid(), 'intruder@example.com', 'owner')",
    )
    .bind(b)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .unwrap_or_default();
    assert_eq!(code, "42501", "expected an RLS policy violation, got {err}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_tenant_setting_ends_with_its_transaction(_: PgPoolOptions, opts: PgConnectOptions) {
    // One connection, so the next query reuses the connection that had the setting.
    let app = vigil_core::db::connect_app_pool(opts, 1).await.unwrap();
    let (a, _) = tenant_with_owner(&app, "Acme").await;
    let mut tx = db::begin_tenant(&app, a).await.unwrap();
    let inside: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!((inside, after), (1, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_events_partition_read_by_name_shows_only_the_tenants_rows(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = app_pool(opts).await;
    let (a, _) = tenant_with_owner(&app, "Acme").await;
    let (b, _) = tenant_with_owner(&app, "Globex").await;
    let day = chrono::Utc::now() - chrono::Duration::days(1);
    for (tenant, ids) in [(a, ["a1", "a2"].as_slice()), (b, ["b1"].as_slice())] {
        let mut tx = db::begin_tenant(&app, tenant).await.unwrap();
        let new: Vec<events::NewEvent> = ids.iter().map(|id| event(id, day)).collect();
        events::insert(&mut tx, AwsAccountId::new(), &new)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let partitions: Vec<(String, bool, bool)> = sqlx::query_as(
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity from pg_inherits i
         join pg_class c on c.oid = i.inhrelid where i.inhparent = 'events'::regclass",
    )
    .fetch_all(&app)
    .await
    .unwrap();
    assert!(!partitions.is_empty());
    for (name, enabled, forced) in &partitions {
        assert!(
            *enabled && *forced,
            "{name} has no row-level security of its own"
        );
    }

    let partition = format!("events_{}", day.format("%Y%m%d"));
    let read = |tenant| {
        let app = app.clone();
        let sql = format!("select event_id from {partition} order by event_id");
        async move {
            let mut tx = db::begin_tenant(&app, tenant).await.unwrap();
            let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            ids
        }
    };
    assert_eq!(read(a).await, ["a1", "a2"]);
    assert_eq!(read(b).await, ["b1"]);
    let untenanted: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from {partition}"
    )))
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(untenanted, 0, "no tenant setting, no rows");
}

fn event(id: &str, at: chrono::DateTime<chrono::Utc>) -> events::NewEvent {
    events::NewEvent {
        event_id: id.to_owned(),
        occurred_at: at,
        event_name: "ListBuckets".into(),
        event_source: "s3.amazonaws.com".into(),
        region: "us-east-1".into(),
        principal_arn: None,
        principal_type: None,
        access_key_id: None,
        source_ip: None,
        user_agent: None,
        error_code: None,
        read_only: Some(true),
        resources: serde_json::json!([]),
        own: false,
        raw: serde_json::json!({}),
    }
}
