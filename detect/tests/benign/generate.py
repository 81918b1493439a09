#!/usr/bin/env python3
"""Writes corpus.jsonl: four days of ordinary CloudTrail activity in two AWS accounts.

The records are what `tests/benign.rs` replays through every built-in single-event rule,
expecting no alert. They are shaped as AWS writes them (one record per line, compact JSON,
sorted by time), for a fictional company, Example Corp:

- 111122223333 (production) and 444455556666 (staging), workloads in eu-west-1, disaster
  recovery copies in eu-central-1, global services (IAM, sign-in, Route 53) in us-east-1;
- people sign in through IAM Identity Center (AWSReservedSSO_ roles) from the office
  (203.0.113.24/25) or a VPN (198.51.100.40); staging still has two IAM users with MFA;
- GitHub Actions deploys with OIDC (runners in 192.0.2.0/24): Lambda code updates, ECS
  images and services, CDK stacks (CloudFormation change sets), Terraform plans;
- AWS services acting for the accounts: AWS Backup, EC2 Auto Scaling, Application Auto
  Scaling, AWS Config, CloudTrail's own deliveries, Lambda/EC2/ECS assuming their roles,
  KMS calls from `AWS Internal`, the SSM agent's heartbeats;
- applications' data events (S3 objects, CloudWatch metrics), SSM parameters read without
  decryption, and an on-call engineer's occasional AccessDenied on a Describe call.

Every draw comes from a `random.Random` seeded per scenario (so changing one scenario leaves
the others' records alone), and running this again writes the same file byte for byte.
Standard library only:

    python3 detect/tests/benign/generate.py

If a built-in rule fires on one of these records, either the record is not benign (change
this script) or the rule is too broad (change the rule): never edit corpus.jsonl by hand.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20240610
rng = random.Random(SEED)  # replaced by one stream per scenario in main()

OUT = Path(__file__).resolve().parent / "corpus.jsonl"

PROD = "111122223333"
STAGING = "444455556666"
ACCOUNTS = (PROD, STAGING)
ENV = {PROD: "prod", STAGING: "staging"}
HOME = "eu-west-1"
DR = "eu-central-1"
GLOBAL = "us-east-1"

START = datetime(2024, 6, 10, tzinfo=UTC)  # a Monday
DAYS = 4

OFFICE_IPS = ["203.0.113.24", "203.0.113.25"]
VPN_IP = "198.51.100.40"
NAT_IPS = {PROD: ["198.51.100.77", "198.51.100.78"], STAGING: ["198.51.100.91"]}
VPCE = {PROD: "vpce-0c6b2a1f9e8d7c654", STAGING: "vpce-07d3e5f1a2b4c6d88"}

RECORDS: list[dict] = []

# ---------------------------------------------------------------------------------------
# Identifiers


def stable(kind: str, name: str, length: int, alphabet: str) -> str:
    """An identifier derived from a name, so an entity keeps it whatever the draw order."""
    digest = hashlib.sha256(f"{kind}:{name}".encode()).digest()
    out = []
    n = int.from_bytes(digest, "big")
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HEX = "0123456789abcdef"


def stable_hex(name: str, length: int) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def rhex(n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def event_id() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def temp_key() -> str:
    return "ASIA" + "".join(rng.choice(UPPER_NUM) for _ in range(16))


def s3_request_id() -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(16))


def amz_id2() -> str:
    return base64.b64encode(rng.randbytes(57)).decode()


def session_token() -> str:
    raw = b"\x21\x0a\x09origin_ec\x10" + rng.randbytes(rng.randint(140, 190))
    return base64.b64encode(raw).decode()


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def human_date(t: datetime) -> str:
    """How STS, ECS and CloudFormation print dates in responseElements."""
    hour = t.hour % 12 or 12
    return f"{t.strftime('%b')} {t.day}, {t.year}, {hour}:{t.strftime('%M:%S')} {'AM' if t.hour < 12 else 'PM'}"


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def jitter(t: datetime, lo: float, hi: float) -> datetime:
    return t + timedelta(seconds=rng.uniform(lo, hi))


def day(d: int) -> datetime:
    return START + timedelta(days=d)


def work_time(d: int, start_h: float = 7.5, end_h: float = 17.5) -> datetime:
    return day(d) + timedelta(hours=rng.uniform(start_h, end_h))


# ---------------------------------------------------------------------------------------
# Identities


def role_id(acct: str, role: str) -> str:
    return "AROA" + stable("role", acct + role, 17, UPPER_NUM)


def role_arn(acct: str, role: str, path: str = "/") -> str:
    return f"arn:aws:iam::{acct}:role{path}{role}"


def assumed(
    acct: str,
    role: str,
    session: str,
    created: datetime,
    *,
    path: str = "/",
    invoked_by: str | None = None,
    mfa: bool = False,
    web_identity: str | None = None,
    ec2_delivery: bool = False,
    source_identity: str | None = None,
) -> dict:
    rid = role_id(acct, role)
    ctx: dict = {
        "sessionIssuer": {
            "type": "Role",
            "principalId": rid,
            "arn": role_arn(acct, role, path),
            "accountId": acct,
            "userName": role,
        },
        "webIdFederationData": (
            {"federatedProvider": web_identity, "attributes": {}} if web_identity else {}
        ),
        "attributes": {"creationDate": iso(created), "mfaAuthenticated": "true" if mfa else "false"},
    }
    if source_identity:
        ctx["sourceIdentity"] = source_identity
    if ec2_delivery:
        ctx["ec2RoleDelivery"] = "2.0"
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": temp_key(),
        "sessionContext": ctx,
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return ident


def iam_user(acct: str, name: str, key: str | None = None) -> dict:
    return {
        "type": "IAMUser",
        "principalId": "AIDA" + stable("user", acct + name, 17, UPPER_NUM),
        "arn": f"arn:aws:iam::{acct}:user/{name}",
        "accountId": acct,
        "accessKeyId": key or ("AKIA" + stable("key", acct + name, 16, UPPER_NUM)),
        "userName": name,
    }


def iam_user_console(acct: str, name: str, created: datetime) -> dict:
    ident = iam_user(acct, name, temp_key())
    ident["sessionContext"] = {
        "sessionIssuer": {},
        "webIdFederationData": {},
        "attributes": {"creationDate": iso(created), "mfaAuthenticated": "true"},
    }
    return ident


def service(name: str) -> dict:
    return {"type": "AWSService", "invokedBy": name}


def sso_role(acct: str, permission_set: str) -> str:
    return f"AWSReservedSSO_{permission_set}_{stable_hex(acct + permission_set, 16)}"


SSO_PATH = f"/aws-reserved/sso.amazonaws.com/{HOME}/"


def sso_session(acct: str, permission_set: str, email: str, created: datetime) -> dict:
    return assumed(acct, sso_role(acct, permission_set), email, created, path=SSO_PATH)


# ---------------------------------------------------------------------------------------
# The record

EVENT_VERSION_108 = {
    "kms.amazonaws.com",
    "logs.amazonaws.com",
    "ecr.amazonaws.com",
    "backup.amazonaws.com",
    "monitoring.amazonaws.com",
    "cloudformation.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "autoscaling.amazonaws.com",
    "application-autoscaling.amazonaws.com",
    "events.amazonaws.com",
    "dynamodb.amazonaws.com",
}

GLOBAL_SOURCES = {"iam.amazonaws.com", "route53.amazonaws.com", "signin.amazonaws.com"}


def default_host(source: str, region: str) -> str:
    svc = source.split(".")[0]
    if source in ("iam.amazonaws.com", "route53.amazonaws.com"):
        return source
    if source == "sts.amazonaws.com":
        return f"sts.{region}.amazonaws.com"
    if source == "ecr.amazonaws.com":
        return f"api.ecr.{region}.amazonaws.com"
    if source == "signin.amazonaws.com":
        return "signin.aws.amazon.com"
    return f"{svc}.{region}.amazonaws.com"


TLS_CLIENT = [
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
]


def emit(
    t: datetime,
    source: str,
    name: str,
    region: str,
    ident: dict,
    ip: str,
    ua: str,
    req: dict | None = None,
    resp: dict | None = None,
    *,
    acct: str,
    ro: bool,
    err: tuple[str, str] | None = None,
    add: dict | None = None,
    res: list | None = None,
    data: bool = False,
    host: str | None = None,
    etype: str = "AwsApiCall",
    request_id: str | None | bool = None,
    tls: tuple[str, str] | None = None,
    vpce: str | None = None,
    console: bool = False,
    shared: bool = False,
    service_details: dict | None = None,
) -> dict:
    if source in GLOBAL_SOURCES and source != "signin.amazonaws.com":
        region = GLOBAL
    r: dict = {
        "eventVersion": "1.08" if source in EVENT_VERSION_108 else "1.09",
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
    }
    if err:
        r["errorCode"], r["errorMessage"] = err
    r["requestParameters"] = req
    r["responseElements"] = resp
    if add is not None:
        r["additionalEventData"] = add
    if service_details is not None:
        r["serviceEventDetails"] = service_details
    if request_id is not False:
        if request_id is None:
            request_id = s3_request_id() if source == "s3.amazonaws.com" else event_id()
        r["requestID"] = request_id
    r["eventID"] = event_id()
    r["readOnly"] = ro
    if res:
        r["resources"] = res
    r["eventType"] = etype
    if etype == "AwsApiCall" and source == "dynamodb.amazonaws.com":
        r["apiVersion"] = "2012-08-10"
    r["managementEvent"] = not data
    r["recipientAccountId"] = acct
    if shared:
        r["sharedEventID"] = event_id()
    if vpce:
        r["vpcEndpointId"] = vpce
        r["vpcEndpointAccountId"] = acct
    r["eventCategory"] = "Data" if data else "Management"
    # AWS adds TLS details when a client connected over the internet or an endpoint, not
    # when a service called on its own behalf.
    client_ip = ip[0].isdigit() or ":" in ip
    if client_ip:
        version, cipher = tls or rng.choice(TLS_CLIENT)
        r["tlsDetails"] = {
            "tlsVersion": version,
            "cipherSuite": cipher,
            "clientProvidedHostHeader": host or default_host(source, region),
        }
    if console:
        r["sessionCredentialFromConsole"] = "true"
    RECORDS.append(r)
    return r


def s3_add(out: int = 0, inp: int = 0, cipher: str = "TLS_AES_128_GCM_SHA256", **extra) -> dict:
    a = {
        "SignatureVersion": "SigV4",
        "CipherSuite": cipher,
        "bytesTransferredIn": inp,
    }
    a.update(extra)
    a["AuthenticationMethod"] = "AuthHeader"
    a["x-amz-id-2"] = amz_id2()
    a["bytesTransferredOut"] = out
    return a


def bucket_res(acct: str, bucket: str) -> list:
    return [{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]


def object_res(acct: str, bucket: str, key: str) -> list:
    return [
        {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
        {"accountId": acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
    ]


def kms_res(acct: str, region: str, key_id: str) -> list:
    return [
        {
            "accountId": acct,
            "type": "AWS::KMS::Key",
            "ARN": f"arn:aws:kms:{region}:{acct}:key/{key_id}",
        }
    ]


def role_res(acct: str, arn: str) -> list:
    return [{"accountId": acct, "type": "AWS::IAM::Role", "ARN": arn}]


# ---------------------------------------------------------------------------------------
# The estate


def kms_key(acct: str, region: str, alias: str) -> str:
    return str(uuid.UUID(hashlib.md5(f"{acct}{region}{alias}".encode()).hexdigest(), version=4))


def ec2_id(prefix: str, name: str, n: int = 17) -> str:
    return f"{prefix}-{stable_hex(prefix + name, n)}"


BUCKETS = {
    acct: {
        "trail": "example-corp-cloudtrail-111122223333",
        "uploads": f"example-corp-orders-uploads-{ENV[acct]}",
        "invoices": f"example-corp-invoices-{ENV[acct]}",
        "assets": f"example-corp-static-assets-{ENV[acct]}",
        "artifacts": f"example-corp-build-artifacts-{acct}",
        "tfstate": f"example-corp-tfstate-{acct}",
        "config": f"config-bucket-{acct}",
        "cdk": f"cdk-hnb659fds-assets-{acct}-{HOME}",
        "logs": f"example-corp-alb-logs-{ENV[acct]}",
    }
    for acct in ACCOUNTS
}

LAMBDAS = {
    "orders-api": ("python3.12", "app.handler", 512, 29),
    "orders-api-worker": ("python3.12", "worker.handler", 1024, 300),
    "invoice-renderer": ("nodejs20.x", "index.handler", 1536, 120),
    "payment-webhook": ("nodejs20.x", "dist/webhook.handler", 256, 10),
    "nightly-reconciler": ("python3.12", "reconcile.main", 2048, 900),
}

ECS_SERVICES = ["checkout-web", "catalog-svc", "notifications-worker"]
ECS_CLUSTER = {PROD: "prod-core", STAGING: "staging-core"}

CFN_STACKS = ["InvoicingStack", "PaymentsWebhookStack", "ReportingStack"]

VPC = {acct: ec2_id("vpc", acct) for acct in ACCOUNTS}
SUBNETS = {acct: [ec2_id("subnet", f"{acct}-{i}") for i in range(6)] for acct in ACCOUNTS}
SGS = {
    acct: {n: ec2_id("sg", f"{acct}-{n}") for n in ("web-alb", "web-asg", "ecs-tasks", "rds", "bastion", "vpce")}
    for acct in ACCOUNTS
}
LAUNCH_TEMPLATE = {acct: ec2_id("lt", acct) for acct in ACCOUNTS}
AMI = {PROD: "ami-0f3a7c2d9b1e5a684", STAGING: "ami-0f3a7c2d9b1e5a684"}
AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

# Instances backed up nightly (not in the Auto Scaling group).
STANDALONE = {
    PROD: ["bastion", "sftp-gateway", "legacy-reporting", "metabase"],
    STAGING: ["bastion", "sftp-gateway"],
}
INSTANCES = {acct: {n: ec2_id("i", f"{acct}-{n}") for n in STANDALONE[acct]} for acct in ACCOUNTS}
VOLUMES = {
    acct: {n: [ec2_id("vol", f"{acct}-{n}-{d}") for d in range(2 if n in ("sftp-gateway", "legacy-reporting") else 1)]
           for n in STANDALONE[acct]}
    for acct in ACCOUNTS
}
DB = {PROD: "orders-db-prod", STAGING: "orders-db-staging"}

SSM_PARAMS = {
    acct: [
        f"/orders-api/{ENV[acct]}/db-host",
        f"/orders-api/{ENV[acct]}/feature-flags",
        f"/orders-api/{ENV[acct]}/page-size",
        f"/catalog/{ENV[acct]}/search-endpoint",
        f"/checkout/{ENV[acct]}/allowed-currencies",
        f"/shared/{ENV[acct]}/vpc-id",
    ]
    for acct in ACCOUNTS
}


def lambda_arn(acct: str, fn: str, region: str = HOME) -> str:
    return f"arn:aws:lambda:{region}:{acct}:function:{fn}"


# ---------------------------------------------------------------------------------------
# User agents

def cli_ua(command: str, host: str = "ci") -> str:
    """aws-cli v2 as it identifies itself: on a GitHub runner, a Mac, or a Linux laptop."""
    if host == "mac":
        return f"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"
    if host == "linux":
        return f"aws-cli/2.16.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0-35-generic md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#{command}"
    return f"aws-cli/2.15.58 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1021-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#{command}"


GHA_CREDS_UA = "aws-sdk-js/3.598.0 ua/2.1 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/sts#3.598.0 configure-aws-credentials-for-github-actions"


def js_ua(api: str, version: str = "3.598.0") -> str:
    return f"aws-sdk-js/{version} ua/2.1 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/{api}#{version}"


DOCKER_UA = "docker/26.1.3 go/go1.21.10 git-commit/8e96db1 kernel/6.5.0-1021-azure os/linux arch/amd64 UpstreamClient(Docker-Client/26.1.3 \\(linux\\))"
CDK_UA = "aws-sdk-nodejs/2.1632.0 linux/v20.13.1 aws-cdk/2.145.0 promise"

TF_V1 = "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.53.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.53.21 (go1.22.3; {os}; {arch})"
TF_V2 = "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.53.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.27.2 ua/2.0 os/{os} lang/go#1.22.3 md/GOOS#{os} md/GOARCH#{arch} api/{api}#{apiv}"

BOTO_UA = "Boto3/1.34.117 md/Botocore#1.34.117 ua/2.0 os/linux#5.10.216-204.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.117"
NODE_LAMBDA_UA = "aws-sdk-js/3.583.0 ua/2.1 os/linux#5.10.216-225.855.amzn2.x86_64 lang/js md/nodejs#20.13.1 exec-env/AWS_Lambda_nodejs20.x api/{api}#3.583.0"
JAVA_UA = "aws-sdk-java/2.25.60 Linux/5.10.217-205.860.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
GO_ECS_UA = "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/{api}#{apiv}"
SSM_AGENT_UA = "aws-sdk-go/1.51.30 (go1.22.3; linux; amd64) amazon-ssm-agent/3.3.484.0"
CWAGENT_UA = "CWAgent/1.300039.0b612 (go1.22.2; linux; amd64) inputType/cpu,disk,diskio,mem,netstat,swap"
FLUENT_UA = "aws-fluent-bit-plugins/1.9.10 aws-sdk-go/1.44.284 (go1.20.12; linux; amd64)"

BROWSERS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:126.0) Gecko/20100101 Firefox/126.0",
]
S3_CONSOLE_UA = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10.217-183.860.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]"

# ---------------------------------------------------------------------------------------
# People

PEOPLE = [
    # email, permission set in prod, in staging, usual IP, browser
    ("alice.martin@example.com", "AdministratorAccess", "AdministratorAccess", OFFICE_IPS[0], 0, "platform"),
    ("bob.nguyen@example.com", "PlatformEngineer", "AdministratorAccess", OFFICE_IPS[1], 2, "platform"),
    ("chloe.dubois@example.com", "ReadOnlyAccess", "DeveloperAccess", OFFICE_IPS[0], 3, "dev"),
    ("david.okafor@example.com", "ReadOnlyAccess", "DeveloperAccess", VPN_IP, 1, "dev"),
    ("emma.schmidt@example.com", "ReadOnlyAccess", "DeveloperAccess", "198.51.100.163", 4, "dev"),
    ("farid.haddad@example.com", "OnCallSupport", "DeveloperAccess", VPN_IP, 0, "oncall"),
    ("grace.lee@example.com", "ReadOnlyAccess", "ReadOnlyAccess", OFFICE_IPS[1], 3, "data"),
    ("henrik.larsen@example.com", "PlatformEngineer", "AdministratorAccess", "203.0.113.142", 2, "platform"),
]

# ---------------------------------------------------------------------------------------
# EC2 request shapes


def ec2_filter(name: str, *values: str) -> dict:
    return {"items": [{"name": name, "valueSet": {"items": [{"value": v} for v in values]}}]}


def ec2_describe(acct: str, name: str) -> dict | None:
    vpc = VPC[acct]
    inst = list(INSTANCES[acct].values())
    if name == "DescribeInstances":
        return rng.choice([
            {"instancesSet": {}, "filterSet": {}},
            {"instancesSet": {}, "filterSet": ec2_filter("instance-state-name", "running")},
            {"instancesSet": {"items": [{"instanceId": rng.choice(inst)}]}, "filterSet": {}},
            {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
        ])
    if name == "DescribeInstanceStatus":
        return {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False}
    if name == "DescribeSecurityGroups":
        return rng.choice([
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
            {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": rng.choice(list(SGS[acct].values()))}]}, "filterSet": {}},
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": ec2_filter("vpc-id", vpc)},
        ])
    if name == "DescribeSecurityGroupRules":
        return {"DescribeSecurityGroupRulesRequest": {"MaxResults": 1000, "Filter": {"Value": {"tag": 1, "content": rng.choice(list(SGS[acct].values()))}, "tag": 1, "Name": "group-id"}}}
    if name == "DescribeVolumes":
        return {"volumeSet": {}, "filterSet": {}}
    if name == "DescribeSnapshots":
        return {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "sharedUsersSet": {}, "filterSet": {}}
    if name == "DescribeVpcs":
        return rng.choice([{"vpcSet": {}, "filterSet": {}}, {"vpcSet": {"items": [{"vpcId": vpc}]}, "filterSet": {}}])
    if name == "DescribeSubnets":
        return rng.choice([
            {"subnetSet": {}, "filterSet": ec2_filter("vpc-id", vpc)},
            {"subnetSet": {"items": [{"subnetId": s} for s in SUBNETS[acct][:3]]}, "filterSet": {}},
        ])
    if name == "DescribeRouteTables":
        return {"routeTableIdSet": {}, "filterSet": ec2_filter("vpc-id", vpc)}
    if name == "DescribeInternetGateways":
        return {"internetGatewayIdSet": {}, "filterSet": ec2_filter("attachment.vpc-id", vpc)}
    if name == "DescribeNatGateways":
        return {"DescribeNatGatewaysRequest": {"Filter": {"Value": {"tag": 1, "content": vpc}, "tag": 1, "Name": "vpc-id"}}}
    if name == "DescribeNetworkAcls":
        return {"networkAclIdSet": {}, "filterSet": ec2_filter("vpc-id", vpc)}
    if name == "DescribeVpcAttribute":
        return {"vpcId": vpc, "attribute": rng.choice(["enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics"])}
    if name == "DescribeAddresses":
        return {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}}
    if name == "DescribeKeyPairs":
        return {"keySet": {}, "keyPairIdSet": {}, "filterSet": {}}
    if name == "DescribeLaunchTemplates":
        return {"launchTemplateIdSet": {"items": [{"launchTemplateId": LAUNCH_TEMPLATE[acct]}]}, "launchTemplateNameSet": {}}
    if name == "DescribeLaunchTemplateVersions":
        return {"launchTemplateId": LAUNCH_TEMPLATE[acct], "launchTemplateVersionSet": {"items": [{"version": "$Default"}]}}
    if name == "DescribeImages":
        return {"executableBySet": {}, "imagesSet": {"items": [{"imageId": AMI[acct]}]}, "ownersSet": {}, "includeDeprecated": True, "filterSet": {}}
    if name == "DescribeInstanceTypes":
        return {"DescribeInstanceTypesRequest": {"InstanceType": {"tag": 1, "content": rng.choice(["m6i.large", "t3.medium", "r6g.large"])}}}
    if name == "DescribeAccountAttributes":
        return {"accountAttributeNameSet": {"items": [{"attributeName": "supported-platforms"}]}, "filterSet": {}}
    if name == "DescribeAvailabilityZones":
        return {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}, "filterSet": ec2_filter("opt-in-status", "opt-in-not-required")}
    if name == "DescribeNetworkInterfaces":
        return {"networkInterfaceIdSet": {}, "filterSet": ec2_filter("vpc-id", vpc)}
    if name == "DescribeVpcEndpoints":
        return {"vpcEndpointId": {}, "filterSet": ec2_filter("vpc-id", vpc)}
    if name == "DescribeTags":
        return {"filterSet": ec2_filter("resource-id", rng.choice(inst))}
    if name == "DescribeInstanceAttribute":
        return {"instanceId": rng.choice(inst), "attribute": rng.choice(["disableApiTermination", "instanceInitiatedShutdownBehavior", "disableApiStop"])}
    if name == "DescribeVolumesModifications":
        return {"volumeIdSet": {}, "filterSet": {}}
    if name == "DescribeFlowLogs":
        return {"flowLogIds": {}, "filterSet": ec2_filter("resource-id", vpc)}
    if name == "GetEbsEncryptionByDefault":
        return None
    if name == "DescribePrefixLists":
        return {"prefixListIdSet": {}, "filterSet": {}}
    raise KeyError(name)


# ---------------------------------------------------------------------------------------
# Read-only calls of other services, shaped per service


S3_BUCKET_GETS = {
    "GetBucketAcl": ("acl", None),
    "GetBucketPolicy": ("policy", ("NoSuchBucketPolicy", "The bucket policy does not exist")),
    "GetBucketVersioning": ("versioning", None),
    "GetBucketEncryption": ("encryption", None),
    "GetBucketPublicAccessBlock": ("publicAccessBlock", None),
    "GetBucketLogging": ("logging", None),
    "GetBucketTagging": ("tagging", ("NoSuchTagSet", "The TagSet does not exist")),
    "GetBucketLifecycle": ("lifecycle", ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")),
    "GetBucketCors": ("cors", ("NoSuchCORSConfiguration", "The CORS configuration does not exist")),
    "GetBucketWebsite": ("website", ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")),
    "GetBucketReplication": ("replication", ("ReplicationConfigurationNotFoundError", "The replication configuration was not found")),
    "GetBucketObjectLockConfiguration": ("object-lock", ("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket")),
    "GetAccelerateConfiguration": ("accelerate", None),
    "GetBucketRequestPayment": ("requestPayment", None),
    "GetBucketOwnershipControls": ("ownershipControls", None),
    "GetBucketLocation": ("location", None),
    "GetBucketNotification": ("notification", None),
    "GetBucketPolicyStatus": ("policyStatus", ("NoSuchBucketPolicy", "The bucket policy does not exist")),
}

# Which optional configurations each bucket has (others answer the "does not exist" error).
BUCKET_HAS = {
    "trail": {"GetBucketPolicy", "GetBucketLifecycle", "GetBucketTagging", "GetBucketPolicyStatus"},
    "uploads": {"GetBucketCors", "GetBucketLifecycle", "GetBucketTagging"},
    "invoices": {"GetBucketLifecycle", "GetBucketTagging", "GetBucketReplication"},
    "assets": {"GetBucketPolicy", "GetBucketCors", "GetBucketTagging", "GetBucketPolicyStatus"},
    "artifacts": {"GetBucketLifecycle"},
    "tfstate": {"GetBucketTagging"},
    "config": {"GetBucketPolicy", "GetBucketPolicyStatus"},
    "cdk": {"GetBucketPolicy", "GetBucketLifecycle", "GetBucketPolicyStatus"},
    "logs": {"GetBucketPolicy", "GetBucketLifecycle", "GetBucketPolicyStatus"},
}


def s3_bucket_get(t, acct, ident, ip, ua, name, kind, region=HOME, console=False, vpce=None):
    bucket = BUCKETS[acct][kind]
    sub, missing = S3_BUCKET_GETS[name]
    err = missing if (missing and name not in BUCKET_HAS[kind]) else None
    host = f"{bucket}.s3.{region}.amazonaws.com"
    if console:
        host = f"s3.{region}.amazonaws.com"
    emit(
        t, "s3.amazonaws.com", name, region, ident, ip, ua,
        {"bucketName": bucket, "Host": host, sub: ""}, None,
        acct=acct, ro=True, err=err, add=s3_add(0 if err else rng.randint(200, 2400)),
        res=bucket_res(acct, bucket), host=host, console=console, vpce=vpce,
    )


def iam_read(acct: str, name: str) -> dict | None:
    roles = ["orders-api-lambda", "invoice-renderer-lambda", "ecs-task-checkout-web", "ecs-task-execution", "gha-deploy", "web-asg-instance"]
    role = rng.choice(roles)
    if name in ("GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "ListInstanceProfilesForRole", "ListRoleTags"):
        return {"roleName": role}
    if name == "GetRolePolicy":
        return {"roleName": role, "policyName": f"{role}-inline"}
    if name == "GetPolicy":
        return {"policyArn": f"arn:aws:iam::{acct}:policy/{role}-access"}
    if name == "GetPolicyVersion":
        return {"policyArn": f"arn:aws:iam::{acct}:policy/{role}-access", "versionId": f"v{rng.randint(1, 6)}"}
    if name == "GetInstanceProfile":
        return {"instanceProfileName": "web-asg-instance"}
    if name == "GetOpenIDConnectProvider":
        return {"openIDConnectProviderArn": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"}
    if name == "ListPolicies":
        return {"scope": "Local", "onlyAttached": False}
    if name == "ListEntitiesForPolicy":
        return {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    if name in ("ListRoles", "ListUsers", "GetAccountSummary", "ListOpenIDConnectProviders", "ListAccountAliases", "GetAccountPasswordPolicy", "ListGroups", "ListSAMLProviders"):
        return None
    if name == "GetServiceLastAccessedDetails":
        return {"jobId": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    raise KeyError(name)


def generic_read(acct: str, source: str, name: str, region: str = HOME) -> dict | None:
    env = ENV[acct]
    fn = rng.choice(list(LAMBDAS))
    svc = rng.choice(ECS_SERVICES)
    cluster = ECS_CLUSTER[acct]
    if source == "lambda.amazonaws.com":
        if name.startswith("ListFunctions"):
            return {"maxItems": 50} if rng.random() < 0.5 else None
        if name.startswith("GetAccountSettings"):
            return None
        if name.startswith("ListAliases") or name.startswith("ListVersionsByFunction"):
            return {"functionName": fn}
        if name.startswith("GetPolicy"):
            return {"functionName": fn}
        if name.startswith("ListTags"):
            return {"resource": lambda_arn(acct, fn, region)}
        if name.startswith("GetFunctionCodeSigningConfig") or name.startswith("GetFunctionConcurrency") or name.startswith("GetRuntimeManagementConfig"):
            return {"functionName": fn}
        if name.startswith("ListEventSourceMappings"):
            return {"functionName": fn}
        return {"functionName": fn}
    if source == "ecs.amazonaws.com":
        return {
            "ListClusters": None,
            "DescribeClusters": {"clusters": [cluster], "include": ["SETTINGS", "TAGS"]},
            "ListServices": {"cluster": cluster},
            "DescribeServices": {"cluster": cluster, "services": [svc], "include": ["TAGS"]},
            "ListTasks": {"cluster": cluster, "serviceName": svc, "desiredStatus": "RUNNING"},
            "DescribeTasks": {"cluster": cluster, "tasks": [rhex(32)]},
            "DescribeTaskDefinition": {"taskDefinition": f"{svc}-{env}", "include": ["TAGS"]},
            "ListTaskDefinitions": {"familyPrefix": f"{svc}-{env}", "status": "ACTIVE", "sort": "DESC"},
            "DescribeCapacityProviders": {"capacityProviders": ["FARGATE", "FARGATE_SPOT"]},
        }[name]
    if source == "logs.amazonaws.com":
        group = rng.choice([f"/aws/lambda/{fn}", f"/ecs/{svc}-{env}", "/aws/rds/instance/" + DB[acct] + "/postgresql"])
        return {
            "DescribeLogGroups": rng.choice([{"limit": 50}, {"logGroupNamePrefix": "/aws/lambda/", "limit": 50}, {"logGroupNamePrefix": "/ecs/"}]),
            "DescribeLogStreams": {"logGroupName": group, "orderBy": "LastEventTime", "descending": True, "limit": 50},
            "DescribeMetricFilters": {"logGroupName": group},
            "DescribeSubscriptionFilters": {"logGroupName": group},
            "ListTagsForResource": {"resourceArn": f"arn:aws:logs:{region}:{acct}:log-group:{group}"},
            "ListTagsLogGroup": {"logGroupName": group},
            "GetLogGroupFields": {"logGroupName": group},
            "DescribeQueries": {"status": "Complete", "maxResults": 20},
            "DescribeQueryDefinitions": {"maxResults": 1000},
        }[name]
    if source == "monitoring.amazonaws.com":
        return {
            "DescribeAlarms": rng.choice([{"maxRecords": 100}, {"alarmNamePrefix": f"{svc}-", "maxRecords": 100}, {"stateValue": "ALARM", "maxRecords": 100}]),
            "DescribeAlarmHistory": {"alarmName": f"{fn}-errors", "historyItemType": "StateUpdate", "maxRecords": 50, "scanBy": "TimestampDescending"},
            "ListDashboards": None,
            "GetDashboard": {"dashboardName": rng.choice(["checkout-overview", "orders-api", "platform-health"])},
            "DescribeAlarmsForMetric": {"metricName": "Errors", "namespace": "AWS/Lambda", "dimensions": [{"name": "FunctionName", "value": fn}]},
            "ListTagsForResource": {"resourceARN": f"arn:aws:cloudwatch:{region}:{acct}:alarm:{fn}-errors"},
        }[name]
    if source == "cloudformation.amazonaws.com":
        stack = rng.choice(CFN_STACKS)
        return {
            "DescribeStacks": rng.choice([None, {"stackName": stack}]),
            "ListStacks": {"stackStatusFilter": ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]},
            "DescribeStackEvents": {"stackName": stack},
            "ListStackResources": {"stackName": stack},
            "GetTemplateSummary": {"stackName": stack},
            "GetTemplate": {"stackName": stack, "templateStage": "Original"},
            "DescribeStackResources": {"stackName": stack},
        }[name]
    if source == "cloudtrail.amazonaws.com":
        return {
            "DescribeTrails": {"trailNameList": [], "includeShadowTrails": True},
            "GetTrailStatus": {"name": f"arn:aws:cloudtrail:{HOME}:{PROD}:trail/org-trail"},
            "GetEventSelectors": {"trailName": f"arn:aws:cloudtrail:{HOME}:{PROD}:trail/org-trail"},
            "GetInsightSelectors": {"trailName": f"arn:aws:cloudtrail:{HOME}:{PROD}:trail/org-trail"},
            "ListTrails": None,
            "LookupEvents": rng.choice([
                {"maxResults": 50},
                {"lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}], "maxResults": 50},
                {"lookupAttributes": [{"attributeKey": "EventName", "attributeValue": rng.choice(["UpdateService", "RunInstances", "UpdateFunctionCode20150331v2"])}], "maxResults": 50},
            ]),
        }[name]
    if source == "rds.amazonaws.com":
        return {
            "DescribeDBInstances": rng.choice([None, {"dBInstanceIdentifier": DB[acct]}]),
            "DescribeDBClusters": None,
            "DescribeDBSnapshots": {"dBInstanceIdentifier": DB[acct], "includeShared": False, "includePublic": False},
            "DescribeEvents": {"duration": 1440},
            "DescribeDBSubnetGroups": {"dBSubnetGroupName": f"orders-{env}"},
            "DescribeDBParameterGroups": {"dBParameterGroupName": f"orders-pg16-{env}"},
            "DescribePendingMaintenanceActions": None,
            "ListTagsForResource": {"resourceName": f"arn:aws:rds:{region}:{acct}:db:{DB[acct]}"},
        }[name]
    if source == "elasticloadbalancing.amazonaws.com":
        lb = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/web-{env}/{stable_hex(acct + 'alb', 16)}"
        tg = f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/web-{env}/{stable_hex(acct + 'tg', 16)}"
        return {
            "DescribeLoadBalancers": rng.choice([None, {"names": [f"web-{env}"]}]),
            "DescribeTargetGroups": {"loadBalancerArn": lb},
            "DescribeTargetHealth": {"targetGroupArn": tg},
            "DescribeListeners": {"loadBalancerArn": lb},
            "DescribeLoadBalancerAttributes": {"loadBalancerArn": lb},
            "DescribeTargetGroupAttributes": {"targetGroupArn": tg},
            "DescribeTags": {"resourceArns": [lb]},
            "DescribeRules": {"listenerArn": lb.replace("loadbalancer/", "listener/") + "/" + stable_hex(acct + "l443", 16)},
        }[name]
    if source == "kms.amazonaws.com":
        key = kms_key(acct, region, rng.choice(["orders-api", "backups", "s3-app"]))
        return {
            "DescribeKey": {"keyId": key},
            "GetKeyPolicy": {"keyId": key, "policyName": "default"},
            "GetKeyRotationStatus": {"keyId": key},
            "ListResourceTags": {"keyId": key},
            "ListAliases": {"limit": 100},
            "ListKeys": {"limit": 1000},
        }[name]
    if source == "dynamodb.amazonaws.com":
        table = rng.choice([f"orders-{env}", f"idempotency-keys-{env}", "terraform-locks"])
        return {
            "DescribeTable": {"tableName": table},
            "DescribeContinuousBackups": {"tableName": table},
            "DescribeTimeToLive": {"tableName": table},
            "ListTagsOfResource": {"resourceArn": f"arn:aws:dynamodb:{region}:{acct}:table/{table}"},
            "ListTables": None,
        }[name]
    if source == "sqs.amazonaws.com":
        q = f"https://sqs.{region}.amazonaws.com/{acct}/" + rng.choice([f"order-events-{env}", f"notifications-{env}", f"order-events-{env}-dlq"])
        return {
            "GetQueueAttributes": {"queueUrl": q, "attributeNames": ["All"]},
            "ListQueueTags": {"queueUrl": q},
            "ListQueues": None,
        }[name]
    if source == "sns.amazonaws.com":
        topic = f"arn:aws:sns:{region}:{acct}:" + rng.choice([f"alerts-{env}", f"order-events-{env}"])
        return {
            "GetTopicAttributes": {"topicArn": topic},
            "ListSubscriptionsByTopic": {"topicArn": topic},
            "ListTagsForResource": {"resourceArn": topic},
            "ListTopics": None,
        }[name]
    if source == "route53.amazonaws.com":
        zone = "Z" + stable("zone", acct, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return {
            "GetHostedZone": {"id": zone},
            "ListResourceRecordSets": {"hostedZoneId": zone},
            "ListTagsForResource": {"resourceType": "hostedzone", "resourceId": zone},
            "ListHostedZones": None,
        }[name]
    if source == "events.amazonaws.com":
        return {
            "DescribeRule": {"name": f"{fn}-schedule"},
            "ListTargetsByRule": {"rule": f"{fn}-schedule"},
            "ListRules": None,
        }[name]
    if source == "ssm.amazonaws.com":
        return {
            "DescribeParameters": {"parameterFilters": [{"key": "Path", "option": "Recursive", "values": [f"/orders-api/{env}"]}], "maxResults": 50},
            "GetParameter": {"name": rng.choice(SSM_PARAMS[acct]), "withDecryption": False},
            "ListTagsForResource": {"resourceType": "Parameter", "resourceId": rng.choice(SSM_PARAMS[acct])},
            "DescribeInstanceInformation": {"maxResults": 50},
        }[name]
    if source == "autoscaling.amazonaws.com":
        return {
            "DescribeAutoScalingGroups": {"autoScalingGroupNames": [f"web-{env}-asg"]},
            "DescribeScalingActivities": {"autoScalingGroupName": f"web-{env}-asg", "maxRecords": 20},
            "DescribePolicies": {"autoScalingGroupName": f"web-{env}-asg"},
            "DescribeLifecycleHooks": {"autoScalingGroupName": f"web-{env}-asg"},
        }[name]
    if source == "ecr.amazonaws.com":
        repo = rng.choice(ECS_SERVICES)
        return {
            "DescribeRepositories": {"repositoryNames": [repo]},
            "GetLifecyclePolicy": {"repositoryName": repo},
            "ListTagsForResource": {"resourceArn": f"arn:aws:ecr:{region}:{acct}:repository/{repo}"},
            "DescribeImages": {"repositoryName": repo, "maxResults": 100},
            "GetRepositoryPolicy": {"repositoryName": repo},
        }[name]
    if source == "sts.amazonaws.com":
        return None
    raise KeyError((source, name))


def read(t, acct, ident, ip, ua, source, name, region=HOME, console=False, err=None, vpce=None):
    if source == "ec2.amazonaws.com":
        req = ec2_describe(acct, name)
    elif source == "iam.amazonaws.com":
        req = iam_read(acct, name)
    else:
        req = generic_read(acct, source, name, region)
    emit(t, source, name, region, ident, ip, ua, req, None, acct=acct, ro=True, err=err, console=console, vpce=vpce)


# ---------------------------------------------------------------------------------------
# Scenario: GitHub Actions deployments (OIDC)

GH_ORG = "example-corp"
OIDC = "token.actions.githubusercontent.com"


def runner_ip() -> str:
    return f"192.0.2.{rng.randint(10, 250)}"


def gha_assume(t: datetime, acct: str, repo: str, ref: str, role: str, ip: str, region: str = HOME) -> dict:
    """AssumeRoleWithWebIdentity by configure-aws-credentials; returns the session's identity."""
    provider = f"arn:aws:iam::{acct}:oidc-provider/{OIDC}"
    sub = f"repo:{GH_ORG}/{repo}:{ref}"
    ident = assumed(acct, role, "GitHubActions", t, web_identity=provider)
    emit(
        t, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", region,
        {
            "type": "WebIdentityUser",
            "principalId": f"{provider}:sts.amazonaws.com:{sub}",
            "userName": sub,
            "identityProvider": provider,
        },
        ip, GHA_CREDS_UA,
        {"roleArn": role_arn(acct, role), "roleSessionName": "GitHubActions", "durationSeconds": 3600},
        {
            "credentials": {
                "accessKeyId": ident["accessKeyId"],
                "sessionToken": session_token(),
                "expiration": human_date(t + timedelta(hours=1)),
            },
            "subjectFromWebIdentityToken": sub,
            "assumedRoleUser": {
                "assumedRoleId": f"{role_id(acct, role)}:GitHubActions",
                "arn": ident["arn"],
            },
            "provider": provider,
            "audience": "sts.amazonaws.com",
        },
        acct=acct, ro=True,
        add={"identityProviderConnectionVerificationMethod": "IAMTrustStore"},
        res=role_res(acct, role_arn(acct, role)),
    )
    emit(jitter(t, 0.5, 1.5), "sts.amazonaws.com", "GetCallerIdentity", region, ident, ip, GHA_CREDS_UA, None, None, acct=acct, ro=True)
    return ident


