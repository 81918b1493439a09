#!/usr/bin/env python3
"""A Vigil scan beside Prowler, on the same emulated AWS account, in one run (issue 16).

One AWS emulator (tests/aws), by default **without** the harness's `MOTO_AMIS_PATH`
override (moto's full public AMI set), and a backup-heavy account: `--snapshots` (default
26,000) own snapshots created over its enabled regions, the "many snapshots" account of
issue 16. (Until the emulator honoured `OwnerIds`, moto's AMI backing snapshots, owned by
Amazon, passed for the account's own; they no longer do, as in AWS.) `--small` keeps the
harness's override (one AMI) and creates no extra snapshots, for a quick run.

1. Account 111111111111 is seeded by the demo's seeder (`vigil_emulator.seed`, regions
   us-east-1, eu-west-1, ap-southeast-2: open security groups, a public snapshot per
   region, public AMIs, buckets, RDS, IAM users, a trail...) with the customer role
   `VigilReadOnly` trusting the external ID Vigil generated.
2. Every region's EC2 backend is created before either tool runs (moto builds a region
   lazily, and the first caller would pay for it), and the account's own snapshots are
   counted (`DescribeSnapshots --owner-ids self`).
3. Vigil: the release `vigil-api` and `vigil-worker` against a database of their own
   (created and dropped here), a user signs up, `createAwsAccount`, then
   `verifyAwsAccount` with the role ARN (the demo's onboarding path), which queues the
   first scan. Measured: verify -> scan finished as the API shows it, the scan's own
   `startedAt` -> `finishedAt`, the first finding visible through the API, findings and
   regions. The API and worker are stopped afterwards, so Prowler runs on a quiet machine.
4. Prowler (PyPI `prowler`, in its own virtualenv, created when missing) assumes the same
   role with the same external ID (`--role`, `--external-id`) from the same management
   keys, through `AWS_ENDPOINT_URL`, over the same regions, with the checks that match
   Vigil's rules (MAPPING below). Measured: its wall time.
5. A table of both, the findings of each side per compared check, whether both find the
   seeder's public snapshots and open security groups, the AWS calls each side made (the
   emulator records every call as a CloudTrail event) and what failed.

    cargo build --release -p vigil-api -p vigil-worker
    python3 benches/scan_vs_prowler.py [--small] [--snapshots N] [--bin-dir DIR] [--keep-dir]

With `--parity` (issue 17; docs/coverage.md) Prowler runs every check of the services Vigil
reads (PROWLER_SERVICES) instead of the mapped ones, the rescan is skipped, and the report
lists each Prowler check with a FAIL beside the Vigil rule(s) that test the same thing:
how many of Prowler's failing resources Vigil reports too, the ones it does not, and the
failing checks no Vigil rule maps to. Speed is not the point there, so a debug build will
do: `--bin-dir $CARGO_TARGET_DIR/debug`.

Needs PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
`psql`, and the emulator's virtualenv (.venv; `make venv`, run here when missing).
Standard library only (the emulator's .venv runs the boto3 parts). Logs and Prowler's
output go to a temporary directory, removed at the end unless --keep-dir.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchlib import database_url, psql

ROOT = Path(__file__).resolve().parent.parent
DB = "vigil_bench_vs_prowler"
ACCOUNT = "111111111111"
SEED_REGIONS = "us-east-1,eu-west-1,ap-southeast-2"  # the demo's (scripts/demo_setup.py)
EMAIL = "bench@vigil.example"
PASSWORD = "bench-password-not-secret"
MANAGEMENT_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
PROWLER_VERSION = "5.46.0"
PROWLER_VENV = Path("/var/cache/vigil/prowler-venv")
PROWLER_SESSION = "ProwlerAssessmentSession"  # Prowler's default role session name

#: Vigil's rules (checks/src/services/*/) and the Prowler checks that test the same
#: thing, row by row; the note says where the scopes differ. The speed comparison's 41
#: rules are the first SPEED_ROWS rows, and Prowler gets exactly their checks; `--parity`
#: uses every row.
MAPPING: list[tuple[tuple[str, ...], tuple[str, ...], str]] = [
    (("ec2-snapshot-public",), ("ec2_ebs_public_snapshot",), ""),
    (("ec2-ebs-volume-unencrypted",), ("ec2_ebs_volume_encryption",), ""),
    (("ec2-ebs-default-encryption-off",), ("ec2_ebs_default_encryption",), ""),
    (("ec2-ami-public",), ("ec2_ami_public",), ""),
    (
        ("ec2-instance-imdsv1-public",),
        ("ec2_instance_imdsv2_enabled",),
        "Vigil: internet-facing instances only; Prowler: every instance",
    ),
    (("ec2-sg-ssh-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",), ""),
    (("ec2-sg-rdp-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",), ""),
    (("ec2-sg-mysql-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306",), ""),
    (("ec2-sg-postgres-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432",), ""),
    (("ec2-sg-mssql-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_sql_server_1433_1434",), ""),
    (("ec2-sg-oracle-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_oracle_1521_2483",), ""),
    (("ec2-sg-mongodb-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mongodb_27017_27018",), ""),
    (("ec2-sg-redis-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379",), ""),
    (("ec2-sg-memcached-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_memcached_11211",), ""),
    (
        ("ec2-sg-elasticsearch-open", "ec2-sg-kibana-open"),
        ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_elasticsearch_kibana_9200_9300_5601",),
        "one Prowler check for both",
    ),
    (("ec2-sg-all-ports-open",), ("ec2_securitygroup_allow_ingress_from_internet_to_all_ports",), ""),
    (("ec2-default-sg-allows-traffic",), ("ec2_securitygroup_default_restrict_traffic",), ""),
    (
        ("ec2-nacl-admin-ports-open",),
        (
            "ec2_networkacl_allow_ingress_tcp_port_22",
            "ec2_networkacl_allow_ingress_tcp_port_3389",
            # Every port open to the internet is the admin ports open too: the same NACLs.
            "ec2_networkacl_allow_ingress_any_port",
        ),
        "",
    ),
    (("ec2-vpc-no-flow-logs",), ("vpc_flow_logs_enabled",), ""),
    (("rds-instance-public",), ("rds_instance_no_public_access",), ""),
    (("rds-storage-unencrypted",), ("rds_instance_storage_encrypted",), ""),
    (("rds-snapshot-public",), ("rds_snapshots_public_access",), ""),
    (
        ("cloudtrail-no-multi-region-trail",),
        ("cloudtrail_multi_region_enabled",),
        "Vigil: one per account; Prowler: one per region without a logging trail",
    ),
    (
        ("cloudtrail-trail-not-logging",),
        ("cloudtrail_multi_region_enabled_logging_management_events",),
        "approximate: Prowler asks for a multi-region trail logging management events",
    ),
    (("cloudtrail-log-validation-off",), ("cloudtrail_log_file_validation_enabled",), ""),
    (("cloudtrail-not-kms-encrypted",), ("cloudtrail_kms_encryption_enabled",), ""),
    (("cloudtrail-bucket-public",), ("cloudtrail_logs_s3_bucket_is_not_publicly_accessible",), ""),
    (("iam-root-access-keys",), ("iam_no_root_access_key",), ""),
    (("iam-root-no-mfa",), ("iam_root_mfa_enabled",), ""),
    (("iam-user-console-no-mfa",), ("iam_user_mfa_enabled_console_access",), ""),
    (("iam-access-key-old",), ("iam_rotate_access_key_90_days",), ""),
    (
        ("iam-credentials-unused",),
        ("iam_user_accesskey_unused", "iam_user_console_access_unused"),
        "",
    ),
    (("iam-user-multiple-active-keys",), ("iam_user_two_active_access_key",), ""),
    (("iam-password-policy-length",), ("iam_password_policy_minimum_length_14",), ""),
    (("iam-password-policy-reuse",), ("iam_password_policy_reuse_24",), ""),
    (("iam-policy-admin-star",), ("iam_customer_attached_policy_no_administrative_privileges",), ""),
    (("s3-account-public-access-block-off",), ("s3_account_level_public_access_blocks",), ""),
    (("s3-bucket-public",), ("s3_bucket_public_access",), ""),
    (("s3-bucket-no-tls-only",), ("s3_bucket_secure_transport_policy",), ""),
    (("s3-bucket-no-default-encryption",), ("s3_bucket_default_encryption",), ""),
    # Issue 17: the rules added after the speed comparison (only `--parity` runs these).
    (("kms-key-rotation-disabled",), ("kms_cmk_rotation_enabled",), ""),
    (("kms-key-policy-public",), ("kms_key_not_publicly_accessible",), ""),
    (("kms-key-pending-deletion",), ("kms_cmk_not_deleted_unintentionally",), ""),
    (("config-recorder-not-recording",), ("config_recorder_all_regions_enabled",), ""),
    (("guardduty-not-enabled",), ("guardduty_is_enabled",), ""),
    (("securityhub-not-enabled",), ("securityhub_enabled",), ""),
    (("accessanalyzer-not-enabled",), ("accessanalyzer_enabled",), ""),
    (("ec2-instance-imdsv2-not-required",), ("ec2_instance_imdsv2_enabled",), ""),
    (("ec2-instance-no-iam-role",), ("ec2_instance_profile_attached",), ""),
    (("ec2-eip-unused",), ("ec2_elastic_ip_unassigned",), ""),
    (
        ("ec2-sg-world-port-in-use", "ec2-sg-all-ports-open"),
        ("ec2_securitygroup_allow_ingress_from_internet_to_any_port",),
        "Vigil: groups in use, ports other than 80/443 (FSBP EC2.18's default)",
    ),
    (("ec2-sg-unused",), ("ec2_securitygroup_not_used",), ""),
    (("ec2-instance-public-ip",), ("ec2_instance_public_ip",), ""),
    (
        ("ec2-instance-public-with-instance-profile",),
        ("ec2_instance_internet_facing_with_instance_profile",),
        "",
    ),
    (("ec2-snapshot-unencrypted",), ("ec2_ebs_snapshots_encrypted",), ""),
    (("ec2-ebs-volume-no-snapshot",), ("ec2_ebs_volume_snapshots_exists",), ""),
    (
        ("ec2-subnet-auto-assigns-public-ip",),
        ("vpc_subnet_no_public_ip_by_default",),
        "Vigil: subnets in use (Prowler's default without --scan-unused-services)",
    ),
    (
        ("ec2-vpc-no-ec2-endpoint",),
        ("vpc_endpoint_for_ec2_enabled",),
        "Vigil: VPCs in use (Prowler's default without --scan-unused-services)",
    ),
    (
        ("ec2-vpc-single-az",),
        ("vpc_subnet_different_az",),
        "Vigil: VPCs in use, with subnets",
    ),
    (
        ("ec2-vpc-no-private-subnet",),
        ("vpc_subnet_separate_private_public",),
        "Vigil: VPCs in use with only public subnets (a private-only VPC passes)",
    ),
    (("ec2-sg-cifs-open",), ("ec2_instance_port_cifs_exposed_to_internet",), "Prowler: per instance"),
    (
        ("ec2-instance-public-ports-open",),
        ("ec2_instance_port_ssh_exposed_to_internet", "ec2_instance_port_rdp_exposed_to_internet",
         "ec2_instance_port_mysql_exposed_to_internet", "ec2_instance_port_postgresql_exposed_to_internet"),
        "Vigil: one finding per public instance with non-web ports open",
    ),
    (("rds-automated-backups-disabled",), ("rds_instance_backup_enabled",), ""),
    (("rds-deletion-protection-off",), ("rds_instance_deletion_protection",), ""),
    (("rds-iam-auth-off",), ("rds_instance_iam_authentication_enabled",), ""),
    (("rds-auto-minor-upgrade-off",), ("rds_instance_minor_version_upgrade_enabled",), ""),
    (("rds-instance-not-multi-az",), ("rds_instance_multi_az",), ""),
    (("rds-default-admin-username",), ("rds_instance_default_admin",), ""),
    (("iam-root-virtual-mfa",), ("iam_root_hardware_mfa_enabled",), ""),
    (("iam-no-support-role",), ("iam_support_role_created",), ""),
    (("iam-user-policies-attached",), ("iam_policy_attached_only_to_group_or_roles",), ""),
    (("iam-inline-policy-admin-star",), ("iam_inline_policy_no_administrative_privileges",), ""),
    (("iam-server-certificate-expired",), ("iam_no_expired_server_certificates_stored",), ""),
    (("iam-password-policy-no-numbers",), ("iam_password_policy_number",), "Vigil also fails an account without a password policy"),
    (("iam-password-policy-no-symbols",), ("iam_password_policy_symbol",), "Vigil also fails an account without a password policy"),
    (("iam-password-policy-no-uppercase",), ("iam_password_policy_uppercase",), "Vigil also fails an account without a password policy"),
    (("iam-password-policy-no-lowercase",), ("iam_password_policy_lowercase",), "Vigil also fails an account without a password policy"),
    (
        ("iam-password-policy-no-expiry",),
        ("iam_password_policy_expires_passwords_within_90_days_or_less",),
        "Vigil also fails an account without a password policy",
    ),
    (
        ("iam-aws-managed-policy-admin-attached",),
        ("iam_aws_attached_policy_no_administrative_privileges",),
        "Vigil: `*` on `*` without NotAction (Prowler also counts NotAction-only statements)",
    ),
    (("iam-user-administrator-access",), ("iam_user_administrator_access_policy",), "Vigil: the AWS-managed policy's ARN, not a lookalike name"),
    (
        ("iam-role-administrator-access",),
        ("iam_role_administratoraccess_policy",),
        "Prowler skips roles trusting only services; Vigil only service-linked roles",
    ),
    (
        ("iam-inline-policy-cloudtrail-full-access",),
        ("iam_inline_policy_no_full_access_to_cloudtrail",),
        "Vigil: users' and roles' inline policies (not groups')",
    ),
    (
        ("iam-inline-policy-kms-full-access",),
        ("iam_inline_policy_no_full_access_to_kms",),
        "Vigil: users' and roles' inline policies (not groups')",
    ),
    (
        ("iam-inline-policy-marketplace-subscribe",),
        ("iam_inline_policy_no_wildcard_marketplace_subscribe",),
        "Vigil: users' and roles' inline policies (not groups')",
    ),
    (
        ("iam-user-virtual-mfa", "iam-user-console-no-mfa"),
        ("iam_user_hardware_mfa_enabled",),
        "Prowler also fails users without a password and without MFA; Vigil: virtual MFA, or a console password without MFA",
    ),
    (("iam-user-initial-access-key",), ("iam_user_no_setup_initial_access_key",), ""),
    (
        ("iam-role-service-confused-deputy",),
        ("iam_role_cross_service_confused_deputy_prevention",),
        "Vigil: every non-service-linked role with a service statement, aws:Source* keys only",
    ),
    (("iam-role-cross-account-read-only",), ("iam_role_cross_account_readonlyaccess_policy",), ""),
    (("s3-bucket-versioning-off",), ("s3_bucket_object_versioning",), ""),
    (("s3-bucket-mfa-delete-off",), ("s3_bucket_no_mfa_delete",), ""),
    (("s3-bucket-access-logging-off",), ("s3_bucket_server_access_logging_enabled",), ""),
    (("s3-bucket-acls-enabled",), ("s3_bucket_acl_prohibited",), ""),
    (("cloudtrail-s3-object-writes-not-logged",), ("cloudtrail_s3_dataevents_write_enabled",), ""),
    (("cloudtrail-s3-object-reads-not-logged",), ("cloudtrail_s3_dataevents_read_enabled",), ""),
    (("cloudtrail-no-cloudwatch-logs",), ("cloudtrail_cloudwatch_logging_enabled",), ""),
    (("lambda-function-url-no-auth",), ("awslambda_function_url_public",), ""),
    (("lambda-function-policy-public",), ("awslambda_function_not_publicly_accessible",), ""),
    (("lambda-runtime-deprecated",), ("awslambda_function_using_supported_runtimes",), ""),
    (("lambda-environment-secrets",), ("awslambda_function_no_secrets_in_variables",), ""),
    (("sns-topic-not-encrypted",), ("sns_topics_kms_encryption_at_rest_enabled",), ""),
    (("sns-topic-policy-public",), ("sns_topics_not_publicly_accessible",), ""),
    (("sqs-queue-not-encrypted",), ("sqs_queues_server_side_encryption_enabled",), ""),
    (("sqs-queue-policy-public",), ("sqs_queues_not_publicly_accessible",), ""),
    (("secretsmanager-rotation-disabled",), ("secretsmanager_automatic_rotation_enabled",), ""),
    (("secretsmanager-secret-unused",), ("secretsmanager_secret_unused",), ""),
    (("ecr-scan-on-push-disabled",), ("ecr_repositories_scan_images_on_push_enabled",), ""),
    (("ecr-tags-mutable",), ("ecr_repositories_tag_immutability",), ""),
    (("ecr-no-lifecycle-policy",), ("ecr_repositories_lifecycle_policy_enabled",), ""),
    (("ecr-repository-policy-public",), ("ecr_repositories_not_publicly_accessible",), ""),
    (("dynamodb-pitr-disabled",), ("dynamodb_tables_pitr_enabled",), ""),
    (("dynamodb-deletion-protection-disabled",), ("dynamodb_table_deletion_protection_enabled",), ""),
    (("efs-not-encrypted",), ("efs_encryption_at_rest_enabled",), ""),
    (("efs-backup-disabled",), ("efs_have_backup_enabled",), ""),
    (("efs-access-point-root-directory",), ("efs_access_point_enforce_root_directory",), ""),
    (("efs-access-point-no-user-identity",), ("efs_access_point_enforce_user_identity",), ""),
    (
        ("elbv2-http-not-redirected-to-https",),
        ("elbv2_ssl_listeners",),
        "Prowler also fails internal ALBs; Vigil only internet-facing ones",
    ),
    (("elbv2-outdated-tls-policy",), ("elbv2_insecure_ssl_ciphers",), ""),
    (("elbv2-access-logging-disabled",), ("elbv2_logging_enabled",), ""),
    (("elbv2-deletion-protection-disabled",), ("elbv2_deletion_protection",), ""),
    (("elbv2-invalid-headers-not-dropped",), ("elbv2_alb_drop_invalid_header_fields_enabled",), ""),
    (("ecs-privileged-container",), ("ecs_task_definitions_no_privileged_containers",), ""),
    (("ecs-environment-secrets",), ("ecs_task_definitions_no_environment_secrets",), ""),
    (
        ("ecs-host-network-root-container",),
        ("ecs_task_definitions_host_networking_mode_users",),
        "Vigil also fails a privileged container in host mode; Prowler passes it",
    ),
    (("ecs-root-filesystem-writable",), ("ecs_task_definitions_containers_readonly_access",), ""),
    (("ecs-container-insights-disabled",), ("ecs_cluster_container_insights_enabled",), ""),
    (("eks-endpoint-public",), ("eks_cluster_not_publicly_accessible",), ""),
    (("eks-control-plane-logging-incomplete",), ("eks_control_plane_logging_all_types_enabled",), ""),
    (("eks-secrets-not-encrypted",), ("eks_cluster_kms_cmk_encryption_in_secrets_enabled",), ""),
    (
        ("eks-version-unsupported",),
        ("eks_cluster_uses_a_supported_version",),
        "Vigil: past EKS standard support on the scan's day; Prowler: older than its configured minimum",
    ),
    (("cloudfront-viewer-http-allowed",), ("cloudfront_distributions_https_enabled",), ""),
    (
        ("cloudfront-outdated-viewer-tls",),
        ("cloudfront_distributions_using_deprecated_ssl_protocols",),
        "Prowler judges the origins' SSL protocols; Vigil the viewers' minimum TLS version",
    ),
    (("cloudfront-logging-disabled",), ("cloudfront_distributions_logging_enabled",), ""),
    (
        ("cloudfront-s3-origin-without-access-control",),
        ("cloudfront_distributions_s3_origin_access_control",),
        "Prowler wants an origin access control; Vigil also accepts a legacy origin access identity",
    ),
    (("cloudfront-no-waf",), ("cloudfront_distributions_using_waf",), ""),
    (("cloudfront-no-default-root-object",), ("cloudfront_distributions_default_root_object",), ""),
    (
        ("elasticache-replication-group-not-encrypted-at-rest",),
        ("elasticache_redis_cluster_rest_encryption_enabled",),
        "",
    ),
    (
        ("elasticache-replication-group-not-encrypted-in-transit",),
        ("elasticache_redis_cluster_in_transit_encryption_enabled",),
        "",
    ),
    (
        ("elasticache-replication-group-no-auth",),
        ("elasticache_redis_replication_group_auth_enabled",),
        "",
    ),
    (
        ("elasticache-replication-group-backups-disabled", "elasticache-cluster-backups-disabled"),
        ("elasticache_redis_cluster_backup_enabled",),
        "Prowler: replication groups keeping snapshots under its minimum; Vigil: backups off, on groups and standalone Redis clusters",
    ),
    (
        ("elasticache-replication-group-auto-minor-upgrade-off", "elasticache-cluster-auto-minor-upgrade-off"),
        ("elasticache_redis_cluster_auto_minor_version_upgrades",),
        "Prowler: replication groups; Vigil: groups and standalone clusters",
    ),
    (
        ("elasticache-replication-group-automatic-failover-off",),
        ("elasticache_redis_cluster_automatic_failover_enabled",),
        "",
    ),
    (("redshift-cluster-public",), ("redshift_cluster_public_access",), ""),
    (("redshift-cluster-not-encrypted",), ("redshift_cluster_encrypted_at_rest",), ""),
    (("redshift-cluster-audit-logging-off",), ("redshift_cluster_audit_logging",), ""),
    (
        ("redshift-cluster-automated-snapshots-short",),
        ("redshift_cluster_automated_snapshot",),
        "Prowler: automated snapshots off; Vigil: off or kept under 7 days, as FSBP Redshift.3",
    ),
    (
        ("redshift-cluster-ssl-not-required",),
        ("redshift_cluster_in_transit_encryption_enabled",),
        "",
    ),
    (("redshift-cluster-version-upgrade-off",), ("redshift_cluster_automatic_upgrades",), ""),
    (("redshift-cluster-enhanced-vpc-routing-off",), ("redshift_cluster_enhanced_vpc_routing",), ""),
    (("redshift-cluster-default-admin-username",), ("redshift_cluster_non_default_username",), ""),
    (
        ("redshift-cluster-default-database-name",),
        ("redshift_cluster_non_default_database_name",),
        "",
    ),
    (("redshift-cluster-not-multi-az",), ("redshift_cluster_multi_az_enabled",), ""),
    (
        ("elasticache-replication-group-not-multi-az",),
        ("elasticache_redis_cluster_multi_az_enabled",),
        "",
    ),
    (
        ("dynamodb-table-not-kms-encrypted",),
        ("dynamodb_tables_kms_cmk_encryption_enabled",),
        "both accept the AWS managed key (SSE type KMS); only the AWS owned key fails",
    ),
    (
        ("efs-not-multi-az",),
        ("efs_multi_az_enabled",),
        "Prowler also fails a Regional file system with no mount target; Vigil: One Zone, or a single mount target",
    ),
    (("efs-open-to-any-client",), ("efs_not_publicly_accessible",), ""),
    (("opensearch-slow-logs-disabled",), ("opensearch_service_domains_cloudwatch_logging_enabled",), ""),
    (
        ("opensearch-master-nodes-not-fault-tolerant",),
        ("opensearch_service_domains_fault_tolerant_master_nodes",),
        "",
    ),
    (
        ("rds-instance-transport-not-encrypted",),
        ("rds_instance_transport_encrypted",),
        "Prowler also fails Oracle and Db2 instances (no such parameter) and clusters; Vigil: PostgreSQL, SQL Server, MySQL and MariaDB instances",
    ),
    (("rds-instance-logs-not-exported",), ("rds_instance_integration_cloudwatch_logs",), ""),
    (
        ("rds-instance-enhanced-monitoring-off",),
        ("rds_instance_enhanced_monitoring_enabled",),
        "Prowler reads EnhancedMonitoringResourceArn, which moto never answers; Vigil reads MonitoringInterval",
    ),
    (("rds-instance-copy-tags-to-snapshots-off",), ("rds_instance_copy_tags_to_snapshots",), ""),
    (("rds-instance-default-port",), ("rds_instance_non_default_port",), ""),
    (("rds-instance-engine-version-deprecated",), ("rds_instance_deprecated_engine_version",), ""),
    (("rds-instance-certificate-expiring",), ("rds_instance_certificate_expiration",), ""),
    (("rds-instance-not-in-vpc",), ("rds_instance_inside_vpc",), ""),
    (("rds-snapshot-unencrypted",), ("rds_snapshots_encrypted",), ""),
    (
        ("rds-no-instance-event-subscription",),
        ("rds_instance_critical_event_subscription",),
        "Prowler: every region, a FAIL per subscription not matching; Vigil: regions with DB instances, one finding unless a subscription covers them",
    ),
    (
        ("rds-no-cluster-event-subscription",),
        ("rds_cluster_critical_event_subscription",),
        "Prowler: every region; Vigil: regions with Aurora clusters",
    ),
    (
        ("rds-no-parameter-group-event-subscription",),
        ("rds_instance_event_subscription_parameter_groups",),
        "Prowler: every region; Vigil: regions with DB instances",
    ),
    (
        ("organizations-scps-not-used",),
        ("organizations_scp_check_deny_regions",),
        "approximate: Prowler asks for an SCP denying unused regions; Vigil for any SCP of the organisation's own on the root or an OU",
    ),
    (
        ("organizations-tag-policies-not-attached",),
        ("organizations_tags_policies_enabled_and_attached",),
        "Prowler also fails a member account; Vigil judges the management account only",
    ),
    (("organizations-account-not-in-organization",), ("organizations_account_part_of_organizations",), ""),
    (
        ("organizations-ai-services-opt-out-missing", "organizations-account-not-in-organization"),
        ("organizations_opt_out_ai_services_policy",),
        "Prowler also fails an account in no organisation; Vigil reports that as not in an organisation. Vigil: the policy must be attached to the root",
    ),
    (
        ("cloudtrail-management-events-incomplete",),
        ("cloudtrail_multi_region_enabled_logging_management_events",),
        "Prowler: per region, no logging trail recording read and write management events; Vigil: per multi-region trail",
    ),
    (
        ("ec2-transit-gateway-auto-accepts-attachments",),
        ("ec2_transitgateway_auto_accept_vpc_attachments",),
        "",
    ),
    (
        ("cloudtrail-bucket-object-lock-off",),
        ("s3_bucket_object_lock",),
        "Prowler: every bucket; Vigil: the buckets receiving CloudTrail logs",
    ),
    (("opensearch-domain-public",), ("opensearch_service_domains_not_publicly_accessible",), ""),
    (
        ("opensearch-encryption-at-rest-disabled",),
        ("opensearch_service_domains_encryption_at_rest_enabled",),
        "",
    ),
    (
        ("opensearch-node-to-node-encryption-disabled",),
        ("opensearch_service_domains_node_to_node_encryption_enabled",),
        "",
    ),
    (
        ("opensearch-https-not-enforced",),
        ("opensearch_service_domains_https_communications_enforced",),
        "Prowler: HTTPS enforced; Vigil: HTTPS enforced with a TLS 1.2 policy, as FSBP OpenSearch.8",
    ),
    (("opensearch-audit-logging-disabled",), ("opensearch_service_domains_audit_logging_enabled",), ""),
    (
        ("opensearch-fine-grained-access-control-disabled",),
        ("opensearch_service_domains_access_control_enabled",),
        "",
    ),
    (
        ("opensearch-data-nodes-not-fault-tolerant",),
        ("opensearch_service_domains_fault_tolerant_data_nodes",),
        "",
    ),
    (
        ("acm-certificate-expiring", "acm-certificate-expired-in-use"),
        ("acm_certificates_expiration_check",),
        "Prowler: within 7 days (its default) or expired, certificates in use; Vigil: within 30 days, or expired and in use",
    ),
    (("acm-certificate-rsa-key-weak",), ("acm_certificates_with_secure_key_algorithms",), ""),
    (
        ("acm-certificate-transparency-logging-disabled",),
        ("acm_certificates_transparency_logs_enabled",),
        "Prowler: any opted-out certificate; Vigil: one issued before ACM ended the opt-out (12 June 2026)",
    ),
    (
        ("apigateway-stage-execution-logging-disabled",),
        ("apigateway_restapi_logging_enabled",),
        "Prowler: some method logs; Vigil: every method logs (ERROR or INFO), as FSBP APIGateway.1",
    ),
    (("apigateway-stage-xray-tracing-disabled",), ("apigateway_restapi_tracing_enabled",), ""),
    (("apigateway-stage-no-waf",), ("apigateway_restapi_waf_acl_attached",), ""),
    (("apigateway-stage-cache-not-encrypted",), ("apigateway_restapi_cache_encrypted",), ""),
    (
        ("apigateway-method-without-authorization",),
        ("apigateway_restapi_authorizers_enabled",),
        "Prowler also fails a CORS pre-flight OPTIONS without authorisation; Vigil does not judge OPTIONS",
    ),
    (("apigateway-stage-no-client-certificate",), ("apigateway_restapi_client_certificate_enabled",), ""),
    (
        ("apigateway-method-without-authorization",),
        ("apigateway_restapi_public_with_authorizer",),
        "Prowler: a public API with no authorizer object (IAM-signed methods need none, so it fails them); Vigil: methods whose authorisation type is NONE",
    ),
    (("guardduty-s3-protection-disabled",), ("guardduty_s3_protection_enabled",), ""),
    (("guardduty-eks-audit-logs-disabled",), ("guardduty_eks_audit_log_enabled",), ""),
    (("guardduty-eks-runtime-monitoring-disabled",), ("guardduty_eks_runtime_monitoring_enabled",), ""),
    (("guardduty-ec2-malware-protection-disabled",), ("guardduty_ec2_malware_protection_enabled",), ""),
    (("guardduty-lambda-protection-disabled",), ("guardduty_lambda_protection_enabled",), ""),
    (("guardduty-rds-protection-disabled",), ("guardduty_rds_protection_enabled",), ""),
    (
        ("ecr-registry-scan-on-push-disabled",),
        ("ecr_registry_scan_images_on_push_enabled",),
        "Vigil: the rule that covers every repository must itself scan on push or continuously",
    ),
    (("ecr-registry-enhanced-scanning-off",), ("ecr_registry_enhanced_scanning_enabled",), ""),
    (
        ("ecs-task-definition-logging-disabled",),
        ("ecs_task_definitions_logging_enabled",),
        "Prowler: every active revision; Vigil: each family's latest active revision",
    ),
    (("eks-endpoint-private-access-disabled",), ("eks_cluster_private_nodes_enabled",), ""),
    (
        ("cloudfront-origin-traffic-unencrypted",),
        ("cloudfront_distributions_origin_traffic_encrypted",),
        "Prowler: the default behaviour's viewer policy for every origin; Vigil: the behaviours forwarding to each origin",
    ),
    (
        ("cloudfront-s3-origin-bucket-missing",),
        ("cloudfront_distributions_s3_origin_non_existent_bucket",),
        "Vigil also judges custom origins naming an S3 website endpoint",
    ),
    (
        ("route53-public-zone-query-logging-disabled",),
        ("route53_public_hosted_zones_cloudwatch_logging_enabled",),
        "",
    ),
    (("route53-domain-transfer-lock-disabled",), ("route53_domains_transferlock_enabled",), ""),
    (
        ("route53-domain-contact-privacy-disabled",),
        ("route53_domains_privacy_protection_enabled",),
        "Prowler: the admin contact; Vigil: admin, registrant and technical contacts",
    ),
    # CIS v5.0 4.1-4.15: a metric filter and an alarm on a trail's log group.
    (
        ("cloudwatch-no-alarm-unauthorized-api-calls",),
        ("cloudwatch_log_metric_filter_unauthorized_api_calls",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-console-sign-in-without-mfa",),
        ("cloudwatch_log_metric_filter_sign_in_without_mfa",),
        "",
    ),
    (("cloudwatch-no-alarm-root-usage",), ("cloudwatch_log_metric_filter_root_usage",), ""),
    (
        ("cloudwatch-no-alarm-iam-policy-changes",),
        ("cloudwatch_log_metric_filter_policy_changes",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-cloudtrail-changes",),
        ("cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-console-auth-failures",),
        ("cloudwatch_log_metric_filter_authentication_failures",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-cmk-disable-or-deletion",),
        ("cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-s3-bucket-policy-changes",),
        ("cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-config-changes",),
        ("cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-security-group-changes",),
        ("cloudwatch_log_metric_filter_security_group_changes",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-nacl-changes",),
        ("cloudwatch_changes_to_network_acls_alarm_configured",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-network-gateway-changes",),
        ("cloudwatch_changes_to_network_gateways_alarm_configured",),
        "",
    ),
    (
        ("cloudwatch-no-alarm-route-table-changes",),
        ("cloudwatch_changes_to_network_route_tables_alarm_configured",),
        "",
    ),
    (("cloudwatch-no-alarm-vpc-changes",), ("cloudwatch_changes_to_vpcs_alarm_configured",), ""),
    (
        ("cloudwatch-no-alarm-organizations-changes",),
        ("cloudwatch_log_metric_filter_aws_organizations_changes",),
        "",
    ),
    # S3, CloudTrail, CloudWatch Logs, Lambda and Secrets Manager parity (issue 17).
    (
        ("s3-bucket-public-access-block-off",),
        ("s3_bucket_level_public_access_block",),
        "Vigil wants all four settings (FSBP S3.8) on the bucket or the account; Prowler two",
    ),
    (
        ("s3-bucket-acl-public-list",),
        ("s3_bucket_public_list_acl",),
        "Prowler also counts READ_ACP, which lists no object",
    ),
    (
        ("s3-bucket-policy-cross-account", "s3-bucket-public"),
        ("s3_bucket_cross_account_access",),
        "Prowler's check covers everyone (`*`) too: Vigil's s3-bucket-public reports it",
    ),
    (("s3-bucket-not-kms-encrypted",), ("s3_bucket_kms_encryption",), ""),
    (("s3-bucket-no-lifecycle-rules",), ("s3_bucket_lifecycle_enabled",), ""),
    (("s3-bucket-no-event-notifications",), ("s3_bucket_event_notifications_enabled",), ""),
    (
        ("s3-bucket-no-cross-region-replication",),
        ("s3_bucket_cross_region_replication",),
        "A destination outside the account: Vigil not assessed, Prowler MANUAL",
    ),
    (
        ("cloudtrail-bucket-access-logging-off",),
        ("cloudtrail_logs_s3_bucket_access_logging_enabled",),
        "Vigil names the bucket, Prowler each trail delivering there",
    ),
    (
        ("cloudtrail-bucket-mfa-delete-off",),
        ("cloudtrail_bucket_requires_mfa_delete",),
        "Vigil names the bucket, Prowler each trail delivering there",
    ),
    (
        ("cloudtrail-insights-off",),
        ("cloudtrail_insights_exist",),
        "Vigil: the account, unless a logging multi-region trail has Insights; Prowler: each logging trail",
    ),
    (
        ("cloudwatch-log-group-not-kms-encrypted",),
        ("cloudwatch_log_group_kms_encryption_enabled",),
        "",
    ),
    (
        ("lambda-environment-not-cmk-encrypted",),
        ("awslambda_function_env_vars_not_encrypted_with_cmk",),
        "",
    ),
    (("lambda-function-not-in-vpc",), ("awslambda_function_inside_vpc",), ""),
    (
        ("lambda-invocations-not-logged",),
        ("awslambda_function_invoke_api_operations_cloudtrail_logging_enabled",),
        "Vigil: logging trails covering the function's region; Prowler: any trail",
    ),
    (
        ("secretsmanager-secret-not-rotated-90-days", "secretsmanager-rotation-disabled"),
        ("secretsmanager_secret_rotated_periodically",),
        "Prowler fails a secret never rotated however new; Vigil after 90 days, or at once when rotation is off",
    ),
    (
        ("secretsmanager-policy-allows-other-accounts",),
        ("secretsmanager_has_restrictive_resource_policy",),
        "Prowler also fails a secret without a policy, or whose policy lacks its explicit deny; Vigil only grants to other accounts or everyone",
    ),
]
#: The rows of the speed comparison (the first 41 rules): the default run's Prowler checks.
SPEED_ROWS = 40
#: Prowler's names of the services Vigil reads (checks/src/services/*/): `--parity` runs
#: every Prowler check of these.
PROWLER_SERVICES = [
    "ec2", "vpc", "s3", "iam", "rds", "cloudtrail", "kms", "config", "guardduty", "securityhub",
    "accessanalyzer", "awslambda", "sns", "sqs", "secretsmanager", "ecr", "dynamodb", "efs",
    "elbv2", "ecs", "eks", "cloudfront", "apigateway", "route53",
    "elasticache", "redshift", "organizations",
    "opensearch", "acm", "cloudwatch",
]

#: Rows whose findings are "a security group open to the internet".
OPEN_SG_RULES = {
    r for rules, _, _ in MAPPING[:SPEED_ROWS] for r in rules if r.startswith("ec2-sg-")
}
OPEN_SG_CHECKS = {
    c
    for rules, checks, _ in MAPPING[:SPEED_ROWS]
    if any(r.startswith("ec2-sg-") for r in rules)
    for c in checks
}

#: Runs in the emulator's .venv (boto3): the account's enabled regions as Vigil reads them
#: (DescribeRegions, opt-in not required or opted in), and its own snapshots per region
#: (which also makes moto build every region's EC2 backend before either tool runs).
SNAPSHOT_COUNT = r"""
import json, sys, boto3
endpoint, account, external_id = sys.argv[1:4]
base = boto3.Session(region_name="us-east-1")
creds = base.client("sts", endpoint_url=endpoint).assume_role(
    RoleArn=f"arn:aws:iam::{account}:role/VigilReadOnly", RoleSessionName="bench-count",
    ExternalId=external_id)["Credentials"]
