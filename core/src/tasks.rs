//! The product's job payloads: every kind of background work the worker does.

use serde::{Deserialize, Serialize};

use crate::{
    ids::{AwsAccountId, AwsOrganizationId, ScanId, TenantId, WebhookDeliveryId},
    jobs::Payload,
};

/// A unit of background work. Stored as JSON tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Task {
    /// Deletes finished jobs older than the retention, keeping dead ones.
    Housekeeping { keep_finished_days: u32 },
    /// Scans one connected account's configuration.
    ScanAccount {
        tenant_id: TenantId,
        aws_account_id: AwsAccountId,
        /// The scan row created with the job (manual scans); the worker creates one
        /// when absent.
        #[serde(default)]
        scan_id: Option<ScanId>,
    },
    /// Ingests one connected account's CloudTrail activity.
    IngestActivity {
        tenant_id: TenantId,
        aws_account_id: AwsAccountId,
    },
    /// Syncs one AWS Organization connection: new accounts are connected, accounts that
    /// left are marked.
    SyncOrganization {
        tenant_id: TenantId,
        aws_organization_id: AwsOrganizationId,
    },
    /// Re-reads and re-checks what new write events changed in a connection (its
    /// `pending_rechecks`): only those regions and services, not a full scan.
    RecheckAccount {
        tenant_id: TenantId,
        aws_account_id: AwsAccountId,
    },
    /// Posts one webhook delivery; the queue's retries are its retries. Also enqueued
    /// by the `webhook_fanout` trigger (migration 11), which writes this shape.
    DeliverWebhook {
        tenant_id: TenantId,
        delivery_id: WebhookDeliveryId,
    },
}

impl Task {
    /// The unique key of a connection's job of this kind: one at a time per account.
    pub fn unique_key(&self) -> Option<String> {
        match self {
            Task::Housekeeping { .. } => Some("housekeeping".into()),
            Task::ScanAccount { aws_account_id, .. } => {
                Some(format!("{}scan", account_key_prefix(*aws_account_id)))
            }
            Task::IngestActivity { aws_account_id, .. } => {
                Some(format!("{}ingest", account_key_prefix(*aws_account_id)))
            }
            Task::SyncOrganization {
                aws_organization_id,
                ..
            } => Some(format!("aws_organization:{aws_organization_id}:sync")),
            Task::RecheckAccount { aws_account_id, .. } => {
                Some(format!("{}recheck", account_key_prefix(*aws_account_id)))
            }
            Task::DeliverWebhook { .. } => None,
        }
    }
}

/// Unique keys of a connection's jobs start with this and its ID, so deleting the
/// connection can cancel them all.
pub const ACCOUNT_KEY_PREFIX: &str = "aws_account:";

/// The unique keys of `account`'s scan and ingestion jobs (as [`Task::unique_key`] makes
/// them).
pub fn account_job_keys(tenant_id: TenantId, aws_account_id: AwsAccountId) -> Vec<String> {
    [
        Task::ScanAccount {
            tenant_id,
            aws_account_id,
            scan_id: None,
        },
        Task::IngestActivity {
            tenant_id,
            aws_account_id,
        },
        Task::RecheckAccount {
            tenant_id,
            aws_account_id,
        },
    ]
    .iter()
    .filter_map(Task::unique_key)
    .collect()
}

/// Every unique key of `account`'s jobs starts with this.
pub fn account_key_prefix(account: AwsAccountId) -> String {
    format!("{ACCOUNT_KEY_PREFIX}{account}:")
}

impl Payload for Task {
    fn kind(&self) -> &'static str {
        match self {
            Task::Housekeeping { .. } => "housekeeping",
            Task::ScanAccount { .. } => "scan_account",
            Task::IngestActivity { .. } => "ingest_activity",
            Task::SyncOrganization { .. } => "sync_organization",
            Task::RecheckAccount { .. } => "recheck_account",
            Task::DeliverWebhook { .. } => "deliver_webhook",
        }
    }
}
