"""Blueprint `spec.ray` turned into the Ray component's arguments (pure)."""

from __future__ import annotations

from components.ray import args as ray
from components.shared.scheduling import PoolScheduling
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.charts.mirrors import mirrored
from shipyard.sections.node_pools.scheduling import pool_scheduling


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
        operator_chart_repository=mirrored(platform.spec.chart_mirrors, ray.KUBERAY_CHART_REPO),
        operator_chart_version=spec.operator_chart_version,
        operator_chart_path=spec.operator_chart_path,
    )
