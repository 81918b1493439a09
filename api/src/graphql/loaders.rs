//! DataLoaders: fields of list items that read other rows (the connection of an alert,
//! finding, scan, event or asset; a connection's newest scan) are gathered across the page
//! and read with one query per kind, in the caller's tenant. One loader per request; a
//! subscription, which carries none, gets a fresh one per use.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{Context, dataloader::DataLoader};
use sqlx::PgPool;
use vigil_core::{
    db,
    ids::{AwsAccountId, TenantId},
    store::{
        aws_accounts::{self, AwsAccount},
        detection_rules,
        scans::{self, Scan},
    },
};

use super::{
    context::{principal, state},
    error::GqlResult,
};

/// Reads rows of one tenant by key.
pub struct TenantLoader {
    pool: PgPool,
    tenant: TenantId,
}

/// The newest scan of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LastScanOf(pub AwsAccountId);

/// A tenant's own detection rule, by its stored ID (`tenant:<uuid>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenantRuleOf(pub uuid::Uuid);

/// The loaders of a request.
pub type Loaders = Arc<DataLoader<TenantLoader>>;

/// Loaders for requests of `tenant`.
pub fn new(pool: PgPool, tenant: TenantId) -> Loaders {
    Arc::new(DataLoader::new(TenantLoader { pool, tenant }, tokio::spawn))
}

/// The request's loaders (a new set where the request has none: subscriptions).
pub fn of(ctx: &Context<'_>) -> GqlResult<Loaders> {
    match ctx.data_opt::<Loaders>() {
        Some(loaders) => Ok(loaders.clone()),
        None => Ok(new(state(ctx)?.pool.clone(), principal(ctx)?.tenant_id)),
    }
}

/// A connection by ID, batched with the page's others.
pub async fn aws_account(ctx: &Context<'_>, id: AwsAccountId) -> GqlResult<Option<AwsAccount>> {
    Ok(of(ctx)?.load_one(id).await?)
}

/// A connection's newest scan, batched with the page's others.
pub async fn last_scan(ctx: &Context<'_>, id: AwsAccountId) -> GqlResult<Option<Scan>> {
    Ok(of(ctx)?.load_one(LastScanOf(id)).await?)
}

/// The description (title, level, tags, runbook) of one of the tenant's own rules, by
/// the ID its alerts carry (`tenant:<uuid>`); `None` for another ID, a deleted rule or one
/// that no longer compiles.
pub async fn tenant_rule(
    ctx: &Context<'_>,
    rule_id: &str,
) -> GqlResult<Option<Arc<vigil_detect::RuleMeta>>> {
    let Some(id) = rule_id
        .strip_prefix(vigil_detect::tenant::ID_PREFIX)
        .and_then(|u| u.parse().ok())
    else {
        return Ok(None);
    };
    Ok(of(ctx)?.load_one(TenantRuleOf(id)).await?)
}

impl async_graphql::dataloader::Loader<TenantRuleOf> for TenantLoader {
    type Value = Arc<vigil_detect::RuleMeta>;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[TenantRuleOf],
    ) -> Result<HashMap<TenantRuleOf, Self::Value>, Self::Error> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        let mut tx = db::begin_tenant(&self.pool, self.tenant).await?;
        let rules = detection_rules::get_many(&mut tx, &ids).await?;
        tx.commit().await?;
        // Compiling is CPU work, but a page names few rules and each compiles in
        // microseconds.
        Ok(rules
            .into_iter()
            .filter_map(|r| {
                let meta = vigil_detect::tenant::Compiled::compile(&r.yaml).ok()?;
                Some((TenantRuleOf(r.rule_id), Arc::new(meta.meta().clone())))
            })
            .collect())
    }
}

impl async_graphql::dataloader::Loader<AwsAccountId> for TenantLoader {
    type Value = AwsAccount;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[AwsAccountId],
    ) -> Result<HashMap<AwsAccountId, AwsAccount>, Self::Error> {
        let mut tx = db::begin_tenant(&self.pool, self.tenant).await?;
        let rows = aws_accounts::get_many(&mut tx, keys).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|a| (a.aws_account_id, a)).collect())
    }
}

impl async_graphql::dataloader::Loader<LastScanOf> for TenantLoader {
    type Value = Scan;
    type Error = Arc<sqlx::Error>;

    async fn load(&self, keys: &[LastScanOf]) -> Result<HashMap<LastScanOf, Scan>, Self::Error> {
        let ids: Vec<AwsAccountId> = keys.iter().map(|k| k.0).collect();
        let mut tx = db::begin_tenant(&self.pool, self.tenant).await?;
        let rows = scans::latest_per_account(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|s| (LastScanOf(s.aws_account_id), s))
            .collect())
    }
}
