"""Reading failed engine commands: the causes kept, their kind, the lock's holders.

The outputs are what Pulumi 3.259 and the Kubernetes provider 4.25 print (the admission
denial is from `tests/e2e/test_reconciler_faults.py` on the local cluster; the policy and
lock lines follow `backend/display/progress.go` and `backend/diy/lock.go`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipyard.gitops.engine_errors import (
    MAX_LINES,
    LockHolder,
    error_summary,
    failure_kind,
    is_locked,
    lock_holders,
)

DENIAL = (
    'the Kubernetes API server reported that "llm-reconcile/qwen-small" failed to fully '
    'initialize or become live: deployments.apps "qwen-small" is forbidden: '
    "ValidatingAdmissionPolicy 'one-model-replica' with binding 'one-model-replica' denied "
    "request: qwen-small may have one replica at most"
)
ADMISSION_DENIED = f"""Updating (dev):
Loading policy packs...: starting
Loading policy packs...: done

    pulumi:pulumi:Stack shipyard-dev running
 ~  kubernetes:apps/v1:Deployment qwen-small updating (0s) [diff: ~spec]
 ~  kubernetes:apps/v1:Deployment qwen-small updating (0s) [diff: ~spec]; error: 1 error occurred:
 ~  kubernetes:apps/v1:Deployment qwen-small **updating failed** [diff: ~spec]; error: 1 error \
occurred:
    pulumi:pulumi:Stack shipyard-dev running error: update failed
    pulumi:pulumi:Stack shipyard-dev **failed** 1 error
Policies:
    ✅ shipyard@v0.1.0 (local: /tmp/.../checkout/policies)

Diagnostics:
  pulumi:pulumi:Stack (shipyard-dev):
    error: update failed

  kubernetes:apps/v1:Deployment (qwen-small):
    error: 1 error occurred:
    \t* {DENIAL}

Outputs:
    namespace: "llm-reconcile"

Resources:
    8 unchanged
    2 errored

Duration: 1s
"""

POLICY_VIOLATED = """Previewing update (dev):
    pulumi:pulumi:Stack shipyard-dev  1 error
Policies:
    ❌ shipyard@v0.1.0 (local: policies)
        - [mandatory]  pinned-images  (kubernetes:apps/v1:Deployment: web)
          Requires container images pinned to a version tag or digest.
          container `web` uses `vllm/vllm-openai:latest`; pin a version such as `v0.11.0`
        - [advisory]  resource-requests  (kubernetes:apps/v1:Deployment: web)
          Requires CPU and memory requests.

Diagnostics:
  pulumi:pulumi:Stack (shipyard-dev):
    error: preview failed
"""

LOCKED = """error: the stack is currently locked by 1 lock(s). Either wait for the other \
process(es) to end or delete the lock file with `pulumi cancel`.
  file:///srv/state/.pulumi/locks/organization/shipyard/dev/0b6f.json: created by \
root@reconciler-0 (pid 4242) at 2026-12-02T13:02:03Z
"""


def test_the_api_servers_own_message_is_kept_without_the_wrappers() -> None:
    assert (
        error_summary(ADMISSION_DENIED) == f"kubernetes:apps/v1:Deployment (qwen-small): {DENIAL}"
    )


def test_a_mandatory_violation_is_kept_with_its_message() -> None:
    assert error_summary(POLICY_VIOLATED) == (
        "[mandatory] pinned-images (kubernetes:apps/v1:Deployment: web) Requires container "
        "images pinned to a version tag or digest. container `web` uses "
        "`vllm/vllm-openai:latest`; pin a version such as `v0.11.0`"
    )


def test_several_problems_of_one_resource_are_lines_under_it() -> None:
    output = (
        "Diagnostics:\n"
        "  pulumi:pulumi:Stack (shipyard-dev):\n"
        "    error: the blueprint is invalid:\n"
        "    blueprints/dev.yaml:30:7: spec.models[0].replicas: Input should be a valid integer\n"
        "    blueprints/dev.yaml:31:7: spec.models[0].maxModelLen: Field required\n"
        "\n"
        "Resources:\n"
    )
    assert error_summary(output) == (
        "pulumi:pulumi:Stack (shipyard-dev): the blueprint is invalid:\n"
        "  blueprints/dev.yaml:30:7: spec.models[0].replicas: Input should be a valid integer\n"
        "  blueprints/dev.yaml:31:7: spec.models[0].maxModelLen: Field required"
    )


def test_without_diagnostics_the_error_lines_or_the_last_lines_are_kept() -> None:
    assert error_summary("starting\nerror: connection refused\ndone\n") == (
        "error: connection refused"
    )
    many = "\n".join(f"line {n}" for n in range(50))
    assert error_summary(many).splitlines() == [f"line {n}" for n in range(30, 50)]
    assert error_summary("") == "the engine failed without output"


def test_long_summaries_are_trimmed() -> None:
    output = "Diagnostics:\n" + "".join(
        f"  kubernetes:v1:ConfigMap (c{n}):\n    error: {'x' * 1500}\n" for n in range(30)
    )
    lines = error_summary(output).splitlines()
    assert len(lines) == MAX_LINES
    assert len(lines[0]) == 1000 and lines[0].endswith("…")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (DENIAL, "permanent"),
        ('admission webhook "validate.kyverno.svc" denied the request: no latest', "permanent"),
        (
            'pods "web" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot',
            "permanent",
        ),
        ('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1', "permanent"),
        (
            'Service "web" is invalid: spec.clusterIP: Invalid value: "None": field is immutable',
            "permanent",
        ),
        ('strict decoding error: unknown field "spec.replica"', "permanent"),
        ("[mandatory] pinned-images (kubernetes:apps/v1:Deployment: web)", "permanent"),
        ("error: the blueprint is invalid:\nblueprints/dev.yaml:30:7: ...", "permanent"),
        ("error: Missing required configuration variable 'shipyard:blueprint'", "permanent"),
        ("dial tcp 127.0.0.1:6443: connect: connection refused", "temporary"),
        ("context deadline exceeded", "temporary"),
        (
            "Operation cannot be fulfilled on deployments.apps: the object has been modified",
            "temporary",
        ),
        (
            'deployments.apps is forbidden: User "system:serviceaccount:ops:r" cannot patch',
            "temporary",
        ),
        ('pods "web" is forbidden: exceeded quota: compute, requested: cpu=2', "temporary"),
        (
            'failed to fully initialize or become live: "web" timed out waiting to be Ready',
            "temporary",
        ),
        (LOCKED, "temporary"),
    ],
)
def test_failures_a_retry_cannot_fix_are_permanent(message: str, kind: str) -> None:
    assert failure_kind(message) == kind


def test_the_lock_holders_of_a_diy_backend() -> None:
    assert is_locked(LOCKED)
    assert is_locked("error: [409] Conflict: Another update is currently in progress.")
    assert not is_locked(DENIAL)
    assert lock_holders(LOCKED) == [
        LockHolder(
            "file:///srv/state/.pulumi/locks/organization/shipyard/dev/0b6f.json",
            "root",
            "reconciler-0",
            4242,
            datetime(2026, 12, 2, 13, 2, 3, tzinfo=UTC),
        )
    ]
    assert lock_holders("error: [409] Conflict: Another update is currently in progress.") == []
