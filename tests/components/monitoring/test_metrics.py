"""The metric lists against the exporters' own code, where the tests have it: Shipyard's
reconciler registry, Ray's own Grafana panels, LiteLLM's metric names, and ClickHouse's
system tables through chDB."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from chdb import session as chdb_session

from components.monitoring.metrics import (
    CLICKHOUSE,
    EXPORTERS,
    LITELLM,
    RAY,
    RECONCILER,
    Exporter,
    known_series,
)
from shipyard.gitops.metrics import ReconcilerMetrics


def test_series_add_the_exposition_suffixes() -> None:
    exporter = Exporter(
        "x", "X", "data", "test", {"a": "counter", "b_total": "counter", "h": "histogram"}
    )
    assert exporter.series == {"a_total", "b_total", "h_bucket", "h_sum", "h_count"}


def test_every_exporter_cites_its_source() -> None:
    for exporter in EXPORTERS.values():
        assert exporter.source and exporter.metrics, exporter.name
    assert "up" in known_series()


def test_the_reconciler_list_is_its_registry() -> None:
    registry = ReconcilerMetrics().registry
    families = {metric.name: metric.type for metric in registry.collect()}
    kinds = {"gauge": "gauge", "counter": "counter", "histogram": "histogram"}
    assert {name: kinds[kind] for name, kind in families.items()} == RECONCILER.metrics


def test_ray_lists_only_what_rays_own_dashboards_chart() -> None:
    spec = importlib.util.find_spec("ray")
    assert spec is not None and spec.origin is not None
    panels = Path(spec.origin).parent / "dashboard/modules/metrics/dashboards"
    text = (panels / "default_dashboard_panels.py").read_text()
    for name in RAY.metrics:
        assert name in text, name


def _litellm_names() -> set[str]:
    """DEFINED_PROMETHEUS_METRICS of the pinned LiteLLM, read from its source (importing
    litellm would fetch its model price list from the network)."""
    from tests.components.gateway.conftest import CACHE, LITELLM_REQUIREMENT, _install

    version = LITELLM_REQUIREMENT.rsplit("==", 1)[1]
    venv = _install(CACHE / f"litellm-{version}").parent.parent
    [source] = venv.glob("lib/python3*/site-packages/litellm/types/integrations/prometheus.py")
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEFINED_PROMETHEUS_METRICS" for t in node.targets
        ):
            assert isinstance(node.value, ast.Subscript)
            assert isinstance(node.value.slice, ast.Tuple)
            return {e.value for e in node.value.slice.elts if isinstance(e, ast.Constant)}
    raise AssertionError(f"no DEFINED_PROMETHEUS_METRICS in {source}")


def test_litellm_lists_only_metrics_litellm_defines() -> None:
    defined = _litellm_names()
    assert set(LITELLM.metrics) <= defined, set(LITELLM.metrics) - defined


def test_clickhouse_lists_names_of_the_engines_system_tables() -> None:
    """`ClickHouseMetrics_X` is system.metrics' X, `ClickHouseProfileEvents_X` system.events'
    X, in the engine chDB embeds. system.events lists an event once it happened, so the
    session first runs a query, a failing one and an insert."""
    session = chdb_session.Session()
    session.query("CREATE TABLE t (x UInt8) ENGINE = Memory")
    session.query("INSERT INTO t VALUES (1), (2)")
    with pytest.raises(Exception, match="nope"):
        session.query("SELECT nope FROM t")

    def names(query: str) -> set[str]:
        return set(session.query(query, "CSV").bytes().decode().replace('"', "").split())

    tables = {
        "ClickHouseMetrics_": names("SELECT metric FROM system.metrics"),
        "ClickHouseProfileEvents_": names("SELECT event FROM system.events"),
    }
    for name in CLICKHOUSE.metrics:
        [(prefix, known)] = [(p, t) for p, t in tables.items() if name.startswith(p)]
        assert name.removeprefix(prefix) in known, name
