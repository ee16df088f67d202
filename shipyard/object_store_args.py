"""Blueprint `spec.objectStore` (`provider: s3`) turned into `S3BucketArgs`."""

from __future__ import annotations

from components.s3_bucket_args import S3BucketArgs, ServiceAccount
from shipyard.blueprint.object_store_checks import consumer_accounts
from shipyard.blueprint.platform import Platform


def s3_bucket_args(platform: Platform) -> S3BucketArgs | None:
    """The bucket component's arguments, or None without an object store."""
    store = platform.spec.object_store
    if store is None:
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
    )
