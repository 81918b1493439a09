//! KMS: a region's keys, with the rotation status and key policy of the customer-managed
//! ones (AWS-managed keys are AWS's to rotate and govern: reading theirs would cost calls
//! for nothing to judge).

use aws_sdk_kms::types::{KeyManagerType, KeyMetadata};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, utc};

/// KMS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "kms",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: a key scheduled for deletion is deleted by KMS itself when its
    // waiting period ends, with no write call of the customer's to mark the region changed.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let keys = read(r).await;
    fill(move |region: &mut RegionInventory| region.kms_keys = keys)
}

async fn key(c: &aws_sdk_kms::Client, r: Reader<'_>, meta: &KeyMetadata) -> m::KmsKey {
    let key_id = meta.key_id().to_owned();
    let customer_managed = meta.key_manager() == Some(&KeyManagerType::Customer);
    let key_spec = meta
        .key_spec()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let mut out = m::KmsKey {
        arn: meta.arn().map(str::to_owned),
        customer_managed,
        state: meta
            .key_state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        deletion_date: meta.deletion_date().and_then(utc),
        ..Default::default()
    };
    if customer_managed {
        // Rotation applies to symmetric keys only: asking about others is an error.
        if key_spec == "SYMMETRIC_DEFAULT" {
            out.rotation_enabled = r
                .ok(
                    "GetKeyRotationStatus",
                    c.get_key_rotation_status().key_id(&key_id).send().await,
                )
                .map(|s| s.key_rotation_enabled());
        }
        out.policy = r
            .ok(
                "GetKeyPolicy",
                c.get_key_policy()
                    .key_id(&key_id)
                    .policy_name("default")
                    .send()
                    .await,
            )
            // An unparsable policy is not assessed rather than read as harmless.
            .and_then(|p| p.policy().and_then(|p| serde_json::from_str(p).ok()));
    }
    m::KmsKey {
        key_id,
        key_spec,
        ..out
    }
}

async fn read(r: Reader<'_>) -> Option<Vec<m::KmsKey>> {
    let c = aws_sdk_kms::Client::new(r.config);
    let listed = r.ok(
        "ListKeys",
        c.list_keys()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::new();
    for entry in listed {
        let Some(id) = entry.key_id() else { continue };
        // Without a key's metadata we cannot tell whose it is: the region is not assessed
        // rather than judged on part of its keys.
        let described = r.ok("DescribeKey", c.describe_key().key_id(id).send().await)?;
        let Some(meta) = described.key_metadata() else {
            continue;
        };
        out.push(key(&c, r, meta).await);
    }
    Some(out)
}
