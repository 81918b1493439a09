//! API Gateway (REST APIs): a region's APIs from `GetRestApis`, with `GetResources`
//! (methods embedded) and `GetStages` per API.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// API Gateway in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "apigateway",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Methods and stages change through API Gateway's own calls; a stage's web ACL through
    // AWS WAF's `AssociateWebACL`/`DisassociateWebACL`, logged under `wafv2`. Both named so
    // a write re-checks API Gateway, and a region neither touched keeps its findings on an
    // incremental rescan.
    changed_by: &["apigateway.amazonaws.com", "wafv2.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let apis = read(r).await;
    fill(move |region: &mut RegionInventory| region.rest_apis = apis)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::RestApi>> {
    let c = aws_sdk_apigateway::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "GetRestApis",
        c.get_rest_apis()
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for api in listed {
        let Some(id) = api.id() else { continue };
        let resources: Result<Vec<_>, _> = c
            .get_resources()
            .rest_api_id(id)
            .embed("methods")
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        let methods = match resources {
            Ok(rs) => Some(rs.iter().flat_map(methods).collect()),
            Err(e) => {
                r.record("GetResources", &e);
                None
            }
        };
        let stages = match c.get_stages().rest_api_id(id).send().await {
            Ok(got) => Some(got.item().iter().map(|s| stage(r.region, id, s)).collect()),
            Err(e) => {
                r.record("GetStages", &e);
                None
            }
        };
        out.push(m::RestApi {
            id: id.to_owned(),
            name: api.name().unwrap_or_default().to_owned(),
            arn: format!("arn:aws:apigateway:{}::/restapis/{id}", r.region),
            endpoint_types: api
                .endpoint_configuration()
                .map(|e| e.types().iter().map(|t| t.as_str().to_owned()).collect())
                .unwrap_or_default(),
            methods,
            stages,
        });
    }
    Some(out)
}

/// The methods of one resource, as `GetResources` embeds them.
fn methods(resource: &aws_sdk_apigateway::types::Resource) -> Vec<m::ApiMethod> {
    let path = resource.path().unwrap_or("/");
    let mut out: Vec<m::ApiMethod> = resource
        .resource_methods()
        .into_iter()
        .flatten()
        .map(|(verb, method)| m::ApiMethod {
            path: path.to_owned(),
            http_method: method.http_method().unwrap_or(verb).to_owned(),
            // `NONE` is AWS's default: a method without a type is open.
            authorization_type: method.authorization_type().unwrap_or("NONE").to_owned(),
            api_key_required: method.api_key_required().unwrap_or(false),
        })
        .collect();
    out.sort_by(|a, b| a.http_method.cmp(&b.http_method));
    out
}

/// The model of one stage.
fn stage(region: &str, api_id: &str, s: &aws_sdk_apigateway::types::Stage) -> m::ApiStage {
    let name = s.stage_name().unwrap_or_default();
    let non_empty = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
    m::ApiStage {
        name: name.to_owned(),
        arn: format!("arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{name}"),
        tracing_enabled: s.tracing_enabled(),
        web_acl_arn: non_empty(s.web_acl_arn()),
        access_log_destination: non_empty(
            s.access_log_settings().and_then(|a| a.destination_arn()),
        ),
        client_certificate_id: non_empty(s.client_certificate_id()),
        cache_cluster_enabled: s.cache_cluster_enabled(),
        method_settings: s
            .method_settings()
            .into_iter()
            .flatten()
            .map(|(key, ms)| {
                (
                    key.clone(),
                    m::StageMethodSettings {
                        logging_level: ms.logging_level().map(str::to_owned),
                        caching_enabled: ms.caching_enabled(),
                        cache_data_encrypted: ms.cache_data_encrypted(),
                    },
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_apigateway::types::{AccessLogSettings, Method, MethodSetting, Resource, Stage};

    #[test]
    fn api_gateway_and_waf_write_calls_map_to_api_gateway() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("apigateway.amazonaws.com"), Some("apigateway"));
        assert_eq!(service_of("wafv2.amazonaws.com"), Some("apigateway"));
        assert!(super::super::skippable_sources().contains(&"apigateway.amazonaws.com"));
    }

    /// moto serves no client certificate on a stage: the mapping of one, of method settings
    /// and of embedded methods is tested here on SDK values as AWS returns them.
    #[test]
    fn stages_and_methods_as_aws_returns_them() {
        let stage = Stage::builder()
            .stage_name("prod")
            .client_certificate_id("abc123")
            .tracing_enabled(true)
            .web_acl_arn("")
            .access_log_settings(
                AccessLogSettings::builder()
                    .destination_arn("arn:aws:logs:eu-west-1:123456789012:log-group:a")
                    .build(),
            )
            .method_settings(
                "*/*",
                MethodSetting::builder()
                    .logging_level("ERROR")
                    .caching_enabled(true)
                    .build(),
            )
            .build();
        let got = super::stage("eu-west-1", "a1b2", &stage);
        assert_eq!(
            got.arn,
            "arn:aws:apigateway:eu-west-1::/restapis/a1b2/stages/prod"
        );
        assert_eq!(got.client_certificate_id.as_deref(), Some("abc123"));
        assert!(got.tracing_enabled && got.web_acl_arn.is_none());
        assert!(got.access_log_destination.is_some());
        let all = &got.method_settings["*/*"];
        assert_eq!(all.logging_level.as_deref(), Some("ERROR"));
        assert!(all.caching_enabled && !all.cache_data_encrypted);

        let resource = Resource::builder()
            .path("/orders")
            .resource_methods(
                "GET",
                Method::builder()
                    .http_method("GET")
                    .authorization_type("CUSTOM")
                    .build(),
            )
            .resource_methods("DELETE", Method::builder().http_method("DELETE").build())
            .build();
        let got: Vec<String> = super::methods(&resource)
            .into_iter()
            .map(|m| format!("{} {} {}", m.path, m.http_method, m.authorization_type))
            .collect();
        // A method without an authorisation type reads as open.
        assert_eq!(got, ["/orders DELETE NONE", "/orders GET CUSTOM"]);
    }
}
