"""Push delivery: recorded management writes reach an EventBridge rule's SQS queue."""

from __future__ import annotations

import json
import uuid

from vigil_emulator.testing import Clients, EmulatorProcess

from . import A, B, check


def _push_queue(c: Clients, account: str, region: str) -> str:
    """A queue fed by a default-bus rule for CloudTrail API calls, through the real API."""
    sqs = c.of(account, "sqs", region)
    url = sqs.create_queue(QueueName=f"push-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = c.of(account, "events", region)
    name = f"vigil-{uuid.uuid4().hex[:8]}"
    events.put_rule(
        Name=name,
        EventPattern=json.dumps({"detail-type": ["AWS API Call via CloudTrail"]}),
    )
    events.put_targets(Rule=name, Targets=[{"Id": "vigil", "Arn": arn}])
    return url


def _drain(c: Clients, account: str, region: str, url: str) -> list[dict]:
    sqs = c.of(account, "sqs", region)
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


@check
def management_writes_reach_an_eventbridge_rules_queue_in_their_region(
    emu: EmulatorProcess, c: Clients
) -> None:
    region = "eu-central-1"
    url = _push_queue(c, A, region)
    _drain(c, A, region, url)  # the rule's own setup calls
    ec2 = c.of(A, "ec2", region)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(
        GroupName=f"g-{uuid.uuid4().hex[:6]}", Description="d", VpcId=vpc
    )
    world = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[world])
    c.of(A, "ec2", "eu-west-3").create_vpc(CidrBlock="10.9.0.0/16")  # another region
    c.of(B, "ec2", region).create_vpc(CidrBlock="10.8.0.0/16")  # another account
    got = _drain(c, A, region, url)
    names = [m["detail"]["eventName"] for m in got]
    # Writes only, of this account and region; reads (DescribeVpcs) and the queue's own
    # message operations (data events) are not delivered.
    assert names == ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress"], names
    auth = got[1]
    assert auth["detail-type"] == "AWS API Call via CloudTrail", auth
    assert auth["source"] == "aws.ec2" and auth["account"] == A and auth["region"] == region, auth
    assert auth["detail"]["requestParameters"]["groupId"] == group["GroupId"], auth["detail"]
    # The same record as CloudTrail's: LookupEvents shows it under the same event ID.
    looked = c.lookup_all(A, region)
    assert auth["detail"]["eventID"] in {e["EventId"] for e in looked}
    # Delivery is not itself recorded: no PutEvents or SendMessage call appeared.
    assert not [e for e in looked if e["EventName"] in ("PutEvents", "SendMessage")], looked
