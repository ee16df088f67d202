"""The real LiteLLM proxy for the gateway tests, in its own virtualenv.

LiteLLM's proxy extra pins versions that conflict with Shipyard's own
dependencies (pydantic, jsonschema, click, rich), so it cannot live in
`.venv`. It runs as a separate process anyway: the first run installs the
pinned release into `~/.cache/shipyard/gateway-test/` (about 1.5 minutes),
later runs reuse it. `SHIPYARD_LITELLM` names another `litellm` executable.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cached_venv import install_requirement

LITELLM_REQUIREMENT = "litellm[proxy]==1.83.14"
CACHE = Path.home() / ".cache" / "shipyard" / "gateway-test"
INSTALL_TIMEOUT_SECONDS = 900


def _install(venv: Path) -> Path:
    executable = venv / "bin" / "litellm"
    if executable.exists():
        return executable
    install_requirement(venv, LITELLM_REQUIREMENT, INSTALL_TIMEOUT_SECONDS)
    return executable


@pytest.fixture(scope="session")
def litellm_executable() -> Path:
    """The `litellm` CLI of the pinned release; installed once per machine."""
    override = os.environ.get("SHIPYARD_LITELLM")
    if override:
        return Path(override)
    version = LITELLM_REQUIREMENT.rsplit("==", 1)[1]
    return _install(CACHE / f"litellm-{version}")
