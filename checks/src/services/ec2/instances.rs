//! EC2 instance and image rules.

use serde_json::{Value, json};

use super::net;
use crate::arn;
use crate::{
    Rule, Scope, Severity, Sink,
    model::{Ec2Inventory, Instance, Inventory},
};

pub static INSTANCE_IMDSV1_PUBLIC: Rule = Rule {
    id: "ec2-instance-imdsv1-public",
    title: "Internet-facing instance allows IMDSv1",
    severity: Severity::High,
    description: "The instance has a public IP and its metadata service still answers IMDSv1 \
                  requests, which need no session token. A server-side request forgery flaw in \
                  anything it serves then hands out the instance role's credentials, as in the \
                  2019 Capital One breach; IMDSv2 blocks this.",
    remediation: "Require IMDSv2 (`aws ec2 modify-instance-metadata-options --instance-id <id> \
                  --http-tokens required --http-endpoint enabled`) after checking that the \
                  software on it uses a current AWS SDK; set it account-wide for new instances \
                  with `aws ec2 modify-instance-metadata-defaults --http-tokens required`.",
    // Not CIS v5.0 5.7 nor FSBP EC2.8: those require IMDSv2 on every instance, this rule
    // judges internet-facing ones only, so a pass here would not be a pass there.
    compliance: &[],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: instance_imdsv1_public,
};

fn instance_imdsv1_public(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in &ec2.instances {
            if !matches!(instance.state.as_str(), "running" | "stopped") {
                continue;
            }
            // The primary public IP, and those of other interfaces (Elastic IPs) attached to it.
            let public_ips: Vec<&str> = instance
                .public_ip
                .iter()
                .chain(
                    ec2.network_interfaces
                        .iter()
                        .filter(|n| n.instance_id.as_deref() == Some(&instance.instance_id))
                        .filter_map(|n| n.public_ip.as_ref()),
                )
                .map(String::as_str)
                .fold(Vec::new(), |mut ips, ip| {
                    if !ips.contains(&ip) {
                        ips.push(ip);
                    }
                    ips
                });
            if public_ips.is_empty() || instance.http_endpoint.as_deref() == Some("disabled") {
                continue;
            }
            match instance.http_tokens.as_deref() {
                Some("optional") => {
                    let arn = arn::ec2(inv, &region.region, "instance", &instance.instance_id);
                    sink.fail(
                        &region.region,
                        &instance.instance_id,
                        Some(arn),
                        json!({
                            "state": instance.state,
                            "publicIps": public_ips,
                            "httpTokens": "optional",
                            "httpEndpoint": instance.http_endpoint.as_deref().unwrap_or("enabled"),
                        }),
                    );
                }
                None => sink.unknown(&region.region, &instance.instance_id),
                Some(_) => {}
            }
        }
    }
}

pub static AMI_PUBLIC: Rule = Rule {
    id: "ec2-ami-public",
    title: "AMI is public",
    severity: Severity::High,
    description: "Every AWS account can launch this image and read its disks. Images built from \
                  working servers routinely carry credentials, keys, configuration and proprietary \
                  code.",
    remediation: "Make the image private (`aws ec2 modify-image-attribute --image-id <ami-id> \
                  --launch-permission \"Remove=[{Group=all}]\"`), share it with specific accounts \
                  if needed, and enable block public access for AMIs (`aws ec2 \
                  enable-image-block-public-access --image-block-public-access-state \
                  block-new-sharing`).",
    compliance: &[],
    resource_type: "AWS::EC2::Image",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: ami_public,
};

fn ami_public(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for image in ec2.images.iter().filter(|i| i.public) {
            let arn = arn::ec2_unowned(&region.region, "image", &image.image_id);
            sink.fail(
                &region.region,
                &image.image_id,
                Some(arn),
                json!({ "name": image.name, "public": true }),
            );
        }
    }
}

