//! AWS Organization connections: create (external ID + the two templates), verify the
//! management role (which connects every member account), sync, delete, list.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    aws::{self, arn::RoleArn, org_template},
    ids::{AwsAccountId, AwsOrganizationId, TenantId},
    jobs,
    organizations::{self, SyncEnv, SyncError, SyncReport},
    roles::Permission,
    store::{
        audit,
        aws_organizations::{self, AwsOrganization},
    },
    tasks::{self, Task},
};

use super::{
    accounts::valid_regions,
    context::{parse_id, principal, require, require_active_plan, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::{AwsAccountGql, AwsAccountStatusGql},
};
use crate::{auth::Principal, connect};

/// Input of `createAwsOrganization`.
#[derive(Debug, InputObject)]
pub struct CreateAwsOrganizationInput {
    /// A name for the connection, e.g. "Acme organisation".
    pub name: String,
    /// The management account role's ARN, when already known (it can also be given to
    /// `verifyAwsOrganization`).
    pub management_role_arn: Option<String>,
    /// The role name the StackSet creates in every member account (default
    /// `VigilReadOnly`).
    pub member_role_name: Option<String>,
    /// The regions every member connection is scanned and read in (default, or null:
    /// every region each account has enabled).
    pub regions: Option<Vec<String>>,
}

/// What the customer needs to create the roles.
#[derive(Debug, Clone, SimpleObject)]
pub struct AwsOrganizationSetup {
    /// The principal the roles must trust: Vigil's own AWS identity.
    pub trusted_principal_arn: String,
    /// CloudFormation template (YAML) for the management account: the read-only role
    /// Vigil assumes to list the organisation (output `ManagementRoleArn`).
    pub management_template: String,
    /// CloudFormation template (YAML), deployed in the management account too: a
    /// service-managed StackSet with automatic deployment that creates the member role in
    /// every account of the given OUs, including accounts that join later.
    pub stack_set_template: String,
}

/// The organisation trail read for every member (through the management connection).
#[derive(Debug, Clone, SimpleObject)]
pub struct AwsOrganizationTrail {
    /// The organisation trail's ARN.
    pub arn: String,
    /// The S3 bucket its log files are read from.
    pub bucket: Option<String>,
    /// Whether the trail was logging every region at its last read: then it brings every
    /// member's events, and the members' own ingestion reads no CloudTrail of its own.
    pub covers_members: bool,
    /// When the bucket was last read through.
    pub read_at: Option<DateTime<Utc>>,
    /// 12-digit accounts with log files in the bucket but no connected member connection:
    /// their files are not read (connect them, or they are outside the organisation).
    pub skipped_accounts: Vec<String>,
}

/// What the last sync run by this request did.
#[derive(Debug, Clone, SimpleObject)]
pub struct AwsOrganizationSyncReport {
    /// Accounts listed in the organisation.
    pub seen: i32,
    /// Member connections created.
    pub added: i32,
    /// Members connected (their role verified).
    pub connected: i32,
    /// Members whose role check failed (each member's `error` says why).
    pub failed: i32,
    /// Members newly found gone from the organisation (marked, not deleted).
    pub left: i32,
    /// Accounts of the organisation already connected on their own (left as they are).
    pub already_connected: Vec<String>,
}

impl From<SyncReport> for AwsOrganizationSyncReport {
    fn from(r: SyncReport) -> Self {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            seen: n(r.seen),
            added: n(r.added),
            connected: n(r.connected),
            failed: n(r.failed),
            left: n(r.left),
            already_connected: r.already_connected,
        }
    }
}

/// A connected AWS Organization: its member accounts are connections of their own.
pub struct AwsOrganizationGql {
    org: AwsOrganization,
    report: Option<SyncReport>,
}

impl AwsOrganizationGql {
    fn new(org: AwsOrganization) -> Self {
        Self { org, report: None }
    }
}

