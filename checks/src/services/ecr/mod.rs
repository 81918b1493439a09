//! ECR: the inventory model of private repositories and of the registry's scanning
//! configuration, and their rules (scan on push off, mutable tags, no lifecycle policy,
//! repository policy open to everyone; a registry in use that scans nothing automatically,
//! or only with basic scanning).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{EcrRegistryScanning, EcrRepository, Inventory},
    services::kms::public_statements,
};

/// ECR's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("ecr", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.ecr_repositories.is_some()
}

/// The registry's scanning configuration was read.
pub const REGISTRY: crate::Source = crate::Source::Regional("ecr", registry_read);

fn registry_read(r: &crate::model::RegionInventory) -> bool {
    r.ecr_registry_scanning.is_some()
}

/// ECR in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "ecr",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &SCAN_ON_PUSH_DISABLED,
        &TAGS_MUTABLE,
        &NO_LIFECYCLE_POLICY,
        &POLICY_PUBLIC,
        &REGISTRY_SCAN_ON_PUSH_DISABLED,
        &REGISTRY_ENHANCED_SCANNING_OFF,
    ],
};

const REGISTRY_TYPE: &str = "AWS::ECR::RegistryScanningConfiguration";

const RESOURCE_TYPE: &str = "AWS::ECR::Repository";

