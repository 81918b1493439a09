//! EKS: a region's clusters, each described (endpoint access, control-plane logging,
//! secrets encryption, Kubernetes version).

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// EKS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "eks",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // A cluster's endpoint, logging and encryption change only through EKS write calls. A
    // version leaving standard support comes with time instead: in a region no EKS call
    // touched, that finding waits for the next full read (at most a day, see
    // docs/decisions.md on incremental rescans).
    changed_by: &["eks.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let clusters = read(r).await;
    fill(move |region: &mut RegionInventory| region.eks_clusters = clusters)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::EksCluster>> {
    let c = aws_sdk_eks::Client::new(r.config);
    let mut names: Vec<String> = r.ok(
        "ListClusters",
        c.list_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let (arn, details) = match c.describe_cluster().name(&name).send().await {
            Ok(d) => match d.cluster() {
                Some(cl) => (cl.arn().map(str::to_owned), Some(details(cl))),
                None => (None, None),
            },
            Err(e) => {
                r.record("DescribeCluster", &e);
                (None, None)
            }
        };
        out.push(m::EksCluster { name, arn, details });
    }
    Some(out)
}

fn details(cl: &aws_sdk_eks::types::Cluster) -> m::EksClusterDetails {
    let vpc = cl.resources_vpc_config();
    m::EksClusterDetails {
        version: cl.version().map(str::to_owned),
        endpoint_public_access: vpc.is_some_and(|v| v.endpoint_public_access()),
        endpoint_private_access: vpc.is_some_and(|v| v.endpoint_private_access()),
        public_access_cidrs: vpc
            .map(|v| v.public_access_cidrs().to_vec())
            .unwrap_or_default(),
        enabled_log_types: cl
            .logging()
            .map(|l| l.cluster_logging())
            .unwrap_or_default()
            .iter()
            .filter(|s| s.enabled() == Some(true))
            .flat_map(|s| s.types().iter().map(|t| t.as_str().to_owned()))
            .collect(),
        // Any encryption config with a KMS key: `resources` is deprecated (EKS encrypts all
        // API data by default now, with its own key), and `secrets` is all it ever took.
        secrets_encrypted: cl
            .encryption_config()
            .iter()
            .any(|e| e.provider().and_then(|p| p.key_arn()).is_some()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn eks_write_calls_map_to_eks() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("eks.amazonaws.com"), Some("eks"));
        assert!(super::super::skippable_sources().contains(&"eks.amazonaws.com"));
    }
}
