//! Syncing an AWS Organization connection: assume the management role, list the
//! organisation's accounts and OUs, connect every ACTIVE account that is not connected yet
//! (through the member role the StackSet deployed, with the organisation's external ID,
//! checked exactly as a single account's role is), record where each member sits, and
//! mark members that left (kept, never deleted). The API runs it for `verifyAwsOrganization`
//! and `syncAwsOrganization`; the worker runs it at every `SyncOrganization` job.

use std::{collections::HashMap, time::Duration};

use aws_config::SdkConfig;
use aws_smithy_types::error::display::DisplayErrorContext;
use futures::{StreamExt, stream};
use sqlx::PgPool;

use crate::{
    aws::{arn::RoleArn, sts},
    clock::Clock,
    connect::{self, RoleCheckError},
    db,
    ids::{AwsAccountId, AwsOrganizationId, TenantId},
    store::{
        aws_accounts,
        aws_organizations::{self, AwsOrganization},
    },
};

/// Member roles checked at once (three STS calls each).
const VERIFY_CONCURRENCY: usize = 8;

/// What a sync needs besides the organisation.
#[derive(Clone, Copy)]
pub struct SyncEnv<'a> {
    pub pool: &'a PgPool,
    /// Vigil's own AWS configuration (the principal customers trust).
    pub aws: &'a SdkConfig,
    pub clock: &'a Clock,
    pub scan_interval: Duration,
    pub ingest_interval: Duration,
    /// When the next scheduled sync is due after this one.
    pub sync_interval: Duration,
}

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Accounts seen in the organisation (every state).
    pub seen: usize,
    /// Member connections created by this sync.
    pub added: usize,
    /// Members whose role was checked and connected by this sync.
    pub connected: usize,
    /// Members whose role check failed (each member's `error` says why).
    pub failed: usize,
    /// Members newly found gone from the organisation.
    pub left: usize,
    /// Accounts of the organisation the tenant had already connected on their own.
    pub already_connected: Vec<String>,
}

/// Why a sync did not run (AWS's refusals are not errors: they are recorded on the
/// organisation, whose `status` becomes `ERROR`).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the organisation does not exist")]
    NotFound,
    #[error("the organisation has no management role to assume yet")]
    NoRole,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// One account as the management account lists it.
#[derive(Debug, Clone)]
struct OrgAccount {
    id: String,
    name: String,
    active: bool,
    ou_path: String,
}

/// The organisation as the management role sees it.
struct Listing {
    organization_id: String,
    management_account_id: String,
    accounts: Vec<OrgAccount>,
}

