//! EFS: a region's file systems with their backup and file system policies, and its access
//! points.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::{Reader, error_code};

/// EFS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "efs",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // EFS's calls are logged under its signing name, not `efs`: named here so a write
    // call re-checks EFS, and a region no such call touched keeps EFS's findings as they
    // were on an incremental rescan (nothing of EFS's changes without one).
    changed_by: &["elasticfilesystem.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let efs = read(r).await;
    fill(move |region: &mut RegionInventory| region.efs = efs)
}

async fn read(r: Reader<'_>) -> Option<m::EfsInventory> {
    let c = aws_sdk_efs::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "DescribeFileSystems",
        c.describe_file_systems()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut file_systems = Vec::with_capacity(listed.len());
    for fs in listed {
        let id = fs.file_system_id().to_owned();
        // No backup policy ever set is the same as one `DISABLED`.
        let backup_enabled = match c.describe_backup_policy().file_system_id(&id).send().await {
            Ok(p) => Some(p.backup_policy().map(|b| b.status().as_str()) == Some("ENABLED")),
            Err(e) if error_code(&e) == Some("PolicyNotFound") => Some(false),
            Err(e) => {
                r.record("DescribeBackupPolicy", &e);
                None
            }
        };
        // No file system policy is answered as an error: no statement at all.
        let policy = match c
            .describe_file_system_policy()
            .file_system_id(&id)
            .send()
            .await
        {
            Ok(p) => match p.policy().filter(|p| !p.trim().is_empty()) {
                Some(doc) => policy_statements(doc),
                None => Some(vec![]),
            },
            Err(e) if error_code(&e) == Some("PolicyNotFound") => Some(vec![]),
            Err(e) => {
                r.record("DescribeFileSystemPolicy", &e);
                None
            }
        };
        file_systems.push(m::EfsFileSystem {
            availability_zone: fs.availability_zone_name().map(str::to_owned),
            mount_targets: fs.number_of_mount_targets(),
            policy_statements: policy,
            arn: fs.file_system_arn().map(str::to_owned),
            name: fs.name().map(str::to_owned),
            encrypted: fs.encrypted().unwrap_or(false),
            backup_enabled,
            file_system_id: id,
        });
    }
    let access_points = r
        .ok(
            "DescribeAccessPoints",
            c.describe_access_points()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .map(|points: Vec<_>| {
            points
                .into_iter()
                .filter_map(|ap| {
                    Some(m::EfsAccessPoint {
                        access_point_id: ap.access_point_id()?.to_owned(),
                        arn: ap.access_point_arn().map(str::to_owned),
                        file_system_id: ap.file_system_id().unwrap_or_default().to_owned(),
                        root_directory: ap
                            .root_directory()
                            .and_then(|d| d.path())
                            .map(str::to_owned),
                        posix_user: ap.posix_user().is_some(),
                    })
                })
                .collect()
        });
    Some(m::EfsInventory {
        file_systems,
        access_points,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn efs_write_calls_map_to_efs_and_so_do_the_other_new_services() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("elasticfilesystem.amazonaws.com"), Some("efs"));
        for name in ["lambda", "sns", "sqs", "secretsmanager", "ecr", "dynamodb"] {
            assert_eq!(service_of(&format!("{name}.amazonaws.com")), Some(name));
        }
    }
}
