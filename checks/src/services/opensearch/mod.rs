//! OpenSearch Service: the inventory model of domains, and their rules (reachable from the
//! internet, no encryption at rest or between nodes, HTTPS not enforced with TLS 1.2, error
//! or audit logs not published, fine-grained access control off, data nodes not fault
//! tolerant).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, OpenSearchDomain, OpenSearchDomainDetails},
    services::kms::public_statements,
};

/// OpenSearch's part of the inventory was read (its domains listed).
pub const SOURCE: crate::Source = crate::Source::Regional("opensearch", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.opensearch_domains.is_some()
}

/// OpenSearch in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "opensearch",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &DOMAIN_PUBLIC,
        &NOT_ENCRYPTED_AT_REST,
        &NODE_TO_NODE_UNENCRYPTED,
        &HTTPS_NOT_ENFORCED,
        &ERROR_LOGGING_DISABLED,
        &AUDIT_LOGGING_DISABLED,
        &FINE_GRAINED_ACCESS_CONTROL_DISABLED,
        &DATA_NODES_NOT_FAULT_TOLERANT,
        &SLOW_LOGS_DISABLED,
        &MASTER_NODES_NOT_FAULT_TOLERANT,
    ],
};

const RESOURCE_TYPE: &str = "AWS::OpenSearchService::Domain";

/// Lists the region's domains (their endpoints are in the configuration).
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(domains) = &r.opensearch_domains else {
        return;
    };
    for d in domains {
        let cfg = crate::services::json(d);
        out.add(&r.region, RESOURCE_TYPE, &d.name, d.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Runs `check` on every domain's description; a domain that could not be described is
/// not assessed, nor is one `check` cannot judge (it answers `Err(())`).
fn each_domain(
    inv: &Inventory,
    sink: &mut Sink,
    check: impl Fn(&OpenSearchDomainDetails) -> Result<Option<serde_json::Value>, ()>,
) {
    for region in &inv.regions {
        for d in region.opensearch_domains.iter().flatten() {
            check_one(&region.region, d, sink, &check);
        }
    }
}

fn check_one(
    region: &str,
    d: &OpenSearchDomain,
    sink: &mut Sink,
    check: &impl Fn(&OpenSearchDomainDetails) -> Result<Option<serde_json::Value>, ()>,
) {
    match d.details.as_ref().map(check) {
        None | Some(Err(())) => sink.unknown(region, &d.name),
        Some(Ok(Some(evidence))) => sink.fail(region, &d.name, d.arn.clone(), evidence),
        Some(Ok(None)) => {}
    }
}

pub static DOMAIN_PUBLIC: Rule = Rule {
    id: "opensearch-domain-public",
    title: "OpenSearch domain is reachable from the internet and its policy allows everyone",
    severity: Severity::Critical,
    description: "The domain is not in a VPC, so its endpoint is reachable from the \
                  internet, and its access policy allows the principal `*` without a \
                  condition: anyone can send unsigned requests to read, change or delete \
                  every index (exposed search clusters are a leading source of data \
                  breaches and ransom notes).",
    remediation: "Restrict the access policy to the roles that use the domain, or add a \
                  condition such as `aws:SourceIp` (`aws opensearch update-domain-config \
                  --domain-name <name> --access-policies file://policy.json`); better, \
                  recreate the domain inside a VPC (VPC access cannot be added to an \
                  existing public domain).",
    compliance: &["AWS FSBP OpenSearch.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: domain_public,
};

fn domain_public(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        if d.in_vpc {
            return Ok(None);
        }
        let statements = d.access_policy_statements.as_ref().ok_or(())?;
        let public = public_statements(&json!({ "Statement": statements }));
        Ok((!public.is_empty())
            .then(|| json!({ "endpoint": d.endpoint, "vpc": false, "publicStatements": public })))
    });
}

pub static NOT_ENCRYPTED_AT_REST: Rule = Rule {
    id: "opensearch-encryption-at-rest-disabled",
    title: "OpenSearch domain is not encrypted at rest",
    severity: Severity::Medium,
    description: "The domain's indices, logs, swap files and automated snapshots are stored \
                  without KMS encryption: access to the data on disk and in snapshots is \
                  not governed or audited through a key policy.",
    remediation: "Turn encryption at rest on (`aws opensearch update-domain-config \
                  --domain-name <name> --encryption-at-rest-options Enabled=true`, on \
                  OpenSearch or Elasticsearch 6.7 and later; older domains must be migrated \
                  to a new encrypted domain).",
    compliance: &["AWS FSBP OpenSearch.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_encrypted_at_rest,
};

fn not_encrypted_at_rest(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        Ok((!d.encryption_at_rest).then(|| json!({ "encryptionAtRest": false })))
    });
}

