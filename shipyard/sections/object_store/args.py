"""Blueprint `spec.objectStore` turned into component arguments (pure): `S3BucketArgs`
for `provider: s3`, `MinioArgs` for `provider: minio`."""

from __future__ import annotations

from components.minio import args as mn
from components.postgres.manifests import CLUSTER_LABEL
from components.s3.args import S3BucketArgs, ServiceAccount
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.weights import minio_weight_users
from shipyard.sections.object_store.binding import minio_app_users, s3_app_access
from shipyard.sections.object_store.checks import (
    consumer_accounts,
    minio_store,
    postgres_backup_user,
)
from shipyard.sections.object_store.model import DEFAULT_MINIO_NAME, MinioBucketSpec, S3ObjectStore


def s3_bucket_args(platform: Platform) -> S3BucketArgs | None:
    """The bucket component's arguments, or None without an S3 object store."""
    store = platform.spec.object_store
    if not isinstance(store, S3ObjectStore):
        return None
    return S3BucketArgs(
        bucket=store.bucket,
        encryption=store.encryption,
        kms_key_arn=store.kms_key_arn,
        allow_data_loss=store.allow_data_loss,
        consumers=tuple(
            ServiceAccount(namespace=namespace, name=name)
            for namespace, name in consumer_accounts(platform, store)
        ),
        tags={**platform.metadata.labels, **store.tags},
        app_access=s3_app_access(platform),
    )


def _bucket(spec: MinioBucketSpec) -> mn.Bucket:
    return mn.Bucket(
        name=spec.name,
        versioning=spec.versioning if spec.versioning is not None else spec.object_lock,
        object_lock=spec.object_lock,
        retention=(
            mn.BucketRetention(mode=spec.retention.mode, days=spec.retention.days)
            if spec.retention is not None
            else None
        ),
    )


def _postgres_backup_user(platform: Platform) -> mn.ServiceUser | None:
    """`spec.postgres.backup` into a MinIO bucket: a read-write user for that bucket,
    admitted from the database's instance pods."""
    user, postgres = postgres_backup_user(platform), platform.spec.postgres
    if user is None or postgres is None or postgres.backup is None:
        return None
    return mn.ServiceUser(
        name=user,
        buckets=(postgres.backup.bucket,),
        pod_labels={CLUSTER_LABEL: postgres.name},
    )


def minio_name(platform: Platform) -> str:
    """The MinIO component's name (its Services and pods); `minio` without a MinIO store."""
    store = minio_store(platform)
    return store.name if store is not None else DEFAULT_MINIO_NAME


def minio_args(platform: Platform) -> mn.MinioArgs | None:
    """The MinIO component's arguments, or None without a MinIO object store."""
    store = minio_store(platform)
    if store is None:
        return None
    users = [
        mn.ServiceUser(
            name=consumer.name,
            buckets=tuple(consumer.buckets),
            access=consumer.access,
            pod_labels=dict(consumer.pod_labels),
            namespace=consumer.namespace,
        )
        for consumer in store.consumers
    ]
    backup = _postgres_backup_user(platform)
    if backup is not None:
        users.append(backup)
    users += minio_app_users(platform)
    users += minio_weight_users(platform)
    tls = store.tls
    issuer = tls.cert_manager_issuer
    optional: dict[str, object] = {}
    if store.image is not None:
        optional["image"] = store.image
    if store.client_image is not None:
        optional["client_image"] = store.client_image
    return mn.MinioArgs(
        namespace=platform.namespace,
        servers=store.servers,
        drives_per_server=store.drives_per_server,
        storage_size=store.storage.size,
        storage_class=store.storage.storage_class,
        cpu_request=store.resources.cpu,
        memory_request=store.resources.memory,
        tls=mn.MinioTls(
            issuer=mn.IssuerRef(name=issuer.name, kind=issuer.kind) if issuer else None,
            secret_name=tls.secret_name,
        ),
        buckets=tuple(_bucket(bucket) for bucket in store.buckets),
        users=tuple(users),
        allow_data_loss=store.allow_data_loss,
        **optional,
    )
