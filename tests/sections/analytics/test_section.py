"""`spec.analytics`: FILE:LINE:COL problems, the component and gateway arguments it
becomes, and a whole offline render with no password in it."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from components.clickhouse.args import ClickHouseUser, KeeperArgs
from shipyard.cost import data_volumes
from shipyard.render import render_blueprint
from shipyard.sections.analytics.args import clickhouse_args, gateway_usage_logging
from shipyard.sections.gateway.args import gateway_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "analytics.yaml"
ROOT = Path(__file__).resolve().parents[3]

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-analytics, environment: dev}
spec:
  cluster: {kind: local, context: kind-shipyard}
  namespace: llm
  nodePools:
    - name: gpu
      gpu: {type: nvidia-a10g, count: 1}
      size: {min: 1, max: 1}
  models:
    - name: qwen
      model: Qwen/Qwen2.5-0.5B-Instruct
      nodePool: gpu
      maxModelLen: 8192
  gateway: {name: ai-gateway}
  analytics:
    replicas: 2
    keeper:
      replicas: 3
      storage: {size: 5Gi}
    storage: {size: 100Gi, storageClass: gp3}
    retentionDays: 90
    users:
      - {name: analyst, readonly: true}
    consumers:
      - podLabels: {app.kubernetes.io/name: grafana}
"""

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_clickhouse_args(tmp_path: Path) -> None:
    args = clickhouse_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.namespace, args.shards, args.replicas) == ("llm", 1, 2)
    assert args.keeper == KeeperArgs(replicas=3, storage_size="5Gi")
    assert (args.storage_size, args.storage_class, args.retention_days) == ("100Gi", "gp3", 90)
    # The gateway logs as `gateway`, and its pods are admitted first.
    assert args.users == (
        ClickHouseUser(name="gateway"),
        ClickHouseUser(name="analyst", readonly=True),
    )
    assert args.consumer_pod_labels == (
        {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "ai-gateway"},
        {"app.kubernetes.io/name": "grafana"},
    )


def test_the_gateway_logs_to_clickhouse(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    logging = gateway_usage_logging(platform)
    assert logging is not None
    assert logging.endpoint.startswith(
        "http://clickhouse-analytics.llm.svc.cluster.local:8123/?query=INSERT+INTO+llm_logs."
        "request_log+FORMAT+JSONEachRow"
    )
    assert (logging.headers_secret.name, logging.headers_secret.key) == (
        "analytics-gateway-credentials",
        "http-headers",
    )
    assert logging.peer.pod_labels == {"clickhouse.altinity.com/chi": "analytics"}
    assert logging.peer.port == 8123
    gateway = gateway_args(platform)
    assert gateway is not None and gateway.usage_logging == logging


def test_gateway_logs_off_or_no_gateway(tmp_path: Path) -> None:
    off = load(tmp_path, BASE.replace("    retentionDays: 90\n", "    gatewayLogs: false\n"))
    assert gateway_usage_logging(off) is None
    args = clickhouse_args(off)
    assert args is not None and [u.name for u in args.users] == ["analyst"]
    alone = load(tmp_path, BASE.replace("  gateway: {name: ai-gateway}\n", ""))
    assert gateway_usage_logging(alone) is None


def test_the_cost_counts_clickhouse_and_keeper_volumes(tmp_path: Path) -> None:
    volumes = data_volumes(load(tmp_path, BASE))
    assert ("clickhouse", 2, 100.0) in volumes and ("keeper", 3, 5.0) in volumes


def test_replicas_without_keeper(tmp_path: Path) -> None:
    text = BASE.replace("    keeper:\n      replicas: 3\n      storage: {size: 5Gi}\n", "")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 2')}: spec.analytics.replicas: 1 shard(s) x 2 replica(s) need "
        "ClickHouse Keeper for replication and ON CLUSTER DDL; add `keeper`"
    ]


def test_an_even_keeper_quorum(tmp_path: Path) -> None:
    text = BASE.replace("      replicas: 3", "      replicas: 2")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 2', 1)}: spec.analytics.keeper.replicas: Keeper needs an odd "
        "quorum of 1, 3 or 5 replicas, got 2"
    ]


def test_zero_shards(tmp_path: Path) -> None:
    text = BASE.replace("    replicas: 2\n", "    replicas: 2\n    shards: 0\n")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'shards: 0')}: spec.analytics.shards: ")
    assert "greater than or equal to 1" in problem


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = (
        BASE.replace("size: 100Gi", "size: 100 gigs")
        .replace("size: 5Gi", "size: 5GB")
        .replace("retentionDays: 90", "retentionDays: 0")
        .replace("{name: analyst, readonly: true}", "{name: Analyst}\n      - {name: gateway}")
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'size: 5GB')}: spec.analytics.keeper.storage.size: `5GB` is not a storage "
        "quantity; use a whole number of Mi, Gi or Ti, e.g. `20Gi`",
        f"{at(text, 'size: 100 gigs')}: spec.analytics.storage.size: `100 gigs` is not a "
        "storage quantity; use a whole number of Mi, Gi or Ti, e.g. `20Gi`",
        f"{at(text, 'retentionDays: 0')}: spec.analytics.retentionDays: retention must be at "
        "least 1 day, got 0",
        f"{at(text, 'name: Analyst')}: spec.analytics.users[0].name: `Analyst` is not a valid "
        "user name; use 1 to 63 lowercase letters, digits and `_`, starting with a letter",
        f"{at(text, 'name: gateway')}: spec.analytics.users[1].name: `gateway` is the user the "
        "gateway logs as; choose another name or set `gatewayLogs: false`",
    ]


def test_a_whole_render_carries_no_password(tmp_path: Path) -> None:
    """Render the blueprint offline with the real stack program; every object is
    written as `shipyard render --out` would, and no generated password is in it."""
    path = tmp_path / FILE
    path.write_text(BASE, encoding="utf-8")
    resources = render_blueprint(path, ROOT)
    by_type = {r.type: r for r in resources}
    chi = by_type["kubernetes:clickhouse.altinity.com/v1:ClickHouseInstallation"]
    assert chi.protect is True
    gateway = by_type["kubernetes:apps/v1:Deployment"]
    env = {
        e["name"]: e for e in gateway.manifest()["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["GENERIC_LOGGER_HEADERS"]["valueFrom"] == {
        "secretKeyRef": {"name": "analytics-gateway-credentials", "key": "http-headers"}
    }
    assert env["GENERIC_LOGGER_ENDPOINT"]["value"].startswith("http://clickhouse-analytics.")
    rendered = json.dumps([r.manifest() for r in resources if r.is_kubernetes_object])
    # Offline, RandomPassword has no result; every Secret's data is masked.
    assert "X-ClickHouse-Key=" not in rendered
    secrets = [r for r in resources if r.type == "kubernetes:core/v1:Secret"]
    analytics = [s for s in secrets if s.name.startswith("analytics-")]
    assert len(analytics) == 4
    for secret in analytics:
        assert set(secret.manifest()["stringData"].values()) == {"[secret]"}
