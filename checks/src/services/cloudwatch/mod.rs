//! CloudWatch: the CIS AWS Foundations v5.0 monitoring controls 4.1 to 4.15, as the
//! benchmark audits them. A control holds when a multi-region trail that is logging
//! management events delivers to a CloudWatch Logs log group with a metric filter of the
//! benchmark's pattern, an alarm watches the filter's metric, and the alarm notifies an SNS
//! topic someone is subscribed to.
//!
//! The patterns are one table ([`FILTERS`]), each the benchmark's text. A filter matches
//! when every clause of the benchmark's pattern (`$.field = value`, `!=`, `NOT EXISTS`) is
//! among its own, in any order and spacing, as Prowler's `check_cloudwatch_log_metric_filter`
//! compares them; the `||`/`&&` structure is not compared. Clauses a control marks
//! optional only narrow the match (v5.0 added some to cut noise) and may be left out.

pub mod model;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{Inventory, MetricFilter, RegionInventory},
    services::cloudtrail,
};

/// CloudWatch's part of the inventory was read: metric filters and alarms.
pub const SOURCE: crate::Source = crate::Source::Regional("cloudwatch", read);

fn read(r: &RegionInventory) -> bool {
    r.cloudwatch
        .as_ref()
        .is_some_and(|c| c.metric_filters.is_some() && c.metric_alarms.is_some())
}

/// Lists the region's metric filters and alarms.
fn assets(r: &RegionInventory, out: &mut crate::services::Assets) {
    let Some(cw) = &r.cloudwatch else { return };
    if let Some(filters) = &cw.metric_filters {
        for f in filters {
            let id = format!("{}/{}", f.log_group, f.name);
            out.add(
                &r.region,
                "AWS::Logs::MetricFilter",
                &id,
                None,
                crate::services::json(f),
            );
        }
        out.complete(&r.region, "AWS::Logs::MetricFilter");
    }
    if let Some(alarms) = &cw.metric_alarms {
        for a in alarms {
            let cfg = crate::services::json(a);
            out.add(
                &r.region,
                "AWS::CloudWatch::Alarm",
                &a.name,
                a.arn.clone(),
                cfg,
            );
        }
        out.complete(&r.region, "AWS::CloudWatch::Alarm");
    }
    if let Some(groups) = &cw.log_groups {
        for g in groups {
            let cfg = crate::services::json(g);
            out.add(
                &r.region,
                "AWS::Logs::LogGroup",
                &g.name,
                g.arn.clone(),
                cfg,
            );
        }
        out.complete(&r.region, "AWS::Logs::LogGroup");
    }
}

/// CloudWatch Logs' log groups were read.
pub const LOG_GROUPS_SOURCE: crate::Source = crate::Source::Regional("cloudwatch", |r| {
    r.cloudwatch
        .as_ref()
        .is_some_and(|c| c.log_groups.is_some())
});

pub static LOG_GROUP_NOT_KMS_ENCRYPTED: Rule = Rule {
    id: "cloudwatch-log-group-not-kms-encrypted",
    title: "CloudWatch Logs log group is not encrypted with a KMS key",
    severity: Severity::Low,
    description: "The log group is encrypted only with CloudWatch Logs' own key. Logs often \
                  carry what applications should not have written (tokens, personal data, \
                  request bodies): with a KMS key, reading them also needs `kms:Decrypt` under \
                  a key policy the account controls, and disabling the key cuts off access.",
    remediation: "Associate a KMS key whose policy lets the `logs.<region>.amazonaws.com` \
                  service use it (`aws logs associate-kms-key --log-group-name <name> \
                  --kms-key-id <key-arn>`); only data ingested afterwards is encrypted with it.",
    compliance: &[],
    resource_type: "AWS::Logs::LogGroup",
    scope: Scope::Regional,
    sources: &[LOG_GROUPS_SOURCE],
    check: |inv, sink| {
        for region in &inv.regions {
            let Some(groups) = region
                .cloudwatch
                .as_ref()
                .and_then(|c| c.log_groups.as_ref())
            else {
                continue;
            };
            for g in groups.iter().filter(|g| g.kms_key_id.is_none()) {
                sink.fail(
                    &region.region,
                    &g.name,
                    g.arn.clone(),
                    json!({ "kmsKeyId": null, "retentionInDays": g.retention_days }),
                );
            }
        }
    },
};

