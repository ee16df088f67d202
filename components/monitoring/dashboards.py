"""One Grafana dashboard per area, generated from the args, and the ConfigMaps that carry
them to Grafana's dashboard sidecar (pure).

    serving   a row per model: TTFT and ITL p50/p95, throughput, queue, KV usage, GPU
    gateway   requests, 429s, 5xx ratio, spend per key, fallbacks, latency
    data      Postgres, Kafka, ClickHouse, the cache: a row per target
    platform  Ray and the reconciler

A model added to the blueprint gets its row without anyone editing JSON. The sidecar
convention (kube-prometheus-stack's `grafana.sidecar.dashboards`) loads every ConfigMap
labelled `grafana_dashboard: "1"`; `grafana_folder` names the folder it goes in.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from components.monitoring.args import Area, MonitoringArgs
from components.monitoring.grafana import Row, dashboard
from components.monitoring.metrics import EXPORTERS
from components.monitoring.panels import gateway_rows, model_row, target_row
from components.shared.labels import recommended_labels

Manifest = dict[str, Any]

SIDECAR_LABEL = {"grafana_dashboard": "1"}
FOLDER_ANNOTATION = "grafana_folder"
AREA_TITLES: dict[Area, str] = {
    "serving": "Serving",
    "gateway": "Gateway",
    "data": "Data services",
    "platform": "Platform",
}
UID_MAX = 40
"""Grafana refuses longer dashboard uids."""


def dashboard_uid(platform: str, area: str) -> str:
    uid = f"shipyard-{platform}-{area}"
    if len(uid) <= UID_MAX:
        return uid
    digest = hashlib.sha256(uid.encode()).hexdigest()[:8]
    return f"{uid[: UID_MAX - 9]}-{digest}"


def _rows(args: MonitoringArgs, area: Area) -> list[Row]:
    if area == "serving":
        vllm = args.target_of("vllm")
        return [model_row(m, args, vllm.name) for m in args.models] if vllm else []
    if area == "gateway":
        gateway = args.target_of("litellm")
        return gateway_rows(args, gateway) if gateway else []
    rows = []
    for target in args.targets:
        if EXPORTERS[target.exporter].area != area:
            continue
        row = target_row(target, args)
        if row is not None:
            rows.append(row)
    return rows


def dashboards(args: MonitoringArgs) -> dict[Area, dict[str, Any]]:
    """Area -> dashboard JSON, for every area with something to show."""
    result: dict[Area, dict[str, Any]] = {}
    for area, title in AREA_TITLES.items():
        rows = _rows(args, area)
        if rows:
            result[area] = dashboard(
                dashboard_uid(args.platform, area),
                f"{args.platform}: {title}",
                ["shipyard", args.platform, area],
                rows,
            )
    return result


def dashboard_text(rendered: dict[str, Any]) -> str:
    """The JSON as written into the ConfigMap: keys sorted, so previews show no diffs."""
    return json.dumps(rendered, indent=2, sort_keys=True) + "\n"


def config_map_name(area: str) -> str:
    return f"shipyard-dashboard-{area}"


def dashboard_file(args: MonitoringArgs, area: str) -> str:
    return f"{args.platform}-{area}.json"


def render_dashboard_config_maps(args: MonitoringArgs) -> list[Manifest]:
    if not args.dashboards:
        return []
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": config_map_name(area),
                "namespace": args.namespace,
                "labels": {
                    **recommended_labels("shipyard-monitoring", args.platform, "dashboards"),
                    **SIDECAR_LABEL,
                },
                "annotations": {FOLDER_ANNOTATION: args.grafana_folder},
            },
            "data": {dashboard_file(args, area): dashboard_text(rendered)},
        }
        for area, rendered in dashboards(args).items()
    ]
