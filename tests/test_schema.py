"""The committed blueprint JSON Schema: fresh, and it agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from shipyard.schema import SCHEMA_ID, blueprint_schema, render_schema


def committed(project_root: Path) -> dict[str, Any]:
    return json.loads((project_root / "blueprints" / "schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def read_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture
def validator(project_root: Path) -> jsonschema.Draft202012Validator:
    schema = committed(project_root)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_fresh(project_root: Path) -> None:
    text = (project_root / "blueprints" / "schema.json").read_text(encoding="utf-8")
    assert text == render_schema(), "blueprints/schema.json is stale: run `shipyard schema`"


def test_schema_header_and_sorted_keys() -> None:
    schema = blueprint_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == "https://shipyard.dev/schemas/v1alpha1/platform.json"
    assert schema["required"] == ["apiVersion", "kind", "metadata", "spec"]
    assert schema["additionalProperties"] is False
    assert render_schema() == json.dumps(schema, indent=2, sort_keys=True) + "\n"


def test_example_blueprints_point_editors_at_the_schema(project_root: Path) -> None:
    for name in ("dev.yaml", "prod.yaml"):
        first = (project_root / "blueprints" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./schema.json", name


@pytest.mark.parametrize("name", ["dev.yaml", "prod.yaml"])
def test_example_blueprints_validate_against_the_schema(
    validator: jsonschema.Draft202012Validator, project_root: Path, name: str
) -> None:
    document = read_yaml(project_root / "blueprints" / name)
    assert [error.message for error in validator.iter_errors(document)] == []


def test_unknown_key_fails_schema_validation(
    validator: jsonschema.Draft202012Validator, dev_blueprint: Path
) -> None:
    document = read_yaml(dev_blueprint)
    document["spec"]["models"][0]["replica"] = 2
    [error] = validator.iter_errors(document)
    assert list(error.absolute_path) == ["spec", "models", 0]
    assert error.message == "Additional properties are not allowed ('replica' was unexpected)"


def test_unknown_key_in_a_pool_fails_schema_validation(
    validator: jsonschema.Draft202012Validator, dev_blueprint: Path
) -> None:
    document = read_yaml(dev_blueprint)
    document["spec"]["nodePools"][0]["gpu"]["memory"] = 24
    # `gpu` is optional (anyOf GpuSpec or null): the best match is the GpuSpec branch.
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    assert error is not None
    assert list(error.absolute_path) == ["spec", "nodePools", 0, "gpu"]
    assert error.message == "Additional properties are not allowed ('memory' was unexpected)"


def test_wrong_type_fails_schema_validation(
    validator: jsonschema.Draft202012Validator, dev_blueprint: Path
) -> None:
    document = read_yaml(dev_blueprint)
    document["spec"]["models"][0]["replicas"] = "two"
    [error] = validator.iter_errors(document)
    assert list(error.absolute_path) == ["spec", "models", 0, "replicas"]
    assert error.message == "'two' is not of type 'integer'"
