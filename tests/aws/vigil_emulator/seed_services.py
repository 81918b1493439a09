"""Seeds Lambda, SNS, SQS, Secrets Manager, ECR, DynamoDB, EFS, ELBv2, CloudFront, API Gateway and Route 53: for every check of these
services, one well-configured resource (no finding of that service at all) and one resource
per misconfiguration (exactly its finding), in one region.

Called from `seed._build` after every other seed: what is created here draws on moto's
seeded random generator, and coming last keeps the IDs of everything seeded before as they
were. Idempotent: a second run finds what the first created.

One check has no failing resource here: `secretsmanager-secret-unused` needs a secret
created or last read more than 90 days ago, and moto stamps `CreatedDate` with the current
time and has no way to move it; its failing case is tested on the rule
(`checks/src/services/secretsmanager`), its passing case on the seeded secrets.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .seed_ec2 import SEED_TAG

#: The role the seeded functions run as.
LAMBDA_ROLE = "vigil-seed-lambda"


def _exists(err: ClientError, *codes: str) -> bool:
    return err.response["Error"]["Code"] in codes


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def _lambda_role(session: boto3.Session, endpoint: str) -> str:
    iam = session.client("iam", endpoint_url=endpoint)
    try:
        return iam.get_role(RoleName=LAMBDA_ROLE)["Role"]["Arn"]
    except ClientError as e:
        if not _exists(e, "NoSuchEntity"):
            raise
    return iam.create_role(
        RoleName=LAMBDA_ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]


def seed_lambda(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """`orders-api` is well configured (current runtime, an IAM-authenticated URL, a policy
    for S3 of this account, a variable holding a secret's ARN); `public-webhook` has a URL
    without auth; `shared-report` lets everyone invoke it; `legacy-cron` runs python3.7;
    `billing-sync` holds an AWS secret key in its environment. `orders-api`'s variables
    are encrypted with the `orders-data` key (set here: moto's UpdateFunctionConfiguration
    ignores `KMSKeyArn`; seed_parity puts it in a VPC)."""
    lam = session.client("lambda", region_name=region, endpoint_url=endpoint)
    role = _lambda_role(session, endpoint)
    try:
        kms = session.client("kms", region_name=region, endpoint_url=endpoint)
        orders_key = kms.describe_key(KeyId="alias/orders-data")["KeyMetadata"]["Arn"]
    except ClientError:
        orders_key = None
    existing = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    functions: dict[str, dict[str, Any]] = {
        "orders-api": {
            "runtime": "python3.12",
            "env": {
                "LOG_LEVEL": "info",
                "DB_SECRET_ARN": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/orders-db",
            },
        },
        "public-webhook": {"runtime": "python3.12", "env": {}},
        "shared-report": {"runtime": "python3.12", "env": {}},
        "legacy-cron": {"runtime": "python3.7", "env": {}},
        "billing-sync": {
            "runtime": "python3.12",
            "env": {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
        },
    }
    for name, spec in functions.items():
        if name in existing:
            continue
        lam.create_function(
            FunctionName=name,
            Runtime=spec["runtime"],
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": _zip()},
            Environment={"Variables": spec["env"]},
            Tags={SEED_TAG: "true"},
            **({"KMSKeyArn": orders_key} if name == "orders-api" and orders_key else {}),
        )
        if name == "orders-api":
            lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")
            lam.add_permission(
                FunctionName=name,
                StatementId="s3-invoke",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                SourceAccount=account,
            )
        if name == "public-webhook":
            lam.create_function_url_config(FunctionName=name, AuthType="NONE")
        if name == "shared-report":
            lam.add_permission(
                FunctionName=name,
                StatementId="anyone",
                Action="lambda:InvokeFunction",
                Principal="*",
            )
    return list(functions)


def seed_sns(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    """`orders-events` is KMS-encrypted with SNS's default (owner-conditioned) policy;
    `plain-alerts` has no key; `public-alerts` lets anyone publish."""
    sns = session.client("sns", region_name=region, endpoint_url=endpoint)
    names = ["orders-events", "plain-alerts", "public-alerts"]
    for name in names:
        attributes = {} if name == "plain-alerts" else {"KmsMasterKeyId": "alias/aws/sns"}
        # CreateTopic is idempotent for the same name and attributes.
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        if name == "public-alerts":
            sns.set_topic_attributes(
                TopicArn=arn,
                AttributeName="Policy",
                AttributeValue=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AnyonePublishes",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": "SNS:Publish",
                                "Resource": arn,
                            }
                        ],
                    }
                ),
            )
    return names


def seed_sqs(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """`orders-queue` is encrypted (SSE-SQS) with no policy; `plain-queue` is not encrypted;
    `public-queue` lets anyone send."""
    sqs = session.client("sqs", region_name=region, endpoint_url=endpoint)
    names = ["orders-queue", "plain-queue", "public-queue"]
    for name in names:
        attributes = {"SqsManagedSseEnabled": "false" if name == "plain-queue" else "true"}
        if name == "public-queue":
            attributes["Policy"] = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "sqs:SendMessage",
                            "Resource": f"arn:aws:sqs:{region}:{account}:{name}",
                        }
                    ],
                }
            )
        # CreateQueue returns the existing queue when its attributes are the same.
        sqs.create_queue(QueueName=name, Attributes=attributes)
    return names


def seed_secrets(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    """`prod/orders-db` is rotated every 30 days; `legacy/api-key` is never rotated."""
    sm = session.client("secretsmanager", region_name=region, endpoint_url=endpoint)
    names = ["prod/orders-db", "legacy/api-key"]
    for name in names:
        try:
            sm.create_secret(
                Name=name,
                SecretString=json.dumps({"password": "seeded-not-real"}),
                Tags=[{"Key": SEED_TAG, "Value": "true"}],
            )
        except ClientError as e:
            if _exists(e, "ResourceExistsException"):
                continue
            raise
        if name == "prod/orders-db":
            # No rotation function: moto turns rotation on from the rules alone (AWS would
            # need one), and invoking none keeps the seed free of Lambda's runtime.
            sm.rotate_secret(
                SecretId=name,
                RotationRules={"AutomaticallyAfterDays": 30},
                RotateImmediately=False,
            )
    return names


LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged images after 14 days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


def seed_ecr(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    """`orders-service` scans on push, has immutable tags and a lifecycle policy, and no
    repository policy; each other repository differs from it in one way."""
    ecr = session.client("ecr", region_name=region, endpoint_url=endpoint)
    existing = {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]}
    names = ["orders-service", "unscanned-images", "mutable-images", "no-lifecycle", "public-images"]
    for name in names:
        if name in existing:
            continue
        ecr.create_repository(
            repositoryName=name,
            imageScanningConfiguration={"scanOnPush": name != "unscanned-images"},
            imageTagMutability="MUTABLE" if name == "mutable-images" else "IMMUTABLE",
            tags=[{"Key": SEED_TAG, "Value": "true"}],
        )
        if name != "no-lifecycle":
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=LIFECYCLE)
        if name == "public-images":
            ecr.set_repository_policy(
                repositoryName=name,
                policyText=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AnyonePulls",
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            }
                        ],
                    }
                ),
            )
    return names


def seed_dynamodb(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    """`orders` has point-in-time recovery and deletion protection and is encrypted with
    a KMS key (the AWS managed one: naming it keeps moto from creating a key); `sessions`
    lacks the first, `audit-log` the second, and both keep the AWS owned key."""
    ddb = session.client("dynamodb", region_name=region, endpoint_url=endpoint)
    existing = set(ddb.list_tables()["TableNames"])
    names = ["orders", "sessions", "audit-log"]
    for name in names:
        if name in existing:
            continue
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            DeletionProtectionEnabled=name != "audit-log",
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
            **(
                {
                    "SSESpecification": {
                        "Enabled": True,
                        "SSEType": "KMS",
                        "KMSMasterKeyId": "alias/aws/dynamodb",
                    }
                }
                if name == "orders"
                else {}
            ),
        )
        if name != "sessions":
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
    return names


def seed_efs(session: boto3.Session, endpoint: str, region: str) -> dict[str, dict[str, str]]:
    """File systems: `shared-data` is encrypted with automatic backups, `scratch-plain` is
    not encrypted, `no-backup` has backups off. Access points on `shared-data`: `app` is
    confined to `/app` as uid 1000, `whole-fs` exposes `/`, `any-user` enforces no user.
    Returns the IDs moto gave them, by name."""
    efs = session.client("efs", region_name=region, endpoint_url=endpoint)
    systems: dict[str, str] = {}
    for name, encrypted, backup in (
        ("shared-data", True, True),
        ("scratch-plain", False, True),
        ("no-backup", True, False),
    ):
        # The creation token makes CreateFileSystem idempotent.
        try:
            fs = efs.create_file_system(
                CreationToken=f"vigil-seed-{name}",
                Encrypted=encrypted,
                Backup=backup,
                Tags=[{"Key": "Name", "Value": name}, {"Key": SEED_TAG, "Value": "true"}],
            )
        except ClientError as e:
            if not _exists(e, "FileSystemAlreadyExists"):
                raise
            fs = efs.describe_file_systems(CreationToken=f"vigil-seed-{name}")["FileSystems"][0]
        systems[name] = fs["FileSystemId"]
    existing = {
        t["Value"]: ap["AccessPointId"]
        for ap in efs.describe_access_points(FileSystemId=systems["shared-data"])["AccessPoints"]
        for t in ap.get("Tags", [])
        if t["Key"] == "Name"
    }
    points: dict[str, str] = {}
    for name, root, user in (
        ("app", "/app", True),
        ("whole-fs", "/", True),
        ("any-user", "/other", False),
    ):
        if name in existing:
            points[name] = existing[name]
            continue
        args: dict[str, Any] = {
            "ClientToken": f"vigil-seed-{name}",
            "FileSystemId": systems["shared-data"],
            "RootDirectory": {"Path": root},
            "Tags": [{"Key": "Name", "Value": name}],
        }
        if user:
            args["PosixUser"] = {"Uid": 1000, "Gid": 1000}
        points[name] = efs.create_access_point(**args)["AccessPointId"]
    return {"fileSystems": systems, "accessPoints": points}


def seed_elbv2(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """Internet-facing Application Load Balancers in the default VPC: `orders-alb` redirects
    HTTP to HTTPS, serves HTTPS with a TLS 1.2+ policy and has access logs, deletion
    protection and invalid-header dropping on; `legacy-alb` answers plain HTTP, serves HTTPS
    with `ELBSecurityPolicy-2016-08` (TLS 1.0) and keeps every attribute at its default
    (off), so it fails every ELBv2 check."""
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    elb = session.client("elbv2", region_name=region, endpoint_url=endpoint)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnet_ids = [s["SubnetId"] for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])][:2]
    # An IAM server certificate ARN: moto does not look it up (an ACM one it would).
    cert = [{"CertificateArn": f"arn:aws:iam::{account}:server-certificate/vigil-seed"}]
    fixed = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain"}}]
    redirect = [
        {
            "Type": "redirect",
            "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
        }
    ]
    names = []
    for name, good in (("orders-alb", True), ("legacy-alb", False)):
        names.append(name)
        try:
            elb.describe_load_balancers(Names=[name])
            continue  # seeded by an earlier run
        except ClientError as e:
            if not _exists(e, "LoadBalancerNotFound"):
                raise
        arn = elb.create_load_balancer(
            Name=name,
            Subnets=subnet_ids,
            Scheme="internet-facing",
            Type="application",
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
        )["LoadBalancers"][0]["LoadBalancerArn"]
        elb.create_listener(
            LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=redirect if good else fixed
        )
        elb.create_listener(
            LoadBalancerArn=arn,
            Protocol="HTTPS",
            Port=443,
            Certificates=cert,
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06" if good else "ELBSecurityPolicy-2016-08",
            DefaultActions=fixed,
        )
        if good:
            elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": "vigil-seed-elb-logs"},
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                ],
            )
    return names


#: The ECS task-definition families: each differs from `orders-web` (awsvpc, a non-root user,
#: a read-only root file system, its password passed as a `secrets` reference, its output
#: logged to CloudWatch Logs) in one way.
ECS_FAMILIES = [
    "orders-web",
    "privileged-agent",
    "leaky-env",
    "host-root",
    "writable-root",
    "unlogged-batch",
]


def seed_ecs(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """The task-definition families of `ECS_FAMILIES`, then `orders-cluster` (Container
    Insights on) and `plain-cluster` (off)."""
    ecs = session.client("ecs", region_name=region, endpoint_url=endpoint)
    listed = ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
    existing = {arn.rsplit("/", 1)[1].rsplit(":", 1)[0] for arn in listed}
    for family in ECS_FAMILIES:
        if family in existing:
            continue
        container: dict[str, Any] = {
            "name": "app",
            "image": f"{account}.dkr.ecr.{region}.amazonaws.com/orders-service:1",
            "memory": 256,
            "essential": True,
            "user": "1000:1000",
            "readonlyRootFilesystem": True,
            "environment": [{"name": "LOG_LEVEL", "value": "info"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    # A name only: a log group here would be one more for the CloudWatch checks.
                    "awslogs-group": f"/ecs/{family}",
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "app",
                },
            },
            "secrets": [
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": f"arn:aws:secretsmanager:{region}:{account}:secret:orders-db",
                }
            ],
        }
        network_mode = "awsvpc"
        if family == "privileged-agent":
            container["privileged"] = True
        elif family == "leaky-env":
            container["environment"].append({"name": "DB_PASSWORD", "value": "correct-horse-battery"})
        elif family == "host-root":
            network_mode = "host"
            del container["user"]
        elif family == "writable-root":
            container["readonlyRootFilesystem"] = False
        elif family == "unlogged-batch":
            del container["logConfiguration"]
        ecs.register_task_definition(
            family=family,
            networkMode=network_mode,
            containerDefinitions=[container],
            tags=[{"key": SEED_TAG, "value": "true"}],
        )
    clusters = ["orders-cluster", "plain-cluster"]
    have = {arn.rsplit("/", 1)[1] for arn in ecs.list_clusters()["clusterArns"]}
    for name in clusters:
        if name in have:
            continue
        ecs.create_cluster(
            clusterName=name,
            settings=[
                {
                    "name": "containerInsights",
                    "value": "enabled" if name == "orders-cluster" else "disabled",
                }
            ],
            tags=[{"key": SEED_TAG, "value": "true"}],
        )
    return ECS_FAMILIES + clusters


def seed_cloudfront(session: boto3.Session, endpoint: str, account: str) -> dict[str, str]:
    """Two distributions (CloudFront is global): `vigil-site` redirects viewers to HTTPS,
    requires TLS 1.2 on its certificate, logs, reads its S3 origin (the account's
    public-assets bucket) through an origin access identity, has a WAF web ACL and a default
    root object; `legacy-site` allows plain HTTP (to the viewer and so to its S3 origin),
    accepts TLSv1, reads a bucket that does not exist (`legacy-site-assets`), and has none of
    the rest, so it fails every CloudFront check. Returns
    each one's ID (the findings' resource) by its comment. moto drops an S3 origin's
    `S3OriginConfig` from its answers: the emulator serves it back
    (`cloudfront_origins.py`)."""
    cf = session.client("cloudfront", region_name="us-east-1", endpoint_url=endpoint)
    have = {
        d["Comment"]: d["Id"]
        for d in (cf.list_distributions()["DistributionList"].get("Items") or [])
    }
    ids = {}
    for name, good in (("vigil-site", True), ("legacy-site", False)):
        if name in have:  # seeded by an earlier run
            ids[name] = have[name]
            continue
        # vigil-site's bucket is seed.py's public-assets one; legacy-site's was never made.
        assets = f"vigil-{account}-public-assets" if good else f"{name}-assets"
        bucket = f"{assets}.s3.us-east-1.amazonaws.com"
        identity = "origin-access-identity/cloudfront/E2VIGILSEED" if good else ""
        config: dict[str, Any] = {
            "CallerReference": f"vigil-seed-{name}",
            "Comment": name,
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "assets",
                        "DomainName": bucket,
                        "S3OriginConfig": {"OriginAccessIdentity": identity},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "assets",
                "ViewerProtocolPolicy": "redirect-to-https" if good else "allow-all",
                # AWS's managed CachingOptimized policy.
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "ViewerCertificate": {
                "CloudFrontDefaultCertificate": False,
                "ACMCertificateArn": f"arn:aws:acm:us-east-1:{account}:certificate/vigil-seed",
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021" if good else "TLSv1",
            },
        }
        if good:
            config["Logging"] = {
                "Enabled": True,
                "IncludeCookies": False,
                "Bucket": "vigil-seed-cf-logs.s3.amazonaws.com",
                "Prefix": "vigil-site/",
            }
            config["DefaultRootObject"] = "index.html"
            config["WebACLId"] = f"arn:aws:wafv2:us-east-1:{account}:global/webacl/vigil-seed/1"
        ids[name] = cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    return ids


def seed_apigateway(session: boto3.Session, endpoint: str, region: str, account: str) -> dict[str, str]:
    """Two REST APIs, each deployed to a `prod` stage that caches every method: `orders-api`
    signs its `GET /orders` with IAM (its CORS `OPTIONS` has none, as pre-flights must),
    logs executions at INFO, writes access logs, traces with X-Ray, encrypts its cache,
    has a WAF web ACL and presents a client certificate to its backend; `legacy-api` serves
    `GET /items` with no authorisation, logs nothing, does not trace, keeps its cache in
    clear, has no web ACL and no client certificate, so it fails every API Gateway check.
    Returns each one's ID (the findings' resource; a stage's is `<id>/prod`) by name. moto
    has no client certificates: the emulator keeps a stage's certificate ID
    (`apigateway_client_certificates.py`), so the ID set here is not a generated one."""
    apigw = session.client("apigateway", region_name=region, endpoint_url=endpoint)
    have = {a["name"]: a["id"] for a in apigw.get_rest_apis(limit=500).get("items", [])}
    ids = {}
    for name, good in (("orders-api", True), ("legacy-api", False)):
        if name in have:  # seeded by an earlier run
            ids[name] = have[name]
            continue
        api = apigw.create_rest_api(
            name=name,
            endpointConfiguration={"types": ["REGIONAL"]},
            tags={SEED_TAG: "true"},
        )["id"]
        root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
        resource = apigw.create_resource(
            restApiId=api, parentId=root, pathPart="orders" if good else "items"
        )["id"]
        verbs = [("GET", "AWS_IAM" if good else "NONE")] + ([("OPTIONS", "NONE")] if good else [])
        for verb, auth in verbs:
            apigw.put_method(
                restApiId=api, resourceId=resource, httpMethod=verb, authorizationType=auth
            )
            apigw.put_integration(
                restApiId=api, resourceId=resource, httpMethod=verb, type="MOCK"
            )
        apigw.create_deployment(restApiId=api, stageName="prod")
        patch = [
            {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": str(good).lower()},
        ]
        if good:
            # An ARN only: a log group here would be one more for the CloudWatch checks.
            logs = f"arn:aws:logs:{region}:{account}:log-group:/vigil-seed/{name}-access"
            patch += [
                {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
                {"op": "replace", "path": "/tracingEnabled", "value": "true"},
                {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": logs},
                {"op": "replace", "path": "/clientCertificateId", "value": "vigilseed01"},
            ]
        apigw.update_stage(restApiId=api, stageName="prod", patchOperations=patch)
        if good:
            waf = session.client("wafv2", region_name=region, endpoint_url=endpoint)
            acl = waf.create_web_acl(
                Name=f"vigil-seed-{name}",
                Scope="REGIONAL",
                DefaultAction={"Allow": {}},
                VisibilityConfig={
                    "SampledRequestsEnabled": False,
                    "CloudWatchMetricsEnabled": False,
                    "MetricName": f"vigil-seed-{name}",
                },
            )["Summary"]["ARN"]
            waf.associate_web_acl(
                WebACLArn=acl,
                ResourceArn=f"arn:aws:apigateway:{region}::/restapis/{api}/stages/prod",
            )
        ids[name] = api
    return ids


#: The EKS clusters: `orders-eks` (private endpoint, every log type, secrets encrypted with
#: a KMS key, a version in standard support) and `legacy-eks` (moto's defaults where AWS's
#: are the bad ones: public endpoint open to 0.0.0.0/0, logging off, no encryption, 1.29).
EKS_CLUSTERS = ["orders-eks", "legacy-eks"]


def seed_eks(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """The clusters of `EKS_CLUSTERS`. EKS's version check judges against the scan's day:
    `1.35`'s standard support runs to 2027-03-27, `1.29`'s ended on 2025-03-23."""
    eks = session.client("eks", region_name=region, endpoint_url=endpoint)
    existing = set(eks.list_clusters()["clusters"])
    role = f"arn:aws:iam::{account}:role/vigil-seed-eks"
    for name in EKS_CLUSTERS:
        if name in existing:
            continue
        good = name == "orders-eks"
        kwargs: dict[str, Any] = {}
        if good:
            # moto's EKS does not look the key up; a real key here would be one more KMS key
            # for the KMS checks (and the other tests' exact KMS findings) to see.
            key = f"arn:aws:kms:{region}:{account}:key/00000000-0000-4000-8000-00000000e4c5"
            kwargs["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": key}}]
        eks.create_cluster(
            name=name,
            version="1.35" if good else "1.29",
            roleArn=role,
            resourcesVpcConfig={
                "subnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
                "endpointPublicAccess": not good,
                "endpointPrivateAccess": good,
                "publicAccessCidrs": ["0.0.0.0/0"],
            },
            logging={
                "clusterLogging": [
                    {
                        "types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                        "enabled": good,
                    }
                ]
            },
            tags={SEED_TAG: "true"},
            **kwargs,
        )
    return EKS_CLUSTERS


#: The registered domains: `vigil-seed-shop.com` (auto-renew, transfer lock, private WHOIS
#: contacts; its zone logs queries) and `vigil-seed-legacy.com` (none of it).
ROUTE53_DOMAINS = {"vigil-seed-shop.com": True, "vigil-seed-legacy.com": False}


def _contact(first: str) -> dict[str, str]:
    return {
        "FirstName": first,
        "LastName": "Operator",
        "ContactType": "COMPANY",
        "OrganizationName": "Vigil Seed Ltd",
        "AddressLine1": "1 Example Street",
        "City": "Dublin",
        "CountryCode": "IE",
        "ZipCode": "D02",
        "PhoneNumber": "+353.15550100",
        "Email": "dns@vigil-seed.example",
    }


def seed_route53(session: boto3.Session, endpoint: str, account: str) -> dict[str, Any]:
    """The domains of `ROUTE53_DOMAINS`, registered with Route 53 Domains (global, in
    us-east-1), each with the public hosted zone registration creates; the good domain's
    zone logs its queries to a CloudWatch Logs group (kept a year), the legacy domain has
    auto-renew off, public contacts and its transfer lock off (moto has no transfer lock:
    the emulator serves one, `route53domains_lock.py`). Returns the domain names and each
    zone's ID (the findings' resource) by domain."""
    domains = session.client("route53domains", region_name="us-east-1", endpoint_url=endpoint)
    route53 = session.client("route53", region_name="us-east-1", endpoint_url=endpoint)
    have = {d["DomainName"] for d in domains.list_domains().get("Domains", [])}
    for name, good in ROUTE53_DOMAINS.items():
        if name in have:  # seeded by an earlier run
            continue
        domains.register_domain(
            DomainName=name,
            DurationInYears=2,
            AutoRenew=good,
            AdminContact=_contact("Admin"),
            RegistrantContact=_contact("Registrant"),
            TechContact=_contact("Tech"),
            PrivacyProtectAdminContact=good,
            PrivacyProtectRegistrantContact=good,
            PrivacyProtectTechContact=good,
        )
        if not good:
            domains.disable_domain_transfer_lock(DomainName=name)
    zones = {
        z["Name"].rstrip("."): z["Id"].removeprefix("/hostedzone/")
        for z in route53.list_hosted_zones()["HostedZones"]
        if z["Name"].rstrip(".") in ROUTE53_DOMAINS
    }
    logged = {c["HostedZoneId"] for c in route53.list_query_logging_configs()["QueryLoggingConfigs"]}
    for name, good in ROUTE53_DOMAINS.items():
        if good and zones[name] not in logged:
            logs = session.client("logs", region_name="us-east-1", endpoint_url=endpoint)
            group = f"/aws/route53/{name}"
            logs.create_log_group(logGroupName=group)
            logs.put_retention_policy(logGroupName=group, retentionInDays=365)
            route53.create_query_logging_config(
                HostedZoneId=zones[name],
                CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{account}:log-group:{group}:*",
            )
    return {"domains": list(ROUTE53_DOMAINS), "zones": zones}


def seed_services(session: boto3.Session, endpoint: str, region: str, account: str) -> dict[str, Any]:
    """Every service of this module in `region`; returns the resources' names (their IDs
    in Vigil's findings) by service."""
    return {
        "lambda": seed_lambda(session, endpoint, region, account),
        "sns": seed_sns(session, endpoint, region),
        "sqs": seed_sqs(session, endpoint, region, account),
        "secretsmanager": seed_secrets(session, endpoint, region),
        "ecr": seed_ecr(session, endpoint, region),
        "dynamodb": seed_dynamodb(session, endpoint, region),
        "efs": seed_efs(session, endpoint, region),
        # Last: its ARNs draw on moto's random generator too.
        "elbv2": seed_elbv2(session, endpoint, region, account),
        # After everything else: ECS draws no random IDs, but keeps to the rule.
        "ecs": seed_ecs(session, endpoint, region, account),
        "eks": seed_eks(session, endpoint, region, account),
        # After everything else: distribution IDs draw on moto's random generator.
        "cloudfront": seed_cloudfront(session, endpoint, account),
        # After everything else: API IDs and the web ACL draw on moto's random generator.
        "apigateway": seed_apigateway(session, endpoint, region, account),
        # After everything else: zone IDs draw on moto's random generator.
        "route53": seed_route53(session, endpoint, account),
    }


