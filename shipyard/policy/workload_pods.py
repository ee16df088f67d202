"""The pods a resource makes, as the labels they will carry: Kubernetes workloads from their
pod templates, and the operator-managed kinds Shipyard renders (KubeRay, CloudNativePG,
the Altinity ClickHouse operator) from the labels those operators set.

Strimzi's Kafka is left out on purpose: its operator writes the NetworkPolicy of its
pods itself, from `networkPolicyPeers`, so the stack never shows one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shipyard.policy.props import dig, kubernetes_kind, labels_of, mapping, sequence

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "apps/v1:Deployment": ("spec", "template"),
    "apps/v1:StatefulSet": ("spec", "template"),
    "apps/v1:DaemonSet": ("spec", "template"),
    "apps/v1:ReplicaSet": ("spec", "template"),
    "batch/v1:Job": ("spec", "template"),
    "batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template"),
}
_RAY: dict[str, tuple[str, ...]] = {
    "ray.io/v1:RayCluster": ("spec",),
    "ray.io/v1:RayService": ("spec", "rayClusterConfig"),
    "ray.io/v1:RayJob": ("spec", "rayClusterSpec"),
}
# The labels KubeRay gives every Ray pod (ray-operator v1.6.2 common/pod.go, `labelPod`);
# a template's labels override them.
_RAY_POD_LABELS = {"ray.io/is-ray-node": "yes", "app.kubernetes.io/name": "kuberay"}
CNPG_CLUSTER = "postgresql.cnpg.io/v1:Cluster"
CHI = "clickhouse.altinity.com/v1:ClickHouseInstallation"
CHK = "clickhouse-keeper.altinity.com/v1:ClickHouseKeeperInstallation"


@dataclass(frozen=True)
class WorkloadPods:
    path: str
    """Where the pods are declared, e.g. `spec.template` or `spec.headGroupSpec.template`."""
    labels: Mapping[str, Any]


def _name(props: Mapping[str, Any]) -> str:
    return str(dig(props, "metadata", "name") or "")


def _ray_pods(kind: str, props: Mapping[str, Any]) -> list[WorkloadPods]:
    base = _RAY[kind]
    cluster = mapping(dig(props, *base))
    prefix = ".".join(base)
    own = dict(_RAY_POD_LABELS)
    if kind == "ray.io/v1:RayCluster":
        own["ray.io/cluster"] = _name(props)
    groups = [("headGroupSpec", cluster.get("headGroupSpec"))] + [
        (f"workerGroupSpecs[{index}]", group)
        for index, group in enumerate(sequence(cluster.get("workerGroupSpecs")))
    ]
    return [
        WorkloadPods(
            f"{prefix}.{path}.template",
            {**own, **labels_of(mapping(dig(group, "template")))},
        )
        for path, group in groups
        if isinstance(group, Mapping)
    ]


def workload_pods(type_token: str, props: Mapping[str, Any]) -> list[WorkloadPods]:
    """Every group of pods the resource makes, with the labels they carry; [] for others."""
    kind = kubernetes_kind(type_token)
    if kind is None:
        return []
    if kind == "core/v1:Pod":
        return [WorkloadPods("metadata", labels_of(props))]
    if kind in _TEMPLATES:
        path = _TEMPLATES[kind]
        return [WorkloadPods(".".join(path), labels_of(mapping(dig(props, *path))))]
    if kind in _RAY:
        return _ray_pods(kind, props)
    if kind == CNPG_CLUSTER:
        inherited = mapping(dig(props, "spec", "inheritedMetadata", "labels"))
        return [WorkloadPods("spec", {**inherited, "cnpg.io/cluster": _name(props)})]
    if kind == CHI:
        return [WorkloadPods("spec", {"clickhouse.altinity.com/chi": _name(props)})]
    if kind == CHK:
        return [WorkloadPods("spec", {"clickhouse-keeper.altinity.com/chk": _name(props)})]
    return []


def selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    """A Kubernetes label selector (`matchLabels`, `matchExpressions`) against labels;
    an empty selector selects every pod."""
    selector = mapping(selector)
    for label, wanted in mapping(selector.get("matchLabels")).items():
        if labels.get(label) != wanted:
            return False
    for expression in map(mapping, sequence(selector.get("matchExpressions"))):
        key, operator = str(expression.get("key")), expression.get("operator")
        values = [str(value) for value in sequence(expression.get("values"))]
        present = key in labels
        if operator == "In" and not (present and str(labels[key]) in values):
            return False
        if operator == "NotIn" and present and str(labels[key]) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
