"""Pure functions that turn `VllmServiceArgs` into Kubernetes manifests.

Nothing here touches Pulumi, so every manifest is tested as plain data.
"""

from __future__ import annotations

from typing import Any

from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.scheduling import GPU_RESOURCE, render_node_selector, render_tolerations
from components.shared.service_manifests import http_service, pod_disruption_budget
from components.vllm.args import VLLM_PORT, VllmServiceArgs
from components.vllm.staging import (
    server_env,
    server_service_account,
    server_volumes,
    streamer_args,
    weights_location,
)

Manifest = dict[str, Any]

MODEL_CACHE_MOUNT = "/models"
PROBE_PATH = "/health"
METRICS_PATH = "/metrics"
STARTUP_PROBE_PERIOD_SECONDS = 10
# Non-root, matching the fsGroup so the cache volume is writable.
RUN_AS_USER = 1000
# The cache holds only re-downloadable weights, so the `stateful-resources-protected` policy
# lets it be deleted (see docs/policies.md).
CACHE_DATA_LABELS = {"shipyard.dev/data": "cache"}


def selector_labels(name: str) -> dict[str, str]:
    """The labels that tie the Deployment, Service, PDB and NetworkPolicy together."""
    return {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name}


def render_labels(name: str) -> dict[str, str]:
    return {
        **selector_labels(name),
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/managed-by": "shipyard",
    }


def model_server_labels() -> dict[str, str]:
    """The labels of every vLLM model server's pods, whatever the model: what a scraper or
    an object store's NetworkPolicy selects them all by."""
    labels = render_labels("")
    return {key: labels[key] for key in ("app.kubernetes.io/name", "app.kubernetes.io/component")}


def _metadata(name: str, args: VllmServiceArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def _flag_value(value: str | int | float | bool) -> str:
    return str(value)


def render_engine_args(args: VllmServiceArgs) -> list[str]:
    """The `vllm serve` arguments, in a stable order so previews show no spurious diffs."""
    source = weights_location(args.model, args.weights) if args.weights else args.model
    rendered = [
        source,
        "--served-model-name",
        args.served_model_name,
        "--host",
        "0.0.0.0",
        "--port",
        str(VLLM_PORT),
        "--tensor-parallel-size",
        str(args.tensor_parallel_size),
        "--gpu-memory-utilization",
        _flag_value(args.gpu_memory_utilization),
        "--dtype",
        args.dtype,
    ]
    if args.max_model_len is not None:
        rendered += ["--max-model-len", str(args.max_model_len)]
    if args.quantization is not None:
        rendered += ["--quantization", args.quantization]
    if args.max_num_seqs is not None:
        rendered += ["--max-num-seqs", str(args.max_num_seqs)]
    rendered.append(
        "--enable-prefix-caching" if args.enable_prefix_caching else "--no-enable-prefix-caching"
    )
    if args.kv_transfer_config is not None:
        rendered += ["--kv-transfer-config", args.kv_transfer_config]
    if args.enable_render_endpoints:
        rendered.append("--enable-scale-out")
    if args.lora_adapters:
        rendered += ["--enable-lora", "--lora-modules"]
        rendered += [f"{adapter.name}={adapter.path}" for adapter in args.lora_adapters]
    for flag, value in sorted(args.extra_args.items()):
        if value is True:
            rendered.append(f"--{flag}")
        elif value is not False:
            rendered += [f"--{flag}", _flag_value(value)]
    if args.weights is not None:
        rendered += streamer_args(args.weights)
    return rendered


def _env(args: VllmServiceArgs) -> list[Manifest]:
    env: list[Manifest] = [
        # The root filesystem is read-only: every cache vLLM, torch and
        # Hugging Face write goes to a mounted volume.
        {"name": "HOME", "value": "/tmp"},
        {"name": "XDG_CACHE_HOME", "value": "/tmp/.cache"},
        {"name": "HF_HOME", "value": f"{MODEL_CACHE_MOUNT}/huggingface"},
        {"name": "VLLM_NO_USAGE_STATS", "value": "1"},
    ]
    if args.kv_transfer_config is not None:
        # NIXL's side channel announces the pod's own address to its peers.
        env.append(
            {
                "name": "VLLM_NIXL_SIDE_CHANNEL_HOST",
                "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
            }
        )
    if args.weights is not None:
        # Staged: the server never talks to Hugging Face, so it needs no token.
        return env + server_env(args.weights)
    if args.hf_token_secret is not None:
        env.append(
            {
                "name": "HF_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {
                        "name": args.hf_token_secret.name,
                        "key": args.hf_token_secret.key,
                    }
                },
            }
        )
    return env


