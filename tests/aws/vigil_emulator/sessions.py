"""Credentials for the harness's clients: the management account and member accounts.

The static keys are moto's default account (123456789012), standing for Vigil's own AWS
account and the organisation's management account. A member account is entered by
assuming its `OrganizationAccountAccessRole`, which the emulator bootstraps (trust.py).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

MANAGEMENT_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
MANAGEMENT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
MANAGEMENT_ACCOUNT = "123456789012"
BOOTSTRAP_ROLE = "OrganizationAccountAccessRole"


def management_session(region: str = "us-east-1") -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=MANAGEMENT_ACCESS_KEY,
        aws_secret_access_key=MANAGEMENT_SECRET_KEY,
        region_name=region,
    )


def account_session(endpoint: str, account: str, session_name: str = "vigil-seed") -> boto3.Session:
    """Credentials in `account`: assume its OrganizationAccountAccessRole."""
    sts = management_session().client("sts", endpoint_url=endpoint)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{BOOTSTRAP_ROLE}", RoleSessionName=session_name
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def control(endpoint: str, path: str, doc: Any = None, method: str = "POST") -> Any:
    data = json.dumps(doc).encode() if doc is not None else b""
    request = urllib.request.Request(
        f"{endpoint}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw.strip().startswith((b"{", b"[")) else None


def seed_moto_random(endpoint: str, value: int) -> None:
    """Seed moto's ID generator (its own /moto-api/seed endpoint)."""
    control(endpoint, f"/moto-api/seed?a={value}")
