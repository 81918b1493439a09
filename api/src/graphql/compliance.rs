//! Compliance reports: the frameworks, a framework's report over one connection or all of
//! them (built by `vigil_core::compliance`), and attestations of manual controls (analysts
//! and up, as for suppressing a finding: both accept something on the tenant's behalf).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use vigil_core::{
    compliance::{self, Status},
    ids::AwsAccountId,
    roles::Permission,
    store::{audit, compliance as store},
};

use super::{
    context::{require, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::SeverityGql,
};
use crate::input::gql_time;

/// Where a control stands in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "ComplianceStatus")]
pub enum ComplianceStatusGql {
    /// Assessed: no open finding of its checks, or (monitoring controls) its detections
    /// are on and events are being ingested.
    Pass,
    /// Open findings of its checks; `failingResources` lists them.
    Fail,
    /// Could not be assessed: a connection never scanned, a service its checks read could
    /// not be read, no events ingested in the last day, or no Vigil check for it.
    NotAssessed,
    /// Not automatable: a person must judge it; it can be attested.
    Manual,
    /// A manual control with an attestation in force (`attestation`).
    Attested,
}

impl From<Status> for ComplianceStatusGql {
    fn from(s: Status) -> Self {
        match s {
            Status::Pass => Self::Pass,
            Status::Fail => Self::Fail,
            Status::NotAssessed => Self::NotAssessed,
            Status::Manual => Self::Manual,
            Status::Attested => Self::Attested,
        }
    }
}

/// A compliance framework Vigil reports on.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceFramework {
    /// What `complianceReport(framework:)` takes, e.g. `cis-aws-5.0`.
    pub id: String,
    /// The framework's full name.
    pub name: String,
    /// The framework's version.
    pub version: String,
    /// Every control.
    pub controls_total: i32,
    /// Controls the framework calls automated.
    pub controls_automated: i32,
    /// Controls Vigil's checks or detections assess.
    pub controls_covered: i32,
    /// Where the control catalogue came from.
    pub source: String,
}

/// An open finding failing a control: the resource.
#[derive(Debug, Clone, SimpleObject)]
pub struct FailingResource {
    /// The finding (`finding(id:)`).
    pub finding_id: ID,
    /// The connection.
    pub aws_account_id: ID,
    /// The check, e.g. `ec2-sg-ssh-open`.
    pub rule_id: String,
    /// The region, or `global`.
    pub region: String,
    /// The kind of resource, e.g. `AWS::EC2::SecurityGroup`.
    pub resource_type: String,
    /// The resource's ID.
    pub resource_id: String,
    /// The resource's ARN, when it has one.
    pub resource_arn: Option<String>,
    /// The finding's severity.
    pub severity: SeverityGql,
    /// When a scan first saw it fail.
    pub first_seen_at: DateTime<Utc>,
    /// When a scan last saw it fail.
    pub last_seen_at: DateTime<Utc>,
}

/// The latest alert of a detection rule.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionMatch {
    /// The alert.
    pub alert_id: ID,
    /// The rule that raised it.
    pub rule_id: String,
    /// The connection it is about.
    pub aws_account_id: ID,
    /// When the alert last grew.
    pub at: DateTime<Utc>,
}

/// A built-in detection rule evidencing a monitoring control.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionRuleEvidence {
    /// The built-in rule's ID, e.g. `vigil-root-account-usage`.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// Whether it runs on the tenant's events.
    pub enabled: bool,
    /// Whether it raises alerts itself (false: it feeds a correlation rule).
    pub raises_alerts: bool,
    /// Its latest alert on the connections in scope.
    pub last_match: Option<DetectionMatch>,
}

/// How Vigil's detections evidence a CIS monitoring control (instead of a CloudWatch
/// metric filter and alarm).
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionEvidence {
    /// The built-in rules watching the activity.
    pub rules: Vec<DetectionRuleEvidence>,
    /// What the benchmark's metric filter matches, in words.
    pub condition: String,
    /// The calls the benchmark's metric filter names (empty: a condition on every call).
    pub benchmark_calls: Vec<String>,
    /// Those a rule watches (a rule may alert only on a call's risky uses).
    pub watched_calls: Vec<String>,
    /// The oldest of the connections' last ingestions; null when one was never ingested.
    pub events_ingested_at: Option<DateTime<Utc>>,
    /// The latest alert of any of the rules.
    pub last_match: Option<DetectionMatch>,
}