session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
regions = sorted(r["RegionName"] for r in session.client(
    "ec2", endpoint_url=endpoint, region_name="us-east-1").describe_regions()["Regions"]
    if r.get("OptInStatus") in (None, "opt-in-not-required", "opted-in"))
counts = {}
for region in regions:
    ec2 = session.client("ec2", endpoint_url=endpoint, region_name=region)
    counts[region] = sum(len(p["Snapshots"]) for p in
        ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]))
print(json.dumps({"regions": regions, "snapshots": counts}))
"""

#: A backup-heavy account: `count` own snapshots spread evenly over the enabled regions (one
#: volume per region, snapshots taken concurrently), through the account's own admin role.
BACKUPS = r"""
import json, sys, boto3
from concurrent.futures import ThreadPoolExecutor
from vigil_emulator.sessions import account_session
endpoint, account, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
session = account_session(endpoint, account, "bench-backups")
regions = sorted(r["RegionName"] for r in session.client(
    "ec2", endpoint_url=endpoint, region_name="us-east-1").describe_regions()["Regions"]
    if r.get("OptInStatus") in (None, "opt-in-not-required", "opted-in"))
clients = {r: session.client("ec2", endpoint_url=endpoint, region_name=r) for r in regions}
volumes = {r: c.create_volume(AvailabilityZone=r + "a", Size=8)["VolumeId"] for r, c in clients.items()}
def snap(i):
    region = regions[i % len(regions)]
    clients[region].create_snapshot(VolumeId=volumes[region], Description=f"nightly backup {i}")
