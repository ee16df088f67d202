"""Pure functions that turn `MinioArgs` into Kubernetes and cert-manager manifests.

No credential passes through here: the component creates the Secrets, and these
manifests only name them.
"""

from __future__ import annotations

from typing import Any

from components.minio.args import MINIO_USER, S3_PORT, MinioArgs
from components.shared.labels import app_labels, recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.service_manifests import pod_disruption_budget

Manifest = dict[str, Any]

CERT_MANAGER_API_VERSION = "cert-manager.io/v1"
# Where the server reads `public.crt`, `private.key` and trusted CAs (`CAs/`), and where
# the setup Job finds the CA for `mc`.
CERTS_DIR = "/etc/minio/certs"
ROOT_USER_KEY = "MINIO_ROOT_USER"
ROOT_PASSWORD_KEY = "MINIO_ROOT_PASSWORD"
ACCESS_KEY_KEY = "AWS_ACCESS_KEY_ID"
SECRET_KEY_KEY = "AWS_SECRET_ACCESS_KEY"
CA_KEY = "ca.crt"
# The objects are the data; protected unless `allow_data_loss`.
OBJECT_DATA_LABELS = {"shipyard.dev/data": "objects"}
SERVER_COMPONENT = "object-store"
SETUP_COMPONENT = "bucket-setup"


def render_labels(name: str, component: str = SERVER_COMPONENT) -> dict[str, str]:
    return recommended_labels("minio", name, component)


def selector_labels(name: str, component: str = SERVER_COMPONENT) -> dict[str, str]:
    """The labels that pick the server pods (or the setup Job's pods)."""
    return app_labels("minio", name, component)


def headless_service_name(name: str) -> str:
    return f"{name}-hl"


def root_secret_name(name: str) -> str:
    """The Secret with `MINIO_ROOT_USER` and `MINIO_ROOT_PASSWORD`."""
    return f"{name}-root-credentials"


def user_secret_name(name: str, user: str) -> str:
    """A service user's Secret, with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`."""
    return f"{name}-{user}-credentials"


def certificate_secret_name(name: str) -> str:
    """The Secret cert-manager writes the certificate (and `ca.crt`) to."""
    return f"{name}-tls"


def tls_secret_name(name: str, args: MinioArgs) -> str:
    """The kubernetes.io/tls Secret the servers use: cert-manager's, or the given one."""
    return args.tls.secret_name or certificate_secret_name(name)


