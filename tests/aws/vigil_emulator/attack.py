"""A recorded burst of attacker activity, for Vigil's detections to find.

Through the real API, as a leaked key of `bob-dev` from an outside address (the
`X-Vigil-Source-Ip` header; nothing is ever sent there): denied reconnaissance (fault
rules, since moto enforces no IAM policies), SSH opened to the world, a snapshot made
public, an access key created for another user, the trail stopped. Then injected records
no API can produce: a burst of failed console logins and a root login without MFA.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .seed_ec2 import WORLD4
from .sessions import account_session, control

ATTACKER_IP = "203.0.113.66"  # TEST-NET-3: only ever written into headers and records
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0"
ATTACKER_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.kali prompt/off"
RECON_CALLS = (
    ("iam", "ListUsers"),
    ("iam", "ListRoles"),
    ("ec2", "DescribeInstances"),
    ("s3", "ListBuckets"),
    ("rds", "DescribeDBInstances"),
    ("iam", "GetAccountAuthorizationDetails"),
)


def _attacker_session(admin: boto3.Session, endpoint: str) -> tuple[boto3.Session, str]:
    """A fresh key of bob-dev, as if leaked (bob keeps at most his seeded key plus this one)."""
    iam = admin.client("iam", endpoint_url=endpoint)
    keys = sorted(
        iam.list_access_keys(UserName="bob-dev")["AccessKeyMetadata"], key=lambda k: k["CreateDate"]
    )
    for old in keys[1:]:
        iam.delete_access_key(UserName="bob-dev", AccessKeyId=old["AccessKeyId"])
    key = iam.create_access_key(UserName="bob-dev")["AccessKey"]
    return boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name="us-east-1",
    ), key["AccessKeyId"]


def _attacker_client(session: boto3.Session, service: str, endpoint: str, region: str) -> Any:
    config = Config(
        user_agent=ATTACKER_AGENT,
        retries={"max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path"},
    )
    client = session.client(service, region_name=region, endpoint_url=endpoint, config=config)

    def spoof_source(request: Any, **_: Any) -> None:
        request.headers["X-Vigil-Source-Ip"] = ATTACKER_IP

    client.meta.events.register("before-sign.*.*", spoof_source)
    return client


def _try(call: Any, **kwargs: Any) -> str:
    try:
        call(**kwargs)
        return "ok"
    except ClientError as error:
        return error.response["Error"]["Code"]


def console_login_records(account: str) -> list[dict[str, Any]]:
    """ConsoleLogin events no API can produce: a burst of failures, then root without MFA."""
    records = []
    for attempt in range(5):
        records.append(
            {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "IAMUser",
                    "principalId": "AIDAALICEADMIN",
                    "accountId": account,
                    "userName": "alice-admin",
                    "arn": f"arn:aws:iam::{account}:user/alice-admin",
                },
                "eventSource": "signin.amazonaws.com",
                "eventName": "ConsoleLogin",
                "awsRegion": "us-east-1",
                "sourceIPAddress": ATTACKER_IP,
                "userAgent": FIREFOX,
                "errorMessage": "Failed authentication",
                "requestParameters": None,
                "responseElements": {"ConsoleLogin": "Failure"},
                "additionalEventData": {
                    "LoginTo": "https://console.aws.amazon.com/console/home",
                    "MobileVersion": "No",
                    "MFAUsed": "No",
                },
                "eventType": "AwsConsoleSignIn",
                "managementEvent": True,
                "readOnly": False,
                "recipientAccountId": account,
                "eventCategory": "Management",
                "requestID": f"failed-login-{attempt}",
            }
        )
    records.append(
        {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "Root",
                "principalId": account,
                "arn": f"arn:aws:iam::{account}:root",
                "accountId": account,
            },
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.23",
            "userAgent": CHROME,
            "requestParameters": None,
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home",
                "MobileVersion": "No",
                "MFAUsed": "No",
            },
            "eventType": "AwsConsoleSignIn",
            "managementEvent": True,
            "readOnly": False,
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
    )
    return records


def attack(endpoint: str, account: str, region: str = "us-east-1") -> dict[str, Any]:
    """A recorded burst of attacker activity in a seeded account (see the module doc)."""
    admin = account_session(endpoint, account)
    session, key_id = _attacker_session(admin, endpoint)
    result: dict[str, Any] = {
        "principal": f"arn:aws:iam::{account}:user/bob-dev",
        "sourceIp": ATTACKER_IP,
        "recon": {},
    }
    # Reconnaissance, denied: one access_denied rule per call, removed afterwards.
    rules = [
        control(
            endpoint,
            "/_vigil/faults",
            {
                "accountId": account,
                "service": service,
                "operation": operation,
                "kind": "access_denied",
                "count": 1,
            },
        )["id"]
        for service, operation in RECON_CALLS
    ]
    try:
        iam = _attacker_client(session, "iam", endpoint, "us-east-1")
        ec2 = _attacker_client(session, "ec2", endpoint, region)
        s3 = _attacker_client(session, "s3", endpoint, region)
        rds = _attacker_client(session, "rds", endpoint, region)
        calls = {
            "ListUsers": iam.list_users,
            "ListRoles": iam.list_roles,
            "DescribeInstances": ec2.describe_instances,
            "ListBuckets": s3.list_buckets,
            "DescribeDBInstances": rds.describe_db_instances,
            "GetAccountAuthorizationDetails": iam.get_account_authorization_details,
        }
        for _, operation in RECON_CALLS:
            result["recon"][operation] = _try(calls[operation])
    finally:
        for rule in rules:
            try:
                control(endpoint, f"/_vigil/faults/{rule}", method="DELETE")
            except Exception:
                pass  # already spent
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vigil-prod"]}])["Vpcs"][0]
    group = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "group-name", "Values": ["db-private"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    result["openSsh"] = {
        "groupId": group,
        "result": _try(
            ec2.authorize_security_group_ingress,
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": WORLD4}],
                }
            ],
        ),
    }
    snapshot = ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["snap-private"]}]
    )["Snapshots"][0]["SnapshotId"]
    result["publicSnapshot"] = {
        "snapshotId": snapshot,
        "result": _try(
            ec2.modify_snapshot_attribute,
            SnapshotId=snapshot,
            Attribute="createVolumePermission",
            OperationType="add",
            GroupNames=["all"],
        ),
    }
    result["persistenceKey"] = {
        "userName": "alice-admin",
        "result": _try(iam.create_access_key, UserName="alice-admin"),
    }
    cloudtrail = _attacker_client(session, "cloudtrail", endpoint, region)
    result["stopLogging"] = {
        "trail": "management-events",
        "result": _try(cloudtrail.stop_logging, Name="management-events"),
    }
    injected = control(
        endpoint,
        "/_vigil/events",
        {"accountId": account, "records": console_login_records(account)},
    )
    result["injected"] = {"ConsoleLogin": injected["stored"]}
    result["accessKeyId"] = key_id
    return result
