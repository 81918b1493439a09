//! Compliance reports: every control of a framework ([`vigil_checks::compliance`]) with a
//! status derived from what Vigil knows of the connections in scope (docs/graphql.md,
//! "Compliance reports", says the same for customers):
//!
//! - a control its checks assess is **FAIL** when one of them has an open finding on a
//!   connection in scope, else **NOT_ASSESSED** when a connection was never scanned to the
//!   end or its latest completed scan could not read a service one of the checks reads,
//!   else **PASS**. Suppressed findings (accepted with a reason) do not fail a control, as
//!   in AWS Security Hub; they are counted beside it.
//! - a CIS monitoring control (4.x) that built-in detection rules watch is **PASS** when
//!   the rules are on and every connection in scope had its CloudTrail events ingested in
//!   the last [`INGEST_FRESH`]; **NOT_ASSESSED** otherwise. The evidence names the rules,
//!   the calls of the benchmark's metric filter they watch, when events were last ingested,
//!   and each rule's last alert. Its CloudWatch check (the benchmark's metric filter, alarm
//!   and subscribed topic) is judged beside them as any check: the control passes when
//!   either passes, else takes the check's FAIL or NOT_ASSESSED, with both reasons.
//! - a control the framework calls automated that no check assesses is **NOT_ASSESSED**.
//! - any other control is **MANUAL**, or **ATTESTED** while an attestation holds.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use vigil_checks::compliance::{Control, Framework};

use crate::{
    db::TenantTx,
    ids::AwsAccountId,
    store::{
        aws_accounts::AwsAccount,
        compliance::{self as store, Attestation, Failing, LastMatch, LastScan},
    },
};

/// How recent a connection's last ingestion must be for its detections to evidence a
/// monitoring control (ingestion runs every `VIGIL_INGEST_INTERVAL`, 5 minutes by default).
pub const INGEST_FRESH: Duration = Duration::hours(24);

/// Most failing resources a report lists per control (the count is always whole).
pub const MAX_FAILING: i64 = 100;

/// Where a control stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Assessed, nothing failing.
    Pass,
    /// Open findings of its checks.
    Fail,
    /// Could not be assessed: never scanned, a service unreadable, no events ingested, or
    /// no Vigil check for it.
    NotAssessed,
    /// Not automatable: a person must judge it.
    Manual,
    /// Manual, with an attestation in force.
    Attested,
}

impl Status {
    /// The name used in exports (`PASS`, `NOT_ASSESSED`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotAssessed => "NOT_ASSESSED",
            Status::Manual => "MANUAL",
            Status::Attested => "ATTESTED",
        }
    }
}

/// A CIS monitoring control and the built-in detections that watch what its metric filter
/// and alarm would.
#[derive(Debug)]
pub struct Monitoring {
    /// The control, e.g. `4.5`.
    pub control: &'static str,
    /// Built-in rule (or correlation) IDs watching the same calls.
    pub rules: &'static [&'static str],
    /// The calls the benchmark's metric filter names (empty: it filters on a condition of
    /// every call, said in `condition`).
    pub calls: &'static [&'static str],
    /// What the metric filter matches, in words.
    pub condition: &'static str,
}

