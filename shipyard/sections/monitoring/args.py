"""Blueprint `spec.monitoring`, and every section's scrape targets, turned into the
monitoring component's arguments (pure)."""

from __future__ import annotations

from components.monitoring.args import (
    AlertThresholds,
    MonitoringArgs,
    ScrapeTarget,
    ServedModel,
)
from shipyard.blueprint.platform import Platform
from shipyard.sections.monitoring.model import MonitoringSpec, OperatorPrometheus

MS = 1000.0


def scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    """What every section reports it has to scrape, in registry order."""
    from shipyard.sections.registry import SECTIONS

    return [target for section in SECTIONS for target in section.scrape_targets(platform)]


def served_models(platform: Platform) -> tuple[ServedModel, ...]:
    models = []
    for model in platform.spec.models:
        slo = model.slo
        models.append(
            ServedModel(
                name=model.name,
                served_name=model.served_name,
                min_replicas=model.autoscaling.min_replicas
                if model.autoscaling
                else model.replicas,
                ttft_p95_seconds=slo.ttft_p95_ms / MS if slo and slo.ttft_p95_ms else None,
                itl_p95_seconds=slo.itl_p95_ms / MS if slo and slo.itl_p95_ms else None,
            )
        )
    return tuple(models)


def monitoring_args(platform: Platform) -> MonitoringArgs | None:
    """The component's arguments, or None without `spec.monitoring`."""
    spec: MonitoringSpec | None = platform.spec.monitoring
    if spec is None:
        return None
    prometheus = spec.prometheus
    alerts = spec.alerts
    return MonitoringArgs(
        namespace=platform.namespace,
        platform=platform.metadata.name,
        prometheus=prometheus.type,
        prometheus_namespace=prometheus.namespace,
        selector_labels=(
            dict(prometheus.selector_labels) if isinstance(prometheus, OperatorPrometheus) else {}
        ),
        scrape_interval=spec.scrape_interval,
        targets=tuple(scrape_targets(platform)),
        models=served_models(platform),
        dashboards=spec.grafana.dashboards,
        grafana_folder=spec.grafana.folder,
        alerts=AlertThresholds(
            queue_waiting_per_replica=alerts.queue_waiting_per_replica,
            kv_cache_usage=alerts.kv_cache_usage,
            gateway_error_ratio=alerts.gateway_error_ratio,
            slo_for=alerts.slo_for,
            down_for=alerts.down_for,
        ),
    )
