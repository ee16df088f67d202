"""The panels of each dashboard, per model and per exporter (pure).

Every query reads only series that `components/monitoring/metrics.py` lists for the
exporter that answers, matched by namespace and `shipyard_target`.
"""

from __future__ import annotations

from collections.abc import Callable

from components.monitoring.args import MonitoringArgs, ScrapeTarget, ServedModel
from components.monitoring.grafana import Panel, Query, Row
from components.monitoring.metrics import DCGM_GPU_UTIL
from components.monitoring.promql import matchers, pod_regex, quantile, rate


def _latency(title: str, histogram: str, selector: str, slo: float | None) -> Panel:
    return Panel(
        title,
        (
            Query(quantile(0.5, histogram, selector), "p50"),
            Query(quantile(0.95, histogram, selector), "p95"),
        ),
        unit="s",
        threshold=slo,
        description="The SLO, when declared, is the red line." if slo else "",
    )


def model_row(model: ServedModel, args: MonitoringArgs, target: str) -> Row:
    """TTFT and ITL at p50/p95, throughput, queue, KV usage and GPU utilisation."""
    selector = matchers(args.namespace, target, model_name=model.served_name)
    pods = f'namespace="{args.namespace}",pod=~"{pod_regex(model.name)}"'
    panels = (
        _latency(
            "Time to first token",
            "vllm:time_to_first_token_seconds",
            selector,
            model.ttft_p95_seconds,
        ),
        _latency(
            "Inter-token latency",
            "vllm:inter_token_latency_seconds",
            selector,
            model.itl_p95_seconds,
        ),
        Panel(
            "Throughput",
            (
                Query(f"sum({rate('vllm:generation_tokens_total', selector)})", "generated"),
                Query(f"sum({rate('vllm:prompt_tokens_total', selector)})", "prompt"),
            ),
            unit="suffix: tok/s",
            description="Tokens per second, generated and prompt.",
        ),
        Panel(
            "Requests",
            (
                Query(f"sum(vllm:num_requests_running{{{selector}}})", "running"),
                Query(f"sum(vllm:num_requests_waiting{{{selector}}})", "waiting"),
            ),
            threshold=args.alerts.queue_waiting_per_replica,
            description="Running and waiting (queued) requests over all replicas.",
        ),
        Panel(
            "KV-cache usage",
            (Query(f"max by (pod) (vllm:kv_cache_usage_perc{{{selector}}})", "{{pod}}"),),
            unit="percentunit",
            threshold=args.alerts.kv_cache_usage,
        ),
        Panel(
            "GPU utilisation",
            (Query(f"avg by (pod) ({DCGM_GPU_UTIL}{{{pods}}})", "{{pod}}"),),
            unit="percent",
            description="From NVIDIA's dcgm-exporter (the GPU Operator's), not from vLLM.",
        ),
    )
    return Row(f"{model.name} ({model.served_name})", panels)


def gateway_rows(args: MonitoringArgs, target: ScrapeTarget) -> list[Row]:
    """Requests, 429s, errors, spend per key, fallbacks and latency."""
    selector = matchers(args.namespace, target.name)
    limited = matchers(args.namespace, target.name, exception_status="429")
    failed = matchers(args.namespace, target.name, exception_status="~5..")
    total = f"sum({rate('litellm_proxy_total_requests_metric_total', selector)})"
    spend = f"increase(litellm_spend_metric_total{{{selector}}}[1h])"
    fallbacks = (
        "sum by (requested_model, fallback_model) "
        f"({rate('litellm_deployment_successful_fallbacks_total', selector)})"
    )
    failed_fallbacks = (
        "sum by (requested_model, fallback_model) "
        f"({rate('litellm_deployment_failed_fallbacks_total', selector)})"
    )
    panels = (
        Panel(
            "Requests by model",
            (
                Query(
                    "sum by (requested_model) "
                    f"({rate('litellm_proxy_total_requests_metric_total', selector)})",
                    "{{requested_model}}",
                ),
            ),
            unit="reqps",
        ),
        Panel(
            "Rate limited (429)",
            (
                Query(
                    "sum by (requested_model) "
                    f"({rate('litellm_proxy_failed_requests_metric_total', limited)})",
                    "{{requested_model}}",
                ),
            ),
            unit="reqps",
            description="Requests refused by a model's or a key's rpm/tpm limit.",
        ),
        Panel(
            "Error ratio (5xx)",
            (
                Query(
                    f"sum({rate('litellm_proxy_failed_requests_metric_total', failed)}) / {total}",
                    "5xx",
                ),
            ),
            unit="percentunit",
            threshold=args.alerts.gateway_error_ratio,
        ),
        Panel(
            "Spend per key, last hour",
            (Query(f"sum by (api_key_alias, hashed_api_key) ({spend})", "{{api_key_alias}}"),),
            unit="currencyUSD",
            description="LiteLLM's cost estimate of the requests of each virtual key.",
        ),
        Panel(
            "Fallbacks",
            (
                Query(fallbacks, "{{requested_model}} -> {{fallback_model}}"),
                Query(failed_fallbacks, "failed {{requested_model}} -> {{fallback_model}}"),
            ),
            unit="reqps",
        ),
        Panel(
            "Latency by model",
            (
                Query(
                    quantile(
                        0.95,
                        "litellm_request_total_latency_metric",
                        selector,
                        "requested_model",
                    ),
                    "p95 {{requested_model}}",
                ),
            ),
            unit="s",
        ),
    )
    return [Row(target.title, panels)]