def _probes(args: VllmServiceArgs) -> Manifest:
    http_get = {"path": PROBE_PATH, "port": "http"}
    return {
        "startupProbe": {
            "httpGet": http_get,
            "periodSeconds": STARTUP_PROBE_PERIOD_SECONDS,
            "failureThreshold": -(-args.startup_timeout_seconds // STARTUP_PROBE_PERIOD_SECONDS),
        },
        "readinessProbe": {"httpGet": http_get, "periodSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {"httpGet": http_get, "periodSeconds": 15, "failureThreshold": 3},
    }


def _volumes(name: str, args: VllmServiceArgs) -> list[Manifest]:
    cache: Manifest
    if args.cache is None:
        cache = {"name": "model-cache", "emptyDir": {}}
    else:
        cache = {
            "name": "model-cache",
            "persistentVolumeClaim": {"claimName": cache_claim_name(name)},
        }
    volumes = [
        cache,
        {"name": "tmp", "emptyDir": {}},
        # Tensor parallelism exchanges tensors through shared memory (NCCL).
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": args.shm_size}},
    ]
    if args.weights is not None:
        volumes += server_volumes(name, args.weights)[0]
    return volumes


def render_container(args: VllmServiceArgs) -> Manifest:
    gpus = str(args.gpus_per_replica)
    return {
        "name": "vllm",
        "image": args.image,
        "command": ["vllm", "serve"],
        "args": render_engine_args(args),
        "ports": [{"name": "http", "containerPort": VLLM_PORT, "protocol": "TCP"}],
        "env": _env(args),
        "resources": {
            "requests": {
                "cpu": args.cpu_request,
                "memory": args.memory_request,
                GPU_RESOURCE: gpus,
            },
            "limits": {"memory": args.memory_request, GPU_RESOURCE: gpus},
        },
        **_probes(args),
        "securityContext": restricted_container_security_context(RUN_AS_USER),
        "volumeMounts": [
            {"name": "model-cache", "mountPath": MODEL_CACHE_MOUNT},
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "shm", "mountPath": "/dev/shm"},
        ],
    }


def _pod_spec(name: str, args: VllmServiceArgs) -> Manifest:
    container = render_container(args)
    if args.weights is not None:
        container["volumeMounts"] += server_volumes(name, args.weights)[1]
    spec: Manifest = {
        "automountServiceAccountToken": False,
        "nodeSelector": render_node_selector(args.scheduling),
        "tolerations": render_tolerations(args.scheduling),
        "securityContext": restricted_pod_security_context(RUN_AS_USER),
        "containers": [container],
        "volumes": _volumes(name, args),
    }
    account = server_service_account(args.weights) if args.weights else None
    if account is not None:
        # IRSA: the bucket role trusts this account; its token is projected by EKS's
        # webhook, independent of automounting the API token.
        spec["serviceAccountName"] = account
    return spec


def render_deployment(name: str, args: VllmServiceArgs) -> Manifest:
    replicas = args.autoscaling.min_replicas if args.autoscaling else args.replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(name, args),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector_labels(name)},
            # A surge pod needs a spare GPU that a full pool does not have, which
            # would stall the rollout; replace one replica at a time instead.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "template": {
                "metadata": {
                    "labels": render_labels(name),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(VLLM_PORT),
                        "prometheus.io/path": METRICS_PATH,
                    },
                },
                "spec": _pod_spec(name, args),
            },
        },
    }


def render_service(name: str, args: VllmServiceArgs) -> Manifest:
    return http_service(_metadata(name, args), selector_labels(name), VLLM_PORT)


def render_pod_disruption_budget(name: str, args: VllmServiceArgs) -> Manifest:
    # One replica at a time: a GPU replica takes minutes to load its weights again.
    return pod_disruption_budget(_metadata(name, args), selector_labels(name))


def render_network_policy(name: str, args: VllmServiceArgs) -> Manifest:
    """Admit only the gateway's pods (and the model's router's), and the metrics scrapers,
    on the server port."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"podSelector": {"matchLabels": dict(args.gateway_pod_labels)}},
                        *(
                            [{"podSelector": {"matchLabels": dict(args.router_pod_labels)}}]
                            if args.router_pod_labels
                            else []
                        ),
                        {"namespaceSelector": {"matchLabels": dict(args.metrics_namespace_labels)}},
                    ],
                    "ports": [{"port": VLLM_PORT, "protocol": "TCP"}],
                },
                *(
                    [{"from": [{"podSelector": {"matchLabels": dict(args.kv_peer_pod_labels)}}]}]
                    if args.kv_peer_pod_labels
                    else []
                ),
            ],
        },
    }


def cache_claim_name(name: str) -> str:
    return f"{name}-model-cache"


def render_cache_claim(name: str, args: VllmServiceArgs) -> Manifest | None:
    if args.cache is None:
        return None
    spec: Manifest = {
        "accessModes": [args.cache.access_mode],
        "resources": {"requests": {"storage": args.cache.size}},
    }
    if args.cache.storage_class is not None:
        spec["storageClassName"] = args.cache.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            **_metadata(name, args),
            "name": cache_claim_name(name),
            "labels": {**render_labels(name), **CACHE_DATA_LABELS},
        },
        "spec": spec,
    }


def render_scaled_object(name: str, args: VllmServiceArgs) -> Manifest | None:
    """A KEDA ScaledObject on `vllm:num_requests_waiting`, or None without autoscaling."""
    scaling = args.autoscaling
    if scaling is None:
        return None
    query = f'sum(vllm:num_requests_waiting{{model_name="{args.served_model_name}"}})'
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": _metadata(name, args),
        "spec": {
            "scaleTargetRef": {"name": name},
            "minReplicaCount": scaling.min_replicas,
            "maxReplicaCount": scaling.max_replicas,
            "triggers": [
                {
                    "type": "prometheus",
                    "metadata": {
                        "serverAddress": scaling.prometheus_url,
                        "query": query,
                        "threshold": str(scaling.queue_target),
                    },
                }
            ],
        },
    }


def service_url(name: str, namespace: str) -> str:
    """The in-cluster base URL of the OpenAI-compatible API."""
    return f"http://{name}.{namespace}.svc.cluster.local:{VLLM_PORT}/v1"