/// Lists the region's repositories.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(repos) = &r.ecr_repositories else {
        return;
    };
    for repo in repos {
        let cfg = crate::services::json(repo);
        out.add(&r.region, RESOURCE_TYPE, &repo.name, repo.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every repository of the account, with its region.
fn repositories(inv: &Inventory) -> impl Iterator<Item = (&str, &EcrRepository)> {
    inv.regions.iter().flat_map(|region| {
        region
            .ecr_repositories
            .iter()
            .flatten()
            .map(move |r| (region.region.as_str(), r))
    })
}

pub static SCAN_ON_PUSH_DISABLED: Rule = Rule {
    id: "ecr-scan-on-push-disabled",
    title: "ECR repository does not scan images on push",
    severity: Severity::Medium,
    description: "Images pushed to this repository are not scanned for known \
                  vulnerabilities, so an image with a critical CVE can be deployed without \
                  anyone being told. (A registry-level enhanced scanning rule, read by \
                  neither this check nor ECR's repository setting, may cover the repository \
                  anyway.)",
    remediation: "Turn on scan on push (`aws ecr put-image-scanning-configuration \
                  --repository-name <name> --image-scanning-configuration scanOnPush=true`), \
                  or configure enhanced scanning for the registry.",
    compliance: &["AWS FSBP ECR.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: scan_on_push_disabled,
};

fn scan_on_push_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, r) in repositories(inv).filter(|(_, r)| !r.scan_on_push) {
        sink.fail(
            region,
            &r.name,
            r.arn.clone(),
            json!({ "scanOnPush": false }),
        );
    }
}

pub static TAGS_MUTABLE: Rule = Rule {
    id: "ecr-tags-mutable",
    title: "ECR repository allows image tags to be overwritten",
    severity: Severity::Medium,
    description: "Tags in this repository are mutable: anyone who may push can replace the \
                  image behind `v1.4.2` or `prod`, and every deployment that pulls by tag \
                  runs the new image, a classic supply-chain step.",
    remediation: "Make tags immutable (`aws ecr put-image-tag-mutability --repository-name \
                  <name> --image-tag-mutability IMMUTABLE`) and give each build its own tag, \
                  or deploy by digest.",
    compliance: &["AWS FSBP ECR.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: tags_mutable,
};

fn tags_mutable(inv: &Inventory, sink: &mut Sink) {
    for (region, r) in repositories(inv).filter(|(_, r)| r.tag_mutability.starts_with("MUTABLE")) {
        sink.fail(
            region,
            &r.name,
            r.arn.clone(),
            json!({ "imageTagMutability": r.tag_mutability }),
        );
    }
}

pub static NO_LIFECYCLE_POLICY: Rule = Rule {
    id: "ecr-no-lifecycle-policy",
    title: "ECR repository has no lifecycle policy",
    severity: Severity::Low,
    description: "No lifecycle policy expires old images: outdated images with known \
                  vulnerabilities stay pullable indefinitely, and storage grows without \
                  bound.",
    remediation: "Add a lifecycle policy that expires untagged images and keeps only the \
                  last releases (`aws ecr put-lifecycle-policy --repository-name <name> \
                  --lifecycle-policy-text file://policy.json`).",
    compliance: &["AWS FSBP ECR.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: no_lifecycle_policy,
};

fn no_lifecycle_policy(inv: &Inventory, sink: &mut Sink) {
    for (region, r) in repositories(inv) {
        match r.lifecycle_policy {
            None => sink.unknown(region, &r.name),
            Some(false) => sink.fail(
                region,
                &r.name,
                r.arn.clone(),
                json!({ "lifecyclePolicy": null }),
            ),
            Some(true) => {}
        }
    }
}

pub static POLICY_PUBLIC: Rule = Rule {
    id: "ecr-repository-policy-public",
    title: "ECR repository policy allows everyone without conditions",
    severity: Severity::High,
    description: "The repository policy allows the principal `*` without a condition: any \
                  AWS account may pull the images (and the code, configuration and secrets \
                  baked into them) or, depending on the actions allowed, push its own.",
    remediation: "Replace the `*` principal with the accounts that need the images, or add a \
                  condition such as `aws:PrincipalOrgID` (`aws ecr set-repository-policy \
                  --repository-name <name> --policy-text file://policy.json`); publish public \
                  images through ECR Public instead.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_public,
};

fn policy_public(inv: &Inventory, sink: &mut Sink) {
    for (region, r) in repositories(inv) {
        let Some(statements) = &r.policy_statements else {
            sink.unknown(region, &r.name);
            continue;
        };
        let public = public_statements(&json!({ "Statement": statements }));
        if !public.is_empty() {
            sink.fail(
                region,
                &r.name,
                r.arn.clone(),
                json!({ "publicStatements": public }),
            );
        }
    }
}

/// Calls `judge` with each region's registry scanning configuration where the registry
/// is in use (it holds repositories); a registry in use whose configuration could not be
/// read is not assessed. The finding's resource is the registry, named by the account.
fn registry_rule(
    inv: &Inventory,
    sink: &mut Sink,
    judge: impl Fn(&EcrRegistryScanning) -> Option<serde_json::Value>,
) {
    for region in &inv.regions {
        if region.ecr_repositories.as_ref().is_none_or(Vec::is_empty) {
            continue;
        }
        match &region.ecr_registry_scanning {
            None => sink.unknown(&region.region, &inv.account_id),
            Some(scanning) => {
                if let Some(evidence) = judge(scanning) {
                    sink.fail(&region.region, &inv.account_id, None, evidence);
                }
            }
        }
    }
}

/// Scan frequencies that scan without anyone asking.
const AUTOMATED: &[&str] = &["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

pub static REGISTRY_SCAN_ON_PUSH_DISABLED: Rule = Rule {
    id: "ecr-registry-scan-on-push-disabled",
    title: "ECR registry does not scan every repository's images automatically",
    severity: Severity::Medium,
    description: "The region's private registry holds repositories but no registry scanning \
                  rule scans all of them on push or continuously (there is no rule, the \
                  rules are manual, or their filters match only some repositories): images \
                  with known vulnerabilities are pushed and deployed without a scan, \
                  whatever each repository's own (deprecated) scan-on-push setting says.",
    remediation: "Add a registry scanning rule for every repository (`aws ecr \
                  put-registry-scanning-configuration --scan-type BASIC --rules \
                  '[{\"scanFrequency\":\"SCAN_ON_PUSH\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'`), \
                  or with `--scan-type ENHANCED` and `CONTINUOUS_SCAN`.",
    compliance: &[],
    resource_type: REGISTRY_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE, REGISTRY],
    check: registry_scan_on_push_disabled,
};

fn registry_scan_on_push_disabled(inv: &Inventory, sink: &mut Sink) {
    registry_rule(inv, sink, |s| {
        let covers_all = s.rules.iter().any(|rule| {
            AUTOMATED.contains(&rule.scan_frequency.as_str())
                && (rule.filters.is_empty() || rule.filters.iter().any(|f| f == "*"))
        });
        (!covers_all).then(|| json!({ "scanType": s.scan_type, "rules": s.rules }))
    });
}

pub static REGISTRY_ENHANCED_SCANNING_OFF: Rule = Rule {
    id: "ecr-registry-enhanced-scanning-off",
    title: "ECR registry uses basic scanning, not enhanced scanning",
    severity: Severity::Low,
    description: "The region's private registry holds repositories and scans them with \
                  basic scanning only: operating-system packages are checked when an image \
                  is pushed, but not the language packages (npm, pip, Maven, Go modules) the \
                  application brings, and images already stored are not re-checked when a \
                  new vulnerability is published. Enhanced scanning (Amazon Inspector) does \
                  both, at a cost per image.",
    remediation: "Switch the registry to enhanced scanning (`aws ecr \
                  put-registry-scanning-configuration --scan-type ENHANCED --rules \
                  '[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'`), \
                  which turns on Amazon Inspector's ECR scanning.",
    compliance: &[],
    resource_type: REGISTRY_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE, REGISTRY],
    check: registry_enhanced_scanning_off,
};

fn registry_enhanced_scanning_off(inv: &Inventory, sink: &mut Sink) {
    registry_rule(inv, sink, |s| {
        (s.scan_type != "ENHANCED").then(|| json!({ "scanType": s.scan_type }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::{EcrScanningRule, RegionInventory},
    };

    /// A well-configured repository.
    fn repo(name: &str) -> EcrRepository {
        EcrRepository {
            name: name.into(),
            arn: Some(format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}")),
            scan_on_push: true,
            tag_mutability: "IMMUTABLE".into(),
            lifecycle_policy: Some(true),
            policy_statements: Some(vec![]),
        }
    }

    fn with_repos(repos: Option<Vec<EcrRepository>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                ecr_repositories: repos,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn scan_on_push_off_fails_and_on_passes() {
        let unscanned = EcrRepository {
            scan_on_push: false,
            ..repo("unscanned")
        };
        let inv = with_repos(Some(vec![repo("scanned"), unscanned]));
        assert_eq!(failing(&SCAN_ON_PUSH_DISABLED, &inv), ["unscanned"]);
        assert_eq!(run(&SCAN_ON_PUSH_DISABLED, &inv).complete.len(), 1);
        assert!(
            run(&SCAN_ON_PUSH_DISABLED, &with_repos(None))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn mutable_tags_fail_and_immutable_ones_pass() {
        let mutable = EcrRepository {
            tag_mutability: "MUTABLE".into(),
            ..repo("mutable")
        };
        let excepted = EcrRepository {
            tag_mutability: "MUTABLE_WITH_EXCLUSION".into(),
            ..repo("excepted")
        };
        let pinned = EcrRepository {
            tag_mutability: "IMMUTABLE_WITH_EXCLUSION".into(),
            ..repo("pinned")
        };
        let inv = with_repos(Some(vec![mutable, excepted, pinned, repo("immutable")]));
        assert_eq!(failing(&TAGS_MUTABLE, &inv), ["mutable", "excepted"]);
    }

    #[test]
    fn a_missing_lifecycle_policy_fails_and_an_unread_one_is_not_assessed() {
        let bare = EcrRepository {
            lifecycle_policy: Some(false),
            ..repo("bare")
        };
        let unread = EcrRepository {
            lifecycle_policy: None,
            ..repo("unread")
        };
        let inv = with_repos(Some(vec![bare, unread, repo("kept")]));
        assert_eq!(failing(&NO_LIFECYCLE_POLICY, &inv), ["bare"]);
        assert_eq!(unknown(&run(&NO_LIFECYCLE_POLICY, &inv)), ["unread"]);
    }

    #[test]
    fn a_policy_open_to_everyone_fails_and_an_org_conditioned_one_passes() {
        let mut open = repo("open");
        open.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        })]);
        let mut org = repo("org");
        org.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
            "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-abc" } }
        })]);
        let unread = EcrRepository {
            policy_statements: None,
            ..repo("unread")
        };
        let inv = with_repos(Some(vec![open, org, unread, repo("private")]));
        assert_eq!(failing(&POLICY_PUBLIC, &inv), ["open"]);
        assert_eq!(unknown(&run(&POLICY_PUBLIC, &inv)), ["unread"]);
    }

    fn scanning(scan_type: &str, rules: &[(&str, &[&str])]) -> EcrRegistryScanning {
        EcrRegistryScanning {
            scan_type: scan_type.into(),
            rules: rules
                .iter()
                .map(|(frequency, filters)| EcrScanningRule {
                    scan_frequency: frequency.to_string(),
                    filters: filters.iter().map(|f| f.to_string()).collect(),
                })
                .collect(),
        }
    }

    /// Regions holding (or not) a repository, with their registry configuration.
    fn with_registries(regions: Vec<(&str, bool, Option<EcrRegistryScanning>)>) -> Inventory {
        let regions = regions
            .into_iter()
            .map(|(region, repos, scanning)| (region, (repos, scanning)))
            .collect();
        crate::fixtures::with_regions(regions, |r, (repos, scanning)| {
            r.ecr_repositories = Some(if repos { vec![repo("app")] } else { vec![] });
            r.ecr_registry_scanning = scanning;
        })
    }

    fn failing_registries(rule: &'static Rule, inv: &Inventory) -> Vec<String> {
        crate::fixtures::failing_regions(rule, inv)
    }

    #[test]
    fn a_registry_in_use_must_scan_every_repository_automatically() {
        let inv = with_registries(vec![
            (
                "us-east-1",
                true,
                Some(scanning("BASIC", &[("SCAN_ON_PUSH", &["*"])])),
            ),
            (
                "us-east-2",
                true,
                Some(scanning("ENHANCED", &[("CONTINUOUS_SCAN", &["*"])])),
            ),
            // moto's and a new account's default: no rule.
            ("eu-west-1", true, Some(scanning("BASIC", &[]))),
            (
                "eu-west-2",
                true,
                Some(scanning("BASIC", &[("MANUAL", &["*"])])),
            ),
            (
                "eu-west-3",
                true,
                Some(scanning("BASIC", &[("SCAN_ON_PUSH", &["prod-*"])])),
            ),
            // No repository: nothing to scan.
            ("ap-south-1", false, Some(scanning("BASIC", &[]))),
        ]);
        assert_eq!(
            failing_registries(&REGISTRY_SCAN_ON_PUSH_DISABLED, &inv),
            ["eu-west-1", "eu-west-2", "eu-west-3"]
        );
        let out = run(&REGISTRY_SCAN_ON_PUSH_DISABLED, &inv);
        assert_eq!(out.findings[2].evidence["rules"][0]["filters"][0], "prod-*");
        assert_eq!(out.complete.len(), 6);
        assert_eq!(
            failing_registries(&REGISTRY_ENHANCED_SCANNING_OFF, &inv),
            ["us-east-1", "eu-west-1", "eu-west-2", "eu-west-3"]
        );
    }

    #[test]
    fn an_unread_registry_configuration_is_not_assessed() {
        let inv = with_registries(vec![("us-east-1", true, None), ("eu-west-1", false, None)]);
        for rule in [
            &REGISTRY_SCAN_ON_PUSH_DISABLED,
            &REGISTRY_ENHANCED_SCANNING_OFF,
        ] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), [ACCOUNT], "{}", rule.id);
            assert!(out.complete.is_empty(), "{}", rule.id);
        }
    }
}
