"""`shipyard reconcile` for real: a bare git remote and a clone, the reconciler as its own
process (the real CLI), the real Pulumi engine, Kubernetes provider and policy pack, and the
local cluster.

One test walks the four scenarios of issue 7 on one stack, in order (each apply of the dev
blueprint costs seconds, so they share it):

1. a commit changing the dev blueprint's replicas, announced by a signed webhook: the apply
   starts at once and the cluster reflects it;
2. a commit touching only another stack's blueprint: no apply for dev;
3. an invalid blueprint, found by polling within one interval: nothing applied, the status
   shows the error with FILE:LINE, the cluster keeps its last good state;
4. the reconciler killed (its whole process group, as a container is) during an apply and
   restarted: it clears the engine's leftovers and converges.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import reconciler_harness
from kubernetes import client
from reconciler_harness import (
    INTERVAL,
    Origin,
    Reconciler,
    backend_leftovers,
    delivery_id,
    replicas,
    wait,
)

pytestmark = pytest.mark.e2e

# The harness's fixtures, for the tests of this module.
origin = reconciler_harness.origin
reconciler = reconciler_harness.reconciler
kuberay_crds = reconciler_harness.kuberay_crds


def test_the_reconciler_applies_refuses_skips_and_recovers(
    origin: Origin, reconciler: Reconciler, kube_api: Any
) -> None:
    apps = client.AppsV1Api(kube_api)
    c1 = origin.clone.head.commit.hexsha
    reconciler.start()
    wait(lambda: reconciler.dev().get("last_successful_commit") == c1, "the first apply")
    assert replicas(apps) == (1, 1)
    status = json.loads(reconciler.get("/status")[1])
    assert status["stacks"]["dev"]["condition"]["status"] == "Ready"

    # 1. A replicas change and its webhook: the apply starts at once, the cluster follows.
    c2 = origin.push(origin.blueprint("2"), "dev: 2 replicas")
    body = json.dumps({"ref": "refs/heads/main", "after": c2}).encode()
    assert reconciler.webhook(body, delivery_id(), signature="sha256=" + "0" * 64) == 401
    sent = time.monotonic()
    delivery = delivery_id()
    assert reconciler.webhook(body, delivery) == 202
    wait(lambda: reconciler.dev().get("last_attempted_commit") == c2, "the apply of c2", 5)
    started = time.monotonic() - sent
    assert started < INTERVAL, f"the webhook's apply started after {started:.2f}s"
    assert reconciler.webhook(body, delivery) == 409  # a replayed delivery
    wait(lambda: reconciler.dev().get("last_successful_commit") == c2, "c2 applied")
    assert replicas(apps) == (2, 2)

    # 2. Only prod's blueprint changes: the next pass sees the head and applies nothing.
    prod = (origin.root / "blueprints" / "prod.yaml").read_text() + "# touched\n"
    c3 = origin.push({"blueprints/prod.yaml": prod}, "prod only")

    def dev_saw(sha: str) -> list[dict[str, Any]]:
        return [
            line
            for line in reconciler.log_lines()
            if line.get("stack") == "dev" and line.get("head") == sha
        ]

    [seen] = wait(lambda: dev_saw(c3), "a pass over c3", 2 * INTERVAL + 5)
    assert (seen["decision"], seen["reason"]) == ("nothing", "UpToDate")
    assert reconciler.dev()["last_attempted_commit"] == c2

    # 3. An invalid blueprint, found by polling: refused with FILE:LINE, the cluster unchanged.
    pushed = time.monotonic()
    c4 = origin.push(origin.blueprint("lots"), "dev: invalid replicas")
    wait(
        lambda: (reconciler.dev().get("condition") or {}).get("reason") == "BlueprintInvalid",
        "the invalid blueprint to be refused",
        INTERVAL + 5,
    )
    detected = time.monotonic() - pushed
    assert detected < INTERVAL + 2, f"the invalid commit was seen after {detected:.2f}s"
    state = reconciler.dev()
    assert state["condition"]["status"] == "Stalled"
    assert state["last_error"]["commit"] == c4 and state["last_error"]["kind"] == "permanent"
    assert "blueprints/dev.yaml:30:7: spec.models[0].replicas:" in state["last_error"]["message"]
    assert state["last_successful_commit"] == c2 and state["last_attempted_commit"] == c2
    assert replicas(apps) == (2, 2)
    metrics = reconciler.get("/metrics")[1]
    assert 'shipyard_reconciler_stack_condition{stack="dev",status="Stalled"} 1.0' in metrics
    assert 'shipyard_reconciler_applies_total{result="succeeded",stack="dev"} 2.0' in metrics

    # 4. Killed during the apply of a fix, restarted: the leftovers are cleared, it converges.
    backend = Path(reconciler.env["E2E_BACKEND"])
    c5 = origin.push(origin.blueprint("1"), "dev: back to 1 replica")
    reconciler.push_webhook(c5)
    wait(lambda: (reconciler.dev().get("in_progress") or {}).get("commit") == c5, "c5 started")
    # Kill once the engine holds the lock and, if it gets that far in time, is mid-operation.
    wait(lambda: backend_leftovers(backend)[0], "the engine's lock", 60)
    with contextlib.suppress(AssertionError):
        wait(lambda: backend_leftovers(backend)[1], "a pending operation", 15)
    reconciler.kill_group()
    locks, pending = backend_leftovers(backend)
    print(f"left behind by the kill: locks={locks} pending_operations={pending}")
    assert locks, "a killed update leaves its lock file in the file backend"
    assert reconciler.dev()["in_progress"]["commit"] == c5

    reconciler.start()
    wait(
        lambda: reconciler.dev().get("last_successful_commit") == c5,
        "the interrupted apply to be recovered",
    )
    state = reconciler.dev()
    assert (state["in_progress"], state["interrupted"], state["last_error"]) == (None, False, None)
    reasons = [
        line["reason"]
        for line in reconciler.log_lines()
        if line.get("stack") == "dev" and line.get("commit") == c5
    ]
    assert "InterruptedApply" in reasons
    assert backend_leftovers(backend) == ([], [])
    wait(lambda: replicas(apps) == (1, 1), "one replica again", 60)
    assert '"worker": "recovered an interrupted apply"' in reconciler.worker_log()
