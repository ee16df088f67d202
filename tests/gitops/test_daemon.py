"""The reconcile loop on a real bare remote and clone, with a recording applier, an
injected clock and a fake leader gate: fetches, parallel stacks, webhooks, status."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest

from shipyard.gitops.daemon import Daemon, DaemonSettings
from shipyard.gitops.decide import Policy
from shipyard.gitops.reconcile_state import StateStore
from shipyard.gitops.reconciler import SELF_HEAL, ApplyFailure, ApplyRequest
from shipyard.gitops.webhook import sign

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_TEXT = (PROJECT_ROOT / "blueprints" / "dev.yaml").read_text(encoding="utf-8")
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = b"s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class RecordingApplier:
    applied: list[ApplyRequest] = field(default_factory=list)
    checked: list[ApplyRequest] = field(default_factory=list)
    hold: threading.Event | None = None
    """When set up, applies block until it is set: a long apply."""
    entered: threading.Event = field(default_factory=threading.Event)
    drift: bool = False
    failures: list[BaseException] = field(default_factory=list)

    def apply(self, request: ApplyRequest) -> None:
        self.applied.append(request)
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(10)
        if self.failures:
            raise self.failures.pop(0)

    def check_drift(self, request: ApplyRequest) -> bool:
        self.checked.append(request)
        return self.drift


@dataclass
class Remote:
    bare: Path
    clone: git.Repo

    def push(self, files: dict[str, str], message: str = "change") -> str:
        root = Path(str(self.clone.working_tree_dir))
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            self.clone.index.add([path])
        sha = str(self.clone.index.commit(message).hexsha)
        self.clone.remote("origin").push("main").raise_if_error()
        return sha


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    with clone.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    made = Remote(bare, clone)
    made.push(
        {
            "Pulumi.yaml": "name: shipyard\nruntime: python\n",
            "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
            "stacks/Pulumi.prod.yaml": "config:\n  shipyard:blueprint: blueprints/prod.yaml\n",
            "blueprints/dev.yaml": DEV_TEXT,
            "blueprints/prod.yaml": DEV_TEXT,
        },
        "initial",
    )
    return made


@dataclass
class Loop:
    daemon: Daemon
    applier: RecordingApplier
    remote: Remote
    leader: list[bool]

    def pass_(self) -> None:
        self.daemon.reconcile_pass()
        self.daemon.wait_idle(10)

    def applies(self) -> list[tuple[str, str]]:
        return sorted((r.stack, r.commit[:7]) for r in self.applier.applied)


def make_loop(remote: Remote, tmp_path: Path, **settings: object) -> Loop:
    applier = RecordingApplier()
    leader = [True]
    daemon = Daemon(
        DaemonSettings(
            repo_url=str(remote.bare),
            branch="main",
            workdir=tmp_path / "work",
            policy=Policy(drift_interval=timedelta(hours=1)),
            **settings,  # type: ignore[arg-type]
        ),
        StateStore(tmp_path / "state"),
        applier,
        clock=Clock(),
        gate=lambda: leader[0],
        webhook_secret=SECRET,
        run_id="test-run",
    )
    return Loop(daemon, applier, remote, leader)


@pytest.fixture
def loop(remote: Remote, tmp_path: Path) -> Iterator[Loop]:
    made = make_loop(remote, tmp_path)
    yield made
    made.daemon.stop()


def head(remote: Remote) -> str:
    return str(remote.clone.head.commit.hexsha)


def test_a_pass_fetches_the_branch_and_applies_every_stack(loop: Loop) -> None:
    loop.pass_()
    c1 = head(loop.remote)[:7]
    assert loop.applies() == [("dev", c1), ("prod", c1)]
    assert loop.daemon.settings.mirror.joinpath("HEAD").is_file()
    loop.pass_()
    assert len(loop.applier.applied) == 2  # nothing changed

    c2 = loop.remote.push({"blueprints/prod.yaml": DEV_TEXT + "# prod only\n"})
    loop.pass_()
    last = loop.applier.applied[-1]
    assert (last.stack, last.commit) == ("prod", c2)
    assert [r.stack for r in loop.applier.applied].count("dev") == 1


def test_only_the_configured_stacks_are_reconciled(remote: Remote, tmp_path: Path) -> None:
    made = make_loop(remote, tmp_path, stacks=("dev",))
    made.pass_()
    made.daemon.stop()
    assert [r.stack for r in made.applier.applied] == ["dev"]
    assert set(made.daemon.status()["stacks"]) == {"dev"}


def test_a_busy_stack_is_not_applied_twice_and_goes_again_when_free(loop: Loop) -> None:
    loop.applier.hold = threading.Event()
    loop.daemon.reconcile_pass()
    assert loop.applier.entered.wait(5)
    c2 = loop.remote.push(
        {"blueprints/dev.yaml": DEV_TEXT.replace("replicas: 1\n", "replicas: 2\n", 1)}
    )
    second = loop.daemon.reconcile_pass()  # both stacks are still busy
    assert second == []
    assert loop.daemon._wake.is_set() is False
    loop.applier.hold.set()
    loop.daemon.wait_idle(10)
    assert loop.daemon._wake.is_set()  # the missed stacks ask for another pass
    loop.applier.hold = None
    loop.pass_()
    assert ("dev", c2[:7]) in loop.applies()


def test_stacks_run_in_parallel_up_to_the_limit(loop: Loop) -> None:
    loop.applier.hold = threading.Event()
    barrier = threading.Barrier(3, timeout=5)
    original = loop.applier.apply

    def apply(request: ApplyRequest) -> None:
        barrier.wait()  # both stacks (max_parallel 2) must be inside at once
        original(request)

    loop.applier.apply = apply  # type: ignore[method-assign]
    loop.daemon.reconcile_pass()
    barrier.wait()
    loop.applier.hold.set()
    loop.daemon.wait_idle(10)
    assert sorted(r.stack for r in loop.applier.applied) == ["dev", "prod"]


def test_nothing_is_reconciled_while_not_the_leader(loop: Loop) -> None:
    loop.leader[0] = False
    loop.pass_()
    assert loop.applier.applied == []
    assert b"shipyard_reconciler_leader 0.0" in loop.daemon.metrics.render()
    loop.leader[0] = True
    loop.pass_()
    assert len(loop.applier.applied) == 2
    assert b"shipyard_reconciler_leader 1.0" in loop.daemon.metrics.render()


def test_a_fetch_failure_is_counted_and_applies_nothing(remote: Remote, tmp_path: Path) -> None:
    made = make_loop(remote, tmp_path)
    made.daemon.settings = DaemonSettings(  # type: ignore[misc]
        repo_url=str(tmp_path / "missing.git"), branch="main", workdir=tmp_path / "work"
    )
    made.pass_()
    made.daemon.stop()
    assert made.applier.applied == []
    assert b"shipyard_reconciler_git_fetch_errors_total 1.0" in made.daemon.metrics.render()


def test_an_unreachable_source_is_reported_then_fails_readiness_and_clears(
    loop: Loop, tmp_path: Path
) -> None:
    daemon, clock = loop.daemon, loop.daemon.clock
    assert isinstance(clock, Clock)
    daemon.ready = True
    loop.pass_()
    applied = list(loop.applier.applied)
    c1 = head(loop.remote)
    assert daemon.status()["source"]["available"] is True
    gone = loop.remote.bare.with_name("gone.git")
    loop.remote.bare.rename(gone)
    for failures in (1, 2, 3):
        clock.now += timedelta(seconds=15)
        loop.pass_()
        source = daemon.status()["source"]
        assert (source["available"], source["reason"], source["failed_fetches"]) == (
            False,
            "SourceUnavailable",
            failures,
        )
        assert daemon.readiness() == (True, "ready")  # below the threshold
    assert source["since"] == (T0 + timedelta(seconds=15)).isoformat()
    assert str(loop.remote.bare) in source["message"]
    assert source["head"] == c1 and source["last_fetch_at"] == T0.isoformat()
    clock.now += timedelta(seconds=15)
    loop.pass_()
    ready, why = daemon.readiness()
    assert not ready
    assert why.startswith(
        "the git source is unavailable: 4 fetches in a row failed since "
        "2026-11-23T12:00:15+00:00 (last good fetch: 2026-11-23T12:00:00+00:00): fetching "
        "main from"
    )
    assert daemon.healthy()  # the loop runs: a restart would not bring the remote back
    assert b"shipyard_reconciler_source_available 0.0" in daemon.metrics.render()
    # The last good state stays: nothing applied, dev still Ready at c1.
    assert loop.applier.applied == applied
    dev = daemon.status()["stacks"]["dev"]
    assert (dev["last_successful_commit"], dev["condition"]["status"]) == (c1, "Ready")

    gone.rename(loop.remote.bare)
    clock.now += timedelta(seconds=15)
    loop.pass_()
    assert daemon.readiness() == (True, "ready")
    source = daemon.status()["source"]
    assert (source["available"], source["reason"], source["failed_fetches"]) == (
        True,
        "Fetched",
        0,
    )
    assert source["since"] == (T0 + timedelta(seconds=75)).isoformat()
    assert b"shipyard_reconciler_source_available 1.0" in daemon.metrics.render()


def test_a_force_push_is_logged_as_a_history_rewrite(loop: Loop) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    loop.daemon.logger.addHandler(handler)
    try:
        loop.pass_()
        c1 = head(loop.remote)
        c2 = loop.remote.push({"README.md": "one\n"})
        loop.pass_()
        assert not [
            r for r in records if getattr(r, "fields", {}).get("reason") == "HistoryRewritten"
        ]
        loop.remote.clone.head.reset(c1, index=True, working_tree=True)
        loop.remote.clone.remote("origin").push("main", force=True).raise_if_error()
        loop.pass_()
    finally:
        loop.daemon.logger.removeHandler(handler)
    [rewrite] = [r for r in records if getattr(r, "fields", {}).get("reason") == "HistoryRewritten"]
    assert rewrite.getMessage() == (
        f"the history of main was rewritten: {c1[:7]} does not descend from {c2[:7]} "
        f"(a force push); reconciling to {c1[:7]}"
    )


def push_body(ref: str = "refs/heads/main") -> bytes:
    return json.dumps({"ref": ref, "after": "a" * 40}).encode()


def guid(n: int) -> str:
    """A delivery id in GitHub's format."""
    return f"72d3162e-cc78-11e3-81ab-{n:012x}"