def _cnpg(selector: str) -> tuple[Panel, ...]:
    return (
        Panel("Instances up", (Query(f"sum(cnpg_collector_up{{{selector}}})", "up"),), kind="stat"),
        Panel(
            "Connections",
            (Query(f"sum by (pod) (cnpg_backends_total{{{selector}}})", "{{pod}}"),),
        ),
        Panel(
            "Replication lag",
            (Query(f"max by (pod) (cnpg_pg_replication_lag{{{selector}}})", "{{pod}}"),),
            unit="s",
        ),
        Panel(
            "Database size",
            (
                Query(
                    f"max by (datname) (cnpg_pg_database_size_bytes{{{selector}}})", "{{datname}}"
                ),
            ),
            unit="bytes",
        ),
        Panel(
            "Last backup",
            (
                Query(
                    f"time() - max(cnpg_collector_last_available_backup_timestamp{{{selector}}})",
                    "age",
                ),
            ),
            unit="s",
            kind="stat",
        ),
    )


def _kafka(selector: str) -> tuple[Panel, ...]:
    return (
        Panel("Brokers", (Query(f"max(kafka_brokers{{{selector}}})", "brokers"),), kind="stat"),
        Panel(
            "Messages in",
            (
                Query(
                    f"sum by (topic) ({rate('kafka_topic_partition_current_offset', selector)})",
                    "{{topic}}",
                ),
            ),
            unit="short",
            description="Messages per second written to each topic.",
        ),
        Panel(
            "Consumer lag",
            (
                Query(
                    f"sum by (consumergroup, topic) (kafka_consumergroup_lag{{{selector}}})",
                    "{{consumergroup}} {{topic}}",
                ),
            ),
        ),
        Panel(
            "Under-replicated partitions",
            (
                Query(
                    f"sum(kafka_topic_partition_under_replicated_partition{{{selector}}})",
                    "partitions",
                ),
            ),
            kind="stat",
            threshold=1,
        ),
    )


def _clickhouse(selector: str) -> tuple[Panel, ...]:
    return (
        Panel(
            "Queries",
            (
                Query(f"sum({rate('ClickHouseProfileEvents_Query', selector)})", "queries"),
                Query(f"sum({rate('ClickHouseProfileEvents_FailedQuery', selector)})", "failed"),
            ),
            unit="short",
            description="Queries per second, and failed ones.",
        ),
        Panel(
            "Rows inserted",
            (Query(f"sum({rate('ClickHouseProfileEvents_InsertedRows', selector)})", "rows"),),
            unit="short",
        ),
        Panel(
            "Running queries and connections",
            (
                Query(f"sum(ClickHouseMetrics_Query{{{selector}}})", "running"),
                Query(f"sum(ClickHouseMetrics_TCPConnection{{{selector}}})", "tcp"),
                Query(f"sum(ClickHouseMetrics_HTTPConnection{{{selector}}})", "http"),
            ),
        ),
        Panel(
            "Memory",
            (Query(f"max by (pod) (ClickHouseMetrics_MemoryTracking{{{selector}}})", "{{pod}}"),),
            unit="bytes",
        ),
    )


