"""CLI tests run `shipyard` in-process, from the project root, as a user would."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shipyard.cli.main import cli

Invoke = Callable[[Sequence[str]], Result]


@pytest.fixture
def invoke(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run `shipyard ARGS...` from the project root; stdout and stderr kept apart."""
    monkeypatch.chdir(project_root)

    def run(args: Sequence[str]) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run
