//! Activity: the CloudTrail events ingested from the tenant's accounts.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use vigil_core::{roles::Permission, store::events};

use super::{
    context::{account_filter, require, tenant_tx},
    error::GqlResult,
    pagination::{decode_cursor, page_size, wants_total},
    types::AwsAccountGql,
};
use crate::{connection, input::gql_time};

/// One CloudTrail event of a connected account.
#[derive(Debug, Clone)]
pub struct EventGql(pub events::Event);

/// One CloudTrail event of a connected account.
#[Object(name = "Event")]
impl EventGql {
    /// Vigil's ID of the event (the account's connection and CloudTrail's event ID).
    async fn id(&self) -> ID {
        format!("{}:{}", self.0.aws_account_id, self.0.event_id).into()
    }
    /// CloudTrail's `eventID`.
    async fn event_id(&self) -> &str {
        &self.0.event_id
    }
    /// The API call, e.g. `AuthorizeSecurityGroupIngress`.
    async fn event_name(&self) -> &str {
        &self.0.event_name
    }
    /// The service, e.g. `ec2.amazonaws.com`.
    async fn event_source(&self) -> &str {
        &self.0.event_source
    }
    /// The connection the event was ingested from (an `AwsAccount.id`, not the 12-digit
    /// AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
    }
    /// The region the call was made in (CloudTrail's `awsRegion`), e.g. `eu-west-1`.
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// Who made the call.
    async fn principal_arn(&self) -> Option<&str> {
        self.0.principal_arn.as_deref()
    }
    /// `Root`, `IAMUser`, `AssumedRole`, `AWSService`...
    async fn principal_type(&self) -> Option<&str> {
        self.0.principal_type.as_deref()
    }
    /// The access key that signed the call (`userIdentity.accessKeyId`), when there was one.
    async fn access_key_id(&self) -> Option<&str> {
        self.0.access_key_id.as_deref()
    }
    /// Where the call came from: an address, or an AWS service name.
    async fn source_ip_address(&self) -> Option<&str> {
        self.0.source_ip.as_deref()
    }
    /// The caller's client, as CloudTrail's `userAgent` reports it.
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
    /// When the call was made (CloudTrail's `eventTime`), not when Vigil ingested it.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// Set when the call failed (`AccessDenied`, `Client.UnauthorizedOperation`...).
    async fn error_code(&self) -> Option<&str> {
        self.0.error_code.as_deref()
    }
    /// Whether the call only reads (CloudTrail's `readOnly`); null when the record does not
    /// say.
    async fn read_only(&self) -> Option<bool> {
        self.0.read_only
    }
    /// Made by Vigil's own read-only session: kept for the record, never alerted on.
    async fn by_vigil(&self) -> bool {
        self.0.own
    }
    /// The CloudTrail record as delivered.
    async fn raw(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.raw.clone())
    }
}

connection!(EventConnection, EventEdge, EventGql, "events");

/// Which events to list.
#[derive(Debug, Default, InputObject)]
pub struct EventFilter {
    /// Only events of this connection (an `AwsAccount.id`).
    pub aws_account_id: Option<ID>,
    /// Only calls of this API (exact match, e.g. `ConsoleLogin`).
    pub event_name: Option<String>,
    /// Only calls to this service (exact match, e.g. `iam.amazonaws.com`).
    pub event_source: Option<String>,
    /// Only calls by this principal (exact ARN).
    pub principal_arn: Option<String>,
    /// Only calls from this source (exact match: an address, or an AWS service name).
    pub source_ip_address: Option<String>,
    /// Only failed calls with this error code (exact match, e.g. `AccessDenied`).
    pub error_code: Option<String>,
    /// Only calls in this region (exact match, e.g. `eu-west-1`).
    pub region: Option<String>,
    /// From this time (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// CloudTrail events, newest first. `totalCount` is exact for filters on the connection,
    /// service and API name with time bounds at UTC midnight (or none), and otherwise exact up
    /// to 10,000 matches and an estimate above (`totalCountIsEstimate` says which): tens of
    /// millions of events cannot be counted within a page's time.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EventFilter>,
    ) -> GqlResult<EventConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<(DateTime<Utc>, String)>)
            .transpose()?;
        let f = filter.unwrap_or_default();
        let filter = events::Filter {
            aws_account_id: account_filter(f.aws_account_id.as_ref())?,
            event_name: f.event_name,
            event_source: f.event_source,
            principal_arn: f.principal_arn,
            source_ip: f.source_ip_address,
            error_code: f.error_code,
            region: f.region,
            since: gql_time("filter.since", f.since)?,
            until: gql_time("filter.until", f.until)?,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = events::page(&mut tx, &filter, after, limit + 1).await?;
        let (total, estimate) = if wants_total(ctx) {
            events::count(&mut tx, &filter).await?
        } else {
            (0, false)
        };
        let mut connection = EventConnection::from_rows(
            rows,
            limit,
            total,
            |e| (e.occurred_at, e.event_id.clone()),
            EventGql,
        );
        connection.total_count_is_estimate = estimate;
        Ok(connection)
    }
}
