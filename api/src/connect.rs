//! Verifying a customer's role, the one synchronous AWS call the API makes.

use chrono::Utc;
use serde_json::json;
use vigil_core::{
    aws::{
        arn::RoleArn,
        sts::{self, AssumeRequest, StsError},
    },
    db,
    ids::AwsAccountId,
    jobs::{self, NewJob},
    store::{audit, aws_accounts, scans},
    tasks::Task,
};

use crate::{
    auth::Principal,
    error::OnConstraint,
    graphql::error::{GqlError, GqlResult},
    state::AppState,
};

/// Seconds the verification sessions last (the shortest AWS allows).
const CHECK_SESSION_SECS: i32 = 900;

/// The principal customers trust (configured, or discovered once).
pub async fn principal_arn(state: &AppState) -> GqlResult<String> {
    state.aws.principal_arn().await.map_err(|e| {
        tracing::error!(error = %e, "Vigil's own AWS identity could not be determined");
        GqlError::Misconfigured(
            "Vigil's own AWS identity is not available; the operator must configure AWS credentials",
        )
    })
}

fn explain_denied(arn: &RoleArn, principal: &str, external_id: &str, aws_said: &str) -> String {
    format!(
        "Vigil could not assume {arn}: AWS denied the request. Usual causes: (1) the role does not \
         exist yet or the ARN has a typo (copy the RoleArn output of the CloudFormation stack); (2) \
         the role's trust policy does not name Vigil's principal {principal}; (3) the trust policy's \
         sts:ExternalId condition is not {external_id} (for instance the stack was created for \
         another connection). AWS said: {aws_said}"
    )
}

/// Verifies `raw_arn` for a pending (or failing) connection and records the outcome.
pub async fn verify(
    state: &AppState,
    p: &Principal,
    id: AwsAccountId,
    raw_arn: &str,
) -> GqlResult<aws_accounts::AwsAccount> {
    // Malformed ARNs are refused before anything is read or called.
    let arn = RoleArn::parse(raw_arn)
        .map_err(|m| GqlError::bad_input(format!("roleArn is not a role ARN: {m}")))?;
    let role_arn = arn.to_string();
    let mut tx = db::begin_tenant(&state.pool, p.tenant_id).await?;
    let account = aws_accounts::get(&mut tx, id)
        .await?
        .ok_or(GqlError::NotFound("AWS account"))?;
    if let Some(other) = aws_accounts::account_taken(&mut tx, &arn.account_id, id).await? {
        return Err(GqlError::Conflict(format!(
            "AWS account {} is already connected as \"{other}\"; each account is connected once",
            arn.account_id
        )));
    }
    tx.commit().await?;

    if let Err(retry_after) = state.sts_limits.check(p.tenant_id, 1) {
        return Err(GqlError::RateLimited {
            message: format!(
                "too many role verifications for this organization; retry in {retry_after} s"
            ),
            reason: "STS_RATE_LIMIT",
            retry_after,
        });
    }
    let trusted = principal_arn(state).await?;
    let session_name = format!("vigil-{}", p.tenant_id);
    let with_external_id = sts::assume_role(
        &state.aws.config,
        AssumeRequest {
            role_arn: &role_arn,
            external_id: Some(&account.external_id),
            session_name: &session_name,
            duration_secs: CHECK_SESSION_SECS,
        },
    )
    .await;
    let outcome: Result<String, String> = match with_external_id {
        Err(StsError::Denied(said)) => {
            Err(explain_denied(&arn, &trusted, &account.external_id, &said))
        }
        Err(e) => Err(format!(
            "AWS could not be reached to assume {role_arn} ({e}); try again in a minute"
        )),
        Ok(creds) => check_assumed(state, &arn, creds, &session_name).await,
    };

    let now = state.clock.now();
    let mut tx = db::begin_tenant(&state.pool, p.tenant_id).await?;
    let result = match outcome {
        Err(reason) => {
            let failed = aws_accounts::mark_error(&mut tx, id, Some(&role_arn), &reason)
                .await?
                .ok_or(GqlError::NotFound("AWS account"))?;
            audit::record(
                &mut tx,
                &p.actor(),
                "aws_account.verify_failed",
                Some(&account.name),
                json!({ "aws_account_id": id, "role_arn": role_arn }),
            )
            .await?;
            failed
        }
        Ok(account_id) => {
            let connected = aws_accounts::mark_connected(
                &mut tx,
                id,
                &role_arn,
                &account_id,
                now,
            )
            .await
            .on_constraint("aws_accounts_tenant_account_key", || {
                GqlError::Conflict(format!(
                    "AWS account {account_id} is already connected; each account is connected once"
                ))
            })?
            .ok_or(GqlError::NotFound("AWS account"))?;
            queue_first_work(&mut tx, state, p, id, now).await?;
            audit::record(
                &mut tx,
                &p.actor(),
                "aws_account.connected",
                Some(&account.name),
                json!({ "aws_account_id": id, "account_id": account_id, "role_arn": role_arn }),
            )
            .await?;
            connected
        }
    };
    tx.commit().await?;
    Ok(result)
}

