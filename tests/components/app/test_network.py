"""The app's NetworkPolicy (default deny; exactly its bound peers and DNS) and its
Ingress or HTTPRoute under the gateway's TLS and authentication rules."""

from __future__ import annotations

import pytest

from components.app.args import (
    AppBinding,
    AppExposure,
    AppPort,
    AppServiceArgs,
    BindingValue,
    ExternalEgress,
    NetworkPeer,
)
from components.app.network import render_http_route, render_ingress, render_network_policy
from components.gateway.args import CertManagerIssuer, Exposure, GatewayTls, ParentRef

POSTGRES = AppBinding(
    name="postgres",
    type="postgresql",
    provider="cloudnative-pg",
    env_prefix="POSTGRES",
    values=(BindingValue(key="host", value="pg-rw.llm.svc"),),
    egress=(NetworkPeer(pod_labels={"cnpg.io/cluster": "pg"}, ports=(5432,)),),
)
ARGS = AppServiceArgs(
    namespace="llm",
    image="registry.example.com/acme/api:1.0.0",
    ports=(AppPort(name="http", port=8080),),
    bindings=(POSTGRES,),
    ingress_from=(NetworkPeer(pod_labels={"shipyard.dev/app": "frontend"}, ports=(8080,)),),
    external_egress=(ExternalEgress(cidr="0.0.0.0/0", ports=(443,)),),
)
TLS = GatewayTls(cert_manager_issuer=CertManagerIssuer(name="letsencrypt"))


def test_the_policy_admits_exactly_the_bound_peers_and_dns() -> None:
    spec = render_network_policy("api", ARGS)["spec"]
    assert spec["podSelector"] == {"matchLabels": {"shipyard.dev/app": "api"}}
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {"shipyard.dev/app": "frontend"}}}],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        }
    ]
    dns, postgres, outside = spec["egress"]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert postgres == {
        "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "pg"}}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    }
    assert outside == {
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
        "ports": [{"port": 443, "protocol": "TCP"}],
    }


def test_an_unbound_app_is_closed_both_ways_but_dns() -> None:
    bare = AppServiceArgs(namespace="llm", image="registry.example.com/acme/batch:1.0.0")
    spec = render_network_policy("batch", bare)["spec"]
    assert spec["ingress"] == []
    assert len(spec["egress"]) == 1


def test_a_public_ingress_has_tls_and_admits_the_controller() -> None:
    exposure = AppExposure(
        exposure=Exposure(
            kind="ingress", host="api.example.com", ingress_class_name="nginx", tls=TLS
        ),
        authenticated=True,
    )
    args = ARGS.model_copy(update={"exposure": exposure})
    ingress = render_ingress("api", args)
    assert ingress is not None
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"]["tls"] == [{"hosts": ["api.example.com"], "secretName": "api-tls"}]
    rule = ingress["spec"]["rules"][0]["http"]["paths"][0]
    assert rule["backend"] == {"service": {"name": "api", "port": {"name": "http"}}}
    policy = render_network_policy("api", args)["spec"]["ingress"]
    assert policy[-1] == {
        "from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
        ],
        "ports": [{"port": 8080, "protocol": "TCP"}],
    }


def test_an_http_route_attaches_to_the_https_listener() -> None:
    exposure = AppExposure(
        exposure=Exposure(
            kind="httpRoute",
            host="api.example.com",
            parent_ref=ParentRef(name="edge", namespace="gw", section_name="https"),
        ),
        authenticated=True,
    )
    route = render_http_route("api", ARGS.model_copy(update={"exposure": exposure}))
    assert route is not None
    assert route["spec"]["parentRefs"] == [
        {"name": "edge", "namespace": "gw", "sectionName": "https"}
    ]
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "api", "port": 8080}]


@pytest.mark.parametrize(
    ("exposure", "message"),
    [
        (
            AppExposure(exposure=Exposure(kind="ingress", host="a.example.com", tls=TLS)),
            "a public endpoint requires authentication",
        ),
        (
            AppExposure(
                exposure=Exposure(kind="ingress", host="a.example.com"), authenticated=True
            ),
            "a public endpoint requires TLS",
        ),
    ],
)
def test_the_gateways_exposure_rules_hold(exposure: AppExposure, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AppServiceArgs(**{**ARGS.model_dump(), "exposure": exposure.model_dump()})
