"""The reconciler under faults (issue 23), each on the real `shipyard reconcile`, engine,
Kubernetes provider, policy pack and local cluster, with the fault injected for real:

1. the apply worker and everything below it killed with SIGKILL mid-update: the reconciler
   counts it as an interruption, clears the lock and pending operations the kill left, and
   converges;
2. the reconciler alone killed with SIGKILL mid-update (its engine and plugins are left
   running), a commit pushed while it is down, then a restart: the leftovers are ended, the
   recovery refreshes, and the cluster holds the new commit, not the stale checkpoint;
3. an admission policy (a ValidatingAdmissionPolicy on the real API server) that denies the
   change: a permanent failure with the API server's own message in `last_error` and
   `/status`, not retried until a new commit, which is applied, and with the installed
   policy pack even though that commit deletes the repository's `policies/`;
4. the git remote gone and back: `SourceUnavailable` in `/status`, `/readyz` 503 after the
   threshold while the last good state stays, and both clear on the next good fetch.

The `reconciler` fixture fails a test when any process of the reconciler outlives it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import reconciler_harness
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from reconciler_harness import (
    INTERVAL,
    MODEL,
    NAMESPACE,
    Origin,
    Reconciler,
    backend_leftovers,
    descendants,
    kill,
    make_origin,
    replicas,
    wait,
)

pytestmark = pytest.mark.e2e

reconciler = reconciler_harness.reconciler  # the harness's fixture, for this module's tests


@pytest.fixture
def origin(tmp_path: Path, toolchain_bin: Path, pulumi_home: Path) -> Origin:
    """The dev blueprint without its Ray cluster: no KubeRay CRDs to create and delete, and
    fewer resources per apply, while the model's Deployment is what the faults hit."""
    return make_origin(tmp_path, ray=False)


POLICY = "shipyard-e2e-one-model-replica"
DENIAL = f"{MODEL} may have one replica at most"


def _first_apply(origin: Origin, reconciler: Reconciler, apps: client.AppsV1Api) -> str:
    c1 = str(origin.clone.head.commit.hexsha)
    reconciler.start()
    wait(lambda: reconciler.dev().get("last_successful_commit") == c1, "the first apply")
    assert replicas(apps) == (1, 1)
    return c1


def _mid_update(reconciler: Reconciler, backend: Path, apps: client.AppsV1Api, want: int) -> None:
    """Wait until the engine holds the stack's lock and the API server has the new replica
    count, while the provider still waits for the rollout: the update is half done."""
    wait(lambda: backend_leftovers(backend)[0], "the engine's lock", 60)
    wait(lambda: replicas(apps)[0] == want, f"the API server to get {want} replicas", 60)


def test_a_killed_worker_tree_is_an_interruption_that_recovers(
    origin: Origin, reconciler: Reconciler, kube_api: Any
) -> None:
    apps = client.AppsV1Api(kube_api)
    backend = Path(reconciler.env["E2E_BACKEND"])
    _first_apply(origin, reconciler, apps)

    c2 = origin.push(origin.blueprint("2"), "dev: 2 replicas")
    assert reconciler.push_webhook(c2) == 202
    worker = wait(reconciler.worker, "the apply worker", 30)
    _mid_update(reconciler, backend, apps, 2)
    tree = [worker, *descendants(worker.pid)]
    kill(tree)
    assert backend_leftovers(backend)[0], "a killed update leaves its lock"

    wait(lambda: reconciler.dev().get("interrupted") is True, "the interruption recorded", 30)
    state = reconciler.dev()
    assert (state["attempts"], state["last_error"]["kind"]) == (1, "temporary")
    assert "killed" in state["last_error"]["message"]
    wait(lambda: reconciler.dev().get("last_successful_commit") == c2, "the recovery of c2")
    state = reconciler.dev()
    assert (state["interrupted"], state["last_error"], state["in_progress"]) == (False, None, None)
    assert reconciler.condition()[0] == "Ready"  # Applied, or UpToDate after a later pass
    assert backend_leftovers(backend) == ([], [])
    retried = [
        line
        for line in reconciler.log_lines()
        if line.get("commit") == c2 and line.get("reason") == "RetryingAfterFailure"
    ]
    assert retried and retried[0].get("recovering") is True
    assert "cleared the lock of an interrupted update" in reconciler.worker_log()
    wait(lambda: replicas(apps) == (2, 2), "two replicas", 60)
    assert not [p for p in tree if p.alive()]


