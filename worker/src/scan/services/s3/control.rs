//! S3 Control: the account-level public access block.

use vigil_checks::model as m;

use crate::scan::read::{Reader, error_code};

/// With an endpoint override (a local AWS emulator), S3 Control's `<account>.` host
/// prefix names a host that does not resolve; send those requests to the endpoint itself.
#[derive(Debug)]
struct AccountHostOnOverride;

impl aws_sdk_s3control::config::Intercept for AccountHostOnOverride {
    fn name(&self) -> &'static str {
        "AccountHostOnOverride"
    }

    fn modify_before_transmit(
        &self,
        ctx: &mut aws_sdk_s3control::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _rc: &aws_sdk_s3control::config::RuntimeComponents,
        _cfg: &mut aws_sdk_s3control::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3control::error::BoxError> {
        let request = ctx.request_mut();
        let uri = request.uri().to_owned();
        if let Some((scheme, rest)) = uri.split_once("://")
            && let Some((label, host)) = rest.split_once('.')
            && label.len() == 12
            && label.bytes().all(|b| b.is_ascii_digit())
        {
            request.set_uri(format!("{scheme}://{host}"))?;
        }
        Ok(())
    }
}

/// The account-level public access block: `Some(None)` when none is configured, `None`
/// (with the problem recorded under `s3control`) when it could not be read.
pub async fn account_public_access_block(r: Reader<'_>) -> Option<Option<m::PublicAccessBlock>> {
    let mut builder = aws_sdk_s3control::config::Builder::from(r.config);
    if r.config.endpoint_url().is_some() {
        builder = builder.interceptor(AccountHostOnOverride);
    }
    let client = aws_sdk_s3control::Client::from_conf(builder.build());
    let out = client
        .get_public_access_block()
        .account_id(r.account_id)
        .send()
        .await;
    match out {
        Ok(o) => Some(
            o.public_access_block_configuration()
                .map(|p| m::PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                }),
        ),
        Err(e) if error_code(&e) == Some("NoSuchPublicAccessBlockConfiguration") => Some(None),
        Err(e) => {
            r.as_service("s3control").record("GetPublicAccessBlock", &e);
            None
        }
    }
}
