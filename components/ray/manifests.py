"""Pure functions that turn `RayClusterArgs` into KubeRay custom resources and Helm values."""

from __future__ import annotations

import json
from typing import Any

from components.ray.args import (
    KUBERAY_OPERATOR_POD_LABELS,
    RAY_USER,
    RayClusterArgs,
    Resources,
    ServeApplication,
    WorkerGroup,
)
from components.shared.labels import app_labels, recommended_labels
from components.shared.scheduling import GPU_RESOURCE, render_node_selector, render_tolerations

Manifest = dict[str, Any]

RAY_API_VERSION = "ray.io/v1"
SERVE_PORT = 8000
DASHBOARD_PORT = 8265
GCS_PORT = 6379
CLIENT_PORT = 10001
REDIS_PASSWORD_ENV = "REDIS_PASSWORD"
AUTOSCALER_RESOURCES = {"cpu": "500m", "memory": "512Mi"}


def render_labels(name: str) -> dict[str, str]:
    return recommended_labels("ray", name, "ray-cluster")


def pod_selector(name: str) -> dict[str, str]:
    """The labels every pod of this cluster carries (head and workers; KubeRay copies the
    templates' labels), also for a RayService, whose clusters get generated names."""
    return app_labels("ray", name)


def _security_context() -> Manifest:
    """The `restricted` Pod Security Standard, which Shipyard's namespace enforces."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RAY_USER,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _resources(resources: Resources, gpus: int = 0) -> Manifest:
    amounts: dict[str, str] = {"cpu": resources.cpu, "memory": resources.memory}
    if gpus:
        amounts[GPU_RESOURCE] = str(gpus)
    return {"requests": dict(amounts), "limits": dict(amounts)}


def _pod_spec(container: Manifest, scheduling: Any) -> Manifest:
    spec: Manifest = {
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RAY_USER,
            "fsGroup": RAY_USER,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [{"name": "ray-logs", "emptyDir": {}}],
    }
    if scheduling is not None:
        spec["nodeSelector"] = render_node_selector(scheduling)
        tolerations = render_tolerations(scheduling)
        if tolerations:
            spec["tolerations"] = tolerations
    return spec


LOG_MOUNT = {"name": "ray-logs", "mountPath": "/tmp/ray"}


def render_head_group(name: str, args: RayClusterArgs) -> Manifest:
    container: Manifest = {
        "name": "ray-head",
        "image": args.image_for(None),
        "ports": [
            {"name": "gcs", "containerPort": GCS_PORT},
            {"name": "dashboard", "containerPort": DASHBOARD_PORT},
            {"name": "client", "containerPort": CLIENT_PORT},
            {"name": "serve", "containerPort": SERVE_PORT},
        ],
        "resources": _resources(args.head.resources),
        "securityContext": _security_context(),
        "volumeMounts": [LOG_MOUNT],
    }
    ft = args.gcs_fault_tolerance
    if ft is not None and ft.password_secret is not None:
        container["env"] = [
            {
                "name": REDIS_PASSWORD_ENV,
                "valueFrom": {
                    "secretKeyRef": {
                        "name": ft.password_secret.name,
                        "key": ft.password_secret.key,
                    }
                },
            }
        ]
    return {
        # The head schedules no tasks and gets no GPU: work goes to worker groups. The
        # dashboard (job submission) listens on the pod's address only for a RayService,
        # whose operator deploys Serve applications through it; a RayCluster's stays on
        # loopback (`kubectl port-forward` still reaches it).
        "rayStartParams": {
            "num-cpus": "0",
            "num-gpus": "0",
            "dashboard-host": dashboard_host(args),
        },
        # The dashboard stays behind the head's ClusterIP Service; no Ingress.
        "enableIngress": False,
        "serviceType": "ClusterIP",
        "template": {
            "metadata": {"labels": render_labels(name)},
            "spec": _pod_spec(container, args.head.scheduling),
        },
    }


def dashboard_host(args: RayClusterArgs) -> str:
    return "0.0.0.0" if args.serve_applications else "127.0.0.1"


def render_worker_group(name: str, group: WorkerGroup, args: RayClusterArgs) -> Manifest:
    container: Manifest = {
        "name": "ray-worker",
        "image": args.image_for(group),
        "resources": _resources(group.resources, group.gpus_per_worker),
        "securityContext": _security_context(),
        "volumeMounts": [LOG_MOUNT],
    }
    return {
        "groupName": group.name,
        "replicas": group.min_replicas,
        "minReplicas": group.min_replicas,
        "maxReplicas": group.max_replicas,
        "rayStartParams": {},
        "template": {
            "metadata": {"labels": render_labels(name)},
            # Workers never call the API server (the head's autoscaler does, with the
            # ServiceAccount KubeRay gives the head).
            "spec": {
                **_pod_spec(container, group.scheduling),
                "automountServiceAccountToken": False,
            },
        },
    }


def render_cluster_spec(name: str, args: RayClusterArgs) -> Manifest:
    head = render_head_group(name, args)
    spec: Manifest = {
        "rayVersion": args.ray_version,
        "enableInTreeAutoscaling": True,
        "autoscalerOptions": {
            "version": "v2",
            "upscalingMode": args.upscaling_mode,
            "idleTimeoutSeconds": args.idle_timeout_seconds,
            "resources": {
                "requests": dict(AUTOSCALER_RESOURCES),
                "limits": dict(AUTOSCALER_RESOURCES),
            },
            "securityContext": _security_context(),
        },
        "headGroupSpec": head,
        "workerGroupSpecs": [
            render_worker_group(name, group, args) for group in args.worker_groups
        ],
        # Ray's token authentication on the dashboard, GCS and Ray Client: KubeRay generates
        # the token into a Secret and hands it to every Ray container and to its own
        # dashboard client (ray-operator v1.6.2, `AuthOptions`; Ray 2.52.0 or later).
        "authOptions": {"mode": "token"},
    }
    ft = args.gcs_fault_tolerance
    if ft is not None:
        options: Manifest = {"redisAddress": ft.redis_address}
        if ft.password_secret is not None:
            options["redisPassword"] = {
                "valueFrom": {
                    "secretKeyRef": {
                        "name": ft.password_secret.name,
                        "key": ft.password_secret.key,
                    }
                }
            }
        spec["gcsFaultToleranceOptions"] = options
    return spec


def _application(app: ServeApplication) -> Manifest:
    rendered: Manifest = {
        "name": app.name,
        "import_path": app.import_path,
        "route_prefix": app.route_prefix,
    }
    if app.runtime_env:
        rendered["runtime_env"] = dict(app.runtime_env)
    if app.args:
        rendered["args"] = dict(app.args)
    return rendered


def render_serve_config(args: RayClusterArgs) -> Manifest:
    """Ray Serve's multi-application config (`serveConfigV2`), as Serve's schema reads it."""
    return {
        "http_options": {"host": "0.0.0.0", "port": SERVE_PORT},
        "applications": [_application(app) for app in args.serve_applications],
    }


def render_serve_config_text(args: RayClusterArgs) -> str:
    """`serveConfigV2` is a YAML string in the CRD; JSON is YAML, with sorted keys."""
    return json.dumps(render_serve_config(args), indent=2, sort_keys=True) + "\n"


def _metadata(name: str, args: RayClusterArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def render_ray_cluster(name: str, args: RayClusterArgs) -> Manifest:
    return {
        "apiVersion": RAY_API_VERSION,
        "kind": "RayCluster",
        "metadata": _metadata(name, args),
        "spec": render_cluster_spec(name, args),
    }


def render_ray_service(name: str, args: RayClusterArgs) -> Manifest:
    return {
        "apiVersion": RAY_API_VERSION,
        "kind": "RayService",
        "metadata": _metadata(name, args),
        "spec": {
            "serveConfigV2": render_serve_config_text(args),
            "rayClusterConfig": render_cluster_spec(name, args),
        },
    }


def render_custom_resource(name: str, args: RayClusterArgs) -> Manifest:
    """A RayService when Serve applications are declared, else a RayCluster."""
    if args.serve_applications:
        return render_ray_service(name, args)
    return render_ray_cluster(name, args)


def render_operator_values() -> Manifest:
    """Helm values of the kuberay-operator chart: restricted-compatible, CRDs included."""
    return {
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def head_service_name(name: str) -> str:
    """KubeRay names the head's Service `<cluster>-head-svc`."""
    return f"{name}-head-svc"


