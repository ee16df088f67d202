"""Pure functions that turn `GatewayArgs` into Kubernetes manifests.

The master key's value is a Pulumi secret and never passes through here: the
Secret that holds it is created by the component, and these manifests only
reference it by name.
"""

from __future__ import annotations

from typing import Any

from components.gateway.args import (
    DNS_NAMESPACE_LABELS,
    DNS_POD_LABELS,
    GATEWAY_POD_LABELS,
    GATEWAY_PORT,
    MASTER_KEY_SECRET_KEY,
    RUN_AS_USER,
    GatewayArgs,
)
from components.gateway.config import (
    DATABASE_URL_ENV,
    LOGGER_ENDPOINT_ENV,
    LOGGER_HEADERS_ENV,
    MASTER_KEY_ENV,
    config_checksum,
    render_config_text,
)
from components.gateway.coordination import (
    CACHE_CA_DIR,
    CACHE_CA_FILE,
    CACHE_HOST_ENV,
    CACHE_PASSWORD_ENV,
)
from components.gateway.egress import cidr_rule, peer_rule, public_https_rule
from components.gateway.hosted import (
    VERTEX_CREDENTIALS_FILE,
    credential_dir,
    credential_env,
    uses_credential_file,
)
from components.shared.labels import MANAGED_BY, app_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.service_manifests import http_service, pod_disruption_budget

Manifest = dict[str, Any]

CONFIG_DIR = "/etc/litellm"
CONFIG_FILE = "config.yaml"
LIVENESS_PATH = "/health/liveliness"
READINESS_PATH = "/health/readiness"
# The OpenAI-compatible API; the admin UI (`/ui`) and management API
# (`/key/...`, `/user/...`) stay in-cluster unless `expose_admin` is set.
PUBLIC_PATH = "/v1"
CHECKSUM_ANNOTATION = "shipyard.dev/config-sha256"


def selector_labels(name: str) -> dict[str, str]:
    return app_labels("litellm", name)


def render_labels(name: str) -> dict[str, str]:
    return {
        **selector_labels(name),
        **GATEWAY_POD_LABELS,
        **MANAGED_BY,
    }


def _metadata(name: str, args: GatewayArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def config_map_name(name: str) -> str:
    return f"{name}-config"


def master_key_secret_name(name: str) -> str:
    return f"{name}-master-key"


def tls_secret_name(name: str, args: GatewayArgs) -> str:
    tls = args.exposure.tls if args.exposure else None
    return tls.secret_name if tls and tls.secret_name else f"{name}-tls"


def render_config_map(name: str, args: GatewayArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**_metadata(name, args), "name": config_map_name(name)},
        "data": {CONFIG_FILE: render_config_text(args)},
    }


