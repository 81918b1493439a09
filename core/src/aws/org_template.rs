//! The two CloudFormation templates of an AWS Organization connection, both deployed in
//! the management account:
//!
//! * the management template: Vigil's read-only role there (the single-account role's
//!   policies, so the management account is monitored too) plus the Organizations reads
//!   Vigil needs to list accounts and OUs and, optionally, the read of the organisation
//!   trail's bucket (every account's log files are read through this role);
//! * the StackSet template: a service-managed `AWS::CloudFormation::StackSet` with automatic
//!   deployment, whose body is the single-account template ([`template::render`]), so every
//!   member account (and every account that joins later) gets the same role name trusting
//!   Vigil with the organisation's external ID.

use super::template;

/// Default name of the management account's role.
pub const MANAGEMENT_ROLE_NAME: &str = "VigilOrganizationReadOnly";
/// Default name of the role the StackSet creates in every member account.
pub const MEMBER_ROLE_NAME: &str = "VigilReadOnly";
/// Name of the StackSet the template creates.
pub const STACK_SET_NAME: &str = "VigilMemberRoles";

/// The Organizations reads the management role is given (beyond SecurityAudit's).
pub const ORGANIZATIONS_ACTIONS: [&str; 6] = [
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListParents",
];

/// The management account's template: the read-only role with the external ID, and
/// the Organizations reads.
pub fn management(principal_arn: &str, external_id: &str) -> String {
    let actions: String = ORGANIZATIONS_ACTIONS
        .iter()
        .map(|a| format!("\n                  - {a}"))
        .collect();
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Read-only role that lets Vigil list this AWS Organization's accounts and OUs and monitor
  the management account: SecurityAudit and ViewOnlyAccess plus the Organizations reads,
  assumable only by Vigil and only with your organisation's external ID.
Parameters:
  ExternalId:
    Type: String
    Description: The external ID Vigil generated for this organisation (do not change it).
    Default: "{external_id}"
    MinLength: 32
    MaxLength: 1224
    AllowedPattern: "[\\w+=,.@:/-]+"
  RoleName:
    Type: String
    Description: Name of the role to create.
    Default: {MANAGEMENT_ROLE_NAME}
  CloudTrailBucketName:
    Type: String
    Description: >-
      Optional. The S3 bucket your organisation trail writes to (in this account, or in a
      log archive account whose bucket policy lets this role read it); the role may then
      read every account's log files (s3:GetObject, s3:ListBucket on that bucket only).
      Leave empty to skip.
    Default: ""
Conditions:
  HasCloudTrailBucket: !Not [!Equals [!Ref CloudTrailBucketName, ""]]
Resources:
  VigilManagementRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      Description: Assumed by Vigil to list the organisation's accounts and read this account.
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
        - PolicyName: VigilListOrganization
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:{actions}
                Resource: "*"
              - Effect: Allow
                Action: cloudtrail:ListPublicKeys
                Resource: "*"
  CloudTrailBucketRead:
    Type: AWS::IAM::Policy
    Condition: HasCloudTrailBucket
    Properties:
      PolicyName: VigilReadOrganizationTrailLogs
      Roles:
        - !Ref VigilManagementRole
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:ListBucket
            Resource: !Sub arn:${{AWS::Partition}}:s3:::${{CloudTrailBucketName}}
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub arn:${{AWS::Partition}}:s3:::${{CloudTrailBucketName}}/*
Outputs:
  ManagementRoleArn:
    Description: Paste this ARN into Vigil to verify the organisation.
    Value: !GetAtt VigilManagementRole.Arn
"#
    )
}

/// The StackSet template: service-managed, automatic deployment on (accounts that join
/// later get the role too), the single-account template as its body.
pub fn stack_set(principal_arn: &str, external_id: &str, member_role_name: &str) -> String {
    let body: String = template::render(principal_arn, Some(external_id))
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("        {l}\n")
            }
        })
        .collect();
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Deploy in the management account (or a delegated administrator). A service-managed
  StackSet with automatic deployment creates Vigil's read-only role, trusting Vigil only
  with your organisation's external ID, in every account of the target OUs, including
  accounts that join later. Accounts that leave lose the role.
Parameters:
  OrganizationalUnitIds:
    Type: CommaDelimitedList
    Description: >-
      The OUs to deploy to: your organisation's root ID (r-...) for every account, or
      OU IDs (ou-...).
  Region:
    Type: String
    Description: The region the stack instances are created in (IAM roles are global).
    Default: us-east-1
  CloudTrailBucketName:
    Type: String
    Description: >-
      Optional. The organisation trail's bucket when it lives in a log-archive account:
      the member roles may then read it, and the log-archive account's connection can be
      named the trail reader (setAwsOrganizationTrailReader). Leave empty otherwise.
    Default: ""
Resources:
  VigilMemberRoles:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: {STACK_SET_NAME}
      Description: Vigil's read-only role in every member account.
      PermissionModel: SERVICE_MANAGED
      AutoDeployment:
        Enabled: true
        RetainStacksOnAccountRemoval: false
      Capabilities:
        - CAPABILITY_NAMED_IAM
      OperationPreferences:
        FailureTolerancePercentage: 100
        MaxConcurrentPercentage: 100
      Parameters:
        - ParameterKey: ExternalId
          ParameterValue: "{external_id}"
        - ParameterKey: RoleName
          ParameterValue: "{member_role_name}"
        - ParameterKey: CloudTrailBucketName
          ParameterValue: !Ref CloudTrailBucketName
      StackInstancesGroup:
        - DeploymentTargets:
            OrganizationalUnitIds: !Ref OrganizationalUnitIds
          Regions:
            - !Ref Region
      TemplateBody: |
{body}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINCIPAL: &str = "arn:aws:iam::123456789012:role/Vigil";
    const EXTERNAL_ID: &str = "abc123abc123abc123abc123abc123abc123";

    #[test]
    fn the_management_template_allows_the_organizations_reads_with_the_external_id() {
        let t = management(PRINCIPAL, EXTERNAL_ID);
        assert!(t.contains(r#"AWS: "arn:aws:iam::123456789012:role/Vigil""#));
        assert!(t.contains("sts:ExternalId: !Ref ExternalId"));
        assert!(t.contains(&format!(r#"Default: "{EXTERNAL_ID}""#)));
        for action in ORGANIZATIONS_ACTIONS {
            assert!(t.contains(&format!("- {action}\n")), "{action}");
        }
        assert!(t.contains("policy/SecurityAudit"));
    }

    #[test]
    fn the_management_template_reads_the_organisation_trail_bucket_only_when_named() {
        let t = management(PRINCIPAL, EXTERNAL_ID);
        assert!(t.contains("  CloudTrailBucketName:\n    Type: String\n"));
        assert!(t.contains("    Condition: HasCloudTrailBucket\n"));
        assert!(t.contains("Resource: !Sub arn:${AWS::Partition}:s3:::${CloudTrailBucketName}/*"));
        assert!(t.contains("- !Ref VigilManagementRole"));
    }

    #[test]
    fn the_stack_set_is_service_managed_auto_deployed_and_carries_the_member_role() {
        let t = stack_set(PRINCIPAL, EXTERNAL_ID, "VigilMember");
        assert!(t.contains("PermissionModel: SERVICE_MANAGED"));
        assert!(t.contains("AutoDeployment:\n        Enabled: true"));
        assert!(t.contains(&format!(r#"ParameterValue: "{EXTERNAL_ID}""#)));
        assert!(t.contains(r#"ParameterValue: "VigilMember""#));
        // A log-archive bucket reaches the member roles' optional bucket read.
        assert!(t.contains(
            "- ParameterKey: CloudTrailBucketName\n          ParameterValue: !Ref CloudTrailBucketName\n"
        ));
        // The body is the single-account template, indented under the literal block.
        assert!(t.contains("      TemplateBody: |\n        AWSTemplateFormatVersion"));
        assert!(t.contains("                sts:ExternalId: !Ref ExternalId"));
    }
}
