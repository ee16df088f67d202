"""The gateway's shared cache, hosted models, request logs and public egress, as rendered
config and manifests."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from pydantic import ValidationError

from components.gateway.args import GatewayArgs, GatewayBackend, Limits, RequestLogs
from components.gateway.config import render_gateway_config
from components.gateway.coordination import CacheConnection, ResponseCache
from components.gateway.egress import EgressPeer
from components.gateway.hosted import HostedBackend
from components.gateway.manifests import render_deployment, render_network_policy
from components.shared.secret_refs import SecretKeyRef

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
PRIVATE = GatewayBackend(
    served_name="mistral-7b",
    api_base="http://mistral-7b.llm.svc.cluster.local:8000/v1",
    pod_labels={"app.kubernetes.io/instance": "mistral-7b"},
    port=8000,
    fallbacks=("gpt-4o-mini",),
    limits=Limits(rpm=3000, tpm=900_000),
)
OPENAI = HostedBackend(
    served_name="gpt-4o-mini",
    provider="openai",
    model="gpt-4o-mini",
    credential_secret=SecretKeyRef(name="openai-api-key", key="api-key"),
    limits=Limits(rpm=500),
)
IN_CLUSTER = CacheConnection(
    host="cache.llm.svc",
    port=6379,
    password_secret=SecretKeyRef(name="cache-auth", key="password"),
    ca_secret=SecretKeyRef(name="cache-tls", key="ca.crt"),
    peer=EgressPeer(pod_labels={"app.kubernetes.io/component": "cache-proxy"}, port=6379),
)
ELASTICACHE = CacheConnection(
    host_secret=SecretKeyRef(name="cache-auth", key="host"),
    port=6379,
    password_secret=SecretKeyRef(name="cache-auth", key="password"),
    cidrs=("10.70.0.0/16",),
)


def args(**fields: Any) -> GatewayArgs:
    base: dict[str, Any] = {
        "namespace": "llm",
        "replicas": 3,
        "backends": (PRIVATE,),
        "hosted": (OPENAI,),
        "cache": IN_CLUSTER,
    }
    return GatewayArgs(**{**base, **fields})


def test_the_config_shares_counters_and_splits_token_limits() -> None:
    config = render_gateway_config(args())
    router = config["router_settings"]
    assert router["redis_host"] == "os.environ/CACHE_HOST"
    assert router["redis_port"] == 6379
    assert router["redis_password"] == "os.environ/CACHE_PASSWORD"
    assert router["cache_kwargs"] == {"ssl": True, "ssl_ca_certs": "/etc/litellm/cache-ca/ca.crt"}
    assert router["fallbacks"] == [{"mistral-7b": ["gpt-4o-mini"]}]
    settings = config["litellm_settings"]
    assert settings["cache"] is True
    # No response is stored unless response caching is asked for.
    assert settings["cache_params"]["supported_call_types"] == []
    assert settings["cache_params"]["type"] == "redis"
    private, hosted = config["model_list"]
    # rpm is counted in the cache; tpm, which LiteLLM checks per process, is split in 3.
    assert (private["litellm_params"]["rpm"], private["litellm_params"]["tpm"]) == (3000, 300_000)
    assert hosted == {
        "model_name": "gpt-4o-mini",
        "litellm_params": {
            "model": "openai/gpt-4o-mini",
            "api_key": "os.environ/HOSTED_GPT_4O_MINI_API_KEY",
            "rpm": 500,
            "timeout": 600,
        },
    }


def test_response_caching_keeps_answers_for_their_ttl() -> None:
    params = render_gateway_config(args(response_cache=ResponseCache(ttl_seconds=120)))[
        "litellm_settings"
    ]["cache_params"]
    assert params["ttl"] == 120
    assert "supported_call_types" not in params and "mode" not in params
    opt_in = render_gateway_config(args(response_cache=ResponseCache(opt_in=True)))
    assert opt_in["litellm_settings"]["cache_params"]["mode"] == "default_off"


def test_the_deployment_reads_the_cache_and_provider_secrets() -> None:
    deployment = render_deployment("gw", args(workers=4))
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {item["name"]: item for item in container["env"]}
    assert env["CACHE_HOST"] == {"name": "CACHE_HOST", "value": "cache.llm.svc"}
    assert env["CACHE_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "cache-auth", "key": "password"}
    }
    assert env["HOSTED_GPT_4O_MINI_API_KEY"]["valueFrom"] == {
        "secretKeyRef": {"name": "openai-api-key", "key": "api-key"}
    }
    assert container["args"][-2:] == ["--num_workers", "4"]
    assert {"name": "cache-ca", "mountPath": "/etc/litellm/cache-ca", "readOnly": True} in (
        container["volumeMounts"]
    )
    assert pod["serviceAccountName"] == "gw"
    managed = render_deployment("gw", args(cache=ELASTICACHE))
    [container] = managed["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    assert env["CACHE_HOST"]["valueFrom"] == {"secretKeyRef": {"name": "cache-auth", "key": "host"}}
    assert all(mount["name"] != "cache-ca" for mount in container["volumeMounts"])


def test_vertex_reads_its_service_account_file() -> None:
    vertex = HostedBackend(
        served_name="gemini",
        provider="vertex",
        model="gemini-2.5-flash",
        region="europe-west4",
        project="acme-ml",
        credential_secret=SecretKeyRef(name="vertex-sa", key="key.json"),
    )
    config = render_gateway_config(
        args(hosted=(vertex,), backends=(PRIVATE.model_copy(update={"fallbacks": ("gemini",)}),))
    )
    params = config["model_list"][1]["litellm_params"]
    assert params["model"] == "vertex_ai/gemini-2.5-flash"
    assert (params["vertex_project"], params["vertex_location"]) == ("acme-ml", "europe-west4")
    assert params["vertex_credentials"].endswith("/credentials.json")
    assert "api_key" not in params


def test_hosted_models_open_egress_to_public_addresses_on_443_only() -> None:
    policy = render_network_policy("gw", args(cache=ELASTICACHE, cluster_cidrs=("10.70.0.0/16",)))
    kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)
    *_, cache, public = policy["spec"]["egress"]
    assert cache == {
        "to": [{"ipBlock": {"cidr": "10.70.0.0/16"}}],
        "ports": [{"port": 6379, "protocol": "TCP"}],
    }
    assert public["ports"] == [{"port": 443, "protocol": "TCP"}]
    ipv4, ipv6 = (peer["ipBlock"] for peer in public["to"])
    assert ipv4["cidr"] == "0.0.0.0/0"
    for private in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                    "127.0.0.0/8", "169.254.0.0/16"):  # fmt: skip
        assert private in ipv4["except"]
    # The VPC is private already, so it is not listed twice.
    assert ipv4["except"].count("10.70.0.0/16") == 0
    assert ipv6["cidr"] == "::/0" and "fc00::/7" in ipv6["except"] and "fe80::/10" in ipv6["except"]
    # A cluster on public addresses keeps its own range out of the rule too.
    public_vpc = render_network_policy("gw", args(cluster_cidrs=("52.10.0.0/16",)))
    assert "52.10.0.0/16" in public_vpc["spec"]["egress"][-1]["to"][0]["ipBlock"]["except"]
    private_only = render_network_policy(
        "gw", args(hosted=(), backends=(PRIVATE.model_copy(update={"fallbacks": ()}),))
    )
    assert all(
        peer.get("ipBlock", {}).get("cidr") != "0.0.0.0/0"
        for rule in private_only["spec"]["egress"]
        for peer in rule["to"]
    )


def test_request_logs_go_to_the_bucket_through_s3_v2() -> None:
    logs = RequestLogs(bucket="acme-logs", region="us-west-2")
    settings = render_gateway_config(args(request_logs=logs))["litellm_settings"]
    assert settings["success_callback"] == ["s3_v2"] == settings["failure_callback"]
    assert settings["s3_callback_params"] == {
        "s3_bucket_name": "acme-logs",
        "s3_region_name": "us-west-2",
        "s3_path": "gateway-logs",
    }
    egress = render_network_policy(
        "gw",
        args(
            hosted=(), request_logs=logs, backends=(PRIVATE.model_copy(update={"fallbacks": ()}),)
        ),
    )
    assert egress["spec"]["egress"][-1]["ports"] == [{"port": 443, "protocol": "TCP"}]


def test_the_args_refuse_unshared_limits_cycles_and_a_half_configured_cache() -> None:
    with pytest.raises(ValidationError, match=r"with 3 replicas and no `cache`.*9000 rpm"):
        args(cache=None)
    looped = OPENAI.model_copy(update={"fallbacks": ("mistral-7b",)})
    with pytest.raises(ValidationError, match=r"cycle: mistral-7b -> gpt-4o-mini -> mistral-7b"):
        args(hosted=(looped,))
    with pytest.raises(ValidationError, match=r"exactly one of `host` or `host_secret`"):
        CacheConnection(port=6379, password_secret=SecretKeyRef(name="a", key="b"))
    with pytest.raises(ValidationError, match=r"`response_cache` needs `cache`"):
        args(
            replicas=1,
            backends=(PRIVATE.model_copy(update={"limits": Limits()}),),
            hosted=(),
            cache=None,
            response_cache=ResponseCache(),
        )
    with pytest.raises(ValidationError, match=r"an OpenAI-compatible model needs its base URL"):
        HostedBackend(served_name="x", provider="openaiCompatible", model="m",
                      credential_secret=SecretKeyRef(name="k"))  # fmt: skip
