"""The openAPIV3Schema of operators' real CRDs, for validating rendered custom resources.

The CRDs come from the operators' Go modules at pinned versions
(`scripts/operator-crds`), downloaded once into the Go module cache; they are
never committed. The API server prunes unknown fields instead of rejecting
them, so `closed` shuts every object schema (`additionalProperties: false`)
to catch a misspelt field that would otherwise vanish silently.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from shipyard.sections.manifests.openapi import closed

ROOT = Path(__file__).resolve().parents[2]
OPERATOR_CRDS = ROOT / "scripts" / "operator-crds"

Schemas = dict[tuple[str, str], dict[str, Any]]


def crd_paths(*operators: str) -> list[Path]:
    """The CRD files of these operators (`scripts/operator-crds` names)."""
    result = subprocess.run(
        [str(OPERATOR_CRDS), *operators],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [Path(line) for line in result.stdout.splitlines()]


def load_schemas(paths: list[Path], needed: set[str]) -> Schemas:
    """(apiVersion, kind) -> the closed openAPIV3Schema, for the files named in `needed`."""
    schemas = {}
    for path in paths:
        if path.name not in needed:
            continue
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                schema = version["schema"]["openAPIV3Schema"]
                schemas[(f"{group}/{version['name']}", kind)] = closed(schema)
    return schemas


def validate(manifest: dict[str, Any], schemas: Schemas) -> None:
    schema = schemas[(manifest["apiVersion"], manifest["kind"])]
    jsonschema.validate(manifest, schema)
