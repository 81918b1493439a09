//! ECR: a region's private repositories, with their lifecycle and repository policies, and
//! the registry's scanning configuration.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::{Reader, error_code};

/// ECR in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "ecr",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let repositories = read(r).await;
    let scanning = registry_scanning(r).await;
    fill(move |region: &mut RegionInventory| {
        region.ecr_repositories = repositories;
        region.ecr_registry_scanning = scanning;
    })
}

/// The registry's scanning configuration (a registry never configured answers `BASIC`
/// with no rule).
async fn registry_scanning(r: Reader<'_>) -> Option<m::EcrRegistryScanning> {
    let c = aws_sdk_ecr::Client::new(r.config);
    let got = r.ok(
        "GetRegistryScanningConfiguration",
        c.get_registry_scanning_configuration().send().await,
    )?;
    Some(scanning(got.scanning_configuration()))
}

fn scanning(
    cfg: Option<&aws_sdk_ecr::types::RegistryScanningConfiguration>,
) -> m::EcrRegistryScanning {
    m::EcrRegistryScanning {
        scan_type: cfg
            .and_then(|c| c.scan_type())
            .map_or("BASIC", |t| t.as_str())
            .to_owned(),
        rules: cfg
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(|rule| m::EcrScanningRule {
                scan_frequency: rule.scan_frequency().as_str().to_owned(),
                filters: rule
                    .repository_filters()
                    .iter()
                    .map(|f| f.filter().to_owned())
                    .collect(),
            })
            .collect(),
    }
}

async fn read(r: Reader<'_>) -> Option<Vec<m::EcrRepository>> {
    let c = aws_sdk_ecr::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "DescribeRepositories",
        c.describe_repositories()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for repo in listed {
        let Some(name) = repo.repository_name() else {
            continue;
        };
        let lifecycle_policy = match c.get_lifecycle_policy().repository_name(name).send().await {
            Ok(_) => Some(true),
            Err(e) if error_code(&e) == Some("LifecyclePolicyNotFoundException") => Some(false),
            Err(e) => {
                r.record("GetLifecyclePolicy", &e);
                None
            }
        };
        let policy = match c.get_repository_policy().repository_name(name).send().await {
            Ok(p) => p.policy_text().map_or(Some(vec![]), policy_statements),
            Err(e) if error_code(&e) == Some("RepositoryPolicyNotFoundException") => Some(vec![]),
            Err(e) => {
                r.record("GetRepositoryPolicy", &e);
                None
            }
        };
        out.push(m::EcrRepository {
            name: name.to_owned(),
            arn: repo.repository_arn().map(str::to_owned),
            scan_on_push: repo
                .image_scanning_configuration()
                .is_some_and(|s| s.scan_on_push()),
            tag_mutability: repo
                .image_tag_mutability()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_else(|| "MUTABLE".into()),
            lifecycle_policy,
            policy_statements: policy,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use aws_sdk_ecr::types::{
        RegistryScanningConfiguration, RegistryScanningRule, ScanFrequency, ScanType,
        ScanningRepositoryFilter, ScanningRepositoryFilterType,
    };

    #[test]
    fn registry_scanning_as_aws_returns_it() {
        let cfg = RegistryScanningConfiguration::builder()
            .scan_type(ScanType::Enhanced)
            .rules(
                RegistryScanningRule::builder()
                    .scan_frequency(ScanFrequency::ContinuousScan)
                    .repository_filters(
                        ScanningRepositoryFilter::builder()
                            .filter("*")
                            .filter_type(ScanningRepositoryFilterType::Wildcard)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build();
        let got = super::scanning(Some(&cfg));
        assert_eq!(got.scan_type, "ENHANCED");
        assert_eq!(got.rules[0].scan_frequency, "CONTINUOUS_SCAN");
        assert_eq!(got.rules[0].filters, ["*"]);
        // No configuration in the answer: AWS's default, basic scanning without rules.
        let none = super::scanning(None);
        assert_eq!(none.scan_type, "BASIC");
        assert!(none.rules.is_empty());
    }
}
