"""Server-side dry runs: the real API server admits (or refuses) an object exactly as it
would on `kubectl apply --dry-run=server --validate=strict`, and persists nothing.

`dryRun=All` runs every admission step, mutating and validating webhooks included (they
declare `sideEffects: None`); `fieldValidation=Strict` refuses unknown and duplicate
fields instead of dropping them; CRD schemas and their CEL rules
(`x-kubernetes-validations`) are evaluated by the API server itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ResourceNotFoundError
from ruamel.yaml import YAML

QUERY = [("dryRun", "All"), ("fieldValidation", "Strict")]


@dataclass(frozen=True)
class Verdict:
    """What the API server answered for one object."""

    file: str
    kind: str
    accepted: bool
    served: bool
    """False when no API serves the kind (its CRD is not installed)."""
    message: str
    returned: dict[str, Any] | None = None
    """The object as admitted: after defaulting and mutating webhooks."""


def load_objects(directory: Path) -> dict[str, dict[str, Any]]:
    """`shipyard render --out` output: file name -> object."""
    yaml = YAML(typ="safe", pure=True)
    return {path.name: yaml.load(path.read_text()) for path in sorted(directory.glob("*.yaml"))}


def dry_run(dynamic: DynamicClient, manifest: dict[str, Any], file: str = "") -> Verdict:
    kind = f"{manifest['apiVersion']}/{manifest['kind']}"
    try:
        resource = dynamic.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
    except ResourceNotFoundError:
        return Verdict(file, kind, False, False, f"no API serves {kind}")
    namespace = manifest["metadata"].get("namespace") if resource.namespaced else None
    try:
        returned = dynamic.create(
            resource, body=manifest, namespace=namespace, query_params=list(QUERY)
        )
    except ApiException as error:
        try:
            message = json.loads(error.body)["message"]
        except (TypeError, ValueError, KeyError):
            message = str(error.body)
        return Verdict(file, kind, False, True, message)
    return Verdict(file, kind, True, True, "", returned.to_dict())
