//! ACM: the inventory model of certificates, and their rules (expiring within 30 days,
//! expired while still in use, an RSA key under 2048 bits, certificate transparency
//! logging opted out of before ACM ended the opt-out). Expiry is judged against the
//! inventory's collection time.

pub mod model;

use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{AcmCertificate, AcmCertificateDetails, Inventory},
};

/// ACM's part of the inventory was read (its certificates listed).
pub const SOURCE: crate::Source = crate::Source::Regional("acm", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.acm_certificates.is_some()
}

/// ACM in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "acm",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &EXPIRING,
        &EXPIRED_IN_USE,
        &RSA_KEY_WEAK,
        &TRANSPARENCY_LOGGING_DISABLED,
    ],
};

const RESOURCE_TYPE: &str = "AWS::CertificateManager::Certificate";

/// Lists the region's certificates.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(certificates) = &r.acm_certificates else {
        return;
    };
    for c in certificates {
        let cfg = crate::services::json(c);
        out.add(&r.region, RESOURCE_TYPE, &c.id, Some(c.arn.clone()), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Runs `check` on every certificate's description; a certificate that could not be
/// described is not assessed.
fn each_certificate(
    inv: &Inventory,
    sink: &mut Sink,
    check: impl Fn(&AcmCertificateDetails) -> Option<serde_json::Value>,
) {
    for region in &inv.regions {
        for c in region.acm_certificates.iter().flatten() {
            check_one(&region.region, c, sink, &check);
        }
    }
}

fn check_one(
    region: &str,
    c: &AcmCertificate,
    sink: &mut Sink,
    check: &impl Fn(&AcmCertificateDetails) -> Option<serde_json::Value>,
) {
    let Some(details) = &c.details else {
        sink.unknown(region, &c.id);
        return;
    };
    if let Some(mut evidence) = check(details) {
        evidence["domainName"] = json!(c.domain_name);
        sink.fail(region, &c.id, Some(c.arn.clone()), evidence);
    }
}

/// How long before expiry a certificate counts as expiring (FSBP ACM.1's default).
pub const EXPIRY_WARNING_DAYS: i64 = 30;

pub static EXPIRING: Rule = Rule {
    id: "acm-certificate-expiring",
    title: "ACM certificate expires within 30 days",
    severity: Severity::Medium,
    description: "The certificate expires within 30 days of the scan and has not been \
                  renewed: an imported certificate is never renewed by ACM, and an \
                  Amazon-issued one this close to expiry means its managed renewal failed \
                  (typically a removed validation record). Once it expires, the sites and \
                  APIs that use it fail for every client, or users learn to click through \
                  certificate warnings.",
    remediation: "Renew it: re-import the renewed certificate under the same ARN (`aws acm \
                  import-certificate --certificate-arn <arn> --certificate \
                  fileb://cert.pem --private-key fileb://key.pem`), or fix the DNS \
                  validation record of an Amazon-issued one so managed renewal succeeds \
                  (`aws acm describe-certificate --certificate-arn <arn>` shows the \
                  renewal's status).",
    compliance: &["AWS FSBP ACM.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: expiring,
};

fn expiring(inv: &Inventory, sink: &mut Sink) {
    let now = inv.collected_at;
    let horizon = now + Duration::days(EXPIRY_WARNING_DAYS);
    each_certificate(inv, sink, |d| {
        let not_after = d.not_after.filter(|t| *t > now && *t <= horizon)?;
        Some(json!({
            "notAfter": not_after.to_rfc3339(),
            "daysLeft": (not_after - now).num_days(),
            "type": d.certificate_type,
        }))
    });
}

pub static EXPIRED_IN_USE: Rule = Rule {
    id: "acm-certificate-expired-in-use",
    title: "Expired ACM certificate is still in use",
    severity: Severity::High,
    description: "The certificate has expired but a load balancer, distribution or API \
                  still serves it: clients refuse the connection or show a certificate \
                  warning, an outage that also trains users to accept warnings an \
                  attacker in the middle would cause.",
    remediation: "Attach a valid certificate to each resource listed in `inUseBy` (for a \
                  load balancer listener: `aws elbv2 modify-listener --listener-arn <arn> \
                  --certificates CertificateArn=<new-arn>`), then delete the expired one \
                  (`aws acm delete-certificate --certificate-arn <arn>`).",
    compliance: &["AWS FSBP ACM.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: expired_in_use,
};

fn expired_in_use(inv: &Inventory, sink: &mut Sink) {
    let now = inv.collected_at;
    each_certificate(inv, sink, |d| {
        let not_after = d.not_after.filter(|t| *t <= now)?;
        (!d.in_use_by.is_empty())
            .then(|| json!({ "notAfter": not_after.to_rfc3339(), "inUseBy": d.in_use_by }))
    });
}

/// The size in bits of an RSA key algorithm (`RSA_1024` -> 1024); `None` for others.
fn rsa_bits(algorithm: &str) -> Option<u32> {
    algorithm.strip_prefix("RSA_")?.parse().ok()
}

pub static RSA_KEY_WEAK: Rule = Rule {
    id: "acm-certificate-rsa-key-weak",
    title: "ACM certificate has an RSA key under 2048 bits",
    severity: Severity::High,
    description: "The certificate's RSA key is shorter than 2048 bits: keys of that size \
                  are within reach of factoring, so its private key (and the traffic and \
                  identity it protects) cannot be relied on, and browsers and many clients \
                  refuse it.",
    remediation: "Replace it with a certificate on an RSA key of at least 2048 bits, or an \
                  ECDSA key (`aws acm request-certificate --domain-name <name> \
                  --key-algorithm RSA_2048 --validation-method DNS`, or import one), move \
                  its users to the new certificate and delete the old one.",
    compliance: &["AWS FSBP ACM.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: rsa_key_weak,
};

fn rsa_key_weak(inv: &Inventory, sink: &mut Sink) {
    each_certificate(inv, sink, |d| {
        let algorithm = d.key_algorithm.as_deref()?;
        let bits = rsa_bits(algorithm).filter(|bits| *bits < 2048)?;
        Some(json!({ "keyAlgorithm": algorithm, "keyBits": bits }))
    });
}

/// The day ACM stopped honouring the certificate transparency opt-out (the SDK deprecates
/// the preference "since 12th June 2026": every public certificate is logged from then on).
/// An Amazon-issued certificate opted out before it was issued unlogged.
pub const TRANSPARENCY_OPT_OUT_ENDED: &str = "2026-06-12";

pub static TRANSPARENCY_LOGGING_DISABLED: Rule = Rule {
    id: "acm-certificate-transparency-logging-disabled",
    title: "ACM certificate was issued without certificate transparency logging",
    severity: Severity::Low,
    description: "This Amazon-issued certificate, still valid, was issued with certificate \
                  transparency logging turned off (possible until ACM ended the opt-out on \
                  12 June 2026): it is missing from the public logs that domain owners \
                  monitor to spot certificates issued for their names, and browsers such as \
                  Chrome and Safari may reject it. Certificates issued since are always \
                  logged, whatever their stored preference; imported certificates are not \
                  judged (their issuer decides).",
    remediation: "Request a new certificate for the same names (`aws acm request-certificate \
                  --domain-name <name> --validation-method DNS`; it is logged), move the \
                  resources listed in `inUseBy` to it, and delete the old one.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: transparency_logging_disabled,
};

fn transparency_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    let now = inv.collected_at;
    let opt_out_ended = NaiveDate::parse_from_str(TRANSPARENCY_OPT_OUT_ENDED, "%Y-%m-%d")
        .expect("a valid date")
        .and_time(NaiveTime::MIN)
        .and_utc();
    each_certificate(inv, sink, |d| {
        let amazon_issued = d.certificate_type.as_deref() == Some("AMAZON_ISSUED");
        let opted_out = d.transparency_logging.as_deref() == Some("DISABLED");
        let issued = d.not_before.filter(|t| *t < opt_out_ended)?;
        let valid = d.not_after.is_some_and(|t| t > now);
        (amazon_issued && opted_out && valid).then(|| {
            json!({
                "certificateTransparencyLoggingPreference": "DISABLED",
                "notBefore": issued.to_rfc3339(),
            })
        })
    });
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, now, run, unknown},
        model::RegionInventory,
    };

    fn in_days(days: i64) -> DateTime<Utc> {
        now() + Duration::days(days)
    }

    /// A well-configured certificate: Amazon-issued, RSA 2048, transparency logging on,
    /// a year left, used by a load balancer.
    fn certificate(id: &str) -> AcmCertificate {
        AcmCertificate {
            id: id.into(),
            arn: format!("arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{id}"),
            domain_name: Some(format!("{id}.example.com")),
            details: Some(AcmCertificateDetails {
                certificate_type: Some("AMAZON_ISSUED".into()),
                status: Some("ISSUED".into()),
                key_algorithm: Some("RSA_2048".into()),
                subject_alternative_names: vec![format!("{id}.example.com")],
                issuer: Some("Amazon".into()),
                not_before: Some(in_days(-30)),
                not_after: Some(in_days(365)),
                in_use_by: vec![format!(
                    "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/1"
                )],
                transparency_logging: Some("ENABLED".into()),
                renewal_eligibility: Some("ELIGIBLE".into()),
            }),
        }
    }

    fn with(certificates: Option<Vec<AcmCertificate>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                acm_certificates: certificates,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    fn change(id: &str, f: impl FnOnce(&mut AcmCertificateDetails)) -> AcmCertificate {
        let mut c = certificate(id);
        f(c.details.as_mut().unwrap());
        c
    }

    fn unread() -> AcmCertificate {
        AcmCertificate {
            details: None,
            ..certificate("unread")
        }
    }

    #[test]
    fn a_certificate_expiring_within_30_days_of_the_scan_fails() {
        let inv = with(Some(vec![
            certificate("year"),
            change("soon", |d| d.not_after = Some(in_days(10))),
            change("edge", |d| d.not_after = Some(in_days(30))),
            change("later", |d| d.not_after = Some(in_days(31))),
            change("expired", |d| d.not_after = Some(in_days(-1))),
            change("pending", |d| d.not_after = None),
            unread(),
        ]));
        assert_eq!(failing(&EXPIRING, &inv), ["soon", "edge"]);
        let out = run(&EXPIRING, &inv);
        assert_eq!(out.findings[0].evidence["daysLeft"], 10);
        assert_eq!(out.findings[0].evidence["domainName"], "soon.example.com");
        assert_eq!(unknown(&out), ["unread"]);
        assert!(run(&EXPIRING, &with(None)).complete.is_empty());
    }

    #[test]
    fn expiry_is_judged_at_the_scan_not_the_wall_clock() {
        let mut inv = with(Some(vec![change("soon", |d| {
            d.not_after = Some(in_days(10))
        })]));
        // Forty days before the fixtures' day the certificate had 50 days left.
        inv.collected_at = in_days(-40);
        assert!(failing(&EXPIRING, &inv).is_empty());
        // Eleven days after, it has expired: no longer "expiring", but expired in use.
        inv.collected_at = in_days(11);
        assert!(failing(&EXPIRING, &inv).is_empty());
        assert_eq!(failing(&EXPIRED_IN_USE, &inv), ["soon"]);
    }

    #[test]
    fn an_expired_certificate_fails_only_while_something_uses_it() {
        let inv = with(Some(vec![
            certificate("valid"),
            change("served", |d| d.not_after = Some(in_days(-3))),
            change("unused", |d| {
                d.not_after = Some(in_days(-3));
                d.in_use_by.clear();
            }),
            unread(),
        ]));
        assert_eq!(failing(&EXPIRED_IN_USE, &inv), ["served"]);
        let out = run(&EXPIRED_IN_USE, &inv);
        assert!(
            out.findings[0].evidence["inUseBy"][0]
                .as_str()
                .unwrap()
                .contains(":loadbalancer/app/web/")
        );
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn rsa_keys_under_2048_bits_fail_and_ec_keys_pass() {
        let inv = with(Some(vec![
            certificate("rsa2048"),
            change("rsa1024", |d| d.key_algorithm = Some("RSA_1024".into())),
            change("rsa4096", |d| d.key_algorithm = Some("RSA_4096".into())),
            change("ec", |d| d.key_algorithm = Some("EC_prime256v1".into())),
            unread(),
        ]));
        assert_eq!(failing(&RSA_KEY_WEAK, &inv), ["rsa1024"]);
        let out = run(&RSA_KEY_WEAK, &inv);
        assert_eq!(out.findings[0].evidence["keyBits"], 1024);
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn an_opt_out_fails_on_amazon_issued_certificates_issued_before_it_ended() {
        // The fixtures' day (2025-06-01) is before the opt-out ended: certificates issued
        // then, opted out, were not logged.
        let opted_out = |id: &str, f: fn(&mut AcmCertificateDetails)| {
            change(id, |d| {
                d.transparency_logging = Some("DISABLED".into());
                f(d);
            })
        };
        let mut inv = with(Some(vec![
            certificate("logged"),
            opted_out("unlogged", |_| {}),
            opted_out("imported", |d| d.certificate_type = Some("IMPORTED".into())),
            opted_out("expired", |d| d.not_after = Some(in_days(-1))),
            unread(),
        ]));
        assert_eq!(failing(&TRANSPARENCY_LOGGING_DISABLED, &inv), ["unlogged"]);
        let out = run(&TRANSPARENCY_LOGGING_DISABLED, &inv);
        assert_eq!(
            out.findings[0].evidence["domainName"],
            "unlogged.example.com"
        );
        assert_eq!(unknown(&out), ["unread"]);
        // Issued after the opt-out ended, a stored DISABLED changes nothing: it is logged.
        let issued_after = NaiveDate::from_ymd_opt(2026, 6, 12)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        for c in inv.regions[0].acm_certificates.as_mut().unwrap() {
            if let Some(d) = c.details.as_mut() {
                d.not_before = Some(issued_after);
                d.not_after = Some(issued_after + Duration::days(200));
            }
        }
        inv.collected_at = issued_after + Duration::days(1);
        assert!(failing(&TRANSPARENCY_LOGGING_DISABLED, &inv).is_empty());
    }

    #[test]
    fn a_well_configured_certificate_gets_nothing_and_the_region_is_complete() {
        let inv = with(Some(vec![certificate("good")]));
        for rule in SERVICE.rules {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
        }
    }
}
