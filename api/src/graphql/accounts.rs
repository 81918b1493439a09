//! AWS account connections: create (external ID + template), verify the customer's
//! role, rename, delete, list.

use async_graphql::{Context, ID, InputObject, Object};
use serde_json::json;
use vigil_core::{
    aws,
    ids::AwsAccountId,
    jobs,
    roles::Permission,
    store::{audit, aws_accounts},
    tasks,
};

use super::{
    context::{parse_id, require, require_active_plan, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::AwsAccountGql,
};
use crate::connect;

/// Input of `createAwsAccount`.
#[derive(Debug, InputObject)]
pub struct CreateAwsAccountInput {
    /// A name for the connection, e.g. "production".
    pub name: String,
    /// The regions to scan and read activity in, e.g. `["eu-west-1", "us-east-1"]`
    /// (default, or null: every region the account has enabled). Global services (IAM,
    /// S3, CloudFront, Route 53, Organizations) are read either way.
    pub regions: Option<Vec<String>>,
}

fn valid_name(name: &str) -> GqlResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(GqlError::bad_input("name must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

/// Checks a region list given as input (`None` stays every enabled region).
pub(super) fn valid_regions(regions: Option<&[String]>) -> GqlResult<Option<Vec<String>>> {
    regions
        .map(aws::regions::parse_list)
        .transpose()
        .map_err(|message| GqlError::BadInput {
            message,
            field: Some("regions".into()),
            line: None,
            reason: None,
        })
}

/// Accepts `arn:<partition>:cloudtrail:<region>:<12 digits>:trail/<name>`.
fn valid_trail_arn(arn: &str) -> GqlResult<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(), ["arn", partition, "cloudtrail", region, account, resource]
    if partition.starts_with("aws")
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource.strip_prefix("trail/").is_some_and(|n| {
            (3..=128).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        }));
    if ok {
        Ok(())
    } else {
        Err(GqlError::bad_input(
            "trailArn must be a trail ARN: arn:aws:cloudtrail:<region>:<account>:trail/<name>",
        ))
    }
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The tenant's AWS account connections, by name.
    async fn aws_accounts(&self, ctx: &Context<'_>) -> GqlResult<Vec<AwsAccountGql>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let list = aws_accounts::list(&mut tx).await?;
        Ok(list.into_iter().map(AwsAccountGql).collect())
    }

    /// One connection; null when it does not exist (or belongs to another tenant).
    async fn aws_account(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<AwsAccountGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<AwsAccountId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(aws_accounts::get(&mut tx, id).await?.map(AwsAccountGql))
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Starts connecting an AWS account (owners and admins): a `PENDING` connection with
    /// a generated external ID and the `setup` to create the role.
    async fn create_aws_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAwsAccountInput,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        require_active_plan(ctx, p).await?;
        let name = valid_name(&input.name)?;
        let regions = valid_regions(input.regions.as_deref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account =
            aws_accounts::insert(&mut tx, &name, &aws::new_external_id(), regions.as_deref())
                .await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_account.created",
            Some(&name),
            json!({ "aws_account_id": account.aws_account_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsAccountGql(account))
    }

    /// Checks the customer's role and connects the account (owners and admins). On
    /// success the status is `CONNECTED` and the first scan and activity ingestion are
    /// queued; on failure the status is `ERROR` and `error` explains what to fix.
    async fn verify_aws_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role_arn: String,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&id, "AWS account")?;
        require_active_plan(ctx, p).await?;
        connect::verify(state(ctx)?, p, id, &role_arn)
            .await
            .map(AwsAccountGql)
    }

    /// Renames a connection (owners and admins).
    async fn rename_aws_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&id, "AWS account")?;
        let name = valid_name(&name)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::rename(&mut tx, id, &name)
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        tx.commit().await?;
        Ok(AwsAccountGql(account))
    }

    /// Designates the trail whose S3 files ingestion reads (owners and admins): an ARN
    /// `arn:aws:cloudtrail:<region>:<account>:trail/<name>` (an organization trail may live
    /// in the management account), or null to let the next ingestion pick one. A trail
    /// created later never replaces it.
    async fn set_aws_account_trail(
        &self,
        ctx: &Context<'_>,
        id: ID,
        trail_arn: Option<String>,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&id, "AWS account")?;
        if let Some(arn) = trail_arn.as_deref() {
            valid_trail_arn(arn)?;
        }
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::pin_trail(&mut tx, id, trail_arn.as_deref())
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_account.trail_set",
            Some(&account.name),
            json!({ "aws_account_id": id, "trail_arn": trail_arn }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsAccountGql(account))
    }

    /// Sets the regions the connection is scanned and its activity read in (owners and
    /// admins); null for every region the account has enabled. Takes effect at the next
    /// scan; findings in a region left out keep their last state. A listed region the
    /// account has not enabled is reported on each scan.
    async fn set_aws_account_regions(
        &self,
        ctx: &Context<'_>,
        id: ID,
        regions: Option<Vec<String>>,
    ) -> GqlResult<AwsAccountGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&id, "AWS account")?;
        let regions = valid_regions(regions.as_deref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::set_regions(&mut tx, id, regions.as_deref())
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_account.regions_set",
            Some(&account.name),
            json!({ "aws_account_id": id, "regions": regions }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsAccountGql(account))
    }

    /// Removes a connection and everything Vigil holds about it, and cancels its queued
    /// jobs (owners and admins). Returns the deleted connection's ID.
    async fn delete_aws_account(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let account_id: AwsAccountId = parse_id(&id, "AWS account")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::get(&mut tx, account_id)
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        jobs::cancel_queued(&mut tx, p.tenant_id, &tasks::account_key_prefix(account_id)).await?;
        if !aws_accounts::delete(&mut tx, account_id).await? {
            return Err(GqlError::NotFound("AWS account"));
        }
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_account.deleted",
            Some(&account.name),
            json!({ "aws_account_id": account_id, "account_id": account.account_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
