//! The asset inventory: resources as last seen, their history of changes, and which
//! resource held an IP address at a given time.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use vigil_core::{ids::AssetId, roles::Permission, store::assets};

use super::{
    context::{account_filter, require, state, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size, wants_total},
    types::AwsAccountGql,
};
use crate::{connection, input::gql_time};

/// A resource in the inventory.
#[derive(Debug, Clone)]
pub struct AssetGql(pub assets::Asset);

/// One change of a resource's configuration between scans.
#[derive(Debug, Clone, SimpleObject)]
pub struct AssetChange {
    /// `created`, `modified` or `deleted`.
    pub kind: String,
    /// When the change was seen: the time of the scan that saw it.
    pub changed_at: DateTime<Utc>,
    /// The scan that saw the change.
    pub scan_id: Option<ID>,
    /// The configuration from this change on.
    pub configuration: Option<async_graphql::Json<serde_json::Value>>,
}

/// A resource in the inventory.
#[Object(name = "Asset")]
impl AssetGql {
    /// The asset's ID.
    async fn id(&self) -> ID {
        self.0.asset_id.to_string().into()
    }
    /// The connection whose account holds the resource (an `AwsAccount.id`, not the
    /// 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
    }
    /// The region, or `global` for account-wide resources (IAM, S3).
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// The resource's type, e.g. `AWS::EC2::Instance`.
    async fn resource_type(&self) -> &str {
        &self.0.resource_type
    }
    /// The resource's ID in AWS, e.g. an instance ID, a bucket or user name.
    async fn resource_id(&self) -> &str {
        &self.0.resource_id
    }
    /// The resource's ARN, when the scan records one.
    async fn resource_arn(&self) -> Option<&str> {
        self.0.resource_arn.as_deref()
    }
    /// The configuration as last seen.
    async fn configuration(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.configuration.clone())
    }
    /// The resource's AWS tags as a JSON object of key to value (`{}` when none are
    /// recorded).
    async fn tags(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.tags.clone())
    }
    /// When a scan first saw it.
    async fn first_seen_at(&self) -> DateTime<Utc> {
        self.0.first_seen_at
    }
    /// When a scan last saw it.
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.0.last_seen_at
    }
    /// When a complete scan stopped seeing it.
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    /// Its changes, newest first.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn changes(&self, ctx: &Context<'_>, first: Option<i32>) -> GqlResult<Vec<AssetChange>> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = assets::changes(&mut tx, self.0.asset_id, limit).await?;
        Ok(rows
            .into_iter()
            .map(|c| AssetChange {
                kind: c.kind,
                changed_at: c.changed_at,
                scan_id: c.scan_id.map(|s| s.to_string().into()),
                configuration: c.configuration.map(async_graphql::Json),
            })
            .collect())
    }
}

connection!(AssetConnection, AssetEdge, AssetGql, "assets");

/// How assets are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AssetOrder {
    /// By resource type, region and resource ID (the default).
    Type,
    /// Most recently discovered first: resources that appeared in the accounts lately.
    FirstSeen,
    /// Most recently seen by a scan first.
    LastSeen,
}

impl From<AssetOrder> for assets::Order {
    fn from(o: AssetOrder) -> Self {
        match o {
            AssetOrder::Type => Self::Type,
            AssetOrder::FirstSeen => Self::FirstSeen,
            AssetOrder::LastSeen => Self::LastSeen,
        }
    }
}

/// Which assets to list.
#[derive(Debug, Default, InputObject)]
pub struct AssetFilter {
    /// Only resources of this connection (an `AwsAccount.id`).
    pub aws_account_id: Option<ID>,
    /// e.g. `AWS::EC2::Instance`.
    pub resource_type: Option<String>,
    /// Only resources in this region (exact match; `global` for IAM and S3).
    pub region: Option<String>,
    /// Also list resources that no longer exist.
    pub include_deleted: Option<bool>,
}

