"""Test helpers: an emulator process on a free port, and boto3 clients per account.

Used by selfcheck.py; usable by any Python test that needs the emulator (the Rust helper
does the same: start `python -m vigil_emulator --port 0`, read the LISTENING line).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from . import sessions

HERE = Path(__file__).resolve().parent.parent  # tests/aws, the PYTHONPATH of the emulator
NO_RETRY = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"})


# ---- emulator process --------------------------------------------------------------------


class EmulatorProcess:
    """One emulator on a free port, started the way the Rust test helper starts it."""

    def __init__(self, delivery_interval: float = 0, *extra_args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(HERE))
        command = [sys.executable, "-m", "vigil_emulator", "--host", "127.0.0.1", "--port", "0"]
        command += ["--delivery-interval", str(delivery_interval), *extra_args]
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        match = re.fullmatch(r"VIGIL_EMULATOR_LISTENING port=(\d+)\n", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"emulator did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(match.group(1))
        self.endpoint = f"http://127.0.0.1:{self.port}"
        # Keep draining stderr so a chatty emulator never blocks on a full pipe.
        self.stderr: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stderr or []:
            self.stderr.append(line)

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=15)

    # control API
    def call(self, method: str, path: str, doc: Any = None) -> tuple[int, Any]:
        data = json.dumps(doc).encode() if doc is not None else None
        request = urllib.request.Request(
            self.endpoint + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def ok(self, method: str, path: str, doc: Any = None) -> Any:
        status, body = self.call(method, path, doc)
        assert status == 200, f"{method} {path} -> {status} {body}"
        return body


# ---- clients -----------------------------------------------------------------------------


class Clients:
    def __init__(self, emu: EmulatorProcess) -> None:
        self.emu = emu
        self._sessions: dict[str, boto3.Session] = {}

    def mgmt(self, service: str, region: str = "us-east-1", config: Config = NO_RETRY) -> Any:
        return sessions.management_session(region).client(
            service, endpoint_url=self.emu.endpoint, config=config
        )

    def session(self, account: str) -> boto3.Session:
        if account not in self._sessions:
            self._sessions[account] = sessions.account_session(
                self.emu.endpoint, account, "selfcheck"
            )
        return self._sessions[account]

    def of(
        self, account: str, service: str, region: str = "us-east-1", config: Config = NO_RETRY
    ) -> Any:
        return self.session(account).client(
            service, region_name=region, endpoint_url=self.emu.endpoint, config=config
        )

    def lookup_all(self, account: str, region: str, **kwargs: Any) -> list[dict[str, Any]]:
        ct = self.of(account, "cloudtrail", region)
        events, token = [], None
        while True:
            page = ct.lookup_events(**kwargs, **({"NextToken": token} if token else {}))
            events.extend(page["Events"])
            token = page.get("NextToken")
            if not token:
                return events


def error_code(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    try:
        call(**kwargs)
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call succeeded")


def raw_lookup(
    emu: EmulatorProcess, access_key: str, region: str, body: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    """LookupEvents over plain HTTP, to see the wire (headers, JSON types)."""
    auth = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/20260101/{region}/cloudtrail/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0"
    )
    request = urllib.request.Request(
        emu.endpoint + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": auth,
            "X-Amz-Target": "CloudTrail_20131101.LookupEvents",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# ---- AWS Organizations -------------------------------------------------------------------


def create_organization(endpoint: str, management: str, members: int) -> dict[str, Any]:
    """An organisation whose management account is `management` (a fresh account), with
    `members` accounts created through organizations:CreateAccount. Answers the management
    account, the root ID and the member account IDs."""
    orgs = sessions.account_session(endpoint, management, "vigil-org").client(
        "organizations", endpoint_url=endpoint, region_name="us-east-1", config=NO_RETRY
    )
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    accounts = [
        orgs.create_account(AccountName=f"member-{i}", Email=f"member-{i}-{management}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(members)
    ]
    return {"management": management, "root": root, "members": accounts}


def organization_trail(endpoint: str, management: str, region: str = "us-east-1") -> str:
    """An organisation trail in the management account, logging every account of the
    organisation (and every region) into one bucket, started. Answers the trail's ARN."""
    session = sessions.account_session(endpoint, management, "vigil-org-trail")
    bucket = f"vigil-org-trail-{management}"
    session.client("s3", endpoint_url=endpoint, region_name=region).create_bucket(Bucket=bucket)
    cloudtrail = session.client(
        "cloudtrail", endpoint_url=endpoint, region_name=region, config=NO_RETRY
    )
    arn = cloudtrail.create_trail(
        Name="organization",
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        # Without log file validation: the emulator writes no digest files for organisation
        # trails, and Vigil reads a validated trail's files only as its digests vouch for them.
    )["TrailARN"]
    cloudtrail.start_logging(Name="organization")
    return arn


