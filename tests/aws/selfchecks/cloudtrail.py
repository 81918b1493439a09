"""Recording, LookupEvents, injection and trail delivery."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import os
import re
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from vigil_emulator import attack
from vigil_emulator.testing import Clients, EmulatorProcess, error_code, raw_lookup

from . import KEY_RE, A, B, check, create_bucket, log_records


@check
def health_answers_ok(emu: EmulatorProcess, c: Clients) -> None:
    assert emu.ok("GET", "/_vigil/health") == {"ok": True}


@check
def calls_are_recorded_for_the_calling_account_and_region(emu: EmulatorProcess, c: Clients) -> None:
    c.of(A, "ec2", "eu-west-1").create_security_group(GroupName="rec-a", Description="x")
    c.of(B, "ec2", "eu-west-1").create_security_group(GroupName="rec-b", Description="x")
    c.of(A, "ec2", "eu-central-1").describe_vpcs()
    a_events = c.lookup_all(A, "eu-west-1")
    names = [e["EventName"] for e in a_events]
    assert "CreateSecurityGroup" in names, names
    records = [json.loads(e["CloudTrailEvent"]) for e in a_events]
    assert all(r["recipientAccountId"] == A and r["awsRegion"] == "eu-west-1" for r in records)
    assert not any(
        r["requestParameters"] and r["requestParameters"].get("groupName") == "rec-b"
        for r in records
    ), "account B's call shows in account A"
    assert "DescribeVpcs" not in names, "an eu-central-1 call shows in eu-west-1"
    b_records = [json.loads(e["CloudTrailEvent"]) for e in c.lookup_all(B, "eu-west-1")]
    assert any((r["requestParameters"] or {}).get("groupName") == "rec-b" for r in b_records)
    assert all(r["userIdentity"]["accountId"] == B for r in b_records)


@check
def records_look_like_cloudtrail(emu: EmulatorProcess, c: Clients) -> None:
    ec2 = c.of(A, "ec2", "us-west-2")
    group = ec2.create_security_group(GroupName="shape", Description="x")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    event = c.of(A, "cloudtrail", "us-west-2").lookup_events(
        LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "AuthorizeSecurityGroupIngress"}
        ]
    )["Events"][0]
    record = json.loads(event["CloudTrailEvent"])
    for key in (
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "eventID",
        "eventType",
        "recipientAccountId",
        "readOnly",
    ):
        assert key in record, key
    assert record["eventVersion"] == "1.09" and record["eventType"] == "AwsApiCall"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["eventTime"])
    assert record["eventSource"] == "ec2.amazonaws.com" and record["readOnly"] is False
    assert record["userAgent"].startswith("Boto3/"), record["userAgent"]
    assert record["sourceIPAddress"] == "127.0.0.1"
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole" and identity["accountId"] == A
    assert (
        identity["arn"] == f"arn:aws:sts::{A}:assumed-role/OrganizationAccountAccessRole/selfcheck"
    )
    issuer = identity["sessionContext"]["sessionIssuer"]
    assert issuer == {
        "type": "Role",
        "principalId": issuer["principalId"],
        "arn": f"arn:aws:iam::{A}:role/OrganizationAccountAccessRole",
        "accountId": A,
        "userName": "OrganizationAccountAccessRole",
    }
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert identity["principalId"].endswith(":selfcheck")
    perm = record["requestParameters"]["ipPermissions"]["items"][0]
    assert perm["fromPort"] == 22 and perm["ipRanges"]["items"][0]["cidrIp"] == "0.0.0.0/0"
    assert event["Username"] == "selfcheck" and event["ReadOnly"] == "false"
    assert {"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": group} in event["Resources"]


@check
def user_identity_of_iam_users_and_secrets_hidden(emu: EmulatorProcess, c: Clients) -> None:
    iam = c.of(A, "iam")
    iam.create_user(UserName="ident-user")
    iam.create_login_profile(UserName="ident-user", Password="Sup3r-Secret!")
    key = iam.create_access_key(UserName="ident-user")["AccessKey"]
    user_session = boto3.Session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    user_session.client("ec2", region_name="sa-east-1", endpoint_url=emu.endpoint).describe_vpcs()
    events = c.lookup_all(
        A,
        "sa-east-1",
        LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key["AccessKeyId"]}],
    )
    assert len(events) == 1 and events[0]["Username"] == "ident-user", events
    identity = json.loads(events[0]["CloudTrailEvent"])["userIdentity"]
    assert identity["type"] == "IAMUser" and identity["arn"] == f"arn:aws:iam::{A}:user/ident-user"
    records = emu.ok("GET", f"/_vigil/events?accountId={A}")["records"]
    login = [r for r in records if r["eventName"] == "CreateLoginProfile"][-1]
    assert "Sup3r-Secret!" not in json.dumps(login), login["requestParameters"]
    assert login["requestParameters"]["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    created = [r for r in records if r["eventName"] == "CreateAccessKey"][-1]
    assert created["responseElements"]["accessKey"]["accessKeyId"] == key["AccessKeyId"]
    assert key["SecretAccessKey"] not in json.dumps(created)


@check
def global_iam_events_show_in_us_east_1(emu: EmulatorProcess, c: Clients) -> None:
    c.of(A, "iam").create_user(UserName="global-user")
    injected = {
        "eventSource": "iam.amazonaws.com",
        "eventName": "DeleteUser",
        "awsRegion": "eu-north-1",
        "userIdentity": {"type": "Root", "accountId": A},
        "requestParameters": {"userName": "ghost"},
        "readOnly": False,
    }
    emu.ok("POST", "/_vigil/events", {"accountId": A, "records": [injected]})
    us = c.lookup_all(
        A,
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}],
    )
    names = {e["EventName"] for e in us}
    assert {"CreateUser", "DeleteUser"} <= names, names
    assert all(e["EventSource"] == "iam.amazonaws.com" for e in us)
    eu = c.lookup_all(
        A,
        "eu-west-1",
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}],
    )
    assert not eu, eu


@check
def lookup_pages_newest_first_over_more_than_50(emu: EmulatorProcess, c: Clients) -> None:
    ec2 = c.of(A, "ec2", "ap-northeast-3")
    for _ in range(120):
        ec2.describe_vpcs()
    ct = c.of(A, "cloudtrail", "ap-northeast-3")
    first = ct.lookup_events()
    assert len(first["Events"]) == 50 and first["NextToken"]
    events = c.lookup_all(
        A,
        "ap-northeast-3",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DescribeVpcs"}],
    )
    assert len(events) == 120, len(events)
    assert len({e["EventId"] for e in events}) == 120
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    small = ct.lookup_events(
        MaxResults=7,
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DescribeVpcs"}],
    )
    assert len(small["Events"]) == 7
    nxt = ct.lookup_events(
        MaxResults=7,
        NextToken=small["NextToken"],
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DescribeVpcs"}],
    )
    assert not {e["EventId"] for e in small["Events"]} & {e["EventId"] for e in nxt["Events"]}
    # The LookupEvents calls themselves are recorded (after their page was computed).
    looked = c.lookup_all(
        A,
        "ap-northeast-3",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "LookupEvents"}],
    )
    assert len(looked) >= 4 and all(e["ReadOnly"] == "true" for e in looked)


@check
def lookup_rejects_bad_requests_like_aws(emu: EmulatorProcess, c: Clients) -> None:
    ct = c.of(A, "cloudtrail")
    assert error_code(ct.lookup_events, MaxResults=51) == ("InvalidMaxResultsException", 400)
    assert error_code(ct.lookup_events, NextToken="bogus")[0] == "InvalidNextTokenException"
    token = ct.lookup_events(MaxResults=1)["NextToken"]
    assert (
        error_code(
            ct.lookup_events,
            NextToken=token,
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "X"}],
        )[0]
        == "InvalidNextTokenException"
    )
    assert (
        error_code(
            ct.lookup_events,
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "A"},
                {"AttributeKey": "EventName", "AttributeValue": "B"},
            ],
        )[0]
        == "InvalidLookupAttributesException"
    )
    assert (
        error_code(
            ct.lookup_events,
            StartTime=datetime(2026, 1, 2, tzinfo=UTC),
            EndTime=datetime(2026, 1, 1, tzinfo=UTC),
        )[0]
        == "InvalidTimeRangeException"
    )


@check
def lookup_wire_format_suits_strict_sdks(emu: EmulatorProcess, c: Clients) -> None:
    status, headers, body = raw_lookup(emu, "AKIAIOSFODNN7EXAMPLE", "us-east-1", {"MaxResults": 2})
    assert status == 200, body
    assert headers.get("Content-Type") == "application/x-amz-json-1.1", headers
    doc = json.loads(body)
    assert doc["Events"] and all(isinstance(e["EventTime"], (int, float)) for e in doc["Events"])
    assert all(isinstance(e["CloudTrailEvent"], str) for e in doc["Events"])
    status, headers, body = raw_lookup(emu, "AKIAIOSFODNN7EXAMPLE", "us-east-1", {"MaxResults": 0})
    assert status == 400 and json.loads(body)["__type"] == "InvalidMaxResultsException", body
    assert headers.get("Content-Type") == "application/x-amz-json-1.1", headers


@check
def lookup_filters_each_attribute(emu: EmulatorProcess, c: Clients) -> None:
    region = "ca-central-1"
    ec2 = c.of(A, "ec2", region)
    group = ec2.create_security_group(GroupName="filters", Description="x")["GroupId"]
    ec2.describe_security_groups(GroupIds=[group])
    ec2.describe_vpcs()
    everything = c.lookup_all(A, region)
    create = next(e for e in everything if e["EventName"] == "CreateSecurityGroup")
    identity = json.loads(create["CloudTrailEvent"])["userIdentity"]

    def ids(key: str, value: str) -> list[dict[str, Any]]:
        return c.lookup_all(
            A, region, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}]
        )

    assert [e["EventId"] for e in ids("EventId", create["EventId"])] == [create["EventId"]]
    assert {e["EventName"] for e in ids("EventName", "DescribeVpcs")} == {"DescribeVpcs"}
    assert {e["EventSource"] for e in ids("EventSource", "ec2.amazonaws.com")} == {
        "ec2.amazonaws.com"
    }
    assert len(ids("EventSource", "ec2.amazonaws.com")) >= 3
    assert {e["Username"] for e in ids("Username", "selfcheck")} == {"selfcheck"}
    assert ids("Username", "nobody") == []
    by_resource = ids("ResourceName", group)
    assert {e["EventName"] for e in by_resource} >= {"DescribeSecurityGroups"}, by_resource
    assert all(any(r["ResourceName"] == group for r in e["Resources"]) for e in by_resource)
    typed = ids("ResourceType", "AWS::EC2::SecurityGroup")
    assert typed and all(
        any(r["ResourceType"] == "AWS::EC2::SecurityGroup" for r in e["Resources"]) for e in typed
    )
    read = ids("ReadOnly", "true")
    write = ids("ReadOnly", "false")
    assert read and write and {e["ReadOnly"] for e in read} == {"true"}
    assert {e["ReadOnly"] for e in write} == {"false"}
    assert "CreateSecurityGroup" in {e["EventName"] for e in write}
    by_key = ids("AccessKeyId", identity["accessKeyId"])
    assert len(by_key) >= 3 and {e["AccessKeyId"] for e in by_key} == {identity["accessKeyId"]}


@check
def injected_events_are_stored_and_looked_up(emu: EmulatorProcess, c: Clients) -> None:
    records = attack.console_login_records(B)
    records[0]["eventID"] = "11111111-2222-3333-4444-555555555555"
    records[0]["eventTime"] = "2026-03-01T10:00:00Z"
    assert emu.ok("POST", "/_vigil/events", {"accountId": B, "records": records}) == {"stored": 6}
    stored = [
        r
        for r in emu.ok("GET", f"/_vigil/events?accountId={B}")["records"]
        if r["eventName"] == "ConsoleLogin"
    ]
    assert len(stored) == 6 and all(r.get("eventID") and r.get("eventTime") for r in stored)
    assert stored[0]["eventID"] == "11111111-2222-3333-4444-555555555555"
    root = c.lookup_all(
        B, "us-east-1", LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}]
    )
    assert [e["EventName"] for e in root] == ["ConsoleLogin"], root
    failures = c.lookup_all(
        B,
        "us-east-1",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
    )
    assert len(failures) == 6
    # Time window, inclusive at both ends (epoch seconds).
    t = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
    window = c.lookup_all(B, "us-east-1", StartTime=t, EndTime=t)
    assert [e["EventId"] for e in window] == ["11111111-2222-3333-4444-555555555555"], window
    assert (
        c.lookup_all(
            B,
            "us-east-1",
            StartTime=datetime(2026, 3, 1, 10, 0, 1, tzinfo=UTC),
            EndTime=datetime(2026, 3, 1, 10, 0, 2, tzinfo=UTC),
        )
        == []
    )
    assert (
        c.of(A, "cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]
        )["Events"]
        == []
    )
    status, body = emu.call("POST", "/_vigil/events", {"accountId": "12", "records": []})
    assert status == 400, body


@check
def validating_trails_deliver_digests_signed_with_the_listed_key(
    emu: EmulatorProcess, c: Clients
) -> None:
    s3 = c.of(A, "s3")
    create_bucket(s3, "trail-digests-a")
    ct = c.of(A, "cloudtrail")
    ct.create_trail(Name="validated", S3BucketName="trail-digests-a", EnableLogFileValidation=True)
    ct.start_logging(Name="validated")
    c.of(A, "ec2", "us-east-1").create_security_group(GroupName="digested", Description="x")
    emu.ok("POST", "/_vigil/flush")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="trail-digests-a")["Contents"]]
    logs = [k for k in keys if "/CloudTrail/" in k]
    digests = [k for k in keys if "/CloudTrail-Digest/us-east-1/" in k]
    assert logs and len(digests) == 1, keys
    obj = s3.get_object(Bucket="trail-digests-a", Key=digests[0])
    raw = gzip.decompress(obj["Body"].read())
    doc = json.loads(raw)
    listed = {f["s3Object"]: f["hashValue"] for f in doc["logFiles"]}
    for key in logs:
        body = s3.get_object(Bucket="trail-digests-a", Key=key)["Body"].read()
        assert listed[key] == hashlib.sha256(body).hexdigest()
    (public,) = ct.list_public_keys()["PublicKeyList"]
    assert public["Fingerprint"] == doc["digestPublicKeyFingerprint"]
    key = serialization.load_der_public_key(public["Value"])  # PKCS#1, as AWS gives it
    place = f"trail-digests-a/{digests[0]}"
    text = "\n".join([doc["digestEndTime"], place, hashlib.sha256(raw).hexdigest(), "null"])
    signature = bytes.fromhex(obj["Metadata"]["signature"])
    key.verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if not
    ct.delete_trail(Name="validated")  # later checks count account A's delivered files
    emu.ok("POST", "/_vigil/flush")


@check
def trails_deliver_gzipped_logs_to_s3(emu: EmulatorProcess, c: Clients) -> None:
    s3 = c.of(A, "s3")
    create_bucket(s3, "trail-logs-a")
    ct = c.of(A, "cloudtrail")
    ct.create_trail(
        Name="everything", S3BucketName="trail-logs-a", S3KeyPrefix="org", IsMultiRegionTrail=True
    )
    emu.ok("POST", "/_vigil/flush")  # nothing logs yet: nothing of this is delivered
    ct.start_logging(Name="everything")
    c.of(A, "ec2", "us-east-1").create_security_group(GroupName="delivered-1", Description="x")
    c.of(A, "ec2", "eu-west-3").create_security_group(GroupName="delivered-2", Description="x")
    c.of(B, "ec2", "us-east-1").create_security_group(GroupName="not-delivered", Description="x")
    files = emu.ok("POST", "/_vigil/flush")["files"]
    assert files and all(KEY_RE.match(k) for k in files), files
    regions = {KEY_RE.match(k).group("region") for k in files}
    assert {"us-east-1", "eu-west-3"} <= regions, files
    assert all(
        KEY_RE.match(k).group("prefix") == "org" and KEY_RE.match(k).group("acct") == A
        for k in files
    )
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="trail-logs-a")["Contents"]]
    assert set(files) <= set(listed)
    records = log_records(s3, "trail-logs-a", files)
    names = [r["eventName"] for r in records]
    assert "StartLogging" in names and "CreateTrail" not in names, names
    groups = [(r["requestParameters"] or {}).get("groupName") for r in records]
    assert "delivered-1" in groups and "delivered-2" in groups and "not-delivered" not in groups
    for key in files:
        region = KEY_RE.match(key).group("region")
        assert all(r["awsRegion"] == region for r in log_records(s3, "trail-logs-a", [key]))
    # Writing the files is not an API call: no PutObject of log files is recorded.
    recorded = emu.ok("GET", f"/_vigil/events?accountId={A}")["records"]
    assert not any(r["eventName"] == "PutObject" and "AWSLogs" in json.dumps(r) for r in recorded)
    # StopLogging is delivered by the trail it stops; what follows is not.
    ct.stop_logging(Name="everything")
    c.of(A, "ec2").create_security_group(GroupName="after-stop", Description="x")
    files = emu.ok("POST", "/_vigil/flush")["files"]
    records = log_records(s3, "trail-logs-a", files)
    names = [r["eventName"] for r in records]
    assert "StopLogging" in names, names
    assert "after-stop" not in json.dumps(records)
    assert emu.ok("POST", "/_vigil/flush")["files"] == []


@check
def single_region_trails_get_their_region_only(emu: EmulatorProcess, c: Clients) -> None:
    s3 = c.of(B, "s3")
    create_bucket(s3, "trail-logs-b")
    ct = c.of(B, "cloudtrail", "eu-west-2")
    ct.create_trail(Name="local", S3BucketName="trail-logs-b", IsMultiRegionTrail=False)
    ct.start_logging(Name="local")
    c.of(B, "ec2", "eu-west-2").describe_vpcs()
    c.of(B, "ec2", "us-east-2").describe_vpcs()
    files = emu.ok("POST", "/_vigil/flush")["files"]
    regions = {KEY_RE.match(k).group("region") for k in files}
    assert regions == {"eu-west-2"}, files
    ct.stop_logging(Name="local")
    emu.ok("POST", "/_vigil/flush")


@check
def trails_with_data_selectors_get_s3_object_events(emu: EmulatorProcess, c: Clients) -> None:
    s3 = c.of(B, "s3")
    create_bucket(s3, "data-trail-b")
    create_bucket(s3, "watched-b")
    ct = c.of(B, "cloudtrail")
    ct.create_trail(Name="objects", S3BucketName="data-trail-b", IsMultiRegionTrail=True)
    ct.put_event_selectors(
        TrailName="objects",
        EventSelectors=[
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": False,
                "DataResources": [
                    {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::watched-b/"]}
                ],
            }
        ],
    )
    ct.start_logging(Name="objects")
    s3.put_object(Bucket="watched-b", Key="secret.txt", Body=b"x")
    s3.get_object(Bucket="watched-b", Key="secret.txt")  # read: not selected
    s3.put_object(Bucket="data-trail-b", Key="other.txt", Body=b"x")  # other bucket
    ct.stop_logging(Name="objects")
    files = emu.ok("POST", "/_vigil/flush")["files"]
    records = log_records(s3, "data-trail-b", [k for k in files if "/AWSLogs/" in "/" + k])
    assert [(r["eventName"], r["eventCategory"]) for r in records] == [("PutObject", "Data")], [
        (r["eventName"], r["requestParameters"]) for r in records
    ]
    assert records[0]["requestParameters"]["key"] == "secret.txt"


#: An account of its own for the Lambda data-event check, so its trails see no other check's
#: calls.
L = "555555555555"
_LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@check
def lambda_invocations_are_data_events(emu: EmulatorProcess, c: Clients) -> None:
    """As in AWS: Invoke is a data event, never in LookupEvents, and in a trail's files only
    when its event selectors ask for Lambda data events (all functions, or this one)."""
    region = "eu-west-1"
    s3 = c.of(L, "s3")
    for bucket in ("lambda-mgmt-l", "lambda-data-l", "lambda-adv-l", "lambda-other-l"):
        create_bucket(s3, bucket)
    role = c.of(L, "iam").create_role(
        RoleName="invoked-fn-role", AssumeRolePolicyDocument=json.dumps(_LAMBDA_TRUST)
    )["Role"]["Arn"]
    fn = c.of(L, "lambda", region)
    arn = fn.create_function(
        FunctionName="invoked-fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _function_zip()},
    )["FunctionArn"]
    ct = c.of(L, "cloudtrail", region)
    # The default selectors: management events only.
    ct.create_trail(Name="mgmt", S3BucketName="lambda-mgmt-l", IsMultiRegionTrail=True)
    # Basic selectors: every function's invocations, no management events.
    ct.create_trail(Name="data", S3BucketName="lambda-data-l", IsMultiRegionTrail=True)
    ct.put_event_selectors(
        TrailName="data",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}],
            }
        ],
    )
    # Advanced selectors: Lambda data events.
    ct.create_trail(Name="adv", S3BucketName="lambda-adv-l", IsMultiRegionTrail=True)
    ct.put_event_selectors(
        TrailName="adv",
        AdvancedEventSelectors=[
            {
                "Name": "lambda invocations",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
                ],
            }
        ],
    )
    # Basic selectors naming another function only, and S3 objects of every bucket.
    ct.create_trail(Name="other", S3BucketName="lambda-other-l", IsMultiRegionTrail=True)
    ct.put_event_selectors(
        TrailName="other",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [
                    {
                        "Type": "AWS::Lambda::Function",
                        "Values": [f"arn:aws:lambda:{region}:{L}:function:another-fn"],
                    },
                    {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]},
                ],
            }
        ],
    )
    for name in ("mgmt", "data", "adv", "other"):
        ct.start_logging(Name=name)
    try:
        fn.invoke(FunctionName="invoked-fn", Payload=b"{}")
    except ClientError:  # moto may need Docker to run it; the call is recorded all the same
        pass
    fn.get_function(FunctionName="invoked-fn")  # a management event, for contrast
    for name in ("mgmt", "data", "adv", "other"):
        ct.stop_logging(Name=name)

    recorded = emu.ok("GET", f"/_vigil/events?accountId={L}")["records"]
    invokes = [r for r in recorded if r["eventName"] == "Invoke"]
    assert len(invokes) == 1, [r["eventName"] for r in recorded]
    invoke = invokes[0]
    assert invoke["eventSource"] == "lambda.amazonaws.com", invoke
    assert (invoke["eventCategory"], invoke["managementEvent"], invoke["readOnly"]) == (
        "Data",
        False,
        False,
    ), invoke
    assert invoke["requestParameters"]["functionName"] == arn, invoke["requestParameters"]
    assert invoke["resources"] == [
        {"accountId": L, "type": "AWS::Lambda::Function", "ARN": arn}
    ], invoke

    # LookupEvents returns management events only.
    looked_up = [e["EventName"] for e in c.lookup_all(L, region)]
    assert "GetFunction20150331v2" in looked_up, looked_up
    assert "Invoke" not in looked_up, looked_up
    by_name = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "Invoke"}]
    )["Events"]
    assert by_name == [], by_name

    files = emu.ok("POST", "/_vigil/flush")["files"]

    def names(bucket: str) -> list[str]:
        keys = [k for k in files if f"/{L}/CloudTrail/" in k]
        listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        mine = [o["Key"] for o in listed if o["Key"] in keys]
        return [r["eventName"] for r in log_records(s3, bucket, mine)]

    management = names("lambda-mgmt-l")
    assert "GetFunction20150331v2" in management and "Invoke" not in management, management
    assert names("lambda-data-l") == ["Invoke"], names("lambda-data-l")
    assert names("lambda-adv-l") == ["Invoke"], names("lambda-adv-l")
    assert "Invoke" not in names("lambda-other-l"), names("lambda-other-l")


@check
def background_delivery_and_port_file(emu: EmulatorProcess, c: Clients) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        other = EmulatorProcess(0.5, "--port-file", port_file)
        try:
            with open(port_file) as handle:
                assert int(handle.read()) == other.port
            clients = Clients(other)
            create_bucket(clients.of(A, "s3"), "background-a")
            ct = clients.of(A, "cloudtrail")
            ct.create_trail(Name="background", S3BucketName="background-a")
            ct.start_logging(Name="background")
            deadline = time.monotonic() + 15
            keys: list[str] = []
            while not keys and time.monotonic() < deadline:
                listed = clients.of(A, "s3").list_objects_v2(Bucket="background-a")
                keys = [o["Key"] for o in listed.get("Contents", [])]
                time.sleep(0.2)
            assert keys and all(KEY_RE.match(k) for k in keys), keys
        finally:
            assert other.stop() == 0


@check
def chunked_uploads_reach_moto_intact(emu: EmulatorProcess, c: Clients) -> None:
    c.mgmt("s3").create_bucket(Bucket="chunked-mgmt")
    auth = (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=30)
    connection.putrequest("PUT", "/chunked-mgmt/streamed.txt")
    connection.putheader("Authorization", auth)
    connection.putheader("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    for chunk in (b"hello ", b"chunked ", b"world"):
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    assert response.status == 200, response.read()
    connection.close()
    body = c.mgmt("s3").get_object(Bucket="chunked-mgmt", Key="streamed.txt")["Body"].read()
    assert body == b"hello chunked world", body
