//! Route 53 (global): the inventory model of hosted zones and registered domains, and
//! their rules (public zones without query logging; domains without transfer lock, without
//! auto-renew, or with public WHOIS contacts).

pub mod model;

use serde_json::json;

use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{DomainDetail, Inventory, RegisteredDomain},
};

/// Route 53's hosted zones were read.
pub const ZONES: crate::Source = crate::Source::Account("route53", zones_read);

fn zones_read(inv: &Inventory) -> bool {
    inv.route53_zones.is_some()
}

/// Route 53 Domains' registered domains were read.
pub const DOMAINS: crate::Source = crate::Source::Account("route53", domains_read);

fn domains_read(inv: &Inventory) -> bool {
    inv.route53_domains.is_some()
}

/// Route 53 in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "route53",
    assets: crate::services::ListAssets::Account(assets),
    rules: &[
        &QUERY_LOGGING_DISABLED,
        &TRANSFER_LOCK_DISABLED,
        &AUTO_RENEW_DISABLED,
        &CONTACT_PRIVACY_DISABLED,
    ],
};

const ZONE_TYPE: &str = "AWS::Route53::HostedZone";
const DOMAIN_TYPE: &str = "AWS::Route53Domains::Domain";

/// Lists the hosted zones and the registered domains (each where it was read).
fn assets(inv: &Inventory, out: &mut crate::services::Assets) {
    if let Some(zones) = &inv.route53_zones {
        for z in zones {
            let arn = Some(format!("arn:aws:route53:::hostedzone/{}", z.id));
            out.add_global(ZONE_TYPE, &z.id, arn, crate::services::json(z));
        }
        out.complete(GLOBAL, ZONE_TYPE);
    }
    if let Some(domains) = &inv.route53_domains {
        for d in domains {
            out.add_global(
                DOMAIN_TYPE,
                &d.name,
                domain_arn(d),
                crate::services::json(d),
            );
        }
        out.complete(GLOBAL, DOMAIN_TYPE);
    }
}

/// A domain's ARN, as AWS writes it in IAM policies.
fn domain_arn(d: &RegisteredDomain) -> Option<String> {
    Some(format!("arn:aws:route53:::domain/{}", d.name))
}

fn domains(inv: &Inventory) -> impl Iterator<Item = &RegisteredDomain> {
    inv.route53_domains.iter().flatten()
}

/// Fails each domain whose detail `fails`; not assessed when the detail was not read.
fn detail_rule(
    inv: &Inventory,
    sink: &mut Sink,
    fails: impl Fn(&DomainDetail) -> Option<serde_json::Value>,
) {
    for d in domains(inv) {
        match &d.detail {
            None => sink.unknown(GLOBAL, &d.name),
            Some(detail) => {
                if let Some(evidence) = fails(detail) {
                    sink.fail(GLOBAL, &d.name, domain_arn(d), evidence);
                }
            }
        }
    }
}

pub static QUERY_LOGGING_DISABLED: Rule = Rule {
    id: "route53-public-zone-query-logging-disabled",
    title: "Route 53 public hosted zone does not log DNS queries",
    severity: Severity::Medium,
    description: "No query logging configuration sends this public zone's DNS queries to \
                  CloudWatch Logs: lookups of its names (reconnaissance of subdomains, DNS \
                  tunnelling, traffic to a hijacked record) leave no trace.",
    remediation: "Create a CloudWatch Logs group in us-east-1 whose resource policy lets \
                  Route 53 write to it, then turn on query logging for the zone (console: \
                  Hosted zones, Configure query logging; or `aws route53 \
                  create-query-logging-config --hosted-zone-id <id> \
                  --cloud-watch-logs-log-group-arn <arn>`).",
    compliance: &["AWS FSBP Route53.2"],
    resource_type: ZONE_TYPE,
    scope: Scope::Account,
    sources: &[ZONES],
    check: query_logging_disabled,
};

