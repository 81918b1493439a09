//! Event storage throughput: events stored per second through the ingestion path
//! (`store::events::insert`: UNNEST with ON CONFLICT DO NOTHING, RETURNING the new IDs,
//! RLS on, in a tenant transaction per batch as a trail file is), beside a plain `COPY`
//! of the same rows into the same table, same batches, same commits, in the same run.
//! Run with `make bench` (needs a superuser DATABASE_URL; creates and drops its own
//! database).

use std::time::Instant;

use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::{Connection, PgConnection, PgPool};
use vigil_core::{
    db,
    ids::{AwsAccountId, TenantId},
    store::{aws_accounts, events, events::NewEvent, tenants},
};

#[path = "support/mod.rs"]
mod support;

const EVENTS: usize = 50_000;
const BATCH: usize = 1_000;
const RUNS: usize = 3;

/// Realistic records: mostly read-only calls by a few principals, ~1 KB of JSON each.
fn corpus(account: &str) -> Vec<NewEvent> {
    let names = [
        ("ec2.amazonaws.com", "DescribeInstances", true),
        ("s3.amazonaws.com", "ListBuckets", true),
        ("iam.amazonaws.com", "GetUser", true),
        ("sts.amazonaws.com", "AssumeRole", false),
        ("ec2.amazonaws.com", "RunInstances", false),
        ("kms.amazonaws.com", "Decrypt", true),
    ];
    let start = Utc::now() - Duration::hours(12);
    (0..EVENTS)
        .map(|i| {
            let (source, name, read_only) = names[i % names.len()];
            let at = start + Duration::milliseconds(i as i64 * 700);
            let arn = format!("arn:aws:iam::{account}:user/user{}", i % 17);
            let ip = format!("198.51.{}.{}", i % 200, i % 250);
            let id = format!("{:08x}-bench-{i:012}", i * 7919);
            let raw = json!({
                "eventVersion": "1.09", "eventID": id, "eventTime": at.to_rfc3339(), "eventSource": source,
                "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": ip,
                "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian",
                "userIdentity": { "type": "IAMUser", "arn": arn, "accountId": account,
                                  "principalId": format!("AIDA{i:016}"), "accessKeyId": format!("AKIA{:016}", i % 17),
                                  "userName": format!("user{}", i % 17) },
                "requestParameters": { "instancesSet": { "items": [{ "instanceId": format!("i-{i:017x}") }] },
                                       "filterSet": {}, "maxResults": 100 },
                "responseElements": null, "requestID": format!("req-{i}"), "eventType": "AwsApiCall",
                "readOnly": read_only, "recipientAccountId": account, "managementEvent": true,
                "eventCategory": "Management",
                "tlsDetails": { "tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                                "clientProvidedHostHeader": "ec2.eu-west-1.amazonaws.com" }
            });
            NewEvent {
                event_id: id,
                occurred_at: at,
                event_name: name.into(),
                event_source: source.into(),
                region: "eu-west-1".into(),
                principal_arn: Some(arn),
                principal_type: Some("IAMUser".into()),
                access_key_id: Some(format!("AKIA{:016}", i % 17)),
                source_ip: Some(ip),
                user_agent: Some("aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian".into()),
                error_code: None,
                read_only: Some(read_only),
                resources: json!([]),
                own: false,
                raw,
            }
        })
        .collect()
}

/// A CSV field: quoted, quotes doubled; `None` is an unquoted empty field (NULL).
fn field(out: &mut String, v: Option<&str>) {
    if let Some(v) = v {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    }
    out.push(',');
}

fn csv(tenant: TenantId, account: AwsAccountId, batch: &[NewEvent]) -> String {
    let mut out = String::with_capacity(batch.len() * 1_400);
    for e in batch {
        for v in [
            Some(tenant.to_string()),
            Some(account.to_string()),
            Some(e.event_id.clone()),
            Some(e.occurred_at.to_rfc3339()),
            Some(e.event_name.clone()),
            Some(e.event_source.clone()),
            Some(e.region.clone()),
            e.principal_arn.clone(),
            e.principal_type.clone(),
            e.access_key_id.clone(),
            e.source_ip.clone(),
            e.user_agent.clone(),
            e.error_code.clone(),
            e.read_only.map(|b| b.to_string()),
            Some(e.resources.to_string()),
            Some(e.own.to_string()),
            Some(e.raw.to_string()),
        ] {
            field(&mut out, v.as_deref());
        }
        out.pop();
        out.push('\n');
    }
    out
}

async fn reset(admin: &mut PgConnection) {
    sqlx::query("truncate events")
        .execute(&mut *admin)
        .await
        .unwrap();
    sqlx::query("checkpoint")
        .execute(&mut *admin)
        .await
        .unwrap();
}

/// The baseline: COPY as the table's owner (COPY FROM is refused under row-level
/// security, which is one reason the product path is not COPY).
async fn copy(
    admin: &mut PgConnection,
    tenant: TenantId,
    account: AwsAccountId,
    rows: &[NewEvent],
) -> f64 {
    for day in [rows[0].occurred_at, rows[rows.len() - 1].occurred_at] {
        sqlx::query("select ensure_event_partition($1)")
            .bind(day.date_naive())
            .execute(&mut *admin)
            .await
            .unwrap();
    }
    let started = Instant::now();
    for batch in rows.chunks(BATCH) {
        let mut tx = admin.begin().await.unwrap();
        let mut copy = tx
            .copy_in_raw(
                "copy events (tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region,
                              principal_arn, principal_type, access_key_id, source_ip, user_agent, error_code,
                              read_only, resources, own, raw) from stdin with (format csv)",
            )
            .await
            .unwrap();
        copy.send(csv(tenant, account, batch).into_bytes())
            .await
            .unwrap();
        copy.finish().await.unwrap();
        tx.commit().await.unwrap();
    }
    rows.len() as f64 / started.elapsed().as_secs_f64()
}

