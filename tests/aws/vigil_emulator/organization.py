"""CloudFormation deployments moto does not run: a customer's stack in one account, and a
service-managed StackSet with automatic deployment across an AWS Organization.

moto serves Organizations (accounts, OUs, roots) but does not deploy StackSet instances, let
alone deploy automatically to accounts that join later. This module does what AWS would,
from the very templates Vigil hands out:

* `deploy_stack(account, template, parameters)` creates the template's IAM roles (trust
  policy, managed policies that exist in moto, inline policies) in `account`, resolving
  `Ref`, `Fn::Sub`, `Fn::GetAtt` (a role's `Arn`), `Fn::Join`, `Fn::If`, `Fn::Equals`,
  `Fn::Not` and `Conditions`; other resource types are ignored (only roles matter to the
  tests), unknown intrinsics are refused so a template the harness cannot read fails loudly.
* `StackSets.create(management, template, parameters)` reads the
  `AWS::CloudFormation::StackSet` resources of a template deployed in the management account
  (SERVICE_MANAGED only, as Vigil's is), deploys the StackSet's `TemplateBody` with its
  `Parameters` to every ACTIVE account under the target OUs — never the management account,
  as AWS never does for service-managed StackSets — and, with `AutoDeployment.Enabled`, again
  to accounts that join or move under a target OU later (`reconcile`, run by the app after
  each Organizations call that changes membership). An account that leaves loses its roles
  unless `RetainStacksOnAccountRemoval` is true, as with AWS.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import yaml
from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends

from .identity import PARTITION

log = logging.getLogger(__name__)

# Organizations calls after which automatic deployment looks again.
MEMBERSHIP_CALLS = frozenset(
    {"CreateAccount", "MoveAccount", "RemoveAccountFromOrganization", "CloseAccount"}
)


class TemplateError(ValueError):
    """A template (or parameter) the harness cannot deploy; answered as a 400."""


# ---- reading templates -----------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (`!Ref`, `!Sub`, ...) as long forms."""