def lambda_config(acct: str, fn: str, t: datetime, version: str = "$LATEST", status: str = "InProgress", sha: str | None = None) -> dict:
    runtime, handler, memory, timeout = LAMBDAS[fn]
    return {
        "functionName": fn,
        "functionArn": lambda_arn(acct, fn) + ("" if version == "$LATEST" else f":{version}"),
        "runtime": runtime,
        "role": role_arn(acct, f"{fn}-lambda"),
        "handler": handler,
        "codeSize": 4_000_000 + int(stable_hex(fn, 5), 16) % 9_000_000,
        "description": "",
        "timeout": timeout,
        "memorySize": memory,
        "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}+0000",
        "codeSha256": sha or base64.b64encode(rng.randbytes(32)).decode(),
        "version": version,
        "vpcConfig": {"subnetIds": SUBNETS[acct][:3], "securityGroupIds": [SGS[acct]["ecs-tasks"]], "vpcId": VPC[acct], "ipv6AllowedForDualStack": False},
        "environment": {},
        "kMSKeyArn": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 'orders-api')}",
        "tracingConfig": {"mode": "Active"},
        "revisionId": event_id(),
        "state": "Active",
        "lastUpdateStatus": status,
        "packageType": "Zip",
        "architectures": ["arm64"],
        "ephemeralStorage": {"size": 512},
        "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
        "runtimeVersionConfig": {"runtimeVersionArn": f"arn:aws:lambda:{HOME}::runtime:{stable_hex(runtime, 64)}"},
        "loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "INFO", "systemLogLevel": "WARN", "logGroup": f"/aws/lambda/{fn}"},
    }


