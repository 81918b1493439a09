//! Route 53 (global, read through `us-east-1`): the hosted zones from `ListHostedZones`
//! with the account's `ListQueryLoggingConfigs`, and the domains registered with Route 53
//! Domains (`ListDomains`, then `GetDomainDetail` per domain; that API lives in us-east-1
//! only).

use std::collections::BTreeMap;

use vigil_checks::model::{self as m, Inventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, utc};

/// Route 53 in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "route53",
    collect: Collect::Global(|r| Box::pin(collect(r))),
    // Global, so read at every scan. Its writes (`route53.amazonaws.com`, logged in
    // us-east-1) map to it by name; Route 53 Domains' (transfer lock, auto-renew, contact
    // privacy) are logged as `route53domains.amazonaws.com`, named here so they re-check
    // it too. Nothing regional is skipped on their account.
    changed_by: &["route53domains.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<Inventory> {
    let (zones, domains) = futures::join!(zones(r), domains(r));
    fill(move |inv: &mut Inventory| {
        inv.route53_zones = zones;
        inv.route53_domains = domains;
    })
}

async fn zones(r: Reader<'_>) -> Option<Vec<m::HostedZone>> {
    let c = aws_sdk_route53::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "ListHostedZones",
        c.list_hosted_zones()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let configs: Result<Vec<_>, _> = c
        .list_query_logging_configs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    // Zone ID -> the log groups its queries go to; `None`: unreadable.
    let logging: Option<BTreeMap<String, Vec<String>>> = match configs {
        Ok(cs) => Some(cs.iter().fold(BTreeMap::new(), |mut by_zone, q| {
            by_zone
                .entry(zone_id(q.hosted_zone_id()).to_owned())
                .or_insert_with(Vec::new)
                .push(q.cloud_watch_logs_log_group_arn().to_owned());
            by_zone
        })),
        Err(e) => {
            r.record("ListQueryLoggingConfigs", &e);
            None
        }
    };
    Some(
        listed
            .iter()
            .map(|z| {
                let id = zone_id(z.id()).to_owned();
                m::HostedZone {
                    query_log_groups: logging
                        .as_ref()
                        .map(|l| l.get(&id).cloned().unwrap_or_default()),
                    id,
                    name: z.name().to_owned(),
                    private: z.config().is_some_and(|c| c.private_zone()),
                    record_count: z.resource_record_set_count(),
                }
            })
            .collect(),
    )
}

/// A zone ID without the `/hostedzone/` prefix AWS puts on it in some answers.
fn zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

async fn domains(r: Reader<'_>) -> Option<Vec<m::RegisteredDomain>> {
    let c = aws_sdk_route53domains::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "ListDomains",
        c.list_domains()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for d in listed {
        let Some(name) = d.domain_name() else {
            continue;
        };
        let detail = match c.get_domain_detail().domain_name(name).send().await {
            Ok(got) => Some(m::DomainDetail {
                status_list: got.status_list().to_vec(),
                admin_privacy: got.admin_privacy().unwrap_or(false),
                registrant_privacy: got.registrant_privacy().unwrap_or(false),
                tech_privacy: got.tech_privacy().unwrap_or(false),
            }),
            Err(e) => {
                r.record("GetDomainDetail", &e);
                None
            }
        };
        out.push(m::RegisteredDomain {
            name: name.to_owned(),
            auto_renew: d.auto_renew().unwrap_or(false),
            expiry: d.expiry().and_then(utc),
            detail,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn route53_and_route53_domains_write_calls_map_to_route53() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("route53.amazonaws.com"), Some("route53"));
        assert_eq!(service_of("route53domains.amazonaws.com"), Some("route53"));
    }

    #[test]
    fn zone_ids_lose_their_prefix() {
        assert_eq!(super::zone_id("/hostedzone/Z0ABC"), "Z0ABC");
        assert_eq!(super::zone_id("Z0ABC"), "Z0ABC");
    }
}
