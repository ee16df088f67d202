"""Pure functions behind `S3Bucket`: the IRSA trust policy and the bucket access policy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.s3.args import S3Encryption, ServiceAccount

OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject")
BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


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


def bucket_access_policy(bucket_arn: str, encryption: S3Encryption, key_arn: str) -> str:
    """Read, write and list this bucket only; use its KMS key under `aws:kms`."""
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": bucket_arn},
        {"Effect": "Allow", "Action": list(OBJECT_ACTIONS), "Resource": f"{bucket_arn}/*"},
    ]
    if encryption == "aws:kms":
        statements.append({"Effect": "Allow", "Action": list(KMS_ACTIONS), "Resource": key_arn})
    return _json({"Version": "2012-10-17", "Statement": statements})
