"""The pure manifest functions behind `VllmService`, tested as plain data."""

from __future__ import annotations

from typing import Any

from components.shared.scheduling import PoolScheduling, Taint
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import Autoscaling, LoraAdapter, ModelCache, VllmServiceArgs
from components.vllm.manifests import (
    render_cache_claim,
    render_container,
    render_deployment,
    render_engine_args,
    render_labels,
    render_network_policy,
    render_pod_disruption_budget,
    render_scaled_object,
    render_service,
    selector_labels,
    service_url,
)

POOL = PoolScheduling(
    pool="gpu-quad",
    node_selector={"shipyard.dev/pool": "gpu-quad"},
    taints=(
        Taint(key="nvidia.com/gpu", value="present"),
        Taint(key="dedicated", effect="NoExecute"),
    ),
    gpus_per_node=4,
)
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
SELECTOR = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": "llama"}
LABELS = {
    **SELECTOR,
    "app.kubernetes.io/component": "model-server",
    "app.kubernetes.io/managed-by": "shipyard",
}
METADATA = {"name": "llama", "namespace": "llm", "labels": LABELS}
SCALING = Autoscaling(
    min_replicas=2, max_replicas=5, queue_target=8, prometheus_url="http://prom.monitoring:9090"
)


def make_args(**overrides: Any) -> VllmServiceArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "model": LLAMA,
        "served_model_name": "llama-8b",
        "scheduling": POOL,
    }
    return VllmServiceArgs(**{**fields, **overrides})


def pod_spec(args: VllmServiceArgs) -> dict[str, Any]:
    return render_deployment("llama", args)["spec"]["template"]["spec"]  # type: ignore[no-any-return]


# --- engine arguments -----------------------------------------------------------


def test_engine_args_with_defaults_only() -> None:
    assert render_engine_args(make_args()) == [
        LLAMA,
        "--served-model-name",
        "llama-8b",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        "--tensor-parallel-size",
        "1",
        "--gpu-memory-utilization",
        "0.9",
        "--dtype",
        "auto",
        "--enable-prefix-caching",
    ]


def test_engine_args_for_every_field() -> None:
    args = make_args(
        tensor_parallel_size=2,
        max_model_len=16384,
        gpu_memory_utilization=0.92,
        dtype="bfloat16",
        quantization="awq_marlin",
        max_num_seqs=64,
        enable_prefix_caching=False,
        lora_adapters=(
            LoraAdapter(name="support", path="acme/llama-support-lora"),
            LoraAdapter(name="sql", path="/models/sql-lora"),
        ),
        extra_args={
            "seed": 7,
            "enforce-eager": True,
            "disable-log-requests": False,
            "kv-cache-dtype": "fp8",
            "swap-space": 4.5,
        },
    )
    assert render_engine_args(args) == [
        LLAMA,
        "--served-model-name",
        "llama-8b",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        "--tensor-parallel-size",
        "2",
        "--gpu-memory-utilization",
        "0.92",
        "--dtype",
        "bfloat16",
        "--max-model-len",
        "16384",
        "--quantization",
        "awq_marlin",
        "--max-num-seqs",
        "64",
        "--no-enable-prefix-caching",
        "--enable-lora",
        "--lora-modules",
        "support=acme/llama-support-lora",
        "sql=/models/sql-lora",
        # Extra flags in sorted order: True is a bare flag, False is left out.
        "--enforce-eager",
        "--kv-cache-dtype",
        "fp8",
        "--seed",
        "7",
        "--swap-space",
        "4.5",
    ]


def test_engine_args_are_all_strings() -> None:
    args = make_args(max_model_len=4096, extra_args={"seed": 1, "swap-space": 2.0})
    assert all(isinstance(arg, str) for arg in render_engine_args(args))


# --- the Deployment ---------------------------------------------------------------


