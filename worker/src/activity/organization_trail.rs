//! Organisation trails: one trail in the management account logs every account of the
//! organisation into one bucket, each account in its own folder
//! (`AWSLogs/<org-id>/<account>/CloudTrail/...`, or `AWSLogs/<account>/CloudTrail/...` for
//! trails older than that layout). The ingestion of the organisation's management-account
//! connection reads the bucket once, through the management role, and reads each connected
//! member's folders with that member's own context: its events, cursors and file marks are
//! committed under the member connection exactly as its own trail's would be (one
//! transaction per chunk, the file marked with its last events), so a crash re-reads
//! nothing twice and event IDs keep every event once whichever path brings it. Folders of
//! accounts that are no connected member are not read; they are counted on the
//! organisation. While the organisation trail logs every region and is read, the members'
//! own ingestion reads no CloudTrail of its own ([`covers`]).

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use vigil_core::{
    aws::session::{RoleSession, RoleTarget, Sessions},
    clock::Clock,
    db,
    jobs::JobError,
    store::{
        aws_accounts::{self, AwsAccount},
        aws_organizations::{self, AwsOrganization, TrailRead},
    },
};
use vigil_detect::Rule;
use vigil_domain::AwsAccountStatus;

use super::{Ingested, Prepared, TrailTarget, retry, trail_s3};
use crate::settings::Settings;

/// The members' own ingestion trusts the organisation trail this many ingestion intervals
/// after its last read (then, the reader having failed, they read on their own again).
const TRUSTED_INTERVALS: u32 = 3;
/// ... and at least this long, whatever the interval.
const TRUSTED_AT_LEAST: Duration = Duration::from_secs(15 * 60);

/// What reading the organisation trail needs besides the organisation and the trail.
pub(super) struct Env<'a> {
    pub pool: &'a PgPool,
    pub clock: &'a Clock,
    /// The management connection's session: the bucket is read through the management
    /// role unless the organisation names a trail reader.
    pub session: &'a Arc<RoleSession>,
    /// The worker's sessions, for the trail reader's role.
    pub sessions: &'a Sessions,
    pub settings: &'a Settings,
    pub rules: &'a [Rule],
}

/// The organisation whose trail this connection reads: the connection is its management
/// account's, and the organisation was synced (its AWS ID is known).
pub(super) async fn read_by(
    pool: &PgPool,
    account: &AwsAccount,
) -> Result<Option<AwsOrganization>, JobError> {
    let (Some(org_id), Some(account_id)) = (account.aws_organization_id, &account.account_id)
    else {
        return Ok(None);
    };
    let org = organization(pool, account, org_id).await?;
    Ok(org.filter(|o| {
        o.organization_id.is_some() && o.management_account_id.as_ref() == Some(account_id)
    }))
}

/// Whether this member's events come from its organisation's trail: the management
/// connection read it recently, it was logging every region, and the member is still in
/// the organisation. The reader itself is never covered.
pub(super) async fn covers(
    pool: &PgPool,
    account: &AwsAccount,
    now: DateTime<Utc>,
    settings: &Settings,
) -> Result<bool, JobError> {
    let (Some(org_id), Some(account_id)) = (account.aws_organization_id, &account.account_id)
    else {
        return Ok(false);
    };
    if account.left_organization_at.is_some() {
        return Ok(false);
    }
    let Some(org) = organization(pool, account, org_id).await? else {
        return Ok(false);
    };
    let trusted = (settings.organization_sync.ingest * TRUSTED_INTERVALS).max(TRUSTED_AT_LEAST);
    let since = now - chrono::Duration::from_std(trusted).unwrap_or_default();
    Ok(org.trail_covers_members
        && org.management_account_id.as_ref() != Some(account_id)
        && org.trail_read_at.is_some_and(|at| at >= since))
}

async fn organization(
    pool: &PgPool,
    account: &AwsAccount,
    id: vigil_core::ids::AwsOrganizationId,
) -> Result<Option<AwsOrganization>, JobError> {
    let mut tx = db::begin_tenant(pool, account.tenant_id)
        .await
        .map_err(retry)?;
    let org = aws_organizations::get(&mut tx, id).await.map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    Ok(org)
}

