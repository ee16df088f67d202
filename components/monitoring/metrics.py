"""The metrics each exporter really exposes, with where each list was read.

Every panel and rule in this package names only series listed here
(tests/components/monitoring/ checks every query), and the tests compare the lists with
the exporters' own code where it is installed for the tests (Ray's dashboards, LiteLLM's
metric names, Shipyard's reconciler, ClickHouse's engine through chDB).

Names are the series as Prometheus stores them: a counter `x` is scraped as `x_total`
(prometheus_client and client_golang append it), a histogram `x` as `x_bucket`, `x_sum`
and `x_count`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.monitoring.args import Area

Kind = Literal["counter", "gauge", "histogram", "counter-as-is"]
"""`counter-as-is`: a counter whose exposed name has no `_total` (ClickHouse's)."""


@dataclass(frozen=True)
class Exporter:
    name: str
    title: str
    area: Area
    source: str
    """Where the names were read: package, version and file."""
    metrics: dict[str, Kind]
    """Metric name -> kind, before the `_total` / `_bucket` suffixes."""

    @property
    def series(self) -> frozenset[str]:
        """Every series name a query may use."""
        names: set[str] = set()
        for name, kind in self.metrics.items():
            if kind == "counter":
                names.add(name if name.endswith("_total") else f"{name}_total")
            elif kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            else:
                names.add(name)
        return frozenset(names)


VLLM = Exporter(
    "vllm",
    "vLLM",
    "serving",
    "vllm 0.33.0, vllm/v1/metrics/loggers.py (labels `model_name`, `engine`); "
    "https://docs.vllm.ai/en/stable/usage/metrics/",
    {
        "vllm:time_to_first_token_seconds": "histogram",
        "vllm:inter_token_latency_seconds": "histogram",
        "vllm:e2e_request_latency_seconds": "histogram",
        "vllm:request_queue_time_seconds": "histogram",
        "vllm:request_prefill_time_seconds": "histogram",
        "vllm:request_decode_time_seconds": "histogram",
        "vllm:num_requests_running": "gauge",
        "vllm:num_requests_waiting": "gauge",
        "vllm:kv_cache_usage_perc": "gauge",
        "vllm:prompt_tokens": "counter",
        "vllm:generation_tokens": "counter",
        "vllm:request_success": "counter",
        "vllm:num_preemptions": "counter",
        "vllm:prefix_cache_hits": "counter",
        "vllm:prefix_cache_queries": "counter",
    },
)

LITELLM = Exporter(
    "litellm",
    "LiteLLM gateway",
    "gateway",
    "litellm 1.83.14, litellm/types/integrations/prometheus.py "
    "(DEFINED_PROMETHEUS_METRICS) and litellm/integrations/prometheus.py; "
    "https://docs.litellm.ai/docs/proxy/prometheus",
    {
        "litellm_proxy_total_requests_metric": "counter",
        "litellm_proxy_failed_requests_metric": "counter",
        "litellm_spend_metric": "counter",
        "litellm_total_tokens_metric": "counter",
        "litellm_input_tokens_metric": "counter",
        "litellm_output_tokens_metric": "counter",
        "litellm_deployment_successful_fallbacks": "counter",
        "litellm_deployment_failed_fallbacks": "counter",
        "litellm_request_total_latency_metric": "histogram",
        "litellm_llm_api_latency_metric": "histogram",
        "litellm_llm_api_time_to_first_token_metric": "histogram",
    },
)

CNPG = Exporter(
    "cnpg",
    "PostgreSQL (CloudNativePG)",
    "data",
    "cloudnative-pg v1.29.0: pkg/management/postgres/webserver/metricserver/pg_collector.go "
    "(namespace `cnpg`, subsystem `collector`) and config/manager/default-monitoring.yaml "
    "(the default queries, `cnpg_<query>_<column>`), port `metrics` (9187)",
    {
        "cnpg_collector_up": "gauge",
        "cnpg_collector_last_available_backup_timestamp": "gauge",
        "cnpg_backends_total": "gauge",
        "cnpg_pg_replication_lag": "gauge",
        "cnpg_pg_replication_in_recovery": "gauge",
        "cnpg_pg_database_size_bytes": "gauge",
    },
)

KAFKA_EXPORTER = Exporter(
    "kafka-exporter",
    "Kafka (Strimzi Kafka Exporter)",
    "data",
    "Strimzi Kafka Exporter (danielqsj/kafka_exporter), port `tcp-prometheus` (9404); "
    "Strimzi docs, 'Kafka Exporter metrics'",
    {
        "kafka_brokers": "gauge",
        "kafka_topic_partitions": "gauge",
        "kafka_topic_partition_current_offset": "gauge",
        "kafka_topic_partition_under_replicated_partition": "gauge",
        "kafka_consumergroup_lag": "gauge",
        "kafka_consumergroup_current_offset": "gauge",
    },
)

CLICKHOUSE = Exporter(
    "clickhouse",
    "ClickHouse",
    "data",
    "ClickHouse 25.8 `<prometheus>` endpoint (src/Server/PrometheusMetricsWriter.cpp): "
    "`ClickHouseMetrics_` + system.metrics, `ClickHouseProfileEvents_` + system.events, "
    "`ClickHouseAsyncMetrics_` + system.asynchronous_metrics",
    {
        "ClickHouseMetrics_Query": "gauge",
        "ClickHouseMetrics_TCPConnection": "gauge",
        "ClickHouseMetrics_HTTPConnection": "gauge",
        "ClickHouseMetrics_MemoryTracking": "gauge",
        "ClickHouseProfileEvents_Query": "counter-as-is",
        "ClickHouseProfileEvents_FailedQuery": "counter-as-is",
        "ClickHouseProfileEvents_InsertedRows": "counter-as-is",
    },
)

RAY = Exporter(
    "ray",
    "Ray",
    "platform",
    "ray 2.52.0, ray/dashboard/modules/metrics/dashboards/default_dashboard_panels.py "
    "(Ray's own Grafana panels), port `metrics` (8080, KubeRay's default)",
    {
        "ray_tasks": "gauge",
        "ray_actors": "gauge",
        "ray_resources": "gauge",
        "ray_object_store_memory": "gauge",
        "ray_node_cpu_utilization": "gauge",
        "ray_node_gpus_utilization": "gauge",
        "ray_node_mem_used": "gauge",
        "ray_node_mem_total": "gauge",
    },
)

RECONCILER = Exporter(
    "shipyard-reconciler",
    "Shipyard reconciler",
    "platform",
    "shipyard/gitops/metrics.py (`ReconcilerMetrics`)",
    {
        "shipyard_reconciler_last_successful_apply_timestamp_seconds": "gauge",
        "shipyard_reconciler_applies": "counter",
        "shipyard_reconciler_reconcile_duration_seconds": "histogram",
        "shipyard_reconciler_drift_found": "gauge",
        "shipyard_reconciler_stack_condition": "gauge",
        "shipyard_reconciler_leader": "gauge",
        "shipyard_reconciler_webhooks": "counter",
        "shipyard_reconciler_git_fetch_errors": "counter",
    },
)

REDIS = Exporter(
    "redis",
    "Redis / Valkey (redis_exporter)",
    "data",
    "oliver006/redis_exporter (Debian prometheus-redis-exporter 1.45.0, run against "
    "redis-server 7.0.15), default port 9121; it supports Valkey 7 to 9",
    {
        "redis_up": "gauge",
        "redis_connected_clients": "gauge",
        "redis_memory_used_bytes": "gauge",
        "redis_commands_processed_total": "counter",
        "redis_evicted_keys_total": "counter",
        "redis_keyspace_hits_total": "counter",
        "redis_keyspace_misses_total": "counter",
        "redis_rejected_connections_total": "counter",
    },
)

EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in (VLLM, LITELLM, CNPG, KAFKA_EXPORTER, CLICKHOUSE, RAY, RECONCILER, REDIS)
}

DCGM_GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL"
"""GPU utilisation in percent, from NVIDIA's dcgm-exporter (etc/default-counters.csv),
which the GPU Operator runs and scrapes itself; Shipyard does not deploy it. With its
Kubernetes mapping on, its series carry the `namespace` and `pod` of the GPU's user."""
PROMETHEUS_SERIES = frozenset({"up"})
"""Written by Prometheus for every target."""
EXTERNAL_SERIES = frozenset({DCGM_GPU_UTIL})


def known_series() -> frozenset[str]:
    """Every series name a generated query may reference."""
    names: set[str] = set(PROMETHEUS_SERIES | EXTERNAL_SERIES)
    for exporter in EXPORTERS.values():
        names |= exporter.series
    return frozenset(names)
