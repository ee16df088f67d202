"""`RayCluster` under Pulumi mocks, and its manifests as plain data."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from components.ray.args import (
    KUBERAY_CHART_REPO,
    KUBERAY_VERSION,
    GcsFaultTolerance,
    ServeApplication,
)
from components.ray.component import TYPE_TOKEN, RayCluster, RayClusterArgs, WorkerGroup
from components.ray.manifests import render_custom_resource, render_serve_config
from components.shared.scheduling import PoolScheduling, Taint
from components.shared.secret_refs import SecretKeyRef
from tests.components.pulumi_recorder import Recorder

GPU_POOL = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=4,
)
CPU_POOL = PoolScheduling(pool="cpu", node_selector={"shipyard.dev/pool": "cpu"})
RELEASE = "kubernetes:helm.sh/v3:Release"
RAY_CLUSTER = "kubernetes:ray.io/v1:RayCluster"


def make_args(**overrides: Any) -> RayClusterArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "worker_groups": (
            WorkerGroup(name="gpu", scheduling=GPU_POOL, gpus_per_worker=2, max_replicas=3),
            WorkerGroup(name="cpu", scheduling=CPU_POOL, min_replicas=1, max_replicas=2),
        ),
    }
    return RayClusterArgs(**{**fields, **overrides})


def deploy(args: RayClusterArgs) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        cluster = RayCluster("ray", args)
        return pulumi.Output.all(cluster.cluster_name, cluster.kind, cluster.head_service).apply(
            lambda values: outputs.update(zip(["name", "kind", "head"], values, strict=True))
        )

    program()
    return outputs


def test_the_operator_release_is_pinned_and_comes_first(monitor: Recorder) -> None:
    outputs = deploy(make_args())
    assert outputs == {"name": "ray", "kind": "RayCluster", "head": "ray-head-svc"}
    release = monitor.one(RELEASE)
    assert release.inputs["chart"] == "kuberay-operator"
    assert release.inputs["version"] == KUBERAY_VERSION == "1.6.2"
    assert release.inputs["repositoryOpts"] == {"repo": KUBERAY_CHART_REPO}
    operator = monitor.one("shipyard:compute:KubeRayOperator")
    cluster = monitor.one(RAY_CLUSTER)
    assert operator.parent == cluster.parent == monitor.one(TYPE_TOKEN).urn
    assert release.parent == operator.urn
    # The CRDs come with the release: depending on the operator component, the
    # RayCluster waits for the release inside it.
    assert cluster.dependencies == (release.urn,)


def test_a_local_chart_path_replaces_the_repository(monitor: Recorder) -> None:
    deploy(make_args(operator_chart_path="/srv/charts/kuberay-operator"))
    release = monitor.one(RELEASE)
    assert release.inputs["chart"] == "/srv/charts/kuberay-operator"
    assert release.inputs["version"] == KUBERAY_VERSION
    assert "repositoryOpts" not in release.inputs


def test_a_relative_chart_path_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"operator_chart_path\n  String should match"):
        make_args(operator_chart_path="charts/kuberay-operator")


def test_install_operator_false_uses_the_clusters_operator(monitor: Recorder) -> None:
    deploy(make_args(install_operator=False))
    assert [r.type for r in monitor.recorded if r.type == RELEASE] == []
    assert monitor.one(RAY_CLUSTER).dependencies == ()


def test_workers_take_gpus_selector_and_tolerations_from_their_pool() -> None:
    spec = render_custom_resource("ray", make_args())["spec"]
    gpu, cpu = spec["workerGroupSpecs"]
    pod = gpu["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == "rayproject/ray:2.52.0-gpu"
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert pod["nodeSelector"] == {"shipyard.dev/pool": "gpu"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"}
    ]
    assert (gpu["minReplicas"], gpu["maxReplicas"], gpu["replicas"]) == (0, 3, 0)
    [cpu_container] = cpu["template"]["spec"]["containers"]
    assert cpu_container["image"] == "rayproject/ray:2.52.0"
    assert "nvidia.com/gpu" not in cpu_container["resources"]["limits"]
    assert "tolerations" not in cpu["template"]["spec"]
    head = spec["headGroupSpec"]
    assert head["rayStartParams"]["num-gpus"] == "0"
    assert head["serviceType"] == "ClusterIP" and head["enableIngress"] is False
    assert spec["autoscalerOptions"]["version"] == "v2"
    assert spec["autoscalerOptions"]["idleTimeoutSeconds"] == 60
    assert spec["enableInTreeAutoscaling"] is True


def test_gcs_fault_tolerance_reads_the_redis_password_from_a_secret() -> None:
    ft = GcsFaultTolerance(
        redis_address="redis:6379", password_secret=SecretKeyRef(name="redis", key="password")
    )
    spec = render_custom_resource("ray", make_args(gcs_fault_tolerance=ft))["spec"]
    assert spec["gcsFaultToleranceOptions"] == {
        "redisAddress": "redis:6379",
        "redisPassword": {"valueFrom": {"secretKeyRef": {"name": "redis", "key": "password"}}},
    }


def test_serve_applications_make_a_ray_service() -> None:
    app = ServeApplication(name="echo", import_path="echo:app", route_prefix="/echo")
    resource = render_custom_resource("ray", make_args(serve_applications=(app,)))
    assert resource["kind"] == "RayService"
    assert render_serve_config(make_args(serve_applications=(app,))) == {
        "http_options": {"host": "0.0.0.0", "port": 8000},
        "applications": [{"name": "echo", "import_path": "echo:app", "route_prefix": "/echo"}],
    }


def test_args_reject_gpu_workers_on_a_cpu_pool_and_a_mismatched_image() -> None:
    with pytest.raises(ValidationError, match=r"`gpus_per_worker`: pool `cpu` has no GPUs"):
        WorkerGroup(name="g", scheduling=CPU_POOL, gpus_per_worker=1, max_replicas=1)
    with pytest.raises(ValidationError, match=r"`min_replicas`: must not exceed"):
        WorkerGroup(name="g", scheduling=CPU_POOL, min_replicas=3, max_replicas=1)
    with pytest.raises(ValidationError, match=r"image tag `2.9.0` does not match"):
        make_args(image="rayproject/ray:2.9.0")
