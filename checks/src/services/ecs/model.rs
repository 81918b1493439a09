//! The ECS part of the inventory: the clusters of a region and the latest active revision
//! of each task-definition family.

use serde::{Deserialize, Serialize};

use crate::model::EnvVar;

/// The ECS resources of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcsInventory {
    /// The latest active revision of each task-definition family. `None`: could not be
    /// listed.
    pub task_definitions: Option<Vec<EcsTaskDefinition>>,
    /// The clusters with their settings. `None`: could not be read.
    pub clusters: Option<Vec<EcsCluster>>,
}

/// The latest active revision of one task-definition family.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcsTaskDefinition {
    pub family: String,
    pub revision: i32,
    pub arn: Option<String>,
    /// `networkMode`: `awsvpc`, `bridge`, `host` or `none` (`None`: the default, bridge).
    pub network_mode: Option<String>,
    /// The container definitions. `None`: `DescribeTaskDefinition` failed.
    pub containers: Option<Vec<EcsContainer>>,
}

/// One container definition of a task definition.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcsContainer {
    pub name: String,
    /// `privileged`: root on the host (absent: false).
    pub privileged: bool,
    /// `readonlyRootFilesystem` (absent: false, writable).
    pub read_only_root_filesystem: bool,
    /// `user` (absent: the image's user, root unless the image says otherwise).
    pub user: Option<String>,
    /// The plain `environment` variables, judged when read: names and verdicts, never
    /// the values (`secrets` entries are references and are not listed).
    pub environment: Vec<EnvVar>,
    /// `logConfiguration.logDriver` (`awslogs`, `awsfirelens`, `splunk`...; `None`: no
    /// log configuration, so the container's output goes nowhere ECS keeps).
    #[serde(default)]
    pub log_driver: Option<String>,
}

/// An ECS cluster of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcsCluster {
    pub name: String,
    pub arn: Option<String>,
    /// The `containerInsights` setting (`enabled`, `enhanced`, `disabled`; `None`: unset,
    /// which is off).
    pub container_insights: Option<String>,
}