def _secret_env(env: str, secret: str, key: str) -> Manifest:
    return {"name": env, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def render_env(name: str, args: GatewayArgs) -> list[Manifest]:
    admin = args.exposure is not None and args.exposure.expose_admin
    env: list[Manifest] = [
        {"name": "HOME", "value": "/tmp"},
        {"name": "DISABLE_ADMIN_UI", "value": "False" if admin else "True"},
        {"name": "LITELLM_TELEMETRY", "value": "False"},
    ]
    if args.authentication:
        env.append(_secret_env(MASTER_KEY_ENV, master_key_secret_name(name), MASTER_KEY_SECRET_KEY))
    if args.virtual_keys is not None:
        ref = args.virtual_keys.database_url_secret
        env.append(_secret_env(DATABASE_URL_ENV, ref.name, ref.key))
    logging = args.usage_logging
    if logging is not None:
        env.append({"name": LOGGER_ENDPOINT_ENV, "value": logging.endpoint})
        headers = logging.headers_secret
        env.append(_secret_env(LOGGER_HEADERS_ENV, headers.name, headers.key))
    if args.cache is not None:
        if args.cache.host_secret is not None:
            host = args.cache.host_secret
            env.append(_secret_env(CACHE_HOST_ENV, host.name, host.key))
        else:
            env.append({"name": CACHE_HOST_ENV, "value": args.cache.host})
        password = args.cache.password_secret
        env.append(_secret_env(CACHE_PASSWORD_ENV, password.name, password.key))
    for backend in args.hosted:
        secret = backend.credential_secret
        if secret is not None and not uses_credential_file(backend):
            env.append(_secret_env(credential_env(backend), secret.name, secret.key))
    return env


def _secret_volumes(args: GatewayArgs) -> list[tuple[Manifest, Manifest]]:
    """`(volume, mount)` for the cache's CA and Vertex service-account files."""
    volumes: list[tuple[Manifest, Manifest]] = []
    ca = args.cache.ca_secret if args.cache is not None and args.cache.tls else None
    if ca is not None:
        volumes.append(
            (
                {
                    "name": "cache-ca",
                    "secret": {
                        "secretName": ca.name,
                        "items": [{"key": ca.key, "path": CACHE_CA_FILE}],
                    },
                },
                {"name": "cache-ca", "mountPath": CACHE_CA_DIR, "readOnly": True},
            )
        )
    for index, backend in enumerate(args.hosted):
        secret = backend.credential_secret
        if secret is not None and uses_credential_file(backend):
            name = f"hosted-{index}"
            volumes.append(
                (
                    {
                        "name": name,
                        "secret": {
                            "secretName": secret.name,
                            "items": [{"key": secret.key, "path": VERTEX_CREDENTIALS_FILE}],
                        },
                    },
                    {"name": name, "mountPath": credential_dir(backend), "readOnly": True},
                )
            )
    return volumes


def service_account_name(name: str) -> str:
    """The gateway pods' own identity; on EKS, request logs reach S3 through its IRSA role."""
    return name


def render_service_account(name: str, args: GatewayArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _metadata(name, args),
        "automountServiceAccountToken": False,
    }


def render_container(name: str, args: GatewayArgs) -> Manifest:
    container: Manifest = {
        "name": "litellm",
        "image": args.image,
        "args": [
            "--config",
            f"{CONFIG_DIR}/{CONFIG_FILE}",
            "--port",
            str(GATEWAY_PORT),
            *(["--num_workers", str(args.workers)] if args.workers > 1 else []),
        ],
        "ports": [{"name": "http", "containerPort": GATEWAY_PORT, "protocol": "TCP"}],
        "env": render_env(name, args),
        "resources": {
            "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
            "limits": {"memory": args.memory_request},
        },
        "readinessProbe": {
            "httpGet": {"path": READINESS_PATH, "port": "http"},
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            "httpGet": {"path": LIVENESS_PATH, "port": "http"},
            "initialDelaySeconds": 30,
            "periodSeconds": 15,
            "failureThreshold": 3,
        },
        "securityContext": restricted_container_security_context(RUN_AS_USER),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
            *(mount for _, mount in _secret_volumes(args)),
        ],
    }
    return container


def render_deployment(name: str, args: GatewayArgs) -> Manifest:
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
                    "annotations": {CHECKSUM_ANNOTATION: config_checksum(render_config_text(args))},
                },
                "spec": {
                    "serviceAccountName": service_account_name(name),
                    "automountServiceAccountToken": False,
                    "securityContext": restricted_pod_security_context(RUN_AS_USER),
                    "containers": [render_container(name, args)],
                    "volumes": [
                        {"name": "config", "configMap": {"name": config_map_name(name)}},
                        {"name": "tmp", "emptyDir": {}},
                        *(volume for volume, _ in _secret_volumes(args)),
                    ],
                },
            },
        },
    }


def render_service(name: str, args: GatewayArgs) -> Manifest:
    return http_service(_metadata(name, args), selector_labels(name), GATEWAY_PORT)


def render_pod_disruption_budget(name: str, args: GatewayArgs) -> Manifest:
    return pod_disruption_budget(_metadata(name, args), selector_labels(name), args.replicas)