/// With the assumed credentials: confirm the account, then make sure the role refuses
/// us without the external ID (AWS's guidance against the confused deputy).
async fn check_assumed(
    state: &AppState,
    arn: &RoleArn,
    creds: aws_credential_types::Credentials,
    session_name: &str,
) -> Result<String, String> {
    let assumed = sts::config_with_credentials(&state.aws.config, creds);
    let who = sts::caller_identity(&assumed).await.map_err(|e| {
        format!("the role was assumed but GetCallerIdentity failed ({e}); try again")
    })?;
    if who.account != arn.account_id {
        return Err(format!(
            "the role answered as account {} although its ARN names {}",
            who.account, arn.account_id
        ));
    }
    let without = sts::assume_role(
        &state.aws.config,
        AssumeRequest {
            role_arn: &arn.to_string(),
            external_id: None,
            session_name,
            duration_secs: CHECK_SESSION_SECS,
        },
    )
    .await;
    match without {
        Ok(_) => Err(format!(
            "refused: the role's trust policy lets Vigil assume {arn} without the external ID. That \
             makes it open to the confused-deputy problem (anyone who can make Vigil assume roles could \
             reach your account). Add the condition StringEquals sts:ExternalId to the trust policy, \
             as the CloudFormation template does, then verify again."
        )),
        Err(StsError::Denied(_)) => Ok(who.account),
        Err(e) => Err(format!(
            "could not confirm that the role requires the external ID ({e}); try again in a minute"
        )),
    }
}

/// Queues the first scan and ingestion, and schedules the next ones.
async fn queue_first_work(
    tx: &mut db::TenantTx,
    state: &AppState,
    p: &Principal,
    id: AwsAccountId,
    now: chrono::DateTime<Utc>,
) -> GqlResult<()> {
    let first_scan = scans::insert(tx, id, "connect", false).await?;
    for task in [
        Task::ScanAccount {
            tenant_id: p.tenant_id,
            aws_account_id: id,
            scan_id: Some(first_scan.scan_id),
        },
        Task::IngestActivity {
            tenant_id: p.tenant_id,
            aws_account_id: id,
        },
    ] {
        let key = task.unique_key().unwrap_or_default();
        jobs::enqueue(tx, NewJob::new(task).tenant(p.tenant_id).unique(key)).await?;
    }
    let next_scan =
        now + chrono::Duration::from_std(state.config.scan_interval).unwrap_or_default();
    let next_ingest =
        now + chrono::Duration::from_std(state.config.ingest_interval).unwrap_or_default();
    aws_accounts::set_next_due(tx, id, aws_accounts::Due::Scan, next_scan).await?;
    aws_accounts::set_next_due(tx, id, aws_accounts::Due::Ingest, next_ingest).await?;
    Ok(())
}
