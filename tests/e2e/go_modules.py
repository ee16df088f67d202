"""Source trees of pinned Go modules, from the Go module cache (`go mod download`).

The e2e reads upstream files it never commits from them: CloudNativePG's webhook
manifests, KubeRay's Helm chart."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def pin(key: str) -> str:
    """A value of scripts/toolchain.versions."""
    for line in (REPO_ROOT / "scripts" / "toolchain.versions").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == key and not name.startswith("#"):
            return value.strip()
    raise KeyError(f"{key} is not pinned in scripts/toolchain.versions")


def module_dir(module: str, version: str) -> Path:
    """The module's directory in the module cache, downloaded once."""
    result = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "GOFLAGS": "-mod=mod"},
    )
    info = json.loads(result.stdout or "{}")
    problem = info.get("Error") or result.stderr
    assert "Dir" in info, f"go mod download {module}@{version}: {problem}"
    return Path(info["Dir"])


def kuberay_chart() -> Path:
    """The `kuberay-operator` Helm chart of the pinned KubeRay release (root module)."""
    chart = module_dir("github.com/ray-project/kuberay", f"v{pin('KUBERAY_VERSION')}")
    return chart / "helm-chart" / "kuberay-operator"


def cloudnative_pg() -> Path:
    """The pinned CloudNativePG release's source (its webhook manifests)."""
    version = f"v{pin('CLOUDNATIVE_PG_VERSION')}"
    return module_dir("github.com/cloudnative-pg/cloudnative-pg", version)
