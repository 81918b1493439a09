//! The CloudFront part of the inventory: the account's distributions (CloudFront is global,
//! read through `us-east-1`), with what their summary and their configuration say.

use serde::{Deserialize, Serialize};

/// A CloudFront distribution.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Distribution {
    /// The distribution ID (`EDFDVBD632BHDS5`).
    pub id: String,
    pub arn: Option<String>,
    /// The `*.cloudfront.net` name viewers resolve.
    pub domain_name: Option<String>,
    pub enabled: bool,
    /// The viewer protocol policy (`allow-all`, `redirect-to-https`, `https-only`) of each
    /// cache behaviour, the default one first (path pattern `*`).
    pub behaviors: Vec<CfBehavior>,
    /// Whether viewers get CloudFront's `*.cloudfront.net` certificate (then AWS fixes the
    /// minimum protocol version, it cannot be raised).
    pub default_certificate: bool,
    /// The minimum TLS version offered to viewers (`TLSv1.2_2021`, `TLSv1`...).
    pub minimum_protocol_version: Option<String>,
    pub origins: Vec<CfOrigin>,
    /// The AWS WAF web ACL attached (`None`: none).
    pub web_acl_id: Option<String>,
    /// What only the distribution's configuration says. `None`: could not be read.
    pub config: Option<DistributionSettings>,
}

/// One cache behaviour of a distribution.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CfBehavior {
    pub path_pattern: String,
    pub viewer_protocol_policy: String,
    /// The origin (or origin group) it forwards to.
    #[serde(default)]
    pub target_origin_id: String,
}

/// One origin of a distribution.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CfOrigin {
    pub id: String,
    pub domain_name: String,
    /// Configured as an S3 origin (`S3OriginConfig`).
    pub s3_origin: bool,
    /// The legacy origin access identity (`origin-access-identity/cloudfront/<id>`).
    pub origin_access_identity: Option<String>,
    /// The origin access control signing requests to the origin.
    pub origin_access_control_id: Option<String>,
    /// A custom origin's `OriginProtocolPolicy` (`http-only`, `match-viewer`,
    /// `https-only`); `None` for an S3 origin.
    #[serde(default)]
    pub origin_protocol_policy: Option<String>,
    /// For an origin naming an S3 bucket's endpoint: whether the bucket exists
    /// (`HeadBucket` answered anything but 404). `None`: not an S3 endpoint, or not read.
    #[serde(default)]
    pub bucket_exists: Option<bool>,
}

/// The settings `GetDistributionConfig` gives beyond the listing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DistributionSettings {
    /// Standard (access) logging to S3 is on.
    pub logging_enabled: bool,
    /// The object served for a request to `/` (empty: none).
    pub default_root_object: String,
}