/// An AWS Organization connected through its management account.
#[Object(name = "AwsOrganization")]
impl AwsOrganizationGql {
    /// The organisation connection's ID.
    async fn id(&self) -> ID {
        self.org.aws_organization_id.to_string().into()
    }
    /// A name the customer chose.
    async fn name(&self) -> &str {
        &self.org.name
    }
    /// The management role's state: `PENDING` until verified, `ERROR` when the last sync
    /// failed (`lastSyncError` says why).
    async fn status(&self) -> AwsAccountStatusGql {
        self.org.status.into()
    }
    /// The external ID every role of the organisation must require (one per organisation).
    async fn external_id(&self) -> &str {
        &self.org.external_id
    }
    /// The management account's role Vigil assumes to list the organisation, once given.
    async fn management_role_arn(&self) -> Option<&str> {
        self.org.management_role_arn.as_deref()
    }
    /// The role name the StackSet deploys in every member account.
    async fn member_role_name(&self) -> &str {
        &self.org.member_role_name
    }
    /// The regions its member connections cover (null: every region each enabled).
    async fn regions(&self) -> Option<&[String]> {
        self.org.regions.as_deref()
    }
    /// AWS's organisation ID (`o-...`), known once verified.
    async fn organization_id(&self) -> Option<&str> {
        self.org.organization_id.as_deref()
    }
    /// The management account's 12-digit ID, known once verified.
    async fn management_account_id(&self) -> Option<&str> {
        self.org.management_account_id.as_deref()
    }
    /// When the organisation's accounts were last listed and reconciled.
    async fn last_sync_at(&self) -> Option<DateTime<Utc>> {
        self.org.last_sync_at
    }
    /// When the next scheduled sync is due.
    async fn next_sync_at(&self) -> Option<DateTime<Utc>> {
        self.org.next_sync_at
    }
    /// Why the last sync failed (AWS's refusal explained); null after a successful one.
    async fn last_sync_error(&self) -> Option<&str> {
        self.org.last_sync_error.as_deref()
    }
    /// When the organisation connection was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.org.created_at
    }
    /// The member connection (an `AwsAccount.id`, typically the log-archive account) whose
    /// role reads the organisation trail's bucket; null: the management role reads it.
    async fn trail_reader_aws_account_id(&self) -> Option<ID> {
        self.org.trail_reader.map(|id| id.to_string().into())
    }
    /// The organisation trail the management connection's ingestion reads for every
    /// member; null until one is found.
    async fn trail(&self) -> Option<AwsOrganizationTrail> {
        let o = &self.org;
        o.trail_arn.clone().map(|arn| AwsOrganizationTrail {
            arn,
            bucket: o.trail_bucket.clone(),
            covers_members: o.trail_covers_members,
            read_at: o.trail_read_at,
            skipped_accounts: o.trail_skipped_accounts.clone(),
        })
    }
    /// What the sync this request ran did (null when it ran none).
    async fn sync_report(&self) -> Option<AwsOrganizationSyncReport> {
        self.report.clone().map(Into::into)
    }
    /// The member connections, by name (each with its own status and error).
    async fn accounts(&self, ctx: &Context<'_>) -> GqlResult<Vec<AwsAccountGql>> {
        let p = principal(ctx)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let members = aws_organizations::members(&mut tx, self.org.aws_organization_id).await?;
        Ok(members.into_iter().map(AwsAccountGql).collect())
    }
    /// How to create the roles: principal and the two templates.
    async fn setup(&self, ctx: &Context<'_>) -> GqlResult<AwsOrganizationSetup> {
        principal(ctx)?;
        let trusted = connect::principal_arn(state(ctx)?).await?;
        Ok(AwsOrganizationSetup {
            management_template: org_template::management(&trusted, &self.org.external_id),
            stack_set_template: org_template::stack_set(
                &trusted,
                &self.org.external_id,
                &self.org.member_role_name,
            ),
            trusted_principal_arn: trusted,
        })
    }
}

