"""`shipyard reconcile`'s loop: fetch the branch, reconcile each stack, wait, again.

A pass fetches the watched branch into a bare mirror (`<workdir>/mirror.git`), then hands
every stack that is not busy to a thread pool of `max_parallel` threads; each runs
`reconcile_once` for its one stack. A stack is never reconciled by two threads at once (a
lock per stack); a stack that was busy when a pass came is reconciled again as soon as its
job ends. Passes run every `interval`, at once after an accepted push webhook, and only
while the gate (leader election) is open.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shipyard.gitops.affected import in_promotion_order
from shipyard.gitops.decide import Policy
from shipyard.gitops.git_facts import GitFacts, GitFactsError
from shipyard.gitops.git_fetch import FETCH_TIMEOUT, descends, fetch_branch, fetch_environment
from shipyard.gitops.metrics import ReconcilerMetrics
from shipyard.gitops.reconcile_state import StackStateStore, StateError
from shipyard.gitops.reconciler import RUN_ID, Applier, StackResult, reconcile_once
from shipyard.gitops.redact import redact
from shipyard.gitops.revisions import stacks_at
from shipyard.gitops.source_health import (
    DEFAULT_UNREADY_AFTER,
    SOURCE_UNAVAILABLE,
    SourceHealth,
    fetch_failed,
    fetched,
    unready_because,
)
from shipyard.gitops.webhook import InMemoryDeliveries, TriggerLimiter, refusal, verify_delivery

LOGGER = logging.getLogger("shipyard.reconcile")
DEFAULT_INTERVAL = timedelta(seconds=15)
DEFAULT_MAX_PARALLEL = 2
HEALTHY_AFTER_MISSED_PASSES = 4
"""`/healthz` fails when the loop has not started a pass for this many intervals."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DaemonSettings:
    repo_url: str
    branch: str
    workdir: Path
    stacks: tuple[str, ...] | None = None
    """None: every stack at the head of the branch."""
    interval: timedelta = DEFAULT_INTERVAL
    max_parallel: int = DEFAULT_MAX_PARALLEL
    policy: Policy = field(default_factory=Policy)
    self_heal: bool = False
    source_unready_after: int = DEFAULT_UNREADY_AFTER
    """Failed fetches in a row before `/readyz` fails (default `DEFAULT_UNREADY_AFTER`)."""
    git_credentials_file: Path | None = None
    """git's credential store file (`https://user:token@host` lines), for fetches only."""

    @property
    def mirror(self) -> Path:
        return self.workdir / "mirror.git"

    @property
    def ref(self) -> str:
        return f"refs/remotes/origin/{self.branch}"


