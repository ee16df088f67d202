"""A real redis_exporter for the cache tests: `SHIPYARD_REDIS_EXPORTER`, or
`prometheus-redis-exporter` on `PATH`, or else Debian's package fetched once with
`apt-get download` and unpacked with `dpkg -x` into `~/.cache/shipyard/redis-exporter/`
(nothing installed system-wide, no service started; a static Go binary, about 2 s).
Debian bookworm ships 1.45.0; the image runs 1.80.1, which takes the same flags."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path.home() / ".cache" / "shipyard" / "redis-exporter"
PACKAGE = "prometheus-redis-exporter"


def exporter_executable() -> str:
    named = os.environ.get("SHIPYARD_REDIS_EXPORTER") or shutil.which(PACKAGE)
    if named:
        return named
    binary = CACHE / "root" / "usr" / "bin" / PACKAGE
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(
            ["apt-get", "download", PACKAGE],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if fetched.returncode != 0:
            raise AssertionError(
                f"could not fetch redis_exporter (run `apt-get update` first, or install "
                f"`{PACKAGE}`, or name it with SHIPYARD_REDIS_EXPORTER):\n{fetched.stderr[-2000:]}"
            )
        for package in CACHE.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(package), str(CACHE / "root")], check=True)
    return str(binary)
