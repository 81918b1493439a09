//! ARNs of the resources findings point at, for those AWS does not hand us one.
//!
//! The inventory does not carry the partition, so it follows from the region names
//! (`cn-...` is `aws-cn`, `us-gov-...` is `aws-us-gov`).

use crate::model::Inventory;

/// The partition of a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The partition of the account, from its scanned regions.
pub fn account_partition(inv: &Inventory) -> &'static str {
    inv.regions.first().map_or("aws", |r| partition(&r.region))
}

/// An EC2 resource owned by the account, e.g. `security-group/sg-...`.
pub fn ec2(inv: &Inventory, region: &str, kind: &str, id: &str) -> String {
    let (partition, account) = (partition(region), &inv.account_id);
    format!("arn:{partition}:ec2:{region}:{account}:{kind}/{id}")
}

/// An EC2 resource whose ARN has no account (`image`, `snapshot`).
pub fn ec2_unowned(region: &str, kind: &str, id: &str) -> String {
    format!("arn:{}:ec2:{region}::{kind}/{id}", partition(region))
}

/// An S3 bucket.
pub fn bucket(inv: &Inventory, name: &str) -> String {
    format!("arn:{}:s3:::{name}", account_partition(inv))
}

/// The account's root user.
pub fn root(inv: &Inventory) -> String {
    format!(
        "arn:{}:iam::{}:root",
        account_partition(inv),
        inv.account_id
    )
}

/// The account that owns an ARN (its fifth field), if it names one.
pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_follow_the_partition_of_the_region() {
        let inv = Inventory {
            account_id: "123456789012".into(),
            ..Default::default()
        };
        assert_eq!(
            ec2(&inv, "cn-north-1", "volume", "vol-1"),
            "arn:aws-cn:ec2:cn-north-1:123456789012:volume/vol-1"
        );
        assert_eq!(
            ec2_unowned("us-gov-west-1", "image", "ami-1"),
            "arn:aws-us-gov:ec2:us-gov-west-1::image/ami-1"
        );
        assert_eq!(root(&inv), "arn:aws:iam::123456789012:root");
        assert_eq!(
            account_of("arn:aws:cloudtrail:eu-west-1:210987654321:trail/org"),
            Some("210987654321")
        );
    }
}