LAMBDA_VERSION = {(acct, fn): 30 + int(stable_hex(acct + fn, 2), 16) % 40 for acct in ACCOUNTS for fn in LAMBDAS}


def deploy_lambda(t: datetime, acct: str, fn: str) -> None:
    ip = runner_ip()
    repo = "orders-api" if fn.startswith("orders") else fn
    ref = "ref:refs/heads/main" if acct == PROD else "environment:staging"
    ident = gha_assume(t, acct, repo, ref, "gha-deploy-lambda", ip)
    t = jitter(t, 2, 5)
    sha = rhex(7)
    bucket = BUCKETS[acct]["artifacts"]
    key = f"{fn}/{sha}/{fn}.zip"
    size = rng.randint(3_000_000, 12_000_000)
    emit(
        t, "s3.amazonaws.com", "PutObject", HOME, ident, ip, cli_ua("s3.cp"),
        {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "key": key},
        {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 's3-app')}", "x-amz-server-side-encryption-bucket-key-enabled": "true"},
        acct=acct, ro=False, data=True, add=s3_add(0, size, SSEApplied="Default_SSE_KMS", bytesTransferredIn=size),
        res=object_res(acct, bucket, key), host=f"{bucket}.s3.{HOME}.amazonaws.com",
    )
    t = jitter(t, 1, 3)
    code_sha = base64.b64encode(rng.randbytes(32)).decode()
    emit(
        t, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", HOME, ident, ip, cli_ua("lambda.update-function-code"),
        {"functionName": fn, "s3Bucket": bucket, "s3Key": key, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        lambda_config(acct, fn, t, sha=code_sha),
        acct=acct, ro=False,
    )
    for _ in range(rng.randint(2, 4)):
        t = jitter(t, 4, 6)
        emit(t, "lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", HOME, ident, ip, cli_ua("lambda.wait"), {"functionName": fn}, None, acct=acct, ro=True)
    t = jitter(t, 1, 3)
    emit(
        t, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", HOME, ident, ip, cli_ua("lambda.update-function-configuration"),
        {"functionName": fn, "description": f"{repo}@{sha}", "environment": {}},
        lambda_config(acct, fn, t, sha=code_sha) | {"description": f"{repo}@{sha}"},
        acct=acct, ro=False,
    )
    for _ in range(rng.randint(1, 3)):
        t = jitter(t, 4, 6)
        emit(t, "lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", HOME, ident, ip, cli_ua("lambda.wait"), {"functionName": fn}, None, acct=acct, ro=True)
    LAMBDA_VERSION[(acct, fn)] += 1
    version = str(LAMBDA_VERSION[(acct, fn)])
    t = jitter(t, 1, 2)
    emit(
        t, "lambda.amazonaws.com", "PublishVersion20150331", HOME, ident, ip, cli_ua("lambda.publish-version"),
        {"functionName": fn, "codeSha256": code_sha, "description": f"{repo}@{sha}"},
        lambda_config(acct, fn, t, version=version, status="Successful", sha=code_sha) | {"description": f"{repo}@{sha}", "state": "Pending"},
        acct=acct, ro=False,
    )
    t = jitter(t, 1, 2)
    emit(
        t, "lambda.amazonaws.com", "UpdateAlias20150331", HOME, ident, ip, cli_ua("lambda.update-alias"),
        {"functionName": fn, "name": "live", "functionVersion": version},
        {"aliasArn": lambda_arn(acct, fn) + ":live", "name": "live", "functionVersion": version, "description": "", "revisionId": event_id()},
        acct=acct, ro=False,
    )


def image_manifest(layers: list[tuple[str, int]]) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": "sha256:" + rhex(64)},
            "layers": [
                {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size, "digest": digest}
                for digest, size in layers
            ],
        },
        indent=3,
    )


