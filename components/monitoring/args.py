"""Arguments of the monitoring component: what a Prometheus scrapes, the models whose
SLOs it watches, and the alert thresholds.

A `ScrapeTarget` says *what* is scraped (pods or a Service by labels, a port, a path) and
*which exporter* answers there; `components/monitoring/metrics.py` knows what that
exporter exposes, and so which panels and rules it gets."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs, problem_validator
from components.shared.k8s_values import Labels, PortName
from components.shared.names import Dns1123Label

Area = Literal["serving", "gateway", "data", "platform"]
"""The dashboard a target's panels go on."""
Severity = Literal["critical", "warning"]
PrometheusKind = Literal["operator", "plain"]
"""`operator`: PodMonitor/ServiceMonitor/PrometheusRule (Prometheus Operator CRDs);
`plain`: one ConfigMap with `scrape_configs` and a rule file for a Prometheus you run."""

DEFAULT_METRICS_PATH = "/metrics"
DEFAULT_PROMETHEUS_NAMESPACE = "monitoring"
DEFAULT_SCRAPE_INTERVAL = "30s"
DEFAULT_GRAFANA_FOLDER = "Shipyard"
# Alert thresholds. A replica with this many requests waiting is saturated: KEDA's
# default queue target is 5 (components/vllm/args.py), so this is twice that.
DEFAULT_QUEUE_WAITING_PER_REPLICA = 10
DEFAULT_KV_CACHE_USAGE = 0.9
DEFAULT_GATEWAY_ERROR_RATIO = 0.05
DEFAULT_SLO_FOR = "10m"
DEFAULT_DOWN_FOR = "5m"
DEFAULT_RECONCILER_STALLED_FOR = "15m"

_PROMETHEUS_DURATION = re.compile(r"[1-9][0-9]*(s|m|h)")


def prometheus_duration_problem(value: str) -> str | None:
    """Why `value` is not a duration this component writes (`30s`, `5m`, `1h`), or None."""
    if _PROMETHEUS_DURATION.fullmatch(value):
        return None
    return f"`{value}` is not a duration; use a whole number and s, m or h, e.g. `30s`"


PrometheusDuration = Annotated[str, problem_validator(prometheus_duration_problem)]


class ScrapeTarget(ComponentArgs):
    """Pods (or a Service) in the namespace that serve Prometheus metrics.

    Every series scraped from it carries `shipyard_target=<name>`, which the panels and
    rules match on, with the namespace, so two platforms never mix."""

    name: Annotated[
        Dns1123Label,
        Field(description="Names the monitor and the `shipyard_target` label, e.g. `vllm`."),
    ]
    title: Annotated[str, Field(min_length=1, description="Human name, e.g. `vLLM`.")]
    exporter: Annotated[
        str,
        Field(
            min_length=1,
            description="Which exporter answers (a key of `metrics.EXPORTERS`), so which "
            "metrics, panels and rules it has.",
        ),
    ]
    kind: Annotated[
        Literal["pod", "service"],
        Field(description="`pod` (a PodMonitor) or `service` (a ServiceMonitor); default pod."),
    ] = "pod"
    selector: Annotated[
        Labels, Field(min_length=1, description="Labels of the pods (or the Service).")
    ]
    port: Annotated[
        PortName, Field(description="The named container port (or Service port) to scrape.")
    ]
    path: Annotated[
        str, Field(pattern=r"^/", description=f"HTTP path; default `{DEFAULT_METRICS_PATH}`.")
    ] = DEFAULT_METRICS_PATH
    pod_selector: Annotated[
        Labels | None,
        Field(
            description="For an `isolated` Service target: its pods' labels; default `selector`."
        ),
    ] = None
    namespace: Annotated[
        Dns1123Label | None,
        Field(description="The pods' namespace when not the platform's (an operator's)."),
    ] = None
    isolated: Annotated[
        bool,
        Field(
            description="The pods are under an ingress NetworkPolicy already: add one that "
            "admits the Prometheus namespace on `port`. Never set it for pods no policy "
            "selects: a new policy would isolate them."
        ),
    ] = False
    down_severity: Annotated[
        Severity | None,
        Field(description="Severity of the alert when no pod of it is up; none: no alert."),
    ] = "warning"
    down_impact: Annotated[
        str, Field(description="What breaks while it is down, for the alert's description.")
    ] = ""


class ServedModel(ComponentArgs):
    """A vLLM model the serving dashboard and its alerts follow."""

    name: Annotated[Dns1123Label, Field(description="Its Deployment; pods are `<name>-...`.")]
    served_name: Annotated[
        str, Field(min_length=1, description="vLLM's `model_name` label (the served name).")
    ]
    min_replicas: Annotated[
        int, Field(ge=0, description="Replicas it keeps up; 0: no down alert.")
    ] = 1
    ttft_p95_seconds: Annotated[
        float | None, Field(gt=0, description="SLO: time to first token at p95.")
    ] = None
    itl_p95_seconds: Annotated[
        float | None, Field(gt=0, description="SLO: inter-token latency at p95.")
    ] = None


