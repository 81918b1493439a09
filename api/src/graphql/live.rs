//! Subscriptions (graphql-transport-ws on `/graphql/ws`): a scan's progress, alerts as
//! they are raised, findings as they open or change status; each scoped to the caller's
//! tenant, which authenticates in the connection's `connection_init` payload.

use async_graphql::{Context, ID, Subscription};
use futures::{Stream, StreamExt, stream};
use tokio::sync::broadcast::error::RecvError;
use vigil_core::{
    db,
    ids::{FindingId, ScanId, TenantId},
    roles::Permission,
    store::{alerts, findings, scans},
};

use super::{
    alerts::AlertGql,
    context::{parse_id, require, state},
    error::GqlError,
    findings::FindingGql,
    types::ScanGql,
};
use crate::{live::Change, state::AppState};

/// Re-reads `kind` rows of `tenant` as they change (only `id` when given), skipping those
/// gone by the time they are read.
fn watch<T, F, Fut>(
    state: &AppState,
    tenant: TenantId,
    kind: &'static str,
    id: Option<uuid::Uuid>,
    read: F,
) -> impl Stream<Item = T> + use<T, F, Fut>
where
    F: Fn(AppState, uuid::Uuid) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<T>> + Send,
    T: Send + 'static,
{
    let rx = state.live.subscribe();
    let state = state.clone();
    stream::unfold((rx, state, read), move |(mut rx, state, read)| async move {
        loop {
            let change: Change = match rx.recv().await {
                Ok(c) => c,
                // Too far behind: what was missed is gone; carry on with what comes.
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "a subscriber fell behind");
                    continue;
                }
                Err(RecvError::Closed) => return None,
            };
            if change.tenant != tenant || change.kind != kind || id.is_some_and(|i| i != change.id)
            {
                continue;
            }
            if let Some(item) = read(state.clone(), change.id).await {
                return Some((item, (rx, state, read)));
            }
        }
    })
}

async fn read_scan(state: AppState, tenant: TenantId, id: uuid::Uuid) -> Option<scans::Scan> {
    let mut tx = db::begin_tenant(&state.pool, tenant).await.ok()?;
    scans::get(&mut tx, ScanId(id)).await.ok().flatten()
}

fn finished(scan: &scans::Scan) -> bool {
    scan.status.is_finished()
}

#[derive(Default)]
pub struct Subscription;

/// Live updates over WebSocket on `/graphql/ws` (graphql-transport-ws or the older
/// graphql-ws), each scoped to the caller's tenant. Authenticate by sending
/// `{"Authorization": "Bearer <token or API key>"}` as the `connection_init` payload.
#[Subscription]
impl Subscription {
    /// The scan as it is now, then each time its progress or state moves; the stream
    /// ends after the scan finishes.
    async fn scan_progress(
        &self,
        ctx: &Context<'_>,
        scan_id: ID,
    ) -> Result<impl Stream<Item = ScanGql> + use<>, GqlError> {
        let tenant = require(ctx, Permission::Read)?.tenant_id;
        let state = state(ctx)?.clone();
        let id: ScanId = parse_id(&scan_id, "scan")?;
        // Subscribe before reading, so nothing between the two is missed.
        let changes = watch(&state, tenant, "scan", Some(id.0), move |s, i| {
            read_scan(s, tenant, i)
        });
        let mut tx = db::begin_tenant(&state.pool, tenant).await?;
        let now = scans::get(&mut tx, id)
            .await?
            .ok_or(GqlError::NotFound("scan"))?;
        tx.commit().await?;
        let done = finished(&now);
        let rest = if done { None } else { Some(changes) };
        let scans = Box::pin(stream::once(async move { now }).chain(stream::iter(rest).flatten()));
        // Ends right after the scan's final state, without waiting for another change.
        Ok(stream::unfold(
            (scans, false),
            |(mut scans, ended)| async move {
                if ended {
                    return None;
                }
                let scan = scans.next().await?;
                let ended = finished(&scan);
                Some((ScanGql(scan), (scans, ended)))
            },
        ))
    }

    /// Each alert raised from now on.
    async fn alert_raised(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = AlertGql> + use<>, GqlError> {
        let tenant = require(ctx, Permission::Read)?.tenant_id;
        let state = state(ctx)?;
        Ok(watch(
            state,
            tenant,
            "alert",
            None,
            move |s, id| async move {
                let mut tx = db::begin_tenant(&s.pool, tenant).await.ok()?;
                alerts::get(&mut tx, id).await.ok().flatten().map(AlertGql)
            },
        ))
    }

    /// Each finding from now on that opens, resolves, or is suppressed or unsuppressed.
    async fn finding_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = FindingGql> + use<>, GqlError> {
        let tenant = require(ctx, Permission::Read)?.tenant_id;
        let state = state(ctx)?;
        Ok(watch(
            state,
            tenant,
            "finding",
            None,
            move |s, id| async move {
                let mut tx = db::begin_tenant(&s.pool, tenant).await.ok()?;
                findings::get(&mut tx, FindingId(id))
                    .await
                    .ok()
                    .flatten()
                    .map(FindingGql)
            },
        ))
    }
}
