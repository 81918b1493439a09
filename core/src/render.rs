//! JSON views of findings, alerts and scans, in the GraphQL API's field names, shared by
//! the JSON exports and the webhook payloads so an integration sees one shape everywhere.
//! `account` is the 12-digit AWS account ID of the row's connection.

use serde_json::{Value, json};

use crate::store::{alerts, findings, scans};

/// A finding with its rule's title, description, remediation and compliance references.
pub fn finding_json(f: &findings::Finding, account: &str) -> Value {
    let rule = vigil_checks::rule(&f.rule_id);
    json!({
        "id": f.finding_id.to_string(), "ruleId": f.rule_id,
        "title": rule.map_or(f.rule_id.as_str(), |r| r.title),
        "severity": f.severity.as_str().to_uppercase(), "status": f.status.as_str().to_uppercase(),
        "awsAccountId": f.aws_account_id.to_string(), "accountId": account, "region": f.region,
        "resourceType": f.resource_type, "resourceId": f.resource_id, "resourceArn": f.resource_arn,
        "description": rule.map_or("", |r| r.description), "remediation": rule.map_or("", |r| r.remediation),
        "compliance": rule.map(|r| r.compliance.to_vec()).unwrap_or_default(), "evidence": f.evidence,
        "firstSeenAt": f.first_seen_at, "lastSeenAt": f.last_seen_at, "resolvedAt": f.resolved_at,
        "suppressedReason": f.suppressed_reason,
    })
}

/// An alert with its rule's description, runbook and ATT&CK techniques.
pub fn alert_json(a: &alerts::Alert, account: &str) -> Value {
    let meta = vigil_detect::builtin::meta_by_id(&a.rule_id);
    json!({
        "id": a.alert_id.to_string(), "ruleId": a.rule_id, "title": a.title,
        "severity": a.severity.as_str().to_uppercase(), "status": a.status.as_str().to_uppercase(),
        "awsAccountId": a.aws_account_id.to_string(), "accountId": account, "region": a.region,
        "eventName": a.event_name, "eventSource": a.event_source, "principalArn": a.principal_arn,
        "sourceIpAddress": a.source_ip, "sourceResource": a.source_resource,
        "eventCount": a.event_count, "eventIds": a.event_ids,
        "firstSeenAt": a.first_seen_at, "lastSeenAt": a.last_seen_at,
        "acknowledgedBy": a.acknowledged_by, "acknowledgedAt": a.acknowledged_at, "closedAt": a.closed_at,
        "description": meta.map_or("", |m| m.description.as_str()),
        "runbook": meta.and_then(|m| m.runbook.clone()),
        "techniques": meta.map(|m| m.techniques()).unwrap_or_default(),
    })
}

/// A finished (or running) scan's outcome.
pub fn scan_json(s: &scans::Scan, account: &str) -> Value {
    json!({
        "id": s.scan_id.to_string(), "awsAccountId": s.aws_account_id.to_string(), "accountId": account,
        "status": s.status.as_str().to_uppercase(), "trigger": s.trigger.to_uppercase(),
        "regionsTotal": s.regions_total, "regionsDone": s.regions_done,
        "findingsOpened": s.findings_opened, "findingsResolved": s.findings_resolved,
        "resourcesSeen": s.resources_seen, "error": s.error, "problems": s.problems,
        "createdAt": s.created_at, "startedAt": s.started_at, "finishedAt": s.finished_at,
    })
}
