//! STS calls with errors sorted into what the caller should do about them.

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_smithy_types::error::display::DisplayErrorContext;

/// Why an STS call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StsError {
    /// AWS refused: the role, its trust policy or the external ID does not allow us.
    #[error("access denied: {0}")]
    Denied(String),
    /// AWS asked us to slow down; worth retrying later.
    #[error("throttled: {0}")]
    Throttled(String),
    /// Anything else (network, unexpected answer); worth retrying later.
    #[error("{0}")]
    Other(String),
}

impl StsError {
    /// Whether retrying later may help.
    pub fn is_transient(&self) -> bool {
        !matches!(self, StsError::Denied(_))
    }
}

fn classify<E>(err: aws_sdk_sts::error::SdkError<E>) -> StsError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err
        .as_service_error()
        .and_then(|e| e.code())
        .map(str::to_owned);
    let message = err
        .as_service_error()
        .and_then(|e| e.message())
        .map(str::to_owned)
        .unwrap_or_else(|| DisplayErrorContext(&err).to_string());
    match code.as_deref() {
        Some(
            "AccessDenied" | "AccessDeniedException" | "InvalidClientTokenId" | "ExpiredToken",
        ) => StsError::Denied(message),
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            StsError::Throttled(message)
        }
        _ => StsError::Other(message),
    }
}

/// Who a set of credentials belongs to.
#[derive(Debug, Clone)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// `GetCallerIdentity` with the configuration's credentials.
pub async fn caller_identity(config: &SdkConfig) -> Result<CallerIdentity, StsError> {
    let out = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(classify)?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        arn: out.arn().unwrap_or_default().to_owned(),
    })
}

/// What to assume.
#[derive(Debug, Clone)]
pub struct AssumeRequest<'a> {
    pub role_arn: &'a str,
    pub external_id: Option<&'a str>,
    pub session_name: &'a str,
    pub duration_secs: i32,
}

/// `AssumeRole` with our own credentials; returns the temporary credentials.
pub async fn assume_role(
    base: &SdkConfig,
    req: AssumeRequest<'_>,
) -> Result<Credentials, StsError> {
    let out = aws_sdk_sts::Client::new(base)
        .assume_role()
        .role_arn(req.role_arn)
        .role_session_name(req.session_name)
        .set_external_id(req.external_id.map(str::to_owned))
        .duration_seconds(req.duration_secs)
        .send()
        .await
        .map_err(classify)?;
    let c = out
        .credentials()
        .ok_or_else(|| StsError::Other("AssumeRole returned no credentials".into()))?;
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        expiry,
        "vigil-assume-role",
    ))
}

/// A copy of `base` that signs with `credentials`.
pub fn config_with_credentials(base: &SdkConfig, credentials: Credentials) -> SdkConfig {
    base.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .build()
}
