"""The real `promtool` and Grafana's dashboard schema, for every test that checks
rendered rules and dashboards.

`promtool` comes from `scripts/promtool` (cached; `$SHIPYARD_PROMTOOL` names another),
the schema from `scripts/grafana-dashboard-schema` (npm, cached). Either failing fails
the test that asked: these tests are never skipped.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _script(name: str, timeout: int) -> str:
    result = subprocess.run([str(SCRIPTS / name)], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"scripts/{name} failed:\n{result.stderr}", pytrace=False)
    return result.stdout.strip().splitlines()[-1]


@functools.cache
def promtool_path() -> Path:
    return Path(_script("promtool", timeout=1800))


@functools.cache
def dashboard_schema() -> dict[str, Any]:
    path = Path(_script("grafana-dashboard-schema", timeout=300))
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool_path()), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
