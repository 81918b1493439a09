//! EC2 security-group rules.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::net;
use crate::arn;
use crate::{
    Rule, Scope, Severity, Sink,
    model::{Ec2Inventory, Inventory, NetworkInterface, PermissionRule},
};

/// What a security-group rule admits, for evidence.
fn permission_json(rule: &PermissionRule) -> Value {
    let sources: Vec<&String> = (rule.ipv4_ranges.iter())
        .chain(&rule.ipv6_ranges)
        .chain(&rule.source_groups)
        .collect();
    json!({
        "protocol": rule.protocol,
        "fromPort": rule.from_port,
        "toPort": rule.to_port,
        "sources": sources,
    })
}

/// Reports every security group of every readable region whose ingress rules match
/// `opens` from the world.
fn world_ingress(
    inv: &Inventory,
    sink: &mut Sink,
    opens: impl Fn(&PermissionRule) -> bool,
    port: Option<i32>,
) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for sg in &ec2.security_groups {
            let open: Vec<Value> = sg
                .ingress
                .iter()
                .filter(|r| opens(r))
                .filter_map(|r| {
                    let sources = net::world_sources(r);
                    (!sources.is_empty()).then(|| {
                        json!({
                            "protocol": r.protocol,
                            "fromPort": r.from_port,
                            "toPort": r.to_port,
                            "sources": sources,
                        })
                    })
                })
                .collect();
            if !open.is_empty() {
                let arn = arn::ec2(inv, &region.region, "security-group", &sg.group_id);
                let mut evidence =
                    json!({ "groupName": sg.group_name, "vpcId": sg.vpc_id, "rules": open });
                if let Some(port) = port {
                    evidence["port"] = port.into();
                }
                sink.fail(&region.region, &sg.group_id, Some(arn), evidence);
            }
        }
    }
}

/// Reports every security group of every readable region admitting `port` from the world.
fn world_to_port(inv: &Inventory, sink: &mut Sink, port: i32) {
    world_ingress(inv, sink, |r| net::admits_port(r, port), Some(port));
}

const SG: &str = "AWS::EC2::SecurityGroup";

pub static SG_SSH_OPEN: Rule = Rule {
    id: "ec2-sg-ssh-open",
    title: "Security group allows SSH (22) from the internet",
    severity: Severity::High,
    description: "Anyone on the internet can reach port 22 of the instances in this group. SSH is \
                  brute-forced continuously, and a single weak or leaked key gives a shell.",
    remediation: "Remove the 0.0.0.0/0 and ::/0 sources from the port 22 rule (`aws ec2 \
                  revoke-security-group-ingress --group-id <sg-id> --protocol tcp --port 22 --cidr \
                  0.0.0.0/0`); allow only your administrators' addresses, or use SSM Session \
                  Manager and close the port.",
    compliance: &[
        "CIS AWS Foundations v5.0.0 5.3",
        "CIS AWS Foundations v5.0.0 5.4",
        "AWS FSBP EC2.13",
    ],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 22),
};

pub static SG_RDP_OPEN: Rule = Rule {
    id: "ec2-sg-rdp-open",
    title: "Security group allows RDP (3389) from the internet",
    severity: Severity::High,
    description: "Anyone on the internet can reach Remote Desktop on port 3389 of the instances in \
                  this group. RDP is password-sprayed constantly and has had pre-authentication \
                  remote code execution flaws (BlueKeep); it is a common ransomware entry point.",
    remediation: "Revoke the rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 3389 --cidr 0.0.0.0/0`, and the ::/0 one with \
                  `--ip-permissions`); reach Windows hosts through SSM Fleet Manager, Session \
                  Manager port forwarding or a VPN.",
    compliance: &[
        "CIS AWS Foundations v5.0.0 5.3",
        "CIS AWS Foundations v5.0.0 5.4",
        "AWS FSBP EC2.14",
    ],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 3389),
};

