"""The cache's certificates (pure): cert-manager's `Certificate` for the Service and pod
names, signed by a given issuer or by a CA of the cache's own."""

from __future__ import annotations

from typing import Any

from components.cache.args import ValkeyCacheArgs
from components.cache.config import headless_service_name
from components.cache.manifests import certificate_secret_name, render_labels

Manifest = dict[str, Any]

CERT_MANAGER_API_VERSION = "cert-manager.io/v1"


def _metadata(name: str, args: ValkeyCacheArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def dns_names(name: str, args: ValkeyCacheArgs) -> list[str]:
    ns, domain, headless = args.namespace, args.cluster_domain, headless_service_name(name)
    return [
        name,
        f"{name}.{ns}",
        f"{name}.{ns}.svc",
        f"{name}.{ns}.svc.{domain}",
        f"*.{headless}.{ns}.svc",
        f"*.{headless}.{ns}.svc.{domain}",
    ]


def render_certificates(name: str, args: ValkeyCacheArgs) -> list[Manifest]:
    """The server certificate; without an issuer or Secret, also the cache's own CA: a
    self-signed Issuer signs the CA Certificate, whose CA Issuer signs the server's."""
    if args.tls.secret_name is not None:
        return []
    objects: list[Manifest] = []
    ref: Manifest
    issuer = args.tls.issuer
    if issuer is None:
        ca = f"{name}-ca"
        objects += [
            {
                "apiVersion": CERT_MANAGER_API_VERSION,
                "kind": "Issuer",
                "metadata": _metadata(f"{name}-selfsigned", args),
                "spec": {"selfSigned": {}},
            },
            {
                "apiVersion": CERT_MANAGER_API_VERSION,
                "kind": "Certificate",
                "metadata": _metadata(ca, args),
                "spec": {
                    "isCA": True,
                    "commonName": f"{name} cache CA",
                    "secretName": ca,
                    "duration": "87600h",
                    "privateKey": {"algorithm": "ECDSA", "size": 256},
                    "issuerRef": {"name": f"{name}-selfsigned", "kind": "Issuer"},
                },
            },
            {
                "apiVersion": CERT_MANAGER_API_VERSION,
                "kind": "Issuer",
                "metadata": _metadata(ca, args),
                "spec": {"ca": {"secretName": ca}},
            },
        ]
        ref = {"name": ca, "kind": "Issuer", "group": "cert-manager.io"}
    else:
        ref = {"name": issuer.name, "kind": issuer.kind, "group": "cert-manager.io"}
    objects.append(
        {
            "apiVersion": CERT_MANAGER_API_VERSION,
            "kind": "Certificate",
            "metadata": _metadata(name, args),
            "spec": {
                "secretName": certificate_secret_name(name),
                "issuerRef": ref,
                "dnsNames": dns_names(name, args),
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                "usages": ["digital signature", "key encipherment", "server auth", "client auth"],
            },
        }
    )
    return objects
