//! ECS: a region's clusters (with their Container Insights setting) and the latest active
//! revision of each task-definition family. Plain environment variables are judged as
//! they are read and only their names and verdicts are kept, never their values.

use std::collections::BTreeMap;

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// ECS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "ecs",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Task definitions and cluster settings change only through ECS write calls
    // (RegisterTaskDefinition, UpdateClusterSettings...): a region none touched keeps its
    // ECS findings on an incremental rescan.
    changed_by: &["ecs.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let c = aws_sdk_ecs::Client::new(r.config);
    let task_definitions = task_definitions(&c, r).await;
    let clusters = clusters(&c, r).await;
    let ecs = (task_definitions.is_some() || clusters.is_some()).then_some(m::EcsInventory {
        task_definitions,
        clusters,
    });
    fill(move |region: &mut RegionInventory| region.ecs = ecs)
}

/// `family` and `revision` of a task definition ARN (`...:task-definition/family:3`).
fn family_revision(arn: &str) -> Option<(&str, i32)> {
    let (family, revision) = arn.rsplit_once('/')?.1.rsplit_once(':')?;
    Some((family, revision.parse().ok()?))
}

/// The latest active revision of each family, described. A revision that cannot be
/// described is listed with its containers unread.
async fn task_definitions(
    c: &aws_sdk_ecs::Client,
    r: Reader<'_>,
) -> Option<Vec<m::EcsTaskDefinition>> {
    use aws_sdk_ecs::types::TaskDefinitionStatus;

    let arns: Vec<String> = r.ok(
        "ListTaskDefinitions",
        c.list_task_definitions()
            .status(TaskDefinitionStatus::Active)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut latest: BTreeMap<String, (i32, String)> = BTreeMap::new();
    for arn in &arns {
        let Some((family, revision)) = family_revision(arn) else {
            continue;
        };
        if latest.get(family).is_none_or(|(rev, _)| *rev < revision) {
            latest.insert(family.to_owned(), (revision, arn.clone()));
        }
    }
    let mut out = Vec::with_capacity(latest.len());
    for (family, (revision, arn)) in latest {
        let described = c
            .describe_task_definition()
            .task_definition(&arn)
            .send()
            .await;
        let (network_mode, containers) = match described {
            Ok(d) => {
                let td = d.task_definition();
                (
                    td.and_then(|t| t.network_mode())
                        .map(|n| n.as_str().to_owned()),
                    Some(
                        td.map(|t| t.container_definitions())
                            .unwrap_or_default()
                            .iter()
                            .map(container)
                            .collect(),
                    ),
                )
            }
            Err(e) => {
                r.record("DescribeTaskDefinition", &e);
                (None, None)
            }
        };
        out.push(m::EcsTaskDefinition {
            family,
            revision,
            arn: Some(arn),
            network_mode,
            containers,
        });
    }
    Some(out)
}

fn container(c: &aws_sdk_ecs::types::ContainerDefinition) -> m::EcsContainer {
    let mut environment: Vec<m::EnvVar> = c
        .environment()
        .iter()
        .filter_map(|kv| Some(m::EnvVar::judge(kv.name()?, kv.value().unwrap_or(""))))
        .collect();
    environment.sort_by(|a, b| a.name.cmp(&b.name));
    m::EcsContainer {
        name: c.name().unwrap_or_default().to_owned(),
        privileged: c.privileged().unwrap_or(false),
        read_only_root_filesystem: c.readonly_root_filesystem().unwrap_or(false),
        user: c.user().map(str::to_owned),
        environment,
        log_driver: c
            .log_configuration()
            .map(|l| l.log_driver().as_str().to_owned()),
    }
}

/// The clusters with their settings (`DescribeClusters` takes 100 at a time).
async fn clusters(c: &aws_sdk_ecs::Client, r: Reader<'_>) -> Option<Vec<m::EcsCluster>> {
    use aws_sdk_ecs::types::{ClusterField, ClusterSettingName};

    let arns: Vec<String> = r.ok(
        "ListClusters",
        c.list_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(arns.len());
    for chunk in arns.chunks(100) {
        let described = r.ok(
            "DescribeClusters",
            c.describe_clusters()
                .set_clusters(Some(chunk.to_vec()))
                .include(ClusterField::Settings)
                .send()
                .await,
        )?;
        for cl in described.clusters() {
            let Some(name) = cl.cluster_name() else {
                continue;
            };
            out.push(m::EcsCluster {
                name: name.to_owned(),
                arn: cl.cluster_arn().map(str::to_owned),
                container_insights: cl
                    .settings()
                    .iter()
                    .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
                    .and_then(|s| s.value())
                    .map(str::to_owned),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn task_definition_arns_give_family_and_revision() {
        assert_eq!(
            super::family_revision("arn:aws:ecs:us-east-1:123456789012:task-definition/web-app:12"),
            Some(("web-app", 12))
        );
        assert_eq!(super::family_revision("web-app"), None);
    }

    /// The log driver as AWS returns it; a container without `logConfiguration` has none.
    #[test]
    fn a_container_log_driver_is_read() {
        use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration, LogDriver};
        let logged = ContainerDefinition::builder()
            .name("app")
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .build()
                    .unwrap(),
            )
            .build();
        assert_eq!(
            super::container(&logged).log_driver.as_deref(),
            Some("awslogs")
        );
        let silent = ContainerDefinition::builder().name("app").build();
        assert_eq!(super::container(&silent).log_driver, None);
    }

    #[test]
    fn ecs_write_calls_map_to_ecs() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("ecs.amazonaws.com"), Some("ecs"));
        assert!(super::super::skippable_sources().contains(&"ecs.amazonaws.com"));
    }
}
