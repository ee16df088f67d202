"""deploy.yml's gate, as GitHub runs it: the step's script under the shell the workflow
declares, in a real git repository whose last commit breaks a blueprint. Security review,
issue 22, Medium 2: `shipyard plan | tee` under `bash -e` (GitHub's default without
`shell: bash`) passed whatever the plan said."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.gitops.workflow_files import PROJECT_ROOT, workflows

# How GitHub runs a `run:` step on Linux (docs: workflow syntax, `jobs.<id>.steps[*].shell`):
# with no shell named, `bash -e {0}`; with `shell: bash`, pipefail as well.
GITHUB_SHELLS = {
    None: ["bash", "-e"],
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
}
GATE = "never apply an invalid blueprint"
NULL_SHA = "0" * 40
WORKFLOWS = workflows()


def shell_of(workflow: Mapping[str, Any], job: Mapping[str, Any], step: Mapping[str, Any]) -> Any:
    for scope in (step, (job.get("defaults") or {}).get("run") or {}):
        if "shell" in scope:
            return scope["shell"]
    return ((workflow.get("defaults") or {}).get("run") or {}).get("shell")


def test_every_run_step_has_pipefail() -> None:
    missing = [
        f"{name}: {job_name}: {step.get('name') or step['run'].splitlines()[0]}"
        for name, workflow in WORKFLOWS.items()
        for job_name, job in workflow["jobs"].items()
        for step in job.get("steps") or []
        if "run" in step and shell_of(workflow, job, step) != "bash"
    ]
    assert missing == []


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The project's blueprints and stacks, committed; then a commit breaking dev.yaml."""
    root = tmp_path / "repo"
    for part in ("blueprints", "stacks"):
        shutil.copytree(PROJECT_ROOT / part, root / part, ignore=shutil.ignore_patterns("*.py"))
    shutil.copy(PROJECT_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    dev = root / "blueprints" / "dev.yaml"
    dev.write_text(dev.read_text().replace("nodePools:", "nodePoolz:", 1))
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "break")
    return root


def run_gate(repo: Path, before: str) -> subprocess.CompletedProcess[str]:
    workflow = WORKFLOWS["deploy.yml"]
    job = workflow["jobs"]["affected"]
    step = next(step for step in job["steps"] if step.get("name") == GATE)
    script = repo / "gate.sh"
    script.write_text(step["run"])
    summary = repo / "summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo),
        "BEFORE": before,
        "AFTER": git(repo, "rev-parse", "HEAD"),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    return subprocess.run(
        [*GITHUB_SHELLS[shell_of(workflow, job, step)], str(script)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_invalid_blueprint_fails_the_deploy_gate(repo: Path) -> None:
    result = run_gate(repo, git(repo, "rev-parse", "HEAD~1"))
    assert result.returncode != 0, result.stdout + result.stderr
    assert "nodePoolz" in (repo / "summary.md").read_text() + result.stdout + result.stderr


def test_an_invalid_blueprint_fails_the_gate_on_a_first_push(repo: Path) -> None:
    result = run_gate(repo, NULL_SHA)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "nodePoolz" in result.stdout + result.stderr


def test_the_gate_passes_a_valid_range(repo: Path) -> None:
    """The gate can pass: the base commit against itself plans nothing wrong."""
    base = git(repo, "rev-parse", "HEAD~1")
    git(repo, "checkout", "-q", base)
    result = run_gate(repo, base)
    assert result.returncode == 0, result.stdout + result.stderr
