"""The seeded account's good and bad resources for the checks added on the database and
storage services (RDS, EFS) in issue 17, set on the resources seeded before.

Run last in `seed._build`: the One Zone file system's ID draws on moto's seeded generator,
and drawing after every earlier seed keeps their IDs as they were. Every step finds what
it made before, so seeding again changes nothing.

What moto 5.2.5 cannot show, and the harness stubs: `DescribeDBEngineVersions` and
`DescribeCertificates` (`rds_catalogue.py`). moto sets an instance's port at creation only
(`seed.seed_rds` gives `billing-db-private` 5433).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

#: The parameter groups: TLS required, and not.
RDS_TLS_GROUP = "vigil-postgres-tls"
RDS_PLAIN_GROUP = "vigil-postgres-plain"
#: The event subscriptions: parameter-group changes (complete), and instance events
#: without configuration changes (a finding).
RDS_SUBSCRIPTIONS = {
    "vigil-db-parameter-changes": ("db-parameter-group", ["configuration change"]),
    "vigil-db-instance-events": ("db-instance", ["failure", "maintenance"]),
}


def seed_rds_settings(session: boto3.Session, endpoint: str, region: str, account: str) -> dict[str, Any]:
    """`billing-db-private` gets TLS required by its parameter group, PostgreSQL 16.3, a
    subnet group of the default VPC, the rds-ca-rsa2048-g1 authority, enhanced monitoring,
    tags copied to snapshots and its logs published; `orders-db-public` gets a parameter
    group without TLS and the expired rds-ca-2019 authority, and keeps moto's PostgreSQL
    9.3.3, the default port and no subnet group. The region's event subscriptions cover
    parameter-group changes, and instance failures and maintenance but not their
    configuration changes."""
    rds = session.client("rds", region_name=region, endpoint_url=endpoint)
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    groups = {g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]}
    for name, force_ssl in ((RDS_TLS_GROUP, "1"), (RDS_PLAIN_GROUP, "0")):
        if name not in groups:
            rds.create_db_parameter_group(
                DBParameterGroupName=name,
                DBParameterGroupFamily="postgres16",
                Description=f"Vigil seed: rds.force_ssl={force_ssl}",
            )
        rds.modify_db_parameter_group(
            DBParameterGroupName=name,
            Parameters=[
                {"ParameterName": "rds.force_ssl", "ParameterValue": force_ssl, "ApplyMethod": "immediate"}
            ],
        )
    try:
        rds.describe_db_subnet_groups(DBSubnetGroupName="vigil-db-private")
    except ClientError:
        subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        rds.create_db_subnet_group(
            DBSubnetGroupName="vigil-db-private",
            DBSubnetGroupDescription="Vigil seed: the database's own subnets",
            SubnetIds=[s["SubnetId"] for s in subnets["Subnets"]][:2],
        )
    rds.modify_db_instance(
        DBInstanceIdentifier="billing-db-private",
        EngineVersion="16.3",
        DBParameterGroupName=RDS_TLS_GROUP,
        DBSubnetGroupName="vigil-db-private",
        CACertificateIdentifier="rds-ca-rsa2048-g1",
        MonitoringInterval=60,
        MonitoringRoleArn=f"arn:aws:iam::{account}:role/rds-monitoring-role",
        CopyTagsToSnapshot=True,
        CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql", "upgrade"]},
        ApplyImmediately=True,
    )
    rds.modify_db_instance(
        DBInstanceIdentifier="orders-db-public",
        DBParameterGroupName=RDS_PLAIN_GROUP,
        CACertificateIdentifier="rds-ca-2019",
        ApplyImmediately=True,
    )
    existing = {s["CustSubscriptionId"] for s in rds.describe_event_subscriptions()["EventSubscriptionsList"]}
    for name, (source_type, categories) in RDS_SUBSCRIPTIONS.items():
        if name not in existing:
            rds.create_event_subscription(
                SubscriptionName=name,
                SnsTopicArn=f"arn:aws:sns:{region}:{account}:vigil-db-events",
                SourceType=source_type,
                EventCategories=categories,
                Enabled=True,
            )
    return {"parameterGroups": [RDS_TLS_GROUP, RDS_PLAIN_GROUP], "eventSubscriptions": list(RDS_SUBSCRIPTIONS)}


def _mount_policy(account: str, file_system_arn: str) -> str:
    """Mounting and writing for the account's app role, over TLS only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:role/vigil-app"},
                    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    "Resource": file_system_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                }
            ],
        }
    )


def seed_efs_settings(
    session: boto3.Session, endpoint: str, region: str, account: str, file_systems: dict[str, str]
) -> dict[str, str]:
    """`shared-data` gets a file system policy for the app role; the others keep none
    (a finding). `one-zone` (encrypted, backed up, with the same policy) is a One Zone file
    system. Returns its ID by name."""
    efs = session.client("efs", region_name=region, endpoint_url=endpoint)
    try:
        fs = efs.create_file_system(
            CreationToken="vigil-seed-one-zone",
            AvailabilityZoneName=f"{region}a",
            Encrypted=True,
            Backup=True,
            Tags=[{"Key": "Name", "Value": "one-zone"}],
        )
    except ClientError as e:
        if e.response["Error"]["Code"] != "FileSystemAlreadyExists":
            raise
        fs = efs.describe_file_systems(CreationToken="vigil-seed-one-zone")["FileSystems"][0]
    for fs_id in (file_systems["shared-data"], fs["FileSystemId"]):
        arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs_id}"
        efs.put_file_system_policy(FileSystemId=fs_id, Policy=_mount_policy(account, arn))
    return {"one-zone": fs["FileSystemId"]}
