"""`ClickHouse` under Pulumi mocks: operator, installations, users, schema Job, policies."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from components.clickhouse.args import CHOP_CHART_VERSION, CLICKHOUSE_IMAGE, KEEPER_IMAGE
from components.clickhouse.component import (
    TYPE_TOKEN,
    ClickHouse,
    ClickHouseArgs,
    ClickHouseUser,
    KeeperArgs,
)
from tests.components.pulumi_recorder import PASSWORD, Recorder

SECRET = "kubernetes:core/v1:Secret"
CHI = "kubernetes:clickhouse.altinity.com/v1:ClickHouseInstallation"
CHK = "kubernetes:clickhouse-keeper.altinity.com/v1:ClickHouseKeeperInstallation"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
JOB = "kubernetes:batch/v1:Job"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
GATEWAY_PODS = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "ai-gateway"}
TCP = "TCP"

ARGS = ClickHouseArgs(
    namespace="llm",
    shards=2,
    replicas=2,
    keeper=KeeperArgs(replicas=3, storage_size="10Gi", storage_class="gp3"),
    storage_size="100Gi",
    storage_class="gp3",
    cpu_request="2",
    memory_request="8Gi",
    retention_days=90,
    users=(ClickHouseUser(name="gateway"), ClickHouseUser(name="analyst", readonly=True)),
    consumer_pod_labels=(GATEWAY_PODS,),
)


def deploy(args: ClickHouseArgs) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        ch = ClickHouse("analytics", args)
        names = ["installation", "host", "port", "database", "secrets", "job"]

        def keep(values: list[Any]) -> None:
            outputs.update(zip(names, values, strict=True))

        return pulumi.Output.all(
            ch.installation_name,
            ch.host,
            ch.http_port,
            ch.database,
            ch.secret_names,
            ch.schema_job_name,
        ).apply(keep)

    program()
    return outputs


def policy(monitor: Recorder, name: str) -> dict[str, Any]:
    [found] = [r for r in monitor.of_type(NETWORK_POLICY) if r.name == name]
    return found.manifest()["spec"]  # type: ignore[no-any-return]


def test_children_and_outputs(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    children = sorted(r.type for r in monitor.recorded if r.parent == component.urn)
    assert children == sorted(
        [CHI, CHK, CONFIG_MAP, JOB, RELEASE, *[NETWORK_POLICY] * 3, *[SECRET] * 4, *[PASSWORD] * 5]
    )
    assert outputs["installation"] == "analytics"
    assert outputs["host"] == "clickhouse-analytics.llm.svc.cluster.local"
    assert (outputs["port"], outputs["database"]) == (8123, "llm_logs")
    assert outputs["secrets"] == {
        "default": "analytics-default-credentials",
        "admin": "analytics-admin-credentials",
        "gateway": "analytics-gateway-credentials",
        "analyst": "analytics-analyst-credentials",
    }
    assert outputs["job"].startswith("analytics-schema-")


def test_the_operator_is_a_pinned_release_with_a_generated_password(
    monitor: Recorder,
) -> None:
    deploy(ARGS)
    release = monitor.one(RELEASE)
    assert release.inputs["chart"] == "altinity-clickhouse-operator"
    assert release.inputs["version"] == CHOP_CHART_VERSION == "0.25.6"
    assert release.inputs["repositoryOpts"] == {"repo": "https://helm.altinity.com"}
    # The generated password makes the whole values a Pulumi secret in the state.
    wrapped = release.inputs["values"]
    assert wrapped[rpc._special_sig_key] == rpc._special_secret_sig
    values = wrapped["value"]
    assert values["crdHook"] == {"enabled": False}
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    for container in ("operator", "metrics"):
        assert values[container]["containerSecurityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert values[container]["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    # The chart's fixed default password is replaced by a generated one.
    assert values["secret"] == {
        "create": True,
        "username": "clickhouse_operator",
        "password": "x" * 32,
    }
    for kind in (CHI, CHK):
        assert release.urn in monitor.one(kind).dependencies


def test_without_install_operator_there_is_no_release(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"install_operator": False}))
    assert monitor.of_type(RELEASE) == []
    assert len(monitor.of_type(PASSWORD)) == 4


def test_the_installation_spec(monitor: Recorder) -> None:
    deploy(ARGS)
    spec = monitor.one(CHI).manifest()["spec"]
    configuration = spec["configuration"]
    assert configuration["clusters"] == [
        {
            "name": "main",
            "layout": {"shardsCount": 2, "replicasCount": 2},
            "secret": {"auto": "true"},
        }
    ]
    assert configuration["zookeeper"] == {
        "nodes": [{"host": "keeper-analytics-keeper", "port": 2181}]
    }
    assert spec["defaults"]["templates"] == {
        "podTemplate": "clickhouse",
        "dataVolumeClaimTemplate": "data",
    }
    [pod] = spec["templates"]["podTemplates"]
    [container] = pod["spec"]["containers"]
    assert container["image"] == CLICKHOUSE_IMAGE == "clickhouse/clickhouse-server:25.8.29.51"
    assert container["resources"] == {
        "requests": {"cpu": "2", "memory": "8Gi"},
        "limits": {"memory": "8Gi"},
    }
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["spec"]["securityContext"]["runAsUser"] == 101
    [claim] = spec["templates"]["volumeClaimTemplates"]
    assert claim["reclaimPolicy"] == "Retain"
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "100Gi"}},
        "storageClassName": "gp3",
    }


def test_users_take_their_passwords_from_secrets(monitor: Recorder) -> None:
    deploy(ARGS)
    users = monitor.one(CHI).manifest()["spec"]["configuration"]["users"]

    def ref(user: str) -> dict[str, Any]:
        return {
            "valueFrom": {
                "secretKeyRef": {"name": f"analytics-{user}-credentials", "key": "password"}
            }
        }

    assert users["default/password"] == ref("default")
    # `default` keeps the operator's network rule (its own pods and localhost).
    assert not any(key.startswith("default/networks") for key in users)
    assert users["admin/password"] == ref("admin")
    assert users["admin/access_management"] == 1
    assert users["gateway/password"] == ref("gateway")
    assert users["gateway/grants/query"] == ["GRANT SELECT, INSERT ON llm_logs.*"]
    assert users["analyst/grants/query"] == ["GRANT SELECT ON llm_logs.*"]
    for secret in monitor.of_type(SECRET):
        data = secret.inputs["stringData"]
        assert data[rpc._special_sig_key] == rpc._special_secret_sig
        assert secret.inputs["type"] == "kubernetes.io/basic-auth"
    gateway = next(s for s in monitor.of_type(SECRET) if s.name == "analytics-gateway-credentials")
    value = gateway.inputs["stringData"]["value"]
    assert value["username"] == "gateway" and value["password"] == "x" * 32
    assert value["http-headers"] == f"X-ClickHouse-User=gateway,X-ClickHouse-Key={'x' * 32}"


def test_the_keeper_installation(monitor: Recorder) -> None:
    deploy(ARGS)
    chk = monitor.one(CHK).manifest()
    assert chk["metadata"]["name"] == "analytics-keeper"
    spec = chk["spec"]
    assert spec["configuration"]["clusters"] == [{"name": "keeper", "layout": {"replicasCount": 3}}]
    [container] = spec["templates"]["podTemplates"][0]["spec"]["containers"]
    assert container["image"] == KEEPER_IMAGE
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}
    [claim] = spec["templates"]["volumeClaimTemplates"]
    assert claim["reclaimPolicy"] == "Retain"
    assert claim["spec"]["resources"] == {"requests": {"storage": "10Gi"}}
    assert monitor.one(CHK).urn in monitor.one(CHI).dependencies


def test_installations_are_protected_unless_data_loss_is_allowed(monitor: Recorder) -> None:
    deploy(ARGS)
    assert monitor.one(CHI).protect is True and monitor.one(CHK).protect is True


def test_allow_data_loss_unprotects_and_deletes_volumes(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"allow_data_loss": True}))
    assert monitor.one(CHI).protect is False and monitor.one(CHK).protect is False
    claim = monitor.one(CHI).manifest()["spec"]["templates"]["volumeClaimTemplates"][0]
    assert claim["reclaimPolicy"] == "Delete"


def test_one_replica_needs_no_keeper(monitor: Recorder) -> None:
    deploy(ClickHouseArgs(namespace="llm", storage_size="20Gi"))
    assert monitor.of_type(CHK) == []
    configuration = monitor.one(CHI).manifest()["spec"]["configuration"]
    assert "zookeeper" not in configuration
    assert monitor.one(CONFIG_MAP).inputs["data"]["schema.sql"].count("ON CLUSTER") == 0


def test_the_schema_job(monitor: Recorder) -> None:
    deploy(ARGS)
    job = monitor.one(JOB)
    sql = monitor.one(CONFIG_MAP).inputs["data"]["schema.sql"]
    assert "ReplicatedMergeTree" in sql and "TTL toDateTime(startTime) + INTERVAL 90 DAY" in sql
    assert monitor.one(CHI).urn in job.dependencies
    spec = job.manifest()["spec"]["template"]["spec"]
    [container] = spec["containers"]
    assert container["image"] == CLICKHOUSE_IMAGE
    script = container["command"][2]
    assert "--host clickhouse-analytics.llm.svc.cluster.local --port 9000 --user admin" in script
    assert "--queries-file /schema/schema.sql" in script
    assert container["env"][1] == {
        "name": "CLICKHOUSE_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "analytics-admin-credentials", "key": "password"}},
    }
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_network_policies_admit_only_declared_peers(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"operator_namespace": "clickhouse-system"}))
    chi = policy(monitor, "analytics")
    assert chi["podSelector"] == {"matchLabels": {"clickhouse.altinity.com/chi": "analytics"}}
    operator = {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "altinity-clickhouse-operator"}},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "clickhouse-system"}},
    }
    assert chi["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": GATEWAY_PODS}}],
            "ports": [{"port": 8123, "protocol": TCP}, {"port": 9000, "protocol": TCP}],
        },
        {
            "from": [
                {
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/instance": "analytics",
                            "app.kubernetes.io/component": "analytics-schema",
                        }
                    }
                }
            ],
            "ports": [{"port": 9000, "protocol": TCP}],
        },
        {
            "from": [
                {"podSelector": {"matchLabels": {"clickhouse.altinity.com/chi": "analytics"}}}
            ],
            "ports": [
                {"port": 8123, "protocol": TCP},
                {"port": 9000, "protocol": TCP},
                {"port": 9009, "protocol": TCP},
            ],
        },
        {"from": [operator], "ports": [{"port": 8123, "protocol": TCP}]},
    ]
    keeper = policy(monitor, "analytics-keeper")
    assert keeper["podSelector"] == {
        "matchLabels": {"clickhouse-keeper.altinity.com/chk": "analytics-keeper"}
    }
    assert keeper["ingress"][0]["ports"] == [{"port": 2181, "protocol": TCP}]
    assert keeper["ingress"][1]["ports"] == [
        {"port": 2181, "protocol": TCP},
        {"port": 9444, "protocol": TCP},
    ]


def test_no_password_in_any_other_resource_or_output(monitor: Recorder) -> None:
    deploy(ARGS)
    generated = "x" * 32
    others = [r for r in monitor.recorded if r.type not in (SECRET, PASSWORD, RELEASE)]
    assert others
    assert all(generated not in json.dumps(r.inputs, default=str) for r in others)
    assert all(generated not in o for o in monitor.registered_outputs)


def test_an_invalid_name_is_an_input_error(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid ClickHouse name"):
        ClickHouse("1analytics", ARGS)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (
            {"shards": 1, "replicas": 2, "keeper": None},
            r"1 shard\(s\) x 2 replica\(s\) need ClickHouse Keeper",
        ),
        ({"shards": 0}, "greater than or equal to 1"),
        ({"storage_size": "100GB"}, "`100GB` is not a storage quantity"),
        ({"retention_days": 0}, "retention must be at least 1 day, got 0"),
        ({"database": "Logs"}, "`Logs` is not a valid database name"),
        ({"users": ({"name": "default"},)}, "`default` is reserved"),
        ({"users": ({"name": "a-b"},)}, "`a-b` is not a valid user name"),
        ({"users": ({"name": "bi"}, {"name": "bi"})}, "`users` names a user twice"),
        ({"keeper": {"replicas": 2}}, "odd quorum of 1, 3 or 5 replicas, got 2"),
    ],
)
def test_args_refuse_bad_values(update: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClickHouseArgs.model_validate({**ARGS.model_dump(), **update})


def test_the_prometheus_endpoint_is_served_on_the_metrics_port(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"prometheus_endpoint": True}))
    spec = monitor.one(CHI).manifest()["spec"]
    assert spec["configuration"]["settings"] == {
        "prometheus/endpoint": "/metrics",
        "prometheus/port": 9363,
        "prometheus/metrics": "true",
        "prometheus/events": "true",
        "prometheus/asynchronous_metrics": "true",
    }
    [container] = spec["templates"]["podTemplates"][0]["spec"]["containers"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9363, "protocol": "TCP"}]


def test_without_the_endpoint_no_port_is_opened(monitor: Recorder) -> None:
    deploy(ARGS)
    spec = monitor.one(CHI).manifest()["spec"]
    assert "settings" not in spec["configuration"]
    assert "ports" not in spec["templates"]["podTemplates"][0]["spec"]["containers"][0]
