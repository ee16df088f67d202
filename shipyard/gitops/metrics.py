"""The reconciler's Prometheus metrics, in a registry of their own.

| metric | type | labels |
| --- | --- | --- |
| `shipyard_reconciler_last_successful_apply_timestamp_seconds` | gauge | `stack` |
| `shipyard_reconciler_applies_total` | counter | `stack`, `result` |
| `shipyard_reconciler_reconcile_duration_seconds` | histogram | `stack` |
| `shipyard_reconciler_drift_found` | gauge (1 drift, 0 none) | `stack` |
| `shipyard_reconciler_stack_condition` | gauge (1 for the current one) | `stack`, `status` |
| `shipyard_reconciler_leader` | gauge (1 while this replica may reconcile) | |
| `shipyard_reconciler_webhooks_total` | counter | `outcome` |
| `shipyard_reconciler_git_fetch_errors_total` | counter | |
| `shipyard_reconciler_source_available` | gauge (0 after a failed fetch, 1 after a good one) | |

An apply's `result` is `succeeded`, `temporary_failure` or `permanent_failure`; a webhook's
`outcome` is a `webhook.Outcome`, `ignored` (another branch or event), `rate-limited` or
`disabled`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from shipyard.gitops.reconcile_state import StackState
from shipyard.gitops.reconciler import StackResult

PREFIX = "shipyard_reconciler_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
"""Seconds: a pass with nothing to do takes milliseconds, an apply minutes."""
CONDITIONS = ("Ready", "Reconciling", "Stalled")


class ReconcilerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.last_success = Gauge(
            PREFIX + "last_successful_apply_timestamp_seconds",
            "Unix time of the stack's last successful apply.",
            ["stack"],
            registry=r,
        )
        self.applies = Counter(
            PREFIX + "applies", "Applies started, by their result.", ["stack", "result"], registry=r
        )
        self.duration = Histogram(
            PREFIX + "reconcile_duration_seconds",
            "Time to reconcile one stack once (decide, and apply or check drift when due).",
            ["stack"],
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.drift = Gauge(
            PREFIX + "drift_found",
            "1 when the stack's last drift check found drift, 0 when it found none.",
            ["stack"],
            registry=r,
        )
        self.condition = Gauge(
            PREFIX + "stack_condition",
            "1 for the stack's current condition (Ready, Reconciling, Stalled).",
            ["stack", "status"],
            registry=r,
        )
        self.leader = Gauge(
            PREFIX + "leader", "1 while this replica holds the lease and reconciles.", registry=r
        )
        self.webhooks = Counter(
            PREFIX + "webhooks", "Webhook deliveries, by outcome.", ["outcome"], registry=r
        )
        self.fetch_errors = Counter(
            PREFIX + "git_fetch_errors", "Failed fetches of the watched branch.", registry=r
        )
        self.source_available = Gauge(
            PREFIX + "source_available",
            "0 while the last fetch of the watched branch failed, 1 after a good one.",
            registry=r,
        )

    def observe(self, result: StackResult, seconds: float) -> None:
        """Record one stack's reconcile: its duration, an apply's result, and its state."""
        stack = result.stack
        self.duration.labels(stack).observe(seconds)
        if result.decision.kind == "apply":
            self.applies.labels(stack, apply_result(result)).inc()
        self.record_state(result.state)

    def record_state(self, state: StackState) -> None:
        stack = state.stack
        if state.last_success_at is not None:
            self.last_success.labels(stack).set(state.last_success_at.timestamp())
        if state.drift_found is not None:
            self.drift.labels(stack).set(1 if state.drift_found else 0)
        if state.condition is not None:
            for status in CONDITIONS:
                self.condition.labels(stack, status).set(
                    1 if state.condition.status == status else 0
                )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def apply_result(result: StackResult) -> str:
    state = result.state
    if state.last_successful_commit == result.decision.commit and state.last_error is None:
        return "succeeded"
    if state.last_error is not None and state.last_error.kind == "permanent":
        return "permanent_failure"
    return "temporary_failure"