#: The ElastiCache resources, each well configured or failing its checks: replication
#: groups `orders-cache` (none) and `legacy-cache` (Redis 5.0.6: every replication-group
#: check), standalone clusters `sessions-cache` (none) and `scratch-cache` (backups off,
#: minor upgrades off, default subnet group). `legacy-cache-001`, the legacy group's member,
#: sits in the default subnet group too.
ELASTICACHE_GROUPS = ["orders-cache", "legacy-cache"]
ELASTICACHE_CLUSTERS = [
    "orders-cache-001",
    "orders-cache-002",
    "legacy-cache-001",
    "sessions-cache",
    "scratch-cache",
]


def seed_elasticache(session: boto3.Session, endpoint: str, region: str) -> dict[str, list[str]]:
    """The resources of `ELASTICACHE_GROUPS` and `ELASTICACHE_CLUSTERS`. moto lists a
    replication group's members in neither `DescribeCacheClusters` nor anywhere with their
    engine version, which AWS does: the members are created as clusters of their group, as
    AWS would list them."""
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    ec = session.client("elasticache", region_name=region, endpoint_url=endpoint)
    groups = {g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]}
    if "orders-cache" not in groups:
        subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        ec.create_cache_subnet_group(
            CacheSubnetGroupName="vigil-cache-private",
            CacheSubnetGroupDescription="Vigil seed: the cache's own subnets",
            SubnetIds=[s["SubnetId"] for s in subnets["Subnets"]][:2],
        )
        common = {"Engine": "redis", "CacheNodeType": "cache.t4g.micro"}
        ec.create_replication_group(
            ReplicationGroupId="orders-cache",
            ReplicationGroupDescription="orders cache",
            EngineVersion="7.1",
            NumCacheClusters=2,
            AutomaticFailoverEnabled=True,
            MultiAZEnabled=True,
            AtRestEncryptionEnabled=True,
            TransitEncryptionEnabled=True,
            AuthToken="vigil-seed-auth-token-0123456789",
            AutoMinorVersionUpgrade=True,
            SnapshotRetentionLimit=7,
            CacheSubnetGroupName="vigil-cache-private",
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
            **common,
        )
        ec.create_replication_group(
            ReplicationGroupId="legacy-cache",
            ReplicationGroupDescription="legacy cache",
            EngineVersion="5.0.6",
            AutoMinorVersionUpgrade=False,
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
            **common,
        )
        for cluster, group, version, subnet_group, good in (
            ("orders-cache-001", "orders-cache", "7.1", "vigil-cache-private", True),
            ("orders-cache-002", "orders-cache", "7.1", "vigil-cache-private", True),
            ("legacy-cache-001", "legacy-cache", "5.0.6", "default", False),
            ("sessions-cache", None, "7.1", "vigil-cache-private", True),
            ("scratch-cache", None, "7.1", "default", False),
        ):
            args: dict[str, Any] = {"ReplicationGroupId": group} if group else {}
            ec.create_cache_cluster(
                CacheClusterId=cluster,
                EngineVersion=version,
                NumCacheNodes=1,
                CacheSubnetGroupName=subnet_group,
                AutoMinorVersionUpgrade=good,
                SnapshotRetentionLimit=7 if good else 0,
                **common,
                **args,
            )
    return {"replicationGroups": ELASTICACHE_GROUPS, "cacheClusters": ELASTICACHE_CLUSTERS}


