//! CloudFront (global): the inventory model of distributions, and their rules (plain HTTP
//! to viewers, outdated viewer TLS, logging off, S3 origins without origin access control,
//! no WAF web ACL, no default root object, plain HTTP to origins, S3 origins whose bucket
//! does not exist).

pub mod model;

use serde_json::json;

use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{CfOrigin, Distribution, DistributionSettings, Inventory},
};

/// CloudFront's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Account("cloudfront", read);

fn read(inv: &Inventory) -> bool {
    inv.cloudfront_distributions.is_some()
}

/// CloudFront in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "cloudfront",
    assets: crate::services::ListAssets::Account(assets),
    rules: &[
        &VIEWER_HTTP_ALLOWED,
        &OUTDATED_VIEWER_TLS,
        &LOGGING_DISABLED,
        &S3_ORIGIN_WITHOUT_ACCESS_CONTROL,
        &NO_WAF,
        &NO_DEFAULT_ROOT_OBJECT,
        &ORIGIN_TRAFFIC_UNENCRYPTED,
        &S3_ORIGIN_BUCKET_MISSING,
    ],
};

const RESOURCE_TYPE: &str = "AWS::CloudFront::Distribution";

/// Lists the distributions (their configuration carries the `cloudfront.net` name).
fn assets(inv: &Inventory, out: &mut crate::services::Assets) {
    let Some(distributions) = &inv.cloudfront_distributions else {
        return;
    };
    for d in distributions {
        let cfg = crate::services::json(d);
        out.add_global(RESOURCE_TYPE, &d.id, d.arn.clone(), cfg);
    }
    out.complete(GLOBAL, RESOURCE_TYPE);
}

fn distributions(inv: &Inventory) -> impl Iterator<Item = &Distribution> {
    inv.cloudfront_distributions.iter().flatten()
}

/// Fails each distribution whose configuration `fails`; not assessed when the
/// configuration could not be read.
fn settings_rule(
    inv: &Inventory,
    sink: &mut Sink,
    fails: impl Fn(&DistributionSettings) -> Option<serde_json::Value>,
) {
    for d in distributions(inv) {
        match &d.config {
            None => sink.unknown(GLOBAL, &d.id),
            Some(c) => {
                if let Some(evidence) = fails(c) {
                    sink.fail(GLOBAL, &d.id, d.arn.clone(), evidence);
                }
            }
        }
    }
}

