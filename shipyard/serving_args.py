"""Blueprint `spec.gateway` and `spec.ray` turned into component arguments (pure)."""

from __future__ import annotations

from components.gateway import args as gateway
from components.postgres.args import POSTGRES_PORT
from components.postgres.manifests import CLUSTER_LABEL as CNPG_CLUSTER_LABEL
from components.postgres.manifests import URI_KEY, credentials_secret_name
from components.ray import args as ray
from components.shared.scheduling import PoolScheduling
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import VLLM_PORT
from components.vllm.manifests import selector_labels, service_url
from shipyard.analytics_args import gateway_usage_logging
from shipyard.blueprint.gateway import Limits, VirtualKeys, exposure_args
from shipyard.blueprint.platform import Platform
from shipyard.blueprint.scheduling import pool_scheduling


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


def ray_args(platform: Platform) -> ray.RayClusterArgs | None:
    """The Ray cluster's arguments, pools turned into scheduling; None without `spec.ray`."""
    spec = platform.spec.ray
    if spec is None:
        return None

    def scheduling(pool_name: str) -> PoolScheduling:
        pool = platform.pool(pool_name)
        if pool is None:  # load_blueprint has already rejected this
            raise ValueError(f"`spec.ray` names unknown pool `{pool_name}`")
        return pool_scheduling(pool)

    head_fields: dict[str, object] = {}
    if spec.head.resources is not None:
        head_fields["resources"] = ray.Resources(
            cpu=spec.head.resources.cpu, memory=spec.head.resources.memory
        )
    if spec.head.node_pool is not None:
        head_fields["scheduling"] = scheduling(spec.head.node_pool)
    groups = []
    for group in spec.worker_groups:
        fields: dict[str, object] = {}
        if group.resources is not None:
            fields["resources"] = ray.Resources(
                cpu=group.resources.cpu, memory=group.resources.memory
            )
        groups.append(
            ray.WorkerGroup(
                name=group.name,
                scheduling=scheduling(group.node_pool),
                gpus_per_worker=group.gpus_per_worker,
                min_replicas=group.min_replicas,
                max_replicas=group.max_replicas,
                image=group.image,
                **fields,
            )
        )
    ft = spec.gcs_fault_tolerance
    return ray.RayClusterArgs(
        namespace=platform.namespace,
        ray_version=spec.ray_version,
        image=spec.image,
        head=ray.RayHead(**head_fields),
        worker_groups=tuple(groups),
        idle_timeout_seconds=spec.idle_timeout_seconds,
        upscaling_mode=spec.upscaling_mode,
        gcs_fault_tolerance=(
            ray.GcsFaultTolerance(
                redis_address=ft.redis_address,
                password_secret=(
                    SecretKeyRef(name=ft.password_secret.name, key=ft.password_secret.key)
                    if ft.password_secret
                    else None
                ),
            )
            if ft
            else None
        ),
        serve_applications=tuple(
            ray.ServeApplication(
                name=app.name,
                import_path=app.import_path,
                route_prefix=app.route_prefix,
                runtime_env=dict(app.runtime_env),
                args=dict(app.args),
            )
            for app in spec.serve_applications
        ),
        install_operator=spec.install_operator,
        operator_chart_version=spec.operator_chart_version,
    )