/// The CIS AWS Foundations v5.0.0 monitoring controls, each with Vigil's detections of the
/// same activity. 4.12 (network gateways), 4.13 (route tables) and 4.14 (VPCs) have no
/// built-in detection yet and stay MANUAL. 4.16 (Security Hub enabled) is a configuration
/// control, not a metric filter.
pub static MONITORING: &[Monitoring] = &[
    Monitoring {
        control: "4.1",
        rules: &["vigil-api-call-denied", "vigil-recon-access-denied-burst"],
        calls: &[],
        condition: "any call answered AccessDenied or UnauthorizedOperation",
    },
    Monitoring {
        control: "4.2",
        rules: &[
            "vigil-console-login-without-mfa",
            "vigil-root-console-login-without-mfa",
        ],
        calls: &["ConsoleLogin"],
        condition: "console sign-ins without MFA",
    },
    Monitoring {
        control: "4.3",
        rules: &[
            "vigil-root-account-usage",
            "vigil-root-console-login",
            "vigil-root-console-login-without-mfa",
        ],
        calls: &[],
        condition: "any call by the root user",
    },
    Monitoring {
        control: "4.4",
        rules: &[
            "vigil-iam-inline-policy-allows-all-actions",
            "vigil-iam-administrator-policy-attached",
            "vigil-iam-privileged-managed-policy-attached",
            "vigil-iam-policy-default-version-changed",
            "vigil-iam-policy-grants-iam-escalation",
        ],
        calls: &[
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ],
        condition: "IAM policy changes",
    },
    Monitoring {
        control: "4.5",
        rules: &[
            "vigil-cloudtrail-logging-stopped",
            "vigil-cloudtrail-trail-modified",
            "vigil-cloudtrail-trail-created",
            "vigil-cloudtrail-trail-scope-reduced",
            "vigil-cloudtrail-event-selectors-narrowed",
        ],
        calls: &[
            "CreateTrail",
            "UpdateTrail",
            "DeleteTrail",
            "StartLogging",
            "StopLogging",
        ],
        condition: "CloudTrail configuration changes",
    },
    Monitoring {
        control: "4.6",
        rules: &[
            "vigil-console-login-failed",
            "vigil-console-login-brute-force",
            "vigil-console-login-password-spraying",
        ],
        calls: &["ConsoleLogin"],
        condition: "failed console sign-ins",
    },
    Monitoring {
        control: "4.7",
        rules: &["vigil-kms-key-disabled-or-deletion-scheduled"],
        calls: &["DisableKey", "ScheduleKeyDeletion"],
        condition: "customer-managed keys disabled or scheduled for deletion",
    },
    Monitoring {
        control: "4.8",
        rules: &[
            "vigil-s3-bucket-policy-changed",
            "vigil-s3-bucket-policy-deleted",
            "vigil-s3-bucket-policy-grants-public-access",
            "vigil-s3-bucket-acl-public",
        ],
        calls: &[
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ],
        condition: "S3 bucket policy changes",
    },
    Monitoring {
        control: "4.9",
        rules: &[
            "vigil-config-recording-stopped",
            "vigil-config-rules-deleted",
        ],
        calls: &[
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ],
        condition: "AWS Config configuration changes",
    },
    Monitoring {
        control: "4.10",
        rules: &["vigil-ec2-security-group-open-to-world"],
        calls: &[
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ],
        condition: "security group changes",
    },
    Monitoring {
        control: "4.11",
        rules: &["vigil-ec2-network-acl-allows-world"],
        calls: &[
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ],
        condition: "network ACL changes",
    },
    Monitoring {
        control: "4.15",
        rules: &[
            "vigil-organizations-account-left",
            "vigil-organizations-account-removed",
        ],
        calls: &[
            "AcceptHandshake",
            "AttachPolicy",
            "CreateAccount",
            "CreateOrganizationalUnit",
            "CreatePolicy",
            "DeclineHandshake",
            "DeleteOrganization",
            "DeleteOrganizationalUnit",
            "DeletePolicy",
            "DetachPolicy",
            "DisablePolicyType",
            "EnablePolicyType",
            "InviteAccountToOrganization",
            "LeaveOrganization",
            "MoveAccount",
            "RemoveAccountFromOrganization",
            "UpdatePolicy",
            "UpdateOrganizationalUnit",
        ],
        condition: "AWS Organizations changes",
    },
];

/// The CIS framework's ID.
pub const CIS: &str = "cis-aws-5.0";

/// The monitoring entry of a control, for the CIS framework.
pub fn monitoring(framework: &str, control: &str) -> Option<&'static Monitoring> {
    (framework == CIS)
        .then(|| MONITORING.iter().find(|m| m.control == control))
        .flatten()
}

