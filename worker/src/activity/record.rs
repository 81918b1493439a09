//! CloudTrail records into storable events.

use chrono::{DateTime, Utc};
use serde_json::Value;
use vigil_core::store::events::NewEvent;

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The principal ARN CloudTrail records for calls made through `session` of the role
/// `role_arn`: `arn:<partition>:iam::<account>:role/<path/>Name` is assumed as
/// `arn:<partition>:sts::<account>:assumed-role/Name/<session>` (the path is dropped).
/// `None` when `role_arn` is not a role ARN.
pub fn assumed_role_arn(role_arn: &str, session: &str) -> Option<String> {
    let mut parts = role_arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    (!name.is_empty() && !account.is_empty())
        .then(|| format!("arn:{partition}:sts::{account}:assumed-role/{name}/{session}"))
}

/// Normalises one CloudTrail record. `own_arn` is the principal of Vigil's own session in
/// this account (see [`assumed_role_arn`]): only events of exactly that principal are
/// marked `own`, never another role's session that merely carries Vigil's session name.
/// CloudTrail writes every record as an object with an event ID, a time, a name and a
/// source; without them there is nothing to key the event by or to match rules on, and
/// the error completes "record N ..." (the field that is missing).
pub fn normalize(raw: Value, own_arn: Option<&str>) -> Result<NewEvent, &'static str> {
    if !raw.is_object() {
        return Err("is not a JSON object");
    }
    let event_id = text(&raw["eventID"]).ok_or("has no eventID")?;
    let occurred_at: DateTime<Utc> = raw["eventTime"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .ok_or("has no valid eventTime")?;
    let event_name = text(&raw["eventName"]).ok_or("has no eventName")?;
    let event_source = text(&raw["eventSource"]).ok_or("has no eventSource")?;
    let identity = &raw["userIdentity"];
    let principal_arn = text(&identity["arn"]);
    let own = own_arn.is_some_and(|own| principal_arn.as_deref() == Some(own));
    let read_only = match &raw["readOnly"] {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    Ok(NewEvent {
        event_id,
        occurred_at,
        event_name,
        event_source,
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

/// The event times ingestion accepts: each distinct day is a partition of the events
/// table all tenants share, so a file dated across years must not create thousands.
#[derive(Debug, Clone, Copy)]
pub struct TimeWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl TimeWindow {
    /// The events inside the window, and how many were outside.
    pub fn split(&self, events: Vec<NewEvent>) -> (Vec<NewEvent>, u64) {
        let before = events.len();
        let kept: Vec<NewEvent> = events
            .into_iter()
            .filter(|e| (self.from..=self.to).contains(&e.occurred_at))
            .collect();
        let outside = (before - kept.len()) as u64;
        (kept, outside)
    }
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
        let own = "arn:aws:sts::111111111111:assumed-role/VigilReadOnly/vigil-t1";
        let e = normalize(raw.clone(), Some(own)).unwrap();
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
        assert!(
            !normalize(
                raw,
                Some("arn:aws:sts::111111111111:assumed-role/VigilReadOnly/vigil-other")
            )
            .unwrap()
            .own
        );
    }

    #[test]
    fn another_role_with_vigils_session_name_is_not_vigil() {
        let own = assumed_role_arn(
            "arn:aws:iam::111111111111:role/security/VigilReadOnly",
            "vigil-t1",
        )
        .unwrap();
        assert_eq!(
            own,
            "arn:aws:sts::111111111111:assumed-role/VigilReadOnly/vigil-t1"
        );
        let record = |arn: &str| {
            json!({ "eventID": "e", "eventTime": "2026-11-28T10:00:00Z", "eventName": "StopLogging",
                    "eventSource": "cloudtrail.amazonaws.com",
                    "userIdentity": { "type": "AssumedRole", "arn": arn } })
        };
        assert!(normalize(record(&own), Some(&own)).unwrap().own);
        for spoof in [
            "arn:aws:sts::111111111111:assumed-role/Attacker/vigil-t1",
            "arn:aws:sts::222222222222:assumed-role/VigilReadOnly/vigil-t1",
            "arn:aws:sts::111111111111:assumed-role/VigilReadOnly/vigil-t1-x",
            "arn:aws:iam::111111111111:user/vigil-t1",
        ] {
            assert!(
                !normalize(record(spoof), Some(&own)).unwrap().own,
                "{spoof}"
            );
        }
        assert!(!normalize(record(&own), None).unwrap().own);
        assert_eq!(
            assumed_role_arn("arn:aws-cn:iam::111111111111:role/R", "s").as_deref(),
            Some("arn:aws-cn:sts::111111111111:assumed-role/R/s")
        );
        assert!(assumed_role_arn("arn:aws:iam::111111111111:user/R", "s").is_none());
        assert!(assumed_role_arn("not an arn", "s").is_none());
    }

    #[test]
    fn only_events_dated_inside_the_window_are_kept() {
        let at = |t: &str| {
            let raw = json!({ "eventID": t, "eventTime": t, "eventName": "E", "eventSource": "s" });
            normalize(raw, None).unwrap()
        };
        let window = TimeWindow {
            from: "2026-11-01T00:00:00Z".parse().unwrap(),
            to: "2026-12-04T00:15:00Z".parse().unwrap(),
        };
        let (kept, outside) = window.split(vec![
            at("2026-12-03T10:00:00Z"),
            at("2026-12-04T00:15:00Z"),
            at("2026-12-04T00:15:01Z"),
            at("2099-01-01T00:00:00Z"),
            at("2001-01-01T00:00:00Z"),
        ]);
        let ids: Vec<&str> = kept.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["2026-12-03T10:00:00Z", "2026-12-04T00:15:00Z"]);
        assert_eq!(outside, 3);
    }

    #[test]
    fn a_record_without_what_keys_and_names_it_is_refused_with_the_field() {
        let full = json!({ "eventID": "x", "eventTime": "2026-11-28T10:00:00Z",
                           "eventName": "CreateVpc", "eventSource": "ec2.amazonaws.com" });
        assert!(normalize(full.clone(), None).is_ok());
        for (field, why) in [
            ("eventID", "has no eventID"),
            ("eventTime", "has no valid eventTime"),
            ("eventName", "has no eventName"),
            ("eventSource", "has no eventSource"),
        ] {
            let mut missing = full.clone();
            missing.as_object_mut().unwrap().remove(field);
            assert_eq!(normalize(missing, None).err(), Some(why));
            let mut empty = full.clone();
            empty[field] = json!("");
            assert_eq!(normalize(empty, None).err(), Some(why), "{field} empty");
        }
        let mut yesterday = full.clone();
        yesterday["eventTime"] = json!("yesterday");
        assert_eq!(
            normalize(yesterday, None).err(),
            Some("has no valid eventTime")
        );
        assert_eq!(
            normalize(json!(42), None).err(),
            Some("is not a JSON object")
        );
        assert_eq!(
            normalize(json!(["x"]), None).err(),
            Some("is not a JSON object")
        );
    }
}
