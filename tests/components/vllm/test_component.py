"""`VllmService` under Pulumi mocks: the resources it registers and its outputs.

The `cluster` fixture wraps the `monitor` fixture (tests/components/conftest.py): a
fresh recording monitor and root stack per test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.shared.scheduling import PoolScheduling, Taint
from components.vllm.component import (
    TYPE_TOKEN,
    Autoscaling,
    LoraAdapter,
    ModelCache,
    SecretKeyRef,
    VllmService,
    VllmServiceArgs,
)
from components.vllm.manifests import render_engine_args
from shipyard.render import RenderedResource
from tests.components.pulumi_recorder import Recorder

POOL = PoolScheduling(
    pool="gpu-quad",
    node_selector={"shipyard.dev/pool": "gpu-quad"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=4,
)
IMAGE = "vllm/vllm-openai:v0.9.0"


def make_args(**overrides: Any) -> VllmServiceArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "model": "meta-llama/Llama-3.1-70B-Instruct",
        "served_model_name": "llama-70b",
        "scheduling": POOL,
        "image": IMAGE,
        "tensor_parallel_size": 4,
        "max_model_len": 32768,
        "lora_adapters": (LoraAdapter(name="support", path="acme/support-lora"),),
        "hf_token_secret": SecretKeyRef(name="hf-token"),
    }
    return VllmServiceArgs(**{**fields, **overrides})


@dataclass
class Cluster:
    monitor: Recorder
    outputs: dict[str, Any] = field(default_factory=dict)

    def deploy(
        self, name: str, args: VllmServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the component under `@pulumi.runtime.test` and keep its resolved outputs."""

        @pulumi.runtime.test
        def program() -> pulumi.Output[None]:
            service = VllmService(name, args, opts)

            def keep(values: list[Any]) -> None:
                urn, service_name, url, served = values
                self.outputs.update(
                    urn=urn, service_name=service_name, url=url, served_model_name=served
                )

            return pulumi.Output.all(
                service.urn, service.service_name, service.url, service.served_model_name
            ).apply(keep)

        program()

    def of_type(self, type_: str) -> list[RenderedResource]:
        return self.monitor.of_type(type_)

    def one(self, type_: str) -> RenderedResource:
        return self.monitor.one(type_)

    @property
    def types(self) -> list[str]:
        return sorted(r.type for r in self.monitor.recorded)


@pytest.fixture
def cluster(monitor: Recorder) -> Cluster:
    return Cluster(monitor)


DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"


def container(cluster: Cluster) -> dict[str, Any]:
    [found] = cluster.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    return found  # type: ignore[no-any-return]


