"""Pure functions that turn `AppServiceArgs` into the app's workload and its companions:
the pod template, the Deployment, StatefulSet, Job or CronJob, the ServiceAccount, the
Service and the PodDisruptionBudget.

Every pod runs under the restricted Pod Security Standard: non-root, a read-only root
filesystem with the declared writable paths as emptyDirs, no capabilities, seccomp
`RuntimeDefault`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from components.app.args import APP_LABEL, AppServiceArgs, Probe, Probes, TcpProbe
from components.app.bindings import (
    BINDINGS_VOLUME,
    binding_env,
    bindings_config_map_name,
    bindings_data,
    bindings_volume,
)
from components.shared.labels import MANAGED_BY
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.scheduling import GPU_RESOURCE, render_node_selector, render_tolerations
from components.shared.service_manifests import pod_disruption_budget

Manifest = dict[str, Any]

ZONE_KEY = "topology.kubernetes.io/zone"
DATA_LABELS = {"shipyard.dev/data": "app"}
"""A StatefulSet's claims hold data; the `stateful-resources-protected` policy checks them."""
JOB_HASH_LENGTH = 10


def selector_labels(name: str) -> dict[str, str]:
    """What every selector of the app matches: its name under `shipyard.dev/app`."""
    return {APP_LABEL: name}


def render_labels(name: str, args: AppServiceArgs) -> dict[str, str]:
    return {
        **args.labels,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": "app",
        **MANAGED_BY,
        **selector_labels(name),
    }


def app_metadata(name: str, args: AppServiceArgs, resource: str | None = None) -> Manifest:
    return {
        "name": resource or name,
        "namespace": args.namespace,
        "labels": render_labels(name, args),
    }


def service_account_name(name: str) -> str:
    """Each app runs as its own ServiceAccount (IRSA and Pod Identity bind to it)."""
    return name


def headless_service_name(name: str) -> str:
    return f"{name}-hl"


def service_host(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc.cluster.local"


def _probe(probe: Probe) -> Manifest:
    handler: Manifest
    if probe.http is not None:
        handler = {"httpGet": {"path": probe.http.path, "port": probe.http.port}}
    elif probe.tcp is not None:
        handler = {"tcpSocket": {"port": probe.tcp.port}}
    else:
        assert probe.exec is not None
        handler = {"exec": {"command": list(probe.exec.command)}}
    rendered = {
        **handler,
        "periodSeconds": probe.period_seconds,
        "failureThreshold": probe.failure_threshold,
    }
    if probe.initial_delay_seconds:
        rendered["initialDelaySeconds"] = probe.initial_delay_seconds
    return rendered


def effective_probes(args: AppServiceArgs) -> Probes:
    """The declared probes; with none and an `http` port, TCP readiness and liveness on it
    (an HTTP path that answers 200 is the app's to name)."""
    if args.probes is not None:
        return args.probes
    if not args.runs_continuously or "http" not in {port.name for port in args.ports}:
        return Probes()
    tcp = TcpProbe(port="http")
    return Probes(
        readiness=Probe(tcp=tcp, period_seconds=10),
        liveness=Probe(tcp=tcp, period_seconds=20, initial_delay_seconds=10),
    )


def _resources(args: AppServiceArgs) -> Manifest:
    requests: Manifest = {"cpu": args.resources.cpu, "memory": args.resources.memory}
    limits: Manifest = {"memory": args.resources.memory}
    if args.resources.gpus:
        requests[GPU_RESOURCE] = str(args.resources.gpus)
        limits[GPU_RESOURCE] = str(args.resources.gpus)
    return {"requests": requests, "limits": limits}


def _writable_volume(index: int) -> str:
    return f"writable-{index}"


def render_container(name: str, args: AppServiceArgs) -> Manifest:
    env = [
        {"name": var.name, "value": var.value}
        if var.secret is None
        else {
            "name": var.name,
            "valueFrom": {"secretKeyRef": {"name": var.secret.name, "key": var.secret.key}},
        }
        for var in args.env
    ]
    env += binding_env(name, args)
    mounts: list[Manifest] = [
        {"name": _writable_volume(index), "mountPath": path}
        for index, path in enumerate(args.writable_paths)
    ]
    if args.bindings:
        mounts.append({"name": BINDINGS_VOLUME, "mountPath": "/bindings", "readOnly": True})
    mounts += [{"name": claim.name, "mountPath": claim.mount_path} for claim in args.volume_claims]
    container: Manifest = {
        "name": "app",
        "image": args.image,
        "resources": _resources(args),
        "securityContext": restricted_container_security_context(args.run_as_user),
        "volumeMounts": mounts,
    }
    if args.command:
        container["command"] = list(args.command)
    if args.args:
        container["args"] = list(args.args)
    if args.ports:
        container["ports"] = [
            {"name": port.name, "containerPort": port.port, "protocol": port.protocol}
            for port in args.ports
        ]
    if env:
        container["env"] = env
    probes = effective_probes(args)
    for field, probe in (
        ("readinessProbe", probes.readiness),
        ("livenessProbe", probes.liveness),
        ("startupProbe", probes.startup),
    ):
        if probe is not None:
            container[field] = _probe(probe)
    return container


def _spread(name: str) -> list[Manifest]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector_labels(name)},
        }
    ]


