//! CloudTrail: the inventory model of trails, and their rules.
//!
//! `DescribeTrails` returns a multi-region trail in every region, so per-trail rules judge a
//! trail once, in its home region, and only trails of this account (an organization trail
//! of the management account shows up in member accounts, which cannot change it).

pub mod model;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{Inventory, Trail},
};
use crate::{arn, services::s3};

/// CloudTrail's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("cloudtrail", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.trails.is_some()
}

/// CloudTrail in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "cloudtrail",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &NO_MULTI_REGION_TRAIL,
        &TRAIL_NOT_LOGGING,
        &LOG_VALIDATION_OFF,
        &NOT_KMS_ENCRYPTED,
        &BUCKET_PUBLIC,
        &S3_OBJECT_WRITES_NOT_LOGGED,
        &S3_OBJECT_READS_NOT_LOGGED,
        &NO_CLOUDWATCH_LOGS,
        &MANAGEMENT_EVENTS_INCOMPLETE,
        &BUCKET_OBJECT_LOCK_OFF,
        &BUCKET_ACCESS_LOGGING_OFF,
        &BUCKET_MFA_DELETE_OFF,
        &INSIGHTS_OFF,
    ],
};

/// Lists the trails whose home is this region (once, not per shadow copy).
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(trails) = &r.trails else {
        return;
    };
    for t in trails.iter().filter(|t| t.home_region == r.region) {
        let cfg = crate::services::json(t);
        out.add(
            &r.region,
            "AWS::CloudTrail::Trail",
            &t.name,
            t.arn.clone(),
            cfg,
        );
    }
    out.complete(&r.region, "AWS::CloudTrail::Trail");
}

/// Whether a trail belongs to the scanned account (a trail without an ARN is assumed to).
fn owned(inv: &Inventory, trail: &Trail) -> bool {
    trail
        .arn
        .as_deref()
        .and_then(arn::account_of)
        .is_none_or(|account| account == inv.account_id)
}

/// Every trail of the account, with its home region, once.
pub(crate) fn home_trails(inv: &Inventory) -> impl Iterator<Item = (&str, &Trail)> {
    inv.regions.iter().flat_map(move |region| {
        region
            .trails
            .iter()
            .flatten()
            .filter(move |t| t.home_region == region.region && owned(inv, t))
            .map(move |t| (region.region.as_str(), t))
    })
}

fn trail_json(trail: &Trail) -> Value {
    json!({
        "name": trail.name,
        "homeRegion": trail.home_region,
        "multiRegion": trail.is_multi_region,
        "organizationTrail": trail.is_organization_trail,
        "isLogging": trail.is_logging,
        "managementEvents": trail.logs_management_events,
    })
}

pub static NO_MULTI_REGION_TRAIL: Rule = Rule {
    id: "cloudtrail-no-multi-region-trail",
    title: "No multi-region CloudTrail trail is logging management events",
    severity: Severity::Critical,
    description: "No trail that is logging records management events in every region. API activity \
                  in the uncovered regions, where attackers like to start resources unnoticed, \
                  leaves no durable audit record, and detections have nothing to work on.",
    remediation: "Create a multi-region trail and start it (`aws cloudtrail create-trail --name \
                  <name> --s3-bucket-name <bucket> --is-multi-region-trail \
                  --enable-log-file-validation --kms-key-id <key-arn>`, then `aws cloudtrail \
                  start-logging --name <name>`), recording read and write management events.",
    compliance: &["CIS AWS Foundations v5.0.0 3.1", "AWS FSBP CloudTrail.1"],
    resource_type: "AWS::::Account",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: no_multi_region_trail,
};

fn no_multi_region_trail(inv: &Inventory, sink: &mut Sink) {
    // Without every region's list, a qualifying trail may exist where we could not look.
    let mut undetermined = inv.regions.is_empty() || inv.regions.iter().any(|r| r.trails.is_none());
    let mut trails: BTreeMap<String, &Trail> = BTreeMap::new();
    for trail in inv
        .regions
        .iter()
        .filter_map(|r| r.trails.as_ref())
        .flatten()
    {
        let key = trail
            .arn
            .clone()
            .unwrap_or_else(|| format!("{}/{}", trail.home_region, trail.name));
        trails.entry(key).or_insert(trail);
    }
    for trail in trails.values().filter(|t| t.is_multi_region) {
        match (trail.is_logging, trail.logs_management_events) {
            (Some(true), Some(true)) => return,
            (Some(false), _) | (_, Some(false)) => {}
            _ => undetermined = true,
        }
    }
    if undetermined {
        sink.unknown(GLOBAL, &inv.account_id);
        return;
    }
    sink.fail(
        GLOBAL,
        &inv.account_id,
        None,
        json!({ "trails": trails.values().map(|t| trail_json(t)).collect::<Vec<_>>() }),
    );
}