pub static SG_MYSQL_OPEN: Rule = Rule {
    id: "ec2-sg-mysql-open",
    title: "Security group allows MySQL (3306) from the internet",
    severity: Severity::High,
    description: "MySQL/MariaDB on port 3306 is reachable from anywhere on the internet. Exposed \
                  database ports are found by scanners within minutes and attacked with credential \
                  stuffing and engine exploits; a database should only be reachable from its \
                  application tier.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 3306 --cidr 0.0.0.0/0`) and admit the application's \
                  security group instead (`authorize-security-group-ingress --source-group \
                  <app-sg>`).",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 3306),
};

pub static SG_POSTGRES_OPEN: Rule = Rule {
    id: "ec2-sg-postgres-open",
    title: "Security group allows PostgreSQL (5432) from the internet",
    severity: Severity::High,
    description: "PostgreSQL on port 5432 is reachable from anywhere on the internet. Exposed \
                  PostgreSQL servers are brute-forced and, once in, abused with `COPY ... FROM \
                  PROGRAM` to run commands on the host.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 5432 --cidr 0.0.0.0/0`) and admit only the application's \
                  security group or a bastion.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 5432),
};

pub static SG_MSSQL_OPEN: Rule = Rule {
    id: "ec2-sg-mssql-open",
    title: "Security group allows Microsoft SQL Server (1433) from the internet",
    severity: Severity::High,
    description: "SQL Server on port 1433 is reachable from anywhere on the internet. It is one of \
                  the most brute-forced services (the `sa` login in particular), and `xp_cmdshell` \
                  turns a database login into command execution.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 1433 --cidr 0.0.0.0/0`) and admit only the application's \
                  security group.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 1433),
};

pub static SG_ORACLE_OPEN: Rule = Rule {
    id: "ec2-sg-oracle-open",
    title: "Security group allows Oracle (1521) from the internet",
    severity: Severity::High,
    description: "The Oracle TNS listener on port 1521 is reachable from anywhere on the internet. \
                  Listeners are probed for default accounts and known listener flaws (TNS \
                  poisoning), and the database should only be reachable from its application tier.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 1521 --cidr 0.0.0.0/0`) and admit only the application's \
                  security group.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 1521),
};

pub static SG_MONGODB_OPEN: Rule = Rule {
    id: "ec2-sg-mongodb-open",
    title: "Security group allows MongoDB (27017) from the internet",
    severity: Severity::High,
    description: "MongoDB on port 27017 is reachable from anywhere on the internet. Many \
                  deployments run without authentication, and exposed instances are routinely \
                  copied, wiped and held for ransom by automated campaigns.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 27017 --cidr 0.0.0.0/0`), admit only the application's \
                  security group, and make sure authorization is enabled.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 27017),
};

pub static SG_REDIS_OPEN: Rule = Rule {
    id: "ec2-sg-redis-open",
    title: "Security group allows Redis (6379) from the internet",
    severity: Severity::High,
    description: "Redis on port 6379 is reachable from anywhere on the internet. Redis has no \
                  authentication by default and its `CONFIG SET`/`SLAVEOF` commands let a client \
                  write files or load modules, a well-known route to remote code execution that \
                  cryptomining botnets exploit at scale.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 6379 --cidr 0.0.0.0/0`) and admit only the application's \
                  security group; enable `requirepass` or ACLs.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 6379),
};

pub static SG_MEMCACHED_OPEN: Rule = Rule {
    id: "ec2-sg-memcached-open",
    title: "Security group allows Memcached (11211) from the internet",
    severity: Severity::High,
    description: "Memcached on port 11211 is reachable from anywhere on the internet. It has no \
                  authentication, so anyone can read and overwrite cached data (often sessions and \
                  tokens), and over UDP it is abused as a DDoS amplifier.",
    remediation: "Revoke the world rules for TCP and UDP 11211 (`aws ec2 \
                  revoke-security-group-ingress --group-id <sg-id> --protocol tcp --port 11211 \
                  --cidr 0.0.0.0/0`, likewise `--protocol udp`) and admit only the application's \
                  security group.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 11211),
};

