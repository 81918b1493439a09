"""Seeds the good and bad cases of the S3, CloudTrail, CloudWatch Logs, Lambda and Secrets
Manager checks added for Prowler parity (issue 17), on resources seeded before:

- S3: the private bucket gets an enabled lifecycle rule, event notifications (to the
  `orders-events` topic) and replication to `vigil-<account>-private-replica` in the second
  region (versioned, blocked, KMS-encrypted); the public bucket's policy also grants a
  partner account (444455556666). The logs bucket (the trails') keeps no access logs and,
  moto keeping no `MFADelete`, no MFA delete.
- CloudTrail: `management-events` records every management event and the invocations of
  `orders-api` (a Lambda data-event selector); no trail has Insights.
- CloudWatch Logs: `/vigil/orders-api` is encrypted with the `orders-data` key (and kept a
  year), `/vigil/legacy-app` is not.
- Lambda: `orders-api` runs in a VPC (its KMS key is set at creation, `seed_services`, as
  moto's UpdateFunctionConfiguration ignores `KMSKeyArn`); the other functions do not.
- Secrets Manager: `legacy/api-key`'s resource policy lets the partner account read it;
  `prod/orders-db`'s grants a role of this account only.

Called after every other seed: S3's test notification to the topic draws on moto's random
generator.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .seed_ec2 import SEED_TAG

#: The account the bad cases grant access to (AWS's documentation example account).
PARTNER = "444455556666"

LOG_GROUPS = {"/vigil/orders-api": True, "/vigil/legacy-app": False}


def _key_arn(session: boto3.Session, endpoint: str, region: str, alias: str) -> str | None:
    kms = session.client("kms", region_name=region, endpoint_url=endpoint)
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except ClientError:
        return None


def _s3(
    session: boto3.Session,
    endpoint: str,
    account: str,
    regions: tuple[str, ...],
    buckets: dict[str, str],
) -> dict[str, str]:
    s3 = session.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    private, public = buckets["private"], buckets["public"]
    out: dict[str, str] = {}
    s3.put_bucket_lifecycle_configuration(
        Bucket=private,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-noncurrent",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                }
            ]
        },
    )
    s3.put_bucket_notification_configuration(
        Bucket=private,
        NotificationConfiguration={
            "TopicConfigurations": [
                {
                    "Id": "deletions",
                    "TopicArn": f"arn:aws:sns:{regions[0]}:{account}:orders-events",
                    "Events": ["s3:ObjectRemoved:*"],
                }
            ]
        },
    )
    if len(regions) > 1:
        replica = f"vigil-{account}-private-replica"
        regional = session.client(
            "s3",
            region_name=regions[1],
            endpoint_url=endpoint,
            config=Config(s3={"addressing_style": "path"}),
        )
        try:
            regional.head_bucket(Bucket=replica)
        except ClientError:
            regional.create_bucket(
                Bucket=replica, CreateBucketConfiguration={"LocationConstraint": regions[1]}
            )
        regional.put_bucket_versioning(Bucket=replica, VersioningConfiguration={"Status": "Enabled"})
        regional.put_public_access_block(
            Bucket=replica,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        regional.put_bucket_encryption(
            Bucket=replica,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        regional.put_bucket_ownership_controls(
            Bucket=replica,
            OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        )
        s3.put_bucket_replication(
            Bucket=private,
            ReplicationConfiguration={
                "Role": f"arn:aws:iam::{account}:role/s3-replication",
                "Rules": [
                    {
                        "ID": "to-replica",
                        "Priority": 1,
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": {"Bucket": f"arn:aws:s3:::{replica}"},
                    }
                ],
            },
        )
        out["replica"] = replica
    policy = json.loads(s3.get_bucket_policy(Bucket=public)["Policy"])
    if not any(s.get("Sid") == "PartnerRead" for s in policy["Statement"]):
        policy["Statement"].append(
            {
                "Sid": "PartnerRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{public}", f"arn:aws:s3:::{public}/*"],
            }
        )
        s3.put_bucket_policy(Bucket=public, Policy=json.dumps(policy))
    return out


def _trail(session: boto3.Session, endpoint: str, region: str, account: str) -> None:
    cloudtrail = session.client("cloudtrail", region_name=region, endpoint_url=endpoint)
    cloudtrail.put_event_selectors(
        TrailName="management-events",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [
                    {
                        "Type": "AWS::Lambda::Function",
                        "Values": [f"arn:aws:lambda:{region}:{account}:function:orders-api"],
                    }
                ],
            }
        ],
    )


def _log_groups(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    logs = session.client("logs", region_name=region, endpoint_url=endpoint)
    key = _key_arn(session, endpoint, region, "alias/orders-data")
    existing = {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}
    for name, encrypted in LOG_GROUPS.items():
        if name in existing:
            continue
        kwargs: dict[str, Any] = {"logGroupName": name, "tags": {SEED_TAG: "true"}}
        if encrypted and key:
            kwargs["kmsKeyId"] = key
        logs.create_log_group(**kwargs)
        if encrypted:
            logs.put_retention_policy(logGroupName=name, retentionInDays=365)
    return list(LOG_GROUPS)


def _lambda(session: boto3.Session, endpoint: str, region: str) -> None:
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    lam = session.client("lambda", region_name=region, endpoint_url=endpoint)
    lam.update_function_configuration(
        FunctionName="orders-api",
        VpcConfig={
            "SubnetIds": sorted(s["SubnetId"] for s in subnets)[:2],
            "SecurityGroupIds": [groups[0]["GroupId"]],
        },
    )


def _secrets(session: boto3.Session, endpoint: str, region: str, account: str) -> None:
    sm = session.client("secretsmanager", region_name=region, endpoint_url=endpoint)
    for name, principal in (
        ("legacy/api-key", f"arn:aws:iam::{PARTNER}:root"),
        ("prod/orders-db", f"arn:aws:iam::{account}:role/vigil-seed-lambda"),
    ):
        sm.put_resource_policy(
            SecretId=name,
            ResourcePolicy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": principal},
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )


def seed_parity(
    session: boto3.Session,
    endpoint: str,
    account: str,
    regions: tuple[str, ...],
    buckets: dict[str, str],
    with_trail: bool,
) -> dict[str, Any]:
    """Every case above (the bucket, trail, function and secret seeds of the first region
    must exist); returns the replica bucket's and the log groups' names."""
    out: dict[str, Any] = {"buckets": _s3(session, endpoint, account, regions, buckets)}
    if with_trail:
        _trail(session, endpoint, regions[0], account)
    out["logGroups"] = _log_groups(session, endpoint, regions[0])
    _lambda(session, endpoint, regions[0])
    _secrets(session, endpoint, regions[0], account)
    return out
