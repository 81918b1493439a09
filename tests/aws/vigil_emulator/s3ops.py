"""S3 REST requests have no operation name on the wire: derive CloudTrail's eventName.

Good enough for what Vigil's tests exercise (bucket configuration calls and object access),
not a complete S3 router. Path-style addressing only (clients must force path style).
"""

from __future__ import annotations

#: Bucket sub-resource (query key) -> operation suffix.
_BUCKET_SUBRESOURCES = {
    "acl": "BucketAcl",
    "policy": "BucketPolicy",
    "policyStatus": "BucketPolicyStatus",
    "publicAccessBlock": "PublicAccessBlock",
    "encryption": "BucketEncryption",
    "versioning": "BucketVersioning",
    "tagging": "BucketTagging",
    "logging": "BucketLogging",
    "lifecycle": "BucketLifecycle",
    "cors": "BucketCors",
    "website": "BucketWebsite",
    "ownershipControls": "BucketOwnershipControls",
    "notification": "BucketNotification",
    "replication": "BucketReplication",
    "object-lock": "ObjectLockConfiguration",
    "location": "BucketLocation",
    "accelerate": "BucketAccelerateConfiguration",
    "requestPayment": "BucketRequestPayment",
    "analytics": "BucketAnalyticsConfiguration",
    "inventory": "BucketInventoryConfiguration",
    "metrics": "BucketMetricsConfiguration",
    "intelligent-tiering": "BucketIntelligentTieringConfiguration",
}

_OBJECT_SUBRESOURCES = {
    "acl": "ObjectAcl",
    "tagging": "ObjectTagging",
    "retention": "ObjectRetention",
    "legal-hold": "ObjectLegalHold",
    "attributes": "ObjectAttributes",
}

_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}

#: Object-level operations are CloudTrail *data* events, not management events.
DATA_OPERATIONS = {
    "GetObject",
    "PutObject",
    "DeleteObject",
    "DeleteObjects",
    "HeadObject",
    "CopyObject",
    "ListObjects",
    "ListObjectsV2",
    "ListObjectVersions",
    "ListMultipartUploads",
    "CreateMultipartUpload",
    "UploadPart",
    "UploadPartCopy",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "ListParts",
    "GetObjectAcl",
    "PutObjectAcl",
    "GetObjectTagging",
    "PutObjectTagging",
    "DeleteObjectTagging",
    "GetObjectAttributes",
    "RestoreObject",
    "GetObjectRetention",
    "PutObjectRetention",
    "GetObjectLegalHold",
    "PutObjectLegalHold",
    "SelectObjectContent",
}


def s3_operation(
    method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]
) -> str:
    """CloudTrail eventName of an S3 (or S3 Control) REST request."""
    if path.startswith("/v20180820/"):
        return _s3control_operation(method, path)
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0]
    key = parts[1] if len(parts) > 1 and parts[1] else None
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method.title()}Service"
    if key is None:
        return _bucket_operation(method, query)
    return _object_operation(method, query, headers)


def _bucket_operation(method: str, query: dict[str, list[str]]) -> str:
    for sub, name in _BUCKET_SUBRESOURCES.items():
        if sub in query:
            if name in ("BucketPolicyStatus", "BucketLocation"):
                return "Get" + name
            verb = _VERBS.get(method)
            if verb:
                return verb + name
    if method == "GET":
        if "versions" in query:
            return "ListObjectVersions"
        if "uploads" in query:
            return "ListMultipartUploads"
        return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
    if method == "POST" and "delete" in query:
        return "DeleteObjects"
    return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(
        method, f"{method.title()}Bucket"
    )


def _object_operation(method: str, query: dict[str, list[str]], headers: dict[str, str]) -> str:
    for sub, name in _OBJECT_SUBRESOURCES.items():
        if sub in query:
            verb = _VERBS.get(method)
            if verb:
                return verb + name
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
        if "restore" in query:
            return "RestoreObject"
        if "select" in query:
            return "SelectObjectContent"
    if method == "PUT":
        if "uploadId" in query:
            return "UploadPartCopy" if "x-amz-copy-source" in headers else "UploadPart"
        return "CopyObject" if "x-amz-copy-source" in headers else "PutObject"
    if method == "GET":
        return "ListParts" if "uploadId" in query else "GetObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    if method == "HEAD":
        return "HeadObject"
    return f"{method.title()}Object"


def _s3control_operation(method: str, path: str) -> str:
    resource = path[len("/v20180820/") :].strip("/")
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "POST": "Create"}.get(method, "")
    if resource.startswith("configuration/publicAccessBlock"):
        return f"{verb}AccountPublicAccessBlock"
    if resource.startswith("accesspoint"):
        if method == "GET" and resource == "accesspoint":
            return "ListAccessPoints"
        return f"{verb}AccessPoint" if method != "POST" else "CreateAccessPoint"
    head = resource.split("/", 1)[0]
    return verb + head[:1].upper() + head[1:]
