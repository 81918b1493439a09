"""The seeded account's good and bad resources for the checks added on existing services.

Run last in `seed._build`: everything here may draw on moto's seeded ID generator
(associations, addresses, interfaces, roles, groups, certificates), and drawing after every
earlier seed keeps the IDs those seeds print as they were. Every step finds what it made
before, so seeding again changes nothing and reports the same IDs.

What moto cannot show (said again in the e2e test that reads these):
- every IAM server certificate is listed with moto's fixed `Expiration` of 2012-05-08, so
  an uploaded certificate is always expired: only the bad case is seeded;
- roles are created "now" and moto never reports `RoleLastUsed`: no role can be unused
  for 90 days, so only good roles exist here;
- the root user's MFA cannot be set up: the virtual/hardware root MFA rule is unit-tested.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .seed_ec2 import SEED_TAG, _by_name, _tag_spec

#: The instance profile the well-configured instances run with.
APP_PROFILE = "vigil-app"
#: A wildcard inline policy (the bad one) and a scoped one (the good one).
ADMIN_INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
LOGS_INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}


def seed_iam_checks(session: boto3.Session, endpoint: str) -> dict[str, Any]:
    """The app role and its instance profile (scoped inline policy), an inline `*:*` policy
    on bob-dev, carol-auditor's permissions through a group, an expired certificate."""
    iam = session.client("iam", endpoint_url=endpoint)
    role = f"{APP_PROFILE}-role"
    try:
        iam.get_role(RoleName=role)
    except ClientError:
        iam.create_role(
            RoleName=role,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            Tags=[{"Key": SEED_TAG, "Value": "true"}],
        )
        iam.put_role_policy(
            RoleName=role, PolicyName="write-logs", PolicyDocument=json.dumps(LOGS_INLINE)
        )
    try:
        profile = iam.get_instance_profile(InstanceProfileName=APP_PROFILE)["InstanceProfile"]
    except ClientError:
        profile = iam.create_instance_profile(InstanceProfileName=APP_PROFILE)["InstanceProfile"]
        iam.add_role_to_instance_profile(InstanceProfileName=APP_PROFILE, RoleName=role)
    iam.put_user_policy(
        UserName="bob-dev", PolicyName="everything", PolicyDocument=json.dumps(ADMIN_INLINE)
    )
    try:
        iam.get_group(GroupName="auditors")
    except ClientError:
        iam.create_group(GroupName="auditors")
        iam.attach_group_policy(
            GroupName="auditors", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit"
        )
        iam.add_user_to_group(GroupName="auditors", UserName="carol-auditor")
    listed = iam.list_server_certificates()["ServerCertificateMetadataList"]
    certificates = {c["ServerCertificateName"] for c in listed}
    if "legacy-www" not in certificates:
        iam.upload_server_certificate(
            ServerCertificateName="legacy-www",
            CertificateBody="-----BEGIN CERTIFICATE-----\nMIIBlegacy\n-----END CERTIFICATE-----",
            PrivateKey="-----BEGIN PRIVATE KEY-----\nMIIBlegacy\n-----END PRIVATE KEY-----",
        )
    return {
        "appRole": role,
        "instanceProfile": profile["Arn"],
        "inlineAdmin": "user/bob-dev/everything",
        "inlineScoped": f"role/{role}/write-logs",
        "serverCertificates": {"expired": "legacy-www"},
    }


def seed_region_checks(
    session: boto3.Session, endpoint: str, region: str, ec2_ids: dict[str, Any], profile_arn: str
) -> dict[str, Any]:
    """The app profile on api-imdsv2, worker-private and app-public-role (web-imdsv1 runs
    without one); an Elastic IP held by a network interface and one held by nothing."""
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    associated = {
        a["InstanceId"]
        for a in ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"]
    }
    for name in ("api-imdsv2", "worker-private", "app-public-role"):
        instance = ec2_ids["instances"][name]
        if instance not in associated:
            ec2.associate_iam_instance_profile(
                InstanceId=instance, IamInstanceProfile={"Arn": profile_arn}
            )
    interfaces = ec2.describe_network_interfaces(
        Filters=[{"Name": f"tag:{SEED_TAG}", "Values": ["true"]}]
    )["NetworkInterfaces"]
    holder = _by_name(interfaces, "eip-holder")
    if holder is None:
        holder = ec2.create_network_interface(
            SubnetId=ec2_ids["subnets"]["vigil-prod-private"],
            Description="holds the NAT's Elastic IP",
            TagSpecifications=_tag_spec("network-interface", "eip-holder"),
        )["NetworkInterface"]
    addresses = ec2.describe_addresses()["Addresses"]
    out = {}
    for name, interface in (("eip-used", holder["NetworkInterfaceId"]), ("eip-idle", None)):
        found = _by_name(addresses, name)
        if found is None:
            found = ec2.allocate_address(
                Domain="vpc", TagSpecifications=_tag_spec("elastic-ip", name)
            )
            if interface:
                ec2.associate_address(
                    AllocationId=found["AllocationId"], NetworkInterfaceId=interface
                )
        out[name] = found["AllocationId"]
    return {"addresses": out}


