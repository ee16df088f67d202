"""`spec.monitoring`: scrape objects, alert rules and Grafana dashboards for the platform.

`prometheus` is a discriminated union on `type`: `operator` (PodMonitor, ServiceMonitor
and PrometheusRule objects for the Prometheus Operator) or `plain` (one ConfigMap with
`scrape_configs` jobs and a rule file for a Prometheus configured by hand).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.monitoring import args as mon
from components.shared.k8s_values import Labels
from components.shared.names import Dns1123Label
from shipyard.blueprint.base import BlueprintModel


class OperatorPrometheus(BlueprintModel):
    """A Prometheus run by the Prometheus Operator (kube-prometheus-stack, say)."""

    type: Annotated[
        Literal["operator"], Field(description="`operator`: monitoring.coreos.com CRDs.")
    ]
    namespace: Annotated[
        Dns1123Label,
        Field(
            description="Where Prometheus runs; its pods are admitted to the metrics ports. "
            f"Default `{mon.DEFAULT_PROMETHEUS_NAMESPACE}`."
        ),
    ] = mon.DEFAULT_PROMETHEUS_NAMESPACE
    selector_labels: Annotated[
        Labels,
        Field(
            description="Labels on every monitor and rule, matching the Prometheus's "
            "`podMonitorSelector`, `serviceMonitorSelector` and `ruleSelector` (for "
            "kube-prometheus-stack: `release: <its release name>`)."
        ),
    ] = {}


class PlainPrometheus(BlueprintModel):
    """A Prometheus configured by hand: copy the generated jobs and rule file into it."""

    type: Annotated[Literal["plain"], Field(description="`plain`: a scrape-config ConfigMap.")]
    namespace: Annotated[
        Dns1123Label,
        Field(
            description="Where Prometheus runs; its pods are admitted to the metrics ports. "
            f"Default `{mon.DEFAULT_PROMETHEUS_NAMESPACE}`."
        ),
    ] = mon.DEFAULT_PROMETHEUS_NAMESPACE


PrometheusSpec = Annotated[OperatorPrometheus | PlainPrometheus, Field(discriminator="type")]


class GrafanaSpec(BlueprintModel):
    dashboards: Annotated[
        bool,
        Field(
            description="Render the dashboards as ConfigMaps for Grafana's sidecar; default true."
        ),
    ] = True
    folder: Annotated[
        str,
        Field(min_length=1, description=f"Grafana folder; default `{mon.DEFAULT_GRAFANA_FOLDER}`."),
    ] = mon.DEFAULT_GRAFANA_FOLDER


class AlertsSpec(BlueprintModel):
    """Thresholds of the generated alerts; per-model SLOs are on each model (`slo`)."""

    queue_waiting_per_replica: Annotated[
        float,
        Field(
            gt=0,
            description="Requests waiting per model replica that mean saturation; default "
            f"`{mon.DEFAULT_QUEUE_WAITING_PER_REPLICA}`.",
        ),
    ] = mon.DEFAULT_QUEUE_WAITING_PER_REPLICA
    kv_cache_usage: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description="KV-cache usage (0 to 1) that means pressure; default "
            f"`{mon.DEFAULT_KV_CACHE_USAGE}`.",
        ),
    ] = mon.DEFAULT_KV_CACHE_USAGE
    gateway_error_ratio: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description="Share of gateway requests failing with 5xx; default "
            f"`{mon.DEFAULT_GATEWAY_ERROR_RATIO}`.",
        ),
    ] = mon.DEFAULT_GATEWAY_ERROR_RATIO
    slo_for: Annotated[
        mon.PrometheusDuration,
        Field(description=f"How long an SLO may be broken first; default `{mon.DEFAULT_SLO_FOR}`."),
    ] = mon.DEFAULT_SLO_FOR
    down_for: Annotated[
        mon.PrometheusDuration,
        Field(
            description=f"How long a service may be down first; default `{mon.DEFAULT_DOWN_FOR}`."
        ),
    ] = mon.DEFAULT_DOWN_FOR


class MonitoringSpec(BlueprintModel):
    prometheus: Annotated[
        PrometheusSpec, Field(description="Which Prometheus scrapes; default `type: operator`.")
    ] = OperatorPrometheus(type="operator")
    scrape_interval: Annotated[
        mon.PrometheusDuration,
        Field(description=f"Scrape interval; default `{mon.DEFAULT_SCRAPE_INTERVAL}`."),
    ] = mon.DEFAULT_SCRAPE_INTERVAL
    grafana: Annotated[GrafanaSpec, Field(description="The dashboards.")] = GrafanaSpec()
    alerts: Annotated[AlertsSpec, Field(description="Alert thresholds.")] = AlertsSpec()
