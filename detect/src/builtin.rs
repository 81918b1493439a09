//! Vigil's built-in rules (`detect/rules/*.yml`), embedded in the binary. Each file is a
//! Sigma rule with two Vigil fields: `runbook` (what to do first) and `vigil_tests`
//! (events that must match and must not), which the tests below replay.

use crate::{Correlation, Rule, RuleError, RuleMeta, Sequence};

/// The rule files, by name.
pub const FILES: &[(&str, &str)] = &[
    (
        "cloudtrail_logging_stopped.yml",
        include_str!("../rules/cloudtrail_logging_stopped.yml"),
    ),
    (
        "cloudtrail_event_selectors_narrowed.yml",
        include_str!("../rules/cloudtrail_event_selectors_narrowed.yml"),
    ),
    (
        "cloudtrail_insights_disabled.yml",
        include_str!("../rules/cloudtrail_insights_disabled.yml"),
    ),
    (
        "cloudtrail_trail_modified.yml",
        include_str!("../rules/cloudtrail_trail_modified.yml"),
    ),
    (
        "cloudtrail_trail_created.yml",
        include_str!("../rules/cloudtrail_trail_created.yml"),
    ),
    (
        "cloudtrail_trail_scope_reduced.yml",
        include_str!("../rules/cloudtrail_trail_scope_reduced.yml"),
    ),
    (
        "config_recording_stopped.yml",
        include_str!("../rules/config_recording_stopped.yml"),
    ),
    (
        "guardduty_disabled.yml",
        include_str!("../rules/guardduty_disabled.yml"),
    ),
    (
        "guardduty_findings_suppressed.yml",
        include_str!("../rules/guardduty_findings_suppressed.yml"),
    ),
    (
        "securityhub_disabled.yml",
        include_str!("../rules/securityhub_disabled.yml"),
    ),
    (
        "vpc_flow_logs_deleted.yml",
        include_str!("../rules/vpc_flow_logs_deleted.yml"),
    ),
    (
        "console_login_failed.yml",
        include_str!("../rules/console_login_failed.yml"),
    ),
    (
        "console_login_without_mfa.yml",
        include_str!("../rules/console_login_without_mfa.yml"),
    ),
    (
        "iam_access_key_for_another_user.yml",
        include_str!("../rules/iam_access_key_for_another_user.yml"),
    ),
    (
        "iam_administrator_policy_attached.yml",
        include_str!("../rules/iam_administrator_policy_attached.yml"),
    ),
    (
        "iam_inline_policy_allows_all_actions.yml",
        include_str!("../rules/iam_inline_policy_allows_all_actions.yml"),
    ),
    (
        "iam_login_profile_for_another_user.yml",
        include_str!("../rules/iam_login_profile_for_another_user.yml"),
    ),
    (
        "iam_mfa_device_deactivated.yml",
        include_str!("../rules/iam_mfa_device_deactivated.yml"),
    ),
    (
        "iam_role_trust_allows_anyone.yml",
        include_str!("../rules/iam_role_trust_allows_anyone.yml"),
    ),
    (
        "root_account_usage.yml",
        include_str!("../rules/root_account_usage.yml"),
    ),
    (
        "root_console_login.yml",
        include_str!("../rules/root_console_login.yml"),
    ),
    (
        "root_console_login_without_mfa.yml",
        include_str!("../rules/root_console_login_without_mfa.yml"),
    ),
    (
        "ec2_ami_made_public.yml",
        include_str!("../rules/ec2_ami_made_public.yml"),
    ),
    (
        "ec2_ami_shared_with_account.yml",
        include_str!("../rules/ec2_ami_shared_with_account.yml"),
    ),
    (
        "ec2_ebs_default_encryption_disabled.yml",
        include_str!("../rules/ec2_ebs_default_encryption_disabled.yml"),
    ),
    (
        "ec2_network_acl_allows_world.yml",
        include_str!("../rules/ec2_network_acl_allows_world.yml"),
    ),
    (
        "ec2_security_group_open_to_world.yml",
        include_str!("../rules/ec2_security_group_open_to_world.yml"),
    ),
    (
        "ec2_snapshot_made_public.yml",
        include_str!("../rules/ec2_snapshot_made_public.yml"),
    ),
    (
        "ec2_snapshot_shared_with_account.yml",
        include_str!("../rules/ec2_snapshot_shared_with_account.yml"),
    ),
    (
        "rds_snapshot_made_public.yml",
        include_str!("../rules/rds_snapshot_made_public.yml"),
    ),
    (
        "rds_snapshot_shared_with_account.yml",
        include_str!("../rules/rds_snapshot_shared_with_account.yml"),
    ),
    (
        "ec2_block_public_access_disabled.yml",
        include_str!("../rules/ec2_block_public_access_disabled.yml"),
    ),
    (
        "ec2_get_password_data.yml",
        include_str!("../rules/ec2_get_password_data.yml"),
    ),
    (
        "ec2_instance_user_data_modified.yml",
        include_str!("../rules/ec2_instance_user_data_modified.yml"),
    ),
    (
        "kms_key_disabled_or_deletion_scheduled.yml",
        include_str!("../rules/kms_key_disabled_or_deletion_scheduled.yml"),
    ),
    (
        "lambda_function_url_public.yml",
        include_str!("../rules/lambda_function_url_public.yml"),
    ),
    (
        "organizations_account_left.yml",
        include_str!("../rules/organizations_account_left.yml"),
    ),
    (
        "organizations_account_removed.yml",
        include_str!("../rules/organizations_account_removed.yml"),
    ),
    (
        "recon_get_caller_identity_offensive_tool.yml",
        include_str!("../rules/recon_get_caller_identity_offensive_tool.yml"),
    ),
    (
        "recon_offensive_user_agent.yml",
        include_str!("../rules/recon_offensive_user_agent.yml"),
    ),
    (
        "s3_bucket_acl_public.yml",
        include_str!("../rules/s3_bucket_acl_public.yml"),
    ),
    (
        "s3_bucket_policy_changed.yml",
        include_str!("../rules/s3_bucket_policy_changed.yml"),
    ),
    (
        "s3_public_access_block_removed.yml",
        include_str!("../rules/s3_public_access_block_removed.yml"),
    ),
    (
        "api_call_denied.yml",
        include_str!("../rules/api_call_denied.yml"),
    ),
    (
        "api_call_attributed.yml",
        include_str!("../rules/api_call_attributed.yml"),
    ),
    (
        "secretsmanager_secret_value_read_by_user.yml",
        include_str!("../rules/secretsmanager_secret_value_read_by_user.yml"),
    ),
    (
        "secretsmanager_secrets_retrieved_by_filter.yml",
        include_str!("../rules/secretsmanager_secrets_retrieved_by_filter.yml"),
    ),
    (
        "secretsmanager_secret_policy_grants_access.yml",
        include_str!("../rules/secretsmanager_secret_policy_grants_access.yml"),
    ),
    (
        "secretsmanager_secret_force_deleted.yml",
        include_str!("../rules/secretsmanager_secret_force_deleted.yml"),
    ),
    (
        "ssm_parameter_decrypted_by_user.yml",
        include_str!("../rules/ssm_parameter_decrypted_by_user.yml"),
    ),
    (
        "ssm_all_parameters_decrypted.yml",
        include_str!("../rules/ssm_all_parameters_decrypted.yml"),
    ),
    (
        "ssm_shell_command_sent.yml",
        include_str!("../rules/ssm_shell_command_sent.yml"),
    ),
    (
        "ssm_session_started_by_user.yml",
        include_str!("../rules/ssm_session_started_by_user.yml"),
    ),
    (
        "ec2_gpu_or_large_instances_launched.yml",
        include_str!("../rules/ec2_gpu_or_large_instances_launched.yml"),
    ),
    (
        "ec2_many_instances_launched_at_once.yml",
        include_str!("../rules/ec2_many_instances_launched_at_once.yml"),
    ),
    (
        "lambda_function_invocable_by_anyone.yml",
        include_str!("../rules/lambda_function_invocable_by_anyone.yml"),
    ),
    (
        "lambda_function_shared_with_account.yml",
        include_str!("../rules/lambda_function_shared_with_account.yml"),
    ),
    (
        "lambda_function_code_updated_by_user.yml",
        include_str!("../rules/lambda_function_code_updated_by_user.yml"),
    ),
    (
        "lambda_layer_attached_by_user.yml",
        include_str!("../rules/lambda_layer_attached_by_user.yml"),
    ),
    (
        "ec2_instance_connect_ssh_key_sent.yml",
        include_str!("../rules/ec2_instance_connect_ssh_key_sent.yml"),
    ),
    (
        "ec2_serial_console_ssh_key_sent.yml",
        include_str!("../rules/ec2_serial_console_ssh_key_sent.yml"),
    ),
    (
        "ec2_serial_console_access_enabled.yml",
        include_str!("../rules/ec2_serial_console_access_enabled.yml"),
    ),
    (
        "ec2_imdsv1_enabled.yml",
        include_str!("../rules/ec2_imdsv1_enabled.yml"),
    ),
    (
        "ec2_traffic_mirroring_session_created.yml",
        include_str!("../rules/ec2_traffic_mirroring_session_created.yml"),
    ),
    (
        "iam_role_trust_grants_account.yml",
        include_str!("../rules/iam_role_trust_grants_account.yml"),
    ),
    (
        "rolesanywhere_trust_anchor_created.yml",
        include_str!("../rules/rolesanywhere_trust_anchor_created.yml"),
    ),
    (
        "iam_identity_provider_created_or_modified.yml",
        include_str!("../rules/iam_identity_provider_created_or_modified.yml"),
    ),
    (
        "iam_user_added_to_admin_group.yml",
        include_str!("../rules/iam_user_added_to_admin_group.yml"),
    ),
    (
        "iam_policy_default_version_changed.yml",
        include_str!("../rules/iam_policy_default_version_changed.yml"),
    ),
    (
        "iam_privileged_managed_policy_attached.yml",
        include_str!("../rules/iam_privileged_managed_policy_attached.yml"),
    ),
    (
        "iam_policy_grants_iam_escalation.yml",
        include_str!("../rules/iam_policy_grants_iam_escalation.yml"),
    ),
    (
        "iam_virtual_mfa_device_deleted.yml",
        include_str!("../rules/iam_virtual_mfa_device_deleted.yml"),
    ),
    (
        "iam_password_policy_deleted.yml",
        include_str!("../rules/iam_password_policy_deleted.yml"),
    ),
    (
        "iam_password_policy_weakened.yml",
        include_str!("../rules/iam_password_policy_weakened.yml"),
    ),
    (
        "iam_root_access_key_created.yml",
        include_str!("../rules/iam_root_access_key_created.yml"),
    ),
    (
        "iam_account_authorization_details_by_user.yml",
        include_str!("../rules/iam_account_authorization_details_by_user.yml"),
    ),
    (
        "sts_federation_token_created.yml",
        include_str!("../rules/sts_federation_token_created.yml"),
    ),
    (
        "signin_console_login_as_federated_user.yml",
        include_str!("../rules/signin_console_login_as_federated_user.yml"),
    ),
    (
        "signin_root_password_recovery.yml",
        include_str!("../rules/signin_root_password_recovery.yml"),
    ),
    (
        "logs_security_log_group_tampered.yml",
        include_str!("../rules/logs_security_log_group_tampered.yml"),
    ),
    (
        "logs_retention_set_to_one_day.yml",
        include_str!("../rules/logs_retention_set_to_one_day.yml"),
    ),
    (
        "route53resolver_query_logging_removed.yml",
        include_str!("../rules/route53resolver_query_logging_removed.yml"),
    ),
    (
        "accessanalyzer_analyzer_deleted.yml",
        include_str!("../rules/accessanalyzer_analyzer_deleted.yml"),
    ),
    (
        "config_rules_deleted.yml",
        include_str!("../rules/config_rules_deleted.yml"),
    ),
    (
        "macie_disabled.yml",
        include_str!("../rules/macie_disabled.yml"),
    ),
    (
        "inspector_disabled.yml",
        include_str!("../rules/inspector_disabled.yml"),
    ),
    (
        "bedrock_invocation_logging_deleted.yml",
        include_str!("../rules/bedrock_invocation_logging_deleted.yml"),
    ),
    (
        "s3_lifecycle_expires_objects_quickly.yml",
        include_str!("../rules/s3_lifecycle_expires_objects_quickly.yml"),
    ),
    (
        "s3_access_logging_disabled.yml",
        include_str!("../rules/s3_access_logging_disabled.yml"),
    ),
    (
        "s3_bucket_policy_deleted.yml",
        include_str!("../rules/s3_bucket_policy_deleted.yml"),
    ),
    (
        "s3_bucket_policy_grants_public_access.yml",
        include_str!("../rules/s3_bucket_policy_grants_public_access.yml"),
    ),
    (
        "s3_bucket_deleted.yml",
        include_str!("../rules/s3_bucket_deleted.yml"),
    ),
    (
        "resource_deleted.yml",
        include_str!("../rules/resource_deleted.yml"),
    ),
    (
        "s3_objects_encrypted_with_customer_key.yml",
        include_str!("../rules/s3_objects_encrypted_with_customer_key.yml"),
    ),
    (
        "bedrock_model_access_requested.yml",
        include_str!("../rules/bedrock_model_access_requested.yml"),
    ),
    (
        "bedrock_model_invoked_by_iam_user.yml",
        include_str!("../rules/bedrock_model_invoked_by_iam_user.yml"),
    ),
    (
        "rds_deleted_without_final_snapshot.yml",
        include_str!("../rules/rds_deleted_without_final_snapshot.yml"),
    ),
    (
        "rds_master_password_changed.yml",
        include_str!("../rules/rds_master_password_changed.yml"),
    ),
    (
        "rds_instance_made_public.yml",
        include_str!("../rules/rds_instance_made_public.yml"),
    ),
    (
        "ses_sending_identity_added.yml",
        include_str!("../rules/ses_sending_identity_added.yml"),
    ),
    (
        "ses_sending_enabled.yml",
        include_str!("../rules/ses_sending_enabled.yml"),
    ),
];

