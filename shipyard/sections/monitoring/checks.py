"""Checks of `spec.monitoring` and of what it watches. Each yields `(path, message)`."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding
from shipyard.blueprint.platform import Platform


def check_monitoring(platform: Platform) -> Iterator[Finding]:
    monitoring = platform.spec.monitoring
    for index, model in enumerate(platform.spec.models):
        if model.slo is None:
            continue
        path = ("spec", "models", index, "slo")
        if monitoring is None:
            yield (path, "an `slo` is alerted on by `spec.monitoring`; declare it, or remove `slo`")
        elif model.slo.ttft_p95_ms is None and model.slo.itl_p95_ms is None:
            yield (path, "`slo` sets no objective; set `ttftP95Ms` or `itlP95Ms`")
    if monitoring is not None and monitoring.prometheus.namespace == platform.namespace:
        yield (
            ("spec", "monitoring", "prometheus", "namespace"),
            f"Prometheus runs in its own namespace, not the platform's `{platform.namespace}`; "
            "name the namespace it runs in (default `monitoring`)",
        )
