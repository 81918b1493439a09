//! The inventory as assets: one record per resource, with its configuration as JSON and
//! the IP addresses it holds, for the asset history and IP attribution.

use serde::Serialize;

use crate::{GLOBAL, model::Inventory};

/// One resource as stored in the asset inventory.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRecord {
    pub region: String,
    pub resource_type: &'static str,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub configuration: serde_json::Value,
    pub tags: serde_json::Value,
    /// (address, public) pairs the resource holds now.
    pub ips: Vec<(String, bool)>,
}

/// The assets of an inventory, and the (region, resource type) pairs that were read
/// completely (so that assets missing from them can be marked deleted).
pub fn assets(inv: &Inventory) -> (Vec<AssetRecord>, Vec<(String, &'static str)>) {
    let mut out = Vec::new();
    let mut complete = Vec::new();
    for r in &inv.regions {
        let region = r.region.as_str();
        let mut push = |ty: &'static str,
                        id: &str,
                        arn: Option<String>,
                        cfg: serde_json::Value,
                        tags: serde_json::Value,
                        ips: Vec<(String, bool)>| {
            out.push(AssetRecord {
                region: region.to_owned(),
                resource_type: ty,
                resource_id: id.to_owned(),
                resource_arn: arn,
                configuration: cfg,
                tags,
                ips,
            });
        };
        if let Some(ec2) = &r.ec2 {
            for i in &ec2.instances {
                // A terminated instance holds no address any more, whatever it reports.
                let holds = !matches!(i.state.as_str(), "terminated" | "shutting-down");
                let mut ips: Vec<(String, bool)> =
                    i.private_ips.iter().map(|p| (p.clone(), false)).collect();
                ips.extend(i.public_ip.iter().map(|p| (p.clone(), true)));
                ips.retain(|_| holds);
                push(
                    "AWS::EC2::Instance",
                    &i.instance_id,
                    None,
                    json(i),
                    json(&i.tags),
                    ips,
                );
            }
            for g in &ec2.security_groups {
                push(
                    "AWS::EC2::SecurityGroup",
                    &g.group_id,
                    None,
                    json(g),
                    json(&g.tags),
                    vec![],
                );
            }
            for n in &ec2.network_interfaces {
                let mut ips: Vec<(String, bool)> =
                    n.private_ips.iter().map(|p| (p.clone(), false)).collect();
                ips.extend(n.ipv6_addresses.iter().map(|p| (p.clone(), true)));
                ips.extend(n.public_ip.iter().map(|p| (p.clone(), true)));
                push(
                    "AWS::EC2::NetworkInterface",
                    &n.network_interface_id,
                    None,
                    json(n),
                    serde_json::json!({}),
                    ips,
                );
            }
            for v in &ec2.vpcs {
                push(
                    "AWS::EC2::VPC",
                    &v.vpc_id,
                    None,
                    json(v),
                    json(&v.tags),
                    vec![],
                );
            }
            for s in &ec2.subnets {
                push(
                    "AWS::EC2::Subnet",
                    &s.subnet_id,
                    None,
                    json(s),
                    serde_json::json!({}),
                    vec![],
                );
            }
            for a in &ec2.network_acls {
                push(
                    "AWS::EC2::NetworkAcl",
                    &a.network_acl_id,
                    None,
                    json(a),
                    serde_json::json!({}),
                    vec![],
                );
            }
            for v in &ec2.volumes {
                push(
                    "AWS::EC2::Volume",
                    &v.volume_id,
                    None,
                    json(v),
                    json(&v.tags),
                    vec![],
                );
            }
            for s in &ec2.snapshots {
                push(
                    "AWS::EC2::Snapshot",
                    &s.snapshot_id,
                    None,
                    json(s),
                    serde_json::json!({}),
                    vec![],
                );
            }
            for i in &ec2.images {
                push(
                    "AWS::EC2::Image",
                    &i.image_id,
                    None,
                    json(i),
                    serde_json::json!({}),
                    vec![],
                );
            }
            for ty in EC2_TYPES {
                complete.push((region.to_owned(), *ty));
            }
        }
        if let Some(rds) = &r.rds {
            for d in &rds.instances {
                push(
                    "AWS::RDS::DBInstance",
                    &d.db_instance_identifier,
                    d.arn.clone(),
                    json(d),
                    serde_json::json!({}),
                    vec![],
                );
            }
            for s in &rds.snapshots {
                push(
                    "AWS::RDS::DBSnapshot",
                    &s.db_snapshot_identifier,
                    s.arn.clone(),
                    json(s),
                    serde_json::json!({}),
                    vec![],
                );
            }
            complete.push((region.to_owned(), "AWS::RDS::DBInstance"));
            complete.push((region.to_owned(), "AWS::RDS::DBSnapshot"));
        }
        if let Some(trails) = &r.trails {
            for t in trails.iter().filter(|t| t.home_region == region) {
                push(
                    "AWS::CloudTrail::Trail",
                    &t.name,
                    t.arn.clone(),
                    json(t),
                    serde_json::json!({}),
                    vec![],
                );
            }
            complete.push((region.to_owned(), "AWS::CloudTrail::Trail"));
        }
    }
    if let Some(iam) = &inv.iam {
        for u in &iam.users {
            out.push(global(
                "AWS::IAM::User",
                &u.user_name,
                Some(u.arn.clone()),
                json(u),
            ));
        }
        for p in &iam.policies {
            out.push(global(
                "AWS::IAM::ManagedPolicy",
                &p.name,
                Some(p.arn.clone()),
                json(p),
            ));
        }
        complete.push((GLOBAL.to_owned(), "AWS::IAM::User"));
        complete.push((GLOBAL.to_owned(), "AWS::IAM::ManagedPolicy"));
    }
    if let Some(s3) = &inv.s3 {
        for b in &s3.buckets {
            out.push(global(
                "AWS::S3::Bucket",
                &b.name,
                Some(format!("arn:aws:s3:::{}", b.name)),
                json(b),
            ));
        }
        complete.push((GLOBAL.to_owned(), "AWS::S3::Bucket"));
    }
    (out, complete)
}

const EC2_TYPES: &[&str] = &[
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::Volume",
    "AWS::EC2::Snapshot",
    "AWS::EC2::Image",
];

fn global(ty: &'static str, id: &str, arn: Option<String>, cfg: serde_json::Value) -> AssetRecord {
    AssetRecord {
        region: GLOBAL.to_owned(),
        resource_type: ty,
        resource_id: id.to_owned(),
        resource_arn: arn,
        configuration: cfg,
        tags: serde_json::json!({}),
        ips: vec![],
    }
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ec2Inventory, Instance, RegionInventory};

    #[test]
    fn instances_carry_their_addresses_and_read_regions_are_complete() {
        let inv = Inventory {
            regions: vec![
                RegionInventory {
                    region: "eu-west-1".into(),
                    ec2: Some(Ec2Inventory {
                        instances: vec![Instance {
                            instance_id: "i-1".into(),
                            public_ip: Some("203.0.113.7".into()),
                            private_ips: vec!["10.0.0.5".into()],
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                RegionInventory {
                    region: "us-east-1".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let (assets, complete) = assets(&inv);
        assert_eq!(assets.len(), 1);
        assert_eq!(
            assets[0].ips,
            vec![
                ("10.0.0.5".to_owned(), false),
                ("203.0.113.7".to_owned(), true)
            ]
        );
        assert!(complete.contains(&("eu-west-1".to_owned(), "AWS::EC2::Instance")));
        assert!(
            !complete.iter().any(|(r, _)| r == "us-east-1"),
            "unread region must not count as complete"
        );
    }
}
