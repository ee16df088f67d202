"""Grafana's classic dashboard JSON model, as far as these dashboards use it (pure).

The fields follow `Dashboard`, `Panel` and `RowPanel` of `@grafana/schema` (13.2,
`raw/dashboard/x/types.gen`); tests/components/monitoring/ validates every generated
dashboard against a JSON Schema derived from those types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Json = dict[str, Any]

SCHEMA_VERSION = 41
"""The classic model's version in Grafana 12 and 13 (dashboards import and migrate)."""
DATASOURCE: Json = {"type": "prometheus", "uid": "${datasource}"}
"""Every panel queries the Prometheus picked in the `datasource` variable."""
GRID_WIDTH = 24
PANEL_HEIGHT = 8
DEFAULT_PANEL_WIDTH = 8


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str = "short"
    description: str = ""
    kind: Literal["timeseries", "stat"] = "timeseries"
    threshold: float | None = None
    """A value shown in red from there up (an SLO or an alert's threshold)."""
    width: int = DEFAULT_PANEL_WIDTH


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]


def _field_config(panel: Panel) -> Json:
    defaults: Json = {"unit": panel.unit}
    if panel.threshold is not None:
        defaults["thresholds"] = {
            "mode": "absolute",
            "steps": [
                {"color": "green", "value": None},
                {"color": "red", "value": panel.threshold},
            ],
        }
        if panel.kind == "timeseries":
            defaults["custom"] = {"thresholdsStyle": {"mode": "line"}}
    return {"defaults": defaults, "overrides": []}


def _panel(panel: Panel, panel_id: int, x: int, y: int) -> Json:
    targets = [
        {
            "datasource": DATASOURCE,
            "expr": query.expr,
            "legendFormat": query.legend or "__auto",
            "refId": chr(ord("A") + index),
        }
        for index, query in enumerate(panel.queries)
    ]
    rendered: Json = {
        "type": panel.kind,
        "id": panel_id,
        "title": panel.title,
        "datasource": DATASOURCE,
        "gridPos": {"h": PANEL_HEIGHT, "w": panel.width, "x": x, "y": y},
        "targets": targets,
        "fieldConfig": _field_config(panel),
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}}
        if panel.kind == "timeseries"
        else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    }
    if panel.description:
        rendered["description"] = panel.description
    return rendered


def layout(rows: Sequence[Row]) -> list[Json]:
    """Rows and their panels on Grafana's 24-column grid, left to right, ids from 1."""
    panels: list[Json] = []
    panel_id, y = 1, 0
    for row in rows:
        panels.append(
            {
                "type": "row",
                "id": panel_id,
                "title": row.title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        panel_id, y, x = panel_id + 1, y + 1, 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                x, y = 0, y + PANEL_HEIGHT
            panels.append(_panel(panel, panel_id, x, y))
            panel_id, x = panel_id + 1, x + panel.width
        y += PANEL_HEIGHT
    return panels


def dashboard(uid: str, title: str, tags: Sequence[str], rows: Sequence[Row]) -> Json:
    """A read-only dashboard with a Prometheus data source picker."""
    return {
        "uid": uid,
        "title": title,
        "tags": list(tags),
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "browser",
        "refresh": "1m",
        "annotations": {"list": []},
        "links": [],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "hide": 0,
                    "refresh": 1,
                }
            ]
        },
        "panels": layout(rows),
    }


def queries_of(rendered: Json) -> list[str]:
    """Every query expression of a rendered dashboard."""
    return [
        target["expr"]
        for panel in rendered.get("panels", [])
        for target in panel.get("targets", [])
    ]
