"""One pass of the pull-based reconciler: for each stack, look at the head, decide, act.

`reconcile_once` wires the pieces: stacks and affected paths from git (`revisions`,
`affected`), validation of the head blueprint (`load_blueprint_at`), the pure `decide`,
an injected `Applier`, and the state store. Every decision is logged as a JSON line with
its reason. Stacks are handled one after another in promotion order; the daemon
(`daemon.py`) runs one pass per stack in parallel threads instead.

The `Applier` protocol is defined here; `applier.AutomationApplier` implements it with the
Automation API in a child process.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from shipyard.gitops.affected import Stack, in_promotion_order
from shipyard.gitops.decide import (
    APPLY_FAILED,
    BACKING_OFF,
    BLUEPRINT_INVALID,
    Decision,
    HeadValidation,
    Policy,
    decide,
)
from shipyard.gitops.git_facts import GitFacts, GitFactsError, Revision
from shipyard.gitops.reconcile_state import (
    Condition,
    ErrorKind,
    InProgress,
    LastError,
    StackState,
    StackStateStore,
    StateError,
    is_interrupted,
    this_process,
    with_host,
)
from shipyard.gitops.revisions import affected_at, load_blueprint_at, stacks_at

LOGGER = logging.getLogger("shipyard.reconcile")
STACK_NOT_IN_HEAD = "StackNotInHead"
STATE_UNREADABLE = "StateUnreadable"
APPLIED = "Applied"
DRIFT_CHECKED = "DriftChecked"
SELF_HEAL = "SelfHeal"

Clock = Callable[[], datetime]
RUN_ID = uuid.uuid4().hex
"""This process's run id, written into in-progress markers."""


@dataclass(frozen=True)
class ApplyRequest:
    stack: str
    commit: str
    blueprint: str | None
    """The stack's blueprint path at `commit`, relative to the project root."""
    recovering: bool = False
    """The previous apply was interrupted: clear its pending operations and lock first."""
    refresh: bool = False
    """Refresh the state from the live resources first: after drift (self-heal) and after
    an interruption, so the result reflects the cluster and not a stale checkpoint."""
    lock_hosts: tuple[str, ...] = ()
    """Hosts of interrupted applies of this stack: a lock one of them holds is theirs, and
    may be cleared (leader election ensures their reconciler is gone)."""


class ApplyFailure(Exception):
    """An apply or drift check that failed, and whether trying again may help."""

    def __init__(self, kind: ErrorKind, message: str, *, interrupted: bool = False) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.interrupted = interrupted
        """The engine was ended mid-update (its process died or was killed), or an earlier
        interruption's leftovers are not cleared yet: the next apply must recover."""


class Applier(Protocol):
    def apply(self, request: ApplyRequest) -> None:
        """Bring the stack to `request.commit`; raise `ApplyFailure` when it fails.
        Any other exception counts as a temporary failure."""

    def check_drift(self, request: ApplyRequest) -> bool:
        """Whether the live resources differ from `request.commit` (a refresh preview)."""


@dataclass(frozen=True)
class StackResult:
    stack: str
    decision: Decision
    state: StackState
    """The state as saved after the pass."""


