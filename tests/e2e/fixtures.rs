//! Rows written straight into a test database (as the superuser), for tests of how the API
//! reads them: no AWS account or scan is needed to have findings and alerts to list.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use vigil_tests::TestApp;

/// The caller's tenant ID.
pub async fn tenant_of(app: &TestApp, token: &str) -> uuid::Uuid {
    app.graphql_ok(token, "{ tenant { id } }", json!({})).await["tenant"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Queues an ingestion of the connection `connection_id` (a GraphQL ID) when none is queued.
pub async fn queue_ingest(app: &TestApp, token: &str, connection_id: &serde_json::Value) {
    let tenant = vigil_core::ids::TenantId(tenant_of(app, token).await);
    let task = vigil_core::tasks::Task::IngestActivity {
        tenant_id: tenant,
        aws_account_id: connection_id.as_str().unwrap().parse().unwrap(),
    };
    let key = task.unique_key().unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    vigil_core::jobs::enqueue(
        &mut conn,
        vigil_core::jobs::NewJob::new(task)
            .tenant(tenant)
            .unique(key),
    )
    .await
    .unwrap();
}

/// [`queue_ingest`], then runs every queued job with a worker of these settings.
pub async fn ingest(
    app: &TestApp,
    token: &str,
    connection_id: &serde_json::Value,
    settings: vigil_worker::handler::Settings,
) {
    queue_ingest(app, token, connection_id).await;
    vigil_tests::emulator_worker_with(app, settings)
        .drain()
        .await
        .unwrap();
}

/// A new connection (not verified) of the caller's tenant; answers its ID.
pub async fn connection(app: &TestApp, token: &str) -> uuid::Uuid {
    app.graphql_ok(
        token,
        "mutation($n: String!) { createAwsAccount(input: { name: $n }) { id } }",
        json!({ "n": format!("conn-{}", uuid::Uuid::new_v4()) }),
    )
    .await["createAwsAccount"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A scan of a connection; answers its ID.
pub async fn scan(admin: &PgPool, tenant: uuid::Uuid, account: uuid::Uuid) -> uuid::Uuid {
    sqlx::query_scalar(
        "insert into scans (tenant_id, scan_id, aws_account_id, trigger)
         values ($1, gen_random_uuid(), $2, 'manual') returning scan_id",
    )
    .bind(tenant)
    .bind(account)
    .fetch_one(admin)
    .await
    .unwrap()
}

/// An open finding on `resource`; answers its ID.
pub async fn finding(
    admin: &PgPool,
    tenant: uuid::Uuid,
    account: uuid::Uuid,
    resource: &str,
    severity: &str,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
) -> uuid::Uuid {
    sqlx::query_scalar(
        "insert into findings (tenant_id, finding_id, aws_account_id, rule_id, region, resource_type, resource_id,
                               severity, status, evidence, first_seen_at, last_seen_at)
         values ($1, gen_random_uuid(), $2, 'ec2-sg-open-ssh', 'eu-west-1', 'ec2:security-group', $3,
                 $4, 'open', '{}', $5, $6)
         returning finding_id",
    )
    .bind(tenant)
    .bind(account)
    .bind(resource)
    .bind(severity)
    .bind(first_seen)
    .bind(last_seen)
    .fetch_one(admin)
    .await
    .unwrap()
}

/// An open alert whose one event is `event_id`; answers its ID.
pub async fn alert(
    admin: &PgPool,
    tenant: uuid::Uuid,
    account: uuid::Uuid,
    event_id: &str,
    last_seen: DateTime<Utc>,
) -> uuid::Uuid {
    sqlx::query_scalar(
        "insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, group_key,
                             first_event_id, last_event_id, event_ids, first_seen_at, last_seen_at)
         values ($1, gen_random_uuid(), $2, 'vigil-root-console-login', 'Root login', 'high', $3,
                 $3, $3, array[$3], $4, $4)
         returning alert_id",
    )
    .bind(tenant)
    .bind(account)
    .bind(event_id)
    .bind(last_seen)
    .fetch_one(admin)
    .await
    .unwrap()
}

/// A live asset `resource` of `resource_type` in eu-west-1; answers its ID.
pub async fn asset(
    admin: &PgPool,
    tenant: uuid::Uuid,
    account: uuid::Uuid,
    resource_type: &str,
    resource: &str,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
) -> uuid::Uuid {
    sqlx::query_scalar(
        "insert into assets (tenant_id, asset_id, aws_account_id, region, resource_type, resource_id,
                             configuration, config_hash, first_seen_at, last_seen_at)
         values ($1, gen_random_uuid(), $2, 'eu-west-1', $3, $4, '{}', '\\x00', $5, $6)
         returning asset_id",
    )
    .bind(tenant)
    .bind(account)
    .bind(resource_type)
    .bind(resource)
    .bind(first_seen)
    .bind(last_seen)
    .fetch_one(admin)
    .await
    .unwrap()
}