def test_a_reconciler_killed_mid_apply_recovers_the_newer_commit_with_a_refresh(
    origin: Origin, reconciler: Reconciler, kube_api: Any
) -> None:
    apps = client.AppsV1Api(kube_api)
    backend = Path(reconciler.env["E2E_BACKEND"])
    _first_apply(origin, reconciler, apps)

    c2 = origin.push(origin.blueprint("2"), "dev: 2 replicas")
    assert reconciler.push_webhook(c2) == 202
    wait(reconciler.worker, "the apply worker", 30)
    _mid_update(reconciler, backend, apps, 2)
    left = reconciler.family()
    reconciler.kill_alone()
    # Back to one replica while the reconciler is down: the checkpoint still says 1 (the
    # update of c2 never finished), the cluster says 2. Only a refresh sees the difference.
    c3 = origin.push(origin.blueprint("1"), "dev: back to 1 replica")

    reconciler.start()
    assert not [p for p in left if p.alive()], "the restart ends what the killed run left"
    wait(lambda: reconciler.dev().get("last_successful_commit") == c3, "c3 applied")
    state = reconciler.dev()
    assert (state["interrupted"], state["last_error"], state["in_progress"]) == (False, None, None)
    assert reconciler.condition()[0] == "Ready"  # Applied, or UpToDate after a later pass
    lines = reconciler.log_lines()
    [abandoned] = [line for line in lines if line.get("reason") == "AbandonedJobs"]
    assert any("pulumi-resource-kubernetes" in ended for ended in abandoned["ended"])
    assert [line["reason"] for line in lines if line.get("commit") == c3][:1] == [
        "InterruptedApply"  # c2's apply was interrupted; c3 is applied at once instead
    ]
    [recovering] = [
        line for line in lines if line.get("decision") == "apply" and line.get("commit") == c3
    ]
    assert recovering.get("recovering") is True
    assert backend_leftovers(backend) == ([], [])
    wait(lambda: replicas(apps) == (1, 1), "the cluster at c3's one replica", 60)


@pytest.fixture
def replica_limit(kube_api: Any) -> Any:
    """A ValidatingAdmissionPolicy and its binding: the model's Deployment may have one
    replica at most. No webhook is involved: the API server enforces it itself."""
    admission = client.AdmissionregistrationV1Api(kube_api)
    policy = client.V1ValidatingAdmissionPolicy(
        metadata=client.V1ObjectMeta(name=POLICY),
        spec=client.V1ValidatingAdmissionPolicySpec(
            failure_policy="Fail",
            match_constraints=client.V1MatchResources(
                resource_rules=[
                    client.V1NamedRuleWithOperations(
                        api_groups=["apps"],
                        api_versions=["v1"],
                        operations=["CREATE", "UPDATE"],
                        resources=["deployments"],
                        resource_names=[MODEL],
                    )
                ]
            ),
            validations=[
                client.V1Validation(
                    expression="!has(object.spec.replicas) || object.spec.replicas <= 1",
                    message=DENIAL,
                )
            ],
        ),
    )
    binding = client.V1ValidatingAdmissionPolicyBinding(
        metadata=client.V1ObjectMeta(name=POLICY),
        spec=client.V1ValidatingAdmissionPolicyBindingSpec(
            policy_name=POLICY,
            validation_actions=["Deny"],
            match_resources=client.V1MatchResources(
                namespace_selector=client.V1LabelSelector(
                    match_labels={"kubernetes.io/metadata.name": NAMESPACE}
                )
            ),
        ),
    )
    admission.create_validating_admission_policy(policy)
    admission.create_validating_admission_policy_binding(binding)
    try:
        yield POLICY
    finally:
        for delete in (
            admission.delete_validating_admission_policy_binding,
            admission.delete_validating_admission_policy,
        ):
            try:
                delete(POLICY)
            except ApiException as error:
                if error.status != 404:
                    raise