with ThreadPoolExecutor(8) as pool:
    list(pool.map(snap, range(count)))
print(json.dumps({"regions": len(regions), "snapshots": count}))
"""

#: Starts the emulator with moto's default AMIs: the emulator sets MOTO_AMIS_PATH (to its
#: one-AMI file) when it is not set, and moto reads both the variable's presence and the
#: file when its EC2 models are imported. Import them first, without the variable, then
#: take it away again before any region's backend is built.
DEFAULT_AMIS_LAUNCHER = r"""
import os, sys
os.environ.pop("MOTO_AMIS_PATH", None)
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
import moto.ec2.models.amis
import vigil_emulator.__main__ as emulator
os.environ.pop("MOTO_AMIS_PATH", None)
sys.exit(emulator.main(sys.argv[1:]))
"""


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- processes: every one started here is stopped, whatever way the run ends -----------


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: the child gets SIGTERM when this process dies, even by SIGKILL.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Processes:
    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], **kwargs: Any) -> subprocess.Popen:
        proc = subprocess.Popen(args, preexec_fn=_die_with_parent, **kwargs)
        self.started.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 15) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdin:
            proc.stdin.close()

    def stop_all(self) -> None:
        for _, proc in reversed(self.started):
            self.stop(proc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- PostgreSQL, HTTP, GraphQL ------------------------------------------------------------


def http(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 120) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw.strip() else None


def wait_http(url: str, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {timeout:.0f} s")


class Api:
    """The GraphQL API as the signed-up user; logs in again before the 15-minute token ends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token = ""
        self.token_at = 0.0

    def signup(self) -> None:
        out = http(
            "POST",
            f"{self.url}/api/v1/auth/signup",
            {"email": EMAIL, "password": PASSWORD, "organization": "Bench vs Prowler"},
        )
        self.token, self.token_at = out["access_token"], time.monotonic()

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if time.monotonic() - self.token_at > 600:
            out = http("POST", f"{self.url}/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
            self.token, self.token_at = out["access_token"], time.monotonic()
        out = http("POST", f"{self.url}/graphql", {"query": query, "variables": variables}, self.token)
        if out.get("errors"):
            raise SystemExit(f"GraphQL error: {json.dumps(out['errors'])[:800]}")
        return out["data"]


CREATE = "mutation($n: String!) { createAwsAccount(input: { name: $n }) { id externalId } }"
VERIFY = """mutation($id: ID!, $arn: String!) {
  verifyAwsAccount(id: $id, roleArn: $arn) { id status accountId error }
}"""
START = """mutation($id: ID!, $incremental: Boolean) { startScan(awsAccountId: $id, incremental: $incremental) { id } }"""
READ_AT = """query($id: ID!) { awsAccount(id: $id) { activityReadAt } }"""
#: Incremental rescans count write calls dated up to this much before a region's full read
#: (worker `RescanLimits::read_margin`): the bench lets the freshly built account be quiet
#: that long before the first scan, as a real account between two scheduled scans is.
READ_MARGIN_S = 60
POLL = """query($id: ID!, $f: FindingFilter) {
  awsAccount(id: $id) {
    status error
    lastScan {
      id status startedAt finishedAt regionsDone regionsTotal regionsUnchanged findingsOpened resourcesSeen error
      problems { region service operation message }
    }
  }
  findings(first: 1, filter: $f) { totalCount }
}"""
FINDINGS = """query($f: FindingFilter, $after: String) {
  findings(first: 100, after: $after, filter: $f) {
    pageInfo { hasNextPage endCursor }
    edges { node { ruleId region resourceId } }
  }
}"""


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---- the emulator's records ------------------------------------------------------------


def emulator_records(endpoint: str) -> list[dict[str, Any]]:
    return http("GET", f"{endpoint}/_vigil/events?accountId={ACCOUNT}", timeout=600)["records"]


def call_counts(records: list[dict[str, Any]]) -> collections.Counter:
    return collections.Counter(
        f"{r.get('eventSource', '?').split('.')[0]}:{r.get('eventName', '?')}" for r in records
    )


def ec2_regions(records: list[dict[str, Any]]) -> set[str]:
    """The regions whose EC2 API a side called (the regions it really scanned)."""
    return {r.get("awsRegion", "?") for r in records if r.get("eventSource") == "ec2.amazonaws.com"}


def span_seconds(records: list[dict[str, Any]], event_name: str) -> float | None:
    """First to last call of one operation (CloudTrail times, to the second)."""
    times = [
        dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        for r in records
        if r.get("eventName") == event_name and r.get("eventTime")
    ]
    return (max(times) - min(times)).total_seconds() if times else None


def not_implemented(log: Path, start: int) -> tuple[collections.Counter, int]:
    """moto's NotImplementedError actions in the emulator's log from byte `start` on."""
    with open(log, "rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    found = collections.Counter(re.findall(r"NotImplementedError: The (\w+) action has not been implemented", text))
    return found, start + len(text.encode())


# ---- Prowler ---------------------------------------------------------------------------


def ensure_prowler(venv: Path, version: str) -> str:
    python = venv / "bin" / "python"
    probe = "import importlib.metadata as m; print(m.version('prowler'))"
    have = ""
    if python.exists():
        out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
        have = out.stdout.strip() if out.returncode == 0 else ""
    if have != version:
        say(f"installing prowler=={version} into {venv} (found: {have or 'none'})")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"prowler=={version}"], check=True)
        have = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    return have