class AlertThresholds(ComponentArgs):
    queue_waiting_per_replica: Annotated[
        float,
        Field(
            gt=0,
            description="Requests waiting per replica that mean saturation; default "
            f"`{DEFAULT_QUEUE_WAITING_PER_REPLICA}`.",
        ),
    ] = DEFAULT_QUEUE_WAITING_PER_REPLICA
    kv_cache_usage: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description=f"KV-cache usage (0-1) that means pressure; default "
            f"`{DEFAULT_KV_CACHE_USAGE}`.",
        ),
    ] = DEFAULT_KV_CACHE_USAGE
    gateway_error_ratio: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description="Share of gateway requests failing with 5xx; default "
            f"`{DEFAULT_GATEWAY_ERROR_RATIO}`.",
        ),
    ] = DEFAULT_GATEWAY_ERROR_RATIO
    slo_for: Annotated[
        PrometheusDuration,
        Field(description=f"How long an SLO may be broken first; default `{DEFAULT_SLO_FOR}`."),
    ] = DEFAULT_SLO_FOR
    down_for: Annotated[
        PrometheusDuration,
        Field(description=f"How long a target may be down first; default `{DEFAULT_DOWN_FOR}`."),
    ] = DEFAULT_DOWN_FOR
    reconciler_stalled_for: Annotated[
        PrometheusDuration,
        Field(
            description="How long a stack may stay Stalled first; default "
            f"`{DEFAULT_RECONCILER_STALLED_FOR}`."
        ),
    ] = DEFAULT_RECONCILER_STALLED_FOR


class MonitoringArgs(ComponentArgs):
    """Scrape objects, alert rules and Grafana dashboards for one platform."""

    namespace: Annotated[Dns1123Label, Field(description="The platform's namespace.")]
    platform: Annotated[
        Dns1123Label, Field(description="The platform's name, on every alert and dashboard.")
    ]
    prometheus: Annotated[
        PrometheusKind,
        Field(description="`operator` (CRDs) or `plain` (a scrape config); default operator."),
    ] = "operator"
    prometheus_namespace: Annotated[
        Dns1123Label,
        Field(
            description="Where Prometheus runs; the NetworkPolicies admit it. Default "
            f"`{DEFAULT_PROMETHEUS_NAMESPACE}`."
        ),
    ] = DEFAULT_PROMETHEUS_NAMESPACE
    selector_labels: Annotated[
        Labels,
        Field(description="Labels on every monitor and rule, for the Prometheus's selectors."),
    ] = {}
    scrape_interval: Annotated[
        PrometheusDuration,
        Field(description=f"Scrape interval; default `{DEFAULT_SCRAPE_INTERVAL}`."),
    ] = DEFAULT_SCRAPE_INTERVAL
    targets: Annotated[tuple[ScrapeTarget, ...], Field(description="Everything to scrape.")] = ()
    models: Annotated[
        tuple[ServedModel, ...], Field(description="The models on the serving dashboard.")
    ] = ()
    dashboards: Annotated[
        bool, Field(description="Render Grafana dashboards as sidecar ConfigMaps.")
    ] = True
    grafana_folder: Annotated[
        str,
        Field(min_length=1, description=f"Grafana folder; default `{DEFAULT_GRAFANA_FOLDER}`."),
    ] = DEFAULT_GRAFANA_FOLDER
    alerts: Annotated[AlertThresholds, Field(description="Alert thresholds.")] = AlertThresholds()

    @model_validator(mode="after")
    def _consistent(self) -> MonitoringArgs:
        from components.monitoring.metrics import EXPORTERS

        problems: list[str] = []
        names = [target.name for target in self.targets]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            problems.append(f"`targets` name {', '.join(twice)} more than once")
        for target in self.targets:
            if target.exporter not in EXPORTERS:
                problems.append(
                    f"target `{target.name}`: unknown exporter `{target.exporter}`; known: "
                    f"{', '.join(sorted(EXPORTERS))}"
                )
            if target.isolated and target.namespace not in (None, self.namespace):
                problems.append(
                    f"target `{target.name}`: `isolated` admits scrapers only in the "
                    "platform's namespace"
                )
        models = [model.name for model in self.models]
        if len(set(models)) != len(models):
            problems.append("`models` name a model twice")
        if self.models and not any(target.exporter == "vllm" for target in self.targets):
            problems.append("`models` need a target with exporter `vllm` to read them from")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def target_of(self, exporter: str) -> ScrapeTarget | None:
        return next((t for t in self.targets if t.exporter == exporter), None)