def headers(body: bytes, delivery: str, event: str = "push") -> dict[str, str]:
    return {
        "X-Hub-Signature-256": sign(SECRET, body),
        "X-GitHub-Delivery": delivery,
        "X-GitHub-Event": event,
    }


def test_a_signed_push_to_the_branch_triggers_a_pass(loop: Loop) -> None:
    body = push_body()
    assert loop.daemon.handle_webhook(body, headers(body, guid(1))) == (202, "reconcile triggered")
    assert loop.daemon._wake.is_set()


def test_webhooks_that_do_not_trigger(loop: Loop) -> None:
    daemon = loop.daemon
    body = push_body()
    daemon.handle_webhook(body, headers(body, guid(1)))
    daemon._wake.clear()
    assert daemon.handle_webhook(body, headers(body, guid(1))) == (
        409,
        f"delivery {guid(1)} was already accepted",
    )
    bad = dict(headers(body, guid(2)), **{"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert daemon.handle_webhook(body, bad)[0] == 401
    other = push_body("refs/heads/feature")
    assert daemon.handle_webhook(other, headers(other, guid(3))) == (
        202,
        "a push to refs/heads/feature is ignored; watching refs/heads/main",
    )
    assert daemon.handle_webhook(b"{}", headers(b"{}", guid(4), "ping")) == (200, "pong")
    assert not daemon._wake.is_set()
    metrics = daemon.metrics.render().decode()
    for outcome, count in (("accepted", 2), ("replayed", 1), ("bad-signature", 1), ("ignored", 1)):
        assert f'shipyard_reconciler_webhooks_total{{outcome="{outcome}"}} {count}.0' in metrics
    daemon.webhook_secret = None
    assert daemon.handle_webhook(body, headers(body, guid(5)))[0] == 404


def test_headers_alone_refuse_a_delivery_before_its_body(loop: Loop) -> None:
    daemon = loop.daemon
    body = push_body()
    assert daemon.refuse_webhook(headers(body, guid(1))) is None
    assert daemon.refuse_webhook(headers(body, "d-1")) == (
        400,
        "`X-GitHub-Delivery` is not a GitHub delivery id (a GUID)",
    )
    unsigned = {"X-GitHub-Delivery": guid(1), "X-GitHub-Event": "push"}
    assert daemon.refuse_webhook(unsigned) == (401, "no `X-Hub-Signature-256` header")
    daemon.webhook_secret = None
    assert daemon.refuse_webhook(headers(body, guid(1)))[0] == 404  # type: ignore[index]
    metrics = daemon.metrics.render().decode()
    for outcome in ("bad-delivery-id", "unsigned", "disabled"):
        assert f'shipyard_reconciler_webhooks_total{{outcome="{outcome}"}} 1.0' in metrics


def test_pushes_faster_than_the_trigger_rate_are_answered_429(loop: Loop) -> None:
    daemon = loop.daemon
    body = push_body()
    answers = [daemon.handle_webhook(body, headers(body, guid(n)))[0] for n in range(7)]
    assert answers == [202] * 5 + [429] * 2  # a burst of five, then one per 10 s
    assert isinstance(daemon.clock, Clock)
    daemon.clock.now += timedelta(seconds=10)
    assert daemon.handle_webhook(body, headers(body, guid(7)))[0] == 202
    assert daemon.handle_webhook(body, headers(body, guid(8))) == (
        429,
        "too many pushes in a short time; the next poll (every 15s) picks this one up",
    )
    metrics = daemon.metrics.render().decode()
    assert 'shipyard_reconciler_webhooks_total{outcome="rate-limited"} 3.0' in metrics


def test_status_and_metrics_show_an_invalid_blueprint(loop: Loop) -> None:
    loop.pass_()
    bad = loop.remote.push(
        {"blueprints/dev.yaml": DEV_TEXT.replace("replicas: 1\n", "replicas: lots\n", 1)}
    )
    loop.pass_()
    dev = loop.daemon.status()["stacks"]["dev"]
    assert dev["condition"]["status"] == "Stalled"
    assert dev["last_error"]["commit"] == bad
    assert "blueprints/dev.yaml:30:7: spec.models[0].replicas:" in dev["last_error"]["message"]
    metrics = loop.daemon.metrics.render().decode()
    assert 'shipyard_reconciler_stack_condition{stack="dev",status="Stalled"} 1.0' in metrics
    assert 'shipyard_reconciler_applies_total{result="succeeded",stack="dev"} 1.0' in metrics
    # T0 as Unix time, in the exposition format's float notation.
    assert (
        'shipyard_reconciler_last_successful_apply_timestamp_seconds{stack="dev"} 1.7954352e+09'
        in metrics
    )


def test_self_heal_applies_again_with_a_refresh(remote: Remote, tmp_path: Path) -> None:
    made = make_loop(remote, tmp_path, stacks=("dev",), self_heal=True)
    made.pass_()
    made.applier.drift = True
    assert isinstance(made.daemon.clock, Clock)
    made.daemon.clock.now = T0 + timedelta(hours=1)
    made.pass_()
    made.daemon.stop()
    assert [(r.refresh, r.commit) for r in made.applier.applied] == [
        (False, head(remote)),
        (True, head(remote)),
    ]
    state = made.daemon.store.load("dev")
    assert state.condition is not None and state.condition.reason == "Applied"
    assert state.drift_found is True
    assert SELF_HEAL == "SelfHeal"


def test_a_failed_apply_is_counted_by_its_kind(loop: Loop) -> None:
    loop.applier.failures = [ApplyFailure("permanent", "policy violated")]
    loop.daemon.settings = DaemonSettings(  # type: ignore[misc]
        repo_url=str(loop.remote.bare),
        branch="main",
        workdir=loop.daemon.settings.workdir,
        stacks=("dev",),
    )
    loop.pass_()
    metrics = loop.daemon.metrics.render().decode()
    assert (
        'shipyard_reconciler_applies_total{result="permanent_failure",stack="dev"} 1.0' in metrics
    )
