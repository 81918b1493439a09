//! ECS: the inventory model of clusters and task definitions (the latest active revision
//! of each family), and their rules (privileged containers, secrets in plain environment
//! variables, host networking with root or privileged containers, writable root file
//! systems, containers without a log configuration, Container Insights off).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{EcsCluster, EcsContainer, EcsTaskDefinition, Inventory},
};

/// ECS's task definitions were listed.
pub const SOURCE: crate::Source = crate::Source::Regional("ecs", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.ecs.as_ref().is_some_and(|e| e.task_definitions.is_some())
}

/// ECS's clusters were read.
pub const CLUSTERS: crate::Source = crate::Source::Regional("ecs", clusters_read);

fn clusters_read(r: &crate::model::RegionInventory) -> bool {
    r.ecs.as_ref().is_some_and(|e| e.clusters.is_some())
}

/// ECS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "ecs",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &PRIVILEGED_CONTAINER,
        &ENVIRONMENT_SECRETS,
        &HOST_NETWORK_ROOT,
        &ROOT_FILESYSTEM_WRITABLE,
        &CONTAINER_INSIGHTS_DISABLED,
        &LOGGING_DISABLED,
    ],
};

const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";
const CLUSTER: &str = "AWS::ECS::Cluster";

/// Lists the region's task definitions (by family) and clusters.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(ecs) = &r.ecs else {
        return;
    };
    if let Some(tds) = &ecs.task_definitions {
        for td in tds {
            let cfg = crate::services::json(td);
            out.add(&r.region, TASK_DEFINITION, &td.family, td.arn.clone(), cfg);
        }
        out.complete(&r.region, TASK_DEFINITION);
    }
    if let Some(clusters) = &ecs.clusters {
        for c in clusters {
            let cfg = crate::services::json(c);
            out.add(&r.region, CLUSTER, &c.name, c.arn.clone(), cfg);
        }
        out.complete(&r.region, CLUSTER);
    }
}

/// Every listed task definition of the account, with its region.
fn task_definitions(inv: &Inventory) -> impl Iterator<Item = (&str, &EcsTaskDefinition)> {
    inv.regions.iter().flat_map(|region| {
        region
            .ecs
            .iter()
            .flat_map(|e| e.task_definitions.iter().flatten())
            .map(move |td| (region.region.as_str(), td))
    })
}

/// Every cluster of the account, with its region.
fn clusters(inv: &Inventory) -> impl Iterator<Item = (&str, &EcsCluster)> {
    inv.regions.iter().flat_map(|region| {
        region
            .ecs
            .iter()
            .flat_map(|e| e.clusters.iter().flatten())
            .map(move |c| (region.region.as_str(), c))
    })
}

/// Fails each task definition with containers `bad` picks (evidence: their names and
/// `extra`); not assessed when its containers could not be read.
fn containers_where(
    inv: &Inventory,
    sink: &mut Sink,
    applies: impl Fn(&EcsTaskDefinition) -> bool,
    bad: impl Fn(&EcsContainer) -> bool,
) {
    for (region, td) in task_definitions(inv) {
        // Undescribed: its network mode is unknown too, so every rule is not assessed.
        let Some(containers) = &td.containers else {
            sink.unknown(region, &td.family);
            continue;
        };
        if !applies(td) {
            continue;
        }
        let names: Vec<&str> = containers
            .iter()
            .filter(|c| bad(c))
            .map(|c| c.name.as_str())
            .collect();
        if !names.is_empty() {
            sink.fail(
                region,
                &td.family,
                td.arn.clone(),
                json!({ "revision": td.revision, "networkMode": td.network_mode, "containers": names }),
            );
        }
    }
}

pub static PRIVILEGED_CONTAINER: Rule = Rule {
    id: "ecs-privileged-container",
    title: "ECS task definition runs a privileged container",
    severity: Severity::High,
    description: "A container of the task definition's latest active revision is \
                  privileged: it runs as root on the container instance with every Linux \
                  capability and access to the host's devices, so anyone who takes over the \
                  container (a vulnerable dependency, an exposed endpoint) owns the host and \
                  every other task on it.",
    remediation: "Register a new revision without `privileged: true` (grant only the Linux \
                  capabilities the container needs with `linuxParameters.capabilities.add`), \
                  move the services to it and deregister the old revision.",
    compliance: &["AWS FSBP ECS.4"],
    resource_type: TASK_DEFINITION,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: privileged_container,
};

