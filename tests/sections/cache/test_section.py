"""`spec.cache`: its checks at FILE:LINE:COL, what a client is given (the binding), its
cost and what `shipyard plan` says of it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint import load_blueprint
from shipyard.cost import estimate_platform
from shipyard.gitops.blueprint_summary import summarize
from shipyard.sections.cache.args import (
    cache_binding,
    cache_client_pod_labels,
    managed_cache_args,
    valkey_cache_args,
)
from shipyard.sections.gateway.args import gateway_args
from tests.blueprint.located import load_problems, load_text, located_at

ROOT = Path(__file__).resolve().parents[3]
FILE = "bp.yaml"
at = partial(located_at, FILE)
problems = partial(load_problems, FILE)
load = partial(load_text, FILE)

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: cached, environment: ENV}
spec:
  cluster: {kind: local}
  namespace: llm
"""


def blueprint(cache: str, environment: str = "dev") -> str:
    return BASE.replace("ENV", environment) + "  cache:\n" + cache


def test_two_pods_cannot_fail_over(tmp_path: Path) -> None:
    text = blueprint("    provider: valkey\n    replicas: 2\n    storage: {size: 1Gi}\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 2')}: spec.cache.replicas: 2 pods cannot fail over: when the "
        "primary's pod is gone, its Sentinel is too, and one Sentinel is not a majority; use 3 "
        "(or 1, without failover)"
    ]


def test_production_needs_failover(tmp_path: Path) -> None:
    text = blueprint("    provider: valkey\n    replicas: 1\n    storage: {size: 1Gi}\n", "prod")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 1')}: spec.cache.replicas: a production cache needs failover: "
        "use 3 pods (a primary and two replicas)"
    ]


def test_storage_matches_persistence(tmp_path: Path) -> None:
    text = blueprint("    provider: valkey\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'cache:')}: spec.cache.storage: `aof` persistence needs `storage` "
        "(a volume per pod); or set `persistence: none` to keep the data in memory only"
    ]
    memory = blueprint("    provider: valkey\n    persistence: none\n    storage: {size: 1Gi}\n")
    assert problems(tmp_path, memory) == [
        f"{at(memory, 'storage:')}: spec.cache.storage: `persistence: none` keeps nothing on a "
        "volume; remove it"
    ]


def test_elasticache_needs_eks(tmp_path: Path) -> None:
    text = blueprint("    provider: elasticache\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: elasticache')}: spec.cache.provider: ElastiCache needs "
        "`cluster.kind: eks`; use `provider: valkey` on this cluster"
    ]


def test_a_typo_is_caught_with_a_suggestion(tmp_path: Path) -> None:
    text = blueprint("    provider: valkey\n    replica: 3\n    storage: {size: 1Gi}\n")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'replica: 3')}: spec.cache.replica:")
    assert "replicas" in problem


def test_prod_binds_the_gateway_to_the_in_cluster_cache() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    binding = cache_binding(platform)
    assert binding is not None
    assert (binding.host, binding.port, binding.tls) == ("cache.llm.svc", 6379, True)
    assert binding.ca_secret == SecretKeyRef(name="cache-tls", key="ca.crt")
    assert binding.password_secret == SecretKeyRef(name="cache-auth", key="password")
    assert binding.admit_pod_labels == {
        "app.kubernetes.io/name": "valkey",
        "app.kubernetes.io/instance": "cache",
        "app.kubernetes.io/component": "cache-proxy",
    }
    # The cache admits the gateway's pods; a bound app's are added the same way.
    assert cache_client_pod_labels(platform) == [
        {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "ai-gateway"}
    ]
    args = valkey_cache_args(platform)
    assert args is not None and args.replicas == 3 and args.storage_size == "10Gi"
    gateway = gateway_args(platform)
    assert gateway is not None and gateway.cache is not None
    assert gateway.cache.host == "cache.llm.svc"
    assert (
        gateway.cache.peer is not None and gateway.cache.peer.pod_labels == binding.admit_pod_labels
    )


def test_portkey_binds_the_gateway_to_elasticache() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "examples" / "portkey.yaml")
    binding = cache_binding(platform)
    assert binding is not None
    # The endpoint is known once the replication group exists: its Secret carries it.
    assert binding.host is None
    assert binding.host_secret == SecretKeyRef(name="cache-auth", key="host")
    assert binding.ca_secret is None  # Amazon's public CA, in every trust store
    assert binding.admit_cidrs == ("10.70.0.0/16",)
    managed = managed_cache_args(platform)
    assert managed is not None
    assert (managed.node_type, managed.replicas) == ("cache.r7g.large", 1)


def test_elasticache_is_priced_and_in_cluster_volumes_are_data_volumes() -> None:
    portkey = estimate_platform(load_blueprint(ROOT / "blueprints" / "examples" / "portkey.yaml"))
    [item] = [item for item in portkey.items if item.name == "cache (ElastiCache)"]
    assert item.detail == "2 x cache.r7g.large at $0.1752/h (us-east-1)"
    assert item.monthly.desired == pytest.approx(2 * 0.1752 * 730)
    prod = estimate_platform(load_blueprint(ROOT / "blueprints" / "prod.yaml"))
    [volumes] = [item for item in prod.items if item.name == "data volumes"]
    assert "cache 3 x 10 GiB" in volumes.detail


def test_plan_describes_an_added_cache(tmp_path: Path) -> None:
    base = load_blueprint(ROOT / "blueprints" / "dev.yaml")
    text = (ROOT / "blueprints" / "dev.yaml").read_text() + (
        "  cache:\n    provider: valkey\n    storage: {size: 5Gi}\n"
    )
    head = load(tmp_path, text)
    assert summarize(base, head) == [
        "cache added (Valkey in the cluster, 3 pod(s) (Sentinel failover), aof on 5Gi each, "
        "TLS and a password)"
    ]
