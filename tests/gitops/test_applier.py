"""The Automation API applier without the engine: checkouts from a real repository, the
backend check, the policy pack, and the child-process protocol with a stand-in worker."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import git
import pytest

from shipyard.gitops import processes
from shipyard.gitops.applier import AutomationApplier, backend_problem, checkout
from shipyard.gitops.apply_worker import drop_pending_operations
from shipyard.gitops.policy_pack import (
    PACK_NAME,
    PolicyPackMissing,
    checked_pack,
    write_installed_pack,
)
from shipyard.gitops.reconciler import ApplyFailure, ApplyRequest
from shipyard.policy import pack as pack_module

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PULUMI_YAML = "name: shipyard\nruntime: python\nbackend:\n  url: file://./.pulumi-state\n"
POLICY_YAML = "name: shipyard\nversion: 0.1.0\nruntime:\n  name: python\n"


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    handle = git.Repo.init(root, initial_branch="main")
    files = {
        "Pulumi.yaml": PULUMI_YAML,
        "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
        "blueprints/dev.yaml": "kind: Platform\n",
        "policies/PulumiPolicy.yaml": POLICY_YAML,
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        handle.index.add([path])
    actor = git.Actor("Test", "test@example.com")
    sha = str(handle.index.commit("initial", author=actor, committer=actor).hexsha)
    return root, sha


def fake_worker(tmp_path: Path, result: dict[str, object] | None, code: int = 0) -> str:
    """A stand-in for `python -m shipyard.gitops.apply_worker JOB`: it records the job and
    the working directory, writes `result` (or none) and exits with `code`."""
    script = tmp_path / "fake-python"
    record = tmp_path / "job-seen.json"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "job = json.load(open(sys.argv[3]))\n"
        "seen = {'job': job, 'cwd': os.getcwd(), 'module': sys.argv[2], 'env': dict(os.environ)}\n"
        f"json.dump(seen, open({str(record)!r}, 'w'))\n"
        "print('engine output for', job['stack'])\n"
        f"result = json.loads({json.dumps(json.dumps(result))})\n"
        "if result is not None:\n"
        "    json.dump(result, open(job['result'], 'w'))\n"
        f"sys.exit({code})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def seen(tmp_path: Path) -> dict[str, object]:
    return json.loads((tmp_path / "job-seen.json").read_text())  # type: ignore[no-any-return]


ENV = {"PULUMI_BACKEND_URL": "file:///var/lib/pulumi", "PATH": os.environ["PATH"]}


def test_checkout_extracts_the_commit_tree(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    out = checkout(root, sha, tmp_path / "out")
    assert (out / "stacks" / "Pulumi.dev.yaml").read_text().endswith("blueprints/dev.yaml\n")
    assert not (out / ".git").exists()
    with pytest.raises(ApplyFailure, match="`git archive 0000000` failed"):
        checkout(root, "0" * 40, tmp_path / "bad")


@pytest.mark.parametrize(
    ("env", "project", "problem"),
    [
        ({}, "file://./.pulumi-state", True),
        ({"PULUMI_BACKEND_URL": "file:///srv/state"}, "file://./.pulumi-state", False),
        ({}, "file://~/.pulumi-state", False),
        ({}, "s3://acme-pulumi-state", False),
        ({}, None, False),
    ],
)
def test_a_backend_inside_the_checkout_is_refused(
    env: dict[str, str], project: str | None, problem: bool
) -> None:
    found = backend_problem(env, project)
    assert (found is not None) == problem
    if found:
        assert "set `PULUMI_BACKEND_URL` to an absolute file:// URL" in found


def test_an_apply_runs_the_worker_in_a_checkout_with_the_installed_policy_pack(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, sha = repo
    python = fake_worker(tmp_path, {"ok": True, "changes": {"update": 1}})
    applier = AutomationApplier(root, tmp_path / "work", env=ENV, python=python)
    applier.apply(ApplyRequest("dev", sha, "blueprints/dev.yaml", recovering=True))
    record = seen(tmp_path)
    job = record["job"]
    assert isinstance(job, dict)
    checkout_dir = Path(str(job["project_root"]))
    assert record["module"] == "shipyard.gitops.apply_worker"
    assert record["cwd"] == str(checkout_dir)
    assert (job["action"], job["stack"], job["commit"]) == ("apply", "dev", sha)
    assert (job["recovering"], job["refresh"]) == (True, False)
    assert job["policy_packs"] == [str(tmp_path / "work" / "policy-pack")]
    assert not checkout_dir.exists()  # the checkout is removed afterwards
    assert applier.log_path("dev").read_text() == "engine output for dev\n"


def test_the_installed_pack_runs_in_the_reconcilers_environment(tmp_path: Path) -> None:
    pack = write_installed_pack(tmp_path / "work")
    assert (pack / "PulumiPolicy.yaml").read_text() == (
        "name: shipyard\n"
        "version: 0.1.0\n"
        "description: Shipyard's policy pack as installed with the reconciler.\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        f"    virtualenv: {sys.prefix}\n"
    )
    main = (pack / "__main__.py").read_text()
    assert "from shipyard.policy.pack import PACK_NAME, build_policies" in main
    assert "PolicyPack(name=PACK_NAME, policies=build_policies())" in main
    assert PACK_NAME == pack_module.PACK_NAME
    assert checked_pack(pack) == pack
    with pytest.raises(PolicyPackMissing, match=r"has no PulumiPolicy\.yaml"):
        checked_pack(tmp_path)


def test_a_commit_cannot_remove_or_replace_the_policy_pack(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    """The checkout's policies/ is never used: deleting it or weakening it changes nothing."""
    root, _ = repo
    handle = git.Repo(root)
    handle.index.remove(["policies/PulumiPolicy.yaml"], working_tree=True)
    actor = git.Actor("Test", "test@example.com")
    without = str(handle.index.commit("no pack", author=actor, committer=actor).hexsha)
    python = fake_worker(tmp_path, {"ok": True})
    applier = AutomationApplier(root, tmp_path / "work", env=ENV, python=python)
    applier.apply(ApplyRequest("dev", without, None))
    job = seen(tmp_path)["job"]
    assert isinstance(job, dict)
    assert job["policy_packs"] == [str(tmp_path / "work" / "policy-pack")]