/// The instance's public addresses: its primary public IP and those of other interfaces
/// (Elastic IPs) attached to it, each once.
fn public_ips<'a>(ec2: &'a Ec2Inventory, instance: &'a Instance) -> Vec<&'a str> {
    let mut ips: Vec<&str> = Vec::new();
    let attached = ec2
        .network_interfaces
        .iter()
        .filter(|n| n.instance_id.as_deref() == Some(&instance.instance_id))
        .filter_map(|n| n.public_ip.as_deref());
    for ip in instance.public_ip.as_deref().into_iter().chain(attached) {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    ips
}

/// Whether the instance exists as a machine (running, or stopped and startable).
fn is_live(instance: &Instance) -> bool {
    matches!(instance.state.as_str(), "running" | "stopped")
}

pub static INSTANCE_IMDSV2_NOT_REQUIRED: Rule = Rule {
    id: "ec2-instance-imdsv2-not-required",
    title: "Instance does not require IMDSv2",
    severity: Severity::Medium,
    description: "The instance's metadata service still answers IMDSv1 requests, which need no \
                  session token: a server-side request forgery or an open proxy on it can read \
                  the instance role's credentials. IMDSv2's session tokens defeat those \
                  requests.",
    remediation: "Require IMDSv2 (`aws ec2 modify-instance-metadata-options --instance-id <id> \
                  --http-tokens required --http-endpoint enabled`) once its software uses a \
                  current AWS SDK, and make it the default for new instances (`aws ec2 \
                  modify-instance-metadata-defaults --http-tokens required`).",
    compliance: &["CIS AWS Foundations v5.0.0 5.7", "AWS FSBP EC2.8"],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: imdsv2_not_required,
};

fn imdsv2_not_required(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in ec2.instances.iter().filter(|i| is_live(i)) {
            // With the metadata endpoint off there is nothing to reach.
            if instance.http_endpoint.as_deref() == Some("disabled") {
                continue;
            }
            match instance.http_tokens.as_deref() {
                Some("optional") => sink.fail(
                    &region.region,
                    &instance.instance_id,
                    Some(arn::ec2(
                        inv,
                        &region.region,
                        "instance",
                        &instance.instance_id,
                    )),
                    json!({ "state": instance.state, "httpTokens": "optional" }),
                ),
                None => sink.unknown(&region.region, &instance.instance_id),
                Some(_) => {}
            }
        }
    }
}

pub static INSTANCE_NO_IAM_ROLE: Rule = Rule {
    id: "ec2-instance-no-iam-role",
    title: "Running instance has no IAM role",
    severity: Severity::Low,
    description: "The instance has no instance profile, so software on it that calls AWS must \
                  use long-lived access keys stored on disk or in its configuration, keys that \
                  leak with a backup, an image or a repository and are rarely rotated. An \
                  instance role gives it short-lived credentials rotated by AWS.",
    remediation: "Create a role with only the permissions the workload needs and attach it \
                  (`aws ec2 associate-iam-instance-profile --instance-id <id> \
                  --iam-instance-profile Name=<profile>`), then delete the access keys the \
                  instance used.",
    compliance: &["CIS AWS Foundations v5.0.0 1.17"],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: no_iam_role,
};

fn no_iam_role(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in ec2
            .instances
            .iter()
            .filter(|i| i.state == "running" && i.iam_instance_profile.is_none())
        {
            sink.fail(
                &region.region,
                &instance.instance_id,
                Some(arn::ec2(
                    inv,
                    &region.region,
                    "instance",
                    &instance.instance_id,
                )),
                json!({ "state": instance.state, "iamInstanceProfile": null }),
            );
        }
    }
}

/// Whether a world-open rule admits something other than a web port (80, 443) or ICMP.
pub(super) fn admits_more_than_web(rule: &crate::model::PermissionRule) -> bool {
    if matches!(rule.protocol.as_str(), "icmp" | "icmpv6" | "1" | "58") {
        return false;
    }
    !(rule.protocol != "-1"
        && rule.from_port == rule.to_port
        && matches!(rule.from_port, Some(80 | 443)))
}

