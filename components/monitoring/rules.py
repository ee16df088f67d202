"""The alert rules, as Prometheus rule groups (pure).

    serving   per model: TTFT and ITL SLOs at p95, no replica up; all models: queue
              saturation, KV-cache pressure, preemptions
    gateway   5xx error ratio
    cache     a Valkey server its exporter cannot reach, rejected connections
    platform  the reconciler: a stack Stalled, no leader, drift found
    targets   every other target with a `down_severity`: no pod up (the cache among them:
              without it the gateway fails open)

Each rule names its platform and severity in its labels. `promtool check rules` and
`promtool test rules` run on these groups in tests/components/monitoring/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.monitoring.args import MonitoringArgs, ScrapeTarget, ServedModel, Severity
from components.monitoring.promql import matchers, none_up, pod_regex, quantile, rate

Manifest = dict[str, Any]
PROMETHEUS_RULE_API_VERSION = "monitoring.coreos.com/v1"
RULES_NAME = "shipyard-alerts"


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: Severity
    summary: str
    description: str
    labels: dict[str, str] = field(default_factory=dict)

    def render(self, platform: str) -> Manifest:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {**self.labels, "platform": platform, "severity": self.severity},
            "annotations": {"summary": self.summary, "description": self.description},
        }


def _model_alerts(model: ServedModel, args: MonitoringArgs, target: str) -> list[Alert]:
    selector = matchers(args.namespace, target, model_name=model.served_name)
    labels = {"model": model.name}
    alerts = []
    slos = (
        ("ModelTtftSloBreached", "time to first token", "vllm:time_to_first_token_seconds"),
        ("ModelItlSloBreached", "inter-token latency", "vllm:inter_token_latency_seconds"),
    )
    for (name, what, histogram), limit in zip(
        slos, (model.ttft_p95_seconds, model.itl_p95_seconds), strict=True
    ):
        if limit is None:
            continue
        alerts.append(
            Alert(
                name,
                f"{quantile(0.95, histogram, selector)} > {limit:g}",
                args.alerts.slo_for,
                "critical",
                f"Model `{model.name}`: p95 {what} above its SLO of {limit * 1000:g} ms",
                f"p95 {what} of `{model.served_name}` is {{{{ $value | humanizeDuration }}}} "
                f"(SLO {limit * 1000:g} ms) over the last {args.alerts.slo_for}.",
                labels,
            )
        )
    if model.min_replicas > 0:
        pods = matchers(args.namespace, target, pod=f"~{pod_regex(model.name)}")
        alerts.append(
            Alert(
                "ModelDown",
                none_up(pods),
                args.alerts.down_for,
                "critical",
                f"Model `{model.name}`: no replica is up",
                f"No vLLM pod of `{model.name}` answers its metrics endpoint; requests for "
                f"`{model.served_name}` fail or fall back.",
                labels,
            )
        )
    return alerts


def serving_alerts(args: MonitoringArgs) -> list[Alert]:
    target = args.target_of("vllm")
    if target is None:
        return []
    selector = matchers(args.namespace, target.name)
    alerts = [alert for model in args.models for alert in _model_alerts(model, args, target.name)]
    limits = args.alerts
    alerts += [
        Alert(
            "ModelQueueSaturated",
            f"avg by (model_name) (vllm:num_requests_waiting{{{selector}}}) "
            f"> {limits.queue_waiting_per_replica:g}",
            "5m",
            "warning",
            "Model {{ $labels.model_name }}: requests are queueing",
            "{{ $labels.model_name }} has {{ $value }} requests waiting per replica (more than "
            f"{limits.queue_waiting_per_replica:g}); add replicas or raise `maxReplicas`.",
        ),
        Alert(
            "ModelKvCachePressure",
            f"max by (model_name) (vllm:kv_cache_usage_perc{{{selector}}}) "
            f"> {limits.kv_cache_usage:g}",
            "10m",
            "warning",
            "Model {{ $labels.model_name }}: the KV cache is nearly full",
            "KV-cache usage of {{ $labels.model_name }} is {{ $value | humanizePercentage }}; "
            "requests will be preempted. Lower `maxNumSeqs` or `maxModelLen`, or add replicas.",
        ),
        Alert(
            "ModelPreempting",
            f"sum by (model_name) ({rate('vllm:num_preemptions_total', selector)}) > 0",
            "15m",
            "warning",
            "Model {{ $labels.model_name }}: requests are being preempted",
            "vLLM preempts {{ $value }} requests per second of {{ $labels.model_name }} "
            "for lack of KV-cache blocks, which recomputes their prompts.",
        ),
    ]
    return alerts


def gateway_alerts(args: MonitoringArgs) -> list[Alert]:
    target = args.target_of("litellm")
    if target is None:
        return []
    selector = matchers(args.namespace, target.name)
    failed = matchers(args.namespace, target.name, exception_status="~5..")
    limit = args.alerts.gateway_error_ratio
    return [
        Alert(
            "GatewayErrorRate",
            f"sum({rate('litellm_proxy_failed_requests_metric_total', failed)}) / "
            f"sum({rate('litellm_proxy_total_requests_metric_total', selector)}) > {limit:g}",
            "5m",
            "critical",
            "The gateway fails too many requests",
            "{{ $value | humanizePercentage }} of gateway requests end in a 5xx error "
            f"(more than {limit:.0%}).",
        )
    ]


def cache_alerts(args: MonitoringArgs) -> list[Alert]:
    """redis_exporter answers even when its server does not (`redis_up` 0), so the
    target's down alert alone would miss a dead Valkey."""
    target = args.target_of("redis")
    if target is None:
        return []
    selector = matchers(args.namespace, target.name)
    labels = {"target": target.name}
    return [
        Alert(
            "CacheServerDown",
            f"min by (pod) (redis_up{{{selector}}}) == 0",
            args.alerts.down_for,
            "warning",
            f"{target.title}: the server in {{{{ $labels.pod }}}} does not answer",
            "redis_exporter in {{ $labels.pod }} cannot reach its Valkey server; Sentinel "
            "fails a primary over, but the cache runs with one copy less.",
            labels,
        ),
        Alert(
            "CacheRejectingConnections",
            f"sum({rate('redis_rejected_connections_total', selector)}) > 0",
            "5m",
            "warning",
            f"{target.title} refuses new connections",
            "The cache rejects {{ $value }} connections per second (`maxclients` reached); "
            "its clients, the gateway among them, fail their calls to it.",
            labels,
        ),
    ]


