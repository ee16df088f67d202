"""Apps bound to `spec.cache` (`uses: [{kind: cache}]`) (pure).

In the cluster each app gets a Valkey ACL user of its own (`components/cache/users.py`):
a generated password in `<cache>-<app>-credentials`, its keys and channels under its
prefix (default `<app>:`), read or read-write, no administrative command. HAProxy's
NetworkPolicy admits the app's pods on 6379, and the app's egress admits HAProxy's.

ElastiCache keeps the shared auth token: per-user access there is RBAC (a user group
attached to the replication group in place of the token), which the gateway's LiteLLM
client would then need too; so a bound app gets the token from `<cache>-auth`, its egress
admits the VPC on 6379 (the security group admits the cluster's nodes), and `access: read`
or a `keyPrefix`, which nothing would enforce, are refused."""

from __future__ import annotations

from collections.abc import Iterator

from components.app.args import AppBinding, BindingValue, ExternalEgress
from components.cache.manifests import CA_KEY
from components.cache.users import URI_KEY, USER_PASSWORD_KEY, CacheUser, user_secret_name
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.bound import app_pods, binding_name, env_prefix, peer, uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.cache.args import cache_binding
from shipyard.sections.cache.model import CacheUse, ElastiCacheSpec, ValkeyCacheSpec

DEFAULT_BINDING = "cache"


def key_prefix(app: AppSpec, use: CacheUse) -> str:
    return use.key_prefix if use.key_prefix is not None else f"{app.name}:"


def cache_users(platform: Platform) -> tuple[CacheUser, ...]:
    """One ACL user per app bound to the in-cluster cache."""
    if not isinstance(platform.spec.cache, ValkeyCacheSpec):
        return ()
    users: dict[str, CacheUser] = {}
    for app, use in uses_of(platform, "cache"):
        users.setdefault(
            app.name,
            CacheUser(
                name=app.name, key_prefix=key_prefix(app, use), read_only=use.access == "read"
            ),
        )
    return tuple(users.values())


def check_cache_use(
    platform: Platform, app: AppSpec, use: CacheUse, path: Path
) -> Iterator[Finding]:
    spec = platform.spec.cache
    if spec is None:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to `cache` but the blueprint has no `spec.cache`; "
            "declare it or remove the binding",
        )
        return
    if app.name == "default":
        yield ((*path, "kind"), "`default` is the cache's shared user; rename the app")
    if isinstance(spec, ElastiCacheSpec):
        if use.access != "readWrite":
            yield (
                (*path, "access"),
                "ElastiCache binds with the shared auth token, which cannot be read-only; "
                "use `provider: valkey` for per-app access, or remove `access`",
            )
        if use.key_prefix is not None:
            yield (
                (*path, "keyPrefix"),
                "ElastiCache binds with the shared auth token, which no key prefix limits; "
                "use `provider: valkey` for per-app keys, or remove `keyPrefix`",
            )
    bindings = [u for a, u in uses_of(platform, "cache") if a.name == app.name]
    if len(bindings) > 1 and use is not bindings[0]:
        yield (
            (*path, "kind"),
            f"app `{app.name}` binds to the cache twice; its one user has one prefix, so bind once",
        )
    if isinstance(spec, ValkeyCacheSpec) and use is bindings[0]:
        labels = app_pods(app.name)
        for index, client in enumerate(spec.clients):
            if dict(client.pod_labels) == labels:
                yield (
                    ("spec", "cache", "clients", index),
                    f"app `{app.name}` is admitted by its binding; remove this client, so "
                    "it is declared once",
                )


def bind_cache(platform: Platform, app: AppSpec, use: CacheUse) -> AppBinding:
    spec = platform.spec.cache
    reach = cache_binding(platform)
    assert spec is not None and reach is not None  # check_cache_use refuses a binding without
    name = binding_name(use, DEFAULT_BINDING)
    values: list[BindingValue] = []
    if reach.host_secret is not None:
        values.append(BindingValue(key="host", secret=reach.host_secret))
    else:
        assert reach.host is not None
        values.append(BindingValue(key="host", value=reach.host))
    values += [
        BindingValue(key="port", value=str(reach.port)),
        BindingValue(key="tls", value="true" if reach.tls else "false"),
    ]
    aliases: dict[str, str] = {}
    if isinstance(spec, ValkeyCacheSpec):
        secret = user_secret_name(spec.name, app.name)
        values += [
            BindingValue(key="username", value=app.name),
            BindingValue(key="password", secret=SecretKeyRef(name=secret, key=USER_PASSWORD_KEY)),
            BindingValue(key="uri", secret=SecretKeyRef(name=secret, key=URI_KEY)),
            BindingValue(key="key-prefix", value=key_prefix(app, use)),
        ]
        aliases["REDIS_URL"] = "uri"
    else:
        values.append(BindingValue(key="password", secret=reach.password_secret))
    if reach.ca_secret is not None:
        ca = SecretKeyRef(name=reach.ca_secret.name, key=CA_KEY)
        values.append(BindingValue(key="ca.crt", secret=ca, file_only=True, env="CA"))
    return AppBinding(
        name=name,
        type="redis",
        provider="valkey" if isinstance(spec, ValkeyCacheSpec) else "elasticache",
        env_prefix=env_prefix(name),
        values=tuple(values),
        aliases=aliases,
        egress=((peer(reach.admit_pod_labels, reach.port),) if reach.admit_pod_labels else ()),
        external_egress=tuple(
            ExternalEgress(cidr=cidr, ports=(reach.port,)) for cidr in reach.admit_cidrs
        ),
    )


def cache_grants(use: dict[str, object]) -> frozenset[str]:
    """ "`readWrite` on the cache" or "`read` on cache keys `shared:*`"."""
    access = use.get("access", "readWrite")
    prefix = use.get("keyPrefix")
    where = f"cache keys `{prefix}*`" if isinstance(prefix, str) else "the cache (its own keys)"
    return frozenset({f"`{access}` on {where}"})
