"""Pure functions that turn `GitopsReconcilerArgs` into Kubernetes manifests.

No secret value passes through here: the webhook secret, git credentials and Pulumi
backend credentials are Secrets the user creates, referenced by name.
"""

from __future__ import annotations

from typing import Any

from components.gitops_reconciler.args import (
    RECONCILER_PORT,
    RUN_AS_USER,
    TERMINATION_GRACE_SECONDS,
    WEBHOOK_PORT,
    GitopsReconcilerArgs,
    TrafficSource,
)
from components.shared.labels import app_labels, recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.service_manifests import http_service, pod_disruption_budget

Manifest = dict[str, Any]

# The one writable volume: git checkouts, HOME and PULUMI_HOME (workspaces, plugins
# downloaded at run time). The root filesystem stays read-only.
DATA_DIR = "/var/lib/shipyard"
WORK_DIR = f"{DATA_DIR}/work"
PULUMI_HOME = f"{DATA_DIR}/.pulumi"
GIT_CREDENTIALS_DIR = "/etc/shipyard/git"
# Keys of the git credentials Secret: git's credential store file for https; an SSH key
# (the `kubernetes.io/ssh-auth` key name) and the host keys to trust for ssh.
GIT_CREDENTIALS_KEY = ".git-credentials"
SSH_KEY_KEY = "ssh-privatekey"
KNOWN_HOSTS_KEY = "known_hosts"
# Owned by root, readable by the pod's group (fsGroup): ssh accepts a key it does not own.
GIT_CREDENTIALS_MODE = 0o440
WEBHOOK_SECRET_ENV = "SHIPYARD_WEBHOOK_SECRET"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
CONTAINER = "reconciler"


def selector_labels(name: str) -> dict[str, str]:
    return app_labels("shipyard-reconciler", name)


def render_labels(name: str) -> dict[str, str]:
    return recommended_labels("shipyard-reconciler", name, "gitops")


def _metadata(name: str, args: GitopsReconcilerArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def lease_name(name: str) -> str:
    return f"{name}-leader"


def state_config_map_name(name: str) -> str:
    return f"{name}-state"


def render_args(name: str, args: GitopsReconcilerArgs) -> list[str]:
    """`shipyard reconcile`'s arguments. The leader identity comes from `POD_NAME`."""
    rendered = [
        "reconcile",
        f"--repo={args.repo}",
        f"--branch={args.branch}",
        f"--interval={args.interval}",
        # Every interface of the pod: the kubelet's probes and Prometheus come from outside
        # it. The NetworkPolicy decides who gets in, port by port.
        f"--listen=0.0.0.0:{RECONCILER_PORT}",
        f"--webhook-listen=0.0.0.0:{WEBHOOK_PORT}",
        f"--workdir={WORK_DIR}",
        f"--max-parallel={args.max_parallel}",
        f"--drift-interval={args.drift_interval}",
        f"--leader-election-lease={args.namespace}/{lease_name(name)}",
        f"--state-configmap={args.namespace}/{state_config_map_name(name)}",
    ]
    if args.stacks:
        rendered.append(f"--stacks={','.join(args.stacks)}")
    if args.self_heal:
        rendered.append("--self-heal")
    if args.policy_pack is not None:
        rendered.append(f"--policy-pack={args.policy_pack}")
    if args.git_auth == "https":  # git's `store` helper reads the mounted file, for fetches
        rendered.append(f"--git-credentials-file={GIT_CREDENTIALS_DIR}/{GIT_CREDENTIALS_KEY}")
    return rendered


def _secret_env(env: str, secret: str, key: str) -> Manifest:
    return {"name": env, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def render_env(args: GitopsReconcilerArgs) -> list[Manifest]:
    env: list[Manifest] = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "HOME", "value": DATA_DIR},
        {"name": "PULUMI_HOME", "value": PULUMI_HOME},
        {"name": "PULUMI_SKIP_UPDATE_CHECK", "value": "true"},
        {"name": "PULUMI_BACKEND_URL", "value": args.backend.url},
    ]
    passphrase = args.backend.passphrase_secret
    if passphrase is not None:
        env.append(_secret_env("PULUMI_CONFIG_PASSPHRASE", passphrase.name, passphrase.key))
    if args.webhook_secret is not None:
        ref = args.webhook_secret
        env.append(_secret_env(WEBHOOK_SECRET_ENV, ref.name, ref.key))
    if args.git_auth == "ssh":
        env.append(
            {
                "name": "GIT_SSH_COMMAND",
                "value": f"ssh -i {GIT_CREDENTIALS_DIR}/{SSH_KEY_KEY} -o IdentitiesOnly=yes "
                f"-o UserKnownHostsFile={GIT_CREDENTIALS_DIR}/{KNOWN_HOSTS_KEY} "
                "-o StrictHostKeyChecking=yes",
            }
        )
    return env


