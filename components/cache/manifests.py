"""Pure functions that turn `ValkeyCacheArgs` into Kubernetes and cert-manager manifests.

No password passes through here: the component creates the Secret, and these manifests
only name it.
"""

from __future__ import annotations

from typing import Any

from components.cache.args import (
    EXPORTER_PORT,
    PROXY_USER,
    SENTINEL_PORT,
    VALKEY_PORT,
    VALKEY_USER,
    ValkeyCacheArgs,
)
from components.cache.config import (
    CONF_DIR,
    DATA_DIR,
    PASSWORD_ENV,
    TLS_DIR,
    config_script,
    handover_script,
    haproxy_cfg,
    headless_service_name,
    pod_domain,
    sentinel_conf,
    valkey_conf,
)
from components.cache.users import (
    USERS_DIR,
    USERS_HASH_ANNOTATION,
    users_hash,
    users_volume,
)
from components.shared.labels import app_labels, recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.service_manifests import pod_disruption_budget

Manifest = dict[str, Any]

SERVER_COMPONENT = "cache"
PROXY_COMPONENT = "cache-proxy"
PASSWORD_KEY = "password"
HOST_KEY = "host"
"""ElastiCache's endpoint is known only once it exists, so its Secret carries it too."""
CA_KEY = "ca.crt"
# The data is what `allow_data_loss` protects (policy `stateful-resources-protected`).
CACHE_DATA_LABELS = {"shipyard.dev/data": "cache"}


def render_labels(name: str, component: str = SERVER_COMPONENT) -> dict[str, str]:
    return recommended_labels("valkey", name, component)


def selector_labels(name: str, component: str = SERVER_COMPONENT) -> dict[str, str]:
    return app_labels("valkey", name, component)


def password_secret_name(name: str) -> str:
    """The Secret with the password, key `password`."""
    return f"{name}-auth"


def certificate_secret_name(name: str) -> str:
    """The Secret cert-manager writes the server certificate (and `ca.crt`) to."""
    return f"{name}-tls"


def tls_secret_name(name: str, args: ValkeyCacheArgs) -> str:
    return args.tls.secret_name or certificate_secret_name(name)


def config_map_name(name: str) -> str:
    return f"{name}-config"


def proxy_name(name: str) -> str:
    return f"{name}-proxy"


def service_host(name: str, namespace: str) -> str:
    """The host clients connect to: HAProxy's Service, always the primary."""
    return f"{name}.{namespace}.svc"


def _metadata(name: str, args: ValkeyCacheArgs, component: str = SERVER_COMPONENT) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name, component)}


def render_config_map(name: str, args: ValkeyCacheArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**_metadata(name, args), "name": config_map_name(name)},
        "data": {
            "valkey.conf": valkey_conf(args),
            "sentinel.conf": sentinel_conf(args),
            "config.sh": config_script(name, args),
            "handover.sh": handover_script(),
            "haproxy.cfg": haproxy_cfg(name, args),
        },
    }


def _password_env(name: str) -> Manifest:
    return {
        "name": PASSWORD_ENV,
        "valueFrom": {"secretKeyRef": {"name": password_secret_name(name), "key": PASSWORD_KEY}},
    }


def _resources(args: ValkeyCacheArgs) -> Manifest:
    return {
        "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
        "limits": {"memory": args.memory_request},
    }


def _ping(port: int) -> Manifest:
    command = (
        f'valkey-cli --tls --cacert {TLS_DIR}/ca.crt -p {port} -a "${PASSWORD_ENV}" '
        "--no-auth-warning PING | grep -q PONG"
    )
    return {
        "exec": {"command": ["sh", "-c", command]},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }


