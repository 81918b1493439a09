//! Scans: one assessment run over one connection; listed, read, and started by hand.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use vigil_core::{
    ids::{AwsAccountId, ScanId},
    jobs::{self, NewJob},
    roles::Permission,
    store::{aws_accounts, scans},
    tasks::Task,
};

use super::{
    context::{account_filter, parse_id, require, require_active_plan, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size},
    types::ScanGql,
};
use crate::connection;

connection!(ScanConnection, ScanEdge, ScanGql, "scans");

/// Reads scans.
#[derive(Default)]
pub struct ScansQuery;

#[Object]
impl ScansQuery {
    /// One scan; null when absent (or another tenant's).
    async fn scan(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<ScanGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<ScanId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(scans::get(&mut tx, id).await?.map(ScanGql))
    }

    /// Scans, newest first, optionally of one connection.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn scans(
        &self,
        ctx: &Context<'_>,
        aws_account_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<ScanConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<(DateTime<Utc>, ScanId)>)
            .transpose()?;
        let account = account_filter(aws_account_id.as_ref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let (rows, total) = scans::page(&mut tx, account, after, limit + 1).await?;
        Ok(ScanConnection::from_rows(
            rows,
            limit,
            total,
            |s| (s.created_at, s.scan_id),
            ScanGql,
        ))
    }
}

/// Starts scans.
#[derive(Default)]
pub struct ScansMutation;

#[Object]
impl ScansMutation {
    /// Scans a connected account now (owners and admins). When a scan of it is already
    /// queued or running, returns that one. The scan reads every region unless
    /// `incremental` is true: then, as scheduled scans do, it skips the regions no write
    /// call has touched since their last full read (a change made minutes ago may not be
    /// in CloudTrail's delivered events yet).
    async fn start_scan(
        &self,
        ctx: &Context<'_>,
        aws_account_id: ID,
        #[graphql(default = false)] incremental: bool,
    ) -> GqlResult<ScanGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&aws_account_id, "AWS account")?;
        require_active_plan(ctx, p).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::get(&mut tx, id)
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        if account.role_arn.is_none() {
            return Err(GqlError::bad_input(
                "verify the account's role before scanning it",
            ));
        }
        if let Some(active) = scans::active(&mut tx, id).await? {
            return Ok(ScanGql(active));
        }
        let scan = scans::insert(&mut tx, id, "manual", incremental).await?;
        let task = Task::ScanAccount {
            tenant_id: p.tenant_id,
            aws_account_id: id,
            scan_id: Some(scan.scan_id),
        };
        let key = task.unique_key().unwrap_or_default();
        jobs::enqueue(&mut tx, NewJob::new(task).tenant(p.tenant_id).unique(key)).await?;
        tx.commit().await?;
        Ok(ScanGql(scan))
    }
}
