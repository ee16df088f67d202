"""`spec.charts`' checks: exact versions, sources that exist, values that are readable,
free of literal credentials and valid against the chart's `values.schema.json`, and
dependencies that name something declared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipyard.blueprint.errors import Elsewhere, Finding, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.charts.args import chart_location, credential_secret_name
from shipyard.sections.charts.expand import chart_files, expand
from shipyard.sections.charts.model import EXACT_VERSION, ChartSpec
from shipyard.sections.charts.values import (
    literal_credentials,
    merge,
    merged_values,
    read_values_file,
    values_file,
)

DEPENDABLE_SECTIONS = {
    "postgres": "postgres",
    "cache": "cache",
    "objectStore": "object_store",
    "events": "events",
    "analytics": "analytics",
    "ray": "ray",
    "gateway": "gateway",
    "models": "models",
    "manifests": "manifests",
}
"""`dependsOn` names -> their `PlatformSpec` attributes: the sections a chart may wait for."""


def _version(path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    if not EXACT_VERSION.match(spec.version):
        yield (
            (*path, "version"),
            f"`{spec.version}` is not an exact version; pin one release, e.g. `1.2.3` "
            "(a range would deploy different code as new releases appear)",
        )


def _source(platform: Platform, path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    if spec.path is not None:
        if spec.mirror is not None:
            yield ((*path, "mirror"), "a chart from `path` has no repository to mirror")
        if spec.digest is not None:
            yield ((*path, "digest"), "a chart from `path` is no archive; remove `digest`")
        files = chart_files(chart_location(platform, spec), spec.version)
        if files is None:
            yield ((*path, "path"), f"`{spec.path}` is not a chart directory (no Chart.yaml)")
            return
        found = str(files.metadata.get("version", ""))
        if found != spec.version:
            yield (
                (*path, "version"),
                f"the chart at `{spec.path}` is version `{found}` (its Chart.yaml), not "
                f"`{spec.version}`",
            )
        return
    files = chart_files(chart_location(platform, spec), spec.version)
    if files is not None and spec.digest is not None and files.sha256 != spec.digest:
        yield (
            (*path, "digest"),
            f"the cached archive {files.location} has digest `{files.sha256}`, not "
            f"`{spec.digest}`; remove the archive or correct `digest`",
        )


def _values_files(platform: Platform, path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    from shipyard.blueprint.loader import display_name
    from shipyard.sections.manifests.documents import DocumentError, read_documents

    allowed = _allowed_references(spec)
    for index, name in enumerate(spec.values_files):
        file = values_file(platform.directory, name)
        try:
            read_values_file(file)
            documents = read_documents(file.read_text(encoding="utf-8"))
        except (ValueError, DocumentError) as error:
            yield ((*path, "valuesFiles", index), f"`{name}`: {error}")
            continue
        if not documents:
            continue
        document = documents[0]
        for where, what in literal_credentials(document.data, allowed):
            line, column = document.locate(where)
            message = (
                f"`{'.'.join(map(str, where))}` {what}; generate it with the chart's "
                "`credentials` and name that Secret in the values"
            )
            yield (
                (*path, "valuesFiles", index),
                Elsewhere(message, display_name(file), line, column),
            )


def _allowed_references(spec: ChartSpec) -> frozenset[str]:
    names = {credential_secret_name(spec, c.name) for c in spec.credentials}
    keys = {key for c in spec.credentials for key in c.keys}
    return frozenset(names | keys)


def _inline_credentials(path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    for where, what in literal_credentials(spec.values, _allowed_references(spec)):
        yield (
            (*path, "values", *where),
            f"{what}; a literal credential in values is refused: generate it with the chart's "
            "`credentials` and name that Secret in the values (e.g. `existingSecret`)",
        )


def _schema(platform: Platform, path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    import jsonschema

    files = chart_files(chart_location(platform, spec), spec.version)
    if files is None or files.schema is None:
        return
    values = merge(files.defaults, merged_values(spec, platform.directory))
    validator = jsonschema.Draft7Validator(files.schema)
    for error in sorted(
        validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path))
    ):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set((error.schema or {}).get("properties", {}))
            for key in sorted(k for k in error.instance if k not in known):
                shown = ".".join(map(str, (*where, key)))
                yield (
                    (*path, "values", *where, key),
                    f"`{shown}` is not a value of this chart{did_you_mean(key, known)} "
                    "(the chart's values.schema.json)",
                )
            continue
        shown = ".".join(map(str, where)) or "values"
        yield (
            (*path, "values", *where),
            f"`{shown}`: {error.message} (the chart's values.schema.json)",
        )


def _expansion(platform: Platform, path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    location = chart_location(platform, spec)
    if chart_files(location, spec.version) is None:
        return
    expansion = expand(
        location,
        spec.version,
        spec.name,
        spec.namespace or platform.namespace,
        merged_values(spec, platform.directory),
        not spec.skip_crds,
    )
    if expansion.objects is None and expansion.note and "failed" in expansion.note:
        yield ((*path, "values"), expansion.note)


def _depends_on(platform: Platform, path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    charts = {chart.name for chart in platform.spec.charts}
    for index, name in enumerate(spec.depends_on):
        if name == spec.name:
            yield ((*path, "dependsOn", index), "a chart cannot depend on itself")
        elif name in charts:
            continue
        elif name in DEPENDABLE_SECTIONS:
            declared = getattr(platform.spec, DEPENDABLE_SECTIONS[name])
            if not declared:
                yield ((*path, "dependsOn", index), f"the blueprint has no `spec.{name}`")
        else:
            hint = did_you_mean(name, [*charts, *DEPENDABLE_SECTIONS])
            yield (
                (*path, "dependsOn", index),
                f"`{name}` is neither a chart nor a section a chart may wait for{hint}",
            )


def _cycles(platform: Platform) -> Iterator[Finding]:
    after = {
        chart.name: [d for d in chart.depends_on if d != chart.name]
        for chart in platform.spec.charts
    }
    for index, chart in enumerate(platform.spec.charts):
        seen, stack = set(), list(after.get(chart.name, []))
        while stack:
            name = stack.pop()
            if name == chart.name:
                yield (
                    ("spec", "charts", index, "dependsOn"),
                    f"chart `{chart.name}` depends on itself through other charts",
                )
                break
            if name not in seen:
                seen.add(name)
                stack += after.get(name, [])


def _credentials(path: tuple[Any, ...], spec: ChartSpec) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, credential in enumerate(spec.credentials):
        if credential.name in seen:
            yield (
                (*path, "credentials", index, "name"),
                f"credential `{credential.name}` is declared twice",
            )
        seen.add(credential.name)
        if len(set(credential.keys)) != len(credential.keys):
            yield ((*path, "credentials", index, "keys"), "a key is listed twice")


def check_charts(platform: Platform) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, spec in enumerate(platform.spec.charts):
        path = ("spec", "charts", index)
        if spec.name in seen:
            yield ((*path, "name"), f"chart `{spec.name}` is declared twice")
        seen.add(spec.name)
        yield from _version(path, spec)
        yield from _source(platform, path, spec)
        yield from _values_files(platform, path, spec)
        yield from _inline_credentials(path, spec)
        yield from _credentials(path, spec)
        yield from _depends_on(platform, path, spec)
        schema = list(_schema(platform, path, spec))
        yield from schema
        if not schema:
            yield from _expansion(platform, path, spec)
    yield from _cycles(platform)
