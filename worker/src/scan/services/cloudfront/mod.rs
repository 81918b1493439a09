//! CloudFront (global, read through `us-east-1`): the account's distributions from
//! `ListDistributions`, with `GetDistributionConfig` per distribution for what the listing
//! leaves out (logging, default root object), and `HeadBucket` on each bucket an origin
//! names (whether it still exists).

use vigil_checks::model::{self as m, Inventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// CloudFront in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "cloudfront",
    collect: Collect::Global(|r| Box::pin(collect(r))),
    // Global, so read at every scan; its writes (`cloudfront.amazonaws.com`, logged in
    // us-east-1) map to it by name for a re-check (see the test below).
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<Inventory> {
    let distributions = read(r).await;
    fill(move |inv: &mut Inventory| inv.cloudfront_distributions = distributions)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::Distribution>> {
    let c = aws_sdk_cloudfront::Client::new(r.config);
    let mut summaries = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = r.ok(
            "ListDistributions",
            c.list_distributions()
                .set_marker(marker.take())
                .send()
                .await,
        )?;
        let Some(list) = page.distribution_list() else {
            break;
        };
        summaries.extend(list.items().iter().cloned());
        match list.next_marker() {
            Some(next) if list.is_truncated() && !next.is_empty() => marker = Some(next.into()),
            _ => break,
        }
    }
    let mut out = Vec::with_capacity(summaries.len());
    for d in summaries {
        let id = d.id().to_owned();
        let config = match c.get_distribution_config().id(&id).send().await {
            Ok(got) => got
                .distribution_config()
                .map(|cfg| m::DistributionSettings {
                    logging_enabled: cfg.logging().map(|l| l.enabled()).unwrap_or(false),
                    default_root_object: cfg.default_root_object().unwrap_or("").to_owned(),
                }),
            Err(e) => {
                r.record("GetDistributionConfig", &e);
                None
            }
        };
        out.push(distribution(&d, config));
    }
    // Whether each bucket an origin names exists (once per bucket).
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(r.config)
            .force_path_style(true)
            .build(),
    );
    let mut seen: std::collections::BTreeMap<String, Option<bool>> = Default::default();
    for o in out.iter_mut().flat_map(|d| d.origins.iter_mut()) {
        let Some(bucket) = vigil_checks::services::cloudfront::origin_bucket(o) else {
            continue;
        };
        let bucket = bucket.to_owned();
        let exists = match seen.get(&bucket) {
            Some(known) => *known,
            None => {
                let got = bucket_exists(r, &s3, &bucket).await;
                seen.insert(bucket, got);
                got
            }
        };
        o.bucket_exists = exists;
    }
    Some(out)
}

/// Whether a bucket exists: only a 404 says it does not. A 403 is a bucket of another
/// account (or one this role may not see), a 301 one in another region: both exist, so a
/// denied read can never make a bucket read as missing.
async fn bucket_exists(r: Reader<'_>, s3: &aws_sdk_s3::Client, bucket: &str) -> Option<bool> {
    match s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Some(true),
        Err(e) => match e.raw_response().map(|resp| resp.status().as_u16()) {
            Some(404) => Some(false),
            Some(301 | 403) => Some(true),
            _ => {
                r.record("HeadBucket", &e);
                None
            }
        },
    }
}

/// The model of one listed distribution.
fn distribution(
    d: &aws_sdk_cloudfront::types::DistributionSummary,
    config: Option<m::DistributionSettings>,
) -> m::Distribution {
    let (default_certificate, minimum_protocol_version) = certificate(d.viewer_certificate());
    m::Distribution {
        id: d.id().to_owned(),
        arn: Some(d.arn().to_owned()),
        domain_name: Some(d.domain_name().to_owned()),
        enabled: d.enabled(),
        behaviors: behaviors(d.default_cache_behavior(), d.cache_behaviors()),
        default_certificate,
        minimum_protocol_version,
        origins: d
            .origins()
            .map(|o| o.items())
            .unwrap_or_default()
            .iter()
            .map(origin)
            .collect(),
        web_acl_id: Some(d.web_acl_id().to_owned()).filter(|w| !w.is_empty()),
        config,
    }
}

/// Each cache behaviour's viewer protocol policy, the default one first (as `*`).
fn behaviors(
    default: Option<&aws_sdk_cloudfront::types::DefaultCacheBehavior>,
    others: Option<&aws_sdk_cloudfront::types::CacheBehaviors>,
) -> Vec<m::CfBehavior> {
    let mut out = Vec::new();
    if let Some(b) = default {
        out.push(m::CfBehavior {
            path_pattern: "*".into(),
            viewer_protocol_policy: b.viewer_protocol_policy().as_str().to_owned(),
            target_origin_id: b.target_origin_id().to_owned(),
        });
    }
    for b in others.map(|c| c.items()).unwrap_or_default() {
        out.push(m::CfBehavior {
            path_pattern: b.path_pattern().to_owned(),
            viewer_protocol_policy: b.viewer_protocol_policy().as_str().to_owned(),
            target_origin_id: b.target_origin_id().to_owned(),
        });
    }
    out
}

