//! Organizations (global): the inventory model of the organisation the account belongs to,
//! and the rules of its management account (no service control policy restricting the
//! organisation, no tag policy attached, only consolidated billing, no AI services opt-out).
//! They judge only the management account: a member account cannot change any of it. An
//! account in no organisation fails one rule of its own (no organisation's guardrails
//! reach it) and has nothing else to judge.

pub mod model;

use serde_json::json;

use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{Inventory, OrgPolicy, Organization},
};

/// Organizations' part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Account("organizations", read);

fn read(inv: &Inventory) -> bool {
    inv.organizations.is_some()
}

/// Organizations in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "organizations",
    assets: crate::services::ListAssets::Account(assets),
    rules: &[
        &SCPS_NOT_USED,
        &TAG_POLICIES_NOT_ATTACHED,
        &ALL_FEATURES_OFF,
        &NOT_IN_ORGANIZATION,
        &AI_OPT_OUT_MISSING,
    ],
};

const RESOURCE_TYPE: &str = "AWS::Organizations::Organization";

/// Lists the organisation the account belongs to (with its policies when read from the
/// management account).
fn assets(inv: &Inventory, out: &mut crate::services::Assets) {
    let Some(orgs) = &inv.organizations else {
        return;
    };
    if let Some(o) = &orgs.organization {
        let cfg = crate::services::json(o);
        out.add_global(RESOURCE_TYPE, &o.id, Some(o.arn.clone()), cfg);
    }
    out.complete(GLOBAL, RESOURCE_TYPE);
}

/// The organisation, when the scanned account is its management account.
fn managed(inv: &Inventory) -> Option<&Organization> {
    inv.organizations
        .as_ref()?
        .organization
        .as_ref()
        .filter(|o| o.management_account_id == inv.account_id)
}

/// Whether a policy is attached where it governs whole parts of the organisation.
fn on_root_or_ou(p: &OrgPolicy) -> bool {
    p.targets
        .iter()
        .any(|t| t.kind == "ROOT" || t.kind == "ORGANIZATIONAL_UNIT")
}

pub static SCPS_NOT_USED: Rule = Rule {
    id: "organizations-scps-not-used",
    title: "Organization applies no service control policy of its own",
    severity: Severity::Medium,
    description: "The organisation's root and organizational units carry only AWS's \
                  `FullAWSAccess` service control policy (or none): nothing sets a ceiling \
                  on what the member accounts' users and roles may do, so a compromised \
                  administrator of a member account can leave the organisation, stop \
                  CloudTrail, disable GuardDuty or work in regions nobody watches.",
    remediation: "From the management account, write a service control policy with the \
                  guardrails the organisation needs (deny `organizations:LeaveOrganization`, \
                  `cloudtrail:StopLogging`/`DeleteTrail`, `guardduty:DeleteDetector`, \
                  unused regions...) and attach it to the root or the organizational units \
                  (`aws organizations create-policy --type SERVICE_CONTROL_POLICY ...`, then \
                  `aws organizations attach-policy --policy-id <id> --target-id <root or OU>`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: scps_not_used,
};

fn scps_not_used(inv: &Inventory, sink: &mut Sink) {
    let Some(o) = managed(inv) else { return };
    if o.feature_set != "ALL" {
        // Service control policies exist only with all features enabled.
        return sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "featureSet": o.feature_set, "serviceControlPolicies": [] }),
        );
    }
    let Some(scps) = &o.service_control_policies else {
        return sink.unknown(GLOBAL, &o.id);
    };
    if !scps.iter().any(|p| !p.aws_managed && on_root_or_ou(p)) {
        let names: Vec<&str> = scps.iter().map(|p| p.name.as_str()).collect();
        sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "serviceControlPolicies": names }),
        );
    }
}

pub static TAG_POLICIES_NOT_ATTACHED: Rule = Rule {
    id: "organizations-tag-policies-not-attached",
    title: "Organization has no tag policy attached",
    severity: Severity::Low,
    description: "No tag policy is attached anywhere in the organisation: the tags that \
                  say who owns a resource, which environment it belongs to and how \
                  sensitive its data is are not standardised, so findings, costs and \
                  incidents cannot be routed to their owner reliably.",
    remediation: "Enable the tag policy type on the root and attach a tag policy naming the \
                  required keys and values (`aws organizations enable-policy-type --root-id \
                  <root> --policy-type TAG_POLICY`, `aws organizations create-policy --type \
                  TAG_POLICY ...`, `aws organizations attach-policy ...`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: tag_policies_not_attached,
};

