"""A real HAProxy for the cache tests: `SHIPYARD_HAPROXY`, or `haproxy` on `PATH`, or else
Debian's package and its libraries fetched once with `apt-get download` and unpacked with
`dpkg -x` into `~/.cache/shipyard/haproxy/` (nothing installed system-wide, no service
started). Debian bookworm ships HAProxy 2.6 LTS; the image runs 3.2 LTS, which reads the
same configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path.home() / ".cache" / "shipyard" / "haproxy"
PACKAGES = ("haproxy", "liblua5.3-0", "libopentracing-c-wrapper0", "libopentracing1")
LIBRARIES = "usr/lib/x86_64-linux-gnu"


def haproxy_command() -> tuple[list[str], dict[str, str]]:
    """The command that runs HAProxy and the environment it needs."""
    named = os.environ.get("SHIPYARD_HAPROXY") or shutil.which("haproxy")
    if named:
        return [named], {}
    binary = CACHE / "root" / "usr" / "sbin" / "haproxy"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(
            ["apt-get", "download", *PACKAGES],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if fetched.returncode != 0:
            raise AssertionError(
                "could not fetch HAProxy (run `apt-get update` first, or install `haproxy`, "
                f"or name it with SHIPYARD_HAPROXY):\n{fetched.stderr[-2000:]}"
            )
        for package in CACHE.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(package), str(CACHE / "root")], check=True)
    return [str(binary)], {"LD_LIBRARY_PATH": str(CACHE / "root" / LIBRARIES)}
