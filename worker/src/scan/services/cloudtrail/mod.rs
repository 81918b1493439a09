//! CloudTrail: the trails visible from a region, with their status, log group, event
//! selectors (management, S3 object and Lambda invocation events) and Insights selectors
//! read where each trail lives (once, not per shadow copy).

use aws_sdk_cloudtrail::{operation::get_event_selectors::GetEventSelectorsOutput, types::Trail};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, error_code};

/// CloudTrail in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "cloudtrail",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let trails = read(r).await;
    fill(move |region: &mut RegionInventory| region.trails = trails)
}

/// Whether the selectors include management events, read and write (no selectors at all
/// is CloudTrail's default, which does). Reads and writes may come from different
/// selectors (one `ReadOnly`, one `WriteOnly`; or advanced selectors with `readOnly` true
/// and false): what counts is that together they record both.
fn logs_management_events(s: &GetEventSelectorsOutput) -> bool {
    if s.event_selectors().is_empty() && s.advanced_event_selectors().is_empty() {
        return true;
    }
    let (mut reads, mut writes) = (false, false);
    for e in s.event_selectors() {
        if e.include_management_events().unwrap_or(true) {
            let rw = e.read_write_type().map_or("All", |rw| rw.as_str());
            reads |= rw != "WriteOnly";
            writes |= rw != "ReadOnly";
        }
    }
    for a in s.advanced_event_selectors() {
        let fields = a.field_selectors();
        let management = fields
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management"));
        if !management {
            continue;
        }
        match fields.iter().find(|f| f.field() == "readOnly") {
            None => (reads, writes) = (true, true),
            Some(f) => {
                reads |= f.equals().iter().any(|v| v == "true");
                writes |= f.equals().iter().any(|v| v == "false");
            }
        }
    }
    reads && writes
}

/// Which S3 object-level events (writes, reads) the selectors log for every bucket: a
/// classic selector on `AWS::S3::Object` for all buckets (`arn:aws:s3`, or the bare
/// `arn:aws:s3:::` prefix), or an advanced data-event selector on `AWS::S3::Object` not
/// narrowed to some buckets.
fn logs_s3_objects(s: &GetEventSelectorsOutput) -> (bool, bool) {
    let (mut writes, mut reads) = (false, false);
    for e in s.event_selectors() {
        let all_buckets = e.data_resources().iter().any(|d| {
            d.r#type() == Some("AWS::S3::Object")
                && d.values().iter().any(|v| {
                    let v = v.trim_end_matches(":::");
                    v.starts_with("arn:aws") && v.ends_with(":s3") && !v.contains(":::")
                })
        });
        if all_buckets {
            let rw = e.read_write_type().map_or("All", |rw| rw.as_str());
            writes |= rw == "All" || rw == "WriteOnly";
            reads |= rw == "All" || rw == "ReadOnly";
        }
    }
    for a in s.advanced_event_selectors() {
        let fields = a.field_selectors();
        let has = |field: &str, value: &str| {
            fields
                .iter()
                .any(|f| f.field() == field && f.equals().iter().any(|v| v == value))
        };
        let narrowed = fields.iter().any(|f| f.field() == "resources.ARN");
        if !has("eventCategory", "Data") || !has("resources.type", "AWS::S3::Object") || narrowed {
            continue;
        }
        let read_only = fields.iter().find(|f| f.field() == "readOnly");
        match read_only
            .and_then(|f| f.equals().first())
            .map(String::as_str)
        {
            Some("true") => reads = true,
            Some("false") => writes = true,
            _ => (writes, reads) = (true, true),
        }
    }
    (writes, reads)
}

