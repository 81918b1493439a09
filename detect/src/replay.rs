//! Replays CloudTrail records through rules, for detection engineers: which alerts would
//! these records have raised? (`vigil-detect replay FILE...`.)
//!
//! Reads what AWS and tools write: a CloudTrail log file (`{"Records": [...]}`, gzipped or
//! not), a JSON array of records, or JSON Lines. Single-event rules are replayed; a rule
//! that only feeds a correlation is reported as such, and correlations themselves (counts
//! within a timespan, first-seen values) are not, since they need the account's history
//! and baseline that the worker keeps in the database.

use std::io::Read;

use serde_json::Value;

use crate::{Rule, builtin};

/// Largest input read, decompressed (the worker's cap for a trail file).
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The records in one input, whatever its shape.
pub fn records(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = String::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_INPUT_BYTES + 1)
            .read_to_string(&mut out)
            .map_err(|e| format!("not a gzip file of UTF-8 text: {e}"))?;
        if out.len() as u64 > MAX_INPUT_BYTES {
            return Err(format!(
                "larger than {} MiB once decompressed",
                MAX_INPUT_BYTES >> 20
            ));
        }
        out
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8 text".to_owned())?
    };
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(doc) = serde_json::from_str::<Value>(trimmed)
    {
        return match doc {
            Value::Array(items) => Ok(items),
            Value::Object(mut o) => match o.remove("Records") {
                Some(Value::Array(items)) => Ok(items),
                Some(_) => Err("`Records` is not a list".to_owned()),
                // One record on its own.
                None => Ok(vec![Value::Object(o)]),
            },
            _ => Err("neither a list of records nor a CloudTrail file".to_owned()),
        };
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("line {}: not JSON: {e}", n + 1)))
        .collect()
}

/// One rule matching one record.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// Index of the record in its input.
    pub record: usize,
    pub rule: &'a Rule,
    /// False when the rule only feeds a correlation (it raises no alert of its own).
    pub raises: bool,
}

/// Every (record, rule) match, in record order then rule order.
pub fn replay<'a>(rules: &'a [Rule], records: &[Value]) -> Vec<Hit<'a>> {
    records
        .iter()
        .enumerate()
        .flat_map(|(i, record)| {
            rules
                .iter()
                .filter(|r| r.matches(record))
                .map(move |rule| Hit {
                    record: i,
                    rule,
                    raises: builtin::by_id(&rule.id).is_none() || builtin::generates(&rule.id),
                })
        })
        .collect()
}

/// One hit as a line: when, severity, rule, what, who, from where, the event ID.
pub fn describe(hit: &Hit<'_>, record: &Value) -> String {
    let s = |path: &[&str]| {
        path.iter()
            .try_fold(record, |v, k| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned()
    };
    format!(
        "{}  {:<8} {}{}  {} {}  by {}  from {}  event {}",
        s(&["eventTime"]),
        hit.rule.level.severity().as_str().to_uppercase(),
        hit.rule.id,
        if hit.raises {
            ""
        } else {
            " (feeds a correlation)"
        },
        s(&["eventSource"]),
        s(&["eventName"]),
        s(&["userIdentity", "arn"]),
        s(&["sourceIPAddress"]),
        s(&["eventID"]),
    )
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use serde_json::json;

    use super::*;

    fn stop_logging() -> Value {
        json!({
            "eventVersion": "1.09", "eventTime": "2026-12-01T10:00:00Z",
            "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
            "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
            "userIdentity": { "type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory",
                              "accountId": "111122223333" },
            "requestParameters": { "name": "org" }, "responseElements": null,
            "eventID": "e-1", "readOnly": false, "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333"
        })
    }

    fn describe_instances() -> Value {
        let mut r = stop_logging();
        r["eventSource"] = json!("ec2.amazonaws.com");
        r["eventName"] = json!("DescribeInstances");
        r["eventID"] = json!("e-2");
        r["readOnly"] = json!(true);
        r
    }

    #[test]
    fn a_trail_file_an_array_and_json_lines_give_the_same_records() {
        let records = vec![stop_logging(), describe_instances()];
        let file = json!({ "Records": records }).to_string();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(file.as_bytes()).unwrap();
        let lines = records
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        for input in [
            file.clone().into_bytes(),
            gz.finish().unwrap(),
            Value::Array(records.clone()).to_string().into_bytes(),
            lines.into_bytes(),
        ] {
            assert_eq!(super::records(&input).unwrap(), records);
        }
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        assert!(
            records(b"{\"Records\": 3}")
                .unwrap_err()
                .contains("Records")
        );
        assert!(
            records(b"{\"a\": 1}\nnot json")
                .unwrap_err()
                .starts_with("line 2")
        );
        assert!(records(&[0x1f, 0x8b, 0, 1]).unwrap_err().contains("gzip"));
    }

    #[test]
    fn stopping_a_trail_raises_its_alert_and_a_describe_raises_none() {
        let records = vec![stop_logging(), describe_instances()];
        let hits = replay(builtin::all(), &records);
        let ids: Vec<_> = hits
            .iter()
            .map(|h| (h.record, h.rule.id.as_str()))
            .collect();
        assert!(
            ids.contains(&(0, "vigil-cloudtrail-logging-stopped")),
            "{ids:?}"
        );
        // What a describe matches only feeds correlations (attribution, recon counts).
        assert!(
            hits.iter().filter(|h| h.record == 1).all(|h| !h.raises),
            "{ids:?}"
        );
        let stop = hits
            .iter()
            .find(|h| h.rule.id == "vigil-cloudtrail-logging-stopped")
            .unwrap();
        assert!(stop.raises);
        let line = describe(stop, &records[0]);
        assert!(
            line.contains("StopLogging") && line.contains("user/mallory") && line.contains("e-1"),
            "{line}"
        );
    }
}
