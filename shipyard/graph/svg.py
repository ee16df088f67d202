"""Mermaid source rendered to SVG or PNG by the Mermaid CLI (`mmdc`) in headless Chromium.

No pure-Python renderer draws these diagrams well: PyPI's `merm` 0.1.5 (the one found) has
no `linkStyle`, shows HTML labels and quotes literally, and at the size of prod.yaml lays
layers out of order with edges through nodes. So the picture is Mermaid's own, as GitHub
draws it. `scripts/mermaid` installs the CLI with Debian's Chromium and prints a wrapper
that runs it offline; `SHIPYARD_MMDC` names it (or an `mmdc` on PATH is used).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

MMDC_ENV = "SHIPYARD_MMDC"
PNG_WIDTH = 2800
"""The page a PNG is drawn on, in pixels: prod.yaml's picture at its natural size (Mermaid
shrinks a diagram to the page, never enlarges it)."""
RENDER_TIMEOUT_SECONDS = 180
"""One browser start (about 2 s) plus about 1 s per diagram; generous for a loaded machine."""


class RenderError(Exception):
    """The Mermaid CLI is missing or refused a diagram; the message says which and why."""


def find_mmdc() -> str:
    """`$SHIPYARD_MMDC`, else `mmdc` on PATH; a `RenderError` saying how to install it."""
    named = os.environ.get(MMDC_ENV)
    if named:
        if not os.access(named, os.X_OK):
            raise RenderError(f"`{MMDC_ENV}` is {named}, which is not an executable")
        return named
    found = shutil.which("mmdc")
    if found is None:
        raise RenderError(
            "rendering needs the Mermaid CLI: run `scripts/mermaid` (installs it with "
            f"Debian's Chromium, once) and set `{MMDC_ENV}` to the path it prints; or use "
            "`--format mermaid` and paste the source into any Mermaid renderer"
        )
    return found


def _failure(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    # mmdc prints the parse error first, then a JavaScript stack.
    head = [line for line in lines if not line.lstrip().startswith("at ")][:6]
    return "\n".join(head) or f"exit status {result.returncode}"


def _run(mmdc: str, args: list[str], cwd: Path) -> None:
    try:
        result = subprocess.run(
            [mmdc, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"the Mermaid CLI took over {RENDER_TIMEOUT_SECONDS} s") from error
    except OSError as error:
        raise RenderError(f"cannot run the Mermaid CLI {mmdc}: {error}") from error
    if result.returncode != 0:
        raise RenderError(f"the Mermaid CLI failed:\n{_failure(result)}")


def render(source: str, suffix: str = "svg", mmdc: str | None = None) -> bytes:
    """One diagram as SVG (`suffix="svg"`) or PNG (`"png"`)."""
    mmdc = mmdc or find_mmdc()
    with tempfile.TemporaryDirectory(prefix="shipyard-graph-") as scratch:
        work = Path(scratch)
        (work / "graph.mmd").write_text(source, encoding="utf-8")
        out = work / f"graph.{suffix}"
        args = ["--input", "graph.mmd", "--output", out.name, "--backgroundColor", "white"]
        if suffix == "png":
            args += ["--width", str(PNG_WIDTH)]
        _run(mmdc, args, work)
        return out.read_bytes()


def render_many(sources: Mapping[str, str], mmdc: str | None = None) -> dict[str, str]:
    """Several diagrams as SVG in one browser (a markdown file of Mermaid blocks), by name."""
    mmdc = mmdc or find_mmdc()
    names = list(sources)
    with tempfile.TemporaryDirectory(prefix="shipyard-graph-") as scratch:
        work = Path(scratch)
        blocks = [f"```mermaid\n{sources[name]}```\n" for name in names]
        (work / "graphs.md").write_text("\n".join(blocks), encoding="utf-8")
        _run(mmdc, ["--input", "graphs.md", "--output", "out.md"], work)
        return {
            name: (work / f"out-{index}.svg").read_text(encoding="utf-8")
            for index, name in enumerate(names, start=1)
        }
