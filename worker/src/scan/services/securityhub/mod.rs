//! Security Hub: whether the account is subscribed in a region (`DescribeHub`).

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, error_code};

/// Security Hub in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "securityhub",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: one cheap call, needed in every region.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let hub = read(r).await;
    fill(move |region: &mut RegionInventory| region.security_hub = hub)
}

async fn read(r: Reader<'_>) -> Option<m::SecurityHub> {
    let c = aws_sdk_securityhub::Client::new(r.config);
    match c.describe_hub().send().await {
        Ok(hub) => Some(m::SecurityHub {
            enabled: true,
            hub_arn: hub.hub_arn().map(str::to_owned),
        }),
        // What AWS answers an account not subscribed in the region; an access denial is
        // a problem (not assessed), never "off".
        Err(e)
            if matches!(
                error_code(&e),
                Some("InvalidAccessException" | "ResourceNotFoundException")
            ) =>
        {
            Some(m::SecurityHub {
                enabled: false,
                hub_arn: None,
            })
        }
        Err(e) => {
            r.record("DescribeHub", &e);
            None
        }
    }
}
