//! VPC rules: network ACLs and flow logs.

use serde_json::{Value, json};

use super::net;
use crate::arn;
use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// Remote administration ports CIS 5.1 asks network ACLs to close to the internet.
const ADMIN_PORTS: [i32; 2] = [22, 3389];

pub static NACL_ADMIN_PORTS_OPEN: Rule = Rule {
    id: "ec2-nacl-admin-ports-open",
    title: "Network ACL allows SSH or RDP from the internet",
    severity: Severity::Medium,
    description: "The subnet-level network ACL lets traffic from anywhere on the internet reach \
                  the remote administration ports (22, 3389), leaving security groups as the only \
                  barrier. The ACL is evaluated lowest rule number first, so this allow is not \
                  preceded by a deny for the same traffic.",
    remediation: "Add a lower-numbered deny for the ports (`aws ec2 create-network-acl-entry \
                  --network-acl-id <acl-id> --ingress --rule-number 50 --protocol tcp --port-range \
                  From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny`, likewise 3389 and ::/0 \
                  with `--ipv6-cidr-block`), or narrow the allow to your administration ranges.",
    compliance: &["CIS AWS Foundations v5.0.0 5.2", "AWS FSBP EC2.21"],
    resource_type: "AWS::EC2::NetworkAcl",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: nacl_admin_ports_open,
};

fn nacl_admin_ports_open(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for acl in &ec2.network_acls {
            let mut open: Vec<Value> = Vec::new();
            for port in ADMIN_PORTS {
                for (protocol, name) in [("6", "tcp"), ("17", "udp")] {
                    for ipv6 in [false, true] {
                        let Some(entry) =
                            net::acl_world_ingress(&acl.entries, protocol, port, ipv6)
                        else {
                            continue;
                        };
                        if net::acl_allows(entry) {
                            open.push(json!({
                                "port": port,
                                "protocol": name,
                                "source": if ipv6 { "::/0" } else { "0.0.0.0/0" },
                                "ruleNumber": entry.rule_number,
                            }));
                        }
                    }
                }
            }
            if !open.is_empty() {
                let arn = arn::ec2(inv, &region.region, "network-acl", &acl.network_acl_id);
                sink.fail(
                    &region.region,
                    &acl.network_acl_id,
                    Some(arn),
                    json!({ "vpcId": acl.vpc_id, "isDefault": acl.is_default, "allowed": open }),
                );
            }
        }
    }
}

pub static VPC_NO_FLOW_LOGS: Rule = Rule {
    id: "ec2-vpc-no-flow-logs",
    title: "VPC has no flow logs",
    severity: Severity::Medium,
    description: "Without flow logs there is no record of the connections made to and from the \
                  VPC's network interfaces, so exfiltration, scanning and command-and-control \
                  traffic cannot be detected or investigated after the fact.",
    remediation: "Enable flow logs for the VPC, at least for rejected traffic (`aws ec2 \
                  create-flow-logs --resource-type VPC --resource-ids <vpc-id> --traffic-type ALL \
                  --log-destination-type s3 --log-destination arn:aws:s3:::<bucket>`).",
    compliance: &["CIS AWS Foundations v5.0.0 3.7", "AWS FSBP EC2.6"],
    resource_type: "AWS::EC2::VPC",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: vpc_no_flow_logs,
};