BASE_LAYERS = {svc: [("sha256:" + stable_hex(f"{svc}-base-{i}", 64), 2_000_000 + i * 731_113) for i in range(4)] for svc in ECS_SERVICES}
TASK_REVISION = {(acct, svc): 100 + int(stable_hex(acct + svc, 2), 16) for acct in ACCOUNTS for svc in ECS_SERVICES}


def deploy_ecs(t: datetime, acct: str, svc: str) -> None:
    ip = runner_ip()
    env = ENV[acct]
    ref = "ref:refs/heads/main" if acct == PROD else "environment:staging"
    ident = gha_assume(t, acct, svc, ref, "gha-deploy-ecs", ip)
    registry = acct
    t = jitter(t, 2, 4)
    emit(t, "ecr.amazonaws.com", "GetAuthorizationToken", HOME, ident, ip, js_ua("ecr"), {"registryIds": [registry]}, None, acct=acct, ro=True)
    new_layers = [("sha256:" + rhex(64), rng.randint(40_000, 30_000_000)) for _ in range(rng.randint(1, 3))]
    layers = BASE_LAYERS[svc] + new_layers
    t = jitter(t, 20, 60)  # docker build
    emit(
        t, "ecr.amazonaws.com", "BatchCheckLayerAvailability", HOME, ident, ip, DOCKER_UA,
        {"repositoryName": svc, "registryId": registry, "layerDigests": [d for d, _ in layers]}, None,
        acct=acct, ro=True,
    )
    for digest, size in new_layers:
        t = jitter(t, 0.2, 1)
        upload = event_id()
        emit(t, "ecr.amazonaws.com", "InitiateLayerUpload", HOME, ident, ip, DOCKER_UA,
             {"repositoryName": svc, "registryId": registry},
             {"uploadId": upload, "partSize": 10485760}, acct=acct, ro=False)
        first = 0
        while first < size:
            last = min(size, first + 10485760) - 1
            t = jitter(t, 0.5, 3)
            emit(t, "ecr.amazonaws.com", "UploadLayerPart", HOME, ident, ip, DOCKER_UA,
                 {"repositoryName": svc, "uploadId": upload, "partFirstByte": first, "partLastByte": last, "registryId": registry},
                 {"registryId": registry, "repositoryName": svc, "uploadId": upload, "lastByteReceived": last}, acct=acct, ro=False)
            first = last + 1
        t = jitter(t, 0.2, 1)
        emit(t, "ecr.amazonaws.com", "CompleteLayerUpload", HOME, ident, ip, DOCKER_UA,
             {"repositoryName": svc, "uploadId": upload, "layerDigests": [digest], "registryId": registry},
             {"registryId": registry, "repositoryName": svc, "uploadId": upload, "layerDigest": digest}, acct=acct, ro=False)
    sha = rhex(7)
    manifest = image_manifest(layers)
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    t = jitter(t, 0.5, 2)
    emit(
        t, "ecr.amazonaws.com", "PutImage", HOME, ident, ip, DOCKER_UA,
        {"repositoryName": svc, "imageTag": f"sha-{sha}", "registryId": registry, "imageManifest": manifest, "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"},
        {"image": {"registryId": registry, "repositoryName": svc, "imageId": {"imageDigest": digest, "imageTag": f"sha-{sha}"}, "imageManifest": manifest, "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"}},
        acct=acct, ro=False, res=[{"accountId": acct, "ARN": f"arn:aws:ecr:{HOME}:{acct}:repository/{svc}"}],
    )
    family = f"{svc}-{env}"
    t = jitter(t, 3, 8)
    emit(t, "ecs.amazonaws.com", "DescribeTaskDefinition", HOME, ident, ip, cli_ua("ecs.describe-task-definition"),
         {"taskDefinition": family}, None, acct=acct, ro=True)
    TASK_REVISION[(acct, svc)] += 1
    rev = TASK_REVISION[(acct, svc)]
    image = f"{acct}.dkr.ecr.{HOME}.amazonaws.com/{svc}:sha-{sha}"
    container = {
        "name": svc,
        "image": image,
        "cpu": 0,
        "portMappings": [] if svc == "notifications-worker" else [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        "essential": True,
        "environment": [{"name": "APP_ENV", "value": env}, {"name": "LOG_FORMAT", "value": "json"}],
        "secrets": [{"name": "DATABASE_URL", "valueFrom": f"arn:aws:ssm:{HOME}:{acct}:parameter/{svc}/{env}/database-url"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{family}", "awslogs-region": HOME, "awslogs-stream-prefix": svc}},
    }
    t = jitter(t, 1, 3)
    emit(
        t, "ecs.amazonaws.com", "RegisterTaskDefinition", HOME, ident, ip, js_ua("ecs"),
        {
            "family": family,
            "taskRoleArn": role_arn(acct, f"ecs-task-{svc}"),
            "executionRoleArn": role_arn(acct, "ecs-task-execution"),
            "networkMode": "awsvpc",
            "containerDefinitions": [container],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{HOME}:{acct}:task-definition/{family}:{rev}",
                "containerDefinitions": [container],
                "family": family,
                "taskRoleArn": role_arn(acct, f"ecs-task-{svc}"),
                "executionRoleArn": role_arn(acct, "ecs-task-execution"),
                "networkMode": "awsvpc",
                "revision": rev,
                "volumes": [],
                "status": "ACTIVE",
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
                "registeredAt": human_date(t),
                "registeredBy": ident["arn"],
            }
        },
        acct=acct, ro=False,
    )
    cluster = ECS_CLUSTER[acct]
    t = jitter(t, 1, 2)
    deployment = "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19))
    emit(
        t, "ecs.amazonaws.com", "UpdateService", HOME, ident, ip, js_ua("ecs"),
        {"cluster": cluster, "service": svc, "taskDefinition": f"{family}:{rev}", "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": f"arn:aws:ecs:{HOME}:{acct}:service/{cluster}/{svc}",
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{HOME}:{acct}:cluster/{cluster}",
                "status": "ACTIVE",
                "desiredCount": 3 if acct == PROD else 1,
                "runningCount": 3 if acct == PROD else 1,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": f"arn:aws:ecs:{HOME}:{acct}:task-definition/{family}:{rev}",
                "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
                "deployments": [
                    {"id": deployment, "status": "PRIMARY", "taskDefinition": f"arn:aws:ecs:{HOME}:{acct}:task-definition/{family}:{rev}", "desiredCount": 0, "pendingCount": 0, "runningCount": 0, "failedTasks": 0, "createdAt": human_date(t), "updatedAt": human_date(t), "launchType": "FARGATE", "rolloutState": "IN_PROGRESS", "rolloutStateReason": "ECS deployment " + deployment + " in progress."},
                ],
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": SUBNETS[acct][:3], "securityGroups": [SGS[acct]["ecs-tasks"]], "assignPublicIp": "DISABLED"}},
                "schedulingStrategy": "REPLICA",
                "createdBy": role_arn(acct, "gha-terraform-apply"),
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
            }
        },
        acct=acct, ro=False,
    )
    for _ in range(rng.randint(2, 4)):  # aws ecs wait services-stable
        t = jitter(t, 14, 16)
        emit(t, "ecs.amazonaws.com", "DescribeServices", HOME, ident, ip, js_ua("ecs"),
             {"cluster": cluster, "services": [svc]}, None, acct=acct, ro=True)


def cfn_exec_actions(t, acct, stack):
    """What CloudFormation does with the CDK execution role while a change set runs."""
    role = f"cdk-hnb659fds-cfn-exec-role-{acct}-{HOME}"
    ident = assumed(acct, role, "AWSCloudFormation", t, invoked_by="cloudformation.amazonaws.com")
    svc_ip = "cloudformation.amazonaws.com"
    fn = {"InvoicingStack": "invoice-renderer", "PaymentsWebhookStack": "payment-webhook", "ReportingStack": "nightly-reconciler"}[stack]
    t = jitter(t, 3, 8)
    bucket = BUCKETS[acct]["cdk"]
    emit(
        t, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", HOME, ident, svc_ip, svc_ip,
        {"functionName": fn, "s3Bucket": bucket, "s3Key": rhex(64) + ".zip", "publish": False, "dryRun": False},
        lambda_config(acct, fn, t), acct=acct, ro=False,
    )
    t = jitter(t, 2, 10)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{BUCKETS[acct]['invoices']}/*", "Effect": "Allow"},
            {"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 's3-app')}", "Effect": "Allow"},
            {"Action": "xray:PutTraceSegments", "Resource": "*", "Effect": "Allow"},
        ],
    }
    if rng.random() < 0.6:
        emit(
            t, "iam.amazonaws.com", "PutRolePolicy", GLOBAL, ident, svc_ip, svc_ip,
            {"roleName": f"{stack}-{fn.title().replace('-', '')}ServiceRole{stable_hex(stack + fn, 8).upper()}-{stable('cfn', stack + fn, 12, UPPER_NUM)}", "policyName": f"{fn.title().replace('-', '')}ServiceRoleDefaultPolicy", "policyDocument": json.dumps(policy, separators=(",", ":"))},
            None, acct=acct, ro=False,
        )
    t = jitter(t, 1, 5)
    emit(t, "logs.amazonaws.com", "PutRetentionPolicy", HOME, ident, svc_ip, svc_ip,
         {"logGroupName": f"/aws/lambda/{fn}", "retentionInDays": 30}, None, acct=acct, ro=False)
    if stack == "ReportingStack":
        t = jitter(t, 1, 5)
        emit(t, "events.amazonaws.com", "PutRule", HOME, ident, svc_ip, svc_ip,
             {"name": f"{fn}-schedule", "scheduleExpression": "cron(15 2 * * ? *)", "state": "ENABLED", "description": "Nightly reconciliation"},
             {"ruleArn": f"arn:aws:events:{HOME}:{acct}:rule/{fn}-schedule"}, acct=acct, ro=False)
        t = jitter(t, 1, 5)
        emit(t, "events.amazonaws.com", "PutTargets", HOME, ident, svc_ip, svc_ip,
             {"rule": f"{fn}-schedule", "targets": [{"id": "Target0", "arn": lambda_arn(acct, fn)}]},
             {"failedEntryCount": 0, "failedEntries": []}, acct=acct, ro=False)


def deploy_cdk(t: datetime, acct: str, stack: str) -> None:
    ip = runner_ip()
    ref = "ref:refs/heads/main" if acct == PROD else "environment:staging"
    base = gha_assume(t, acct, "invoicing-infra", ref, "gha-cdk-deploy", ip)
    t = jitter(t, 20, 50)  # cdk synth
    roles = {}
    for kind in ("file-publishing", "lookup", "deploy"):
        role = f"cdk-hnb659fds-{kind}-role-{acct}-{HOME}"
        session = f"aws-cdk-{base['arn'].split('/')[-1].lower()}"
        t = jitter(t, 0.2, 1)
        ident = assumed(acct, role, session, t, source_identity=None)
        roles[kind] = ident
        emit(
            t, "sts.amazonaws.com", "AssumeRole", HOME, base, ip, CDK_UA,
            {"roleArn": role_arn(acct, role), "roleSessionName": session, "durationSeconds": 3600},
            {
                "credentials": {"accessKeyId": ident["accessKeyId"], "sessionToken": session_token(), "expiration": human_date(t + timedelta(hours=1))},
                "assumedRoleUser": {"assumedRoleId": f"{role_id(acct, role)}:{session}", "arn": ident["arn"]},
            },
            acct=acct, ro=True, res=role_res(acct, role_arn(acct, role)),
        )
    t = jitter(t, 1, 2)
    emit(t, "ssm.amazonaws.com", "GetParameter", HOME, roles["deploy"], ip, CDK_UA,
         {"name": "/cdk-bootstrap/hnb659fds/version"}, None, acct=acct, ro=True)
    bucket = BUCKETS[acct]["cdk"]
    for _ in range(rng.randint(1, 3)):
        key = rhex(64) + rng.choice([".json", ".zip"])
        t = jitter(t, 0.5, 4)
        size = rng.randint(4_000, 9_000_000)
        emit(
            t, "s3.amazonaws.com", "PutObject", HOME, roles["file-publishing"], ip, CDK_UA,
            {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "key": key},
            {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 'cdk')}"},
            acct=acct, ro=False, data=True, add=s3_add(0, size, SSEApplied="SSE_KMS", bytesTransferredIn=size),
            res=object_res(acct, bucket, key), host=f"{bucket}.s3.{HOME}.amazonaws.com",
        )
    deploy = roles["deploy"]
    stack_id = f"arn:aws:cloudformation:{HOME}:{acct}:stack/{stack}/{uuid.UUID(stable_hex(acct + stack, 32))}"
    t = jitter(t, 0.5, 2)
    emit(t, "cloudformation.amazonaws.com", "DescribeStacks", HOME, deploy, ip, CDK_UA, {"stackName": stack}, None, acct=acct, ro=True)
    t = jitter(t, 0.5, 2)
    emit(t, "cloudformation.amazonaws.com", "GetTemplate", HOME, deploy, ip, CDK_UA, {"stackName": stack, "templateStage": "Original"}, None, acct=acct, ro=True)
    change_set = "cdk-deploy-change-set"
    cs_arn = f"arn:aws:cloudformation:{HOME}:{acct}:changeSet/{change_set}/{event_id()}"
    t = jitter(t, 1, 3)
    emit(
        t, "cloudformation.amazonaws.com", "CreateChangeSet", HOME, deploy, ip, CDK_UA,
        {
            "stackName": stack,
            "templateURL": f"https://s3.{HOME}.amazonaws.com/{bucket}/{rhex(64)}.json",
            "parameters": [{"parameterKey": "BootstrapVersion", "parameterValue": "/cdk-bootstrap/hnb659fds/version"}],
            "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            "roleARN": role_arn(acct, f"cdk-hnb659fds-cfn-exec-role-{acct}-{HOME}"),
            "notificationARNs": [],
            "changeSetName": change_set,
            "description": f"CDK Changeset for execution {event_id()}",
            "changeSetType": "UPDATE",
        },
        {"id": cs_arn, "stackId": stack_id},
        acct=acct, ro=False,
    )
    for _ in range(rng.randint(2, 4)):
        t = jitter(t, 4, 6)
        emit(t, "cloudformation.amazonaws.com", "DescribeChangeSet", HOME, deploy, ip, CDK_UA, {"changeSetName": change_set, "stackName": stack}, None, acct=acct, ro=True)
    t = jitter(t, 0.5, 2)
    emit(t, "cloudformation.amazonaws.com", "ExecuteChangeSet", HOME, deploy, ip, CDK_UA, {"changeSetName": change_set, "stackName": stack}, None, acct=acct, ro=False)
    cfn_exec_actions(t, acct, stack)
    for _ in range(rng.randint(5, 12)):
        t = jitter(t, 4, 8)
        emit(t, "cloudformation.amazonaws.com", rng.choice(["DescribeStackEvents", "DescribeStacks"]), HOME, deploy, ip, CDK_UA, {"stackName": stack_id}, None, acct=acct, ro=True)


def github_deploys() -> None:
    for d in range(DAYS):
        for acct in ACCOUNTS:
            n = rng.randint(3, 6) if acct == STAGING else rng.randint(2, 4)
            for _ in range(n):
                t = work_time(d, 8, 17)
                kind = rng.random()
                if kind < 0.4:
                    deploy_lambda(t, acct, rng.choice(["orders-api", "orders-api-worker", "payment-webhook"]))
                elif kind < 0.8:
                    deploy_ecs(t, acct, rng.choice(ECS_SERVICES))
                else:
                    deploy_cdk(t, acct, rng.choice(CFN_STACKS))


# ---------------------------------------------------------------------------------------
# Scenario: Terraform plans

def _calls(source: str, *names: str) -> list[tuple[str, str]]:
    return [(source, n) for n in names]


# What refreshing each Terraform workspace reads (the provider's Read of every resource).
TF_WORKSPACES = {
    "network": _calls(
        "ec2.amazonaws.com", "DescribeVpcs", "DescribeVpcAttribute", "DescribeVpcAttribute", "DescribeVpcAttribute",
        "DescribeSubnets", "DescribeSubnets", "DescribeRouteTables", "DescribeInternetGateways", "DescribeNatGateways",
        "DescribeNetworkAcls", "DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeSecurityGroupRules",
        "DescribeVpcEndpoints", "DescribePrefixLists", "DescribeFlowLogs", "DescribeAddresses", "DescribeAvailabilityZones",
    ) + _calls("route53.amazonaws.com", "GetHostedZone", "ListResourceRecordSets", "ListTagsForResource")
    + _calls("logs.amazonaws.com", "DescribeLogGroups", "ListTagsForResource"),
    "platform": _calls(
        "ec2.amazonaws.com", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DescribeInstances",
        "DescribeInstanceAttribute", "DescribeInstanceAttribute", "DescribeVolumes", "DescribeAccountAttributes",
        "DescribeImages", "GetEbsEncryptionByDefault", "DescribeInstanceTypes", "DescribeTags", "DescribeSecurityGroups",
    ) + _calls(
        "iam.amazonaws.com", "GetRole", "GetRole", "GetRole", "ListAttachedRolePolicies", "ListAttachedRolePolicies",
        "ListRolePolicies", "GetRolePolicy", "GetPolicy", "GetPolicyVersion", "GetInstanceProfile", "GetOpenIDConnectProvider",
    ) + _calls(
        "lambda.amazonaws.com", "GetFunction20150331v2", "ListVersionsByFunction20150331", "GetFunctionCodeSigningConfig",
        "GetPolicy20150331v2", "GetAlias20150331", "ListTags20170331", "GetFunctionConcurrency",
    ) + _calls("ecs.amazonaws.com", "DescribeClusters", "DescribeServices", "DescribeServices", "DescribeTaskDefinition")
    + _calls(
        "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeTargetGroups",
        "DescribeTargetGroupAttributes", "DescribeListeners", "DescribeRules", "DescribeTags",
    ) + _calls("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", "DescribePolicies", "DescribeLifecycleHooks")
    + _calls("ecr.amazonaws.com", "DescribeRepositories", "GetLifecyclePolicy", "ListTagsForResource")
    + _calls("events.amazonaws.com", "DescribeRule", "ListTargetsByRule")
    + _calls("ssm.amazonaws.com", "GetParameter", "ListTagsForResource")
    + _calls("monitoring.amazonaws.com", "DescribeAlarms", "ListTagsForResource")
    + _calls("cloudtrail.amazonaws.com", "DescribeTrails", "GetTrailStatus", "GetEventSelectors", "GetInsightSelectors"),
    "data": _calls("rds.amazonaws.com", "DescribeDBInstances", "DescribeDBSubnetGroups", "DescribeDBParameterGroups", "ListTagsForResource")
    + _calls("kms.amazonaws.com", "DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags", "ListAliases")
    + _calls("dynamodb.amazonaws.com", "DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource")
    + _calls("sqs.amazonaws.com", "GetQueueAttributes", "GetQueueAttributes", "ListQueueTags")
    + _calls("sns.amazonaws.com", "GetTopicAttributes", "ListTagsForResource", "ListSubscriptionsByTopic"),
}
# The buckets the data workspace manages.
TF_BUCKETS = ["uploads", "invoices", "assets"]

TF_S3 = ["GetBucketAcl", "GetBucketPolicy", "GetBucketVersioning", "GetBucketEncryption", "GetBucketPublicAccessBlock",
         "GetBucketLogging", "GetBucketTagging", "GetBucketLifecycle", "GetBucketCors", "GetBucketWebsite",
         "GetBucketReplication", "GetBucketObjectLockConfiguration", "GetAccelerateConfiguration",
         "GetBucketRequestPayment", "GetBucketOwnershipControls", "GetBucketLocation"]

TF_API = {
    "ec2.amazonaws.com": None, "iam.amazonaws.com": None, "elasticloadbalancing.amazonaws.com": None,
    "rds.amazonaws.com": None, "route53.amazonaws.com": None, "autoscaling.amazonaws.com": None,
    "lambda.amazonaws.com": ("lambda", "1.54.6"), "ecs.amazonaws.com": ("ecs", "1.42.1"),
    "kms.amazonaws.com": ("kms", "1.32.3"), "logs.amazonaws.com": ("cloudwatchlogs", "1.35.1"),
    "dynamodb.amazonaws.com": ("dynamodb", "1.32.8"), "sqs.amazonaws.com": ("sqs", "1.32.6"),
    "sns.amazonaws.com": ("sns", "1.29.10"), "monitoring.amazonaws.com": ("cloudwatch", "1.38.7"),
    "cloudtrail.amazonaws.com": ("cloudtrail", "1.40.1"), "ecr.amazonaws.com": ("ecr", "1.28.6"),
    "events.amazonaws.com": ("eventbridge", "1.31.6"), "ssm.amazonaws.com": ("ssm", "1.50.7"),
    "s3.amazonaws.com": ("s3", "1.55.1"), "sts.amazonaws.com": ("sts", "1.28.13"),
}


def tf_ua(source: str, os_: str, arch: str) -> str:
    api = TF_API.get(source)
    if api is None:
        return TF_V1.format(os=os_, arch=arch)
    return TF_V2.format(os=os_, arch=arch, api=api[0], apiv=api[1])


def terraform_plan(t: datetime, acct: str, ident: dict, ip: str, os_: str, arch: str) -> None:
    emit(t, "sts.amazonaws.com", "GetCallerIdentity", HOME, ident, ip, tf_ua("sts.amazonaws.com", os_, arch), None, None, acct=acct, ro=True)
    bucket = BUCKETS[acct]["tfstate"]
    workspaces = rng.sample(list(TF_WORKSPACES), rng.choice([1, 1, 1, 2]))
    for ws in workspaces:
        key = f"env/{ENV[acct]}/{ws}.tfstate"
        t = jitter(t, 0.2, 1.5)
        emit(
            t, "s3.amazonaws.com", "GetObject", HOME, ident, ip, tf_ua("s3.amazonaws.com", os_, arch),
            {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "key": key},
            None, acct=acct, ro=True, data=True,
            add=s3_add(rng.randint(80_000, 900_000), 0, SSEApplied="Default_SSE_S3"),
            res=object_res(acct, bucket, key), host=f"{bucket}.s3.{HOME}.amazonaws.com",
        )
        t = jitter(t, 2, 6)
        calls = [c for c in TF_WORKSPACES[ws] if rng.random() < 0.9]
        if ws == "data":
            calls += [("s3.amazonaws.com", n) for n in TF_S3]
        rng.shuffle(calls)
        for source, name in calls:
            t = jitter(t, 0.05, 0.9)
            ua = tf_ua(source, os_, arch)
            if source == "s3.amazonaws.com":
                for kind in TF_BUCKETS:
                    s3_bucket_get(jitter(t, 0, 0.3), acct, ident, ip, ua, name, kind)
                continue
            read(t, acct, ident, ip, ua, source, name)


def terraform_plans() -> None:
    for d in range(DAYS):
        # CI: every pull request to example-corp/infrastructure plans both accounts.
        for _ in range(rng.randint(1, 2)):
            t = work_time(d, 8, 17)
            ip = runner_ip()
            for acct in ACCOUNTS:
                ident = gha_assume(t, acct, "infrastructure", "pull_request", "gha-terraform-plan", ip)
                terraform_plan(jitter(t, 15, 40), acct, ident, ip, "linux", "amd64")
                t = jitter(t, 60, 120)
        # An engineer plans from a laptop with an SSO session, in staging.
        if rng.random() < 0.5:
            email, _, _, ip, _, _ = rng.choice([p for p in PEOPLE if p[5] == "platform"])
            t = work_time(d)
            ident = sso_session(STAGING, "AdministratorAccess", email, t - timedelta(minutes=rng.randint(5, 240)))
            terraform_plan(t, STAGING, ident, ip, "darwin", "arm64")


# ---------------------------------------------------------------------------------------
# Scenario: people in the console

CONSOLE_MENU = {
    "platform": [
        ("ec2.amazonaws.com", ["DescribeInstances", "DescribeInstanceStatus", "DescribeSecurityGroups", "DescribeVolumes", "DescribeSnapshots", "DescribeVpcs", "DescribeSubnets", "DescribeLaunchTemplates", "DescribeAddresses", "DescribeNetworkInterfaces", "DescribeAccountAttributes", "DescribeAvailabilityZones", "DescribeInstanceTypes", "DescribeKeyPairs"]),
        ("ecs.amazonaws.com", ["ListClusters", "DescribeClusters", "ListServices", "DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition", "DescribeCapacityProviders"]),
        ("iam.amazonaws.com", ["ListRoles", "GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "GetPolicy", "GetPolicyVersion", "GetAccountSummary", "ListPolicies", "ListUsers", "ListEntitiesForPolicy", "ListOpenIDConnectProviders"]),
        ("cloudformation.amazonaws.com", ["ListStacks", "DescribeStacks", "DescribeStackEvents", "ListStackResources", "GetTemplateSummary"]),
        ("cloudtrail.amazonaws.com", ["LookupEvents", "LookupEvents", "DescribeTrails", "GetTrailStatus", "ListTrails"]),
        ("autoscaling.amazonaws.com", ["DescribeAutoScalingGroups", "DescribeScalingActivities", "DescribePolicies"]),
        ("elasticloadbalancing.amazonaws.com", ["DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetHealth", "DescribeListeners"]),
        ("monitoring.amazonaws.com", ["DescribeAlarms", "ListDashboards", "GetDashboard", "DescribeAlarmHistory"]),
        ("s3.amazonaws.com", ["ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketEncryption", "GetBucketAcl", "GetBucketPublicAccessBlock", "GetBucketPolicy", "GetBucketOwnershipControls", "GetBucketPolicyStatus", "GetBucketTagging", "GetBucketLifecycle", "GetBucketNotification"]),
    ],
    "dev": [
        ("lambda.amazonaws.com", ["ListFunctions20150331", "GetFunction20150331v2", "GetAccountSettings20160819", "ListAliases20150331", "GetPolicy20150331v2", "ListEventSourceMappings20150331", "GetFunctionConcurrency", "GetRuntimeManagementConfig"]),
        ("logs.amazonaws.com", ["DescribeLogGroups", "DescribeLogStreams", "GetLogGroupFields", "DescribeQueries", "DescribeQueryDefinitions", "DescribeSubscriptionFilters"]),
        ("monitoring.amazonaws.com", ["DescribeAlarms", "ListDashboards", "GetDashboard", "DescribeAlarmHistory", "DescribeAlarmsForMetric"]),
        ("ecs.amazonaws.com", ["ListClusters", "DescribeClusters", "ListServices", "DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition"]),
        ("sqs.amazonaws.com", ["ListQueues", "GetQueueAttributes", "ListQueueTags"]),
        ("dynamodb.amazonaws.com", ["ListTables", "DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"]),
        ("s3.amazonaws.com", ["ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketEncryption", "GetBucketAcl", "GetBucketPublicAccessBlock", "GetBucketPolicyStatus"]),
        ("ssm.amazonaws.com", ["DescribeParameters", "GetParameter"]),
        ("cloudformation.amazonaws.com", ["ListStacks", "DescribeStacks", "DescribeStackEvents"]),
    ],
    "oncall": [
        ("monitoring.amazonaws.com", ["DescribeAlarms", "DescribeAlarms", "DescribeAlarmHistory", "GetDashboard", "ListDashboards"]),
        ("logs.amazonaws.com", ["DescribeLogGroups", "DescribeLogStreams", "GetLogGroupFields", "DescribeQueries"]),
        ("ecs.amazonaws.com", ["DescribeServices", "ListTasks", "DescribeTasks", "DescribeClusters"]),
        ("ec2.amazonaws.com", ["DescribeInstances", "DescribeInstanceStatus", "DescribeVolumes"]),
        ("rds.amazonaws.com", ["DescribeDBInstances", "DescribeEvents", "DescribePendingMaintenanceActions"]),
        ("elasticloadbalancing.amazonaws.com", ["DescribeTargetHealth", "DescribeTargetGroups", "DescribeLoadBalancers"]),
        ("cloudtrail.amazonaws.com", ["LookupEvents"]),
    ],
    "data": [
        ("rds.amazonaws.com", ["DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "DescribeEvents", "ListTagsForResource"]),
        ("dynamodb.amazonaws.com", ["ListTables", "DescribeTable", "DescribeContinuousBackups"]),
        ("s3.amazonaws.com", ["ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketEncryption", "GetBucketAcl", "GetBucketLifecycle"]),
        ("monitoring.amazonaws.com", ["DescribeAlarms", "GetDashboard"]),
        ("logs.amazonaws.com", ["DescribeLogGroups", "DescribeLogStreams"]),
    ],
}


def console_ua(source: str, browser: str) -> str:
    if source == "ec2.amazonaws.com":
        return "console.ec2.amazonaws.com"
    if source == "s3.amazonaws.com":
        return S3_CONSOLE_UA
    if source == "iam.amazonaws.com":
        return "AWS Internal"
    return browser


def console_login(t: datetime, acct: str, ident: dict, ip: str, browser: str, federated: bool) -> None:
    if federated:
        login_ident = {
            "type": "AssumedRole",
            "principalId": ident["principalId"],
            "arn": ident["arn"],
            "accountId": acct,
            "sessionContext": {
                "sessionIssuer": ident["sessionContext"]["sessionIssuer"],
                "webIdFederationData": {},
                "attributes": ident["sessionContext"]["attributes"],
            },
        }
        add = {"MobileVersion": "No", "MFAUsed": "No"}
    else:
        login_ident = {k: v for k, v in ident.items() if k not in ("accessKeyId", "sessionContext")}
        name = ident["userName"]
        add = {
            "LoginTo": f"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_{HOME}_{rhex(16)}",
            "MobileVersion": "No",
            "MFAIdentifier": f"arn:aws:iam::{acct}:mfa/{name}-yubikey",
            "MFAUsed": "Yes",
        }
    emit(
        t, "signin.amazonaws.com", "ConsoleLogin", GLOBAL if not federated else HOME, login_ident, ip, browser,
        None, {"ConsoleLogin": "Success"}, acct=acct, ro=False, add=add, etype="AwsConsoleSignIn",
        request_id=False, tls=("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
        host="signin.aws.amazon.com" if not federated else f"{HOME}.signin.aws.amazon.com",
    )


def console_session(t: datetime, acct: str, person: tuple, ident: dict | None = None, federated: bool = True) -> datetime:
    email, ps_prod, ps_staging, ip, bi, kind = person
    browser = BROWSERS[bi]
    if ident is None:
        ident = sso_session(acct, ps_prod if acct == PROD else ps_staging, email, t)
    console_login(t, acct, ident, ip, browser, federated)
    menu = CONSOLE_MENU[kind if acct == PROD or kind != "oncall" else "dev"]
    t = jitter(t, 5, 20)
    for _ in range(rng.randint(2, 4)):
        source, names = rng.choice(menu)
        for _ in range(rng.randint(2, 7)):
            name = rng.choice(names)
            ua = console_ua(source, browser)
            region = DR if (source == "ec2.amazonaws.com" and rng.random() < 0.12) else HOME
            if source == "s3.amazonaws.com":
                if name == "ListBuckets":
                    emit(t, "s3.amazonaws.com", "ListBuckets", HOME, ident, ip, ua, {"Host": f"s3.{HOME}.amazonaws.com"}, None,
                         acct=acct, ro=True, add=s3_add(rng.randint(2000, 6000)), host=f"s3.{HOME}.amazonaws.com", console=True)
                else:
                    s3_bucket_get(t, acct, ident, ip, ua, name, rng.choice(list(BUCKETS[acct])), console=True)
            else:
                read(t, acct, ident, ip, ua, source, name, region=region, console=True)
            t = jitter(t, 1, 45)
        t = jitter(t, 20, 300)
    # Ordinary changes made in the console now and then.
    if kind == "platform" and rng.random() < 0.35:
        t = jitter(t, 10, 60)
        inst = rng.choice(list(INSTANCES[acct].values()))
        emit(t, "ec2.amazonaws.com", "CreateTags", HOME, ident, ip, "console.ec2.amazonaws.com",
             {"resourcesSet": {"items": [{"resourceId": inst}]}, "tagSet": {"items": [{"key": "CostCenter", "value": rng.choice(["platform", "payments", "data"])}]}},
             {"requestId": event_id(), "_return": True}, acct=acct, ro=False, console=True)
    if kind in ("platform", "oncall") and rng.random() < 0.3:
        t = jitter(t, 10, 60)
        fn = rng.choice(list(LAMBDAS))
        emit(t, "monitoring.amazonaws.com", "PutMetricAlarm", HOME, ident, ip, browser,
             {"alarmName": f"{fn}-errors", "alarmDescription": f"{fn} errors over 5 minutes", "actionsEnabled": True,
              "alarmActions": [f"arn:aws:sns:{HOME}:{acct}:alerts-{ENV[acct]}"], "metricName": "Errors", "namespace": "AWS/Lambda",
              "statistic": "Sum", "dimensions": [{"name": "FunctionName", "value": fn}], "period": 300, "evaluationPeriods": 1,
              "threshold": float(rng.choice([1, 5, 10])), "comparisonOperator": "GreaterThanOrEqualToThreshold", "treatMissingData": "notBreaching"},
             None, acct=acct, ro=False, console=True)
    return t


def console_browsing() -> None:
    for d in range(DAYS):
        for person in PEOPLE:
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                acct = PROD if rng.random() < 0.6 else STAGING
                console_session(work_time(d), acct, person)
        # Staging predates Identity Center: two engineers still have IAM users there (MFA on).
        for name, person in (("bob.nguyen", PEOPLE[1]), ("henrik.larsen", PEOPLE[7])):
            if rng.random() < 0.5:
                t = work_time(d)
                ident = iam_user_console(STAGING, name, t)
                console_session(t, STAGING, person, ident=ident, federated=False)


# ---------------------------------------------------------------------------------------
# Scenario: AWS Backup, nightly


def backups() -> None:
    role = "AWSBackupDefaultServiceRole"
    for d in range(DAYS):
        for acct in ACCOUNTS:
            t = day(d) + timedelta(hours=1, minutes=rng.randint(0, 20))
            ident = assumed(acct, role, "AWSBackup-AWSBackupDefaultServiceRole", t, path="/service-role/", invoked_by="backup.amazonaws.com")
            ip = ua = "backup.amazonaws.com"
            vault = f"arn:aws:backup:{HOME}:{acct}:backup-vault:Default"
            for name, vols in VOLUMES[acct].items():
                inst = INSTANCES[acct][name]
                t = jitter(t, 5, 40)
                job = event_id().upper()
                for vol in vols:
                    t = jitter(t, 1, 5)
                    snap = "snap-" + rhex(17)
                    tags = [{"key": "aws:backup:source-resource", "value": f"{inst}:{vol}:{job}"}]
                    emit(
                        t, "ec2.amazonaws.com", "CreateSnapshot", HOME, ident, ip, ua,
                        {"volumeId": vol, "description": "This snapshot is created by the AWS Backup service.",
                         "tagSpecificationSet": {"items": [{"resourceType": "snapshot", "tags": tags}]}},
                        {"requestId": event_id(), "snapshotId": snap, "volumeId": vol, "status": "pending",
                         "startTime": epoch_ms(t), "progress": "", "ownerId": acct,
                         "description": "This snapshot is created by the AWS Backup service.", "volumeSize": rng.choice([8, 20, 50, 100]),
                         "encrypted": True, "tagSet": {"items": tags}},
                        acct=acct, ro=False,
                    )
                    # A copy to the disaster-recovery region, made by Backup's copy job.
                    tc = jitter(t, 600, 1800)
                    emit(
                        tc, "ec2.amazonaws.com", "CopySnapshot", DR, ident, ip, ua,
                        {"sourceRegion": HOME, "sourceSnapshotId": snap, "description": "This snapshot is created by the AWS Backup service.",
                         "encrypted": True, "kmsKeyId": f"arn:aws:kms:{DR}:{acct}:key/{kms_key(acct, DR, 'backups')}"},
                        {"requestId": event_id(), "snapshotId": "snap-" + rhex(17)},
                        acct=acct, ro=False,
                    )
                    # Recovery points past their 14-day retention are deleted.
                    for region in (HOME, DR):
                        td = jitter(t, 900, 3600)
                        emit(td, "ec2.amazonaws.com", "DeleteSnapshot", region, ident, ip, ua,
                             {"snapshotId": "snap-" + rhex(17)}, {"requestId": event_id(), "_return": True}, acct=acct, ro=False)
                emit(
                    jitter(t, 300, 900), "backup.amazonaws.com", "BackupJobCompleted", HOME,
                    {"accountId": acct, "invokedBy": "backup.amazonaws.com"}, ip, ua,
                    acct=acct, ro=False, etype="AwsServiceEvent", request_id=False,
                    service_details={
                        "backupJobId": job, "backupVaultName": "Default", "backupVaultArn": vault,
                        "resourceArn": f"arn:aws:ec2:{HOME}:{acct}:instance/{inst}", "resourceType": "EC2",
                        "state": "COMPLETED", "percentDone": "100.0", "iamRoleArn": role_arn(acct, role, "/service-role/"),
                        "backupPlanId": event_id(), "creationDate": iso(t), "completionDate": iso(jitter(t, 200, 800)),
                    },
                )
            # The database.
            t = jitter(t, 30, 120)
            snap_id = f"awsbackup:job-{event_id()}"
            emit(
                t, "rds.amazonaws.com", "CreateDBSnapshot", HOME, ident, ip, ua,
                {"dBSnapshotIdentifier": snap_id, "dBInstanceIdentifier": DB[acct], "tags": [{"key": "aws:backup:source-resource", "value": DB[acct]}]},
                {"dBSnapshotIdentifier": snap_id, "dBInstanceIdentifier": DB[acct], "engine": "postgres", "allocatedStorage": 200,
                 "status": "creating", "port": 5432, "availabilityZone": "eu-west-1b", "vpcId": VPC[acct],
                 "instanceCreateTime": "Mar 4, 2023, 9:41:07 AM", "masterUsername": "orders_admin", "engineVersion": "16.2",
                 "licenseModel": "postgresql-license", "snapshotType": "awsbackup", "optionGroupName": "default:postgres-16",
                 "percentProgress": 0, "storageType": "gp3", "encrypted": True,
                 "kmsKeyId": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 'rds')}",
                 "dBSnapshotArn": f"arn:aws:rds:{HOME}:{acct}:snapshot:{snap_id}", "iAMDatabaseAuthenticationEnabled": True,
                 "dbiResourceId": "db-" + stable("dbi", acct, 26, UPPER_NUM), "tagList": [], "snapshotTarget": "region"},
                acct=acct, ro=False,
            )
            t = jitter(t, 60, 300)
            emit(t, "rds.amazonaws.com", "DeleteDBSnapshot", HOME, ident, ip, ua,
                 {"dBSnapshotIdentifier": f"awsbackup:job-{event_id()}"}, None, acct=acct, ro=False)


# ---------------------------------------------------------------------------------------
# Scenario: Auto Scaling


def autoscaling() -> None:
    asg_role = "AWSServiceRoleForAutoScaling"
    ecs_role = "AWSServiceRoleForApplicationAutoScaling_ECSService"
    running: dict[str, list[str]] = {acct: [ec2_id("i", f"{acct}-asg-seed-{i}") for i in range(2)] for acct in ACCOUNTS}
    for d in range(DAYS):
        for acct in ACCOUNTS:
            env = ENV[acct]
            lb_tg = f"arn:aws:elasticloadbalancing:{HOME}:{acct}:targetgroup/web-{env}/{stable_hex(acct + 'tg', 16)}"
            # Scale out in the morning, in at night.
            for phase, hour, count in (("out", 7.5, 3 if acct == PROD else 1), ("in", 20, 3 if acct == PROD else 1)):
                t = day(d) + timedelta(hours=hour + rng.uniform(-0.4, 0.6))
                ident = assumed(acct, asg_role, "AutoScaling", t - timedelta(minutes=rng.randint(1, 50)),
                                path="/aws-service-role/autoscaling.amazonaws.com/", invoked_by="autoscaling.amazonaws.com")
                ip = ua = "autoscaling.amazonaws.com"
                for _ in range(count):
                    t = jitter(t, 1, 20)
                    if phase == "out":
                        inst = "i-" + rhex(17)
                        running[acct].append(inst)
                        az = rng.choice(AZS)
                        subnet = SUBNETS[acct][AZS.index(az)]
                        private_ip = f"10.{20 if acct == PROD else 30}.{AZS.index(az) * 16 + rng.randint(0, 15)}.{rng.randint(4, 250)}"
                        tags = [{"key": "aws:autoscaling:groupName", "value": f"web-{env}-asg"}]
                        emit(
                            t, "ec2.amazonaws.com", "RunInstances", HOME, ident, ip, ua,
                            {
                                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                                "availabilityZone": az,
                                "subnetId": subnet,
                                "disableApiTermination": False,
                                "disableApiStop": False,
                                "clientToken": event_id(),
                                "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": tags}]},
                                "launchTemplate": {"launchTemplateId": LAUNCH_TEMPLATE[acct], "version": "27"},
                            },
                            {
                                "requestId": event_id(),
                                "reservationId": "r-" + rhex(17),
                                "ownerId": acct,
                                "groupSet": {},
                                "instancesSet": {"items": [{
                                    "instanceId": inst, "imageId": AMI[acct], "currentInstanceBootMode": "uefi",
                                    "instanceState": {"code": 0, "name": "pending"},
                                    "privateDnsName": f"ip-{private_ip.replace('.', '-')}.{HOME}.compute.internal",
                                    "amiLaunchIndex": 0, "productCodes": {}, "instanceType": "m7g.large",
                                    "launchTime": epoch_ms(t), "placement": {"availabilityZone": az, "tenancy": "default"},
                                    "monitoring": {"state": "disabled"}, "subnetId": subnet, "vpcId": VPC[acct],
                                    "privateIpAddress": private_ip, "stateReason": {"code": "pending", "message": "pending"},
                                    "architecture": "arm64", "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda",
                                    "blockDeviceMapping": {}, "virtualizationType": "hvm", "clientToken": event_id(),
                                    "tagSet": {"items": tags},
                                    "groupSet": {"items": [{"groupId": SGS[acct]["web-asg"], "groupName": f"web-{env}-asg"}]},
                                    "sourceDestCheck": True, "hypervisor": "xen",
                                    "iamInstanceProfile": {"arn": f"arn:aws:iam::{acct}:instance-profile/web-asg-instance", "id": "AIPA" + stable("ip", acct, 17, UPPER_NUM)},
                                    "ebsOptimized": True, "enaSupport": True,
                                    "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled", "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
                                    "maintenanceOptions": {"autoRecovery": "default"},
                                    "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False, "enableResourceNameDnsAAAARecord": False},
                                }]},
                            },
                            acct=acct, ro=False,
                        )
                        # The instance's role is handed to it.
                        tr = jitter(t, 20, 60)
                        emit(tr, "sts.amazonaws.com", "AssumeRole", HOME, service("ec2.amazonaws.com"), "ec2.amazonaws.com", "ec2.amazonaws.com",
                             {"roleArn": role_arn(acct, "web-asg-instance"), "roleSessionName": inst},
                             {"credentials": {"accessKeyId": temp_key(), "sessionToken": session_token(), "expiration": human_date(tr + timedelta(hours=6))},
                              "assumedRoleUser": {"assumedRoleId": f"{role_id(acct, 'web-asg-instance')}:{inst}", "arn": f"arn:aws:sts::{acct}:assumed-role/web-asg-instance/{inst}"}},
                             acct=acct, ro=True, res=role_res(acct, role_arn(acct, "web-asg-instance")))
                        emit(jitter(t, 120, 240), "elasticloadbalancing.amazonaws.com", "RegisterTargets", HOME, ident, ip, ua,
                             {"targetGroupArn": lb_tg, "targets": [{"id": inst}]}, None, acct=acct, ro=False)
                    else:
                        if len(running[acct]) <= 2:
                            continue
                        inst = running[acct].pop(0)
                        emit(jitter(t, -320, -300), "elasticloadbalancing.amazonaws.com", "DeregisterTargets", HOME, ident, ip, ua,
                             {"targetGroupArn": lb_tg, "targets": [{"id": inst}]}, None, acct=acct, ro=False)
                        emit(
                            t, "ec2.amazonaws.com", "TerminateInstances", HOME, ident, ip, ua,
                            {"instancesSet": {"items": [{"instanceId": inst}]}},
                            {"requestId": event_id(), "instancesSet": {"items": [{"instanceId": inst, "currentState": {"code": 32, "name": "shutting-down"}, "previousState": {"code": 16, "name": "running"}}]}},
                            acct=acct, ro=False,
                        )
            # Application Auto Scaling follows the ECS services' CPU.
            for _ in range(rng.randint(2, 5)):
                t = day(d) + timedelta(hours=rng.uniform(6, 22))
                ident = assumed(acct, ecs_role, "AutoScaling-ECS-Service", t - timedelta(minutes=rng.randint(1, 50)),
                                path="/aws-service-role/ecs.application-autoscaling.amazonaws.com/", invoked_by="ecs.application-autoscaling.amazonaws.com")
                svc = rng.choice(ECS_SERVICES)
                emit(t, "ecs.amazonaws.com", "DescribeServices", HOME, ident, "ecs.application-autoscaling.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                     {"cluster": ECS_CLUSTER[acct], "services": [svc]}, None, acct=acct, ro=True)
                emit(jitter(t, 0.2, 1), "ecs.amazonaws.com", "UpdateService", HOME, ident, "ecs.application-autoscaling.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                     {"cluster": ECS_CLUSTER[acct], "service": svc, "desiredCount": rng.randint(2, 8) if acct == PROD else rng.randint(1, 2)},
                     None, acct=acct, ro=False)


# ---------------------------------------------------------------------------------------
# Scenario: AWS services acting as themselves


def services() -> None:
    for d in range(DAYS):
        for acct in ACCOUNTS:
            env = ENV[acct]
            # Lambda takes each function's role on cold starts; ECS gives tasks theirs.
            for _ in range(rng.randint(14, 18) if acct == PROD else rng.randint(5, 8)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                fn = rng.choice(list(LAMBDAS))
                role = f"{fn}-lambda"
                emit(t, "sts.amazonaws.com", "AssumeRole", HOME, service("lambda.amazonaws.com"), "lambda.amazonaws.com", "lambda.amazonaws.com",
                     {"roleArn": role_arn(acct, role), "roleSessionName": fn},
                     {"credentials": {"accessKeyId": temp_key(), "sessionToken": session_token(), "expiration": human_date(t + timedelta(hours=12))},
                      "assumedRoleUser": {"assumedRoleId": f"{role_id(acct, role)}:{fn}", "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{fn}"}},
                     acct=acct, ro=True, res=role_res(acct, role_arn(acct, role)))
                # The function's environment is decrypted as it starts.
                key = kms_key(acct, HOME, "orders-api")
                emit(jitter(t, 0.1, 0.8), "kms.amazonaws.com", "Decrypt", HOME,
                     assumed(acct, role, fn, t), "AWS Internal", "AWS Internal",
                     {"encryptionContext": {"aws:lambda:FunctionArn": lambda_arn(acct, fn)}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                     None, acct=acct, ro=True, res=kms_res(acct, HOME, key))
            for _ in range(rng.randint(5, 8) if acct == PROD else rng.randint(2, 4)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                svc = rng.choice(ECS_SERVICES)
                task = rhex(32)
                for role in (f"ecs-task-{svc}", "ecs-task-execution"):
                    emit(jitter(t, 0, 2), "sts.amazonaws.com", "AssumeRole", HOME, service("ecs-tasks.amazonaws.com"), "ecs-tasks.amazonaws.com", "ecs-tasks.amazonaws.com",
                         {"roleArn": role_arn(acct, role), "roleSessionName": task},
                         {"credentials": {"accessKeyId": temp_key(), "sessionToken": session_token(), "expiration": human_date(t + timedelta(hours=6))},
                          "assumedRoleUser": {"assumedRoleId": f"{role_id(acct, role)}:{task}", "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{task}"}},
                         acct=acct, ro=True, res=role_res(acct, role_arn(acct, role)))
            # EC2 refreshes the standalone instances' role credentials.
            for name, inst in INSTANCES[acct].items():
                for h in range(0, 24, 12):
                    t = day(d) + timedelta(hours=h, minutes=rng.uniform(0, 50))
                    role = f"{name}-instance"
                    emit(t, "sts.amazonaws.com", "AssumeRole", HOME, service("ec2.amazonaws.com"), "ec2.amazonaws.com", "ec2.amazonaws.com",
                         {"roleArn": role_arn(acct, role), "roleSessionName": inst},
                         {"credentials": {"accessKeyId": temp_key(), "sessionToken": session_token(), "expiration": human_date(t + timedelta(hours=6))},
                          "assumedRoleUser": {"assumedRoleId": f"{role_id(acct, role)}:{inst}", "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{inst}"}},
                         acct=acct, ro=True, res=role_res(acct, role_arn(acct, role)))
            # KMS from S3 (SSE-KMS objects) and from CloudTrail encrypting its files.
            s3_key = kms_key(acct, HOME, "s3-app")
            for _ in range(rng.randint(10, 15) if acct == PROD else rng.randint(3, 5)):
                t = day(d) + timedelta(hours=rng.uniform(6, 23))
                role = "ecs-task-" + rng.choice(["checkout-web", "notifications-worker"])
                caller = assumed(acct, role, rhex(32), t - timedelta(minutes=rng.randint(1, 300)))
                bucket = BUCKETS[acct][rng.choice(["uploads", "invoices"])]
                name = rng.choice(["GenerateDataKey", "Decrypt", "Decrypt"])
                req = {"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket}"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
                if name == "GenerateDataKey":
                    req = {"keyId": f"arn:aws:kms:{HOME}:{acct}:key/{s3_key}", "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket}"}, "keySpec": "AES_256"}
                emit(t, "kms.amazonaws.com", name, HOME, caller, "AWS Internal", "AWS Internal", req, None,
                     acct=acct, ro=True, res=kms_res(acct, HOME, s3_key))
        # CloudTrail delivers the organisation trail's files (to the production bucket).
        bucket = BUCKETS[PROD]["trail"]
        trail_key = kms_key(PROD, HOME, "cloudtrail")
        t = day(d) + timedelta(minutes=rng.uniform(0, 20))
        while t < day(d + 1):
            ident = service("cloudtrail.amazonaws.com")
            ip = ua = "cloudtrail.amazonaws.com"
            emit(t, "s3.amazonaws.com", "GetBucketAcl", HOME, ident, ip, ua,
                 {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "acl": ""}, None,
                 acct=PROD, ro=True, add=s3_add(rng.randint(500, 700), cipher="ECDHE-RSA-AES128-GCM-SHA256"), res=bucket_res(PROD, bucket))
            for acct in ACCOUNTS:
                if rng.random() < 0.6:
                    continue
                region = rng.choice([HOME, HOME, GLOBAL, DR])
                stamp = t.strftime("%Y%m%dT%H%MZ")
                key = f"AWSLogs/o-a1b2c3d4e5/{acct}/CloudTrail/{region}/{t.strftime('%Y/%m/%d')}/{acct}_CloudTrail_{region}_{stamp}_{rhex(16)}.json.gz"
                tk = jitter(t, 0.2, 2)
                emit(tk, "kms.amazonaws.com", "GenerateDataKey", HOME, ident, ip, ua,
                     {"keyId": f"arn:aws:kms:{HOME}:{PROD}:key/{trail_key}",
                      "encryptionContext": {"aws:cloudtrail:arn": f"arn:aws:cloudtrail:{HOME}:{PROD}:trail/org-trail", "aws:s3:arn": f"arn:aws:s3:::{bucket}/{key}"},
                      "keySpec": "AES_256"}, None, acct=PROD, ro=True, res=kms_res(PROD, HOME, trail_key))
                size = rng.randint(900, 60_000)
                emit(jitter(tk, 0.1, 0.5), "s3.amazonaws.com", "PutObject", HOME, ident, ip, ua,
                     {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "key": key,
                      "x-amz-acl": "bucket-owner-full-control", "x-amz-server-side-encryption": "aws:kms",
                      "x-amz-server-side-encryption-aws-kms-key-id": f"arn:aws:kms:{HOME}:{PROD}:key/{trail_key}"},
                     {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": f"arn:aws:kms:{HOME}:{PROD}:key/{trail_key}"},
                     acct=PROD, ro=False, data=True, add=s3_add(0, size, cipher="ECDHE-RSA-AES128-GCM-SHA256", SSEApplied="SSE_KMS", bytesTransferredIn=size),
                     res=object_res(PROD, bucket, key))
            t += timedelta(minutes=rng.uniform(70, 120))
        # AWS Config records configuration changes and periodic snapshots.
        for acct in ACCOUNTS:
            for _ in range(rng.randint(3, 5)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                ident = assumed(acct, "AWSServiceRoleForConfig", "AWSConfig-Describe", t - timedelta(minutes=rng.randint(1, 55)),
                                path="/aws-service-role/config.amazonaws.com/", invoked_by="config.amazonaws.com")
                ip = ua = "config.amazonaws.com"
                for source, name in rng.sample([
                    ("ec2.amazonaws.com", "DescribeInstances"), ("ec2.amazonaws.com", "DescribeSecurityGroups"),
                    ("ec2.amazonaws.com", "DescribeVolumes"), ("ec2.amazonaws.com", "DescribeNetworkInterfaces"),
                    ("ec2.amazonaws.com", "DescribeSubnets"), ("ec2.amazonaws.com", "DescribeVpcs"),
                    ("ec2.amazonaws.com", "DescribeRouteTables"), ("ec2.amazonaws.com", "DescribeNetworkAcls"),
                    ("iam.amazonaws.com", "GetRole"), ("iam.amazonaws.com", "ListAttachedRolePolicies"),
                    ("iam.amazonaws.com", "ListRolePolicies"), ("iam.amazonaws.com", "GetPolicy"),
                    ("lambda.amazonaws.com", "GetFunction20150331v2"), ("lambda.amazonaws.com", "GetPolicy20150331v2"),
                    ("rds.amazonaws.com", "DescribeDBInstances"), ("kms.amazonaws.com", "DescribeKey"),
                    ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers"), ("cloudtrail.amazonaws.com", "DescribeTrails"),
                    ("s3.amazonaws.com", "GetBucketAcl"), ("s3.amazonaws.com", "GetBucketPolicy"),
                    ("s3.amazonaws.com", "GetBucketVersioning"), ("s3.amazonaws.com", "GetBucketEncryption"),
                ], rng.randint(4, 9)):
                    t = jitter(t, 0.1, 4)
                    if source == "s3.amazonaws.com":
                        s3_bucket_get(t, acct, ident, ip, ua, name, rng.choice(list(BUCKETS[acct])))
                    else:
                        read(t, acct, ident, ip, ua, source, name)


# ---------------------------------------------------------------------------------------
# Scenario: applications and developers


def workloads() -> None:
    for d in range(DAYS):
        for acct in ACCOUNTS:
            env = ENV[acct]
            scale = 1.0 if acct == PROD else 0.4
            # S3 objects written and read by the services, through the gateway endpoint.
            for _ in range(int(rng.randint(25, 35) * scale)):
                t = day(d) + timedelta(hours=rng.uniform(6, 23))
                svc, kind, name = rng.choice([
                    ("checkout-web", "uploads", "PutObject"), ("checkout-web", "uploads", "GetObject"),
                    ("notifications-worker", "invoices", "GetObject"), ("notifications-worker", "invoices", "GetObject"),
                    ("catalog-svc", "assets", "GetObject"), ("catalog-svc", "assets", "PutObject"),
                ])
                bucket = BUCKETS[acct][kind]
                ident = assumed(acct, f"ecs-task-{svc}", rhex(32), t - timedelta(minutes=rng.randint(1, 300)))
                ip = f"10.{20 if acct == PROD else 30}.{rng.randint(0, 47)}.{rng.randint(4, 250)}"
                key = {
                    "uploads": f"receipts/{t.strftime('%Y/%m/%d')}/{event_id()}.jpg",
                    "invoices": f"invoices/{t.strftime('%Y/%m')}/INV-{rng.randint(100000, 999999)}.pdf",
                    "assets": f"catalog/images/{rng.randint(10000, 99999)}/{rng.choice(['thumb', 'large', 'original'])}.webp",
                }[kind]
                size = rng.randint(8_000, 3_000_000)
                emit(
                    t, "s3.amazonaws.com", name, HOME, ident, ip, JAVA_UA if svc == "checkout-web" else GO_ECS_UA.format(api="s3", apiv="1.54.3"),
                    {"bucketName": bucket, "Host": f"{bucket}.s3.{HOME}.amazonaws.com", "key": key},
                    {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": f"arn:aws:kms:{HOME}:{acct}:key/{kms_key(acct, HOME, 's3-app')}", "x-amz-server-side-encryption-bucket-key-enabled": "true"} if name == "PutObject" else None,
                    acct=acct, ro=name == "GetObject", data=True,
                    add=s3_add(size if name == "GetObject" else 0, size if name == "PutObject" else 0, SSEApplied="SSE_KMS", **({"bytesTransferredIn": size} if name == "PutObject" else {})),
                    res=object_res(acct, bucket, key), host=f"{bucket}.s3.{HOME}.amazonaws.com", vpce=VPCE[acct],
                )
            # Custom metrics from the Lambda functions.
            for _ in range(int(rng.randint(12, 18) * scale)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                fn = rng.choice(["orders-api", "orders-api-worker", "payment-webhook", "invoice-renderer"])
                ident = assumed(acct, f"{fn}-lambda", fn, t - timedelta(minutes=rng.randint(1, 600)))
                py = LAMBDAS[fn][0].startswith("python")
                emit(
                    t, "monitoring.amazonaws.com", "PutMetricData", HOME, ident, rng.choice(NAT_IPS[acct]),
                    BOTO_UA if py else NODE_LAMBDA_UA.format(api="cloudwatch"),
                    {"namespace": f"ExampleCorp/{fn}", "metricData": [
                        {"metricName": m, "dimensions": [{"name": "Environment", "value": env}], "value": float(rng.randint(0, 400)), "unit": u}
                        for m, u in rng.sample([("OrdersCreated", "Count"), ("PaymentLatency", "Milliseconds"), ("QueueDepth", "Count"), ("RenderTime", "Milliseconds")], 2)
                    ]},
                    None, acct=acct, ro=False, data=True,
                )
            # Log streams: containers starting, the CloudWatch agent on the standalone instances.
            for _ in range(int(rng.randint(12, 18) * scale)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                if rng.random() < 0.6:
                    svc = rng.choice(ECS_SERVICES)
                    task = rhex(32)
                    ident = assumed(acct, "ecs-task-execution", task, t - timedelta(seconds=rng.randint(5, 40)))
                    emit(t, "logs.amazonaws.com", "CreateLogStream", HOME, ident, rng.choice(NAT_IPS[acct]), FLUENT_UA if svc == "catalog-svc" else GO_ECS_UA.format(api="cloudwatchlogs", apiv="1.35.1"),
                         {"logGroupName": f"/ecs/{svc}-{env}", "logStreamName": f"{svc}/{svc}/{task}"}, None, acct=acct, ro=False)
                else:
                    name, inst = rng.choice(list(INSTANCES[acct].items()))
                    ident = assumed(acct, f"{name}-instance", inst, t - timedelta(hours=rng.uniform(0, 5)), ec2_delivery=True)
                    emit(t, "logs.amazonaws.com", "CreateLogStream", HOME, ident, f"10.{20 if acct == PROD else 30}.{rng.randint(0, 47)}.{rng.randint(4, 250)}", CWAGENT_UA,
                         {"logGroupName": f"/ec2/{name}/messages", "logStreamName": inst}, None, acct=acct, ro=False, vpce=VPCE[acct])
            # Parameters read at start-up, without decryption (they hold no secrets).
            for _ in range(int(rng.randint(12, 18) * scale)):
                t = day(d) + timedelta(hours=rng.uniform(0, 24))
                fn = rng.choice(["orders-api", "orders-api-worker", "nightly-reconciler"])
                ident = assumed(acct, f"{fn}-lambda", fn, t - timedelta(minutes=rng.randint(0, 5)))
                params = [p for p in SSM_PARAMS[acct] if p.startswith(f"/orders-api/") or p.startswith("/shared/")]
                if rng.random() < 0.6:
                    emit(t, "ssm.amazonaws.com", "GetParameter", HOME, ident, rng.choice(NAT_IPS[acct]), BOTO_UA,
                         {"name": rng.choice(params), "withDecryption": False}, None, acct=acct, ro=True)
                else:
                    emit(t, "ssm.amazonaws.com", "GetParametersByPath", HOME, ident, rng.choice(NAT_IPS[acct]), BOTO_UA,
                         {"path": f"/orders-api/{env}/", "recursive": True, "withDecryption": False}, None, acct=acct, ro=True)
            # The SSM agent's heartbeat on the standalone instances.
            for name, inst in INSTANCES[acct].items():
                for h in range(0, 24, 8):
                    t = day(d) + timedelta(hours=h, minutes=rng.uniform(0, 110))
                    ident = assumed(acct, f"{name}-instance", inst, t - timedelta(hours=rng.uniform(0, 5)), ec2_delivery=True)
                    az = AZS[int(stable_hex(inst, 2), 16) % 3]
                    private = f"10.{20 if acct == PROD else 30}.{AZS.index(az) * 16 + 3}.{int(stable_hex(inst + 'ip', 2), 16) % 240 + 4}"
                    emit(t, "ssm.amazonaws.com", "UpdateInstanceInformation", HOME, ident, private, SSM_AGENT_UA,
                         {"instanceId": inst, "agentVersion": "3.3.484.0", "agentStatus": "Active", "platformType": "Linux",
                          "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": private,
                          "computerName": f"ip-{private.replace('.', '-')}.{HOME}.compute.internal", "agentName": "amazon-ssm-agent",
                          "availabilityZone": az, "availabilityZoneId": "euw1-az" + str(AZS.index(az) + 1), "sSMConnectionChannel": "ssmmessages"},
                         None, acct=acct, ro=False, vpce=VPCE[acct])
        # Developers check which credentials their terminal has.
        for person in PEOPLE:
            email, _, ps_staging, ip, _, kind = person
            for _ in range(rng.randint(0, 2)):
                t = work_time(d)
                acct = STAGING if rng.random() < 0.7 else PROD
                ps = ps_staging if acct == STAGING else ("ReadOnlyAccess" if kind != "platform" else "PlatformEngineer")
                if kind == "oncall" and acct == PROD:
                    ps = "OnCallSupport"
                ident = sso_session(acct, ps, email, t - timedelta(minutes=rng.randint(1, 400)))
                mac = person[4] in (0, 3, 4)
                emit(t, "sts.amazonaws.com", "GetCallerIdentity", HOME, ident, ip,
                     cli_ua("sts.get-caller-identity", "mac" if mac else "linux"),
                     None, None, acct=acct, ro=True)
                # ... and now and then read a parameter or list a bucket.
                if rng.random() < 0.4:
                    emit(jitter(t, 5, 60), "ssm.amazonaws.com", "GetParameter", HOME, ident, ip,
                         cli_ua("ssm.get-parameter", "mac" if mac else "linux"),
                         {"name": rng.choice(SSM_PARAMS[acct]), "withDecryption": False}, None, acct=acct, ro=True)
                if rng.random() < 0.3:
                    bucket = BUCKETS[acct][rng.choice(["uploads", "assets", "artifacts"])]
                    emit(jitter(t, 5, 60), "s3.amazonaws.com", "ListBuckets", HOME, ident, ip, cli_ua("s3.ls", "mac" if mac else "linux"),
                         {"Host": f"s3.{HOME}.amazonaws.com"}, None, acct=acct, ro=True, add=s3_add(rng.randint(2000, 6000)), host=f"s3.{HOME}.amazonaws.com")


# ---------------------------------------------------------------------------------------
# Scenario: an on-call engineer missing a few read permissions


def oncall_denials() -> None:
    email, _, _, ip, bi, _ = PEOPLE[5]
    browser = BROWSERS[bi]
    denied = [
        ("rds.amazonaws.com", "DescribeDBClusters", "AccessDenied", "rds:DescribeDBClusters", f"arn:aws:rds:{HOME}:{PROD}:cluster:*"),
        ("ec2.amazonaws.com", "DescribeFlowLogs", "Client.UnauthorizedOperation", "ec2:DescribeFlowLogs", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancerAttributes", "AccessDenied", "elasticloadbalancing:DescribeLoadBalancerAttributes", None),
        ("ec2.amazonaws.com", "DescribeVolumesModifications", "Client.UnauthorizedOperation", "ec2:DescribeVolumesModifications", None),
        ("logs.amazonaws.com", "DescribeSubscriptionFilters", "AccessDenied", "logs:DescribeSubscriptionFilters", f"arn:aws:logs:{HOME}:{PROD}:log-group:/aws/lambda/orders-api:*"),
        ("kms.amazonaws.com", "DescribeKey", "AccessDeniedException", "kms:DescribeKey", f"arn:aws:kms:{HOME}:{PROD}:key/{kms_key(PROD, HOME, 'orders-api')}"),
        ("iam.amazonaws.com", "GetAccountAuthorizationDetails", "AccessDenied", "iam:GetAccountAuthorizationDetails", f"arn:aws:iam::{PROD}:*"),
        ("rds.amazonaws.com", "DescribeDBClusters", "AccessDenied", "rds:DescribeDBClusters", f"arn:aws:rds:{HOME}:{PROD}:cluster:*"),
    ]
    for i, (source, name, code, action, resource) in enumerate(denied):
        t = day(i % DAYS) + timedelta(hours=rng.uniform(8, 22))
        signed_in = t - timedelta(minutes=rng.randint(3, 90))
        ident = sso_session(PROD, "OnCallSupport", email, signed_in)
        console_login(signed_in, PROD, ident, ip, browser, federated=True)
        arn = ident["arn"]
        if code == "Client.UnauthorizedOperation":
            msg = f"You are not authorized to perform this operation. User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
        elif resource:
            msg = f"User: {arn} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
        else:
            msg = f"User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
        if source == "iam.amazonaws.com":
            req = {"filter": ["Role"]}
        elif source == "ec2.amazonaws.com":
            req = ec2_describe(PROD, name)
        elif source == "elasticloadbalancing.amazonaws.com":
            req = {"loadBalancerArn": f"arn:aws:elasticloadbalancing:{HOME}:{PROD}:loadbalancer/app/web-prod/{stable_hex(PROD + 'alb', 16)}"}
        else:
            req = generic_read(PROD, source, name)
        ua = console_ua(source, browser)
        emit(t, source, name, HOME, ident, ip, ua, req, None, acct=PROD, ro=True, err=(code, msg), console=True)
        # ... then the engineer reads what the role does allow.
        for _ in range(rng.randint(2, 5)):
            t = jitter(t, 5, 60)
            src, names = rng.choice(CONSOLE_MENU["oncall"])
            read(t, PROD, ident, ip, console_ua(src, browser), src, rng.choice(names), console=True)


def main() -> None:
    global rng
    for scenario in (github_deploys, terraform_plans, console_browsing, backups, autoscaling, services, workloads, oncall_denials):
        # A stream per scenario: changing one leaves the others' records as they were.
        rng = random.Random(f"{SEED}:{scenario.__name__}")
        before, size = len(RECORDS), 0
        scenario()
        size = sum(len(json.dumps(r, separators=(",", ":"))) + 1 for r in RECORDS[before:])
        print(f"{scenario.__name__:16} {len(RECORDS) - before:5} records {size / 1e6:5.2f} MB")
    end = day(DAYS)
    records = [r for r in RECORDS if r["eventTime"] < iso(end)]
    records.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    sources = sorted({r["eventSource"] for r in records})
    print(f"{len(records)} records, {OUT.stat().st_size / 1e6:.2f} MB, {len(sources)} sources: {', '.join(s.split('.')[0] for s in sources)}")


if __name__ == "__main__":
    main()
