"""The object store: an S3 bucket beside an EKS cluster (its IRSA role trusts the cluster's
OIDC provider), or MinIO in the cluster."""

from __future__ import annotations

import pulumi

from components.minio.component import Minio
from components.s3.component import OidcTrust, S3Bucket
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.object_store.args import minio_args, minio_name, s3_bucket_args


def compose_object_store(
    platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
) -> None:
    s3 = s3_bucket_args(platform)
    # load_blueprint rejects `s3` without `kind: eks`.
    if s3 is not None and composed.eks is not None and composed.aws_region is not None:
        composed.object_store = S3Bucket(
            s3.bucket,
            s3,
            trust=OidcTrust(
                provider_arn=composed.eks.oidc_provider_arn,
                issuer_url=composed.eks.oidc_issuer_url,
            ),
            opts=pulumi.ResourceOptions(providers=[composed.aws_region]),
        )
    minio = minio_args(platform)
    if minio is not None:
        composed.minio = Minio(
            minio_name(platform),
            minio,
            opts=composed.in_namespace(),
            credentials=inputs.credentials,
        )
