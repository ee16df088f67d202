"""The upstream Kubernetes OpenAPI schema, for checking hand-written objects offline.

The schema is `api/openapi-spec/v3` of the `k8s.io/kubernetes` Go module at the version the
e2e control plane runs (scripts/toolchain.versions `KUBERNETES_VERSION`), downloaded once
into the Go module cache with `go mod download`; it is never committed. The API server
prunes unknown fields instead of rejecting them, so every object schema is closed
(`additionalProperties: false`) here: a misspelt field is an error, not a silent no-op.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

KUBERNETES_MODULE = "k8s.io/kubernetes"
KUBERNETES_VERSION = "v1.34.4"
"""Keep equal to `KUBERNETES_VERSION` in scripts/toolchain.versions."""
SCHEMA_DIR_ENV = "SHIPYARD_KUBERNETES_OPENAPI"
"""A directory of `*_openapi.json` files to use instead of the module cache's."""
DOWNLOAD_TIMEOUT_SECONDS = 600

Key = tuple[str, str]
"""(apiVersion, kind)."""


class SchemaUnavailable(RuntimeError):
    """The schema could not be found or downloaded; the message says why."""


def closed(schema: Any) -> Any:
    """`schema` with every object that lists its properties closed to others."""
    if isinstance(schema, dict):
        result = {key: closed(value) for key, value in schema.items()}
        if (
            "properties" in result
            and "additionalProperties" not in result
            and not result.get("x-kubernetes-preserve-unknown-fields")
        ):
            result["additionalProperties"] = False
        return result
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


def _download() -> Path:
    go = shutil.which("go")
    if go is None:
        raise SchemaUnavailable(
            f"the Kubernetes schema comes from the Go module {KUBERNETES_MODULE} and `go` is "
            f"not installed; install Go or set {SCHEMA_DIR_ENV}"
        )
    env = {**os.environ, "GOFLAGS": "-mod=mod"}
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [go, "mod", "download", "-json", f"{KUBERNETES_MODULE}@{KUBERNETES_VERSION}"],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT_SECONDS,
            check=False,
        )
    try:
        directory = json.loads(result.stdout).get("Dir", "")
    except json.JSONDecodeError:
        directory = ""
    if result.returncode != 0 or not directory:
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SchemaUnavailable(
            f"cannot download {KUBERNETES_MODULE}@{KUBERNETES_VERSION}: {reason[0]}"
        )
    return Path(directory) / "api" / "openapi-spec" / "v3"


def schema_dir() -> Path:
    """Where the `*_openapi.json` files are, downloading the module the first time."""
    given = os.environ.get(SCHEMA_DIR_ENV)
    if given:
        return Path(given)
    go = shutil.which("go")
    if go is not None:
        cache = subprocess.run(
            [go, "env", "GOMODCACHE"], capture_output=True, text=True, timeout=60, check=False
        ).stdout.strip()
        candidate = Path(cache) / f"{KUBERNETES_MODULE}@{KUBERNETES_VERSION}" / "api"
        candidate = candidate / "openapi-spec" / "v3"
        if candidate.is_dir():
            return candidate
    return _download()


def _file_name(api_version: str) -> str:
    """The file of one group-version: `v1` -> `api__v1_openapi.json`, `apps/v1` ->
    `apis__apps__v1_openapi.json`. Each file holds every definition its kinds refer to."""
    if "/" not in api_version:
        return f"api__{api_version}_openapi.json"
    group, version = api_version.rsplit("/", 1)
    return f"apis__{group}__{version}_openapi.json"


@dataclass(frozen=True)
class KubernetesSchema:
    """The built-in kinds' schemas, one group-version file read when first needed."""

    directory: Path

    def validator(self, key: Key) -> jsonschema.protocols.Validator | None:
        """The closed schema's validator of (apiVersion, kind); None if not built in."""
        return _validator(self.directory, *key)


@functools.cache
def _group_version(directory: Path, api_version: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A group-version's closed definitions, and kind -> definition name."""
    file = directory / _file_name(api_version)
    if not file.is_file():
        return {}, {}
    document = json.loads(file.read_text(encoding="utf-8"))
    definitions = document.get("components", {}).get("schemas", {})
    kinds = {
        gvk["kind"]: name
        for name, definition in definitions.items()
        for gvk in definition.get("x-kubernetes-group-version-kind", [])
        if _api_version(gvk) == api_version
    }
    return closed(definitions), kinds


@functools.cache
def _validator(
    directory: Path, api_version: str, kind: str
) -> jsonschema.protocols.Validator | None:
    definitions, kinds = _group_version(directory, api_version)
    name = kinds.get(kind)
    if name is None:
        return None
    root = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": definitions}}
    return jsonschema.Draft202012Validator(root)


def _api_version(gvk: Mapping[str, str]) -> str:
    return f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]


@functools.cache
def kubernetes_schema(directory: Path | None = None) -> KubernetesSchema:
    """The schema in `directory` (default `schema_dir()`); `SchemaUnavailable` if none."""
    directory = directory or schema_dir()
    if not (directory / _file_name("v1")).is_file():
        raise SchemaUnavailable(f"no Kubernetes OpenAPI files in {directory}")
    return KubernetesSchema(directory)


def crd_schemas(crds: Sequence[Mapping[str, Any]]) -> dict[Key, Any]:
    """(apiVersion, kind) -> the closed `openAPIV3Schema` of every version these CRDs
    define."""
    schemas: dict[Key, Any] = {}
    for crd in crds:
        spec = crd.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        for version in spec.get("versions") or []:
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if group and kind and schema:
                # The API server adds these to every CRD's schema; a CRD does not list them.
                implicit = {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "metadata": {"type": "object"},
                }
                properties = {**implicit, **(schema.get("properties") or {})}
                schemas[(f"{group}/{version['name']}", kind)] = closed(
                    {**schema, "properties": properties}
                )
    return schemas


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    """Where in the object, down to the offending key."""
    message: str


def _unexpected(error: jsonschema.ValidationError) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    known = set(schema.get("properties", {}))
    return sorted(key for key in instance if key not in known)


def schema_problems(
    validator: jsonschema.protocols.Validator, manifest: Mapping[str, Any]
) -> Iterator[SchemaProblem]:
    """Each place where `manifest` breaks its schema: unknown fields by name (with the
    closest known one), wrong types and values."""
    import difflib

    for error in validator.iter_errors(manifest):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and error.validator_value is False:
            known = (
                list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
            )
            for key in _unexpected(error):
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                yield SchemaProblem((*path, key), f"unknown field `{key}`{hint}")
            continue
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        yield SchemaProblem(path, message)
