"""Finding the Mermaid CLI: `$SHIPYARD_MMDC`, else `mmdc` on PATH, else a message saying
how to install it. (Rendering itself is tested with the real CLI in test_render.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.graph.svg import MMDC_ENV, RenderError, find_mmdc, render


def test_the_environment_names_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = tmp_path / "mmdc"
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    monkeypatch.setenv(MMDC_ENV, str(cli))
    assert find_mmdc() == str(cli)


def test_a_named_cli_that_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MMDC_ENV, str(tmp_path / "missing"))
    with pytest.raises(
        RenderError, match=r"`SHIPYARD_MMDC` is .*missing, which is not an executable"
    ):
        find_mmdc()


def test_no_cli_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MMDC_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"run `scripts/mermaid` .* set `SHIPYARD_MMDC`"):
        render("flowchart TB\n  a --> b\n")
