"""Read `spec.manifests`' files into objects, namespaced to the platform, with every
problem a user can fix at the file's FILE:LINE (pure but for reading the files)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipyard.blueprint.errors import Elsewhere, Finding, format_path
from shipyard.blueprint.loader import display_name
from shipyard.blueprint.platform import Platform
from shipyard.sections.manifests.documents import Document, DocumentError, read_documents
from shipyard.sections.manifests.scope import cluster_scoped_custom, is_cluster_scoped, namespaced


@dataclass(frozen=True)
class ManifestObject:
    """One object of one file: as written (`document`) and as applied (`manifest`)."""

    index: int
    """Its file's index in `spec.manifests`."""
    file: Path
    document: Document
    manifest: dict[str, Any]

    @property
    def shown(self) -> str:
        return display_name(self.file)

    def at(self, path: tuple[str | int, ...], message: str) -> Finding:
        """A finding at `path` inside this object, in its file."""
        line, column = self.document.locate(path)
        kind = self.manifest.get("kind", "object")
        name = (self.manifest.get("metadata") or {}).get("name", "?")
        where = f"`{format_path(path)}`: " if path else ""
        text = f"{kind} `{name}`: {where}{message}"
        return (
            ("spec", "manifests", self.index, "path"),
            Elsewhere(text, self.shown, line, column),
        )


@dataclass(frozen=True)
class LoadedManifests:
    objects: list[ManifestObject]
    findings: list[Finding]

    @property
    def crds(self) -> list[dict[str, Any]]:
        return [
            o.manifest for o in self.objects if o.manifest.get("kind") == "CustomResourceDefinition"
        ]


def manifest_path(platform: Platform, path: str) -> Path:
    return (platform.directory / path).resolve()


def _read(platform: Platform, index: int, path: str) -> Iterator[ManifestObject | Finding]:
    field = ("spec", "manifests", index, "path")
    file = manifest_path(platform, path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8"
        yield (field, f"cannot read `{path}`: {reason}; give a YAML file relative to the blueprint")
        return
    try:
        documents = read_documents(text)
    except DocumentError as error:
        yield (field, Elsewhere(str(error), display_name(file), error.line, error.column))
        return
    if not documents:
        yield (field, f"`{path}` holds no objects")
    for document in documents:
        data = document.data
        if not isinstance(data, dict):
            yield (
                field,
                Elsewhere(
                    "a document must be one Kubernetes object (a mapping)",
                    display_name(file),
                    document.line,
                ),
            )
            continue
        yield ManifestObject(index, file, document, data)


def _shape(obj: ManifestObject, namespace: str) -> Iterator[Finding]:
    data = obj.document.data
    for key in ("apiVersion", "kind"):
        if not isinstance(data.get(key), str) or not data.get(key):
            yield obj.at((key,), f"`{key}` is required")
    metadata = data.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        yield obj.at(
            ("metadata",), "`metadata.name` is required (generated names cannot be diffed)"
        )
    if data.get("kind") == "Namespace":
        yield obj.at(
            ("kind",), f"the platform owns its namespace `{namespace}`; remove this Namespace"
        )
    if data.get("kind") == "Secret" and (data.get("data") or data.get("stringData")):
        yield obj.at(
            ("data" if data.get("data") else "stringData",),
            "a Secret's values may not be written in a manifest; use a chart's `credentials` "
            "or create the Secret outside the repo and reference it",
        )


def load_manifests(platform: Platform) -> LoadedManifests:
    """Every object of every file, and the problems of reading, shape and namespace."""
    objects: list[ManifestObject] = []
    findings: list[Finding] = []
    for index, spec in enumerate(platform.spec.manifests):
        for item in _read(platform, index, spec.path):
            if isinstance(item, ManifestObject):
                objects.append(item)
            else:
                findings.append(item)
    namespace = platform.namespace
    custom = cluster_scoped_custom(
        o.document.data
        for o in objects
        if o.document.data.get("kind") == "CustomResourceDefinition"
    )
    placed: list[ManifestObject] = []
    seen: dict[tuple[str, str, str, str], ManifestObject] = {}
    for obj in objects:
        shape = list(_shape(obj, namespace))
        findings += shape
        if shape:
            continue
        data = obj.document.data
        written = (data.get("metadata") or {}).get("namespace")
        cluster = is_cluster_scoped(data, custom)
        if written is not None and not cluster and written != namespace:
            findings.append(
                obj.at(
                    ("metadata", "namespace"),
                    f"manifests are namespaced to the platform (`{namespace}`), not `{written}`; "
                    "remove `metadata.namespace`",
                )
            )
            continue
        manifest = namespaced(data, namespace, custom)
        group = (
            str(manifest["apiVersion"]).rsplit("/", 1)[0] if "/" in manifest["apiVersion"] else ""
        )
        key = (
            group,
            manifest["kind"],
            manifest["metadata"].get("namespace", ""),
            manifest["metadata"]["name"],
        )
        if key in seen:
            first = seen[key]
            findings.append(
                obj.at(
                    ("metadata", "name"),
                    f"declared twice; first in {first.shown}:{first.document.line}",
                )
            )
            continue
        seen[key] = obj
        placed.append(ManifestObject(obj.index, obj.file, obj.document, manifest))
    return LoadedManifests(placed, findings)
