//! Lambda: the inventory model of functions, and their rules (function URLs open to
//! anyone, resource policies open to everyone, runtimes past deprecation, credentials in
//! environment variables).

pub mod model;

use chrono::NaiveDate;
use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, LambdaFunction},
    services::kms::public_statements,
};

/// Lambda's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("lambda", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.lambda_functions.is_some()
}

/// Lambda in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "lambda",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &URL_NO_AUTH,
        &POLICY_PUBLIC,
        &RUNTIME_DEPRECATED,
        &ENVIRONMENT_SECRETS,
        &ENVIRONMENT_NOT_CMK_ENCRYPTED,
        &NOT_IN_VPC,
        &INVOCATIONS_NOT_LOGGED,
    ],
};

const RESOURCE_TYPE: &str = "AWS::Lambda::Function";

/// Lists the region's functions.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(functions) = &r.lambda_functions else {
        return;
    };
    for f in functions {
        let cfg = crate::services::json(f);
        out.add(&r.region, RESOURCE_TYPE, &f.name, f.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every function of the account, with its region.
fn functions(inv: &Inventory) -> impl Iterator<Item = (&str, &LambdaFunction)> {
    inv.regions.iter().flat_map(|region| {
        region
            .lambda_functions
            .iter()
            .flatten()
            .map(move |f| (region.region.as_str(), f))
    })
}

pub static URL_NO_AUTH: Rule = Rule {
    id: "lambda-function-url-no-auth",
    title: "Lambda function URL requires no authentication",
    severity: Severity::High,
    description: "The function has a function URL whose auth type is `NONE`: anyone on the \
                  internet who learns the URL can invoke the function, with its role's \
                  permissions, and run up its cost. Unless the function is meant to be a \
                  public endpoint and checks callers itself, this is an open door.",
    remediation: "Set the URL's auth type to `AWS_IAM` (`aws lambda update-function-url-config \
                  --function-name <name> --auth-type AWS_IAM`) and sign callers' requests, or \
                  delete the URL (`aws lambda delete-function-url-config --function-name \
                  <name>`) and put the function behind API Gateway with an authoriser.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: url_no_auth,
};

fn url_no_auth(inv: &Inventory, sink: &mut Sink) {
    for (region, f) in functions(inv) {
        match &f.url_auth_types {
            None => sink.unknown(region, &f.name),
            Some(types) if types.iter().any(|t| t == "NONE") => sink.fail(
                region,
                &f.name,
                f.arn.clone(),
                json!({ "functionUrlAuthType": "NONE" }),
            ),
            Some(_) => {}
        }
    }
}

pub static POLICY_PUBLIC: Rule = Rule {
    id: "lambda-function-policy-public",
    title: "Lambda function policy allows everyone without conditions",
    severity: Severity::High,
    description: "The function's resource-based policy allows the principal `*` without a \
                  condition: any AWS account may invoke (or, depending on the actions \
                  allowed, change) the function.",
    remediation: "Remove the statement (`aws lambda remove-permission --function-name <name> \
                  --statement-id <sid>`) and grant the accounts or services that need it, with \
                  `--source-account`/`--source-arn` or `--principal-org-id` for service \
                  principals.",
    compliance: &["AWS FSBP Lambda.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_public,
};

fn policy_public(inv: &Inventory, sink: &mut Sink) {
    for (region, f) in functions(inv) {
        let Some(statements) = &f.policy_statements else {
            sink.unknown(region, &f.name);
            continue;
        };
        let public = public_statements(&json!({ "Statement": statements }));
        if !public.is_empty() {
            sink.fail(
                region,
                &f.name,
                f.arn.clone(),
                json!({ "publicStatements": public }),
            );
        }
    }
}

/// Runtimes Lambda has deprecated, with the day each was (AWS Lambda developer guide,
/// "Runtime deprecation policy": the deprecation date, after which the runtime gets no
/// security patches). Judged against the inventory's collection time, so a runtime
/// whose date has not come yet passes until it does.
pub const DEPRECATED_RUNTIMES: &[(&str, &str)] = &[
    ("nodejs", "2016-10-31"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs4.3-edge", "2019-04-30"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs18.x", "2025-09-01"),
    ("python2.7", "2021-07-15"),
    ("python3.6", "2022-07-18"),
    ("python3.7", "2023-12-04"),
    ("python3.8", "2024-10-14"),
    ("python3.9", "2025-12-15"),
    ("java8", "2024-01-08"),
    ("dotnetcore1.0", "2019-07-30"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnet6", "2024-12-20"),
    ("dotnet7", "2024-05-14"),
    ("ruby2.5", "2021-07-30"),
    ("ruby2.7", "2023-12-07"),
    ("ruby3.2", "2026-03-31"),
    ("go1.x", "2024-01-08"),
    ("provided", "2024-01-08"),
];

/// The day `runtime` was deprecated, if it is by `on`.
fn deprecated_since(runtime: &str, on: NaiveDate) -> Option<NaiveDate> {
    DEPRECATED_RUNTIMES
        .iter()
        .find(|(r, _)| *r == runtime)
        .and_then(|(_, day)| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .filter(|day| *day <= on)
}

pub static RUNTIME_DEPRECATED: Rule = Rule {
    id: "lambda-runtime-deprecated",
    title: "Lambda function uses a deprecated runtime",
    severity: Severity::Medium,
    description: "The function runs on a runtime Lambda has deprecated: it no longer gets \
                  security patches or support, vulnerabilities found in its language runtime \
                  or OS stay open, and Lambda will later block creating and updating \
                  functions on it.",
    remediation: "Move the function to a supported runtime of its language (test the code on \
                  it, then `aws lambda update-function-configuration --function-name <name> \
                  --runtime <runtime>`).",
    compliance: &["AWS FSBP Lambda.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: runtime_deprecated,
};

fn runtime_deprecated(inv: &Inventory, sink: &mut Sink) {
    let today = inv.collected_at.date_naive();
    for (region, f) in functions(inv) {
        let Some(runtime) = &f.runtime else { continue };
        if let Some(since) = deprecated_since(runtime, today) {
            sink.fail(
                region,
                &f.name,
                f.arn.clone(),
                json!({ "runtime": runtime, "deprecatedOn": since.to_string() }),
            );
        }
    }
}

/// Words that name a secret in a variable's name.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Name endings that say the variable names or locates a secret rather than holds it.
const POINTER_SUFFIXES: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_PATH",
    "_PARAM",
    "_PARAMETER",
    "_URL",
    "_URI",
    "_TTL",
];

/// Whether the variable's name says it holds a secret (ECS task definitions use it too).
pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
        && !POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

pub static ENVIRONMENT_SECRETS: Rule = Rule {
    id: "lambda-environment-secrets",
    title: "Lambda environment variables hold secrets",
    severity: Severity::High,
    description: "Environment variables of the function hold what looks like a secret: a \
                  value in a credential's format (an AWS access key, a private key, a known \
                  token) or a value under a name such as `PASSWORD`, `SECRET` or `API_KEY`. \
                  Environment variables are shown to anyone who may read the function's \
                  configuration (`lambda:GetFunction`, the console), copied into every \
                  version, and often leak through logs and crash reports.",
    remediation: "Move the secret to Secrets Manager or Parameter Store (SecureString), pass \
                  its ARN in the variable instead, read it at start with the function's role \
                  (or the Parameters and Secrets Lambda extension), and rotate the exposed \
                  secret. Vigil records the variables' names only, never their values.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: environment_secrets,
};

fn environment_secrets(inv: &Inventory, sink: &mut Sink) {
    for (region, f) in functions(inv) {
        let names: Vec<&str> = f
            .environment
            .iter()
            .filter(|v| v.value_is_credential || (!v.value_is_reference && secret_name(&v.name)))
            .map(|v| v.name.as_str())
            .collect();
        if !names.is_empty() {
            sink.fail(
                region,
                &f.name,
                f.arn.clone(),
                json!({ "variables": names }),
            );
        }
    }
}

pub static ENVIRONMENT_NOT_CMK_ENCRYPTED: Rule = Rule {
    id: "lambda-environment-not-cmk-encrypted",
    title: "Lambda environment variables are not encrypted with a customer managed key",
    severity: Severity::Low,
    description: "The function has environment variables encrypted only with Lambda's AWS \
                  managed key, so anyone allowed to read the function's configuration sees \
                  them in clear: no key policy of the account's own decides who may decrypt \
                  them, and no key can be disabled to cut access off.",
    remediation: "Encrypt the environment with a customer managed key (`aws lambda \
                  update-function-configuration --function-name <name> --kms-key-arn \
                  <key-arn>`), whose policy grants decryption to the function's role and its \
                  maintainers only; keep secrets themselves in Secrets Manager.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for (region, f) in functions(inv) {
            if !f.environment.is_empty() && f.kms_key_arn.is_none() {
                let names: Vec<&str> = f.environment.iter().map(|v| v.name.as_str()).collect();
                sink.fail(
                    region,
                    &f.name,
                    f.arn.clone(),
                    json!({ "kmsKeyArn": null, "variables": names }),
                );
            }
        }
    },
};

pub static NOT_IN_VPC: Rule = Rule {
    id: "lambda-function-not-in-vpc",
    title: "Lambda function is not connected to a VPC",
    severity: Severity::Low,
    description: "The function runs outside any VPC, so its traffic leaves from Lambda's own \
                  network straight to the internet: security groups, network ACLs, VPC flow \
                  logs and VPC endpoint policies neither restrict nor record where it sends \
                  data.",
    remediation: "Attach the function to private subnets of a VPC with security groups \
                  allowing only what it needs (`aws lambda update-function-configuration \
                  --function-name <name> --vpc-config \
                  SubnetIds=<subnet-1>,<subnet-2>,SecurityGroupIds=<sg>`), with VPC endpoints \
                  or a NAT gateway for the AWS services it calls.",
    compliance: &["AWS FSBP Lambda.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for (region, f) in functions(inv).filter(|(_, f)| f.vpc_id.is_none()) {
            sink.fail(region, &f.name, f.arn.clone(), json!({ "vpcId": null }));
        }
    },
};

pub static INVOCATIONS_NOT_LOGGED: Rule = Rule {
    id: "lambda-invocations-not-logged",
    title: "No CloudTrail trail logs the Lambda function's invocations",
    severity: Severity::Low,
    description: "No logging trail of the account records this function's `Invoke` data \
                  events, so who called the function, when and from where leaves no audit \
                  record: abuse of a function with a powerful role, or of one exposed to \
                  other accounts, cannot be traced.",
    remediation: "Log Lambda data events on a trail (`aws cloudtrail put-event-selectors \
                  --trail-name <trail> --advanced-event-selectors \
                  '[{\"Name\":\"Lambda invocations\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},{\"Field\":\"resources.type\",\"Equals\":[\"AWS::Lambda::Function\"]}]}]'`), \
                  narrowed with `resources.ARN` to the functions that matter; data events are \
                  charged per event.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE, ALL_TRAILS],
    check: invocations_not_logged,
};

/// Every region's trails were read: a multi-region trail homed in another region may log
/// a region's functions, so the rule waits for the whole account (it is not region-local).
const ALL_TRAILS: crate::Source = crate::Source::Account("cloudtrail", |inv| {
    !inv.regions.is_empty() && inv.regions.iter().all(|r| r.trails.is_some())
});

/// A function passes when a logging trail of the account covering its region (a
/// multi-region trail, or one homed there) logs its invocations; it is not assessed when a
/// region's trails, or a candidate trail's status or selectors, could not be read.
fn invocations_not_logged(inv: &Inventory, sink: &mut Sink) {
    let trails_unread = inv.regions.is_empty() || inv.regions.iter().any(|r| r.trails.is_none());
    let trails: Vec<(&str, &crate::model::Trail)> =
        crate::services::cloudtrail::home_trails(inv).collect();
    for (region, f) in functions(inv) {
        let Some(arn) = &f.arn else {
            sink.unknown(region, &f.name);
            continue;
        };
        let mut undetermined = trails_unread;
        let mut logged = false;
        let mut checked = Vec::new();
        for (_, t) in trails
            .iter()
            .filter(|(home, t)| t.is_multi_region || *home == region)
        {
            match (t.is_logging, t.logs_lambda_invocations_of(arn)) {
                (Some(true), Some(true)) => {
                    logged = true;
                    break;
                }
                (Some(false), _) | (_, Some(false)) => checked.push(t.name.as_str()),
                _ => undetermined = true,
            }
        }
        if logged {
            continue;
        }
        if undetermined {
            sink.unknown(region, &f.name);
            continue;
        }
        sink.fail(
            region,
            &f.name,
            f.arn.clone(),
            json!({ "invokeDataEventsLogged": false, "trailsWithout": checked }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::{EnvVar, RegionInventory},
    };

    /// A well-configured function: current runtime, no URL, a policy for one service
    /// with a source account, a variable pointing at a secret.
    fn function(name: &str) -> LambdaFunction {
        LambdaFunction {
            name: name.into(),
            arn: Some(format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")),
            runtime: Some("python3.12".into()),
            environment: vec![
                EnvVar::judge(
                    "DB_PASSWORD_SECRET_ARN",
                    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
                ),
                EnvVar::judge("LOG_LEVEL", "info"),
            ],
            url_auth_types: Some(vec![]),
            policy_statements: Some(vec![json!({
                "Effect": "Allow",
                "Principal": { "Service": "s3.amazonaws.com" },
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": { "StringEquals": { "AWS:SourceAccount": ACCOUNT } }
            })]),
            kms_key_arn: Some(format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1")),
            vpc_id: Some("vpc-1".into()),
        }
    }

    fn with_functions(functions: Option<Vec<LambdaFunction>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                lambda_functions: functions,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn a_url_without_auth_fails_and_an_iam_one_or_none_passes() {
        let open = LambdaFunction {
            url_auth_types: Some(vec!["NONE".into()]),
            ..function("open")
        };
        let iam = LambdaFunction {
            url_auth_types: Some(vec!["AWS_IAM".into()]),
            ..function("iam")
        };
        let inv = with_functions(Some(vec![open, iam, function("none")]));
        assert_eq!(failing(&URL_NO_AUTH, &inv), ["open"]);
        assert_eq!(run(&URL_NO_AUTH, &inv).complete.len(), 1);
    }

    #[test]
    fn an_unread_url_is_not_assessed_never_failing() {
        let unread = LambdaFunction {
            url_auth_types: None,
            ..function("unread")
        };
        let out = run(&URL_NO_AUTH, &with_functions(Some(vec![unread])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unread"]);
        let out = run(&URL_NO_AUTH, &with_functions(None));
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }

    #[test]
    fn a_policy_open_to_everyone_fails_and_a_conditioned_one_passes() {
        let mut open = function("open");
        open.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": "*"
        })]);
        let mut conditioned = function("conditioned");
        conditioned.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "lambda:InvokeFunction",
            "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-abc" } }
        })]);
        let none = LambdaFunction {
            policy_statements: Some(vec![]),
            ..function("none")
        };
        let inv = with_functions(Some(vec![open, conditioned, none, function("service")]));
        assert_eq!(failing(&POLICY_PUBLIC, &inv), ["open"]);
        let unread = LambdaFunction {
            policy_statements: None,
            ..function("unread")
        };
        let out = run(&POLICY_PUBLIC, &with_functions(Some(vec![unread])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn deprecated_runtimes_fail_from_their_date_and_current_or_image_ones_pass() {
        let old = LambdaFunction {
            runtime: Some("python3.7".into()),
            ..function("old")
        };
        // Deprecated on 2026-03-31: after the fixtures' collection day (2025-06-01).
        let later = LambdaFunction {
            runtime: Some("ruby3.2".into()),
            ..function("later")
        };
        let image = LambdaFunction {
            runtime: None,
            ..function("image")
        };
        let inv = with_functions(Some(vec![old, later, image, function("current")]));
        assert_eq!(failing(&RUNTIME_DEPRECATED, &inv), ["old"]);
        let out = run(&RUNTIME_DEPRECATED, &inv);
        assert_eq!(out.findings[0].evidence["deprecatedOn"], "2023-12-04");
        let mut next_year = inv.clone();
        next_year.collected_at = crate::fixtures::now() + chrono::Duration::days(365);
        assert_eq!(failing(&RUNTIME_DEPRECATED, &next_year), ["old", "later"]);
    }

    #[test]
    fn a_region_evaluated_as_soon_as_read_measures_runtimes_from_the_scan() {
        let old = LambdaFunction {
            runtime: Some("python3.7".into()),
            ..function("old")
        };
        let inv = with_functions(Some(vec![old]));
        assert!(RUNTIME_DEPRECATED.region_local());
        let one = crate::evaluate_region(ACCOUNT, inv.collected_at, &inv.regions[0]);
        assert!(
            one.findings
                .iter()
                .any(|f| f.rule_id == RUNTIME_DEPRECATED.id && f.resource_id == "old")
        );
    }

    #[test]
    fn every_deprecation_date_parses() {
        for (runtime, day) in DEPRECATED_RUNTIMES {
            assert!(
                NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
                "{runtime}"
            );
        }
    }

    #[test]
    fn secrets_in_environment_fail_by_value_or_by_name_and_references_pass() {
        let mut by_value = function("by-value");
        by_value
            .environment
            .push(EnvVar::judge("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"));
        let mut by_name = function("by-name");
        by_name.environment.push(EnvVar::judge(
            "STRIPE_API_KEY",
            "not-a-known-format-but-a-key",
        ));
        let mut pem = function("pem");
        pem.environment.push(EnvVar::judge(
            "SIGNING",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
        ));
        let mut pointers = function("pointers");
        pointers.environment.extend([
            EnvVar::judge("DB_SECRET_NAME", "prod/db"),
            EnvVar::judge("API_TOKEN", "{{resolve:secretsmanager:prod/token}}"),
            EnvVar::judge("PASSWORD", ""),
            EnvVar::judge("REGION_GROUP", "ASIA_PACIFIC_SOUTHEAST"),
        ]);
        let inv = with_functions(Some(vec![by_value, by_name, pem, pointers]));
        assert_eq!(
            failing(&ENVIRONMENT_SECRETS, &inv),
            ["by-value", "by-name", "pem"]
        );
        let out = run(&ENVIRONMENT_SECRETS, &inv);
        // Names only: the evidence never carries a value.
        assert_eq!(
            out.findings[0].evidence,
            json!({ "variables": ["AWS_ACCESS_KEY_ID"] })
        );
        assert!(
            !serde_json::to_string(&out.findings)
                .unwrap()
                .contains("AKIA")
        );
    }
    #[test]
    fn variables_without_a_customer_key_fail_and_none_or_a_key_pass() {
        let plain = LambdaFunction {
            kms_key_arn: None,
            ..function("plain")
        };
        let empty = LambdaFunction {
            kms_key_arn: None,
            environment: vec![],
            ..function("empty")
        };
        let inv = with_functions(Some(vec![plain, empty, function("keyed")]));
        let out = run(&ENVIRONMENT_NOT_CMK_ENCRYPTED, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["plain"]);
        assert_eq!(
            out.findings[0].evidence["variables"],
            json!(["DB_PASSWORD_SECRET_ARN", "LOG_LEVEL"])
        );
        assert!(
            !out.findings[0]
                .evidence
                .to_string()
                .contains("arn:aws:secretsmanager")
        );
    }

    #[test]
    fn a_function_outside_a_vpc_fails() {
        let outside = LambdaFunction {
            vpc_id: None,
            ..function("outside")
        };
        let inv = with_functions(Some(vec![outside, function("inside")]));
        assert_eq!(failing(&NOT_IN_VPC, &inv), ["outside"]);
    }

    #[test]
    fn invocations_pass_when_a_logging_trail_covering_the_region_logs_them() {
        use crate::model::Trail;
        let logged = |name: &str, home: &str, multi: bool, patterns: Option<Vec<String>>| Trail {
            name: name.into(),
            arn: Some(format!("arn:aws:cloudtrail:{home}:{ACCOUNT}:trail/{name}")),
            home_region: home.into(),
            is_multi_region: multi,
            is_logging: Some(true),
            lambda_invocations_logged: patterns,
            ..Default::default()
        };
        let arn = |name: &str| format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}");
        let with = |trails: Option<Vec<Trail>>| {
            let mut inv = with_functions(Some(vec![function("orders-api"), function("other")]));
            inv.regions[0].trails = trails;
            inv
        };
        // One function logged by a multi-region trail, the other not.
        let inv = with(Some(vec![logged(
            "main",
            REGION,
            true,
            Some(vec![arn("orders-api")]),
        )]));
        let out = run(&INVOCATIONS_NOT_LOGGED, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["other"]);
        assert_eq!(out.findings[0].evidence["trailsWithout"], json!(["main"]));
        // Every function, by a trail of this region.
        let inv = with(Some(vec![logged(
            "all",
            REGION,
            false,
            Some(vec!["*".into()]),
        )]));
        assert!(failing(&INVOCATIONS_NOT_LOGGED, &inv).is_empty());
        // A stopped trail logs nothing.
        let mut stopped = logged("all", REGION, true, Some(vec!["*".into()]));
        stopped.is_logging = Some(false);
        assert_eq!(
            failing(&INVOCATIONS_NOT_LOGGED, &with(Some(vec![stopped]))),
            ["orders-api", "other"]
        );
        // No trail at all.
        assert_eq!(
            failing(&INVOCATIONS_NOT_LOGGED, &with(Some(vec![]))),
            ["orders-api", "other"]
        );
        // Selectors or trails unreadable: not assessed, never failing.
        let out = run(
            &INVOCATIONS_NOT_LOGGED,
            &with(Some(vec![logged("main", REGION, true, None)])),
        );
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["orders-api", "other"]);
        let out = run(&INVOCATIONS_NOT_LOGGED, &with(None));
        assert!(out.findings.is_empty());
    }
    #[test]
    fn invocation_logging_waits_for_every_region_s_trails() {
        assert!(!INVOCATIONS_NOT_LOGGED.region_local());
        assert!(NOT_IN_VPC.region_local());
    }
}
