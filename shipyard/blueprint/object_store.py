"""`spec.objectStore`: object storage for models, datasets and checkpoints.

A discriminated union on `provider`: `s3` (a bucket Shipyard creates on AWS) today; an
in-cluster `minio` member joins the union with its own fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.names import Dns1123Label
from components.s3_bucket_args import DEFAULT_ENCRYPTION, S3BucketName, S3Encryption
from shipyard.blueprint.base import BlueprintModel


class ServiceAccountRef(BlueprintModel):
    """A Kubernetes service account allowed to use the bucket."""

    namespace: Annotated[
        Dns1123Label | None,
        Field(description="Its namespace; default the platform's `namespace`."),
    ] = None
    name: Annotated[Dns1123Label, Field(description="The service account's name.")]


class S3ObjectStore(BlueprintModel):
    """An S3 bucket: encrypted, versioned, public access blocked, protected from deletion.
    Needs `cluster.kind: eks`: its consumers reach it through IRSA."""

    provider: Annotated[Literal["s3"], Field(description="`s3`: an S3 bucket on AWS.")]
    bucket: Annotated[
        S3BucketName, Field(description="Globally unique bucket name (S3 naming rules).")
    ]
    encryption: Annotated[
        S3Encryption,
        Field(description=f"`aws:kms` or `AES256` (SSE-S3); default `{DEFAULT_ENCRYPTION}`."),
    ] = DEFAULT_ENCRYPTION
    kms_key_arn: Annotated[
        str | None,
        Field(description="KMS key for `aws:kms`; none creates a key with rotation."),
    ] = None
    allow_data_loss: Annotated[
        bool,
        Field(description="Do not protect the bucket from deletion; default false."),
    ] = False
    consumers: Annotated[
        list[ServiceAccountRef],
        Field(description="Service accounts the bucket's IRSA role trusts; none creates no role."),
    ] = []
    tags: Annotated[dict[str, str], Field(description="Tags on the bucket's AWS resources.")] = {}


ObjectStore = Annotated[S3ObjectStore, Field(discriminator="provider")]
"""`provider: s3`; a union on `provider` as more providers arrive."""