def reconcile_once(
    repo_facts: GitFacts,
    stacks: Iterable[str],
    state_store: StackStateStore,
    applier: Applier,
    clock: Clock,
    *,
    head: str = "HEAD",
    policy: Policy | None = None,
    run_id: str = RUN_ID,
    marker_alive: Callable[[InProgress], bool] | None = None,
    self_heal: bool = False,
    logger: logging.Logger = LOGGER,
) -> list[StackResult]:
    """Reconcile each of `stacks` to the commit `head` names. Raises `GitFactsError` when
    `head` does not resolve. With `self_heal`, drift found by a drift check is undone at once
    by an apply of the same commit with a refresh."""
    policy = policy or Policy()
    alive = marker_alive or (lambda marker: not is_interrupted(marker, run_id))
    mark = this_process(run_id)
    revision = repo_facts.resolve(head)
    head_stacks = stacks_at(repo_facts, revision)
    results = []
    with tempfile.TemporaryDirectory(prefix="shipyard-reconcile-") as scratch:
        for name in in_promotion_order(stacks):
            now = clock()
            try:
                state = state_store.load(name)
            except StateError as error:  # this stack waits for a human; the others go on
                decision = Decision("nothing", STATE_UNREADABLE, str(error), "Stalled")
                _log(logger, name, revision, decision, level=logging.ERROR)
                results.append(StackResult(name, decision, StackState(name)))
                continue
            stack = head_stacks.get(name)
            if stack is None:
                decision = Decision(
                    "nothing",
                    STACK_NOT_IN_HEAD,
                    f"stacks/Pulumi.{name}.yaml does not exist at {revision.short}",
                    "Stalled",
                )
                _log(logger, name, revision, decision)
                state = _settle(state_store, state, decision, now)
                results.append(StackResult(name, decision, state))
                continue
            validation = None
            if _changes_stack(repo_facts, state, revision, name):
                loaded = load_blueprint_at(repo_facts, Path(scratch), revision, stack)
                validation = HeadValidation(loaded.problems)
            marker = state.in_progress
            decision = decide(
                state,
                revision.sha,
                validation,
                now,
                policy,
                marker_alive=marker is not None and alive(marker),
            )
            _log(logger, name, revision, decision)
            state = _act(state_store, state, decision, stack, applier, clock, mark, policy, logger)
            if decision.kind == "drift_check" and self_heal and state.drift_found:
                decision = Decision(
                    "apply",
                    SELF_HEAL,
                    f"drift found in {(decision.commit or '')[:7]}; applying it again "
                    "with a refresh",
                    "Reconciling",
                    commit=state.last_successful_commit,
                )
                _log(logger, name, revision, decision, level=logging.WARNING)
                state = _apply(
                    state_store,
                    state,
                    decision,
                    stack,
                    applier,
                    clock,
                    mark,
                    policy,
                    logger,
                    refresh=True,
                )
            results.append(StackResult(name, decision, state))
    return results


def _changes_stack(facts: GitFacts, state: StackState, head: Revision, name: str) -> bool:
    """Whether the head may change the stack: it was never applied, an apply after the last
    success failed or was interrupted, or git says a path of the stack changed since."""
    if state.last_successful_commit is None or state.failed_attempt_pending:
        return True
    if state.last_successful_commit == head.sha:
        return False
    try:
        base = facts.resolve(state.last_successful_commit)
        affected, _, _, _ = affected_at(facts, base, head)
    except GitFactsError:  # history rewritten: the last applied commit is gone
        return True
    return any(item.stack.name == name for item in affected)


def _act(
    store: StackStateStore,
    state: StackState,
    decision: Decision,
    stack: Stack,
    applier: Applier,
    clock: Clock,
    mark: Callable[[str, datetime], InProgress],
    policy: Policy,
    logger: logging.Logger,
) -> StackState:
    now = clock()
    if decision.recovering and state.in_progress is not None:
        state = store.record_interruption(state, now, retry_at=decision.at)
    if decision.kind == "nothing" and decision.reason == BLUEPRINT_INVALID:
        assert decision.commit is not None
        error = state.last_error
        if error is None or error.kind != "permanent" or error.commit != decision.commit:
            error = LastError("permanent", decision.commit, decision.message, now)
        state = replace(state, last_error=error)
    elif decision.condition == "Ready" and not state.failed_attempt_pending:
        state = replace(state, last_error=None)  # e.g. an invalid blueprint since reverted
    if decision.kind == "apply":
        assert decision.commit is not None
        return _apply(store, state, decision, stack, applier, clock, mark, policy, logger)
    if decision.kind == "drift_check":
        assert decision.commit is not None
        return _check_drift(store, state, decision, stack, applier, clock, logger)
    return _settle(store, state, decision, now)