/// One detection rule as evidence.
#[derive(Debug, Clone)]
pub struct RuleEvidence {
    pub rule_id: &'static str,
    pub title: String,
    /// Whether the rule runs on the tenant's events (built-in rules always do).
    pub enabled: bool,
    /// Whether it raises alerts itself (a rule that only feeds a correlation does not).
    pub raises_alerts: bool,
    /// Its latest alert on a connection in scope.
    pub last_match: Option<LastMatch>,
}

/// What evidences a monitoring control.
#[derive(Debug, Clone)]
pub struct DetectionEvidence {
    pub rules: Vec<RuleEvidence>,
    /// The calls the benchmark's metric filter names.
    pub benchmark_calls: Vec<&'static str>,
    /// Those some rule watches (a rule may alert on only the risky uses of a call).
    pub watched_calls: Vec<&'static str>,
    /// What the metric filter matches, in words.
    pub condition: &'static str,
    /// The oldest of the connections' last ingestions (`None`: one was never ingested).
    pub events_ingested_at: Option<DateTime<Utc>>,
    /// The latest alert of any of the rules.
    pub last_match: Option<LastMatch>,
}

/// One control in a report.
#[derive(Debug, Clone)]
pub struct ControlReport {
    pub control: &'static Control,
    pub status: Status,
    /// Why, in a sentence.
    pub reason: String,
    /// The checks assessing it.
    pub checks: Vec<&'static str>,
    /// Open findings of its checks in scope (all of them, however many are listed).
    pub failing_count: i64,
    /// Suppressed findings of its checks in scope.
    pub suppressed_count: i64,
    /// Up to the report's limit of failing resources, most severe first.
    pub failing: Vec<Failing>,
    pub detection: Option<DetectionEvidence>,
    /// The attestation in force for it, if any.
    pub attestation: Option<Attestation>,
}

/// A connection in scope and what the report judged it by.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub account: AwsAccount,
    pub last_scan: Option<LastScan>,
}

/// A framework's report over some connections.
#[derive(Debug, Clone)]
pub struct Report {
    pub framework: &'static Framework,
    pub generated_at: DateTime<Utc>,
    pub accounts: Vec<AccountState>,
    pub controls: Vec<ControlReport>,
}

impl Report {
    /// How many controls have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }

    /// Passed controls over assessed ones (PASS + FAIL), as a percentage rounded down to a
    /// tenth; `None` when nothing was assessed.
    pub fn score(&self) -> Option<f64> {
        let (pass, fail) = (self.count(Status::Pass), self.count(Status::Fail));
        (pass + fail > 0).then(|| (pass * 1000 / (pass + fail)) as f64 / 10.0)
    }
}

/// The service a scan's problem names, as a check's source names it (S3's account-level
/// block is read through S3 Control).
fn problem_service(service: &str) -> &str {
    match service {
        "s3control" => "s3",
        other => other,
    }
}

