//! What both processes need of AWS: Vigil's own identity, strict role ARNs, external
//! IDs, STS calls with errors people can act on, cached role sessions, and the
//! CloudFormation template customers deploy.

pub mod arn;
pub mod org_template;
pub mod regions;
pub mod session;
pub mod sts;
pub mod template;

use aws_config::{BehaviorVersion, SdkConfig};
use rand::{Rng, distr::Alphanumeric};
use tokio::sync::OnceCell;

/// Length of the external IDs we generate (AWS asks for at least 2; we use 40 random
/// alphanumerics, ~238 bits, so they cannot be guessed).
pub const EXTERNAL_ID_LEN: usize = 40;

/// A new external ID for a connection.
pub fn new_external_id() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(EXTERNAL_ID_LEN)
        .map(char::from)
        .collect()
}

/// Vigil's own AWS identity: the base SDK configuration (credentials from the default
/// chain, `AWS_ENDPOINT_URL` honoured) and the principal ARN customers trust.
#[derive(Clone)]
pub struct ServiceIdentity {
    pub config: SdkConfig,
    configured_principal: Option<String>,
    discovered_principal: std::sync::Arc<OnceCell<String>>,
}

impl std::fmt::Debug for ServiceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceIdentity")
            .field("configured_principal", &self.configured_principal)
            .finish_non_exhaustive()
    }
}

impl ServiceIdentity {
    /// The identity from `aws-config`'s default chain (environment, profile, IMDS...).
    pub async fn from_env(configured_principal: Option<String>) -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(
                aws_config::meta::region::RegionProviderChain::default_provider()
                    .or_else("us-east-1"),
            )
            .load()
            .await;
        Self::new(config, configured_principal)
    }

    /// An identity from an existing configuration (tests aim it at the emulator).
    pub fn new(config: SdkConfig, configured_principal: Option<String>) -> Self {
        Self {
            config,
            configured_principal,
            discovered_principal: Default::default(),
        }
    }

    /// The ARN customers' trust policies name: `VIGIL_TRUSTED_PRINCIPAL_ARN` when set,
    /// otherwise discovered once with `GetCallerIdentity` on our own credentials.
    pub async fn principal_arn(&self) -> Result<String, sts::StsError> {
        if let Some(arn) = &self.configured_principal {
            return Ok(arn.clone());
        }
        self.discovered_principal
            .get_or_try_init(|| async {
                let who = sts::caller_identity(&self.config).await?;
                Ok(trust_principal_for(&who.arn))
            })
            .await
            .cloned()
    }
}

/// The principal to trust for a caller ARN: an assumed-role session is trusted through
/// its role (`arn:aws:sts::1:assumed-role/R/s` becomes `arn:aws:iam::1:role/R`).
pub fn trust_principal_for(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, "sts", _, account, resource] = parts[..]
        && let Some(rest) = resource.strip_prefix("assumed-role/")
        && let Some((role, _session)) = rest.split_once('/')
    {
        return format!("arn:{partition}:iam::{account}:role/{role}");
    }
    caller_arn.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_long_random_and_distinct() {
        let (a, b) = (new_external_id(), new_external_id());
        assert_eq!(a.len(), EXTERNAL_ID_LEN);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn an_assumed_role_session_is_trusted_through_its_role() {
        assert_eq!(
            trust_principal_for("arn:aws:sts::123456789012:assumed-role/VigilService/i-abc"),
            "arn:aws:iam::123456789012:role/VigilService"
        );
        assert_eq!(
            trust_principal_for("arn:aws:iam::123456789012:user/vigil"),
            "arn:aws:iam::123456789012:user/vigil"
        );
    }
}