fn valid_name(name: &str) -> GqlResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(GqlError::bad_input("name must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

fn valid_role_name(name: &str) -> GqlResult<String> {
    let name = name.trim();
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(GqlError::bad_input(
            "memberRoleName must be an IAM role name: 1 to 64 of A-Z a-z 0-9 + = , . @ _ -",
        ))
    }
}

fn valid_role_arn(raw: &str) -> GqlResult<String> {
    RoleArn::parse(raw)
        .map(|a| a.to_string())
        .map_err(|m| GqlError::bad_input(format!("managementRoleArn is not a role ARN: {m}")))
}

/// Runs a sync now (verification or by hand), within the tenant's STS budget.
async fn sync_now(
    ctx: &Context<'_>,
    p: &Principal,
    id: AwsOrganizationId,
) -> GqlResult<(AwsOrganization, SyncReport)> {
    let state = state(ctx)?;
    if let Err(retry_after) = state.sts_limits.check(p.tenant_id, 1) {
        return Err(GqlError::RateLimited {
            message: format!(
                "too many role verifications for this organization; retry in {retry_after} s"
            ),
            reason: "STS_RATE_LIMIT",
            retry_after,
        });
    }
    // Vigil's own identity must be known before any role is checked against it.
    connect::principal_arn(state).await?;
    let env = SyncEnv {
        pool: &state.pool,
        aws: &state.aws.config,
        clock: &state.clock,
        scan_interval: state.config.scan_interval,
        ingest_interval: state.config.ingest_interval,
        sync_interval: state.config.organization_sync_interval,
    };
    match organizations::sync(env, p.tenant_id, id).await {
        Ok(done) => Ok(done),
        Err(SyncError::NotFound) => Err(GqlError::NotFound("AWS organization")),
        Err(SyncError::NoRole) => Err(GqlError::bad_input(
            "the organisation has no management role yet: verify it with its managementRoleArn",
        )),
        Err(SyncError::Db(e))
            if e.as_database_error().and_then(|d| d.constraint())
                == Some("aws_organizations_tenant_org_key") =>
        {
            Err(GqlError::Conflict(
                "this AWS organisation is already connected; each organisation is connected once"
                    .into(),
            ))
        }
        Err(SyncError::Db(e)) => Err(e.into()),
    }
}

async fn record(
    ctx: &Context<'_>,
    p: &Principal,
    action: &str,
    org: &AwsOrganization,
    details: serde_json::Value,
) -> GqlResult<()> {
    let mut tx = tenant_tx(ctx, p).await?;
    audit::record(&mut tx, &p.actor(), action, Some(&org.name), details).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// The tenant's AWS Organization connections, by name.
    async fn aws_organizations(&self, ctx: &Context<'_>) -> GqlResult<Vec<AwsOrganizationGql>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let list = aws_organizations::list(&mut tx).await?;
        Ok(list.into_iter().map(AwsOrganizationGql::new).collect())
    }

    /// One organisation; null when it does not exist (or belongs to another tenant).
    async fn aws_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<Option<AwsOrganizationGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<AwsOrganizationId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(aws_organizations::get(&mut tx, id)
            .await?
            .map(AwsOrganizationGql::new))
    }
}

#[derive(Default)]
pub struct OrganizationsMutation;

