//! The ACM part of the inventory: the certificates of a region, described (never their
//! bodies or private keys, which Vigil does not read).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An AWS Certificate Manager certificate of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AcmCertificate {
    /// The certificate ID (the last part of its ARN).
    pub id: String,
    pub arn: String,
    /// The certificate's primary domain name, as listed.
    pub domain_name: Option<String>,
    /// What `DescribeCertificate` said. `None`: it could not be read.
    pub details: Option<AcmCertificateDetails>,
}

/// The parts of a certificate's description the rules read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AcmCertificateDetails {
    /// `AMAZON_ISSUED`, `IMPORTED` or `PRIVATE`.
    pub certificate_type: Option<String>,
    /// `ISSUED`, `PENDING_VALIDATION`, `EXPIRED`, `INACTIVE`, `REVOKED`...
    pub status: Option<String>,
    /// `RSA_1024`, `RSA_2048`, `EC_prime256v1`...
    pub key_algorithm: Option<String>,
    pub subject_alternative_names: Vec<String>,
    pub issuer: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    /// When the certificate expires (none before an Amazon-issued one is validated).
    pub not_after: Option<DateTime<Utc>>,
    /// The ARNs of the AWS resources (load balancers, distributions...) that use it.
    pub in_use_by: Vec<String>,
    /// `Options.CertificateTransparencyLoggingPreference`: `ENABLED` or `DISABLED`.
    pub transparency_logging: Option<String>,
    /// `ELIGIBLE` when ACM renews it on its own.
    pub renewal_eligibility: Option<String>,
}
