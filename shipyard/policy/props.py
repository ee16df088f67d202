"""Reading resource properties the same way under the engine and offline.

Under `pulumi preview` the analyzer hands rules read-only `Mapping`/`Sequence` proxies rather
than dicts and lists, so every accessor here tests against the abstract types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
"""Extended resources that mean "this container uses GPUs"."""

_K8S_WORKLOADS: dict[str, tuple[str, ...]] = {
    "core/v1:Pod": ("spec",),
    "apps/v1:Deployment": ("spec", "template", "spec"),
    "apps/v1:StatefulSet": ("spec", "template", "spec"),
    "apps/v1:DaemonSet": ("spec", "template", "spec"),
    "apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "batch/v1:Job": ("spec", "template", "spec"),
    "batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# KubeRay custom resources: the head group and every worker group carry a pod template.
_RAY_CLUSTER_SPEC: dict[str, tuple[str, ...]] = {
    "ray.io/v1:RayCluster": ("spec",),
    "ray.io/v1:RayService": ("spec", "rayClusterConfig"),
    "ray.io/v1:RayJob": ("spec", "rayClusterSpec"),
}


# The Altinity operator's installations: pod templates under `spec.templates.podTemplates`.
_CLICKHOUSE_KINDS = (
    "clickhouse.altinity.com/v1:ClickHouseInstallation",
    "clickhouse-keeper.altinity.com/v1:ClickHouseKeeperInstallation",
)


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, Sequence) and not isinstance(value, str) else ()


def dig(value: Any, *path: str) -> Any:
    """`value[path[0]][path[1]]...`, or None where a level is missing or not a mapping."""
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def kubernetes_kind(type_token: str) -> str | None:
    """`kubernetes:apps/v1:Deployment` -> `apps/v1:Deployment`; None for other providers."""
    if not type_token.startswith("kubernetes:") or type_token.startswith("kubernetes:pulumi:"):
        return None
    return type_token.removeprefix("kubernetes:")


def kind_of(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


def labels_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(dig(props, "metadata", "labels"))


def annotations_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(dig(props, "metadata", "annotations"))


def namespace_of(props: Mapping[str, Any]) -> str:
    namespace = dig(props, "metadata", "namespace")
    return namespace if isinstance(namespace, str) and namespace else "default"


@dataclass(frozen=True)
class PodSpec:
    path: str
    """Property path of the pod spec, e.g. `spec.template.spec`."""
    spec: Mapping[str, Any]


@dataclass(frozen=True)
class Container:
    path: str
    """Property path of the container, e.g. `spec.template.spec.containers[0]`."""
    name: str
    spec: Mapping[str, Any]
    pod: PodSpec

    @property
    def label(self) -> str:
        """How messages name the container: `spec.template.spec.containers[0] ("vllm")`."""
        return f'{self.path} ("{self.name}")'


def pod_specs(type_token: str, props: Mapping[str, Any]) -> list[PodSpec]:
    """Every pod spec a workload declares, with its property path."""
    kind = kubernetes_kind(type_token)
    if kind is None:
        return []
    if kind in _K8S_WORKLOADS:
        path = _K8S_WORKLOADS[kind]
        spec = dig(props, *path)
        return [PodSpec(".".join(path), spec)] if isinstance(spec, Mapping) else []
    if kind in _CLICKHOUSE_KINDS:
        templates = sequence(dig(props, "spec", "templates", "podTemplates"))
        return [
            PodSpec(f"spec.templates.podTemplates[{index}].spec", spec)
            for index, template in enumerate(templates)
            if isinstance(spec := dig(template, "spec"), Mapping)
        ]
    if kind not in _RAY_CLUSTER_SPEC:
        return []
    base = _RAY_CLUSTER_SPEC[kind]
    cluster = mapping(dig(props, *base))
    prefix = ".".join(base)
    found: list[tuple[str, Any]] = [
        (f"{prefix}.headGroupSpec.template.spec", dig(cluster, "headGroupSpec", "template", "spec"))
    ]
    for index, group in enumerate(sequence(cluster.get("workerGroupSpecs"))):
        found.append(
            (f"{prefix}.workerGroupSpecs[{index}].template.spec", dig(group, "template", "spec"))
        )
    return [PodSpec(path, spec) for path, spec in found if isinstance(spec, Mapping)]


def containers(type_token: str, props: Mapping[str, Any]) -> Iterator[Container]:
    """Every init and app container of every pod spec in the resource."""
    for pod in pod_specs(type_token, props):
        for field_name in ("initContainers", "containers"):
            for index, spec in enumerate(sequence(pod.spec.get(field_name))):
                spec = mapping(spec)
                name = spec.get("name")
                yield Container(
                    path=f"{pod.path}.{field_name}[{index}]",
                    name=name if isinstance(name, str) else "",
                    spec=spec,
                    pod=pod,
                )


def gpu_resources(container: Container) -> list[str]:
    """The GPU resources the container requests or limits, sorted."""
    resources = mapping(container.spec.get("resources"))
    named = set(mapping(resources.get("requests"))) | set(mapping(resources.get("limits")))
    return sorted(name for name in named if name in GPU_RESOURCES)
