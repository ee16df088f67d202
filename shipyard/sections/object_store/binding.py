"""Apps bound to `spec.objectStore` (`uses: [{kind: objectStore}]`), with per-bucket
`read` or `readWrite` (pure).

MinIO: a user of the app's own (its access key is the app's name) whose policy allows
exactly those buckets, its keys in `<store>-<app>-credentials`; its pods are admitted on
the S3 port. S3: an IRSA role of the app's own, trusted by the app's ServiceAccount
alone and allowed only that access to the bucket."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue, ExternalEgress
from components.minio import args as mn
from components.minio.manifests import (
    ACCESS_KEY_KEY,
    CA_KEY,
    SECRET_KEY_KEY,
    certificate_secret_name,
    endpoint_url,
    selector_labels,
    user_secret_name,
)
from components.s3.args import AppAccess, ServiceAccount
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import app_pods, binding_name, env_prefix, peer, uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.object_store.checks import postgres_backup_user
from shipyard.sections.object_store.model import MinioObjectStore, ObjectStoreUse, S3ObjectStore

DEFAULT_BINDING = "s3"
MINIO_REGION = "us-east-1"
"""MinIO's default region; SDKs need one to sign requests."""
HTTPS = 443
ANYWHERE = "0.0.0.0/0"
"""S3 and STS are outside the cluster; the policy can only name them by port."""


def _access(platform: Platform, app: AppSpec) -> dict[str, str]:
    """Bucket -> `read` or `readWrite`, over all the app's object store bindings (the
    wider access wins)."""
    access: dict[str, str] = {}
    for bound, use in uses_of(platform, "objectStore"):
        if bound.name != app.name:
            continue
        for grant in use.buckets:
            if access.get(grant.name) != "readWrite":
                access[grant.name] = grant.access
    return access


def minio_app_users(platform: Platform) -> list[mn.ServiceUser]:
    names = dict.fromkeys(app.name for app, _ in uses_of(platform, "objectStore"))
    users = []
    for name in names:
        app = next(a for a in platform.spec.apps if a.name == name)
        access = _access(platform, app)
        users.append(
            mn.ServiceUser(
                name=name,
                buckets=tuple(b for b, level in access.items() if level == "readWrite"),
                access="readwrite",
                read_buckets=tuple(b for b, level in access.items() if level == "read"),
                pod_labels=app_pods(name),
            )
        )
    return users


def s3_app_access(platform: Platform) -> tuple[AppAccess, ...]:
    names = dict.fromkeys(app.name for app, _ in uses_of(platform, "objectStore"))
    found = []
    for name in names:
        app = next(a for a in platform.spec.apps if a.name == name)
        write = "readWrite" in _access(platform, app).values()
        account = ServiceAccount(namespace=platform.namespace, name=name)
        found.append(AppAccess(service_account=account, write=write))
    return tuple(found)


def _declared(platform: Platform) -> list[str]:
    store = platform.spec.object_store
    if isinstance(store, S3ObjectStore):
        return [store.bucket]
    if isinstance(store, MinioObjectStore):
        return [bucket.name for bucket in store.buckets]
    return []


def check_object_store_use(
    platform: Platform, app: AppSpec, use: ObjectStoreUse, path: Path
) -> Iterator[Finding]:
    store = platform.spec.object_store
    if store is None:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to `objectStore` but the blueprint has no "
            "`spec.objectStore`; declare it or remove the binding",
        )
        return
    declared = _declared(platform)
    seen: set[str] = set()
    for index, grant in enumerate(use.buckets):
        if grant.name not in declared:
            yield (
                (*path, "buckets", index, "name"),
                f"no bucket named `{grant.name}`{did_you_mean(grant.name, declared)}; declared "
                f"buckets: {', '.join(declared) or 'none'}",
            )
        elif grant.name in seen:
            yield ((*path, "buckets", index, "name"), f"bucket `{grant.name}` is listed twice")
        seen.add(grant.name)
    if isinstance(store, MinioObjectStore):
        taken = {consumer.name for consumer in store.consumers}
        backup = postgres_backup_user(platform)
        if app.name in taken or app.name == backup:
            yield (
                (*path, "kind"),
                f"MinIO already has a user `{app.name}` (a `consumers` entry or the Postgres "
                "backup user), the name of this app's own user; remove or rename that consumer",
            )
        if len(app.name) < mn.ACCESS_KEY_MIN:
            yield (
                (*path, "kind"),
                f"the app's MinIO user takes its name, which needs at least {mn.ACCESS_KEY_MIN} "
                "characters; rename the app",
            )


def _minio_binding(
    platform: Platform, app: AppSpec, store: MinioObjectStore, name: str
) -> AppBinding:
    secret = user_secret_name(store.name, app.name)
    access = _access(platform, app)
    values = [
        BindingValue(key="endpoint", value=endpoint_url(store.name, platform.namespace)),
        BindingValue(key="region", value=MINIO_REGION),
        BindingValue(key="buckets", value=",".join(access)),
        BindingValue(key="access-key-id", secret=SecretKeyRef(name=secret, key=ACCESS_KEY_KEY)),
        BindingValue(key="secret-access-key", secret=SecretKeyRef(name=secret, key=SECRET_KEY_KEY)),
    ]
    aliases = {
        "AWS_ACCESS_KEY_ID": "access-key-id",
        "AWS_SECRET_ACCESS_KEY": "secret-access-key",
        "AWS_ENDPOINT_URL_S3": "endpoint",
        "AWS_REGION": "region",
    }
    if store.tls.cert_manager_issuer is not None:
        ca = SecretKeyRef(name=certificate_secret_name(store.name), key=CA_KEY)
        values.append(BindingValue(key="ca.crt", secret=ca, file_only=True, env="CA"))
        aliases["AWS_CA_BUNDLE"] = "ca.crt"
    return AppBinding(
        name=name,
        type="s3",
        provider="minio",
        env_prefix=env_prefix(name),
        values=tuple(values),
        aliases=aliases,
        egress=(peer(selector_labels(store.name), mn.S3_PORT),),
    )


def bind_object_store(platform: Platform, app: AppSpec, use: ObjectStoreUse) -> AppBinding:
    store = platform.spec.object_store
    name = binding_name(use, DEFAULT_BINDING)
    if isinstance(store, MinioObjectStore):
        return _minio_binding(platform, app, store, name)
    assert isinstance(store, S3ObjectStore)  # check_object_store_use refuses none
    cluster = platform.spec.cluster
    region = cluster.region if isinstance(cluster, EksCluster) else ""
    access = _access(platform, app)
    # The SDK finds its role through the ServiceAccount's IRSA annotation (the compose
    # step sets it) and the web identity token EKS mounts.
    return AppBinding(
        name=name,
        type="s3",
        provider="aws",
        env_prefix=env_prefix(name),
        values=(
            BindingValue(key="bucket", value=store.bucket),
            BindingValue(key="region", value=region),
            BindingValue(key="access", value=access.get(store.bucket, "read")),
        ),
        aliases={"AWS_REGION": "region"},
        external_egress=(ExternalEgress(cidr=ANYWHERE, ports=(HTTPS,)),),
    )


def object_store_grants(use: dict[str, object]) -> frozenset[str]:
    buckets = use.get("buckets")
    if not isinstance(buckets, list):
        return frozenset()
    return frozenset(
        f"`{grant.get('access', 'read')}` on bucket `{grant.get('name')}`"
        for grant in buckets
        if isinstance(grant, dict)
    )
