"""NetworkPolicy, TLS and EKS endpoint rules: violating and compliant cases, exact messages."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from policy_fixtures import deployment, resource, violations

from shipyard.policy import RULES_BY_NAME

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
EKS = "aws:eks/cluster:Cluster"


def network_policy(
    namespace: str, selector: dict[str, Any] | None = None, types: list[str] | None = None
) -> Any:
    spec: dict[str, Any] = {"podSelector": selector or {}}
    if types is not None:
        spec["policyTypes"] = types
    name = f"np-{namespace}-{len(str(selector))}"
    return resource(NETWORK_POLICY, name, {"metadata": {"namespace": namespace}, "spec": spec})


def labelled(name: str, labels: dict[str, str], namespace: str = "llm") -> Any:
    workload = deployment(namespace=namespace, name=name)
    props = copy.deepcopy(dict(workload.props))
    props["spec"]["template"]["metadata"] = {"labels": labels}
    return resource(workload.type, name, props)


# --- namespaces-have-network-policies ------------------------------------------------------

RULE = "namespaces-have-network-policies"


def test_namespace_with_workloads_and_no_network_policy() -> None:
    found = RULES_BY_NAME[RULE].evaluate(
        [
            deployment(namespace="llm"),
            deployment(namespace="ray", name="ray"),
            network_policy("ray"),
        ]
    )
    assert [(r.name if r else None, message) for r, message in found] == [
        (
            "web",
            'Deployment "web": no ingress NetworkPolicy in namespace "llm" selects the pods of '
            "spec.template (no labels); add one that admits only the traffic they need.",
        )
    ]


def test_a_workload_no_policy_selects_fails_beside_one_that_is_selected() -> None:
    """One policy in the namespace used to satisfy the rule for every workload in it."""
    found = violations(
        RULE,
        labelled("gateway", {"app": "gateway"}),
        labelled("ray-head", {"app": "ray"}),
        network_policy("llm", {"matchLabels": {"app": "gateway"}}),
    )
    assert found == [
        'Deployment "ray-head": no ingress NetworkPolicy in namespace "llm" selects the pods '
        "of spec.template (app=ray); add one that admits only the traffic they need."
    ]


def test_every_selected_workload_passes() -> None:
    assert (
        violations(
            RULE,
            labelled("gateway", {"app": "gateway", "tier": "edge"}),
            labelled("api", {"app": "api"}),
            network_policy("llm", {"matchLabels": {"app": "gateway"}}),
            network_policy(
                "llm", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]}
            ),
        )
        == []
    )


def test_an_egress_only_policy_or_one_in_another_namespace_does_not_count() -> None:
    found = violations(
        RULE,
        labelled("api", {"app": "api"}),
        network_policy("llm", {"matchLabels": {"app": "api"}}, types=["Egress"]),
        network_policy("other", {"matchLabels": {"app": "api"}}),
    )
    assert len(found) == 1 and found[0].startswith('Deployment "api": no ingress NetworkPolicy')


def test_a_workload_without_namespace_is_in_default() -> None:
    pod = resource("kubernetes:core/v1:Pod", "p", {"spec": {"containers": [{"image": "x:1"}]}})
    assert violations(RULE, pod) == [
        'Pod "p": no ingress NetworkPolicy in namespace "default" selects the pods of '
        "metadata (no labels); add one that admits only the traffic they need."
    ]


def ray_cluster(worker_labels: dict[str, str]) -> Any:
    head = {"template": {"metadata": {"labels": {"app": "ray"}}, "spec": {}}}
    worker = {"groupName": "gpu", "template": {"metadata": {"labels": worker_labels}}}
    return resource(
        "kubernetes:ray.io/v1:RayCluster",
        "ray",
        {
            "metadata": {"name": "ray", "namespace": "llm"},
            "spec": {"headGroupSpec": head, "workerGroupSpecs": [worker]},
        },
    )


def test_every_ray_group_must_be_selected() -> None:
    policy = network_policy("llm", {"matchLabels": {"app": "ray"}})
    assert violations(RULE, ray_cluster({"app": "ray"}), policy) == []
    assert violations(RULE, ray_cluster({}), policy) == [
        'RayCluster "ray": no ingress NetworkPolicy in namespace "llm" selects the pods of '
        "spec.workerGroupSpecs[0].template (app.kubernetes.io/name=kuberay, "
        "ray.io/cluster=ray, ray.io/is-ray-node=yes); add one that admits only the traffic "
        "they need."
    ]
    # KubeRay's own labels select them too.
    by_kuberay = network_policy("llm", {"matchLabels": {"ray.io/cluster": "ray"}})
    assert violations(RULE, ray_cluster({}), by_kuberay) == []


@pytest.mark.parametrize(
    ("type_", "label"),
    [
        ("kubernetes:postgresql.cnpg.io/v1:Cluster", "cnpg.io/cluster"),
        (
            "kubernetes:clickhouse.altinity.com/v1:ClickHouseInstallation",
            "clickhouse.altinity.com/chi",
        ),
        (
            "kubernetes:clickhouse-keeper.altinity.com/v1:ClickHouseKeeperInstallation",
            "clickhouse-keeper.altinity.com/chk",
        ),
    ],
)
def test_operator_managed_pods_are_judged_by_the_labels_their_operator_sets(
    type_: str, label: str
) -> None:
    cluster = resource(type_, "db", {"metadata": {"name": "db", "namespace": "llm"}, "spec": {}})
    assert violations(RULE, cluster, network_policy("llm", {"matchLabels": {label: "db"}})) == []
    found = violations(RULE, cluster, network_policy("llm", {"matchLabels": {label: "other"}}))
    assert found == [
        f'{type_.rsplit(":", 1)[1]} "db": no ingress NetworkPolicy in namespace "llm" selects '
        f"the pods of spec ({label}=db); add one that admits only the traffic they need."
    ]


# --- public-endpoints-use-tls --------------------------------------------------------------


def service(ports: list[int], annotations: dict[str, str] | None = None) -> Any:
    return resource(
        SERVICE,
        "gateway",
        {
            "metadata": {"annotations": annotations or {}},
            "spec": {"type": "LoadBalancer", "ports": [{"port": port} for port in ports]},
        },
    )


def test_public_load_balancer_without_tls() -> None:
    assert violations("public-endpoints-use-tls", service([80])) == [
        "spec.type is LoadBalancer on a public address without TLS; set the "
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert annotation, serve only port 443, "
        "or annotate it shipyard.dev/exposure: internal."
    ]


def test_load_balancers_with_tls_or_internal_pass() -> None:
    cert = {"service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert"}
    internal = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
    for compliant in (
        service([80], cert),
        service([443]),
        service([80], internal),
        service([80], {"shipyard.dev/exposure": "internal"}),
    ):
        assert violations("public-endpoints-use-tls", compliant) == []


def test_cluster_ip_service_is_not_public() -> None:
    cluster_ip = resource(SERVICE, "svc", {"spec": {"type": "ClusterIP", "ports": [{"port": 80}]}})
    assert violations("public-endpoints-use-tls", cluster_ip) == []


def test_ingress_needs_tls() -> None:
    plain = resource(INGRESS, "web", {"spec": {"rules": [{"host": "llm.example.com"}]}})
    assert violations("public-endpoints-use-tls", plain) == [
        "spec.tls is empty, so the Ingress serves plain HTTP; add a TLS section."
    ]
    tls = resource(INGRESS, "web", {"spec": {"tls": [{"hosts": ["llm.example.com"]}]}})
    assert violations("public-endpoints-use-tls", tls) == []


def gateway() -> Any:
    return resource(
        GATEWAY,
        "public",
        {
            "metadata": {"name": "public", "namespace": "edge"},
            "spec": {
                "listeners": [
                    {"name": "http", "protocol": "HTTP", "port": 80},
                    {"name": "https", "protocol": "HTTPS", "port": 443},
                ]
            },
        },
    )


def route(parent: dict[str, str]) -> Any:
    return resource(
        ROUTE, "chat", {"metadata": {"namespace": "llm"}, "spec": {"parentRefs": [parent]}}
    )


def test_http_route_on_a_plain_http_listener() -> None:
    everywhere = route({"name": "public", "namespace": "edge"})
    assert violations("public-endpoints-use-tls", gateway(), everywhere) == [
        'spec.parentRefs[0] attaches to listener "http" of Gateway "public" with protocol HTTP; '
        "attach only to HTTPS listeners with sectionName."
    ]


def test_http_route_on_the_https_listener_passes() -> None:
    https = route({"name": "public", "namespace": "edge", "sectionName": "https"})
    assert violations("public-endpoints-use-tls", gateway(), https) == []


def test_http_route_to_a_gateway_outside_the_stack_is_not_judged() -> None:
    assert violations("public-endpoints-use-tls", route({"name": "elsewhere"})) == []


# --- eks-endpoint-restricted ---------------------------------------------------------------


def eks(vpc: dict[str, Any]) -> Any:
    return resource(EKS, "platform", {"vpcConfig": vpc})


def test_public_eks_endpoint_without_cidrs() -> None:
    assert violations("eks-endpoint-restricted", eks({"subnetIds": ["a", "b"]})) == [
        "vpcConfig.endpointPublicAccess is on and vpcConfig.publicAccessCidrs is empty, so the "
        "API endpoint is open to the internet; list the allowed CIDRs or turn "
        "endpointPublicAccess off."
    ]


def test_public_eks_endpoint_open_to_everyone() -> None:
    open_vpc = {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}
    assert violations("eks-endpoint-restricted", eks(open_vpc)) == [
        "vpcConfig.publicAccessCidrs allows 0.0.0.0/0, which is the whole internet; list only "
        "the CIDRs that need the API endpoint."
    ]


def test_private_or_allow_listed_eks_endpoint_passes() -> None:
    private = {"endpointPublicAccess": False, "endpointPrivateAccess": True}
    listed = {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}
    assert violations("eks-endpoint-restricted", eks(private), eks(listed)) == []
