"""The Helm CLI that expands charts offline (`shipyard render`, `shipyard validate`).

Under Pulumi mocks the Kubernetes provider does not run, so nothing expands a
`helm.v4.Chart` there; Shipyard runs `helm template` itself, from a binary built from
Helm's Go module by `scripts/helm` into ~/.cache/shipyard/ (never committed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

HELM_VERSION = "v4.3.2"
"""Keep equal to `HELM_VERSION` in scripts/helm."""
HELM_ENV = "SHIPYARD_HELM"
"""The helm binary to use instead of the cached one."""
KUBE_VERSION = "1.34.4"
"""The Kubernetes version `helm template` assumes (`.Capabilities.KubeVersion`), that of the
e2e control plane (scripts/toolchain.versions)."""
TEMPLATE_TIMEOUT_SECONDS = 120


class HelmFailed(RuntimeError):
    """`helm template` refused the chart; the message is Helm's own."""


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "shipyard"


def helm_binary() -> Path | None:
    """`$SHIPYARD_HELM`, else the binary `scripts/helm` builds, else `helm` on PATH."""
    given = os.environ.get(HELM_ENV)
    if given:
        return Path(given)
    built = cache_root() / "helm" / HELM_VERSION / "bin" / "helm"
    if built.is_file():
        return built
    found = shutil.which("helm")
    return Path(found) if found else None


def helm_template(
    binary: Path,
    release: str,
    chart: Path,
    namespace: str,
    values: dict[str, Any],
    include_crds: bool,
) -> list[dict[str, Any]]:
    """The objects `helm template` renders for `chart` (a directory or a `.tgz`)."""
    home = Path(tempfile.mkdtemp(prefix="shipyard-helm-"))
    try:
        values_file = home / "values.yaml"
        values_file.write_text(yaml.safe_dump(values, sort_keys=True), encoding="utf-8")
        command = [
            str(binary),
            "template",
            release,
            str(chart),
            "--namespace",
            namespace,
            "--kube-version",
            KUBE_VERSION,
            "--values",
            str(values_file),
        ]
        if include_crds:
            command.append("--include-crds")
        # Helm's config, cache and data stay in a scratch directory: nothing of the user's.
        env = {
            **os.environ,
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_DATA_HOME": str(home / "data"),
        }
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            timeout=TEMPLATE_TIMEOUT_SECONDS,
            check=False,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise HelmFailed(lines[-1] if lines else f"helm exited {result.returncode}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if isinstance(doc, dict)]
