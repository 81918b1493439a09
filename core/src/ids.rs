//! Identifier newtypes, so a tenant ID cannot be passed where a user ID is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered identifier (UUIDv7), which keeps B-tree inserts local.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A customer organisation; every tenant-owned row carries one.
    TenantId
);
uuid_id!(
    /// A person who logs in to a tenant.
    UserId
);

uuid_id!(
    /// A key an integration authenticates with.
    ApiKeyId
);
uuid_id!(
    /// An invitation to join a tenant.
    InviteId
);

uuid_id!(
    /// A connection to one AWS account (ours, not the 12-digit AWS account ID).
    AwsAccountId
);

uuid_id!(
    /// A connected AWS Organization (its member accounts are connections).
    AwsOrganizationId
);

uuid_id!(
    /// One scan of one connection.
    ScanId
);
uuid_id!(
    /// A finding: one rule failing on one resource.
    FindingId
);
uuid_id!(
    /// A resource in the asset inventory.
    AssetId
);
uuid_id!(
    /// An endpoint a tenant's events are posted to.
    WebhookId
);
uuid_id!(
    /// One event's delivery to one webhook, with its attempts.
    WebhookDeliveryId
);

/// A job in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