/// Whether viewers get CloudFront's own certificate (none named counts as that), and the
/// minimum protocol version.
fn certificate(v: Option<&aws_sdk_cloudfront::types::ViewerCertificate>) -> (bool, Option<String>) {
    let Some(v) = v else {
        return (true, None);
    };
    let default = v.cloud_front_default_certificate().unwrap_or(false)
        || (v.acm_certificate_arn().unwrap_or("").is_empty()
            && v.iam_certificate_id().unwrap_or("").is_empty());
    (
        default,
        v.minimum_protocol_version().map(|p| p.as_str().to_owned()),
    )
}

fn origin(o: &aws_sdk_cloudfront::types::Origin) -> m::CfOrigin {
    m::CfOrigin {
        id: o.id().to_owned(),
        domain_name: o.domain_name().to_owned(),
        s3_origin: o.s3_origin_config().is_some(),
        origin_access_identity: o
            .s3_origin_config()
            .map(|s| s.origin_access_identity().to_owned()),
        origin_access_control_id: o
            .origin_access_control_id()
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        origin_protocol_policy: o
            .custom_origin_config()
            .map(|c| c.origin_protocol_policy().as_str().to_owned()),
        // Read after the listing, bucket by bucket.
        bucket_exists: None,
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudfront::types::{
        CacheBehavior, CacheBehaviors, CustomOriginConfig, DefaultCacheBehavior,
        MinimumProtocolVersion, Origin, OriginProtocolPolicy, S3OriginConfig, ViewerCertificate,
        ViewerProtocolPolicy,
    };

    #[test]
    fn cloudfront_write_calls_map_to_cloudfront() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("cloudfront.amazonaws.com"), Some("cloudfront"));
    }

    /// moto leaves `OriginAccessControlId` out of its answers (the emulator serves back
    /// only an S3 origin's identity): the mapping of an origin access control, of cache
    /// behaviours and of a certificate is tested here on SDK values as AWS returns them.
    #[test]
    fn origins_behaviours_and_certificates_as_aws_returns_them() {
        let s3 = |oai: &str| {
            S3OriginConfig::builder()
                .origin_access_identity(oai)
                .build()
        };
        let oac = Origin::builder()
            .id("oac")
            .domain_name("b.s3.us-east-1.amazonaws.com")
            .origin_access_control_id("E2OAC")
            .s3_origin_config(s3(""))
            .build()
            .unwrap();
        let open = Origin::builder()
            .id("open")
            .domain_name("c.s3.amazonaws.com")
            .s3_origin_config(s3(""))
            .build()
            .unwrap();
        let custom = Origin::builder()
            .id("alb")
            .domain_name("shop-1.eu-west-1.elb.amazonaws.com")
            .custom_origin_config(
                CustomOriginConfig::builder()
                    .http_port(80)
                    .https_port(443)
                    .origin_protocol_policy(OriginProtocolPolicy::HttpOnly)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        assert_eq!(
            super::origin(&custom).origin_protocol_policy.as_deref(),
            Some("http-only")
        );
        let oac = super::origin(&oac);
        assert!(oac.origin_protocol_policy.is_none());
        assert_eq!(oac.origin_access_control_id.as_deref(), Some("E2OAC"));
        let open = super::origin(&open);
        assert!(open.s3_origin && open.origin_access_control_id.is_none());
        assert_eq!(open.origin_access_identity.as_deref(), Some(""));

        let default = DefaultCacheBehavior::builder()
            .target_origin_id("oac")
            .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
            .build()
            .unwrap();
        let others = CacheBehaviors::builder()
            .quantity(1)
            .items(
                CacheBehavior::builder()
                    .path_pattern("/media/*")
                    .target_origin_id("open")
                    .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let got = super::behaviors(Some(&default), Some(&others));
        let policies: Vec<_> = got
            .iter()
            .map(|b| {
                (
                    b.path_pattern.as_str(),
                    b.viewer_protocol_policy.as_str(),
                    b.target_origin_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            policies,
            [
                ("*", "redirect-to-https", "oac"),
                ("/media/*", "allow-all", "open")
            ]
        );

        let custom = ViewerCertificate::builder()
            .cloud_front_default_certificate(false)
            .acm_certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/x")
            .minimum_protocol_version(MinimumProtocolVersion::from("TLSv1_2016"))
            .build();
        assert_eq!(
            super::certificate(Some(&custom)),
            (false, Some("TLSv1_2016".to_owned()))
        );
        let own = ViewerCertificate::builder()
            .cloud_front_default_certificate(true)
            .minimum_protocol_version(MinimumProtocolVersion::from("TLSv1"))
            .build();
        assert!(super::certificate(Some(&own)).0);
    }
}