pub static NODE_TO_NODE_UNENCRYPTED: Rule = Rule {
    id: "opensearch-node-to-node-encryption-disabled",
    title: "OpenSearch domain does not encrypt traffic between its nodes",
    severity: Severity::Medium,
    description: "Node-to-node encryption is off: data moving between the domain's nodes \
                  (replication, queries fanned out to shards) travels in clear text inside \
                  the VPC, where anything able to capture traffic reads it.",
    remediation: "Turn node-to-node encryption on (`aws opensearch update-domain-config \
                  --domain-name <name> --node-to-node-encryption-options Enabled=true`); it \
                  cannot be turned off afterwards.",
    compliance: &["AWS FSBP OpenSearch.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: node_to_node_unencrypted,
};

fn node_to_node_unencrypted(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        Ok((!d.node_to_node_encryption).then(|| json!({ "nodeToNodeEncryption": false })))
    });
}

/// The TLS security policies that refuse TLS 1.0 and 1.1 (OpenSearch's "TLS 1.2" and
/// "TLS 1.2 with perfect forward secrecy" policies).
pub const TLS_1_2_POLICIES: &[&str] = &[
    "Policy-Min-TLS-1-2-2019-07",
    "Policy-Min-TLS-1-2-PFS-2023-10",
];

pub static HTTPS_NOT_ENFORCED: Rule = Rule {
    id: "opensearch-https-not-enforced",
    title: "OpenSearch domain does not enforce HTTPS with TLS 1.2",
    severity: Severity::Medium,
    description: "The domain accepts plain HTTP requests, or its TLS security policy still \
                  accepts TLS 1.0 and 1.1: queries, documents and the credentials or \
                  signatures that go with them can be read or altered on the way.",
    remediation: "Require HTTPS with a TLS 1.2 policy (`aws opensearch update-domain-config \
                  --domain-name <name> --domain-endpoint-options \
                  EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10`).",
    compliance: &["AWS FSBP OpenSearch.8"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: https_not_enforced,
};

fn https_not_enforced(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        let tls_1_2 = d
            .tls_security_policy
            .as_deref()
            .is_some_and(|p| TLS_1_2_POLICIES.contains(&p));
        Ok((!d.enforce_https || !tls_1_2).then(|| {
            json!({ "enforceHttps": d.enforce_https, "tlsSecurityPolicy": d.tls_security_policy })
        }))
    });
}

/// The rule for a log type that must be published to CloudWatch Logs.
fn log_type_missing(inv: &Inventory, sink: &mut Sink, log_type: &'static str) {
    each_domain(inv, sink, |d| {
        Ok((!d.published_log_types.iter().any(|t| t == log_type))
            .then(|| json!({ "logTypeNotPublished": log_type })))
    });
}

