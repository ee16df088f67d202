"""Expanding charts offline: what `helm.v4.Chart` would create, where the chart's files are
here (a directory in the repo, or an archive in the chart cache) and a Helm CLI is.

`shipyard render` runs the stack program under mocks, where the provider that expands a
`helm.v4.Chart` does not run; the render's mock monitor calls `expand_registered` in its
place. A remote chart not in the cache is one opaque entry with a note, never a failure."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipyard.sections.charts.helm import HelmFailed, helm_binary, helm_template
from shipyard.sections.charts.source import ChartFiles, cached_chart, chart_cache, local_chart
from shipyard.sections.manifests.scope import cluster_scoped_custom, namespaced

CHART_TYPE = "kubernetes:helm.sh/v4:Chart"
CONFIG_GROUP_TYPE = "kubernetes:yaml/v2:ConfigGroup"


@dataclass(frozen=True)
class Expansion:
    """The objects a chart creates, or None with a note saying why they are not shown."""

    objects: list[dict[str, Any]] | None
    note: str | None = None
    files: ChartFiles | None = field(default=None, compare=False)


def chart_files(chart: str, version: str) -> ChartFiles | None:
    """A chart's files: `chart` is a directory, an `oci://` reference or a repository
    chart's name."""
    if chart.startswith("/") or chart.startswith("."):
        return local_chart(Path(chart))
    return cached_chart(chart.rstrip("/").rsplit("/", 1)[-1], version)


def _namespaced(objects: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    crds = [o for o in objects if o.get("kind") == "CustomResourceDefinition"]
    custom = cluster_scoped_custom(crds)
    return [namespaced(o, namespace, custom) for o in objects]


def _fingerprint(location: Path) -> str:
    """What the chart's files are now: the archive's size and time, or every file's in a
    directory; a cached expansion is reused only while it holds."""
    paths = (
        [location] if location.is_file() else sorted(p for p in location.rglob("*") if p.is_file())
    )
    return ";".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths)


@functools.lru_cache(maxsize=64)
def _template(
    binary: Path,
    location: Path,
    _fingerprint: str,
    release: str,
    namespace: str,
    values_json: str,
    crds: bool,
) -> tuple[list[dict[str, Any]] | None, str | None]:
    try:
        objects = helm_template(binary, release, location, namespace, json.loads(values_json), crds)
    except HelmFailed as error:
        return None, f"`helm template` failed: {error}"
    return _namespaced(objects, namespace), None


def expand(
    chart: str,
    version: str,
    release: str,
    namespace: str,
    values: Mapping[str, Any],
    include_crds: bool = True,
) -> Expansion:
    files = chart_files(chart, version)
    if files is None:
        return Expansion(
            None,
            f"chart `{chart}` {version} is not here, so its objects are not shown or "
            f"checked; `helm pull` it into {chart_cache()} to see them",
        )
    binary = helm_binary()
    if binary is None:
        return Expansion(None, "no Helm CLI to expand the chart offline; run scripts/helm", files)
    objects, note = _template(
        binary,
        files.location,
        _fingerprint(files.location),
        release,
        namespace,
        json.dumps(values, sort_keys=True),
        include_crds,
    )
    return Expansion(objects, note, files)


def expand_registered(name: str, inputs: Mapping[str, Any]) -> Expansion:
    """The expansion of a `helm.v4.Chart` registered as `name` with `inputs` (as the
    mock monitor sees them)."""
    return expand(
        str(inputs.get("chart", "")),
        str(inputs.get("version", "")),
        name,
        str(inputs.get("namespace", "default")),
        inputs.get("values") or {},
        not inputs.get("skipCrds", False),
    )


def local_chart_objects(platform: Any) -> dict[str, list[dict[str, Any]]]:
    """Chart name -> its objects, for the blueprint's charts that expand offline."""
    from shipyard.sections.charts.args import chart_location
    from shipyard.sections.charts.values import merged_values

    found = {}
    for spec in platform.spec.charts:
        location = chart_location(platform, spec)
        expansion = expand(
            location,
            spec.version,
            spec.name,
            spec.namespace or platform.namespace,
            merged_values(spec, platform.directory),
            not spec.skip_crds,
        )
        if expansion.objects is not None:
            found[spec.name] = expansion.objects
    return found
