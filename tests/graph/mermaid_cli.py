"""The real Mermaid CLI for the tests that render diagrams."""

from __future__ import annotations

import functools
import subprocess

from tests.conftest import PROJECT_ROOT


@functools.cache
def mmdc() -> str:
    """The offline Mermaid CLI wrapper; `scripts/mermaid` installs it on first use (about
    75 s: Debian's Chromium and the npm package; `make tools` does it before the tests), so
    a test that renders never skips."""
    script = PROJECT_ROOT / "scripts" / "mermaid"
    result = subprocess.run([str(script)], capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"scripts/mermaid failed:\n{result.stderr}"
    return result.stdout.strip()