pub static ERROR_LOGGING_DISABLED: Rule = Rule {
    id: "opensearch-error-logging-disabled",
    title: "OpenSearch domain does not publish its error logs to CloudWatch Logs",
    severity: Severity::Medium,
    description: "The domain's error (application) logs are not published to CloudWatch \
                  Logs: failed requests, script errors and node problems, which show both \
                  outages and probing of the domain, are not kept anywhere to investigate.",
    remediation: "Publish `ES_APPLICATION_LOGS` to a CloudWatch Logs group (`aws opensearch \
                  update-domain-config --domain-name <name> --log-publishing-options \
                  'ES_APPLICATION_LOGS={CloudWatchLogsLogGroupArn=<arn>,Enabled=true}'`, \
                  after letting OpenSearch write to the group with a resource policy).",
    compliance: &["AWS FSBP OpenSearch.4"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: error_logging_disabled,
};

fn error_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    log_type_missing(inv, sink, "ES_APPLICATION_LOGS");
}

pub static AUDIT_LOGGING_DISABLED: Rule = Rule {
    id: "opensearch-audit-logging-disabled",
    title: "OpenSearch domain does not publish audit logs to CloudWatch Logs",
    severity: Severity::Medium,
    description: "The domain's audit logs are not published to CloudWatch Logs: who \
                  authenticated, failed to, and read or changed which index is not \
                  recorded, so misuse of the data cannot be investigated.",
    remediation: "Turn fine-grained access control on, then publish `AUDIT_LOGS` to a \
                  CloudWatch Logs group (`aws opensearch update-domain-config --domain-name \
                  <name> --log-publishing-options \
                  'AUDIT_LOGS={CloudWatchLogsLogGroupArn=<arn>,Enabled=true}'`) and enable \
                  audit logging in OpenSearch Dashboards' security settings.",
    compliance: &["AWS FSBP OpenSearch.5"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: audit_logging_disabled,
};

fn audit_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    log_type_missing(inv, sink, "AUDIT_LOGS");
}

pub static FINE_GRAINED_ACCESS_CONTROL_DISABLED: Rule = Rule {
    id: "opensearch-fine-grained-access-control-disabled",
    title: "OpenSearch domain has fine-grained access control off",
    severity: Severity::High,
    description: "Fine-grained access control is off: anyone the access policy lets in has \
                  the same rights over every index, document and field, there are no roles \
                  inside the domain to limit them, and audit logs cannot be turned on.",
    remediation: "Turn fine-grained access control on with an IAM role or internal user as \
                  master user (`aws opensearch update-domain-config --domain-name <name> \
                  --advanced-security-options \
                  'Enabled=true,MasterUserOptions={MasterUserARN=<role-arn>}'`; it needs \
                  HTTPS, node-to-node encryption and encryption at rest, and cannot be \
                  turned off afterwards).",
    compliance: &["AWS FSBP OpenSearch.7"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: fine_grained_access_control_disabled,
};

fn fine_grained_access_control_disabled(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        Ok((!d.fine_grained_access_control).then(|| json!({ "fineGrainedAccessControl": false })))
    });
}

pub static DATA_NODES_NOT_FAULT_TOLERANT: Rule = Rule {
    id: "opensearch-data-nodes-not-fault-tolerant",
    title: "OpenSearch domain has fewer than three data nodes or no zone awareness",
    severity: Severity::Medium,
    description: "The domain has fewer than three data nodes, or does not spread them over \
                  Availability Zones: losing one node or one zone loses shards and makes \
                  the domain, and whatever security tooling or application depends on it, \
                  unavailable.",
    remediation: "Run at least three data nodes with zone awareness on (`aws opensearch \
                  update-domain-config --domain-name <name> --cluster-config \
                  'InstanceCount=3,ZoneAwarenessEnabled=true,ZoneAwarenessConfig={AvailabilityZoneCount=3}'`).",
    compliance: &["AWS FSBP OpenSearch.6"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: data_nodes_not_fault_tolerant,
};

fn data_nodes_not_fault_tolerant(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        Ok((d.instance_count < 3 || !d.zone_awareness).then(
            || json!({ "instanceCount": d.instance_count, "zoneAwareness": d.zone_awareness }),
        ))
    });
}

