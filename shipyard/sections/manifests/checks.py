"""`spec.manifests`' checks: each file's objects are read, namespaced, and validated
against the upstream Kubernetes OpenAPI schema (built-in kinds) or the CRDs the blueprint
itself installs (its manifests' and its local charts'), at the file's FILE:LINE."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipyard.blueprint.errors import Finding
from shipyard.blueprint.platform import Platform
from shipyard.sections.manifests.load import LoadedManifests, load_manifests
from shipyard.sections.manifests.openapi import (
    SchemaUnavailable,
    crd_schemas,
    kubernetes_schema,
    schema_problems,
)


def installed_crds(platform: Platform, loaded: LoadedManifests) -> list[dict[str, Any]]:
    """The CRDs the blueprint installs: its manifests' and those of its charts that expand
    offline."""
    from shipyard.sections.charts.expand import local_chart_objects

    crds = list(loaded.crds)
    for objects in local_chart_objects(platform).values():
        crds += [obj for obj in objects if obj.get("kind") == "CustomResourceDefinition"]
    return crds


def _schema_findings(platform: Platform, loaded: LoadedManifests) -> Iterator[Finding]:
    import jsonschema

    builtin = kubernetes_schema()
    custom = crd_schemas(installed_crds(platform, loaded))
    for obj in loaded.objects:
        key = (obj.manifest["apiVersion"], obj.manifest["kind"])
        validator = builtin.validator(key)
        if validator is None and key in custom:
            validator = jsonschema.Draft202012Validator(custom[key])
        if validator is None:
            continue  # `unchecked_kinds` reports it as an advisory
        # Validate the object as written: the namespace Shipyard adds is not the user's.
        for problem in schema_problems(validator, obj.document.data):
            yield obj.at(problem.path, problem.message)


def check_manifests(platform: Platform) -> Iterator[Finding]:
    if not platform.spec.manifests:
        return
    loaded = load_manifests(platform)
    yield from loaded.findings
    try:
        yield from _schema_findings(platform, loaded)
    except SchemaUnavailable:
        return  # `advise_manifests` says the schema check did not run, and why


def advise_manifests(platform: Platform) -> Iterator[Finding]:
    """Objects no schema checks: the Kubernetes schema unavailable, or a custom kind whose
    CRD the blueprint does not install."""
    if not platform.spec.manifests:
        return
    loaded = load_manifests(platform)
    try:
        builtin = kubernetes_schema()
    except SchemaUnavailable as error:
        yield (
            ("spec", "manifests"),
            f"manifests not checked against the Kubernetes schema: {error}",
        )
        return
    custom = crd_schemas(installed_crds(platform, loaded))
    for obj in loaded.objects:
        key = (obj.manifest["apiVersion"], obj.manifest["kind"])
        if builtin.validator(key) is None and key not in custom:
            yield obj.at(
                ("kind",),
                f"`{key[0]}` `{key[1]}` is neither built in nor defined by a CRD this blueprint "
                "installs, so its fields are not checked",
            )
