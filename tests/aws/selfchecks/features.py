"""Faults, trust enforcement, isolation, s3control, S3 names, the control API, the seeder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.exceptions import ClientError

from vigil_emulator import attack, seed
from vigil_emulator.testing import HERE, Clients, EmulatorProcess, error_code

from . import MGMT, A, B, check, log_records


@check
def faults_fire_with_real_error_codes_and_expire(emu: EmulatorProcess, c: Clients) -> None:
    cases = [
        (
            "ec2",
            "DescribeVpcs",
            "throttle",
            ("RequestLimitExceeded", 503),
            lambda: c.of(A, "ec2").describe_vpcs(),
        ),
        ("iam", "ListUsers", "throttle", ("Throttling", 400), lambda: c.of(A, "iam").list_users()),
        (
            "sts",
            "GetCallerIdentity",
            "throttle",
            ("Throttling", 400),
            lambda: c.of(A, "sts").get_caller_identity(),
        ),
        (
            "rds",
            "DescribeDBInstances",
            "throttle",
            ("Throttling", 400),
            lambda: c.of(A, "rds").describe_db_instances(),
        ),
        (
            "cloudtrail",
            "DescribeTrails",
            "throttle",
            ("ThrottlingException", 400),
            lambda: c.of(A, "cloudtrail").describe_trails(),
        ),
        ("s3", "ListBuckets", "throttle", ("SlowDown", 503), lambda: c.of(A, "s3").list_buckets()),
        (
            "ec2",
            "DescribeVpcs",
            "access_denied",
            ("UnauthorizedOperation", 403),
            lambda: c.of(A, "ec2").describe_vpcs(),
        ),
        (
            "iam",
            "ListUsers",
            "access_denied",
            ("AccessDenied", 403),
            lambda: c.of(A, "iam").list_users(),
        ),
        (
            "cloudtrail",
            "LookupEvents",
            "access_denied",
            ("AccessDeniedException", 400),
            lambda: c.of(A, "cloudtrail").lookup_events(),
        ),
        (
            "s3",
            "ListBuckets",
            "access_denied",
            ("AccessDenied", 403),
            lambda: c.of(A, "s3").list_buckets(),
        ),
        (
            "ec2",
            "DescribeVpcs",
            "server_error",
            ("InternalError", 500),
            lambda: c.of(A, "ec2").describe_vpcs(),
        ),
        (
            "iam",
            "ListUsers",
            "server_error",
            ("InternalFailure", 500),
            lambda: c.of(A, "iam").list_users(),
        ),
    ]
    for service, operation, kind, expected, call in cases:
        rule = emu.ok(
            "POST",
            "/_vigil/faults",
            {"accountId": A, "service": service, "operation": operation, "kind": kind, "count": 2},
        )
        listed = {f["id"]: f for f in emu.ok("GET", "/_vigil/faults")["faults"]}
        assert listed[rule["id"]]["remaining"] == 2
        for _ in range(2):
            assert error_code(call) == expected, (service, kind, expected)
        call()  # the rule has expired
        assert rule["id"] not in {f["id"] for f in emu.ok("GET", "/_vigil/faults")["faults"]}
    # Other accounts, operations and regions are unaffected by a scoped rule.
    emu.ok(
        "POST",
        "/_vigil/faults",
        {
            "accountId": A,
            "service": "ec2",
            "region": "us-east-1",
            "operation": "DescribeVpcs",
            "kind": "throttle",
        },
    )
    c.of(B, "ec2").describe_vpcs()
    c.of(A, "ec2", "eu-west-1").describe_vpcs()
    c.of(A, "ec2").describe_subnets()
    assert error_code(c.of(A, "ec2").describe_vpcs)[0] == "RequestLimitExceeded"
    assert emu.ok("DELETE", "/_vigil/faults") == {"cleared": 1}
    c.of(A, "ec2").describe_vpcs()
    # Faulted calls are recorded with their error code.
    denied = c.lookup_all(
        A,
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DescribeVpcs"}],
    )
    codes = {json.loads(e["CloudTrailEvent"]).get("errorCode") for e in denied}
    assert {
        "Client.RequestLimitExceeded",
        "Client.UnauthorizedOperation",
        "Server.InternalError",
    } <= codes, codes
    status, body = emu.call("POST", "/_vigil/faults", {"kind": "explode"})
    assert status == 400, body


@check
def slow_fault_delays_and_requests_run_concurrently(emu: EmulatorProcess, c: Clients) -> None:
    emu.ok(
        "POST",
        "/_vigil/faults",
        {
            "service": "ec2",
            "operation": "DescribeRegions",
            "kind": "slow",
            "delayMs": 1500,
            "count": 1,
        },
    )
    ec2_slow, ec2 = c.of(A, "ec2"), c.of(A, "ec2")
    with ThreadPoolExecutor(max_workers=2) as pool:
        started = time.monotonic()
        slow = pool.submit(ec2_slow.describe_regions)
        time.sleep(0.2)
        ec2.describe_vpcs()
        fast_elapsed = time.monotonic() - started
        regions = slow.result()["Regions"]
        slow_elapsed = time.monotonic() - started
    assert regions and slow_elapsed >= 1.4, slow_elapsed
    assert fast_elapsed < 1.2, f"a request waited for a slow one ({fast_elapsed:.2f}s)"


@check
def assume_role_enforces_trust_and_external_id(emu: EmulatorProcess, c: Clients) -> None:
    vigil_arn = seed.vigil_role(c.session(A), emu.endpoint, "ext-123")
    iam = c.of(A, "iam")
    iam.create_role(
        RoleName="NoExternalId",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            }
        ),
    )
    iam.create_role(
        RoleName="OtherAccount",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            }
        ),
    )
    sts = c.mgmt("sts")

    def assume(arn: str, **kwargs: Any) -> dict[str, Any]:
        return sts.assume_role(RoleArn=arn, RoleSessionName="vigil-check", **kwargs)

    assert error_code(assume, arn=vigil_arn) == ("AccessDenied", 403)
    code, _ = error_code(assume, arn=vigil_arn, ExternalId="wrong")
    assert code == "AccessDenied"
    creds = assume(vigil_arn, ExternalId="ext-123")["Credentials"]
    who = boto3.client(
        "sts",
        endpoint_url=emu.endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).get_caller_identity()
    assert (
        who["Account"] == A
        and who["Arn"] == f"arn:aws:sts::{A}:assumed-role/VigilReadOnly/vigil-check"
    )
    attached = {
        p["PolicyName"]
        for p in iam.list_attached_role_policies(RoleName="VigilReadOnly")["AttachedPolicies"]
    }
    assert attached == {"SecurityAudit", "ViewOnlyAccess"}, attached
    assume(f"arn:aws:iam::{A}:role/NoExternalId")
    assume(f"arn:aws:iam::{A}:role/NoExternalId", ExternalId="anything")
    assert error_code(assume, arn=f"arn:aws:iam::{A}:role/OtherAccount")[0] == "AccessDenied"
    assert error_code(assume, arn=f"arn:aws:iam::{A}:role/Missing")[0] == "AccessDenied"
    message = ""
    try:
        assume(f"arn:aws:iam::{A}:role/Missing")
    except ClientError as error:
        message = error.response["Error"]["Message"]
    assert message == (
        f"User: arn:aws:iam::{MGMT}:user/moto is not authorized to perform: "
        f"sts:AssumeRole on resource: arn:aws:iam::{A}:role/Missing"
    ), message
    # Switched off by the control API, then back on.
    emu.ok("POST", "/_vigil/deny-assume-role", {"roleArn": vigil_arn})
    assert error_code(assume, arn=vigil_arn, ExternalId="ext-123")[0] == "AccessDenied"
    emu.ok("DELETE", "/_vigil/deny-assume-role")
    assume(vigil_arn, ExternalId="ext-123")
    # Both accounts record the calls; the role's account sees the outside caller.
    in_a = c.lookup_all(
        A,
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}],
    )
    records = [json.loads(e["CloudTrailEvent"]) for e in in_a]
    mine = [
        r
        for r in records
        if r["userIdentity"]["accountId"] == MGMT and r["requestParameters"]["roleArn"] == vigil_arn
    ]
    assert {r.get("errorCode") for r in mine} == {None, "AccessDenied"}, mine
    assert all(r["recipientAccountId"] == A and r["sharedEventID"] for r in mine)
    assert {"ResourceType": "AWS::IAM::Role", "ResourceName": vigil_arn} in in_a[0]["Resources"]
    in_mgmt = c.lookup_all(
        MGMT,
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": vigil_arn}],
    )
    assert in_mgmt and all(
        json.loads(e["CloudTrailEvent"])["recipientAccountId"] == MGMT for e in in_mgmt
    )


@check
def accounts_stay_isolated(emu: EmulatorProcess, c: Clients) -> None:
    c.of(A, "s3").create_bucket(Bucket="isolated-a")
    names = {b["Name"] for b in c.of(B, "s3").list_buckets()["Buckets"]}
    assert "isolated-a" not in names
    c.of(A, "ec2", "eu-south-1").create_vpc(CidrBlock="10.99.0.0/16")
    cidrs = {v["CidrBlock"] for v in c.of(B, "ec2", "eu-south-1").describe_vpcs()["Vpcs"]}
    assert "10.99.0.0/16" not in cidrs
    assert c.of(B, "sts").get_caller_identity()["Account"] == B
    b_events = c.lookup_all(B, "eu-south-1")
    assert all(json.loads(e["CloudTrailEvent"])["recipientAccountId"] == B for e in b_events)
    assert "CreateVpc" not in {e["EventName"] for e in b_events}


@check
def describe_snapshots_honours_owner_and_restorable_by(emu: EmulatorProcess, c: Clients) -> None:
    ec2 = c.of(A, "ec2", "eu-north-1")
    vol = ec2.create_volume(AvailabilityZone="eu-north-1a", Size=1)["VolumeId"]
    public, shared, private = (ec2.create_snapshot(VolumeId=vol)["SnapshotId"] for _ in range(3))
    ec2.modify_snapshot_attribute(
        SnapshotId=public, Attribute="createVolumePermission", OperationType="add",
        GroupNames=["all"],
    )
    ec2.modify_snapshot_attribute(
        SnapshotId=shared, Attribute="createVolumePermission", OperationType="add",
        UserIds=[B],
    )

    def ids(**kwargs: Any) -> set[str]:
        return {s["SnapshotId"] for s in ec2.describe_snapshots(**kwargs)["Snapshots"]}

    mine = ids(OwnerIds=["self"])
    assert {public, shared, private} <= mine, mine
    assert ids(OwnerIds=["self"], RestorableByUserIds=["all"]) == {public}
    assert ids(OwnerIds=[A], RestorableByUserIds=[B]) == {shared}
    assert {public, shared, private} <= ids(RestorableByUserIds=["self"])
    assert not ids(OwnerIds=[B]) & mine


@check
def s3control_is_served_whatever_the_host(emu: EmulatorProcess, c: Clients) -> None:
    s3control = c.of(A, "s3control")

    def to_emulator(request: Any, **_: Any) -> None:
        # The SDK aims at <account>.127.0.0.1, which does not resolve: send it to the
        # emulator, keeping an <account>.localhost Host header.
        request.url = request.url.replace(f"{A}.127.0.0.1", "127.0.0.1")
        request.headers["Host"] = f"{A}.localhost:{emu.port}"

    s3control.meta.events.register("before-send.s3-control.*", to_emulator)
    s3control.put_public_access_block(
        AccountId=A,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )
    got = s3control.get_public_access_block(AccountId=A)["PublicAccessBlockConfiguration"]
    assert got["BlockPublicAcls"] is True and got["RestrictPublicBuckets"] is False
    names = [
        e["EventName"]
        for e in c.lookup_all(
            A,
            "us-east-1",
            LookupAttributes=[
                {"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}
            ],
        )
    ]
    assert "PutAccountPublicAccessBlock" in names and "GetAccountPublicAccessBlock" in names, names


@check
def s3_operations_are_named_and_data_events_kept_out_of_lookup(
    emu: EmulatorProcess, c: Clients
) -> None:
    s3 = c.of(B, "s3")
    s3.create_bucket(Bucket="names-b")
    s3.put_bucket_acl(Bucket="names-b", ACL="public-read")
    s3.get_bucket_acl(Bucket="names-b")
    s3.put_public_access_block(
        Bucket="names-b",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(
        Bucket="names-b",
        Policy=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::names-b/*",
                    }
                ]
            }
        ),
    )
    s3.put_object(Bucket="names-b", Key="a/b.txt", Body=b"x")
    s3.get_object(Bucket="names-b", Key="a/b.txt")
    s3.list_objects_v2(Bucket="names-b")
    s3.list_buckets()
    recorded = [
        r["eventName"]
        for r in emu.ok("GET", f"/_vigil/events?accountId={B}")["records"]
        if r["eventSource"] == "s3.amazonaws.com"
    ]
    for name in (
        "CreateBucket",
        "PutBucketAcl",
        "GetBucketAcl",
        "PutPublicAccessBlock",
        "PutBucketPolicy",
        "PutObject",
        "GetObject",
        "ListObjectsV2",
        "ListBuckets",
    ):
        assert name in recorded, (name, recorded)
    looked = {e["EventName"] for e in c.lookup_all(B, "us-east-1")}
    assert {"CreateBucket", "PutBucketPolicy", "ListBuckets"} <= looked
    assert not {"PutObject", "GetObject", "ListObjectsV2"} & looked, looked
    put = next(
        e
        for e in c.lookup_all(
            B,
            "us-east-1",
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutBucketPolicy"}],
        )
    )
    assert {"ResourceType": "AWS::S3::Bucket", "ResourceName": "names-b"} in put["Resources"]
    s3.put_object(Bucket="names-b", Key="données/é 1+2.txt", Body=b"x")
    last = emu.ok("GET", f"/_vigil/events?accountId={B}")["records"][-1]
    assert last["eventName"] == "PutObject", last
    assert last["requestParameters"]["key"] == "données/é 1+2.txt", last["requestParameters"]


@check
def control_calls_and_unsigned_requests_are_not_recorded(emu: EmulatorProcess, c: Clients) -> None:
    before = sum(
        len(emu.ok("GET", f"/_vigil/events?accountId={acct}")["records"]) for acct in (A, B, MGMT)
    )
    emu.ok("GET", "/_vigil/health")
    emu.ok("GET", "/_vigil/faults")
    emu.ok("POST", "/_vigil/flush")
    try:  # unsigned: served by moto (as S3), not recorded
        urllib.request.urlopen(emu.endpoint + "/").read()
    except urllib.error.HTTPError:
        pass
    after = sum(
        len(emu.ok("GET", f"/_vigil/events?accountId={acct}")["records"]) for acct in (A, B, MGMT)
    )
    assert before == after, (before, after)


def _run_seed(endpoint: str, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigil_emulator.seed",
            "--endpoint",
            endpoint,
            "--account",
            "333333333333",
            "--account",
            "444444444444",
            "--role-external-id",
            "333333333333=seed-ext",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@check
def seeder_is_deterministic_and_idempotent(emu: EmulatorProcess, c: Clients) -> None:
    first = _run_seed(emu.endpoint)
    other = EmulatorProcess()
    try:
        second = _run_seed(other.endpoint)
    finally:
        assert other.stop() == 0
    assert first == second, "two fresh emulators gave different seeds"
    again = _run_seed(emu.endpoint)
    assert again == first, "seeding the same emulator twice changed the summary"
    account = first["accounts"]["333333333333"]
    assert set(account["regions"]) == set(seed.DEFAULT_REGIONS)
    assert "trail" in account and "trail" not in first["accounts"]["444444444444"]
    sid = "333333333333"
    ec2 = c.of(sid, "ec2")
    region = account["regions"]["us-east-1"]
    instances = {
        i["InstanceId"]: i
        for r in ec2.describe_instances(InstanceIds=list(region["instances"].values()))[
            "Reservations"
        ]
        for i in r["Instances"]
    }
    assert (
        instances[region["instances"]["web-imdsv1"]]["MetadataOptions"]["HttpTokens"] == "optional"
    )
    assert (
        instances[region["instances"]["api-imdsv2"]]["MetadataOptions"]["HttpTokens"] == "required"
    )
    assert instances[region["instances"]["web-imdsv1"]].get("PublicIpAddress")
    assert not instances[region["instances"]["worker-private"]].get("PublicIpAddress")
    snap = ec2.describe_snapshot_attribute(
        SnapshotId=region["snapshots"]["snap-public"], Attribute="createVolumePermission"
    )
    assert snap["CreateVolumePermissions"] == [{"Group": "all"}]
    acl = ec2.describe_network_acls(NetworkAclIds=[region["networkAcls"]["legacy-open-ssh"]])
    acl = acl["NetworkAcls"][0]
    assert [a["SubnetId"] for a in acl["Associations"]] == [
        region["subnets"]["vigil-legacy-public"]
    ]
    assert any(
        e["CidrBlock"] == "0.0.0.0/0" and e.get("PortRange") == {"From": 22, "To": 22}
        for e in acl["Entries"]
        if not e["Egress"] and e["RuleAction"] == "allow"
    )
    defaults = {
        g["VpcId"]: g
        for g in ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
    }
    assert defaults[region["vpcs"]["vigil-legacy"]]["IpPermissions"]
    assert not defaults[region["vpcs"]["vigil-prod"]]["IpPermissions"]
    open_ssh = ec2.describe_security_groups(GroupIds=[region["securityGroups"]["open-ssh"]])
    permission = open_ssh["SecurityGroups"][0]["IpPermissions"][0]
    assert permission["IpRanges"][0]["CidrIp"] == "0.0.0.0/0"
    assert permission["Ipv6Ranges"][0]["CidrIpv6"] == "::/0"
    rds = {
        d["DBInstanceIdentifier"]: d
        for d in c.of(sid, "rds").describe_db_instances()["DBInstances"]
    }
    assert (
        rds["orders-db-public"]["PubliclyAccessible"]
        and not rds["orders-db-public"]["StorageEncrypted"]
    )
    assert rds["billing-db-private"]["StorageEncrypted"]
    creds = c.mgmt("sts").assume_role(
        RoleArn=f"arn:aws:iam::{sid}:role/VigilReadOnly",
        RoleSessionName="vigil",
        ExternalId="seed-ext",
    )["Credentials"]
    assert creds["AccessKeyId"]


@check
def attack_burst_is_recorded(emu: EmulatorProcess, c: Clients) -> None:
    result = attack.attack(emu.endpoint, "333333333333")
    assert set(result["recon"].values()) == {"AccessDenied", "UnauthorizedOperation"}, result
    assert result["stopLogging"]["result"] == "ok"
    assert emu.ok("GET", "/_vigil/faults")["faults"] == []
    events = c.lookup_all(
        "333333333333",
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "bob-dev"}],
    )
    records = [json.loads(e["CloudTrailEvent"]) for e in events]
    names = {r["eventName"] for r in records}
    assert {
        "StopLogging",
        "ModifySnapshotAttribute",
        "AuthorizeSecurityGroupIngress",
        "CreateAccessKey",
        "ListUsers",
    } <= names, names
    assert all(r["sourceIPAddress"] == attack.ATTACKER_IP for r in records)
    assert sum(1 for r in records if r.get("errorCode")) == 6
    root = c.lookup_all(
        "333333333333",
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}],
    )
    assert [e["EventName"] for e in root] == ["ConsoleLogin"]
    files = emu.ok("POST", "/_vigil/flush")["files"]
    delivered = log_records(c.of("333333333333", "s3"), "vigil-333333333333-logs", files)
    assert "StopLogging" in {r["eventName"] for r in delivered}


@check
def demo_story_plays_in_two_accounts_without_the_seeding_history(
    emu: EmulatorProcess, c: Clients
) -> None:
    first, second = "555555555555", "666666666666"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigil_emulator.seed",
            "--endpoint",
            emu.endpoint,
            "--account",
            first,
            "--account",
            second,
            "--regions",
            "us-east-1,eu-west-1",
            "--role-external-id",
            f"{first}=story-ext",
            "--story",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout)
    assert summary["accounts"][first]["trail"].endswith(":trail/management-events")
    assert "trail" not in summary["accounts"][second]
    acts = summary["story"]
    assert len(acts[first]["recon"]) == len(attack.STORY_RECON_CALLS) >= 10
    assert set(acts[first]["recon"].values()) == {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
    }, acts[first]["recon"]
    for step in ("openSsh", "publicSnapshot", "persistenceKey", "stopLogging"):
        assert acts[first][step]["result"] == "ok", (step, acts[first])
    for step in ("openRdp", "sharedSnapshot", "consolePassword"):
        assert acts[second][step]["result"] == "ok", (step, acts[second])
    assert acts[second]["whoami"] == "ok"
    assert emu.ok("GET", "/_vigil/faults")["faults"] == []

    def recorded(account: str) -> list[dict[str, Any]]:
        return emu.ok("GET", f"/_vigil/events?accountId={account}")["records"]

    # The estate's own history is gone: only the trail's set-up and the story remain.
    setup = {
        r["eventName"]
        for r in recorded(first)
        if "OrganizationAccountAccessRole" in r["userIdentity"].get("arn", "")
    }
    assert setup <= {"DescribeTrails", "CreateTrail", "StartLogging"}, setup
    assert not [r for r in recorded(second) if r["userIdentity"].get("type") == "AssumedRole"], (
        "the second account kept the seeding's history"
    )
    by_name = {r["eventName"]: r for r in recorded(second)}
    shared = by_name["ModifySnapshotAttribute"]["requestParameters"]
    assert shared["createVolumePermission"] == {
        "add": {"items": [{"userId": attack.OUTSIDE_ACCOUNT}]}
    }, shared
    assert by_name["ConsoleLogin"]["additionalEventData"]["MFAUsed"] == "No"
    assert by_name["CreateLoginProfile"]["requestParameters"]["userName"] == "carol-auditor"
    assert "kali" in by_name["GetCallerIdentity"]["userAgent"]
    denied = [r for r in recorded(first) if r.get("errorCode")]
    assert len(denied) == len(attack.STORY_RECON_CALLS), [r["eventName"] for r in denied]
    assert {r["userIdentity"]["userName"] for r in denied} == {"bob-dev"}
    public = next(r for r in recorded(first) if r["eventName"] == "ModifySnapshotAttribute")
    assert public["requestParameters"]["createVolumePermission"] == {
        "add": {"items": [{"group": "all"}]}
    }, public["requestParameters"]
    assert public["requestParameters"]["attributeType"] == "CREATE_VOLUME_PERMISSION"


@check
def access_analyzers_are_kept_per_account_and_region(emu: EmulatorProcess, c: Clients) -> None:
    # moto has no IAM Access Analyzer: the harness keeps analyzers itself.
    mine = c.of(A, "accessanalyzer", "eu-west-3")
    name = "selfcheck-analyzer"
    if not any(a["name"] == name for a in mine.list_analyzers()["analyzers"]):
        arn = mine.create_analyzer(analyzerName=name, type="ACCOUNT")["arn"]
        assert arn == f"arn:aws:access-analyzer:eu-west-3:{A}:analyzer/{name}", arn
    listed = [a for a in mine.list_analyzers()["analyzers"] if a["name"] == name]
    assert len(listed) == 1 and listed[0]["status"] == "ACTIVE", listed
    conflict = error_code(mine.create_analyzer, analyzerName=name, type="ACCOUNT")
    assert conflict == ("ConflictException", 409), conflict
    others = c.of(B, "accessanalyzer", "eu-west-3").list_analyzers()["analyzers"]
    assert not any(a["name"] == name for a in others), others
    elsewhere = c.of(A, "accessanalyzer", "ap-south-1").list_analyzers()["analyzers"]
    assert not any(a["name"] == name for a in elsewhere), elsewhere


@check
def bucket_versioning_answers_under_aws_root_element(emu: EmulatorProcess, c: Clients) -> None:
    s3 = c.of(A, "s3")
    bucket = f"selfcheck-versioning-{A}"
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError:
        pass  # made by an earlier run
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    raw: list[bytes] = []
    s3.meta.events.register(
        "after-call.s3.GetBucketVersioning",
        lambda http_response, **_: raw.append(http_response.content),
    )
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert b"<VersioningConfiguration" in raw[0], raw
    assert b"GetBucketVersioningResponse" not in raw[0], raw
