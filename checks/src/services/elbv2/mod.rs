//! ELBv2: the inventory model of Application, Network and Gateway Load Balancers, and their
//! rules (HTTP not redirected to HTTPS, TLS policies allowing TLS 1.0/1.1, access logging
//! off, deletion protection off, invalid HTTP headers not dropped).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, LoadBalancer},
};

/// ELBv2's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("elbv2", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.load_balancers.is_some()
}

/// ELBv2 in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "elbv2",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &HTTP_NOT_REDIRECTED,
        &OUTDATED_TLS_POLICY,
        &ACCESS_LOGGING_DISABLED,
        &DELETION_PROTECTION_DISABLED,
        &INVALID_HEADERS_NOT_DROPPED,
    ],
};

const RESOURCE_TYPE: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/// Lists the region's load balancers (their configuration carries the DNS name).
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(lbs) = &r.load_balancers else {
        return;
    };
    for lb in lbs {
        let cfg = crate::services::json(lb);
        out.add(&r.region, RESOURCE_TYPE, &lb.name, lb.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every load balancer of the account, with its region.
fn load_balancers(inv: &Inventory) -> impl Iterator<Item = (&str, &LoadBalancer)> {
    inv.regions.iter().flat_map(|region| {
        region
            .load_balancers
            .iter()
            .flatten()
            .map(move |lb| (region.region.as_str(), lb))
    })
}

/// Whether an attribute is `true` (`None`: attributes unread).
fn attribute_on(lb: &LoadBalancer, key: &str) -> Option<bool> {
    lb.attributes
        .as_ref()
        .map(|a| a.get(key).is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// Fails each load balancer of `lb_types` whose attribute `key` is off; not assessed when
/// the attributes could not be read.
fn attribute_off(inv: &Inventory, sink: &mut Sink, lb_types: &[&str], key: &str) {
    for (region, lb) in
        load_balancers(inv).filter(|(_, lb)| lb_types.contains(&lb.lb_type.as_str()))
    {
        match attribute_on(lb, key) {
            None => sink.unknown(region, &lb.name),
            Some(false) => sink.fail(
                region,
                &lb.name,
                lb.arn.clone(),
                json!({ "type": lb.lb_type, key: "false" }),
            ),
            Some(true) => {}
        }
    }
}

pub static HTTP_NOT_REDIRECTED: Rule = Rule {
    id: "elbv2-http-not-redirected-to-https",
    title: "Internet-facing load balancer serves plain HTTP without redirecting to HTTPS",
    severity: Severity::Medium,
    description: "An HTTP listener of this internet-facing Application Load Balancer answers \
                  requests in clear text instead of redirecting them to HTTPS: credentials, \
                  session cookies and data cross the internet readable and alterable by \
                  anyone on the path.",
    remediation: "Change the HTTP listener's default action to a redirect to HTTPS (port 443, \
                  status HTTP_301) (`aws elbv2 modify-listener --listener-arn <arn> \
                  --default-actions Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,\
                  StatusCode=HTTP_301}`), or remove the listener.",
    compliance: &["AWS FSBP ELB.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: http_not_redirected,
};

fn http_not_redirected(inv: &Inventory, sink: &mut Sink) {
    for (region, lb) in load_balancers(inv)
        .filter(|(_, lb)| lb.lb_type == "application" && lb.scheme == "internet-facing")
    {
        let Some(listeners) = &lb.listeners else {
            sink.unknown(region, &lb.name);
            continue;
        };
        let plain: Vec<_> = listeners
            .iter()
            .filter(|l| l.protocol == "HTTP" && !l.redirects_to_https)
            .filter_map(|l| l.port)
            .collect();
        if !plain.is_empty() {
            sink.fail(
                region,
                &lb.name,
                lb.arn.clone(),
                json!({ "httpPortsNotRedirected": plain, "scheme": lb.scheme }),
            );
        }
    }
}

/// Whether an ELB security policy requires TLS 1.2 or later. AWS's predefined policies
/// name their minimum version (`ELBSecurityPolicy-TLS13-1-2-2021-06`,
/// `ELBSecurityPolicy-FS-1-2-Res-2020-10`); those without `-1-2-`/`-1-3-` in the name
/// (`ELBSecurityPolicy-2016-08`, `-TLS-1-1-2017-01`, `-TLS13-1-0-2021-06`...) accept
/// TLS 1.0 or 1.1.
pub fn tls_policy_is_current(policy: &str) -> bool {
    policy.contains("-1-2-") || policy.contains("-1-3-")
}

pub static OUTDATED_TLS_POLICY: Rule = Rule {
    id: "elbv2-outdated-tls-policy",
    title: "Load balancer listener accepts TLS 1.0 or 1.1",
    severity: Severity::Medium,
    description: "An HTTPS or TLS listener uses a security policy that still accepts TLS 1.0 \
                  or 1.1 (for example `ELBSecurityPolicy-2016-08`, the console's old \
                  default): clients can be held to deprecated protocol versions and weak \
                  ciphers with known attacks.",
    remediation: "Switch the listener to a policy requiring TLS 1.2 or later, such as \
                  `ELBSecurityPolicy-TLS13-1-2-2021-06` (`aws elbv2 modify-listener \
                  --listener-arn <arn> --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06`).",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: outdated_tls_policy,
};

fn outdated_tls_policy(inv: &Inventory, sink: &mut Sink) {
    for (region, lb) in load_balancers(inv) {
        let Some(listeners) = &lb.listeners else {
            sink.unknown(region, &lb.name);
            continue;
        };
        let outdated: Vec<_> = listeners
            .iter()
            .filter(|l| l.protocol == "HTTPS" || l.protocol == "TLS")
            .filter_map(|l| {
                let policy = l.ssl_policy.as_deref()?;
                (!tls_policy_is_current(policy))
                    .then(|| json!({ "port": l.port, "sslPolicy": policy }))
            })
            .collect();
        if !outdated.is_empty() {
            sink.fail(
                region,
                &lb.name,
                lb.arn.clone(),
                json!({ "outdatedListeners": outdated }),
            );
        }
    }
}

pub static ACCESS_LOGGING_DISABLED: Rule = Rule {
    id: "elbv2-access-logging-disabled",
    title: "Application Load Balancer access logging is off",
    severity: Severity::Low,
    description: "The load balancer does not write access logs: after an incident there is \
                  no record of which clients sent which requests, from where, or what was \
                  answered.",
    remediation: "Enable access logs to an S3 bucket the load balancer may write to (`aws \
                  elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> \
                  --attributes Key=access_logs.s3.enabled,Value=true \
                  Key=access_logs.s3.bucket,Value=<bucket>`).",
    compliance: &["AWS FSBP ELB.5"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: access_logging_disabled,
};

fn access_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    attribute_off(inv, sink, &["application"], "access_logs.s3.enabled");
}

pub static DELETION_PROTECTION_DISABLED: Rule = Rule {
    id: "elbv2-deletion-protection-disabled",
    title: "Load balancer deletion protection is off",
    severity: Severity::Low,
    description: "Deletion protection is off: one mistaken or malicious call (or a stack \
                  teardown) deletes the load balancer and takes every service behind it \
                  offline; its DNS name cannot be recovered.",
    remediation: "Turn deletion protection on (`aws elbv2 modify-load-balancer-attributes \
                  --load-balancer-arn <arn> --attributes \
                  Key=deletion_protection.enabled,Value=true`).",
    compliance: &["AWS FSBP ELB.6"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: deletion_protection_disabled,
};

fn deletion_protection_disabled(inv: &Inventory, sink: &mut Sink) {
    attribute_off(
        inv,
        sink,
        &["application", "network", "gateway"],
        "deletion_protection.enabled",
    );
}

pub static INVALID_HEADERS_NOT_DROPPED: Rule = Rule {
    id: "elbv2-invalid-headers-not-dropped",
    title: "Application Load Balancer forwards invalid HTTP header fields",
    severity: Severity::Medium,
    description: "The load balancer passes header fields with invalid names on to its \
                  targets: a malformed header that the load balancer and a target read \
                  differently is the basis of HTTP request smuggling and desync attacks.",
    remediation: "Set `routing.http.drop_invalid_header_fields.enabled` to true (`aws elbv2 \
                  modify-load-balancer-attributes --load-balancer-arn <arn> --attributes \
                  Key=routing.http.drop_invalid_header_fields.enabled,Value=true`).",
    compliance: &["AWS FSBP ELB.4"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: invalid_headers_not_dropped,
};

fn invalid_headers_not_dropped(inv: &Inventory, sink: &mut Sink) {
    attribute_off(
        inv,
        sink,
        &["application"],
        "routing.http.drop_invalid_header_fields.enabled",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::{LbListener, RegionInventory},
    };

    fn listener(port: i32, protocol: &str, ssl_policy: Option<&str>, redirect: bool) -> LbListener {
        LbListener {
            port: Some(port),
            protocol: protocol.into(),
            ssl_policy: ssl_policy.map(str::to_owned),
            redirects_to_https: redirect,
        }
    }

    /// A well-configured internet-facing ALB.
    fn lb(name: &str) -> LoadBalancer {
        LoadBalancer {
            name: name.into(),
            arn: Some(format!(
                "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{name}/1"
            )),
            dns_name: Some(format!("{name}-1.{REGION}.elb.amazonaws.com")),
            lb_type: "application".into(),
            scheme: "internet-facing".into(),
            listeners: Some(vec![
                listener(80, "HTTP", None, true),
                listener(
                    443,
                    "HTTPS",
                    Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                    false,
                ),
            ]),
            attributes: Some(
                [
                    ("access_logs.s3.enabled", "true"),
                    ("deletion_protection.enabled", "true"),
                    ("routing.http.drop_invalid_header_fields.enabled", "true"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ),
        }
    }

    fn with_lbs(lbs: Option<Vec<LoadBalancer>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                load_balancers: lbs,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    fn set(mut lb: LoadBalancer, key: &str, value: &str) -> LoadBalancer {
        lb.attributes
            .as_mut()
            .unwrap()
            .insert(key.into(), value.into());
        lb
    }

    #[test]
    fn plain_http_on_an_internet_facing_alb_fails_a_redirect_or_internal_one_passes() {
        let mut plain = lb("plain");
        plain.listeners = Some(vec![listener(80, "HTTP", None, false)]);
        let internal = LoadBalancer {
            scheme: "internal".into(),
            ..plain.clone()
        };
        let internal = LoadBalancer {
            name: "internal".into(),
            ..internal
        };
        let unread = LoadBalancer {
            listeners: None,
            ..lb("unread")
        };
        let inv = with_lbs(Some(vec![lb("good"), plain, internal, unread]));
        assert_eq!(failing(&HTTP_NOT_REDIRECTED, &inv), ["plain"]);
        assert_eq!(unknown(&run(&HTTP_NOT_REDIRECTED, &inv)), ["unread"]);
        assert!(
            run(&HTTP_NOT_REDIRECTED, &with_lbs(None))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn tls_policies_allowing_tls_1_0_or_1_1_fail_and_tls_1_2_ones_pass() {
        for (policy, current) in [
            ("ELBSecurityPolicy-2016-08", false),
            ("ELBSecurityPolicy-TLS-1-1-2017-01", false),
            ("ELBSecurityPolicy-TLS13-1-0-2021-06", false),
            ("ELBSecurityPolicy-FS-2018-06", false),
            ("ELBSecurityPolicy-TLS-1-2-2017-01", true),
            ("ELBSecurityPolicy-FS-1-2-Res-2020-10", true),
            ("ELBSecurityPolicy-TLS13-1-3-2021-06", true),
        ] {
            assert_eq!(tls_policy_is_current(policy), current, "{policy}");
        }
        let mut old = lb("old");
        old.listeners = Some(vec![listener(
            443,
            "HTTPS",
            Some("ELBSecurityPolicy-2016-08"),
            false,
        )]);
        let mut nlb = lb("nlb-old");
        nlb.lb_type = "network".into();
        nlb.listeners = Some(vec![listener(
            443,
            "TLS",
            Some("ELBSecurityPolicy-TLS-1-1-2017-01"),
            false,
        )]);
        let unread = LoadBalancer {
            listeners: None,
            ..lb("unread")
        };
        let inv = with_lbs(Some(vec![lb("good"), old, nlb, unread]));
        assert_eq!(failing(&OUTDATED_TLS_POLICY, &inv), ["old", "nlb-old"]);
        assert_eq!(unknown(&run(&OUTDATED_TLS_POLICY, &inv)), ["unread"]);
    }

    #[test]
    fn attributes_off_or_absent_fail_and_unread_ones_are_not_assessed() {
        let unread = LoadBalancer {
            attributes: None,
            ..lb("unread")
        };
        let mut absent = lb("absent");
        absent.attributes = Some(Default::default());
        for (rule, key) in [
            (&ACCESS_LOGGING_DISABLED, "access_logs.s3.enabled"),
            (&DELETION_PROTECTION_DISABLED, "deletion_protection.enabled"),
            (
                &INVALID_HEADERS_NOT_DROPPED,
                "routing.http.drop_invalid_header_fields.enabled",
            ),
        ] {
            let off = set(lb("off"), key, "false");
            let inv = with_lbs(Some(vec![lb("good"), off, absent.clone(), unread.clone()]));
            assert_eq!(failing(rule, &inv), ["off", "absent"], "{}", rule.id);
            assert_eq!(unknown(&run(rule, &inv)), ["unread"], "{}", rule.id);
        }
    }

    #[test]
    fn alb_only_attributes_do_not_apply_to_network_load_balancers() {
        let mut nlb = lb("nlb");
        nlb.lb_type = "network".into();
        nlb.attributes = Some(Default::default());
        let inv = with_lbs(Some(vec![nlb]));
        assert!(failing(&ACCESS_LOGGING_DISABLED, &inv).is_empty());
        assert!(failing(&INVALID_HEADERS_NOT_DROPPED, &inv).is_empty());
        assert_eq!(failing(&DELETION_PROTECTION_DISABLED, &inv), ["nlb"]);
    }
}
