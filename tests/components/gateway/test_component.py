"""`AiGateway` under Pulumi mocks: children, parents, ordering, outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from components.gateway.component import TYPE_TOKEN, AiGateway, GatewayArgs, GatewayBackend
from tests.components.pulumi_recorder import PASSWORD, Recorder

SECRET = "kubernetes:core/v1:Secret"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


ARGS = GatewayArgs(
    namespace="llm",
    backends=(
        GatewayBackend(
            served_name="llama-8b",
            api_base="http://llama-8b.llm.svc.cluster.local:8000/v1",
            pod_labels={"app.kubernetes.io/instance": "llama-8b"},
            port=8000,
        ),
    ),
)


def deploy(args: GatewayArgs, master_key: str | None = None) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        gateway = AiGateway("gateway", args, master_key=master_key)

        def keep(values: list[Any]) -> None:
            outputs.update(zip(["url", "secret", "key", "public"], values, strict=True))

        return pulumi.Output.all(
            gateway.url, gateway.master_key_secret_name, gateway.master_key, gateway.public_url
        ).apply(keep)

    program()
    return outputs


def test_children_and_the_generated_master_key(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    assert sorted(r.type for r in monitor.recorded if r.parent == component.urn) == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:ConfigMap",
        SECRET,
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:policy/v1:PodDisruptionBudget",
        PASSWORD,
    ]
    password = monitor.one(PASSWORD)
    assert password.inputs["length"] == 48 and password.inputs["special"] is False
    secret = monitor.one(SECRET)
    assert secret.name == "gateway-master-key"
    assert outputs == {
        "url": "http://gateway.llm.svc.cluster.local:4000/v1",
        "secret": "gateway-master-key",
        "key": "sk-" + "x" * 48,
        "public": None,
    }
    # The Deployment waits for its config and key.
    deployment = monitor.one(DEPLOYMENT)
    assert secret.urn in deployment.dependencies
    assert monitor.one("kubernetes:core/v1:ConfigMap").urn in deployment.dependencies


def test_a_given_master_key_replaces_the_generated_one(monitor: Recorder) -> None:
    outputs = deploy(ARGS, master_key="sk-from-the-vault")
    assert [r for r in monitor.recorded if r.type == PASSWORD] == []
    assert outputs["key"] == "sk-from-the-vault"
    string_data = monitor.one(SECRET).inputs["stringData"]
    # Still a Pulumi secret on the wire, not a plain value.
    assert string_data[rpc._special_sig_key] == rpc._special_secret_sig
    assert string_data["value"] == {"master-key": "sk-from-the-vault"}


def test_without_authentication_there_is_no_key(monitor: Recorder) -> None:
    outputs = deploy(ARGS.model_copy(update={"authentication": False}))
    assert [r for r in monitor.recorded if r.type in (SECRET, PASSWORD)] == []
    assert outputs["secret"] is None and outputs["key"] is None
    [container] = monitor.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    assert "LITELLM_MASTER_KEY" not in [env["name"] for env in container["env"]]


def test_an_invalid_name_is_an_input_error(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid AiGateway name"):
        AiGateway("Gateway_1", ARGS)


def test_each_app_gets_its_own_generated_key_and_the_job_registers_them(
    monitor: Recorder,
) -> None:
    from components.gateway.args import VirtualKeys
    from components.gateway.egress import EgressPeer
    from components.gateway.keys import AppKey
    from components.shared.secret_refs import SecretKeyRef

    args = ARGS.model_copy(
        update={
            "virtual_keys": VirtualKeys(
                database_url_secret=SecretKeyRef(name="db", key="uri"),
                database=EgressPeer(pod_labels={"app": "pg"}, port=5432),
            ),
            "app_keys": (AppKey(app="search"),),
        }
    )
    deploy(args)
    secrets = {r.name: r for r in monitor.of_type(SECRET)}
    assert set(secrets) == {"gateway-master-key", "gateway-search-key"}
    app = secrets["gateway-search-key"].inputs["stringData"]
    values = app.get("value", app)
    assert values == {
        "api-key": "sk-" + "x" * 40,
        "base-url": "http://gateway.llm.svc.cluster.local:4000/v1",
    }
    passwords = {r.name: r.inputs["length"] for r in monitor.of_type(PASSWORD)}
    assert passwords == {"gateway-master-key": 48, "gateway-search-key": 40}
    [job] = monitor.of_type("kubernetes:batch/v1:Job")
    assert job.inputs["metadata"]["name"].startswith("gateway-keys-")
    assert secrets["gateway-search-key"].urn in job.dependencies
    assert monitor.one(DEPLOYMENT).urn in job.dependencies