pub static VIEWER_HTTP_ALLOWED: Rule = Rule {
    id: "cloudfront-viewer-http-allowed",
    title: "CloudFront distribution serves viewers over plain HTTP",
    severity: Severity::Medium,
    description: "A cache behaviour of this distribution has the viewer protocol policy \
                  `allow-all`: viewers can fetch its content over unencrypted HTTP, where \
                  anyone on the path can read or alter it (and the session cookies sent \
                  with it).",
    remediation: "Set every cache behaviour's viewer protocol policy to `redirect-to-https` \
                  or `https-only` (CloudFront console: Behaviors, Edit, Viewer protocol \
                  policy; or `aws cloudfront update-distribution` with the changed \
                  `ViewerProtocolPolicy`).",
    compliance: &["AWS FSBP CloudFront.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: viewer_http_allowed,
};

fn viewer_http_allowed(inv: &Inventory, sink: &mut Sink) {
    for d in distributions(inv) {
        let plain: Vec<&str> = d
            .behaviors
            .iter()
            .filter(|b| b.viewer_protocol_policy == "allow-all")
            .map(|b| b.path_pattern.as_str())
            .collect();
        if !plain.is_empty() {
            sink.fail(
                GLOBAL,
                &d.id,
                d.arn.clone(),
                json!({ "viewerProtocolPolicy": "allow-all", "pathPatterns": plain }),
            );
        }
    }
}

/// Viewer security policies that accept SSLv3, TLS 1.0 or TLS 1.1.
const OUTDATED_VIEWER_PROTOCOLS: &[&str] = &["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"];

pub static OUTDATED_VIEWER_TLS: Rule = Rule {
    id: "cloudfront-outdated-viewer-tls",
    title: "CloudFront distribution accepts TLS 1.0 or 1.1 from viewers",
    severity: Severity::Medium,
    description: "The distribution's custom certificate is served with a security policy \
                  (`SSLv3`, `TLSv1`, `TLSv1_2016` or `TLSv1.1_2016`) that still accepts \
                  deprecated protocol versions and weak ciphers with known attacks. \
                  Distributions on CloudFront's default `*.cloudfront.net` certificate are \
                  not judged: AWS fixes their policy.",
    remediation: "Set the viewer certificate's minimum protocol version to `TLSv1.2_2021` or \
                  later (CloudFront console: General, Settings, Security policy; or \
                  `MinimumProtocolVersion` in `aws cloudfront update-distribution`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: outdated_viewer_tls,
};

fn outdated_viewer_tls(inv: &Inventory, sink: &mut Sink) {
    for d in distributions(inv).filter(|d| !d.default_certificate) {
        if let Some(version) = d
            .minimum_protocol_version
            .as_deref()
            .filter(|v| OUTDATED_VIEWER_PROTOCOLS.contains(v))
        {
            sink.fail(
                GLOBAL,
                &d.id,
                d.arn.clone(),
                json!({ "minimumProtocolVersion": version }),
            );
        }
    }
}

pub static LOGGING_DISABLED: Rule = Rule {
    id: "cloudfront-logging-disabled",
    title: "CloudFront distribution does not log requests",
    severity: Severity::Medium,
    description: "Standard logging is off: there is no record of who requested what from \
                  the distribution, which an investigation of abuse, scraping or a leak \
                  needs.",
    remediation: "Turn on standard logging to an S3 bucket (CloudFront console: General, \
                  Settings, Standard logging; or `Logging.Enabled` in `aws cloudfront \
                  update-distribution`).",
    compliance: &["AWS FSBP CloudFront.5"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: logging_disabled,
};

fn logging_disabled(inv: &Inventory, sink: &mut Sink) {
    settings_rule(inv, sink, |c| {
        (!c.logging_enabled).then(|| json!({ "logging": { "enabled": false } }))
    });
}

/// Whether an origin reads an S3 bucket through its REST endpoint (an S3 origin, or a
/// custom origin naming `<bucket>.s3[.-]<region>.amazonaws.com`); website endpoints are
/// custom origins that can have no origin access control.
pub fn is_s3_rest_origin(o: &CfOrigin) -> bool {
    let host = o.domain_name.to_ascii_lowercase();
    o.s3_origin
        || (host.ends_with(".amazonaws.com")
            && (host.contains(".s3.") || host.contains(".s3-"))
            && !host.contains(".s3-website"))
}

pub static S3_ORIGIN_WITHOUT_ACCESS_CONTROL: Rule = Rule {
    id: "cloudfront-s3-origin-without-access-control",
    title: "CloudFront distribution reads an S3 origin without origin access control",
    severity: Severity::Medium,
    description: "An S3 origin of this distribution has neither an origin access control \
                  nor an origin access identity: CloudFront can only read the bucket if it \
                  is public, so viewers can bypass the distribution (its HTTPS policy, WAF, \
                  signed URLs, geo restrictions) and read the bucket directly.",
    remediation: "Create an origin access control, attach it to the origin, allow only the \
                  distribution (`AWS:SourceArn`) in the bucket policy, and block public \
                  access on the bucket.",
    compliance: &["AWS FSBP CloudFront.13"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: s3_origin_without_access_control,
};

fn s3_origin_without_access_control(inv: &Inventory, sink: &mut Sink) {
    for d in distributions(inv) {
        let open: Vec<&str> = d
            .origins
            .iter()
            .filter(|o| is_s3_rest_origin(o))
            .filter(|o| {
                o.origin_access_control_id
                    .as_deref()
                    .unwrap_or("")
                    .is_empty()
                    && o.origin_access_identity.as_deref().unwrap_or("").is_empty()
            })
            .map(|o| o.id.as_str())
            .collect();
        if !open.is_empty() {
            sink.fail(GLOBAL, &d.id, d.arn.clone(), json!({ "origins": open }));
        }
    }
}

pub static NO_WAF: Rule = Rule {
    id: "cloudfront-no-waf",
    title: "CloudFront distribution has no AWS WAF web ACL",
    severity: Severity::Medium,
    description: "No web ACL filters the requests reaching this distribution: common web \
                  exploits, bad bots and request floods go straight to the origin.",
    remediation: "Associate an AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) with the \
                  distribution, for example with the AWS managed core rule set.",
    compliance: &["AWS FSBP CloudFront.6"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: no_waf,
};

fn no_waf(inv: &Inventory, sink: &mut Sink) {
    for d in distributions(inv).filter(|d| d.web_acl_id.as_deref().unwrap_or("").is_empty()) {
        sink.fail(GLOBAL, &d.id, d.arn.clone(), json!({ "webAclId": null }));
    }
}

pub static NO_DEFAULT_ROOT_OBJECT: Rule = Rule {
    id: "cloudfront-no-default-root-object",
    title: "CloudFront distribution has no default root object",
    severity: Severity::Low,
    description: "A request for the distribution's root (`/`) is passed to the origin as \
                  is: an S3 origin may answer with a listing of the bucket's objects, or an \
                  error revealing its configuration.",
    remediation: "Set a default root object such as `index.html` (CloudFront console: \
                  General, Settings, Default root object; or `DefaultRootObject` in `aws \
                  cloudfront update-distribution`).",
    compliance: &["AWS FSBP CloudFront.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: no_default_root_object,
};

fn no_default_root_object(inv: &Inventory, sink: &mut Sink) {
    settings_rule(inv, sink, |c| {
        c.default_root_object
            .is_empty()
            .then(|| json!({ "defaultRootObject": "" }))
    });
}

pub static ORIGIN_TRAFFIC_UNENCRYPTED: Rule = Rule {
    id: "cloudfront-origin-traffic-unencrypted",
    title: "CloudFront distribution fetches from an origin over plain HTTP",
    severity: Severity::Medium,
    description: "An origin of this distribution is reached over unencrypted HTTP: a custom \
                  origin with the protocol policy `http-only`, or `match-viewer` (or an S3 \
                  origin, which always matches the viewer) behind a cache behaviour that \
                  lets viewers use HTTP. The content, and the cookies and headers forwarded \
                  with it, cross the network between the edge and the origin in clear, where \
                  they can be read or altered.",
    remediation: "Set each custom origin's protocol policy to `https-only` (CloudFront \
                  console: Origins, Edit, Protocol; or `OriginProtocolPolicy` in `aws \
                  cloudfront update-distribution`), and the viewer protocol policy of the \
                  behaviours forwarding to S3 or `match-viewer` origins to \
                  `redirect-to-https` or `https-only`.",
    compliance: &["AWS FSBP CloudFront.9"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: origin_traffic_unencrypted,
};

fn origin_traffic_unencrypted(inv: &Inventory, sink: &mut Sink) {
    for d in distributions(inv) {
        // Whether a behaviour forwarding to the origin lets viewers use HTTP (one that
        // names no origin, as an older inventory may, counts for every origin).
        let viewer_http = |o: &CfOrigin| {
            d.behaviors.iter().any(|b| {
                (b.target_origin_id.is_empty() || b.target_origin_id == o.id)
                    && b.viewer_protocol_policy == "allow-all"
            })
        };
        let clear: Vec<serde_json::Value> = d
            .origins
            .iter()
            .filter_map(|o| {
                let policy = match o.origin_protocol_policy.as_deref() {
                    Some("http-only") => "http-only",
                    Some("match-viewer") if viewer_http(o) => "match-viewer",
                    None if o.s3_origin && viewer_http(o) => "match-viewer",
                    _ => return None,
                };
                Some(json!({ "origin": o.id, "originProtocolPolicy": policy }))
            })
            .collect();
        if !clear.is_empty() {
            sink.fail(GLOBAL, &d.id, d.arn.clone(), json!({ "origins": clear }));
        }
    }
}

/// The bucket an origin's domain names, when it is an S3 endpoint (REST, dual-stack or
/// website: `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
/// `<bucket>.s3-website-<region>.amazonaws.com`...).
pub fn origin_bucket(o: &CfOrigin) -> Option<&str> {
    let host = o.domain_name.as_str();
    let lower = host.to_ascii_lowercase();
    if !(lower.ends_with(".amazonaws.com") || lower.ends_with(".amazonaws.com.cn")) {
        return None;
    }
    // The endpoint is the last `.s3.` or `.s3-` (a bucket name may itself hold `.s3`).
    let at = lower
        .match_indices(".s3")
        .map(|(i, _)| i)
        .filter(|&i| matches!(lower.as_bytes().get(i + 3), Some(b'.' | b'-')))
        .last()?;
    Some(&host[..at]).filter(|b| !b.is_empty())
}

pub static S3_ORIGIN_BUCKET_MISSING: Rule = Rule {
    id: "cloudfront-s3-origin-bucket-missing",
    title: "CloudFront distribution points to an S3 bucket that does not exist",
    severity: Severity::High,
    description: "An origin of this distribution names an S3 bucket that no longer exists. \
                  Bucket names are global: anyone can create a bucket with that name in \
                  their own account and have the distribution serve their content (phishing \
                  pages, malware, scripts run by your site's pages) under your domain.",
    remediation: "Remove the origin (and the behaviours forwarding to it) or point it to a \
                  bucket of yours (`aws cloudfront update-distribution`); if the bucket was \
                  deleted by mistake, re-create it in your account at once.",
    compliance: &["AWS FSBP CloudFront.12"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Account,
    sources: &[SOURCE],
    check: s3_origin_bucket_missing,
};

fn s3_origin_bucket_missing(inv: &Inventory, sink: &mut Sink) {
    // The account's own buckets, as S3 listed them: these exist whatever HeadBucket said.
    let owned: Vec<&str> = inv
        .s3
        .iter()
        .flat_map(|s3| s3.buckets.iter().map(|b| b.name.as_str()))
        .collect();
    for d in distributions(inv) {
        let mut missing = Vec::new();
        let mut unknown = false;
        for o in &d.origins {
            let Some(bucket) = origin_bucket(o) else {
                continue;
            };
            if owned.iter().any(|b| b.eq_ignore_ascii_case(bucket)) {
                continue;
            }
            match o.bucket_exists {
                Some(true) => {}
                Some(false) => missing.push(json!({ "origin": o.id, "bucket": bucket })),
                None => unknown = true,
            }
        }
        if !missing.is_empty() {
            sink.fail(
                GLOBAL,
                &d.id,
                d.arn.clone(),
                json!({ "missingBuckets": missing }),
            );
        } else if unknown {
            sink.unknown(GLOBAL, &d.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, failing, inventory, run, unknown},
        model::CfBehavior,
    };

    fn origin(id: &str, domain: &str, s3: bool, oai: &str, oac: Option<&str>) -> CfOrigin {
        CfOrigin {
            id: id.into(),
            domain_name: domain.into(),
            s3_origin: s3,
            origin_access_identity: s3.then(|| oai.to_owned()),
            origin_access_control_id: oac.map(str::to_owned),
            origin_protocol_policy: (!s3).then(|| "https-only".to_owned()),
            bucket_exists: Some(true),
        }
    }

    /// A well-configured distribution.
    fn dist(id: &str) -> Distribution {
        Distribution {
            id: id.into(),
            arn: Some(format!("arn:aws:cloudfront::{ACCOUNT}:distribution/{id}")),
            domain_name: Some(format!("{}.cloudfront.net", id.to_lowercase())),
            enabled: true,
            behaviors: vec![
                CfBehavior {
                    path_pattern: "*".into(),
                    viewer_protocol_policy: "redirect-to-https".into(),
                    target_origin_id: "site".into(),
                },
                CfBehavior {
                    path_pattern: "/api/*".into(),
                    viewer_protocol_policy: "https-only".into(),
                    target_origin_id: "site".into(),
                },
            ],
            default_certificate: false,
            minimum_protocol_version: Some("TLSv1.2_2021".into()),
            origins: vec![origin(
                "site",
                "site.s3.us-east-1.amazonaws.com",
                true,
                "",
                Some("E2OAC"),
            )],
            web_acl_id: Some("arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/1".into()),
            config: Some(DistributionSettings {
                logging_enabled: true,
                default_root_object: "index.html".into(),
            }),
        }
    }

    fn with(ds: Option<Vec<Distribution>>) -> Inventory {
        Inventory {
            cloudfront_distributions: ds,
            ..inventory()
        }
    }

    #[test]
    fn a_behaviour_allowing_http_fails() {
        let mut plain = dist("PLAIN");
        plain.behaviors[1].viewer_protocol_policy = "allow-all".into();
        let inv = with(Some(vec![dist("GOOD"), plain]));
        assert_eq!(failing(&VIEWER_HTTP_ALLOWED, &inv), ["PLAIN"]);
        assert!(run(&VIEWER_HTTP_ALLOWED, &with(None)).complete.is_empty());
    }

    #[test]
    fn old_viewer_tls_fails_on_a_custom_certificate_only() {
        let mut old = dist("OLD");
        old.minimum_protocol_version = Some("TLSv1".into());
        let mut old_2016 = dist("OLD2016");
        old_2016.minimum_protocol_version = Some("TLSv1.1_2016".into());
        // CloudFront's own certificate: AWS sets TLSv1 and it cannot be changed.
        let mut default_cert = dist("DEFAULT");
        default_cert.default_certificate = true;
        default_cert.minimum_protocol_version = Some("TLSv1".into());
        let inv = with(Some(vec![dist("GOOD"), old, old_2016, default_cert]));
        assert_eq!(failing(&OUTDATED_VIEWER_TLS, &inv), ["OLD", "OLD2016"]);
    }

    #[test]
    fn logging_and_root_object_fail_when_off_and_are_not_assessed_when_unread() {
        let mut off = dist("OFF");
        off.config = Some(DistributionSettings::default());
        let unread = Distribution {
            config: None,
            ..dist("UNREAD")
        };
        let inv = with(Some(vec![dist("GOOD"), off, unread]));
        for rule in [&LOGGING_DISABLED, &NO_DEFAULT_ROOT_OBJECT] {
            assert_eq!(failing(rule, &inv), ["OFF"], "{}", rule.id);
            assert_eq!(unknown(&run(rule, &inv)), ["UNREAD"], "{}", rule.id);
        }
    }

    #[test]
    fn s3_origins_need_an_access_control_or_identity() {
        let mut oai = dist("OAI");
        oai.origins = vec![origin(
            "b",
            "b.s3.amazonaws.com",
            true,
            "origin-access-identity/cloudfront/E1",
            None,
        )];
        let mut open = dist("OPEN");
        open.origins = vec![origin("b", "b.s3.amazonaws.com", true, "", None)];
        // A custom origin naming a bucket's REST endpoint: the bucket must be public.
        let mut custom_s3 = dist("CUSTOMS3");
        custom_s3.origins = vec![origin("b", "b.s3.eu-west-1.amazonaws.com", false, "", None)];
        let mut website = dist("WEBSITE");
        website.origins = vec![
            origin("w", "b.s3-website-us-east-1.amazonaws.com", false, "", None),
            origin("alb", "shop-1.eu-west-1.elb.amazonaws.com", false, "", None),
        ];
        let inv = with(Some(vec![dist("GOOD"), oai, open, custom_s3, website]));
        assert_eq!(
            failing(&S3_ORIGIN_WITHOUT_ACCESS_CONTROL, &inv),
            ["OPEN", "CUSTOMS3"]
        );
    }

    #[test]
    fn no_web_acl_fails() {
        let mut none = dist("NONE");
        none.web_acl_id = Some(String::new());
        let mut absent = dist("ABSENT");
        absent.web_acl_id = None;
        let inv = with(Some(vec![dist("GOOD"), none, absent]));
        assert_eq!(failing(&NO_WAF, &inv), ["NONE", "ABSENT"]);
    }

    #[test]
    fn origins_reached_over_http_fail() {
        // A custom origin that only speaks HTTP.
        let mut http_only = dist("HTTPONLY");
        http_only.origins.push(origin(
            "alb",
            "shop-1.eu-west-1.elb.amazonaws.com",
            false,
            "",
            None,
        ));
        http_only.origins[1].origin_protocol_policy = Some("http-only".into());
        // match-viewer behind a behaviour allowing HTTP, and one behind HTTPS only.
        let mut matched = dist("MATCHED");
        matched.origins = vec![
            origin("api", "api.example.com", false, "", None),
            origin("img", "img.example.com", false, "", None),
        ];
        for o in &mut matched.origins {
            o.origin_protocol_policy = Some("match-viewer".into());
        }
        matched.behaviors[0].target_origin_id = "img".into();
        matched.behaviors[1].target_origin_id = "api".into();
        matched.behaviors[1].viewer_protocol_policy = "allow-all".into();
        // An S3 origin follows the viewer: HTTP allowed to viewers is HTTP to the bucket.
        let mut s3_plain = dist("S3PLAIN");
        s3_plain.behaviors[0].viewer_protocol_policy = "allow-all".into();
        let inv = with(Some(vec![dist("GOOD"), http_only, matched, s3_plain]));
        assert_eq!(
            failing(&ORIGIN_TRAFFIC_UNENCRYPTED, &inv),
            ["HTTPONLY", "MATCHED", "S3PLAIN"]
        );
        let out = run(&ORIGIN_TRAFFIC_UNENCRYPTED, &inv);
        assert_eq!(
            out.findings[1].evidence["origins"],
            json!([{ "origin": "api", "originProtocolPolicy": "match-viewer" }])
        );
    }

    #[test]
    fn buckets_are_named_from_every_s3_endpoint_form() {
        let named =
            |domain: &str| origin_bucket(&origin("o", domain, false, "", None)).map(str::to_owned);
        assert_eq!(named("assets.s3.amazonaws.com").as_deref(), Some("assets"));
        assert_eq!(
            named("my.s3.site.s3.eu-west-1.amazonaws.com").as_deref(),
            Some("my.s3.site")
        );
        assert_eq!(
            named("old.s3-eu-west-1.amazonaws.com").as_deref(),
            Some("old")
        );
        assert_eq!(
            named("web.s3-website-us-east-1.amazonaws.com").as_deref(),
            Some("web")
        );
        assert_eq!(
            named("web.s3-website.eu-west-1.amazonaws.com").as_deref(),
            Some("web")
        );
        assert_eq!(named("shop-1.eu-west-1.elb.amazonaws.com"), None);
        assert_eq!(named("s3.example.com"), None);
    }

    #[test]
    fn an_origin_bucket_that_does_not_exist_fails_unless_the_account_lists_it() {
        let mut missing = dist("MISSING");
        missing.origins[0].bucket_exists = Some(false);
        // HeadBucket unread, but S3 lists the bucket as the account's own.
        let mut listed = dist("LISTED");
        listed.origins[0].bucket_exists = None;
        listed.origins[0].domain_name = "mine.s3.us-east-1.amazonaws.com".into();
        let mut unread = dist("UNREAD");
        unread.origins[0].bucket_exists = None;
        let mut inv = with(Some(vec![dist("GOOD"), missing, listed, unread]));
        inv.s3 = Some(crate::model::S3Inventory {
            buckets: vec![crate::model::Bucket {
                name: "mine".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        assert_eq!(failing(&S3_ORIGIN_BUCKET_MISSING, &inv), ["MISSING"]);
        let out = run(&S3_ORIGIN_BUCKET_MISSING, &inv);
        assert_eq!(unknown(&out), ["UNREAD"]);
        assert_eq!(
            out.findings[0].evidence["missingBuckets"][0]["bucket"],
            "site"
        );
    }
}