/// A statement that a manual control is met.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceAttestation {
    /// The attestation's ID (`revokeComplianceAttestation`).
    pub id: ID,
    /// The framework, e.g. `cis-aws-5.0`.
    pub framework: String,
    /// The control, e.g. `1.1`.
    pub control_id: String,
    /// The connection it is about; null: every connection.
    pub aws_account_id: Option<ID>,
    /// Who owns the control.
    pub owner: String,
    /// What was checked or done.
    pub note: String,
    /// A link to the evidence (`https://`).
    pub evidence_url: Option<String>,
    /// Until when it holds.
    pub expires_at: DateTime<Utc>,
    /// Who attested (the user's email or the API key's name).
    pub attested_by: String,
    /// When it was made.
    pub attested_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl From<store::Attestation> for ComplianceAttestation {
    fn from(a: store::Attestation) -> Self {
        Self {
            id: a.attestation_id.to_string().into(),
            framework: a.framework,
            control_id: a.control_id,
            aws_account_id: a.aws_account_id.map(|i| i.to_string().into()),
            owner: a.owner,
            note: a.note,
            evidence_url: a.evidence_url,
            expires_at: a.expires_at,
            attested_by: a.attested_by,
            attested_at: a.attested_at,
            revoked_at: a.revoked_at,
            revoked_by: a.revoked_by,
        }
    }
}

/// One control in a report.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceControl {
    /// The control's ID in its framework, e.g. `5.3` or `EC2.13`.
    pub id: String,
    /// Its section, e.g. `5 Networking`.
    pub section: String,
    /// Its subsection, if the framework has them.
    pub subsection: Option<String>,
    /// Its title, as the framework words it.
    pub title: String,
    /// CIS profile (`Level 1`) or FSBP severity.
    pub level: Option<String>,
    /// Whether the framework calls it automated.
    pub automated: bool,
    /// Where it stands (see `ComplianceStatus`).
    pub status: ComplianceStatusGql,
    /// Why, in a sentence.
    pub reason: String,
    /// The Vigil checks assessing it.
    pub checks: Vec<String>,
    /// Open findings of its checks (all of them).
    pub failing_count: i64,
    /// Suppressed findings of its checks (they do not fail the control).
    pub suppressed_count: i64,
    /// The failing resources, most severe first, up to the report's `failingLimit`.
    pub failing_resources: Vec<FailingResource>,
    /// For CIS monitoring controls: the detections evidencing them.
    pub detection: Option<DetectionEvidence>,
    /// The attestation in force, if any.
    pub attestation: Option<ComplianceAttestation>,
}

/// A connection in a report and the scan it was judged by.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceAccount {
    /// The connection (`AwsAccount.id`).
    pub aws_account_id: ID,
    /// The connection's name.
    pub name: String,
    /// The 12-digit AWS account.
    pub account_id: Option<String>,
    /// Its latest completed scan (null: never scanned to the end).
    pub scan_id: Option<ID>,
    /// That scan's status: `SUCCEEDED` or `PARTIAL`.
    pub scan_status: Option<String>,
    /// When that scan finished.
    pub scanned_at: Option<DateTime<Utc>>,
    /// When its CloudTrail events were last ingested.
    pub events_ingested_at: Option<DateTime<Utc>>,
}

/// Controls counted by status.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceCounts {
    /// Controls that pass.
    pub pass: i32,
    /// Controls that fail.
    pub fail: i32,
    /// Controls that could not be assessed.
    pub not_assessed: i32,
    /// Manual controls without an attestation.
    pub manual: i32,
    /// Manual controls with an attestation in force.
    pub attested: i32,
}

/// A framework's report.
#[derive(Debug, Clone, SimpleObject)]
pub struct ComplianceReport {
    /// The framework reported on.
    pub framework: ComplianceFramework,
    /// When the report was built.
    pub generated_at: DateTime<Utc>,
    /// The connections covered.
    pub accounts: Vec<ComplianceAccount>,
    /// Passed controls over assessed ones (PASS and FAIL), in percent to a tenth; null
    /// when nothing was assessed.
    pub score: Option<f64>,
    /// Controls counted by status.
    pub counts: ComplianceCounts,
    /// Every control of the framework, in its order.
    pub controls: Vec<ComplianceControl>,
}

