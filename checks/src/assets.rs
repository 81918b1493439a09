//! The inventory as assets: one record per resource, with its configuration as JSON and
//! the IP addresses it holds, for the asset history and IP attribution. Each service
//! lists its own resources (its `assets` function, registered in [`crate::services::ALL`]).

pub use crate::services::{AssetRecord, Assets, ListAssets};
use crate::{model::Inventory, services};

/// The assets of an inventory, and the (region, resource type) pairs that were read
/// completely (so that assets missing from them can be marked deleted).
pub fn assets(inv: &Inventory) -> (Vec<AssetRecord>, Vec<(String, &'static str)>) {
    let mut out = Assets::default();
    for r in &inv.regions {
        for s in services::ALL {
            if let ListAssets::Regional(list) = s.assets {
                list(r, &mut out);
            }
        }
    }
    for s in services::ALL {
        if let ListAssets::Account(list) = s.assets {
            list(inv, &mut out);
        }
    }
    out.into_parts()
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