/// Syncs one organisation; see the module's documentation.
pub async fn sync(
    env: SyncEnv<'_>,
    tenant: TenantId,
    id: AwsOrganizationId,
) -> Result<(AwsOrganization, SyncReport), SyncError> {
    let mut tx = db::begin_tenant(env.pool, tenant).await?;
    let org = aws_organizations::get(&mut tx, id)
        .await?
        .ok_or(SyncError::NotFound)?;
    tx.commit().await?;
    let raw_arn = org.management_role_arn.clone().ok_or(SyncError::NoRole)?;
    let session_name = format!("vigil-{tenant}");
    let now = env.clock.now();
    let next = now + chrono::Duration::from_std(env.sync_interval).unwrap_or_default();

    let listing = match RoleArn::parse(&raw_arn) {
        Err(m) => Err(format!("the management role ARN is not a role ARN: {m}")),
        Ok(arn) => list_organization(env.aws, &arn, &org.external_id, &session_name).await,
    };
    let listing = match listing {
        Ok(l) => l,
        Err(reason) => {
            let mut tx = db::begin_tenant(env.pool, tenant).await?;
            let failed = aws_organizations::mark_sync_failed(&mut tx, id, &reason, now, next)
                .await?
                .ok_or(SyncError::NotFound)?;
            tx.commit().await?;
            tracing::warn!(aws_organization_id = %id, "organisation sync failed");
            return Ok((failed, SyncReport::default()));
        }
    };

    // The database side, with the organisation locked so two syncs add members one at a time.
    let mut report = SyncReport {
        seen: listing.accounts.len(),
        ..SyncReport::default()
    };
    let mut tx = db::begin_tenant(env.pool, tenant).await?;
    let org = aws_organizations::lock(&mut tx, id)
        .await?
        .ok_or(SyncError::NotFound)?;
    let connections = aws_accounts::list(&mut tx).await?;
    let members: HashMap<&str, &aws_accounts::AwsAccount> = connections
        .iter()
        .filter(|a| a.aws_organization_id == Some(id))
        .filter_map(|a| a.account_id.as_deref().map(|acct| (acct, a)))
        .collect();
    let others: HashMap<&str, &aws_accounts::AwsAccount> = connections
        .iter()
        .filter(|a| a.aws_organization_id != Some(id))
        .filter_map(|a| a.account_id.as_deref().map(|acct| (acct, a)))
        .collect();
    let mut to_check: Vec<(AwsAccountId, String, String)> = Vec::new();
    for account in &listing.accounts {
        if let Some(member) = members.get(account.id.as_str()) {
            aws_organizations::member_seen(&mut tx, member.aws_account_id, &account.ou_path)
                .await?;
            if account.active
                && member.status != vigil_domain::AwsAccountStatus::Connected
                && let Some(role) = &member.role_arn
            {
                to_check.push((member.aws_account_id, account.id.clone(), role.clone()));
            }
            continue;
        }
        if !account.active {
            continue;
        }
        if let Some(other) = others.get(account.id.as_str()) {
            report.already_connected.push(other.name.clone());
            continue;
        }
        // The management account is read through the management role (service-managed
        // StackSets never deploy to it); every other account through the member role.
        let role = if account.id == listing.management_account_id {
            raw_arn.clone()
        } else {
            format!("arn:aws:iam::{}:role/{}", account.id, org.member_role_name)
        };
        let member = aws_organizations::insert_member(
            &mut tx,
            &org,
            &member_name(account),
            &account.ou_path,
            &account.id,
            &role,
        )
        .await?;
        report.added += 1;
        to_check.push((member.aws_account_id, account.id.clone(), role));
    }
    for (acct, member) in &members {
        if !listing.accounts.iter().any(|a| a.id == *acct) && member.left_organization_at.is_none()
        {
            aws_organizations::member_left(&mut tx, member.aws_account_id, now).await?;
            report.left += 1;
        }
    }
    aws_organizations::mark_synced(
        &mut tx,
        id,
        &listing.organization_id,
        &listing.management_account_id,
        now,
        next,
    )
    .await?;
    tx.commit().await?;

    // Each member's role, checked as a single account's is, a few at a time.
    let checks = stream::iter(to_check)
        .map(|(member, account_id, role)| {
            let external_id = org.external_id.clone();
            let session_name = session_name.clone();
            async move {
                let outcome = match RoleArn::parse(&role) {
                    Err(m) => Err(format!("the member role ARN {role} is not valid: {m}")),
                    Ok(arn) => connect::check_role(env.aws, &arn, &external_id, &session_name)
                        .await
                        .map(|c| c.account_id)
                        .map_err(|e| explain_member(&arn, &account_id, e)),
                };
                (member, role, outcome)
            }
        })
        .buffer_unordered(VERIFY_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut tx = db::begin_tenant(env.pool, tenant).await?;
    for (member, role, outcome) in checks {
        match outcome {
            Ok(account_id) => {
                if aws_accounts::mark_connected(&mut tx, member, &role, &account_id, now)
                    .await?
                    .is_some()
                {
                    connect::queue_first_work(
                        &mut tx,
                        member,
                        now,
                        env.scan_interval,
                        env.ingest_interval,
                    )
                    .await?;
                    report.connected += 1;
                }
            }
            Err(reason) => {
                aws_accounts::mark_error(&mut tx, member, Some(&role), &reason).await?;
                report.failed += 1;
            }
        }
    }
    let org = aws_organizations::get(&mut tx, id)
        .await?
        .ok_or(SyncError::NotFound)?;
    tx.commit().await?;
    tracing::info!(
        aws_organization_id = %id,
        seen = report.seen,
        added = report.added,
        connected = report.connected,
        failed = report.failed,
        left = report.left,
        "organisation synced"
    );
    Ok((org, report))
}

/// The connection's name: the account's name in the organisation and its ID.
fn member_name(account: &OrgAccount) -> String {
    let name: String = account.name.trim().chars().take(80).collect();
    if name.is_empty() {
        account.id.clone()
    } else {
        format!("{name} ({})", account.id)
    }
}

fn explain_member(arn: &RoleArn, account_id: &str, e: RoleCheckError) -> String {
    match e {
        RoleCheckError::Denied(said) => format!(
            "Vigil could not assume {arn} in member account {account_id}: AWS denied the request. \
             Usual causes: the StackSet has not deployed to this account yet (check its stack \
             instances), the account is outside the OUs the StackSet targets, or the role's trust \
             policy was changed. Vigil tries again at the next organisation sync. AWS said: {said}"
        ),
        RoleCheckError::Unreachable(m) | RoleCheckError::Refused(m) => m,
    }
}

/// The error code and message of a failed Organizations call.
fn aws_error<E>(err: &aws_sdk_organizations::error::SdkError<E>) -> (String, String)
where
    E: aws_sdk_organizations::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let code = err
        .as_service_error()
        .and_then(|e| e.code())
        .unwrap_or_default()
        .to_owned();
    let message = err
        .as_service_error()
        .and_then(|e| e.message())
        .map(str::to_owned)
        .unwrap_or_else(|| DisplayErrorContext(err).to_string());
    (code, message)
}