fn vpc_no_flow_logs(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for vpc in ec2.vpcs.iter().filter(|v| v.flow_log_ids.is_empty()) {
            let arn = arn::ec2(inv, &region.region, "vpc", &vpc.vpc_id);
            sink.fail(
                &region.region,
                &vpc.vpc_id,
                Some(arn),
                json!({ "cidrBlock": vpc.cidr_block, "isDefault": vpc.is_default, "flowLogs": 0 }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, run, with_ec2},
        model::{AclEntry, Ec2Inventory, NetworkAcl, Vpc},
    };

    fn entry(
        number: i32,
        action: &str,
        protocol: &str,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> AclEntry {
        AclEntry {
            rule_number: number,
            egress: false,
            protocol: protocol.into(),
            rule_action: action.into(),
            cidr_ipv4: (!cidr.contains(':')).then(|| cidr.into()),
            cidr_ipv6: cidr.contains(':').then(|| cidr.into()),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    /// The entry every ACL ends with.
    fn final_deny() -> AclEntry {
        entry(32767, "deny", "-1", "0.0.0.0/0", None)
    }

    fn acl(id: &str, entries: Vec<AclEntry>) -> NetworkAcl {
        NetworkAcl {
            network_acl_id: id.into(),
            vpc_id: "vpc-1".into(),
            entries,
            ..Default::default()
        }
    }

    fn with_acls(acls: Vec<NetworkAcl>) -> Inventory {
        with_ec2(Ec2Inventory {
            network_acls: acls,
            ..Default::default()
        })
    }

    #[test]
    fn an_acl_allowing_everything_from_the_world_fails() {
        let inv = with_acls(vec![
            acl(
                "acl-default",
                vec![entry(100, "allow", "-1", "0.0.0.0/0", None), final_deny()],
            ),
            acl(
                "acl-ssh",
                vec![
                    entry(100, "allow", "6", "::/0", Some((22, 22))),
                    final_deny(),
                ],
            ),
            acl(
                "acl-rdp-udp",
                vec![entry(100, "allow", "17", "0.0.0.0/0", Some((3389, 3389)))],
            ),
        ]);
        assert_eq!(
            failing(&NACL_ADMIN_PORTS_OPEN, &inv),
            ["acl-default", "acl-ssh", "acl-rdp-udp"]
        );
    }

    /// Denies of TCP and UDP 22 and 3389 from the IPv4 world, numbered from `first`.
    fn admin_port_denies(first: i32) -> Vec<AclEntry> {
        let mut denies = Vec::new();
        for (i, (protocol, port)) in [("6", 22), ("17", 22), ("6", 3389), ("17", 3389)]
            .into_iter()
            .enumerate()
        {
            denies.push(entry(
                first + i as i32,
                "deny",
                protocol,
                "0.0.0.0/0",
                Some((port, port)),
            ));
        }
        denies
    }

    #[test]
    fn a_lower_numbered_deny_makes_a_later_allow_ineffective() {
        let mut deny_first = admin_port_denies(10);
        deny_first.extend([entry(200, "allow", "-1", "0.0.0.0/0", None), final_deny()]);
        deny_first.reverse(); // the listed order does not matter, the rule numbers do
        let mut allow_first = vec![entry(5, "allow", "-1", "0.0.0.0/0", None)];
        allow_first.extend(admin_port_denies(10));
        allow_first.push(final_deny());
        let inv = with_acls(vec![
            acl("acl-deny-first", deny_first),
            acl("acl-allow-first", allow_first),
        ]);
        let out = run(&NACL_ADMIN_PORTS_OPEN, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["acl-allow-first"]);
        assert_eq!(out.findings[0].evidence["allowed"][0]["ruleNumber"], 5);
    }

    #[test]
    fn a_deny_of_tcp_only_leaves_udp_to_the_later_allow() {
        let inv = with_acls(vec![acl(
            "acl-tcp-deny",
            vec![
                entry(10, "deny", "6", "0.0.0.0/0", Some((0, 65535))),
                entry(100, "allow", "-1", "0.0.0.0/0", None),
            ],
        )]);
        let out = run(&NACL_ADMIN_PORTS_OPEN, &inv);
        let allowed = out.findings[0].evidence["allowed"]
            .as_array()
            .unwrap()
            .clone();
        assert!(
            allowed.iter().all(|a| a["protocol"] == "udp"),
            "{allowed:?}"
        );
    }

    #[test]
    fn allows_from_private_ranges_or_to_other_ports_pass() {
        let inv = with_acls(vec![
            acl(
                "acl-private",
                vec![entry(100, "allow", "-1", "10.0.0.0/8", None), final_deny()],
            ),
            acl(
                "acl-web",
                vec![
                    entry(100, "allow", "6", "0.0.0.0/0", Some((443, 443))),
                    entry(110, "allow", "6", "0.0.0.0/0", Some((32768, 65535))),
                    final_deny(),
                ],
            ),
        ]);
        assert!(failing(&NACL_ADMIN_PORTS_OPEN, &inv).is_empty());
        // Return traffic opened from port 1024 covers RDP's 3389, which CIS 5.1 counts.
        let ephemeral_from_1024 = with_acls(vec![acl(
            "acl-ephemeral",
            vec![
                entry(100, "allow", "6", "0.0.0.0/0", Some((1024, 65535))),
                final_deny(),
            ],
        )]);
        assert_eq!(
            failing(&NACL_ADMIN_PORTS_OPEN, &ephemeral_from_1024),
            ["acl-ephemeral"]
        );
    }

    #[test]
    fn an_egress_allow_does_not_open_ingress() {
        let mut egress = entry(100, "allow", "-1", "0.0.0.0/0", None);
        egress.egress = true;
        let inv = with_acls(vec![acl("acl-egress", vec![egress, final_deny()])]);
        assert!(failing(&NACL_ADMIN_PORTS_OPEN, &inv).is_empty());
    }

    #[test]
    fn a_vpc_without_flow_logs_fails_and_one_with_them_passes() {
        let inv = with_ec2(Ec2Inventory {
            vpcs: vec![
                Vpc {
                    vpc_id: "vpc-dark".into(),
                    ..Default::default()
                },
                Vpc {
                    vpc_id: "vpc-logged".into(),
                    flow_log_ids: vec!["fl-1".into()],
                    ..Default::default()
                },
            ],
            ..Default::default()
        });
        assert_eq!(failing(&VPC_NO_FLOW_LOGS, &inv), ["vpc-dark"]);
    }
}