pub static TRAIL_NOT_LOGGING: Rule = Rule {
    id: "cloudtrail-trail-not-logging",
    title: "CloudTrail trail is not logging",
    severity: Severity::High,
    description: "The trail exists but is stopped, so it delivers nothing. Stopping a trail \
                  (`StopLogging`) is a classic step of an intruder covering their tracks, and a \
                  trail left stopped after maintenance silently blinds everything that reads it.",
    remediation: "Start it again (`aws cloudtrail start-logging --name <trail-arn>`) and check \
                  CloudTrail event history for who called `StopLogging`, and when.",
    compliance: &[],
    resource_type: "AWS::CloudTrail::Trail",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: trail_not_logging,
};

fn trail_not_logging(inv: &Inventory, sink: &mut Sink) {
    for (region, trail) in home_trails(inv) {
        match trail.is_logging {
            Some(false) => sink.fail(region, &trail.name, trail.arn.clone(), trail_json(trail)),
            None => sink.unknown(region, &trail.name),
            Some(true) => {}
        }
    }
}

pub static MANAGEMENT_EVENTS_INCOMPLETE: Rule = Rule {
    id: "cloudtrail-management-events-incomplete",
    title: "Multi-region CloudTrail trail does not record all management events",
    severity: Severity::High,
    description: "The trail covers every region, but its event selectors leave out management \
                  events, or keep only their reads or only their writes: the control-plane \
                  calls left out (creating users and keys, changing security groups and \
                  policies, or the reconnaissance that precedes them) leave no audit record, \
                  and the detections reading this trail never see them.",
    remediation: "Record read and write management events (`aws cloudtrail put-event-selectors \
                  --trail-name <trail> --event-selectors \
                  '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]'`, or an \
                  advanced selector on `eventCategory` = `Management` without a `readOnly` \
                  field).",
    compliance: &["CIS AWS Foundations v5.0.0 3.1", "AWS FSBP CloudTrail.1"],
    resource_type: "AWS::CloudTrail::Trail",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: management_events_incomplete,
};

fn management_events_incomplete(inv: &Inventory, sink: &mut Sink) {
    for (region, trail) in home_trails(inv).filter(|(_, t)| t.is_multi_region) {
        match trail.logs_management_events {
            Some(false) => sink.fail(region, &trail.name, trail.arn.clone(), trail_json(trail)),
            None => sink.unknown(region, &trail.name),
            Some(true) => {}
        }
    }
}

pub static LOG_VALIDATION_OFF: Rule = Rule {
    id: "cloudtrail-log-validation-off",
    title: "CloudTrail log file validation is off",
    severity: Severity::Medium,
    description: "Without log file validation CloudTrail writes no signed digest files, so log \
                  files deleted or altered in the bucket cannot be detected: an intruder with \
                  write access to the bucket can rewrite the record of what they did.",
    remediation: "Enable it (`aws cloudtrail update-trail --name <trail> \
                  --enable-log-file-validation`) and check delivered logs with `aws cloudtrail \
                  validate-logs --trail-arn <arn> --start-time <time>`.",
    compliance: &["CIS AWS Foundations v5.0.0 3.2", "AWS FSBP CloudTrail.4"],
    resource_type: "AWS::CloudTrail::Trail",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: log_validation_off,
};

fn log_validation_off(inv: &Inventory, sink: &mut Sink) {
    for (region, trail) in home_trails(inv).filter(|(_, t)| !t.log_file_validation) {
        sink.fail(
            region,
            &trail.name,
            trail.arn.clone(),
            json!({ "logFileValidation": false, "s3Bucket": trail.s3_bucket }),
        );
    }
}

pub static NOT_KMS_ENCRYPTED: Rule = Rule {
    id: "cloudtrail-not-kms-encrypted",
    title: "CloudTrail logs are not encrypted with KMS",
    severity: Severity::Low,
    description: "The trail's log files are encrypted only with S3-managed keys, so anyone who can \
                  read the bucket reads the account's whole API history. With SSE-KMS, reading \
                  also needs `kms:Decrypt` on a key whose policy you control, and every decryption \
                  is itself logged.",
    remediation: "Create a KMS key whose policy lets CloudTrail encrypt and your log readers \
                  decrypt, then `aws cloudtrail update-trail --name <trail> --kms-key-id \
                  <key-arn>`.",
    compliance: &["CIS AWS Foundations v5.0.0 3.5", "AWS FSBP CloudTrail.2"],
    resource_type: "AWS::CloudTrail::Trail",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_kms_encrypted,
};

fn not_kms_encrypted(inv: &Inventory, sink: &mut Sink) {
    for (region, trail) in home_trails(inv).filter(|(_, t)| t.kms_key_id.is_none()) {
        sink.fail(
            region,
            &trail.name,
            trail.arn.clone(),
            json!({ "kmsKeyId": null, "s3Bucket": trail.s3_bucket }),
        );
    }
}