pub static INSTANCE_PUBLIC_PORTS_OPEN: Rule = Rule {
    id: "ec2-instance-public-ports-open",
    title: "Internet-facing instance accepts more than web traffic from anywhere",
    severity: Severity::High,
    description: "The instance has a public IP and one of its security groups admits ports \
                  other than 80 and 443 from anywhere on the internet: administration, database \
                  or internal services on it are reachable by every scanner, which is how most \
                  cloud intrusions start.",
    remediation: "Remove the world rules other than HTTP(S) from its security groups (`aws ec2 \
                  revoke-security-group-ingress`), reach administration ports through SSM \
                  Session Manager or a VPN, and put the instance behind a load balancer in a \
                  private subnet if it serves the web.",
    // Not FSBP EC2.9, which fails every public IP: a web server passes here.
    compliance: &[],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: public_ports_open,
};

fn public_ports_open(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in ec2.instances.iter().filter(|i| is_live(i)) {
            let ips = public_ips(ec2, instance);
            if ips.is_empty() {
                continue;
            }
            let open: Vec<Value> = ec2
                .security_groups
                .iter()
                .filter(|g| instance.security_groups.contains(&g.group_id))
                .flat_map(|g| g.ingress.iter().map(move |r| (g, r)))
                .filter(|(_, r)| admits_more_than_web(r) && !net::world_sources(r).is_empty())
                .map(|(g, r)| {
                    json!({
                        "groupId": g.group_id,
                        "protocol": r.protocol,
                        "fromPort": r.from_port,
                        "toPort": r.to_port,
                        "sources": net::world_sources(r),
                    })
                })
                .collect();
            if !open.is_empty() {
                sink.fail(
                    &region.region,
                    &instance.instance_id,
                    Some(arn::ec2(
                        inv,
                        &region.region,
                        "instance",
                        &instance.instance_id,
                    )),
                    json!({ "publicIps": ips, "openRules": open }),
                );
            }
        }
    }
}

pub static INSTANCE_PUBLIC_IP: Rule = Rule {
    id: "ec2-instance-public-ip",
    title: "Instance has a public IP address",
    severity: Severity::Medium,
    description: "The instance is directly addressable from the internet: its security groups \
                  are the only thing between it and every scanner, and one permissive rule \
                  added later exposes it. Instances are better kept in private subnets, \
                  reached through a load balancer, NAT gateway or Session Manager.",
    remediation: "Move the workload behind a load balancer or NAT gateway and launch it in a \
                  private subnet without a public address (`--no-associate-public-ip-address`); \
                  release or disassociate Elastic IPs it does not need (`aws ec2 \
                  disassociate-address --association-id <id>`).",
    compliance: &["AWS FSBP EC2.9"],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: instance_public_ip,
};

fn instance_public_ip(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in ec2.instances.iter().filter(|i| is_live(i)) {
            let ips = public_ips(ec2, instance);
            if ips.is_empty() {
                continue;
            }
            sink.fail(
                &region.region,
                &instance.instance_id,
                Some(arn::ec2(
                    inv,
                    &region.region,
                    "instance",
                    &instance.instance_id,
                )),
                json!({ "state": instance.state, "publicIps": ips, "subnetId": instance.subnet_id }),
            );
        }
    }
}

pub static INSTANCE_PUBLIC_WITH_PROFILE: Rule = Rule {
    id: "ec2-instance-public-with-instance-profile",
    title: "Internet-facing instance has an IAM instance profile",
    severity: Severity::Medium,
    description: "The instance has a public IP and an instance profile, so anyone who gets \
                  code execution or a server-side request forgery on it from the internet \
                  obtains the role's AWS credentials from its metadata service, and with them \
                  whatever the role may do in the account.",
    remediation: "Keep instances that need AWS permissions in private subnets behind a load \
                  balancer; otherwise limit the role to the least it needs, require IMDSv2 \
                  with a hop limit of 1 (`aws ec2 modify-instance-metadata-options \
                  --instance-id <id> --http-tokens required --http-put-response-hop-limit 1`), \
                  or detach the profile (`aws ec2 disassociate-iam-instance-profile \
                  --association-id <id>`).",
    compliance: &[],
    resource_type: "AWS::EC2::Instance",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: public_with_profile,
};