def seed_rds_checks(session: boto3.Session, endpoint: str, region: str) -> None:
    """billing-db-private gets backups, deletion protection, IAM authentication and a
    standby; orders-db-public loses its backups and minor-version upgrades."""
    rds = session.client("rds", region_name=region, endpoint_url=endpoint)
    rds.modify_db_instance(
        DBInstanceIdentifier="billing-db-private",
        BackupRetentionPeriod=7,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        MultiAZ=True,
        AutoMinorVersionUpgrade=True,
        ApplyImmediately=True,
    )
    rds.modify_db_instance(
        DBInstanceIdentifier="orders-db-public",
        BackupRetentionPeriod=0,
        AutoMinorVersionUpgrade=False,
        ApplyImmediately=True,
    )


def seed_s3_checks(session: boto3.Session, endpoint: str, buckets: dict[str, str]) -> None:
    """The private bucket keeps versions, logs its requests to the logs bucket (whose policy
    admits S3 logging) and has ACLs disabled; the public bucket does none of it. moto does
    not keep `MFADelete`, so no bucket here has MFA delete on."""
    s3 = session.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    private = buckets["private"]
    s3.put_bucket_versioning(Bucket=private, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(
        Bucket=private,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    s3.put_bucket_logging(
        Bucket=private,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": buckets["logs"], "TargetPrefix": "s3/private/"}
        },
    )


def seed_access_analyzer(session: boto3.Session, endpoint: str, region: str) -> str:
    """An active account analyzer in `region` only (the harness's stub: moto has none)."""
    analyzer = session.client("accessanalyzer", region_name=region, endpoint_url=endpoint)
    for existing in analyzer.list_analyzers()["analyzers"]:
        if existing["name"] == "external-access":
            return existing["arn"]
    return analyzer.create_analyzer(analyzerName="external-access", type="ACCOUNT")["arn"]


def seed_security_hub(session: boto3.Session, endpoint: str, region: str) -> str:
    """Security Hub subscribed in `region` only."""
    hub = session.client("securityhub", region_name=region, endpoint_url=endpoint)
    try:
        return hub.describe_hub()["HubArn"]
    except ClientError:
        hub.enable_security_hub(EnableDefaultStandards=False)
        return hub.describe_hub()["HubArn"]


def seed_transit_gateways(session: boto3.Session, endpoint: str, region: str) -> dict[str, str]:
    """A transit gateway that reviews attachment requests (`tgw-reviewed`) and one that
    accepts them automatically (`tgw-auto-accept`), by their Name tags."""
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    existing = {
        tag["Value"]: g["TransitGatewayId"]
        for g in ec2.describe_transit_gateways()["TransitGateways"]
        if g.get("State") != "deleted"
        for tag in g.get("Tags", [])
        if tag["Key"] == "Name"
    }
    out = {}
    for name, auto_accept in (("tgw-reviewed", "disable"), ("tgw-auto-accept", "enable")):
        if name not in existing:
            existing[name] = ec2.create_transit_gateway(
                Description=name,
                Options={"AutoAcceptSharedAttachments": auto_accept},
                TagSpecifications=[
                    {
                        "ResourceType": "transit-gateway",
                        "Tags": [{"Key": "Name", "Value": name}, {"Key": SEED_TAG, "Value": "true"}],
                    }
                ],
            )["TransitGateway"]["TransitGatewayId"]
        out[name] = existing[name]
    return out


def seed_serial_console(session: boto3.Session, endpoint: str, region: str) -> bool:
    """EC2 serial console access enabled in `region` (the harness's stub: moto has none);
    it stays off, as with AWS, everywhere else."""
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
    return ec2.enable_serial_console_access()["SerialConsoleAccessEnabled"]