def _redis(selector: str) -> tuple[Panel, ...]:
    hits = f"sum({rate('redis_keyspace_hits_total', selector)})"
    misses = f"sum({rate('redis_keyspace_misses_total', selector)})"
    return (
        Panel("Up", (Query(f"min(redis_up{{{selector}}})", "up"),), kind="stat"),
        Panel(
            "Clients",
            (Query(f"sum(redis_connected_clients{{{selector}}})", "clients"),),
        ),
        Panel(
            "Memory",
            (Query(f"max by (pod) (redis_memory_used_bytes{{{selector}}})", "{{pod}}"),),
            unit="bytes",
        ),
        Panel(
            "Hit ratio",
            (Query(f"{hits} / ({hits} + {misses})", "hits"),),
            unit="percentunit",
        ),
        Panel(
            "Evictions and rejected connections",
            (
                Query(f"sum({rate('redis_evicted_keys_total', selector)})", "evicted"),
                Query(f"sum({rate('redis_rejected_connections_total', selector)})", "rejected"),
            ),
        ),
    )


def _ray(selector: str) -> tuple[Panel, ...]:
    return (
        Panel("Tasks", (Query(f"sum by (State) (ray_tasks{{{selector}}})", "{{State}}"),)),
        Panel("Actors", (Query(f"sum by (State) (ray_actors{{{selector}}})", "{{State}}"),)),
        Panel(
            "Node CPU",
            (Query(f"avg by (pod) (ray_node_cpu_utilization{{{selector}}})", "{{pod}}"),),
            unit="percent",
        ),
        Panel(
            "Node GPU",
            (Query(f"avg by (pod) (ray_node_gpus_utilization{{{selector}}})", "{{pod}}"),),
            unit="percent",
        ),
        Panel(
            "Object store memory",
            (Query(f"sum(ray_object_store_memory{{{selector}}})", "used"),),
            unit="bytes",
        ),
    )


def _reconciler(selector: str) -> tuple[Panel, ...]:
    stalled = f'shipyard_reconciler_stack_condition{{{selector},status="Stalled"}}'
    return (
        Panel(
            "Stacks Stalled",
            (Query(f"sum by (stack) ({stalled})", "{{stack}}"),),
            kind="stat",
            threshold=1,
        ),
        Panel(
            "Since last successful apply",
            (
                Query(
                    "time() - max by (stack) "
                    f"(shipyard_reconciler_last_successful_apply_timestamp_seconds{{{selector}}})",
                    "{{stack}}",
                ),
            ),
            unit="s",
        ),
        Panel(
            "Applies",
            (
                Query(
                    "sum by (stack, result) "
                    f"(increase(shipyard_reconciler_applies_total{{{selector}}}[1h]))",
                    "{{stack}} {{result}}",
                ),
            ),
            description="Applies in the last hour, by result.",
        ),
        Panel(
            "Drift found",
            (
                Query(
                    f"max by (stack) (shipyard_reconciler_drift_found{{{selector}}})", "{{stack}}"
                ),
            ),
            kind="stat",
            threshold=1,
        ),
        Panel(
            "Reconcile duration p95",
            (
                Query(
                    quantile(0.95, "shipyard_reconciler_reconcile_duration_seconds", selector),
                    "p95",
                ),
            ),
            unit="s",
        ),
        Panel(
            "Leader",
            (Query(f"max(shipyard_reconciler_leader{{{selector}}})", "leader"),),
            kind="stat",
        ),
    )


EXPORTER_PANELS: dict[str, Callable[[str], tuple[Panel, ...]]] = {
    "cnpg": _cnpg,
    "kafka-exporter": _kafka,
    "clickhouse": _clickhouse,
    "redis": _redis,
    "ray": _ray,
    "shipyard-reconciler": _reconciler,
}
"""The panels of an exporter on the data or platform dashboard, given its selector."""


def target_row(target: ScrapeTarget, args: MonitoringArgs) -> Row | None:
    render = EXPORTER_PANELS.get(target.exporter)
    if render is None:
        return None
    namespace = target.namespace or args.namespace
    return Row(target.title, render(matchers(namespace, target.name)))
