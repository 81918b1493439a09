//! Lambda: a region's functions, with their function URLs' auth types, their resource
//! policies, their environment's KMS key and their VPC. Environment variables are judged as they are read and only their names and
//! verdicts are kept: their values never reach the inventory, the assets or a log.

use aws_sdk_lambda::types::FunctionConfiguration;
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::{Reader, error_code};

/// Lambda in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "lambda",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: a runtime's deprecation comes with time, not with a write call.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let functions = read(r).await;
    fill(move |region: &mut RegionInventory| region.lambda_functions = functions)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::LambdaFunction>> {
    let c = aws_sdk_lambda::Client::new(r.config);
    let listed: Vec<FunctionConfiguration> = r.ok(
        "ListFunctions",
        c.list_functions()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for f in listed {
        let Some(name) = f.function_name() else {
            continue;
        };
        let mut environment: Vec<m::EnvVar> = f
            .environment()
            .and_then(|e| e.variables())
            .map(|vars| vars.iter().map(|(k, v)| m::EnvVar::judge(k, v)).collect())
            .unwrap_or_default();
        environment.sort_by(|a, b| a.name.cmp(&b.name));
        out.push(m::LambdaFunction {
            name: name.to_owned(),
            arn: f.function_arn().map(str::to_owned),
            runtime: f.runtime().map(|rt| rt.as_str().to_owned()),
            environment,
            url_auth_types: url_auth_types(&c, r, name).await,
            policy_statements: policy(&c, r, name).await,
            kms_key_arn: f.kms_key_arn().filter(|k| !k.is_empty()).map(str::to_owned),
            vpc_id: f
                .vpc_config()
                .and_then(|v| v.vpc_id())
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
        });
    }
    Some(out)
}

/// The auth type of the function's URL (none: an empty list). The unqualified function's
/// URL only: `GetFunctionUrlConfig` is the call the emulator serves (URLs on aliases are
/// not read).
async fn url_auth_types(
    c: &aws_sdk_lambda::Client,
    r: Reader<'_>,
    name: &str,
) -> Option<Vec<String>> {
    match c.get_function_url_config().function_name(name).send().await {
        Ok(u) => Some(vec![u.auth_type().as_str().to_owned()]),
        Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Some(vec![]),
        Err(e) => {
            r.record("GetFunctionUrlConfig", &e);
            None
        }
    }
}

/// The statements of the function's resource policy (none: an empty list).
async fn policy(
    c: &aws_sdk_lambda::Client,
    r: Reader<'_>,
    name: &str,
) -> Option<Vec<serde_json::Value>> {
    match c.get_policy().function_name(name).send().await {
        Ok(p) => p.policy().map_or(Some(vec![]), policy_statements),
        Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Some(vec![]),
        Err(e) => {
            r.record("GetPolicy", &e);
            None
        }
    }
}
