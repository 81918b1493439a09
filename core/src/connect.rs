//! Connecting an AWS account, as both the API's verification of one account and an
//! organisation's sync (API or worker) do it: the role check, and the first work queued
//! for a new connection.

use std::time::Duration;

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};

use crate::{
    aws::{
        arn::RoleArn,
        sts::{self, AssumeRequest, StsError},
    },
    db::TenantTx,
    ids::AwsAccountId,
    jobs::{self, NewJob},
    store::{aws_accounts, scans},
    tasks::Task,
};

/// Seconds the verification sessions last (the shortest AWS allows).
pub const CHECK_SESSION_SECS: i32 = 900;

/// Why a role did not pass [`check_role`].
#[derive(Debug, Clone)]
pub enum RoleCheckError {
    /// AWS refused to let us assume the role with the external ID (AWS's message).
    Denied(String),
    /// AWS could not be reached or answered unexpectedly; worth trying again.
    Unreachable(String),
    /// The role was assumed but is not acceptable; the explanation is for the customer.
    Refused(String),
}

/// A role that passed [`check_role`]: the 12-digit account it answered as, and the
/// session's credentials.
#[derive(Debug)]
pub struct CheckedRole {
    pub account_id: String,
    pub credentials: aws_credential_types::Credentials,
}

/// Assumes `arn` with `external_id`, confirms the account it answers as, then makes sure
/// the role refuses us without the external ID (AWS's guidance against the confused
/// deputy).
pub async fn check_role(
    base: &SdkConfig,
    arn: &RoleArn,
    external_id: &str,
    session_name: &str,
) -> Result<CheckedRole, RoleCheckError> {
    let role_arn = arn.to_string();
    let credentials = match sts::assume_role(
        base,
        AssumeRequest {
            role_arn: &role_arn,
            external_id: Some(external_id),
            session_name,
            duration_secs: CHECK_SESSION_SECS,
        },
    )
    .await
    {
        Ok(c) => c,
        Err(StsError::Denied(said)) => return Err(RoleCheckError::Denied(said)),
        Err(e) => {
            return Err(RoleCheckError::Unreachable(format!(
                "AWS could not be reached to assume {role_arn} ({e}); try again in a minute"
            )));
        }
    };
    let assumed = sts::config_with_credentials(base, credentials.clone());
    let who = sts::caller_identity(&assumed).await.map_err(|e| {
        RoleCheckError::Unreachable(format!(
            "the role was assumed but GetCallerIdentity failed ({e}); try again"
        ))
    })?;
    if who.account != arn.account_id {
        return Err(RoleCheckError::Refused(format!(
            "the role answered as account {} although its ARN names {}",
            who.account, arn.account_id
        )));
    }
    let without = sts::assume_role(
        base,
        AssumeRequest {
            role_arn: &role_arn,
            external_id: None,
            session_name,
            duration_secs: CHECK_SESSION_SECS,
        },
    )
    .await;
    match without {
        Ok(_) => Err(RoleCheckError::Refused(format!(
            "refused: the role's trust policy lets Vigil assume {arn} without the external ID. That \
             makes it open to the confused-deputy problem (anyone who can make Vigil assume roles could \
             reach your account). Add the condition StringEquals sts:ExternalId to the trust policy, \
             as the CloudFormation template does, then verify again."
        ))),
        Err(StsError::Denied(_)) => Ok(CheckedRole {
            account_id: who.account,
            credentials,
        }),
        Err(e) => Err(RoleCheckError::Unreachable(format!(
            "could not confirm that the role requires the external ID ({e}); try again in a minute"
        ))),
    }
}

/// Queues a new connection's first scan and ingestion, and schedules the next ones.
pub async fn queue_first_work(
    tx: &mut TenantTx,
    id: AwsAccountId,
    now: DateTime<Utc>,
    scan_interval: Duration,
    ingest_interval: Duration,
) -> Result<(), sqlx::Error> {
    let tenant_id = tx.tenant();
    let first_scan = scans::insert(tx, id, "connect", false).await?;
    for task in [
        Task::ScanAccount {
            tenant_id,
            aws_account_id: id,
            scan_id: Some(first_scan.scan_id),
        },
        Task::IngestActivity {
            tenant_id,
            aws_account_id: id,
        },
    ] {
        let key = task.unique_key().unwrap_or_default();
        jobs::enqueue(tx, NewJob::new(task).tenant(tenant_id).unique(key)).await?;
    }
    let next_scan = now + chrono::Duration::from_std(scan_interval).unwrap_or_default();
    let next_ingest = now + chrono::Duration::from_std(ingest_interval).unwrap_or_default();
    aws_accounts::set_next_due(tx, id, aws_accounts::Due::Scan, next_scan).await?;
    aws_accounts::set_next_due(tx, id, aws_accounts::Due::Ingest, next_ingest).await?;
    Ok(())
}
