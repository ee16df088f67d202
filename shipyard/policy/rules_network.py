"""Rules over what the platform exposes: NetworkPolicies, TLS on public endpoints, EKS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shipyard.policy.model import PolicyConfig, Resource, Violation
from shipyard.policy.props import (
    annotations_of,
    dig,
    kind_of,
    kubernetes_kind,
    mapping,
    namespace_of,
    sequence,
)
from shipyard.policy.workload_pods import selects, workload_pods

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE = "kubernetes:core/v1:Service"
INGRESSES = ("kubernetes:networking.k8s.io/v1:Ingress",)
GATEWAY_GROUP = "gateway.networking.k8s.io/"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EXPOSURE_ANNOTATION = "shipyard.dev/exposure"
"""`shipyard.dev/exposure: internal` marks a Service, Ingress or HTTPRoute as not public."""
AWS_SSL_CERT_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
_INTERNAL_LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "service.beta.kubernetes.io/azure-load-balancer-internal": ("true",),
    "networking.gke.io/load-balancer-type": ("Internal",),
}
_OPEN_CIDRS = ("0.0.0.0/0", "::/0")
_TLS_PROTOCOLS = ("HTTPS", "TLS")


def _isolates_ingress(policy: Mapping[str, Any]) -> bool:
    types = dig(policy, "spec", "policyTypes")
    return "Ingress" in sequence(types) if types is not None else True


def namespaces_have_network_policies(
    resources: Sequence[Resource], config: PolicyConfig
) -> list[Violation]:
    """Every workload's pods selected by an ingress NetworkPolicy of their namespace: one
    policy somewhere in the namespace leaves the other workloads open to every pod."""
    policies: dict[str, list[Mapping[str, Any]]] = {}
    for resource in resources:
        if resource.type == NETWORK_POLICY and _isolates_ingress(resource.props):
            policies.setdefault(namespace_of(resource.props), []).append(resource.props)
    violations = []
    for resource in sorted(resources, key=lambda r: (r.type, r.name)):
        namespace = namespace_of(resource.props)
        for pods in workload_pods(resource.type, resource.props):
            if any(
                selects(dig(policy, "spec", "podSelector"), pods.labels)
                for policy in policies.get(namespace, [])
            ):
                continue
            labels = ", ".join(f"{key}={value}" for key, value in sorted(pods.labels.items()))
            violations.append(
                Violation(
                    f'{kind_of(resource.type)} "{resource.name}": no ingress NetworkPolicy '
                    f'in namespace "{namespace}" selects the pods of {pods.path} '
                    f"({labels or 'no labels'}); add one that admits only the traffic they "
                    "need.",
                    resource.urn,
                )
            )
    return violations


def _internal(props: Mapping[str, Any]) -> bool:
    notes = annotations_of(props)
    if notes.get(EXPOSURE_ANNOTATION) == "internal":
        return True
    return any(notes.get(key) in values for key, values in _INTERNAL_LB_ANNOTATIONS.items())


def _service_problem(props: Mapping[str, Any]) -> str | None:
    if dig(props, "spec", "type") != "LoadBalancer" or _internal(props):
        return None
    if annotations_of(props).get(AWS_SSL_CERT_ANNOTATION):
        return None
    ports = [mapping(port).get("port") for port in sequence(dig(props, "spec", "ports"))]
    if ports and all(port == 443 for port in ports):
        return None
    return (
        "spec.type is LoadBalancer on a public address without TLS; set the "
        f"{AWS_SSL_CERT_ANNOTATION} annotation, serve only port 443, or annotate it "
        f"{EXPOSURE_ANNOTATION}: internal."
    )


def _ingress_problem(props: Mapping[str, Any]) -> str | None:
    if _internal(props) or sequence(dig(props, "spec", "tls")):
        return None
    return "spec.tls is empty, so the Ingress serves plain HTTP; add a TLS section."


def _route_problems(route: Resource, gateways: Mapping[tuple[str, str], Resource]) -> list[str]:
    if _internal(route.props):
        return []
    problems = []
    route_namespace = namespace_of(route.props)
    for index, ref in enumerate(map(mapping, sequence(dig(route.props, "spec", "parentRefs")))):
        if ref.get("kind", "Gateway") != "Gateway":
            continue
        key = (str(ref.get("namespace") or route_namespace), str(ref.get("name")))
        gateway = gateways.get(key)
        if gateway is None:  # managed outside this stack: nothing to judge it by
            continue
        section = ref.get("sectionName")
        for listener in map(mapping, sequence(dig(gateway.props, "spec", "listeners"))):
            if section and listener.get("name") != section:
                continue
            if listener.get("protocol") not in _TLS_PROTOCOLS:
                problems.append(
                    f'spec.parentRefs[{index}] attaches to listener "{listener.get("name")}" of '
                    f'Gateway "{key[1]}" with protocol {listener.get("protocol")}; attach only '
                    "to HTTPS listeners with sectionName."
                )
    return problems


def public_endpoints_use_tls(
    resources: Sequence[Resource], config: PolicyConfig
) -> list[Violation]:
    gateways = {
        (namespace_of(r.props), str(dig(r.props, "metadata", "name"))): r
        for r in resources
        if (kubernetes_kind(r.type) or "").startswith(GATEWAY_GROUP)
        and kind_of(r.type) == "Gateway"
    }
    violations = []
    for resource in resources:
        kind = kubernetes_kind(resource.type) or ""
        problems: list[str | None] = []
        if resource.type == SERVICE:
            problems = [_service_problem(resource.props)]
        elif resource.type in INGRESSES:
            problems = [_ingress_problem(resource.props)]
        elif kind.startswith(GATEWAY_GROUP) and kind_of(resource.type) == "HTTPRoute":
            problems = list(_route_problems(resource, gateways))
        violations += [Violation(problem, resource.urn) for problem in problems if problem]
    return violations


def eks_endpoint_restricted(resource: Resource, config: PolicyConfig) -> list[str]:
    if resource.type != EKS_CLUSTER:
        return []
    vpc = mapping(resource.props.get("vpcConfig"))
    if vpc.get("endpointPublicAccess", True) is False:
        return []
    cidrs = [str(cidr) for cidr in sequence(vpc.get("publicAccessCidrs"))]
    if not cidrs:
        return [
            "vpcConfig.endpointPublicAccess is on and vpcConfig.publicAccessCidrs is empty, so "
            "the API endpoint is open to the internet; list the allowed CIDRs or turn "
            "endpointPublicAccess off."
        ]
    return [
        f"vpcConfig.publicAccessCidrs allows {cidr}, which is the whole internet; list only "
        "the CIDRs that need the API endpoint."
        for cidr in cidrs
        if cidr in _OPEN_CIDRS
    ]
