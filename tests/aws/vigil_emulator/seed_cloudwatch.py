"""The CIS monitoring controls (4.1 to 4.15): a trail to CloudWatch Logs, metric filters,
alarms and a subscribed topic that pass some controls and leave the others failing at each
step the checks name.

Run last in `seed._build`, in the first region of the account that has the seeded trail,
so moto's seeded IDs of everything before stay as they were. The `management-events`
trail is left as it is (other tests expect it without a log group): a second multi-region
trail, `cis-monitoring`, logs management events to the same bucket under its own prefix
and delivers to the `cloudtrail-cis` log group. Seeding again changes nothing.

On that log group:
- 4.3 (root usage), 4.4 (IAM policy changes), 4.5 (CloudTrail changes), 4.12 (network
  gateway changes, which no built-in detection watches): a filter of the benchmark's
  pattern (4.4's reordered and respaced), an alarm on its metric notifying `cis-alarms`,
  which has a subscriber: they pass;
- 4.1 (unauthorized API calls): the filter, no alarm;
- 4.2 (sign-in without MFA): the filter and an alarm notifying `cis-unheard`, a topic no
  one subscribed to;
- 4.6 (console authentication failures): a filter that leaves out the error message;
- the others: no filter.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

LOG_GROUP = "cloudtrail-cis"
TRAIL = "cis-monitoring"
NAMESPACE = "CISBenchmark"
ENCRYPTED = {"KmsMasterKeyId": "alias/aws/sns"}

#: (filter and metric name, pattern, alarm notifying: "subscribed", "unheard" or None).
FILTERS = (
    (
        "RootUsage",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
        "subscribed",
    ),
    (
        "IAMPolicyChanges",
        "{($.eventName=DetachGroupPolicy)||($.eventName=AttachGroupPolicy)||"
        "($.eventName=DetachUserPolicy)||($.eventName=AttachUserPolicy)||"
        "($.eventName=DetachRolePolicy)||($.eventName=AttachRolePolicy)||"
        "($.eventName=DeletePolicyVersion)||($.eventName=CreatePolicyVersion)||"
        "($.eventName=DeletePolicy)||($.eventName=CreatePolicy)||($.eventName=PutUserPolicy)||"
        "($.eventName=PutRolePolicy)||($.eventName=PutGroupPolicy)||"
        "($.eventName=DeleteUserPolicy)||($.eventName=DeleteRolePolicy)||"
        "($.eventName=DeleteGroupPolicy)}",
        "subscribed",
    ),
    (
        "CloudTrailChanges",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
        "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
        "($.eventName = StopLogging) }",
        "subscribed",
    ),
    (
        "NetworkGatewayChanges",
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
        "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
        "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
        "subscribed",
    ),
    (
        "UnauthorizedAPICalls",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
        None,
    ),
    (
        "ConsoleSigninWithoutMFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
        "unheard",
    ),
    ("ConsoleAuthFailures", "{ ($.eventName = ConsoleLogin) }", "subscribed"),
)


def seed_cloudwatch(
    session: boto3.Session, endpoint: str, region: str, account: str, bucket: str
) -> dict[str, Any]:
    """The trail, log group, filters, alarms and topics above, in `region`."""
    logs = session.client("logs", region_name=region, endpoint_url=endpoint)
    try:
        logs.create_log_group(logGroupName=LOG_GROUP)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{LOG_GROUP}:*"

    cloudtrail = session.client("cloudtrail", region_name=region, endpoint_url=endpoint)
    trails = {t["Name"]: t for t in cloudtrail.describe_trails()["trailList"]}
    if TRAIL not in trails:
        trail_arn = cloudtrail.create_trail(
            Name=TRAIL,
            S3BucketName=bucket,
            S3KeyPrefix=TRAIL,
            IsMultiRegionTrail=True,
            IncludeGlobalServiceEvents=True,
            EnableLogFileValidation=True,
            CloudWatchLogsLogGroupArn=group_arn,
            CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/cloudtrail-logs",
        )["TrailARN"]
    else:
        trail_arn = trails[TRAIL]["TrailARN"]
    cloudtrail.start_logging(Name=TRAIL)

    sns = session.client("sns", region_name=region, endpoint_url=endpoint)
    topics = {
        # Encrypted, so the alarm topics are well configured as SNS topics (the SNS checks'
        # seeds are in seed_services).
        "subscribed": sns.create_topic(Name="cis-alarms", Attributes=ENCRYPTED)["TopicArn"],
        "unheard": sns.create_topic(Name="cis-unheard", Attributes=ENCRYPTED)["TopicArn"],
    }
    subscribed = sns.list_subscriptions_by_topic(TopicArn=topics["subscribed"])["Subscriptions"]
    if not subscribed:
        sns.subscribe(
            TopicArn=topics["subscribed"], Protocol="email", Endpoint="secops@example.com"
        )

    cloudwatch = session.client("cloudwatch", region_name=region, endpoint_url=endpoint)
    for name, pattern, notifies in FILTERS:
        logs.put_metric_filter(
            logGroupName=LOG_GROUP,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}
            ],
        )
        if notifies is not None:
            # PutMetricAlarm overwrites an alarm of the same name: seeding again is a no-op.
            cloudwatch.put_metric_alarm(
                AlarmName=f"cis-{name}",
                MetricName=name,
                Namespace=NAMESPACE,
                Statistic="Sum",
                Period=300,
                EvaluationPeriods=1,
                Threshold=1.0,
                ComparisonOperator="GreaterThanOrEqualToThreshold",
                AlarmActions=[topics[notifies]],
            )
    return {"trail": trail_arn, "logGroup": group_arn, "topics": topics}