# ---- push delivery -----------------------------------------------------------------------

#: The name the demo gives the push queue and its rule.
PUSH_NAME = "VigilPush"


def push_delivery(endpoint: str, account: str, region: str = "us-east-1") -> str:
    """What the customer template's PushDelivery option creates (the emulator's
    `/_vigil/stacks` deploys only the template's IAM resources): an SQS queue and a
    default-bus rule sending CloudTrail API calls and console sign-ins to it (the template's
    event pattern). Answers the queue's URL as AWS spells it, the form Vigil takes."""
    session = sessions.account_session(endpoint, account, "vigil-push")
    sqs = session.client("sqs", endpoint_url=endpoint, region_name=region, config=NO_RETRY)
    url = sqs.create_queue(QueueName=PUSH_NAME)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = session.client("events", endpoint_url=endpoint, region_name=region, config=NO_RETRY)
    pattern = {"detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]}
    events.put_rule(Name=PUSH_NAME, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=PUSH_NAME, Targets=[{"Id": "VigilPushQueue", "Arn": arn}])
    return f"https://sqs.{region}.amazonaws.com/{account}/{PUSH_NAME}"


def member_session(endpoint: str, management: str, account: str) -> boto3.Session:
    """Credentials in `account` of the organisation managed by `management`: moto's member
    accounts trust only their management account with OrganizationAccountAccessRole, so a
    member is entered from the management account, as with AWS."""
    admin = sessions.account_session(endpoint, management, "vigil-admin")
    if account == management:
        return admin
    creds = admin.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{sessions.BOOTSTRAP_ROLE}",
        RoleSessionName="vigil-admin",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def open_ssh(endpoint: str, management: str, account: str, region: str = "us-east-1") -> str:
    """A security group opened to the world on SSH in the default VPC of `account` (of
    `management`'s organisation), as an operator's slip would (the demo check's change).
    Answers the group's ID."""
    ec2 = member_session(endpoint, management, account).client(
        "ec2", endpoint_url=endpoint, region_name=region, config=NO_RETRY
    )
    group = ec2.create_security_group(GroupName="debug-ssh", Description="temporary debugging")
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        }],
    )
    return group["GroupId"]


USAGE = """usage: python -m vigil_emulator.testing organization ENDPOINT MANAGEMENT MEMBERS
       python -m vigil_emulator.testing organization-trail ENDPOINT MANAGEMENT
       python -m vigil_emulator.testing push-delivery ENDPOINT ACCOUNT
       python -m vigil_emulator.testing open-ssh ENDPOINT MANAGEMENT ACCOUNT"""

if __name__ == "__main__":
    # The browser tests' and the demo's emulated organisation (printed as JSON), the demo's
    # push delivery (prints the queue URL), and the demo check's change (prints the group).
    if len(sys.argv) == 5 and sys.argv[1] == "organization":
        print(json.dumps(create_organization(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    elif len(sys.argv) == 4 and sys.argv[1] == "organization-trail":
        print(organization_trail(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "push-delivery":
        print(push_delivery(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "open-ssh":
        print(open_ssh(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit(USAGE)