/// Default and largest `failingLimit`.
const DEFAULT_FAILING: i32 = 20;

fn framework_gql(f: &vigil_checks::compliance::Framework) -> ComplianceFramework {
    let covered = f
        .controls
        .iter()
        .filter(|c| {
            !f.rules_for(&c.id).is_empty() || compliance::monitoring(&f.id, &c.id).is_some()
        })
        .count();
    ComplianceFramework {
        id: f.id.clone(),
        name: f.name.clone(),
        version: f.version.clone(),
        controls_total: f.controls.len() as i32,
        controls_automated: f.controls.iter().filter(|c| c.automated).count() as i32,
        controls_covered: covered as i32,
        source: f.source.clone(),
    }
}

/// The framework named, or `BAD_USER_INPUT` naming it and the known ones.
pub fn find_framework(id: &str) -> Result<&'static vigil_checks::compliance::Framework, String> {
    vigil_checks::compliance::framework(id).ok_or_else(|| {
        let known: Vec<_> = vigil_checks::compliance::frameworks()
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        format!(
            "framework {:?} is not one Vigil reports on; use one of {}",
            id.chars().take(50).collect::<String>(),
            known.join(", ")
        )
    })
}

fn detection_match(l: store::LastMatch) -> DetectionMatch {
    DetectionMatch {
        alert_id: l.alert_id.to_string().into(),
        rule_id: l.rule_id,
        aws_account_id: l.aws_account_id.to_string().into(),
        at: l.last_seen_at,
    }
}

fn report_gql(r: compliance::Report) -> ComplianceReport {
    let count = |s| r.count(s) as i32;
    ComplianceReport {
        framework: framework_gql(r.framework),
        generated_at: r.generated_at,
        score: r.score(),
        counts: ComplianceCounts {
            pass: count(Status::Pass),
            fail: count(Status::Fail),
            not_assessed: count(Status::NotAssessed),
            manual: count(Status::Manual),
            attested: count(Status::Attested),
        },
        accounts: r
            .accounts
            .iter()
            .map(|a| ComplianceAccount {
                aws_account_id: a.account.aws_account_id.to_string().into(),
                name: a.account.name.clone(),
                account_id: a.account.account_id.clone(),
                scan_id: a.last_scan.as_ref().map(|s| s.scan_id.to_string().into()),
                scan_status: a
                    .last_scan
                    .as_ref()
                    .map(|s| s.status.as_str().to_uppercase()),
                scanned_at: a.last_scan.as_ref().and_then(|s| s.finished_at),
                events_ingested_at: a.account.activity_read_at,
            })
            .collect(),
        controls: r
            .controls
            .into_iter()
            .map(|c| ComplianceControl {
                id: c.control.id.clone(),
                section: c.control.section.clone(),
                subsection: c.control.subsection.clone(),
                title: c.control.title.clone(),
                level: c.control.level.clone(),
                automated: c.control.automated,
                status: c.status.into(),
                reason: c.reason,
                checks: c.checks.iter().map(|s| (*s).to_owned()).collect(),
                failing_count: c.failing_count,
                suppressed_count: c.suppressed_count,
                failing_resources: c
                    .failing
                    .into_iter()
                    .map(|f| FailingResource {
                        finding_id: f.finding_id.to_string().into(),
                        aws_account_id: f.aws_account_id.to_string().into(),
                        rule_id: f.rule_id,
                        region: f.region,
                        resource_type: f.resource_type,
                        resource_id: f.resource_id,
                        resource_arn: f.resource_arn,
                        severity: f.severity.into(),
                        first_seen_at: f.first_seen_at,
                        last_seen_at: f.last_seen_at,
                    })
                    .collect(),
                detection: c.detection.map(|d| DetectionEvidence {
                    rules: d
                        .rules
                        .into_iter()
                        .map(|r| DetectionRuleEvidence {
                            rule_id: r.rule_id.to_owned(),
                            title: r.title,
                            enabled: r.enabled,
                            raises_alerts: r.raises_alerts,
                            last_match: r.last_match.map(detection_match),
                        })
                        .collect(),
                    condition: d.condition.to_owned(),
                    benchmark_calls: d.benchmark_calls.iter().map(|s| (*s).to_owned()).collect(),
                    watched_calls: d.watched_calls.iter().map(|s| (*s).to_owned()).collect(),
                    events_ingested_at: d.events_ingested_at,
                    last_match: d.last_match.map(detection_match),
                }),
                attestation: c.attestation.map(Into::into),
            })
            .collect(),
    }
}

