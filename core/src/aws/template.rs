//! The CloudFormation template customers deploy: a read-only role (`SecurityAudit` +
//! `ViewOnlyAccess`) trusting Vigil's principal only with the connection's external ID,
//! and, optionally, read access to the CloudTrail log bucket and push delivery (an
//! EventBridge rule forwarding CloudTrail management events to an SQS queue the role may
//! read and delete from).

use serde_json::{Value, json};

/// Name of the stack the quick-create link proposes.
pub const STACK_NAME: &str = "VigilReadOnly";
/// File name of the generic template served at the template base URL.
pub const TEMPLATE_FILE: &str = "vigil-readonly-role.yaml";

/// The trust policy of the customer role: our principal, with the external ID.
pub fn trust_policy(principal_arn: &str, external_id: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "AWS": principal_arn },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "sts:ExternalId": external_id } }
        }]
    })
}

/// Renders the template. With `external_id`, the parameter defaults to it (the
/// download for one connection); without, the caller must pass it (the generic template
/// the quick-create link points at).
pub fn render(principal_arn: &str, external_id: Option<&str>) -> String {
    let default = external_id.map_or(String::new(), |id| format!("\n    Default: \"{id}\""));
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Read-only role that lets Vigil monitor this AWS account: the AWS managed policies
  SecurityAudit and ViewOnlyAccess, assumable only by Vigil and only with your external ID.
Parameters:
  ExternalId:
    Type: String
    Description: The external ID Vigil generated for this connection (do not change it).{default}
    MinLength: 32
    MaxLength: 1224
    AllowedPattern: "[\\w+=,.@:/-]+"
  RoleName:
    Type: String
    Description: Name of the role to create.
    Default: VigilReadOnly
  CloudTrailBucketName:
    Type: String
    Description: >-
      Optional. The S3 bucket your CloudTrail trail writes to; the role may then read the
      log files (s3:GetObject, s3:ListBucket on that bucket only). Leave empty to skip.
    Default: ""
  PushDelivery:
    Type: String
    Description: >-
      Optional. "true" creates an EventBridge rule forwarding this region's CloudTrail
      management events to an SQS queue that only the role may read: Vigil sees a change
      within seconds instead of minutes. Deploy the stack in each region to watch (IAM and
      other global services report to us-east-1), then give Vigil the PushQueueUrl output.
    AllowedValues: ["true", "false"]
    Default: "false"
Conditions:
  HasCloudTrailBucket: !Not [!Equals [!Ref CloudTrailBucketName, ""]]
  HasPushDelivery: !Equals [!Ref PushDelivery, "true"]
Resources:
  VigilRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      Description: Assumed by Vigil to read this account's configuration and activity.
      MaxSessionDuration: 3600
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: "{principal_arn}"
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: !Ref ExternalId
      ManagedPolicyArns:
        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/SecurityAudit
        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/job-function/ViewOnlyAccess
      Policies:
        - PolicyName: VigilVerifyCloudTrailDigests
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: cloudtrail:ListPublicKeys
                Resource: "*"
  CloudTrailBucketRead:
    Type: AWS::IAM::Policy
    Condition: HasCloudTrailBucket
    Properties:
      PolicyName: VigilReadCloudTrailLogs
      Roles:
        - !Ref VigilRole
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:ListBucket
            Resource: !Sub arn:${{AWS::Partition}}:s3:::${{CloudTrailBucketName}}
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub arn:${{AWS::Partition}}:s3:::${{CloudTrailBucketName}}/*
  PushQueue:
    Type: AWS::SQS::Queue
    Condition: HasPushDelivery
    Properties:
      MessageRetentionPeriod: 345600
      VisibilityTimeout: 60
      SqsManagedSseEnabled: true
  PushQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Condition: HasPushDelivery
    Properties:
      Queues:
        - !Ref PushQueue
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: EventBridgeSends
            Effect: Allow
            Principal:
              Service: events.amazonaws.com
            Action: sqs:SendMessage
            Resource: !GetAtt PushQueue.Arn
            Condition:
              ArnEquals:
                aws:SourceArn: !GetAtt PushRule.Arn
  PushRule:
    Type: AWS::Events::Rule
    Condition: HasPushDelivery
    Properties:
      Description: Forwards CloudTrail management events to Vigil's push queue.
      State: ENABLED
      EventPattern:
        detail-type:
          - AWS API Call via CloudTrail
          - AWS Console Sign In via CloudTrail
      Targets:
        - Id: VigilPushQueue
          Arn: !GetAtt PushQueue.Arn
  PushQueueRead:
    Type: AWS::IAM::Policy
    Condition: HasPushDelivery
    Properties:
      PolicyName: !Sub VigilReadPushQueue-${{AWS::Region}}
      Roles:
        - !Ref VigilRole
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - sqs:ReceiveMessage
              - sqs:DeleteMessage
              - sqs:GetQueueAttributes
            Resource: !GetAtt PushQueue.Arn
Outputs:
  RoleArn:
    Description: Paste this ARN into Vigil to finish connecting the account.
    Value: !GetAtt VigilRole.Arn
  PushQueueUrl:
    Condition: HasPushDelivery
    Description: Give this URL to Vigil (the account's push delivery) to turn push on.
    Value: !Ref PushQueue
"#
    )
}

/// The AWS console's quick-create link for the generic template at `template_url`,
/// with the external ID filled in.
pub fn launch_stack_url(template_url: &str, external_id: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "https://console.aws.amazon.com/cloudformation/home#/stacks/quickcreate?templateURL={}&stackName={STACK_NAME}&param_ExternalId={}",
        enc(template_url),
        enc(external_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_names_the_principal_and_defaults_the_external_id() {
        let t = render(
            "arn:aws:iam::123456789012:role/Vigil",
            Some("abc123abc123abc123abc123abc123abc123"),
        );
        assert!(t.contains(r#"AWS: "arn:aws:iam::123456789012:role/Vigil""#));
        assert!(t.contains("sts:ExternalId: !Ref ExternalId"));
        assert!(t.contains(r#"Default: "abc123abc123abc123abc123abc123abc123""#));
        assert!(t.contains("MaxSessionDuration: 3600"));
        assert!(
            t.contains("policy/SecurityAudit") && t.contains("policy/job-function/ViewOnlyAccess")
        );
        assert!(!render("arn:aws:iam::123456789012:role/Vigil", None).contains("Default: \"abc"));
    }

    #[test]
    fn push_delivery_is_optional_and_reads_only_its_own_queue() {
        let t = render("arn:aws:iam::123456789012:role/Vigil", None);
        assert!(t.contains("HasPushDelivery: !Equals [!Ref PushDelivery, \"true\"]"));
        assert!(t.contains("Default: \"false\""));
        assert!(t.contains("- AWS API Call via CloudTrail"));
        for action in [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ] {
            assert!(t.contains(action), "{action}");
        }
        assert!(t.contains("Resource: !GetAtt PushQueue.Arn"));
        assert!(t.contains("aws:SourceArn: !GetAtt PushRule.Arn"));
    }

    #[test]
    fn the_launch_link_encodes_the_template_url_and_external_id() {
        let url = launch_stack_url(
            "https://vigil.example/api/v1/aws/vigil-readonly-role.yaml",
            "XyZ",
        );
        assert!(url.contains(
            "templateURL=https%3A%2F%2Fvigil.example%2Fapi%2Fv1%2Faws%2Fvigil-readonly-role.yaml"
        ));
        assert!(url.ends_with("&param_ExternalId=XyZ"));
    }
}
