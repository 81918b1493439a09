//! Secrets Manager: a region's secrets as `ListSecrets` describes them, with their resource
//! policies (metadata only: the role cannot read a value, and Vigil never asks).

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::{Reader, utc};

/// Secrets Manager in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "secretsmanager",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: "unused for 90 days" changes with reads, which are no write call.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let secrets = read(r).await;
    fill(move |region: &mut RegionInventory| region.secrets = secrets)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::Secret>> {
    let c = aws_sdk_secretsmanager::Client::new(r.config);
    let mut out = Vec::new();
    let mut pages = c.list_secrets().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = r.ok("ListSecrets", page)?;
        for s in page.secret_list() {
            let Some(name) = s.name() else { continue };
            out.push(m::Secret {
                name: name.to_owned(),
                arn: s.arn().map(str::to_owned),
                rotation_enabled: s.rotation_enabled().unwrap_or(false),
                last_accessed: s.last_accessed_date().and_then(utc),
                created: s.created_date().and_then(utc),
                owning_service: s.owning_service().map(str::to_owned),
                last_rotated: s.last_rotated_date().and_then(utc),
                policy_statements: policy(&c, r, s.arn().unwrap_or(name)).await,
            });
        }
    }
    Some(out)
}

/// The statements of the secret's resource policy (none: an empty list).
async fn policy(
    c: &aws_sdk_secretsmanager::Client,
    r: Reader<'_>,
    id: &str,
) -> Option<Vec<serde_json::Value>> {
    let out = r.ok(
        "GetResourcePolicy",
        c.get_resource_policy().secret_id(id).send().await,
    )?;
    out.resource_policy()
        .filter(|p| !p.trim().is_empty())
        .map_or(Some(vec![]), policy_statements)
}