#: The Redshift clusters: `analytics-warehouse` (private, encrypted, SSL required, audit
#: logging, snapshots kept 7 days, version upgrades, enhanced VPC routing, its own admin
#: and database names, Multi-AZ: kept by the harness, `redshift_multi_az.py`) and
#: `legacy-warehouse`, which fails every Redshift check (moto keeps a retention of 0 as 1
#: day, under the 7 the check asks for).
REDSHIFT_CLUSTERS = ["analytics-warehouse", "legacy-warehouse"]


def seed_redshift(session: boto3.Session, endpoint: str, region: str) -> list[str]:
    """The clusters of `REDSHIFT_CLUSTERS`. The parameter group's `require_ssl` is kept by
    the harness (`redshift_parameters.py`; moto has no `ModifyClusterParameterGroup`)."""
    rs = session.client("redshift", region_name=region, endpoint_url=endpoint)
    existing = {c["ClusterIdentifier"] for c in rs.describe_clusters()["Clusters"]}
    if "analytics-warehouse" in existing:
        return REDSHIFT_CLUSTERS
    rs.create_cluster_parameter_group(
        ParameterGroupName="vigil-require-ssl",
        ParameterGroupFamily="redshift-1.0",
        Description="Vigil seed: SSL required",
    )
    rs.modify_cluster_parameter_group(
        ParameterGroupName="vigil-require-ssl",
        Parameters=[{"ParameterName": "require_ssl", "ParameterValue": "true"}],
    )
    common = {
        "NodeType": "ra3.xlplus",
        "MasterUserPassword": "Vigil-seed-0nly",
        "Tags": [{"Key": SEED_TAG, "Value": "true"}],
    }
    rs.create_cluster(
        ClusterIdentifier="analytics-warehouse",
        MasterUsername="warehouse_admin",
        DBName="analytics",
        PubliclyAccessible=False,
        Encrypted=True,
        AutomatedSnapshotRetentionPeriod=7,
        AllowVersionUpgrade=True,
        EnhancedVpcRouting=True,
        MultiAZ=True,
        ClusterParameterGroupName="vigil-require-ssl",
        **common,
    )
    rs.enable_logging(
        ClusterIdentifier="analytics-warehouse",
        LogDestinationType="cloudwatch",
        LogExports=["connectionlog", "userlog", "useractivitylog"],
    )
    rs.create_cluster(
        ClusterIdentifier="legacy-warehouse",
        MasterUsername="awsuser",
        PubliclyAccessible=True,
        Encrypted=False,
        AutomatedSnapshotRetentionPeriod=0,
        AllowVersionUpgrade=False,
        EnhancedVpcRouting=False,
        **common,
    )
    return REDSHIFT_CLUSTERS


