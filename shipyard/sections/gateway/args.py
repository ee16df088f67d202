"""Blueprint `spec.gateway` turned into the gateway component's arguments (pure)."""

from __future__ import annotations

from components.gateway import args as gateway
from components.postgres.args import POSTGRES_PORT
from components.postgres.manifests import CLUSTER_LABEL as CNPG_CLUSTER_LABEL
from components.postgres.manifests import URI_KEY, credentials_secret_name
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import VLLM_PORT
from components.vllm.manifests import selector_labels, service_url
from shipyard.blueprint.platform import Platform
from shipyard.sections.analytics.args import gateway_usage_logging
from shipyard.sections.gateway.model import Limits, VirtualKeys, exposure_args


def _limits(limits: Limits | None) -> gateway.Limits:
    return gateway.Limits(rpm=limits.rpm, tpm=limits.tpm) if limits else gateway.Limits()


def gateway_args(platform: Platform) -> gateway.GatewayArgs | None:
    """The gateway's arguments: one backend per model, by served name; None without a gateway."""
    spec = platform.spec.gateway
    if spec is None:
        return None
    served = {model.name: model.served_name for model in platform.spec.models}
    routes = {route.model: route for route in spec.routes}
    backends = []
    for model in platform.spec.models:
        route = routes.get(model.name)
        backends.append(
            gateway.GatewayBackend(
                served_name=model.served_name,
                api_base=service_url(model.name, platform.namespace),
                pod_labels=selector_labels(model.name),
                port=VLLM_PORT,
                aliases=tuple(route.aliases) if route else (),
                fallbacks=tuple(served[name] for name in route.fallbacks) if route else (),
                limits=_limits(route.limits if route else None),
            )
        )
    optional: dict[str, object] = {}
    if spec.image is not None:
        optional["image"] = spec.image
    if spec.resources is not None:
        optional["cpu_request"] = spec.resources.cpu
        optional["memory_request"] = spec.resources.memory
    keys = spec.virtual_keys
    return gateway.GatewayArgs(
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