/// Reads the organisation trail: every connected member's folders (both layouts), each
/// under its member connection; then records the read on the organisation. An error is
/// the bucket's (the caller falls back to LookupEvents for the management account) or the
/// database's (the job retries); what was committed before it stays, exactly once.
pub(super) async fn read(
    env: Env<'_>,
    org: &AwsOrganization,
    trail: &TrailTarget,
    since_default: DateTime<Utc>,
) -> Result<Ingested, anyhow::Error> {
    let aws_org_id = org.organization_id.as_deref().unwrap_or_default();
    let s3 = trail_s3(&bucket_session(&env, org).await?);
    let root = trail.logs_root();
    let org_root = format!("{root}{aws_org_id}/");
    let current = account_folders(&s3, &trail.bucket, &org_root).await?;
    let legacy = account_folders(&s3, &trail.bucket, &root).await?;

    let mut tx = db::begin_tenant(env.pool, org.tenant_id).await?;
    let members = aws_organizations::members(&mut tx, org.aws_organization_id).await?;
    tx.commit().await?;
    let members: Vec<&AwsAccount> = members
        .iter()
        .filter(|m| m.status == AwsAccountStatus::Connected && m.account_id.is_some())
        .collect();
    let session_name = &env.session.target().session_name;
    let mut total = Ingested::default();
    for member in &members {
        let account_id = member.account_id.as_deref().unwrap_or_default();
        let folders: Vec<String> = [(&current, &org_root), (&legacy, &root)]
            .into_iter()
            .filter(|(listed, _)| listed.contains(account_id))
            .map(|(_, under)| format!("{under}{account_id}/CloudTrail/"))
            .collect();
        let Some(prepared) = Prepared::new(
            env.pool,
            env.clock,
            member,
            session_name,
            env.settings,
            env.rules,
        )
        .await?
        else {
            continue;
        };
        let ctx = prepared.ctx();
        for folder in folders {
            let n = ctx
                .read_folder(env.session, &s3, trail, &folder, since_default)
                .await?;
            total.read += n.read;
            total.stored += n.stored;
        }
        if trail.logging && trail.multi_region {
            ctx.read_everywhere().await?;
        }
    }

    let read: BTreeSet<&str> = members
        .iter()
        .filter_map(|m| m.account_id.as_deref())
        .collect();
    let skipped: Vec<String> = current
        .union(&legacy)
        .filter(|a| !read.contains(a.as_str()))
        .cloned()
        .collect();
    if !skipped.is_empty() {
        tracing::info!(
            aws_organization_id = %org.aws_organization_id,
            accounts = skipped.len(),
            "organisation trail folders of accounts without a connected member skipped"
        );
    }
    let mut tx = db::begin_tenant(env.pool, org.tenant_id).await?;
    aws_organizations::trail_read(
        &mut tx,
        org.aws_organization_id,
        &TrailRead {
            trail_arn: &trail.arn,
            bucket: &trail.bucket,
            covers_members: trail.logging && trail.multi_region,
            at: env.clock.now(),
            skipped_accounts: &skipped,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(total)
}

/// The session the trail bucket is read through: the trail reader's role (a log-archive
/// member connection) when the organisation names one, else the management role's.
async fn bucket_session(
    env: &Env<'_>,
    org: &AwsOrganization,
) -> Result<Arc<RoleSession>, anyhow::Error> {
    let Some(reader) = org.trail_reader else {
        return Ok(env.session.clone());
    };
    let mut tx = db::begin_tenant(env.pool, org.tenant_id).await?;
    let member = aws_accounts::get(&mut tx, reader).await?;
    tx.commit().await?;
    let Some((member, role_arn)) = member.and_then(|m| m.role_arn.clone().map(|role| (m, role)))
    else {
        anyhow::bail!("the organisation's trail reader connection has no role to assume yet");
    };
    Ok(env.sessions.get(RoleTarget {
        role_arn,
        external_id: member.external_id,
        session_name: env.session.target().session_name.clone(),
    }))
}

/// The 12-digit account folders directly under `prefix` (`.../AWSLogs/` or
/// `.../AWSLogs/<org-id>/`).
async fn account_folders(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<BTreeSet<String>, anyhow::Error> {
    let mut out = BTreeSet::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .delimiter("/")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            anyhow::anyhow!(
                "listing s3://{bucket}/{prefix}: {}",
                DisplayErrorContext(&e)
            )
        })?;
        for folder in page.common_prefixes().iter().filter_map(|p| p.prefix()) {
            let name = folder
                .strip_prefix(prefix)
                .unwrap_or_default()
                .trim_end_matches('/');
            if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) {
                out.insert(name.to_owned());
            }
        }
    }
    Ok(out)
}