def test_an_admission_denial_is_permanent_with_the_api_servers_message(
    origin: Origin, reconciler: Reconciler, kube_api: Any, replica_limit: str
) -> None:
    apps = client.AppsV1Api(kube_api)
    _first_apply(origin, reconciler, apps)

    c2 = origin.push(origin.blueprint("2"), "dev: 2 replicas, more than the policy admits")
    assert reconciler.push_webhook(c2) == 202
    wait(lambda: reconciler.condition() == ("Stalled", "ApplyFailed"), "the denial", 120)
    state = reconciler.dev()
    error = state["last_error"]
    assert (error["kind"], error["commit"]) == ("permanent", c2)
    assert f"ValidatingAdmissionPolicy '{replica_limit}'" in error["message"]
    assert DENIAL in error["message"]
    served = reconciler.status()["stacks"]["dev"]
    assert served["last_error"]["message"] == error["message"]
    assert served["condition"]["status"] == "Stalled"
    assert DENIAL in served["condition"]["message"]

    # Not retried: two more passes decide nothing, with no retry time set.
    passes = len([line for line in reconciler.log_lines() if line.get("head") == c2])
    wait(
        lambda: (
            len([line for line in reconciler.log_lines() if line.get("head") == c2]) >= passes + 2
        ),
        "two more passes",
        3 * INTERVAL + 5,
    )
    state = reconciler.dev()
    assert (state["attempts"], state["next_retry_at"]) == (1, None)
    applies = [
        line
        for line in reconciler.log_lines()
        if line.get("decision") == "apply" and line.get("commit") == c2
    ]
    assert len(applies) == 1
    assert replicas(apps) == (1, 1)

    # The fix also deletes the repository's policy pack: the installed one is enforced all
    # the same (a commit cannot switch policies off).
    fixed = origin.blueprint("1")
    fixed["blueprints/dev.yaml"] = f"{fixed['blueprints/dev.yaml']}# one replica, as admitted\n"
    c3 = origin.push({**fixed, "policies": None}, "dev: back to 1 replica; no policies/")
    wait(lambda: reconciler.dev().get("last_successful_commit") == c3, "c3 applied")
    assert reconciler.condition()[0] == "Ready"  # Applied, or UpToDate after a later pass
    assert reconciler.dev()["last_error"] is None
    assert replicas(apps) == (1, 1)
    packs = [line.strip() for line in reconciler.worker_log().splitlines() if "shipyard@v" in line]
    assert packs[-1].startswith("✅ shipyard@v0.1.0 (local: ")
    assert packs[-1].endswith("/work/policy-pack)")


def test_a_remote_that_disappears_and_returns(
    origin: Origin, reconciler: Reconciler, kube_api: Any
) -> None:
    apps = client.AppsV1Api(kube_api)
    c1 = _first_apply(origin, reconciler, apps)
    assert reconciler.status()["source"]["available"] is True

    gone = origin.bare.with_name("origin-gone.git")
    origin.bare.rename(gone)
    wait(lambda: reconciler.status()["source"]["available"] is False, "SourceUnavailable", 15)
    source = reconciler.status()["source"]
    assert source["reason"] == "SourceUnavailable"
    assert str(origin.bare) in source["message"]
    wait(lambda: reconciler.get("/readyz")[0] == 503, "/readyz to fail", 8 * INTERVAL + 5)
    _, text = reconciler.get("/readyz")
    assert "the git source is unavailable" in text
    assert reconciler.status()["source"]["failed_fetches"] >= 4
    assert reconciler.get("/healthz")[0] == 200  # the loop runs; a restart would not help
    assert reconciler.condition()[0] == "Ready"  # the last good state stays
    assert reconciler.dev()["last_successful_commit"] == c1
    assert replicas(apps) == (1, 1)

    gone.rename(origin.bare)
    wait(lambda: reconciler.get("/readyz")[0] == 200, "/readyz back", 2 * INTERVAL + 5)
    source = reconciler.status()["source"]
    assert (source["available"], source["reason"], source["failed_fetches"]) == (
        True,
        "Fetched",
        0,
    )
    c2 = origin.push(origin.blueprint("2"), "dev: 2 replicas after the outage")
    wait(lambda: reconciler.dev().get("last_successful_commit") == c2, "c2 applied")
    wait(lambda: replicas(apps) == (2, 2), "two replicas", 60)
