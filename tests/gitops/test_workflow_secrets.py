"""Where the workflows' secrets go: never job-wide, never into `make venv` (which runs the
branch's Makefile and installs packages), and PR previews only in a protected environment.
Security review, issue 22: High 2 and Low 5."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.gitops.workflow_files import (
    reads_secrets,
    secret_names,
    step_label,
    steps,
    workflows,
)

WORKFLOWS = workflows()


def job_wide_secrets(workflow: Mapping[str, Any]) -> list[str]:
    """`<job>.env.<NAME>` (or `env.<NAME>` at the top) for every secret set job-wide."""
    found = [f"env.{name}" for name in secret_names(workflow.get("env"))]
    for job_name, job in (workflow.get("jobs") or {}).items():
        found += [f"{job_name}.env.{name}" for name in secret_names(job.get("env"))]
    return found


def secrets_near_installs(workflow: Mapping[str, Any]) -> list[str]:
    """Steps that install packages (`make venv`, pip) while holding a secret, or that hold one
    before the job's install has run."""
    found = []
    for job_name, job in (workflow.get("jobs") or {}).items():
        installed = False
        for index, step in steps(job):
            run = str(step.get("run", ""))
            installs = "make venv" in run or "pip install" in run
            if reads_secrets(step) and (installs or not installed):
                found.append(f"{job_name}: {step_label(index, step)}")
            installed = installed or installs
    return found


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_secret_is_job_wide(name: str) -> None:
    assert job_wide_secrets(WORKFLOWS[name]) == []


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_secret_reaches_an_install(name: str) -> None:
    assert secrets_near_installs(WORKFLOWS[name]) == []


def test_the_checks_find_a_job_wide_secret_and_one_beside_make_venv() -> None:
    leaky = {
        "jobs": {
            "preview": {
                "env": {"TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}", "STACK": "dev"},
                "steps": [
                    {"run": "make venv", "env": {"K": "${{ secrets['KUBECONFIG'] }}"}},
                    {"name": "issue", "run": "gh issue list", "env": {"GH": "${{ github.token }}"}},
                ],
            }
        }
    }
    assert job_wide_secrets(leaky) == ["preview.env.TOKEN"]
    assert secrets_near_installs(leaky) == ["preview: make venv"]


def test_the_pr_preview_runs_in_a_protected_environment_per_stack() -> None:
    preview = WORKFLOWS["pr.yml"]["jobs"]["preview"]
    assert preview["environment"] == "preview-${{ matrix.stack }}"
    with_secrets = [step_label(i, step) for i, step in steps(preview) if reads_secrets(step)]
    assert with_secrets == ["pulumi preview with the policy pack"]
    step = next(step for _, step in steps(preview) if reads_secrets(step))
    assert sorted(step["env"]) == ["PREVIEW_KUBECONFIG", "PULUMI_CONFIG_PASSPHRASE"]
    assert "head.repo.full_name == github.repository" in preview["if"]  # never for forks


def test_applies_run_in_the_stacks_environment() -> None:
    apply = WORKFLOWS["apply-stack.yml"]["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.stack }}"


# --- Medium 4: OIDC, not stored cloud keys -------------------------------------------------

AWS_OIDC = "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c"
PULUMI_OIDC = "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2"
LONG_LIVED = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PULUMI_ACCESS_TOKEN")
CLOUD_JOBS = [("pr.yml", "preview"), ("drift.yml", "drift"), ("apply-stack.yml", "apply")]


def test_no_workflow_reads_a_long_lived_cloud_key() -> None:
    text = {name: str(workflow) for name, workflow in WORKFLOWS.items()}
    assert [(name, key) for name, body in text.items() for key in LONG_LIVED if key in body] == []


@pytest.mark.parametrize(("name", "job_name"), CLOUD_JOBS)
def test_cloud_jobs_take_oidc_credentials_after_the_install(name: str, job_name: str) -> None:
    job = WORKFLOWS[name]["jobs"][job_name]
    assert job["permissions"]["id-token"] == "write"
    uses = [str(step.get("uses", "")) for _, step in steps(job)]
    installed = next(i for i, step in steps(job) if "make venv" in str(step.get("run", "")))
    for action in (AWS_OIDC, PULUMI_OIDC):
        [index] = [i for i, used in enumerate(uses) if used == action]
        assert index > installed, f"{action} runs before `make venv`"
    aws = next(step for _, step in steps(job) if step.get("uses") == AWS_OIDC)
    assert aws["with"]["role-to-assume"].startswith("${{ vars.AWS_")
    assert "vars.AWS_" in aws["if"]  # a repository without the role skips it


def test_deploy_grants_the_token_permission_to_each_apply() -> None:
    jobs = WORKFLOWS["deploy.yml"]["jobs"]
    assert {name: jobs[name]["permissions"]["id-token"] for name in ("dev", "staging", "prod")} == {
        "dev": "write",
        "staging": "write",
        "prod": "write",
    }
