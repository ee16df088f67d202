"""The GitHub workflows pass actionlint (built from its Go module by scripts/actionlint),
and the wrapper really fails on a broken workflow."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
ACTIONLINT = PROJECT_ROOT / "scripts" / "actionlint"
WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))


def run(*files: Path) -> subprocess.CompletedProcess[str]:
    built = list(Path.home().glob(".cache/shipyard/tools/actionlint-*"))
    if shutil.which("go") is None and not built:
        # A missing prerequisite is a failure to fix, never a silent skip.
        pytest.fail("actionlint is built from its Go module: install Go 1.24+", pytrace=False)
    # The first run builds actionlint (about a minute cold); later runs take milliseconds.
    return subprocess.run(
        [str(ACTIONLINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_our_workflows_pass_actionlint() -> None:
    assert {path.name for path in WORKFLOWS} >= {"pr.yml", "deploy.yml", "drift.yml"}
    result = run(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_fails(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = run(broken)
    assert result.returncode == 1
    assert 'job "a" needs job "missing" which does not exist' in result.stdout
