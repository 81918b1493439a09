//! Collects an account's inventory through the customer's role: every enabled region
//! concurrently (bounded), every call paginated, throttling retried by the SDK's
//! standard retry mode (jittered exponential backoff). A call that fails leaves its part
//! of the inventory `None` and adds a [`Problem`]; it never fails the whole scan.

use std::{collections::BTreeMap, sync::Arc};

use aws_config::SdkConfig;
use aws_sdk_ec2::types::SnapshotAttributeName;
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use serde::Serialize;
use vigil_checks::model::{self as m, Inventory, RegionInventory};

/// Regions scanned at once per account.
pub const REGION_CONCURRENCY: usize = 4;
/// Per-resource attribute reads (snapshot permissions...) at once per region.
const ATTRIBUTE_CONCURRENCY: usize = 8;

/// Something the scan could not read.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub region: String,
    pub service: String,
    pub operation: String,
    pub message: String,
}

/// Turns an SDK error into a problem line: the AWS error code and message, no request
/// details (which could carry signatures).
pub(crate) fn problem<
    E: std::error::Error + aws_sdk_ec2::error::ProvideErrorMetadata + Send + Sync + 'static,
>(
    region: &str,
    service: &str,
    operation: &str,
    err: &aws_sdk_ec2::error::SdkError<E>,
) -> Problem {
    let message = match err.as_service_error() {
        Some(e) => format!(
            "{}: {}",
            e.code().unwrap_or("Error"),
            e.message().unwrap_or("")
        ),
        None => DisplayErrorContext(err).to_string(),
    };
    Problem {
        region: region.to_owned(),
        service: service.to_owned(),
        operation: operation.to_owned(),
        message,
    }
}

/// Collects problems from concurrent tasks.
#[derive(Debug, Clone, Default)]
pub struct Problems(Arc<std::sync::Mutex<Vec<Problem>>>);

impl Problems {
    pub(crate) fn push(&self, p: Problem) {
        tracing::warn!(region = %p.region, service = %p.service, operation = %p.operation, message = %p.message, "could not read");
        self.0.lock().expect("problems lock").push(p);
    }
    /// Everything recorded so far.
    pub fn take(&self) -> Vec<Problem> {
        std::mem::take(&mut *self.0.lock().expect("problems lock"))
    }
}

macro_rules! try_read {
    ($problems:expr, $region:expr, $service:literal, $op:literal, $call:expr) => {
        match $call {
            Ok(v) => Some(v),
            Err(e) => {
                $problems.push(problem($region, $service, $op, &e));
                None
            }
        }
    };
}

fn to_utc(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> m::Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn permission(p: &aws_sdk_ec2::types::IpPermission) -> m::PermissionRule {
    m::PermissionRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_owned))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_owned))
            .collect(),
        source_groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
    }
}

/// The regions enabled for the account (opt-in regions only when opted in).
pub async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, String> {
    let out = aws_sdk_ec2::Client::new(config)
        .describe_regions()
        .send()
        .await
        .map_err(|e| format!("DescribeRegions failed: {}", DisplayErrorContext(&e)))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| {
            matches!(
                r.opt_in_status(),
                None | Some("opt-in-not-required" | "opted-in")
            )
        })
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    Ok(regions)
}

/// Collects one region.
pub async fn region(config: SdkConfig, region: String, problems: Problems) -> RegionInventory {
    let (ec2, rds, trails) = tokio::join!(
        ec2(&config, &region, &problems),
        rds(&config, &region, &problems),
        trails(&config, &region, &problems),
    );
    RegionInventory {
        region,
        ec2,
        rds,
        trails,
    }
}