def test_no_apply_runs_without_the_policy_pack(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    python = fake_worker(tmp_path, {"ok": True})
    applier = AutomationApplier(
        root, tmp_path / "work", env=ENV, python=python, policy_pack=tmp_path / "gone"
    )
    with pytest.raises(ApplyFailure, match="gone is not a policy pack") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert failed.value.kind == "temporary"
    assert not (tmp_path / "job-seen.json").exists()  # the engine never started


def test_drift_is_read_from_the_result(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    python = fake_worker(tmp_path, {"ok": True, "drift": True, "changes": {"update": 1}})
    applier = AutomationApplier(root, tmp_path / "work", env=ENV, python=python)
    assert applier.check_drift(ApplyRequest("dev", sha, None)) is True
    assert seen(tmp_path)["job"]["action"] == "drift"  # type: ignore[index]


def test_a_failure_keeps_its_kind(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    python = fake_worker(
        tmp_path, {"ok": False, "kind": "permanent", "message": "[mandatory] pinned-images"}, 1
    )
    applier = AutomationApplier(root, tmp_path / "work", env=ENV, python=python)
    with pytest.raises(ApplyFailure, match=r"\[mandatory\] pinned-images") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert failed.value.kind == "permanent"


def killed_worker(tmp_path: Path) -> str:
    """A stand-in worker that starts a grandchild in a session of its own (as the engine
    starts its plugins), then dies by SIGKILL without a result. The grandchild writes its
    pid and sleeps."""
    script = tmp_path / "killed-python"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, signal, subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
        f"open({str(tmp_path / 'grandchild')!r}, 'w').write(str(child.pid))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    script.chmod(0o755)
    return str(script)


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_killed_mid_apply_is_an_interruption_and_nothing_of_it_survives(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, sha = repo
    applier = AutomationApplier(root, tmp_path / "work", env=ENV, python=killed_worker(tmp_path))
    with pytest.raises(ApplyFailure, match="killed by signal 9 before it finished") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert (failed.value.kind, failed.value.interrupted) == ("temporary", True)
    assert "1 more process(es) of the job ended" in failed.value.message
    grandchild = int((tmp_path / "grandchild").read_text())
    assert not running(grandchild)
    assert list((tmp_path / "work" / "jobs").iterdir()) == []


def test_a_worker_that_exits_without_a_result_is_an_interruption(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, sha = repo
    applier = AutomationApplier(
        root, tmp_path / "work", env=ENV, python=fake_worker(tmp_path, None, 3)
    )
    with pytest.raises(ApplyFailure, match="exited with 3 before it finished") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert (failed.value.kind, failed.value.interrupted) == ("temporary", True)


def test_a_failure_during_recovery_keeps_the_leftovers_for_the_next_apply(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, sha = repo
    result = {"ok": False, "kind": "temporary", "message": "locked", "leftovers": True}
    applier = AutomationApplier(
        root, tmp_path / "work", env=ENV, python=fake_worker(tmp_path, result, 1)
    )
    with pytest.raises(ApplyFailure, match="locked") as failed:
        applier.apply(ApplyRequest("dev", sha, None, recovering=True, lock_hosts=("pod-a",)))
    assert failed.value.interrupted is True
    job = seen(tmp_path)["job"]
    assert isinstance(job, dict) and job["lock_hosts"] == ["pod-a"]


def test_what_a_killed_reconciler_left_is_ended_and_removed_at_start(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, _ = repo
    applier = AutomationApplier(root, tmp_path / "work", env=ENV)
    (tmp_path / "work" / "jobs" / "dev-abc1234-x" / "checkout").mkdir(parents=True)
    tag = processes.job_tag(applier.owner, "dev-abc1234-x")
    orphan = subprocess.Popen(
        ["sleep", "60"], env={**ENV, processes.JOB_ENV: tag}, start_new_session=True
    )
    other = subprocess.Popen(["sleep", "60"], env={**ENV, processes.JOB_ENV: "someone/else"})
    try:
        ended, removed = applier.clean_abandoned()
        orphan.wait(5)
        assert ended == [f"{orphan.pid}: sleep 60"]
        assert removed == ["dev-abc1234-x"]
        assert list((tmp_path / "work" / "jobs").iterdir()) == []
        assert other.poll() is None  # another reconciler's job is left alone
    finally:
        for proc in (orphan, other):
            proc.kill()
            proc.wait()


def test_a_worker_past_its_timeout_is_killed(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    script = tmp_path / "slow-python"
    script.write_text("#!/bin/sh\nexec sleep 30\n")
    script.chmod(0o755)
    applier = AutomationApplier(
        root, tmp_path / "work", env=ENV, python=str(script), timeout=timedelta(seconds=0.2)
    )
    with pytest.raises(ApplyFailure, match=r"did not finish in 0:00:00\.200000") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert failed.value.kind == "temporary"


def test_a_relative_file_backend_fails_permanently(repo: tuple[Path, str], tmp_path: Path) -> None:
    root, sha = repo
    applier = AutomationApplier(root, tmp_path / "work", env={"PATH": os.environ["PATH"]})
    with pytest.raises(ApplyFailure, match="relative to the checkout") as failed:
        applier.apply(ApplyRequest("dev", sha, None))
    assert failed.value.kind == "permanent"


def test_pending_operations_are_dropped_and_named() -> None:
    deployment = {
        "resources": [{"urn": "urn:a"}],
        "pending_operations": [
            {"type": "updating", "resource": {"urn": "urn:pulumi:dev::shipyard::k8s::web"}},
            {"type": "creating", "resource": {"urn": "urn:b"}},
        ],
    }
    cleaned, pending = drop_pending_operations(deployment)
    assert cleaned == {"resources": [{"urn": "urn:a"}]}
    assert pending == ["updating urn:pulumi:dev::shipyard::k8s::web", "creating urn:b"]
    assert drop_pending_operations({"resources": []}) == ({"resources": []}, [])


def test_the_worker_gets_an_allow_listed_environment(
    repo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, sha = repo
    for name, value in {
        "SHIPYARD_WEBHOOK_SECRET": "s3cret",
        "GIT_CONFIG_VALUE_0": "store --file=/etc/shipyard/git/.git-credentials",
        "UNRELATED_TOKEN": "t0ken",
        "AWS_REGION": "eu-west-1",
        "PULUMI_BACKEND_URL": "file:///var/lib/pulumi",
        "KUBERNETES_SERVICE_HOST": "127.0.0.1",
    }.items():
        monkeypatch.setenv(name, value)
    applier = AutomationApplier(root, tmp_path / "work", python=fake_worker(tmp_path, {"ok": True}))
    applier.apply(ApplyRequest("dev", sha, None))
    env = seen(tmp_path)["env"]
    assert isinstance(env, dict)
    assert (env["AWS_REGION"], env["PULUMI_BACKEND_URL"], env["KUBERNETES_SERVICE_HOST"]) == (
        "eu-west-1",
        "file:///var/lib/pulumi",
        "127.0.0.1",
    )
    assert env["PATH"] == os.environ["PATH"]
    assert env[processes.JOB_ENV].startswith(f"{applier.owner}/dev-")
    for secret in ("SHIPYARD_WEBHOOK_SECRET", "GIT_CONFIG_VALUE_0", "UNRELATED_TOKEN"):
        assert secret not in env
