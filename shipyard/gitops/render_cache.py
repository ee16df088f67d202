"""Renders kept by content hash, so a re-run of `shipyard plan` renders only what changed.

An entry's key is a SHA-256 of everything a render depends on: the blueprint's bytes and
its path in the repository, the stack's name, every file of the program (`stacks/*.py`,
`Pulumi.yaml`, the imported `shipyard` and `components` packages), the dependencies (the
project's `pyproject.toml` and every installed distribution's name and version), the
Shipyard version and the Python version. Change any of them and the key changes: the old
entry is never read again.

The directory may be shared (the GitHub Actions cache of pr.yml, several processes at
once): entries are written to a temporary file and renamed, and an entry is used only if
it parses, names its own key, its payload has the SHA-256 it records and every resource
has the expected shape. Anything else is a miss: rendered again and overwritten. The
digest detects a truncated or corrupted entry; it cannot detect one written on purpose by
someone who may write the directory, so the cache is only as trusted as its writers
(docs/performance.md says who they are in CI).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import components
import shipyard
from shipyard.render import STACK_PROGRAM, RenderedResource

PROGRAM_PACKAGES = tuple(Path(package.__file__ or "").parent for package in (shipyard, components))
"""The packages the stack program imports, where this process imports them from."""

CACHE_FORMAT = 2
"""Bumped when the entry layout or `RenderedResource` changes."""
CACHE_ENV = "SHIPYARD_RENDER_CACHE"
MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""An entry larger than this is not read (a 1,000-model render is about 40 MB)."""


def _digest(chunks: Iterable[bytes]) -> str:
    hasher = hashlib.sha256()
    for chunk in chunks:
        hasher.update(len(chunk).to_bytes(8, "big"))
        hasher.update(chunk)
    return hasher.hexdigest()


def _package_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def installed_distributions() -> list[str]:
    """Every installed distribution, as its metadata directory's name (`pulumi-3.259.0.dist-info`:
    name and version), on the import path. Listing the directories is what makes this
    cheap: reading each distribution's metadata took seconds."""
    found: set[str] = set()
    for entry in sys.path:
        directory = Path(entry) if entry else None  # "" is the working directory: not ours
        if directory is None or not directory.is_dir():
            continue
        found.update(
            path.name for path in directory.iterdir() if path.suffix in (".dist-info", ".egg-info")
        )
    return sorted(found)


def program_digest(project_root: Path, packages: tuple[Path, ...] = PROGRAM_PACKAGES) -> str:
    """The SHA-256 of the program's files and dependencies, as this process runs them."""
    files: list[tuple[str, Path]] = []
    for root in packages:
        files += [(f"{root.name}/{p.relative_to(root)}", p) for p in _package_files(root)]
    stacks = (project_root / STACK_PROGRAM).parent
    files += [(f"stacks/{p.name}", p) for p in sorted(stacks.glob("*.py"))]
    files += [(name, project_root / name) for name in ("Pulumi.yaml", "pyproject.toml")]
    chunks: list[bytes] = ["\n".join(installed_distributions()).encode()]
    for name, path in files:
        chunks.append(name.encode())
        chunks.append(path.read_bytes() if path.is_file() else b"<absent>")
    return _digest(chunks)


@dataclass(frozen=True)
class RenderKey:
    """What one render depends on; `digest` names its entry."""

    program: str
    """`program_digest` of the checkout doing the render."""
    blueprint_path: str
    """The blueprint's path in the repository (the stack config's `shipyard:blueprint`)."""
    blueprint: bytes
    stack: str

    @property
    def digest(self) -> str:
        return _digest(
            [
                f"shipyard-render-cache/{CACHE_FORMAT}".encode(),
                shipyard.__version__.encode(),
                sys.version.encode(),
                self.program.encode(),
                self.blueprint_path.encode(),
                self.blueprint,
                self.stack.encode(),
            ]
        )


def _encode(resource: RenderedResource) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "parent": resource.parent,
        "inputs": resource.inputs,
        "protect": resource.protect,
        "property_dependencies": {k: list(v) for k, v in resource.property_dependencies.items()},
        "dependencies": list(resource.dependencies),
        "provider": resource.provider,
        "ignore_changes": list(resource.ignore_changes),
        "note": resource.note,
    }


class _BadEntry(Exception):
    pass


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _BadEntry("expected a list of strings")
    return tuple(value)


def _optional_string(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _BadEntry("expected a string or null")
    return value


def _decode(row: Any) -> RenderedResource:
    if not isinstance(row, dict) or set(row) != set(_FIELDS):
        raise _BadEntry("a resource has unexpected fields")
    if not all(isinstance(row[key], str) for key in ("urn", "type", "name")):
        raise _BadEntry("`urn`, `type` and `name` must be strings")
    if not isinstance(row["inputs"], dict) or not isinstance(row["protect"], bool):
        raise _BadEntry("`inputs` must be a map and `protect` a boolean")
    deps = row["property_dependencies"]
    if not isinstance(deps, dict):
        raise _BadEntry("`property_dependencies` must be a map")
    return RenderedResource(
        urn=row["urn"],
        type=row["type"],
        name=row["name"],
        parent=_optional_string(row["parent"]),
        inputs=row["inputs"],
        protect=row["protect"],
        property_dependencies={str(key): _strings(urns) for key, urns in deps.items()},
        dependencies=_strings(row["dependencies"]),
        provider=_optional_string(row["provider"]),
        ignore_changes=_strings(row["ignore_changes"]),
        note=_optional_string(row["note"]),
    )


_FIELDS = tuple(_encode(RenderedResource("u", "t", "n", None, {})))


def _payload_text(resources: list[dict[str, Any]]) -> str:
    return json.dumps(resources, sort_keys=True, separators=(",", ":"), allow_nan=False)


class RenderCache:
    """Entries `<directory>/<first two hex digits>/<key digest>.json`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _path(self, key: RenderKey) -> Path:
        digest = key.digest
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, key: RenderKey) -> list[RenderedResource] | None:
        """The cached render, or None when absent or not valid (then it counts as a miss)."""
        found = self._read(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _read(self, key: RenderKey) -> list[RenderedResource] | None:
        path = self._path(key)
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        try:
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                raise _BadEntry("another format")
            if entry.get("key") != key.digest:
                raise _BadEntry("the entry names another key")
            payload = entry.get("payload")
            if not isinstance(payload, str):
                raise _BadEntry("no payload")
            if hashlib.sha256(payload.encode()).hexdigest() != entry.get("sha256"):
                raise _BadEntry("the payload does not have its recorded SHA-256")
            rows = json.loads(payload)
            if not isinstance(rows, list):
                raise _BadEntry("the payload is not a list")
            return [_decode(row) for row in rows]
        except (_BadEntry, ValueError):
            return None

    def put(self, key: RenderKey, resources: list[RenderedResource]) -> bool:
        """Store a render; False (and nothing written) if it holds a value JSON cannot
        carry exactly, or the directory cannot be written."""
        try:
            payload = _payload_text([_encode(resource) for resource in resources])
        except (TypeError, ValueError):
            return False
        entry = {
            "format": CACHE_FORMAT,
            "key": key.digest,
            "sha256": hashlib.sha256(payload.encode()).hexdigest(),
            "payload": payload,
        }
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        except OSError:
            return False
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, path)  # readers see the old entry or the whole new one
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            return False
        return True