/// The product path, as the worker stores a trail file.
async fn ingest(pool: &PgPool, tenant: TenantId, account: AwsAccountId, rows: &[NewEvent]) -> f64 {
    let started = Instant::now();
    for batch in rows.chunks(BATCH) {
        let mut tx = db::begin_tenant(pool, tenant).await.unwrap();
        let new = events::insert(&mut tx, account, batch).await.unwrap();
        assert_eq!(new.len(), batch.len());
        tx.commit().await.unwrap();
    }
    rows.len() as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let scratch = support::Scratch::create("ingest").await;
    let pool = db::connect_app_pool(scratch.opts.clone(), 4).await.unwrap();
    let mut admin = PgConnection::connect_with(&scratch.opts).await.unwrap();
    let tenant = TenantId::new();
    let mut tx = db::begin_tenant(&pool, tenant).await.unwrap();
    tenants::insert_trial(&mut tx, "bench", Utc::now() + Duration::days(15))
        .await
        .unwrap();
    let account = aws_accounts::insert(&mut tx, "bench", "ext-bench", None)
        .await
        .unwrap()
        .aws_account_id;
    tx.commit().await.unwrap();
    let rows = corpus("111122223333");
    let bytes: usize = rows.iter().map(|e| e.raw.to_string().len()).sum();
    println!(
        "ingest benchmark: {EVENTS} events ({:.1} MiB of JSON), batches of {BATCH}, best of {RUNS}",
        bytes as f64 / 1_048_576.0
    );
    let (mut best_copy, mut best_ingest) = (0f64, 0f64);
    for _ in 0..RUNS {
        reset(&mut admin).await;
        best_copy = best_copy.max(copy(&mut admin, tenant, account, &rows).await);
        reset(&mut admin).await;
        best_ingest = best_ingest.max(ingest(&pool, tenant, account, &rows).await);
    }
    println!("{:<58} {:>10}", "case", "events/s");
    println!(
        "{:<58} {:>10.0}",
        "plain COPY (csv), table owner (baseline)", best_copy
    );
    println!(
        "{:<58} {:>10.0}  ({:.2}x of COPY)",
        "events::insert (UNNEST, ON CONFLICT, RETURNING, RLS)",
        best_ingest,
        best_ingest / best_copy
    );
    pool.close().await;
    drop(admin);
    scratch.drop().await;
}
