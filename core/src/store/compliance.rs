//! What a compliance report reads (open findings counted from `finding_rollups`, the
//! failing resources a few per check through `findings_by_rule`, each connection's latest
//! completed scan, the latest alert of a rule), and the attestations of manual controls.
//! The report itself is assembled in [`crate::compliance`].

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;
use vigil_domain::{ScanStatus, Severity};

use super::sql;
use crate::{db::TenantTx, ids::AwsAccountId};

/// Findings of one check on one connection, by status (open and suppressed only).
#[derive(Debug, Clone, FromRow)]
pub struct RuleCount {
    pub aws_account_id: AwsAccountId,
    pub rule_id: String,
    pub open: i64,
    pub suppressed: i64,
}

/// Open and suppressed findings of `rules` on `accounts`, per connection and check, from
/// the rollups (kept in the findings' own transactions, so exact, and small at any number
/// of findings).
pub async fn rule_counts(
    tx: &mut TenantTx,
    accounts: &[AwsAccountId],
    rules: &[&str],
) -> Result<Vec<RuleCount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select aws_account_id, rule_id,
                coalesce(sum(findings) filter (where status = 'open'), 0)::bigint as open,
                coalesce(sum(findings) filter (where status = 'suppressed'), 0)::bigint as suppressed
         from finding_rollups
         where tenant_id = $1 and aws_account_id = any($2) and rule_id = any($3)
           and status in ('open', 'suppressed')
         group by aws_account_id, rule_id",
    )
    .bind(tenant)
    .bind(accounts.iter().map(|a| a.0).collect::<Vec<_>>())
    .bind(rules)
    .fetch_all(&mut **tx)
    .await
}

/// An open finding as a report lists it: the failing resource.
#[derive(Debug, Clone, FromRow)]
pub struct Failing {
    pub finding_id: Uuid,
    pub aws_account_id: AwsAccountId,
    pub rule_id: String,
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub severity: Severity,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Up to `limit` open findings of each of `rules` on `accounts`, most severe and most
/// recently seen first. One index walk per check (`findings_by_rule`), each stopping after
/// `limit` rows of the connections asked for, however many findings the check has.
pub async fn failing(
    tx: &mut TenantTx,
    accounts: &[AwsAccountId],
    rules: &[&str],
    limit: i64,
) -> Result<Vec<Failing>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select f.* from unnest($3::text[]) r(rule_id)
         cross join lateral (
             select finding_id, aws_account_id, rule_id, region, resource_type, resource_id, resource_arn,
                    severity, first_seen_at, last_seen_at
             from findings
             where tenant_id = $1 and rule_id = r.rule_id and status = 'open' and aws_account_id = any($2)
             order by severity_weight desc, last_seen_at desc, finding_id desc
             limit $4
         ) f",
    )
    .bind(tenant)
    .bind(accounts.iter().map(|a| a.0).collect::<Vec<_>>())
    .bind(rules)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// A connection's latest completed scan (succeeded or partial), what a report judges by.
#[derive(Debug, Clone, FromRow)]
pub struct LastScan {
    pub aws_account_id: AwsAccountId,
    pub scan_id: Uuid,
    pub status: ScanStatus,
    /// What the scan could not read: `[{region, service, operation, message}]`.
    pub problems: serde_json::Value,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The latest completed scan of each of `accounts` (none for a connection never scanned to
/// the end).
pub async fn last_scans(
    tx: &mut TenantTx,
    accounts: &[AwsAccountId],
) -> Result<Vec<LastScan>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select a.aws_account_id, s.scan_id, s.status, s.problems, s.finished_at
         from unnest($2::uuid[]) a(aws_account_id)
         cross join lateral (
             select scan_id, status, problems, finished_at from scans
             where tenant_id = $1 and aws_account_id = a.aws_account_id and status in ('succeeded', 'partial')
             order by created_at desc limit 1
         ) s",
    )
    .bind(tenant)
    .bind(accounts.iter().map(|a| a.0).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// The latest alert of a rule on a connection.
#[derive(Debug, Clone, FromRow)]
pub struct LastMatch {
    pub aws_account_id: AwsAccountId,
    pub rule_id: String,
    pub alert_id: Uuid,
    pub last_seen_at: DateTime<Utc>,
}

/// The latest alert of each of `rules` on each of `accounts` (`alerts_by_rule`: one short
/// walk per pair).
pub async fn last_matches(
    tx: &mut TenantTx,
    accounts: &[AwsAccountId],
    rules: &[&str],
) -> Result<Vec<LastMatch>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select a.aws_account_id, r.rule_id, l.alert_id, l.last_seen_at
         from unnest($2::uuid[]) a(aws_account_id)
         cross join unnest($3::text[]) r(rule_id)
         cross join lateral (
             select alert_id, last_seen_at from alerts
             where tenant_id = $1 and rule_id = r.rule_id and aws_account_id = a.aws_account_id
             order by last_seen_at desc, alert_id desc limit 1
         ) l",
    )
    .bind(tenant)
    .bind(accounts.iter().map(|a| a.0).collect::<Vec<_>>())
    .bind(rules)
    .fetch_all(&mut **tx)
    .await
}

/// An attestation as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Attestation {
    pub attestation_id: Uuid,
    pub framework: String,
    pub control_id: String,
    /// The connection it is about; `None`: every connection of the tenant.
    pub aws_account_id: Option<AwsAccountId>,
    pub owner: String,
    pub note: String,
    pub evidence_url: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub attested_by: String,
    pub attested_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

const COLUMNS: &str = "attestation_id, framework, control_id, aws_account_id, owner, note, evidence_url, \
                       expires_at, attested_by, attested_at, revoked_at, revoked_by";

/// A new attestation (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewAttestation<'a> {
    pub framework: &'a str,
    pub control_id: &'a str,
    pub aws_account_id: Option<AwsAccountId>,
    pub owner: &'a str,
    pub note: &'a str,
    pub evidence_url: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
    pub attested_by: &'a str,
    pub attested_at: DateTime<Utc>,
}

/// Records an attestation.
pub async fn attest(tx: &mut TenantTx, a: &NewAttestation<'_>) -> Result<Attestation, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "insert into compliance_attestations (tenant_id, attestation_id, framework, control_id, aws_account_id,
             owner, note, evidence_url, expires_at, attested_by, attested_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(a.framework)
    .bind(a.control_id)
    .bind(a.aws_account_id)
    .bind(a.owner)
    .bind(a.note)
    .bind(a.evidence_url)
    .bind(a.expires_at)
    .bind(a.attested_by)
    .bind(a.attested_at)
    .fetch_one(&mut **tx)
    .await
}

/// Revokes a live attestation; `None` when there is none of that ID (or it was revoked
/// already).
pub async fn revoke(
    tx: &mut TenantTx,
    id: Uuid,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Attestation>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update compliance_attestations set revoked_at = $4, revoked_by = $3
         where tenant_id = $1 and attestation_id = $2 and revoked_at is null
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(by)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await
}

/// The framework's attestations in force at `now` (not revoked, not expired), newest
/// first.
pub async fn live(
    tx: &mut TenantTx,
    framework: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Attestation>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from compliance_attestations
         where tenant_id = $1 and framework = $2 and revoked_at is null and expires_at > $3
         order by attested_at desc, attestation_id desc"
    )))
    .bind(tenant)
    .bind(framework)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}