class Daemon:
    def __init__(
        self,
        settings: DaemonSettings,
        store: StackStateStore,
        applier: Applier,
        *,
        metrics: ReconcilerMetrics | None = None,
        clock: Callable[[], datetime] = utc_now,
        gate: Callable[[], bool] | None = None,
        webhook_secret: bytes | None = None,
        run_id: str = RUN_ID,
        logger: logging.Logger = LOGGER,
    ) -> None:
        self.settings = settings
        self.store = store
        self.applier = applier
        self.metrics = metrics or ReconcilerMetrics()
        self.clock = clock
        self.gate = gate or (lambda: True)
        self.webhook_secret = webhook_secret
        self.run_id = run_id
        self.logger = logger
        self.deliveries = InMemoryDeliveries()
        self.triggers = TriggerLimiter()
        self._deliveries_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(settings.max_parallel, thread_name_prefix="reconcile")
        self._busy: dict[str, threading.Lock] = {}
        self._missed: set[str] = set()
        self._lock = threading.Lock()
        self._jobs: set[Future[None]] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._known: tuple[str, ...] = settings.stacks or ()
        self._was_leader: bool | None = None
        self.ready = False
        self.heartbeat = time.monotonic()
        self.source = SourceHealth()

    # --- git ----------------------------------------------------------------------------

    def sync(self) -> bool:
        """Fetch the branch into the mirror; False (logged, counted, and the source marked
        unavailable) when it fails. A head that does not descend from the previous one (a
        force push) is logged as a history rewrite."""
        mirror = self.settings.mirror
        branch = self.settings.branch
        env = fetch_environment(os.environ, self.settings.git_credentials_file)
        try:
            before, after = fetch_branch(
                mirror, self.settings.repo_url, branch, self.settings.ref, env
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            self.metrics.fetch_errors.inc()
            detail = str(getattr(error, "stderr", "") or error).strip()
            message = redact(f"fetching {branch} from {self.settings.repo_url} failed: {detail}")
            self.source = fetch_failed(self.source, self.clock(), message)
            self.metrics.source_available.set(0)
            self.logger.error(
                message,
                extra={
                    "fields": {
                        "decision": "nothing",
                        "reason": "FetchFailed",
                        "failed_fetches": self.source.failed_fetches,
                    }
                },
            )
            return False
        if self.source.reason == SOURCE_UNAVAILABLE:
            self.logger.info(
                f"fetching {branch} works again after {self.source.failed_fetches} failure(s)",
                extra={"fields": {"reason": "SourceAvailable"}},
            )
        self.source = fetched(self.source, self.clock(), after)
        self.metrics.source_available.set(1)
        if before and after and before != after and not descends(mirror, before, after, env):
            self.logger.warning(
                f"the history of {branch} was rewritten: {after[:7]} does not descend from "
                f"{before[:7]} (a force push); reconciling to {after[:7]}",
                extra={"fields": {"reason": "HistoryRewritten", "before": before, "head": after}},
            )
        return True

    def readiness(self) -> tuple[bool, str]:
        """`/readyz`: ready once the loop runs, unless the source has been unavailable for
        `source_unready_after` fetches in a row."""
        if not self.ready:
            return False, "starting"
        problem = unready_because(self.source, self.settings.source_unready_after)
        return (False, problem) if problem else (True, "ready")

    def stack_names(self) -> tuple[str, ...]:
        if self.settings.stacks is not None:
            return self.settings.stacks
        facts = GitFacts(self.settings.mirror)
        return tuple(stacks_at(facts, facts.resolve(self.settings.ref)))

    # --- passes -------------------------------------------------------------------------

    def reconcile_pass(self) -> list[Future[None]]:
        """Fetch, then start a job for every stack that is not busy. Returns the jobs."""
        self.heartbeat = time.monotonic()
        leader = bool(self.gate())
        self.metrics.leader.set(1 if leader else 0)
        if leader != self._was_leader:
            self._was_leader = leader
            self.logger.info(
                "reconciling as the leader" if leader else "not the leader: waiting",
                extra={"fields": {"leader": leader}},
            )
        if not leader or not self.sync():
            return []
        try:
            names = self.stack_names()
        except GitFactsError as error:
            self.logger.error(str(error), extra={"fields": {"reason": "HeadUnresolved"}})
            return []
        self._known = names
        started = []
        for name in in_promotion_order(names):
            with self._lock:
                busy = self._busy.setdefault(name, threading.Lock())
                if not busy.acquire(blocking=False):
                    self._missed.add(name)
                    continue
                job = self._pool.submit(self._reconcile_stack, name, busy)
                self._jobs.add(job)
                job.add_done_callback(self._jobs.discard)
            started.append(job)
        return started

    def _reconcile_stack(self, name: str, busy: threading.Lock) -> None:
        start = time.monotonic()
        try:
            results: list[StackResult] = reconcile_once(
                GitFacts(self.settings.mirror),
                [name],
                self.store,
                self.applier,
                self.clock,
                head=self.settings.ref,
                policy=self.settings.policy,
                run_id=self.run_id,
                self_heal=self.settings.self_heal,
                logger=self.logger,
            )
            for result in results:
                self.metrics.observe(result, time.monotonic() - start)
        except Exception:  # one stack's bug must not stop the loop
            self.logger.exception(f"reconciling {name} failed", extra={"fields": {"stack": name}})
        finally:
            with self._lock:
                busy.release()
                again = name in self._missed
                self._missed.discard(name)
            if again:
                self._wake.set()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until every started job has finished."""
        with self._lock:
            jobs = list(self._jobs)
        wait(jobs, timeout)

    def trigger(self) -> None:
        """Start a pass now (a webhook)."""
        self._wake.set()

    def run(self) -> None:
        """Passes until `stop()`: every interval, or at once when triggered."""
        self.ready = True
        while not self._stop.is_set():
            self._wake.clear()
            self.reconcile_pass()
            self._wake.wait(self.settings.interval.total_seconds())

    def stop(self, wait_for_jobs: bool = True) -> None:
        self._stop.set()
        self._wake.set()
        self._pool.shutdown(wait=wait_for_jobs, cancel_futures=True)

    def healthy(self) -> bool:
        limit = max(self.settings.interval.total_seconds(), 1.0) * HEALTHY_AFTER_MISSED_PASSES
        return time.monotonic() - self.heartbeat <= limit + FETCH_TIMEOUT

    # --- HTTP-facing --------------------------------------------------------------------

    def refuse_webhook(self, headers: Mapping[str, str]) -> tuple[int, str] | None:
        """The answer to a delivery that its headers alone refuse, before its body is read:
        webhooks off (404), no signature (401), no delivery id or not a GUID (400)."""
        if not self.webhook_secret:
            self.metrics.webhooks.labels("disabled").inc()
            return 404, "webhooks are disabled: no webhook secret is configured"
        verdict = refusal(headers)
        if verdict is None:
            return None
        self.metrics.webhooks.labels(verdict.outcome).inc()
        self.logger.warning(
            f"webhook rejected: {verdict.message}", extra={"fields": {"webhook": verdict.outcome}}
        )
        return verdict.http_status, verdict.message

    def handle_webhook(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """Verify a GitHub delivery; a push to the watched branch triggers a pass, at most
        as often as the trigger limiter allows."""
        if not self.webhook_secret:
            self.metrics.webhooks.labels("disabled").inc()
            return 404, "webhooks are disabled: no webhook secret is configured"
        with self._deliveries_lock:
            verdict = verify_delivery(
                self.webhook_secret, body, headers, self.deliveries, self.clock()
            )
        fields: dict[str, object] = {"webhook": verdict.outcome, "delivery": verdict.delivery}
        if not verdict.accepted:
            self.metrics.webhooks.labels(verdict.outcome).inc()
            self.logger.warning(f"webhook rejected: {verdict.message}", extra={"fields": fields})
            return verdict.http_status, verdict.message
        if verdict.event == "ping":
            self.metrics.webhooks.labels("accepted").inc()
            return 200, "pong"
        ref = _push_ref(body) if verdict.event == "push" else None
        wanted = f"refs/heads/{self.settings.branch}"
        if ref != wanted:
            self.metrics.webhooks.labels("ignored").inc()
            what = f"a push to {ref}" if ref else f"a `{verdict.event}` event"
            return 202, f"{what} is ignored; watching {wanted}"
        with self._deliveries_lock:
            allowed = self.triggers.allow(self.clock())
        if not allowed:
            self.metrics.webhooks.labels("rate-limited").inc()
            self.logger.warning(
                "webhook: pushes come faster than passes may start; the next poll picks "
                "this one up",
                extra={"fields": {**fields, "webhook": "rate-limited"}},
            )
            return 429, (
                "too many pushes in a short time; the next poll (every "
                f"{self.settings.interval.total_seconds():g}s) picks this one up"
            )
        self.metrics.webhooks.labels("accepted").inc()
        self.logger.info("webhook: reconciling now", extra={"fields": fields})
        self.trigger()
        return 202, "reconcile triggered"

    def status(self) -> dict[str, Any]:
        """Every known stack's recorded state, as the state files hold it."""
        stacks: dict[str, Any] = {}
        for name in self._known:
            try:
                stacks[name] = self.store.load(name).to_json()
            except StateError as error:
                stacks[name] = {"error": str(error)}
        return {
            "repo": redact(self.settings.repo_url),
            "branch": self.settings.branch,
            "leader": bool(self._was_leader),
            "source": self.source.to_json(),
            "stacks": stacks,
        }


def _push_ref(body: bytes) -> str | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    ref = payload.get("ref") if isinstance(payload, dict) else None
    return ref if isinstance(ref, str) else None
