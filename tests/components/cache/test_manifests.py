"""The in-cluster cache's manifests, as plain data, against the Kubernetes schema and
cert-manager's real CRDs."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from pydantic import ValidationError

from components.cache.args import PROXY_IMAGE, VALKEY_IMAGE, CacheIssuer, CacheTls, ValkeyCacheArgs
from components.cache.certificates import render_certificates
from components.cache.manifests import (
    render_config_map,
    render_pod_disruption_budgets,
    render_proxy_deployment,
    render_services,
    render_stateful_set,
)
from components.cache.network_policies import render_network_policies
from components.cache.users import CacheUser
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
GATEWAY = {"app.kubernetes.io/component": "ai-gateway"}
ARGS = ValkeyCacheArgs(namespace="llm", storage_size="10Gi", client_pod_labels=(GATEWAY,))


def builtin_objects(args: ValkeyCacheArgs) -> list[dict[str, Any]]:
    return [
        render_config_map("cache", args),
        render_stateful_set("cache", args),
        render_proxy_deployment("cache", args),
        *render_services("cache", args),
        *render_pod_disruption_budgets("cache", args),
        *render_network_policies("cache", args),
    ]


def test_every_object_validates_against_the_kubernetes_schema() -> None:
    users = (CacheUser(name="backend", key_prefix="backend:"),)
    for manifest in (
        builtin_objects(ARGS)
        + builtin_objects(ARGS.model_copy(update={"users": users, "metrics": True}))
        + builtin_objects(ARGS.model_copy(update={"persistence": "none", "storage_size": None}))
    ):
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_stateful_set_runs_valkey_and_sentinel_non_root_on_retained_volumes() -> None:
    stateful_set = render_stateful_set("cache", ARGS)
    spec = stateful_set["spec"]
    pod = spec["template"]["spec"]
    assert spec["replicas"] == 3 and spec["serviceName"] == "cache-hl"
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    [claim] = spec["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert claim["metadata"]["labels"]["shipyard.dev/data"] == "cache"
    assert stateful_set["metadata"]["labels"]["shipyard.dev/data"] == "cache"
    assert [c["name"] for c in pod["initContainers"]] == ["config"]
    assert [c["name"] for c in pod["containers"]] == ["valkey", "sentinel"]
    assert pod["securityContext"]["runAsUser"] == 999 and pod["securityContext"]["runAsNonRoot"]
    for container in pod["initContainers"] + pod["containers"]:
        assert container["image"] == VALKEY_IMAGE == "valkey/valkey:9.0.8"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        # The password comes from its Secret, never from the ConfigMap.
        assert container["env"] == [
            {
                "name": "VALKEY_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "cache-auth", "key": "password"}},
            }
        ]
    server = pod["containers"][0]
    assert server["command"] == ["valkey-server", "/conf/valkey.conf"]
    assert server["lifecycle"]["preStop"]["exec"]["command"] == ["sh", "/templates/handover.sh"]
    assert {"name": "data", "mountPath": "/data"} in server["volumeMounts"]
    assert server["resources"]["limits"] == {"memory": "1Gi"}


def test_without_persistence_the_data_is_in_memory_only() -> None:
    args = ARGS.model_copy(update={"persistence": "none", "storage_size": None})
    spec = render_stateful_set("cache", args)["spec"]
    assert "volumeClaimTemplates" not in spec
    assert {"name": "data", "emptyDir": {}} in spec["template"]["spec"]["volumes"]


def test_haproxy_sends_clients_to_the_primary_through_one_service() -> None:
    proxy = render_proxy_deployment("cache", ARGS)
    [container] = proxy["spec"]["template"]["spec"]["containers"]
    assert container["image"] == PROXY_IMAGE == "haproxy:3.2.25"
    assert container["securityContext"]["runAsUser"] == 99
    assert proxy["spec"]["replicas"] == 2
    headless, client = render_services("cache", ARGS)
    assert headless["metadata"]["name"] == "cache-hl"
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert [p["port"] for p in headless["spec"]["ports"]] == [6379, 26379]
    assert client["metadata"]["name"] == "cache"
    assert client["spec"]["selector"]["app.kubernetes.io/component"] == "cache-proxy"
    assert [p["port"] for p in client["spec"]["ports"]] == [6379]


def test_one_valkey_pod_at_a_time_may_be_disrupted() -> None:
    server, proxy = render_pod_disruption_budgets("cache", ARGS)
    assert server["spec"]["maxUnavailable"] == 1
    assert proxy["spec"]["minAvailable"] == 1


def test_only_clients_reach_haproxy_and_only_haproxy_and_peers_reach_valkey() -> None:
    server, proxy = render_network_policies("cache", ARGS)
    server_labels = server["spec"]["podSelector"]["matchLabels"]
    proxy_labels = proxy["spec"]["podSelector"]["matchLabels"]
    assert server["spec"]["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": server_labels}}],
            "ports": [{"port": 6379, "protocol": "TCP"}, {"port": 26379, "protocol": "TCP"}],
        },
        {
            "from": [{"podSelector": {"matchLabels": proxy_labels}}],
            "ports": [{"port": 6379, "protocol": "TCP"}],
        },
    ]
    assert proxy["spec"]["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": GATEWAY}}],
            "ports": [{"port": 6379, "protocol": "TCP"}],
        }
    ]
    alone = render_network_policies("cache", ARGS.model_copy(update={"client_pod_labels": ()}))[1]
    assert alone["spec"]["ingress"] == []


def test_the_cache_makes_its_own_ca_unless_given_an_issuer_or_a_secret() -> None:
    own = render_certificates("cache", ARGS)
    assert [(m["kind"], m["metadata"]["name"]) for m in own] == [
        ("Issuer", "cache-selfsigned"),
        ("Certificate", "cache-ca"),
        ("Issuer", "cache-ca"),
        ("Certificate", "cache"),
    ]
    server = own[-1]["spec"]
    assert server["issuerRef"] == {"name": "cache-ca", "kind": "Issuer", "group": "cert-manager.io"}
    assert server["secretName"] == "cache-tls"
    assert "cache.llm.svc" in server["dnsNames"]
    assert "*.cache-hl.llm.svc.cluster.local" in server["dnsNames"]
    issued = render_certificates(
        "cache", ARGS.model_copy(update={"tls": CacheTls(issuer=CacheIssuer(name="corp-ca"))})
    )
    assert [m["kind"] for m in issued] == ["Certificate"]
    assert issued[0]["spec"]["issuerRef"]["name"] == "corp-ca"
    given = ARGS.model_copy(update={"tls": CacheTls(secret_name="my-tls")})
    assert render_certificates("cache", given) == []
    assert render_stateful_set("cache", given)["spec"]["template"]["spec"]["volumes"][0] == {
        "name": "tls",
        "secret": {"secretName": "my-tls", "defaultMode": 0o440},
    }


@pytest.fixture(scope="module")
def cert_manager_schemas() -> Schemas:
    return load_schemas(
        crd_paths("cert-manager"),
        {"cert-manager.io_certificates.yaml", "cert-manager.io_issuers.yaml"},
    )


def test_the_certificates_and_issuers_validate_against_cert_managers_crds(
    cert_manager_schemas: Schemas,
) -> None:
    for manifest in render_certificates("cache", ARGS):
        validate(manifest, cert_manager_schemas)
    typo = copy.deepcopy(render_certificates("cache", ARGS)[-1])
    typo["spec"]["dnsName"] = typo["spec"].pop("dnsNames")
    with pytest.raises(jsonschema.ValidationError, match="dnsName"):
        validate(typo, cert_manager_schemas)


def test_args_refuse_storage_that_does_not_match_persistence() -> None:
    with pytest.raises(ValidationError, match=r"`storage_size` is needed for `aof` persistence"):
        ValkeyCacheArgs(namespace="llm")
    with pytest.raises(ValidationError, match=r"`storage_size` has no use without persistence"):
        ValkeyCacheArgs(namespace="llm", persistence="none", storage_size="1Gi")
    with pytest.raises(ValidationError, match=r"at most one of `issuer` or `secret_name`"):
        CacheTls(issuer=CacheIssuer(name="a"), secret_name="b")
