"""Arguments of the MinIO component, and the rules MinIO applies to bucket names and to
the servers x drives layout of a deployment."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs, StorageSize, problem_validator
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage

# The last MinIO server and client images published upstream. The community edition is
# source-only since October 2025 (no newer images) and its repository is archived; see
# docs/minio.md before choosing another `image`.
MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z"
MC_IMAGE = "minio/mc:RELEASE.2025-08-13T08-35-41Z"
S3_PORT = 9000
# The UID the containers run as (the images run as any UID).
MINIO_USER = 1000
DEFAULT_SERVERS = 4
DEFAULT_DRIVES_PER_SERVER = 1
DEFAULT_CPU_REQUEST = "500m"
DEFAULT_MEMORY_REQUEST = "2Gi"
DEFAULT_CLUSTER_DOMAIN = "cluster.local"
IssuerKind = Literal["Issuer", "ClusterIssuer"]
DEFAULT_ISSUER_KIND: IssuerKind = "ClusterIssuer"
RetentionMode = Literal["governance", "compliance"]
DEFAULT_RETENTION_MODE: RetentionMode = "governance"
Access = Literal["readwrite", "readonly"]
DEFAULT_ACCESS: Access = "readwrite"
MAX_RETENTION_DAYS = 36500

# Erasure set sizes MinIO accepts (`setSizes` in cmd/endpoint-ellipses.go of minio/minio,
# RELEASE.2025-09-07): a pool's drives are split into sets of 2 to 16 drives.
ERASURE_SET_SIZES = range(2, 17)
# MinIO's access keys are at least 3 characters (internal/auth/credentials.go).
ACCESS_KEY_MIN = 3
BUCKET_NAME_MIN, BUCKET_NAME_MAX = 3, 63
# minio-go pkg/s3utils `CheckValidBucketNameStrict`, which MinIO's server applies.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def bucket_name_problem(name: str) -> str | None:
    """Why MinIO refuses `name` as a bucket name, or None."""
    if not BUCKET_NAME_MIN <= len(name) <= BUCKET_NAME_MAX:
        return (
            f"`{name}` is not a valid bucket name: it must be {BUCKET_NAME_MIN} to "
            f"{BUCKET_NAME_MAX} characters, got {len(name)}"
        )
    if not _BUCKET_NAME.fullmatch(name):
        return (
            f"`{name}` is not a valid bucket name: use lowercase letters, digits, `.` and `-`, "
            "starting and ending with a letter or digit"
        )
    for pair in ("..", ".-", "-."):
        if pair in name:
            return f"`{name}` is not a valid bucket name: it must not contain `{pair}`"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return None
    return f"`{name}` is not a valid bucket name: it must not look like an IP address"


def erasure_set_sizes(servers: int, drives_per_server: int) -> list[int]:
    """The erasure set sizes MinIO could pick for `servers` x `drives_per_server` drives:
    sizes of 2 to 16 that divide the drive count and spread evenly over the servers
    (`getSetIndexes` and `possibleSetCountsWithSymmetry` in cmd/endpoint-ellipses.go)."""
    total = servers * drives_per_server
    spread = servers if servers > 1 else drives_per_server
    return [
        size
        for size in ERASURE_SET_SIZES
        if total % size == 0 and (size % spread == 0 or spread % size == 0)
    ]


def drive_layout_problem(servers: int, drives_per_server: int) -> str | None:
    """Why MinIO refuses to start on this layout, or None. One server with one drive runs
    standalone; anything else is erasure coded and needs a valid erasure set size."""
    if servers < 1 or drives_per_server < 1:
        return "`servers` and `drivesPerServer` must each be at least 1"
    if servers == 1 and drives_per_server == 1:
        return None
    if erasure_set_sizes(servers, drives_per_server):
        return None
    total = servers * drives_per_server
    return (
        f"MinIO cannot split {servers} server(s) x {drives_per_server} drive(s) = {total} "
        "drives into erasure sets of 2 to 16 drives spread evenly over the servers; use e.g. "
        "4 servers x 1 drive or 2 servers x 2 drives"
    )


BucketName = Annotated[str, problem_validator(bucket_name_problem)]


class BucketRetention(ComponentArgs):
    """A default object-lock retention applied to every new object version."""

    mode: Annotated[
        RetentionMode,
        Field(
            description="`governance` (privileged users may shorten it) or `compliance` "
            f"(nobody may); default `{DEFAULT_RETENTION_MODE}`."
        ),
    ] = DEFAULT_RETENTION_MODE
    days: Annotated[
        int, Field(ge=1, le=MAX_RETENTION_DAYS, description="How long versions are locked.")
    ]


class Bucket(ComponentArgs):
    name: Annotated[BucketName, Field(description="Bucket name (MinIO's naming rules).")]
    versioning: Annotated[
        bool, Field(description="Keep every version of every object; default false.")
    ] = False
    object_lock: Annotated[
        bool,
        Field(
            description="Create the bucket with object lock (implies versioning); default false."
        ),
    ] = False
    retention: Annotated[
        BucketRetention | None, Field(description="Default retention; needs `object_lock`.")
    ] = None

    @model_validator(mode="after")
    def _lock(self) -> Bucket:
        if self.retention is not None and not self.object_lock:
            raise ValueError(f"bucket `{self.name}`: `retention` needs `object_lock`")
        if self.object_lock and not self.versioning:
            raise ValueError(f"bucket `{self.name}`: `object_lock` needs `versioning`")
        return self


class ServiceUser(ComponentArgs):
    """A MinIO user for one consumer, allowed only its buckets, and the pods that use it."""

    name: Annotated[
        Dns1123Label,
        Field(min_length=ACCESS_KEY_MIN, description="The user's access key; names its Secret."),
    ]
    buckets: Annotated[tuple[str, ...], Field(description="Buckets its policy allows.")] = ()
    access: Annotated[
        Access, Field(description=f"`readwrite` or `readonly`; default `{DEFAULT_ACCESS}`.")
    ] = DEFAULT_ACCESS
    read_buckets: Annotated[
        tuple[str, ...],
        Field(description="More buckets it may only read, whatever `access` says."),
    ] = ()
    pod_labels: Annotated[
        Labels,
        Field(min_length=1, description="Labels of the pods admitted on the S3 port."),
    ]
    namespace: Annotated[
        Dns1123Label | None,
        Field(description="The pods' namespace; default the store's namespace."),
    ] = None

    @model_validator(mode="after")
    def _some_bucket(self) -> ServiceUser:
        if not self.buckets and not self.read_buckets:
            raise ValueError(f"user `{self.name}` needs at least one bucket")
        if set(self.buckets) & set(self.read_buckets):
            raise ValueError(f"user `{self.name}` lists a bucket in both `buckets` lists")
        return self


class IssuerRef(ComponentArgs):
    name: Annotated[str, Field(min_length=1, description="The cert-manager issuer's name.")]
    kind: Annotated[
        IssuerKind,
        Field(description=f"`Issuer` or `ClusterIssuer`; default `{DEFAULT_ISSUER_KIND}`."),
    ] = DEFAULT_ISSUER_KIND


class MinioTls(ComponentArgs):
    """Exactly one of a cert-manager issuer (a `Certificate` is rendered) or an existing
    kubernetes.io/tls Secret."""

    issuer: Annotated[IssuerRef | None, Field(description="Issue the certificate here.")] = None
    secret_name: Annotated[
        Dns1123Label | None, Field(description="An existing kubernetes.io/tls Secret.")
    ] = None

    @model_validator(mode="after")
    def _one(self) -> MinioTls:
        if (self.issuer is None) == (self.secret_name is None):
            raise ValueError("`tls` takes exactly one of `issuer` or `secret_name`")
        return self


class MinioArgs(ComponentArgs):
    """MinIO as a StatefulSet (standalone or distributed), with TLS, buckets and users."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    servers: Annotated[
        int, Field(ge=1, description=f"MinIO server pods; default `{DEFAULT_SERVERS}`.")
    ] = DEFAULT_SERVERS
    drives_per_server: Annotated[
        int,
        Field(ge=1, description=f"PVCs per server; default `{DEFAULT_DRIVES_PER_SERVER}`."),
    ] = DEFAULT_DRIVES_PER_SERVER
    storage_size: Annotated[StorageSize, Field(description="Size of each drive, e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    cpu_request: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`."),
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST
    image: Annotated[PinnedImage, Field(description=f"Server image; default `{MINIO_IMAGE}`.")] = (
        MINIO_IMAGE
    )
    client_image: Annotated[
        PinnedImage, Field(description=f"`mc` image of the setup Job; default `{MC_IMAGE}`.")
    ] = MC_IMAGE
    tls: Annotated[MinioTls, Field(description="Where the server certificate comes from.")]
    cluster_domain: Annotated[
        str,
        Field(
            min_length=1,
            description=f"The cluster's DNS domain; default `{DEFAULT_CLUSTER_DOMAIN}`.",
        ),
    ] = DEFAULT_CLUSTER_DOMAIN
    buckets: Annotated[tuple[Bucket, ...], Field(description="Buckets the setup Job creates.")] = ()
    users: Annotated[
        tuple[ServiceUser, ...], Field(description="Service users, one per consumer.")
    ] = ()
    allow_data_loss: Annotated[
        bool,
        Field(description="Leave the StatefulSet unprotected and delete its PVCs with it."),
    ] = False

    @model_validator(mode="after")
    def _consistent(self) -> MinioArgs:
        problem = drive_layout_problem(self.servers, self.drives_per_server)
        if problem:
            raise ValueError(problem)
        names = [bucket.name for bucket in self.buckets]
        if len(set(names)) != len(names):
            raise ValueError("`buckets` names a bucket twice")
        users = [user.name for user in self.users]
        if len(set(users)) != len(users):
            raise ValueError("`users` names a user twice")
        for user in self.users:
            unknown = sorted(set(user.buckets + user.read_buckets) - set(names))
            if unknown:
                raise ValueError(f"user `{user.name}` names undeclared bucket(s) {unknown}")
        return self