#: The OpenSearch domains: `orders-search` is well configured, `legacy-search` fails every
#: OpenSearch check.
OPENSEARCH_DOMAINS = ["orders-search", "legacy-search"]


def seed_opensearch(session: boto3.Session, endpoint: str, region: str, account: str) -> list[str]:
    """The domains of `OPENSEARCH_DOMAINS`. `orders-search` sits in a VPC with a policy
    naming one role, encrypts at rest and between nodes, requires HTTPS with the TLS 1.2
    PFS policy, publishes error, audit and slow logs, has fine-grained access control,
    three data nodes over three zones and three dedicated master nodes. `legacy-search` has
    moto's defaults (no VPC, no encryption, HTTP allowed with the TLS 1.0 policy, no logs,
    one node, no dedicated master) and a policy allowing `*` without a condition."""
    search = session.client("opensearch", region_name=region, endpoint_url=endpoint)
    existing = {d["DomainName"] for d in search.list_domain_names()["DomainNames"]}
    for name in OPENSEARCH_DOMAINS:
        if name in existing:
            continue
        good = name == "orders-search"
        resource = f"arn:aws:es:{region}:{account}:domain/{name}/*"
        principal = {"AWS": f"arn:aws:iam::{account}:role/vigil-seed-search"} if good else "*"
        kwargs: dict[str, Any] = {}
        if good:
            # ARNs only: log groups here would be more for the CloudWatch checks to see.
            logs = {
                kind: {
                    "CloudWatchLogsLogGroupArn": (
                        f"arn:aws:logs:{region}:{account}:log-group:/aws/opensearch/{name}/{kind}"
                    ),
                    "Enabled": True,
                }
                for kind in (
                    "ES_APPLICATION_LOGS",
                    "AUDIT_LOGS",
                    "SEARCH_SLOW_LOGS",
                    "INDEX_SLOW_LOGS",
                )
            }
            kwargs = {
                "VPCOptions": {
                    "SubnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
                    "SecurityGroupIds": ["sg-00000000000000001"],
                },
                "EncryptionAtRestOptions": {"Enabled": True},
                "NodeToNodeEncryptionOptions": {"Enabled": True},
                "DomainEndpointOptions": {
                    "EnforceHTTPS": True,
                    "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
                },
                "LogPublishingOptions": logs,
                "AdvancedSecurityOptions": {
                    "Enabled": True,
                    "InternalUserDatabaseEnabled": False,
                    "MasterUserOptions": {
                        "MasterUserARN": f"arn:aws:iam::{account}:role/vigil-seed-search"
                    },
                },
                "ClusterConfig": {
                    "InstanceType": "r6g.large.search",
                    "InstanceCount": 3,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterType": "r6g.large.search",
                    "DedicatedMasterCount": 3,
                },
            }
        search.create_domain(
            DomainName=name,
            EngineVersion="OpenSearch_2.13",
            AccessPolicies=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": principal, "Action": "es:*", "Resource": resource}
                    ],
                }
            ),
            TagList=[{"Key": SEED_TAG, "Value": "true"}],
            **kwargs,
        )
    return OPENSEARCH_DOMAINS


