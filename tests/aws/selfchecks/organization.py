"""StackSet deployment across an AWS Organization (organization.py), which moto lacks: the
roles land in every member account (never the management account), accounts created later
get them too, accounts that leave lose them, and the trust guard enforces their external ID."""

from __future__ import annotations

import uuid

from vigil_emulator.testing import Clients, EmulatorProcess, create_organization

from . import check

EXTERNAL_ID = "E" * 40

MEMBER_TEMPLATE = """Parameters:
  ExternalId:
    Type: String
  RoleName:
    Type: String
    Default: VigilReadOnly
  Unused:
    Type: String
    Default: ""
Conditions:
  HasUnused: !Not [!Equals [!Ref Unused, ""]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::123456789012:root
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: !Ref ExternalId
  Skipped:
    Type: AWS::SQS::Queue
    Condition: HasUnused
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
  Queue:
    Condition: HasUnused
    Value: !Ref Skipped
"""


def _stack_set(body: str) -> str:
    indented = "".join(f"        {line}\n" if line else "\n" for line in body.splitlines())
    return f"""Parameters:
  OrganizationalUnitIds:
    Type: CommaDelimitedList
Resources:
  Roles:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: VigilMemberRoles
      PermissionModel: SERVICE_MANAGED
      AutoDeployment:
        Enabled: true
        RetainStacksOnAccountRemoval: false
      Parameters:
        - ParameterKey: ExternalId
          ParameterValue: "{EXTERNAL_ID}"
      StackInstancesGroup:
        - DeploymentTargets:
            OrganizationalUnitIds: !Ref OrganizationalUnitIds
          Regions: [us-east-1]
      TemplateBody: |
{indented}"""


def _assumable(c: Clients, account: str, external_id: str | None) -> bool:
    sts = c.mgmt("sts")
    kwargs = {"ExternalId": external_id} if external_id else {}
    try:
        sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/VigilReadOnly", RoleSessionName="check", **kwargs
        )
        return True
    except Exception:  # noqa: BLE001 (AccessDenied)
        return False


@check
def a_stack_set_deploys_to_members_and_later_accounts_and_leaves_with_leavers(
    emu: EmulatorProcess, c: Clients
) -> None:
    management = f"6{uuid.uuid4().int % 10**11:011d}"
    org = create_organization(emu.endpoint, management, 2)
    out = emu.ok(
        "POST",
        "/_vigil/stacksets",
        {
            "accountId": management,
            "templateBody": _stack_set(MEMBER_TEMPLATE),
            "parameters": {"OrganizationalUnitIds": org["root"]},
        },
    )
    assert out["stackSets"][0]["accounts"] == sorted(org["members"]), out
    for account in org["members"]:
        assert _assumable(c, account, EXTERNAL_ID)
        assert not _assumable(c, account, None), "the trust policy requires the external ID"
        assert not _assumable(c, account, "F" * 40)
    assert not _assumable(c, management, EXTERNAL_ID), "never the management account"

    orgs = c.session(management).client("organizations", endpoint_url=emu.endpoint)
    late = orgs.create_account(AccountName="late", Email=f"late-{management}@example.com")[
        "CreateAccountStatus"
    ]["AccountId"]
    assert _assumable(c, late, EXTERNAL_ID), "automatic deployment to an account created later"
    orgs.remove_account_from_organization(AccountId=org["members"][0])
    assert not _assumable(c, org["members"][0], EXTERNAL_ID), "the leaver's stack is deleted"
    assert _assumable(c, org["members"][1], EXTERNAL_ID)


@check
def a_stack_creates_its_roles_and_answers_its_outputs(emu: EmulatorProcess, c: Clients) -> None:
    account = f"6{uuid.uuid4().int % 10**11:011d}"
    out = emu.ok(
        "POST",
        "/_vigil/stacks",
        {"accountId": account, "templateBody": MEMBER_TEMPLATE, "parameters": {"ExternalId": EXTERNAL_ID}},
    )
    arn = f"arn:aws:iam::{account}:role/VigilReadOnly"
    assert out == {"roles": [arn], "outputs": {"RoleArn": arn}}, out
    assert _assumable(c, account, EXTERNAL_ID)
    status, body = emu.call("POST", "/_vigil/stacks", {"accountId": account, "templateBody": "Resources: [1"})
    assert status == 400 and "not valid YAML" in body["error"], body
    status, body = emu.call(
        "POST",
        "/_vigil/stacksets",
        {"accountId": account, "templateBody": _stack_set(MEMBER_TEMPLATE), "parameters": {"OrganizationalUnitIds": "r-x"}},
    )
    assert status == 400 and "not the management account" in body["error"], body
