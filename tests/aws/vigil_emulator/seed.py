"""Seed emulated accounts with a realistic, insecure estate for Vigil to find.

    python -m vigil_emulator.seed --endpoint http://127.0.0.1:PORT --account 111111111111 \
        [--account 222222222222] [--role-external-id 111111111111=EXTERNALID] \
        [--regions us-east-1,eu-west-1,ap-southeast-2] [--attack | --story]

Everything goes through the real API (boto3), as a session of
`OrganizationAccountAccessRole` in each account, assumed with the harness's static
management-account keys (the emulator bootstraps that role; see trust.py). Names, CIDRs and
settings are fixed; moto's ID generator is seeded per account before a fresh account is
built, so the printed summary is the same on every fresh emulator, and a second run
against the same emulator finds what exists and prints the same summary again.

`--story` (the demo's, at least two accounts) replaces `--attack`: the seeding's own
CloudTrail history is dropped, as if the estate had been built long before Vigil's
backfill window, and then the attack story plays: `attack.burst` in the first account
and `attack.second_act` in the second (see `story`).

Importable: `seed_account(endpoint, account, ...)`, `attack(endpoint, account, ...)`,
`story(endpoint, accounts, regions, summary)`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from . import attack as attacks
from . import seed_checks, seed_storage
from .attack import attack
from .seed_cloudwatch import seed_cloudwatch
from .seed_ec2 import BASE_IMAGE, SEED_TAG, RegionSeeder
from .seed_identity import seed_identity_checks
from .seed_parity import seed_parity
from .seed_services import seed_acm, seed_elasticache, seed_opensearch, seed_redshift, seed_services
from .sessions import (
    MANAGEMENT_ACCOUNT,
    account_session,
    control,
    seed_moto_random,
)

DEFAULT_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")

__all__ = ["attack", "seed_account", "story", "vigil_role", "DEFAULT_REGIONS"]


# ---- account-wide: S3, IAM, RDS, CloudTrail ----------------------------------------------


def _bucket_names(account: str) -> dict[str, str]:
    return {
        "public": f"vigil-{account}-public-assets",
        "private": f"vigil-{account}-private-data",
        "logs": f"vigil-{account}-logs",
    }


def _ensure_bucket(s3: Any, name: str) -> bool:
    """Create the bucket if missing; True when it was created now."""
    try:
        s3.head_bucket(Bucket=name)
        return False
    except ClientError:
        s3.create_bucket(Bucket=name)
        return True


def seed_buckets(session: boto3.Session, endpoint: str, account: str) -> dict[str, str]:
    s3 = session.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    names = _bucket_names(account)
    if _ensure_bucket(s3, names["public"]):
        s3.put_bucket_acl(Bucket=names["public"], ACL="public-read")
        s3.put_bucket_policy(
            Bucket=names["public"],
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PublicRead",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{names['public']}/*",
                        }
                    ],
                }
            ),
        )
        s3.put_object(Bucket=names["public"], Key="index.html", Body=b"<h1>assets</h1>\n")
    if _ensure_bucket(s3, names["private"]):
        s3.put_bucket_encryption(
            Bucket=names["private"],
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        s3.put_public_access_block(
            Bucket=names["private"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_object(Bucket=names["private"], Key="customers.csv", Body=b"id,name\n1,Ada\n")
        # Last: moto enforces this policy, and the emulator is reached over plain HTTP.
        s3.put_bucket_policy(
            Bucket=names["private"],
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [
                                f"arn:aws:s3:::{names['private']}",
                                f"arn:aws:s3:::{names['private']}/*",
                            ],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
        )
    if _ensure_bucket(s3, names["logs"]):
        s3.put_public_access_block(
            Bucket=names["logs"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_policy(
            Bucket=names["logs"],
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AWSCloudTrailAclCheck",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:GetBucketAcl",
                            "Resource": f"arn:aws:s3:::{names['logs']}",
                        },
                        {
                            "Sid": "AWSCloudTrailWrite",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": f"arn:aws:s3:::{names['logs']}/AWSLogs/{account}/*",
                            "Condition": {
                                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}
                            },
                        },
                        {
                            # For the private bucket's server access logs (seed_checks).
                            "Sid": "S3ServerAccessLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": f"arn:aws:s3:::{names['logs']}/*",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                        },
                    ],
                }
            ),
        )
    return names


def _ensure_user(iam: Any, name: str) -> bool:
    try:
        iam.get_user(UserName=name)
        return False
    except ClientError:
        iam.create_user(UserName=name, Tags=[{"Key": SEED_TAG, "Value": "true"}])
        return True


def seed_iam(session: boto3.Session, endpoint: str, account: str) -> dict[str, Any]:
    """Users with and without MFA, console passwords, keys (two on one user), weak policy."""
    iam = session.client("iam", endpoint_url=endpoint)
    users: dict[str, Any] = {}
    # name: (console password, MFA, access keys)
    specs = {
        "alice-admin": (True, True, 0),
        "bob-dev": (True, False, 1),
        "ci-deployer": (False, False, 2),
        "carol-auditor": (False, False, 0),
    }
    for name, (console, mfa, keys) in specs.items():
        if _ensure_user(iam, name):
            if console:
                iam.create_login_profile(
                    UserName=name, Password="Password1!", PasswordResetRequired=False
                )
            if mfa:
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)[
                    "VirtualMFADevice"
                ]["SerialNumber"]
                iam.enable_mfa_device(
                    UserName=name,
                    SerialNumber=serial,
                    AuthenticationCode1="123456",
                    AuthenticationCode2="654321",
                )
            for _ in range(keys):
                iam.create_access_key(UserName=name)
        listed = sorted(
            iam.list_access_keys(UserName=name)["AccessKeyMetadata"],
            key=lambda k: (k["CreateDate"], k["AccessKeyId"]),
        )
        users[name] = {
            "consolePassword": console,
            "mfa": mfa,
            "accessKeys": [k["AccessKeyId"] for k in listed[:keys]],
        }
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    attached = iam.list_attached_user_policies(UserName="alice-admin")["AttachedPolicies"]
    if not attached:
        try:
            iam.attach_user_policy(UserName="alice-admin", PolicyArn=admin)
        except ClientError:
            pass  # managed policies not loaded in this moto
    iam.update_account_password_policy(
        MinimumPasswordLength=6,
        RequireSymbols=False,
        RequireNumbers=False,
        RequireUppercaseCharacters=False,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        PasswordReusePrevention=1,
    )
    roles = {
        "ThirdPartyAuditRole": _ensure_role(
            iam,
            "ThirdPartyAuditRole",
            {
                # Trusts an outside account with no external ID: the confused-deputy finding.
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        )
    }
    return {"users": users, "roles": roles, "passwordPolicy": {"minimumPasswordLength": 6}}


def _ensure_role(iam: Any, name: str, trust: dict[str, Any], policies: list[str]) -> str:
    document = json.dumps(trust)
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
    except ClientError:
        arn = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=document,
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
        )["Role"]["Arn"]
    attached = {
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    }
    for policy in policies:
        if policy not in attached:
            try:
                iam.attach_role_policy(RoleName=name, PolicyArn=policy)
            except ClientError:
                pass  # managed policies not loaded in this moto
    return arn


def vigil_role(
    session: boto3.Session,
    endpoint: str,
    external_id: str,
    trusted_account: str = MANAGEMENT_ACCOUNT,
) -> str:
    """The customer's `VigilReadOnly` role: trusts Vigil's account with the external ID."""
    iam = session.client("iam", endpoint_url=endpoint)
    return _ensure_role(
        iam,
        "VigilReadOnly",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{trusted_account}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        },
        [
            "arn:aws:iam::aws:policy/SecurityAudit",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ],
    )


def seed_rds(session: boto3.Session, endpoint: str, region: str, account: str) -> dict[str, str]:
    rds = session.client("rds", region_name=region, endpoint_url=endpoint)
    existing = {d["DBInstanceIdentifier"]: d for d in rds.describe_db_instances()["DBInstances"]}
    out = {}
    # The public one keeps the engine's default administrator name and port (findings);
    # moto sets the port at creation only.
    for name, public, encrypted, admin, port in (
        ("orders-db-public", True, False, "postgres", 5432),
        ("billing-db-private", False, True, "billing_owner", 5433),
    ):
        if name not in existing:
            rds.create_db_instance(
                DBInstanceIdentifier=name,
                DBInstanceClass="db.t3.micro",
                Engine="postgres",
                Port=port,
                MasterUsername=admin,
                MasterUserPassword="not-a-secret-1",
                AllocatedStorage=20,
                PubliclyAccessible=public,
                StorageEncrypted=encrypted,
                Tags=[{"Key": SEED_TAG, "Value": "true"}],
            )
        out[name] = f"arn:aws:rds:{region}:{account}:db:{name}"
    return out


def seed_trail(session: boto3.Session, endpoint: str, region: str, bucket: str) -> str:
    """A multi-region trail, logging, to the logs bucket."""
    cloudtrail = session.client("cloudtrail", region_name=region, endpoint_url=endpoint)
    trails = {t["Name"]: t for t in cloudtrail.describe_trails()["trailList"]}
    if "management-events" not in trails:
        arn = cloudtrail.create_trail(
            Name="management-events",
            S3BucketName=bucket,
            IsMultiRegionTrail=True,
            IncludeGlobalServiceEvents=True,
            EnableLogFileValidation=True,
        )["TrailARN"]
    else:
        arn = trails["management-events"]["TrailARN"]
    cloudtrail.start_logging(Name="management-events")
    return arn


def seed_kms(session: boto3.Session, endpoint: str, region: str, account: str) -> dict[str, str]:
    """Customer-managed keys, one per KMS check's outcome, found again by their aliases.

    `orders-data` is well configured (rotated, the default key policy); `legacy-backups` is
    not rotated; `partner-share` is rotated but its policy lets anyone decrypt without a
    condition; `old-reports` is rotated and scheduled for deletion.
    """
    kms = session.client("kms", region_name=region, endpoint_url=endpoint)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    out = {}
    for name, rotated in (
        ("orders-data", True),
        ("legacy-backups", False),
        ("partner-share", True),
        ("old-reports", True),
    ):
        key_id = aliases.get(f"alias/{name}")
        if key_id is None:
            key_id = kms.create_key(
                Description=name, Tags=[{"TagKey": SEED_TAG, "TagValue": "true"}]
            )["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key_id)
            if rotated:
                kms.enable_key_rotation(KeyId=key_id)
            if name == "partner-share":
                kms.put_key_policy(
                    KeyId=key_id,
                    PolicyName="default",
                    Policy=json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Sid": "Enable IAM User Permissions",
                                    "Effect": "Allow",
                                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                                    "Action": "kms:*",
                                    "Resource": "*",
                                },
                                {
                                    "Sid": "PartnerDecrypt",
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "*"},
                                    "Action": ["kms:Decrypt", "kms:DescribeKey"],
                                    "Resource": "*",
                                },
                            ],
                        }
                    ),
                )
            if name == "old-reports":
                kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
        out[name] = key_id
    return out


def seed_config(session: boto3.Session, endpoint: str, region: str, account: str, bucket: str) -> str:
    """An AWS Config recorder of every resource type, recording, in `region` only."""
    config = session.client("config", region_name=region, endpoint_url=endpoint)
    if not config.describe_configuration_recorders()["ConfigurationRecorders"]:
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "config"}
        )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    return "default"


def seed_guardduty(session: boto3.Session, endpoint: str, region: str) -> str:
    """An enabled GuardDuty detector in `region` only."""
    guardduty = session.client("guardduty", region_name=region, endpoint_url=endpoint)
    detectors = guardduty.list_detectors()["DetectorIds"]
    if detectors:
        return detectors[0]
    return guardduty.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")["DetectorId"]


def _is_fresh(session: boto3.Session, endpoint: str, account: str) -> bool:
    s3 = session.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    try:
        s3.head_bucket(Bucket=_bucket_names(account)["logs"])
        return False
    except ClientError:
        return True


def _warm_up(session: boto3.Session, endpoint: str, regions: tuple[str, ...]) -> None:
    """Create the account's moto backends before seeding moto's generator.

    moto builds per-account, per-region state (default VPCs...) and some process-wide
    state lazily, drawing IDs as it goes; doing that first makes the seeded sequence the
    same whatever the emulator served before.
    """
    for region in regions:
        ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
        ec2.describe_vpcs()
        ec2.describe_images(ImageIds=[BASE_IMAGE])
        session.client("rds", region_name=region, endpoint_url=endpoint).describe_db_instances()
        session.client("cloudtrail", region_name=region, endpoint_url=endpoint).describe_trails()
        session.client("kms", region_name=region, endpoint_url=endpoint).list_keys()
    session.client("iam", endpoint_url=endpoint).list_users()


def seed_account(
    endpoint: str,
    account: str,
    regions: tuple[str, ...] = DEFAULT_REGIONS,
    external_id: str | None = None,
    with_trail: bool = True,
) -> dict[str, Any]:
    """Build (or find) the insecure estate of one account; returns its IDs."""
    session = account_session(endpoint, account)
    seeded = _is_fresh(session, endpoint, account)
    if seeded:
        _warm_up(session, endpoint, regions)
        seed_moto_random(endpoint, int(account))  # reproducible IDs on every fresh emulator
    try:
        return _build(session, endpoint, account, regions, external_id, with_trail)
    finally:
        if seeded:  # later IDs must not repeat what a reseed would draw again
            seed_moto_random(endpoint, int.from_bytes(os.urandom(6), "big"))


def _build(
    session: boto3.Session,
    endpoint: str,
    account: str,
    regions: tuple[str, ...],
    external_id: str | None,
    with_trail: bool,
) -> dict[str, Any]:
    summary: dict[str, Any] = {"buckets": seed_buckets(session, endpoint, account)}
    summary["iam"] = seed_iam(session, endpoint, account)
    if external_id:
        summary["iam"]["roles"]["VigilReadOnly"] = vigil_role(session, endpoint, external_id)
    summary["regions"] = {
        region: RegionSeeder(session, endpoint, region, summary["buckets"]["logs"]).run()
        for region in regions
    }
    summary["rds"] = {regions[0]: seed_rds(session, endpoint, regions[0], account)}
    if with_trail:
        summary["trail"] = seed_trail(session, endpoint, regions[0], summary["buckets"]["logs"])
    # Last: the keys' and detector's IDs draw on moto's seeded generator after everything
    # seeded before, which keeps their IDs as they were.
    summary["kms"] = {regions[0]: seed_kms(session, endpoint, regions[0], account)}
    # AWS Config and GuardDuty on in the first region only: the others are the findings.
    summary["config"] = {
        regions[0]: seed_config(session, endpoint, regions[0], account, summary["buckets"]["logs"])
    }
    summary["guardduty"] = {regions[0]: seed_guardduty(session, endpoint, regions[0])}
    # After every other seed (see seed_services' docstring), in the first region only.
    summary["services"] = {regions[0]: seed_services(session, endpoint, regions[0], account)}
    # Last again: the checks added on existing services draw IDs after everything above.
    summary["checks"] = checks = seed_checks.seed_iam_checks(session, endpoint)
    for region in regions:
        summary["regions"][region].update(
            seed_checks.seed_region_checks(
                session, endpoint, region, summary["regions"][region], checks["instanceProfile"]
            )
        )
    seed_checks.seed_rds_checks(session, endpoint, regions[0])
    seed_checks.seed_s3_checks(session, endpoint, summary["buckets"])
    # IAM Access Analyzer on in the first region only: the others are the findings.
    summary["accessAnalyzer"] = {
        regions[0]: seed_checks.seed_access_analyzer(session, endpoint, regions[0])
    }
    # Security Hub likewise.
    summary["securityHub"] = {
        regions[0]: seed_checks.seed_security_hub(session, endpoint, regions[0])
    }
    # Last of all: the CIS monitoring controls, on a second trail beside the seeded one.
    if with_trail:
        summary["cloudwatch"] = {
            regions[0]: seed_cloudwatch(
                session, endpoint, regions[0], account, summary["buckets"]["logs"]
            )
        }
    # After every seed above: Redshift's cluster IDs draw on moto's random generator.
    summary["services"][regions[0]].update(
        elasticache=seed_elasticache(session, endpoint, regions[0]),
        redshift=seed_redshift(session, endpoint, regions[0]),
    )
    # After every seed above: transit gateway IDs draw on moto's random generator.
    summary["transitGateways"] = {
        regions[0]: seed_checks.seed_transit_gateways(session, endpoint, regions[0])
    }
    # The serial console on in the last region only (none drawn from moto's generator).
    summary["serialConsole"] = {
        region: seed_checks.seed_serial_console(session, endpoint, region) for region in regions[1:]
    }
    # After every seed above: ACM's certificate ARNs draw on moto's random generator.
    summary["services"][regions[0]].update(
        opensearch=seed_opensearch(session, endpoint, regions[0], account),
        acm=seed_acm(session, endpoint, regions[0]),
    )
    # Last: the good cases of the IAM parity checks (a role ID drawn after every other).
    summary["identity"] = seed_identity_checks(session, endpoint, account)
    # After every seed above: the One Zone file system's ID draws on moto's random generator.
    summary["storage"] = {
        regions[0]: {
            "rds": seed_storage.seed_rds_settings(session, endpoint, regions[0], account),
            "efs": seed_storage.seed_efs_settings(
                session,
                endpoint,
                regions[0],
                account,
                summary["services"][regions[0]]["efs"]["fileSystems"],
            ),
        }
    }
    # Then the S3, CloudTrail, CloudWatch Logs, Lambda and Secrets Manager parity cases, on
    # the resources above (S3's test notification draws on moto's random generator).
    summary["parity"] = seed_parity(
        session, endpoint, account, regions, summary["buckets"], with_trail
    )
    return summary


# ---- the demo's story ---------------------------------------------------------------------


def story(
    endpoint: str, accounts: list[str], regions: tuple[str, ...], summary: dict[str, Any]
) -> dict[str, Any]:
    """The demo's attack story across the first two seeded accounts.

    Expects the accounts seeded without a trail (`with_trail=False`). Leaks a key of
    bob-dev in both, drops everything the emulator recorded for the seeded accounts so
    far (the estate predates the story), then creates and starts the first account's trail
    (recorded: CreateTrail, StartLogging) and plays `attack.burst` in the first account
    (first region; twelve denied reconnaissance calls, `STORY_RECON_CALLS`; its console
    sign-ins 20 minutes back) and `attack.second_act` in the second (second region; the
    sign-in 9 minutes back). Sets the first
    account's `trail` in `summary`; returns what each act did.
    """
    if len(accounts) < 2:
        raise SystemExit("--story needs two accounts (--account twice)")
    first, second = accounts[0], accounts[1]
    first_admin = account_session(endpoint, first)
    leaked = {
        first: attacks.leak_key(first_admin, endpoint),
        second: attacks.leak_key(account_session(endpoint, second), endpoint),
    }
    # No trail logs these accounts yet, so nothing of theirs waits for delivery either.
    for account in accounts:
        control(endpoint, f"/_vigil/events?accountId={account}", method="DELETE")
    summary["accounts"][first]["trail"] = seed_trail(
        first_admin, endpoint, regions[0], _bucket_names(first)["logs"]
    )
    # The sign-ins happened before the CLI work, as in a real intrusion; their own times
    # also keep the story's alerts from all sharing one second when it plays fast.
    now = datetime.now(UTC).replace(microsecond=0)
    acts = {
        first: attacks.burst(
            endpoint,
            first,
            regions[0],
            *leaked[first],
            recon=attacks.STORY_RECON_CALLS,
            logins_at=now - timedelta(minutes=20),
        ),
        second: attacks.second_act(
            endpoint,
            second,
            regions[1] if len(regions) > 1 else regions[0],
            *leaked[second],
            login_at=now - timedelta(minutes=9),
        ),
    }
    for act in acts.values():
        act.pop("accessKeyId")  # differs on every run
    return acts


# ---- command line ------------------------------------------------------------------------


def _external_ids(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        account, sep, external_id = pair.partition("=")
        if not sep or not account.isdigit() or len(account) != 12 or not external_id:
            raise SystemExit(f"--role-external-id wants ACCOUNT=EXTERNALID, got {pair!r}")
        out[account] = external_id
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vigil_emulator.seed", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--endpoint", required=True, help="emulator URL, http://127.0.0.1:PORT")
    parser.add_argument("--account", action="append", required=True, help="12-digit account ID")
    parser.add_argument(
        "--role-external-id",
        action="append",
        default=[],
        metavar="ACCOUNT=EXTERNALID",
        help="create VigilReadOnly in ACCOUNT",
    )
    parser.add_argument(
        "--regions",
        default=",".join(DEFAULT_REGIONS),
        help="comma-separated regions (the first holds RDS and the trail)",
    )
    plays = parser.add_mutually_exclusive_group()
    plays.add_argument(
        "--attack", action="store_true", help="then run the attack burst in the first account"
    )
    plays.add_argument(
        "--story",
        action="store_true",
        help="the demo's story: drop the seeding's CloudTrail history, then the attack burst "
        "in the first account and its sequel in the second",
    )
    args = parser.parse_args(argv)
    if args.story and len(args.account) < 2:
        parser.error("--story needs two accounts (--account twice)")
    endpoint = args.endpoint.rstrip("/")
    regions = tuple(r.strip() for r in args.regions.split(",") if r.strip())
    external_ids = _external_ids(args.role_external_id)

    summary: dict[str, Any] = {"accounts": {}}
    for index, account in enumerate(args.account):
        summary["accounts"][account] = seed_account(
            endpoint,
            account,
            regions,
            external_ids.get(account),
            with_trail=index == 0 and not args.story,
        )
    if args.story:
        summary["story"] = story(endpoint, args.account, regions, summary)
    if args.attack:
        attack_result = attack(endpoint, args.account[0], regions[0])
        attack_result.pop("accessKeyId")  # differs on every run
        summary["attack"] = attack_result
    json.dump(summary, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
