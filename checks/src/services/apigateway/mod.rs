//! API Gateway (REST APIs): the inventory model of a region's APIs, their methods and
//! stages, and their rules (execution logging off, access logging off, no X-Ray tracing,
//! no WAF web ACL, cache not encrypted, no client certificate for the backend, methods
//! open without authorisation).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{ApiStage, Inventory, RegionInventory, RestApi},
};

/// API Gateway's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("apigateway", read);

fn read(r: &RegionInventory) -> bool {
    r.rest_apis.is_some()
}

/// The stages of every REST API of a region were read. A stage's findings are keyed by
/// stage, so an API whose stages could not be read leaves the whole region unjudged by the
/// stage rules (its stages' findings stay as they are) rather than resolving them.
pub const STAGES: crate::Source = crate::Source::Regional("apigateway", stages_read);

fn stages_read(r: &RegionInventory) -> bool {
    r.rest_apis
        .as_ref()
        .is_some_and(|apis| apis.iter().all(|a| a.stages.is_some()))
}

/// API Gateway in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "apigateway",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &EXECUTION_LOGGING_DISABLED,
        &ACCESS_LOGGING_DISABLED,
        &TRACING_DISABLED,
        &NO_WAF,
        &CACHE_NOT_ENCRYPTED,
        &METHOD_WITHOUT_AUTHORIZATION,
        &NO_CLIENT_CERTIFICATE,
    ],
};

const API_TYPE: &str = "AWS::ApiGateway::RestApi";
const STAGE_TYPE: &str = "AWS::ApiGateway::Stage";

/// Lists the region's REST APIs (with their methods) and their stages (with their
/// settings). Stages are complete only where every API's stages were read.
fn assets(r: &RegionInventory, out: &mut crate::services::Assets) {
    let Some(apis) = &r.rest_apis else {
        return;
    };
    let mut stages_complete = true;
    for api in apis {
        let cfg = json!({
            "name": api.name,
            "endpointTypes": api.endpoint_types,
            "methods": api.methods,
        });
        out.add(&r.region, API_TYPE, &api.id, Some(api.arn.clone()), cfg);
        match &api.stages {
            Some(stages) => {
                for s in stages {
                    let mut cfg = crate::services::json(s);
                    cfg["restApiId"] = json!(api.id);
                    cfg["restApiName"] = json!(api.name);
                    out.add(
                        &r.region,
                        STAGE_TYPE,
                        &stage_id(api, s),
                        Some(s.arn.clone()),
                        cfg,
                    );
                }
            }
            None => stages_complete = false,
        }
    }
    out.complete(&r.region, API_TYPE);
    if stages_complete {
        out.complete(&r.region, STAGE_TYPE);
    }
}

/// A stage's resource ID: `<api id>/<stage name>` (stage names repeat across APIs).
pub fn stage_id(api: &RestApi, stage: &ApiStage) -> String {
    format!("{}/{}", api.id, stage.name)
}

/// Every REST API of the account, with its region.
fn apis(inv: &Inventory) -> impl Iterator<Item = (&str, &RestApi)> {
    inv.regions.iter().flat_map(|region| {
        region
            .rest_apis
            .iter()
            .flatten()
            .map(move |api| (region.region.as_str(), api))
    })
}

/// Fails each stage `fails` judges (an API whose stages could not be read makes its region
/// incomplete, see [`STAGES`]).
fn stage_rule(
    inv: &Inventory,
    sink: &mut Sink,
    fails: impl Fn(&ApiStage) -> Option<serde_json::Value>,
) {
    for (region, api) in apis(inv) {
        for stage in api.stages.iter().flatten() {
            if let Some(evidence) = fails(stage) {
                sink.fail(
                    region,
                    &stage_id(api, stage),
                    Some(stage.arn.clone()),
                    evidence,
                );
            }
        }
    }
}

/// Execution logging levels that record something.
const LOGGING_ON: &[&str] = &["ERROR", "INFO"];