fn explain_listing<E>(action: &str, err: &aws_sdk_organizations::error::SdkError<E>) -> String
where
    E: aws_sdk_organizations::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let (code, message) = aws_error(err);
    match code.as_str() {
        "AccessDeniedException" | "AccessDenied" => format!(
            "the management role may not call organizations:{action} (AccessDenied). Deploy the \
             management account template again: its policy allows the Organizations reads Vigil \
             needs. AWS said: {message}"
        ),
        "AWSOrganizationsNotInUseException" => format!(
            "the management role's account is not in an AWS Organization (organizations:{action} \
             said AWSOrganizationsNotInUseException); use the role of the organisation's \
             management account"
        ),
        "" => {
            format!("organizations:{action} failed ({message}); Vigil tries again at the next sync")
        }
        _ => format!(
            "organizations:{action} failed ({code}: {message}); Vigil tries again at the next sync"
        ),
    }
}

/// Assumes the management role (checked as any role is) and lists the organisation.
async fn list_organization(
    base: &SdkConfig,
    arn: &RoleArn,
    external_id: &str,
    session_name: &str,
) -> Result<Listing, String> {
    let checked = connect::check_role(base, arn, external_id, session_name)
        .await
        .map_err(|e| match e {
            RoleCheckError::Denied(said) => format!(
                "Vigil could not assume the management role {arn}: AWS denied the request. Usual \
                 causes: (1) the management account stack is not deployed or the ARN has a typo \
                 (copy the stack's ManagementRoleArn output); (2) the role's trust policy does not \
                 name Vigil's principal; (3) its sts:ExternalId condition is not this organisation's \
                 external ID (for instance the stack was created for another connection). AWS said: \
                 {said}"
            ),
            RoleCheckError::Unreachable(m) | RoleCheckError::Refused(m) => m,
        })?;
    let config = sts::config_with_credentials(base, checked.credentials);
    let client = aws_sdk_organizations::Client::new(&config);

    let described = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| explain_listing("DescribeOrganization", &e))?;
    let organization = described
        .organization()
        .ok_or("DescribeOrganization returned no organisation")?;
    let organization_id = organization.id().unwrap_or_default().to_owned();
    let management_account_id = organization
        .master_account_id()
        .unwrap_or_default()
        .to_owned();
    if management_account_id != checked.account_id {
        return Err(format!(
            "the role {arn} is in account {}, a member of organisation {organization_id}; use the \
             role of its management account {management_account_id} (only it may list the accounts)",
            checked.account_id
        ));
    }

    // Every account with its status.
    let mut listed: Vec<(String, String, bool)> = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| explain_listing("ListAccounts", &e))?;
        for a in page.accounts() {
            #[allow(deprecated)]
            let active = a.status().is_some_and(|s| s.as_str() == "ACTIVE");
            listed.push((
                a.id().unwrap_or_default().to_owned(),
                a.name().unwrap_or_default().to_owned(),
                active,
            ));
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }

    // Where each account sits: walk the OU tree from the roots.
    let mut paths: HashMap<String, String> = HashMap::new();
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(|e| explain_listing("ListRoots", &e))?;
    let mut parents: Vec<(String, String)> = roots
        .roots()
        .iter()
        .map(|r| (r.id().unwrap_or_default().to_owned(), "Root".to_owned()))
        .collect();
    while let Some((parent, path)) = parents.pop() {
        let mut token = None;
        loop {
            let page = client
                .list_accounts_for_parent()
                .parent_id(&parent)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| explain_listing("ListAccountsForParent", &e))?;
            for a in page.accounts() {
                paths.insert(a.id().unwrap_or_default().to_owned(), path.clone());
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        let mut token = None;
        loop {
            let page = client
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| explain_listing("ListOrganizationalUnitsForParent", &e))?;
            for ou in page.organizational_units() {
                let name = ou.name().or(ou.id()).unwrap_or_default();
                parents.push((
                    ou.id().unwrap_or_default().to_owned(),
                    format!("{path}/{name}"),
                ));
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }

    let accounts = listed
        .into_iter()
        .filter(|(id, _, _)| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
        .map(|(id, name, active)| OrgAccount {
            ou_path: paths.get(&id).cloned().unwrap_or_else(|| "Root".into()),
            id,
            name,
            active,
        })
        .collect();
    Ok(Listing {
        organization_id,
        management_account_id,
        accounts,
    })
}

/// The scheduler's cross-tenant lookup: organisations whose sync is due at `now` and whose
/// tenant's plan allows work (through `due_aws_organizations`, migration 20261209000001).
pub async fn due(
    conn: &mut sqlx::PgConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(TenantId, AwsOrganizationId)>, sqlx::Error> {
    sqlx::query_as("select tenant_id, aws_organization_id from due_aws_organizations($1)")
        .bind(now)
        .fetch_all(conn)
        .await
}