/// The metric filter a CIS monitoring control asks for.
#[derive(Debug)]
pub struct Filter {
    /// The control, e.g. `4.3`.
    pub control: &'static str,
    /// The benchmark's filter pattern, as published.
    pub pattern: &'static str,
    /// Fields whose clauses only narrow the match: a filter may leave them out.
    pub optional: &'static [&'static str],
}

/// How a clause compares its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Eq,
    Ne,
    NotExists,
}

/// One `$.field <op> value` term of a filter pattern (quotes dropped).
type Clause = (String, Op, String);

/// The clauses of a JSON filter pattern, in a set: order and spacing do not count.
fn clauses(pattern: &str) -> BTreeSet<Clause> {
    let mut out = BTreeSet::new();
    let mut rest = pattern;
    while let Some(at) = rest.find("$.") {
        rest = &rest[at + 2..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '!' | ')' | '&' | '|'))
            .unwrap_or(rest.len());
        let field = rest[..end].to_owned();
        rest = rest[end..].trim_start();
        let op = if let Some(r) = rest.strip_prefix("!=") {
            rest = r;
            Op::Ne
        } else if let Some(r) = rest.strip_prefix('=') {
            rest = r;
            Op::Eq
        } else if rest.to_ascii_uppercase().starts_with("NOT EXISTS") {
            rest = &rest["NOT EXISTS".len()..];
            out.insert((field, Op::NotExists, String::new()));
            continue;
        } else {
            continue;
        };
        rest = rest.trim_start();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            let v = &quoted[..end];
            rest = quoted.get(end + 1..).unwrap_or("");
            v
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '}' | '&' | '|'))
                .unwrap_or(rest.len());
            let v = &rest[..end];
            rest = &rest[end..];
            v
        };
        out.insert((field, op, value.to_owned()));
    }
    out
}

impl Filter {
    /// Whether a metric filter's `pattern` has every clause of the benchmark's that is
    /// not optional.
    pub fn matches(&self, pattern: &str) -> bool {
        let theirs = clauses(pattern);
        clauses(self.pattern)
            .into_iter()
            .filter(|(field, _, _)| !self.optional.contains(&field.as_str()))
            .all(|c| theirs.contains(&c))
    }
}

/// How far the account got towards a control, in the benchmark's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reached {
    Nothing,
    LogGroup,
    Filter,
    Alarm,
}

impl Reached {
    /// What is missing after this step.
    fn missing(self) -> &'static str {
        match self {
            Reached::Nothing => {
                "no multi-region trail that is logging management events delivers to a \
                 CloudWatch Logs log group"
            }
            Reached::LogGroup => {
                "no metric filter with the benchmark's pattern on the trail's log group"
            }
            Reached::Filter => "no CloudWatch alarm on the metric filter's metric",
            Reached::Alarm => "no alarm notifies an SNS topic with a confirmed subscriber",
        }
    }
}

/// `(region, account, name)` of a log group ARN
/// (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
fn log_group(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.split(':');
    let (_, _, service, region, account, kind, name) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "logs" && kind == "log-group").then_some((region, account, name))
}

fn is_sns_topic(arn: &str) -> bool {
    arn.split(':').nth(2) == Some("sns")
}