fn tag_policies_not_attached(inv: &Inventory, sink: &mut Sink) {
    let Some(o) = managed(inv) else { return };
    if o.feature_set != "ALL" {
        return sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "featureSet": o.feature_set, "tagPolicies": [] }),
        );
    }
    let Some(policies) = &o.tag_policies else {
        return sink.unknown(GLOBAL, &o.id);
    };
    if !policies.iter().any(|p| !p.targets.is_empty()) {
        let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
        sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "tagPolicies": names }),
        );
    }
}

pub static ALL_FEATURES_OFF: Rule = Rule {
    id: "organizations-all-features-disabled",
    title: "Organization uses consolidated billing only",
    severity: Severity::Medium,
    description: "The organisation's feature set is `CONSOLIDATED_BILLING`: the management \
                  account pays the members' bills but can set no guardrail on them (no \
                  service control, tag or backup policy) and no organisation-wide trail, \
                  Config aggregation or delegated security service.",
    remediation: "Enable all features from the management account (`aws organizations \
                  enable-all-features`) and have every member account accept the \
                  handshake.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: all_features_off,
};

fn all_features_off(inv: &Inventory, sink: &mut Sink) {
    let Some(o) = managed(inv) else { return };
    if o.feature_set != "ALL" {
        sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "featureSet": o.feature_set }),
        );
    }
}

pub static NOT_IN_ORGANIZATION: Rule = Rule {
    id: "organizations-account-not-in-organization",
    title: "Account belongs to no AWS Organization",
    severity: Severity::Low,
    description: "The account is standalone: no service control policy sets a ceiling on its \
                  users and roles, no organisation-wide trail, Config aggregator or delegated \
                  GuardDuty and Security Hub administrator watches it, and its root user is the \
                  only authority over it. A compromised administrator here meets no guardrail \
                  set from outside the account.",
    remediation: "Make it a member of the company's organisation: from the management account \
                  `aws organizations invite-account-to-organization --target \
                  Id=<account-id>,Type=ACCOUNT`, then from this account `aws organizations \
                  accept-handshake --handshake-id <id>`; then apply the organisation's SCPs \
                  and central logging to it.",
    compliance: &[],
    resource_type: "AWS::::Account",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        // Read (`AWSOrganizationsNotInUseException` is an answer), and in no organisation.
        if inv
            .organizations
            .as_ref()
            .is_some_and(|o| o.organization.is_none())
        {
            let evidence = json!({ "organization": null });
            sink.fail(GLOBAL, &inv.account_id, None, evidence);
        }
    },
};

/// Whether an AI services opt-out policy opts every service out (`default`) and forbids
/// child policies from changing that, as AWS documents the organisation-wide opt-out.
fn opts_everything_out(content: &serde_json::Value) -> bool {
    let policy = &content["services"]["default"]["opt_out_policy"];
    let assign = policy["@@assign"].as_str();
    let children = &policy["@@operators_allowed_for_child_policies"];
    assign.is_some_and(|a| a.eq_ignore_ascii_case("optOut")) && *children == json!(["@@none"])
}

pub static AI_OPT_OUT_MISSING: Rule = Rule {
    id: "organizations-ai-services-opt-out-missing",
    title: "Organization has not opted out of AI services using its content",
    severity: Severity::Low,
    description: "No AI services opt-out policy attached to the organisation's root opts every \
                  AI service out and forbids accounts below from opting back in. AWS may then \
                  store and use content that services such as Rekognition, Comprehend, \
                  Transcribe or Lex process (documents, images, recordings) to develop its \
                  services, possibly outside the regions the data was processed in.",
    remediation: "Enable the policy type and attach an opt-out policy to the root (`aws \
                  organizations enable-policy-type --root-id <root> --policy-type \
                  AISERVICES_OPT_OUT_POLICY`, then `aws organizations create-policy --type \
                  AISERVICES_OPT_OUT_POLICY --name opt-out --content \
                  '{\"services\":{\"default\":{\"opt_out_policy\":{\"@@operators_allowed_for_child_policies\":[\"@@none\"],\"@@assign\":\"optOut\"}}}}'` \
                  and `aws organizations attach-policy --policy-id <id> --target-id <root>`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: ai_opt_out_missing,
};

