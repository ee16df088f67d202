"""Where a chart's files are, when they are here: a directory in the repo, or an archive
in the chart cache (`~/.cache/shipyard/charts/<chart>-<version>.tgz`, as `helm pull`
names it). A remote chart not in the cache has no files offline (pure but for reading)."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shipyard.sections.charts.helm import cache_root

CHART_CACHE_ENV = "SHIPYARD_CHART_CACHE"
"""A directory of `helm pull`ed archives to use instead of ~/.cache/shipyard/charts."""


def chart_cache() -> Path:
    return Path(os.environ.get(CHART_CACHE_ENV) or cache_root() / "charts")


@dataclass(frozen=True)
class ChartFiles:
    """A chart that is here: its location and the files Shipyard reads before Helm."""

    location: Path
    """A chart directory or a `.tgz`."""
    metadata: dict[str, Any]
    """`Chart.yaml`."""
    defaults: dict[str, Any]
    """`values.yaml`."""
    schema: dict[str, Any] | None
    """`values.schema.json`, when the chart has one."""
    sha256: str | None = None
    """The archive's digest (`sha256:...`); None for a directory."""


def _from_directory(directory: Path) -> ChartFiles | None:
    chart_yaml = directory / "Chart.yaml"
    if not chart_yaml.is_file():
        return None
    values = directory / "values.yaml"
    schema = directory / "values.schema.json"
    return ChartFiles(
        directory,
        yaml.safe_load(chart_yaml.read_text(encoding="utf-8")) or {},
        (yaml.safe_load(values.read_text(encoding="utf-8")) or {}) if values.is_file() else {},
        json.loads(schema.read_text(encoding="utf-8")) if schema.is_file() else None,
    )


def _from_archive(archive: Path) -> ChartFiles | None:
    def member(tar: tarfile.TarFile, name: str) -> str | None:
        found = next(
            (m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/" + name)),
            None,
        )
        handle = tar.extractfile(found) if found else None
        return handle.read().decode("utf-8") if handle else None

    with tarfile.open(archive, "r:gz") as tar:
        chart_yaml, values, schema = (
            member(tar, n) for n in ("Chart.yaml", "values.yaml", "values.schema.json")
        )
    if chart_yaml is None:
        return None
    digest = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    return ChartFiles(
        archive,
        yaml.safe_load(chart_yaml) or {},
        (yaml.safe_load(values) or {}) if values else {},
        json.loads(schema) if schema else None,
        digest,
    )


def local_chart(directory: Path) -> ChartFiles | None:
    return _from_directory(directory) if directory.is_dir() else None


def cached_chart(chart: str, version: str) -> ChartFiles | None:
    """The archive `helm pull <chart> --version <version>` left in the cache, if any."""
    archive = chart_cache() / f"{chart}-{version.removeprefix('v')}.tgz"
    if not archive.is_file():
        archive = chart_cache() / f"{chart}-{version}.tgz"
    return _from_archive(archive) if archive.is_file() else None
