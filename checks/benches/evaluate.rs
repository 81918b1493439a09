//! Check evaluation throughput over a synthetic inventory of 100,000 resources, beside
//! the time to merely deserialize that inventory from JSON in the same run (the floor any
//! scan pays). Run with `cargo bench -p vigil-checks --bench evaluate`.

use std::{hint::black_box, time::Instant};

use vigil_checks::model::{
    AccessKey, Bucket, Ec2Inventory, IamInventory, IamUser, Instance, Inventory, PermissionRule,
    RegionInventory, S3Inventory, SecurityGroup, Snapshot, Volume, Vpc,
};

const REGIONS: usize = 10;
/// Per region: security groups, instances, volumes, snapshots, VPCs.
const PER_KIND: usize = 1_900;
const USERS: usize = 2_000;
const BUCKETS: usize = 3_000;

fn rule(port: i32, cidr: &str) -> PermissionRule {
    PermissionRule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ipv4_ranges: vec![cidr.into()],
        ..Default::default()
    }
}

/// A deterministic inventory with a realistic mix: most resources fine, some not.
fn inventory() -> Inventory {
    let now = chrono::Utc::now();
    let regions = (0..REGIONS)
        .map(|r| RegionInventory {
            region: format!("region-{r}"),
            ec2: Some(Ec2Inventory {
                security_groups: (0..PER_KIND)
                    .map(|i| SecurityGroup {
                        group_id: format!("sg-{r}-{i}"),
                        group_name: if i == 0 {
                            "default".into()
                        } else {
                            format!("g{i}")
                        },
                        ingress: vec![
                            rule(443, "0.0.0.0/0"),
                            rule(
                                [22, 3306, 5432, 6379][i % 4],
                                if i % 10 == 0 {
                                    "0.0.0.0/0"
                                } else {
                                    "10.0.0.0/8"
                                },
                            ),
                        ],
                        ..Default::default()
                    })
                    .collect(),
                instances: (0..PER_KIND)
                    .map(|i| Instance {
                        instance_id: format!("i-{r}-{i}"),
                        state: "running".into(),
                        public_ip: (i % 3 == 0).then(|| format!("203.0.{}.{}", i % 250, r)),
                        private_ips: vec![format!("10.{r}.{}.{}", i / 250, i % 250)],
                        http_tokens: Some(if i % 5 == 0 { "optional" } else { "required" }.into()),
                        ..Default::default()
                    })
                    .collect(),
                volumes: (0..PER_KIND)
                    .map(|i| Volume {
                        volume_id: format!("vol-{r}-{i}"),
                        encrypted: i % 7 != 0,
                        ..Default::default()
                    })
                    .collect(),
                snapshots: (0..PER_KIND)
                    .map(|i| Snapshot {
                        snapshot_id: format!("snap-{r}-{i}"),
                        public: Some(i % 97 == 0),
                        ..Default::default()
                    })
                    .collect(),
                vpcs: (0..PER_KIND)
                    .map(|i| Vpc {
                        vpc_id: format!("vpc-{r}-{i}"),
                        flow_log_ids: if i % 2 == 0 {
                            vec![format!("fl-{i}")]
                        } else {
                            vec![]
                        },
                        ..Default::default()
                    })
                    .collect(),
                ebs_encryption_by_default: Some(r % 2 == 0),
                ..Default::default()
            }),
            rds: Some(Default::default()),
            trails: Some(vec![]),
            kms_keys: Some(vec![]),
            config_recorders: Some(vec![]),
            guardduty_detectors: Some(vec![]),
            access_analyzers: Some(vec![]),
            security_hub: Some(Default::default()),
            lambda_functions: Some(vec![]),
            sns_topics: Some(vec![]),
            sqs_queues: Some(vec![]),
            secrets: Some(vec![]),
            ecr_repositories: Some(vec![]),
            ecr_registry_scanning: Some(Default::default()),
            dynamodb_tables: Some(vec![]),
            efs: Some(Default::default()),
            load_balancers: Some(vec![]),
            ecs: Some(Default::default()),
            eks_clusters: Some(vec![]),
            rest_apis: Some(vec![]),
            elasticache: Some(Default::default()),
            redshift_clusters: Some(vec![]),
            opensearch_domains: Some(vec![]),
            acm_certificates: Some(vec![]),
            cloudwatch: Some(Default::default()),
        })
        .collect();
    Inventory {
        account_id: "123456789012".into(),
        collected_at: now,
        regions,
        cloudfront_distributions: Some(vec![]),
        route53_zones: Some(vec![]),
        route53_domains: Some(vec![]),
        organizations: Some(Default::default()),
        iam: Some(IamInventory {
            users: (0..USERS)
                .map(|i| IamUser {
                    user_name: format!("user-{i}"),
                    arn: format!("arn:aws:iam::123456789012:user/user-{i}"),
                    created: now - chrono::Duration::days(400),
                    password_enabled: i % 2 == 0,
                    mfa_devices: usize::from(i % 3 != 0),
                    access_keys: vec![AccessKey {
                        access_key_id: format!("AKIA{i:016}"),
                        status: "Active".into(),
                        created: now - chrono::Duration::days((i % 200) as i64),
                        last_used: Some(now - chrono::Duration::days((i % 60) as i64)),
                    }],
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        s3: Some(S3Inventory {
            account_block_readable: true,
            buckets: (0..BUCKETS)
                .map(|i| Bucket {
                    name: format!("bucket-{i}"),
                    public_access_block: Some(None),
                    acl_public: Some(i % 50 == 0),
                    policy_public: Some(false),
                    tls_only: Some(i % 2 == 0),
                    encryption: Some(Some("AES256".into())),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
    }
}

fn resources(inv: &Inventory) -> usize {
    let regional: usize = inv
        .regions
        .iter()
        .filter_map(|r| r.ec2.as_ref())
        .map(|e| {
            e.security_groups.len()
                + e.instances.len()
                + e.volumes.len()
                + e.snapshots.len()
                + e.vpcs.len()
        })
        .sum();
    regional
        + inv.iam.as_ref().map_or(0, |i| i.users.len())
        + inv.s3.as_ref().map_or(0, |s| s.buckets.len())
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let inv = inventory();
    let n = resources(&inv);
    let json = serde_json::to_vec(&inv).expect("serialises");
    let rules = vigil_checks::rules().len();
    let findings = vigil_checks::evaluate(&inv).findings.len();
    let parse = best_of(5, || {
        serde_json::from_slice::<Inventory>(&json).expect("parses")
    });
    let eval = best_of(5, || vigil_checks::evaluate(&inv));
    println!(
        "check evaluation: {n} resources ({} MiB of JSON), {rules} rules, {findings} findings",
        json.len() / (1 << 20)
    );
    println!("{:<36} {:>12} {:>16}", "case", "seconds", "resources/s");
    println!(
        "{:<36} {:>12.4} {:>16.0}",
        "deserialize inventory (baseline)",
        parse,
        n as f64 / parse
    );
    println!(
        "{:<36} {:>12.4} {:>16.0}",
        "evaluate all rules",
        eval,
        n as f64 / eval
    );
    println!("evaluation costs {:.2}x the deserialization", eval / parse);
}
