"""Blueprint `spec.gateway` turned into the gateway component's arguments (pure)."""

from __future__ import annotations

from components.gateway import args as gateway
from components.gateway.coordination import CacheConnection, ResponseCache
from components.gateway.egress import EgressPeer
from components.gateway.hosted import HostedBackend
from components.postgres.args import POSTGRES_PORT
from components.postgres.manifests import CLUSTER_LABEL as CNPG_CLUSTER_LABEL
from components.postgres.manifests import URI_KEY, credentials_secret_name
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.analytics.args import gateway_usage_logging
from shipyard.sections.cache.args import cache_binding
from shipyard.sections.cluster.eks import EksCluster, EksVpc
from shipyard.sections.gateway.binding import app_keys
from shipyard.sections.gateway.model import (
    GatewaySpec,
    HostedModel,
    Limits,
    VirtualKeys,
    exposure_args,
)
from shipyard.sections.models.routing_args import model_endpoint


def _limits(limits: Limits | None) -> gateway.Limits:
    return gateway.Limits(rpm=limits.rpm, tpm=limits.tpm) if limits else gateway.Limits()


def gateway_args(platform: Platform) -> gateway.GatewayArgs | None:
    """The gateway's arguments: one backend per model, by served name (its router when it has
    `routing`, else its Service); None without a gateway."""
    spec = platform.spec.gateway
    if spec is None:
        return None
    served = served_names(platform)
    routes = {route.model: route for route in spec.routes}
    backends = []
    for model in platform.spec.models:
        route = routes.get(model.name)
        endpoint = model_endpoint(platform, model)
        backends.append(
            gateway.GatewayBackend(
                served_name=model.served_name,
                api_base=endpoint.url,
                pod_labels=endpoint.pod_labels,
                port=endpoint.port,
                aliases=tuple(route.aliases) if route else (),
                fallbacks=tuple(served[name] for name in route.fallbacks) if route else (),
                limits=_limits(route.limits if route else None),
            )
        )
        # Each LoRA adapter is a model of its own to clients: vLLM serves it by its name
        # from the base model's servers, and the gateway routes and limits it apart.
        backends.extend(
            gateway.GatewayBackend(
                served_name=adapter.name,
                api_base=endpoint.url,
                pod_labels=endpoint.pod_labels,
                port=endpoint.port,
                limits=_limits(adapter.limits),
            )
            for adapter in model.lora_adapters
        )
    optional: dict[str, object] = {}
    if spec.image is not None:
        optional["image"] = spec.image
    if spec.resources is not None:
        optional["cpu_request"] = spec.resources.cpu
        optional["memory_request"] = spec.resources.memory
    keys = spec.virtual_keys
    if spec.workers > 1:
        optional["workers"] = spec.workers
    return gateway.GatewayArgs(
        hosted=tuple(hosted_backend(model, served) for model in spec.hosted_models),
        cache=cache_connection(platform),
        response_cache=(
            ResponseCache(
                ttl_seconds=spec.response_cache.ttl_seconds, opt_in=spec.response_cache.opt_in
            )
            if spec.response_cache
            else None
        ),
        app_keys=app_keys(platform, served),
        request_logs=request_logs(platform, spec),
        cluster_cidrs=cluster_cidrs(platform),
        namespace=platform.namespace,
        backends=tuple(backends),
        replicas=spec.replicas,
        timeout_seconds=spec.timeout_seconds,
        retries=spec.retries,
        key_limits=_limits(spec.key_limits),
        authentication=spec.authentication,
        virtual_keys=virtual_keys_args(platform, keys) if keys else None,
        usage_logging=gateway_usage_logging(platform),
        exposure=exposure_args(spec.exposure) if spec.exposure else None,
        prometheus_metrics=platform.spec.monitoring is not None,
        **optional,
    )


def virtual_keys_args(platform: Platform, keys: VirtualKeys) -> gateway.VirtualKeys:
    """The database of LiteLLM's virtual keys: the named existing Postgres, or else
    `spec.postgres` (its credentials Secret's `uri`, its instances' pods)."""
    if keys.database_url_secret is not None and keys.database is not None:
        return gateway.VirtualKeys(
            database_url_secret=SecretKeyRef(
                name=keys.database_url_secret.name, key=keys.database_url_secret.key
            ),
            database=gateway.EgressPeer(
                pod_labels=dict(keys.database.pod_labels),
                namespace_labels=(
                    dict(keys.database.namespace_labels)
                    if keys.database.namespace_labels is not None
                    else None
                ),
                port=keys.database.port,
            ),
        )
    postgres = platform.spec.postgres
    if postgres is None:  # load_blueprint has already rejected this
        raise ValueError("`gateway.virtualKeys` needs `spec.postgres` or an existing database")
    return gateway.VirtualKeys(
        database_url_secret=SecretKeyRef(name=credentials_secret_name(postgres.name), key=URI_KEY),
        database=gateway.EgressPeer(
            pod_labels={CNPG_CLUSTER_LABEL: postgres.name}, port=POSTGRES_PORT
        ),
    )


def served_names(platform: Platform) -> dict[str, str]:
    """Blueprint name -> the name clients send: a declared model's `servedModelName`, a
    hosted model's own `name`."""
    names = {model.name: model.served_name for model in platform.spec.models}
    names.update(
        {
            adapter.name: adapter.name
            for model in platform.spec.models
            for adapter in model.lora_adapters
        }
    )
    if platform.spec.gateway is not None:
        names.update({model.name: model.name for model in platform.spec.gateway.hosted_models})
    return names


def hosted_backend(model: HostedModel, served: dict[str, str]) -> HostedBackend:
    secret = model.credential_secret
    return HostedBackend(
        served_name=model.name,
        provider=model.provider,
        model=model.model,
        credential_secret=SecretKeyRef(name=secret.name, key=secret.key) if secret else None,
        api_base=model.api_base,
        api_version=model.api_version,
        region=model.region,
        project=model.project,
        aliases=tuple(model.aliases),
        fallbacks=tuple(served.get(name, name) for name in model.fallbacks),
        limits=_limits(model.limits),
    )


def cache_connection(platform: Platform) -> CacheConnection | None:
    """`spec.cache` as the gateway reaches it; None without a cache."""
    binding = cache_binding(platform)
    if binding is None:
        return None
    return CacheConnection(
        host=binding.host,
        host_secret=binding.host_secret,
        port=binding.port,
        password_secret=binding.password_secret,
        tls=binding.tls,
        ca_secret=binding.ca_secret,
        peer=(
            EgressPeer(pod_labels=binding.admit_pod_labels, port=binding.port)
            if binding.admit_pod_labels
            else None
        ),
        cidrs=binding.admit_cidrs,
    )


def request_logs(platform: Platform, spec: GatewaySpec) -> gateway.RequestLogs | None:
    """Request logs into the S3 bucket through the gateway's service account (IRSA)."""
    logs = spec.request_logs
    cluster = platform.spec.cluster
    if logs is None or not isinstance(cluster, EksCluster):
        return None  # load_blueprint has refused a bucket that is not an S3 one on EKS
    return gateway.RequestLogs(bucket=logs.bucket, region=cluster.region, path=logs.path)


def cluster_cidrs(platform: Platform) -> tuple[str, ...]:
    """The cluster's own ranges the public egress rule must leave out too: a new VPC's."""
    cluster = platform.spec.cluster
    if isinstance(cluster, EksCluster) and cluster.creates_vpc:
        return ((cluster.vpc or EksVpc()).cidr,)
    return ()