def _tag(loader: _CfnLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def parse_template(text: str) -> dict[str, Any]:
    try:
        doc = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise TemplateError(f"the template is not valid YAML: {error}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise TemplateError("the template has no Resources")
    return doc


class _Context:
    def __init__(self, doc: dict[str, Any], account: str, given: dict[str, Any]) -> None:
        self.account = account
        self.params: dict[str, Any] = {}
        for name, spec in (doc.get("Parameters") or {}).items():
            if name in given:
                value = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no value and no default")
            if spec.get("Type") == "CommaDelimitedList" and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            self.params[name] = value
        self.resources = set((doc.get("Resources") or {}).keys())
        self.roles: dict[str, str] = {}  # logical ID -> ARN, for GetAtt
        self.conditions: dict[str, bool] = {}
        for name, expr in (doc.get("Conditions") or {}).items():
            self.conditions[name] = bool(self.resolve(expr))

    def ref(self, name: str) -> Any:
        pseudo = {"AWS::AccountId": self.account, "AWS::Partition": "aws", "AWS::Region": "us-east-1"}
        if name in pseudo:
            return pseudo[name]
        if name in self.params:
            return self.params[name]
        if name in self.roles:
            return self.roles[name].rsplit("/", 1)[-1]
        if name in self.resources:
            return name  # a resource the harness does not create: its logical ID stands in
        raise TemplateError(f"Ref to unknown {name}")

    def sub(self, text: str, extra: dict[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return str(extra[name])
            if "." in name:
                return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::Sub":
                if isinstance(arg, list):
                    return self.sub(arg[0], {k: self.resolve(v) for k, v in arg[1].items()})
                return self.sub(arg, {})
            if key == "Fn::GetAtt":
                logical, attribute = arg
                if attribute == "Arn" and logical in self.roles:
                    return self.roles[logical]
                raise TemplateError(f"GetAtt {logical}.{attribute} is not emulated")
            if key == "Fn::Join":
                return str(arg[0]).join(str(v) for v in self.resolve(arg[1]))
            if key == "Fn::Equals":
                a, b = self.resolve(arg)
                return a == b
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.conditions.get(name) else no)
            if key == "Condition":
                return self.conditions.get(arg, False)
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not emulated")
        return {k: self.resolve(v) for k, v in value.items()}


# ---- deploying -------------------------------------------------------------------------


def _iam(account: str) -> Any:
    return iam_backends[account][PARTITION]


def deploy_stack(account: str, template: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Create the template's IAM roles in `account`; answers the roles and the outputs."""
    doc = parse_template(template)
    ctx = _Context(doc, account, parameters)
    iam = _iam(account)
    created: list[str] = []
    resources = doc["Resources"]
    for logical, resource in resources.items():
        if resource.get("Type") != "AWS::IAM::Role":
            continue
        if "Condition" in resource and not ctx.conditions.get(resource["Condition"]):
            continue
        props = ctx.resolve(resource.get("Properties") or {})
        name = props.get("RoleName") or f"{logical}-{account}"
        existing = next((r for r in list(iam.roles.values()) if r.name == name), None)
        if existing is not None:
            # A stack update: the trust policy is the template's.
            existing.assume_role_policy_document = json.dumps(props["AssumeRolePolicyDocument"])
        else:
            iam.create_role(
                name,
                json.dumps(props["AssumeRolePolicyDocument"]),
                props.get("Path", "/"),
                None,
                props.get("Description", ""),
                [],
                str(props.get("MaxSessionDuration", 3600)),
            )
            for arn in props.get("ManagedPolicyArns") or []:
                if arn in iam.managed_policies:
                    iam.attach_role_policy(arn, name)
            for policy in props.get("Policies") or []:
                iam.put_role_policy(name, policy["PolicyName"], json.dumps(policy["PolicyDocument"]))
        ctx.roles[logical] = f"arn:aws:iam::{account}:role/{name}"
        created.append(ctx.roles[logical])
    for logical, resource in resources.items():
        if resource.get("Type") == "AWS::IAM::Policy":
            if "Condition" in resource and not ctx.conditions.get(resource["Condition"]):
                continue
            props = ctx.resolve(resource.get("Properties") or {})
            for role in props.get("Roles") or []:
                iam.put_role_policy(role, props["PolicyName"], json.dumps(props["PolicyDocument"]))
    outputs = {
        name: ctx.resolve(spec.get("Value"))
        for name, spec in (doc.get("Outputs") or {}).items()
        if isinstance(spec, dict)
        and ("Condition" not in spec or ctx.conditions.get(spec["Condition"]))
    }
    return {"roles": created, "outputs": outputs}


def remove_roles(account: str, role_names: list[str]) -> None:
    """What deleting a stack instance does to its roles."""
    iam = _iam(account)
    for name in role_names:
        role = next((r for r in list(iam.roles.values()) if r.name == name), None)
        if role is None:
            continue
        for arn in list(role.managed_policies):
            iam.detach_role_policy(arn, name)
        for policy in list(role.policies):
            iam.delete_role_policy(name, policy)
        iam.delete_role(name)


def _org_backend(management: str) -> Any:
    backend = organizations_backends[management][PARTITION]
    if backend.org is None or backend.org.master_account_id != management:
        raise TemplateError(
            f"account {management} is not the management account of an organisation: "
            "service-managed StackSets need AWS Organizations"
        )
    return backend


def _under(backend: Any, parent_id: str, targets: set[str]) -> bool:
    """Whether `parent_id` is one of `targets` or below one."""
    seen = 0
    while parent_id and seen < 10:
        if parent_id in targets:
            return True
        ou = next((o for o in backend.ou if o.id == parent_id), None)
        parent_id = getattr(ou, "parent_id", None) if ou is not None else None
        seen += 1
    return False


@dataclass
class StackSet:
    management: str
    name: str
    body: str
    parameters: dict[str, Any]
    targets: set[str]
    auto: bool
    retain: bool
    # account -> role names deployed there
    instances: dict[str, list[str]] = field(default_factory=dict)


class StackSets:
    """The service-managed StackSets created through the control API."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: list[StackSet] = []

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()

    def create(self, management: str, template: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        doc = parse_template(template)
        ctx = _Context(doc, management, parameters)
        _org_backend(management)
        created = []
        for logical, resource in doc["Resources"].items():
            if resource.get("Type") != "AWS::CloudFormation::StackSet":
                continue
            props = ctx.resolve(resource.get("Properties") or {})
            if props.get("PermissionModel") != "SERVICE_MANAGED":
                raise TemplateError("only SERVICE_MANAGED StackSets are emulated")
            auto = props.get("AutoDeployment") or {}
            targets: set[str] = set()
            for group in props.get("StackInstancesGroup") or []:
                ous = (group.get("DeploymentTargets") or {}).get("OrganizationalUnitIds") or []
                targets.update(ous if isinstance(ous, list) else [ous])
            if not targets:
                raise TemplateError(f"StackSet {logical} targets no OU")
            body = props.get("TemplateBody")
            if not isinstance(body, str):
                raise TemplateError(f"StackSet {logical} has no TemplateBody")
            stack_set = StackSet(
                management=management,
                name=props.get("StackSetName") or logical,
                body=body,
                parameters={p["ParameterKey"]: p["ParameterValue"] for p in props.get("Parameters") or []},
                targets=targets,
                auto=str(auto.get("Enabled")).lower() == "true",
                retain=str(auto.get("RetainStacksOnAccountRemoval")).lower() == "true",
            )
            self._reconcile(stack_set, initial=True)
            with self._lock:
                self._sets.append(stack_set)
            created.append({"stackSetName": stack_set.name, "accounts": sorted(stack_set.instances)})
        if not created:
            raise TemplateError("the template has no AWS::CloudFormation::StackSet resource")
        return created

    def reconcile(self, management: str) -> None:
        """Automatic deployment: after `management` changed its organisation's membership,
        deploy its StackSets to accounts that joined a target OU and remove the instances
        of accounts that left."""
        with self._lock:
            sets = [s for s in self._sets if s.auto and s.management == management]
        for stack_set in sets:
            try:
                self._reconcile(stack_set, initial=False)
            except Exception:  # noqa: BLE001 (the Organizations call itself succeeded)
                log.exception("automatic deployment of StackSet %s failed", stack_set.name)

    def _reconcile(self, stack_set: StackSet, initial: bool) -> None:
        try:
            backend = _org_backend(stack_set.management)
        except TemplateError:
            return
        wanted = {
            a.id
            for a in backend.accounts
            if a.id != stack_set.management
            and a.status == "ACTIVE"
            and _under(backend, a.parent_id, stack_set.targets)
        }
        for account in sorted(wanted - set(stack_set.instances)):
            deployed = deploy_stack(account, stack_set.body, stack_set.parameters)
            stack_set.instances[account] = [arn.rsplit("/", 1)[-1] for arn in deployed["roles"]]
        if initial:
            return
        for account in sorted(set(stack_set.instances) - wanted):
            roles = stack_set.instances.pop(account)
            if not stack_set.retain:
                remove_roles(account, roles)
