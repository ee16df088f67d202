"""`decide`: every rule, as a table of (state, head, validation, now) -> decision."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from shipyard.gitops import decide as d
from shipyard.gitops.backoff import Backoff
from shipyard.gitops.decide import Decision, HeadValidation, Policy, decide
from shipyard.gitops.reconcile_state import InProgress, LastError, StackState

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)
A, B, C = "a" * 40, "b" * 40, "c" * 40
VALID = HeadValidation()
INVALID = HeadValidation(("blueprints/dev.yaml:30:7: spec.models[0].replicas: bad",))
POLICY = Policy(backoff=Backoff(base=10 * S, factor=2, cap=100 * S), drift_interval=60 * S)
APPLIED_A = StackState("dev", A, A, last_success_at=T0)


def marker(commit: str = B, started: datetime = T0) -> InProgress:
    return InProgress(commit, 4242, "host-1", "old-run", started)


def failed(
    kind: str, commit: str = B, attempts: int = 1, retry: datetime | None = None
) -> StackState:
    return StackState(
        "dev",
        last_attempted_commit=commit,
        last_successful_commit=A,
        last_success_at=T0,
        last_error=LastError(kind, commit, "boom", T0),  # type: ignore[arg-type]
        attempts=attempts,
        next_retry_at=retry,
    )


@dataclass(frozen=True)
class Case:
    name: str
    state: StackState
    head: str
    validation: HeadValidation | None
    now: datetime
    expected: tuple[str, str, str, str | None, datetime | None]
    """kind, reason, condition, commit, at"""
    marker_alive: bool = False
    policy: Policy = field(default=POLICY)
    recovering: bool = False
    message: str = ""


CASES = [
    Case(
        "never applied, valid head: apply",
        StackState("dev"),
        A,
        VALID,
        T0,
        ("apply", d.NEW_COMMIT, "Reconciling", A, None),
        message="applying aaaaaaa (never applied before)",
    ),
    Case(
        "never applied, head does not change it: nothing",
        StackState("dev"),
        A,
        None,
        T0,
        ("nothing", d.NEVER_APPLIED, "Reconciling", None, None),
    ),
    Case(
        "new valid commit: apply",
        APPLIED_A,
        B,
        VALID,
        T0 + S,
        ("apply", d.NEW_COMMIT, "Reconciling", B, None),
        message="applying bbbbbbb (last applied aaaaaaa)",
    ),
    Case(
        "new invalid commit: never applied, stalled with FILE:LINE",
        APPLIED_A,
        B,
        INVALID,
        T0 + S,
        ("nothing", d.BLUEPRINT_INVALID, "Stalled", B, None),
        message="bbbbbbb is not applied: its blueprint is invalid:\n"
        "blueprints/dev.yaml:30:7: spec.models[0].replicas: bad",
    ),
    Case(
        "head unchanged for the stack, drift not due: up to date",
        APPLIED_A,
        B,
        None,
        T0 + 59 * S,
        ("nothing", d.UP_TO_DATE, "Ready", A, None),
        message="aaaaaaa is applied; next drift check at 2026-11-23T12:01:00+00:00",
    ),
    Case(
        "head is the last successful commit, drift due: drift check",
        APPLIED_A,
        A,
        VALID,
        T0 + 60 * S,
        ("drift_check", d.DRIFT_CHECK_DUE, "Ready", A, None),
    ),
    Case(
        "drift is due an interval after the last check, not the last apply",
        StackState("dev", A, A, last_success_at=T0, last_drift_check_at=T0 + 50 * S),
        A,
        None,
        T0 + 100 * S,
        ("nothing", d.UP_TO_DATE, "Ready", A, None),
    ),
    Case(
        "drift checks turned off",
        APPLIED_A,
        A,
        None,
        T0 + timedelta(days=9),
        ("nothing", d.UP_TO_DATE, "Ready", A, None),
        policy=Policy(drift_interval=None),
        message="aaaaaaa is applied",
    ),
    Case(
        "temporary failure, backoff not over: retry later",
        failed("temporary", retry=T0 + 10 * S),
        B,
        VALID,
        T0 + 9 * S,
        ("retry_later", d.BACKING_OFF, "Reconciling", B, T0 + 10 * S),
    ),
    Case(
        "temporary failure, backoff over: apply again",
        failed("temporary", retry=T0 + 10 * S),
        B,
        VALID,
        T0 + 10 * S,
        ("apply", d.RETRYING_AFTER_FAILURE, "Reconciling", B, None),
        message="retrying bbbbbbb after 1 failure(s): boom",
    ),
    Case(
        "temporary failure, a newer commit: apply it at once",
        failed("temporary", retry=T0 + 10 * S),
        C,
        VALID,
        T0 + S,
        ("apply", d.NEW_COMMIT, "Reconciling", C, None),
    ),
    Case(
        "a retry after an interrupted apply still clears its leftovers",
        replace(failed("temporary", retry=T0 + 10 * S), interrupted=True),
        B,
        VALID,
        T0 + 10 * S,
        ("apply", d.RETRYING_AFTER_FAILURE, "Reconciling", B, None),
        recovering=True,
    ),
    Case(
        "a newer commit after an interrupted apply clears its leftovers",
        replace(failed("temporary", retry=T0 + 10 * S), interrupted=True),
        C,
        VALID,
        T0,
        ("apply", d.NEW_COMMIT, "Reconciling", C, None),
        recovering=True,
    ),
    Case(
        "an interrupted commit is finished even when the newer head is invalid",
        replace(failed("temporary", retry=T0 + 10 * S), interrupted=True),
        C,
        INVALID,
        T0 + 10 * S,
        ("apply", d.RETRYING_AFTER_FAILURE, "Reconciling", B, None),
        recovering=True,
    ),
    Case(
        "... after its backoff",
        replace(failed("temporary", retry=T0 + 10 * S), interrupted=True),
        C,
        INVALID,
        T0 + 9 * S,
        ("retry_later", d.BACKING_OFF, "Reconciling", B, T0 + 10 * S),
    ),
    Case(
        "a plain temporary failure does not hold back an invalid head's status",
        failed("temporary", retry=T0 + 10 * S),
        C,
        INVALID,
        T0 + 10 * S,
        ("nothing", d.BLUEPRINT_INVALID, "Stalled", C, None),
    ),
    Case(
        "permanent failure: not retried for the same commit",
        failed("permanent"),
        B,
        VALID,
        T0 + timedelta(days=1),
        ("nothing", d.APPLY_FAILED, "Stalled", B, None),
        message="bbbbbbb failed and is not retried until a newer commit: boom",
    ),
    Case(
        "permanent failure, a newer commit: apply",
        failed("permanent"),
        C,
        VALID,
        T0 + S,
        ("apply", d.NEW_COMMIT, "Reconciling", C, None),
    ),
    Case(
        "invalid blueprint recorded, same head: still stalled",
        StackState("dev", A, A, T0, LastError("permanent", B, "x", T0)),
        B,
        INVALID,
        T0 + 60 * S,
        ("nothing", d.BLUEPRINT_INVALID, "Stalled", B, None),
    ),
    Case(
        "invalid blueprint recorded, a fixed commit: apply",
        StackState("dev", A, A, T0, LastError("permanent", B, "x", T0)),
        C,
        VALID,
        T0 + S,
        ("apply", d.NEW_COMMIT, "Reconciling", C, None),
    ),
    Case(
        "an apply by a live process: nothing",
        StackState("dev", B, A, T0, in_progress=marker()),
        B,
        VALID,
        T0 + S,
        ("nothing", d.APPLY_IN_PROGRESS, "Reconciling", None, None),
        marker_alive=True,
        message="pid 4242 on host-1 is applying bbbbbbb since 2026-11-23T12:00:00+00:00",
    ),
    Case(
        "an interrupted apply, backoff over: retry the same commit",
        StackState("dev", B, A, T0, in_progress=marker()),
        B,
        VALID,
        T0 + 10 * S,
        ("apply", d.INTERRUPTED_APPLY, "Reconciling", B, None),
        recovering=True,
        message="the apply of bbbbbbb by pid 4242 was interrupted; applying bbbbbbb",
    ),
    Case(
        "an interrupted apply, within its backoff: retry later",
        StackState("dev", B, A, T0, attempts=1, in_progress=marker()),
        B,
        VALID,
        T0 + 5 * S,
        ("retry_later", d.INTERRUPTED_APPLY, "Reconciling", B, T0 + 20 * S),
        recovering=True,
    ),
    Case(
        "an interrupted apply, a newer valid head: apply the head",
        StackState("dev", B, A, T0, in_progress=marker()),
        C,
        VALID,
        T0 + 10 * S,
        ("apply", d.INTERRUPTED_APPLY, "Reconciling", C, None),
        recovering=True,
    ),
    Case(
        "an interrupted apply, a newer invalid head: finish the interrupted commit",
        StackState("dev", B, A, T0, in_progress=marker()),
        C,
        INVALID,
        T0 + 10 * S,
        ("apply", d.INTERRUPTED_APPLY, "Reconciling", B, None),
        recovering=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_decide(case: Case) -> None:
    alive = case.marker_alive
    decision = decide(
        case.state, case.head, case.validation, case.now, case.policy, marker_alive=alive
    )
    assert (
        decision.kind,
        decision.reason,
        decision.condition,
        decision.commit,
        decision.at,
    ) == case.expected
    assert decision.recovering is case.recovering
    if case.message:
        assert decision.message == case.message


def test_every_reason_is_covered_by_the_table() -> None:
    reasons = {case.expected[1] for case in CASES}
    constants = {
        value for name, value in vars(d).items() if name.isupper() and isinstance(value, str)
    }
    assert constants <= reasons


def test_decide_is_pure() -> None:
    state = failed("temporary", retry=T0 + 10 * S)
    first = decide(state, B, VALID, T0, POLICY)
    assert decide(state, B, VALID, T0, POLICY) == first
    assert isinstance(first, Decision)