pub static EXECUTION_LOGGING_DISABLED: Rule = Rule {
    id: "apigateway-stage-execution-logging-disabled",
    title: "API Gateway stage does not log executions",
    severity: Severity::Medium,
    description: "Execution logging to CloudWatch Logs is off for this stage (or for some of \
                  its methods): errors, authoriser decisions and integration failures leave \
                  no trace, so abuse of the API or a failing backend cannot be investigated.",
    remediation: "Set the stage's CloudWatch logging level to `ERROR` or `INFO` for all \
                  methods (console: Stages, Logs and tracing; or `aws apigateway update-stage \
                  --patch-operations op=replace,path=/*/*/logging/loglevel,value=INFO`), and \
                  remove method overrides that turn it `OFF`. The account needs a CloudWatch \
                  Logs role set in API Gateway's settings.",
    compliance: &["AWS FSBP APIGateway.1"],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: execution_logging_disabled,
};

fn execution_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        let on = |level: Option<&str>| level.is_some_and(|l| LOGGING_ON.contains(&l));
        let default = s
            .method_settings
            .get("*/*")
            .and_then(|m| m.logging_level.as_deref());
        let off_methods: Vec<&str> = s
            .method_settings
            .iter()
            .filter(|(k, m)| k.as_str() != "*/*" && m.logging_level.as_deref() == Some("OFF"))
            .map(|(k, _)| k.as_str())
            .collect();
        (!on(default) || !off_methods.is_empty())
            .then(|| json!({ "loggingLevel": default.unwrap_or("OFF"), "methodsOff": off_methods }))
    });
}

pub static ACCESS_LOGGING_DISABLED: Rule = Rule {
    id: "apigateway-stage-access-logging-disabled",
    title: "API Gateway stage does not write access logs",
    severity: Severity::Medium,
    description: "The stage has no access log destination: there is no record of who called \
                  which method from which address with which result, which an investigation \
                  of credential abuse or data scraping through the API needs.",
    remediation: "Turn on custom access logging to a CloudWatch Logs group or Firehose stream \
                  (console: Stages, Logs and tracing, Custom access logging; or `aws \
                  apigateway update-stage --patch-operations \
                  op=replace,path=/accessLogSettings/destinationArn,value=<log group ARN>`).",
    // FSBP's access-logging control (APIGateway.9) covers API Gateway V2 stages only.
    compliance: &[],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: access_logging_disabled,
};

fn access_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        s.access_log_destination
            .as_deref()
            .unwrap_or("")
            .is_empty()
            .then(|| json!({ "accessLogSettings": null }))
    });
}

pub static TRACING_DISABLED: Rule = Rule {
    id: "apigateway-stage-xray-tracing-disabled",
    title: "API Gateway stage does not trace requests with AWS X-Ray",
    severity: Severity::Low,
    description: "Active X-Ray tracing is off for this stage: a request cannot be followed \
                  from the API into the services behind it, which slows down finding where \
                  an abusive or failing request went.",
    remediation: "Enable X-Ray tracing on the stage (console: Stages, Logs and tracing, X-Ray \
                  tracing; or `aws apigateway update-stage --patch-operations \
                  op=replace,path=/tracingEnabled,value=true`).",
    compliance: &["AWS FSBP APIGateway.3"],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: tracing_disabled,
};

fn tracing_disabled(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        (!s.tracing_enabled).then(|| json!({ "tracingEnabled": false }))
    });
}

pub static NO_WAF: Rule = Rule {
    id: "apigateway-stage-no-waf",
    title: "API Gateway stage has no AWS WAF web ACL",
    severity: Severity::Medium,
    description: "No web ACL filters the requests reaching this stage: injection attempts, \
                  bad bots and request floods go straight to the integrations behind the API.",
    remediation: "Associate a regional AWS WAF web ACL with the stage (`aws wafv2 \
                  associate-web-acl --web-acl-arn <arn> --resource-arn \
                  arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`), for example \
                  with the AWS managed core rule set.",
    compliance: &["AWS FSBP APIGateway.4"],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: no_waf,
};