pub static SLOW_LOGS_DISABLED: Rule = Rule {
    id: "opensearch-slow-logs-disabled",
    title: "OpenSearch domain does not publish its search and indexing slow logs",
    severity: Severity::Low,
    description: "The domain's search or indexing slow logs are not published to CloudWatch \
                  Logs: the expensive queries and bulk writes they record, the trace of a \
                  scraping or denial-of-service attempt against the domain, are kept \
                  nowhere.",
    remediation: "Publish both (`aws opensearch update-domain-config --domain-name <name> \
                  --log-publishing-options \
                  'SEARCH_SLOW_LOGS={CloudWatchLogsLogGroupArn=<arn>,Enabled=true},INDEX_SLOW_LOGS={CloudWatchLogsLogGroupArn=<arn>,Enabled=true}'`) \
                  and set the indices' slow log thresholds.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: slow_logs_disabled,
};

fn slow_logs_disabled(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        let missing: Vec<&str> = ["SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS"]
            .into_iter()
            .filter(|t| !d.published_log_types.iter().any(|p| p == t))
            .collect();
        Ok((!missing.is_empty()).then(|| json!({ "logTypesNotPublished": missing })))
    });
}

pub static MASTER_NODES_NOT_FAULT_TOLERANT: Rule = Rule {
    id: "opensearch-master-nodes-not-fault-tolerant",
    title: "OpenSearch domain has fewer than three dedicated master nodes",
    severity: Severity::Low,
    description: "The domain has no dedicated master nodes, or fewer than three: cluster \
                  management shares nodes with search and indexing load, or one master's \
                  loss leaves no quorum, and the domain can stop accepting writes or split \
                  under load or a node failure.",
    remediation: "Use three dedicated master nodes (`aws opensearch update-domain-config \
                  --domain-name <name> --cluster-config \
                  'DedicatedMasterEnabled=true,DedicatedMasterCount=3,DedicatedMasterType=<type>'`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: master_nodes_not_fault_tolerant,
};