def _mounts(data: bool) -> list[Manifest]:
    mounts: list[Manifest] = [
        {"name": "tls", "mountPath": TLS_DIR, "readOnly": True},
        {"name": "conf", "mountPath": CONF_DIR},
        {"name": "templates", "mountPath": "/templates", "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    if data:
        mounts.append({"name": "data", "mountPath": DATA_DIR})
    return mounts


def render_stateful_set(name: str, args: ValkeyCacheArgs) -> Manifest:
    """The Valkey pods, each with its Sentinel, spread over nodes; restricted Pod Security;
    volumes retained when the set is deleted or scaled in."""
    env = [_password_env(name)]
    security = restricted_container_security_context(VALKEY_USER)
    init: Manifest = {
        "name": "config",
        "image": args.image,
        "command": ["sh", "/templates/config.sh"],
        "env": env,
        "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "securityContext": security,
        "volumeMounts": _mounts(False),
    }
    server: Manifest = {
        "name": "valkey",
        "image": args.image,
        "command": ["valkey-server", f"{CONF_DIR}/valkey.conf"],
        "ports": [{"name": "valkey", "containerPort": VALKEY_PORT, "protocol": "TCP"}],
        "env": env,
        "resources": _resources(args),
        "readinessProbe": _ping(VALKEY_PORT),
        "livenessProbe": {**_ping(VALKEY_PORT), "initialDelaySeconds": 30},
        "lifecycle": {"preStop": {"exec": {"command": ["sh", "/templates/handover.sh"]}}},
        "securityContext": security,
        "volumeMounts": _mounts(args.persistence != "none"),
    }
    sentinel = {
        "name": "sentinel",
        "image": args.image,
        "command": ["valkey-sentinel", f"{CONF_DIR}/sentinel.conf"],
        "ports": [{"name": "sentinel", "containerPort": SENTINEL_PORT, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": _ping(SENTINEL_PORT),
        "securityContext": security,
        "volumeMounts": _mounts(False),
    }
    volumes: list[Manifest] = [
        {
            "name": "tls",
            "secret": {"secretName": tls_secret_name(name, args), "defaultMode": 0o440},
        },
        {"name": "conf", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}},
        {"name": "templates", "configMap": {"name": config_map_name(name)}},
        {"name": "tmp", "emptyDir": {}},
    ]
    containers = [server, sentinel]
    if args.metrics:
        containers.append(render_exporter(name, args))
    template_metadata: Manifest = {"labels": render_labels(name)}
    if args.users:
        # Only the init container, which writes the ACL users into the config, reads them.
        volumes.append(users_volume(name, args.users))
        init["volumeMounts"].append({"name": "users", "mountPath": USERS_DIR, "readOnly": True})
        template_metadata["annotations"] = {USERS_HASH_ANNOTATION: users_hash(args.users)}
    spec: Manifest = {
        "serviceName": headless_service_name(name),
        "replicas": args.replicas,
        "podManagementPolicy": "OrderedReady",
        "selector": {"matchLabels": selector_labels(name)},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "template": {
            "metadata": template_metadata,
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": restricted_pod_security_context(VALKEY_USER),
                "terminationGracePeriodSeconds": 40,
                "affinity": _spread(selector_labels(name)),
                "initContainers": [init],
                "containers": containers,
                "volumes": volumes,
            },
        },
    }
    if args.persistence != "none":
        claim: Manifest = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": args.storage_size}},
        }
        if args.storage_class is not None:
            claim["storageClassName"] = args.storage_class
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {
                    "name": "data",
                    "labels": {**render_labels(name), **CACHE_DATA_LABELS},
                },
                "spec": claim,
            }
        ]
    else:
        volumes.append({"name": "data", "emptyDir": {}})
        server["volumeMounts"].append({"name": "data", "mountPath": DATA_DIR})
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            **_metadata(name, args),
            "labels": {**render_labels(name), **CACHE_DATA_LABELS},
        },
        "spec": spec,
    }


