"""The blueprint JSON Schema, generated from the models for editors and CI."""

from __future__ import annotations

import json
from typing import Any

from shipyard.blueprint.platform import Platform

SCHEMA_ID = "https://shipyard.dev/schemas/v1alpha1/platform.json"


def blueprint_schema() -> dict[str, Any]:
    schema = Platform.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render_schema() -> str:
    """The schema as committed: sorted keys, so regenerating it gives no spurious diff."""
    return json.dumps(blueprint_schema(), indent=2, sort_keys=True) + "\n"