fn no_waf(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        s.web_acl_arn
            .as_deref()
            .unwrap_or("")
            .is_empty()
            .then(|| json!({ "webAclArn": null }))
    });
}

pub static CACHE_NOT_ENCRYPTED: Rule = Rule {
    id: "apigateway-stage-cache-not-encrypted",
    title: "API Gateway stage caches responses unencrypted",
    severity: Severity::Medium,
    description: "A method of this stage caches its responses without encrypting the cache \
                  at rest: cached answers (which can hold personal data or tokens) sit in \
                  clear on the cache cluster's storage.",
    remediation: "Turn on cache encryption for every cached method (console: Stages, Stage \
                  details, Encrypt cache data; or `aws apigateway update-stage \
                  --patch-operations op=replace,path=/*/*/caching/dataEncrypted,value=true`).",
    compliance: &["AWS FSBP APIGateway.5"],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: cache_not_encrypted,
};

fn cache_not_encrypted(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        let clear: Vec<&str> = s
            .method_settings
            .iter()
            .filter(|(_, m)| m.caching_enabled && !m.cache_data_encrypted)
            .map(|(k, _)| k.as_str())
            .collect();
        (!clear.is_empty()).then(|| json!({ "unencryptedCachedMethods": clear }))
    });
}

pub static NO_CLIENT_CERTIFICATE: Rule = Rule {
    id: "apigateway-stage-no-client-certificate",
    title: "API Gateway stage has no client certificate for its backend",
    severity: Severity::Low,
    description: "The stage presents no client certificate to its integrations: an HTTP \
                  backend cannot tell requests relayed by API Gateway (after its \
                  authorisation, throttling and WAF) from requests sent to it directly by \
                  anyone who learns its address. (Lambda, AWS-service and mock integrations \
                  are reached through IAM and do not use the certificate.)",
    remediation: "Generate a client certificate (`aws apigateway \
                  generate-client-certificate`), set it on the stage (`aws apigateway \
                  update-stage --rest-api-id <id> --stage-name <stage> --patch-operations \
                  op=replace,path=/clientCertificateId,value=<certificate id>`) and have the \
                  backend accept only requests that present it.",
    compliance: &["AWS FSBP APIGateway.2"],
    resource_type: STAGE_TYPE,
    scope: Scope::Regional,
    sources: &[STAGES],
    check: no_client_certificate,
};

fn no_client_certificate(inv: &Inventory, sink: &mut Sink) {
    stage_rule(inv, sink, |s| {
        s.client_certificate_id
            .as_deref()
            .unwrap_or("")
            .is_empty()
            .then(|| json!({ "clientCertificateId": null }))
    });
}

pub static METHOD_WITHOUT_AUTHORIZATION: Rule = Rule {
    id: "apigateway-method-without-authorization",
    title: "API Gateway REST API has methods anyone can call",
    severity: Severity::Medium,
    description: "A method of this API (other than a CORS pre-flight `OPTIONS`) has the \
                  authorisation type `NONE`: neither IAM, a Lambda authoriser nor a Cognito \
                  user pool checks the caller, so anyone who finds the URL can invoke the \
                  backend behind it.",
    remediation: "Require an authoriser on every method that is not meant to be public \
                  (`aws apigateway update-method --rest-api-id <id> --resource-id <res> \
                  --http-method GET --patch-operations \
                  op=replace,path=/authorizationType,value=AWS_IAM`, or a Lambda or Cognito \
                  authoriser), then redeploy the stage.",
    // FSBP's authorisation control (APIGateway.8) covers API Gateway V2 routes only.
    compliance: &[],
    resource_type: API_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: method_without_authorization,
};

