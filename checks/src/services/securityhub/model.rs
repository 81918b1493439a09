//! The Security Hub part of the inventory: whether a region's hub is on.

use serde::{Deserialize, Serialize};

/// A region's Security Hub subscription.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecurityHub {
    /// `DescribeHub` answered (the account is subscribed in the region).
    pub enabled: bool,
    pub hub_arn: Option<String>,
}