fn master_nodes_not_fault_tolerant(inv: &Inventory, sink: &mut Sink) {
    each_domain(inv, sink, |d| {
        let count = if d.dedicated_master_enabled {
            d.dedicated_master_count
        } else {
            0
        };
        Ok((count < 3).then(|| {
            json!({
                "dedicatedMasterEnabled": d.dedicated_master_enabled,
                "dedicatedMasterCount": count,
            })
        }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::RegionInventory,
    };

    /// A well-configured domain: in a VPC with an open policy (the VPC is the boundary),
    /// encrypted, HTTPS with TLS 1.2, every log type published, fine-grained access
    /// control, three data nodes over zones.
    fn domain(name: &str) -> OpenSearchDomain {
        OpenSearchDomain {
            name: name.into(),
            arn: Some(format!("arn:aws:es:{REGION}:{ACCOUNT}:domain/{name}")),
            details: Some(OpenSearchDomainDetails {
                engine_version: Some("OpenSearch_2.13".into()),
                endpoint: None,
                vpc_endpoint: Some(format!("vpc-{name}-abc.{REGION}.es.amazonaws.com")),
                in_vpc: true,
                access_policy_statements: Some(vec![json!({
                    "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "es:*",
                    "Resource": format!("arn:aws:es:{REGION}:{ACCOUNT}:domain/{name}/*")
                })]),
                encryption_at_rest: true,
                node_to_node_encryption: true,
                enforce_https: true,
                tls_security_policy: Some("Policy-Min-TLS-1-2-PFS-2023-10".into()),
                published_log_types: [
                    "ES_APPLICATION_LOGS",
                    "AUDIT_LOGS",
                    "SEARCH_SLOW_LOGS",
                    "INDEX_SLOW_LOGS",
                ]
                .map(String::from)
                .to_vec(),
                fine_grained_access_control: true,
                instance_count: 3,
                zone_awareness: true,
                dedicated_master_enabled: true,
                dedicated_master_count: 3,
            }),
        }
    }

    fn with(domains: Option<Vec<OpenSearchDomain>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                opensearch_domains: domains,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    fn change(name: &str, f: impl FnOnce(&mut OpenSearchDomainDetails)) -> OpenSearchDomain {
        let mut d = domain(name);
        f(d.details.as_mut().unwrap());
        d
    }

    fn unread() -> OpenSearchDomain {
        OpenSearchDomain {
            details: None,
            ..domain("unread")
        }
    }

    /// Outside any VPC, with a public endpoint.
    fn public(d: &mut OpenSearchDomainDetails) {
        d.in_vpc = false;
        d.vpc_endpoint = None;
        d.endpoint = Some("search-open.eu-west-1.es.amazonaws.com".into());
    }

    #[test]
    fn a_domain_outside_a_vpc_whose_policy_allows_everyone_fails() {
        let inv = with(Some(vec![
            domain("in-vpc"),
            change("open", public),
            change("ip-restricted", |d| {
                public(d);
                d.access_policy_statements.as_mut().unwrap()[0]["Condition"] =
                    json!({ "IpAddress": { "aws:SourceIp": "203.0.113.0/24" } });
            }),
            change("role-only", |d| {
                public(d);
                d.access_policy_statements.as_mut().unwrap()[0]["Principal"] =
                    json!({ "AWS": format!("arn:aws:iam::{ACCOUNT}:role/search") });
            }),
            change("no-policy", |d| {
                public(d);
                d.access_policy_statements = Some(vec![]);
            }),
            change("unparsable", |d| {
                public(d);
                d.access_policy_statements = None;
            }),
            unread(),
        ]));
        assert_eq!(failing(&DOMAIN_PUBLIC, &inv), ["open"]);
        let out = run(&DOMAIN_PUBLIC, &inv);
        assert_eq!(
            out.findings[0].evidence["endpoint"],
            "search-open.eu-west-1.es.amazonaws.com"
        );
        assert_eq!(
            out.findings[0].evidence["publicStatements"][0]["Action"],
            "es:*"
        );
        // A policy that is not JSON cannot be judged: not assessed, never failing.
        assert_eq!(unknown(&out), ["unparsable", "unread"]);
        assert!(run(&DOMAIN_PUBLIC, &with(None)).complete.is_empty());
    }

    #[test]
    fn encryption_at_rest_and_between_nodes_off_fail() {
        let inv = with(Some(vec![
            domain("sealed"),
            change("plain-disk", |d| d.encryption_at_rest = false),
            change("plain-wire", |d| d.node_to_node_encryption = false),
            unread(),
        ]));
        assert_eq!(failing(&NOT_ENCRYPTED_AT_REST, &inv), ["plain-disk"]);
        assert_eq!(failing(&NODE_TO_NODE_UNENCRYPTED, &inv), ["plain-wire"]);
        for rule in [&NOT_ENCRYPTED_AT_REST, &NODE_TO_NODE_UNENCRYPTED] {
            assert_eq!(unknown(&run(rule, &inv)), ["unread"]);
        }
    }

    #[test]
    fn http_allowed_or_a_tls_1_0_policy_fails() {
        let inv = with(Some(vec![
            domain("pfs"),
            change("tls12", |d| {
                d.tls_security_policy = Some("Policy-Min-TLS-1-2-2019-07".into())
            }),
            change("http", |d| d.enforce_https = false),
            change("tls10", |d| {
                d.tls_security_policy = Some("Policy-Min-TLS-1-0-2019-07".into())
            }),
            change("no-policy", |d| d.tls_security_policy = None),
            unread(),
        ]));
        assert_eq!(
            failing(&HTTPS_NOT_ENFORCED, &inv),
            ["http", "tls10", "no-policy"]
        );
        let out = run(&HTTPS_NOT_ENFORCED, &inv);
        assert_eq!(out.findings[0].evidence["enforceHttps"], false);
        assert_eq!(
            out.findings[1].evidence["tlsSecurityPolicy"],
            "Policy-Min-TLS-1-0-2019-07"
        );
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn error_and_audit_logs_not_published_fail_each_on_its_own() {
        let inv = with(Some(vec![
            domain("all"),
            change("no-errors", |d| {
                d.published_log_types.retain(|t| t != "ES_APPLICATION_LOGS")
            }),
            change("no-audit", |d| {
                d.published_log_types.retain(|t| t != "AUDIT_LOGS")
            }),
            change("slow-only", |d| {
                d.published_log_types = vec!["SEARCH_SLOW_LOGS".into()]
            }),
            unread(),
        ]));
        assert_eq!(
            failing(&ERROR_LOGGING_DISABLED, &inv),
            ["no-errors", "slow-only"]
        );
        assert_eq!(
            failing(&AUDIT_LOGGING_DISABLED, &inv),
            ["no-audit", "slow-only"]
        );
        let out = run(&AUDIT_LOGGING_DISABLED, &inv);
        assert_eq!(
            out.findings[0].evidence["logTypeNotPublished"],
            "AUDIT_LOGS"
        );
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn fine_grained_access_control_off_fails() {
        let inv = with(Some(vec![
            domain("fgac"),
            change("coarse", |d| d.fine_grained_access_control = false),
            unread(),
        ]));
        assert_eq!(
            failing(&FINE_GRAINED_ACCESS_CONTROL_DISABLED, &inv),
            ["coarse"]
        );
        assert_eq!(
            unknown(&run(&FINE_GRAINED_ACCESS_CONTROL_DISABLED, &inv)),
            ["unread"]
        );
    }

    #[test]
    fn fewer_than_three_data_nodes_or_one_zone_fails() {
        let inv = with(Some(vec![
            domain("three-zones"),
            change("two-nodes", |d| d.instance_count = 2),
            change("one-zone", |d| d.zone_awareness = false),
            change("big", |d| d.instance_count = 12),
            unread(),
        ]));
        assert_eq!(
            failing(&DATA_NODES_NOT_FAULT_TOLERANT, &inv),
            ["two-nodes", "one-zone"]
        );
        let out = run(&DATA_NODES_NOT_FAULT_TOLERANT, &inv);
        assert_eq!(out.findings[0].evidence["instanceCount"], 2);
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn a_well_configured_domain_gets_nothing_and_the_region_is_complete() {
        let inv = with(Some(vec![domain("good")]));
        for rule in SERVICE.rules {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
        }
    }

    #[test]
    fn a_missing_slow_log_or_fewer_than_three_dedicated_masters_fail() {
        let no_index_log = change("no-index-log", |d| {
            d.published_log_types.retain(|t| t != "INDEX_SLOW_LOGS")
        });
        let no_masters = change("no-masters", |d| {
            d.dedicated_master_enabled = false;
            d.dedicated_master_count = 0
        });
        let two_masters = change("two-masters", |d| d.dedicated_master_count = 2);
        let inv = with(Some(vec![
            domain("good"),
            no_index_log,
            no_masters,
            two_masters,
            unread(),
        ]));
        assert_eq!(failing(&SLOW_LOGS_DISABLED, &inv), ["no-index-log"]);
        assert_eq!(
            failing(&MASTER_NODES_NOT_FAULT_TOLERANT, &inv),
            ["no-masters", "two-masters"]
        );
        for rule in [&SLOW_LOGS_DISABLED, &MASTER_NODES_NOT_FAULT_TOLERANT] {
            assert_eq!(unknown(&run(rule, &inv)), ["unread"], "{}", rule.id);
        }
    }
}
