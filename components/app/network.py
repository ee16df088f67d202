"""The app's network (pure): a default-deny NetworkPolicy that admits exactly the apps
bound to it (and the ingress data plane when exposed) and lets it reach exactly its
bindings' peers and DNS; and its Ingress or HTTPRoute under the gateway's TLS rules."""

from __future__ import annotations

from typing import Any

from components.app.args import AppServiceArgs, NetworkPeer
from components.app.manifests import app_metadata, selector_labels
from components.gateway.args import DNS_NAMESPACE_LABELS, DNS_POD_LABELS

Manifest = dict[str, Any]


def _selector(peer: NetworkPeer) -> Manifest:
    selector: Manifest = {"podSelector": {"matchLabels": dict(sorted(peer.pod_labels.items()))}}
    if peer.namespace_labels is not None:
        selector["namespaceSelector"] = {"matchLabels": dict(sorted(peer.namespace_labels.items()))}
    return selector


def _tcp(ports: tuple[int, ...] | list[int]) -> list[Manifest]:
    return [{"port": port, "protocol": "TCP"} for port in sorted(set(ports))]


def _rules(peers: tuple[NetworkPeer, ...] | list[NetworkPeer], direction: str) -> list[Manifest]:
    """One rule per distinct peer, its ports merged; in a stable order."""
    merged: dict[str, tuple[Manifest, set[int]]] = {}
    for peer in peers:
        selector = _selector(peer)
        key = repr(sorted(selector.items()))
        merged.setdefault(key, (selector, set()))[1].update(peer.ports)
    return [
        {direction: [selector], "ports": _tcp(sorted(ports))}
        for _, (selector, ports) in sorted(merged.items())
    ]


def egress_peers(args: AppServiceArgs) -> list[NetworkPeer]:
    """Every peer the app's bindings reach."""
    return [peer for binding in args.bindings for peer in binding.egress]


def render_network_policy(name: str, args: AppServiceArgs) -> Manifest:
    """Default deny both ways; in: the bound apps and the exposure's controller; out: DNS,
    the bindings' peers and the declared external addresses."""
    ingress = _rules(args.ingress_from, "from")
    if args.exposure is not None:
        port = next(p.port for p in args.ports if p.name == args.exposure.port)
        labels = dict(args.exposure.exposure.controller_namespace_labels)
        ingress.append(
            {"from": [{"namespaceSelector": {"matchLabels": labels}}], "ports": _tcp([port])}
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
        },
        *_rules(egress_peers(args), "to"),
    ]
    external = [*args.external_egress, *(e for b in args.bindings for e in b.external_egress)]
    seen: list[tuple[str, tuple[int, ...]]] = []
    for rule in external:
        if (rule.cidr, rule.ports) in seen:
            continue
        seen.append((rule.cidr, rule.ports))
        egress.append({"to": [{"ipBlock": {"cidr": rule.cidr}}], "ports": _tcp(rule.ports)})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": app_metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }


def _issuer_annotation(args: AppServiceArgs) -> dict[str, str]:
    assert args.exposure is not None
    tls = args.exposure.exposure.tls
    issuer = tls.cert_manager_issuer if tls is not None else None
    if issuer is None:
        return {}
    key = (
        "cert-manager.io/cluster-issuer"
        if issuer.kind == "ClusterIssuer"
        else "cert-manager.io/issuer"
    )
    return {key: issuer.name}


def tls_secret_name(name: str, args: AppServiceArgs) -> str:
    assert args.exposure is not None
    tls = args.exposure.exposure.tls
    return tls.secret_name if tls is not None and tls.secret_name else f"{name}-tls"


def render_ingress(name: str, args: AppServiceArgs) -> Manifest | None:
    if args.exposure is None or args.exposure.exposure.kind != "ingress":
        return None
    exposure = args.exposure.exposure
    metadata = app_metadata(name, args)
    annotations = _issuer_annotation(args)
    if not exposure.public:
        annotations["shipyard.dev/exposure"] = "internal"
    if annotations:
        metadata["annotations"] = annotations
    backend = {"service": {"name": name, "port": {"name": args.exposure.port}}}
    spec: Manifest = {
        "rules": [
            {
                "host": exposure.host,
                "http": {
                    "paths": [
                        {"path": args.exposure.path, "pathType": "Prefix", "backend": backend}
                    ]
                },
            }
        ]
    }
    if exposure.ingress_class_name is not None:
        spec["ingressClassName"] = exposure.ingress_class_name
    if exposure.tls is not None:
        spec["tls"] = [{"hosts": [exposure.host], "secretName": tls_secret_name(name, args)}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }


def render_http_route(name: str, args: AppServiceArgs) -> Manifest | None:
    if args.exposure is None or args.exposure.exposure.kind != "httpRoute":
        return None
    exposure = args.exposure.exposure
    assert exposure.parent_ref is not None  # `app_problems` requires it
    parent: Manifest = {"name": exposure.parent_ref.name}
    if exposure.parent_ref.namespace is not None:
        parent["namespace"] = exposure.parent_ref.namespace
    if exposure.parent_ref.section_name is not None:
        parent["sectionName"] = exposure.parent_ref.section_name
    port = next(p.port for p in args.ports if p.name == args.exposure.port)
    metadata = app_metadata(name, args)
    if not exposure.public:
        metadata["annotations"] = {"shipyard.dev/exposure": "internal"}
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata,
        "spec": {
            "parentRefs": [parent],
            "hostnames": [exposure.host],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": args.exposure.path}}],
                    "backendRefs": [{"name": name, "port": port}],
                }
            ],
        },
    }
