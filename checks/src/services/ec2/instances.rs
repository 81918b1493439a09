//! EC2 instance and image rules.

use serde_json::json;

use crate::arn;
use crate::{Rule, Scope, Severity, Sink, model::Inventory};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, run, unknown, with_ec2},
        model::{Ec2Inventory, Image, Instance, NetworkInterface},
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
}
