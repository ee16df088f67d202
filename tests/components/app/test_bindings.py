"""Bindings handed to the app: env vars `<PREFIX>_<KEY>` and aliases, Secret keys by
reference, and the servicebinding.io files under /bindings from one projected volume."""

from __future__ import annotations

import pytest

from components.app.args import AppBinding, AppServiceArgs, BindingValue
from components.app.bindings import (
    binding_env,
    bindings_data,
    bindings_volume,
    referenced_secret_keys,
)
from components.app.manifests import render_bindings_config_map, render_deployment
from components.shared.secret_refs import SecretKeyRef

KAFKA = AppBinding(
    name="kafka",
    type="kafka",
    provider="strimzi",
    env_prefix="KAFKA",
    values=(
        BindingValue(key="bootstrap-servers", value="events-kafka-bootstrap.llm.svc:9093"),
        BindingValue(
            key="password", secret=SecretKeyRef(name="worker-scram-password", key="password")
        ),
        BindingValue(
            key="ca.crt",
            secret=SecretKeyRef(name="events-cluster-ca-cert", key="ca.crt"),
            file_only=True,
            env="CA",
        ),
    ),
    aliases={"KAFKA_BROKERS": "bootstrap-servers"},
)
ARGS = AppServiceArgs(
    namespace="llm", image="registry.example.com/acme/worker:1.0.0", bindings=(KAFKA,)
)


def test_each_value_is_an_env_var_and_secrets_stay_references() -> None:
    assert binding_env("worker", ARGS) == [
        {"name": "SERVICE_BINDING_ROOT", "value": "/bindings"},
        {"name": "KAFKA_BOOTSTRAP_SERVERS", "value": "events-kafka-bootstrap.llm.svc:9093"},
        {
            "name": "KAFKA_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "worker-scram-password", "key": "password"}},
        },
        {"name": "KAFKA_CA_FILE", "value": "/bindings/kafka/ca.crt"},
        {"name": "KAFKA_BROKERS", "value": "events-kafka-bootstrap.llm.svc:9093"},
    ]


def test_the_files_follow_servicebinding_io() -> None:
    assert bindings_data(ARGS) == {
        "kafka.bootstrap-servers": "events-kafka-bootstrap.llm.svc:9093",
        "kafka.provider": "strimzi",
        "kafka.type": "kafka",
    }
    volume = bindings_volume("worker", ARGS)
    assert volume is not None
    config, *secrets = volume["projected"]["sources"]
    assert config == {
        "configMap": {
            "name": "worker-bindings",
            "items": [
                {"key": "kafka.type", "path": "kafka/type"},
                {"key": "kafka.provider", "path": "kafka/provider"},
                {"key": "kafka.bootstrap-servers", "path": "kafka/bootstrap-servers"},
            ],
        }
    }
    assert secrets == [
        {
            "secret": {
                "name": "events-cluster-ca-cert",
                "items": [{"key": "ca.crt", "path": "kafka/ca.crt"}],
            }
        },
        {
            "secret": {
                "name": "worker-scram-password",
                "items": [{"key": "password", "path": "kafka/password"}],
            }
        },
    ]
    mounts = render_deployment("worker", ARGS)["spec"]["template"]["spec"]["containers"][0][
        "volumeMounts"
    ]
    assert {"name": "bindings", "mountPath": "/bindings", "readOnly": True} in mounts
    config_map = render_bindings_config_map("worker", ARGS)
    assert config_map is not None and config_map["metadata"]["name"] == "worker-bindings"


def test_every_referenced_secret_key_is_listed() -> None:
    assert referenced_secret_keys(ARGS) == {
        ("worker-scram-password", "password"),
        ("events-cluster-ca-cert", "ca.crt"),
    }


def test_no_bindings_no_volume_no_config_map() -> None:
    bare = ARGS.model_copy(update={"bindings": ()})
    assert bindings_volume("worker", bare) is None
    assert render_bindings_config_map("worker", bare) is None
    assert binding_env("worker", bare) == []


@pytest.mark.parametrize(
    ("values", "aliases", "message"),
    [
        ((BindingValue(key="type", value="x"),), {}, "repeats a key or uses `type`"),
        ((BindingValue(key="host", value="x"),), {"HOST": "port"}, "aliases name unknown key"),
    ],
)
def test_bad_bindings_are_refused(
    values: tuple[BindingValue, ...], aliases: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        AppBinding(name="x", type="t", provider="p", env_prefix="X", values=values, aliases=aliases)


def test_a_literal_cannot_be_a_file_alone() -> None:
    with pytest.raises(ValueError, match="only a Secret key can be a file alone"):
        BindingValue(key="host", value="h", file_only=True)