def render_exporter(name: str, args: ValkeyCacheArgs) -> Manifest:
    """redis_exporter beside the server: it logs in with the password over TLS, verifying
    the certificate by the pod's own name (which the certificate covers; `localhost` it
    does not), and serves `/metrics` on the port named `metrics`."""
    address = f"rediss://$(POD_NAME).{pod_domain(name, args)}:{VALKEY_PORT}"
    return {
        "name": "metrics",
        "image": args.exporter_image,
        "args": [
            f"-redis.addr={address}",
            f"-tls-ca-cert-file={TLS_DIR}/ca.crt",
            f"-web.listen-address=:{EXPORTER_PORT}",
        ],
        "ports": [{"name": "metrics", "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            # redis_exporter reads its password from REDIS_PASSWORD.
            {**_password_env(name), "name": "REDIS_PASSWORD"},
        ],
        "resources": {"requests": {"cpu": "20m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "readinessProbe": {"tcpSocket": {"port": EXPORTER_PORT}, "periodSeconds": 10},
        "securityContext": restricted_container_security_context(VALKEY_USER),
        "volumeMounts": [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}],
    }


def _spread(labels: dict[str, str]) -> Manifest:
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": labels},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }


def render_proxy_deployment(name: str, args: ValkeyCacheArgs) -> Manifest:
    proxy = proxy_name(name)
    labels = render_labels(name, PROXY_COMPONENT)
    container = {
        "name": "haproxy",
        "image": args.proxy_image,
        "command": ["haproxy", "-W", "-db", "-f", "/templates/haproxy.cfg"],
        "ports": [{"name": "valkey", "containerPort": VALKEY_PORT, "protocol": "TCP"}],
        "env": [_password_env(name)],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": {"tcpSocket": {"port": VALKEY_PORT}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": VALKEY_PORT}, "periodSeconds": 15},
        "securityContext": restricted_container_security_context(PROXY_USER),
        "volumeMounts": [
            {"name": "templates", "mountPath": "/templates", "readOnly": True},
            {"name": "tls", "mountPath": TLS_DIR, "readOnly": True},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {**_metadata(proxy, args, PROXY_COMPONENT), "labels": labels},
        "spec": {
            "replicas": args.proxy_replicas,
            "selector": {"matchLabels": selector_labels(name, PROXY_COMPONENT)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": restricted_pod_security_context(PROXY_USER),
                    "affinity": _spread(selector_labels(name, PROXY_COMPONENT)),
                    "containers": [container],
                    "volumes": [
                        {"name": "templates", "configMap": {"name": config_map_name(name)}},
                        {
                            "name": "tls",
                            "secret": {
                                "secretName": tls_secret_name(name, args),
                                "items": [{"key": CA_KEY, "path": CA_KEY}],
                            },
                        },
                    ],
                },
            },
        },
    }


def _service(name: str, args: ValkeyCacheArgs, component: str, headless: bool) -> Manifest:
    ports = [{"name": "valkey", "port": VALKEY_PORT, "targetPort": VALKEY_PORT, "protocol": "TCP"}]
    spec: Manifest = {"selector": selector_labels(name, component), "ports": ports}
    if headless:
        ports.append(
            {
                "name": "sentinel",
                "port": SENTINEL_PORT,
                "targetPort": SENTINEL_PORT,
                "protocol": "TCP",
            }
        )
        # Peers must find each other before they are ready (a replica syncing).
        spec.update({"clusterIP": "None", "publishNotReadyAddresses": True})
    service_name = headless_service_name(name) if headless else name
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(service_name, args, component),
        "spec": spec,
    }


def render_services(name: str, args: ValkeyCacheArgs) -> list[Manifest]:
    """The headless Service of the Valkey pods, and the clients' Service on HAProxy."""
    return [
        _service(name, args, SERVER_COMPONENT, headless=True),
        _service(name, args, PROXY_COMPONENT, headless=False),
    ]


def render_pod_disruption_budgets(name: str, args: ValkeyCacheArgs) -> list[Manifest]:
    # At most one Valkey pod down at a time, so the Sentinels keep their majority.
    budgets = [pod_disruption_budget(_metadata(name, args), selector_labels(name))]
    proxy = proxy_name(name)
    budgets.append(
        pod_disruption_budget(
            _metadata(proxy, args, PROXY_COMPONENT),
            selector_labels(name, PROXY_COMPONENT),
            args.proxy_replicas,
        )
    )
    return budgets
