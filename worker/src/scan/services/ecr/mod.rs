//! ECR: a region's private repositories, with their lifecycle and repository policies.

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
    fill(move |region: &mut RegionInventory| region.ecr_repositories = repositories)
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