async fn ec2(config: &SdkConfig, region: &str, problems: &Problems) -> Option<m::Ec2Inventory> {
    let c = aws_sdk_ec2::Client::new(config);
    let sgs = try_read!(
        problems,
        region,
        "ec2",
        "DescribeSecurityGroups",
        c.describe_security_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let reservations = try_read!(
        problems,
        region,
        "ec2",
        "DescribeInstances",
        c.describe_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let enis = try_read!(
        problems,
        region,
        "ec2",
        "DescribeNetworkInterfaces",
        c.describe_network_interfaces()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let vpcs = try_read!(
        problems,
        region,
        "ec2",
        "DescribeVpcs",
        c.describe_vpcs()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let subnets = try_read!(
        problems,
        region,
        "ec2",
        "DescribeSubnets",
        c.describe_subnets()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let acls = try_read!(
        problems,
        region,
        "ec2",
        "DescribeNetworkAcls",
        c.describe_network_acls()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let volumes = try_read!(
        problems,
        region,
        "ec2",
        "DescribeVolumes",
        c.describe_volumes()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let snapshots = try_read!(
        problems,
        region,
        "ec2",
        "DescribeSnapshots",
        c.describe_snapshots()
            .owner_ids("self")
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let images = try_read!(
        problems,
        region,
        "ec2",
        "DescribeImages",
        c.describe_images().owners("self").send().await
    )?;
    let flow_logs = try_read!(
        problems,
        region,
        "ec2",
        "DescribeFlowLogs",
        c.describe_flow_logs()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let ebs_default = try_read!(
        problems,
        region,
        "ec2",
        "GetEbsEncryptionByDefault",
        c.get_ebs_encryption_by_default().send().await
    )
    .and_then(|o| o.ebs_encryption_by_default());

    let mut flow_by_vpc: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &flow_logs {
        if let (Some(res), Some(id)) = (f.resource_id(), f.flow_log_id()) {
            flow_by_vpc
                .entry(res.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }
    let snapshot_ids: Vec<String> = snapshots
        .iter()
        .filter_map(|s| s.snapshot_id().map(str::to_owned))
        .collect();
    let snapshot_public: Vec<(String, Option<bool>, Vec<String>)> = stream::iter(snapshot_ids)
        .map(|id| {
            let c = c.clone();
            async move {
                let out = c
                    .describe_snapshot_attribute()
                    .snapshot_id(&id)
                    .attribute(SnapshotAttributeName::CreateVolumePermission)
                    .send()
                    .await;
                match out {
                    Ok(o) => {
                        let perms = o.create_volume_permissions();
                        let public = perms
                            .iter()
                            .any(|p| p.group().is_some_and(|g| g.as_str() == "all"));
                        let shared = perms
                            .iter()
                            .filter_map(|p| p.user_id().map(str::to_owned))
                            .collect();
                        (id, Some(public), shared)
                    }
                    Err(e) => {
                        problems.push(problem(region, "ec2", "DescribeSnapshotAttribute", &e));
                        (id, None, vec![])
                    }
                }
            }
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await;
    let snapshot_attr: BTreeMap<_, _> = snapshot_public
        .into_iter()
        .map(|(id, p, s)| (id, (p, s)))
        .collect();

    Some(m::Ec2Inventory {
        security_groups: sgs
            .iter()
            .map(|g| m::SecurityGroup {
                group_id: g.group_id().unwrap_or_default().to_owned(),
                group_name: g.group_name().unwrap_or_default().to_owned(),
                vpc_id: g.vpc_id().map(str::to_owned),
                description: g.description().unwrap_or_default().to_owned(),
                ingress: g.ip_permissions().iter().map(permission).collect(),
                egress: g.ip_permissions_egress().iter().map(permission).collect(),
                tags: ec2_tags(g.tags()),
            })
            .collect(),
        instances: reservations
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| m::Instance {
                instance_id: i.instance_id().unwrap_or_default().to_owned(),
                state: i
                    .state()
                    .and_then(|s| s.name())
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                public_ip: i.public_ip_address().map(str::to_owned),
                private_ips: i
                    .network_interfaces()
                    .iter()
                    .flat_map(|n| n.private_ip_addresses())
                    .filter_map(|p| p.private_ip_address().map(str::to_owned))
                    .chain(i.private_ip_address().map(str::to_owned))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                http_tokens: i
                    .metadata_options()
                    .and_then(|o| o.http_tokens())
                    .map(|t| t.as_str().to_owned()),
                http_endpoint: i
                    .metadata_options()
                    .and_then(|o| o.http_endpoint())
                    .map(|t| t.as_str().to_owned()),
                security_groups: i
                    .security_groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_owned))
                    .collect(),
                subnet_id: i.subnet_id().map(str::to_owned),
                vpc_id: i.vpc_id().map(str::to_owned),
                image_id: i.image_id().map(str::to_owned),
                launch_time: i.launch_time().and_then(to_utc),
                tags: ec2_tags(i.tags()),
            })
            .collect(),
        network_interfaces: enis
            .iter()
            .map(|n| m::NetworkInterface {
                network_interface_id: n.network_interface_id().unwrap_or_default().to_owned(),
                public_ip: n
                    .association()
                    .and_then(|a| a.public_ip())
                    .map(str::to_owned),
                private_ips: n
                    .private_ip_addresses()
                    .iter()
                    .filter_map(|p| p.private_ip_address().map(str::to_owned))
                    .collect(),
                ipv6_addresses: n
                    .ipv6_addresses()
                    .iter()
                    .filter_map(|a| a.ipv6_address().map(str::to_owned))
                    .collect(),
                instance_id: n
                    .attachment()
                    .and_then(|a| a.instance_id())
                    .map(str::to_owned),
                description: n.description().unwrap_or_default().to_owned(),
                vpc_id: n.vpc_id().map(str::to_owned),
            })
            .collect(),
        vpcs: vpcs
            .iter()
            .map(|v| {
                let id = v.vpc_id().unwrap_or_default().to_owned();
                m::Vpc {
                    flow_log_ids: flow_by_vpc.get(&id).cloned().unwrap_or_default(),
                    vpc_id: id,
                    cidr_block: v.cidr_block().map(str::to_owned),
                    is_default: v.is_default().unwrap_or(false),
                    tags: ec2_tags(v.tags()),
                }
            })
            .collect(),
        subnets: subnets
            .iter()
            .map(|s| m::Subnet {
                subnet_id: s.subnet_id().unwrap_or_default().to_owned(),
                vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
                cidr_block: s.cidr_block().map(str::to_owned),
                map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
            })
            .collect(),
        network_acls: acls
            .iter()
            .map(|a| m::NetworkAcl {
                network_acl_id: a.network_acl_id().unwrap_or_default().to_owned(),
                vpc_id: a.vpc_id().unwrap_or_default().to_owned(),
                is_default: a.is_default().unwrap_or(false),
                entries: a
                    .entries()
                    .iter()
                    .map(|e| m::AclEntry {
                        rule_number: e.rule_number().unwrap_or(32767),
                        egress: e.egress().unwrap_or(false),
                        protocol: e.protocol().unwrap_or("-1").to_owned(),
                        rule_action: e
                            .rule_action()
                            .map(|r| r.as_str().to_owned())
                            .unwrap_or_default(),
                        cidr_ipv4: e.cidr_block().map(str::to_owned),
                        cidr_ipv6: e.ipv6_cidr_block().map(str::to_owned),
                        from_port: e.port_range().and_then(|p| p.from()),
                        to_port: e.port_range().and_then(|p| p.to()),
                    })
                    .collect(),
            })
            .collect(),
        volumes: volumes
            .iter()
            .map(|v| m::Volume {
                volume_id: v.volume_id().unwrap_or_default().to_owned(),
                encrypted: v.encrypted().unwrap_or(false),
                size_gib: v.size().unwrap_or(0),
                state: v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                attached_instance_id: v
                    .attachments()
                    .first()
                    .and_then(|a| a.instance_id())
                    .map(str::to_owned),
                tags: ec2_tags(v.tags()),
            })
            .collect(),
        snapshots: snapshots
            .iter()
            .map(|s| {
                let id = s.snapshot_id().unwrap_or_default().to_owned();
                let (public, shared_with) =
                    snapshot_attr.get(&id).cloned().unwrap_or((None, vec![]));
                m::Snapshot {
                    snapshot_id: id,
                    volume_id: s.volume_id().map(str::to_owned),
                    encrypted: s.encrypted().unwrap_or(false),
                    public,
                    shared_with,
                }
            })
            .collect(),
        images: images
            .images()
            .iter()
            .map(|i| m::Image {
                image_id: i.image_id().unwrap_or_default().to_owned(),
                name: i.name().map(str::to_owned),
                public: i.public().unwrap_or(false),
            })
            .collect(),
        ebs_encryption_by_default: ebs_default,
    })
}

async fn rds(config: &SdkConfig, region: &str, problems: &Problems) -> Option<m::RdsInventory> {
    let c = aws_sdk_rds::Client::new(config);
    let instances = try_read!(
        problems,
        region,
        "rds",
        "DescribeDBInstances",
        c.describe_db_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let snapshots = try_read!(
        problems,
        region,
        "rds",
        "DescribeDBSnapshots",
        c.describe_db_snapshots()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    )?;
    let snapshot_ids: Vec<String> = snapshots
        .iter()
        .filter_map(|s| s.db_snapshot_identifier().map(str::to_owned))
        .collect();
    let snapshot_public: BTreeMap<String, Option<bool>> = stream::iter(snapshot_ids)
        .map(|id| {
            let c = c.clone();
            async move {
                let out = c
                    .describe_db_snapshot_attributes()
                    .db_snapshot_identifier(&id)
                    .send()
                    .await;
                let public = match out {
                    Ok(o) => Some(o.db_snapshot_attributes_result().is_some_and(|r| {
                        r.db_snapshot_attributes().iter().any(|a| {
                            a.attribute_name() == Some("restore")
                                && a.attribute_values().iter().any(|v| v == "all")
                        })
                    })),
                    Err(e) => {
                        problems.push(problem(region, "rds", "DescribeDBSnapshotAttributes", &e));
                        None
                    }
                };
                (id, public)
            }
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await;
    Some(m::RdsInventory {
        instances: instances
            .iter()
            .map(|d| m::DbInstance {
                db_instance_identifier: d.db_instance_identifier().unwrap_or_default().to_owned(),
                arn: d.db_instance_arn().map(str::to_owned),
                engine: d.engine().unwrap_or_default().to_owned(),
                publicly_accessible: d.publicly_accessible().unwrap_or(false),
                storage_encrypted: d.storage_encrypted().unwrap_or(false),
                endpoint_address: d.endpoint().and_then(|e| e.address()).map(str::to_owned),
            })
            .collect(),
        snapshots: snapshots
            .iter()
            .map(|s| {
                let id = s.db_snapshot_identifier().unwrap_or_default().to_owned();
                m::DbSnapshot {
                    public: snapshot_public.get(&id).copied().flatten(),
                    db_snapshot_identifier: id,
                    arn: s.db_snapshot_arn().map(str::to_owned),
                    encrypted: s.encrypted().unwrap_or(false),
                }
            })
            .collect(),
    })
}

async fn trails(config: &SdkConfig, region: &str, problems: &Problems) -> Option<Vec<m::Trail>> {
    let c = aws_sdk_cloudtrail::Client::new(config);
    let described = try_read!(
        problems,
        region,
        "cloudtrail",
        "DescribeTrails",
        c.describe_trails().include_shadow_trails(true).send().await
    )?;
    let mut out = Vec::new();
    for t in described.trail_list() {
        let name = t.name().unwrap_or_default().to_owned();
        let id = t.trail_arn().unwrap_or(&name).to_owned();
        let home = t.home_region().unwrap_or(region).to_owned();
        // Status and selectors are read where the trail lives (once, not per shadow copy).
        let (is_logging, logs_management_events) = if home == region {
            let status = try_read!(
                problems,
                region,
                "cloudtrail",
                "GetTrailStatus",
                c.get_trail_status().name(&id).send().await
            )
            .and_then(|s| s.is_logging());
            let selectors = try_read!(
                problems,
                region,
                "cloudtrail",
                "GetEventSelectors",
                c.get_event_selectors().trail_name(&id).send().await
            )
            .map(|s| {
                let classic = s.event_selectors().iter().any(|e| {
                    e.include_management_events().unwrap_or(true)
                        && e.read_write_type().is_none_or(|rw| rw.as_str() == "All")
                });
                let advanced = s.advanced_event_selectors().iter().any(|a| {
                    a.field_selectors().iter().any(|f| {
                        f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management")
                    })
                });
                classic
                    || advanced
                    || (s.event_selectors().is_empty() && s.advanced_event_selectors().is_empty())
            });
            (status, selectors)
        } else {
            (None, None)
        };
        out.push(m::Trail {
            name,
            arn: t.trail_arn().map(str::to_owned),
            home_region: home,
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            is_logging,
            log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            kms_key_id: t.kms_key_id().map(str::to_owned),
            s3_bucket: t.s3_bucket_name().map(str::to_owned),
            s3_key_prefix: t.s3_key_prefix().map(str::to_owned),
            logs_management_events,
        });
    }
    Some(out)
}

/// Collects the whole account: `concurrency` regions at a time, then IAM and S3.
pub async fn account(
    session_config: impl Fn(&str) -> SdkConfig,
    account_id: &str,
    regions: Vec<String>,
    concurrency: usize,
    problems: &Problems,
    on_region_done: impl Fn(usize) + Send + Sync,
) -> Inventory {
    let collected_at = Utc::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut per_region: Vec<RegionInventory> = stream::iter(regions)
        .map(|r| {
            let config = session_config(&r);
            let problems = problems.clone();
            let done = &done;
            let on_region_done = &on_region_done;
            async move {
                let inv = region(config, r, problems).await;
                on_region_done(done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1);
                inv
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    per_region.sort_by(|a, b| a.region.cmp(&b.region));
    let global = session_config("us-east-1");
    let (iam, s3) = tokio::join!(
        super::global::iam(&global, problems),
        super::global::s3(&global, account_id, problems)
    );
    Inventory {
        account_id: account_id.to_owned(),
        collected_at,
        regions: per_region,
        iam,
        s3,
    }
}