def test_deployment_metadata_selector_and_strategy() -> None:
    deployment = render_deployment("llama", make_args(replicas=3))
    assert (deployment["apiVersion"], deployment["kind"]) == ("apps/v1", "Deployment")
    assert deployment["metadata"] == METADATA
    spec = deployment["spec"]
    assert spec["replicas"] == 3
    assert spec["selector"] == {"matchLabels": SELECTOR}
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
    }
    assert spec["template"]["metadata"]["labels"] == LABELS


def test_deployment_replicas_start_at_the_autoscaling_minimum() -> None:
    args = make_args(
        replicas=1,
        autoscaling=SCALING,
        cache=ModelCache(size="50Gi", access_mode="ReadWriteMany"),
    )
    assert render_deployment("llama", args)["spec"]["replicas"] == 2


def test_prometheus_scrape_annotations() -> None:
    template = render_deployment("llama", make_args())["spec"]["template"]
    assert template["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "8000",
        "prometheus.io/path": "/metrics",
    }


def test_pod_lands_on_the_pool() -> None:
    spec = pod_spec(make_args())
    assert spec["nodeSelector"] == {"shipyard.dev/pool": "gpu-quad"}
    assert spec["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"},
        {"key": "dedicated", "effect": "NoExecute", "operator": "Exists"},
    ]


def test_gpu_requests_and_limits_equal_the_tensor_parallel_size() -> None:
    container = render_container(
        make_args(tensor_parallel_size=4, cpu_request="16", memory_request="200Gi")
    )
    assert container["resources"] == {
        "requests": {"cpu": "16", "memory": "200Gi", "nvidia.com/gpu": "4"},
        "limits": {"memory": "200Gi", "nvidia.com/gpu": "4"},
    }


def test_container_image_command_args_and_port() -> None:
    args = make_args(image="vllm/vllm-openai:v0.9.0")
    container = render_container(args)
    assert container["name"] == "vllm"
    assert container["image"] == "vllm/vllm-openai:v0.9.0"
    assert container["command"] == ["vllm", "serve"]
    assert container["args"] == render_engine_args(args)
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_probes_hit_health_with_a_startup_budget() -> None:
    container = render_container(make_args())
    health = {"path": "/health", "port": "http"}
    # The default 1800 s budget at one probe every 10 s.
    assert container["startupProbe"] == {
        "httpGet": health,
        "periodSeconds": 10,
        "failureThreshold": 180,
    }
    assert container["readinessProbe"] == {
        "httpGet": health,
        "periodSeconds": 5,
        "failureThreshold": 3,
    }
    assert container["livenessProbe"] == {
        "httpGet": health,
        "periodSeconds": 15,
        "failureThreshold": 3,
    }


def test_startup_failure_threshold_rounds_the_budget_up() -> None:
    assert (
        render_container(make_args(startup_timeout_seconds=3600))["startupProbe"][
            "failureThreshold"
        ]
        == 360
    )
    assert (
        render_container(make_args(startup_timeout_seconds=95))["startupProbe"]["failureThreshold"]
        == 10
    )


def test_security_context_is_restricted() -> None:
    args = make_args()
    assert render_container(args)["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    spec = pod_spec(args)
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "fsGroup": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert spec["automountServiceAccountToken"] is False


def test_env_without_and_with_an_hf_token() -> None:
    base = [
        {"name": "HOME", "value": "/tmp"},
        {"name": "XDG_CACHE_HOME", "value": "/tmp/.cache"},
        {"name": "HF_HOME", "value": "/models/huggingface"},
        {"name": "VLLM_NO_USAGE_STATS", "value": "1"},
    ]
    assert render_container(make_args())["env"] == base
    with_token = make_args(hf_token_secret=SecretKeyRef(name="hf-token", key="hf"))
    assert render_container(with_token)["env"] == [
        *base,
        {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "hf"}}},
    ]


