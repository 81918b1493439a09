//! ELBv2: a region's Application, Network and Gateway Load Balancers, with their listeners
//! and attributes.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// ELBv2 in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "elbv2",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // ELBv2's calls are logged under `elasticloadbalancing`, not `elbv2`: named here so a
    // write call re-checks ELBv2, and a region no such call touched keeps its findings on
    // an incremental rescan (listeners and attributes change only through such calls).
    changed_by: &["elasticloadbalancing.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let lbs = read(r).await;
    fill(move |region: &mut RegionInventory| region.load_balancers = lbs)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::LoadBalancer>> {
    use aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum;

    let c = aws_sdk_elasticloadbalancingv2::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "DescribeLoadBalancers",
        c.describe_load_balancers()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for lb in listed {
        let (Some(name), Some(arn)) = (lb.load_balancer_name(), lb.load_balancer_arn()) else {
            continue;
        };
        let listed_listeners: Result<Vec<_>, _> = c
            .describe_listeners()
            .load_balancer_arn(arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        let listeners = match listed_listeners {
            Ok(ls) => Some(
                ls.iter()
                    .map(|l| m::LbListener {
                        port: l.port(),
                        protocol: l
                            .protocol()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default(),
                        ssl_policy: l.ssl_policy().map(str::to_owned),
                        redirects_to_https: l.default_actions().iter().any(|a| {
                            a.r#type() == Some(&ActionTypeEnum::Redirect)
                                && a.redirect_config()
                                    .and_then(|rc| rc.protocol())
                                    .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
                        }),
                    })
                    .collect(),
            ),
            Err(e) => {
                r.record("DescribeListeners", &e);
                None
            }
        };
        let attributes = match c
            .describe_load_balancer_attributes()
            .load_balancer_arn(arn)
            .send()
            .await
        {
            Ok(a) => Some(
                a.attributes()
                    .iter()
                    .filter_map(|kv| Some((kv.key()?.to_owned(), kv.value()?.to_owned())))
                    .collect(),
            ),
            Err(e) => {
                r.record("DescribeLoadBalancerAttributes", &e);
                None
            }
        };
        out.push(m::LoadBalancer {
            name: name.to_owned(),
            arn: Some(arn.to_owned()),
            dns_name: lb.dns_name().map(str::to_owned),
            lb_type: lb
                .r#type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_else(|| "application".into()),
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            listeners,
            attributes,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn elastic_load_balancing_write_calls_map_to_elbv2() {
        use crate::scan::recheck::service_of;
        assert_eq!(
            service_of("elasticloadbalancing.amazonaws.com"),
            Some("elbv2")
        );
        assert!(super::super::skippable_sources().contains(&"elasticloadbalancing.amazonaws.com"));
    }
}
