"""A virtualenv under `~/.cache/shipyard/` with one pinned requirement, made once per machine
for the tests that run a real third-party program (LiteLLM, vLLM's parser, the vLLM router)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def install_requirement(venv: Path, requirement: str, timeout_seconds: int) -> None:
    """Create `venv` if needed and pip-install `requirement` into it; a failed install
    raises with pip's own last words, so the test says why rather than what."""
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", requirement],
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"installing {requirement} failed:\n{result.stderr[-4000:]}")