def test_children_have_the_right_types_and_parent(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    assert cluster.types == sorted([TYPE_TOKEN, DEPLOYMENT, SERVICE, PDB, NETWORK_POLICY])
    component = cluster.one(TYPE_TOKEN)
    assert TYPE_TOKEN == "shipyard:serving:VllmService"
    assert component.name == "llama-70b"
    assert component.urn == cluster.outputs["urn"]
    assert component.urn == (
        "urn:pulumi:test::unit::pulumi:pulumi:Stack$shipyard:serving:VllmService::llama-70b"
    )
    for child in cluster.monitor.recorded:
        if child is component:
            continue
        assert child.parent == component.urn
        assert child.name == "llama-70b"
        assert child.urn == f"urn:pulumi:test::unit::{TYPE_TOKEN}${child.type}::llama-70b"


def test_outputs(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    assert cluster.outputs["service_name"] == "llama-70b"
    assert cluster.outputs["url"] == "http://llama-70b.llm.svc.cluster.local:8000/v1"
    assert cluster.outputs["served_model_name"] == "llama-70b"


def test_outputs_checked_inside_the_pulumi_test(cluster: Cluster) -> None:
    args = make_args(served_model_name="llama-3.1-70b-instruct")

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        service = VllmService("llama", args)

        def check(values: list[Any]) -> None:
            service_name, url, served = values
            assert service_name == "llama"
            assert url == "http://llama.llm.svc.cluster.local:8000/v1"
            assert served == "llama-3.1-70b-instruct"

        return pulumi.Output.all(
            service.service_name, service.url, service.served_model_name
        ).apply(check)

    program()
    assert [r.type for r in cluster.monitor.recorded].count(DEPLOYMENT) == 1


def test_a_failing_check_fails_the_test(cluster: Cluster) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        service = VllmService("llama", make_args())

        def check(url: str) -> None:
            assert url == "http://elsewhere", url

        return service.url.apply(check)

    with pytest.raises(AssertionError, match=r"http://llama\.llm\.svc\.cluster\.local:8000/v1"):
        program()


def test_deployment_image_args_and_gpu_limits(cluster: Cluster) -> None:
    args = make_args()
    cluster.deploy("llama-70b", args)
    deployment = cluster.one(DEPLOYMENT)
    assert deployment.inputs["metadata"]["name"] == "llama-70b"
    assert deployment.inputs["metadata"]["namespace"] == "llm"
    assert deployment.inputs["spec"]["replicas"] == 1
    main = container(cluster)
    assert main["image"] == "vllm/vllm-openai:v0.9.0"
    assert main["command"] == ["vllm", "serve"]
    assert main["args"] == render_engine_args(args)
    assert main["args"][:3] == [
        "meta-llama/Llama-3.1-70B-Instruct",
        "--served-model-name",
        "llama-70b",
    ]
    assert main["args"][main["args"].index("--tensor-parallel-size") + 1] == "4"
    assert main["args"][-3:] == ["--enable-lora", "--lora-modules", "support=acme/support-lora"]
    assert main["resources"]["limits"]["nvidia.com/gpu"] == "4"
    assert main["resources"]["requests"]["nvidia.com/gpu"] == "4"
    assert {
        "name": "HF_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}},
    } in main["env"]
    assert deployment.ignore_changes == ()


def test_deployment_tolerations_and_node_selector(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    pod = cluster.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"shipyard.dev/pool": "gpu-quad"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"}
    ]


def test_deployment_probes(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args(startup_timeout_seconds=3600))
    main = container(cluster)
    assert main["startupProbe"] == {
        "httpGet": {"path": "/health", "port": "http"},
        "periodSeconds": 10,
        "failureThreshold": 360,
    }
    assert main["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}


def test_deployment_security_context(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    security = container(cluster)["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    pod_security = cluster.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}


def test_service_pdb_and_network_policy(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    selector = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "llama-70b"}
    service = cluster.one(SERVICE).inputs
    assert service["spec"]["selector"] == selector
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
    ]
    pdb = cluster.one(PDB).inputs
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": selector}}
    policy = cluster.one(NETWORK_POLICY).inputs["spec"]
    assert policy["podSelector"] == {"matchLabels": selector}
    assert policy["policyTypes"] == ["Ingress"]
    [rule] = policy["ingress"]
    assert rule["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "ai-gateway"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    ]
    assert rule["ports"] == [{"port": 8000, "protocol": "TCP"}]


def test_no_cache_and_no_autoscaling_create_neither(cluster: Cluster) -> None:
    cluster.deploy("llama-70b", make_args())
    assert cluster.of_type(PVC) == []
    assert cluster.of_type(SCALED_OBJECT) == []
    volumes = cluster.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["volumes"]
    assert volumes[0] == {"name": "model-cache", "emptyDir": {}}


def test_cache_creates_a_claim_the_pod_mounts(cluster: Cluster) -> None:
    cache = ModelCache(size="400Gi", storage_class="efs-sc", access_mode="ReadWriteMany")
    cluster.deploy("llama-70b", make_args(cache=cache))
    claim = cluster.one(PVC)
    assert claim.parent == cluster.outputs["urn"]
    assert claim.inputs["metadata"]["name"] == "llama-70b-model-cache"
    assert claim.inputs["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "400Gi"}},
        "storageClassName": "efs-sc",
    }
    volumes = cluster.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["volumes"]
    assert volumes[0] == {
        "name": "model-cache",
        "persistentVolumeClaim": {"claimName": "llama-70b-model-cache"},
    }


def test_autoscaling_creates_a_scaled_object_and_leaves_replicas_to_keda(
    cluster: Cluster,
) -> None:
    scaling = Autoscaling(
        min_replicas=2, max_replicas=4, queue_target=8, prometheus_url="http://prom:9090"
    )
    cluster.deploy("llama-70b", make_args(autoscaling=scaling))
    scaled = cluster.one(SCALED_OBJECT)
    assert scaled.parent == cluster.outputs["urn"]
    assert (scaled.inputs["apiVersion"], scaled.inputs["kind"]) == (
        "keda.sh/v1alpha1",
        "ScaledObject",
    )
    spec = scaled.inputs["spec"]
    assert spec["scaleTargetRef"] == {"name": "llama-70b"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 4)
    assert spec["triggers"] == [
        {
            "type": "prometheus",
            "metadata": {
                "serverAddress": "http://prom:9090",
                "query": 'sum(vllm:num_requests_waiting{model_name="llama-70b"})',
                "threshold": "8",
            },
        }
    ]
    deployment = cluster.one(DEPLOYMENT)
    assert deployment.inputs["spec"]["replicas"] == 2
    assert deployment.ignore_changes == ("spec.replicas",)


def test_explicit_provider_reaches_every_child(cluster: Cluster) -> None:
    @pulumi.runtime.test
    def program() -> pulumi.Output[str]:
        provider = k8s.Provider("prod-cluster", context="prod")
        service = VllmService("llama", make_args(), pulumi.ResourceOptions(provider=provider))
        return service.url

    program()
    [provider] = cluster.of_type("pulumi:providers:kubernetes")
    for child in (cluster.one(DEPLOYMENT), cluster.one(SERVICE), cluster.one(PDB)):
        assert child.provider == f"{provider.urn}::prod-cluster-id"


def test_invalid_name_raises_input_properties_error(cluster: Cluster) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match=r"^Invalid VllmService name$") as raised:
        VllmService("Llama_70B", make_args())
    assert raised.value.errors == [
        {
            "property_path": "name",
            "reason": "'Llama_70B' is not a DNS-1123 label: use lowercase letters, digits and "
            "'-', starting and ending with a letter or digit",
        }
    ]
    assert cluster.monitor.recorded == []
