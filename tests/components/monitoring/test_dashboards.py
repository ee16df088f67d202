"""The dashboards: valid against Grafana's own dashboard model, generated from the args
(a model added gets its row), every query reading only series its exporter exposes, and
carried in ConfigMaps the Grafana sidecar loads."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from components.monitoring.args import ServedModel
from components.monitoring.dashboards import (
    SIDECAR_LABEL,
    dashboard_text,
    dashboard_uid,
    dashboards,
    render_dashboard_config_maps,
)
from components.monitoring.grafana import queries_of
from components.monitoring.metrics import EXPORTERS, EXTERNAL_SERIES, PROMETHEUS_SERIES
from components.monitoring.promql import series_names
from tests.components.monitoring.conftest import FULL, MODELS, TARGETS


def _validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema)


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    """Every schema error; a panel's error is re-checked against `Panel` itself, since the
    Panel | RowPanel union reports only that neither matched."""
    errors = []
    for error in _validator(schema).iter_errors(document):
        path = list(error.absolute_path)
        if path[:1] == ["panels"] and len(path) == 2 and error.validator == "anyOf":
            panel = document["panels"][path[1]]
            kind = "RowPanel" if panel.get("type") == "row" else "Panel"
            sub = {**schema, "$ref": f"#/definitions/{kind}"}
            errors += [f"panels/{path[1]}: {e.message}" for e in _validator(sub).iter_errors(panel)]
        else:
            errors.append(f"{'/'.join(map(str, path))}: {error.message}")
    return errors


def test_every_area_has_a_dashboard() -> None:
    assert sorted(dashboards(FULL)) == ["data", "gateway", "platform", "serving"]


@pytest.mark.parametrize("area", ["serving", "gateway", "data", "platform"])
def test_the_dashboard_follows_grafanas_schema(area: str, dashboard_schema: Any) -> None:
    rendered = json.loads(dashboard_text(dashboards(FULL)[area]))
    assert _errors(dashboard_schema, rendered) == []


def test_the_schema_check_can_fail(dashboard_schema: Any) -> None:
    """A control: a misspelt key, a wrong type and a bad grid position are all caught."""
    rendered = json.loads(dashboard_text(dashboards(FULL)["serving"]))
    rendered["schemaVersion"] = "41"
    rendered["panels"][1]["gridPos"] = {"h": 8, "w": 8, "x": 0}
    rendered["panles"] = []
    errors = _errors(dashboard_schema, rendered)
    assert any("'41' is not of type 'number'" in e for e in errors)
    assert any("'y' is a required property" in e for e in errors)
    assert any("'panles' was unexpected" in e for e in errors)


def test_a_model_added_gets_its_own_row() -> None:
    before = dashboards(FULL)["serving"]
    added = ServedModel(name="mistral", served_name="mistral-7b", ttft_p95_seconds=0.5)
    after = dashboards(FULL.model_copy(update={"models": (*MODELS, added)}))["serving"]
    rows = [p["title"] for p in after["panels"] if p["type"] == "row"]
    assert rows == ["llama-8b (llama-3.1-8b)", "qwen (qwen2.5-7b)", "mistral (mistral-7b)"]
    assert len(after["panels"]) == len(before["panels"]) + 7
    new = [q for q in queries_of(after) if 'model_name="mistral-7b"' in q]
    assert len(new) == 9  # 2 x TTFT, 2 x ITL, 2 x throughput, running, waiting, KV
    [gpu] = [q for q in queries_of(after) if "mistral-[a-z0-9]+" in q]
    assert gpu == (
        'avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="llm",pod=~"mistral-[a-z0-9]+-[a-z0-9]+"})'
    )


def test_slos_are_drawn_as_thresholds() -> None:
    panels = dashboards(FULL)["serving"]["panels"]
    ttft = next(p for p in panels if p["title"] == "Time to first token")
    assert ttft["fieldConfig"]["defaults"]["thresholds"]["steps"][1] == {
        "color": "red",
        "value": 0.8,
    }
    assert ttft["fieldConfig"]["defaults"]["unit"] == "s"


def test_panels_sit_on_the_grid_without_overlapping() -> None:
    for rendered in dashboards(FULL).values():
        taken: set[tuple[int, int]] = set()
        ids = [panel["id"] for panel in rendered["panels"]]
        assert ids == list(range(1, len(ids) + 1))
        for panel in rendered["panels"]:
            pos = panel["gridPos"]
            assert pos["x"] + pos["w"] <= 24
            cells = {
                (x, y)
                for x in range(pos["x"], pos["x"] + pos["w"])
                for y in range(pos["y"], pos["y"] + pos["h"])
            }
            assert not cells & taken, panel["title"]
            taken |= cells


def _target_of(query: str) -> str:
    start = query.index('shipyard_target="') + len('shipyard_target="')
    return query[start : query.index('"', start)]


@pytest.mark.parametrize("area", ["serving", "gateway", "data", "platform"])
def test_every_query_reads_only_what_its_exporter_exposes(area: str) -> None:
    exporters = {target.name: EXPORTERS[target.exporter] for target in TARGETS}
    queries = queries_of(dashboards(FULL)[area])
    assert queries
    for query in queries:
        names = series_names(query)
        assert names, query
        if names <= EXTERNAL_SERIES:
            continue  # dcgm-exporter's GPU utilisation, matched by pod
        exporter = exporters[_target_of(query)]
        assert names <= exporter.series | PROMETHEUS_SERIES, (query, names - exporter.series)


def test_every_query_is_scoped_to_the_platform() -> None:
    for rendered in dashboards(FULL).values():
        for query in queries_of(rendered):
            assert 'namespace="llm"' in query, query


def test_dashboard_json_is_stable() -> None:
    text = dashboard_text(dashboards(FULL)["gateway"])
    assert text == dashboard_text(dashboards(FULL)["gateway"])
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert '"uid": "${datasource}"' in text


def test_config_maps_are_labelled_for_the_grafana_sidecar() -> None:
    maps = render_dashboard_config_maps(FULL)
    assert [m["metadata"]["name"] for m in maps] == [
        "shipyard-dashboard-serving",
        "shipyard-dashboard-gateway",
        "shipyard-dashboard-data",
        "shipyard-dashboard-platform",
    ]
    serving = maps[0]
    assert serving["metadata"]["labels"]["grafana_dashboard"] == SIDECAR_LABEL["grafana_dashboard"]
    assert serving["metadata"]["annotations"] == {"grafana_folder": "Shipyard"}
    [(key, text)] = serving["data"].items()
    assert key == "acme-serving.json"
    assert json.loads(text)["uid"] == "shipyard-acme-serving"
    assert render_dashboard_config_maps(FULL.model_copy(update={"dashboards": False})) == []


def test_only_areas_with_targets_get_a_dashboard() -> None:
    args = FULL.model_copy(update={"targets": TARGETS[:1]})
    assert sorted(dashboards(args)) == ["serving"]


def test_long_platform_names_keep_uids_within_grafanas_limit() -> None:
    uid = dashboard_uid("a-very-long-platform-name-for-testing", "platform")
    assert len(uid) == 40
    assert uid != dashboard_uid("a-very-long-platform-name-for-testing", "serving")
    assert dashboard_uid("acme", "data") == "shipyard-acme-data"