fn privileged_container(inv: &Inventory, sink: &mut Sink) {
    containers_where(inv, sink, |_| true, |c| c.privileged);
}

pub static ENVIRONMENT_SECRETS: Rule = Rule {
    id: "ecs-environment-secrets",
    title: "ECS task definition holds secrets in plain environment variables",
    severity: Severity::High,
    description: "A container's plain `environment` variables hold what looks like a secret: \
                  a value in a credential's format (an AWS access key, a private key, a \
                  known token) or a value under a name such as `PASSWORD`, `SECRET` or \
                  `TOKEN`. Task definitions are readable by anyone with \
                  `ecs:DescribeTaskDefinition`, kept in every revision (deregistered ones \
                  too), and shown in the console.",
    remediation: "Move the secret to Secrets Manager or Parameter Store (SecureString) and \
                  reference it in the container's `secrets` list (`valueFrom`), which ECS \
                  resolves at start with the execution role; register the new revision and \
                  rotate the exposed secret. Vigil records the variables' names only, never \
                  their values.",
    compliance: &["AWS FSBP ECS.8"],
    resource_type: TASK_DEFINITION,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: environment_secrets,
};

fn environment_secrets(inv: &Inventory, sink: &mut Sink) {
    for (region, td) in task_definitions(inv) {
        let Some(containers) = &td.containers else {
            sink.unknown(region, &td.family);
            continue;
        };
        let variables: Vec<String> = containers
            .iter()
            .flat_map(|c| {
                c.environment
                    .iter()
                    .filter(|v| {
                        v.value_is_credential
                            || (!v.value_is_reference
                                && crate::services::lambda::secret_name(&v.name))
                    })
                    .map(move |v| format!("{}/{}", c.name, v.name))
            })
            .collect();
        if !variables.is_empty() {
            sink.fail(
                region,
                &td.family,
                td.arn.clone(),
                json!({ "revision": td.revision, "variables": variables }),
            );
        }
    }
}

/// Whether the container runs as root: no `user` (the image's default, root for almost
/// every image), or user `root`/`0`, alone or with a group.
pub fn runs_as_root(c: &EcsContainer) -> bool {
    match c.user.as_deref().map(str::trim) {
        None | Some("") => true,
        Some(u) => {
            let user = u.split(':').next().unwrap_or(u);
            user == "root" || user == "0"
        }
    }
}

pub static HOST_NETWORK_ROOT: Rule = Rule {
    id: "ecs-host-network-root-container",
    title: "ECS task definition uses host networking with a root or privileged container",
    severity: Severity::High,
    description: "The task definition uses the `host` network mode and one of its \
                  containers runs as root or privileged: the container shares the \
                  instance's network stack (it can bind any port, sniff the instance's \
                  traffic and reach the instance metadata service with the instance's \
                  role), and as root nothing stands between it and the host.",
    remediation: "Use the `awsvpc` network mode, or set a non-root `user` on every container \
                  (and no `privileged`) in a new revision; move the services to it.",
    compliance: &["AWS FSBP ECS.1"],
    resource_type: TASK_DEFINITION,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: host_network_root,
};

fn host_network_root(inv: &Inventory, sink: &mut Sink) {
    containers_where(
        inv,
        sink,
        |td| td.network_mode.as_deref() == Some("host"),
        |c| c.privileged || runs_as_root(c),
    );
}

pub static ROOT_FILESYSTEM_WRITABLE: Rule = Rule {
    id: "ecs-root-filesystem-writable",
    title: "ECS container root file system is writable",
    severity: Severity::Low,
    description: "A container of the task definition may write to its root file system: an \
                  intruder can drop tools, change binaries or configuration and persist for \
                  the container's life, which a read-only root file system prevents.",
    remediation: "Set `readonlyRootFilesystem: true` on each container in a new revision, \
                  giving the paths it must write to a volume or bind mount.",
    compliance: &["AWS FSBP ECS.5"],
    resource_type: TASK_DEFINITION,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: root_filesystem_writable,
};

fn root_filesystem_writable(inv: &Inventory, sink: &mut Sink) {
    containers_where(inv, sink, |_| true, |c| !c.read_only_root_filesystem);
}