#: The ACM certificates by the domain name each is for: `orders.vigil-seed.example`
#: (Amazon-issued, RSA 2048, transparency-logged, a year left) passes every ACM check; each
#: other fails exactly one.
ACM_CERTIFICATES = {
    "orders.vigil-seed.example": "good",
    "renew-me.vigil-seed.example": "acm-certificate-expiring",
    "weak-key.vigil-seed.example": "acm-certificate-rsa-key-weak",
}


def _self_signed(domain: str, key_bits: int, days: int) -> tuple[bytes, bytes]:
    """A self-signed certificate and its key (PEM) for import; the key goes to moto only."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def seed_acm(session: boto3.Session, endpoint: str, region: str) -> dict[str, str]:
    """The certificates of `ACM_CERTIFICATES`: the good one requested from ACM (moto
    issues it with an RSA 2048 key for a year), the expiring one imported with 10 days left
    (judged against the scan's time), the weak one imported on a 1024-bit RSA key.

    Two checks have no failing certificate here, and are tested on the rule
    (`checks/src/services/acm`), their passing case on these: `acm-certificate-expired-in-use`
    (ACM and moto refuse to import an expired certificate, moto cannot age one and marks
    only classic load balancers as users) and `acm-certificate-transparency-logging-disabled`
    (only a certificate issued before ACM ended the opt-out on 12 June 2026 can be unlogged;
    moto issues every certificate now). Returns each certificate's ID (the findings'
    resource) by domain name."""
    acm = session.client("acm", region_name=region, endpoint_url=endpoint)
    every_key = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096"]
    every_key += ["EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
    listed = acm.list_certificates(Includes={"keyTypes": every_key})["CertificateSummaryList"]
    ids = {c["DomainName"]: c["CertificateArn"].rsplit("/", 1)[1] for c in listed}
    for domain, case in ACM_CERTIFICATES.items():
        if domain in ids:
            continue
        tags = [{"Key": SEED_TAG, "Value": "true"}]
        if case == "good":
            arn = acm.request_certificate(
                DomainName=domain, ValidationMethod="DNS", Tags=tags
            )["CertificateArn"]
        else:
            bits, days = (2048, 10) if case == "acm-certificate-expiring" else (1024, 365)
            body, key = _self_signed(domain, bits, days)
            imported = acm.import_certificate(Certificate=body, PrivateKey=key, Tags=tags)
            arn = imported["CertificateArn"]
        ids[domain] = arn.rsplit("/", 1)[1]
    return {domain: ids[domain] for domain in ACM_CERTIFICATES}


def turn_on_protections(endpoint: str, account: str, region: str) -> None:
    """How the e2e test fixes what the seeded account leaves off in `region`: every
    protection plan of the GuardDuty detector (as features, and as the older data sources,
    which moto answers apart: seeded with neither, the detector has every plan off), and
    enhanced continuous scanning of every ECR repository (seeded with the registry's
    default, basic scanning without a rule)."""
    from .sessions import account_session

    session = account_session(endpoint, account)
    guardduty = session.client("guardduty", region_name=region, endpoint_url=endpoint)
    plans = [
        "S3_DATA_EVENTS",
        "EKS_AUDIT_LOGS",
        "EBS_MALWARE_PROTECTION",
        "RDS_LOGIN_EVENTS",
        "LAMBDA_NETWORK_LOGS",
        "RUNTIME_MONITORING",
    ]
    for detector in guardduty.list_detectors()["DetectorIds"]:
        guardduty.update_detector(
            DetectorId=detector,
            DataSources={"S3Logs": {"Enable": True}, "Kubernetes": {"AuditLogs": {"Enable": True}}},
            Features=[{"Name": plan, "Status": "ENABLED"} for plan in plans],
        )
    ecr = session.client("ecr", region_name=region, endpoint_url=endpoint)
    ecr.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[
            {
                "scanFrequency": "CONTINUOUS_SCAN",
                "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}],
            }
        ],
    )