/// Parses an `awsAccountId` argument; malformed reads as absent (`NOT_FOUND` naming it).
fn account_arg(id: Option<&ID>) -> GqlResult<Option<AwsAccountId>> {
    id.map(|i| {
        i.parse::<AwsAccountId>()
            .map_err(|_| GqlError::NotFound("awsAccount"))
    })
    .transpose()
}

/// Reads compliance reports.
#[derive(Default)]
pub struct ComplianceQuery;

#[Object]
impl ComplianceQuery {
    /// The frameworks Vigil reports on.
    async fn compliance_frameworks(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<ComplianceFramework>> {
        require(ctx, Permission::Read)?;
        Ok(vigil_checks::compliance::frameworks()
            .iter()
            .map(framework_gql)
            .collect())
    }

    /// A framework's report (`framework` from `complianceFrameworks`, e.g. `cis-aws-5.0`)
    /// over one connection, or over every verified connection of the tenant when
    /// `awsAccountId` is left out. An unknown framework is `BAD_USER_INPUT`; a connection
    /// that does not exist (or is another tenant's) is `NOT_FOUND`.
    async fn compliance_report(
        &self,
        ctx: &Context<'_>,
        framework: String,
        aws_account_id: Option<ID>,
        #[graphql(desc = "Failing resources listed per control: 20 when left out, 0 to 100.")]
        failing_limit: Option<i32>,
    ) -> GqlResult<ComplianceReport> {
        let p = require(ctx, Permission::Read)?;
        let f = find_framework(&framework).map_err(GqlError::bad_input)?;
        let limit = failing_limit.unwrap_or(DEFAULT_FAILING);
        if !(0..=compliance::MAX_FAILING as i32).contains(&limit) {
            return Err(GqlError::bad_input(format!(
                "failingLimit must be 0 to {}",
                compliance::MAX_FAILING
            )));
        }
        let account = account_arg(aws_account_id.as_ref())?;
        let now = state(ctx)?.clock.now();
        let mut tx = tenant_tx(ctx, p).await?;
        let accounts = compliance::scope(&mut tx, account)
            .await?
            .ok_or(GqlError::NotFound("awsAccount"))?;
        let report = compliance::report(&mut tx, f, accounts, now, i64::from(limit)).await?;
        Ok(report_gql(report))
    }
}

/// Input of `attestComplianceControl`.
#[derive(Debug, InputObject)]
pub struct AttestComplianceControlInput {
    /// The framework, e.g. `cis-aws-5.0`.
    pub framework: String,
    /// A control the framework calls manual, e.g. `1.1`.
    pub control_id: String,
    /// One connection; left out: every connection of the tenant.
    pub aws_account_id: Option<ID>,
    /// Who owns the control (1 to 200 characters).
    pub owner: String,
    /// What was checked or done (1 to 2,000 characters).
    pub note: String,
    /// A link to the evidence: `https://` only, up to 2,000 characters.
    pub evidence_url: Option<String>,
    /// Until when the attestation holds: in the future, at most a year away.
    pub expires_at: DateTime<Utc>,
}

fn text(field: &str, value: &str, max: usize) -> GqlResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(GqlError::BadInput {
            message: format!("{field} must be 1 to {max} characters"),
            field: Some(field.to_owned()),
            line: None,
            reason: None,
        });
    }
    Ok(v.to_owned())
}

/// Accepts an absolute `https://` URL with a host, up to 2,000 characters.
fn evidence_url(url: &str) -> GqlResult<String> {
    let bad = |message: &str| GqlError::BadInput {
        message: message.to_owned(),
        field: Some("evidenceUrl".into()),
        line: None,
        reason: None,
    };
    let too_long = || bad("evidenceUrl must be at most 2000 characters");
    let url = url.trim();
    if url.chars().count() > 2000 {
        return Err(too_long());
    }
    let parsed = url::Url::parse(url).map_err(|_| bad("evidenceUrl is not a URL"))?;
    if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("evidenceUrl must be an https:// URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("evidenceUrl must not carry credentials"));
    }
    // Stored as parsed (`HTTPS://` becomes `https://`, spaces are escaped): what the
    // table's check and every reader expect; escaping can lengthen it.
    let normalized = String::from(parsed);
    if normalized.chars().count() > 2000 {
        return Err(too_long());
    }
    Ok(normalized)
}

