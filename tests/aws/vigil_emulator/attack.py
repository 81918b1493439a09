"""A recorded burst of attacker activity, for Vigil's detections to find.

Through the real API, as a leaked key of `bob-dev` from an outside address (the
`X-Vigil-Source-Ip` header; nothing is ever sent there): denied reconnaissance (fault
rules, since moto enforces no IAM policies), SSH opened to the world, a snapshot made
public, an access key created for another user, the trail stopped. Then injected records
no API can produce: a burst of failed console logins and a root login without MFA.

`second_act` is the demo story's sequel in another account (see `seed --story`): the same
attacker signs in to the console as `bob-dev` without MFA (injected), tests the key with
GetCallerIdentity from an offensive distribution, is denied some reconnaissance, opens RDP
to the world, shares a snapshot with an outside account and gives `carol-auditor` a console
password.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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


def leak_key(admin: boto3.Session, endpoint: str) -> tuple[boto3.Session, str]:
    """A fresh key of bob-dev, as if leaked (bob keeps at most his seeded key plus this one).

    Created through `admin` (the account's bootstrap session), so it is recorded as that
    session's CreateAccessKey: the story mode of the seeder drops that history.
    """
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


def _attacker_client(
    session: boto3.Session,
    service: str,
    endpoint: str,
    region: str,
    user_agent: str = ATTACKER_AGENT,
) -> Any:
    config = Config(
        user_agent=user_agent,
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


def _stamp(records: list[dict[str, Any]], start: datetime | None) -> list[dict[str, Any]]:
    """Give records eventTimes 30 s apart from `start` (None: the emulator's arrival time)."""
    if start is not None:
        for index, record in enumerate(records):
            moment = start + timedelta(seconds=30 * index)
            record["eventTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return records


def console_login_records(account: str, start: datetime | None = None) -> list[dict[str, Any]]:
    """ConsoleLogin events no API can produce: a burst of failures, then root without MFA;
    30 s apart from `start` when given."""
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
    return _stamp(records, start)


def _deny_once(endpoint: str, account: str, calls: tuple[tuple[str, str], ...]) -> list[str]:
    """One access_denied fault rule per (service, operation): the next such call fails."""
    return [
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
        for service, operation in calls
    ]


def _remove_rules(endpoint: str, rules: list[str]) -> None:
    for rule in rules:
        try:
            control(endpoint, f"/_vigil/faults/{rule}", method="DELETE")
        except Exception:
            pass  # already spent


def attack(endpoint: str, account: str, region: str = "us-east-1") -> dict[str, Any]:
    """A recorded burst of attacker activity in a seeded account (see the module doc)."""
    admin = account_session(endpoint, account)
    session, key_id = leak_key(admin, endpoint)
    return burst(endpoint, account, region, session, key_id)


#: The story's reconnaissance (`seed --story`): RECON_CALLS and more, twelve denied calls
#: across five services, enough for a burst-of-denied-calls detection (ten in ten minutes).
STORY_RECON_CALLS = RECON_CALLS + (
    ("iam", "ListPolicies"),
    ("iam", "ListGroups"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeSnapshots"),
    ("cloudtrail", "DescribeTrails"),
    ("s3", "GetBucketPolicy"),
)


def burst(
    endpoint: str,
    account: str,
    region: str,
    session: boto3.Session,
    key_id: str,
    recon: tuple[tuple[str, str], ...] = RECON_CALLS,
    logins_at: datetime | None = None,
) -> dict[str, Any]:
    """`attack` with an already leaked key of bob-dev (`leak_key`); `recon` names the
    denied reconnaissance calls (a subset of STORY_RECON_CALLS); `logins_at` backdates the
    injected console sign-ins (None: they happen now)."""
    result: dict[str, Any] = {
        "principal": f"arn:aws:iam::{account}:user/bob-dev",
        "sourceIp": ATTACKER_IP,
        "recon": {},
    }
    # Reconnaissance, denied: one access_denied rule per call, removed afterwards.
    rules = _deny_once(endpoint, account, recon)
    try:
        iam = _attacker_client(session, "iam", endpoint, "us-east-1")
        ec2 = _attacker_client(session, "ec2", endpoint, region)
        s3 = _attacker_client(session, "s3", endpoint, region)
        rds = _attacker_client(session, "rds", endpoint, region)
        cloudtrail = _attacker_client(session, "cloudtrail", endpoint, region)
        calls = {
            "ListUsers": iam.list_users,
            "ListRoles": iam.list_roles,
            "DescribeInstances": ec2.describe_instances,
            "ListBuckets": s3.list_buckets,
            "DescribeDBInstances": rds.describe_db_instances,
            "GetAccountAuthorizationDetails": iam.get_account_authorization_details,
            "ListPolicies": iam.list_policies,
            "ListGroups": iam.list_groups,
            "DescribeSecurityGroups": ec2.describe_security_groups,
            "DescribeSnapshots": lambda: ec2.describe_snapshots(OwnerIds=["self"]),
            "DescribeTrails": cloudtrail.describe_trails,
            "GetBucketPolicy": lambda: s3.get_bucket_policy(Bucket=f"vigil-{account}-logs"),
        }
        for _, operation in recon:
            result["recon"][operation] = _try(calls[operation])
    finally:
        _remove_rules(endpoint, rules)
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
    result["stopLogging"] = {
        "trail": "management-events",
        "result": _try(cloudtrail.stop_logging, Name="management-events"),
    }
    injected = control(
        endpoint,
        "/_vigil/events",
        {"accountId": account, "records": console_login_records(account, logins_at)},
    )
    result["injected"] = {"ConsoleLogin": injected["stored"]}
    result["accessKeyId"] = key_id
    return result


SECOND_ACT_RECON = (
    ("iam", "ListUsers"),
    ("ec2", "DescribeInstances"),
    ("s3", "ListBuckets"),
)
#: Outside account the second act shares a snapshot with (the same one the seeded
#: ThirdPartyAuditRole trusts).
OUTSIDE_ACCOUNT = "999988887777"


def console_login_without_mfa_record(account: str, user: str) -> dict[str, Any]:
    """A successful console sign-in of an IAM user without MFA, from the attacker."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": f"AIDA{user.upper().replace('-', '')}",
            "accountId": account,
            "userName": user,
            "arn": f"arn:aws:iam::{account}:user/{user}",
        },
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": ATTACKER_IP,
        "userAgent": FIREFOX,
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


def second_act(
    endpoint: str,
    account: str,
    region: str,
    session: boto3.Session,
    key_id: str,
    login_at: datetime | None = None,
) -> dict[str, Any]:
    """The story's sequel in another seeded account, with a leaked key of bob-dev there.

    bob-dev has a console password and no MFA, and reused it: the attacker signs in
    (injected: console sign-ins cannot be made through the API), then works through the
    CLI from the same address: GetCallerIdentity from an offensive distribution, denied
    reconnaissance, RDP opened to the world on `web-https` (in `region`), `snap-private`
    shared with an outside account, a console password for `carol-auditor`.
    """
    result: dict[str, Any] = {
        "principal": f"arn:aws:iam::{account}:user/bob-dev",
        "sourceIp": ATTACKER_IP,
        "recon": {},
    }
    injected = control(
        endpoint,
        "/_vigil/events",
        {
            "accountId": account,
            "records": _stamp([console_login_without_mfa_record(account, "bob-dev")], login_at),
        },
    )
    result["injected"] = {"ConsoleLogin": injected["stored"]}
    sts = _attacker_client(session, "sts", endpoint, "us-east-1")
    result["whoami"] = _try(sts.get_caller_identity)
    iam = _attacker_client(session, "iam", endpoint, "us-east-1")
    ec2 = _attacker_client(session, "ec2", endpoint, region)
    s3 = _attacker_client(session, "s3", endpoint, region)
    rules = _deny_once(endpoint, account, SECOND_ACT_RECON)
    try:
        calls = {
            "ListUsers": iam.list_users,
            "DescribeInstances": ec2.describe_instances,
            "ListBuckets": s3.list_buckets,
        }
        for _, operation in SECOND_ACT_RECON:
            result["recon"][operation] = _try(calls[operation])
    finally:
        _remove_rules(endpoint, rules)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vigil-prod"]}])["Vpcs"][0]
    group = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "group-name", "Values": ["web-https"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    result["openRdp"] = {
        "groupId": group,
        "region": region,
        "result": _try(
            ec2.authorize_security_group_ingress,
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 3389,
                    "ToPort": 3389,
                    "IpRanges": [{"CidrIp": WORLD4}],
                }
            ],
        ),
    }
    snapshot = ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["snap-private"]}]
    )["Snapshots"][0]["SnapshotId"]
    result["sharedSnapshot"] = {
        "snapshotId": snapshot,
        "region": region,
        "sharedWith": OUTSIDE_ACCOUNT,
        "result": _try(
            ec2.modify_snapshot_attribute,
            SnapshotId=snapshot,
            Attribute="createVolumePermission",
            OperationType="add",
            UserIds=[OUTSIDE_ACCOUNT],
        ),
    }
    result["consolePassword"] = {
        "userName": "carol-auditor",
        "result": _try(
            iam.create_login_profile,
            UserName="carol-auditor",
            Password="Summer2024!",
            PasswordResetRequired=False,
        ),
    }
    result["accessKeyId"] = key_id
    return result