def render_network_policy(name: str, args: RayClusterArgs) -> Manifest:
    """Admit Ray's own pods on every port (GCS, raylets, object transfer, workers' ports),
    the KubeRay operator on the dashboard (it deploys Serve applications and jobs through
    it), and the declared clients on their ports; nobody else. Prometheus is admitted on
    the metrics port by the monitoring section's own policy."""
    operator: Manifest = {"podSelector": {"matchLabels": dict(KUBERAY_OPERATOR_POD_LABELS)}}
    operator_namespace = args.operator_namespace or args.namespace
    if operator_namespace != args.namespace:
        operator["namespaceSelector"] = {
            "matchLabels": {"kubernetes.io/metadata.name": operator_namespace}
        }
    ingress: list[Manifest] = [
        {"from": [{"podSelector": {"matchLabels": pod_selector(name)}}]},
        {"from": [operator], "ports": [{"port": DASHBOARD_PORT, "protocol": "TCP"}]},
    ]
    for client in args.clients:
        peer: Manifest = {"podSelector": {"matchLabels": dict(client.pod_labels)}}
        if client.namespace_labels is not None:
            peer["namespaceSelector"] = {"matchLabels": dict(client.namespace_labels)}
        ingress.append(
            {"from": [peer], "ports": [{"port": port, "protocol": "TCP"} for port in client.ports]}
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": pod_selector(name)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }
