"""The metrics: an apply's result label and the state gauges, from StackResults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipyard.gitops.decide import Decision
from shipyard.gitops.metrics import ReconcilerMetrics, apply_result
from shipyard.gitops.reconcile_state import Condition, LastError, StackState
from shipyard.gitops.reconciler import StackResult

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
A = "a" * 40
APPLY = Decision("apply", "NewCommit", "applying", "Reconciling", commit=A)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (StackState("dev", last_successful_commit=A), "succeeded"),
        (
            StackState("dev", last_error=LastError("permanent", A, "policy", T0)),
            "permanent_failure",
        ),
        (
            StackState("dev", last_error=LastError("temporary", A, "timeout", T0)),
            "temporary_failure",
        ),
    ],
)
def test_an_apply_is_counted_by_its_outcome(state: StackState, expected: str) -> None:
    assert apply_result(StackResult("dev", APPLY, state)) == expected


def test_the_exposition_names_every_metric() -> None:
    metrics = ReconcilerMetrics()
    state = StackState(
        "dev",
        last_successful_commit=A,
        last_success_at=T0,
        drift_found=True,
        condition=Condition("Ready", "Applied", "applied", T0),
    )
    metrics.observe(StackResult("dev", APPLY, state), 2.5)
    text = metrics.render().decode()
    for line in (
        'shipyard_reconciler_applies_total{result="succeeded",stack="dev"} 1.0',
        'shipyard_reconciler_last_successful_apply_timestamp_seconds{stack="dev"} 1.7954352e+09',
        'shipyard_reconciler_drift_found{stack="dev"} 1.0',
        'shipyard_reconciler_stack_condition{stack="dev",status="Ready"} 1.0',
        'shipyard_reconciler_stack_condition{stack="dev",status="Stalled"} 0.0',
        'shipyard_reconciler_reconcile_duration_seconds_bucket{le="5.0",stack="dev"} 1.0',
        'shipyard_reconciler_reconcile_duration_seconds_bucket{le="2.5",stack="dev"} 1.0',
        'shipyard_reconciler_reconcile_duration_seconds_bucket{le="1.0",stack="dev"} 0.0',
    ):
        assert line in text
    assert "# TYPE shipyard_reconciler_leader gauge" in text