fn query_logging_disabled(inv: &Inventory, sink: &mut Sink) {
    for z in inv.route53_zones.iter().flatten().filter(|z| !z.private) {
        match &z.query_log_groups {
            None => sink.unknown(GLOBAL, &z.id),
            Some(groups) if groups.is_empty() => sink.fail(
                GLOBAL,
                &z.id,
                Some(format!("arn:aws:route53:::hostedzone/{}", z.id)),
                json!({ "name": z.name, "queryLoggingConfigs": [] }),
            ),
            Some(_) => {}
        }
    }
}

pub static TRANSFER_LOCK_DISABLED: Rule = Rule {
    id: "route53-domain-transfer-lock-disabled",
    title: "Registered domain has no transfer lock",
    severity: Severity::Medium,
    description: "The registry does not refuse transfers of this domain \
                  (`clientTransferProhibited` is not set): whoever obtains the \
                  authorisation code, or talks a registrar into it, can move the domain away \
                  and take over its DNS, mail and certificates.",
    remediation: "Turn the transfer lock on (console: Registered domains, the domain, \
                  Transfer lock; or `aws route53domains enable-domain-transfer-lock \
                  --region us-east-1 --domain-name <name>`), and turn it off only during a \
                  planned transfer.",
    compliance: &[],
    resource_type: DOMAIN_TYPE,
    scope: Scope::Account,
    sources: &[DOMAINS],
    check: transfer_lock_disabled,
};

fn transfer_lock_disabled(inv: &Inventory, sink: &mut Sink) {
    detail_rule(inv, sink, |d| {
        (!d.transfer_locked()).then(|| json!({ "statusList": d.status_list }))
    });
}

pub static AUTO_RENEW_DISABLED: Rule = Rule {
    id: "route53-domain-auto-renew-disabled",
    title: "Registered domain does not renew automatically",
    severity: Severity::Medium,
    description: "Automatic renewal is off: if nobody renews the domain by hand before it \
                  expires, it stops resolving and can then be registered by anyone, who \
                  receives its mail and can obtain certificates for it.",
    remediation: "Turn automatic renewal on (console: Registered domains, the domain, \
                  Auto-renew; or `aws route53domains enable-domain-auto-renew --region \
                  us-east-1 --domain-name <name>`).",
    compliance: &[],
    resource_type: DOMAIN_TYPE,
    scope: Scope::Account,
    sources: &[DOMAINS],
    check: auto_renew_disabled,
};

fn auto_renew_disabled(inv: &Inventory, sink: &mut Sink) {
    for d in domains(inv).filter(|d| !d.auto_renew) {
        sink.fail(
            GLOBAL,
            &d.name,
            domain_arn(d),
            json!({ "autoRenew": false, "expiry": d.expiry }),
        );
    }
}

pub static CONTACT_PRIVACY_DISABLED: Rule = Rule {
    id: "route53-domain-contact-privacy-disabled",
    title: "Registered domain publishes its contacts in WHOIS",
    severity: Severity::Low,
    description: "Privacy protection is off for at least one of the domain's contacts \
                  (admin, registrant, technical): names, e-mail addresses and phone numbers \
                  are public in WHOIS, material for phishing and for social engineering of \
                  the registrar.",
    remediation: "Turn on privacy protection for every contact (console: Registered domains, \
                  the domain, Privacy protection; or `aws route53domains \
                  update-domain-contact-privacy --region us-east-1 --domain-name <name> \
                  --admin-privacy --registrant-privacy --tech-privacy`).",
    compliance: &[],
    resource_type: DOMAIN_TYPE,
    scope: Scope::Account,
    sources: &[DOMAINS],
    check: contact_privacy_disabled,
};