fn public_with_profile(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for instance in ec2.instances.iter().filter(|i| is_live(i)) {
            let Some(profile) = &instance.iam_instance_profile else {
                continue;
            };
            let ips = public_ips(ec2, instance);
            if ips.is_empty() {
                continue;
            }
            sink.fail(
                &region.region,
                &instance.instance_id,
                Some(arn::ec2(
                    inv,
                    &region.region,
                    "instance",
                    &instance.instance_id,
                )),
                json!({
                    "state": instance.state,
                    "publicIps": ips,
                    "iamInstanceProfile": profile,
                    "httpTokens": instance.http_tokens,
                }),
            );
        }
    }
}

/// Elastic IPs could be read (the rest of EC2 may be readable without them).
pub const ADDRESSES: crate::Source = crate::Source::Regional("ec2", |r| {
    r.ec2.as_ref().is_some_and(|e| e.addresses.is_some())
});

pub static EIP_UNUSED: Rule = Rule {
    id: "ec2-eip-unused",
    title: "Elastic IP address is not associated",
    severity: Severity::Low,
    description: "The Elastic IP is allocated but attached to nothing. It costs money, and a \
                  forgotten address still named in DNS records or partner allow lists can be \
                  associated later with whatever instance, trusted by them by mistake.",
    remediation: "Release it if nothing needs it (`aws ec2 release-address --allocation-id \
                  <eipalloc-id>`), after removing the DNS records and allow-list entries naming \
                  it.",
    compliance: &["AWS FSBP EC2.12"],
    resource_type: "AWS::EC2::EIP",
    scope: Scope::Regional,
    sources: &[super::SOURCE, ADDRESSES],
    check: eip_unused,
};

