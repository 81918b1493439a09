"""The seeded account's good resources for the IAM checks added with issue 17's Prowler
parity (the bad ones exist already: alice-admin's AdministratorAccess and virtual MFA,
bob-dev's never-used key and inline `*:*` policy, ThirdPartyAuditRole's ReadOnlyAccess for
an outside account, the app and Lambda roles trusting their services without a source
condition, the weak password policy, the bootstrap OrganizationAccountAccessRole with
AdministratorAccess).

Run last in `seed._build`: the role drawn here takes an ID from moto's seeded generator,
after every ID the earlier seeds print. Every step finds what it made before.

What moto cannot show: no hardware MFA device can be bought, but `EnableMFADevice` takes a
hardware token's plain serial number as AWS does, which is what Vigil (and Prowler) read.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .seed_ec2 import SEED_TAG

#: A service role whose trust names the account (no confused deputy).
BACKUP_ROLE = "vigil-backup-service"
#: A hardware TOTP token's serial (not an ARN, as AWS lists them).
HARDWARE_SERIAL = "GAHT00000001"


def seed_identity_checks(session: boto3.Session, endpoint: str, account: str) -> dict[str, Any]:
    """carol-auditor's hardware MFA token, and a service role trusting AWS Backup only for
    this account (`aws:SourceAccount`)."""
    iam = session.client("iam", endpoint_url=endpoint)
    devices = iam.list_mfa_devices(UserName="carol-auditor")["MFADevices"]
    if not any(d["SerialNumber"] == HARDWARE_SERIAL for d in devices):
        iam.enable_mfa_device(
            UserName="carol-auditor",
            SerialNumber=HARDWARE_SERIAL,
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    try:
        iam.get_role(RoleName=BACKUP_ROLE)
    except ClientError:
        iam.create_role(
            RoleName=BACKUP_ROLE,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "backup.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                        }
                    ],
                }
            ),
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
        )
    return {"hardwareMfaUser": "carol-auditor", "sourceBoundRole": BACKUP_ROLE}