fn contact_privacy_disabled(inv: &Inventory, sink: &mut Sink) {
    detail_rule(inv, sink, |d| {
        let public: Vec<&str> = [
            ("admin", d.admin_privacy),
            ("registrant", d.registrant_privacy),
            ("tech", d.tech_privacy),
        ]
        .into_iter()
        .filter(|(_, private)| !private)
        .map(|(contact, _)| contact)
        .collect();
        (!public.is_empty()).then(|| json!({ "publicContacts": public }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, inventory, run, unknown},
        model::HostedZone,
    };

    fn zone(id: &str, private: bool, logs: Option<Vec<&str>>) -> HostedZone {
        HostedZone {
            id: id.into(),
            name: format!("{}.example.com.", id.to_lowercase()),
            private,
            record_count: Some(2),
            query_log_groups: logs.map(|l| l.into_iter().map(str::to_owned).collect()),
        }
    }

    /// A well-configured domain: auto-renew, transfer lock, every contact private.
    fn domain(name: &str) -> RegisteredDomain {
        RegisteredDomain {
            name: name.into(),
            auto_renew: true,
            expiry: None,
            detail: Some(DomainDetail {
                status_list: vec!["clientTransferProhibited".into()],
                admin_privacy: true,
                registrant_privacy: true,
                tech_privacy: true,
            }),
        }
    }

    fn with(zones: Option<Vec<HostedZone>>, domains: Option<Vec<RegisteredDomain>>) -> Inventory {
        Inventory {
            route53_zones: zones,
            route53_domains: domains,
            ..inventory()
        }
    }

    #[test]
    fn a_public_zone_without_query_logging_fails_a_private_one_is_not_judged() {
        let log = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/good:*";
        let inv = with(
            Some(vec![
                zone("GOOD", false, Some(vec![log])),
                zone("SILENT", false, Some(vec![])),
                zone("INTERNAL", true, Some(vec![])),
                zone("UNREAD", false, None),
            ]),
            None,
        );
        assert_eq!(failing(&QUERY_LOGGING_DISABLED, &inv), ["SILENT"]);
        let out = run(&QUERY_LOGGING_DISABLED, &inv);
        assert_eq!(unknown(&out), ["UNREAD"]);
        assert_eq!(out.complete.len(), 1);
        // Zones unread: not complete, whatever the domains say.
        assert!(
            run(&QUERY_LOGGING_DISABLED, &with(None, Some(vec![])))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn transfer_lock_needs_client_transfer_prohibited() {
        let mut open = domain("open.com");
        open.detail.as_mut().unwrap().status_list = vec!["ok".into()];
        let inv = with(None, Some(vec![domain("good.com"), open]));
        assert_eq!(failing(&TRANSFER_LOCK_DISABLED, &inv), ["open.com"]);
    }

    #[test]
    fn auto_renew_off_fails() {
        let mut lapsing = domain("lapsing.com");
        lapsing.auto_renew = false;
        // Judged from the listing: an unread detail does not hide it.
        lapsing.detail = None;
        let inv = with(None, Some(vec![domain("good.com"), lapsing]));
        assert_eq!(failing(&AUTO_RENEW_DISABLED, &inv), ["lapsing.com"]);
    }

    #[test]
    fn any_public_contact_fails_privacy() {
        let mut tech = domain("tech.com");
        tech.detail.as_mut().unwrap().tech_privacy = false;
        let inv = with(None, Some(vec![domain("good.com"), tech]));
        let out = run(&CONTACT_PRIVACY_DISABLED, &inv);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].resource_id, "tech.com");
        assert_eq!(out.findings[0].evidence["publicContacts"], json!(["tech"]));
    }

    #[test]
    fn an_unread_detail_is_not_assessed_and_unread_domains_are_not_complete() {
        let mut unread = domain("unread.com");
        unread.detail = None;
        let inv = with(None, Some(vec![domain("good.com"), unread]));
        for rule in [&TRANSFER_LOCK_DISABLED, &CONTACT_PRIVACY_DISABLED] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), ["unread.com"], "{}", rule.id);
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
        }
        for rule in [
            &TRANSFER_LOCK_DISABLED,
            &AUTO_RENEW_DISABLED,
            &CONTACT_PRIVACY_DISABLED,
        ] {
            let out = run(rule, &with(Some(vec![]), None));
            assert!(out.complete.is_empty(), "{}", rule.id);
        }
    }
}