/// The Lambda functions whose invocations the selectors log (see
/// `Trail::lambda_invocations_logged`): a classic selector's `AWS::Lambda::Function` values
/// (`arn:aws:lambda` is every function), an advanced data-event selector on that type (its
/// `resources.ARN` equals or prefixes, or every function). Read-only selectors do not log
/// `Invoke`; advanced selectors excluding ARNs (`NotEquals`, `NotStartsWith`...) are not
/// counted, as they cannot be listed.
fn lambda_invocations(s: &GetEventSelectorsOutput) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in s.event_selectors() {
        if e.read_write_type()
            .is_some_and(|rw| rw.as_str() == "ReadOnly")
        {
            continue;
        }
        for d in e.data_resources() {
            if d.r#type() != Some("AWS::Lambda::Function") {
                continue;
            }
            for v in d.values() {
                // `arn:aws:lambda` (no region, account or function): every function.
                if v.split(':').filter(|p| !p.is_empty()).count() <= 3 {
                    out.push("*".into());
                } else {
                    out.push(v.clone());
                }
            }
        }
    }
    for a in s.advanced_event_selectors() {
        let fields = a.field_selectors();
        let has = |field: &str, value: &str| {
            fields
                .iter()
                .any(|f| f.field() == field && f.equals().iter().any(|v| v == value))
        };
        if !has("eventCategory", "Data") || !has("resources.type", "AWS::Lambda::Function") {
            continue;
        }
        let reads_only = fields.iter().any(|f| {
            f.field() == "readOnly"
                && !f.equals().is_empty()
                && f.equals().iter().all(|v| v == "true")
        });
        if reads_only {
            continue;
        }
        match fields.iter().find(|f| f.field() == "resources.ARN") {
            None => out.push("*".into()),
            Some(f) => {
                let excludes = !f.not_equals().is_empty()
                    || !f.not_starts_with().is_empty()
                    || !f.not_ends_with().is_empty();
                if excludes {
                    continue;
                }
                out.extend(f.equals().iter().cloned());
                out.extend(f.starts_with().iter().map(|p| format!("{p}*")));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the trail has Insights selectors (`InsightNotEnabledException`: none).
async fn insights(c: &aws_sdk_cloudtrail::Client, r: Reader<'_>, id: &str) -> Option<bool> {
    match c.get_insight_selectors().trail_name(id).send().await {
        Ok(o) => Some(!o.insight_selectors().is_empty()),
        Err(e) if error_code(&e) == Some("InsightNotEnabledException") => Some(false),
        Err(e) => {
            r.record("GetInsightSelectors", &e);
            None
        }
    }
}

async fn trail(c: &aws_sdk_cloudtrail::Client, r: Reader<'_>, t: &Trail) -> m::Trail {
    let name = t.name().unwrap_or_default().to_owned();
    let id = t.trail_arn().unwrap_or(&name).to_owned();
    let home = t.home_region().unwrap_or(r.region).to_owned();
    let (is_logging, selectors, insights) = if home == r.region {
        let status = r
            .ok(
                "GetTrailStatus",
                c.get_trail_status().name(&id).send().await,
            )
            .and_then(|s| s.is_logging());
        let selectors = r
            .ok(
                "GetEventSelectors",
                c.get_event_selectors().trail_name(&id).send().await,
            )
            .map(|s| {
                (
                    logs_management_events(&s),
                    logs_s3_objects(&s),
                    lambda_invocations(&s),
                )
            });
        (status, selectors, insights(c, r, &id).await)
    } else {
        (None, None, None)
    };
    m::Trail {
        name,
        arn: t.trail_arn().map(str::to_owned),
        home_region: home,
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        is_logging,
        log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().map(str::to_owned),
        s3_bucket: t.s3_bucket_name().map(str::to_owned),
        s3_key_prefix: t.s3_key_prefix().map(str::to_owned),
        logs_management_events: selectors.as_ref().map(|(management, ..)| *management),
        logs_s3_object_writes: selectors.as_ref().map(|(_, (writes, _), _)| *writes),
        logs_s3_object_reads: selectors.as_ref().map(|(_, (_, reads), _)| *reads),
        cloudwatch_logs_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_owned),
        lambda_invocations_logged: selectors.map(|(.., lambda)| lambda),
        insights,
    }
}

async fn read(r: Reader<'_>) -> Option<Vec<m::Trail>> {
    let c = aws_sdk_cloudtrail::Client::new(r.config);
    let described = r.ok(
        "DescribeTrails",
        c.describe_trails().include_shadow_trails(true).send().await,
    )?;
    let mut out = Vec::new();
    for t in described.trail_list() {
        out.push(trail(&c, r, t).await);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };

    use super::*;

    fn classic(rw: ReadWriteType, management: bool) -> EventSelector {
        EventSelector::builder()
            .read_write_type(rw)
            .include_management_events(management)
            .build()
    }

    fn advanced(fields: &[(&str, &str)]) -> AdvancedEventSelector {
        let mut b = AdvancedEventSelector::builder().name("selector");
        for (field, value) in fields {
            b = b.field_selectors(
                AdvancedFieldSelector::builder()
                    .field(*field)
                    .equals(*value)
                    .build()
                    .unwrap(),
            );
        }
        b.build().unwrap()
    }

    /// Selectors as `GetEventSelectors` answers them (moto answers the classic ones only).
    #[test]
    fn management_events_count_only_when_reads_and_writes_are_both_recorded() {
        let with = |classic: Vec<EventSelector>, advanced: Vec<AdvancedEventSelector>| {
            logs_management_events(
                &GetEventSelectorsOutput::builder()
                    .set_event_selectors(Some(classic))
                    .set_advanced_event_selectors(Some(advanced))
                    .build(),
            )
        };
        assert!(with(vec![], vec![]), "CloudTrail's default records all");
        assert!(with(vec![classic(ReadWriteType::All, true)], vec![]));
        assert!(!with(vec![classic(ReadWriteType::WriteOnly, true)], vec![]));
        assert!(!with(vec![classic(ReadWriteType::All, false)], vec![]));
        assert!(with(
            vec![
                classic(ReadWriteType::ReadOnly, true),
                classic(ReadWriteType::WriteOnly, true)
            ],
            vec![]
        ));
        let management = ("eventCategory", "Management");
        assert!(with(vec![], vec![advanced(&[management])]));
        assert!(!with(
            vec![],
            vec![advanced(&[management, ("readOnly", "false")])]
        ));
        assert!(with(
            vec![],
            vec![
                advanced(&[management, ("readOnly", "false")]),
                advanced(&[management, ("readOnly", "true")])
            ]
        ));
        assert!(!with(
            vec![],
            vec![advanced(&[
                ("eventCategory", "Data"),
                ("resources.type", "AWS::S3::Object")
            ])]
        ));
    }
    #[test]
    fn lambda_invocations_come_from_classic_and_advanced_data_selectors() {
        use aws_sdk_cloudtrail::types::DataResource;
        let classic = |rw: ReadWriteType, values: &[&str]| {
            EventSelector::builder()
                .read_write_type(rw)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::Lambda::Function")
                        .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
                        .build(),
                )
                .build()
        };
        let of = |classic: Vec<EventSelector>, advanced: Vec<AdvancedEventSelector>| {
            lambda_invocations(
                &GetEventSelectorsOutput::builder()
                    .set_event_selectors(Some(classic))
                    .set_advanced_event_selectors(Some(advanced))
                    .build(),
            )
        };
        let f = "arn:aws:lambda:us-east-1:111111111111:function:orders-api";
        assert_eq!(
            of(vec![], vec![]),
            Vec::<String>::new(),
            "no data events by default"
        );
        assert_eq!(
            of(
                vec![classic(ReadWriteType::All, &["arn:aws:lambda"])],
                vec![]
            ),
            ["*"]
        );
        assert_eq!(
            of(vec![classic(ReadWriteType::WriteOnly, &[f])], vec![]),
            [f]
        );
        assert!(of(vec![classic(ReadWriteType::ReadOnly, &[f])], vec![]).is_empty());
        let data = ("eventCategory", "Data");
        let lambda = ("resources.type", "AWS::Lambda::Function");
        assert_eq!(of(vec![], vec![advanced(&[data, lambda])]), ["*"]);
        assert_eq!(
            of(
                vec![],
                vec![advanced(&[data, lambda, ("resources.ARN", f)])]
            ),
            [f]
        );
        assert!(
            of(
                vec![],
                vec![advanced(&[data, lambda, ("readOnly", "true")])]
            )
            .is_empty()
        );
        assert!(
            of(
                vec![],
                vec![advanced(&[data, ("resources.type", "AWS::S3::Object")])]
            )
            .is_empty()
        );
    }
}
