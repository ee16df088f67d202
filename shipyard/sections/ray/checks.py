"""Semantic checks of `spec.ray`: worker groups on declared pools that can hold them, and
images that match `rayVersion`.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from components.ray.args import image_version_problem, token_auth_problem, worker_group_problems
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.node_pools.scheduling import pool_scheduling


def ray_gpus_wanted(platform: Platform) -> Counter[str]:
    """Pool name -> the GPUs its Ray worker groups can take at most (maxReplicas x
    gpusPerWorker), counting only groups `check_ray` accepts."""
    wanted: Counter[str] = Counter()
    ray = platform.spec.ray
    if ray is None:
        return wanted
    for group in ray.worker_groups:
        pool = platform.pool(group.node_pool)
        if pool is None or group.gpus_per_worker == 0:
            continue
        if worker_group_problems(
            group.gpus_per_worker, group.min_replicas, group.max_replicas, pool_scheduling(pool)
        ):
            continue
        wanted[pool.name] += group.max_replicas * group.gpus_per_worker
    return wanted


def check_ray(platform: Platform) -> Iterator[Finding]:
    ray = platform.spec.ray
    if ray is None:
        return
    base: Path = ("spec", "ray")
    pool_names = [pool.name for pool in platform.spec.node_pools]

    def unknown_pool(name: str) -> str:
        return (
            f"no node pool named `{name}`{did_you_mean(name, pool_names)}; "
            f"declared pools: {', '.join(pool_names) or 'none'}"
        )

    auth_problem = token_auth_problem(ray.ray_version)
    if auth_problem:
        yield ((*base, "rayVersion"), auth_problem)
    if ray.image is not None:
        problem = image_version_problem(ray.image, ray.ray_version)
        if problem:
            yield ((*base, "image"), problem.replace("`ray_version`", "`rayVersion`"))
    chart_path = ray.operator_chart_path
    if chart_path is not None and not chart_path.startswith("/"):
        yield ((*base, "operatorChartPath"), f"`{chart_path}` is not an absolute path")
    if chart_path is not None and not ray.install_operator:
        yield (
            (*base, "operatorChartPath"),
            "a chart is installed only with `installOperator: true`; set it or drop the path",
        )
    if ray.head.node_pool is not None and platform.pool(ray.head.node_pool) is None:
        yield ((*base, "head", "nodePool"), unknown_pool(ray.head.node_pool))
    counts = Counter(group.name for group in ray.worker_groups)
    seen: set[str] = set()
    for index, group in enumerate(ray.worker_groups):
        path: Path = (*base, "workerGroups", index)
        if counts[group.name] > 1 and group.name in seen:
            yield ((*path, "name"), f"`{group.name}` is used more than once")
        seen.add(group.name)
        if group.image is not None:
            problem = image_version_problem(group.image, ray.ray_version)
            if problem:
                yield ((*path, "image"), problem.replace("`ray_version`", "`rayVersion`"))
        pool = platform.pool(group.node_pool)
        if pool is None:
            yield ((*path, "nodePool"), unknown_pool(group.node_pool))
            continue
        for field, message in worker_group_problems(
            group.gpus_per_worker, group.min_replicas, group.max_replicas, pool_scheduling(pool)
        ):
            key = {"gpus_per_worker": "gpusPerWorker", "min_replicas": "minReplicas"}[field]
            yield ((*path, key), message)
