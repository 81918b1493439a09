//! The Route 53 part of the inventory (global, read through `us-east-1`): the account's
//! hosted zones with their query logging, and the domains it registered with Route 53
//! Domains.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A Route 53 hosted zone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostedZone {
    /// The zone ID without its `/hostedzone/` prefix (`Z0123456789ABCDEFGHIJ`).
    pub id: String,
    /// The zone's domain name, with its trailing dot (`example.com.`).
    pub name: String,
    /// Resolvable only inside its VPCs.
    pub private: bool,
    pub record_count: Option<i64>,
    /// The CloudWatch Logs groups its DNS queries are logged to (empty: none). `None`: the
    /// query logging configurations could not be read.
    pub query_log_groups: Option<Vec<String>>,
}

/// A domain registered with Route 53 Domains.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegisteredDomain {
    /// The domain name (`example.com`).
    pub name: String,
    pub auto_renew: bool,
    pub expiry: Option<DateTime<Utc>>,
    /// What only the domain's detail says. `None`: could not be read.
    pub detail: Option<DomainDetail>,
}

/// The part of `GetDomainDetail` the rules read (contacts themselves are not kept).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DomainDetail {
    /// The registry's EPP status codes (`clientTransferProhibited`...).
    pub status_list: Vec<String>,
    /// WHOIS privacy of the admin, registrant and technical contacts.
    pub admin_privacy: bool,
    pub registrant_privacy: bool,
    pub tech_privacy: bool,
}

impl DomainDetail {
    /// The registry refuses transfers of the domain (Route 53's transfer lock).
    pub fn transfer_locked(&self) -> bool {
        self.status_list
            .iter()
            .any(|s| s.eq_ignore_ascii_case("clientTransferProhibited"))
    }
}
