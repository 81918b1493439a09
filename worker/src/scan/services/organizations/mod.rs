//! Organizations (global, read through `us-east-1`): the organisation the account belongs
//! to (`DescribeOrganization`) and, when the account is its management account, the service
//! control, tag and AI services opt-out policies with their targets (`ListPolicies`,
//! `ListTargetsForPolicy`; the opt-out policies' content with `DescribePolicy`).
//! Onboarding a whole organisation is `vigil_core::organizations`; this is a configuration
//! read of one account like any other service's.

use aws_sdk_organizations::types::PolicyType;
use vigil_checks::model::{self as m, Inventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, error_code};

/// Organizations in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "organizations",
    collect: Collect::Global(|r| Box::pin(collect(r))),
    // Global, so read at every scan; its writes (`organizations.amazonaws.com`) map to it
    // by name for a re-check (see the test below).
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<Inventory> {
    let read = read(r).await;
    fill(move |inv: &mut Inventory| inv.organizations = read)
}

async fn read(r: Reader<'_>) -> Option<m::OrganizationsInventory> {
    let c = aws_sdk_organizations::Client::new(r.config);
    let described = match c.describe_organization().send().await {
        Ok(d) => d,
        // Read, and the account is in no organisation: nothing to judge.
        Err(e) if error_code(&e) == Some("AWSOrganizationsNotInUseException") => {
            return Some(m::OrganizationsInventory { organization: None });
        }
        Err(e) => {
            r.record("DescribeOrganization", &e);
            return None;
        }
    };
    let Some(o) = described.organization() else {
        return Some(m::OrganizationsInventory { organization: None });
    };
    let management_account_id = o.master_account_id().unwrap_or_default().to_owned();
    let feature_set = o
        .feature_set()
        .map(|f| f.as_str().to_owned())
        .unwrap_or_default();
    // Only the management account may list policies, and only with all features on.
    let (service_control_policies, tag_policies, ai_opt_out_policies) =
        if management_account_id != r.account_id || feature_set != "ALL" {
            (None, None, None)
        } else {
            (
                policies(r, &c, PolicyType::ServiceControlPolicy, false).await,
                policies(r, &c, PolicyType::TagPolicy, false).await,
                policies(r, &c, PolicyType::AiservicesOptOutPolicy, true).await,
            )
        };
    Some(m::OrganizationsInventory {
        organization: Some(m::Organization {
            id: o.id().unwrap_or_default().to_owned(),
            arn: o.arn().unwrap_or_default().to_owned(),
            management_account_id,
            feature_set,
            service_control_policies,
            tag_policies,
            ai_opt_out_policies,
        }),
    })
}

/// The organisation's policies of one type with their targets (and, `with_content`, their
/// documents). `None`: a read failed.
async fn policies(
    r: Reader<'_>,
    c: &aws_sdk_organizations::Client,
    kind: PolicyType,
    with_content: bool,
) -> Option<Vec<m::OrgPolicy>> {
    // These paginators page whole answers (no item paginator): flattened here.
    let pages: Vec<_> = r.ok(
        "ListPolicies",
        c.list_policies()
            .filter(kind)
            .into_paginator()
            .send()
            .try_collect()
            .await,
    )?;
    let listed: Vec<_> = pages.iter().flat_map(|p| p.policies()).collect();
    let mut out = Vec::with_capacity(listed.len());
    for p in listed {
        let id = p.id().unwrap_or_default().to_owned();
        let pages: Vec<_> = r.ok(
            "ListTargetsForPolicy",
            c.list_targets_for_policy()
                .policy_id(&id)
                .into_paginator()
                .send()
                .try_collect()
                .await,
        )?;
        let targets: Vec<_> = pages.iter().flat_map(|p| p.targets()).collect();
        let content = if with_content {
            let described = r.ok(
                "DescribePolicy",
                c.describe_policy().policy_id(&id).send().await,
            )?;
            described
                .policy()
                .and_then(|p| p.content())
                .map(|text| serde_json::from_str(text).unwrap_or(serde_json::Value::Null))
        } else {
            None
        };
        out.push(m::OrgPolicy {
            content,
            name: p.name().unwrap_or_default().to_owned(),
            arn: p.arn().unwrap_or_default().to_owned(),
            aws_managed: p.aws_managed(),
            targets: targets
                .iter()
                .map(|t| m::PolicyTarget {
                    id: t.target_id().unwrap_or_default().to_owned(),
                    name: t.name().unwrap_or_default().to_owned(),
                    kind: t
                        .r#type()
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_default(),
                })
                .collect(),
            id,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn organizations_write_calls_map_to_organizations() {
        use crate::scan::recheck::service_of;
        assert_eq!(
            service_of("organizations.amazonaws.com"),
            Some("organizations")
        );
    }
}