fn eip_unused(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(addresses) = region.ec2.as_ref().and_then(|e| e.addresses.as_ref()) else {
            continue;
        };
        for a in addresses.iter().filter(|a| {
            a.association_id.is_none()
                && a.instance_id.is_none()
                && a.network_interface_id.is_none()
        }) {
            let id = a.allocation_id.as_deref().unwrap_or(&a.public_ip);
            sink.fail(
                &region.region,
                id,
                Some(arn::ec2(inv, &region.region, "elastic-ip", id)),
                json!({ "publicIp": a.public_ip, "associationId": null }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, run, unknown, with_ec2},
        model::{ElasticIp, Image, NetworkInterface, PermissionRule, SecurityGroup},
    };

    fn instance(id: &str, state: &str, public_ip: Option<&str>, tokens: Option<&str>) -> Instance {
        Instance {
            instance_id: id.into(),
            state: state.into(),
            public_ip: public_ip.map(Into::into),
            http_tokens: tokens.map(Into::into),
            http_endpoint: Some("enabled".into()),
            ..Default::default()
        }
    }

    fn with_instances(instances: Vec<Instance>) -> Inventory {
        with_ec2(Ec2Inventory {
            instances,
            ..Default::default()
        })
    }

    #[test]
    fn a_public_instance_accepting_imdsv1_fails_whether_running_or_stopped() {
        let inv = with_instances(vec![
            instance(
                "i-running",
                "running",
                Some("203.0.113.5"),
                Some("optional"),
            ),
            instance(
                "i-stopped",
                "stopped",
                Some("203.0.113.6"),
                Some("optional"),
            ),
        ]);
        let out = run(&INSTANCE_IMDSV1_PUBLIC, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["i-running", "i-stopped"]);
        assert_eq!(out.findings[0].evidence["publicIps"][0], "203.0.113.5");
    }

    #[test]
    fn imdsv2_only_private_terminated_or_metadata_off_instances_pass() {
        let mut endpoint_off = instance(
            "i-endpoint-off",
            "running",
            Some("203.0.113.7"),
            Some("optional"),
        );
        endpoint_off.http_endpoint = Some("disabled".into());
        let inv = with_instances(vec![
            instance("i-v2", "running", Some("203.0.113.5"), Some("required")),
            instance("i-private", "running", None, Some("optional")),
            instance(
                "i-terminated",
                "terminated",
                Some("203.0.113.6"),
                Some("optional"),
            ),
            endpoint_off,
        ]);
        assert!(failing(&INSTANCE_IMDSV1_PUBLIC, &inv).is_empty());
    }

    #[test]
    fn an_elastic_ip_on_a_secondary_interface_makes_the_instance_public() {
        let mut inv = with_instances(vec![instance("i-eip", "running", None, Some("optional"))]);
        inv.regions[0].ec2.as_mut().unwrap().network_interfaces = vec![NetworkInterface {
            network_interface_id: "eni-2".into(),
            public_ip: Some("198.51.100.9".into()),
            instance_id: Some("i-eip".into()),
            ..Default::default()
        }];
        assert_eq!(failing(&INSTANCE_IMDSV1_PUBLIC, &inv), ["i-eip"]);
    }

    #[test]
    fn unreadable_metadata_options_are_reported_unknown_not_failing() {
        let inv = with_instances(vec![instance(
            "i-unread",
            "running",
            Some("203.0.113.5"),
            None,
        )]);
        let out = run(&INSTANCE_IMDSV1_PUBLIC, &inv);
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["i-unread"]);
    }

    #[test]
    fn a_public_ami_fails_and_a_private_one_passes() {
        let inv = with_ec2(Ec2Inventory {
            images: vec![
                Image {
                    image_id: "ami-public".into(),
                    name: Some("golden".into()),
                    public: true,
                },
                Image {
                    image_id: "ami-private".into(),
                    name: None,
                    public: false,
                },
            ],
            ..Default::default()
        });
        let out = run(&AMI_PUBLIC, &inv);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].resource_id, "ami-public");
        assert_eq!(
            out.findings[0].resource_arn.as_deref(),
            Some("arn:aws:ec2:eu-west-1::image/ami-public")
        );
    }

    #[test]
    fn an_instance_accepting_imdsv1_fails_wherever_it_is_and_imdsv2_only_passes() {
        let mut endpoint_off = instance("i-off", "running", None, Some("optional"));
        endpoint_off.http_endpoint = Some("disabled".into());
        let inv = with_instances(vec![
            instance("i-v1-private", "running", None, Some("optional")),
            instance("i-v1-stopped", "stopped", None, Some("optional")),
            instance("i-v2", "running", Some("203.0.113.5"), Some("required")),
            instance("i-gone", "terminated", None, Some("optional")),
            instance("i-unread", "running", None, None),
            endpoint_off,
        ]);
        let out = run(&INSTANCE_IMDSV2_NOT_REQUIRED, &inv);
        assert_eq!(
            failing(&INSTANCE_IMDSV2_NOT_REQUIRED, &inv),
            ["i-v1-private", "i-v1-stopped"]
        );
        assert_eq!(unknown(&out), ["i-unread"]);
        assert_eq!(out.complete.len(), 1);
    }

    #[test]
    fn a_running_instance_without_a_profile_fails_and_one_with_a_role_passes() {
        let mut with_role = instance("i-role", "running", None, Some("required"));
        with_role.iam_instance_profile =
            Some("arn:aws:iam::123456789012:instance-profile/web".into());
        let inv = with_instances(vec![
            with_role,
            instance("i-bare", "running", None, Some("required")),
            instance("i-stopped", "stopped", None, Some("required")),
        ]);
        assert_eq!(failing(&INSTANCE_NO_IAM_ROLE, &inv), ["i-bare"]);
    }

    fn world(protocol: &str, from: Option<i32>, to: Option<i32>) -> PermissionRule {
        PermissionRule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            ipv4_ranges: vec!["0.0.0.0/0".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_public_instance_with_a_world_open_non_web_port_fails_and_web_only_or_private_pass() {
        let sg = |id: &str, ingress: Vec<PermissionRule>| SecurityGroup {
            group_id: id.into(),
            ingress,
            ..Default::default()
        };
        let with_groups = |id: &str, ip: Option<&str>, groups: &[&str]| {
            let mut i = instance(id, "running", ip, Some("required"));
            i.security_groups = groups.iter().map(|g| g.to_string()).collect();
            i
        };
        let mut inv = with_instances(vec![
            with_groups("i-ssh", Some("203.0.113.5"), &["sg-web", "sg-ssh"]),
            with_groups("i-web", Some("203.0.113.6"), &["sg-web"]),
            with_groups("i-private", None, &["sg-ssh"]),
        ]);
        let mut internal = world("tcp", Some(22), Some(22));
        internal.ipv4_ranges = vec!["10.0.0.0/8".into()];
        inv.regions[0].ec2.as_mut().unwrap().security_groups = vec![
            sg(
                "sg-web",
                vec![
                    world("tcp", Some(443), Some(443)),
                    world("tcp", Some(80), Some(80)),
                    world("icmp", Some(-1), Some(-1)),
                    internal,
                ],
            ),
            sg("sg-ssh", vec![world("tcp", Some(22), Some(22))]),
        ];
        let out = run(&INSTANCE_PUBLIC_PORTS_OPEN, &inv);
        assert_eq!(failing(&INSTANCE_PUBLIC_PORTS_OPEN, &inv), ["i-ssh"]);
        assert_eq!(
            out.findings[0].evidence["openRules"][0]["groupId"],
            "sg-ssh"
        );
        assert!(admits_more_than_web(&world("-1", None, None)));
        assert!(admits_more_than_web(&world("tcp", Some(80), Some(443))));
    }

    #[test]
    fn an_unassociated_elastic_ip_fails_an_associated_one_passes_and_unread_ones_are_not_assessed()
    {
        let eip = |id: &str, association: Option<&str>| ElasticIp {
            allocation_id: Some(id.into()),
            public_ip: "198.51.100.1".into(),
            association_id: association.map(Into::into),
            ..Default::default()
        };
        let mut inv = with_instances(vec![]);
        inv.regions[0].ec2.as_mut().unwrap().addresses = Some(vec![
            eip("eipalloc-idle", None),
            eip("eipalloc-used", Some("eipassoc-1")),
        ]);
        assert_eq!(failing(&EIP_UNUSED, &inv), ["eipalloc-idle"]);
        assert_eq!(run(&EIP_UNUSED, &inv).complete.len(), 1);
        inv.regions[0].ec2.as_mut().unwrap().addresses = None;
        let out = run(&EIP_UNUSED, &inv);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }

    #[test]
    fn live_instances_with_a_public_ip_fail_and_private_or_terminated_ones_pass() {
        let mut eip_only = instance("i-eip", "stopped", None, Some("required"));
        eip_only.iam_instance_profile =
            Some("arn:aws:iam::123456789012:instance-profile/app".into());
        let mut public_role = instance("i-role", "running", Some("203.0.113.8"), Some("required"));
        public_role.iam_instance_profile = eip_only.iam_instance_profile.clone();
        let mut private_role = instance("i-private-role", "running", None, Some("required"));
        private_role.iam_instance_profile = eip_only.iam_instance_profile.clone();
        let mut inv = with_instances(vec![
            instance("i-public", "running", Some("203.0.113.5"), Some("required")),
            instance(
                "i-gone",
                "terminated",
                Some("203.0.113.6"),
                Some("required"),
            ),
            eip_only,
            public_role,
            private_role,
        ]);
        inv.regions[0].ec2.as_mut().unwrap().network_interfaces = vec![NetworkInterface {
            network_interface_id: "eni-eip".into(),
            public_ip: Some("198.51.100.4".into()),
            instance_id: Some("i-eip".into()),
            ..Default::default()
        }];
        assert_eq!(
            failing(&INSTANCE_PUBLIC_IP, &inv),
            ["i-public", "i-eip", "i-role"]
        );
        let out = run(&INSTANCE_PUBLIC_WITH_PROFILE, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["i-eip", "i-role"]);
        assert_eq!(out.findings[0].evidence["publicIps"][0], "198.51.100.4");
        assert!(
            out.findings[1].evidence["iamInstanceProfile"]
                .as_str()
                .unwrap()
                .ends_with("/app")
        );
        // Unread, nothing is judged.
        inv.regions[0].ec2 = None;
        for rule in [&INSTANCE_PUBLIC_IP, &INSTANCE_PUBLIC_WITH_PROFILE] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty() && out.complete.is_empty());
        }
    }
}
