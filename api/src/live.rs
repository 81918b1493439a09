//! Live changes for GraphQL subscriptions: PostgreSQL announces on `vigil_live` (triggers
//! on scans, alerts and findings, sent at commit, from whichever worker wrote them) and one
//! listener per API process fans the announcements out to its subscribers. Announcements
//! carry only tenant, kind and ID; subscribers re-read the row in their own tenant.

use serde::Deserialize;
use sqlx::{PgPool, postgres::PgListener};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use vigil_core::ids::TenantId;

/// The channel the triggers notify.
pub const CHANNEL: &str = "vigil_live";

/// What changed.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub tenant: TenantId,
    /// `scan`, `alert` or `finding`.
    pub kind: String,
    pub id: uuid::Uuid,
}

/// The fan-out point; cloned into the application state.
#[derive(Clone)]
pub struct Live(broadcast::Sender<Change>);

impl Default for Live {
    fn default() -> Self {
        // A subscriber more than this far behind skips ahead (it is told, and re-reads).
        Self(broadcast::channel(1024).0)
    }
}

impl Live {
    /// Receives every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.0.subscribe()
    }

    /// Listens until `stop`, reconnecting after a lost connection.
    pub async fn run(self, pool: PgPool, stop: CancellationToken) {
        loop {
            let listened = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen(CHANNEL).await?;
                loop {
                    let n = listener.recv().await?;
                    match serde_json::from_str::<Change>(n.payload()) {
                        // No subscriber is not an error.
                        Ok(change) => drop(self.0.send(change)),
                        Err(e) => tracing::warn!(error = %e, "unreadable live notification"),
                    }
                }
                #[allow(unreachable_code)]
                Ok::<(), sqlx::Error>(())
            };
            tokio::select! {
                _ = stop.cancelled() => return,
                result = listened => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "live updates listener lost; reconnecting");
                    }
                }
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    }
}
