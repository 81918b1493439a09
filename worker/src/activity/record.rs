//! CloudTrail records into storable events.

use chrono::{DateTime, Utc};
use serde_json::Value;
use vigil_core::store::events::NewEvent;

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Normalises one CloudTrail record. `own_session` is the session name Vigil uses in this
/// account (`vigil-<tenant>`): events of that session are marked `own`. Returns `None`
/// for records without an event ID or a readable time (nothing to key them by).
pub fn normalize(raw: Value, own_session: &str) -> Option<NewEvent> {
    let event_id = text(&raw["eventID"])?;
    let occurred_at: DateTime<Utc> = raw["eventTime"].as_str()?.parse().ok()?;
    let identity = &raw["userIdentity"];
    let principal_arn = text(&identity["arn"]);
    let own = principal_arn.as_deref().is_some_and(|arn| {
        arn.contains(":assumed-role/") && arn.ends_with(&format!("/{own_session}"))
    });
    let read_only = match &raw["readOnly"] {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    Some(NewEvent {
        event_id,
        occurred_at,
        event_name: text(&raw["eventName"]).unwrap_or_default(),
        event_source: text(&raw["eventSource"]).unwrap_or_default(),
        region: text(&raw["awsRegion"]).unwrap_or_else(|| "us-east-1".into()),
        principal_type: text(&identity["type"]),
        access_key_id: text(&identity["accessKeyId"]),
        source_ip: text(&raw["sourceIPAddress"]),
        user_agent: text(&raw["userAgent"]),
        error_code: text(&raw["errorCode"]),
        read_only,
        resources: raw
            .get("resources")
            .cloned()
            .filter(Value::is_array)
            .unwrap_or(Value::Array(vec![])),
        principal_arn,
        own,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_record_keeps_its_filterable_fields_and_vigils_own_calls_are_marked() {
        let raw = json!({
            "eventID": "e-1", "eventTime": "2026-11-28T10:00:00Z", "eventName": "DescribeVpcs",
            "eventSource": "ec2.amazonaws.com", "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.9",
            "readOnly": true, "errorCode": "Client.UnauthorizedOperation",
            "userIdentity": { "type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/VigilReadOnly/vigil-t1", "accessKeyId": "ASIA1" }
        });
        let e = normalize(raw.clone(), "vigil-t1").unwrap();
        assert_eq!(
            (e.event_name.as_str(), e.region.as_str()),
            ("DescribeVpcs", "eu-west-1")
        );
        assert_eq!(
            e.error_code.as_deref(),
            Some("Client.UnauthorizedOperation")
        );
        assert_eq!(e.read_only, Some(true));
        assert!(e.own);
        assert!(!normalize(raw, "vigil-other").unwrap().own);
    }

    #[test]
    fn a_record_without_id_or_time_is_skipped() {
        assert!(normalize(json!({ "eventTime": "2026-11-28T10:00:00Z" }), "s").is_none());
        assert!(normalize(json!({ "eventID": "x", "eventTime": "yesterday" }), "s").is_none());
    }
}