pub static SG_CIFS_OPEN: Rule = Rule {
    id: "ec2-sg-cifs-open",
    title: "Security group allows CIFS/SMB (445) from the internet",
    severity: Severity::High,
    description: "Windows file sharing (SMB/CIFS) on port 445 is reachable from anywhere on the \
                  internet. SMB is a favourite worm and ransomware entry point (EternalBlue, \
                  WannaCry) and leaks shares and credentials (NTLM relay) when exposed.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id \
                  <sg-id> --protocol tcp --port 445 --cidr 0.0.0.0/0`) and admit only the \
                  trusted networks that need the shares, or reach them over a VPN.",
    compliance: &["CIS AWS Foundations v5.0.0 5.1.2"],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 445),
};

pub static SG_ELASTICSEARCH_OPEN: Rule = Rule {
    id: "ec2-sg-elasticsearch-open",
    title: "Security group allows Elasticsearch (9200) from the internet",
    severity: Severity::High,
    description: "The Elasticsearch REST API on port 9200 is reachable from anywhere on the \
                  internet. Clusters without security enabled let anyone read, change or delete \
                  every index, and exposed clusters are among the most common sources of data \
                  leaks.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 9200 --cidr 0.0.0.0/0`), admit only the clients' security \
                  groups, and enable Elasticsearch security (TLS and authentication).",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 9200),
};

pub static SG_KIBANA_OPEN: Rule = Rule {
    id: "ec2-sg-kibana-open",
    title: "Security group allows Kibana (5601) from the internet",
    severity: Severity::High,
    description: "Kibana on port 5601 is reachable from anywhere on the internet. It gives whoever \
                  reaches it the data of the cluster behind it, and older versions have remote \
                  code execution flaws (CVE-2019-7609).",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --protocol tcp --port 5601 --cidr 0.0.0.0/0`) and publish Kibana behind an \
                  authenticating proxy or VPN instead.",
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_to_port(inv, sink, 5601),
};

pub static SG_ALL_PORTS_OPEN: Rule = Rule {
    id: "ec2-sg-all-ports-open",
    title: "Security group allows all ports from the internet",
    severity: Severity::High,
    description: "The group admits every port (all protocols, or TCP 0-65535) from anywhere on the \
                  internet, so every service on its instances, including administration ports and \
                  services never meant to be exposed, is reachable by scanners.",
    remediation: "Delete the rule (`aws ec2 revoke-security-group-ingress --group-id <sg-id> \
                  --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'`) and admit only \
                  the ports the workload serves, from the sources that need them.",
    compliance: &[
        "CIS AWS Foundations v5.0.0 5.3",
        "CIS AWS Foundations v5.0.0 5.4",
        "AWS FSBP EC2.13",
        "AWS FSBP EC2.14",
    ],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: |inv, sink| world_ingress(inv, sink, net::opens_all_ports, None),
};

pub static DEFAULT_SG_ALLOWS_TRAFFIC: Rule = Rule {
    id: "ec2-default-sg-allows-traffic",
    title: "Default security group allows traffic",
    severity: Severity::Medium,
    description: "A VPC's default security group is attached to every instance and interface \
                  launched without an explicit group. As created it admits all traffic from its \
                  own members and all outbound traffic, so resources end up sharing an open group \
                  by accident; it should allow nothing.",
    remediation: "Move the resources that use it to purpose-built groups, then remove every rule \
                  of the default group (`aws ec2 revoke-security-group-ingress` and \
                  `revoke-security-group-egress --group-id <sg-id> --ip-permissions ...`).",
    compliance: &["CIS AWS Foundations v5.0.0 5.5", "AWS FSBP EC2.2"],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: default_sg_allows_traffic,
};

fn default_sg_allows_traffic(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for sg in &ec2.security_groups {
            if sg.group_name != "default" || (sg.ingress.is_empty() && sg.egress.is_empty()) {
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "security-group", &sg.group_id);
            sink.fail(
                &region.region,
                &sg.group_id,
                Some(arn),
                json!({
                    "vpcId": sg.vpc_id,
                    "ingress": sg.ingress.iter().map(permission_json).collect::<Vec<_>>(),
                    "egress": sg.egress.iter().map(permission_json).collect::<Vec<_>>(),
                }),
            );
        }
    }
}