/// A resource that held an address, and when.
#[derive(Debug, Clone, SimpleObject)]
pub struct ResourceAtIp {
    /// The resource.
    pub asset: AssetGql,
    /// The address.
    pub ip: String,
    /// A public (internet) address rather than a private one.
    pub public: bool,
    /// First scan that saw it hold the address.
    pub held_from: DateTime<Utc>,
    /// First scan that saw it no longer hold it (null: still holds it).
    pub held_until: Option<DateTime<Utc>>,
}

/// Reads the asset inventory.
#[derive(Default)]
pub struct AssetsQuery;

/// The store's filter for an `AssetFilter`.
fn store_filter(filter: Option<AssetFilter>) -> GqlResult<assets::Filter> {
    let filter = filter.unwrap_or_default();
    Ok(assets::Filter {
        aws_account_id: account_filter(filter.aws_account_id.as_ref())?,
        resource_type: filter.resource_type,
        region: filter.region,
        include_deleted: filter.include_deleted.unwrap_or(false),
    })
}

/// How many assets of one type one region holds.
#[derive(Debug, Clone, SimpleObject)]
pub struct AssetCount {
    /// The resource type, as `Asset.resourceType`.
    pub resource_type: String,
    /// The region, or `global`.
    pub region: String,
    /// How many assets match.
    pub count: i32,
}

#[Object]
impl AssetsQuery {
    /// Assets counted by resource type and region, with the same filter as `assets`
    /// (deleted assets left out unless `includeDeleted` asks for them).
    async fn asset_counts(
        &self,
        ctx: &Context<'_>,
        filter: Option<AssetFilter>,
    ) -> GqlResult<Vec<AssetCount>> {
        let p = require(ctx, Permission::Read)?;
        let f = store_filter(filter)?;
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(assets::counts(&mut tx, &f)
            .await?
            .into_iter()
            .map(|(resource_type, region, count)| AssetCount {
                resource_type,
                region,
                count: i32::try_from(count).unwrap_or(i32::MAX),
            })
            .collect())
    }

    /// The asset inventory by type, region and ID, unless `orderBy` says otherwise.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AssetFilter>,
        #[graphql(
            desc = "The order; TYPE when left out. A cursor is valid only with the order it came from."
        )]
        order_by: Option<AssetOrder>,
    ) -> GqlResult<AssetConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let order = order_by.map_or(assets::Order::Type, Into::into);
        let after = after
            .as_deref()
            .map(decode_cursor::<assets::Cursor>)
            .transpose()?;
        if after.as_ref().is_some_and(|c| !order.made(c)) {
            return Err(GqlError::bad_input("after is a cursor of another orderBy"));
        }
        let f = store_filter(filter)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = assets::page(&mut tx, &f, order, after, limit + 1).await?;
        let total = if wants_total(ctx) {
            assets::count(&mut tx, &f).await?
        } else {
            0
        };
        Ok(AssetConnection::from_rows(
            rows,
            limit,
            total,
            |a| order.cursor(a),
            AssetGql,
        ))
    }

    /// One asset with its history; null when absent (or another tenant's).
    async fn asset(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<AssetGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<AssetId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(assets::get(&mut tx, id).await?.map(AssetGql))
    }

    /// The resources of the tenant's accounts that held `ip` at `at` (default: now).
    async fn resources_by_ip(
        &self,
        ctx: &Context<'_>,
        ip: String,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Vec<ResourceAtIp>> {
        let p = require(ctx, Permission::Read)?;
        let ip: std::net::IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| GqlError::bad_input("ip is not an IPv4 or IPv6 address"))?;
        let at = gql_time("at", at)?.unwrap_or_else(|| {
            state(ctx)
                .map(|s| s.clock.now())
                .unwrap_or_else(|_| Utc::now())
        });
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = assets::by_ip(&mut tx, &ip.to_string(), at).await?;
        Ok(rows
            .into_iter()
            .map(|h| ResourceAtIp {
                asset: AssetGql(h.asset),
                ip: h.ip,
                public: h.public,
                held_from: h.seen_from,
                held_until: h.seen_until,
            })
            .collect())
    }
}
