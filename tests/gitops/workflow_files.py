"""Reading the GitHub workflows as data, for tests that judge what they do with secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOW_DIR = PROJECT_ROOT / ".github" / "workflows"

# `${{ secrets.X }}`, `${{ secrets['X'] }}` and the job's own token, `github.token`.
_SECRET = re.compile(r"\$\{\{[^}]*\b(secrets\s*[.\[]|github\.token)")


def load(path: Path) -> dict[str, Any]:
    # YAML 1.2 (ruamel's default) keeps the `on:` key a string.
    data = YAML(typ="safe").load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path) for path in sorted(WORKFLOW_DIR.glob("*.yml"))}


def secret_names(env: Mapping[str, Any] | None) -> list[str]:
    """The variables of an `env:` block whose value reads a secret."""
    return sorted(name for name, value in (env or {}).items() if _SECRET.search(str(value)))


def steps(job: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    yield from enumerate(job.get("steps") or [])


def step_label(index: int, step: Mapping[str, Any]) -> str:
    return str(step.get("name") or step.get("uses") or step.get("run", "")).splitlines()[0]


def reads_secrets(step: Mapping[str, Any]) -> bool:
    """True when the step's env or `with:` inputs take a secret."""
    return bool(secret_names(step.get("env"))) or bool(secret_names(step.get("with")))