pub static BUCKET_PUBLIC: Rule = Rule {
    id: "cloudtrail-bucket-public",
    title: "CloudTrail logs bucket is public",
    severity: Severity::High,
    description: "The bucket receiving this trail's logs is public. Anyone can read the account's \
                  API history (principals, source IPs, resource names and configuration), a map \
                  for an attacker, and a public write grant lets them tamper with the record.",
    remediation: "Remove the public ACL grants and policy statements (`aws s3api put-bucket-acl \
                  --bucket <name> --acl private`, `aws s3api put-bucket-policy`), then turn on \
                  Block Public Access for the bucket (`aws s3api put-public-access-block --bucket \
                  <name> --public-access-block-configuration ...`).",
    compliance: &["AWS FSBP CloudTrail.6"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Regional,
    sources: &[SOURCE, s3::SOURCE],
    check: bucket_public,
};

/// The buckets the account's trails deliver to, by (home region, bucket), with the trails
/// delivering there: the bucket rules report one finding per bucket and region.
fn trail_buckets(inv: &Inventory) -> BTreeMap<(&str, &str), Vec<&str>> {
    let mut buckets: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (region, trail) in home_trails(inv) {
        if let Some(bucket) = &trail.s3_bucket {
            buckets
                .entry((region, bucket))
                .or_default()
                .push(&trail.name);
        }
    }
    buckets
}

fn bucket_public(inv: &Inventory, sink: &mut Sink) {
    for ((region, name), trails) in trail_buckets(inv) {
        let Some(s3) = &inv.s3 else {
            sink.unknown(region, name);
            continue;
        };
        // A bucket of another account (a central logging account) is not ours to judge.
        let Some(bucket) = s3.buckets.iter().find(|b| b.name == name) else {
            continue;
        };
        match s3::bucket_public(bucket, s3) {
            (Some(true), mut evidence) => {
                evidence["trails"] = json!(trails);
                sink.fail(region, name, Some(arn::bucket(inv, name)), evidence);
            }
            (None, _) => sink.unknown(region, name),
            (Some(false), _) => {}
        }
    }
}

pub static BUCKET_OBJECT_LOCK_OFF: Rule = Rule {
    id: "cloudtrail-bucket-object-lock-off",
    title: "CloudTrail logs bucket has no S3 Object Lock",
    severity: Severity::Low,
    description: "The bucket receiving this trail's logs does not have S3 Object Lock: \
                  whoever gains delete rights on it (an intruder with an administrator's \
                  keys, a careless lifecycle rule) can erase or overwrite the audit record, \
                  and log file validation only tells afterwards that files are missing.",
    remediation: "Deliver the trail to a bucket created with Object Lock (`aws s3api \
                  create-bucket --bucket <name> --object-lock-enabled-for-bucket`, or enable \
                  it on a versioned bucket with `aws s3api put-object-lock-configuration \
                  --bucket <name> --object-lock-configuration ObjectLockEnabled=Enabled`), \
                  with a default retention in governance or compliance mode covering the \
                  logs' retention period.",
    compliance: &[],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Regional,
    sources: &[SOURCE, s3::SOURCE],
    check: bucket_object_lock_off,
};

fn bucket_object_lock_off(inv: &Inventory, sink: &mut Sink) {
    for ((region, name), trails) in trail_buckets(inv) {
        let Some(s3) = &inv.s3 else {
            sink.unknown(region, name);
            continue;
        };
        // A bucket of another account (a central logging account) is not ours to judge.
        let Some(bucket) = s3.buckets.iter().find(|b| b.name == name) else {
            continue;
        };
        match bucket.object_lock {
            Some(false) => sink.fail(
                region,
                name,
                Some(arn::bucket(inv, name)),
                json!({ "objectLockEnabled": false, "trails": trails }),
            ),
            None => sink.unknown(region, name),
            Some(true) => {}
        }
    }
}

/// Reports the buckets the account's trails deliver to (once per bucket and home region)
/// whose setting `judge` reads as failing (`Some(evidence)`), and as unknown those it
/// could not read (`None`). A bucket of another account (a central logging account) is
/// not ours to judge.
fn each_trail_bucket(
    inv: &Inventory,
    sink: &mut Sink,
    judge: impl Fn(&crate::model::Bucket) -> Option<Option<Value>>,
) {
    for ((region, name), trails) in trail_buckets(inv) {
        let Some(s3) = &inv.s3 else {
            sink.unknown(region, name);
            continue;
        };
        let Some(bucket) = s3.buckets.iter().find(|b| b.name == name) else {
            continue;
        };
        match judge(bucket) {
            Some(Some(mut evidence)) => {
                evidence["trails"] = json!(trails);
                sink.fail(region, name, Some(arn::bucket(inv, name)), evidence);
            }
            None => sink.unknown(region, name),
            Some(None) => {}
        }
    }
}

pub static BUCKET_ACCESS_LOGGING_OFF: Rule = Rule {
    id: "cloudtrail-bucket-access-logging-off",
    title: "CloudTrail logs bucket has server access logging off",
    severity: Severity::Low,
    description: "Requests to the bucket holding this trail's logs are not logged, so who read \
                  the audit record (an intruder mapping the account) or deleted from it leaves \
                  no trace: CloudTrail does not log its own bucket's object reads unless data \
                  events are on.",
    remediation: "Send the bucket's access logs to another bucket (`aws s3api \
                  put-bucket-logging --bucket <trail-bucket> --bucket-logging-status \
                  '{\"LoggingEnabled\":{\"TargetBucket\":\"<log-bucket>\",\"TargetPrefix\":\"cloudtrail/\"}}'`).",
    compliance: &["CIS AWS Foundations v5.0.0 3.4", "AWS FSBP CloudTrail.7"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Regional,
    sources: &[SOURCE, s3::SOURCE],
    check: |inv, sink| {
        each_trail_bucket(inv, sink, |b| {
            let target = b.logging_target.as_ref()?;
            Some(target.is_none().then(|| json!({ "loggingEnabled": false })))
        })
    },
};

pub static BUCKET_MFA_DELETE_OFF: Rule = Rule {
    id: "cloudtrail-bucket-mfa-delete-off",
    title: "CloudTrail logs bucket does not require MFA to delete versions",
    severity: Severity::Low,
    description: "The bucket receiving this trail's logs does not have MFA delete: credentials \
                  with delete rights on it (an intruder's, a careless script's) can remove log \
                  files and their versions, or suspend versioning, without a second factor, \
                  and erase the record of what they did.",
    remediation: "As the root user with its MFA device, enable versioning with MFA delete on \
                  the bucket (`aws s3api put-bucket-versioning --bucket <trail-bucket> \
                  --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<serial> \
                  <code>'`), or deliver to a bucket with Object Lock.",
    compliance: &[],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Regional,
    sources: &[SOURCE, s3::SOURCE],
    check: |inv, sink| {
        each_trail_bucket(inv, sink, |b| {
            let v = b.versioning.as_ref()?;
            Some((!v.mfa_delete).then(|| {
                json!({ "mfaDelete": "Disabled", "versioning": if v.enabled { "Enabled" } else { "off" } })
            }))
        })
    },
};

pub static INSIGHTS_OFF: Rule = Rule {
    id: "cloudtrail-insights-off",
    title: "No logging multi-region trail has CloudTrail Insights",
    severity: Severity::Low,
    description: "No multi-region trail that is logging has Insights selectors, so bursts of \
                  unusual API activity (a script enumerating the account, mass deletions, a \
                  spike of denied calls) raise no Insights event for anyone to see.",
    remediation: "Turn on Insights for API call and error rates on a multi-region trail (`aws \
                  cloudtrail put-insight-selectors --trail-name <trail> --insight-selectors \
                  '[{\"InsightType\":\"ApiCallRateInsight\"},{\"InsightType\":\"ApiErrorRateInsight\"}]'`); \
                  Insights events are charged.",
    compliance: &[],
    resource_type: "AWS::::Account",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: insights_off,
};

/// Passes when a logging multi-region trail of the account has Insights selectors; not
/// assessed when a region's trails, or a candidate trail's status or selectors, could not
/// be read.
fn insights_off(inv: &Inventory, sink: &mut Sink) {
    let mut undetermined = inv.regions.is_empty() || inv.regions.iter().any(|r| r.trails.is_none());
    let mut without = Vec::new();
    for (_, trail) in home_trails(inv).filter(|(_, t)| t.is_multi_region) {
        match (trail.is_logging, trail.insights) {
            (Some(true), Some(true)) => return,
            (Some(false), _) | (_, Some(false)) => without.push(trail.name.clone()),
            _ => undetermined = true,
        }
    }
    if undetermined {
        sink.unknown(GLOBAL, &inv.account_id);
        return;
    }
    sink.fail(
        GLOBAL,
        &inv.account_id,
        None,
        json!({ "multiRegionTrailsWithoutInsights": without }),
    );
}

pub static S3_OBJECT_WRITES_NOT_LOGGED: Rule = Rule {
    id: "cloudtrail-s3-object-writes-not-logged",
    title: "No trail logs S3 object-level write events",
    severity: Severity::Medium,
    description: "No trail of the account records S3 data events for writes to every bucket, \
                  so who uploaded, overwrote or deleted which object (a ransom note, a \
                  tampered artefact, a mass deletion) leaves no audit record.",
    remediation: "Add S3 data events to a trail (`aws cloudtrail put-event-selectors \
                  --trail-name <trail> --event-selectors \
                  '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3\"]}]}]'`); \
                  data events are charged per event.",
    compliance: &["CIS AWS Foundations v5.0.0 3.8"],
    resource_type: "AWS::::Account",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| s3_objects_not_logged(inv, sink, |t| t.logs_s3_object_writes, "writes"),
};

pub static S3_OBJECT_READS_NOT_LOGGED: Rule = Rule {
    id: "cloudtrail-s3-object-reads-not-logged",
    title: "No trail logs S3 object-level read events",
    severity: Severity::Low,
    description: "No trail of the account records S3 data events for reads from every bucket, \
                  so an exfiltration by `GetObject` with stolen credentials cannot be told \
                  from normal use, nor its extent measured afterwards.",
    remediation: "Log read data events for S3 on a trail (`aws cloudtrail put-event-selectors \
                  --trail-name <trail> --event-selectors \
                  '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3\"]}]}]'`); \
                  read events are numerous: consider advanced selectors to narrow them.",
    compliance: &["CIS AWS Foundations v5.0.0 3.9"],
    resource_type: "AWS::::Account",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| s3_objects_not_logged(inv, sink, |t| t.logs_s3_object_reads, "reads"),
};

/// Reports the account when no trail of it logs the S3 object events `logs` says; not
/// assessed when a trail's selectors or a region's trails could not be read.
fn s3_objects_not_logged(
    inv: &Inventory,
    sink: &mut Sink,
    logs: fn(&Trail) -> Option<bool>,
    what: &str,
) {
    let mut undetermined = inv.regions.is_empty() || inv.regions.iter().any(|r| r.trails.is_none());
    let mut names = Vec::new();
    for (_, trail) in home_trails(inv) {
        match logs(trail) {
            Some(true) => return,
            Some(false) => names.push(trail.name.clone()),
            None => undetermined = true,
        }
    }
    if undetermined {
        sink.unknown(GLOBAL, &inv.account_id);
        return;
    }
    sink.fail(
        GLOBAL,
        &inv.account_id,
        None,
        json!({ "s3ObjectEvents": what, "trailsWithout": names }),
    );
}

pub static NO_CLOUDWATCH_LOGS: Rule = Rule {
    id: "cloudtrail-no-cloudwatch-logs",
    title: "CloudTrail trail does not deliver to CloudWatch Logs",
    severity: Severity::Low,
    description: "The trail writes only to S3, so no CloudWatch metric filter or alarm can watch \
                  its events as they happen (root use, policy changes, console sign-in without \
                  MFA...): the CIS monitoring controls have nothing to run on.",
    remediation: "Send the trail to a log group (`aws cloudtrail update-trail --name <trail> \
                  --cloud-watch-logs-log-group-arn <log-group-arn> \
                  --cloud-watch-logs-role-arn <role-arn>`), with a role CloudTrail can assume to \
                  write there.",
    compliance: &["AWS FSBP CloudTrail.5"],
    resource_type: "AWS::CloudTrail::Trail",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for (region, trail) in
            home_trails(inv).filter(|(_, t)| t.cloudwatch_logs_group_arn.is_none())
        {
            let evidence =
                json!({ "cloudWatchLogsLogGroupArn": null, "s3Bucket": trail.s3_bucket });
            sink.fail(region, &trail.name, trail.arn.clone(), evidence);
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, failing, run, unknown, with_trails},
        model::Bucket,
        services::s3::tests::{bucket, full_block, s3},
    };

    /// A well-configured multi-region trail homed in `home`.
    fn trail(name: &str, home: &str) -> Trail {
        Trail {
            name: name.into(),
            arn: Some(format!("arn:aws:cloudtrail:{home}:{ACCOUNT}:trail/{name}")),
            home_region: home.into(),
            is_multi_region: true,
            is_logging: Some(true),
            log_file_validation: true,
            kms_key_id: Some("arn:aws:kms:eu-west-1:123456789012:key/1".into()),
            s3_bucket: Some("trail-logs".into()),
            logs_management_events: Some(true),
            logs_s3_object_writes: Some(true),
            logs_s3_object_reads: Some(true),
            cloudwatch_logs_group_arn: Some(format!(
                "arn:aws:logs:{home}:{ACCOUNT}:log-group:cloudtrail:*"
            )),
            lambda_invocations_logged: Some(vec!["*".into()]),
            insights: Some(true),
            ..Default::default()
        }
    }

    /// `trail` as seen from three regions, as `DescribeTrails` returns it.
    fn everywhere(trail: Trail) -> Inventory {
        with_trails(vec![
            ("eu-west-1", Some(vec![trail.clone()])),
            ("us-east-1", Some(vec![trail.clone()])),
            ("ap-south-1", Some(vec![trail])),
        ])
    }

    #[test]
    fn a_multi_region_trail_missing_management_events_fails_in_its_home_region_only() {
        let partial = Trail {
            logs_management_events: Some(false),
            ..trail("writes-only", "us-east-1")
        };
        let unread = Trail {
            logs_management_events: None,
            ..trail("unread", "us-east-1")
        };
        // A single-region trail is not this rule's business.
        let regional = Trail {
            is_multi_region: false,
            logs_management_events: Some(false),
            ..trail("regional", "eu-west-1")
        };
        let all = vec![trail("main", "us-east-1"), partial, unread, regional];
        let inv = with_trails(vec![
            ("eu-west-1", Some(all.clone())),
            ("us-east-1", Some(all)),
        ]);
        let out = run(&MANAGEMENT_EVENTS_INCOMPLETE, &inv);
        let failing: Vec<(&str, &str)> = out
            .findings
            .iter()
            .map(|f| (f.region.as_str(), f.resource_id.as_str()))
            .collect();
        assert_eq!(failing, [("us-east-1", "writes-only")]);
        assert_eq!(out.findings[0].evidence["managementEvents"], false);
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn a_logging_multi_region_trail_seen_from_every_region_covers_the_account() {
        let out = run(
            &NO_MULTI_REGION_TRAIL,
            &everywhere(trail("main", "us-east-1")),
        );
        assert!(out.findings.is_empty() && out.unknown.is_empty());
        assert_eq!(
            out.complete,
            [(NO_MULTI_REGION_TRAIL.id.to_owned(), GLOBAL.to_owned())]
        );
    }

    #[test]
    fn an_account_without_a_qualifying_trail_fails_once() {
        let regional = Trail {
            is_multi_region: false,
            ..trail("regional", "eu-west-1")
        };
        let stopped = Trail {
            is_logging: Some(false),
            ..trail("stopped", "us-east-1")
        };
        let data_only = Trail {
            logs_management_events: Some(false),
            ..trail("data-only", "us-east-1")
        };
        let inv = with_trails(vec![
            (
                "eu-west-1",
                Some(vec![regional, stopped.clone(), data_only.clone()]),
            ),
            ("us-east-1", Some(vec![stopped, data_only])),
        ]);
        let out = run(&NO_MULTI_REGION_TRAIL, &inv);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            (
                out.findings[0].region.as_str(),
                out.findings[0].resource_id.as_str()
            ),
            (GLOBAL, ACCOUNT)
        );
        assert_eq!(
            out.findings[0].evidence["trails"].as_array().unwrap().len(),
            3
        );
        assert_eq!(
            failing(
                &NO_MULTI_REGION_TRAIL,
                &with_trails(vec![("eu-west-1", Some(vec![]))])
            ),
            [ACCOUNT]
        );
    }

    #[test]
    fn an_unreadable_region_without_a_qualifying_trail_elsewhere_reports_nothing() {
        let inv = with_trails(vec![("eu-west-1", Some(vec![])), ("us-east-1", None)]);
        let out = run(&NO_MULTI_REGION_TRAIL, &inv);
        assert!(out.findings.is_empty() && out.complete.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
    }

    #[test]
    fn an_unreadable_trail_status_is_unknown_rather_than_missing() {
        let unread = Trail {
            is_logging: None,
            ..trail("main", "eu-west-1")
        };
        let out = run(&NO_MULTI_REGION_TRAIL, &everywhere(unread));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
    }

    #[test]
    fn an_organization_trail_of_the_management_account_covers_a_member() {
        let org = Trail {
            arn: Some("arn:aws:cloudtrail:us-east-1:999999999999:trail/org".into()),
            is_organization_trail: true,
            log_file_validation: false,
            ..trail("org", "us-east-1")
        };
        let inv = everywhere(org);
        assert!(failing(&NO_MULTI_REGION_TRAIL, &inv).is_empty());
        // ...and is not the member's to fix.
        assert!(failing(&LOG_VALIDATION_OFF, &inv).is_empty());
    }

    #[test]
    fn a_stopped_multi_region_trail_is_reported_once_in_its_home_region() {
        let stopped = Trail {
            is_logging: Some(false),
            ..trail("main", "us-east-1")
        };
        let out = run(&TRAIL_NOT_LOGGING, &everywhere(stopped));
        let seen: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.region.as_str(), f.resource_id.as_str()))
            .collect();
        assert_eq!(seen, [("us-east-1", "main")]);
        assert!(failing(&TRAIL_NOT_LOGGING, &everywhere(trail("main", "us-east-1"))).is_empty());
    }

    #[test]
    fn an_unreadable_logging_status_is_unknown_not_failing() {
        let unread = Trail {
            is_logging: None,
            ..trail("main", "us-east-1")
        };
        let out = run(&TRAIL_NOT_LOGGING, &everywhere(unread));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["main"]);
    }

    #[test]
    fn log_validation_off_fails_once_and_on_passes() {
        let off = Trail {
            log_file_validation: false,
            ..trail("main", "ap-south-1")
        };
        let out = run(&LOG_VALIDATION_OFF, &everywhere(off));
        let seen: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.region.as_str(), f.resource_id.as_str()))
            .collect();
        assert_eq!(seen, [("ap-south-1", "main")]);
        assert!(
            failing(
                &LOG_VALIDATION_OFF,
                &everywhere(trail("main", "ap-south-1"))
            )
            .is_empty()
        );
    }

    #[test]
    fn a_trail_without_a_kms_key_fails_once_and_one_with_a_key_passes() {
        let plain = Trail {
            kms_key_id: None,
            ..trail("main", "eu-west-1")
        };
        assert_eq!(failing(&NOT_KMS_ENCRYPTED, &everywhere(plain)), ["main"]);
        assert!(failing(&NOT_KMS_ENCRYPTED, &everywhere(trail("main", "eu-west-1"))).is_empty());
    }

    fn with_bucket(bucket: Bucket) -> Inventory {
        Inventory {
            s3: Some(s3(vec![bucket])),
            ..everywhere(trail("main", "eu-west-1"))
        }
    }

    #[test]
    fn a_public_trail_bucket_fails_in_the_trails_home_region() {
        let public = Bucket {
            policy_public: Some(true),
            ..bucket("trail-logs")
        };
        let out = run(&BUCKET_PUBLIC, &with_bucket(public));
        assert_eq!(out.findings.len(), 1);
        let finding = &out.findings[0];
        assert_eq!(
            (finding.region.as_str(), finding.resource_id.as_str()),
            ("eu-west-1", "trail-logs")
        );
        assert_eq!(finding.evidence["trails"][0], "main");
        assert_eq!(out.complete.len(), 3);
    }

    #[test]
    fn a_private_or_blocked_or_foreign_trail_bucket_passes() {
        assert!(failing(&BUCKET_PUBLIC, &with_bucket(bucket("trail-logs"))).is_empty());
        let blocked = Bucket {
            acl_public: Some(true),
            public_access_block: Some(Some(full_block())),
            ..bucket("trail-logs")
        };
        assert!(failing(&BUCKET_PUBLIC, &with_bucket(blocked)).is_empty());
        let out = run(
            &BUCKET_PUBLIC,
            &with_bucket(Bucket {
                acl_public: Some(true),
                ..bucket("other")
            }),
        );
        assert!(out.findings.is_empty() && out.unknown.is_empty());
    }

    #[test]
    fn a_trail_bucket_without_object_lock_fails_and_a_locked_or_foreign_one_passes() {
        let unlocked = Bucket {
            object_lock: Some(false),
            ..bucket("trail-logs")
        };
        let out = run(&BUCKET_OBJECT_LOCK_OFF, &with_bucket(unlocked.clone()));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!(
            (f.region.as_str(), f.resource_id.as_str()),
            ("eu-west-1", "trail-logs")
        );
        assert_eq!(f.evidence["trails"][0], "main");
        assert!(failing(&BUCKET_OBJECT_LOCK_OFF, &with_bucket(bucket("trail-logs"))).is_empty());
        // Only the trails' buckets are judged, and another account's is not ours.
        let other = Bucket {
            name: "other".into(),
            ..unlocked
        };
        let out = run(&BUCKET_OBJECT_LOCK_OFF, &with_bucket(other));
        assert!(out.findings.is_empty() && out.unknown.is_empty());
        let unread = Bucket {
            object_lock: None,
            ..bucket("trail-logs")
        };
        let out = run(&BUCKET_OBJECT_LOCK_OFF, &with_bucket(unread));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["trail-logs"]);
    }

    #[test]
    fn an_unreadable_trail_bucket_is_unknown() {
        let unread = Bucket {
            acl_public: None,
            ..bucket("trail-logs")
        };
        let out = run(&BUCKET_PUBLIC, &with_bucket(unread));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["trail-logs"]);
        let no_s3 = everywhere(trail("main", "eu-west-1"));
        let out = run(&BUCKET_PUBLIC, &no_s3);
        assert!(out.findings.is_empty() && out.complete.is_empty());
        assert_eq!(unknown(&out), ["trail-logs"]);
    }

    #[test]
    fn the_account_fails_when_no_trail_logs_s3_object_events_and_passes_when_one_does() {
        type Set = fn(&mut Trail, Option<bool>);
        let cases: [(&'static Rule, Set); 2] = [
            (&S3_OBJECT_WRITES_NOT_LOGGED, |t, v| {
                t.logs_s3_object_writes = v
            }),
            (&S3_OBJECT_READS_NOT_LOGGED, |t, v| {
                t.logs_s3_object_reads = v
            }),
        ];
        for (rule, set) in cases {
            let mut without = trail("management", "eu-west-1");
            set(&mut without, Some(false));
            let inv = with_trails(vec![("eu-west-1", Some(vec![without.clone()]))]);
            assert_eq!(failing(rule, &inv), [ACCOUNT], "{}", rule.id);
            let inv = with_trails(vec![(
                "eu-west-1",
                Some(vec![without.clone(), trail("data", "eu-west-1")]),
            )]);
            assert!(failing(rule, &inv).is_empty(), "{}", rule.id);
            // Selectors unread, or a region's trails unreadable: not assessed.
            let mut unread = without.clone();
            set(&mut unread, None);
            let out = run(rule, &with_trails(vec![("eu-west-1", Some(vec![unread]))]));
            assert!(out.findings.is_empty());
            assert_eq!(unknown(&out), [ACCOUNT]);
            let out = run(
                rule,
                &with_trails(vec![
                    ("eu-west-1", Some(vec![without])),
                    ("us-east-1", None),
                ]),
            );
            assert!(out.findings.is_empty() && out.complete.is_empty());
        }
    }

    #[test]
    fn a_trail_without_a_cloudwatch_log_group_fails_and_one_with_it_passes() {
        let mut s3_only = trail("s3-only", "eu-west-1");
        s3_only.cloudwatch_logs_group_arn = None;
        let inv = with_trails(vec![(
            "eu-west-1",
            Some(vec![s3_only, trail("watched", "eu-west-1")]),
        )]);
        assert_eq!(failing(&NO_CLOUDWATCH_LOGS, &inv), ["s3-only"]);
    }
    #[test]
    fn a_trail_bucket_without_access_logging_or_mfa_delete_fails_and_unread_is_unknown() {
        type Set = fn(&mut Bucket);
        let cases: [(&'static Rule, Set, Set); 2] = [
            (
                &BUCKET_ACCESS_LOGGING_OFF,
                |b| b.logging_target = Some(None),
                |b| b.logging_target = None,
            ),
            (
                &BUCKET_MFA_DELETE_OFF,
                |b| {
                    b.versioning = Some(crate::model::Versioning {
                        enabled: true,
                        mfa_delete: false,
                    })
                },
                |b| b.versioning = None,
            ),
        ];
        for (rule, spoil, unread) in cases {
            let mut bad = bucket("trail-logs");
            spoil(&mut bad);
            let out = run(rule, &with_bucket(bad.clone()));
            let ids: Vec<_> = out
                .findings
                .iter()
                .map(|f| (f.region.as_str(), f.resource_id.as_str()))
                .collect();
            assert_eq!(ids, [("eu-west-1", "trail-logs")], "{}", rule.id);
            assert_eq!(out.findings[0].evidence["trails"][0], "main", "{}", rule.id);
            assert!(
                failing(rule, &with_bucket(bucket("trail-logs"))).is_empty(),
                "{}",
                rule.id
            );
            // Another account's bucket (not listed) is not judged.
            let other = Bucket {
                name: "other".into(),
                ..bad
            };
            let out = run(rule, &with_bucket(other));
            assert!(
                out.findings.is_empty() && out.unknown.is_empty(),
                "{}",
                rule.id
            );
            let mut blind = bucket("trail-logs");
            unread(&mut blind);
            let out = run(rule, &with_bucket(blind));
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), ["trail-logs"], "{}", rule.id);
        }
        // An unversioned trail bucket has no MFA delete either.
        let unversioned = Bucket {
            versioning: Some(crate::model::Versioning::default()),
            ..bucket("trail-logs")
        };
        let out = run(&BUCKET_MFA_DELETE_OFF, &with_bucket(unversioned));
        assert_eq!(out.findings[0].evidence["versioning"], "off");
    }

    #[test]
    fn the_account_fails_insights_unless_a_logging_multi_region_trail_has_them() {
        let mut plain = trail("plain", "eu-west-1");
        plain.insights = Some(false);
        let inv = with_trails(vec![("eu-west-1", Some(vec![plain.clone()]))]);
        let out = run(&INSIGHTS_OFF, &inv);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].resource_id, ACCOUNT);
        assert_eq!(
            out.findings[0].evidence["multiRegionTrailsWithoutInsights"],
            json!(["plain"])
        );
        let inv = with_trails(vec![(
            "eu-west-1",
            Some(vec![plain.clone(), trail("insightful", "eu-west-1")]),
        )]);
        assert!(failing(&INSIGHTS_OFF, &inv).is_empty());
        // Insights on a stopped trail, or on a single-region one, do not count.
        let mut stopped = trail("stopped", "eu-west-1");
        stopped.is_logging = Some(false);
        let mut single = trail("single", "eu-west-1");
        single.is_multi_region = false;
        let inv = with_trails(vec![(
            "eu-west-1",
            Some(vec![plain.clone(), stopped, single]),
        )]);
        assert_eq!(failing(&INSIGHTS_OFF, &inv), [ACCOUNT]);
        // Selectors unread: not assessed.
        let mut unread = plain;
        unread.insights = None;
        let out = run(
            &INSIGHTS_OFF,
            &with_trails(vec![("eu-west-1", Some(vec![unread]))]),
        );
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
    }

    #[test]
    fn lambda_invocation_patterns_match_every_function_an_arn_or_a_prefix() {
        let f = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api";
        let with = |patterns: &[&str]| Trail {
            lambda_invocations_logged: Some(patterns.iter().map(|p| p.to_string()).collect()),
            ..Default::default()
        };
        assert_eq!(with(&["*"]).logs_lambda_invocations_of(f), Some(true));
        assert_eq!(with(&[f]).logs_lambda_invocations_of(f), Some(true));
        assert_eq!(
            with(&["arn:aws:lambda:eu-west-1:123456789012:function:orders-*"])
                .logs_lambda_invocations_of(f),
            Some(true)
        );
        assert_eq!(
            with(&["arn:aws:lambda:eu-west-1:123456789012:function:billing"])
                .logs_lambda_invocations_of(f),
            Some(false)
        );
        assert_eq!(with(&[]).logs_lambda_invocations_of(f), Some(false));
        assert_eq!(Trail::default().logs_lambda_invocations_of(f), None);
    }
}
