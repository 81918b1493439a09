//! EKS: the inventory model of clusters, and their rules (API endpoint open to the whole
//! internet, private endpoint access off, control-plane logging incomplete, secrets not
//! envelope-encrypted with KMS, a Kubernetes version past standard support).

pub mod model;

use chrono::NaiveDate;
use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{EksCluster, EksClusterDetails, Inventory},
};

/// EKS's part of the inventory was read (its clusters listed).
pub const SOURCE: crate::Source = crate::Source::Regional("eks", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.eks_clusters.is_some()
}

/// EKS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "eks",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &ENDPOINT_PUBLIC,
        &CONTROL_PLANE_LOGGING,
        &SECRETS_NOT_ENCRYPTED,
        &UNSUPPORTED_VERSION,
        &PRIVATE_ACCESS_DISABLED,
    ],
};

const RESOURCE_TYPE: &str = "AWS::EKS::Cluster";

/// Lists the region's clusters.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(clusters) = &r.eks_clusters else {
        return;
    };
    for c in clusters {
        let cfg = crate::services::json(c);
        out.add(&r.region, RESOURCE_TYPE, &c.name, c.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Runs `check` on every cluster's description; a cluster that could not be described is
/// not assessed.
fn each_cluster(
    inv: &Inventory,
    sink: &mut Sink,
    check: impl Fn(&EksClusterDetails) -> Option<serde_json::Value>,
) {
    for region in &inv.regions {
        for c in region.eks_clusters.iter().flatten() {
            check_one(&region.region, c, sink, &check);
        }
    }
}

fn check_one(
    region: &str,
    c: &EksCluster,
    sink: &mut Sink,
    check: &impl Fn(&EksClusterDetails) -> Option<serde_json::Value>,
) {
    let Some(details) = &c.details else {
        sink.unknown(region, &c.name);
        return;
    };
    if let Some(evidence) = check(details) {
        sink.fail(region, &c.name, c.arn.clone(), evidence);
    }
}

pub static ENDPOINT_PUBLIC: Rule = Rule {
    id: "eks-endpoint-public",
    title: "EKS cluster API endpoint is open to the whole internet",
    severity: Severity::High,
    description: "The cluster's Kubernetes API server endpoint is publicly reachable from \
                  any address (`0.0.0.0/0`): anyone can reach the API to probe it, try \
                  stolen or leaked credentials and tokens, and exploit any API-server \
                  vulnerability, with nothing but authentication in the way.",
    remediation: "Turn private endpoint access on and public access off (`aws eks \
                  update-cluster-config --name <name> --resources-vpc-config \
                  endpointPrivateAccess=true,endpointPublicAccess=false`), or restrict \
                  `publicAccessCidrs` to the addresses that administer the cluster.",
    compliance: &["AWS FSBP EKS.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: endpoint_public,
};

fn endpoint_public(inv: &Inventory, sink: &mut Sink) {
    each_cluster(inv, sink, |d| {
        let open = d.public_access_cidrs.is_empty()
            || d.public_access_cidrs
                .iter()
                .any(|c| c == "0.0.0.0/0" || c == "::/0");
        (d.endpoint_public_access && open).then(|| {
            json!({
                "endpointPublicAccess": true,
                "publicAccessCidrs": d.public_access_cidrs,
                "endpointPrivateAccess": d.endpoint_private_access,
            })
        })
    });
}

pub static PRIVATE_ACCESS_DISABLED: Rule = Rule {
    id: "eks-endpoint-private-access-disabled",
    title: "EKS cluster API endpoint has no private access",
    severity: Severity::Medium,
    description: "Private endpoint access is off: the nodes, and everything in the VPC that \
                  talks to the Kubernetes API, reach it through the public endpoint, so \
                  their traffic leaves the VPC and the public endpoint cannot be closed or \
                  narrowed to administrators without cutting the nodes off.",
    remediation: "Turn private endpoint access on (`aws eks update-cluster-config --name \
                  <name> --resources-vpc-config endpointPrivateAccess=true`), then restrict \
                  or turn off public access.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: private_access_disabled,
};

fn private_access_disabled(inv: &Inventory, sink: &mut Sink) {
    each_cluster(inv, sink, |d| {
        (!d.endpoint_private_access).then(|| {
            json!({
                "endpointPrivateAccess": false,
                "endpointPublicAccess": d.endpoint_public_access,
            })
        })
    });
}

/// The control-plane log types, all of which should be on.
pub const LOG_TYPES: &[&str] = &[
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

pub static CONTROL_PLANE_LOGGING: Rule = Rule {
    id: "eks-control-plane-logging-incomplete",
    title: "EKS control-plane logging is not fully on",
    severity: Severity::Medium,
    description: "Some control-plane log types (api, audit, authenticator, \
                  controllerManager, scheduler) are not sent to CloudWatch Logs: without \
                  the audit and authenticator logs above all, who did what in the cluster \
                  (a secret read, a role binding created, an exec into a pod) cannot be \
                  investigated after an incident.",
    remediation: "Turn every log type on (`aws eks update-cluster-config --name <name> \
                  --logging '{\"clusterLogging\":[{\"types\":[\"api\",\"audit\",\
                  \"authenticator\",\"controllerManager\",\"scheduler\"],\"enabled\":true}]}'`).",
    compliance: &["AWS FSBP EKS.8"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: control_plane_logging,
};

fn control_plane_logging(inv: &Inventory, sink: &mut Sink) {
    each_cluster(inv, sink, |d| {
        let missing: Vec<&str> = LOG_TYPES
            .iter()
            .copied()
            .filter(|t| !d.enabled_log_types.iter().any(|e| e == t))
            .collect();
        (!missing.is_empty()).then(|| json!({ "logTypesOff": missing }))
    });
}

pub static SECRETS_NOT_ENCRYPTED: Rule = Rule {
    id: "eks-secrets-not-encrypted",
    title: "EKS cluster secrets are not encrypted with a KMS key",
    severity: Severity::Medium,
    description: "Kubernetes secrets are not envelope-encrypted with a KMS key: they sit in \
                  etcd protected only by EKS's default disk encryption, so anyone who \
                  obtains an etcd backup or snapshot reads them, and no key policy or \
                  CloudTrail record of key use stands between them and the data.",
    remediation: "Enable envelope encryption of secrets with a customer-managed KMS key \
                  (`aws eks associate-encryption-config --cluster-name <name> \
                  --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":\
                  {\"keyArn\":\"<key-arn>\"}}]'`); it cannot be turned off afterwards.",
    compliance: &["AWS FSBP EKS.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: secrets_not_encrypted,
};

fn secrets_not_encrypted(inv: &Inventory, sink: &mut Sink) {
    each_cluster(inv, sink, |d| {
        (!d.secrets_encrypted).then(|| json!({ "secretsEncryption": false }))
    });
}

/// Kubernetes minor versions with the day Amazon EKS's standard support for each ended
/// or ends (EKS user guide, "Kubernetes version lifecycle": 14 months after release,
/// then 12 months of paid extended support). Judged against the inventory's collection
/// time; a version not listed (newer than this list) passes.
pub const STANDARD_SUPPORT_ENDS: &[(&str, &str)] = &[
    ("1.10", "2019-07-22"),
    ("1.11", "2019-11-04"),
    ("1.12", "2020-05-11"),
    ("1.13", "2020-06-30"),
    ("1.14", "2020-12-08"),
    ("1.15", "2021-05-03"),
    ("1.16", "2021-09-27"),
    ("1.17", "2021-11-02"),
    ("1.18", "2022-03-31"),
    ("1.19", "2022-08-01"),
    ("1.20", "2022-11-01"),
    ("1.21", "2023-02-15"),
    ("1.22", "2023-06-04"),
    ("1.23", "2023-10-11"),
    ("1.24", "2024-01-31"),
    ("1.25", "2024-05-01"),
    ("1.26", "2024-06-11"),
    ("1.27", "2024-07-24"),
    ("1.28", "2024-11-26"),
    ("1.29", "2025-03-23"),
    ("1.30", "2025-07-23"),
    ("1.31", "2025-11-26"),
    ("1.32", "2026-03-23"),
    ("1.33", "2026-07-29"),
    ("1.34", "2026-12-02"),
    ("1.35", "2027-03-27"),
];

/// The day standard support for `version` ended, if it has by `on`.
fn support_ended(version: &str, on: NaiveDate) -> Option<NaiveDate> {
    STANDARD_SUPPORT_ENDS
        .iter()
        .find(|(v, _)| *v == version)
        .and_then(|(_, day)| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .filter(|day| *day <= on)
}

pub static UNSUPPORTED_VERSION: Rule = Rule {
    id: "eks-version-unsupported",
    title: "EKS cluster runs a Kubernetes version past standard support",
    severity: Severity::High,
    description: "The cluster's Kubernetes version is past the end of EKS standard support: \
                  it is in paid extended support (which ends 12 months later with a forced \
                  upgrade) or beyond it, the community no longer fixes its \
                  vulnerabilities, and add-ons drop it.",
    remediation: "Upgrade the cluster one minor version at a time to a version in standard \
                  support (`aws eks update-cluster-version --name <name> --kubernetes-version \
                  <next>`), after checking deprecated APIs and upgrading add-ons and nodes.",
    compliance: &["AWS FSBP EKS.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: unsupported_version,
};

fn unsupported_version(inv: &Inventory, sink: &mut Sink) {
    let today = inv.collected_at.date_naive();
    each_cluster(inv, sink, |d| {
        let version = d.version.as_deref()?;
        let since = support_ended(version, today)?;
        Some(json!({ "version": version, "standardSupportEnded": since.to_string() }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::RegionInventory,
    };

    /// A well-configured cluster: private endpoint only, every log type, secrets
    /// encrypted, a version in standard support on the fixtures' day.
    fn cluster(name: &str) -> EksCluster {
        EksCluster {
            name: name.into(),
            arn: Some(format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}")),
            details: Some(EksClusterDetails {
                version: Some("1.99".into()),
                endpoint_public_access: false,
                endpoint_private_access: true,
                public_access_cidrs: vec!["0.0.0.0/0".into()],
                enabled_log_types: LOG_TYPES.iter().map(|t| t.to_string()).collect(),
                secrets_encrypted: true,
            }),
        }
    }

    fn with(clusters: Option<Vec<EksCluster>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                eks_clusters: clusters,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    fn change(name: &str, f: impl FnOnce(&mut EksClusterDetails)) -> EksCluster {
        let mut c = cluster(name);
        f(c.details.as_mut().unwrap());
        c
    }

    fn unread() -> EksCluster {
        EksCluster {
            details: None,
            ..cluster("unread")
        }
    }

    #[test]
    fn a_public_endpoint_open_to_all_fails_and_a_restricted_or_private_one_passes() {
        let inv = with(Some(vec![
            cluster("private"),
            change("open", |d| d.endpoint_public_access = true),
            change("open-default", |d| {
                d.endpoint_public_access = true;
                d.public_access_cidrs = vec![];
            }),
            change("restricted", |d| {
                d.endpoint_public_access = true;
                d.public_access_cidrs = vec!["203.0.113.0/24".into()];
            }),
            unread(),
        ]));
        assert_eq!(failing(&ENDPOINT_PUBLIC, &inv), ["open", "open-default"]);
        assert_eq!(unknown(&run(&ENDPOINT_PUBLIC, &inv)), ["unread"]);
        assert!(run(&ENDPOINT_PUBLIC, &with(None)).complete.is_empty());
    }

    #[test]
    fn any_control_plane_log_type_off_fails() {
        let inv = with(Some(vec![
            cluster("all"),
            change("no-audit", |d| d.enabled_log_types.retain(|t| t != "audit")),
            change("none", |d| d.enabled_log_types.clear()),
            unread(),
        ]));
        let out = run(&CONTROL_PLANE_LOGGING, &inv);
        assert_eq!(failing(&CONTROL_PLANE_LOGGING, &inv), ["no-audit", "none"]);
        assert_eq!(out.findings[0].evidence["logTypesOff"], json!(["audit"]));
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn secrets_without_kms_encryption_fail() {
        let inv = with(Some(vec![
            cluster("encrypted"),
            change("plain", |d| d.secrets_encrypted = false),
            unread(),
        ]));
        assert_eq!(failing(&SECRETS_NOT_ENCRYPTED, &inv), ["plain"]);
        assert_eq!(unknown(&run(&SECRETS_NOT_ENCRYPTED, &inv)), ["unread"]);
    }

    #[test]
    fn versions_fail_from_the_end_of_standard_support_judged_at_the_scan() {
        let at = |day: &str| {
            let mut inv = with(Some(vec![
                change("old", |d| d.version = Some("1.24".into())),
                change("v134", |d| d.version = Some("1.34".into())),
                cluster("unlisted"),
            ]));
            inv.collected_at = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc();
            inv
        };
        assert_eq!(failing(&UNSUPPORTED_VERSION, &at("2026-12-01")), ["old"]);
        assert_eq!(
            failing(&UNSUPPORTED_VERSION, &at("2026-12-02")),
            ["old", "v134"]
        );
        let out = run(&UNSUPPORTED_VERSION, &at("2026-12-02"));
        assert_eq!(
            out.findings[0].evidence["standardSupportEnded"],
            "2024-01-31"
        );
        assert!(failing(&UNSUPPORTED_VERSION, &at("2024-01-30")).is_empty());
    }

    #[test]
    fn every_support_date_parses_and_versions_are_in_order() {
        let mut last = NaiveDate::MIN;
        for (version, day) in STANDARD_SUPPORT_ENDS {
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            assert!(day > last, "{version}");
            last = day;
        }
    }

    #[test]
    fn private_access_off_fails_and_an_undescribed_cluster_is_not_assessed() {
        let mut public_only = cluster("public-only");
        if let Some(d) = public_only.details.as_mut() {
            d.endpoint_private_access = false;
            d.endpoint_public_access = true;
        }
        let undescribed = EksCluster {
            details: None,
            ..cluster("undescribed")
        };
        let inv = with(Some(vec![cluster("private"), public_only, undescribed]));
        assert_eq!(failing(&PRIVATE_ACCESS_DISABLED, &inv), ["public-only"]);
        let out = run(&PRIVATE_ACCESS_DISABLED, &inv);
        assert_eq!(unknown(&out), ["undescribed"]);
        assert_eq!(out.findings[0].evidence["endpointPublicAccess"], true);
    }
}