#[Object]
impl OrganizationsMutation {
    /// Starts connecting an AWS Organization (owners and admins): a `PENDING` organisation
    /// with a generated external ID and the `setup` templates to deploy in its management
    /// account.
    async fn create_aws_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateAwsOrganizationInput,
    ) -> GqlResult<AwsOrganizationGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        require_active_plan(ctx, p).await?;
        let name = valid_name(&input.name)?;
        let member_role = valid_role_name(
            input
                .member_role_name
                .as_deref()
                .unwrap_or(org_template::MEMBER_ROLE_NAME),
        )?;
        let management = input
            .management_role_arn
            .as_deref()
            .map(valid_role_arn)
            .transpose()?;
        let regions = valid_regions(input.regions.as_deref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let org = aws_organizations::insert(
            &mut tx,
            &name,
            &aws::new_external_id(),
            &member_role,
            management.as_deref(),
            regions.as_deref(),
        )
        .await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_organization.created",
            Some(&name),
            json!({ "aws_organization_id": org.aws_organization_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsOrganizationGql::new(org))
    }

    /// Verifies the management role and connects every ACTIVE account of the organisation
    /// (owners and admins): each member is verified through the member role with the
    /// organisation's external ID, then scanned and ingested like a single account. On a
    /// refusal the organisation's status is `ERROR` and `lastSyncError` explains it; a
    /// member whose role fails is `ERROR` with its own `error`.
    async fn verify_aws_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        management_role_arn: String,
    ) -> GqlResult<AwsOrganizationGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsOrganizationId = parse_id(&id, "AWS organization")?;
        let role_arn = valid_role_arn(&management_role_arn)?;
        require_active_plan(ctx, p).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        aws_organizations::set_management_role(&mut tx, id, &role_arn)
            .await?
            .ok_or(GqlError::NotFound("AWS organization"))?;
        tx.commit().await?;
        let (org, report) = sync_now(ctx, p, id).await?;
        let action = if org.last_sync_error.is_some() {
            "aws_organization.verify_failed"
        } else {
            "aws_organization.connected"
        };
        record(
            ctx,
            p,
            action,
            &org,
            json!({ "aws_organization_id": id, "role_arn": role_arn, "added": report.added }),
        )
        .await?;
        Ok(AwsOrganizationGql {
            org,
            report: Some(report),
        })
    }

    /// Syncs a verified organisation now rather than at its next scheduled sync (owners
    /// and admins): accounts that joined are connected, accounts that left are marked.
    async fn sync_aws_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<AwsOrganizationGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsOrganizationId = parse_id(&id, "AWS organization")?;
        require_active_plan(ctx, p).await?;
        let (org, report) = sync_now(ctx, p, id).await?;
        record(
            ctx,
            p,
            "aws_organization.synced",
            &org,
            json!({ "aws_organization_id": id, "added": report.added, "left": report.left }),
        )
        .await?;
        Ok(AwsOrganizationGql {
            org,
            report: Some(report),
        })
    }

    /// Sets the regions of the organisation and of every member connection it holds
    /// (owners and admins); null for every region each account has enabled. Accounts
    /// joining later get the same list. Takes effect at each member's next scan.
    async fn set_aws_organization_regions(
        &self,
        ctx: &Context<'_>,
        id: ID,
        regions: Option<Vec<String>>,
    ) -> GqlResult<AwsOrganizationGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsOrganizationId = parse_id(&id, "AWS organization")?;
        let regions = valid_regions(regions.as_deref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let org = aws_organizations::set_regions(&mut tx, id, regions.as_deref())
            .await?
            .ok_or(GqlError::NotFound("AWS organization"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_organization.regions_set",
            Some(&org.name),
            json!({ "aws_organization_id": id, "regions": regions }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsOrganizationGql::new(org))
    }

    /// Names the member connection whose role reads the organisation trail's bucket
    /// (owners and admins): the log-archive account, when the bucket lives there and the
    /// management role may not read it. Its member role must allow `s3:GetObject` and
    /// `s3:ListBucket` on the bucket (the StackSet's `CloudTrailBucket` parameter). Null:
    /// the management role reads it again.
    async fn set_aws_organization_trail_reader(
        &self,
        ctx: &Context<'_>,
        id: ID,
        aws_account_id: Option<ID>,
    ) -> GqlResult<AwsOrganizationGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsOrganizationId = parse_id(&id, "AWS organization")?;
        let reader: Option<AwsAccountId> = aws_account_id
            .as_ref()
            .map(|a| parse_id(a, "AWS account"))
            .transpose()?;
        let mut tx = tenant_tx(ctx, p).await?;
        let Some(org) = aws_organizations::set_trail_reader(&mut tx, id, reader).await? else {
            // Either the organisation or the member is unknown here: say which.
            return Err(if aws_organizations::get(&mut tx, id).await?.is_none() {
                GqlError::NotFound("AWS organization")
            } else {
                GqlError::NotFound("AWS account in this organization")
            });
        };
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_organization.trail_reader_set",
            Some(&org.name),
            json!({ "aws_organization_id": id, "trail_reader": reader }),
        )
        .await?;
        tx.commit().await?;
        Ok(AwsOrganizationGql::new(org))
    }

    /// Removes an organisation, its member connections and everything Vigil holds about
    /// them, and cancels their queued jobs (owners and admins). Returns the deleted
    /// organisation's ID.
    async fn delete_aws_organization(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let org_id: AwsOrganizationId = parse_id(&id, "AWS organization")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let org = aws_organizations::lock(&mut tx, org_id)
            .await?
            .ok_or(GqlError::NotFound("AWS organization"))?;
        let members = aws_organizations::members(&mut tx, org_id).await?;
        for member in &members {
            jobs::cancel_queued(
                &mut tx,
                p.tenant_id,
                &tasks::account_key_prefix(member.aws_account_id),
            )
            .await?;
        }
        cancel_sync(&mut tx, p.tenant_id, org_id).await?;
        if !aws_organizations::delete(&mut tx, org_id).await? {
            return Err(GqlError::NotFound("AWS organization"));
        }
        audit::record(
            &mut tx,
            &p.actor(),
            "aws_organization.deleted",
            Some(&org.name),
            json!({ "aws_organization_id": org_id, "members": members.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Cancels the organisation's queued sync job, if any.
async fn cancel_sync(
    tx: &mut vigil_core::db::TenantTx,
    tenant_id: TenantId,
    id: AwsOrganizationId,
) -> GqlResult<()> {
    let key = Task::SyncOrganization {
        tenant_id,
        aws_organization_id: id,
    }
    .unique_key()
    .unwrap_or_default();
    jobs::cancel_queued(tx, tenant_id, &key).await?;
    Ok(())
}
