//! The API Gateway part of the inventory: a region's REST APIs, with their methods (how
//! each is authorised) and their stages (logging, tracing, WAF, cache).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An API Gateway REST API of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RestApi {
    /// The API ID (`a1b2c3d4e5`), unique in its region (names need not be).
    pub id: String,
    pub name: String,
    /// `arn:aws:apigateway:<region>::/restapis/<id>`.
    pub arn: String,
    /// `EDGE`, `REGIONAL` or `PRIVATE`.
    pub endpoint_types: Vec<String>,
    /// Every method of every resource. `None`: could not be read.
    pub methods: Option<Vec<ApiMethod>>,
    /// The API's stages. `None`: could not be read.
    pub stages: Option<Vec<ApiStage>>,
}

/// One method (`GET /orders`) of a REST API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApiMethod {
    /// The resource's path (`/orders`).
    pub path: String,
    pub http_method: String,
    /// `NONE`, `AWS_IAM`, `CUSTOM` (a Lambda authorizer) or `COGNITO_USER_POOLS`.
    pub authorization_type: String,
    pub api_key_required: bool,
}

/// One deployed stage of a REST API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApiStage {
    pub name: String,
    /// `arn:aws:apigateway:<region>::/restapis/<id>/stages/<name>`.
    pub arn: String,
    /// X-Ray active tracing.
    pub tracing_enabled: bool,
    /// The AWS WAF web ACL associated with the stage.
    pub web_acl_arn: Option<String>,
    /// Where access logs go (a CloudWatch Logs group or Firehose stream ARN).
    pub access_log_destination: Option<String>,
    /// The client certificate API Gateway presents to the backend.
    pub client_certificate_id: Option<String>,
    /// A cache cluster is provisioned for the stage.
    pub cache_cluster_enabled: bool,
    /// Method settings by `<resource path>/<method>`; `*/*` is the stage-wide default.
    pub method_settings: BTreeMap<String, StageMethodSettings>,
}

/// The settings of a stage for one method (or, under `*/*`, for all).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageMethodSettings {
    /// Execution logging: `OFF`, `ERROR` or `INFO` (`None`: not set, so off).
    pub logging_level: Option<String>,
    pub caching_enabled: bool,
    pub cache_data_encrypted: bool,
}