def service_host(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc"


def endpoint_url(name: str, namespace: str) -> str:
    """The S3 endpoint inside the cluster (always https)."""
    return f"https://{service_host(name, namespace)}:{S3_PORT}"


def dns_names(name: str, args: MinioArgs) -> list[str]:
    """Every name clients and peers use: the Service's short and full names, and each
    server pod's name under the headless Service."""
    ns, domain = args.namespace, args.cluster_domain
    headless = headless_service_name(name)
    return [
        name,
        f"{name}.{ns}",
        f"{name}.{ns}.svc",
        f"{name}.{ns}.svc.{domain}",
        f"*.{headless}.{ns}.svc",
        f"*.{headless}.{ns}.svc.{domain}",
    ]


def _metadata(name: str, args: MinioArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def render_certificate(name: str, args: MinioArgs) -> Manifest | None:
    """A cert-manager `Certificate` for the Service and pod names, or None for `secret_name`."""
    issuer = args.tls.issuer
    if issuer is None:
        return None
    return {
        "apiVersion": CERT_MANAGER_API_VERSION,
        "kind": "Certificate",
        "metadata": _metadata(name, args),
        "spec": {
            "secretName": tls_secret_name(name, args),
            "issuerRef": {"name": issuer.name, "kind": issuer.kind, "group": "cert-manager.io"},
            "dnsNames": dns_names(name, args),
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            "usages": ["digital signature", "key encipherment", "server auth", "client auth"],
        },
    }


def tls_volume(name: str, args: MinioArgs) -> Manifest:
    """The certificate in MinIO's layout. `ca.crt` is optional (a given Secret may lack it);
    the server's own certificate is always trusted too, so peers presenting it verify and
    `CAs/` always exists (the mount is read-only)."""
    secret = tls_secret_name(name, args)
    return {
        "name": "certs",
        "projected": {
            "defaultMode": 0o440,
            "sources": [
                {
                    "secret": {
                        "name": secret,
                        "items": [
                            {"key": "tls.crt", "path": "public.crt"},
                            {"key": "tls.key", "path": "private.key"},
                            {"key": "tls.crt", "path": "CAs/server.crt"},
                        ],
                    }
                },
                {
                    "secret": {
                        "name": secret,
                        "items": [{"key": CA_KEY, "path": f"CAs/{CA_KEY}"}],
                        "optional": True,
                    }
                },
            ],
        },
    }


def server_args(name: str, args: MinioArgs) -> list[str]:
    """`minio server` with MinIO's ellipsis notation: one pool of every server's drives."""
    drives = (
        "/data0" if args.drives_per_server == 1 else f"/data{{0...{args.drives_per_server - 1}}}"
    )
    if args.servers == 1:
        volumes = drives
    else:
        host = f"{name}-{{0...{args.servers - 1}}}.{headless_service_name(name)}.{args.namespace}"
        volumes = f"https://{host}.svc.{args.cluster_domain}:{S3_PORT}{drives}"
    return ["server", "--certs-dir", CERTS_DIR, "--address", f":{S3_PORT}", volumes]


def _probe(path: str, period: int) -> Manifest:
    return {
        "httpGet": {"path": path, "port": S3_PORT, "scheme": "HTTPS"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }


def _volume_claim(index: int, args: MinioArgs, name: str) -> Manifest:
    spec: Manifest = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": args.storage_size}},
    }
    if args.storage_class is not None:
        spec["storageClassName"] = args.storage_class
    return {
        "metadata": {
            "name": f"data{index}",
            "labels": {**render_labels(name), **OBJECT_DATA_LABELS},
        },
        "spec": spec,
    }


def render_stateful_set(name: str, args: MinioArgs) -> Manifest:
    """The servers: started in parallel (a distributed pool needs its peers to come up),
    spread over nodes, restricted Pod Security, TLS, root credentials from their Secret."""
    container: Manifest = {
        "name": "minio",
        "image": args.image,
        "args": server_args(name, args),
        "ports": [{"name": "s3", "containerPort": S3_PORT, "protocol": "TCP"}],
        "env": [
            {
                "name": key,
                "valueFrom": {"secretKeyRef": {"name": root_secret_name(name), "key": key}},
            }
            for key in (ROOT_USER_KEY, ROOT_PASSWORD_KEY)
        ]
        + [
            # The web console is off: administration goes through `mc` and the setup Job.
            {"name": "MINIO_BROWSER", "value": "false"},
            {"name": "HOME", "value": "/tmp"},
        ],
        "resources": {
            "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
            "limits": {"memory": args.memory_request},
        },
        "readinessProbe": _probe("/minio/health/ready", 10),
        "livenessProbe": _probe("/minio/health/live", 20),
        "securityContext": restricted_container_security_context(MINIO_USER),
        "volumeMounts": [
            *(
                {"name": f"data{i}", "mountPath": f"/data{i}"}
                for i in range(args.drives_per_server)
            ),
            {"name": "certs", "mountPath": CERTS_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    retention = "Delete" if args.allow_data_loss else "Retain"
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            **_metadata(name, args),
            "labels": {**render_labels(name), **OBJECT_DATA_LABELS},
        },
        "spec": {
            "serviceName": headless_service_name(name),
            "replicas": args.servers,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": selector_labels(name)},
            "persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": retention,
                "whenScaled": "Retain",
            },
            "template": {
                "metadata": {"labels": render_labels(name)},
                "spec": {
                    "securityContext": restricted_pod_security_context(MINIO_USER),
                    "automountServiceAccountToken": False,
                    "affinity": {
                        "podAntiAffinity": {
                            "preferredDuringSchedulingIgnoredDuringExecution": [
                                {
                                    "weight": 100,
                                    "podAffinityTerm": {
                                        "topologyKey": "kubernetes.io/hostname",
                                        "labelSelector": {"matchLabels": selector_labels(name)},
                                    },
                                }
                            ]
                        }
                    },
                    "containers": [container],
                    "volumes": [tls_volume(name, args), {"name": "tmp", "emptyDir": {}}],
                },
            },
            "volumeClaimTemplates": [
                _volume_claim(i, args, name) for i in range(args.drives_per_server)
            ],
        },
    }


def render_services(name: str, args: MinioArgs) -> list[Manifest]:
    """The S3 Service clients use, and the headless one that gives each server its name
    (published before the pods are ready, so peers find each other at start)."""
    port = [{"name": "s3", "port": S3_PORT, "targetPort": S3_PORT, "protocol": "TCP"}]
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _metadata(name, args),
            "spec": {"selector": selector_labels(name), "ports": port},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {**_metadata(name, args), "name": headless_service_name(name)},
            "spec": {
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": selector_labels(name),
                "ports": port,
            },
        },
    ]


def render_pod_disruption_budget(name: str, args: MinioArgs) -> Manifest | None:
    """At most one server down at a time on voluntary disruptions; None when standalone."""
    if args.servers == 1:
        return None
    return pod_disruption_budget(_metadata(name, args), selector_labels(name))


def _peer(labels: dict[str, str], namespace: str | None, own: str) -> Manifest:
    peer: Manifest = {"podSelector": {"matchLabels": dict(labels)}}
    if namespace is not None and namespace != own:
        peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
    return peer


def render_network_policy(name: str, args: MinioArgs) -> Manifest:
    """The S3 port admits the declared consumers, the other servers and the setup Job."""
    peers = [_peer(user.pod_labels, user.namespace, args.namespace) for user in args.users]
    peers += [
        {"podSelector": {"matchLabels": selector_labels(name)}},
        {"podSelector": {"matchLabels": selector_labels(name, SETUP_COMPONENT)}},
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": peers, "ports": [{"port": S3_PORT, "protocol": "TCP"}]}],
        },
    }
