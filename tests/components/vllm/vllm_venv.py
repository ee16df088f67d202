"""vLLM itself (`vllm==0.33.0`, the version of the pinned `vllm/vllm-openai` image) in a
virtualenv under `~/.cache/shipyard/vllm-venv`, installed once per machine.

It is big (about 4.6 GB to download, 9.5 GB installed; 10 to 40 minutes, depending on the
machine) but needs no GPU to parse arguments. `SHIPYARD_VLLM_VENV` names another one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from components.vllm.args import VLLM_IMAGE
from tests.cached_venv import install_requirement

VLLM_VERSION = VLLM_IMAGE.rsplit(":v", 1)[1]
VLLM_REQUIREMENT = f"vllm=={VLLM_VERSION}"
VENV = Path.home() / ".cache" / "shipyard" / "vllm-venv"
INSTALL_TIMEOUT_SECONDS = 3600


def vllm_python() -> Path:
    """The Python of a virtualenv with the pinned vLLM; installs it when it is missing."""
    override = os.environ.get("SHIPYARD_VLLM_VENV")
    venv = Path(override) if override else VENV
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import vllm, sys; print(vllm.__version__)"]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True, check=False, timeout=300)
        if found.returncode == 0 and found.stdout.strip() == VLLM_VERSION:
            return python
    install_requirement(venv, VLLM_REQUIREMENT, INSTALL_TIMEOUT_SECONDS)
    return python
