//! Verifying a customer's role, the one synchronous AWS call the API makes.

use serde_json::json;
use vigil_core::{
    aws::arn::RoleArn,
    connect::{RoleCheckError, check_role, queue_first_work},
    db,
    ids::AwsAccountId,
    store::{audit, aws_accounts},
};

use crate::{
    auth::Principal,
    error::OnConstraint,
    graphql::error::{GqlError, GqlResult},
    state::AppState,
};

/// The principal customers trust (configured, or discovered once).
pub async fn principal_arn(state: &AppState) -> GqlResult<String> {
    state.aws.principal_arn().await.map_err(|e| {
        tracing::error!(error = %e, "Vigil's own AWS identity could not be determined");
        GqlError::Misconfigured(
            "Vigil's own AWS identity is not available; the operator must configure AWS credentials",
        )
    })
}

pub(crate) fn explain_denied(
    arn: &RoleArn,
    principal: &str,
    external_id: &str,
    aws_said: &str,
) -> String {
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
    let outcome: Result<String, String> =
        match check_role(&state.aws.config, &arn, &account.external_id, &session_name).await {
            Ok(checked) => Ok(checked.account_id),
            Err(RoleCheckError::Denied(said)) => {
                Err(explain_denied(&arn, &trusted, &account.external_id, &said))
            }
            Err(RoleCheckError::Unreachable(m) | RoleCheckError::Refused(m)) => Err(m),
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
            queue_first_work(
                &mut tx,
                id,
                now,
                state.config.scan_interval,
                state.config.ingest_interval,
            )
            .await?;
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
