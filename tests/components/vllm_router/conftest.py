"""The real vLLM router (PyPI `vllm-router`, a Rust binary with a Python launcher) in its
own virtualenv under `~/.cache/shipyard/`, installed once per machine (about 30 s: a
24 MB wheel and five small dependencies). `SHIPYARD_VLLM_ROUTER_VENV` names another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cached_venv import install_requirement

ROUTER_REQUIREMENT = "vllm-router==0.1.17"
CACHE = Path.home() / ".cache" / "shipyard"
INSTALL_TIMEOUT_SECONDS = 600


def _install(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if (venv / "bin" / "vllm-router").exists():
        return python
    install_requirement(venv, ROUTER_REQUIREMENT, INSTALL_TIMEOUT_SECONDS)
    return python


@pytest.fixture(scope="session")
def router_python() -> Path:
    """The Python of the virtualenv that has the pinned router installed."""
    override = os.environ.get("SHIPYARD_VLLM_ROUTER_VENV")
    if override:
        return Path(override) / "bin" / "python"
    version = ROUTER_REQUIREMENT.rsplit("==", 1)[1]
    return _install(CACHE / f"vllm-router-{version}")