/// Builds the report of `framework` over `accounts` (the caller resolved them within the
/// tenant), as of `now`, listing up to `failing_limit` failing resources per control.
pub async fn report(
    tx: &mut TenantTx,
    framework: &'static Framework,
    accounts: Vec<AwsAccount>,
    now: DateTime<Utc>,
    failing_limit: i64,
) -> Result<Report, sqlx::Error> {
    let ids: Vec<AwsAccountId> = accounts.iter().map(|a| a.aws_account_id).collect();
    let failing_limit = failing_limit.clamp(0, MAX_FAILING);

    let all_rules: BTreeSet<&'static str> = framework
        .controls
        .iter()
        .flat_map(|c| framework.rules_for(&c.id).iter().map(|r| r.id))
        .collect();
    let all_rules: Vec<&str> = all_rules.into_iter().collect();
    let counts = store::rule_counts(tx, &ids, &all_rules).await?;
    let failing_rules: Vec<&str> = all_rules
        .iter()
        .copied()
        .filter(|r| counts.iter().any(|c| c.rule_id == *r && c.open > 0))
        .collect();
    let failing = if failing_rules.is_empty() || failing_limit == 0 {
        Vec::new()
    } else {
        store::failing(tx, &ids, &failing_rules, failing_limit).await?
    };
    let scans = store::last_scans(tx, &ids).await?;
    let detection_rules: Vec<&str> = if framework.id == CIS {
        MONITORING
            .iter()
            .flat_map(|m| m.rules.iter().copied())
            .collect()
    } else {
        Vec::new()
    };
    let matches = if detection_rules.is_empty() {
        Vec::new()
    } else {
        store::last_matches(tx, &ids, &detection_rules).await?
    };
    let attestations = store::live(tx, &framework.id, now).await?;

    let scan_of: HashMap<AwsAccountId, &LastScan> =
        scans.iter().map(|s| (s.aws_account_id, s)).collect();
    let controls = framework
        .controls
        .iter()
        .map(|control| {
            let mut c = ControlReport {
                control,
                status: Status::Manual,
                reason: String::new(),
                checks: framework
                    .rules_for(&control.id)
                    .iter()
                    .map(|r| r.id)
                    .collect(),
                failing_count: 0,
                suppressed_count: 0,
                failing: Vec::new(),
                detection: None,
                attestation: attestation_for(&attestations, &control.id, &ids),
            };
            if !c.checks.is_empty() {
                judge_checks(
                    &mut c,
                    framework,
                    &accounts,
                    &scan_of,
                    &counts,
                    &failing,
                    failing_limit,
                );
                if let Some(m) = monitoring(&framework.id, &control.id) {
                    let (status, reason) = (c.status, std::mem::take(&mut c.reason));
                    judge_detections(&mut c, m, &accounts, &matches, now);
                    either_evidence(&mut c, status, reason);
                }
            } else if let Some(m) = monitoring(&framework.id, &control.id) {
                judge_detections(&mut c, m, &accounts, &matches, now);
            } else if control.automated {
                c.status = Status::NotAssessed;
                c.reason = "no Vigil check assesses this control yet".into();
            } else {
                c.reason = "not automatable: a person must judge it (it can be attested)".into();
            }
            if c.status == Status::Manual
                && let Some(a) = &c.attestation
            {
                c.status = Status::Attested;
                c.reason = format!(
                    "attested by {} (owner {}) until {}",
                    a.attested_by,
                    a.owner,
                    a.expires_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            c
        })
        .collect();
    Ok(Report {
        framework,
        generated_at: now,
        accounts: accounts
            .into_iter()
            .map(|account| {
                let last_scan = scan_of.get(&account.aws_account_id).map(|s| (*s).clone());
                AccountState { account, last_scan }
            })
            .collect(),
        controls,
    })
}

/// The attestation in force for `control` over `accounts`: a tenant-wide one (the newest),
/// else, when every connection has one of its own, the one that expires first.
fn attestation_for(
    all: &[Attestation],
    control: &str,
    accounts: &[AwsAccountId],
) -> Option<Attestation> {
    let of_control = || all.iter().filter(|a| a.control_id == control);
    if let Some(a) = of_control().find(|a| a.aws_account_id.is_none()) {
        return Some(a.clone());
    }
    let mut per_account = Vec::new();
    for id in accounts {
        per_account.push(of_control().find(|a| a.aws_account_id == Some(*id))?);
    }
    per_account
        .into_iter()
        .min_by_key(|a| a.expires_at)
        .cloned()
}

fn name(a: &AwsAccount) -> String {
    match &a.account_id {
        Some(id) => format!("{} ({id})", a.name),
        None => a.name.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_checks(
    c: &mut ControlReport,
    framework: &Framework,
    accounts: &[AwsAccount],
    scan_of: &HashMap<AwsAccountId, &LastScan>,
    counts: &[store::RuleCount],
    failing: &[Failing],
    limit: i64,
) {
    let rules = framework.rules_for(&c.control.id);
    for n in counts
        .iter()
        .filter(|n| c.checks.contains(&n.rule_id.as_str()))
    {
        c.failing_count += n.open;
        c.suppressed_count += n.suppressed;
    }
    if c.failing_count > 0 {
        let mut list: Vec<Failing> = failing
            .iter()
            .filter(|f| c.checks.contains(&f.rule_id.as_str()))
            .cloned()
            .collect();
        list.sort_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then(b.last_seen_at.cmp(&a.last_seen_at))
                .then(b.finding_id.cmp(&a.finding_id))
        });
        list.truncate(usize::try_from(limit).unwrap_or(0));
        c.failing = list;
        c.status = Status::Fail;
        c.reason = format!(
            "{} open finding{} of {}",
            c.failing_count,
            if c.failing_count == 1 { "" } else { "s" },
            c.checks.join(", ")
        );
        return;
    }
    if accounts.is_empty() {
        c.status = Status::NotAssessed;
        c.reason = "no connected AWS account".into();
        return;
    }
    let services: BTreeSet<&str> = rules
        .iter()
        .flat_map(|r| r.sources.iter().map(|s| s.service()))
        .collect();
    let mut missing = Vec::new();
    for a in accounts {
        let Some(scan) = scan_of.get(&a.aws_account_id) else {
            missing.push(format!("{} was never scanned to the end", name(a)));
            continue;
        };
        let unread: BTreeSet<String> = scan
            .problems
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let service = problem_service(p["service"].as_str()?);
                services.contains(service).then(|| {
                    format!(
                        "{} in {}",
                        p["operation"].as_str().unwrap_or("a read"),
                        p["region"].as_str().unwrap_or("?")
                    )
                })
            })
            .collect();
        if !unread.is_empty() {
            missing.push(format!(
                "the latest scan of {} could not read {}",
                name(a),
                unread.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if missing.is_empty() {
        c.status = Status::Pass;
        c.reason = format!("no open finding of {}", c.checks.join(", "));
    } else {
        c.status = Status::NotAssessed;
        c.reason = missing.join("; ");
    }
}

/// A monitoring control its metric-filter check (`checks`) and Vigil's detections (already
/// judged into `c`) both evidence: PASS when either passes, else the check's FAIL or
/// NOT_ASSESSED; the reason gives both.
fn either_evidence(c: &mut ControlReport, checks: Status, checks_reason: String) {
    let detections = std::mem::take(&mut c.reason);
    let (status, reason) = if c.status == Status::Pass {
        (
            Status::Pass,
            format!("{detections}; CloudWatch metric filter and alarm: {checks_reason}"),
        )
    } else {
        (
            checks,
            format!(
                "CloudWatch metric filter and alarm: {checks_reason}; detections: {detections}"
            ),
        )
    };
    c.status = status;
    c.reason = reason;
}

fn judge_detections(
    c: &mut ControlReport,
    m: &'static Monitoring,
    accounts: &[AwsAccount],
    matches: &[LastMatch],
    now: DateTime<Utc>,
) {
    let mut names = BTreeSet::new();
    let mut any_name = false;
    let rules: Vec<RuleEvidence> = m
        .rules
        .iter()
        .map(|&id| {
            let meta = vigil_detect::builtin::meta_by_id(id);
            match vigil_detect::builtin::by_id(id).map(|r| r.event_names()) {
                Some(Some(n)) => names.extend(n.iter().cloned()),
                // A rule of any event name (root usage), or a correlation over other rules.
                Some(None) => any_name = true,
                None => {}
            }
            RuleEvidence {
                rule_id: id,
                title: meta.map_or_else(|| id.to_owned(), |m| m.title.clone()),
                enabled: meta.is_some(),
                raises_alerts: meta.is_some() && vigil_detect::builtin::generates(id),
                last_match: matches
                    .iter()
                    .filter(|l| l.rule_id == id)
                    .max_by_key(|l| l.last_seen_at)
                    .cloned(),
            }
        })
        .collect();
    let watched_calls = m
        .calls
        .iter()
        .copied()
        .filter(|call| any_name || names.contains(&call.to_lowercase()))
        .collect();
    let ingested = accounts
        .iter()
        .map(|a| a.activity_read_at)
        .collect::<Vec<_>>();
    let events_ingested_at = if ingested.is_empty() {
        None
    } else {
        ingested.iter().copied().min().flatten()
    };
    let last_match = rules
        .iter()
        .filter_map(|r| r.last_match.clone())
        .max_by_key(|l| l.last_seen_at);
    let enabled = rules.iter().filter(|r| r.enabled).count();
    let stale: Vec<String> = accounts
        .iter()
        .filter(|a| a.activity_read_at.is_none_or(|t| t < now - INGEST_FRESH))
        .map(name)
        .collect();
    if enabled == 0 {
        c.status = Status::Manual;
        c.reason = "no enabled detection watches this activity".into();
    } else if accounts.is_empty() {
        c.status = Status::NotAssessed;
        c.reason = "no connected AWS account".into();
    } else if !stale.is_empty() {
        c.status = Status::NotAssessed;
        c.reason = format!(
            "no CloudTrail events ingested in the last 24 hours for {}",
            stale.join(", ")
        );
    } else {
        c.status = Status::Pass;
        c.reason = format!(
            "{enabled} detection rule{} on and CloudTrail events ingested in the last 24 hours; {}",
            if enabled == 1 { "" } else { "s" },
            match &last_match {
                Some(l) => format!("last match {}", l.last_seen_at.format("%Y-%m-%d %H:%M UTC")),
                None => "no match yet".into(),
            }
        );
    }
    c.detection = Some(DetectionEvidence {
        rules,
        benchmark_calls: m.calls.to_vec(),
        watched_calls,
        condition: m.condition,
        events_ingested_at,
        last_match,
    });
}

/// The connections a report covers: `account` alone (`None` when the tenant has no such
/// connection: another tenant's reads the same), or every connection of the tenant that
/// was verified (one still pending is no AWS account yet).
pub async fn scope(
    tx: &mut TenantTx,
    account: Option<AwsAccountId>,
) -> Result<Option<Vec<AwsAccount>>, sqlx::Error> {
    Ok(match account {
        Some(id) => crate::store::aws_accounts::get(tx, id)
            .await?
            .map(|a| vec![a]),
        None => Some(
            crate::store::aws_accounts::list(tx)
                .await?
                .into_iter()
                .filter(|a| a.account_id.is_some())
                .collect(),
        ),
    })
}

/// The CIS v5.0 controls the framework calls automated that Vigil's checks assess: the
/// number the README states.
pub fn cis_automated_covered() -> (usize, usize) {
    let cis = vigil_checks::compliance::framework(CIS).expect("the CIS catalogue is built in");
    let automated: Vec<_> = cis.controls.iter().filter(|c| c.automated).collect();
    let covered = automated
        .iter()
        .filter(|c| !cis.rules_for(&c.id).is_empty())
        .count();
    (covered, automated.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_monitoring_rule_is_a_built_in_detection_and_every_control_is_cis_monitoring() {
        let cis = vigil_checks::compliance::framework(CIS).unwrap();
        for m in MONITORING {
            let control = cis.control(m.control).expect(m.control);
            assert!(control.section.starts_with("4 "), "{}", m.control);
            assert!(!m.rules.is_empty());
            for id in m.rules {
                assert!(
                    vigil_detect::builtin::meta_by_id(id).is_some(),
                    "{}: no built-in rule {id}",
                    m.control
                );
            }
        }
    }

    #[test]
    fn monitoring_rules_watch_calls_the_benchmark_names() {
        // Each control with named calls has at least one of them watched by its rules.
        for m in MONITORING.iter().filter(|m| !m.calls.is_empty()) {
            let watched = m.calls.iter().any(|call| {
                m.rules.iter().any(|id| {
                    vigil_detect::builtin::by_id(id).is_some_and(|r| {
                        r.event_names()
                            .is_none_or(|n| n.contains(&call.to_lowercase()))
                    })
                })
            });
            assert!(watched, "{}: no rule watches any of its calls", m.control);
        }
    }

    #[test]
    fn the_readme_states_the_computed_cis_coverage() {
        let (covered, automated) = cis_automated_covered();
        assert_eq!(automated, 35);
        let readme = include_str!("../../README.md");
        let claim = format!("{covered} of the {automated} automated controls");
        assert!(readme.contains(&claim), "README must say {claim:?}");
    }
}
