"""The PromQL helpers, and the series-name extraction the dashboard tests rely on."""

from __future__ import annotations

from components.monitoring.promql import matchers, none_up, pod_regex, quantile, series_names


def test_matchers_scope_to_namespace_and_target() -> None:
    assert matchers("llm", "vllm") == 'namespace="llm",shipyard_target="vllm"'
    assert matchers("llm", "gw", exception_status="~5..", model="m") == (
        'namespace="llm",shipyard_target="gw",exception_status=~"5..",model="m"'
    )


def test_quantile_sums_buckets_by_le() -> None:
    assert quantile(0.95, "h", 'a="b"', "model") == (
        'histogram_quantile(0.95, sum by (le,model) (rate(h_bucket{a="b"}[5m])))'
    )


def test_none_up_also_fires_without_any_target() -> None:
    assert none_up('a="b"') == '(sum(up{a="b"}) or vector(0)) < 1'


def test_pod_regex_matches_deployment_pods() -> None:
    assert pod_regex("llama-8b") == "llama-8b-[a-z0-9]+-[a-z0-9]+"


def test_series_names_skip_functions_labels_and_keywords() -> None:
    query = (
        'histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:ttft_bucket{a="x{y}"}[5m])))'
        " / on (model_name) group_left max without (pod) (kv offset 5m) > bool 1e3"
    )
    assert series_names(query) == {"vllm:ttft_bucket", "kv"}
    assert series_names('(sum(up{job="a"}) or vector(0)) < 1') == {"up"}
    assert series_names("time() - max(last_ts)") == {"last_ts"}
    assert series_names("a and b unless c") == {"a", "b", "c"}
