//! The Lambda part of the inventory: the functions of a region.

use serde::{Deserialize, Serialize};

/// A Lambda function of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LambdaFunction {
    pub name: String,
    pub arn: Option<String>,
    /// `Runtime`, e.g. `python3.12`; `None` for container images (no managed runtime).
    pub runtime: Option<String>,
    /// The environment variables, judged when read: names and what their values look
    /// like, never the values (they would be stored with the asset).
    pub environment: Vec<EnvVar>,
    /// The `AuthType` of each function URL (`NONE`, `AWS_IAM`). `None`: not read; empty:
    /// the function has no URL.
    pub url_auth_types: Option<Vec<String>>,
    /// The statements of the function's resource policy. `None`: not read; empty: no
    /// policy.
    pub policy_statements: Option<Vec<serde_json::Value>>,
    /// `KMSKeyArn`: the customer managed key encrypting the environment variables (`None`:
    /// Lambda's AWS managed key).
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// `VpcConfig.VpcId`: the VPC the function's network interfaces are in (`None`: not
    /// connected to a VPC).
    #[serde(default)]
    pub vpc_id: Option<String>,
}

/// One environment variable: its name and a verdict on its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    /// The value has the form of a credential (an AWS access key ID, a private key, a
    /// token of a well-known kind).
    pub value_is_credential: bool,
    /// The value points at where a secret is kept (an ARN, a Secrets Manager or
    /// Parameter Store reference) or is empty: not a secret itself.
    pub value_is_reference: bool,
}

impl EnvVar {
    /// Judges a variable from its name and value; the value is not kept.
    pub fn judge(name: &str, value: &str) -> Self {
        let v = value.trim();
        let value_is_credential = looks_like_credential(v);
        let value_is_reference = v.is_empty()
            || v.starts_with("arn:")
            || v.starts_with("{{resolve:")
            || v.starts_with("ssm:")
            || v.starts_with("/aws/reference/secretsmanager/");
        Self {
            name: name.to_owned(),
            value_is_credential,
            value_is_reference,
        }
    }
}

/// Prefixes of well-known secret token formats: GitHub, Slack and Stripe live keys.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "sk_live_",
];

/// Whether a value has the form of a credential: an AWS access key ID (long-term `AKIA`
/// or temporary `ASIA`, 20 upper-case letters and digits), a well-known token, a PEM
/// private key.
fn looks_like_credential(v: &str) -> bool {
    let aws_key = v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let token = TOKEN_PREFIXES
        .iter()
        .any(|p| v.starts_with(p) && v.len() >= p.len() + 16);
    aws_key || token || v.contains("PRIVATE KEY-----")
}
