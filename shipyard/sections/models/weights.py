"""A model's `weights`: where they are staged, the checks, and the vLLM component's
`StagedWeights` (pure).

    bucket  S3 (its IRSA role, through a service account among `objectStore.consumers`)
            or MinIO (two users Shipyard adds to the store: `weights-stager` writes,
            `weights-reader` reads, each admitted only from its pods)
    volume  a ReadWriteMany PVC written by the Job, mounted read-only by every replica
"""

from __future__ import annotations

from collections.abc import Iterator

from components.minio import args as mn
from components.minio.manifests import CA_KEY, endpoint_url, tls_secret_name, user_secret_name
from components.shared.secret_refs import SecretKeyRef
from components.vllm.manifests import model_server_labels
from components.vllm.staging import stager_labels
from components.vllm.weights_args import ObjectStoreWeights, StagedWeights, VolumeWeights
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.cost import quantity_gib
from shipyard.sections.models.model import BucketWeights, ModelSpec
from shipyard.sections.models.model import VolumeWeights as VolumeWeightsSpec
from shipyard.sections.object_store.model import MinioObjectStore, S3ObjectStore

WEIGHTS_READER = "weights-reader"
WEIGHTS_STAGER = "weights-stager"
JOB_NAME_MAX = 63
JOB_SUFFIX = len("-weights-") + 10
"""`<model>-weights-<hash>`: the Job's name, and its pods' `job-name` label."""
VOLUME_HEADROOM = 1.1
"""A volume holds the weights plus tokenizer, configs and the download metadata."""


def weights_prefix(model: ModelSpec, weights: BucketWeights) -> str:
    return weights.prefix or f"models/{model.model}/{weights.revision}"


def _object_store(
    platform: Platform, model: ModelSpec, weights: BucketWeights
) -> ObjectStoreWeights:
    store = platform.spec.object_store
    prefix = weights_prefix(model, weights)
    if isinstance(store, MinioObjectStore):
        return ObjectStoreWeights(
            bucket=weights.bucket,
            prefix=prefix,
            endpoint_url=endpoint_url(store.name, platform.namespace),
            reader_secret=user_secret_name(store.name, WEIGHTS_READER),
            stager_secret=user_secret_name(store.name, WEIGHTS_STAGER),
            ca=SecretKeyRef(name=_minio_tls_secret(platform, store), key=CA_KEY),
        )
    cluster = platform.spec.cluster
    return ObjectStoreWeights(
        bucket=weights.bucket,
        prefix=prefix,
        region=getattr(cluster, "region", None),
        service_account=weights.service_account,
    )


def _minio_tls_secret(platform: Platform, store: MinioObjectStore) -> str:
    from shipyard.sections.object_store.args import minio_args

    args = minio_args(platform)
    if args is None:  # a MinIO store always has args
        raise ValueError("spec.objectStore is not MinIO")
    return tls_secret_name(store.name, args)


def staged_weights(platform: Platform, model: ModelSpec) -> StagedWeights | None:
    """The component's `weights`, or None when the model downloads at start."""
    weights = model.weights
    if weights is None:
        return None
    if isinstance(weights, BucketWeights):
        return StagedWeights(
            revision=weights.revision,
            store=_object_store(platform, model, weights),
            concurrency=weights.concurrency,
        )
    return StagedWeights(
        revision=weights.revision,
        store=VolumeWeights(size=weights.size, storage_class=weights.storage_class),
        concurrency=weights.concurrency,
    )


def minio_weight_buckets(platform: Platform) -> list[str]:
    """The MinIO buckets models stage weights into, in order, once each."""
    if not isinstance(platform.spec.object_store, MinioObjectStore):
        return []
    buckets: list[str] = []
    for model in platform.spec.models:
        if isinstance(model.weights, BucketWeights) and model.weights.bucket not in buckets:
            buckets.append(model.weights.bucket)
    return buckets


def minio_weight_users(platform: Platform) -> list[mn.ServiceUser]:
    """The staging Jobs' user (read-write) and the model servers' (read-only)."""
    buckets = tuple(minio_weight_buckets(platform))
    if not buckets:
        return []
    return [
        mn.ServiceUser(
            name=WEIGHTS_STAGER,
            buckets=buckets,
            access="readwrite",
            # Every model's staging Job, not one model's.
            pod_labels={
                k: v for k, v in stager_labels("").items() if k != "app.kubernetes.io/instance"
            },
        ),
        mn.ServiceUser(
            name=WEIGHTS_READER,
            buckets=buckets,
            access="readonly",
            pod_labels=model_server_labels(),
        ),
    ]


def _check_bucket(
    platform: Platform, path: Path, model: ModelSpec, weights: BucketWeights
) -> Iterator[Finding]:
    store = platform.spec.object_store
    if store is None:
        yield (
            (*path, "bucket"),
            "bucket weights need `spec.objectStore`; declare it, or use `type: volume`",
        )
        return
    declared = (
        [store.bucket] if isinstance(store, S3ObjectStore) else [b.name for b in store.buckets]
    )
    if weights.bucket not in declared:
        yield (
            (*path, "bucket"),
            f"no bucket `{weights.bucket}` is declared{did_you_mean(weights.bucket, declared)}; "
            f"declared buckets: {', '.join(declared) or 'none'}",
        )
    if isinstance(store, S3ObjectStore):
        trusted = [c.name for c in store.consumers if c.namespace in (None, platform.namespace)]
        if weights.service_account not in trusted:
            yield (
                (*path, "serviceAccount"),
                f"the bucket's IRSA role does not trust `{weights.service_account}`: add it to "
                "`spec.objectStore.consumers`, or name one of "
                f"{', '.join(trusted) or 'none'}",
            )
    else:
        taken = {c.name for c in store.consumers}
        for user in (WEIGHTS_STAGER, WEIGHTS_READER):
            if user in taken:
                yield (
                    ("spec", "objectStore", "consumers"),
                    f"`{user}` is the MinIO user Shipyard creates for staged weights; rename "
                    "this consumer",
                )


def _check_volume(path: Path, model: ModelSpec, weights: VolumeWeightsSpec) -> Iterator[Finding]:
    from shipyard.sections.models.cold_start import weights_gib

    needed = weights_gib(model)
    size = quantity_gib(weights.size)
    if needed is not None and size < needed * VOLUME_HEADROOM:
        yield (
            (*path, "size"),
            f"`{weights.size}` cannot hold `{model.model}`: its weights are about "
            f"{needed:.0f} GiB; use at least {needed * VOLUME_HEADROOM:.0f}Gi",
        )


def check_weights(platform: Platform) -> Iterator[Finding]:
    for index, model in enumerate(platform.spec.models):
        weights = model.weights
        if weights is None:
            continue
        path: Path = ("spec", "models", index, "weights")
        if model.cache is not None:
            yield (
                ("spec", "models", index, "cache"),
                "`cache` and `weights` both keep the model's files; drop `cache` (staged "
                "weights are read from where they are staged)",
            )
        if len(model.name) + JOB_SUFFIX > JOB_NAME_MAX:
            yield (
                ("spec", "models", index, "name"),
                f"with `weights`, a model's name names its staging Job "
                f"(`<name>-weights-<hash>`): use at most {JOB_NAME_MAX - JOB_SUFFIX} characters",
            )
        if isinstance(weights, BucketWeights):
            yield from _check_bucket(platform, path, model, weights)
        else:
            yield from _check_volume(path, model, weights)
