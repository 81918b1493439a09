//! OpenSearch Service: a region's domains, each described (network placement and access
//! policy, encryption, endpoint TLS, log publishing, fine-grained access control, data
//! nodes).

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::Reader;

/// OpenSearch in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "opensearch",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Every setting the rules read changes only through OpenSearch's write calls, which
    // CloudTrail records under the service's historical source `es.amazonaws.com`.
    changed_by: &["es.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let domains = read(r).await;
    fill(move |region: &mut RegionInventory| region.opensearch_domains = domains)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::OpenSearchDomain>> {
    let c = aws_sdk_opensearch::Client::new(r.config);
    let listed = r.ok("ListDomainNames", c.list_domain_names().send().await)?;
    let mut names: Vec<String> = listed
        .domain_names()
        .iter()
        .filter_map(|d| d.domain_name().map(str::to_owned))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let (arn, details) = match c.describe_domain().domain_name(&name).send().await {
            Ok(d) => match d.domain_status() {
                Some(s) => (Some(s.arn().to_owned()), Some(details(s))),
                None => (None, None),
            },
            Err(e) => {
                r.record("DescribeDomain", &e);
                (None, None)
            }
        };
        out.push(m::OpenSearchDomain { name, arn, details });
    }
    Some(out)
}

fn details(s: &aws_sdk_opensearch::types::DomainStatus) -> m::OpenSearchDomainDetails {
    let cluster = s.cluster_config();
    let endpoint_options = s.domain_endpoint_options();
    let mut published_log_types: Vec<String> = s
        .log_publishing_options()
        .into_iter()
        .flatten()
        .filter(|(_, o)| o.enabled() == Some(true) && o.cloud_watch_logs_log_group_arn().is_some())
        .map(|(t, _)| t.as_str().to_owned())
        .collect();
    published_log_types.sort();
    m::OpenSearchDomainDetails {
        engine_version: s.engine_version().map(str::to_owned),
        endpoint: s.endpoint().map(str::to_owned),
        vpc_endpoint: s.endpoints().and_then(|e| e.get("vpc")).cloned(),
        in_vpc: s.vpc_options().is_some(),
        // No policy at all is answered as an empty document: nothing is allowed by it.
        access_policy_statements: match s.access_policies().filter(|p| !p.trim().is_empty()) {
            Some(p) => policy_statements(p),
            None => Some(vec![]),
        },
        encryption_at_rest: s
            .encryption_at_rest_options()
            .and_then(|o| o.enabled())
            .unwrap_or(false),
        node_to_node_encryption: s
            .node_to_node_encryption_options()
            .and_then(|o| o.enabled())
            .unwrap_or(false),
        enforce_https: endpoint_options
            .and_then(|o| o.enforce_https())
            .unwrap_or(false),
        tls_security_policy: endpoint_options
            .and_then(|o| o.tls_security_policy())
            .map(|p| p.as_str().to_owned()),
        published_log_types,
        fine_grained_access_control: s
            .advanced_security_options()
            .and_then(|o| o.enabled())
            .unwrap_or(false),
        instance_count: cluster.and_then(|c| c.instance_count()).unwrap_or(1),
        zone_awareness: cluster
            .and_then(|c| c.zone_awareness_enabled())
            .unwrap_or(false),
        dedicated_master_enabled: cluster
            .and_then(|c| c.dedicated_master_enabled())
            .unwrap_or(false),
        dedicated_master_count: cluster
            .and_then(|c| c.dedicated_master_count())
            .unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn opensearch_write_calls_map_to_opensearch() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("es.amazonaws.com"), Some("opensearch"));
        assert!(super::super::skippable_sources().contains(&"es.amazonaws.com"));
    }
}