def render_container(name: str, args: GitopsReconcilerArgs) -> Manifest:
    container: Manifest = {
        "name": CONTAINER,
        "image": args.image,
        "command": ["shipyard"],
        "args": render_args(name, args),
        "ports": [
            {"name": "http", "containerPort": RECONCILER_PORT, "protocol": "TCP"},
            {"name": "webhook", "containerPort": WEBHOOK_PORT, "protocol": "TCP"},
        ],
        "env": render_env(args),
        "resources": {
            "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
            "limits": {"memory": args.memory_request},
        },
        "readinessProbe": {
            "httpGet": {"path": READY_PATH, "port": "http"},
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            "httpGet": {"path": HEALTH_PATH, "port": "http"},
            "initialDelaySeconds": 10,
            "periodSeconds": 20,
            "failureThreshold": 3,
        },
        "securityContext": restricted_container_security_context(RUN_AS_USER),
        "volumeMounts": [
            {"name": "data", "mountPath": DATA_DIR},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    if args.backend.credentials_secret is not None:
        container["envFrom"] = [{"secretRef": {"name": args.backend.credentials_secret}}]
    if args.git_credentials_secret is not None:
        container["volumeMounts"].append(
            {"name": "git-credentials", "mountPath": GIT_CREDENTIALS_DIR, "readOnly": True}
        )
    return container


def render_deployment(name: str, args: GitopsReconcilerArgs) -> Manifest:
    volumes: list[Manifest] = [
        {"name": "data", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
    ]
    if args.git_credentials_secret is not None:
        volumes.append(
            {
                "name": "git-credentials",
                "secret": {
                    "secretName": args.git_credentials_secret,
                    "defaultMode": GIT_CREDENTIALS_MODE,
                },
            }
        )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(name, args),
        "spec": {
            "replicas": args.replicas,
            "selector": {"matchLabels": selector_labels(name)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            },
            "template": {
                "metadata": {
                    "labels": render_labels(name),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(RECONCILER_PORT),
                        "prometheus.io/path": METRICS_PATH,
                    },
                },
                "spec": {
                    "serviceAccountName": name,
                    # It talks to the API server: the Lease, its state, the stacks' objects.
                    "automountServiceAccountToken": True,
                    "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                    "securityContext": restricted_pod_security_context(RUN_AS_USER),
                    "affinity": {
                        "podAntiAffinity": {
                            "preferredDuringSchedulingIgnoredDuringExecution": [
                                {
                                    "weight": 100,
                                    "podAffinityTerm": {
                                        "labelSelector": {"matchLabels": selector_labels(name)},
                                        "topologyKey": "kubernetes.io/hostname",
                                    },
                                }
                            ]
                        }
                    },
                    "containers": [render_container(name, args)],
                    "volumes": volumes,
                },
            },
        },
    }


def render_service_account(name: str, args: GitopsReconcilerArgs) -> Manifest:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _metadata(name, args)}