def render_network_policy(name: str, args: GatewayArgs) -> Manifest:
    """In: clients in the namespace and the ingress data plane. Out: models, data, the
    cache, DNS, and with hosted models or S3 request logs public addresses on 443."""
    sources: list[Manifest] = [{"podSelector": {}}]
    if args.exposure is not None:
        sources.append(
            {"namespaceSelector": {"matchLabels": dict(args.exposure.controller_namespace_labels)}}
        )
    egress: list[Manifest] = [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": dict(DNS_NAMESPACE_LABELS)},
                    "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
                }
            ],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        }
    ]
    for backend in args.backends:
        egress.append(
            {
                "to": [{"podSelector": {"matchLabels": dict(backend.pod_labels)}}],
                "ports": [{"port": backend.port, "protocol": "TCP"}],
            }
        )
    if args.virtual_keys is not None:
        egress.append(peer_rule(args.virtual_keys.database))
    if args.usage_logging is not None:
        egress.append(peer_rule(args.usage_logging.peer))
    cache = args.cache
    if cache is not None and cache.peer is not None:
        egress.append(peer_rule(cache.peer))
    if cache is not None and cache.cidrs:
        egress.append(cidr_rule(cache.cidrs, cache.port))
    if args.public_egress:
        egress.append(public_https_rule(args.cluster_cidrs))
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": [{"port": GATEWAY_PORT, "protocol": "TCP"}]}],
            "egress": egress,
        },
    }


def _paths(args: GatewayArgs) -> list[str]:
    admin = args.exposure is not None and args.exposure.expose_admin
    return ["/"] if admin else [PUBLIC_PATH]


def render_ingress(name: str, args: GatewayArgs) -> Manifest | None:
    exposure = args.exposure
    if exposure is None or exposure.kind != "ingress":
        return None
    metadata = _metadata(name, args)
    spec: Manifest = {
        "rules": [
            {
                "host": exposure.host,
                "http": {
                    "paths": [
                        {
                            "path": path,
                            "pathType": "Prefix",
                            "backend": {"service": {"name": name, "port": {"name": "http"}}},
                        }
                        for path in _paths(args)
                    ]
                },
            }
        ]
    }
    if exposure.ingress_class_name is not None:
        spec["ingressClassName"] = exposure.ingress_class_name
    if exposure.tls is not None:
        spec["tls"] = [{"hosts": [exposure.host], "secretName": tls_secret_name(name, args)}]
        issuer = exposure.tls.cert_manager_issuer
        if issuer is not None:
            annotation = (
                "cert-manager.io/cluster-issuer"
                if issuer.kind == "ClusterIssuer"
                else "cert-manager.io/issuer"
            )
            metadata["annotations"] = {annotation: issuer.name}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }


def render_http_route(name: str, args: GatewayArgs) -> Manifest | None:
    exposure = args.exposure
    if exposure is None or exposure.kind != "httpRoute" or exposure.parent_ref is None:
        return None
    parent: Manifest = {"name": exposure.parent_ref.name}
    if exposure.parent_ref.namespace is not None:
        parent["namespace"] = exposure.parent_ref.namespace
    if exposure.parent_ref.section_name is not None:
        parent["sectionName"] = exposure.parent_ref.section_name
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": _metadata(name, args),
        "spec": {
            "parentRefs": [parent],
            "hostnames": [exposure.host],
            "rules": [
                {
                    "matches": [
                        {"path": {"type": "PathPrefix", "value": path}} for path in _paths(args)
                    ],
                    "backendRefs": [{"name": name, "port": GATEWAY_PORT}],
                }
            ],
        },
    }


def service_url(name: str, namespace: str) -> str:
    """The in-cluster base URL of the gateway's OpenAI-compatible API."""
    return f"http://{name}.{namespace}.svc.cluster.local:{GATEWAY_PORT}/v1"


def public_url(args: GatewayArgs) -> str | None:
    if args.exposure is None:
        return None
    scheme = "http" if args.exposure.kind == "ingress" and args.exposure.tls is None else "https"
    return f"{scheme}://{args.exposure.host}/v1"
