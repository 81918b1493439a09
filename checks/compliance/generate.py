#!/usr/bin/env python3
"""Regenerates the control catalogues in this folder from Prowler's machine-readable copies
(Apache-2.0, https://github.com/prowler-cloud/prowler, prowler/compliance/aws/).

Only identifiers, sections, titles, levels and whether a control is automated are kept: no
descriptions, rationales or procedures. Usage:

    python3 checks/compliance/generate.py <prowler git dir>
"""
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The services whose FSBP controls Vigil's scans could assess (the ones it reads).
FSBP_SERVICES = {
    "Account", "ACM", "APIGateway", "CloudFront", "CloudTrail", "Config", "DynamoDB", "EC2", "ECR",
    "ECS", "EFS", "EKS", "ElastiCache", "ELB", "GuardDuty", "IAM", "KMS", "Lambda", "OpenSearch", "RDS",
    "Redshift", "Route53", "S3", "SecretsManager", "SNS", "SQS",
}


def show(git_dir, path):
    return json.loads(subprocess.check_output(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"]))


def key(control_id):
    return [int(p) if p.isdigit() else p for p in control_id.replace(".", " ").split()]


def cis(git_dir, commit):
    src = show(git_dir, "prowler/compliance/aws/cis_5.0_aws.json")
    controls, previous = [], None
    for r in src["Requirements"]:
        a = r["Attributes"][0]
        cid = r["Id"]
        # Prowler's copy spells 1.10 as "1.1" (a number formatted as a float somewhere on
        # its way): the one that follows 1.9 is 1.10.
        if cid == "1.1" and previous == "1.9":
            cid = "1.10"
        previous = cid
        controls.append({
            "id": cid,
            "section": a["Section"],
            "subsection": a.get("SubSection") or None,
            "title": r["Description"].strip(),
            "level": a["Profile"],
            "automated": a["AssessmentStatus"] == "Automated",
        })
    controls.sort(key=lambda c: key(c["id"]))
    ids = [c["id"] for c in controls]
    assert len(ids) == len(set(ids)), "duplicate control ids"
    return {
        "id": "cis-aws-5.0",
        "name": src["Name"],
        "version": "5.0.0",
        "tag": "CIS AWS Foundations v5.0.0",
        "source": f"prowler-cloud/prowler@{commit} prowler/compliance/aws/cis_5.0_aws.json (Apache-2.0)",
        "controls": controls,
    }


def fsbp(git_dir, commit):
    src = show(git_dir, "prowler/compliance/aws/aws_foundational_security_best_practices_aws.json")
    controls = []
    for r in src["Requirements"]:
        a = r["Attributes"][0]
        service = r["Id"].split(".")[0]
        if service not in FSBP_SERVICES or "[RETIRED]" in r.get("Name", ""):
            continue
        controls.append({
            "id": r["Id"],
            "section": a.get("Section") or service,
            "subsection": None,
            "title": r["Name"].strip(),
            "level": a.get("Severity"),
            "automated": True,
        })
    controls.sort(key=lambda c: key(c["id"]))
    return {
        "id": "aws-fsbp",
        "name": "AWS Foundational Security Best Practices (CloudTrail, Config, DynamoDB, EC2, ECR, EFS, GuardDuty, IAM, KMS, Lambda, RDS, S3, Secrets Manager, SNS and SQS controls)",
        "version": "1.0.0",
        "tag": "AWS FSBP",
        "source": f"prowler-cloud/prowler@{commit} prowler/compliance/aws/aws_foundational_security_best_practices_aws.json (Apache-2.0)",
        "controls": controls,
    }


def main():
    git_dir = sys.argv[1]
    commit = subprocess.check_output(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], text=True).strip()
    for name, data in (("cis_aws_5.0.json", cis(git_dir, commit)), ("aws_fsbp.json", fsbp(git_dir, commit))):
        (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(name, len(data["controls"]), "controls")


if __name__ == "__main__":
    main()