def render_role(name: str, args: GitopsReconcilerArgs) -> Manifest:
    """Read and update the one Lease and the one state ConfigMap, nothing else. RBAC
    cannot limit `create` to a name, so the component creates both objects itself."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _metadata(name, args),
        "rules": [
            {
                "apiGroups": ["coordination.k8s.io"],
                "resources": ["leases"],
                "resourceNames": [lease_name(name)],
                "verbs": ["get", "update"],
            },
            {
                "apiGroups": [""],
                "resources": ["configmaps"],
                "resourceNames": [state_config_map_name(name)],
                "verbs": ["get", "patch"],
            },
        ],
    }


def _subjects(name: str, args: GitopsReconcilerArgs) -> list[Manifest]:
    return [{"kind": "ServiceAccount", "name": name, "namespace": args.namespace}]


def render_role_binding(name: str, args: GitopsReconcilerArgs) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _metadata(name, args),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": _subjects(name, args),
    }


def render_apply_binding(name: str, args: GitopsReconcilerArgs) -> Manifest | None:
    """The user's ClusterRole for what the stacks manage, bound cluster-wide or in the
    namespace; None without one."""
    if args.cluster_role is None:
        return None
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole"}
    role_ref["name"] = args.cluster_role
    if args.cluster_role_scope == "namespace":
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {**_metadata(name, args), "name": f"{name}-apply"},
            "roleRef": role_ref,
            "subjects": _subjects(name, args),
        }
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        # Cluster-scoped: the namespace keeps two platforms' bindings apart.
        "metadata": {"name": f"{args.namespace}-{name}-apply", "labels": render_labels(name)},
        "roleRef": role_ref,
        "subjects": _subjects(name, args),
    }


def render_lease(name: str, args: GitopsReconcilerArgs) -> Manifest:
    """Created without a spec; the replicas write it (the component ignores it)."""
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {**_metadata(name, args), "name": lease_name(name)},
    }


def render_state_config_map(name: str, args: GitopsReconcilerArgs) -> Manifest:
    """Created without data; the leader writes one key per stack (the component ignores
    them)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**_metadata(name, args), "name": state_config_map_name(name)},
    }


def render_service(name: str, args: GitopsReconcilerArgs) -> Manifest:
    """The webhook port alone: what an Ingress in front of it exposes is `/webhook`, never
    health, metrics or `/status`, which Prometheus reaches on the pods' `http` port."""
    return http_service(_metadata(name, args), selector_labels(name), WEBHOOK_PORT, "webhook")


def render_pod_disruption_budget(name: str, args: GitopsReconcilerArgs) -> Manifest:
    return pod_disruption_budget(_metadata(name, args), selector_labels(name), args.replicas)


def _peer(source: TrafficSource) -> Manifest:
    if source.cidr is not None:
        return {"ipBlock": {"cidr": source.cidr}}
    peer: Manifest = {}
    if source.pod_labels is not None:
        peer["podSelector"] = {"matchLabels": dict(source.pod_labels)}
    if source.namespace_labels is not None:
        peer["namespaceSelector"] = {"matchLabels": dict(source.namespace_labels)}
    return peer


def render_network_policy(name: str, args: GitopsReconcilerArgs) -> Manifest:
    """In: `allowed_sources` to the webhook port, `metrics_sources` to the metrics port,
    nobody else. Out: not restricted, since the pod reaches the git host, the state backend
    and the API server, whose addresses vary."""
    ingress: list[Manifest] = []
    for sources, port in (
        (args.allowed_sources, WEBHOOK_PORT),
        (args.metrics_sources, RECONCILER_PORT),
    ):
        if sources:
            ingress.append(
                {
                    "from": [_peer(source) for source in sources],
                    "ports": [{"port": port, "protocol": "TCP"}],
                }
            )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def webhook_url(name: str, namespace: str) -> str:
    return f"http://{name}.{namespace}.svc.cluster.local:{WEBHOOK_PORT}/webhook"
