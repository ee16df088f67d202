"""Pure functions behind `S3Bucket`: the IRSA trust policy and the bucket access policy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.s3.args import S3Encryption, ServiceAccount

OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject")
BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
READ_OBJECT_ACTIONS = ("s3:GetObject",)
READ_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket")
READ_KMS_ACTIONS = ("kms:Decrypt",)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True)


def consumers_trust_policy(
    provider_arn: str, issuer_url: str, consumers: Sequence[ServiceAccount]
) -> str:
    """A trust policy for exactly the listed Kubernetes service accounts (IRSA)."""
    issuer = issuer_url.removeprefix("https://")
    subjects = sorted(f"system:serviceaccount:{sa.namespace}:{sa.name}" for sa in consumers)
    return _json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": subjects,
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


def bucket_access_policy(
    bucket_arn: str, encryption: S3Encryption, key_arn: str, write: bool = True
) -> str:
    """Read, write and list this bucket only (`write=False`: read and list); use its KMS
    key under `aws:kms` (decrypt only, without write)."""
    bucket = BUCKET_ACTIONS if write else READ_BUCKET_ACTIONS
    objects = OBJECT_ACTIONS if write else READ_OBJECT_ACTIONS
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": list(bucket), "Resource": bucket_arn},
        {"Effect": "Allow", "Action": list(objects), "Resource": f"{bucket_arn}/*"},
    ]
    if encryption == "aws:kms":
        kms = KMS_ACTIONS if write else READ_KMS_ACTIONS
        statements.append({"Effect": "Allow", "Action": list(kms), "Resource": key_arn})
    return _json({"Version": "2012-10-17", "Statement": statements})
