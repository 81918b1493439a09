"""REST-JSON calls are recorded under CloudTrail's eventNames, with its requestParameters.

The first checks drive real boto3 clients through the emulator (services moto serves);
the last ones feed raw (method, path, query, body) to the matcher for services or
operations moto lacks (IAM Roles Anywhere, Bedrock's ListFoundationModels and Converse...).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from vigil_emulator import restnames
from vigil_emulator.awsrequest import HIDDEN, AwsRequest
from vigil_emulator.testing import Clients, EmulatorProcess

from . import check

#: An account of its own, so the events looked for are not mixed with other checks'.
R = "333333333333"
REGION = "eu-west-1"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _records(emu: EmulatorProcess) -> list[dict[str, Any]]:
    return emu.ok("GET", f"/_vigil/events?accountId={R}")["records"]


def _recorded(emu: EmulatorProcess, source: str, name: str) -> dict[str, Any]:
    """The latest record of `name` from `source`; fails listing what was recorded instead."""
    records = _records(emu)
    found = [r for r in records if r["eventSource"] == source and r["eventName"] == name]
    assert found, (source, name, [(r["eventSource"], r["eventName"]) for r in records[-12:]])
    return found[-1]


def _params(emu: EmulatorProcess, source: str, name: str) -> dict[str, Any]:
    params = _recorded(emu, source, name)["requestParameters"]
    assert isinstance(params, dict), (name, params)
    return params


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _ignore_errors(call: Callable[[], Any]) -> None:
    """A call moto does not serve still reaches the recorder: its error is not the point."""
    try:
        call()
    except ClientError:
        pass


# ---- through boto3 ------------------------------------------------------------------------


@check
def lambda_calls_carry_cloudtrail_names_and_parameters(emu: EmulatorProcess, c: Clients) -> None:
    role = c.of(R, "iam").create_role(
        RoleName="restnames-fn-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    aws_lambda = c.of(R, "lambda", REGION)
    aws_lambda.create_function(
        FunctionName="restnames-fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _zip()},
        Environment={"Variables": {"DB_PASSWORD": "hunter2"}},
        Tags={"Team": "vigil"},
    )
    aws_lambda.add_permission(
        FunctionName="restnames-fn",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    aws_lambda.update_function_code(FunctionName="restnames-fn", ZipFile=_zip())
    aws_lambda.create_function_url_config(FunctionName="restnames-fn", AuthType="NONE")
    aws_lambda.get_function(FunctionName="restnames-fn")
    aws_lambda.list_functions(MaxItems=5)
    source = "lambda.amazonaws.com"

    created = _recorded(emu, source, "CreateFunction20150331")
    assert created["awsRegion"] == REGION and created["readOnly"] is False, created
    params = created["requestParameters"]
    assert params["functionName"] == "restnames-fn" and params["role"] == role, params
    assert params["code"] == {}, params  # the zip is never logged
    assert params["environment"] == {"variables": HIDDEN}, params
    assert params["tags"] == {"Team": "vigil"}, params  # map keys kept as sent

    assert _params(emu, source, "AddPermission20150331v2") == {
        "functionName": "restnames-fn",
        "statementId": "public-url",
        "action": "lambda:InvokeFunctionUrl",
        "principal": "*",
        "functionUrlAuthType": "NONE",
    }
    assert _params(emu, source, "UpdateFunctionCode20150331v2") == {
        "functionName": "restnames-fn",
        "publish": False,
        "dryRun": False,
    }
    assert _params(emu, source, "CreateFunctionUrlConfig") == {
        "functionName": "restnames-fn",
        "authType": "NONE",
    }
    fetched = _recorded(emu, source, "GetFunction20150331v2")
    assert fetched["requestParameters"] == {"functionName": "restnames-fn"}, fetched
    assert fetched["readOnly"] is True, fetched
    assert _params(emu, source, "ListFunctions20150331") == {"maxItems": 5}


@check
def guardduty_and_security_hub_calls_carry_cloudtrail_names(
    emu: EmulatorProcess, c: Clients
) -> None:
    guardduty = c.of(R, "guardduty", REGION)
    detector = guardduty.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")[
        "DetectorId"
    ]
    guardduty.list_detectors()
    guardduty.update_detector(DetectorId=detector, Enable=False)
    guardduty.delete_detector(DetectorId=detector)
    source = "guardduty.amazonaws.com"
    created = _params(emu, source, "CreateDetector")
    assert created["enable"] is True, created
    assert created["findingPublishingFrequency"] == "SIX_HOURS", created
    assert set(created) <= {"enable", "findingPublishingFrequency", "clientToken"}, created
    assert _recorded(emu, source, "ListDetectors")["requestParameters"] is None
    assert _params(emu, source, "UpdateDetector") == {"detectorId": detector, "enable": False}
    assert _params(emu, source, "DeleteDetector") == {"detectorId": detector}

    hub = c.of(R, "securityhub", REGION)
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.disable_security_hub()
    source = "securityhub.amazonaws.com"
    assert _params(emu, source, "EnableSecurityHub") == {"enableDefaultStandards": False}
    assert _recorded(emu, source, "DisableSecurityHub")["requestParameters"] is None


@check
def eks_efs_opensearch_and_api_gateway_calls_carry_cloudtrail_names(
    emu: EmulatorProcess, c: Clients
) -> None:
    eks = c.of(R, "eks", REGION)
    eks.create_cluster(
        name="restnames-cluster",
        roleArn=f"arn:aws:iam::{R}:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"], "endpointPublicAccess": True},
    )
    eks.describe_cluster(name="restnames-cluster")
    eks.list_clusters()
    source = "eks.amazonaws.com"
    created = _params(emu, source, "CreateCluster")
    assert created["name"] == "restnames-cluster", created
    assert created["resourcesVpcConfig"]["endpointPublicAccess"] is True, created
    assert _params(emu, source, "DescribeCluster") == {"name": "restnames-cluster"}
    _recorded(emu, source, "ListClusters")

    efs = c.of(R, "efs", REGION)
    efs.create_file_system(CreationToken="restnames-fs", Encrypted=False)
    efs.describe_file_systems()
    source = "elasticfilesystem.amazonaws.com"
    created = _params(emu, source, "CreateFileSystem")
    assert created["creationToken"] == "restnames-fs" and created["encrypted"] is False, created
    _recorded(emu, source, "DescribeFileSystems")

    opensearch = c.of(R, "opensearch", REGION)
    opensearch.create_domain(DomainName="restnames-domain")
    opensearch.describe_domain(DomainName="restnames-domain")
    assert _params(emu, "es.amazonaws.com", "CreateDomain")["domainName"] == "restnames-domain"
    assert _params(emu, "es.amazonaws.com", "DescribeDomain") == {"domainName": "restnames-domain"}

    api = c.of(R, "apigateway", REGION).create_rest_api(name="restnames-api")["id"]
    c.of(R, "apigateway", REGION).get_stages(restApiId=api)
    c.of(R, "apigatewayv2", REGION).create_api(Name="restnames-http", ProtocolType="HTTP")
    source = "apigateway.amazonaws.com"
    assert _params(emu, source, "CreateRestApi") == {"name": "restnames-api"}
    assert _params(emu, source, "GetStages") == {"restApiId": api}
    assert _params(emu, source, "CreateApi") == {"name": "restnames-http", "protocolType": "HTTP"}

    # ECR speaks JSON-RPC (X-Amz-Target): named by its target, as before.
    c.of(R, "ecr", REGION).create_repository(repositoryName="restnames-repo")
    assert _params(emu, "ecr.amazonaws.com", "CreateRepository") == {
        "repositoryName": "restnames-repo"
    }


@check
def bedrock_calls_carry_cloudtrail_names(emu: EmulatorProcess, c: Clients) -> None:
    bedrock = c.of(R, "bedrock", "us-east-1")
    bedrock.put_model_invocation_logging_configuration(
        loggingConfig={"textDataDeliveryEnabled": True, "s3Config": {"bucketName": "logs"}}
    )
    bedrock.get_model_invocation_logging_configuration()
    bedrock.delete_model_invocation_logging_configuration()
    _ignore_errors(bedrock.list_foundation_models)  # moto lacks it
    runtime = c.of(R, "bedrock-runtime", "us-east-1")
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    runtime.invoke_model(modelId=model, body=json.dumps({"prompt": "secret prompt"}))
    source = "bedrock.amazonaws.com"
    put = _params(emu, source, "PutModelInvocationLoggingConfiguration")
    assert put["loggingConfig"]["s3Config"] == {"bucketName": "logs"}, put
    for name in (
        "GetModelInvocationLoggingConfiguration",
        "DeleteModelInvocationLoggingConfiguration",
    ):
        _recorded(emu, source, name)
    _recorded(emu, source, "ListFoundationModels")
    invoked = _params(emu, source, "InvokeModel")
    assert invoked["modelId"] == model, invoked
    assert "secret prompt" not in json.dumps(invoked), invoked  # the payload is never logged


# ---- the matcher alone --------------------------------------------------------------------

#: (signing name, method, path, query) -> CloudTrail eventName, for calls moto may not serve.
ROUTES: list[tuple[str, str, str, dict[str, list[str]], str]] = [
    (
        "lambda",
        "GET",
        "/2015-03-31/functions/f/configuration",
        {},
        "GetFunctionConfiguration20150331v2",
    ),
    (
        "lambda",
        "PUT",
        "/2015-03-31/functions/f/configuration",
        {},
        "UpdateFunctionConfiguration20150331v2",
    ),
    ("lambda", "DELETE", "/2015-03-31/functions/f", {}, "DeleteFunction20150331"),
    ("lambda", "POST", "/2015-03-31/functions/f/versions", {}, "PublishVersion20150331"),
    ("lambda", "POST", "/2015-03-31/functions/f/aliases", {}, "CreateAlias20150331"),
    ("lambda", "GET", "/2015-03-31/functions/f/policy", {}, "GetPolicy20150331v2"),
    ("lambda", "DELETE", "/2015-03-31/functions/f/policy/s1", {}, "RemovePermission20150331v2"),
    ("lambda", "GET", "/2021-10-31/functions/f/url", {}, "GetFunctionUrlConfig"),
    ("lambda", "POST", "/2018-10-31/layers/l/versions", {}, "PublishLayerVersion20181031"),
    (
        "lambda",
        "POST",
        "/2018-10-31/layers/l/versions/3/policy",
        {},
        "AddLayerVersionPermission20181031",
    ),
    (
        "lambda",
        "GET",
        "/2018-10-31/layers",
        {"find": ["LayerVersion"]},
        "GetLayerVersionByArn20181031",
    ),
    ("lambda", "GET", "/2018-10-31/layers", {}, "ListLayers20181031"),
    (
        "lambda",
        "POST",
        "/2015-03-31/event-source-mappings/",
        {},
        "CreateEventSourceMapping20150331",
    ),
    ("lambda", "PUT", "/2017-10-31/functions/f/concurrency", {}, "PutFunctionConcurrency20171031"),
    (
        "lambda",
        "POST",
        "/2017-03-31/tags/arn:aws:lambda:eu-west-1:1:function:f",
        {},
        "TagResource20170331v2",
    ),
    ("guardduty", "POST", "/detector/d1/findings", {}, "ListFindings"),
    ("guardduty", "POST", "/detector/d1/findings/get", {}, "GetFindings"),
    ("guardduty", "POST", "/detector/d1/filter", {}, "CreateFilter"),
    (
        "guardduty",
        "DELETE",
        "/detector/d1/publishingDestination/p1",
        {},
        "DeletePublishingDestination",
    ),
    ("guardduty", "POST", "/detector/d1/member/disassociate", {}, "DisassociateMembers"),
    ("securityhub", "POST", "/standards/register", {}, "BatchEnableStandards"),
    ("securityhub", "POST", "/standards/deregister", {}, "BatchDisableStandards"),
    ("eks", "POST", "/clusters/c/update-config", {}, "UpdateClusterConfig"),
    ("eks", "POST", "/clusters/c/node-groups", {}, "CreateNodegroup"),
    ("eks", "POST", "/clusters/c/access-entries", {}, "CreateAccessEntry"),
    ("elasticfilesystem", "PUT", "/2015-02-01/file-systems/fs-1/policy", {}, "PutFileSystemPolicy"),
    ("bedrock", "GET", "/foundation-models", {}, "ListFoundationModels"),
    (
        "bedrock",
        "POST",
        "/model/m/invoke-with-response-stream",
        {},
        "InvokeModelWithResponseStream",
    ),
    ("bedrock", "POST", "/model/m/converse", {}, "Converse"),
    # An inference-profile ARN's `%2F` arrives decoded: the label still takes it.
    (
        "bedrock",
        "POST",
        "/model/arn:aws:bedrock:us-east-1:1:inference-profile/p/invoke",
        {},
        "InvokeModel",
    ),
    ("rolesanywhere", "POST", "/trustanchors", {}, "CreateTrustAnchor"),
    ("rolesanywhere", "POST", "/profiles", {}, "CreateProfile"),
    ("rolesanywhere", "POST", "/crls", {}, "ImportCrl"),
    ("rolesanywhere", "PATCH", "/crl/c1", {}, "UpdateCrl"),
    ("es", "POST", "/2021-01-01/opensearch/domain/d/config", {}, "UpdateDomainConfig"),
    ("es", "DELETE", "/2021-01-01/opensearch/domain/d", {}, "DeleteDomain"),
    ("es", "POST", "/2015-01-01/es/domain", {}, "CreateElasticsearchDomain"),
    ("apigateway", "POST", "/restapis", {"mode": ["import"]}, "ImportRestApi"),
    ("apigateway", "PATCH", "/restapis/a1/stages/prod", {}, "UpdateStage"),
    ("apigateway", "GET", "/v2/apis", {}, "GetApis"),
    # Route 53 is REST-XML, routed like CloudFront so faults can name its reads.
    ("route53", "GET", "/2013-04-01/hostedzone", {}, "ListHostedZones"),
    ("route53", "GET", "/2013-04-01/queryloggingconfig", {}, "ListQueryLoggingConfigs"),
    ("route53", "POST", "/2013-04-01/hostedzone/Z1/rrset", {}, "ChangeResourceRecordSets"),
]


@check
def matcher_names_rest_routes_moto_does_not_serve(emu: EmulatorProcess, c: Clients) -> None:
    wrong = []
    for service, method, path, query, expected in ROUTES:
        call = restnames.match(service, method, path, query)
        got = call.event_name if call else None
        if got != expected:
            wrong.append((service, method, path, got, expected))
    assert not wrong, wrong
    assert restnames.match("lambda", "GET", "/no/such/route", {}) is None
    assert restnames.match("nosuchservice", "GET", "/x", {}) is None


def _raw_parameters(
    service: str, method: str, path: str, body: Any, query: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    call = restnames.match(service, method, path, query or {})
    assert call is not None, (service, method, path)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return call.request_parameters(query or {}, {}, raw)


@check
def matcher_builds_cloudtrail_request_parameters(emu: EmulatorProcess, c: Clients) -> None:
    anchor = {
        "name": "corp-ca",
        "source": {"sourceType": "CERTIFICATE_BUNDLE", "sourceData": {"x509CertificateData": "x"}},
        "enabled": True,
    }
    params = _raw_parameters("rolesanywhere", "POST", "/trustanchors", anchor)
    assert params == anchor, params
    params = _raw_parameters(
        "rolesanywhere",
        "POST",
        "/profiles",
        {"name": "p", "roleArns": ["arn:aws:iam::1:role/r"], "durationSeconds": 3600},
    )
    assert params == {"name": "p", "roleArns": ["arn:aws:iam::1:role/r"], "durationSeconds": 3600}
    # A binary payload (the prompt) is left out; the model comes from the path.
    params = _raw_parameters("bedrock", "POST", "/model/m1/invoke", b'{"prompt": "hi"}')
    assert params == {"modelId": "m1"}, params
    params = _raw_parameters(
        "bedrock", "POST", "/model/m1/converse", {"messages": [{"role": "user"}]}
    )
    assert params == {"modelId": "m1", "messages": [{"role": "user"}]}, params
    # Lambda's PascalCase body becomes camelCase; query values are typed.
    params = _raw_parameters(
        "lambda",
        "POST",
        "/2015-03-31/functions/f/policy",
        {
            "StatementId": "s",
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "SourceArn": "arn:aws:s3:::b",
        },
        {"Qualifier": ["prod"]},
    )
    assert params == {
        "functionName": "f",
        "qualifier": "prod",
        "statementId": "s",
        "action": "lambda:InvokeFunction",
        "principal": "s3.amazonaws.com",
        "sourceArn": "arn:aws:s3:::b",
    }, params
    params = _raw_parameters("lambda", "GET", "/2015-03-31/functions/", b"", {"MaxItems": ["7"]})
    assert params == {"maxItems": 7}, params
    params = _raw_parameters("guardduty", "DELETE", "/detector/d1", b"")
    assert params == {"detectorId": "d1"}, params


@check
def unknown_rest_routes_keep_the_path_segment_fallback(emu: EmulatorProcess, c: Clients) -> None:
    def request(service: str, method: str, path: str) -> AwsRequest:
        auth = (
            f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/{service}/"
            "aws4_request, SignedHeaders=host, Signature=0"
        )
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "HTTP_AUTHORIZATION": auth,
            "wsgi.input": io.BytesIO(b""),
        }
        return AwsRequest.from_environ(environ)

    known = request("lambda", "DELETE", "/2015-03-31/functions/f")
    assert known.operation == "DeleteFunction20150331", known.operation
    assert known.request_parameters() == {"functionName": "f"}
    unknown = request("lambda", "GET", "/2015-03-31/gadgets/g1")
    assert unknown.operation == "GetGadgets", unknown.operation
    assert unknown.protocol == "rest-json" and unknown.rest is None
    # Under a known prefix (`/functions/{FunctionName}`) but not a known route: no guess.
    deeper = request("lambda", "GET", "/2015-03-31/functions/f/gadgets/g1")
    assert deeper.rest is None and deeper.operation == "GetFunctionsF", deeper.operation