/// Records and revokes attestations.
#[derive(Default)]
pub struct ComplianceMutation;

#[Object]
impl ComplianceMutation {
    /// Attests a manual control (analysts and up): the report shows it ATTESTED, with the
    /// owner, note and evidence, until `expiresAt`. Audited.
    async fn attest_compliance_control(
        &self,
        ctx: &Context<'_>,
        input: AttestComplianceControlInput,
    ) -> GqlResult<ComplianceAttestation> {
        let p = require(ctx, Permission::TriageFindings)?;
        let f = find_framework(&input.framework).map_err(GqlError::bad_input)?;
        let control = f.control(input.control_id.trim()).ok_or_else(|| {
            GqlError::bad_input(format!(
                "controlId {:?} is not a control of {}",
                input.control_id.chars().take(20).collect::<String>(),
                f.id
            ))
        })?;
        if control.automated {
            return Err(GqlError::bad_input(format!(
                "control {} is automated: Vigil assesses it from configuration; only manual controls are attested",
                control.id
            )));
        }
        let owner = text("owner", &input.owner, 200)?;
        let note = text("note", &input.note, 2000)?;
        let url = input
            .evidence_url
            .as_deref()
            .map(evidence_url)
            .transpose()?;
        let now = state(ctx)?.clock.now();
        let expires = gql_time("expiresAt", Some(input.expires_at))?.unwrap_or(input.expires_at);
        if expires <= now {
            return Err(GqlError::bad_input("expiresAt must be in the future"));
        }
        if expires > now + Duration::days(365) {
            return Err(GqlError::bad_input(
                "expiresAt must be at most a year away: attest again when it runs out",
            ));
        }
        let account = account_arg(input.aws_account_id.as_ref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        if let Some(id) = account
            && vigil_core::store::aws_accounts::get(&mut tx, id)
                .await?
                .is_none()
        {
            return Err(GqlError::NotFound("awsAccount"));
        }
        let a = store::attest(
            &mut tx,
            &store::NewAttestation {
                framework: &f.id,
                control_id: &control.id,
                aws_account_id: account,
                owner: &owner,
                note: &note,
                evidence_url: url.as_deref(),
                expires_at: expires,
                attested_by: &p.label,
                attested_at: now,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "compliance.attested",
            Some(&format!("{} {}", f.id, control.id)),
            json!({
                "attestation_id": a.attestation_id, "framework": f.id, "control_id": control.id,
                "aws_account_id": account, "owner": owner, "note": note, "evidence_url": url,
                "expires_at": expires,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(a.into())
    }

    /// Revokes an attestation (analysts and up): the control is MANUAL again. Audited.
    async fn revoke_compliance_attestation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<ComplianceAttestation> {
        let p = require(ctx, Permission::TriageFindings)?;
        let id: uuid::Uuid = id.parse().map_err(|_| GqlError::NotFound("attestation"))?;
        let now = state(ctx)?.clock.now();
        let mut tx = tenant_tx(ctx, p).await?;
        let a = store::revoke(&mut tx, id, &p.label, now)
            .await?
            .ok_or(GqlError::NotFound("attestation"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "compliance.attestation_revoked",
            Some(&format!("{} {}", a.framework, a.control_id)),
            json!({ "attestation_id": a.attestation_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(a.into())
    }
}

#[cfg(test)]
mod tests {
    use super::evidence_url;

    #[test]
    fn evidence_links_are_https_urls_stored_as_parsed() {
        assert_eq!(
            evidence_url(" HTTPS://Wiki.Example/a b ").ok().as_deref(),
            Some("https://wiki.example/a%20b")
        );
        for bad in [
            "http://wiki.example/x",
            "javascript:alert(1)",
            "https://",
            "https://user:pw@wiki.example/",
            "wiki.example/x",
        ] {
            assert!(evidence_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://wiki.example/{}", "a".repeat(1990));
        assert!(evidence_url(&long).is_err());
        // Within the limit as typed, past it once escaped.
        let spaces = format!("https://wiki.example/{}", " ".repeat(700));
        assert!(evidence_url(&format!("{spaces}x")).is_err());
    }
}