/// Interfaces that are managed front doors, not hosts: an open port on them is their
/// purpose. Prowler's defaults (`ec2_allowed_interface_types`, `ec2_allowed_instance_owners`:
/// API Gateway, VPC endpoints, Application Load Balancers), and Network Load Balancers,
/// whose interfaces have a type of their own.
fn is_managed_front_door(eni: &NetworkInterface) -> bool {
    matches!(
        eni.interface_type.as_deref(),
        Some("api_gateway_managed" | "vpc_endpoint" | "network_load_balancer")
    ) || eni.attachment_owner.as_deref() == Some("amazon-elb")
}

/// The region's network interfaces in the group.
fn interfaces_in<'a>(
    ec2: &'a Ec2Inventory,
    group_id: &'a str,
) -> impl Iterator<Item = &'a NetworkInterface> {
    ec2.network_interfaces
        .iter()
        .filter(move |n| n.groups.iter().any(|g| g == group_id))
}

pub static SG_WORLD_PORT_IN_USE: Rule = Rule {
    id: "ec2-sg-world-port-in-use",
    title: "Security group in use admits a port other than HTTP(S) from the internet",
    severity: Severity::High,
    description: "The group is attached to network interfaces in use and admits traffic from \
                  anywhere on the internet to a port other than 80 and 443 (the only ports a \
                  public service normally needs). Whatever listens there on its instances is \
                  reachable by every scanner; only the administration and database ports are \
                  covered by the port-specific rules, this one catches the rest (8080, 9000, \
                  custom services...). Groups that open every port are reported by \
                  ec2-sg-all-ports-open instead, and groups used only by load balancers, API \
                  Gateway or VPC endpoints are exempt.",
    remediation: "Revoke the world rule (`aws ec2 revoke-security-group-ingress --group-id \
                  <sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=<port>,ToPort=<port>,\
                  IpRanges=[{CidrIp=0.0.0.0/0}]'`, likewise `Ipv6Ranges=[{CidrIpv6=::/0}]`) and \
                  admit only the addresses or security groups that need the port; publish web \
                  services through a load balancer.",
    // FSBP EC2.18 with its default authorised ports (TCP 80 and 443), judged, as Prowler
    // does by default, on the groups in use.
    compliance: &["AWS FSBP EC2.18"],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: world_port_in_use,
};

fn world_port_in_use(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for sg in &ec2.security_groups {
            let world = |r: &&PermissionRule| !net::world_sources(r).is_empty();
            // Already ec2-sg-all-ports-open's finding (Prowler skips these groups too).
            if sg.ingress.iter().filter(world).any(net::opens_all_ports) {
                continue;
            }
            let open: Vec<Value> = sg
                .ingress
                .iter()
                .filter(world)
                .filter(|r| super::instances::admits_more_than_web(r))
                .map(|r| {
                    json!({
                        "protocol": r.protocol,
                        "fromPort": r.from_port,
                        "toPort": r.to_port,
                        "sources": net::world_sources(r),
                    })
                })
                .collect();
            if open.is_empty() {
                continue;
            }
            let exposed: Vec<&str> = interfaces_in(ec2, &sg.group_id)
                .filter(|n| !is_managed_front_door(n))
                .map(|n| n.network_interface_id.as_str())
                .collect();
            if exposed.is_empty() {
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "security-group", &sg.group_id);
            sink.fail(
                &region.region,
                &sg.group_id,
                Some(arn),
                json!({
                    "groupName": sg.group_name,
                    "vpcId": sg.vpc_id,
                    "rules": open,
                    "networkInterfaces": exposed.len(),
                    "exampleInterfaces": exposed.iter().take(5).collect::<Vec<_>>(),
                }),
            );
        }
    }
}

pub static SG_UNUSED: Rule = Rule {
    id: "ec2-sg-unused",
    title: "Security group is not used",
    severity: Severity::Low,
    description: "No network interface is in the group and no other group's rules refer to \
                  it. Unused groups accumulate permissive rules nobody reviews, and the next \
                  resource someone attaches one to inherits them by surprise; removing them \
                  keeps the rule set small enough to audit.",
    remediation: "Check that no launch template, Auto Scaling group or infrastructure code \
                  still names it, then delete it (`aws ec2 delete-security-group --group-id \
                  <sg-id>`). A VPC's default group cannot be deleted and is not reported.",
    // FSBP EC2.22 is not among the controls Vigil's FSBP catalogue holds.
    compliance: &[],
    resource_type: SG,
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: sg_unused,
};

