"""`spec.objectStore`: object storage for models, datasets and checkpoints.

A discriminated union on `provider`: `s3` (a bucket Shipyard creates on AWS) or `minio`
(an in-cluster MinIO StatefulSet with its buckets and service users; docs/minio.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.minio import args as mn
from components.s3.args import DEFAULT_ENCRYPTION, S3BucketName, S3Encryption
from components.shared.aws_values import AwsTags
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase
from shipyard.sections.gateway.model import CertManagerIssuer


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
    tags: Annotated[AwsTags, Field(description="Tags on the bucket's AWS resources.")] = {}


DEFAULT_MINIO_NAME = "minio"


class MinioStorage(BlueprintModel):
    size: Annotated[str, Field(description="Size of each drive (PVC), e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class MinioResources(BlueprintModel):
    cpu: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{mn.DEFAULT_CPU_REQUEST}`."),
    ] = mn.DEFAULT_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{mn.DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = mn.DEFAULT_MEMORY_REQUEST


class MinioTlsSpec(BlueprintModel):
    """Exactly one of `certManagerIssuer` or `secretName`."""

    cert_manager_issuer: Annotated[
        CertManagerIssuer | None,
        Field(description="A cert-manager issuer; Shipyard renders the `Certificate`."),
    ] = None
    secret_name: Annotated[
        Dns1123Label | None,
        Field(description="An existing kubernetes.io/tls Secret in the namespace."),
    ] = None


class BucketRetentionSpec(BlueprintModel):
    mode: Annotated[
        mn.RetentionMode,
        Field(
            description="`governance` or `compliance` (nobody may shorten it); default "
            f"`{mn.DEFAULT_RETENTION_MODE}`."
        ),
    ] = mn.DEFAULT_RETENTION_MODE
    days: Annotated[int, Field(description="Days each object version stays locked.")]


class MinioBucketSpec(BlueprintModel):
    name: Annotated[str, Field(description="Bucket name: 3-63 lowercase letters, digits, . and -.")]
    versioning: Annotated[
        bool | None,
        Field(description="Keep every object version; default false, true with `objectLock`."),
    ] = None
    object_lock: Annotated[
        bool, Field(description="Create the bucket with object lock (WORM); default false.")
    ] = False
    retention: Annotated[
        BucketRetentionSpec | None,
        Field(description="Default retention of new versions; needs `objectLock: true`."),
    ] = None


class MinioConsumer(BlueprintModel):
    """Pods that use the store: a MinIO user of their own, limited to `buckets`, and
    admitted on the S3 port."""

    name: Annotated[
        Dns1123Label,
        Field(description="The user's access key; its Secret is `<store>-<name>-credentials`."),
    ]
    namespace: Annotated[
        Dns1123Label | None,
        Field(description="The pods' namespace; default the platform's `namespace`."),
    ] = None
    pod_labels: Annotated[Labels, Field(min_length=1, description="Labels the client pods carry.")]
    buckets: Annotated[
        list[str], Field(min_length=1, description="Declared buckets its policy allows.")
    ]
    access: Annotated[
        mn.Access, Field(description=f"`readwrite` or `readonly`; default `{mn.DEFAULT_ACCESS}`.")
    ] = mn.DEFAULT_ACCESS


class MinioObjectStore(BlueprintModel):
    """MinIO in the cluster: a StatefulSet (standalone with one server, else distributed),
    TLS always on, generated credentials, buckets and one user per consumer."""

    provider: Annotated[Literal["minio"], Field(description="`minio`: MinIO in the cluster.")]
    name: Annotated[
        ServiceName,
        Field(description=f"Names the Services and pods; default `{DEFAULT_MINIO_NAME}`."),
    ] = DEFAULT_MINIO_NAME
    servers: Annotated[
        int, Field(ge=1, description=f"Server pods; default `{mn.DEFAULT_SERVERS}`.")
    ] = mn.DEFAULT_SERVERS
    drives_per_server: Annotated[
        int,
        Field(ge=1, description=f"PVCs per server; default `{mn.DEFAULT_DRIVES_PER_SERVER}`."),
    ] = mn.DEFAULT_DRIVES_PER_SERVER
    storage: Annotated[MinioStorage, Field(description="Each drive's volume.")]
    resources: Annotated[MinioResources, Field(description="Each server's CPU and memory.")] = (
        MinioResources()
    )
    image: Annotated[
        PinnedImage | None, Field(description=f"Server image; default `{mn.MINIO_IMAGE}`.")
    ] = None
    client_image: Annotated[
        PinnedImage | None,
        Field(description=f"`mc` image of the bucket-setup Job; default `{mn.MC_IMAGE}`."),
    ] = None
    tls: Annotated[MinioTlsSpec, Field(description="The server certificate (TLS is always on).")]
    buckets: Annotated[list[MinioBucketSpec], Field(description="Buckets to create.")] = []
    consumers: Annotated[list[MinioConsumer], Field(description="Who may use which buckets.")] = []
    allow_data_loss: Annotated[
        bool,
        Field(description="Leave the StatefulSet unprotected, delete its PVCs; default false."),
    ] = False

    def bucket(self, name: str) -> MinioBucketSpec | None:
        return next((bucket for bucket in self.buckets if bucket.name == name), None)


ObjectStore = Annotated[S3ObjectStore | MinioObjectStore, Field(discriminator="provider")]
"""`provider: s3` or `provider: minio`."""


BucketAccess = Literal["read", "readWrite"]
DEFAULT_BUCKET_ACCESS: BucketAccess = "read"


class BucketGrant(BlueprintModel):
    name: Annotated[str, Field(description="A declared bucket.")]
    access: Annotated[
        BucketAccess,
        Field(description=f"`read` or `readWrite`; default `{DEFAULT_BUCKET_ACCESS}`."),
    ] = DEFAULT_BUCKET_ACCESS


class ObjectStoreUse(UseBase):
    """An app's binding to `spec.objectStore`: on MinIO a key of its own scoped to these
    buckets; on S3 an IRSA role for its ServiceAccount allowed only this access."""

    kind: Annotated[Literal["objectStore"], Field(description="`objectStore`.")]
    buckets: Annotated[list[BucketGrant], Field(min_length=1, description="Buckets and access.")]