/// The correlation rule files (`detect/rules/correlations/`), by name.
pub const CORRELATION_FILES: &[(&str, &str)] = &[
    (
        "recon_access_denied_burst.yml",
        include_str!("../rules/correlations/recon_access_denied_burst.yml"),
    ),
    (
        "console_login_brute_force.yml",
        include_str!("../rules/correlations/console_login_brute_force.yml"),
    ),
    (
        "console_login_password_spraying.yml",
        include_str!("../rules/correlations/console_login_password_spraying.yml"),
    ),
    (
        "first_seen_region.yml",
        include_str!("../rules/correlations/first_seen_region.yml"),
    ),
    (
        "first_seen_source_ip.yml",
        include_str!("../rules/correlations/first_seen_source_ip.yml"),
    ),
    (
        "mass_deletion.yml",
        include_str!("../rules/correlations/mass_deletion.yml"),
    ),
];

/// The sequence rule files (`detect/rules/sequences/`), by name.
pub const SEQUENCE_FILES: &[(&str, &str)] = &[(
    "sequence_new_origin_recon_then_persistence.yml",
    include_str!("../rules/sequences/sequence_new_origin_recon_then_persistence.yml"),
)];

/// The built-in rules, compiled once. Every file is compiled and replayed against its
/// examples by the tests below, so a build that passed them cannot fail here.
pub fn all() -> &'static [Rule] {
    static RULES: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| rules().unwrap_or_else(|(file, e)| panic!("built-in rule {file}: {e}")))
}

