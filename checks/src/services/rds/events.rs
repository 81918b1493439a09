//! RDS event notification subscriptions for critical events (FSBP RDS.19-21), judged in the
//! regions that have the sources they cover: a region without DB instances needs no
//! subscription for them.

use std::collections::BTreeSet;

use serde_json::json;

use super::SOURCE;
use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, RdsEventSubscription, RdsInventory},
};

/// The region's event subscriptions could be read (the rest of RDS may be readable
/// without them).
pub const EVENT_SUBSCRIPTIONS: crate::Source = crate::Source::Regional("rds", |r| {
    r.rds
        .as_ref()
        .is_some_and(|rds| rds.event_subscriptions.is_some())
});

/// The sources of `source_type` (each one's ID) that no enabled subscription sends
/// `required` events of: one counts if it covers that source type (or every type), every
/// required category (or every category) and that source (or every source).
fn uncovered(
    subscriptions: &[RdsEventSubscription],
    source_type: &str,
    required: &[&str],
    sources: BTreeSet<&str>,
) -> Vec<String> {
    let qualifies = |s: &&RdsEventSubscription| {
        s.enabled
            && s.source_type.as_deref().is_none_or(|t| t == source_type)
            && (s.categories.is_empty()
                || required
                    .iter()
                    .all(|c| s.categories.iter().any(|have| have.as_str() == *c)))
    };
    let qualifying: Vec<_> = subscriptions.iter().filter(qualifies).collect();
    sources
        .into_iter()
        .filter(|id| {
            !qualifying
                .iter()
                .any(|s| s.source_ids.is_empty() || s.source_ids.iter().any(|x| x.as_str() == *id))
        })
        .map(str::to_owned)
        .collect()
}

/// Fails each region where a source `sources` names gets no subscription of
/// `source_type` with the `required` categories.
fn judge(
    inv: &Inventory,
    sink: &mut Sink,
    source_type: &str,
    required: &[&str],
    sources: fn(&RdsInventory) -> BTreeSet<&str>,
) {
    for region in &inv.regions {
        let Some(rds) = &region.rds else { continue };
        let ids = sources(rds);
        if ids.is_empty() {
            continue;
        }
        let Some(subscriptions) = &rds.event_subscriptions else {
            sink.unknown(&region.region, &inv.account_id);
            continue;
        };
        let missing = uncovered(subscriptions, source_type, required, ids);
        if !missing.is_empty() {
            sink.fail(
                &region.region,
                &inv.account_id,
                None,
                json!({
                    "sourceType": source_type,
                    "eventCategories": required,
                    "notCovered": missing,
                }),
            );
        }
    }
}

pub static NO_INSTANCE_EVENT_SUBSCRIPTION: Rule = Rule {
    id: "rds-no-instance-event-subscription",
    title: "No RDS event subscription for critical DB instance events",
    severity: Severity::Low,
    description: "The region has DB instances but no enabled event subscription sends their \
                  failure, maintenance and configuration-change events anywhere: an instance \
                  failing over, stopped, rebooted for maintenance or reconfigured (made \
                  public, backups turned off) goes unnoticed until someone looks.",
    remediation: "Subscribe an SNS topic to them (`aws rds create-event-subscription \
                  --subscription-name db-instance-critical --sns-topic-arn <topic-arn> \
                  --source-type db-instance --event-categories failure maintenance \
                  \"configuration change\" --enabled`) in each region with instances.",
    compliance: &["AWS FSBP RDS.20"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE, EVENT_SUBSCRIPTIONS],
    check: |inv, sink| {
        judge(
            inv,
            sink,
            "db-instance",
            &["maintenance", "configuration change", "failure"],
            |rds| {
                rds.instances
                    .iter()
                    .map(|d| d.db_instance_identifier.as_str())
                    .collect()
            },
        )
    },
};

pub static NO_CLUSTER_EVENT_SUBSCRIPTION: Rule = Rule {
    id: "rds-no-cluster-event-subscription",
    title: "No RDS event subscription for critical DB cluster events",
    severity: Severity::Low,
    description: "The region has Aurora DB clusters but no enabled event subscription sends \
                  their failure and maintenance events anywhere: a cluster failing over or \
                  patched in a maintenance window goes unnoticed until applications fail.",
    remediation: "Subscribe an SNS topic to them (`aws rds create-event-subscription \
                  --subscription-name db-cluster-critical --sns-topic-arn <topic-arn> \
                  --source-type db-cluster --event-categories failure maintenance \
                  --enabled`) in each region with clusters.",
    compliance: &["AWS FSBP RDS.19"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE, EVENT_SUBSCRIPTIONS],
    check: |inv, sink| {
        judge(
            inv,
            sink,
            "db-cluster",
            &["maintenance", "failure"],
            |rds| {
                rds.instances
                    .iter()
                    .filter_map(|d| d.cluster.as_deref())
                    .collect()
            },
        )
    },
};

