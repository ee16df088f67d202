"""`reconcile_once` on a real git repository, with an injected clock and a recording
applier (a test double: the Automation API applier is not built yet)."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest

from shipyard.gitops import decide as d
from shipyard.gitops.decide import Policy
from shipyard.gitops.git_facts import GitFacts
from shipyard.gitops.json_logging import JsonFormatter, json_handler
from shipyard.gitops.reconcile_state import StateStore
from shipyard.gitops.reconciler import (
    APPLIED,
    DRIFT_CHECKED,
    STACK_NOT_IN_HEAD,
    STATE_UNREADABLE,
    ApplyFailure,
    ApplyRequest,
    StackResult,
    reconcile_once,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_BLUEPRINT = PROJECT_ROOT / "blueprints" / "dev.yaml"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)
DEV_REPLICAS = "      replicas: 1\n      maxModelLen"
INVALID_ERROR = "blueprints/dev.yaml:30:7: spec.models[0].replicas: Input should be a valid integer"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class RecordingApplier:
    applied: list[ApplyRequest] = field(default_factory=list)
    checked: list[ApplyRequest] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    """Raised by the next applies, in order."""
    drift: bool = False

    def apply(self, request: ApplyRequest) -> None:
        self.applied.append(request)
        if self.failures:
            raise self.failures.pop(0)

    def check_drift(self, request: ApplyRequest) -> bool:
        self.checked.append(request)
        return self.drift


@dataclass
class Repo:
    root: Path
    repo: git.Repo

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        for path, text in files.items():
            (self.root / path).parent.mkdir(parents=True, exist_ok=True)
            (self.root / path).write_text(text, encoding="utf-8")
            self.repo.index.add([path])
        return str(self.repo.index.commit(message).hexsha)

    def dev_blueprint(self, replicas: str) -> dict[str, str]:
        text = DEV_BLUEPRINT.read_text(encoding="utf-8")
        assert DEV_REPLICAS in text
        return {
            "blueprints/dev.yaml": text.replace(
                DEV_REPLICAS, f"      replicas: {replicas}\n      maxModelLen"
            )
        }


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    handle = git.Repo.init(root, initial_branch="main")
    with handle.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    made = Repo(root, handle)
    made.commit(
        {
            "Pulumi.yaml": "name: shipyard\nruntime: python\n",
            "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
            # A second stack with its own blueprint (dev's text, so it is valid here).
            "stacks/Pulumi.prod.yaml": "config:\n  shipyard:blueprint: blueprints/prod.yaml\n",
            "blueprints/dev.yaml": DEV_BLUEPRINT.read_text(encoding="utf-8"),
            "blueprints/prod.yaml": DEV_BLUEPRINT.read_text(encoding="utf-8"),
        },
        "initial",
    )
    return made


@dataclass
class Harness:
    repo: Repo
    store: StateStore
    applier: RecordingApplier
    clock: Clock
    log: io.StringIO

    def run(self, stacks: tuple[str, ...] = ("dev",), run_id: str = "run-1") -> list[StackResult]:
        logger = logging.getLogger(f"test.reconcile.{id(self)}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        if not logger.handlers:
            logger.addHandler(json_handler(self.log))
        return reconcile_once(
            GitFacts(self.repo.root),
            stacks,
            self.store,
            self.applier,
            self.clock,
            policy=Policy(drift_interval=timedelta(hours=1)),
            run_id=run_id,
            logger=logger,
        )

    def applies(self) -> list[tuple[str, str]]:
        return [(r.stack, r.commit[:7]) for r in self.applier.applied]

    def log_lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.log.getvalue().splitlines()]


@pytest.fixture
def harness(repo: Repo, tmp_path: Path) -> Iterator[Harness]:
    yield Harness(repo, StateStore(tmp_path / "state"), RecordingApplier(), Clock(), io.StringIO())


def head(repo: Repo) -> str:
    return str(repo.repo.head.commit.hexsha)


def test_a_first_pass_applies_every_stack_then_nothing(harness: Harness) -> None:
    first = harness.run(("prod", "dev"))
    c1 = head(harness.repo)[:7]
    assert harness.applies() == [("dev", c1), ("prod", c1)]  # promotion order
    assert [r.decision.reason for r in first] == [d.NEW_COMMIT, d.NEW_COMMIT]
    assert harness.applier.applied[0].blueprint == "blueprints/dev.yaml"
    harness.clock.advance(S)
    second = harness.run(("dev", "prod"))
    assert len(harness.applier.applied) == 2
    assert [r.decision.reason for r in second] == [d.UP_TO_DATE, d.UP_TO_DATE]
    state = harness.store.load("dev")
    assert (state.last_successful_commit, state.last_success_at) == (head(harness.repo), T0)
    assert state.condition is not None and state.condition.reason == d.UP_TO_DATE


def test_a_commit_changing_devs_replicas_applies_dev_once(harness: Harness) -> None:
    harness.run(("dev", "prod"))
    c2 = harness.repo.commit(harness.repo.dev_blueprint("2"))
    harness.applier.applied.clear()
    harness.clock.advance(15 * S)
    results = harness.run(("dev", "prod"))
    assert harness.applies() == [("dev", c2[:7])]
    assert [(r.stack, r.decision.kind, r.decision.reason) for r in results] == [
        ("dev", "apply", d.NEW_COMMIT),
        ("prod", "nothing", d.UP_TO_DATE),
    ]
    dev = harness.store.load("dev")
    assert (dev.last_attempted_commit, dev.last_successful_commit) == (c2, c2)
    assert dev.condition is not None and (dev.condition.status, dev.condition.reason) == (
        "Ready",
        APPLIED,
    )


def test_an_invalid_blueprint_is_never_applied_until_fixed(harness: Harness) -> None:
    harness.run()
    c1 = head(harness.repo)
    bad = harness.repo.commit(harness.repo.dev_blueprint("lots"))
    harness.applier.applied.clear()
    [result] = harness.run()
    assert harness.applier.applied == []
    assert (result.decision.kind, result.decision.reason) == ("nothing", d.BLUEPRINT_INVALID)
    state = harness.store.load("dev")
    assert state.last_successful_commit == c1
    assert state.last_error is not None
    assert (state.last_error.kind, state.last_error.commit) == ("permanent", bad)
    assert INVALID_ERROR in state.last_error.message
    assert state.condition is not None and state.condition.status == "Stalled"
    assert INVALID_ERROR in state.condition.message

    # Polling again changes nothing, and writes nothing.
    before = (harness.store.directory / "dev.json").read_text()
    harness.clock.advance(15 * S)
    harness.run()
    assert harness.applier.applied == []
    assert (harness.store.directory / "dev.json").read_text() == before

    # A commit that does not fix it is still refused; the fix is applied.
    harness.repo.commit({"README.md": "docs\n"})
    harness.run()
    assert harness.applier.applied == []
    fixed = harness.repo.commit(harness.repo.dev_blueprint("2"))
    [result] = harness.run()
    assert harness.applies() == [("dev", fixed[:7])]
    state = harness.store.load("dev")
    assert (state.last_successful_commit, state.last_error) == (fixed, None)


def test_a_commit_to_another_stacks_blueprint_does_not_apply_dev(harness: Harness) -> None:
    harness.run(("dev", "prod"))
    prod = DEV_BLUEPRINT.read_text(encoding="utf-8").replace("replicas: 1\n", "replicas: 2\n", 1)
    other = harness.repo.commit({"blueprints/prod.yaml": prod})
    harness.applier.applied.clear()
    results = harness.run(("dev", "prod"))
    assert harness.applies() == [("prod", other[:7])]
    assert results[0].decision.reason == d.UP_TO_DATE
    # dev keeps its last successful commit: the newer one did not change it.
    assert harness.store.load("dev").last_successful_commit != other


def test_a_temporary_failure_is_retried_at_the_backoff_time(harness: Harness) -> None:
    harness.applier.failures = [
        ApplyFailure("temporary", "the API server is unreachable"),
        RuntimeError("engine crashed"),
    ]
    harness.run()
    c1 = head(harness.repo)
    state = harness.store.load("dev")
    assert (state.attempts, state.next_retry_at, state.in_progress) == (1, T0 + 15 * S, None)
    assert state.last_error is not None
    assert (state.last_error.kind, state.last_error.message) == (
        "temporary",
        "the API server is unreachable",
    )
    assert state.last_successful_commit is None and state.last_attempted_commit == c1

    harness.clock.advance(14 * S)
    [waiting] = harness.run()
    assert (waiting.decision.kind, waiting.decision.at) == ("retry_later", T0 + 15 * S)
    assert len(harness.applier.applied) == 1

    harness.clock.advance(1 * S)  # T0 + 15 s: the retry, which fails again (unexpectedly)
    [retry] = harness.run()
    assert retry.decision.reason == d.RETRYING_AFTER_FAILURE
    state = harness.store.load("dev")
    assert (state.attempts, state.next_retry_at) == (2, T0 + 15 * S + 30 * S)
    assert state.last_error is not None
    assert state.last_error.message == "RuntimeError: engine crashed"

    harness.clock.advance(30 * S)
    harness.run()
    assert len(harness.applier.applied) == 3
    state = harness.store.load("dev")
    assert (state.last_successful_commit, state.attempts, state.last_error) == (c1, 0, None)


def test_a_permanent_failure_is_not_retried_for_the_same_commit(harness: Harness) -> None:
    harness.applier.failures = [ApplyFailure("permanent", "policy `no-latest-tag` violated")]
    harness.run()
    harness.clock.advance(timedelta(days=1))
    [result] = harness.run()
    assert len(harness.applier.applied) == 1
    assert (result.decision.reason, result.decision.condition) == (d.APPLY_FAILED, "Stalled")
    newer = harness.repo.commit(harness.repo.dev_blueprint("2"))
    harness.run()
    assert harness.applies()[-1] == ("dev", newer[:7])


def test_an_apply_killed_midway_is_retried_after_a_restart(harness: Harness) -> None:
    harness.applier.failures = [SystemExit("killed")]  # the process dies inside the apply
    with pytest.raises(SystemExit):
        harness.run(run_id="before-restart")
    c1 = head(harness.repo)
    marker = harness.store.load("dev").in_progress
    assert marker is not None and (marker.commit, marker.run_id) == (c1, "before-restart")

    # The restarted process (a new run id, the same pid as a container's PID 1 would be).
    harness.clock.advance(5 * S)
    [waiting] = harness.run(run_id="after-restart")
    assert (waiting.decision.kind, waiting.decision.reason) == ("retry_later", d.INTERRUPTED_APPLY)
    assert waiting.decision.at == T0 + 15 * S
    state = harness.store.load("dev")
    assert (state.in_progress, state.attempts, state.next_retry_at) == (None, 1, T0 + 15 * S)
    assert state.last_error is not None and "was interrupted" in state.last_error.message

    harness.clock.advance(10 * S)
    [retried] = harness.run(run_id="after-restart")
    assert (retried.decision.reason, retried.decision.recovering) == (
        d.RETRYING_AFTER_FAILURE,
        True,
    )
    assert harness.applies() == [("dev", c1[:7]), ("dev", c1[:7])]
    assert [r.recovering for r in harness.applier.applied] == [False, True]
    assert [r.refresh for r in harness.applier.applied] == [False, True]
    assert harness.applier.applied[1].lock_hosts == (socket.gethostname(),)
    state = harness.store.load("dev")
    assert (state.last_successful_commit, state.in_progress, state.interrupted) == (c1, None, False)
    assert state.interrupted_on == ()


def test_a_worker_that_died_is_an_interruption_recovered_with_a_refresh(
    harness: Harness,
) -> None:
    harness.applier.failures = [
        ApplyFailure("temporary", "the engine process was killed by signal 9", interrupted=True),
        ApplyFailure("temporary", "the stack is locked by another update", interrupted=True),
    ]
    harness.run()
    c1 = head(harness.repo)
    state = harness.store.load("dev")
    assert (state.interrupted, state.interrupted_on, state.attempts) == (
        True,
        (socket.gethostname(),),
        1,
    )
    # A restart (a new run id) changes nothing: the state file says what to do.
    for delay in (15, 30):
        harness.clock.advance(delay * S)
        [retried] = harness.run(run_id="after-restart")
        assert (retried.decision.reason, retried.decision.recovering) == (
            d.RETRYING_AFTER_FAILURE,
            True,
        )
    requests = harness.applier.applied
    assert [(r.recovering, r.refresh) for r in requests] == [
        (False, False),
        (True, True),
        (True, True),
    ]
    assert requests[2].lock_hosts == (socket.gethostname(),)
    state = harness.store.load("dev")
    assert (state.last_successful_commit, state.interrupted, state.interrupted_on) == (
        c1,
        False,
        (),
    )
    assert state.condition is not None and state.condition.status == "Ready"


def test_a_failure_after_the_recovery_ends_the_interruption(harness: Harness) -> None:
    harness.applier.failures = [
        ApplyFailure("temporary", "killed", interrupted=True),
        ApplyFailure("temporary", "the API server is unreachable"),
    ]
    harness.run()
    harness.clock.advance(15 * S)
    harness.run()
    state = harness.store.load("dev")
    assert (state.interrupted, state.interrupted_on, state.attempts) == (False, (), 2)
    harness.clock.advance(30 * S)
    harness.run()
    assert [r.recovering for r in harness.applier.applied] == [False, True, False]


def test_a_stale_marker_past_its_backoff_is_recovered_at_once(harness: Harness) -> None:
    harness.applier.failures = [SystemExit("killed")]
    with pytest.raises(SystemExit):
        harness.run(run_id="before-restart")
    harness.clock.advance(timedelta(minutes=5))
    [result] = harness.run(run_id="after-restart")
    assert (result.decision.kind, result.decision.reason) == ("apply", d.INTERRUPTED_APPLY)
    assert [r.recovering for r in harness.applier.applied] == [False, True]
    assert harness.store.load("dev").last_successful_commit == head(harness.repo)


def test_drift_is_checked_an_interval_after_the_apply(harness: Harness) -> None:
    harness.run()
    harness.clock.advance(timedelta(minutes=59))
    harness.run()
    assert harness.applier.checked == []
    harness.clock.advance(timedelta(minutes=1))
    harness.applier.drift = True
    [result] = harness.run()
    assert (result.decision.kind, result.decision.reason) == ("drift_check", d.DRIFT_CHECK_DUE)
    assert [r.commit for r in harness.applier.checked] == [head(harness.repo)]
    state = harness.store.load("dev")
    assert (state.drift_found, state.last_drift_check_at) == (True, T0 + timedelta(hours=1))
    assert state.condition is not None and state.condition.reason == DRIFT_CHECKED


def test_a_stack_missing_at_the_head_is_stalled(harness: Harness) -> None:
    [result] = harness.run(("qa",))
    assert (result.decision.reason, result.decision.condition) == (STACK_NOT_IN_HEAD, "Stalled")
    assert "stacks/Pulumi.qa.yaml does not exist at" in result.decision.message


def test_every_decision_is_a_json_log_line_with_its_reason(harness: Harness) -> None:
    harness.applier.failures = [ApplyFailure("temporary", "timeout")]
    harness.run()
    lines = harness.log_lines()
    assert [(line["stack"], line["decision"], line["reason"]) for line in lines] == [
        ("dev", "apply", d.NEW_COMMIT),
        ("dev", "retry_later", d.BACKING_OFF),
    ]
    assert lines[0]["head"] == head(harness.repo)
    assert lines[1]["level"] == "warning"
    assert lines[1]["retry_at"] == (T0 + 15 * S).isoformat()
    assert lines[1]["message"].endswith("failed (temporary): timeout")  # type: ignore[union-attr]


def test_the_json_formatter_sorts_keys_and_keeps_exceptions() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, "f", 1, "went %s", ("wrong",), info)
    record.fields = {"stack": "dev"}
    line = json.loads(JsonFormatter().format(record))
    assert (line["message"], line["level"], line["stack"]) == ("went wrong", "error", "dev")
    assert "ValueError: bad" in line["exception"]


def test_an_unreadable_state_file_stalls_only_its_stack(harness: Harness) -> None:
    harness.store.directory.mkdir(parents=True, exist_ok=True)
    (harness.store.directory / "dev.json").write_text("{half a file")
    results = harness.run(("dev", "prod"))
    assert [(r.stack, r.decision.reason) for r in results] == [
        ("dev", STATE_UNREADABLE),
        ("prod", d.NEW_COMMIT),
    ]
    assert "dev.json: cannot read the reconciler state" in results[0].decision.message
    assert harness.applies() == [("prod", head(harness.repo)[:7])]
    assert (harness.store.directory / "dev.json").read_text() == "{half a file"