fn ai_opt_out_missing(inv: &Inventory, sink: &mut Sink) {
    let Some(o) = managed(inv) else { return };
    if o.feature_set != "ALL" {
        // Organisation policies exist only with all features enabled.
        return sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "featureSet": o.feature_set, "aiOptOutPolicies": [] }),
        );
    }
    let Some(policies) = &o.ai_opt_out_policies else {
        return sink.unknown(GLOBAL, &o.id);
    };
    let on_root = |p: &OrgPolicy| p.targets.iter().any(|t| t.kind == "ROOT");
    let effective = policies
        .iter()
        .any(|p| on_root(p) && p.content.as_ref().is_some_and(opts_everything_out));
    if !effective {
        let listed: Vec<serde_json::Value> = policies
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "attachedToRoot": on_root(p),
                    "optsEverythingOut": p.content.as_ref().is_some_and(opts_everything_out),
                })
            })
            .collect();
        sink.fail(
            GLOBAL,
            &o.id,
            Some(o.arn.clone()),
            json!({ "aiOptOutPolicies": listed }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, inventory, run, unknown},
        model::{OrganizationsInventory, PolicyTarget},
    };

    const ORG: &str = "o-a1b2c3d4e5";

    fn policy(name: &str, aws_managed: bool, targets: &[(&str, &str)]) -> OrgPolicy {
        OrgPolicy {
            id: format!("p-{name}"),
            name: name.into(),
            arn: format!("arn:aws:organizations::{ACCOUNT}:policy/{ORG}/p-{name}"),
            aws_managed,
            targets: targets
                .iter()
                .map(|(id, kind)| PolicyTarget {
                    id: (*id).into(),
                    name: (*id).into(),
                    kind: (*kind).into(),
                })
                .collect(),
            content: None,
        }
    }

    fn opt_out(
        name: &str,
        assign: &str,
        children: serde_json::Value,
        targets: &[(&str, &str)],
    ) -> OrgPolicy {
        OrgPolicy {
            content: Some(json!({ "services": { "default": { "opt_out_policy": {
                "@@operators_allowed_for_child_policies": children,
                "@@assign": assign,
            } } } })),
            ..policy(name, false, targets)
        }
    }

    /// A well-governed organisation run from the fixtures' account: a guardrail SCP on
    /// the root beside `FullAWSAccess`, a tag policy on an OU.
    fn org() -> Organization {
        Organization {
            id: ORG.into(),
            arn: format!("arn:aws:organizations::{ACCOUNT}:organization/{ORG}"),
            management_account_id: ACCOUNT.into(),
            feature_set: "ALL".into(),
            service_control_policies: Some(vec![
                policy("FullAWSAccess", true, &[("r-root", "ROOT")]),
                policy("guardrails", false, &[("r-root", "ROOT")]),
            ]),
            tag_policies: Some(vec![policy(
                "tags",
                false,
                &[("ou-root-prod", "ORGANIZATIONAL_UNIT")],
            )]),
            ai_opt_out_policies: Some(vec![opt_out(
                "ai-opt-out",
                "optOut",
                json!(["@@none"]),
                &[("r-root", "ROOT")],
            )]),
        }
    }

    fn with_org(organization: Option<Organization>) -> Inventory {
        Inventory {
            organizations: Some(OrganizationsInventory { organization }),
            ..inventory()
        }
    }

    /// The rules judging a management account.
    const ALL: [&Rule; 4] = [
        &SCPS_NOT_USED,
        &TAG_POLICIES_NOT_ATTACHED,
        &ALL_FEATURES_OFF,
        &AI_OPT_OUT_MISSING,
    ];

    #[test]
    fn a_well_governed_organisation_passes_every_rule() {
        for rule in ALL {
            let out = run(rule, &with_org(Some(org())));
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(out.complete, [(rule.id.to_owned(), GLOBAL.to_owned())]);
        }
    }

    #[test]
    fn only_full_aws_access_or_an_scp_on_accounts_alone_fails() {
        let mut o = org();
        o.service_control_policies = Some(vec![
            policy("FullAWSAccess", true, &[("r-root", "ROOT")]),
            policy("one-account", false, &[("111111111111", "ACCOUNT")]),
            policy("detached", false, &[]),
        ]);
        let out = run(&SCPS_NOT_USED, &with_org(Some(o)));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!((f.region.as_str(), f.resource_id.as_str()), (GLOBAL, ORG));
        assert_eq!(
            f.evidence["serviceControlPolicies"],
            json!(["FullAWSAccess", "one-account", "detached"])
        );
        // An SCP of its own on an OU is enough.
        let mut o = org();
        o.service_control_policies = Some(vec![policy(
            "deny-leave",
            false,
            &[("ou-root-prod", "ORGANIZATIONAL_UNIT")],
        )]);
        assert!(run(&SCPS_NOT_USED, &with_org(Some(o))).findings.is_empty());
    }

    #[test]
    fn a_tag_policy_attached_nowhere_fails() {
        let mut o = org();
        o.tag_policies = Some(vec![policy("tags", false, &[])]);
        let out = run(&TAG_POLICIES_NOT_ATTACHED, &with_org(Some(o.clone())));
        assert_eq!(out.findings[0].evidence["tagPolicies"], json!(["tags"]));
        o.tag_policies = Some(vec![]);
        assert_eq!(
            run(&TAG_POLICIES_NOT_ATTACHED, &with_org(Some(o)))
                .findings
                .len(),
            1
        );
    }

    #[test]
    fn consolidated_billing_only_fails_all_three() {
        let o = Organization {
            feature_set: "CONSOLIDATED_BILLING".into(),
            service_control_policies: Some(vec![]),
            tag_policies: Some(vec![]),
            ..org()
        };
        for rule in ALL {
            let out = run(rule, &with_org(Some(o.clone())));
            assert_eq!(out.findings.len(), 1, "{}", rule.id);
            assert_eq!(
                out.findings[0].evidence["featureSet"], "CONSOLIDATED_BILLING",
                "{}",
                rule.id
            );
        }
    }

    #[test]
    fn a_member_account_or_one_in_no_organisation_has_nothing_to_fail() {
        let member = Organization {
            management_account_id: "999999999999".into(),
            feature_set: "CONSOLIDATED_BILLING".into(),
            service_control_policies: None,
            tag_policies: None,
            ai_opt_out_policies: None,
            ..org()
        };
        for inv in [with_org(Some(member)), with_org(None)] {
            for rule in ALL {
                let out = run(rule, &inv);
                assert!(
                    out.findings.is_empty() && out.unknown.is_empty(),
                    "{}",
                    rule.id
                );
                // Judged (it passes), not left unassessed.
                assert_eq!(out.complete.len(), 1, "{}", rule.id);
            }
        }
    }

    #[test]
    fn unread_policies_or_an_unread_organisation_are_not_assessed_never_failing() {
        let o = Organization {
            service_control_policies: None,
            tag_policies: None,
            ai_opt_out_policies: None,
            ..org()
        };
        for rule in [
            &SCPS_NOT_USED,
            &TAG_POLICIES_NOT_ATTACHED,
            &AI_OPT_OUT_MISSING,
        ] {
            let out = run(rule, &with_org(Some(o.clone())));
            assert!(out.findings.is_empty());
            assert_eq!(unknown(&out), [ORG]);
        }
        // DescribeOrganization denied: nothing read, nothing complete.
        for rule in ALL.into_iter().chain([&NOT_IN_ORGANIZATION]) {
            let out = run(rule, &inventory());
            assert!(
                out.findings.is_empty() && out.complete.is_empty(),
                "{}",
                rule.id
            );
        }
    }

    #[test]
    fn an_account_in_no_organisation_fails_and_a_member_or_management_account_passes() {
        let out = run(&NOT_IN_ORGANIZATION, &with_org(None));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!(
            (f.region.as_str(), f.resource_id.as_str()),
            (GLOBAL, ACCOUNT)
        );
        assert_eq!(f.resource_type, "AWS::::Account");
        let member = Organization {
            management_account_id: "999999999999".into(),
            ..org()
        };
        for inv in [with_org(Some(member)), with_org(Some(org()))] {
            let out = run(&NOT_IN_ORGANIZATION, &inv);
            assert!(out.findings.is_empty());
            assert_eq!(out.complete.len(), 1);
        }
    }

    #[test]
    fn an_ai_opt_out_missing_partial_or_off_the_root_fails() {
        let cases: Vec<(&str, Vec<OrgPolicy>)> = vec![
            ("none", vec![]),
            (
                "children may opt in",
                vec![opt_out(
                    "ai",
                    "optOut",
                    json!(["@@assign"]),
                    &[("r-root", "ROOT")],
                )],
            ),
            (
                "opted in",
                vec![opt_out(
                    "ai",
                    "optIn",
                    json!(["@@none"]),
                    &[("r-root", "ROOT")],
                )],
            ),
            (
                "on one OU",
                vec![opt_out(
                    "ai",
                    "optOut",
                    json!(["@@none"]),
                    &[("ou-root-prod", "ORGANIZATIONAL_UNIT")],
                )],
            ),
            (
                "unread content",
                vec![policy("ai", false, &[("r-root", "ROOT")])],
            ),
        ];
        for (case, policies) in cases {
            let o = Organization {
                ai_opt_out_policies: Some(policies),
                ..org()
            };
            let out = run(&AI_OPT_OUT_MISSING, &with_org(Some(o)));
            assert_eq!(out.findings.len(), 1, "{case}");
            assert_eq!(out.findings[0].resource_id, ORG, "{case}");
        }
        // One effective policy among others is enough.
        let mut o = org();
        o.ai_opt_out_policies.as_mut().unwrap().insert(
            0,
            opt_out("rekognition-only", "optIn", json!(["@@none"]), &[]),
        );
        assert!(
            run(&AI_OPT_OUT_MISSING, &with_org(Some(o)))
                .findings
                .is_empty()
        );
    }
}