pub static LOGGING_DISABLED: Rule = Rule {
    id: "ecs-task-definition-logging-disabled",
    title: "ECS task definition has containers without a log configuration",
    severity: Severity::Medium,
    description: "A container of the task definition's latest active revision has no \
                  `logConfiguration`: what it writes to stdout and stderr (errors, \
                  authentication failures, the traces of an intrusion) is kept nowhere \
                  once the task stops, so an incident in it cannot be investigated.",
    remediation: "Register a new revision giving each container a log driver (for example \
                  `\"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": \
                  {\"awslogs-group\": \"/ecs/<family>\", \"awslogs-region\": \"<region>\", \
                  \"awslogs-stream-prefix\": \"<container>\"}}`), move the services to it and \
                  deregister the old revision.",
    compliance: &["AWS FSBP ECS.9"],
    resource_type: TASK_DEFINITION,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: logging_disabled,
};

fn logging_disabled(inv: &Inventory, sink: &mut Sink) {
    containers_where(
        inv,
        sink,
        |_| true,
        |c| c.log_driver.as_deref().unwrap_or("").is_empty(),
    );
}

pub static CONTAINER_INSIGHTS_DISABLED: Rule = Rule {
    id: "ecs-container-insights-disabled",
    title: "ECS cluster Container Insights is off",
    severity: Severity::Low,
    description: "Container Insights is off for the cluster: no per-task CPU, memory, \
                  network and restart metrics or performance events are collected, so a \
                  crypto-miner in a task or a crash-looping container goes unseen.",
    remediation: "Turn it on (`aws ecs update-cluster-settings --cluster <name> --settings \
                  name=containerInsights,value=enabled`).",
    compliance: &["AWS FSBP ECS.12"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[CLUSTERS],
    check: container_insights_disabled,
};

fn container_insights_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in clusters(inv) {
        let on = matches!(
            c.container_insights.as_deref(),
            Some("enabled") | Some("enhanced")
        );
        if !on {
            sink.fail(
                region,
                &c.name,
                c.arn.clone(),
                json!({ "containerInsights": c.container_insights.as_deref().unwrap_or("disabled") }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::{EcsInventory, EnvVar, RegionInventory},
    };

    /// A well-configured container: not privileged, read-only root, a non-root user, a
    /// variable pointing at a secret.
    fn container(name: &str) -> EcsContainer {
        EcsContainer {
            name: name.into(),
            privileged: false,
            read_only_root_filesystem: true,
            user: Some("1000:1000".into()),
            environment: vec![
                EnvVar::judge(
                    "DB_PASSWORD_ARN",
                    "arn:aws:secretsmanager:us-east-1:1:secret:x",
                ),
                EnvVar::judge("LOG_LEVEL", "info"),
            ],
            log_driver: Some("awslogs".into()),
        }
    }

    fn td(family: &str, containers: Option<Vec<EcsContainer>>) -> EcsTaskDefinition {
        EcsTaskDefinition {
            family: family.into(),
            revision: 3,
            arn: Some(format!(
                "arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:3"
            )),
            network_mode: Some("awsvpc".into()),
            containers,
        }
    }

    fn with(tds: Option<Vec<EcsTaskDefinition>>, clusters: Option<Vec<EcsCluster>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                ecs: Some(EcsInventory {
                    task_definitions: tds,
                    clusters,
                }),
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn a_privileged_container_fails_and_unread_containers_are_not_assessed() {
        let mut bad = container("sidecar");
        bad.privileged = true;
        let inv = with(
            Some(vec![
                td("good", Some(vec![container("app")])),
                td("priv", Some(vec![container("app"), bad])),
                td("unread", None),
            ]),
            Some(vec![]),
        );
        let out = run(&PRIVILEGED_CONTAINER, &inv);
        assert_eq!(failing(&PRIVILEGED_CONTAINER, &inv), ["priv"]);
        assert_eq!(out.findings[0].evidence["containers"], json!(["sidecar"]));
        assert_eq!(unknown(&out), ["unread"]);
        // Task definitions not listed: nothing judged.
        assert!(
            run(&PRIVILEGED_CONTAINER, &with(None, None))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn secrets_in_plain_variables_fail_by_name_or_value_and_only_names_are_kept() {
        let mut by_name = container("app");
        by_name
            .environment
            .push(EnvVar::judge("DB_PASSWORD", "hunter2hunter2"));
        let mut by_value = container("worker");
        by_value
            .environment
            .push(EnvVar::judge("S3_CONFIG", "AKIAIOSFODNN7EXAMPLE"));
        let inv = with(
            Some(vec![
                td("good", Some(vec![container("app")])),
                td("leaky", Some(vec![by_name, by_value])),
            ]),
            None,
        );
        let out = run(&ENVIRONMENT_SECRETS, &inv);
        assert_eq!(failing(&ENVIRONMENT_SECRETS, &inv), ["leaky"]);
        assert_eq!(
            out.findings[0].evidence["variables"],
            json!(["app/DB_PASSWORD", "worker/S3_CONFIG"])
        );
        let stored = serde_json::to_string(&inv).unwrap();
        assert!(!stored.contains("hunter2") && !stored.contains("AKIAIOSFODNN7EXAMPLE"));
    }

    #[test]
    fn host_networking_fails_only_with_a_root_or_privileged_container() {
        for (user, root) in [
            (None, true),
            (Some(""), true),
            (Some("root"), true),
            (Some("0"), true),
            (Some("0:0"), true),
            (Some("root:wheel"), true),
            (Some("1000"), false),
            (Some("app:app"), false),
        ] {
            let c = EcsContainer {
                user: user.map(str::to_owned),
                ..container("c")
            };
            assert_eq!(runs_as_root(&c), root, "{user:?}");
        }
        let host = |family: &str, c: EcsContainer| EcsTaskDefinition {
            network_mode: Some("host".into()),
            ..td(family, Some(vec![c]))
        };
        let mut root = container("app");
        root.user = None;
        let mut privileged = container("app");
        privileged.privileged = true;
        let inv = with(
            Some(vec![
                host("host-nonroot", container("app")),
                host("host-root", root.clone()),
                host("host-priv", privileged),
                td("awsvpc-root", Some(vec![root])),
                td("unread", None),
            ]),
            None,
        );
        assert_eq!(
            failing(&HOST_NETWORK_ROOT, &inv),
            ["host-root", "host-priv"]
        );
        // Undescribed: its network mode is unknown, so not assessed (a host-mode finding
        // must not be resolved by a denied read).
        assert_eq!(unknown(&run(&HOST_NETWORK_ROOT, &inv)), ["unread"]);
    }

    #[test]
    fn a_writable_root_file_system_fails() {
        let mut writable = container("app");
        writable.read_only_root_filesystem = false;
        let inv = with(
            Some(vec![
                td("good", Some(vec![container("app")])),
                td("writable", Some(vec![writable])),
                td("unread", None),
            ]),
            None,
        );
        assert_eq!(failing(&ROOT_FILESYSTEM_WRITABLE, &inv), ["writable"]);
        assert_eq!(unknown(&run(&ROOT_FILESYSTEM_WRITABLE, &inv)), ["unread"]);
    }

    #[test]
    fn container_insights_off_or_unset_fails_and_unread_clusters_assess_nothing() {
        let cluster = |name: &str, ci: Option<&str>| EcsCluster {
            name: name.into(),
            arn: None,
            container_insights: ci.map(str::to_owned),
        };
        let inv = with(
            None,
            Some(vec![
                cluster("on", Some("enabled")),
                cluster("enhanced", Some("enhanced")),
                cluster("off", Some("disabled")),
                cluster("unset", None),
            ]),
        );
        assert_eq!(
            failing(&CONTAINER_INSIGHTS_DISABLED, &inv),
            ["off", "unset"]
        );
        assert!(
            run(&CONTAINER_INSIGHTS_DISABLED, &with(Some(vec![]), None))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn a_container_without_a_log_driver_fails_and_unread_containers_are_not_assessed() {
        let mut silent = container("sidecar");
        silent.log_driver = None;
        let mut empty = container("worker");
        empty.log_driver = Some(String::new());
        let inv = with(
            Some(vec![
                td("logged", Some(vec![container("app")])),
                td("silent", Some(vec![container("app"), silent])),
                td("empty", Some(vec![empty])),
                td("unread", None),
            ]),
            Some(vec![]),
        );
        assert_eq!(failing(&LOGGING_DISABLED, &inv), ["silent", "empty"]);
        let out = run(&LOGGING_DISABLED, &inv);
        assert_eq!(out.findings[0].evidence["containers"], json!(["sidecar"]));
        assert_eq!(unknown(&out), ["unread"]);
    }
}
