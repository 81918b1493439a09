//! Detection throughput on one core with every built-in rule, beside the throughput of
//! only parsing the same events with serde_json, in the same run. Run with
//! `cargo bench -p vigil-detect --bench detect`.

use std::{hint::black_box, time::Instant};

use serde_json::{Value, json};

const EVENTS: usize = 100_000;

/// A realistic mix: mostly read-only API calls, some writes, a few attacker steps.
fn corpus() -> Vec<String> {
    let names = [
        ("ec2.amazonaws.com", "DescribeInstances", true),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", true),
        ("s3.amazonaws.com", "ListBuckets", true),
        ("iam.amazonaws.com", "ListUsers", true),
        ("sts.amazonaws.com", "AssumeRole", false),
        ("ec2.amazonaws.com", "RunInstances", false),
        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false),
        ("cloudtrail.amazonaws.com", "StopLogging", false),
        ("iam.amazonaws.com", "CreateAccessKey", false),
        ("signin.amazonaws.com", "ConsoleLogin", false),
    ];
    (0..EVENTS)
        .map(|i| {
            let (source, name, read_only) = names[if i % 50 == 0 { 6 + i % 4 } else { i % 6 }];
            let cidr = if i % 100 == 0 { "0.0.0.0/0" } else { "10.0.0.0/8" };
            let event: Value = json!({
                "eventVersion": "1.09",
                "eventID": format!("00000000-0000-0000-0000-{i:012}"),
                "eventTime": "2026-11-28T10:00:00Z",
                "eventSource": source,
                "eventName": name,
                "awsRegion": "eu-west-1",
                "sourceIPAddress": format!("198.51.100.{}", i % 250),
                "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1",
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "recipientAccountId": "111111111111",
                "userIdentity": {
                    "type": "IAMUser",
                    "arn": format!("arn:aws:iam::111111111111:user/user-{}", i % 40),
                    "accountId": "111111111111",
                    "accessKeyId": format!("AKIA{i:016}")
                },
                "requestParameters": {
                    "groupId": "sg-0123456789abcdef0",
                    "ipPermissions": { "items": [{ "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                        "ipRanges": { "items": [{ "cidrIp": cidr }] } }] }
                },
                "responseElements": null
            });
            event.to_string()
        })
        .collect()
}

fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut out = 0;
    for _ in 0..runs {
        let t = Instant::now();
        out = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() {
    let rules =
        vigil_detect::RuleSet::new(vigil_detect::builtin::rules().expect("built-in rules compile"));
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(String::len).sum();
    let (parse, _) = best_of(5, || {
        corpus
            .iter()
            .filter(|s| serde_json::from_str::<Value>(s).is_ok())
            .count()
    });
    let (both, hits) = best_of(5, || {
        corpus
            .iter()
            .map(|s| {
                let e: Value = serde_json::from_str(s).expect("json");
                rules.matching(&e).len()
            })
            .sum()
    });
    let matching = both - parse;
    println!(
        "detection: {EVENTS} events ({} MiB), {} built-in rules, {hits} matches, one thread",
        bytes / (1 << 20),
        rules.rules().len()
    );
    println!("{:<40} {:>10} {:>14}", "case", "seconds", "events/s");
    println!(
        "{:<40} {:>10.4} {:>14.0}",
        "parse with serde_json (baseline)",
        parse,
        EVENTS as f64 / parse
    );
    println!(
        "{:<40} {:>10.4} {:>14.0}",
        "parse + match every rule",
        both,
        EVENTS as f64 / both
    );
    println!("matching costs {:.2}x the parsing", matching / parse);
}