/// A built-in rule by ID.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id == id)
}

/// The built-in correlation rules, compiled once (checked by the tests below).
pub fn correlations() -> &'static [Correlation] {
    static RULES: std::sync::OnceLock<Vec<Correlation>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        CORRELATION_FILES
            .iter()
            .map(|(file, yaml)| {
                Correlation::compile(yaml)
                    .unwrap_or_else(|e| panic!("built-in correlation {file}: {e}"))
            })
            .collect()
    })
}

/// A built-in correlation by ID.
pub fn correlation_by_id(id: &str) -> Option<&'static Correlation> {
    correlations().iter().find(|c| c.meta.id == id)
}

/// Compiles a sequence whose steps may name the built-in rules and correlations that
/// raise alerts, and the IDs `extra` accepts (a tenant's own rules).
pub fn compile_sequence(yaml: &str, extra: impl Fn(&str) -> bool) -> Result<Sequence, RuleError> {
    let s = Sequence::compile(yaml)?;
    s.check_rules(|id| {
        by_id(id).is_some_and(|r| generates(&r.id)) || correlation_by_id(id).is_some() || extra(id)
    })?;
    Ok(s)
}

/// The built-in sequence rules, compiled once (checked by the tests below).
pub fn sequences() -> &'static [Sequence] {
    static RULES: std::sync::OnceLock<Vec<Sequence>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        SEQUENCE_FILES
            .iter()
            .map(|(file, yaml)| {
                compile_sequence(yaml, |_| false)
                    .unwrap_or_else(|e| panic!("built-in sequence {file}: {e}"))
            })
            .collect()
    })
}