fn sg_unused(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        // Groups named as a source or destination by another group's rules.
        let referenced: BTreeSet<&str> = ec2
            .security_groups
            .iter()
            .flat_map(|g| {
                (g.ingress.iter().chain(&g.egress))
                    .flat_map(|r| &r.source_groups)
                    .filter(move |s| **s != g.group_id)
            })
            .map(String::as_str)
            .collect();
        let attached: BTreeSet<&str> = ec2
            .network_interfaces
            .iter()
            .flat_map(|n| &n.groups)
            .chain(ec2.instances.iter().flat_map(|i| &i.security_groups))
            .map(String::as_str)
            .collect();
        for sg in &ec2.security_groups {
            let id = sg.group_id.as_str();
            if sg.group_name == "default" || attached.contains(id) || referenced.contains(id) {
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "security-group", id);
            sink.fail(
                &region.region,
                id,
                Some(arn),
                json!({
                    "groupName": sg.group_name,
                    "vpcId": sg.vpc_id,
                    "networkInterfaces": 0,
                    "referencedByGroups": 0,
                }),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{
        evaluate_rules,
        fixtures::{failing, with_ec2},
        model::{Ec2Inventory, SecurityGroup},
    };

    pub fn tcp(port: i32, cidrs: &[&str]) -> PermissionRule {
        tcp_range(port, port, cidrs)
    }

    pub fn tcp_range(from: i32, to: i32, cidrs: &[&str]) -> PermissionRule {
        PermissionRule {
            protocol: "tcp".into(),
            from_port: Some(from),
            to_port: Some(to),
            ipv4_ranges: cidrs
                .iter()
                .filter(|c| !c.contains(':'))
                .map(|c| (*c).into())
                .collect(),
            ipv6_ranges: cidrs
                .iter()
                .filter(|c| c.contains(':'))
                .map(|c| (*c).into())
                .collect(),
            source_groups: vec![],
        }
    }

    pub fn all_traffic(cidrs: &[&str]) -> PermissionRule {
        PermissionRule {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            ..tcp(0, cidrs)
        }
    }

    pub fn with_groups(groups: Vec<SecurityGroup>) -> crate::model::Inventory {
        with_ec2(Ec2Inventory {
            security_groups: groups,
            ..Default::default()
        })
    }

    pub fn group(id: &str, ingress: Vec<PermissionRule>) -> SecurityGroup {
        SecurityGroup {
            group_id: id.into(),
            group_name: id.into(),
            ingress,
            ..Default::default()
        }
    }

    #[test]
    fn ssh_from_the_world_fails_and_from_a_private_range_passes() {
        let inv = with_groups(vec![
            group("sg-open4", vec![tcp(22, &["0.0.0.0/0"])]),
            group("sg-open6", vec![tcp(22, &["::/0"])]),
            group("sg-private", vec![tcp(22, &["10.0.0.0/8"])]),
            group("sg-https", vec![tcp(443, &["0.0.0.0/0"])]),
        ]);
        let out = evaluate_rules(&inv, &[&SG_SSH_OPEN]);
        let failing: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(failing, ["sg-open4", "sg-open6"]);
        assert_eq!(
            out.complete,
            vec![("ec2-sg-ssh-open".to_owned(), "eu-west-1".to_owned())]
        );
        assert_eq!(
            out.findings[0].resource_arn.as_deref(),
            Some("arn:aws:ec2:eu-west-1:123456789012:security-group/sg-open4")
        );
    }

    #[test]
    fn an_unreadable_region_is_not_complete() {
        let mut inv = with_groups(vec![]);
        inv.regions[0].ec2 = None;
        let out = evaluate_rules(&inv, &[&SG_SSH_OPEN]);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }

    #[test]
    fn each_service_port_rule_fails_on_its_port_from_the_world_and_passes_when_restricted() {
        let cases: [(&'static Rule, i32); 12] = [
            (&SG_CIFS_OPEN, 445),
            (&SG_SSH_OPEN, 22),
            (&SG_RDP_OPEN, 3389),
            (&SG_MYSQL_OPEN, 3306),
            (&SG_POSTGRES_OPEN, 5432),
            (&SG_MSSQL_OPEN, 1433),
            (&SG_ORACLE_OPEN, 1521),
            (&SG_MONGODB_OPEN, 27017),
            (&SG_REDIS_OPEN, 6379),
            (&SG_MEMCACHED_OPEN, 11211),
            (&SG_ELASTICSEARCH_OPEN, 9200),
            (&SG_KIBANA_OPEN, 5601),
        ];
        for (rule, port) in cases {
            let inv = with_groups(vec![
                group("sg-world", vec![tcp(port, &["0.0.0.0/0", "10.0.0.0/8"])]),
                group("sg-world6", vec![tcp(port, &["::/0"])]),
                group("sg-vpc-only", vec![tcp(port, &["10.0.0.0/16"])]),
                group("sg-other-port", vec![tcp(port + 1, &["0.0.0.0/0"])]),
            ]);
            assert_eq!(
                failing(rule, &inv),
                ["sg-world", "sg-world6"],
                "{}",
                rule.id
            );
        }
    }

    #[test]
    fn a_world_range_covering_the_port_fails_and_the_evidence_names_the_rule() {
        let inv = with_groups(vec![group(
            "sg-range",
            vec![tcp_range(3000, 4000, &["0.0.0.0/0"])],
        )]);
        let out = evaluate_rules(&inv, &[&SG_MYSQL_OPEN]);
        assert_eq!(out.findings.len(), 1);
        let evidence = &out.findings[0].evidence;
        assert_eq!(evidence["port"], 3306);
        assert_eq!(evidence["rules"][0]["fromPort"], 3000);
        assert_eq!(evidence["rules"][0]["sources"][0], "0.0.0.0/0");
    }

    #[test]
    fn all_traffic_or_every_tcp_port_from_the_world_fails_the_all_ports_rule() {
        let inv = with_groups(vec![
            group("sg-all", vec![all_traffic(&["::/0"])]),
            group("sg-tcp-all", vec![tcp_range(0, 65535, &["0.0.0.0/0"])]),
            group("sg-all-private", vec![all_traffic(&["10.0.0.0/8"])]),
            group(
                "sg-web",
                vec![tcp(443, &["0.0.0.0/0"]), tcp(80, &["0.0.0.0/0"])],
            ),
            group(
                "sg-high-ports",
                vec![tcp_range(1024, 65535, &["0.0.0.0/0"])],
            ),
        ]);
        assert_eq!(failing(&SG_ALL_PORTS_OPEN, &inv), ["sg-all", "sg-tcp-all"]);
        // All traffic from the world opens the administration ports too, as does any
        // range that covers them.
        assert_eq!(
            failing(&SG_RDP_OPEN, &inv),
            ["sg-all", "sg-tcp-all", "sg-high-ports"]
        );
    }

    #[test]
    fn a_default_group_with_any_rule_fails_and_an_emptied_one_passes() {
        let mut self_referencing = group("sg-default-a", vec![]);
        self_referencing.group_name = "default".into();
        self_referencing.ingress = vec![PermissionRule {
            source_groups: vec!["sg-default-a".into()],
            ..all_traffic(&[])
        }];
        let mut egress_only = group("sg-default-b", vec![]);
        egress_only.group_name = "default".into();
        egress_only.egress = vec![all_traffic(&["0.0.0.0/0"])];
        let mut emptied = group("sg-default-c", vec![]);
        emptied.group_name = "default".into();
        let custom = group("sg-web", vec![tcp(443, &["0.0.0.0/0"])]);
        let inv = with_groups(vec![self_referencing, egress_only, emptied, custom]);
        let out = evaluate_rules(&inv, &[&DEFAULT_SG_ALLOWS_TRAFFIC]);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["sg-default-a", "sg-default-b"]);
        assert_eq!(
            out.findings[0].evidence["ingress"][0]["sources"][0],
            "sg-default-a"
        );
    }

    fn in_group(id: &str, group: &str) -> crate::model::NetworkInterface {
        crate::model::NetworkInterface {
            network_interface_id: id.into(),
            groups: vec![group.into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_group_in_use_admitting_a_non_web_port_from_the_world_fails() {
        let mut inv = with_groups(vec![
            group(
                "sg-app",
                vec![tcp(8080, &["::/0"]), tcp(443, &["0.0.0.0/0"])],
            ),
            group("sg-web", vec![tcp(443, &["0.0.0.0/0"]), tcp(80, &["::/0"])]),
            group("sg-idle", vec![tcp(8080, &["0.0.0.0/0"])]),
            group("sg-all", vec![all_traffic(&["0.0.0.0/0"])]),
            group("sg-elb", vec![tcp(8443, &["0.0.0.0/0"])]),
            group("sg-private", vec![tcp(8080, &["10.0.0.0/8"])]),
        ]);
        let mut elb = in_group("eni-elb", "sg-elb");
        elb.attachment_owner = Some("amazon-elb".into());
        let mut endpoint = in_group("eni-vpce", "sg-elb");
        endpoint.interface_type = Some("vpc_endpoint".into());
        let mut nlb = in_group("eni-nlb", "sg-elb");
        nlb.interface_type = Some("network_load_balancer".into());
        inv.regions[0].ec2.as_mut().unwrap().network_interfaces = vec![
            in_group("eni-app", "sg-app"),
            in_group("eni-web", "sg-web"),
            in_group("eni-all", "sg-all"),
            in_group("eni-private", "sg-private"),
            elb,
            endpoint,
            nlb,
        ];
        let out = evaluate_rules(&inv, &[&SG_WORLD_PORT_IN_USE]);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        // sg-all is ec2-sg-all-ports-open's; sg-elb fronts only load balancers and an
        // endpoint; sg-idle is attached to nothing.
        assert_eq!(ids, ["sg-app"]);
        let evidence = &out.findings[0].evidence;
        assert_eq!(evidence["rules"].as_array().unwrap().len(), 1);
        assert_eq!(evidence["rules"][0]["fromPort"], 8080);
        assert_eq!(evidence["exampleInterfaces"][0], "eni-app");
        // An instance's interface among the load balancer's makes it exposed again.
        inv.regions[0]
            .ec2
            .as_mut()
            .unwrap()
            .network_interfaces
            .push(in_group("eni-host", "sg-elb"));
        assert_eq!(failing(&SG_WORLD_PORT_IN_USE, &inv), ["sg-app", "sg-elb"]);
    }

    #[test]
    fn unused_groups_fail_and_attached_referenced_or_default_ones_pass() {
        let mut referencing = group("sg-app", vec![]);
        referencing.ingress = vec![PermissionRule {
            source_groups: vec!["sg-lb".into()],
            ..tcp(8080, &[])
        }];
        let mut self_only = group("sg-self", vec![]);
        self_only.ingress = vec![PermissionRule {
            source_groups: vec!["sg-self".into()],
            ..all_traffic(&[])
        }];
        let mut default = group("sg-default", vec![]);
        default.group_name = "default".into();
        let mut inv = with_groups(vec![
            referencing,
            group("sg-lb", vec![]),
            group("sg-orphan", vec![tcp(22, &["0.0.0.0/0"])]),
            self_only,
            default,
        ]);
        inv.regions[0].ec2.as_mut().unwrap().network_interfaces = vec![in_group("eni-1", "sg-app")];
        let out = evaluate_rules(&inv, &[&SG_UNUSED]);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["sg-orphan", "sg-self"]);
        assert_eq!(
            out.complete,
            vec![("ec2-sg-unused".to_owned(), "eu-west-1".to_owned())]
        );
        // Unread, nothing is judged.
        inv.regions[0].ec2 = None;
        let out = evaluate_rules(&inv, &[&SG_UNUSED, &SG_WORLD_PORT_IN_USE]);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }
}