def render_pod_spec(name: str, args: AppServiceArgs) -> Manifest:
    volumes: list[Manifest] = [
        {"name": _writable_volume(index), "emptyDir": {}}
        for index in range(len(args.writable_paths))
    ]
    projected = bindings_volume(name, args)
    if projected is not None:
        volumes.append(projected)
    spec: Manifest = {
        "serviceAccountName": service_account_name(name),
        "automountServiceAccountToken": False,
        "securityContext": restricted_pod_security_context(args.run_as_user),
        "containers": [render_container(name, args)],
        "volumes": volumes,
    }
    if args.scheduling is not None:
        spec["nodeSelector"] = render_node_selector(args.scheduling)
        tolerations = render_tolerations(args.scheduling)
        if tolerations:
            spec["tolerations"] = tolerations
    if args.zone_spread and args.runs_continuously:
        spec["topologySpreadConstraints"] = _spread(name)
    if not args.runs_continuously:
        spec["restartPolicy"] = "Never"
    return spec


def render_pod_template(name: str, args: AppServiceArgs) -> Manifest:
    # Every literal of the bindings ConfigMap is also an env value, so a change to one
    # changes the template and rolls the pods.
    return {"metadata": {"labels": render_labels(name, args)}, "spec": render_pod_spec(name, args)}


def start_replicas(args: AppServiceArgs) -> int:
    """Replicas as deployed: the autoscaler's minimum when there is one."""
    return args.autoscaling.min_replicas if args.autoscaling else args.replicas


def render_deployment(name: str, args: AppServiceArgs) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": app_metadata(name, args),
        "spec": {
            "replicas": start_replicas(args),
            "selector": {"matchLabels": selector_labels(name)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            },
            "template": render_pod_template(name, args),
        },
    }


def render_stateful_set(name: str, args: AppServiceArgs) -> Manifest:
    claims = []
    for claim in args.volume_claims:
        spec: Manifest = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": claim.size}},
        }
        if claim.storage_class is not None:
            spec["storageClassName"] = claim.storage_class
        claims.append(
            {
                "metadata": {
                    "name": claim.name,
                    "labels": {**selector_labels(name), **DATA_LABELS},
                },
                "spec": spec,
            }
        )
    retention = "Delete" if args.allow_data_loss else "Retain"
    body: Manifest = {
        "replicas": start_replicas(args),
        "serviceName": headless_service_name(name),
        "selector": {"matchLabels": selector_labels(name)},
        "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate"},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": retention, "whenScaled": "Retain"},
        "template": render_pod_template(name, args),
    }
    if claims:
        body["volumeClaimTemplates"] = claims
    labels = {**render_labels(name, args), **(DATA_LABELS if claims else {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {**app_metadata(name, args), "labels": labels},
        "spec": body,
    }


def _job_spec(name: str, args: AppServiceArgs) -> Manifest:
    return {"backoffLimit": args.backoff_limit, "template": render_pod_template(name, args)}


def render_job(name: str, args: AppServiceArgs) -> Manifest:
    """A Job named `<name>-<hash of its spec>`: Jobs are immutable, so a change is a new
    Job (Pulumi replaces it) rather than a failed update."""
    spec = _job_spec(name, args)
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": app_metadata(name, args, f"{name}-{digest[:JOB_HASH_LENGTH]}"),
        "spec": spec,
    }


def render_cron_job(name: str, args: AppServiceArgs) -> Manifest:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": app_metadata(name, args),
        "spec": {
            "schedule": args.schedule,
            "concurrencyPolicy": args.concurrency_policy,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": render_labels(name, args)},
                "spec": _job_spec(name, args),
            },
        },
    }


def render_workload(name: str, args: AppServiceArgs) -> Manifest:
    renderers = {
        "deployment": render_deployment,
        "statefulSet": render_stateful_set,
        "job": render_job,
        "cronJob": render_cron_job,
    }
    return renderers[args.workload](name, args)


def render_service_account(name: str, args: AppServiceArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": app_metadata(name, args, service_account_name(name)),
        "automountServiceAccountToken": False,
    }


def render_bindings_config_map(name: str, args: AppServiceArgs) -> Manifest | None:
    if not args.bindings:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": app_metadata(name, args, bindings_config_map_name(name)),
        "data": bindings_data(args),
    }


def render_services(name: str, args: AppServiceArgs) -> list[Manifest]:
    """A ClusterIP Service on every port; a StatefulSet also gets its headless Service."""
    if not args.ports or not args.runs_continuously:
        return []
    ports = [
        {"name": port.name, "port": port.port, "targetPort": port.name, "protocol": port.protocol}
        for port in args.ports
    ]
    services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": app_metadata(name, args),
            "spec": {"type": "ClusterIP", "selector": selector_labels(name), "ports": ports},
        }
    ]
    if args.workload == "statefulSet":
        services.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": app_metadata(name, args, headless_service_name(name)),
                "spec": {
                    "clusterIP": "None",
                    "publishNotReadyAddresses": True,
                    "selector": selector_labels(name),
                    "ports": ports,
                },
            }
        )
    return services


def most_replicas(args: AppServiceArgs) -> int:
    return args.autoscaling.max_replicas if args.autoscaling else args.replicas


def render_pod_disruption_budget(name: str, args: AppServiceArgs) -> Manifest | None:
    """With more than one replica, at least one stays up through voluntary disruptions."""
    if not args.runs_continuously or most_replicas(args) <= 1:
        return None
    # `minAvailable: 1` only when at least two run from the start; at one, it would block
    # every node drain.
    return pod_disruption_budget(
        app_metadata(name, args), selector_labels(name), start_replicas(args)
    )
