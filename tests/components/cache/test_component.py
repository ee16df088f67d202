"""`ValkeyCache` and `ManagedCache` under Pulumi mocks: children, protection, secrets,
outputs."""

from __future__ import annotations

from typing import Any

import pulumi

from components.cache.args import ManagedCacheArgs, ValkeyCacheArgs
from components.cache.component import TYPE_TOKEN, ValkeyCache
from components.cache.managed import TYPE_TOKEN as MANAGED_TOKEN
from components.cache.managed import CacheNetwork, ManagedCache
from tests.components.pulumi_recorder import PASSWORD, Recorder

ARGS = ValkeyCacheArgs(namespace="llm", storage_size="10Gi")
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""Pulumi's marker of a secret value in recorded inputs."""


def secret_value(value: Any) -> Any:
    """The value inside a recorded secret (and assert it is one)."""
    assert isinstance(value, dict) and SECRET_SIG in value, value
    return value["value"]


def test_valkey_children_protection_and_outputs(monitor: Recorder) -> None:
    found: list[Any] = []

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        cache = ValkeyCache("cache", ARGS)
        return pulumi.Output.all(
            cache.host, cache.port, cache.password_secret_name, cache.ca_secret_name
        ).apply(found.extend)

    program()
    assert found == ["cache.llm.svc", 6379, "cache-auth", "cache-tls"]
    component = monitor.one(TYPE_TOKEN)
    children = sorted(
        (r.type.rsplit(":", 1)[-1], r.name) for r in monitor.recorded if r.parent == component.urn
    )
    assert children == [
        ("Certificate", "cache-ca-certificate"),
        ("Certificate", "cache-certificate"),
        ("ConfigMap", "cache-config"),
        ("Deployment", "cache-proxy"),
        ("Issuer", "cache-ca-issuer"),
        ("Issuer", "cache-selfsigned-issuer"),
        ("NetworkPolicy", "cache"),
        ("NetworkPolicy", "cache-proxy"),
        ("PodDisruptionBudget", "cache"),
        ("PodDisruptionBudget", "cache-proxy"),
        ("RandomPassword", "cache-password"),
        ("Secret", "cache-auth"),
        ("Service", "cache"),
        ("Service", "cache-hl"),
        ("StatefulSet", "cache"),
    ]
    password = monitor.one(PASSWORD)
    assert password.inputs["length"] == 40 and password.inputs["special"] is False
    stateful_set = monitor.one("kubernetes:apps/v1:StatefulSet")
    assert stateful_set.protect is True
    secret = monitor.one("kubernetes:core/v1:Secret")
    assert secret.urn in stateful_set.dependencies
    # The password is never a registered output.
    assert all("x" * 40 not in outputs for outputs in monitor.registered_outputs)


def test_a_cache_that_may_lose_its_data_is_not_protected(monitor: Recorder) -> None:
    @pulumi.runtime.test
    def program() -> None:
        ValkeyCache("cache", ARGS.model_copy(update={"allow_data_loss": True}))

    program()
    assert monitor.one("kubernetes:apps/v1:StatefulSet").protect is False


def test_a_given_password_replaces_the_generated_one(monitor: Recorder) -> None:
    @pulumi.runtime.test
    def program() -> None:
        ValkeyCache("cache", ARGS, credentials={"cache-password": "from-the-vault"})

    program()
    assert monitor.of_type(PASSWORD) == []
    secret = monitor.one("kubernetes:core/v1:Secret").inputs["stringData"]
    assert secret_value(secret) == {"password": "from-the-vault"}


def test_elasticache_with_tls_an_auth_token_and_failover(monitor: Recorder) -> None:
    @pulumi.runtime.test
    def program() -> None:
        ManagedCache(
            "cache",
            ManagedCacheArgs(namespace="llm", node_type="cache.r7g.large", replicas=1),
            CacheNetwork(
                vpc_id="vpc-1",
                subnet_ids=["subnet-a", "subnet-b"],
                client_security_group_ids=["sg-cluster"],
            ),
        )

    program()
    component = monitor.one(MANAGED_TOKEN)
    group = monitor.one("aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.parent == component.urn and group.protect is True
    inputs = group.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["nodeType"]) == (
        "valkey",
        "8.0",
        "cache.r7g.large",
    )
    assert inputs["numCacheClusters"] == 2
    assert inputs["automaticFailoverEnabled"] is True and inputs["multiAzEnabled"] is True
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs["transitEncryptionMode"] == "required"
    assert inputs["atRestEncryptionEnabled"] is True
    assert secret_value(inputs["authToken"]) == "x" * 64
    assert inputs["finalSnapshotIdentifier"] == "cache-final"
    security = monitor.one("aws:ec2/securityGroup:SecurityGroup")
    [rule] = security.inputs["ingress"]
    assert (rule["fromPort"], rule["toPort"], rule["securityGroups"]) == (
        6379,
        6379,
        ["sg-cluster"],
    )
    assert security.inputs["egress"] == []
    secret = monitor.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["name"] == "cache-auth"
    # `host` is the replication group's endpoint, unknown until it exists (so under mocks).
    assert set(secret_value(secret.inputs["stringData"])) == {"password"}
    assert group.urn in secret.dependencies


def test_each_acl_user_gets_a_generated_password_in_its_own_secret(monitor: Recorder) -> None:
    from components.cache.users import CacheUser

    users = (CacheUser(name="backend", key_prefix="backend:"),)
    found: list[Any] = []

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        cache = ValkeyCache(
            "cache",
            ARGS.model_copy(update={"users": users}),
            credentials={"cache-backend-password": "backend-from-vault"},
        )
        return cache.user_secret_names.apply(found.append)

    program()
    assert found == [{"backend": "cache-backend-credentials"}]
    secrets = {s.name: s for s in monitor.of_type("kubernetes:core/v1:Secret")}
    data = secret_value(secrets["cache-backend-credentials"].inputs["stringData"])
    assert data == {
        "username": "backend",
        "password": "backend-from-vault",
        "uri": "rediss://backend:backend-from-vault@cache.llm.svc:6379",
    }
    stateful_set = monitor.one("kubernetes:apps/v1:StatefulSet")
    assert secrets["cache-backend-credentials"].urn in stateful_set.dependencies
    assert all("backend-from-vault" not in outputs for outputs in monitor.registered_outputs)