def _apply(
    store: StackStateStore,
    state: StackState,
    decision: Decision,
    stack: Stack,
    applier: Applier,
    clock: Clock,
    mark: Callable[[str, datetime], InProgress],
    policy: Policy,
    logger: logging.Logger,
    *,
    refresh: bool = False,
) -> StackState:
    commit = decision.commit or ""
    state = _with_condition(state, decision, clock())
    marker = mark(commit, clock())
    state = store.begin_apply(state, marker)
    request = ApplyRequest(
        stack.name,
        commit,
        stack.blueprint,
        recovering=decision.recovering,
        refresh=refresh or decision.recovering,
        lock_hosts=state.interrupted_on,
    )
    interrupted = False
    try:
        applier.apply(request)
    except ApplyFailure as failure:
        kind, message, interrupted = failure.kind, failure.message, failure.interrupted
    except Exception as error:  # an applier bug or an unexpected engine error
        kind, message = "temporary", f"{type(error).__name__}: {error}"
    else:
        done = clock()
        applied = Decision("nothing", APPLIED, f"{commit[:7]} applied", "Ready", commit=commit)
        state = replace(
            state,
            last_successful_commit=commit,
            last_success_at=done,
            last_error=None,
            attempts=0,
            next_retry_at=None,
            in_progress=None,
            interrupted=False,
            interrupted_on=(),
        )
        _log(logger, stack.name, None, applied)
        state = _with_condition(state, applied, done)
        store.save(state)
        return state
    done = clock()
    attempts = state.attempts + 1
    retry_at = done + policy.backoff.delay(attempts) if kind == "temporary" else None
    failed = Decision(
        "retry_later" if retry_at else "nothing",
        APPLY_FAILED if kind == "permanent" else BACKING_OFF,
        f"applying {commit[:7]} failed ({kind}): {message}",
        "Stalled" if kind == "permanent" else "Reconciling",
        commit=commit,
        at=retry_at,
    )
    _log(logger, stack.name, None, failed, level=logging.WARNING)
    state = replace(
        state,
        last_error=LastError(kind, commit, message, done),
        attempts=attempts,
        next_retry_at=retry_at,
        in_progress=None,
        interrupted=interrupted,
        interrupted_on=with_host(state.interrupted_on, marker.host) if interrupted else (),
    )
    state = _with_condition(state, failed, done)
    store.save(state)
    return state


def _check_drift(
    store: StackStateStore,
    state: StackState,
    decision: Decision,
    stack: Stack,
    applier: Applier,
    clock: Clock,
    logger: logging.Logger,
) -> StackState:
    commit = decision.commit or ""
    request = ApplyRequest(stack.name, commit, stack.blueprint)
    drift: bool | None
    try:
        drift = applier.check_drift(request)
        message = "drift found" if drift else "no drift"
    except Exception as error:
        drift, message = None, f"the drift check failed: {error}"
    done = clock()
    checked = Decision("nothing", DRIFT_CHECKED, f"{commit[:7]}: {message}", "Ready", commit=commit)
    _log(logger, stack.name, None, checked, level=logging.WARNING if drift else logging.INFO)
    state = replace(state, last_drift_check_at=done, drift_found=drift)
    state = _with_condition(state, checked, done)
    store.save(state)
    return state


def _settle(
    store: StackStateStore, state: StackState, decision: Decision, now: datetime
) -> StackState:
    """Record the decision's condition; the file is written only when something changed."""
    updated = _with_condition(state, decision, now)
    if updated != state:
        store.save(updated)
    return updated


def _with_condition(state: StackState, decision: Decision, now: datetime) -> StackState:
    """The condition keeps its time while status, reason and message stay the same."""
    old = state.condition
    if old is not None and (old.status, old.reason, old.message) == (
        decision.condition,
        decision.reason,
        decision.message,
    ):
        return state
    return replace(
        state, condition=Condition(decision.condition, decision.reason, decision.message, now)
    )


def _log(
    logger: logging.Logger,
    stack: str,
    head: Revision | None,
    decision: Decision,
    level: int = logging.INFO,
) -> None:
    fields: dict[str, object] = {
        "stack": stack,
        "decision": decision.kind,
        "reason": decision.reason,
        "condition": decision.condition,
        "commit": decision.commit,
    }
    if head is not None:
        fields["head"] = head.sha
    if decision.at is not None:
        fields["retry_at"] = decision.at.isoformat()
    if decision.recovering:
        fields["recovering"] = True
    logger.log(level, decision.message, extra={"fields": fields})
