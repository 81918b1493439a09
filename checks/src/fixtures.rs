//! Small builders shared by the rules' tests.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::{
    Evaluation, Rule, evaluate_rules,
    model::{
        Ec2Inventory, IamInventory, Inventory, RdsInventory, RegionInventory, S3Inventory, Trail,
    },
};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-west-1";

/// When the fixtures' inventory was collected.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

pub fn days_ago(days: i64) -> DateTime<Utc> {
    now() - Duration::days(days)
}

/// An account with nothing read.
pub fn inventory() -> Inventory {
    Inventory {
        account_id: ACCOUNT.into(),
        collected_at: now(),
        ..Default::default()
    }
}

/// One region, [`REGION`], with only EC2 read.
pub fn with_ec2(ec2: Ec2Inventory) -> Inventory {
    Inventory {
        regions: vec![RegionInventory {
            region: REGION.into(),
            ec2: Some(ec2),
            ..Default::default()
        }],
        ..inventory()
    }
}

/// One region, [`REGION`], with only RDS read.
pub fn with_rds(rds: RdsInventory) -> Inventory {
    Inventory {
        regions: vec![RegionInventory {
            region: REGION.into(),
            rds: Some(rds),
            ..Default::default()
        }],
        ..inventory()
    }
}

/// Regions with only what `set` puts in each read (the rest empty).
pub fn with_regions<T>(
    regions: Vec<(&str, T)>,
    set: impl Fn(&mut RegionInventory, T),
) -> Inventory {
    Inventory {
        regions: regions
            .into_iter()
            .map(|(region, read)| {
                let mut r = RegionInventory {
                    region: region.into(),
                    ..Default::default()
                };
                set(&mut r, read);
                r
            })
            .collect(),
        ..inventory()
    }
}

/// Regions with only their trails read (`None`: unreadable).
pub fn with_trails(regions: Vec<(&str, Option<Vec<Trail>>)>) -> Inventory {
    with_regions(regions, |r, trails| r.trails = trails)
}

pub fn with_iam(iam: IamInventory) -> Inventory {
    Inventory {
        iam: Some(iam),
        ..inventory()
    }
}

pub fn with_s3(s3: S3Inventory) -> Inventory {
    Inventory {
        s3: Some(s3),
        ..inventory()
    }
}

pub fn run(rule: &'static Rule, inv: &Inventory) -> Evaluation {
    evaluate_rules(inv, &[rule])
}

/// The resources a rule reported as failing.
pub fn failing(rule: &'static Rule, inv: &Inventory) -> Vec<String> {
    run(rule, inv)
        .findings
        .into_iter()
        .map(|f| f.resource_id)
        .collect()
}

/// The regions an account-wide, per-region rule reported as failing.
pub fn failing_regions(rule: &'static Rule, inv: &Inventory) -> Vec<String> {
    run(rule, inv)
        .findings
        .into_iter()
        .map(|f| {
            assert_eq!(f.resource_id, ACCOUNT);
            f.region
        })
        .collect()
}

/// The resources a rule could not judge.
pub fn unknown(out: &Evaluation) -> Vec<&str> {
    out.unknown.iter().map(|(_, _, id)| id.as_str()).collect()
}