fn method_without_authorization(inv: &Inventory, sink: &mut Sink) {
    for (region, api) in apis(inv) {
        let Some(methods) = &api.methods else {
            sink.unknown(region, &api.id);
            continue;
        };
        let open: Vec<String> = methods
            .iter()
            .filter(|m| m.http_method != "OPTIONS" && m.authorization_type == "NONE")
            .map(|m| format!("{} {}", m.http_method, m.path))
            .collect();
        if !open.is_empty() {
            sink.fail(
                region,
                &api.id,
                Some(api.arn.clone()),
                json!({ "name": api.name, "methodsWithoutAuthorization": open }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{
        fixtures::{REGION, failing, run, unknown, with_regions},
        model::{ApiMethod, StageMethodSettings},
    };

    fn arn(id: &str) -> String {
        format!("arn:aws:apigateway:{REGION}::/restapis/{id}")
    }

    /// A well-configured stage: logs at INFO, access logs, X-Ray, WAF, encrypted cache.
    fn stage(api: &str, name: &str) -> ApiStage {
        ApiStage {
            name: name.into(),
            arn: format!("{}/stages/{name}", arn(api)),
            tracing_enabled: true,
            web_acl_arn: Some(format!(
                "arn:aws:wafv2:{REGION}:123456789012:regional/webacl/api/1"
            )),
            access_log_destination: Some(format!(
                "arn:aws:logs:{REGION}:123456789012:log-group:api-access"
            )),
            client_certificate_id: Some("a1b2c3".into()),
            cache_cluster_enabled: true,
            method_settings: BTreeMap::from([(
                "*/*".to_owned(),
                StageMethodSettings {
                    logging_level: Some("INFO".into()),
                    caching_enabled: true,
                    cache_data_encrypted: true,
                },
            )]),
        }
    }

    fn method(path: &str, verb: &str, auth: &str) -> ApiMethod {
        ApiMethod {
            path: path.into(),
            http_method: verb.into(),
            authorization_type: auth.into(),
            api_key_required: false,
        }
    }

    /// A well-configured API with one `prod` stage.
    fn api(id: &str) -> RestApi {
        RestApi {
            id: id.into(),
            name: format!("{id}-api"),
            arn: arn(id),
            endpoint_types: vec!["REGIONAL".into()],
            methods: Some(vec![
                method("/orders", "GET", "AWS_IAM"),
                method("/orders", "POST", "COGNITO_USER_POOLS"),
                // A CORS pre-flight carries no credentials: not judged.
                method("/orders", "OPTIONS", "NONE"),
            ]),
            stages: Some(vec![stage(id, "prod")]),
        }
    }

    fn with(apis: Option<Vec<RestApi>>) -> Inventory {
        with_regions(vec![(REGION, apis)], |r, apis| r.rest_apis = apis)
    }

    /// `good` with its prod stage changed by `f`.
    fn changed(id: &str, f: impl FnOnce(&mut ApiStage)) -> RestApi {
        let mut a = api(id);
        f(&mut a.stages.as_mut().unwrap()[0]);
        a
    }

    #[test]
    fn execution_logging_off_by_default_or_on_a_method_fails() {
        let unset = changed("unset", |s| {
            s.method_settings.get_mut("*/*").unwrap().logging_level = None
        });
        let off = changed("off", |s| {
            s.method_settings.get_mut("*/*").unwrap().logging_level = Some("OFF".into())
        });
        let override_off = changed("override", |s| {
            s.method_settings.insert(
                "orders/GET".into(),
                StageMethodSettings {
                    logging_level: Some("OFF".into()),
                    ..Default::default()
                },
            );
        });
        let errors_only = changed("errors", |s| {
            s.method_settings.get_mut("*/*").unwrap().logging_level = Some("ERROR".into())
        });
        let no_settings = changed("none", |s| s.method_settings.clear());
        let inv = with(Some(vec![
            api("good"),
            unset,
            off,
            override_off,
            errors_only,
            no_settings,
        ]));
        assert_eq!(
            failing(&EXECUTION_LOGGING_DISABLED, &inv),
            ["unset/prod", "off/prod", "override/prod", "none/prod"]
        );
    }

    #[test]
    fn access_logging_tracing_and_waf_fail_when_absent() {
        let no_access = changed("noaccess", |s| s.access_log_destination = None);
        let no_xray = changed("noxray", |s| s.tracing_enabled = false);
        let no_waf = changed("nowaf", |s| s.web_acl_arn = Some(String::new()));
        let inv = with(Some(vec![api("good"), no_access, no_xray, no_waf]));
        assert_eq!(failing(&ACCESS_LOGGING_DISABLED, &inv), ["noaccess/prod"]);
        assert_eq!(failing(&TRACING_DISABLED, &inv), ["noxray/prod"]);
        assert_eq!(failing(&NO_WAF, &inv), ["nowaf/prod"]);
    }

    #[test]
    fn a_cached_method_without_encryption_fails_an_uncached_one_does_not() {
        let clear = changed("clear", |s| {
            s.method_settings
                .get_mut("*/*")
                .unwrap()
                .cache_data_encrypted = false
        });
        let uncached = changed("uncached", |s| {
            let m = s.method_settings.get_mut("*/*").unwrap();
            m.caching_enabled = false;
            m.cache_data_encrypted = false;
        });
        let one_method = changed("method", |s| {
            s.method_settings.insert(
                "items/GET".into(),
                StageMethodSettings {
                    caching_enabled: true,
                    ..Default::default()
                },
            );
        });
        let inv = with(Some(vec![api("good"), clear, uncached, one_method]));
        assert_eq!(
            failing(&CACHE_NOT_ENCRYPTED, &inv),
            ["clear/prod", "method/prod"]
        );
    }

    #[test]
    fn methods_without_authorization_fail_the_api_options_excepted() {
        let mut open = api("open");
        open.methods
            .as_mut()
            .unwrap()
            .push(method("/items", "GET", "NONE"));
        let mut cors_only = api("cors");
        cors_only.methods = Some(vec![method("/", "OPTIONS", "NONE")]);
        let inv = with(Some(vec![api("good"), open, cors_only]));
        let out = run(&METHOD_WITHOUT_AUTHORIZATION, &inv);
        let ids: Vec<&str> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["open"]);
        assert_eq!(
            out.findings[0].evidence["methodsWithoutAuthorization"],
            json!(["GET /items"])
        );
        assert_eq!(out.findings[0].resource_type, API_TYPE);
    }

    #[test]
    fn unread_stages_or_methods_are_not_assessed_and_an_unread_region_is_not_complete() {
        let mut unread = api("unread");
        unread.stages = None;
        unread.methods = None;
        let inv = with(Some(vec![api("good"), unread]));
        for rule in SERVICE.rules {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            if rule.resource_type == STAGE_TYPE {
                // Its stages' IDs are unknown: the region is not judged at all.
                assert!(out.complete.is_empty(), "{}", rule.id);
            } else {
                assert_eq!(unknown(&out), ["unread"], "{}", rule.id);
                assert_eq!(out.complete.len(), 1, "{}", rule.id);
            }
        }
        for rule in SERVICE.rules {
            assert!(run(rule, &with(None)).complete.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn a_stage_without_a_client_certificate_fails() {
        let none = changed("none", |s| s.client_certificate_id = None);
        let empty = changed("empty", |s| s.client_certificate_id = Some(String::new()));
        let mut unread = api("unread");
        unread.stages = None;
        let inv = with(Some(vec![api("good"), none, empty]));
        assert_eq!(
            failing(&NO_CLIENT_CERTIFICATE, &inv),
            ["none/prod", "empty/prod"]
        );
        let out = run(
            &NO_CLIENT_CERTIFICATE,
            &with(Some(vec![api("good"), unread])),
        );
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }
}
