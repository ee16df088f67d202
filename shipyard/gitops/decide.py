"""The reconcile decision: a pure function of recorded state, the head commit and its
validation, the time, and the policy. Nothing here reads git, files or the clock.

Rules, first match wins (decision; condition and reason):

1. A live apply by another process: nothing (Reconciling, `ApplyInProgress`).
2. An interrupted apply (its process is gone): once its backoff is over, apply its
   commit, or a newer valid head (Reconciling, `InterruptedApply`, `recovering`).
3. The head does not change the stack (`head_validation` is None) or is the last
   successful commit: a drift check when due (Ready, `DriftCheckDue`), else nothing
   (Ready, `UpToDate`).
4. The head's blueprint is invalid: nothing, recorded as a permanent failure of the head
   (Stalled, `BlueprintInvalid`); but an interrupted commit is finished first (rule 6).
5. The head failed permanently: nothing until a newer commit (Stalled, `ApplyFailed`).
6. The head failed temporarily: apply once `next_retry_at` has passed (Reconciling,
   `RetryingAfterFailure`), else retry later (Reconciling, `BackingOff`).
7. A new valid head: apply (Reconciling, `NewCommit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from shipyard.gitops.backoff import Backoff
from shipyard.gitops.reconcile_state import ConditionStatus, StackState

DecisionKind = Literal["apply", "retry_later", "drift_check", "nothing"]

DEFAULT_DRIFT_INTERVAL = timedelta(hours=6)

# Reasons, as the operator's condition reasons.
UP_TO_DATE = "UpToDate"
NEW_COMMIT = "NewCommit"
RETRYING_AFTER_FAILURE = "RetryingAfterFailure"
BACKING_OFF = "BackingOff"
BLUEPRINT_INVALID = "BlueprintInvalid"
APPLY_FAILED = "ApplyFailed"
INTERRUPTED_APPLY = "InterruptedApply"
APPLY_IN_PROGRESS = "ApplyInProgress"
DRIFT_CHECK_DUE = "DriftCheckDue"
NEVER_APPLIED = "NeverApplied"


@dataclass(frozen=True)
class HeadValidation:
    """The head blueprint's validation: no problems means valid."""

    problems: tuple[str, ...] = ()
    """`FILE:LINE:COL: field: message` lines, or why the blueprint could not be read."""

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Policy:
    backoff: Backoff = field(default_factory=Backoff)
    drift_interval: timedelta | None = DEFAULT_DRIFT_INTERVAL
    """A drift check is due this long after the last successful apply or check (default
    `DEFAULT_DRIFT_INTERVAL`, 6 h); None turns drift checks off."""


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    reason: str
    """One of the reason constants above."""
    message: str
    """What happened and why, in a sentence."""
    condition: ConditionStatus
    commit: str | None = None
    """The commit to apply or to check for drift."""
    at: datetime | None = None
    """For `retry_later`: when to try again."""
    recovering: bool = False
    """The apply follows an interrupted one (now, or retried after backoff): the applier must
    clear its leftovers first."""