/// Passes the account when a qualifying trail's log group has `filter`, an alarm on its
/// metric and a subscribed topic; else reports what is missing, or that it cannot tell.
fn monitored(inv: &Inventory, sink: &mut Sink, filter: &Filter) {
    // Without every region's trails, a qualifying trail may exist where we could not look.
    let mut undetermined = inv.regions.is_empty() || inv.regions.iter().any(|r| r.trails.is_none());
    let mut reached = Reached::Nothing;
    let (mut groups, mut filters, mut alarms) = (Vec::new(), Vec::new(), Vec::new());
    for (_, trail) in cloudtrail::home_trails(inv).filter(|(_, t)| t.is_multi_region) {
        match (trail.is_logging, trail.logs_management_events) {
            (Some(true), Some(true)) => {}
            (Some(false), _) | (_, Some(false)) => continue,
            _ => {
                undetermined = true;
                continue;
            }
        }
        let Some(arn) = &trail.cloudwatch_logs_group_arn else {
            continue;
        };
        let Some((region, account, group)) = log_group(arn) else {
            continue;
        };
        // Another account's group (a central one), or a region not scanned: unreadable here.
        let Some(cw) = inv
            .regions
            .iter()
            .find(|r| r.region == region && account == inv.account_id)
            .and_then(|r| r.cloudwatch.as_ref())
        else {
            undetermined = true;
            continue;
        };
        reached = reached.max(Reached::LogGroup);
        groups.push(arn.clone());
        let Some(all_filters) = &cw.metric_filters else {
            undetermined = true;
            continue;
        };
        let matching = all_filters
            .iter()
            .filter(|f| f.log_group == group && filter.matches(&f.pattern));
        for f in matching {
            reached = reached.max(Reached::Filter);
            filters.push(filter_json(region, f));
            let Some(all_alarms) = &cw.metric_alarms else {
                undetermined = true;
                continue;
            };
            let on_metric = all_alarms
                .iter()
                .filter(|a| a.metric.as_ref().is_some_and(|m| f.metrics.contains(m)));
            for alarm in on_metric {
                reached = reached.max(Reached::Alarm);
                alarms.push(json!({ "name": alarm.name, "actions": alarm.alarm_actions }));
                for topic in alarm.alarm_actions.iter().filter(|a| is_sns_topic(a)) {
                    match cw.topic_subscribers.get(topic).copied().flatten() {
                        Some(n) if n > 0 => return,
                        Some(_) => {}
                        None => undetermined = true,
                    }
                }
            }
        }
    }
    // An organisation trail of the management account delivers to that account's group,
    // which this one cannot read.
    let foreign = inv
        .regions
        .iter()
        .filter_map(|r| r.trails.as_ref())
        .flatten()
        .any(|t| {
            t.is_multi_region
                && t.cloudwatch_logs_group_arn.is_some()
                && t.arn
                    .as_deref()
                    .and_then(crate::arn::account_of)
                    .is_some_and(|a| a != inv.account_id)
        });
    if undetermined || foreign {
        sink.unknown(GLOBAL, &inv.account_id);
        return;
    }
    sink.fail(
        GLOBAL,
        &inv.account_id,
        None,
        json!({
            "control": filter.control,
            "missing": reached.missing(),
            "benchmarkPattern": filter.pattern,
            "logGroups": groups,
            "metricFilters": filters,
            "alarms": alarms,
        }),
    );
}

fn filter_json(region: &str, f: &MetricFilter) -> Value {
    json!({ "region": region, "logGroup": f.log_group, "name": f.name, "pattern": f.pattern })
}