def prowler_problems(stdout: Path) -> collections.Counter:
    """What Prowler printed as errors, grouped: the operation or endpoint that failed and why."""
    found: collections.Counter = collections.Counter()
    text = re.sub(r"\x1b\[[0-9;]*m", "", stdout.read_text(errors="replace"))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r"\[Module: (\w+)\]\s+ERROR: (.*)", line)
        if not m:
            continue
        module, message = m.groups()
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if c := re.search(r"Could not connect to the endpoint URL: \"(http://[^/\"]+)(/[^\"?]*)?", message):
            host = re.sub(r":\d+$", ":PORT", c.group(1))
            found[f"{module}: cannot connect to {host}{c.group(2) or ''}"] += 1
        elif c := re.search(r"\((\w+)\) when calling the (\w+) operation", message):
            found[f"{module}: {c.group(2)} -> {c.group(1)}"] += 1
        elif "emulator error" in message + following:
            where = re.search(r"\[File: ([\w.]+:\d+)\]", line)
            found[f"{module}: emulator error at {where.group(1) if where else '?'} (a call moto does not implement)"] += 1
        else:
            message = re.sub(r"^[a-z]+-[a-z]+-[0-9] -- ", "", message)
            found[f"{module}: {message[:120]}"] += 1
    return found


def prowler_scan_seconds(stdout: Path) -> float | None:
    """The duration on Prowler's own progress bar ("Scan completed! ... in 2:41.9" or "in 15.2s")."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stdout.read_text(errors="replace"))
    found = re.findall(r"\] in (?:(\d+):)?(\d+(?:\.\d+)?)s?", text)
    if not found:
        return None
    minutes, seconds = found[-1]
    return int(minutes or 0) * 60 + float(seconds)


def resource_key(uid: str) -> str:
    """An ARN or ID down to the ID (sg-..., snap-..., bucket, user, ...)."""
    return uid.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


# ---- the run ---------------------------------------------------------------------------



def wait_for_scan(api: Any, connection: str, t0: float, worker_proc: Any, work: Path,
                  timeout_min: float) -> tuple[dict[str, Any], dict[str, Any], float | None, float | None]:
    """Polls the connection's last scan until it ends: (scan, last poll, seconds from t0 to
    the first finding visible, seconds to every region collected)."""
    first_finding = collected = None
    last_done = -1
    deadline = t0 + timeout_min * 60
    while True:
        data = api.graphql(POLL, {"id": connection, "f": {"awsAccountId": connection}})
        now = time.monotonic() - t0
        scan = data["awsAccount"]["lastScan"]
        if first_finding is None and data["findings"]["totalCount"] > 0:
            first_finding = now
        if scan:
            if scan["regionsTotal"] and scan["regionsDone"] >= scan["regionsTotal"] and collected is None:
                collected = now
            if scan["regionsDone"] != last_done:
                last_done = scan["regionsDone"]
                say(f"  {now:6.0f} s  {scan['status']}  regions {scan['regionsDone']}/{scan['regionsTotal']}")
            if scan["status"] in ("SUCCEEDED", "PARTIAL", "FAILED"):
                return scan, data, first_finding, collected
        if worker_proc.poll() is not None:
            raise SystemExit(f"vigil-worker exited; see {work / 'worker.log'}")
        if time.monotonic() > deadline:
            raise SystemExit(f"the scan did not finish within {timeout_min:.0f} min")
        time.sleep(0.5)

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "/var/cache/vigil/target")
    parser.add_argument("--bin-dir", default=f"{target}/release", help="where vigil-api and vigil-worker are")
    parser.add_argument("--small", action="store_true", help="keep the harness's one-AMI override (quick run)")
    parser.add_argument("--snapshots", type=int, default=26_000,
                        help="own snapshots to create in the account (default 26,000; 0 with --small)")
    parser.add_argument("--prowler-venv", type=Path, default=PROWLER_VENV)
    parser.add_argument("--prowler-version", default=PROWLER_VERSION)
    parser.add_argument("--timeout", type=float, default=45, help="minutes each side may take (default 45)")
    parser.add_argument("--keep-dir", action="store_true", help="keep the logs and Prowler's output")
    parser.add_argument("--parity", action="store_true",
                        help="run every Prowler check of the services Vigil covers (not only the "
                             "mapped ones), skip the rescan, and report each misconfiguration "
                             "Prowler finds beside Vigil's findings (docs/coverage.md)")
    args = parser.parse_args()

    bins = {name: Path(args.bin_dir) / name for name in ("vigil-api", "vigil-worker")}
    for name, path in bins.items():
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} not found: cargo build --release -p vigil-api -p vigil-worker")
    py = ROOT / ".venv" / "bin" / "python"
    probe = subprocess.run(
        [str(py), "-c", "import vigil_emulator.seed, boto3"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests" / "aws")},
        capture_output=True,
    ) if py.exists() else None
    if probe is None or probe.returncode != 0:
        say("creating the emulator's virtualenv (make venv)")
        subprocess.run(["make", "-s", "-C", str(ROOT), "venv"], check=True)
    prowler_version = ensure_prowler(args.prowler_venv, args.prowler_version)

    work = Path(tempfile.mkdtemp(prefix="vigil-vs-prowler-"))
    procs = Processes()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result: dict[str, Any] = {"prowler_version": prowler_version, "small": args.small, "parity": args.parity}
    try:
        run(args, bins, py, work, procs, result)
    finally:
        procs.stop_all()
        try:
            psql(f'drop database if exists "{DB}" with (force)')
        except subprocess.CalledProcessError as error:
            say(f"could not drop {DB}: {error.stderr.strip()}")
        if args.keep_dir:
            say(f"logs and Prowler's output kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.parity:
        parity_report(result)
    else:
        report(result)
    return 0


def run(args: argparse.Namespace, bins: dict[str, Path], py: Path, work: Path, procs: Processes, result: dict[str, Any]) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_AMIS_PATH"}
    emulator_env = {**clean, "PYTHONPATH": str(ROOT / "tests" / "aws")}

    # ---- emulator -------------------------------------------------------------------------
    emulator_log = work / "emulator.log"
    if args.small:
        command = [str(py), "-m", "vigil_emulator"]
    else:
        command = [str(py), "-c", DEFAULT_AMIS_LAUNCHER]
    emulator = procs.start(
        "emulator",
        [*command, "--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"],
        env=emulator_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=open(emulator_log, "wb"),
    )
    line = emulator.stdout.readline().decode()
    if not line.startswith("VIGIL_EMULATOR_LISTENING port="):
        raise SystemExit(f"the emulator did not start (first line {line!r}); see {emulator_log}")
    endpoint = f"http://127.0.0.1:{int(line.strip().split('=')[1])}"
    wait_http(f"{endpoint}/_vigil/health", emulator, 30, "the emulator")
    say(f"emulator at {endpoint} ({'one AMI (--small)' if args.small else 'moto default AMIs'})")

    # ---- Vigil's API and worker -----------------------------------------------------------
    psql(f'drop database if exists "{DB}" with (force)')
    psql(f'create database "{DB}"')
    listen = f"127.0.0.1:{free_port()}"
    api_url = f"http://{listen}"
    service_env = {
        **clean,
        "DATABASE_URL": database_url(DB),
        "VIGIL_ENV": "dev",
        "VIGIL_LISTEN": listen,
        "VIGIL_PUBLIC_URL": api_url,
        "VIGIL_MIGRATE_ON_START": "false",
        # Only the scan and ingestion queued by verifyAwsAccount: no second scan or
        # ingestion starts during a long run (the demo uses 10m and 1m).
        "VIGIL_SCAN_INTERVAL": "1h",
        "VIGIL_INGEST_INTERVAL": "1h",
        "VIGIL_SHUTDOWN_GRACE": "5s",
        "VIGIL_AUTH_RATE_LIMIT": "1000",
        "VIGIL_GRAPHQL_RATE_LIMIT": "1000000",
        **MANAGEMENT_KEYS,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint,
    }
    subprocess.run([str(bins["vigil-api"]), "migrate"], env=service_env, check=True, capture_output=True)
    api_proc = procs.start(
        "vigil-api", [str(bins["vigil-api"]), "serve"], env=service_env,
        stdout=open(work / "api.log", "wb"), stderr=subprocess.STDOUT,
    )
    worker_proc = procs.start(
        "vigil-worker", [str(bins["vigil-worker"])], env=service_env,
        stdout=open(work / "worker.log", "wb"), stderr=subprocess.STDOUT,
    )
    wait_http(f"{api_url}/readyz", api_proc, 60, "vigil-api")
    if worker_proc.poll() is not None:
        raise SystemExit(f"vigil-worker exited; see {work / 'worker.log'}")

    api = Api(api_url)
    api.signup()
    created = api.graphql(CREATE, {"n": "bench"})["createAwsAccount"]
    connection, external_id = created["id"], created["externalId"]

    # ---- seed, warm up, count -------------------------------------------------------------
    started = time.monotonic()
    with open(work / "seed.json", "wb") as out:
        subprocess.run(
            [str(py), "-m", "vigil_emulator.seed", "--endpoint", endpoint, "--regions", SEED_REGIONS,
             "--account", ACCOUNT, "--role-external-id", f"{ACCOUNT}={external_id}"],
            env=emulator_env, stdout=out, check=True, timeout=900,
        )
    seed = json.loads((work / "seed.json").read_text())["accounts"][ACCOUNT]
    role_arn = seed["iam"]["roles"]["VigilReadOnly"]
    say(f"seeded {ACCOUNT} ({SEED_REGIONS}) in {time.monotonic() - started:.0f} s")

    backups = 0 if args.small else args.snapshots
    if backups:
        started = time.monotonic()
        subprocess.run([str(py), "-c", BACKUPS, endpoint, ACCOUNT, str(backups)],
                       env={**emulator_env, **MANAGEMENT_KEYS}, capture_output=True, text=True, check=True)
        say(f"{backups:,} backup snapshots created in {time.monotonic() - started:.0f} s")
    seeded_at = time.monotonic()
    started = time.monotonic()
    counted = json.loads(subprocess.run(
        [str(py), "-c", SNAPSHOT_COUNT, endpoint, ACCOUNT, external_id],
        env={**emulator_env, **MANAGEMENT_KEYS}, capture_output=True, text=True, check=True,
    ).stdout)
    regions = counted["regions"]
    result["regions"] = regions
    result["snapshots"] = sum(counted["snapshots"].values())
    result["snapshot_listing_s"] = time.monotonic() - started
    say(f"{result['snapshots']:,} own snapshots over {len(regions)} regions "
        f"(listed and every region's EC2 backend built in {result['snapshot_listing_s']:.0f} s)")
    result["seeded_public_snapshots"] = {
        r["snapshots"]["snap-public"] for r in seed["regions"].values() if "snap-public" in r["snapshots"]
    }
    result["seeded_open_sgs"] = {
        sg for r in seed["regions"].values() for name, sg in r["securityGroups"].items() if name.startswith("open-")
    }

    quiet = READ_MARGIN_S + 1 - (time.monotonic() - seeded_at)
    if quiet > 0 and not args.parity:  # only the rescan needs it
        say(f"letting the account be quiet for {quiet:.0f} s (the rescan's read margin)")
        time.sleep(quiet)
    records_before = len(emulator_records(endpoint))
    log_at = emulator_log.stat().st_size

    # ---- Vigil ----------------------------------------------------------------------------
    say("Vigil: verifyAwsAccount, then waiting for the first scan")
    verify_utc = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    verified = api.graphql(VERIFY, {"id": connection, "arn": role_arn})["verifyAwsAccount"]
    if verified["status"] != "CONNECTED":
        raise SystemExit(f"verifyAwsAccount: {verified['status']}: {verified.get('error')}")
    scan, data, first_finding, collected = wait_for_scan(api, connection, t0, worker_proc, work, args.timeout)
    vigil_wall = time.monotonic() - t0
    if first_finding is None:
        first_finding = vigil_wall if data["findings"]["totalCount"] else None
    findings: list[dict[str, str]] = []
    after = None
    while True:
        page = api.graphql(FINDINGS, {"f": {"awsAccountId": connection, "status": ["OPEN"]}, "after": after})["findings"]
        findings += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    started_at, finished_at = parse_time(scan["startedAt"]), parse_time(scan["finishedAt"])
    result["vigil"] = {
        "status": scan["status"],
        "error": scan.get("error"),
        "wall_s": vigil_wall,
        "queued_s": (started_at - verify_utc).total_seconds(),
        "scan_s": (finished_at - started_at).total_seconds(),
        "collected_s": collected,
        "first_finding_s": first_finding,
        "regions": scan["regionsTotal"],
        "resources": scan["resourcesSeen"],
        "findings": findings,
        "problems": scan["problems"],
    }
    say(f"Vigil: {scan['status']} after {vigil_wall:.1f} s, {len(findings)} open findings")
    if not args.parity:
        rescan(api, connection, scan, worker_proc, work, args, result)
    # Vigil's processes stop here: Prowler runs on a machine where nothing else of the bench works.
    procs.stop(worker_proc)
    procs.stop(api_proc)
    records = emulator_records(endpoint)
    result["vigil"]["calls"] = call_counts(records[records_before:])
    result["vigil"]["ec2_regions"] = ec2_regions(records[records_before:])
    result["vigil"]["attribute_span_s"] = span_seconds(records[records_before:], "DescribeSnapshotAttribute")
    result["vigil"]["not_implemented"], log_at = not_implemented(emulator_log, log_at)
    records_before = len(records)
    del records
    run_prowler(args, endpoint, emulator_log, log_at, records_before, regions, role_arn, external_id,
                work, procs, result)


def rescan(api: Any, connection: str, scan: dict[str, Any], worker_proc: Any, work: Path,
           args: argparse.Namespace, result: dict[str, Any]) -> None:
    """Measures an incremental rescan of the unchanged account."""
    # A rescan of the unchanged account, as the scheduler would start it: incremental, after
    # an ingestion of the account's activity (the bench's scheduler interval is an hour, so
    # the next ingestion is made due now, as the demo's one-minute interval would).
    first_id = scan["id"]
    psql("update aws_accounts set next_ingest_at = now()", DB)
    deadline = time.monotonic() + 300
    while True:
        read_at = api.graphql(READ_AT, {"id": connection})["awsAccount"]["activityReadAt"]
        # After the scan's end, not its start: the connect-time ingestion may start with
        # the scan, yet before the instant its regions' reads are dated.
        if read_at and parse_time(read_at) > parse_time(scan["finishedAt"]):
            break
        if time.monotonic() > deadline or worker_proc.poll() is not None:
            raise SystemExit(f"no ingestion after the first scan; see {work / 'worker.log'}")
        time.sleep(0.5)
    t1 = time.monotonic()
    api.graphql(START, {"id": connection, "incremental": True})
    while True:
        again, *_ = wait_for_scan(api, connection, t1, worker_proc, work, args.timeout)
        if again["id"] != first_id:
            break
        time.sleep(0.2)
    result["vigil"]["rescan_wall_s"] = time.monotonic() - t1
    rs, rf = parse_time(again["startedAt"]), parse_time(again["finishedAt"])
    result["vigil"]["rescan_s"] = (rf - rs).total_seconds()
    result["vigil"]["rescan_unchanged"] = again["regionsUnchanged"]
    say(f"Vigil rescan: {again['status']} after {result['vigil']['rescan_wall_s']:.1f} s")


def run_prowler(args: argparse.Namespace, endpoint: str, emulator_log: Path, log_at: int,
                records_before: int, regions: list[str], role_arn: str, external_id: str,
                work: Path, procs: Processes, result: dict[str, Any]) -> None:
    """Prowler on the same account through the same role: the mapped checks, or with
    `--parity` every check of the services Vigil covers."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_AMIS_PATH"}
    out_dir = work / "prowler"
    out_dir.mkdir()
    aws_config = work / "aws-config"
    aws_config.write_text("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n")
    prowler_env = {
        **clean,
        **MANAGEMENT_KEYS,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    checks = [c for _, cs, _ in MAPPING[:SPEED_ROWS] for c in cs]
    selection = ["--services", *PROWLER_SERVICES] if args.parity else ["--checks", *checks]
    command = [
        str(args.prowler_venv / "bin" / "prowler"), "aws",
        *selection,
        "--region", *regions,
        "--role", role_arn, "--external-id", external_id,
        "-M", "json-ocsf", "-o", str(out_dir), "-F", "prowler",
        # Vigil checks every resource; Prowler by default skips unused ones (security
        # groups no interface uses, VPCs without ENIs, regions without volumes...).
        "--scan-unused-services",
        "--no-banner", "--ignore-exit-code-3",
        "--log-level", "ERROR",
    ]
    say(f"Prowler {result['prowler_version']}: "
        f"{'services ' + ' '.join(PROWLER_SERVICES) if args.parity else f'{len(checks)} checks'} "
        f"over {len(regions)} regions")
    t0 = time.monotonic()
    with open(work / "prowler.out", "wb") as out:
        proc = procs.start("prowler", command, env=prowler_env, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=args.timeout * 60)
        except subprocess.TimeoutExpired:
            procs.stop(proc)
            raise SystemExit(f"Prowler did not finish within {args.timeout:.0f} min") from None
    prowler_wall = time.monotonic() - t0
    if code != 0:
        tail = (work / "prowler.out").read_text(errors="replace")[-3000:]
        raise SystemExit(f"Prowler exited with {code}:\n{tail}")
    ocsf = json.loads((out_dir / "prowler.ocsf.json").read_text())
    records = emulator_records(endpoint)
    result["prowler"] = {
        "wall_s": prowler_wall,
        "own_scan_s": prowler_scan_seconds(work / "prowler.out"),
        "checks": checks,
        "results": [
            {
                "check": f["metadata"]["event_code"],
                "status": f["status_code"],
                "region": f["cloud"]["region"],
                "resource": f["resources"][0]["uid"] if f.get("resources") else "",
            }
            for f in ocsf
        ],
        "problems": prowler_problems(work / "prowler.out"),
        "calls": call_counts(records[records_before:]),
        "ec2_regions": ec2_regions(records[records_before:]),
        "attribute_span_s": span_seconds(records[records_before:], "DescribeSnapshotAttribute"),
    }
    result["prowler"]["not_implemented"], _ = not_implemented(emulator_log, log_at)
    say(f"Prowler: done after {prowler_wall:.1f} s, {len(ocsf)} results")


# ---- the report ------------------------------------------------------------------------


def report(result: dict[str, Any]) -> None:
    vigil, prowler = result.get("vigil"), result.get("prowler")
    if not vigil or not prowler:
        print("\nno report: the run did not get through both sides", file=sys.stderr)
        return
    regions = result["regions"]
    ratio = prowler["wall_s"] / vigil["wall_s"]

    def secs(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.1f}"

    print(f"\nAccount {ACCOUNT}: {result['snapshots']:,} own snapshots over {len(regions)} regions "
          f"({'one AMI, --small' if result['small'] else 'moto default AMIs'}); "
          f"Prowler {result['prowler_version']}, {len(prowler['checks'])} checks\n")
    print("| measure | Vigil | Prowler |")
    print("|---|---:|---:|")
    print(f"| wall time, s (Vigil: verifyAwsAccount -> scan finished in the API; Prowler: the command) "
          f"| {secs(vigil['wall_s'])} | {secs(prowler['wall_s'])} |")
    print(f"| the scan's own time, s (Vigil: startedAt -> finishedAt; Prowler: its progress bar) "
          f"| {secs(vigil['scan_s'])} | {secs(prowler['own_scan_s'])} |")
    print(f"| verify -> scan started (queue, AssumeRole), s | {secs(vigil['queued_s'])} | |")
    print(f"| verify -> every region collected, s | {secs(vigil['collected_s'])} | |")
    print(f"| verify -> first finding visible through the API, s | {secs(vigil['first_finding_s'])} | |")
    print(f"| rescan of the unchanged account: startScan -> finished / its own time, s "
          f"| {secs(vigil['rescan_wall_s'])} / {secs(vigil['rescan_s'])} "
          f"({vigil['rescan_unchanged']} of {vigil['regions']} regions unchanged; "
          f"{vigil['scan_s'] / max(vigil['rescan_s'], 1e-9):.1f}x faster than the first scan) | |")
    print(f"| regions scanned (EC2 called in) | {len(vigil['ec2_regions'])} of {vigil['regions']} | "
          f"{len(prowler['ec2_regions'])} of {len(regions)} passed |")
    print(f"| own snapshots in the account | {result['snapshots']:,} | {result['snapshots']:,} |")
    print(f"| DescribeSnapshotAttribute calls | {vigil['calls'].get('ec2:DescribeSnapshotAttribute', 0):,} "
          f"| {prowler['calls'].get('ec2:DescribeSnapshotAttribute', 0):,} |")
    print(f"| first -> last DescribeSnapshotAttribute call, s | {secs(vigil['attribute_span_s'])} "
          f"| {secs(prowler['attribute_span_s'])} |")
    print(f"| AWS calls in all | {sum(vigil['calls'].values()):,} | {sum(prowler['calls'].values()):,} |")
    print(f"| scan status / exit | {vigil['status']} | 0 |")
    print(f"\n**Ratio (Prowler wall / Vigil wall): {ratio:.2f}**\n")

    # Findings per compared check.
    vigil_by_rule: dict[str, set[str]] = collections.defaultdict(set)
    for f in vigil["findings"]:
        vigil_by_rule[f["ruleId"]].add(f"{f['region']}/{resource_key(f['resourceId'])}")
    prowler_fail: dict[str, set[str]] = collections.defaultdict(set)
    prowler_seen: collections.Counter = collections.Counter()
    for r in prowler["results"]:
        prowler_seen[r["check"]] += 1
        if r["status"] == "FAIL":
            prowler_fail[r["check"]].add(f"{r['region']}/{resource_key(r['resource'])}")
    print("| Vigil rule(s) | Vigil findings | Prowler check(s) | Prowler FAIL | Prowler results | note |")
    print("|---|---:|---|---:|---:|---|")
    for rules, checks, note in MAPPING[:SPEED_ROWS]:
        v = set().union(*(vigil_by_rule.get(r, set()) for r in rules))
        p = set().union(*(prowler_fail.get(c, set()) for c in checks))
        seen = sum(prowler_seen[c] for c in checks)
        print(f"| {', '.join(rules)} | {len(v)} | {', '.join(checks)} | {len(p)} | {seen} | "
              f"{note or ('no result at all' if seen == 0 else '')} |")

    # The seeder's public snapshots and open security groups.
    def ids(sets: dict[str, set[str]], keys: set[str]) -> set[str]:
        return {k.rsplit("/", 1)[-1] for key in keys for k in sets.get(key, set())}

    print()
    for what, seeded, v, p in (
        ("public snapshots", result["seeded_public_snapshots"],
         ids(vigil_by_rule, {"ec2-snapshot-public"}), ids(prowler_fail, {"ec2_ebs_public_snapshot"})),
        ("security groups open to the internet (open-*)", result["seeded_open_sgs"],
         ids(vigil_by_rule, OPEN_SG_RULES), ids(prowler_fail, OPEN_SG_CHECKS)),
    ):
        print(f"- seeded {what}: {len(seeded)}; Vigil finds {len(seeded & v)} (+{len(v - seeded)} others), "
              f"Prowler finds {len(seeded & p)} (+{len(p - seeded)} others); "
              f"{'they agree' if v == p else 'they differ: ' + str(sorted(v ^ p))[:300]}")

    missing = sorted(vigil["ec2_regions"] - prowler["ec2_regions"])
    if missing:
        print(f"- regions Vigil scanned and Prowler did not: {', '.join(missing)}")
    print("\nVigil's AWS calls (emulator records, the scan and the first ingestion), top 12:")
    for name, n in vigil["calls"].most_common(12):
        print(f"  {n:>8,}  {name}")
    print("Prowler's AWS calls, top 12:")
    for name, n in prowler["calls"].most_common(12):
        print(f"  {n:>8,}  {name}")
    print(f"\nVigil scan problems ({len(vigil['problems'])}):")
    grouped = collections.Counter(f"{p['service']} {p['operation']}: {p['message'][:90]}" for p in vigil["problems"])
    for text, n in grouped.most_common(10):
        print(f"  {n:>4} x {text}")
    for side in ("vigil", "prowler"):
        if result[side]["not_implemented"]:
            print(f"calls moto does not implement, during {side}: {dict(result[side]['not_implemented'])}")
    print(f"Prowler errors ({sum(prowler['problems'].values())}):")
    for text, n in prowler["problems"].most_common(15):
        print(f"  {n:>4} x {text}")


def parity_report(result: dict[str, Any]) -> None:
    """Every misconfiguration Prowler reports for the services Vigil covers, beside Vigil's
    findings on the same resource (docs/coverage.md): per Prowler check with a FAIL, the
    Vigil rule(s) testing the same thing (MAPPING), how many of Prowler's failing
    resources Vigil also reports, and the ones it does not."""
    vigil, prowler = result.get("vigil"), result.get("prowler")
    if not vigil or not prowler:
        print("\nno report: the run did not get through both sides", file=sys.stderr)
        return
    rules_of: dict[str, tuple[str, ...]] = {}
    for rules, checks, _ in MAPPING:
        for c in checks:
            rules_of[c] = rules_of.get(c, ()) + rules
    # (region, resource ID as Vigil stores it) per rule.
    vigil_by_rule: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    for f in vigil["findings"]:
        vigil_by_rule[f["ruleId"]].add((f["region"], f["resourceId"]))
    fails: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    checks_run: set[str] = set()
    for r in prowler["results"]:
        checks_run.add(r["check"])
        if r["status"] == "FAIL":
            fails[r["check"]].add((r["region"], r["resource"]))

    def same(prowler_uid: str, vigil_id: str) -> bool:
        """One resource named two ways: an ARN and an ID or name, either way round."""
        p, v = resource_key(prowler_uid), resource_key(vigil_id)
        return p == v or (len(p) > 3 and p in vigil_id) or (len(v) > 3 and v in prowler_uid)

    def reported(region: str, uid: str, mine: set[tuple[str, str]]) -> bool:
        if any(same(uid, vid) for _, vid in mine):
            return True
        # Account- and region-level checks: Prowler names no resource ("unknown", the
        # account, "trail", "recorder"...), Vigil the account or region; same region (or a
        # global finding) is the same misconfiguration.
        return not re.search(r"[0-9]", resource_key(uid)) and any(
            r in (region, "global", "") for r, _ in mine
        )

    print(f"\nProwler {result['prowler_version']}, services {', '.join(PROWLER_SERVICES)}: "
          f"{len(checks_run)} checks ran, {len(fails)} with a FAIL, "
          f"{sum(len(v) for v in fails.values())} failing resources. "
          f"Vigil: {len(vigil['findings'])} open findings.\n")
    print("| Prowler check | Prowler FAIL | Vigil rule(s) | Vigil reports too | Prowler only |")
    print("|---|---:|---|---:|---|")
    covered = matched = 0
    gaps: list[str] = []
    for check in sorted(fails):
        failing = fails[check]
        rules = rules_of.get(check)
        if rules is None:
            gaps.append(check)
            continue
        mine = set().union(*(vigil_by_rule.get(r, set()) for r in rules))
        only = sorted(f"{region}/{resource_key(uid)}" for region, uid in failing
                      if not reported(region, uid, mine))
        covered += len(failing)
        matched += len(failing) - len(only)
        print(f"| {check} | {len(failing)} | {', '.join(rules)} | {len(failing) - len(only)} | "
              f"{', '.join(only[:4]) + (' ...' if len(only) > 4 else '')} |")
    print(f"\n**Of {covered} failing resources in Prowler checks Vigil has a rule for, Vigil reports "
          f"{matched}.**\n")
    print(f"Prowler checks with a FAIL that no Vigil rule maps to ({len(gaps)}):\n")
    for check in gaps:
        print(f"- {check}: {len(fails[check])} resource(s)")


if __name__ == "__main__":
    sys.exit(main())