def reconciler_alerts(args: MonitoringArgs) -> list[Alert]:
    target = args.target_of("shipyard-reconciler")
    if target is None:
        return []
    selector = matchers(args.namespace, target.name)
    return [
        Alert(
            "ReconcilerStalled",
            f'max by (stack) (shipyard_reconciler_stack_condition{{{selector},status="Stalled"}})'
            " == 1",
            args.alerts.reconciler_stalled_for,
            "critical",
            "Stack {{ $labels.stack }} is Stalled",
            "The reconciler gave up applying {{ $labels.stack }} (a permanent failure, or "
            "retries exhausted); fix the commit or the stack, see `shipyard reconcile`.",
        ),
        Alert(
            "ReconcilerNoLeader",
            f"(max(shipyard_reconciler_leader{{{selector}}}) or vector(0)) < 1",
            "10m",
            "critical",
            "No reconciler replica holds the lease",
            "Nothing applies new commits: no replica of the reconciler is leader.",
        ),
        Alert(
            "DriftFound",
            f"max by (stack) (shipyard_reconciler_drift_found{{{selector}}}) == 1",
            "5m",
            "warning",
            "Stack {{ $labels.stack }} has drifted from its blueprint",
            "The reconciler's drift check found resources that differ from the last applied "
            "commit of {{ $labels.stack }}.",
        ),
    ]


def _target_alert(target: ScrapeTarget, args: MonitoringArgs) -> Alert | None:
    if target.down_severity is None or target.exporter == "vllm":
        return None  # vLLM is watched per model
    name = "".join(part.capitalize() for part in target.name.split("-")) + "Down"
    namespace = target.namespace or args.namespace
    impact = f" {target.down_impact}" if target.down_impact else ""
    return Alert(
        name,
        none_up(matchers(namespace, target.name)),
        args.alerts.down_for,
        target.down_severity,
        f"{target.title} is down",
        f"No pod of {target.title} answers its metrics endpoint.{impact}",
        {"target": target.name},
    )


def target_alerts(args: MonitoringArgs) -> list[Alert]:
    return [alert for t in args.targets if (alert := _target_alert(t, args)) is not None]


def rule_groups(args: MonitoringArgs) -> list[Manifest]:
    """Every non-empty group, in a stable order."""
    groups = [
        ("serving", serving_alerts(args)),
        ("gateway", gateway_alerts(args)),
        ("cache", cache_alerts(args)),
        ("platform", reconciler_alerts(args)),
        ("targets", target_alerts(args)),
    ]
    return [
        {
            "name": f"shipyard-{args.platform}-{name}",
            "rules": [alert.render(args.platform) for alert in alerts],
        }
        for name, alerts in groups
        if alerts
    ]


def render_prometheus_rule(args: MonitoringArgs, labels: dict[str, str]) -> Manifest | None:
    """The `PrometheusRule` holding every group, or None when there is nothing to alert on."""
    groups = rule_groups(args)
    if not groups:
        return None
    return {
        "apiVersion": PROMETHEUS_RULE_API_VERSION,
        "kind": "PrometheusRule",
        "metadata": {"name": RULES_NAME, "namespace": args.namespace, "labels": labels},
        "spec": {"groups": groups},
    }