/// A built-in sequence by ID.
pub fn sequence_by_id(id: &str) -> Option<&'static Sequence> {
    sequences().iter().find(|s| s.meta.id == id)
}

/// A built-in rule's, correlation's or sequence's description by ID.
pub fn meta_by_id(id: &str) -> Option<&'static RuleMeta> {
    by_id(id)
        .map(|r| &r.meta)
        .or_else(|| correlation_by_id(id).map(|c| &c.meta))
        .or_else(|| sequence_by_id(id).map(|s| &s.meta))
}

/// Whether a rule raises alerts on its own: as in Sigma, a rule that correlations use
/// does not, unless one of them says `generate: true`.
pub fn generates(rule_id: &str) -> bool {
    let users: Vec<_> = correlations()
        .iter()
        .filter(|c| c.rules.iter().any(|r| r == rule_id))
        .collect();
    users.is_empty() || users.iter().any(|c| c.generate)
}

/// Compiles every built-in rule.
pub fn rules() -> Result<Vec<Rule>, (String, RuleError)> {
    FILES
        .iter()
        .map(|(name, yaml)| Rule::compile(yaml).map_err(|e| ((*name).to_owned(), e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::Value;

    use super::*;

    #[test]
    fn every_rule_file_in_the_rules_folders_is_built_in() {
        // A file left out of the lists would be reviewed, tested by nothing, and never run.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        for (dir, listed) in [
            ("", FILES),
            ("correlations", CORRELATION_FILES),
            ("sequences", SEQUENCE_FILES),
        ] {
            let mut on_disk: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|name| name.ends_with(".yml"))
                .collect();
            on_disk.sort();
            let mut names: Vec<String> = listed.iter().map(|(n, _)| (*n).to_owned()).collect();
            names.sort();
            assert_eq!(on_disk, names, "detect/rules/{dir}");
        }
    }

    #[test]
    fn every_builtin_rule_compiles_and_explains_itself() {
        let rules = rules().unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
        let mut ids = HashSet::new();
        for r in &rules {
            assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
            assert!(r.id.starts_with("vigil-"), "{}", r.id);
            assert!(!r.description.is_empty(), "{} has no description", r.id);
            assert!(
                r.runbook.as_deref().is_some_and(|s| !s.is_empty()),
                "{} has no runbook",
                r.id
            );
            assert!(
                !r.techniques().is_empty(),
                "{} has no ATT&CK technique tag",
                r.id
            );
        }
    }

    #[test]
    fn every_correlation_counts_existing_rules_and_explains_itself() {
        let singles = rules().unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
        let mut ids: HashSet<String> = singles.iter().map(|r| r.id.clone()).collect();
        for (file, yaml) in CORRELATION_FILES {
            let c = Correlation::compile(yaml).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(ids.insert(c.meta.id.clone()), "duplicate id {}", c.meta.id);
            assert!(c.meta.id.starts_with("vigil-"), "{file}");
            assert!(
                !c.meta.description.is_empty() && c.meta.runbook.is_some(),
                "{file}"
            );
            assert!(!c.meta.techniques().is_empty(), "{file}");
            for base in &c.rules {
                let rule = singles.iter().find(|r| &r.id == base);
                let rule = rule.unwrap_or_else(|| panic!("{file}: no rule {base}"));
                // The events its base rule matches must be attributable to a group.
                let doc: Value = serde_norway::from_str(rule.source.as_str()).unwrap();
                let examples = doc["vigil_tests"]["match"].as_array().unwrap();
                assert!(
                    examples.iter().any(|e| c.group_key(e).is_some()),
                    "{file}: none of {base}'s examples has a group"
                );
            }
        }
        // Base rules that only feed correlations stay quiet; failed logins still alert.
        assert!(!generates("vigil-api-call-denied"));
        assert!(!generates("vigil-api-call-attributed"));
        assert!(generates("vigil-console-login-failed"));
        assert!(generates("vigil-cloudtrail-logging-stopped"));
    }

    #[test]
    fn every_sequence_names_alerting_rules_and_explains_itself() {
        let singles = rules().unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
        let mut ids: HashSet<String> = singles.iter().map(|r| r.id.clone()).collect();
        ids.extend(correlations().iter().map(|c| c.meta.id.clone()));
        assert!(!SEQUENCE_FILES.is_empty());
        for (file, yaml) in SEQUENCE_FILES {
            let s = compile_sequence(yaml, |_| false).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(ids.insert(s.meta.id.clone()), "duplicate id {}", s.meta.id);
            assert!(s.meta.id.starts_with("vigil-"), "{file}");
            assert!(
                !s.meta.description.is_empty() && s.meta.runbook.is_some(),
                "{file}"
            );
            assert!(!s.meta.techniques().is_empty(), "{file}");
            for step in &s.steps {
                // A step's tags must be carried by a rule that alerts, or it never matches.
                for tag in &step.tags {
                    let mut alerting = singles
                        .iter()
                        .filter(|r| generates(&r.id))
                        .map(|r| &r.meta)
                        .chain(correlations().iter().map(|c| &c.meta));
                    assert!(
                        alerting.any(|m| m.tags.contains(tag)),
                        "{file}: no alerting rule is tagged {tag}"
                    );
                }
            }
        }
        // A rule that only feeds correlations raises no alert to link: refused as a step.
        let quiet = "title: T\nid: t\ncorrelation:\n  type: temporal_ordered\n  rules: [vigil-first-seen-source-ip, vigil-api-call-denied]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n";
        let err = compile_sequence(quiet, |_| false).unwrap_err();
        assert!(err.to_string().contains("`vigil-api-call-denied`"), "{err}");
        assert!(compile_sequence(quiet, |id| id == "vigil-api-call-denied").is_ok());
        assert!(meta_by_id("vigil-sequence-new-origin-recon-then-persistence").is_some());
    }

    #[test]
    fn every_builtin_rule_matches_its_examples_and_only_those() {
        for (name, yaml) in FILES {
            let rule = Rule::compile(yaml).unwrap();
            let doc: Value = serde_norway::from_str(yaml).unwrap();
            let cases = |k: &str| {
                doc["vigil_tests"][k]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            };
            let (good, bad) = (cases("match"), cases("nomatch"));
            assert!(
                !good.is_empty() && !bad.is_empty(),
                "{name}: needs match and nomatch examples"
            );
            for e in &good {
                assert!(rule.matches(e), "{name}: should match {e}");
            }
            for e in &bad {
                assert!(!rule.matches(e), "{name}: should not match {e}");
            }
        }
    }
}
