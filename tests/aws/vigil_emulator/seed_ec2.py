"""The EC2 part of a seeded account, one region at a time.

Every resource is found by its Name tag (or name) before it is created, so seeding an
account again changes nothing and reports the same IDs.
"""

from __future__ import annotations

from typing import Any

import boto3

SEED_TAG = "vigil:seed"
BASE_IMAGE = "ami-04681a1dbd79675a5"  # amzn2-ami-hvm, in moto's images of every region

WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
#: Security groups open to the internet, by name: (protocol, from port, to port).
OPEN_GROUPS = {
    "open-ssh": ("tcp", 22, 22),
    "open-rdp": ("tcp", 3389, 3389),
    "open-mysql": ("tcp", 3306, 3306),
    "open-postgres": ("tcp", 5432, 5432),
    "open-redis": ("tcp", 6379, 6379),
    "open-elasticsearch": ("tcp", 9200, 9200),
    "open-all-traffic": ("-1", None, None),
}


def _tags(name: str) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": name}, {"Key": SEED_TAG, "Value": "true"}]


def _tag_spec(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": _tags(name)}]


def _by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for item in items:
        if any(t["Key"] == "Name" and t["Value"] == name for t in item.get("Tags") or []):
            return item
    return None


class RegionSeeder:
    """The EC2 estate of one region: VPCs, groups, NACL, instances, EBS, AMIs, flow logs."""

    def __init__(self, session: boto3.Session, endpoint: str, region: str, flow_log_bucket: str):
        self.ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint)
        self.region = region
        self.flow_log_bucket = flow_log_bucket
        self.out: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        prod = self._vpc("vigil-prod", "10.10.0.0/16")
        legacy = self._vpc("vigil-legacy", "10.20.0.0/16")
        self.out["vpcs"] = {"vigil-prod": prod, "vigil-legacy": legacy}
        public_subnet = self._subnet(prod, "vigil-prod-public", "10.10.1.0/24", public=True)
        private_subnet = self._subnet(prod, "vigil-prod-private", "10.10.2.0/24", public=False)
        # vigil-prod spans two zones; vigil-legacy has a single, public subnet.
        private_b = self._subnet(
            prod, "vigil-prod-private-b", "10.10.3.0/24", public=False, zone="b"
        )
        legacy_subnet = self._subnet(legacy, "vigil-legacy-public", "10.20.1.0/24", public=True)
        self.out["subnets"] = {
            "vigil-prod-public": public_subnet,
            "vigil-prod-private": private_subnet,
            "vigil-prod-private-b": private_b,
            "vigil-legacy-public": legacy_subnet,
        }
        # The public subnets route to their VPC's internet gateway; the private ones keep
        # the main route table (local routes only).
        self.out["routeTables"] = {
            "vigil-prod-public": self._internet_route_table(
                prod, public_subnet, "vigil-prod-public"
            ),
            "vigil-legacy-public": self._internet_route_table(
                legacy, legacy_subnet, "vigil-legacy-public"
            ),
        }
        self.out["vpcEndpoints"] = {"vigil-prod-ec2": self._ec2_endpoint(prod, private_subnet)}
        self.out["networkInterfaces"] = {
            "legacy-appliance": self._interface(legacy_subnet, "legacy-appliance")
        }
        self._restrict_default_group(prod)
        self._permissive_default_group(legacy)
        self.out["securityGroups"] = self._groups(prod)
        self.out["networkAcls"] = {"legacy-open-ssh": self._open_ssh_nacl(legacy, legacy_subnet)}
        self.out["flowLogs"] = {"vigil-prod": self._flow_logs(prod)}
        self.out["instances"] = self._instances(public_subnet, private_subnet)
        self.out["volumes"], self.out["snapshots"] = self._ebs()
        self.out["images"] = self._images()
        return self.out

    def _vpc(self, name: str, cidr: str) -> str:
        found = self.ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
        if found:
            return found[0]["VpcId"]
        vpc = self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_tag_spec("vpc", name))["Vpc"]
        igw = self.ec2.create_internet_gateway(
            TagSpecifications=_tag_spec("internet-gateway", f"{name}-igw")
        )["InternetGateway"]
        self.ec2.attach_internet_gateway(
            InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc["VpcId"]
        )
        return vpc["VpcId"]

    def _subnet(self, vpc_id: str, name: str, cidr: str, public: bool, zone: str = "a") -> str:
        found = self.ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [name]}])[
            "Subnets"
        ]
        if found:
            return found[0]["SubnetId"]
        subnet = self.ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock=cidr,
            AvailabilityZone=f"{self.region}{zone}",
            TagSpecifications=_tag_spec("subnet", name),
        )["Subnet"]
        if public:
            self.ec2.modify_subnet_attribute(
                SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True}
            )
        return subnet["SubnetId"]

    def _internet_route_table(self, vpc_id: str, subnet_id: str, name: str) -> str:
        """A route table sending 0.0.0.0/0 to the VPC's internet gateway, for the subnet."""
        found = self.ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": [name]}])[
            "RouteTables"
        ]
        if found:
            return found[0]["RouteTableId"]
        igw = self.ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
        )["InternetGateways"][0]["InternetGatewayId"]
        table = self.ec2.create_route_table(
            VpcId=vpc_id, TagSpecifications=_tag_spec("route-table", name)
        )["RouteTable"]["RouteTableId"]
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=WORLD4, GatewayId=igw)
        self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
        return table

    def _ec2_endpoint(self, vpc_id: str, subnet_id: str) -> str:
        """An interface endpoint for the EC2 API in the VPC."""
        service = f"com.amazonaws.{self.region}.ec2"
        found = self.ec2.describe_vpc_endpoints(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "service-name", "Values": [service]},
            ]
        )["VpcEndpoints"]
        if found:
            return found[0]["VpcEndpointId"]
        return self.ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=service,
            VpcEndpointType="Interface",
            SubnetIds=[subnet_id],
            TagSpecifications=_tag_spec("vpc-endpoint", "vigil-prod-ec2"),
        )["VpcEndpoint"]["VpcEndpointId"]

    def _interface(self, subnet_id: str, name: str) -> str:
        """A network interface (an appliance's), so that its subnet and VPC are in use."""
        found = self.ec2.describe_network_interfaces(
            Filters=[{"Name": "tag:Name", "Values": [name]}]
        )["NetworkInterfaces"]
        if found:
            return found[0]["NetworkInterfaceId"]
        return self.ec2.create_network_interface(
            SubnetId=subnet_id,
            Description=name,
            TagSpecifications=_tag_spec("network-interface", name),
        )["NetworkInterface"]["NetworkInterfaceId"]

    def _default_group(self, vpc_id: str) -> dict[str, Any]:
        return self.ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": ["default"]},
            ]
        )["SecurityGroups"][0]

    def _permissive_default_group(self, vpc_id: str) -> None:
        """AWS's default: all traffic from the group itself (moto creates it empty)."""
        group = self._default_group(vpc_id)
        if not group["IpPermissions"]:
            self.ec2.authorize_security_group_ingress(
                GroupId=group["GroupId"],
                IpPermissions=[
                    {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group["GroupId"]}]}
                ],
            )

    def _restrict_default_group(self, vpc_id: str) -> None:
        group = self._default_group(vpc_id)
        if group["IpPermissions"]:
            self.ec2.revoke_security_group_ingress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
            )
        if group["IpPermissionsEgress"]:
            self.ec2.revoke_security_group_egress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
            )

    def _group(
        self, vpc_id: str, name: str, description: str, permissions: list[dict[str, Any]]
    ) -> str:
        found = self.ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": [name]},
            ]
        )["SecurityGroups"]
        if found:
            return found[0]["GroupId"]
        group_id = self.ec2.create_security_group(
            GroupName=name,
            Description=description,
            VpcId=vpc_id,
            TagSpecifications=_tag_spec("security-group", name),
        )["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=permissions)
        return group_id

    def _groups(self, vpc_id: str) -> dict[str, str]:
        groups = {}
        for name, (protocol, low, high) in OPEN_GROUPS.items():
            permission: dict[str, Any] = {
                "IpProtocol": protocol,
                "IpRanges": [{"CidrIp": WORLD4, "Description": "anywhere"}],
                "Ipv6Ranges": [{"CidrIpv6": WORLD6, "Description": "anywhere"}],
            }
            if low is not None:
                permission.update(FromPort=low, ToPort=high)
            groups[name] = self._group(vpc_id, name, f"{name} (insecure)", [permission])
        groups["web-https"] = self._group(
            vpc_id,
            "web-https",
            "HTTPS from the internet",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": WORLD4}],
                    "Ipv6Ranges": [{"CidrIpv6": WORLD6}],
                }
            ],
        )
        groups["db-private"] = self._group(
            vpc_id,
            "db-private",
            "Postgres from the VPC only",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "IpRanges": [{"CidrIp": "10.10.0.0/16", "Description": "vpc"}],
                }
            ],
        )
        groups["legacy-default"] = self._default_group(self._legacy_vpc())["GroupId"]
        return groups

    def _legacy_vpc(self) -> str:
        return self.out["vpcs"]["vigil-legacy"]

    def _open_ssh_nacl(self, vpc_id: str, subnet_id: str) -> str:
        """A network ACL allowing SSH from anywhere, guarding the legacy public subnet."""
        found = self.ec2.describe_network_acls(
            Filters=[{"Name": "tag:Name", "Values": ["legacy-open-ssh"]}]
        )["NetworkAcls"]
        if found:
            return found[0]["NetworkAclId"]
        acl_id = self.ec2.create_network_acl(
            VpcId=vpc_id,
            TagSpecifications=_tag_spec("network-acl", "legacy-open-ssh"),
        )["NetworkAcl"]["NetworkAclId"]
        self.ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=100,
            Protocol="6",
            RuleAction="allow",
            Egress=False,
            CidrBlock=WORLD4,
            PortRange={"From": 22, "To": 22},
        )
        self.ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=True,
            CidrBlock=WORLD4,
        )
        current = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )["NetworkAcls"][0]
        association = next(
            a["NetworkAclAssociationId"]
            for a in current["Associations"]
            if a["SubnetId"] == subnet_id
        )
        self.ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl_id)
        return acl_id

    def _flow_logs(self, vpc_id: str) -> str:
        found = self.ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])[
            "FlowLogs"
        ]
        if found:
            return found[0]["FlowLogId"]
        result = self.ec2.create_flow_logs(
            ResourceIds=[vpc_id],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            # moto looks the whole ARN up as a bucket name: no key prefix.
            LogDestination=f"arn:aws:s3:::{self.flow_log_bucket}",
        )
        return result["FlowLogIds"][0]

    def _image_id(self) -> str:
        return self.ec2.describe_images(ImageIds=[BASE_IMAGE])["Images"][0]["ImageId"]

    def _instances(self, public_subnet: str, private_subnet: str) -> dict[str, str]:
        groups = self.out["securityGroups"]
        specs = {
            # name: (subnet, public IP, IMDS HttpTokens, security groups)
            "web-imdsv1": (public_subnet, True, "optional", ["open-ssh", "web-https"]),
            # Served through a load balancer: no public address of its own.
            "api-imdsv2": (public_subnet, False, "required", ["web-https"]),
            "worker-private": (private_subnet, False, "required", ["db-private"]),
            # Public, with the app's instance profile (seed_checks.py): its role's
            # credentials are one SSRF away from the internet.
            "app-public-role": (public_subnet, True, "required", ["web-https"]),
        }
        existing = [
            i
            for r in self.ec2.describe_instances(
                Filters=[
                    {"Name": f"tag:{SEED_TAG}", "Values": ["true"]},
                    {"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]},
                ]
            )["Reservations"]
            for i in r["Instances"]
        ]
        image = None
        out = {}
        for name, (subnet, public_ip, tokens, group_names) in specs.items():
            found = _by_name(existing, name)
            if found:
                out[name] = found["InstanceId"]
                continue
            image = image or self._image_id()
            instance = self.ec2.run_instances(
                ImageId=image,
                InstanceType="t3.micro",
                MinCount=1,
                MaxCount=1,
                NetworkInterfaces=[
                    {
                        "DeviceIndex": 0,
                        "SubnetId": subnet,
                        "AssociatePublicIpAddress": public_ip,
                        "Groups": [groups[g] for g in group_names],
                    }
                ],
                MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
                TagSpecifications=_tag_spec("instance", name),
            )["Instances"][0]
            out[name] = instance["InstanceId"]
        return out

    def _ebs(self) -> tuple[dict[str, str], dict[str, str]]:
        volumes = self.ec2.describe_volumes(
            Filters=[{"Name": f"tag:{SEED_TAG}", "Values": ["true"]}]
        )["Volumes"]
        out_volumes = {}
        # data-unbacked is encrypted but has no snapshot.
        for name, encrypted in (
            ("data-unencrypted", False),
            ("data-encrypted", True),
            ("data-unbacked", True),
        ):
            found = _by_name(volumes, name)
            out_volumes[name] = (
                found["VolumeId"]
                if found
                else self.ec2.create_volume(
                    AvailabilityZone=f"{self.region}a",
                    Size=20,
                    VolumeType="gp3",
                    Encrypted=encrypted,
                    TagSpecifications=_tag_spec("volume", name),
                )["VolumeId"]
            )
        snapshots = self.ec2.describe_snapshots(
            OwnerIds=["self"], Filters=[{"Name": f"tag:{SEED_TAG}", "Values": ["true"]}]
        )["Snapshots"]
        out_snapshots = {}
        for name, volume, public in (
            ("snap-public", "data-unencrypted", True),
            ("snap-private", "data-encrypted", False),
        ):
            found = _by_name(snapshots, name)
            if found:
                out_snapshots[name] = found["SnapshotId"]
                continue
            snapshot_id = self.ec2.create_snapshot(
                VolumeId=out_volumes[volume],
                Description=name,
                TagSpecifications=_tag_spec("snapshot", name),
            )["SnapshotId"]
            if public:
                self.ec2.modify_snapshot_attribute(
                    SnapshotId=snapshot_id,
                    Attribute="createVolumePermission",
                    OperationType="add",
                    GroupNames=["all"],
                )
            out_snapshots[name] = snapshot_id
        return out_volumes, out_snapshots

    def _images(self) -> dict[str, str]:
        owned = self.ec2.describe_images(Owners=["self"])["Images"]
        out = {}
        for name, instance, public in (
            ("vigil-web-golden", "web-imdsv1", True),
            ("vigil-api-golden", "api-imdsv2", False),
        ):
            found = next((i for i in owned if i.get("Name") == name), None)
            if found:
                out[name] = found["ImageId"]
                continue
            image_id = self.ec2.create_image(
                InstanceId=self.out["instances"][instance], Name=name, Description=name
            )["ImageId"]
            if public:
                self.ec2.modify_image_attribute(
                    ImageId=image_id, LaunchPermission={"Add": [{"Group": "all"}]}
                )
            out[name] = image_id
        return out