const REMEDIATION: &str = "On the log group a multi-region trail delivers to, create a metric \
    filter with the benchmark's pattern (in the finding's evidence): `aws logs \
    put-metric-filter --log-group-name <group> --filter-name <name> --metric-transformations \
    metricName=<metric>,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern \
    '<pattern>'`; an alarm on its metric: `aws cloudwatch put-metric-alarm --alarm-name <name> \
    --metric-name <metric> --namespace CISBenchmark --statistic Sum --period 300 \
    --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
    --alarm-actions <sns-topic-arn>`; and subscribe the people who respond to the topic \
    (`aws sns subscribe --topic-arn <sns-topic-arn> --protocol email --notification-endpoint \
    <address>`). With no trail delivering to CloudWatch Logs, first `aws cloudtrail \
    update-trail --name <trail> --cloud-watch-logs-log-group-arn <arn> \
    --cloud-watch-logs-role-arn <role-arn>`.";

/// The table: one row per control, making its [`Filter`] and its [`Rule`].
macro_rules! controls {
    ($(
        $rule:ident, $filter:ident: $control:literal, $slug:literal, $severity:ident,
        $title:literal, $why:literal,
        pattern $pattern:literal $(, optional [$($opt:literal),*])?;
    )*) => {
        $(
            #[doc = concat!("The metric filter of CIS AWS Foundations v5.0 ", $control, ".")]
            pub static $filter: Filter = Filter {
                control: $control,
                pattern: $pattern,
                optional: &[$($($opt),*)?],
            };

            #[doc = concat!("CIS AWS Foundations v5.0 ", $control, ": ", $title, ".")]
            pub static $rule: Rule = Rule {
                id: concat!("cloudwatch-no-alarm-", $slug),
                title: $title,
                severity: Severity::$severity,
                description: concat!(
                    "No multi-region trail that is logging delivers to a log group with a \
                     metric filter of the benchmark's pattern and a CloudWatch alarm notifying \
                     a subscribed SNS topic (CIS v5.0 ", $control, "). ", $why
                ),
                remediation: REMEDIATION,
                compliance: &[concat!("CIS AWS Foundations v5.0.0 ", $control)],
                resource_type: "AWS::::Account",
                scope: Scope::Account,
                sources: &[cloudtrail::SOURCE, SOURCE],
                check: |inv, sink| monitored(inv, sink, &$filter),
            };
        )*

        /// Every control's metric filter, in the benchmark's order.
        pub static FILTERS: &[&Filter] = &[$(&$filter),*];

        /// CloudWatch in the registry: its assets and its rules, in the benchmark's order.
        pub static SERVICE: crate::services::Service = crate::services::Service {
            name: "cloudwatch",
            assets: crate::services::ListAssets::Regional(assets),
            rules: &[$(&$rule,)* &LOG_GROUP_NOT_KMS_ENCRYPTED],
        };
    };
}

controls! {
    UNAUTHORIZED_API_CALLS, UNAUTHORIZED_API_CALLS_FILTER: "4.1", "unauthorized-api-calls", Low,
    "No CloudWatch alarm on unauthorized API calls",
    "A burst of AccessDenied answers is how stolen credentials look while they probe what \
     they may do; nobody is told.",
    pattern r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
    optional ["sourceIPAddress", "eventName"];

    CONSOLE_SIGNIN_WITHOUT_MFA, CONSOLE_SIGNIN_WITHOUT_MFA_FILTER: "4.2", "console-sign-in-without-mfa", Medium,
    "No CloudWatch alarm on console sign-in without MFA",
    "A console sign-in without MFA is what a phished password gives; nobody is told.",
    pattern r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    optional ["userIdentity.type", "responseElements.ConsoleLogin"];

    ROOT_USAGE, ROOT_USAGE_FILTER: "4.3", "root-usage", Medium,
    "No CloudWatch alarm on root user activity",
    "The root user can do anything and is rarely needed: its use is either a rare planned \
     task or an intruder, and nobody is told.",
    pattern r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

    IAM_POLICY_CHANGES, IAM_POLICY_CHANGES_FILTER: "4.4", "iam-policy-changes", Medium,
    "No CloudWatch alarm on IAM policy changes",
    "A policy attached or rewritten is the usual way to escalate privileges or keep access; \
     nobody is told.",
    pattern "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";

    CLOUDTRAIL_CHANGES, CLOUDTRAIL_CHANGES_FILTER: "4.5", "cloudtrail-changes", Medium,
    "No CloudWatch alarm on CloudTrail configuration changes",
    "Stopping or narrowing a trail is how an intruder blinds the audit record; nobody is told.",
    pattern "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";

    CONSOLE_AUTH_FAILURES, CONSOLE_AUTH_FAILURES_FILTER: "4.6", "console-auth-failures", Low,
    "No CloudWatch alarm on console authentication failures",
    "Repeated failed console sign-ins are a password being guessed; nobody is told.",
    pattern r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;

    CMK_DISABLED_OR_DELETED, CMK_DISABLED_OR_DELETED_FILTER: "4.7", "cmk-disable-or-deletion", Low,
    "No CloudWatch alarm on customer-managed KMS keys disabled or scheduled for deletion",
    "Data encrypted under a key disabled or deleted becomes unreadable, a ransom lever; \
     nobody is told.",
    pattern "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }";

    S3_BUCKET_POLICY_CHANGES, S3_BUCKET_POLICY_CHANGES_FILTER: "4.8", "s3-bucket-policy-changes", Medium,
    "No CloudWatch alarm on S3 bucket policy changes",
    "A bucket policy or ACL opened to the world exposes its data at once; nobody is told.",
    pattern "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";

    CONFIG_CHANGES, CONFIG_CHANGES_FILTER: "4.9", "config-changes", Low,
    "No CloudWatch alarm on AWS Config configuration changes",
    "Stopping the configuration recorder hides later changes from audit; nobody is told.",
    pattern "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }";

    SECURITY_GROUP_CHANGES, SECURITY_GROUP_CHANGES_FILTER: "4.10", "security-group-changes", Low,
    "No CloudWatch alarm on security group changes",
    "A port opened to the internet exposes whatever listens behind it; nobody is told.",
    pattern "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";

    NACL_CHANGES, NACL_CHANGES_FILTER: "4.11", "nacl-changes", Low,
    "No CloudWatch alarm on network ACL changes",
    "A network ACL opened to the world removes a layer of the network's defence; nobody is told.",
    pattern "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }";

    NETWORK_GATEWAY_CHANGES, NETWORK_GATEWAY_CHANGES_FILTER: "4.12", "network-gateway-changes", Low,
    "No CloudWatch alarm on network gateway changes",
    "A new internet or customer gateway opens a path into or out of the network; nobody is told.",
    pattern "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }";

    ROUTE_TABLE_CHANGES, ROUTE_TABLE_CHANGES_FILTER: "4.13", "route-table-changes", Low,
    "No CloudWatch alarm on route table changes",
    "A changed route can send traffic through a host an intruder controls; nobody is told.",
    pattern "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }";

    VPC_CHANGES, VPC_CHANGES_FILTER: "4.14", "vpc-changes", Low,
    "No CloudWatch alarm on VPC changes",
    "A peering connection or a VPC attribute changed can join networks meant to stay apart; \
     nobody is told.",
    pattern "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }";

    ORGANIZATIONS_CHANGES, ORGANIZATIONS_CHANGES_FILTER: "4.15", "organizations-changes", Medium,
    "No CloudWatch alarm on AWS Organizations changes",
    "An account leaving the organisation escapes its SCPs, and a changed SCP loosens every \
     account; nobody is told.",
    pattern "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }";
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, run, unknown, with_trails},
        model::{CloudWatchInventory, Metric, MetricAlarm, Trail},
    };

    const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:security";

    fn trail() -> Trail {
        Trail {
            name: "org".into(),
            arn: Some(format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org")),
            home_region: REGION.into(),
            is_multi_region: true,
            is_logging: Some(true),
            logs_management_events: Some(true),
            cloudwatch_logs_group_arn: Some(format!(
                "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:cloudtrail:*"
            )),
            ..Default::default()
        }
    }

    fn metric(name: &str) -> Metric {
        Metric {
            namespace: "CISBenchmark".into(),
            name: name.into(),
        }
    }

    /// A log group with a root-usage filter (`pattern`), an alarm on it notifying TOPIC,
    /// and `subscribers` on the topic.
    fn account(pattern: &str, subscribers: Option<u32>) -> Inventory {
        let mut inv = with_trails(vec![(REGION, Some(vec![trail()]))]);
        inv.regions[0].cloudwatch = Some(CloudWatchInventory {
            metric_filters: Some(vec![MetricFilter {
                name: "root".into(),
                log_group: "cloudtrail".into(),
                pattern: pattern.into(),
                metrics: vec![metric("RootUsage")],
            }]),
            metric_alarms: Some(vec![MetricAlarm {
                name: "root-usage".into(),
                arn: None,
                metric: Some(metric("RootUsage")),
                alarm_actions: vec![TOPIC.into()],
            }]),
            topic_subscribers: BTreeMap::from([(TOPIC.into(), subscribers)]),
            log_groups: Some(vec![]),
        });
        inv
    }

    const ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

    fn missing(inv: &Inventory) -> String {
        let out = run(&ROOT_USAGE, inv);
        assert_eq!(out.findings.len(), 1, "{out:?}");
        out.findings[0].evidence["missing"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn patterns_match_in_any_order_and_spacing_and_not_with_a_clause_missing_or_changed() {
        // The benchmark's own patterns match themselves.
        for f in FILTERS {
            assert!(f.matches(f.pattern), "{}", f.control);
        }
        // Reordered, respaced, quotes dropped.
        assert!(ROOT_USAGE_FILTER.matches(
            r#"{$.eventType!="AwsServiceEvent"&&$.userIdentity.invokedBy NOT EXISTS&&$.userIdentity.type=Root}"#
        ));
        assert!(CMK_DISABLED_OR_DELETED_FILTER.matches(
            "{ (($.eventName = ScheduleKeyDeletion) || ($.eventName = DisableKey)) && ($.eventSource = kms.amazonaws.com) }"
        ));
        // The pre-v5 patterns, without the optional narrowing clauses, match.
        assert!(UNAUTHORIZED_API_CALLS_FILTER.matches(
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#
        ));
        assert!(CONSOLE_SIGNIN_WITHOUT_MFA_FILTER.matches(
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#
        ));
        // A clause missing, an operator or value changed: no match.
        assert!(!ROOT_USAGE_FILTER.matches(r#"{ $.userIdentity.type = "Root" }"#));
        assert!(!CONSOLE_SIGNIN_WITHOUT_MFA_FILTER.matches(
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }"#
        ));
        assert!(
            !CMK_DISABLED_OR_DELETED_FILTER
                .matches("{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }")
        );
        // An event name is compared whole: CreateRouteTable is not CreateRoute.
        let without_create_route = ROUTE_TABLE_CHANGES_FILTER
            .pattern
            .replace("($.eventName = CreateRoute) ||", "");
        assert!(without_create_route.contains("CreateRouteTable"));
        assert!(!ROUTE_TABLE_CHANGES_FILTER.matches(&without_create_route));
        // Another control's pattern is not this one's.
        assert!(!SECURITY_GROUP_CHANGES_FILTER.matches(NACL_CHANGES_FILTER.pattern));
        assert!(!IAM_POLICY_CHANGES_FILTER.matches(""));
    }

    #[test]
    fn the_table_covers_4_1_to_4_15_once_each() {
        let controls: Vec<&str> = FILTERS.iter().map(|f| f.control).collect();
        let expected: Vec<String> = (1..=15).map(|n| format!("4.{n}")).collect();
        assert_eq!(controls, expected);
        for rule in SERVICE
            .rules
            .iter()
            .filter(|r| r.id.starts_with("cloudwatch-no-alarm-"))
        {
            let (framework, control) = crate::compliance::parse_tag(rule.compliance[0]).unwrap();
            assert_eq!(framework.id, "cis-aws-5.0");
            assert!(!framework.control(control).unwrap().automated);
        }
    }

    #[test]
    fn a_subscribed_alarm_on_a_matching_filter_passes_and_each_missing_step_is_named() {
        assert!(failing(&ROOT_USAGE, &account(ROOT, Some(1))).is_empty());
        // The other controls have no filter on the same log group.
        assert_eq!(
            failing(&IAM_POLICY_CHANGES, &account(ROOT, Some(1))),
            [ACCOUNT]
        );
        assert!(missing(&account(ROOT, Some(0))).contains("confirmed subscriber"));
        assert!(
            missing(&account(r#"{ $.userIdentity.type = "Root" }"#, Some(1)))
                .contains("no metric filter")
        );
        let mut no_alarm = account(ROOT, Some(1));
        let cw = no_alarm.regions[0].cloudwatch.as_mut().unwrap();
        cw.metric_alarms.as_mut().unwrap()[0].metric = Some(metric("Other"));
        assert!(missing(&no_alarm).contains("no CloudWatch alarm"));
        // The filter on another log group does not count.
        let mut elsewhere = account(ROOT, Some(1));
        let cw = elsewhere.regions[0].cloudwatch.as_mut().unwrap();
        cw.metric_filters.as_mut().unwrap()[0].log_group = "other".into();
        assert!(missing(&elsewhere).contains("no metric filter"));
    }

    #[test]
    fn a_trail_not_qualifying_is_no_trail_to_cloudwatch_logs() {
        for change in [
            |t: &mut Trail| t.is_multi_region = false,
            |t: &mut Trail| t.is_logging = Some(false),
            |t: &mut Trail| t.logs_management_events = Some(false),
            |t: &mut Trail| t.cloudwatch_logs_group_arn = None,
        ] {
            let mut inv = account(ROOT, Some(1));
            change(&mut inv.regions[0].trails.as_mut().unwrap()[0]);
            assert!(missing(&inv).starts_with("no multi-region trail"));
        }
    }

    #[test]
    fn unreadable_parts_are_not_assessed_never_failed() {
        let denied = [
            |inv: &mut Inventory| inv.regions[0].cloudwatch = None,
            |inv: &mut Inventory| inv.regions[0].cloudwatch.as_mut().unwrap().metric_filters = None,
            |inv: &mut Inventory| inv.regions[0].cloudwatch.as_mut().unwrap().metric_alarms = None,
            |inv: &mut Inventory| {
                inv.regions[0]
                    .cloudwatch
                    .as_mut()
                    .unwrap()
                    .topic_subscribers = BTreeMap::new()
            },
            |inv: &mut Inventory| inv.regions[0].trails.as_mut().unwrap()[0].is_logging = None,
        ];
        for deny in denied {
            let mut inv = account(ROOT, Some(0));
            deny(&mut inv);
            let out = run(&ROOT_USAGE, &inv);
            assert!(out.findings.is_empty(), "{out:?}");
            assert_eq!(unknown(&out), [ACCOUNT]);
        }
        // A log group in another account cannot be read from this one.
        let mut central = account(ROOT, Some(1));
        central.regions[0].trails.as_mut().unwrap()[0].cloudwatch_logs_group_arn = Some(format!(
            "arn:aws:logs:{REGION}:999999999999:log-group:org:*"
        ));
        assert_eq!(unknown(&run(&ROOT_USAGE, &central)), [ACCOUNT]);
        // A region's trails unreadable, and nothing passing elsewhere: not assessed.
        let mut partial = account(ROOT, Some(0));
        partial.regions.push(RegionInventory {
            region: "us-east-1".into(),
            ..Default::default()
        });
        assert_eq!(unknown(&run(&ROOT_USAGE, &partial)), [ACCOUNT]);
        // But a passing setup passes whatever else could not be read.
        let mut passing = account(ROOT, Some(1));
        passing.regions.push(RegionInventory {
            region: "us-east-1".into(),
            ..Default::default()
        });
        let out = run(&ROOT_USAGE, &passing);
        assert!(out.findings.is_empty() && out.unknown.is_empty());
    }
    #[test]
    fn a_log_group_without_a_kms_key_fails_and_unread_groups_are_not_assessed() {
        use crate::model::LogGroup;
        let group = |name: &str, key: Option<&str>| LogGroup {
            name: name.into(),
            arn: Some(format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}")),
            kms_key_id: key.map(str::to_owned),
            retention_days: Some(365),
        };
        let mut inv = with_trails(vec![(REGION, Some(vec![]))]);
        inv.regions[0].cloudwatch = Some(CloudWatchInventory {
            log_groups: Some(vec![
                group("plain", None),
                group("keyed", Some("arn:aws:kms:eu-west-1:123456789012:key/1")),
            ]),
            ..Default::default()
        });
        let out = run(&LOG_GROUP_NOT_KMS_ENCRYPTED, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["plain"]);
        assert_eq!(out.complete.len(), 1);
        inv.regions[0].cloudwatch = Some(CloudWatchInventory::default());
        let out = run(&LOG_GROUP_NOT_KMS_ENCRYPTED, &inv);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }
}