pub static NO_PARAMETER_GROUP_EVENT_SUBSCRIPTION: Rule = Rule {
    id: "rds-no-parameter-group-event-subscription",
    title: "No RDS event subscription for DB parameter group changes",
    severity: Severity::Low,
    description: "The region's DB instances use parameter groups whose configuration changes \
                  no enabled event subscription reports: turning TLS enforcement, audit \
                  logging or other security parameters off goes unnoticed.",
    remediation: "Subscribe an SNS topic to them (`aws rds create-event-subscription \
                  --subscription-name db-parameter-group-changes --sns-topic-arn <topic-arn> \
                  --source-type db-parameter-group --event-categories \"configuration \
                  change\" --enabled`) in each region with instances.",
    compliance: &["AWS FSBP RDS.21"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE, EVENT_SUBSCRIPTIONS],
    check: |inv, sink| {
        judge(
            inv,
            sink,
            "db-parameter-group",
            &["configuration change"],
            |rds| {
                rds.instances
                    .iter()
                    .filter_map(|d| d.parameter_group.as_deref())
                    .collect()
            },
        )
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{REGION, failing_regions, run, with_rds},
        model::DbInstance,
    };

    fn instance(id: &str, cluster: Option<&str>) -> DbInstance {
        DbInstance {
            db_instance_identifier: id.into(),
            engine: "postgres".into(),
            cluster: cluster.map(str::to_owned),
            parameter_group: Some("app-params".into()),
            ..Default::default()
        }
    }

    fn subscription(source_type: &str, categories: &[&str]) -> RdsEventSubscription {
        RdsEventSubscription {
            id: format!("{source_type}-events"),
            source_type: Some(source_type.into()),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            enabled: true,
            ..Default::default()
        }
    }

    fn with(
        instances: Vec<DbInstance>,
        subscriptions: Option<Vec<RdsEventSubscription>>,
    ) -> Inventory {
        with_rds(RdsInventory {
            instances,
            event_subscriptions: subscriptions,
            ..Default::default()
        })
    }

    const RULES: [&Rule; 3] = [
        &NO_INSTANCE_EVENT_SUBSCRIPTION,
        &NO_CLUSTER_EVENT_SUBSCRIPTION,
        &NO_PARAMETER_GROUP_EVENT_SUBSCRIPTION,
    ];

    #[test]
    fn a_region_with_databases_and_no_subscription_fails_each_rule() {
        let inv = with(
            vec![instance("a", None), instance("m", Some("orders"))],
            Some(vec![]),
        );
        for rule in RULES {
            assert_eq!(failing_regions(rule, &inv), [REGION], "{}", rule.id);
        }
    }

    #[test]
    fn subscriptions_with_every_required_category_or_all_categories_pass() {
        let subscriptions = vec![
            // More categories than required is fine.
            subscription(
                "db-instance",
                &["maintenance", "configuration change", "failure", "deletion"],
            ),
            // No category list: every category.
            subscription("db-cluster", &[]),
            subscription("db-parameter-group", &["configuration change"]),
        ];
        let inv = with(
            vec![instance("a", None), instance("m", Some("orders"))],
            Some(subscriptions),
        );
        for rule in RULES {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
        }
    }

    #[test]
    fn missing_categories_disabled_or_other_sources_only_fail() {
        let partial = subscription("db-instance", &["failure"]);
        let disabled = RdsEventSubscription {
            enabled: false,
            ..subscription("db-instance", &[])
        };
        let elsewhere = RdsEventSubscription {
            source_ids: vec!["other".into()],
            ..subscription("db-instance", &[])
        };
        for s in [partial, disabled, elsewhere] {
            let inv = with(vec![instance("a", None)], Some(vec![s.clone()]));
            assert_eq!(
                failing_regions(&NO_INSTANCE_EVENT_SUBSCRIPTION, &inv),
                [REGION],
                "{s:?}"
            );
        }
        // One naming the instance covers it.
        let named = RdsEventSubscription {
            source_ids: vec!["a".into()],
            ..subscription("db-instance", &[])
        };
        let inv = with(vec![instance("a", None)], Some(vec![named]));
        assert!(failing_regions(&NO_INSTANCE_EVENT_SUBSCRIPTION, &inv).is_empty());
    }

    #[test]
    fn regions_without_databases_pass_and_unread_subscriptions_are_not_assessed() {
        let empty = with(vec![], None);
        for rule in RULES {
            let out = run(rule, &empty);
            assert!(
                out.findings.is_empty() && out.unknown.is_empty(),
                "{}",
                rule.id
            );
        }
        // Instances but no cluster: the cluster rule has nothing to judge.
        let plain = with(vec![instance("a", None)], Some(vec![]));
        assert!(failing_regions(&NO_CLUSTER_EVENT_SUBSCRIPTION, &plain).is_empty());
        let unread = with(vec![instance("a", None)], None);
        for rule in RULES {
            let out = run(rule, &unread);
            assert!(
                out.findings.is_empty() && out.complete.is_empty(),
                "{}",
                rule.id
            );
        }
    }
}