def test_volumes_without_a_cache_are_empty_dirs() -> None:
    args = make_args(shm_size="8Gi")
    assert pod_spec(args)["volumes"] == [
        {"name": "model-cache", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}},
    ]
    assert render_container(args)["volumeMounts"] == [
        {"name": "model-cache", "mountPath": "/models"},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "shm", "mountPath": "/dev/shm"},
    ]


def test_volumes_with_a_cache_mount_the_claim() -> None:
    volumes = pod_spec(make_args(cache=ModelCache(size="100Gi")))["volumes"]
    assert volumes[0] == {
        "name": "model-cache",
        "persistentVolumeClaim": {"claimName": "llama-model-cache"},
    }
    assert [volume["name"] for volume in volumes] == ["model-cache", "tmp", "shm"]


# --- cache claim, Service, PDB, NetworkPolicy, ScaledObject ------------------------


def test_no_cache_means_no_claim() -> None:
    assert render_cache_claim("llama", make_args()) is None


def test_cache_claim() -> None:
    args = make_args(
        cache=ModelCache(size="100Gi", storage_class="efs-sc", access_mode="ReadWriteMany")
    )
    assert render_cache_claim("llama", args) == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            **METADATA,
            "name": "llama-model-cache",
            "labels": {**LABELS, "shipyard.dev/data": "cache"},
        },
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "100Gi"}},
            "storageClassName": "efs-sc",
        },
    }


def test_cache_claim_without_storage_class_uses_the_cluster_default() -> None:
    claim = render_cache_claim("llama", make_args(cache=ModelCache(size="20Gi")))
    assert claim is not None
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "20Gi"}},
    }


def test_service() -> None:
    assert render_service("llama", make_args()) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": METADATA,
        "spec": {
            "type": "ClusterIP",
            "selector": SELECTOR,
            "ports": [{"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def test_pod_disruption_budget() -> None:
    assert render_pod_disruption_budget("llama", make_args()) == {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": METADATA,
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": SELECTOR}},
    }


def test_network_policy_admits_the_gateway_and_scrapers_on_the_server_port() -> None:
    assert render_network_policy("llama", make_args()) == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": METADATA,
        "spec": {
            "podSelector": {"matchLabels": SELECTOR},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "podSelector": {
                                "matchLabels": {"app.kubernetes.io/component": "ai-gateway"}
                            }
                        },
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                            }
                        },
                    ],
                    "ports": [{"port": 8000, "protocol": "TCP"}],
                }
            ],
        },
    }


def test_network_policy_peers_follow_the_args() -> None:
    args = make_args(
        gateway_pod_labels={"app": "envoy"},
        metrics_namespace_labels={"kubernetes.io/metadata.name": "observability"},
    )
    peers = render_network_policy("llama", args)["spec"]["ingress"][0]["from"]
    assert peers == [
        {"podSelector": {"matchLabels": {"app": "envoy"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}},
    ]


def test_no_autoscaling_means_no_scaled_object() -> None:
    assert render_scaled_object("llama", make_args()) is None


def test_scaled_object_scales_on_waiting_requests() -> None:
    assert render_scaled_object("llama", make_args(autoscaling=SCALING)) == {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": METADATA,
        "spec": {
            "scaleTargetRef": {"name": "llama"},
            "minReplicaCount": 2,
            "maxReplicaCount": 5,
            "triggers": [
                {
                    "type": "prometheus",
                    "metadata": {
                        "serverAddress": "http://prom.monitoring:9090",
                        "query": 'sum(vllm:num_requests_waiting{model_name="llama-8b"})',
                        "threshold": "8",
                    },
                }
            ],
        },
    }


def test_labels_and_url() -> None:
    assert selector_labels("llama") == SELECTOR
    assert render_labels("llama") == LABELS
    assert service_url("llama", "llm") == "http://llama.llm.svc.cluster.local:8000/v1"


def test_model_server_labels_select_every_models_pods() -> None:
    from components.vllm.manifests import model_server_labels

    labels = model_server_labels()
    assert labels == {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/component": "model-server",
    }
    assert labels.items() <= render_labels("llama").items()