def decide(
    state: StackState,
    head_commit: str,
    head_validation: HeadValidation | None,
    now: datetime,
    policy: Policy,
    *,
    marker_alive: bool = False,
) -> Decision:
    """What to do for one stack.

    `head_validation` is None when the head does not change this stack since its last
    successful commit (the caller skips validating it). `marker_alive` says whether the
    process of `state.in_progress` can still finish its apply."""
    marker = state.in_progress
    if marker is not None:
        if marker_alive:
            return Decision(
                "nothing",
                APPLY_IN_PROGRESS,
                f"pid {marker.pid} on {marker.host} is applying {_short(marker.commit)} "
                f"since {marker.started_at.isoformat()}",
                "Reconciling",
            )
        newer_valid = (
            head_commit != marker.commit and head_validation is not None and head_validation.valid
        )
        target = head_commit if newer_valid else marker.commit
        due = marker.started_at + policy.backoff.delay(state.attempts + 1)
        why = f"the apply of {_short(marker.commit)} by pid {marker.pid} was interrupted"
        if now < due:
            return Decision(
                "retry_later",
                INTERRUPTED_APPLY,
                f"{why}; retrying {_short(target)} at {due.isoformat()}",
                "Reconciling",
                commit=target,
                at=due,
                recovering=True,
            )
        return Decision(
            "apply",
            INTERRUPTED_APPLY,
            f"{why}; applying {_short(target)}",
            "Reconciling",
            commit=target,
            recovering=True,
        )

    if head_validation is None or head_commit == state.last_successful_commit:
        return _in_sync(state, head_commit, now, policy)

    error = state.last_error
    if not head_validation.valid:
        pending = state.last_attempted_commit
        if (
            state.interrupted
            and pending is not None
            and error is not None
            and (error.kind, error.commit) == ("temporary", pending)
        ):  # finish the interrupted commit, so the stack is not left half-applied
            return _retry(state, pending, error.message, now)
        return Decision(
            "nothing",
            BLUEPRINT_INVALID,
            f"{_short(head_commit)} is not applied: its blueprint is invalid:\n"
            + "\n".join(head_validation.problems),
            "Stalled",
            commit=head_commit,
        )

    if head_commit == state.last_attempted_commit and error is not None:
        if error.kind == "permanent":
            return Decision(
                "nothing",
                APPLY_FAILED,
                f"{_short(head_commit)} failed and is not retried until a newer commit: "
                f"{error.message}",
                "Stalled",
                commit=head_commit,
            )
        return _retry(state, head_commit, error.message, now)

    previous = state.last_successful_commit
    since = f" (last applied {_short(previous)})" if previous else " (never applied before)"
    return Decision(
        "apply",
        NEW_COMMIT,
        f"applying {_short(head_commit)}{since}",
        "Reconciling",
        head_commit,
        recovering=state.interrupted,
    )


def _retry(state: StackState, commit: str, error: str, now: datetime) -> Decision:
    """A commit that failed temporarily: again once `next_retry_at` has passed."""
    retry_at = state.next_retry_at or now
    if now < retry_at:
        return Decision(
            "retry_later",
            BACKING_OFF,
            f"{_short(commit)} failed {state.attempts} time(s) ({error}); "
            f"retrying at {retry_at.isoformat()}",
            "Reconciling",
            commit=commit,
            at=retry_at,
        )
    return Decision(
        "apply",
        RETRYING_AFTER_FAILURE,
        f"retrying {_short(commit)} after {state.attempts} failure(s): {error}",
        "Reconciling",
        commit=commit,
        recovering=state.interrupted,
    )


def _in_sync(state: StackState, head_commit: str, now: datetime, policy: Policy) -> Decision:
    """The head does not change the stack: check for drift when due."""
    applied = state.last_successful_commit
    if applied is None:
        return Decision(
            "nothing",
            NEVER_APPLIED,
            f"the stack was never applied and {_short(head_commit)} does not change it",
            "Reconciling",
        )
    if policy.drift_interval is not None:
        times = [t for t in (state.last_success_at, state.last_drift_check_at) if t is not None]
        last = max(times, default=None)
        due = now if last is None else last + policy.drift_interval
        if now >= due:
            return Decision(
                "drift_check",
                DRIFT_CHECK_DUE,
                f"checking {_short(applied)} for drift (last apply or check: "
                f"{last.isoformat() if last else 'never'})",
                "Ready",
                commit=applied,
            )
        return Decision(
            "nothing",
            UP_TO_DATE,
            f"{_short(applied)} is applied; next drift check at {due.isoformat()}",
            "Ready",
            commit=applied,
        )
    return Decision("nothing", UP_TO_DATE, f"{_short(applied)} is applied", "Ready", applied)


def _short(commit: str) -> str:
    return commit[:7]
